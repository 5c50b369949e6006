//! The rules of JAX's `custom_jvp_call`, `custom_vjp_call`, `custom_lin` and `stop_gradient`
//! primitives that are not plain identities: abstract evaluation of the calls, the JVPs that
//! run the user's rules, the transpose of `custom_lin` that runs `bwd`, and the batching
//! rules that batch the staged function and wrap the user's rules to run batched (JAX's
//! `_custom_jvp_call_vmap` and `_custom_vjp_call_vmap`).

use std::sync::Arc;

use super::{BwdFn, FwdFn, JvpFn, Rule, check_types, close_consts};
use crate::abstract_value::ShapedArray;
use crate::core::trace::current_trace;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::{Batched, batch_flat, bdim_at_front, move_batch_axis};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::interpreters::staging::make_jaxpr_flat;
use crate::interpreters::transpose::LinearInput;
use crate::jaxpr::{JaxprRef, eval_jaxpr};
use crate::lax::rules::reduce_sum;
use crate::tree::TreeDef;
use crate::{Array, Error, Result};

/// The type of `stop_gradient`'s output: its operand's.
pub(crate) fn stop_gradient_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    match avals {
        [x] => Ok(x.clone()),
        _ => Err(Error::invalid(
            "stop_gradient",
            format!("takes one operand, got {}", avals.len()),
        )),
    }
}

/// The output types of a custom call given its argument types: those of the staged function,
/// whose input types the arguments must have.
pub(crate) fn call_abstract_eval(
    name: &str,
    call: &JaxprRef,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    let expected = call.0.in_avals();
    let fits = expected.len() == avals.len()
        && expected
            .iter()
            .zip(avals)
            .all(|(e, a)| e.shape == a.shape && e.dtype == a.dtype);
    if !fits {
        let show = |avals: &[ShapedArray]| {
            let types: Vec<String> = avals.iter().map(ShapedArray::to_string).collect();
            types.join(", ")
        };
        return Err(Error::invalid(
            name,
            format!(
                "the function takes ({}) but was given ({})",
                show(&expected),
                show(avals)
            ),
        ));
    }
    Ok(call.0.out_avals())
}

/// JAX's error for differentiating a custom function with respect to a value it closes over.
fn closed_over_error(kind: &str, rules: &str) -> Error {
    Error::invalid(
        &format!("custom_{kind}"),
        format!(
            "Detected differentiation of a custom_{kind} function with respect to a closed-over \
             value. That isn't supported because the custom {} rule only specifies how to \
             differentiate the custom_{kind} function with respect to explicit input parameters. \
             Try passing the closed-over value into the custom_{kind} function as an argument, \
             and adapting the custom_{kind} {rules}.",
            kind.to_uppercase()
        ),
    )
}

/// The JVP of `custom_jvp_call`: the user's rule, on the primals and (instantiated) tangents
/// of the inputs. Runs under the JVP trace's parent.
pub(crate) fn custom_jvp_call_jvp(
    jvp: &Rule<JvpFn>,
    num_consts: usize,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    if !tangents[..num_consts].iter().all(Tangent::is_zero) {
        return Err(closed_over_error("jvp", "rule"));
    }
    let tangents = tangents[num_consts..]
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<Vec<_>>>()?;
    let (outs, dots) = (jvp.f)(primals[num_consts..].to_vec(), tangents)?;
    Ok((outs, dots.into_iter().map(Tangent::Value).collect()))
}

/// JAX's error for forward-mode differentiation of a custom_vjp function: what evaluating,
/// lowering, batching or differentiating `custom_lin` means.
pub(crate) fn forward_mode_error() -> Error {
    Error::invalid(
        "custom_vjp",
        "can't apply forward-mode autodiff (jvp) to a custom_vjp function.",
    )
}

