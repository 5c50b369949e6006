//! `rjax::numpy::linalg`, the first part of `jax.numpy.linalg`: `norm`.

use super::{abs_, axes, max, sum, to_inexact};
use crate::Array;

/// Which norm [`norm`] computes (NumPy's `ord`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormOrd {
    /// The default: the 2-norm of a vector, the Frobenius norm of a matrix.
    Default,
    /// The sum of magnitudes for a vector; the largest column sum for a matrix.
    One,
    /// The largest magnitude for a vector; the largest row sum for a matrix.
    Inf,
}

/// The norm of a vector or matrix (`jnp.linalg.norm`), with NumPy's `ord` as [`NormOrd`]. `axis` names one axis (a vector norm)
/// or two (a matrix norm); `None` takes the whole array as a vector for 1-D input and as a
/// matrix for 2-D input (the Frobenius norm of the flattened array otherwise, for `Default`).
#[track_caller]
pub fn norm(x: &Array, ord: NormOrd, axis: Option<&[isize]>, keepdims: bool) -> Array {
    let x = to_inexact(x);
    if let Err(e) = axes("norm", axis, x.ndim()) {
        panic!("{e}");
    }
    let is_matrix = match axis {
        Some(list) => list.len() == 2,
        None => x.ndim() == 2,
    };
    let a = abs_(&x);
    if !is_matrix || ord == NormOrd::Default {
        if axis.is_none() && x.ndim() > 2 {
            assert!(
                ord == NormOrd::Default,
                "norm: ord requires a 1-D or 2-D input"
            );
        }
        return match ord {
            NormOrd::Default => sum(&(&x * &x), axis, keepdims).sqrt(),
            NormOrd::One => sum(&a, axis, keepdims),
            NormOrd::Inf => max(&a, axis, keepdims),
        };
    }
    let (row, col) = match axis {
        Some(list) => (list[0], list[1]),
        None => (0, 1),
    };
    let (row, col) = (
        super::axis("norm", row, x.ndim()).unwrap_or_else(|e| panic!("{e}")),
        super::axis("norm", col, x.ndim()).unwrap_or_else(|e| panic!("{e}")),
    );
    // ord=1: max over columns of the sums over rows; ord=inf: max over rows of column sums.
    let (summed, maxed) = match ord {
        NormOrd::One => (row, col),
        _ => (col, row),
    };
    let sums = sum(&a, Some(&[summed as isize]), true);
    let out = max(&sums, Some(&[maxed as isize]), true);
    if keepdims {
        out
    } else {
        let mut both = [row, col];
        both.sort_unstable();
        crate::lax::squeeze(&out, &both)
    }
}
