//! Structured control flow (JAX's `lax.cond`, `lax.switch`, `lax.while_loop`, `lax.fori_loop`
//! and `lax.scan`, with `lax.map` on top of scan, and `lax.select`): higher-order primitives
//! whose branches and bodies are traced once into jaxprs ("initial style").
//!
//! Every function a primitive carries is *closed-converted*: it has no constant variables, and
//! what the user's function closed over (concrete arrays, or tracers of enclosing
//! transformations) is hoisted into leading operands, as `make_jaxpr_flat` hoists constants.
//! The rules (abstract evaluation, lowering to `stablehlo.case`/`stablehlo.while`, JVP,
//! transpose, batching) are in `rules`.

pub(crate) mod rules;

use std::sync::Arc;

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::interpreters::staging::make_jaxpr_flat;
use crate::jaxpr::{Jaxpr, JaxprRef, Var};
use crate::lax::{Comparison, rules as lax_rules};
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, DType, Error, IntoArray, Result};

/// A closed-converted jaxpr (no constant variables) and the values of its leading inputs that
/// were hoisted from what the traced function closed over.
pub(crate) type Hoisted = (Arc<Jaxpr>, Vec<Array>);

/// Stages `f` on inputs of types `in_avals`; what it closes over becomes leading inputs.
pub(crate) fn trace_closed(
    in_avals: &[ShapedArray],
    f: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
) -> Result<Hoisted> {
    let closed = make_jaxpr_flat(in_avals, f)?;
    let jaxpr = &*closed.jaxpr;
    let converted = Jaxpr {
        constvars: Vec::new(),
        invars: jaxpr
            .constvars
            .iter()
            .chain(&jaxpr.invars)
            .cloned()
            .collect(),
        eqns: jaxpr.eqns.clone(),
        outvars: jaxpr.outvars.clone(),
    };
    Ok((Arc::new(converted), closed.consts))
}

/// Gives every branch the hoisted inputs of all branches (JAX's `_join_jaxpr_consts`): branch
/// `b`'s jaxpr takes all branches' hoisted values, in branch order, then the shared operands.
pub(crate) fn join_consts(branches: Vec<Hoisted>) -> (Vec<JaxprRef>, Vec<Array>) {
    let counts: Vec<usize> = branches.iter().map(|(_, consts)| consts.len()).collect();
    let all: Vec<Array> = branches
        .iter()
        .flat_map(|(_, consts)| consts.iter().cloned())
        .collect();
    let jaxprs = branches
        .iter()
        .enumerate()
        .map(|(b, (jaxpr, consts))| {
            let mut invars = Vec::new();
            for (other, (other_jaxpr, other_consts)) in branches.iter().enumerate() {
                if other == b {
                    invars.extend(jaxpr.invars[..consts.len()].iter().cloned());
                } else {
                    invars.extend(
                        other_jaxpr.invars[..other_consts.len()]
                            .iter()
                            .map(|var| Var::fresh(var.aval.clone())),
                    );
                }
            }
            debug_assert_eq!(invars.len(), counts.iter().sum::<usize>());
            invars.extend(jaxpr.invars[consts.len()..].iter().cloned());
            JaxprRef(Arc::new(Jaxpr {
                constvars: Vec::new(),
                invars,
                eqns: jaxpr.eqns.clone(),
                outvars: jaxpr.outvars.clone(),
            }))
        })
        .collect();
    (jaxprs, all)
}

/// Whether two types match for control flow (JAX's `typematch`: weak types aside).
pub(crate) fn typematch(a: &ShapedArray, b: &ShapedArray) -> bool {
    a.shape == b.shape && a.dtype == b.dtype
}

/// JAX's `_check_tree_and_avals`: the error when two functions' outputs differ in structure
/// or type, naming the output and both types.
fn check_tree_and_avals(
    what1: &str,
    tree1: &TreeDef,
    avals1: &[ShapedArray],
    what2: &str,
    tree2: &TreeDef,
    avals2: &[ShapedArray],
) -> Result<()> {
    if tree1 != tree2 {
        return Err(Error::invalid(
            "control flow",
            format!(
                "{what1} must have same type structure as {what2}, but there are differences: \
                 {tree1:?} vs. {tree2:?}"
            ),
        ));
    }
    if avals1.len() == avals2.len() && avals1.iter().zip(avals2).all(|(a, b)| typematch(a, b)) {
        return Ok(());
    }
    let diff: Vec<String> = avals1
        .iter()
        .zip(avals2)
        .enumerate()
        .map(|(i, (a, b))| {
            if typematch(a, b) {
                format!("output {i}: {a}")
            } else {
                format!("output {i}: DIFFERENT {a} vs. {b}")
            }
        })
        .collect();
    Err(Error::invalid(
        "control flow",
        format!(
            "{what1} and {what2} must have identical types, got\n{}.",
            diff.join("\n")
        ),
    ))
}

