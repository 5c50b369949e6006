//! Differentiation rules of the reductions: `reduce_sum` is linear; `reduce_max` and
//! `reduce_min` share the tangent among the positions that attain the extremum (JAX's
//! `_reduce_chooser_jvp_rule`, so `grad(max)([1, 1, 0])` is `[0.5, 0.5, 0]`); the logical
//! reductions have zero tangents.

use super::rules::{broadcast_in_dim, compare, convert, div, mul, reduce_sum};
use super::{Comparison, ReduceOp};
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::{Array, Error, Result};

pub(crate) fn reduce_jvp(
    op: ReduceOp,
    axes: &[usize],
    x: &Array,
    t: &Tangent,
) -> Result<(Array, Tangent)> {
    let primitive = Primitive::Reduce {
        op,
        axes: axes.to_vec(),
    };
    let ans = bind1(primitive.clone(), std::slice::from_ref(x))?;
    let out = tangent_aval(ans.aval());
    let tangent = match op {
        ReduceOp::Sum => t.map_linear(out, |t| bind1(primitive, std::slice::from_ref(t)))?,
        ReduceOp::Max | ReduceOp::Min => t.map_linear(out, |t| {
            let kept: Vec<usize> = (0..x.ndim()).filter(|d| !axes.contains(d)).collect();
            let extremum = broadcast_in_dim(&ans, x.shape(), &kept)?;
            let location = convert(&compare(Comparison::Eq, x, &extremum)?, x.dtype())?;
            let counts = reduce_sum(&location, axes)?;
            div(&reduce_sum(&mul(t, &location)?, axes)?, &counts)
        })?,
        ReduceOp::And | ReduceOp::Or => Tangent::Zero(out),
        ReduceOp::Prod => {
            return Err(Error::invalid(
                "reduce_prod",
                "differentiating reduce_prod needs cumulative products, which come with the cumprod primitive",
            ));
        }
    };
    Ok((ans, tangent))
}
