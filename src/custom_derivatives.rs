//! Custom differentiation rules: JAX's `jax.custom_jvp`, `jax.custom_vjp` and
//! `lax.stop_gradient`.
//!
//! - [`stop_gradient`] binds `stop_gradient`: the identity in evaluation, lowering and
//!   batching, whose tangent is zero.
//! - [`custom_jvp`]`(f, rule)` binds `custom_jvp_call`. Outside any transformation it just
//!   calls `f`. Under one, `f` is staged into a jaxpr (the primitive's `call`, which evaluation
//!   and lowering run and `jit` records) and the rule travels with it as a parameter: the JVP
//!   trace runs the rule instead of differentiating `f`, and the batch trace batches `f` into a
//!   new jaxpr and wraps the rule to run batched, binding a new `custom_jvp_call`, so
//!   `grad(vmap(f))` still uses the rule. Reverse mode is JAX's linearize plus transpose, so
//!   the rule must be linear in the tangents; zero tangents reach it as arrays of zeros
//!   (JAX's `symbolic_zeros=False`).
//! - [`custom_vjp`]`(f, fwd, bwd)` binds `custom_vjp_call`. Its JVP runs `fwd` for the outputs
//!   and the residuals and binds `custom_lin` on the residuals and the input tangents: a
//!   linear primitive that linearize stages (its tangents are unknown) and whose transpose
//!   calls `bwd`. Evaluating or lowering `custom_lin` is forward-mode differentiation, JAX's
//!   error.
//!
//! The rules are Rust closures held by the primitives, as JAX's primitives hold Python
//! callables, and compare by identity. Arrays `f` closes over become leading arguments of
//! the primitive (its constants, JAX's `num_consts`); differentiating with respect to one is
//! JAX's error, since the rules say nothing about them: pass such values as inputs. The rules
//! themselves should not close over values of an enclosing transformation.

mod rules;

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

pub(crate) use rules::{
    call_abstract_eval, custom_jvp_call_batch, custom_jvp_call_jvp, custom_lin_transpose,
    custom_vjp_call_batch, custom_vjp_call_jvp, forward_mode_error, stop_gradient_abstract_eval,
};

use crate::abstract_value::ShapedArray;
use crate::core::trace::current_trace;
use crate::core::{Primitive, bind};
use crate::interpreters::jvp::tangent_aval;
use crate::interpreters::staging::make_jaxpr_flat;
use crate::jaxpr::{ClosedJaxpr, Jaxpr, JaxprRef};
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, Error, Result, config};

/// The flat form of a custom JVP rule: (primals, tangents) of the inputs to (primals,
/// tangents) of the outputs.
pub type JvpFn = dyn Fn(Vec<Array>, Vec<Array>) -> Result<(Vec<Array>, Vec<Array>)> + Send + Sync;

/// The flat form of a custom VJP's forward rule: the inputs to the outputs, the residuals and
/// the residuals' structure.
pub type FwdFn = dyn Fn(Vec<Array>) -> Result<(Vec<Array>, Vec<Array>, TreeDef)> + Send + Sync;

/// The flat form of a custom VJP's backward rule: (the residuals' structure, the residuals,
/// the outputs' cotangents) to the inputs' cotangents.
pub type BwdFn = dyn Fn(&TreeDef, Vec<Array>, Vec<Array>) -> Result<Vec<Array>> + Send + Sync;

/// A rule held by a primitive as a parameter: equal only to itself, printed by name.
pub struct Rule<F: ?Sized> {
    f: Arc<F>,
    name: Arc<str>,
}

impl<F: ?Sized> Rule<F> {
    fn new(name: impl Into<Arc<str>>, f: Arc<F>) -> Self {
        Rule {
            f,
            name: name.into(),
        }
    }

    fn key(&self) -> usize {
        Arc::as_ptr(&self.f) as *const () as usize
    }
}

impl<F: ?Sized> Clone for Rule<F> {
    fn clone(&self) -> Self {
        Rule {
            f: self.f.clone(),
            name: self.name.clone(),
        }
    }
}

impl<F: ?Sized> PartialEq for Rule<F> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<F: ?Sized> Eq for Rule<F> {}