/// JAX's `_check_carry_type`: a loop body must return the carry's structure and types.
fn check_carry_type(
    what: &str,
    in_tree: &TreeDef,
    in_avals: &[ShapedArray],
    out_tree: &TreeDef,
    out_avals: &[ShapedArray],
) -> Result<()> {
    if in_tree != out_tree {
        return Err(Error::invalid(
            what,
            format!(
                "{what} function carry input and carry output must have the same pytree \
                 structure, but they differ: the input carry is {in_tree:?} and the output \
                 carry is {out_tree:?}"
            ),
        ));
    }
    let diffs: Vec<String> = in_avals
        .iter()
        .zip(out_avals)
        .enumerate()
        .filter(|(_, (a, b))| !typematch(a, b))
        .map(|(i, (a, b))| {
            let which = if a.shape != b.shape {
                "shapes"
            } else {
                "dtypes"
            };
            format!(
                "  * the input carry component {i} has type {a} but the corresponding output \
                 carry component has type {b}, so the {which} do not match"
            )
        })
        .collect();
    if diffs.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        what,
        format!(
            "{what} function carry input and carry output must have equal types (e.g. shapes \
             and dtypes of arrays), but they differ:\n\n{}",
            diffs.join("\n")
        ),
    ))
}

/// A shape as Python prints a tuple: `(2,)`, `(2, 3)`.
fn python_shape(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// `x` without a weak type (carries keep one type around a loop).
fn strong(x: &Array) -> Result<Array> {
    if x.weak_type() {
        crate::array::convert(x, x.dtype(), false)
    } else {
        Ok(x.clone())
    }
}

/// The type of one slice along the leading axis of `aval`.
pub(crate) fn slice_aval(aval: &ShapedArray) -> ShapedArray {
    aval.with_shape(aval.shape[1..].to_vec())
}

// --- flat forms --------------------------------------------------------------------------------

/// `while_loop` on a flat carry.
pub(crate) fn while_flat(
    cond: impl FnOnce(Vec<Array>) -> Result<Array>,
    body: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
    init: Vec<Array>,
) -> Result<Vec<Array>> {
    let init = init.iter().map(strong).collect::<Result<Vec<_>>>()?;
    let avals: Vec<ShapedArray> = init.iter().map(|x| x.aval().clone()).collect();
    let (cond_jaxpr, cond_consts) = trace_closed(&avals, |args| Ok(vec![cond(args)?]))?;
    let (body_jaxpr, body_consts) = trace_closed(&avals, body)?;
    let n = cond_consts.len();
    let m = body_consts.len();
    let mut args = cond_consts;
    args.extend(body_consts);
    args.extend(init);
    bind(
        Primitive::While {
            cond: JaxprRef(cond_jaxpr),
            body: JaxprRef(body_jaxpr),
            cond_nconsts: n,
            body_nconsts: m,
        },
        &args,
    )
}

// --- the public API ----------------------------------------------------------------------------

/// Traces `f` on a pytree of type `In` with leaves of types `avals`, recording the output
/// structure.
fn flat_fn<'a, In: Pytree, Out: Pytree, R: FnOutput<Output = Out>>(
    f: impl FnOnce(In) -> R + 'a,
    in_tree: &'a TreeDef,
    out_tree: &'a mut Option<TreeDef>,
) -> impl FnOnce(Vec<Array>) -> Result<Vec<Array>> + 'a {
    move |leaves| {
        let input = In::tree_unflatten(in_tree, leaves)?;
        let (outputs, tree) = f(input).into_result()?.tree_flatten();
        *out_tree = Some(tree);
        Ok(outputs)
    }
}

