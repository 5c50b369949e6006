//! Order statistics and averages, as in `jax.numpy`: `quantile`, `percentile` and `median`
//! (sort-based), `average` (with weights), and the NaN-ignoring reductions `nansum`, `nanprod`,
//! `nanmax`, `nanmin` and `nanmean`.

use super::elementwise::{isnan, promote_inexact};
use super::{
    Axes, all, axes as normalize_axes, axis as one_axis, max, mean, min, prod, sum, to_inexact,
    where_,
};
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, IntoArray};

/// How [`quantile`] picks a value between the two order statistics around the quantile's
/// position `q (n - 1)` in the sorted data (JAX's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuantileMethod {
    /// Linear interpolation between the two (`"linear"`, the default).
    #[default]
    Linear,
    /// The lower one (`"lower"`).
    Lower,
    /// The higher one (`"higher"`).
    Higher,
    /// The nearer one, the lower at a tie (`"nearest"`, as JAX; NumPy rounds ties to even).
    Nearest,
    /// Their mean (`"midpoint"`).
    Midpoint,
}

/// The `q`-th quantiles (`q` in `[0, 1]`, a scalar or a 1-D array) of `x` over `axis` (`None`:
/// all axes) (`jnp.quantile`). The result has `q`'s shape followed by the remaining axes of
/// `x` (kept as size 1 with `keepdims`), in `x`'s inexact dtype; a NaN in a reduced slice
/// makes its quantiles NaN. `q` may be traced. The sorted data is read at the two positions
/// around each quantile by a masked sum, so the work is `q.size()` times the size of `x`.
#[track_caller]
pub fn quantile(
    x: impl IntoArray,
    q: impl IntoArray,
    axes: impl Into<Axes>,
    method: QuantileMethod,
) -> Array {
    let q = promote_inexact("quantile", q);
    quantile_("quantile", &x.into_array(), &q, &axes.into(), method)
}

/// The `q`-th percentiles (`q` in `[0, 100]`) of `x` over `axis` (`jnp.percentile`): the
/// quantiles at `q / 100`, as [`quantile`].
#[track_caller]
pub fn percentile(
    x: impl IntoArray,
    q: impl IntoArray,
    axes: impl Into<Axes>,
    method: QuantileMethod,
) -> Array {
    let q = promote_inexact("percentile", q) / 100.0;
    quantile_("percentile", &x.into_array(), &q, &axes.into(), method)
}

/// The median of `x` over `axis` (`jnp.median`): the quantile at 0.5 by the midpoint method.
#[track_caller]
pub fn median(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    quantile_(
        "median",
        x,
        &0.5.into_array(),
        &axes,
        QuantileMethod::Midpoint,
    )
}

/// JAX's `_quantile` without weights, for an inexact `q`.
#[track_caller]
fn quantile_(op: &str, x: &Array, q: &Array, axes: &Axes, method: QuantileMethod) -> Array {
    let (axis, keepdims) = (axes.list(), axes.keeps_dims());
    let a = to_inexact(x);
    let dtype = a.dtype();
    assert!(
        !dtype.is_complex(),
        "{op}: complex input is not supported, got {}",
        a.aval()
    );
    assert!(
        q.ndim() <= 1,
        "{op}: q must have rank 0 or 1, got {}",
        q.aval()
    );
    let dims = unwrap_at_caller(normalize_axes(op, axis, a.ndim()));
    // The reduced axes, last and flattened into one of size n.
    let kept: Vec<usize> = (0..a.ndim()).filter(|d| !dims.contains(d)).collect();
    let permutation: Vec<usize> = kept.iter().chain(&dims).copied().collect();
    let mut rows: Vec<usize> = kept.iter().map(|&d| a.shape()[d]).collect();
    let n: usize = dims.iter().map(|&d| a.shape()[d]).product();
    // JAX raises here too (its order statistics gather from an empty axis).
    assert!(
        n > 0,
        "{op}: cannot take a quantile over the empty axes {dims:?} of {}",
        x.aval()
    );
    let last = rows.len();
    rows.push(n);
    let a = lax::reshape(lax::transpose(&a, &permutation), &rows);
    let has_nan = lax::reduce_or(isnan(&a), &[last]);
    let a = where_(lax::expand_dims(&has_nan, &[last]), f64::NAN, &a);
    let sorted = lax::sort_with(
        [&a],
        lax::SortOptions::along(last as isize).is_stable(false),
    )
    .remove(0);
    // The positions around q (n - 1), in q's dtype.
    let position = q * (n as f64 - 1.0);
    let top = (n as f64 - 1.0).max(0.0);
    let low = lax::floor(&position);
    let high = lax::ceil(&position);
    let high_weight = &position - &low;
    let low_value = order_statistic(&sorted, &super::clip(&low, Some(0.0), Some(top)));
    let high_value = order_statistic(&sorted, &super::clip(&high, Some(0.0), Some(top)));
    let result = match method {
        QuantileMethod::Linear => {
            let compute = |v: &Array| super::astype(v, q.dtype());
            let weight = |w: &Array| expand_trailing(w, last);
            compute(&low_value) * weight(&(1.0 - &high_weight))
                + compute(&high_value) * weight(&high_weight)
        }
        QuantileMethod::Lower => low_value,
        QuantileMethod::Higher => high_value,
        QuantileMethod::Nearest => where_(
            expand_trailing(&high_weight.le(0.5), last),
            low_value,
            high_value,
        ),
        QuantileMethod::Midpoint => (low_value + high_value) * 0.5,
    };
    let result = super::astype(&result, dtype);
    if !keepdims {
        return result;
    }
    let mut shape = q.shape().to_vec();
    shape.extend((0..x.ndim()).map(|d| if dims.contains(&d) { 1 } else { x.shape()[d] }));
    lax::reshape(&result, &shape)
}