impl<F: ?Sized> Hash for Rule<F> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl<F: ?Sized> fmt::Debug for Rule<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The name of a function type as a jaxpr shows it: the function's own name, or the name of
/// the function a closure was written in.
fn rule_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let trimmed = full.trim_end_matches("::{{closure}}");
    trimmed.rsplit("::").next().unwrap_or(full).to_string()
}

// --- stop_gradient -----------------------------------------------------------------------------

/// `x`, as a constant to differentiation (JAX's `lax.stop_gradient`): its value passes
/// through unchanged, its derivative is zero, under `grad`, `jvp`, `jit` and `vmap` alike.
/// Arrays that are not floating point are returned as they are.
///
/// ```
/// use rjax::{Array, grad, stop_gradient};
/// // d/dx (x * stop_gradient(x)) = stop_gradient(x) = x.
/// let g = grad(|x: Array| &x * &stop_gradient(&x))(Array::from(3.0f32))?;
/// assert_eq!(g.item::<f32>()?, 3.0);
/// # Ok::<(), rjax::Error>(())
/// ```
#[track_caller]
pub fn stop_gradient(x: &Array) -> Array {
    let eager = current_trace().tag().is_none() && x.concrete().is_some();
    if !x.dtype().is_inexact() || eager {
        return x.clone();
    }
    crate::lax::apply(Primitive::StopGradient, &[x])
}

/// [`stop_gradient`] of every leaf of a pytree.
#[track_caller]
pub fn stop_gradient_tree<T: Pytree>(tree: &T) -> T {
    let (leaves, def) = tree.tree_flatten();
    let stopped = leaves.iter().map(stop_gradient).collect();
    T::tree_unflatten(&def, stopped).expect("the structure is unchanged")
}

// --- staging a custom function -----------------------------------------------------------------

/// An input signature: the structure, each leaf's type, and the x64 mode.
#[derive(PartialEq, Eq, Hash)]
struct Signature {
    tree: TreeDef,
    avals: Vec<ShapedArray>,
    x64: bool,
    /// `config::threefry_partitionable()`: `rjax::random` traces differently under each.
    threefry_partitionable: bool,
    /// `config::default_prng_impl()`: raw keys and new keys belong to it.
    default_prng_impl: crate::random::PrngImpl,
    /// `config::default_matmul_precision()`: dots traced without a precision take it.
    default_matmul_precision: Option<crate::lax::Precision>,
}

/// One signature's staged call: the primitive, the constants it takes first, and the
/// structure of the outputs.
struct Staged {
    primitive: Primitive,
    consts: Vec<Array>,
    out_tree: TreeDef,
}

/// The most signatures a custom function keeps staged.
const MAX_CACHE_ENTRIES: usize = 64;

/// A custom function's staged calls by signature, so that binding it again binds the same
/// primitive (and evaluation reuses its executable). Calls that close over tracers are not
/// kept: their constants belong to one transformation.
#[derive(Default)]
struct Cache(Mutex<HashMap<Signature, Arc<Staged>>>);

impl Cache {
    fn get_or_stage(
        &self,
        signature: Signature,
        stage: impl FnOnce() -> Result<Staged>,
    ) -> Result<Arc<Staged>> {
        let lock = || self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(staged) = lock().get(&signature) {
            return Ok(staged.clone());
        }
        let staged = Arc::new(stage()?);
        if staged.consts.iter().all(|c| c.concrete().is_some()) {
            let mut cache = lock();
            if cache.len() < MAX_CACHE_ENTRIES {
                cache.insert(signature, staged.clone());
            }
        }
        Ok(staged)
    }
}

/// `closed` with its constants' variables turned into leading inputs (JAX's
/// `convert_constvars_jaxpr`), and the constants, which callers pass first.
fn close_consts(closed: ClosedJaxpr) -> (JaxprRef, Vec<Array>) {
    let jaxpr = Arc::try_unwrap(closed.jaxpr).unwrap_or_else(|shared| (*shared).clone());
    let invars = jaxpr.constvars.into_iter().chain(jaxpr.invars).collect();
    let jaxpr = Jaxpr {
        constvars: Vec::new(),
        invars,
        eqns: jaxpr.eqns,
        outvars: jaxpr.outvars,
    };
    (JaxprRef(Arc::new(jaxpr)), closed.consts)
}

/// What the primitive of a custom function is made from: the staged function, its constant
/// count, and the input and output structures and output types.
struct CallParts<'a> {
    call: JaxprRef,
    num_consts: usize,
    in_tree: &'a TreeDef,
    out_tree: &'a TreeDef,
    out_avals: Vec<ShapedArray>,
}

