//! Householder tridiagonalization of symmetric matrices (LAPACK's unblocked `dsytd2`), the
//! first step of [`super::eigvalsh`] and (accumulating `Q`) of [`super::eigh`], and the
//! reflector it shares with the bidiagonalization of [`super::bidiagonal`].
//!
//! Step `k` of `n - 2` (a `fori_loop`) builds the reflector `H = I - τ·v·vᵀ` that zeroes
//! column `k` of `A` below its subdiagonal and applies it on both sides as the symmetric rank-2
//! update `A ← A - v·wᵀ - w·vᵀ` with `p = τ·A·v` and `w = p - (τ/2)(vᵀp)·v`. The reflector is
//! masked to the rows below `k`, so every step works on the whole `[..., n, n]` array and the
//! shapes stay static; the tridiagonal is read from the diagonals of the result.

use super::super::where_;
use super::{diagonal, last, mm, rows_cols};
use crate::control_flow::fori_loop;
use crate::lax;
use crate::{Array, DType, Result};

/// `x[..., i]` summed where `mask` (`[n]`) holds: a masked pick from the last dimension.
pub(super) fn pick(mask: &Array, x: &Array) -> Array {
    where_(mask, x, 0.0).sum_axes([-1])
}

/// The Householder vector `v` and factor `τ` with `(I - τ·v·vᵀ)·x = β·eₚ`, for the vectors
/// `x` `[..., n]` (zero outside the reflected entries) and the pivot position `p` given by
/// the mask `at_pivot` (`[n]`): `β = -sign(xₚ)·‖x‖`, `v = x - β·eₚ`, and `τ = 2/(vᵀv)`, or
/// 0 when `x` is already zero.
pub(super) fn reflector(x: &Array, at_pivot: &Array) -> (Array, Array) {
    let alpha = pick(at_pivot, x);
    let norm = (x * x).sum_axes([-1]).sqrt();
    let beta = where_(alpha.ge(0.0), -&norm, &norm);
    let v = x - where_(at_pivot, lax::expand_dims(&beta, &[beta.ndim()]), 0.0);
    let vtv = (&v * &v).sum_axes([-1]);
    let nonzero = vtv.gt(0.0);
    let tau = where_(&nonzero, 2.0 / where_(&nonzero, &vtv, 1.0), 0.0);
    (v, tau)
}

/// Column `k` of each matrix of `a` (`[..., m, n]`), as `[..., m]`.
pub(super) fn column(a: &Array, k: &Array) -> Array {
    let rank = a.ndim();
    let zero = Array::scalar(0i32);
    let mut starts: Vec<&Array> = vec![&zero; rank - 1];
    starts.push(k);
    let mut sizes = a.shape().to_vec();
    sizes[rank - 1] = 1;
    lax::squeeze(lax::dynamic_slice(a, &starts, &sizes), &[rank - 1])
}

/// Row `k` of each matrix of `a` (`[..., m, n]`), as `[..., n]`.
pub(super) fn row(a: &Array, k: &Array) -> Array {
    let rank = a.ndim();
    let zero = Array::scalar(0i32);
    let mut starts: Vec<&Array> = vec![&zero; rank];
    starts[rank - 2] = k;
    let mut sizes = a.shape().to_vec();
    sizes[rank - 2] = 1;
    lax::squeeze(lax::dynamic_slice(a, &starts, &sizes), &[rank - 2])
}

/// `x` (`[..., n]`) as a column `[..., n, 1]`.
pub(super) fn as_column(x: &Array) -> Array {
    lax::expand_dims(x, &[x.ndim()])
}

/// `x` (`[..., n]`) as a row `[..., 1, n]`.
pub(super) fn as_row(x: &Array) -> Array {
    lax::expand_dims(x, &[x.ndim() - 1])
}

/// Step `k` of the reduction of `a`: the reflector `(v, τ)` of column `k` and `a` with it
/// applied on both sides.
fn reduce_column(index: &Array, k: &Array, a: &Array) -> (Array, Array, Array) {
    let below = index.gt(k);
    let x = where_(&below, column(a, k), 0.0);
    let (v, tau) = reflector(&x, &index.eq(k + 1));
    let p = lax::squeeze(mm(a, &as_column(&v)), &[a.ndim() - 1]) * as_column(&tau);
    let half_k = (&v * &p).sum_axes([-1]) * &tau * 0.5;
    let w = p - as_column(&half_k) * &v;
    let update = as_column(&v) * as_row(&w) + as_column(&w) * as_row(&v);
    (v, tau, a - update)
}

/// The diagonal `[..., n]` and the off-diagonal `[..., n - 1]` of the tridiagonal matrix.
fn tridiagonal_of(a: &Array) -> (Array, Array) {
    let n = rows_cols(a).0;
    let rows = lax::broadcasted_iota(DType::I32, &[n, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[n, n], 1);
    let sub = where_(rows.eq(cols + 1), a, 0.0).sum_axes([-1]);
    (diagonal(a), last(&sub, 1.min(n)..n))
}

/// The diagonal `[..., n]` and the off-diagonal `[..., n - 1]` of a symmetric tridiagonal
/// matrix similar to each symmetric matrix of `a` (`[..., n, n]`, float).
pub(super) fn tridiagonalize(a: &Array) -> Result<(Array, Array)> {
    let n = rows_cols(a).0;
    let index = lax::broadcasted_iota(DType::I32, &[n], 0);
    // Matrices of order 2 or less are tridiagonal already.
    let steps = n.saturating_sub(2) as i32;
    if steps == 0 {
        return Ok(tridiagonal_of(a));
    }
    let a = fori_loop(
        0,
        steps,
        |k, a: Array| Ok::<_, crate::Error>(reduce_column(&index, &k, &a).2),
        a.clone(),
    )?;
    Ok(tridiagonal_of(&a))
}

/// [`tridiagonalize`] with the orthogonal `Q` (`[..., n, n]`) of `A = Q·T·Qᵀ`: the product
/// `H₀·H₁⋯` of the reflectors, accumulated as `Q ← Q - (Q·v)·(τ·vᵀ)` at each step.
pub(super) fn tridiagonalize_with_q(a: &Array) -> Result<(Array, Array, Array)> {
    let n = rows_cols(a).0;
    let rank = a.ndim();
    let index = lax::broadcasted_iota(DType::I32, &[n], 0);
    let steps = n.saturating_sub(2) as i32;
    let q = lax::broadcast_in_dim(super::eye(n, a.dtype()), a.shape(), &[rank - 2, rank - 1]);
    if steps == 0 {
        let (d, e) = tridiagonal_of(a);
        return Ok((d, e, q));
    }
    let (a, q) = fori_loop(
        0,
        steps,
        |k, (a, q): (Array, Array)| {
            let (v, tau, a) = reduce_column(&index, &k, &a);
            let qv = lax::squeeze(mm(&q, &as_column(&v)), &[rank - 1]) * as_column(&tau);
            let q = &q - as_column(&qv) * as_row(&v);
            Ok::<_, crate::Error>((a, q))
        },
        (a.clone(), q),
    )?;
    let (d, e) = tridiagonal_of(&a);
    Ok((d, e, q))
}