/// The JVP of `custom_vjp_call`: `fwd` gives the outputs and the residuals, and the output
/// tangents are `custom_lin` of the residuals and the input tangents. Runs under the JVP
/// trace's parent.
pub(crate) fn custom_vjp_call_jvp(
    fwd: &Rule<FwdFn>,
    bwd: &Rule<BwdFn>,
    num_consts: usize,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    if !tangents[..num_consts].iter().all(Tangent::is_zero) {
        return Err(closed_over_error("vjp", "fwd and bwd rules"));
    }
    let (outs, res, res_tree) = (fwd.f)(primals[num_consts..].to_vec())?;
    let lin = Primitive::CustomLin {
        bwd: bwd.clone(),
        res_tree,
        num_res: res.len(),
        out_avals: outs.iter().map(|out| tangent_aval(out.aval())).collect(),
    };
    let mut args = res;
    for tangent in &tangents[num_consts..] {
        args.push(tangent.instantiate()?);
    }
    let dots = bind(lin, &args)?;
    Ok((outs, dots.into_iter().map(Tangent::Value).collect()))
}

/// The transpose of `custom_lin`: `bwd` of the residuals and the (instantiated) output
/// cotangents, checked against the inputs' types.
pub(crate) fn custom_lin_transpose(
    bwd: &Rule<BwdFn>,
    res_tree: &TreeDef,
    num_res: usize,
    cts: &[Tangent],
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let res = inputs[..num_res]
        .iter()
        .map(|input| match input {
            LinearInput::Known(value) => Ok(value.clone()),
            LinearInput::Undefined(_) => Err(Error::invalid(
                "custom_lin",
                "a residual of a custom_vjp function depends on the tangents",
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let cts = cts
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<Vec<_>>>()?;
    let input_cts = (bwd.f)(res_tree, res, cts)?;
    let avals: Vec<ShapedArray> = inputs[num_res..]
        .iter()
        .map(|input| tangent_aval(input.aval()))
        .collect();
    check_types(
        "custom_vjp",
        "Custom VJP bwd rule must produce an output with the shapes and dtypes of the \
         primal function's input",
        &input_cts,
        &avals,
    )?;
    let mut out = vec![None; num_res];
    out.extend(input_cts.into_iter().map(|ct| Some(Tangent::Value(ct))));
    Ok(out)
}

// --- batching ----------------------------------------------------------------------------------

/// Each value with its batch axis first (broadcast there when unmapped).
fn at_front(values: Vec<Array>, dims: Vec<Option<usize>>, size: usize) -> Result<Vec<Array>> {
    values
        .iter()
        .zip(dims)
        .map(|(value, dim)| bdim_at_front(value, dim, size))
        .collect()
}

/// `call` batched along `dims` as a new jaxpr whose outputs are all batched at axis 0, with
/// the constants it closes over (to be passed first).
fn batch_call(
    call: &JaxprRef,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<(JaxprRef, Vec<Array>)> {
    let avals: Vec<ShapedArray> = values.iter().map(|v| v.aval().clone()).collect();
    let body = call.0.clone();
    let closed = make_jaxpr_flat(&avals, |args| {
        let (outs, out_dims) = batch_flat(|args| eval_jaxpr(&body, &args), args, dims, size)?;
        at_front(outs, out_dims, size)
    })?;
    Ok(close_consts(closed))
}

/// Binds the batched custom call on `hoisted` constants then `values`: every output is
/// batched at axis 0.
fn rebind(primitive: Primitive, hoisted: Vec<Array>, values: &[Array]) -> Result<Batched> {
    let args: Vec<Array> = hoisted.into_iter().chain(values.iter().cloned()).collect();
    let outs = bind(primitive, &args)?;
    let dims = vec![Some(0); outs.len()];
    Ok((outs, dims))
}

/// Batches a custom call when nothing above the batch trace can differentiate it: its
/// function, inline.
fn batch_inline(
    call: &JaxprRef,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let body = call.0.clone();
    batch_flat(|args| eval_jaxpr(&body, &args), values.to_vec(), dims, size)
}

/// The batching rule of `custom_jvp_call` (JAX's `_custom_jvp_call_vmap`): `f` batched into a
/// new jaxpr and the rule wrapped to run batched, bound as a new `custom_jvp_call`.
pub(crate) fn custom_jvp_call_batch(
    call: &JaxprRef,
    jvp: &Rule<JvpFn>,
    num_consts: usize,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    if current_trace().tag().is_none() {
        return batch_inline(call, size, values, dims);
    }
    let (call, hoisted) = batch_call(call, size, values, dims)?;
    let in_dims = dims[num_consts..].to_vec();
    let rule = jvp.clone();
    let f: Arc<JvpFn> = Arc::new(move |primals: Vec<Array>, tangents: Vec<Array>| {
        let n = primals.len();
        let args: Vec<Array> = primals.into_iter().chain(tangents).collect();
        let dims: Vec<Option<usize>> = in_dims.iter().chain(&in_dims).copied().collect();
        let body = |mut args: Vec<Array>| {
            let tangents = args.split_off(n);
            let (outs, dots) = (rule.f)(args, tangents)?;
            Ok(outs.into_iter().chain(dots).collect())
        };
        let (outs, out_dims) = batch_flat(body, args, &dims, size)?;
        let mut outs = at_front(outs, out_dims, size)?;
        let dots = outs.split_off(outs.len() / 2);
        Ok((outs, dots))
    });
    let primitive = Primitive::CustomJvpCall {
        call,
        jvp: Rule::new(format!("batched({})", jvp.name), f),
        num_consts: hoisted.len() + num_consts,
    };
    rebind(primitive, hoisted, values)
}

/// The batching rule of `custom_vjp_call` (JAX's `_custom_vjp_call_vmap`): `f` batched into a
/// new jaxpr, `fwd` wrapped to run batched with every output and residual batched at axis 0,
/// and `bwd` wrapped to take those and give cotangents batched as the inputs are (summed over
/// the batch for unbatched inputs).
pub(crate) fn custom_vjp_call_batch(
    call: &JaxprRef,
    fwd: &Rule<FwdFn>,
    bwd: &Rule<BwdFn>,
    num_consts: usize,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    if current_trace().tag().is_none() {
        return batch_inline(call, size, values, dims);
    }
    let (call, hoisted) = batch_call(call, size, values, dims)?;
    let in_dims = dims[num_consts..].to_vec();
    let (fwd_dims, rule) = (in_dims.clone(), fwd.clone());
    let batched_fwd: Arc<FwdFn> = Arc::new(move |inputs: Vec<Array>| {
        let mut split = None;
        let body = |args: Vec<Array>| {
            let (outs, res, res_tree) = (rule.f)(args)?;
            split = Some((outs.len(), res_tree));
            Ok(outs.into_iter().chain(res).collect())
        };
        let (outs, out_dims) = batch_flat(body, inputs, &fwd_dims, size)?;
        let (num_outs, res_tree) = split.expect("fwd ran");
        let mut outs = at_front(outs, out_dims, size)?;
        let res = outs.split_off(num_outs);
        Ok((outs, res, res_tree))
    });
    let rule = bwd.clone();
    let batched_bwd: Arc<BwdFn> = Arc::new(
        move |res_tree: &TreeDef, res: Vec<Array>, cts: Vec<Array>| {
            let num_res = res.len();
            let args: Vec<Array> = res.into_iter().chain(cts).collect();
            let dims = vec![Some(0); args.len()];
            let body = |mut args: Vec<Array>| {
                let cts = args.split_off(num_res);
                (rule.f)(res_tree, args, cts)
            };
            let (cts, ct_dims) = batch_flat(body, args, &dims, size)?;
            cts.iter()
                .zip(ct_dims)
                .zip(&in_dims)
                .map(|((ct, from), &to)| match (from, to) {
                    (Some(from), None) => reduce_sum(ct, &[from]),
                    _ => move_batch_axis(size, from, to, ct),
                })
                .collect()
        },
    );
    let primitive = Primitive::CustomVjpCall {
        call,
        fwd: Rule::new(format!("batched({})", fwd.name), batched_fwd),
        bwd: Rule::new(format!("batched({})", bwd.name), batched_bwd),
        num_consts: hoisted.len() + num_consts,
    };
    rebind(primitive, hoisted, values)
}
