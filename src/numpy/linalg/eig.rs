//! `eig` and `eigvals` of general (non-symmetric) matrices, as `jnp.linalg.eig` computes them
//! on the CPU: through rjax's kernels ([`crate::lax::eig`]), with complex results.

use super::to_inexact;
use crate::Array;
use crate::lax::{self, unwrap_at_caller};

/// The eigenvalues `w` (`[..., n]`) and right eigenvectors `v` (columns, `[..., n, n]`) of
/// each square matrix of `a`, as `jnp.linalg.eig`: complex (`complex64` for `float32` and
/// `complex64` input, else `complex128`), `A·v[:, j] = w[j]·v[:, j]`, each vector of unit
/// norm with its largest component real. Integer input becomes the default float.
///
/// # Panics
/// If `a` is not a batch of square matrices, or on a platform that does not run rjax's CPU
/// kernels (as JAX's `eig` is CPU-only).
#[track_caller]
pub fn eig(a: &Array) -> (Array, Array) {
    let mut out = unwrap_at_caller(lax::eig(&to_inexact(a), false, true));
    let v = out.pop().expect("two results");
    (out.pop().expect("two results"), v)
}

/// The eigenvalues of each square matrix of `a` (`[..., n]`, complex), as
/// `jnp.linalg.eigvals`.
///
/// # Panics
/// As [`eig`].
#[track_caller]
pub fn eigvals(a: &Array) -> Array {
    unwrap_at_caller(lax::eig(&to_inexact(a), false, false)).remove(0)
}
