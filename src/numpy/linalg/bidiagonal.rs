//! Singular values without vectors: Golub–Kahan bidiagonalization by Householder reflections
//! (LAPACK's unblocked `dgebd2`), then bisection on the Golub–Kahan tridiagonal.
//!
//! A wide matrix is transposed and a tall one reduced to the square `R` of its QR
//! factorization (the `Qr` primitive), which has the same singular values. Step `j` of `n` (a
//! `fori_loop`) applies a left reflection zeroing column `j` below the diagonal and a right
//! reflection zeroing row `j` right of the superdiagonal, each a masked vector–matrix product
//! and a rank-1 update of the whole `[..., n, n]` array (static shapes); both products are
//! taken from the matrix before the step's updates, which are then applied together in one
//! pass. The singular values of
//! the upper bidiagonal `B` (diagonal `d`, superdiagonal `e`) are the `n` nonnegative
//! eigenvalues of the `2n × 2n` symmetric tridiagonal with a zero diagonal and the
//! off-diagonal `d₁, e₁, d₂, e₂, …, dₙ` (a permutation of `[[0, Bᵀ], [B, 0]]`), found by
//! [`super::bisection`]; unlike the eigenvalues of `BᵀB`, this does not square the condition
//! number.

use super::super::where_;
use super::bisection::tridiagonal_eigenvalues;
use super::tridiagonal::{as_column, as_row, column, pick, reflector, row};
use super::{block, diagonal, last, mm, mt, rows_cols};
use crate::control_flow::fori_loop;
use crate::lax;
use crate::{Array, DType, Result};

/// The diagonal `[..., n]` and superdiagonal `[..., n - 1]` of an upper bidiagonal matrix with
/// the singular values of each square matrix of `a` (`[..., n, n]`, float).
fn bidiagonalize(a: &Array) -> Result<(Array, Array)> {
    let n = rows_cols(a).0;
    let index = lax::broadcasted_iota(DType::I32, &[n], 0);
    let a = fori_loop(
        0,
        n as i32,
        |j, a: Array| {
            let rank = a.ndim();
            // From the left: column j, rows j and below.
            let x = where_(index.ge(&j), column(&a, &j), 0.0);
            let (v, tau) = reflector(&x, &index.eq(&j));
            let tau_v = &v * as_column(&tau);
            let vt_a = lax::squeeze(mm(&as_row(&v), &a), &[rank - 2]);
            // From the right: row j, columns j + 1 and after, of the left-updated matrix.
            let tau_vj = as_column(&pick(&index.eq(&j), &tau_v));
            let row_j = row(&a, &j) - tau_vj * &vt_a;
            let x = where_(index.gt(&j), &row_j, 0.0);
            let (u, tau) = reflector(&x, &index.eq(&j + 1));
            // (A - τ·v·vᵀA)·u from A·u, so both products read the matrix before the update.
            let a_u = lax::squeeze(mm(&a, &as_column(&u)), &[rank - 1]);
            let left_u = a_u - &tau_v * as_column(&(&vt_a * &u).sum_axes([-1]));
            let update = as_column(&tau_v) * as_row(&vt_a)
                + as_column(&(left_u * as_column(&tau))) * as_row(&u);
            Ok::<_, crate::Error>(a - update)
        },
        a.clone(),
    )?;
    let rows = lax::broadcasted_iota(DType::I32, &[n, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[n, n], 1);
    let sup = where_(cols.eq(rows + 1), &a, 0.0).sum_axes([-1]);
    Ok((diagonal(&a), last(&sup, 0..n.saturating_sub(1))))
}

/// `d₁, e₁, d₂, …, dₙ` (`[..., 2n - 1]`) from `d` (`[..., n]`) and `e` (`[..., n - 1]`).
fn interleave(d: &Array, e: &Array) -> Array {
    let rank = d.ndim();
    let n = d.shape()[rank - 1];
    let pairs = lax::concatenate(
        [
            &lax::expand_dims(last(d, 0..n - 1), &[rank]),
            &lax::expand_dims(e, &[rank]),
        ],
        rank,
    );
    let mut shape = d.shape().to_vec();
    shape[rank - 1] = 2 * (n - 1);
    let pairs = lax::reshape(&pairs, &shape);
    lax::concatenate([&pairs, &last(d, n - 1..n)], rank - 1)
}

/// The singular values `[..., min(m, n)]` of each matrix of `a` (`[..., m, n]`, float), in
/// decreasing order (no derivative rule).
pub(super) fn singular_values_only(a: &Array) -> Result<Array> {
    let (m, n) = rows_cols(a);
    let a = if m < n { mt(a) } else { a.clone() };
    let (m, n) = (m.max(n), m.min(n));
    if n == 0 {
        return Ok(diagonal(&block(&a, 0..0, 0..0)));
    }
    // Scaled to a largest magnitude of 1, so that squares neither overflow nor underflow.
    let scale = super::super::max_or_identity(&a.abs(), Some(&[-2, -1]), true);
    let scale = where_(scale.gt(0.0), &scale, 1.0);
    let a = &a / &scale;
    let square = if m > n {
        lax::qr_with(&a, lax::QrOptions::default().full_matrices(false)).1
    } else {
        a
    };
    let (d, e) = bidiagonalize(&square)?;
    let off = interleave(&d, &e);
    let zeros = super::super::zeros_like(lax::concatenate([&d, &d], d.ndim() - 1), None);
    let s = tridiagonal_eigenvalues(&zeros, &off, n, n)?.abs();
    let s = lax::rev(&s, &[s.ndim() - 1]);
    Ok(s * lax::squeeze(&scale, &[scale.ndim() - 1]))
}
