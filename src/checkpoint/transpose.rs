//! The transpose of a checkpoint (JAX's `remat_transpose`): a differentiated checkpoint of the
//! body's transpose. Inside it the body is partially evaluated with the known operands (so
//! the forward values it needs are recomputed there, behind the optimization barrier of its
//! lowering) and its linear part is transposed.

use super::params::CheckpointParams;
use crate::control_flow::rules::{backward_jaxpr, known_value};
use crate::control_flow::trace_closed;
use crate::core::{Primitive, bind};
use crate::interpreters::jvp::Tangent;
use crate::interpreters::transpose::LinearInput;
use crate::jaxpr::JaxprRef;
use crate::{Array, Result};

/// The cotangents of the undefined operands (`None` for the known ones) of the checkpoint
/// `params`, given the cotangents `cts` of its outputs.
pub(crate) fn checkpoint_transpose(
    params: &CheckpointParams,
    cts: &[Tangent],
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let body = params.jaxpr.0.clone();
    let known: Vec<Option<Array>> = inputs.iter().map(known_value).collect();
    let known_values: Vec<Array> = known.iter().flatten().cloned().collect();
    let cts: Vec<Array> = cts
        .iter()
        .map(Tangent::instantiate)
        .collect::<Result<_>>()?;
    let mut avals: Vec<_> = known_values.iter().map(|k| k.aval().clone()).collect();
    avals.extend(cts.iter().map(|c| c.aval().clone()));
    let num_known = known_values.len();
    let (transposed, consts) = trace_closed(&avals, |args| {
        let mut traced_known = args[..num_known].iter();
        let known: Vec<Option<Array>> = known
            .iter()
            .map(|k| {
                k.as_ref()
                    .map(|_| traced_known.next().expect("one per known").clone())
            })
            .collect();
        let cts = args[num_known..]
            .iter()
            .cloned()
            .map(Tangent::Value)
            .collect();
        backward_jaxpr(&body, &known, cts)?
            .iter()
            .map(Tangent::instantiate)
            .collect()
    })?;
    let mut args = consts;
    args.extend(known_values);
    args.extend(cts);
    let staged = Primitive::Checkpoint(params.differentiated(JaxprRef(transposed)));
    let mut input_cts = bind(staged, &args)?.into_iter();
    Ok(inputs
        .iter()
        .map(|input| match input {
            LinearInput::Known(_) => None,
            LinearInput::Undefined(_) => Some(Tangent::Value(
                input_cts.next().expect("one per undefined operand"),
            )),
        })
        .collect())
}