/// JAX's `lax.cond`: `true_fun(operands)` if `pred` else `false_fun(operands)`. Both branches
/// are traced and must return the same structure and types; `pred` is a boolean (or numeric,
/// compared with zero) scalar, possibly traced.
pub fn cond<Ops, Out, R1, R2>(
    pred: &Array,
    true_fun: impl Fn(Ops) -> R1,
    false_fun: impl Fn(Ops) -> R2,
    operands: Ops,
) -> Result<Out>
where
    Ops: Pytree,
    Out: Pytree,
    R1: FnOutput<Output = Out>,
    R2: FnOutput<Output = Out>,
{
    if !pred.shape().is_empty() {
        return Err(Error::invalid(
            "cond",
            format!(
                "Pred must be a scalar, got {} of shape {}.",
                pred.aval(),
                python_shape(pred.shape())
            ),
        ));
    }
    let pred = if pred.dtype() == DType::Bool {
        pred.clone()
    } else {
        lax_rules::compare(Comparison::Ne, pred, &lax_rules::scalar_like(pred, 0.0)?)?
    };
    let index = lax_rules::convert(&pred, DType::I32)?;
    let (leaves, in_tree) = operands.tree_flatten();
    let avals: Vec<ShapedArray> = leaves.iter().map(|x| x.aval().clone()).collect();
    let mut true_tree = None;
    let mut false_tree = None;
    let true_traced = trace_closed(&avals, flat_fn(true_fun, &in_tree, &mut true_tree))?;
    let false_traced = trace_closed(&avals, flat_fn(false_fun, &in_tree, &mut false_tree))?;
    let true_tree = true_tree.expect("traced");
    let false_tree = false_tree.expect("traced");
    check_tree_and_avals(
        "true_fun output",
        &true_tree,
        &true_traced.0.out_avals(),
        "false_fun output",
        &false_tree,
        &false_traced.0.out_avals(),
    )?;
    let (jaxprs, consts) = join_consts(vec![false_traced, true_traced]);
    let mut args = vec![index];
    args.extend(consts);
    args.extend(leaves);
    let outputs = bind(Primitive::Cond { branches: jaxprs }, &args)?;
    Out::tree_unflatten(&true_tree, outputs)
}

/// JAX's `lax.switch`: `branches[clamp(index, 0, len - 1)](operands)`. Every branch is traced
/// and must return the same structure and types.
pub fn switch<Ops, Out, R>(
    index: &Array,
    branches: &[&dyn Fn(Ops) -> R],
    operands: Ops,
) -> Result<Out>
where
    Ops: Pytree,
    Out: Pytree,
    R: FnOutput<Output = Out>,
{
    if branches.is_empty() {
        return Err(Error::invalid(
            "switch",
            "Empty branch sequence".to_string(),
        ));
    }
    if !index.shape().is_empty() || !index.dtype().is_int() {
        return Err(Error::invalid(
            "switch",
            format!("Index must be scalar integer, got {}.", index.aval()),
        ));
    }
    if branches.len() == 1 {
        return branches[0](operands).into_result();
    }
    let index = lax_rules::convert(index, DType::I32)?;
    let low = Array::scalar(0i32);
    let high = Array::scalar(branches.len() as i32 - 1);
    let index = crate::core::bind1(Primitive::Clamp, &[low, index, high])?;
    let (leaves, in_tree) = operands.tree_flatten();
    let avals: Vec<ShapedArray> = leaves.iter().map(|x| x.aval().clone()).collect();
    let mut traced = Vec::new();
    let mut trees = Vec::new();
    for branch in branches {
        let mut tree = None;
        traced.push(trace_closed(&avals, flat_fn(branch, &in_tree, &mut tree))?);
        trees.push(tree.expect("traced"));
    }
    for b in 1..traced.len() {
        check_tree_and_avals(
            "branch 0 output",
            &trees[0],
            &traced[0].0.out_avals(),
            &format!("branch {b} output"),
            &trees[b],
            &traced[b].0.out_avals(),
        )?;
    }
    let (jaxprs, consts) = join_consts(traced);
    let mut args = vec![index];
    args.extend(consts);
    args.extend(leaves);
    let outputs = bind(Primitive::Cond { branches: jaxprs }, &args)?;
    Out::tree_unflatten(&trees[0], outputs)
}

