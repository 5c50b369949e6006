//! Differentiation rules of the reductions: `reduce_sum` is linear; `reduce_max` and
//! `reduce_min` share the tangent among the positions that attain the extremum (JAX's
//! `_reduce_chooser_jvp_rule`, so `grad(max)([1, 1, 0])` is `[0.5, 0.5, 0]`); the logical
//! reductions have zero tangents; `reduce_prod` multiplies each tangent by the product of the
//! other elements, computed with exclusive cumulative products from both ends (so zeros in the
//! input are handled exactly, as in JAX).

use super::rules::{
    broadcast_in_dim, compare, convert, div, mul, reduce_sum, reshape, scalar_like, transpose,
};
use super::{Comparison, CumulativeOp, OrderingOp, ReduceOp};
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::{Array, Result};

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
        ReduceOp::Prod => t.map_linear(out, |t| {
            let others = product_of_others(x, axes)?;
            let (flat_t, _) = reduced_axes_last(t, axes)?;
            reduce_sum(&mul(&flat_t, &others)?, &[flat_t.ndim() - 1])
        })?,
    };
    Ok((ans, tangent))
}

/// `x` with the `axes` moved to the end and flattened into one last axis; also the kept shape.
fn reduced_axes_last(x: &Array, axes: &[usize]) -> Result<(Array, Vec<usize>)> {
    let kept: Vec<usize> = (0..x.ndim()).filter(|d| !axes.contains(d)).collect();
    let permutation: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&d| x.shape()[d]).collect();
    let n: usize = axes.iter().map(|&d| x.shape()[d]).product();
    let mut shape = kept_shape.clone();
    shape.push(n);
    Ok((reshape(&transpose(x, &permutation)?, &shape)?, kept_shape))
}

/// For each element of the reduced `axes`, the product of the others in its reduction, laid
/// out with the reduced axes flattened last.
fn product_of_others(x: &Array, axes: &[usize]) -> Result<Array> {
    let (flat, _) = reduced_axes_last(x, axes)?;
    let last = flat.ndim() - 1;
    let n = flat.shape()[last];
    if n <= 1 {
        return broadcast_in_dim(&scalar_like(x, 1.0)?, flat.shape(), &[]);
    }
    let cumprod = |reverse: bool| {
        bind1(
            Primitive::Ordering(OrderingOp::Cumulative {
                op: CumulativeOp::Prod,
                axis: last,
                reverse,
            }),
            std::slice::from_ref(&flat),
        )
    };
    let mut one_shape = flat.shape().to_vec();
    one_shape[last] = 1;
    let ones = broadcast_in_dim(&scalar_like(x, 1.0)?, &one_shape, &[])?;
    let piece = |x: &Array, start: usize, limit: usize| {
        let mut starts = vec![0; x.ndim()];
        let mut limits = x.shape().to_vec();
        starts[last] = start;
        limits[last] = limit;
        bind1(
            Primitive::Slice {
                start_indices: starts,
                limit_indices: limits,
                strides: vec![1; x.ndim()],
            },
            std::slice::from_ref(x),
        )
    };
    let join = |parts: [Array; 2]| bind1(Primitive::Concatenate { dimension: last }, &parts);
    // Products of the elements before each one, and of those after it.
    let before = join([ones.clone(), piece(&cumprod(false)?, 0, n - 1)?])?;
    let after = join([piece(&cumprod(true)?, 1, n)?, ones])?;
    mul(&before, &after)
}