/// `w` (of `q`'s shape) with `count` trailing size-1 axes, to broadcast against the rows.
fn expand_trailing(w: &Array, count: usize) -> Array {
    let dims: Vec<usize> = (w.ndim()..w.ndim() + count).collect();
    lax::expand_dims(w, &dims)
}

/// The elements of `sorted` (rows along its last axis) at the whole-number positions `index`
/// (of `q`'s shape, a float): `index.shape() + rows`, read by a masked sum over each row.
fn order_statistic(sorted: &Array, index: &Array) -> Array {
    let rank = sorted.ndim();
    let n = sorted.shape()[rank - 1];
    let q_rank = index.ndim();
    let mut shape = index.shape().to_vec();
    shape.extend_from_slice(sorted.shape());
    let positions = lax::broadcasted_iota(index.dtype(), &[n], 0);
    let index = expand_trailing(index, 1);
    let mut q_dims: Vec<usize> = (0..q_rank).collect();
    q_dims.push(q_rank + rank - 1);
    let mask = lax::broadcast_in_dim(positions.eq(&index), &shape, &q_dims);
    let data_dims: Vec<usize> = (q_rank..q_rank + rank).collect();
    let data = lax::broadcast_in_dim(sorted, &shape, &data_dims);
    lax::reduce_sum(where_(mask, data, 0.0), &[q_rank + rank - 1])
}

/// The weighted average of `x` over `axis` (`None`: all axes) (`jnp.average`): `weights` has
/// `x`'s shape, or is 1-D along a single `axis`; `None` weighs every element equally (the
/// mean). Integers become the default float.
#[track_caller]
pub fn average(x: impl IntoArray, axes: impl Into<Axes>, weights: Option<&Array>) -> Array {
    average_returned(x, axes, weights).0
}

/// [`average`] and the sum of the weights, broadcast to the average's shape (JAX's
/// `average(..., returned=True)`).
#[track_caller]
pub fn average_returned(
    x: impl IntoArray,
    axes: impl Into<Axes>,
    weights: Option<&Array>,
) -> (Array, Array) {
    let (x, axes) = (&x.into_array(), axes.into());
    let axis = axes.list();
    let Some(weights) = weights else {
        let a = to_inexact(x);
        let avg = mean(&a, axes);
        let total = a.size() / avg.size().max(1);
        let weight_sum = super::full_like(&avg, total, None);
        return (avg, weight_sum);
    };
    let [a, w] = unwrap_at_caller(super::promote(&[x.clone(), weights.clone()]))
        .try_into()
        .unwrap_or_else(|_| unreachable!("two operands"));
    let (a, w) = (to_inexact(&a), to_inexact(&w));
    let w = if w.shape() == a.shape() {
        w
    } else {
        let axis = match axis {
            Some(&[single]) => unwrap_at_caller(one_axis("average", single, a.ndim())),
            _ => panic!(
                "average: weights of another shape than the data need a single axis, got \
                 weights {} for {} and axis {axis:?}",
                w.aval(),
                a.aval()
            ),
        };
        assert!(
            w.ndim() == 1 && w.shape()[0] == a.shape()[axis],
            "average: weights {} do not fit axis {axis} of {}",
            w.aval(),
            a.aval()
        );
        lax::broadcast_in_dim(&w, a.shape(), &[axis])
    };
    let weight_sum = sum(&w, &axes);
    let avg = sum(&(&a * &w), &axes) / &weight_sum;
    (avg, weight_sum)
}

/// `reduce` of `x` with NaNs replaced by `fill` (integers: of `x` itself); NaN where every
/// element is NaN when `nan_if_all_nan` (JAX's `_nan_reduction`).
#[track_caller]
fn nan_reduction(
    x: &Array,
    axes: Axes,
    fill: f64,
    nan_if_all_nan: bool,
    reduce: fn(&Array, &Axes) -> Array,
) -> Array {
    if !x.dtype().is_inexact() {
        return reduce(x, &axes);
    }
    let nan = isnan(x);
    let out = reduce(&where_(&nan, fill, x), &axes);
    if nan_if_all_nan {
        where_(all(&nan, axes), f64::NAN, out)
    } else {
        out
    }
}

/// The sum over `axis`, treating NaNs as zero (`jnp.nansum`).
#[track_caller]
pub fn nansum(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    nan_reduction(x, axes, 0.0, false, |x, a| sum(x, a))
}

/// The product over `axis`, treating NaNs as one (`jnp.nanprod`).
#[track_caller]
pub fn nanprod(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    nan_reduction(x, axes, 1.0, false, |x, a| prod(x, a))
}

/// The maximum over `axis`, ignoring NaNs; NaN where all are (`jnp.nanmax`).
#[track_caller]
pub fn nanmax(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    nan_reduction(x, axes, f64::NEG_INFINITY, true, |x, a| max(x, a))
}

/// The minimum over `axis`, ignoring NaNs; NaN where all are (`jnp.nanmin`).
#[track_caller]
pub fn nanmin(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    nan_reduction(x, axes, f64::INFINITY, true, |x, a| min(x, a))
}

/// The mean over `axis` of the elements that are not NaN (`jnp.nanmean`); NaN where all are.
/// Integers become the default float.
#[track_caller]
pub fn nanmean(x: impl IntoArray, axes: impl Into<Axes>) -> Array {
    let (x, axes) = (&x.into_array(), axes.into());
    if !x.dtype().is_inexact() {
        return mean(x, axes);
    }
    let present = super::astype(&lax::not(isnan(x)), x.dtype());
    nansum(x, &axes) / sum(&present, axes)
}