/// JAX's `lax.while_loop`: `while cond_fun(val): val = body_fun(val)`, with the loop staged
/// (`stablehlo.while`). `body_fun` must return the structure and types of `init_val`.
/// Differentiable in forward mode only, as in JAX.
pub fn while_loop<C, R1, R2>(
    cond_fun: impl Fn(C) -> R1,
    body_fun: impl Fn(C) -> R2,
    init_val: C,
) -> Result<C>
where
    C: Pytree,
    R1: FnOutput<Output = Array>,
    R2: FnOutput<Output = C>,
{
    let (leaves, tree) = init_val.tree_flatten();
    let leaves = leaves.iter().map(strong).collect::<Result<Vec<_>>>()?;
    let avals: Vec<ShapedArray> = leaves.iter().map(|x| x.aval().clone()).collect();
    let mut cond_tree = None;
    let cond_traced = trace_closed(&avals, flat_fn(cond_fun, &tree, &mut cond_tree))?;
    let cond_out = cond_traced.0.out_avals();
    if cond_out.len() != 1 || cond_out[0].dtype != DType::Bool || !cond_out[0].shape.is_empty() {
        let types: Vec<String> = cond_out.iter().map(ShapedArray::to_string).collect();
        return Err(Error::invalid(
            "while_loop",
            format!(
                "cond_fun must return a boolean scalar, but got output type(s) [{}].",
                types.join(", ")
            ),
        ));
    }
    let mut body_tree = None;
    let body_traced = trace_closed(&avals, flat_fn(body_fun, &tree, &mut body_tree))?;
    check_carry_type(
        "while_loop body",
        &tree,
        &avals,
        body_tree.as_ref().expect("traced"),
        &body_traced.0.out_avals(),
    )?;
    let (cond_jaxpr, cond_consts) = cond_traced;
    let (body_jaxpr, body_consts) = body_traced;
    let cond_nconsts = cond_consts.len();
    let body_nconsts = body_consts.len();
    let mut args = cond_consts;
    args.extend(body_consts);
    args.extend(leaves);
    let outputs = bind(
        Primitive::While {
            cond: JaxprRef(cond_jaxpr),
            body: JaxprRef(body_jaxpr),
            cond_nconsts,
            body_nconsts,
        },
        &args,
    )?;
    C::tree_unflatten(&tree, outputs)
}

/// JAX's `lax.fori_loop` with static bounds: `for i in lower..upper: val = body_fun(i, val)`,
/// with `i` an int32 scalar. Lowered to a [`scan`] of `upper - lower` steps, as JAX does for
/// concrete bounds, so it is differentiable in reverse mode too.
pub fn fori_loop<C, R>(
    lower: i32,
    upper: i32,
    body_fun: impl Fn(Array, C) -> R,
    init_val: C,
) -> Result<C>
where
    C: Pytree,
    R: FnOutput<Output = C>,
{
    let length = usize::try_from(upper.saturating_sub(lower)).unwrap_or(0);
    let (carry, ()): ((Array, C), ()) = scan_with(
        |(i, c): (Array, C), (): ()| -> Result<((Array, C), ())> {
            let next = body_fun(i.clone(), c).into_result()?;
            let i = lax_rules::add(&i, &Array::scalar(1i32))?;
            Ok(((i, next), ()))
        },
        (Array::scalar(lower), init_val),
        (),
        Some(length),
        false,
        1,
    )?;
    Ok(carry.1)
}

/// JAX's `lax.fori_loop` with traced bounds (int32 scalars): a [`while_loop`], so, as in JAX,
/// it is differentiable in forward mode only.
pub fn fori_loop_dynamic<C, R>(
    lower: &Array,
    upper: &Array,
    body_fun: impl Fn(Array, C) -> R,
    init_val: C,
) -> Result<C>
where
    C: Pytree,
    R: FnOutput<Output = C>,
{
    let lower = lax_rules::convert(lower, DType::I32)?;
    let upper = lax_rules::convert(upper, DType::I32)?;
    let (_, _, carry) = while_loop(
        |(i, upper, _): (Array, Array, C)| lax_rules::compare(Comparison::Lt, &i, &upper),
        |(i, upper, c): (Array, Array, C)| -> Result<(Array, Array, C)> {
            let next = body_fun(i.clone(), c).into_result()?;
            Ok((lax_rules::add(&i, &Array::scalar(1i32))?, upper, next))
        },
        (lower, upper, init_val),
    )?;
    Ok(carry)
}

/// JAX's `lax.scan`: `f(carry, x) -> (carry, y)` over the leading axis of the leaves of `xs`,
/// returning the final carry and the `y`s stacked.
pub fn scan<C, X, Y, R>(f: impl Fn(C, X) -> R, init: C, xs: X) -> Result<(C, Y)>
where
    C: Pytree,
    X: Pytree,
    Y: Pytree,
    R: FnOutput<Output = (C, Y)>,
{
    scan_with(f, init, xs, None, false, 1)
}