/// Calls a custom function on `input`: `f` itself outside transformations, otherwise the
/// primitive `make` builds around `f` staged for the input's signature.
fn call_custom<In: Pytree, Out: Pytree, R: FnOutput<Output = Out>>(
    f: &impl Fn(In) -> R,
    cache: &Cache,
    input: In,
    make: impl FnOnce(CallParts<'_>) -> Primitive,
) -> Result<Out> {
    if current_trace().tag().is_none() {
        return f(input).into_result();
    }
    let (leaves, in_tree) = input.tree_flatten();
    drop(input);
    let avals: Vec<ShapedArray> = leaves.iter().map(|leaf| leaf.aval().clone()).collect();
    let signature = Signature {
        tree: in_tree.clone(),
        avals: avals.clone(),
        x64: config::x64_enabled(),
        threefry_partitionable: config::threefry_partitionable(),
        default_prng_impl: config::default_prng_impl(),
        default_matmul_precision: config::default_matmul_precision(),
    };
    let staged = cache.get_or_stage(signature, || {
        let mut out_tree = None;
        let closed = make_jaxpr_flat(&avals, |tracers| {
            let input = In::tree_unflatten(&in_tree, tracers)?;
            let (outputs, tree) = f(input).into_result()?.tree_flatten();
            out_tree = Some(tree);
            Ok(outputs)
        })?;
        let out_tree = out_tree.expect("the function ran");
        let out_avals = closed.jaxpr.out_avals();
        let (call, consts) = close_consts(closed);
        let primitive = make(CallParts {
            call,
            num_consts: consts.len(),
            in_tree: &in_tree,
            out_tree: &out_tree,
            out_avals,
        });
        Ok(Staged {
            primitive,
            consts,
            out_tree,
        })
    })?;
    if staged.out_tree.num_leaves() == 0 {
        // Nothing to compute or differentiate.
        return Out::tree_unflatten(&staged.out_tree, Vec::new());
    }
    let args: Vec<Array> = staged.consts.iter().cloned().chain(leaves).collect();
    let outputs = bind(staged.primitive.clone(), &args)?;
    Out::tree_unflatten(&staged.out_tree, outputs)
}

/// Checks that `got` have the shapes and dtypes of `want`, with `what` as the error.
fn check_types(op: &str, what: &str, got: &[Array], want: &[ShapedArray]) -> Result<()> {
    let bad = got.len() != want.len()
        || got
            .iter()
            .zip(want)
            .any(|(g, w)| g.shape() != w.shape.as_slice() || g.dtype() != w.dtype);
    if bad {
        let show = |types: Vec<String>| format!("({})", types.join(", "));
        return Err(Error::invalid(
            op,
            format!(
                "{what}: expected {}, got {}",
                show(want.iter().map(ShapedArray::to_string).collect()),
                show(got.iter().map(|g| g.aval().to_string()).collect())
            ),
        ));
    }
    Ok(())
}

/// Checks that a rule's output structure is the function's.
fn check_tree(op: &str, what: &str, got: &TreeDef, want: &TreeDef) -> Result<()> {
    if got != want {
        return Err(Error::invalid(
            op,
            format!("{what}, but got {got:?} where {want:?} was expected"),
        ));
    }
    Ok(())
}

// --- custom_jvp --------------------------------------------------------------------------------

/// `f` with the derivative rule `jvp` (JAX's `jax.custom_jvp`): the returned function computes
/// `f`, and every differentiation (`jvp`, `grad`, `vjp`, `linearize`, also under `jit` and
/// `vmap` and nested) uses `jvp(primals, tangents) -> (primal_out, tangent_out)` instead of
/// differentiating `f`.
///
/// As in JAX, reverse mode transposes the rule, so it must be linear in the tangents (it may
/// compute anything from the primals), and differentiating twice differentiates the rule.
/// Tangents that are known to be zero reach the rule as zeros. Arrays `f` closes over are
/// constants: differentiating with respect to one is an error, so pass such values as inputs.
/// Under a transformation `f` is staged once per input signature, and the staged primitives
/// keep the rule, so it must be `Send + Sync + 'static` (a closure owning what it captures).
///
/// ```
/// use rjax::{Array, custom_jvp, grad};
/// // log(1 + e^x), whose naive derivative e^x / (1 + e^x) is inf / inf = NaN for large x.
/// let log1pexp = custom_jvp(
///     |x: Array| (x.exp() + 1.0).log(),
///     |x: Array, t: Array| {
///         let y = (x.exp() + 1.0).log();
///         (y, (1.0 - 1.0 / (x.exp() + 1.0)) * t)
///     },
/// );
/// let g = grad(&log1pexp)(Array::from(100.0f32))?;
/// assert_eq!(g.item::<f32>()?, 1.0);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn custom_jvp<F, J, In, Out, R, RJ>(f: F, jvp: J) -> impl Fn(In) -> Result<Out> + Clone
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    J: Fn(In, In) -> RJ + Send + Sync + 'static,
    RJ: FnOutput<Output = (Out, Out)> + 'static,
    In: Pytree + 'static,
    Out: Pytree + 'static,
{
    let jvp = Arc::new(jvp);
    let state = Arc::new((f, Cache::default()));
    move |input: In| {
        let (f, cache) = &*state;
        call_custom(f, cache, input, |parts| Primitive::CustomJvpCall {
            jvp: jvp_rule(jvp.clone(), parts.in_tree, parts.out_tree, parts.out_avals),
            call: parts.call,
            num_consts: parts.num_consts,
        })
    }
}

/// The user's JVP rule over flat lists, checking what it returns.
fn jvp_rule<J, In, Out, RJ>(
    rule: Arc<J>,
    in_tree: &TreeDef,
    out_tree: &TreeDef,
    out_avals: Vec<ShapedArray>,
) -> Rule<JvpFn>
where
    J: Fn(In, In) -> RJ + Send + Sync + 'static,
    RJ: FnOutput<Output = (Out, Out)> + 'static,
    In: Pytree + 'static,
    Out: Pytree + 'static,
{
    let (in_tree, out_tree) = (in_tree.clone(), out_tree.clone());
    let f: Arc<JvpFn> = Arc::new(move |primals: Vec<Array>, tangents: Vec<Array>| {
        let primals = In::tree_unflatten(&in_tree, primals)?;
        let tangents = In::tree_unflatten(&in_tree, tangents)?;
        let (out, out_dot) = rule(primals, tangents).into_result()?;
        let ((outs, tree), (dots, dot_tree)) = (out.tree_flatten(), out_dot.tree_flatten());
        let op = "custom_jvp";
        check_tree(
            op,
            "Custom JVP rule must produce primal and tangent outputs with equal container \
             (pytree) structures",
            &dot_tree,
            &tree,
        )?;
        check_tree(
            op,
            "Custom JVP rule must produce primal outputs with the container (pytree) \
             structure of the primal function's output",
            &tree,
            &out_tree,
        )?;
        check_types(
            op,
            "Custom JVP rule must produce primal outputs with the shapes and dtypes of the \
             primal function's outputs",
            &outs,
            &out_avals,
        )?;
        let dot_avals: Vec<ShapedArray> = out_avals.iter().map(tangent_aval).collect();
        check_types(
            op,
            "Custom JVP rule must produce tangent outputs with the shapes and dtypes of \
             the primal outputs",
            &dots,
            &dot_avals,
        )?;
        Ok((outs, dots))
    });
    Rule::new(rule_name::<J>(), f)
}

// --- custom_vjp --------------------------------------------------------------------------------

/// `f` with a custom vector-Jacobian product (JAX's `jax.custom_vjp`): the returned function
/// computes `f`; reverse-mode differentiation (`grad`, `vjp`, also under `jit` and `vmap`)
/// runs `fwd(x) -> (f(x), residuals)` and pulls cotangents back with
/// `bwd(residuals, output_cotangent) -> input_cotangent`, whose result has the structure of
/// the input.
///
/// Forward mode (`jvp`, `jacfwd`) is an error, as in JAX: "can't apply forward-mode autodiff
/// (jvp) to a custom_vjp function.". Arrays `f` closes over are constants: differentiating with
/// respect to one is an error, so pass such values as inputs. `fwd` and `bwd` are kept by the
/// staged primitives, so they must be `Send + Sync + 'static`.
///
/// ```
/// use rjax::{Array, custom_vjp, grad};
/// // The identity, whose cotangent is clipped to [-1, 1].
/// let clip_gradient = custom_vjp(
///     |x: Array| x,
///     |x: Array| (x, ()),
///     |(): (), g: Array| g.maximum(-1.0).minimum(1.0),
/// );
/// let g = grad(|x: Array| clip_gradient(&x * 3.0).map(|y| y.sum()))(Array::from(2.0f32))?;
/// assert_eq!(g.item::<f32>()?, 3.0);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn custom_vjp<F, Fw, Bw, In, Out, Res, R, RF, RB>(
    f: F,
    fwd: Fw,
    bwd: Bw,
) -> impl Fn(In) -> Result<Out> + Clone
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    Fw: Fn(In) -> RF + Send + Sync + 'static,
    RF: FnOutput<Output = (Out, Res)> + 'static,
    Bw: Fn(Res, Out) -> RB + Send + Sync + 'static,
    RB: FnOutput<Output = In> + 'static,
    In: Pytree + 'static,
    Out: Pytree + 'static,
    Res: Pytree + 'static,
{
    let (fwd, bwd) = (Arc::new(fwd), Arc::new(bwd));
    let state = Arc::new((f, Cache::default()));
    move |input: In| {
        let (f, cache) = &*state;
        call_custom(f, cache, input, |parts| Primitive::CustomVjpCall {
            fwd: fwd_rule(fwd.clone(), parts.in_tree, parts.out_tree, parts.out_avals),
            bwd: bwd_rule(bwd.clone(), parts.in_tree, parts.out_tree),
            call: parts.call,
            num_consts: parts.num_consts,
        })
    }
}

