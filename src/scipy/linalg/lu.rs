//! `lu`, `lu_factor` and `lu_solve`.
//!
//! On the CPU the factorization runs in rjax's LU kernel, elsewhere in the HLO LU of
//! [`crate::numpy::linalg`]; both are differentiable (the kernel through JAX's LU rule), and
//! `lu_solve` is built from triangular solves, differentiable in both the factors and `b`.

use super::Trans;
use crate::IntoArray;
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::Axes;
use crate::numpy::linalg::lu::lu as factor;
use crate::numpy::{self as jnp};
use crate::{Array, DType};

/// `jax.scipy.linalg.lu_factor`: `(lu, piv)` of each square matrix of `a` (`[..., n, n]`),
/// with `L` (unit diagonal, not stored) below the diagonal of `lu` and `U` on and above it,
/// and `piv` (`int32 [..., n]`) LAPACK's 0-based pivots: row `i` was interchanged with row
/// `piv[i]`. Integer input becomes the default float.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn lu_factor(a: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    let a = square("lu_factor", a);
    let factors = unwrap_at_caller(factor(&a));
    (factors.lu, factors.pivots)
}

/// `jax.scipy.linalg.lu(a)`: `(P, L, U)` with `A = P·L·U` for each square matrix of `a`
/// (`[..., n, n]`): `P` a permutation matrix, `L` unit lower triangular, `U` upper triangular.
/// Integer input becomes the default float.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn lu(a: impl IntoArray) -> (Array, Array, Array) {
    let a = &a.into_array();
    let a = square("lu", a);
    let factors = unwrap_at_caller(factor(&a));
    let n = a.shape()[a.ndim() - 1];
    // P[i, j] = 1 where row j of P·L·U, row perm[j] of A, is row i.
    let perm = lax::expand_dims(&factors.perm, &[factors.perm.ndim() - 1]);
    let rows = lax::broadcasted_iota(DType::I32, &[n, n], 0);
    let p = jnp::asarray(perm.eq(&rows), Some(a.dtype()));
    let l = jnp::tril(&factors.lu, -1) + jnp::eye(n, None, 0, Some(a.dtype()));
    let u = jnp::triu(&factors.lu, 0);
    (p, l, u)
}

/// `jax.scipy.linalg.lu(a, permute_l=True)`: `(P·L, U)`.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn lu_permute_l(a: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    let (p, l, u) = lu(a);
    (jnp::matmul(&p, &l), u)
}

/// `jax.scipy.linalg.lu_solve((lu, piv), b, trans)`: the solution `x` of `A·x = b` (or the
/// transposed system) from [`lu_factor`]'s output, for `b` of shape `[..., n]` or
/// `[..., n, k]` (with the factorization's batch dimensions).
///
/// # Panics
/// If the shapes do not fit.
#[track_caller]
pub fn lu_solve(lu_and_piv: (&Array, &Array), b: impl IntoArray, trans: Trans) -> Array {
    let b = &b.into_array();
    let (lu, piv) = lu_and_piv;
    let n = lu.shape()[lu.ndim() - 1];
    let vector = b.ndim() + 1 == lu.ndim();
    let b = if vector {
        lax::expand_dims(b, &[b.ndim()])
    } else {
        b.clone()
    };
    assert!(
        b.ndim() == lu.ndim() && b.shape()[b.ndim() - 2] == n && piv.dtype() == DType::I32,
        "lu_solve: lu {}, piv {} and b {} do not fit",
        lu.aval(),
        piv.aval(),
        b.aval()
    );
    let b = lax::convert_element_type(&b, lu.dtype());
    let perm = permutation(piv, n);
    let x = match trans {
        Trans::None => {
            let pb = take_rows(&b, &perm);
            let y = lax::triangular_solve_with(
                lu,
                &pb,
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .lower(true)
                    .unit_diagonal(true),
            );
            lax::triangular_solve_with(
                lu,
                &y,
                lax::TriangularSolveOptions::default().left_side(true),
            )
        }
        Trans::Transpose | Trans::ConjugateTranspose => {
            // Aᵀ = Uᵀ·Lᵀ·P: solve Uᵀ·y = b, Lᵀ·z = y, then x = Pᵀ·z.
            let conjugate = trans == Trans::ConjugateTranspose;
            let y = lax::triangular_solve_with(
                lu,
                &b,
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .transpose_a(true)
                    .conjugate_a(conjugate),
            );
            let z = lax::triangular_solve_with(
                lu,
                &y,
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .lower(true)
                    .transpose_a(true)
                    .conjugate_a(conjugate)
                    .unit_diagonal(true),
            );
            let inverse = crate::numpy::argsort(&perm);
            take_rows(&z, &inverse)
        }
    };
    if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    }
}

/// `x` as a square float matrix batch, or a panic naming `op`.
#[track_caller]
pub(super) fn square(op: &str, x: &Array) -> Array {
    let x = crate::numpy::to_inexact(x);
    let shape = x.shape();
    assert!(
        matches!(x.dtype(), DType::F32 | DType::F64)
            && shape.len() >= 2
            && shape[shape.len() - 1] == shape[shape.len() - 2],
        "{op}: expected a batch of square float matrices [..., n, n], got {}",
        x.aval()
    );
    x
}

/// Rows `perm` of `b` (`[..., n, k]`).
fn take_rows(b: &Array, perm: &Array) -> Array {
    let rows = lax::expand_dims(perm, &[perm.ndim()]);
    crate::numpy::take_along_axis(b, &rows, Some(-2), crate::numpy::TakeMode::Clip)
}

/// The row permutation the pivots make (JAX's `lu_pivots_to_permutation`): starting from the
/// identity, swap entries `k` and `piv[k]` for each `k` in turn.
#[track_caller]
fn permutation(piv: &Array, n: usize) -> Array {
    let k = piv.shape()[piv.ndim() - 1];
    let batch = &piv.shape()[..piv.ndim() - 1];
    let mut shape = batch.to_vec();
    shape.push(n);
    let start = lax::broadcasted_iota(DType::I32, &shape, batch.len());
    let index = lax::broadcasted_iota(DType::I32, &[n], 0);
    let pick = |mask: &Array, x: &Array| {
        let zeros = crate::numpy::zeros_like(x, None);
        crate::numpy::sum(
            crate::numpy::where_(mask, x, &zeros),
            Axes::from(-1).keepdims(true),
        )
    };
    let swap = |step: &Array, perm: Array| -> Array {
        let at_step = index.eq(step);
        let target = pick(&lax::broadcasted_iota(DType::I32, &[k], 0).eq(step), piv);
        let at_target = index.eq(&target);
        let (here, there) = (pick(&at_step, &perm), pick(&at_target, &perm));
        crate::numpy::where_(
            &at_step,
            &there,
            crate::numpy::where_(&at_target, &here, &perm),
        )
    };
    unwrap_at_caller(crate::control_flow::fori_loop(
        0,
        k as i32,
        |i, perm| swap(&i, perm),
        start,
    ))
}
