//! `eig` and `eigvals` of general (non-symmetric) matrices, as `jnp.linalg.eig` computes them
//! on the CPU: through rjax's kernels ([`crate::lax::eig`]), with complex results.
//!
//! Derivatives follow JAX's `eig_jvp_rule`: the eigenvalues are differentiable,
//! `ẇ = diag(V⁻¹·Ȧ·V)` (arXiv:1701.00392, eq. 4.60), and the eigenvectors are not (JAX raises
//! `NotImplementedError` for them, and so for `eig`; here differentiating `eig` is an error
//! naming `ffi_call`).

use crate::IntoArray;
use std::thread::LocalKey;

use super::{diagonal, kernels::permute_rows, mm, to_inexact};
use crate::custom_derivatives::custom_jvp;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, Result};

thread_local! {
    /// The eigenvalues as a function of the matrix, with JAX's rule.
    static EIGVALS: Box<dyn Fn(Array) -> Result<Array>> =
        Box::new(custom_jvp(|a: Array| eigenvalues(&a), eigvals_jvp));
}

fn eigenvalues(a: &Array) -> Result<Array> {
    Ok(lax::eig_with(
        a,
        lax::EigOptions::default()
            .compute_left_eigenvectors(false)
            .compute_right_eigenvectors(false),
    )?
    .remove(0))
}

/// `ẇ = diag(V⁻¹·Ȧ·V)`, the solve by the LU factorization of `V`.
fn eigvals_jvp(a: Array, da: Array) -> Result<(Array, Array)> {
    let mut out = lax::eig_with(
        &a,
        lax::EigOptions::default().compute_left_eigenvectors(false),
    )?;
    let v = out.pop().expect("two results");
    let w = out.pop().expect("two results");
    let da_v = mm(&lax::convert_element_type(&da, v.dtype()), &v);
    let (lu, _, perm) = lax::lu(&v)?;
    let y = lax::triangular_solve_with(
        &lu,
        permute_rows(&perm, &da_v),
        lax::TriangularSolveOptions::default()
            .left_side(true)
            .lower(true)
            .unit_diagonal(true),
    );
    let x = lax::triangular_solve_with(
        &lu,
        &y,
        lax::TriangularSolveOptions::default().left_side(true),
    );
    Ok((w, diagonal(&x)))
}

fn call(key: &'static LocalKey<Box<dyn Fn(Array) -> Result<Array>>>, a: &Array) -> Result<Array> {
    key.with(|f| f(a.clone()))
}

/// The eigenvalues `w` (`[..., n]`) and right eigenvectors `v` (columns, `[..., n, n]`) of
/// each square matrix of `a`, as `jnp.linalg.eig`: complex (`complex64` for `float32` and
/// `complex64` input, else `complex128`), `A·v[:, j] = w[j]·v[:, j]`, each vector of unit
/// norm with its largest component real. Integer input becomes the default float. Not
/// differentiable, as in JAX (whose rule refuses eigenvectors): use [`eigvals`].
///
/// # Panics
/// If `a` is not a batch of square matrices, or on a platform that does not run rjax's CPU
/// kernels (as JAX's `eig` is CPU-only).
#[track_caller]
pub fn eig(a: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    let mut out = unwrap_at_caller(lax::eig_with(
        to_inexact(a),
        lax::EigOptions::default().compute_left_eigenvectors(false),
    ));
    let v = out.pop().expect("two results");
    (out.pop().expect("two results"), v)
}

/// The eigenvalues of each square matrix of `a` (`[..., n]`, complex), as
/// `jnp.linalg.eigvals`, differentiable as JAX's.
///
/// # Panics
/// As [`eig`].
#[track_caller]
pub fn eigvals(a: impl IntoArray) -> Array {
    let a = &a.into_array();
    let a = to_inexact(a);
    unwrap_at_caller(call(&EIGVALS, &a))
}