/// The user's forward rule over flat lists, checking its outputs.
fn fwd_rule<Fw, In, Out, Res, RF>(
    fwd: Arc<Fw>,
    in_tree: &TreeDef,
    out_tree: &TreeDef,
    out_avals: Vec<ShapedArray>,
) -> Rule<FwdFn>
where
    Fw: Fn(In) -> RF + Send + Sync + 'static,
    RF: FnOutput<Output = (Out, Res)> + 'static,
    In: Pytree + 'static,
    Out: Pytree + 'static,
    Res: Pytree + 'static,
{
    let (in_tree, out_tree) = (in_tree.clone(), out_tree.clone());
    let f: Arc<FwdFn> = Arc::new(move |inputs: Vec<Array>| {
        let (out, res) = fwd(In::tree_unflatten(&in_tree, inputs)?).into_result()?;
        let (outs, tree) = out.tree_flatten();
        let op = "custom_vjp";
        check_tree(
            op,
            "Custom VJP fwd rule must produce a pair whose first element has the container \
             (pytree) structure of the primal function's output",
            &tree,
            &out_tree,
        )?;
        check_types(
            op,
            "Custom VJP fwd rule must produce primal outputs with the shapes and dtypes of \
             the primal function's outputs",
            &outs,
            &out_avals,
        )?;
        let (res, res_tree) = res.tree_flatten();
        Ok((outs, res, res_tree))
    });
    Rule::new(rule_name::<Fw>(), f)
}

/// The user's backward rule over flat lists, checking its output's structure.
fn bwd_rule<Bw, In, Out, Res, RB>(
    bwd: Arc<Bw>,
    in_tree: &TreeDef,
    out_tree: &TreeDef,
) -> Rule<BwdFn>
where
    Bw: Fn(Res, Out) -> RB + Send + Sync + 'static,
    RB: FnOutput<Output = In> + 'static,
    In: Pytree + 'static,
    Out: Pytree + 'static,
    Res: Pytree + 'static,
{
    let (in_tree, out_tree) = (in_tree.clone(), out_tree.clone());
    let f: Arc<BwdFn> = Arc::new(
        move |res_tree: &TreeDef, res: Vec<Array>, cts: Vec<Array>| {
            let res = Res::tree_unflatten(res_tree, res)?;
            let cts = Out::tree_unflatten(&out_tree, cts)?;
            let (leaves, tree) = bwd(res, cts).into_result()?.tree_flatten();
            check_tree(
                "custom_vjp",
                "Custom VJP bwd rule must produce an output with the same container (pytree) \
                 structure as the input of the primal function",
                &tree,
                &in_tree,
            )?;
            Ok(leaves)
        },
    );
    Rule::new(rule_name::<Bw>(), f)
}
