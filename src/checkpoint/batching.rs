//! The batching rule of a checkpoint (JAX's `remat_vmap`): a checkpoint of the batched body,
//! with every mapped operand and output batched along axis 0.

use super::params::CheckpointParams;
use crate::control_flow::trace_closed;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::{Batched, batch_flat, move_axis};
use crate::jaxpr::{JaxprRef, eval_jaxpr};
use crate::{Array, Result};

/// The checkpoint `params` applied to `values` batched along `dims` (each mapped one of size
/// `axis_size`).
pub(crate) fn checkpoint_batch(
    params: &CheckpointParams,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let moved = values
        .iter()
        .zip(dims)
        .map(|(value, dim)| match dim {
            Some(dim) => move_axis(value, *dim, 0),
            None => Ok(value.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    let in_dims: Vec<Option<usize>> = dims.iter().map(|dim| dim.map(|_| 0)).collect();
    let avals: Vec<_> = moved.iter().map(|value| value.aval().clone()).collect();
    let body = params.jaxpr.0.clone();
    let mut out_dims = Vec::new();
    let (batched, consts) = trace_closed(&avals, |args| {
        let (outputs, dims) =
            batch_flat(|args| eval_jaxpr(&body, &args), args, &in_dims, axis_size)?;
        out_dims = dims.iter().map(|dim| dim.map(|_| 0)).collect();
        outputs
            .iter()
            .zip(dims)
            .map(|(output, dim)| match dim {
                Some(dim) => move_axis(output, dim, 0),
                None => Ok(output.clone()),
            })
            .collect()
    })?;
    let mut args = consts;
    args.extend(moved);
    let outputs = bind(
        Primitive::Checkpoint(params.with_jaxpr(JaxprRef(batched))),
        &args,
    )?;
    Ok((outputs, out_dims))
}
