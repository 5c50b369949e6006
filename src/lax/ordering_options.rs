//! JAX's keywords of `lax.sort`, `lax.sort_key_val` and the cumulative reductions
//! (`lax.cumsum`, `lax.cumprod`, `lax.cummax`, `lax.cummin`), with JAX's defaults.

use crate::Error;
use crate::lax::unwrap_at_caller;

/// `dimension` (negative: from the end) as an index into `ndim` dimensions. A dimension that
/// is out of range after that is left to the primitive, which names it in its own error.
#[track_caller]
pub(crate) fn dimension_index(op: &str, dimension: isize, ndim: usize) -> usize {
    let resolved = if dimension < 0 {
        dimension + ndim as isize
    } else {
        dimension
    };
    usize::try_from(resolved).unwrap_or_else(|_| {
        unwrap_at_caller(Err(Error::invalid(
            op,
            format!("dimension {dimension} is out of bounds for an operand of rank {ndim}"),
        )))
    })
}

/// How [`sort_with`](crate::lax::sort_with) and
/// [`sort_key_val_with`](crate::lax::sort_key_val_with) sort (JAX's keywords of `lax.sort`):
/// along the last dimension, stable, by the first operand, by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOptions {
    /// The dimension to sort along, negative from the end (JAX's `dimension`, default `-1`).
    pub dimension: isize,
    /// Whether equal keys keep their input order (JAX's `is_stable`, default `true`).
    pub is_stable: bool,
    /// How many of the operands, from the first, are keys compared lexicographically (JAX's
    /// `num_keys`, default `1`).
    pub num_keys: usize,
}

impl Default for SortOptions {
    fn default() -> SortOptions {
        SortOptions {
            dimension: -1,
            is_stable: true,
            num_keys: 1,
        }
    }
}

impl SortOptions {
    /// Sorting along `dimension` (negative: from the end), otherwise the defaults.
    pub fn along(dimension: isize) -> SortOptions {
        SortOptions {
            dimension,
            ..SortOptions::default()
        }
    }

    /// The same with `is_stable` set (`false`: equal keys may be reordered).
    pub fn is_stable(self, is_stable: bool) -> SortOptions {
        SortOptions { is_stable, ..self }
    }

    /// The same, ordered by the first `num_keys` operands lexicographically.
    pub fn num_keys(self, num_keys: usize) -> SortOptions {
        SortOptions { num_keys, ..self }
    }
}

/// How the cumulative reductions ([`cumsum_with`](crate::lax::cumsum_with) and its siblings)
/// run (JAX's keywords of `lax.cumsum`): along the first axis, from the start, by default. As
/// in JAX, the axis is not negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CumulativeOptions {
    /// The axis to accumulate along (JAX's `axis`, default `0`).
    pub axis: usize,
    /// Whether to accumulate from the end (JAX's `reverse`, default `false`).
    pub reverse: bool,
}

impl CumulativeOptions {
    /// Accumulating along `axis`, from the start.
    pub fn along(axis: usize) -> CumulativeOptions {
        CumulativeOptions {
            axis,
            reverse: false,
        }
    }

    /// The same with `reverse` set (`true`: accumulating from the end).
    pub fn reverse(self, reverse: bool) -> CumulativeOptions {
        CumulativeOptions { reverse, ..self }
    }
}
