//! `solve_triangular`, `cho_factor` and `cho_solve`: `lax.linalg.triangular_solve` and
//! `cholesky` with SciPy's conventions (vector right-hand sides, `trans`, `lower`).

use super::Trans;
use crate::IntoArray;
use crate::lax;
use crate::numpy as jnp;
use crate::{Array, DType};

/// `a` and `b` promoted together to an inexact dtype (without broadcasting, which the solves
/// do not do), or a panic naming `op`.
#[track_caller]
fn promote_pair(op: &str, a: &Array, b: &Array) -> (Array, Array) {
    let x64 = crate::config::x64_enabled();
    let types = [(a.dtype(), a.weak_type()), (b.dtype(), b.weak_type())];
    let (common, _) = crate::promotion::result_type(&types, x64);
    let dtype = if common.is_inexact() {
        common
    } else {
        crate::promotion::default_float(x64)
    };
    assert!(
        matches!(dtype, DType::F32 | DType::F64),
        "{op}: expected float matrices, got {} and {}",
        a.aval(),
        b.aval()
    );
    (a.astype(dtype), b.astype(dtype))
}

/// Solves `op(A)·x = b` for triangular `a` (`[..., m, m]`, only its `lower` or upper
/// triangle read, its diagonal taken as ones if `unit_diagonal`) and `b` (`[..., m]` or
/// `[..., m, n]`), with `op` chosen by `trans` (`jax.scipy.linalg.solve_triangular`; SciPy's
/// default is `lower=false`).
///
/// # Panics
/// If the shapes do not fit or the dtypes are not float.
#[track_caller]
pub fn solve_triangular(
    a: impl IntoArray,
    b: impl IntoArray,
    trans: Trans,
    lower: bool,
    unit_diagonal: bool,
) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    let (a, b) = promote_pair("solve_triangular", a, b);
    let (transpose_a, conjugate_a) = match trans {
        Trans::None => (false, false),
        Trans::Transpose => (true, false),
        Trans::ConjugateTranspose => (true, true),
    };
    let vector = a.ndim() == b.ndim() + 1;
    let b = if vector {
        lax::expand_dims(&b, &[b.ndim()])
    } else {
        b
    };
    let x = lax::triangular_solve_with(
        &a,
        &b,
        lax::TriangularSolveOptions::default()
            .left_side(true)
            .lower(lower)
            .transpose_a(transpose_a)
            .conjugate_a(conjugate_a)
            .unit_diagonal(unit_diagonal),
    );
    if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    }
}

/// `jax.scipy.linalg.cho_factor(a, lower)`: `(c, lower)` with `c` the Cholesky factor of each
/// matrix of `a` (`L` with `A = L·Lᵀ` read from the lower triangle if `lower`, else `U` with
/// `A = Uᵀ·U` from the upper triangle); the other triangle of `c` is zero. A matrix that is
/// not positive definite gives NaNs, as in JAX.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn cho_factor(a: impl IntoArray, lower: bool) -> (Array, bool) {
    let a = &a.into_array();
    let a = super::lu::square("cho_factor", a);
    let c = if lower {
        lax::cholesky_with(&a, lax::CholeskyOptions::default().symmetrize_input(false))
    } else {
        jnp::swapaxes(
            lax::cholesky_with(
                jnp::swapaxes(&a, -1, -2),
                lax::CholeskyOptions::default().symmetrize_input(false),
            ),
            -1,
            -2,
        )
    };
    (c, lower)
}

/// `jax.scipy.linalg.cho_solve((c, lower), b)`: the solution of `A·x = b` from
/// [`cho_factor`]'s output, for `b` of shape `[..., m]` or `[..., m, n]`.
///
/// # Panics
/// If the shapes do not fit or the dtypes are not float.
#[track_caller]
pub fn cho_solve(c_and_lower: (&Array, bool), b: impl IntoArray) -> Array {
    let b = &b.into_array();
    let (c, lower) = c_and_lower;
    let (c, b) = promote_pair("cho_solve", c, b);
    let vector = c.ndim() == b.ndim() + 1;
    let b = if vector {
        lax::expand_dims(&b, &[b.ndim()])
    } else {
        b
    };
    let y = lax::triangular_solve_with(
        &c,
        &b,
        lax::TriangularSolveOptions::default()
            .left_side(true)
            .lower(lower)
            .transpose_a(!lower)
            .conjugate_a(!lower),
    );
    let x = lax::triangular_solve_with(
        &c,
        &y,
        lax::TriangularSolveOptions::default()
            .left_side(true)
            .lower(lower)
            .transpose_a(lower)
            .conjugate_a(lower),
    );
    if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    }
}