/// [`scan`] with JAX's `length` (required when `xs` has no leaves), `reverse` (iterate from
/// the end; outputs are still stacked in the order of `xs`) and `unroll` (how many body steps
/// each iteration of the lowered loop runs, at least 1; 1 is no unrolling, and a remainder
/// of `length % unroll` steps runs after the loop; the results are the same).
pub fn scan_with<C, X, Y, R>(
    f: impl Fn(C, X) -> R,
    init: C,
    xs: X,
    length: Option<usize>,
    reverse: bool,
    unroll: usize,
) -> Result<(C, Y)>
where
    C: Pytree,
    X: Pytree,
    Y: Pytree,
    R: FnOutput<Output = (C, Y)>,
{
    if unroll == 0 {
        return Err(Error::invalid(
            "scan",
            "`unroll` must be a positive integer, got 0.",
        ));
    }
    let (init_leaves, carry_tree) = init.tree_flatten();
    let init_leaves = init_leaves.iter().map(strong).collect::<Result<Vec<_>>>()?;
    let (x_leaves, x_tree) = xs.tree_flatten();
    let mut lengths: Vec<usize> = Vec::new();
    for x in &x_leaves {
        if x.ndim() == 0 {
            return Err(Error::invalid(
                "scan",
                format!(
                    "scan got value with no leading axis to scan over: {}.",
                    x.aval()
                ),
            ));
        }
        lengths.push(x.shape()[0]);
    }
    let length = match (length, lengths.first()) {
        (Some(length), _) => length,
        (None, Some(&first)) => first,
        (None, None) => {
            return Err(Error::invalid(
                "scan",
                "scan got no values to scan over and `length` not provided.",
            ));
        }
    };
    if lengths.iter().any(|&l| l != length) {
        return Err(Error::invalid(
            "scan",
            format!(
                "scan got `length` argument of {length} which disagrees with leading axis \
                 sizes {lengths:?}."
            ),
        ));
    }
    let num_carry = init_leaves.len();
    let mut avals: Vec<ShapedArray> = init_leaves.iter().map(|x| x.aval().clone()).collect();
    avals.extend(x_leaves.iter().map(|x| slice_aval(x.aval())));
    let mut y_tree = None;
    let mut out_carry_tree = None;
    let (jaxpr, consts) = trace_closed(&avals, |leaves| {
        let carry = C::tree_unflatten(&carry_tree, leaves[..num_carry].to_vec())?;
        let x = X::tree_unflatten(&x_tree, leaves[num_carry..].to_vec())?;
        let (c, y) = f(carry, x).into_result()?;
        let (mut outs, ctree) = c.tree_flatten();
        let (ys, ytree) = y.tree_flatten();
        out_carry_tree = Some(ctree);
        y_tree = Some(ytree);
        outs.extend(ys);
        Ok(outs)
    })?;
    let out_avals = jaxpr.out_avals();
    check_carry_type(
        "scan body",
        &carry_tree,
        &avals[..num_carry],
        out_carry_tree.as_ref().expect("traced"),
        &out_avals[..num_carry.min(out_avals.len())],
    )?;
    let num_consts = consts.len();
    let mut args = consts;
    args.extend(init_leaves);
    args.extend(x_leaves);
    let outputs = bind(
        Primitive::Scan {
            body: JaxprRef(jaxpr),
            length,
            reverse,
            num_consts,
            num_carry,
            unroll,
        },
        &args,
    )?;
    let ys = outputs[num_carry..].to_vec();
    let carry = C::tree_unflatten(&carry_tree, outputs[..num_carry].to_vec())?;
    let ys = Y::tree_unflatten(&y_tree.expect("traced"), ys)?;
    Ok((carry, ys))
}

/// JAX's `lax.map`: `f` applied to each slice of `xs` along its leading axis, the results
/// stacked (a [`scan`] without carry).
pub fn map<X, Y, R>(f: impl Fn(X) -> R, xs: X) -> Result<Y>
where
    X: Pytree,
    Y: Pytree,
    R: FnOutput<Output = Y>,
{
    let ((), ys) = scan(
        |(): (), x: X| -> Result<((), Y)> { Ok(((), f(x).into_result()?)) },
        (),
        xs,
    )?;
    Ok(ys)
}

/// JAX's `lax.select`: `on_true` where `pred` else `on_false`, elementwise (JAX's
/// `select_n(pred, on_false, on_true)`); `pred` is boolean, of the operands' shape.
#[track_caller]
pub fn select(pred: impl IntoArray, on_true: impl IntoArray, on_false: impl IntoArray) -> Array {
    crate::lax::select_n(pred, [on_false.into_array(), on_true.into_array()])
}
