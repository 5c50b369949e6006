//! The JVP of a checkpoint (JAX's `remat_jvp`): a checkpoint of the body's JVP, taking the
//! primals and the nonzero tangents and returning the primal outputs and the nonzero output
//! tangents. Under `linearize` the partial evaluator then splits it by the policy
//! ([`partial_eval`](super::partial_eval)).

use super::params::CheckpointParams;
use crate::control_flow::trace_closed;
use crate::core::{Primitive, bind};
use crate::interpreters::jvp::{Tangent, jvp_flat};
use crate::jaxpr::{JaxprRef, eval_jaxpr};
use crate::{Array, Result};

/// The outputs of the checkpoint `params` at `primals` and their tangents along `tangents`.
pub(crate) fn checkpoint_jvp(
    params: &CheckpointParams,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let body = params.jaxpr.0.clone();
    let mut avals: Vec<_> = primals.iter().map(|p| p.aval().clone()).collect();
    avals.extend(tangents.iter().filter_map(|t| match t {
        Tangent::Value(value) => Some(value.aval().clone()),
        Tangent::Zero(_) => None,
    }));
    let n = primals.len();
    let mut out_nonzero = Vec::new();
    let (jvp_jaxpr, consts) = trace_closed(&avals, |args| {
        let mut nonzero = args[n..].iter();
        let inner_tangents = tangents
            .iter()
            .map(|t| match t {
                Tangent::Zero(aval) => Tangent::Zero(aval.clone()),
                Tangent::Value(_) => Tangent::Value(
                    nonzero
                        .next()
                        .expect("one input per nonzero tangent")
                        .clone(),
                ),
            })
            .collect();
        let (mut outs, out_tangents) = jvp_flat(
            |xs| eval_jaxpr(&body, &xs),
            args[..n].to_vec(),
            inner_tangents,
        )?;
        out_nonzero = out_tangents.iter().map(|t| !t.is_zero()).collect();
        for t in &out_tangents {
            if let Tangent::Value(value) = t {
                outs.push(value.clone());
            }
        }
        Ok(outs)
    })?;
    let mut args = consts;
    args.extend(primals.iter().cloned());
    args.extend(tangents.iter().filter_map(|t| match t {
        Tangent::Value(value) => Some(value.clone()),
        Tangent::Zero(_) => None,
    }));
    let outs = bind(
        Primitive::Checkpoint(params.with_jaxpr(JaxprRef(jvp_jaxpr))),
        &args,
    )?;
    let num_out = out_nonzero.len();
    let mut nonzero_tangents = outs[num_out..].iter();
    let out_tangents = outs[..num_out]
        .iter()
        .zip(&out_nonzero)
        .map(|(primal, nonzero)| match nonzero {
            true => Tangent::Value(
                nonzero_tangents
                    .next()
                    .expect("one output per nonzero tangent")
                    .clone(),
            ),
            false => Tangent::zero_for(primal.aval()),
        })
        .collect();
    Ok((outs[..num_out].to_vec(), out_tangents))
}
