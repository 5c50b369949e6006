//! The JVP, transpose and batching rules of the collectives.
//!
//! Every collective but `pmax`/`pmin` is linear, and transposes to its adjoint: `psum` to
//! `psum` (each device's cotangent reaches every device's input), `all_gather` to
//! `psum_scatter` and back, `ppermute` to the inverse permutation, `all_to_all` to the swapped
//! axes. With `shard_map`'s transpose dividing the cotangent of a replicated output among the
//! devices, this gives JAX's gradients (see `shard_map::rules`).

use super::{CollectiveKind, CollectiveOp};
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::{Batched, move_axis};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::lax;
use crate::{Array, Error, Result};

fn bind_op(op: &CollectiveOp, kind: CollectiveKind, x: &Array) -> Result<Array> {
    bind1(
        Primitive::Collective(CollectiveOp {
            kind,
            mesh: op.mesh.clone(),
            axes: op.axes.clone(),
        }),
        std::slice::from_ref(x),
    )
}

/// The outputs and their tangents.
pub(crate) fn jvp(
    op: &CollectiveOp,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let out = bind1(Primitive::Collective(op.clone()), primals)?;
    let tangent = match &op.kind {
        CollectiveKind::AxisIndex => Tangent::Zero(tangent_aval(out.aval())),
        CollectiveKind::Pmax | CollectiveKind::Pmin => {
            if tangents[0].is_zero() {
                Tangent::Zero(tangent_aval(out.aval()))
            } else {
                // As `reduce_max`'s rule: the tangent averaged over the devices attaining the
                // extremum.
                let x = &primals[0];
                let at = lax::convert_element_type(lax::eq(x, &out), x.dtype());
                let count = bind_op(op, CollectiveKind::Psum, &at)?;
                let t = tangents[0].instantiate()?;
                let picked = bind_op(op, CollectiveKind::Psum, &lax::mul(&t, &at))?;
                Tangent::Value(lax::div(&picked, &count))
            }
        }
        _ => match &tangents[0] {
            Tangent::Zero(_) => Tangent::Zero(tangent_aval(out.aval())),
            Tangent::Value(t) => Tangent::Value(bind1(
                Primitive::Collective(op.clone()),
                std::slice::from_ref(t),
            )?),
        },
    };
    Ok((vec![out], vec![tangent]))
}

/// The cotangent of the operand of a linear collective.
pub(crate) fn transpose(op: &CollectiveOp, ct: &Array) -> Result<Vec<Option<Tangent>>> {
    let kind = match &op.kind {
        CollectiveKind::Psum => CollectiveKind::Psum,
        CollectiveKind::AllGather { axis, tiled } => CollectiveKind::PsumScatter {
            scatter_dimension: *axis,
            tiled: *tiled,
        },
        CollectiveKind::PsumScatter {
            scatter_dimension,
            tiled,
        } => CollectiveKind::AllGather {
            axis: *scatter_dimension,
            tiled: *tiled,
        },
        CollectiveKind::Ppermute { perm } => CollectiveKind::Ppermute {
            perm: perm.iter().map(|&(s, d)| (d, s)).collect(),
        },
        CollectiveKind::AllToAll {
            split_axis,
            concat_axis,
        } => CollectiveKind::AllToAll {
            split_axis: *concat_axis,
            concat_axis: *split_axis,
        },
        CollectiveKind::Pmax | CollectiveKind::Pmin | CollectiveKind::AxisIndex => {
            return Err(Error::invalid(
                op.name(),
                "is not linear, so it has no transpose",
            ));
        }
    };
    Ok(vec![Some(Tangent::Value(bind_op(op, kind, ct)?))])
}

/// The collective of a batched operand: elementwise ones keep the batch axis where it is;
/// the others see it moved to the front, their axes shifted past it.
pub(crate) fn batch(
    op: &CollectiveOp,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let dim = dims[0].expect("batched");
    let shifted = match &op.kind {
        CollectiveKind::Psum
        | CollectiveKind::Pmax
        | CollectiveKind::Pmin
        | CollectiveKind::Ppermute { .. } => {
            let out = bind1(Primitive::Collective(op.clone()), values)?;
            return Ok((vec![out], vec![Some(dim)]));
        }
        CollectiveKind::AllGather { axis, tiled } => CollectiveKind::AllGather {
            axis: axis + 1,
            tiled: *tiled,
        },
        CollectiveKind::PsumScatter {
            scatter_dimension,
            tiled,
        } => CollectiveKind::PsumScatter {
            scatter_dimension: scatter_dimension + 1,
            tiled: *tiled,
        },
        CollectiveKind::AllToAll {
            split_axis,
            concat_axis,
        } => CollectiveKind::AllToAll {
            split_axis: split_axis + 1,
            concat_axis: concat_axis + 1,
        },
        CollectiveKind::AxisIndex => unreachable!("axis_index has no operands to batch"),
    };
    let front = move_axis(&values[0], dim, 0)?;
    Ok((vec![bind_op(op, shifted, &front)?], vec![Some(0)]))
}
