//! Automatic differentiation (JAX's `jax.jvp`, `linearize`, `vjp`, `grad`, `value_and_grad`).
//!
//! Forward mode runs the function under a JVP trace. Reverse mode is JAX's: *linearize* (the
//! JVP under partial evaluation, with primals known and tangents unknown) stages the tangent
//! computation into a linear jaxpr whose constants are the residuals; *transposing* that jaxpr
//! gives the vector-Jacobian product. Everything composes: `grad(grad(f))`, `jit(grad(f))`,
//! `grad` of a function that calls jitted functions.

use std::rc::Rc;

use crate::abstract_value::ShapedArray;
use crate::core::trace::{current_trace, with_trace};
use crate::interpreters::jvp::{Tangent, is_differentiable, jvp_flat, tangent_aval};
use crate::interpreters::staging::StagingTrace;
use crate::interpreters::transpose::backward_pass;
use crate::jaxpr::ClosedJaxpr;
use crate::scalar::Scalar;
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, Error, Result};

/// Calls `f` on the pytree rebuilt from `leaves`, recording its output structure in `out_tree`.
fn flat_call<In: Pytree, Out: Pytree, R: FnOutput<Output = Out>>(
    f: impl FnOnce(In) -> R,
    in_tree: &TreeDef,
    out_tree: &mut Option<TreeDef>,
) -> impl FnOnce(Vec<Array>) -> Result<Vec<Array>> {
    move |leaves| {
        let input = In::tree_unflatten(in_tree, leaves)?;
        let (outputs, tree) = f(input).into_result()?.tree_flatten();
        *out_tree = Some(tree);
        Ok(outputs)
    }
}

/// `given`, the (co)tangent that `transform` received for leaf `leaf` of the `side` (`input` or
/// `output`) whose type is `aval`, checked as JAX checks it: the same shape, and the same dtype
/// for a float or complex value (a weakly typed float, a Rust literal standing in for a Python
/// scalar, takes that dtype). Integer, boolean and key values have no tangent space (JAX's
/// `float0`): their (co)tangent must have the value's own dtype and is taken as zero.
fn checked_tangent(
    transform: &str,
    side: &str,
    leaf: usize,
    aval: &ShapedArray,
    given: Array,
) -> Result<Tangent> {
    let (want, got) = (aval.dtype, given.dtype());
    if given.shape() != aval.shape.as_slice() {
        return Err(Error::invalid(
            transform,
            format!(
                "the shapes of {side} leaf {leaf} and of its (co)tangent differ: the {side} \
                 has type {aval}, the (co)tangent {}",
                given.aval()
            ),
        ));
    }
    if !is_differentiable(want) {
        return match got == want {
            true => Ok(Tangent::zero_for(aval)),
            false => Err(Error::invalid(
                transform,
                format!(
                    "{side} leaf {leaf} has dtype {want}, which has no tangent space (JAX's \
                     float0): its (co)tangent must have dtype {want} too and is taken as zero, \
                     but it has dtype {got}"
                ),
            )),
        };
    }
    if got == want {
        return Ok(Tangent::Value(given));
    }
    if given.weak_type() && got.is_float() && want.is_float() {
        return Ok(Tangent::Value(crate::array::convert(&given, want, false)?));
    }
    Err(Error::invalid(
        transform,
        format!(
            "the dtypes of {side} leaf {leaf} and of its (co)tangent differ: the {side} has \
             dtype {want}, so its (co)tangent must have dtype {want} too, but it has dtype {got}"
        ),
    ))
}

/// Forward mode: `f(primals)` and its directional derivative along `tangents` (JAX's
/// `jax.jvp`). `tangents` has the structure and types of `primals`.
pub fn jvp<F, In, Out, R>(f: F, primals: In, tangents: In) -> Result<(Out, Out)>
where
    F: FnOnce(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let (primal_leaves, in_tree) = primals.tree_flatten();
    let (tangent_leaves, tangent_tree) = tangents.tree_flatten();
    if tangent_tree != in_tree {
        return Err(Error::invalid(
            "jvp",
            format!(
                "the tangents must have the structure of the primals: primals {in_tree:?}, \
                 tangents {tangent_tree:?}"
            ),
        ));
    }
    let tangents = primal_leaves
        .iter()
        .zip(tangent_leaves)
        .enumerate()
        .map(|(leaf, (primal, tangent))| {
            checked_tangent("jvp", "input", leaf, primal.aval(), tangent)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut out_tree = None;
    let (outputs, out_tangents) = jvp_flat(
        flat_call(f, &in_tree, &mut out_tree),
        primal_leaves,
        tangents,
    )?;
    let out_tree = out_tree.expect("the function ran");
    let out_tangents = out_tangents
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<Vec<_>>>()?;
    Ok((
        Out::tree_unflatten(&out_tree, outputs)?,
        Out::tree_unflatten(&out_tree, out_tangents)?,
    ))
}

/// A function linearized at a point: its outputs there, and the linear jaxpr of its
/// derivative (inputs: the tangents of the inputs; outputs: those of the outputs).
struct Linearized {
    outputs: Vec<Array>,
    out_tree: TreeDef,
    in_tree: TreeDef,
    linear: ClosedJaxpr,
}

fn linearize_tree<F, In, Out, R>(f: F, primals: In) -> Result<Linearized>
where
    F: FnOnce(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let (primal_leaves, in_tree) = primals.tree_flatten();
    let partial = Rc::new(StagingTrace::new(Some(current_trace())));
    let (tangent_vars, tangents): (Vec<_>, Vec<Tangent>) = primal_leaves
        .iter()
        .map(|primal| {
            let (var, tracer) = partial.new_input(tangent_aval(primal.aval()));
            // Tangents of integer and boolean inputs are always zero (JAX's float0).
            let tangent = if is_differentiable(primal.dtype()) {
                Tangent::Value(tracer)
            } else {
                Tangent::zero_for(primal.aval())
            };
            (var, tangent)
        })
        .unzip();
    let mut out_tree = None;
    let (outputs, out_tangents) = with_trace(partial.clone(), || {
        let (outputs, out_tangents) = jvp_flat(
            flat_call(f, &in_tree, &mut out_tree),
            primal_leaves,
            tangents,
        )?;
        let out_tangents = out_tangents
            .iter()
            .map(Tangent::instantiate)
            .collect::<Result<Vec<_>>>()?;
        Ok::<_, Error>((outputs, out_tangents))
    })?;
    let linear = partial.finish(tangent_vars, &out_tangents)?;
    Ok(Linearized {
        outputs,
        out_tree: out_tree.expect("the function ran"),
        in_tree,
        linear,
    })
}

/// `f(primals)` and the linear map of its derivative at `primals` (JAX's `jax.linearize`):
/// applying it to tangents gives what [`jvp`] would, without re-running `f`.
pub fn linearize<F, In, Out, R>(f: F, primals: In) -> Result<(Out, impl Fn(In) -> Result<Out>)>
where
    F: FnOnce(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let Linearized {
        outputs,
        out_tree,
        in_tree,
        linear,
    } = linearize_tree(f, primals)?;
    let value = Out::tree_unflatten(&out_tree, outputs)?;
    let f_jvp = move |tangents: In| -> Result<Out> {
        let (leaves, tree) = tangents.tree_flatten();
        if tree != in_tree {
            return Err(Error::invalid(
                "linearize",
                "the tangents must have the structure of the primals",
            ));
        }
        let args: Vec<Array> = linear.consts.iter().cloned().chain(leaves).collect();
        let outputs = crate::jaxpr::eval_jaxpr(&linear.jaxpr, &args)?;
        Out::tree_unflatten(&out_tree, outputs)
    };
    Ok((value, f_jvp))
}

/// `f(primals)` and its vector-Jacobian product at `primals` (JAX's `jax.vjp`): the returned
/// function maps cotangents of the outputs to cotangents of the inputs.
pub fn vjp<F, In, Out, R>(f: F, primals: In) -> Result<(Out, impl Fn(Out) -> Result<In>)>
where
    F: FnOnce(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let Linearized {
        outputs,
        out_tree,
        in_tree,
        linear,
    } = linearize_tree(f, primals)?;
    let value = Out::tree_unflatten(&out_tree, outputs)?;
    let out_avals = linear.jaxpr.out_avals();
    let f_vjp = move |cotangents: Out| -> Result<In> {
        let (leaves, tree) = cotangents.tree_flatten();
        if tree != out_tree {
            return Err(Error::invalid(
                "vjp",
                format!(
                    "the cotangents must have the structure of the outputs: outputs \
                     {out_tree:?}, cotangents {tree:?}"
                ),
            ));
        }
        let cts = leaves
            .into_iter()
            .zip(&out_avals)
            .enumerate()
            .map(|(leaf, (ct, aval))| checked_tangent("vjp", "output", leaf, aval, ct))
            .collect::<Result<Vec<_>>>()?;
        let input_cts = backward_pass(&linear.jaxpr, &linear.consts, cts)?;
        let arrays = input_cts
            .iter()
            .map(Tangent::instantiate)
            .collect::<Result<Vec<_>>>()?;
        In::tree_unflatten(&in_tree, arrays)
    };
    Ok((value, f_vjp))
}

/// The shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`.
fn python_shape(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Checks that `f` can be differentiated at `leaves` by `grad`: real or complex inputs.
fn check_grad_inputs(leaves: &[Array]) -> Result<()> {
    match leaves.iter().find(|leaf| !is_differentiable(leaf.dtype())) {
        Some(bad) => Err(Error::invalid(
            "grad",
            format!(
                "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of \
                 np.inexact), but got {}. If you want to use Boolean- or integer-valued inputs, use vjp",
                bad.dtype()
            ),
        )),
        None => Ok(()),
    }
}

/// The cotangent that seeds `grad`: 1 for a real scalar `value`, or JAX's error otherwise.
fn grad_seed(value: &Array) -> Result<Array> {
    if value.ndim() != 0 {
        return Err(Error::invalid(
            "grad",
            format!(
                "Gradient only defined for scalar-output functions. Output had shape: {}. \
                 For a vector-valued function, use jacobian (jacrev or jacfwd) or vjp",
                python_shape(value.shape())
            ),
        ));
    }
    if !value.dtype().is_float() {
        return Err(Error::invalid(
            "grad",
            format!(
                "grad requires real-valued outputs (output dtype that is a sub-dtype of \
                 np.floating), but got {}; for a complex output, differentiate its real and \
                 imaginary parts separately or use vjp",
                value.dtype()
            ),
        ));
    }
    crate::array::convert(&Array::weak(Scalar::Float(1.0)), value.dtype(), false)
}

/// The value of `f(x)`, its gradient, and the auxiliary outputs `f` returns beside the value
/// (not differentiated).
fn value_and_grad_with_aux_at<F, In, Aux, R>(f: &F, x: In) -> Result<((Array, Aux), In)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = (Array, Aux)>,
    In: Pytree,
    Aux: Pytree,
{
    check_grad_inputs(&x.tree_flatten().0)?;
    let ((value, aux), pullback) = vjp(f, x)?;
    let seed = grad_seed(&value)?;
    let (aux_leaves, aux_tree) = aux.tree_flatten();
    let aux_cts = aux_leaves
        .iter()
        .map(|leaf| crate::interpreters::jvp::zeros(&tangent_aval(leaf.aval())))
        .collect::<Result<Vec<_>>>()?;
    let gradient = pullback((seed, Aux::tree_unflatten(&aux_tree, aux_cts)?))?;
    Ok(((value, aux), gradient))
}

/// The value of `f(x)` and its gradient, for scalar-valued `f` with real inputs.
fn value_and_grad_at<F, In, R>(f: &F, x: In) -> Result<(Array, In)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
    In: Pytree,
{
    check_grad_inputs(&x.tree_flatten().0)?;
    let (value, pullback) = vjp(f, x)?;
    let gradient = pullback(grad_seed(&value)?)?;
    Ok((value, gradient))
}

/// The gradient of a scalar-valued function (JAX's `jax.grad`), with respect to its whole
/// input pytree; choose arguments by closing over the others.
///
/// ```
/// use rjax::{Array, grad};
/// let df = grad(|x: Array| x.sin() * 2.0);
/// let g = df(Array::from(0.5f32))?;
/// assert!((g.item::<f32>()? - 2.0 * 0.5f32.cos()).abs() < 1e-6);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn grad<F, In, R>(f: F) -> impl Fn(In) -> Result<In>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
    In: Pytree,
{
    move |x| Ok(value_and_grad_at(&f, x)?.1)
}

/// The value and the gradient of a scalar-valued function (JAX's `jax.value_and_grad`).
pub fn value_and_grad<F, In, R>(f: F) -> impl Fn(In) -> Result<(Array, In)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
    In: Pytree,
{
    move |x| value_and_grad_at(&f, x)
}

/// The gradient of a function returning `(value, aux)` with respect to the value, and the
/// auxiliary data (JAX's `grad(f, has_aux=True)`).
pub fn grad_with_aux<F, In, Aux, R>(f: F) -> impl Fn(In) -> Result<(In, Aux)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = (Array, Aux)>,
    In: Pytree,
    Aux: Pytree,
{
    move |x| {
        let ((_, aux), gradient) = value_and_grad_with_aux_at(&f, x)?;
        Ok((gradient, aux))
    }
}

/// `((value, aux), gradient)` for a function returning `(value, aux)` (JAX's
/// `value_and_grad(f, has_aux=True)`).
pub fn value_and_grad_with_aux<F, In, Aux, R>(f: F) -> impl Fn(In) -> Result<((Array, Aux), In)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = (Array, Aux)>,
    In: Pytree,
    Aux: Pytree,
{
    move |x| value_and_grad_with_aux_at(&f, x)
}
