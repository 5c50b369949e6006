//! One-sided (Hestenes) Jacobi orthogonalization of the columns of a batch of matrices, the
//! core of [`super::svd`].
//!
//! Why this algorithm: XLA has no SVD, and the alternatives built on its `Eigh` expansion
//! either square the condition number (the eigendecomposition of `AᵀA`) or double the size
//! (`[[0, A], [Aᵀ, 0]]`), and that expansion stops its rotations at a `float32`-sized threshold,
//! leaving `float64` vectors accurate to about `1e-8` only. One-sided Jacobi computes singular
//! values to high relative accuracy and orthogonal vectors to machine precision, from
//! elementwise operations and reductions only.
//!
//! `A·V` is built by plane rotations `V ← V·J` that make pairs of columns orthogonal; when all
//! pairs are orthogonal (`|aₚ·a_q| ≤ tol·‖aₚ‖‖a_q‖` with `tol = rows·ε`), the columns of `A·V`
//! are `σⱼ·uⱼ`. The pairs are visited in the parallel "round-robin tournament" order: the
//! columns are split into a top and a bottom half, pair `i` is (top `i`, bottom `i`), and all
//! `n/2` disjoint pairs are rotated at once with vector operations; then the columns move one
//! seat around the table (a fixed permutation), so `n - 1` steps (a `scan`) meet every
//! pair once. Sweeps repeat in a `while_loop` until one sweep finds every pair orthogonal
//! (convergence is quadratic; a sweep cap guards against non-finite input).

use super::super::{ones_like, where_};
use super::{eye, last};
use crate::control_flow::{scan_with, while_loop};
use crate::lax;
use crate::{Array, Result};

/// The most sweeps run (well-conditioned inputs need about 4 to 10).
const MAX_SWEEPS: i32 = 60;

/// Steps per iteration of the lowered loop over one sweep.
const UNROLL: usize = 4;

/// The result of [`orthogonalize`] for `a` of shape `[..., k, n]`: `w = a·v` (`[..., k, n]`)
/// with orthogonal columns sorted by decreasing norm, those norms `s` (`[..., n]`), and the
/// orthogonal `v` (`[..., n, n]`).
pub(super) struct Orthogonalized {
    pub(super) w: Array,
    pub(super) s: Array,
    pub(super) v: Array,
}

/// Rotates column pairs: `(c·top - s·bottom, s·top + c·bottom)`.
fn rotate(top: &Array, bottom: &Array, c: &Array, s: &Array) -> (Array, Array) {
    (c * top - s * bottom, s * top + c * bottom)
}

/// Moves every column but the first of the top half one seat around the table: the new top is
/// `[t₀, b₀, t₁, ..., t_{h-2}]`, the new bottom `[b₁, ..., b_{h-1}, t_{h-1}]`.
fn shuffle(top: &Array, bottom: &Array) -> (Array, Array) {
    let h = top.shape()[top.ndim() - 1];
    if h == 1 {
        return (top.clone(), bottom.clone());
    }
    let dim = top.ndim() - 1;
    let mut new_top = vec![last(top, 0..1), last(bottom, 0..1)];
    if h > 2 {
        new_top.push(last(top, 1..h - 1));
    }
    let new_top: Vec<&Array> = new_top.iter().collect();
    let new_bottom = [&last(bottom, 1..h), &last(top, h - 1..h)];
    (
        lax::concatenate(&new_top, dim),
        lax::concatenate(new_bottom, dim),
    )
}

/// One parallel step on the stacked halves `[w; v]` (the first `k` rows are `w`'s): rotates
/// the pairs (top `i`, bottom `i`) to make `w`'s paired columns orthogonal, shuffles them, and
/// folds the largest `|cos|` between paired columns of `w` into `off`.
fn step((top, bottom, off): (Array, Array, Array), k: usize, tol: f64) -> (Array, Array, Array) {
    let (wt, wb) = (rows(&top, k), rows(&bottom, k));
    let alpha = (&wt * &wt).sum_axes([-2]);
    let beta = (&wb * &wb).sum_axes([-2]);
    let gamma = (&wt * &wb).sum_axes([-2]);
    let scale = alpha.sqrt() * beta.sqrt();
    let one = ones_like(&scale, None);
    let cosine = gamma.abs() / where_(scale.gt(0.0), &scale, &one);
    let rotated = cosine.gt(tol);
    let zeta = (&beta - &alpha) / (where_(&rotated, &gamma, &one) * 2.0);
    let sign = where_(zeta.ge(0.0), &one, -&one);
    let t = sign / (zeta.abs() + (&zeta * &zeta + 1.0).sqrt());
    let c = (&t * &t + 1.0).sqrt().pow(-1.0);
    let s = &c * &t;
    let c = where_(&rotated, &c, &one);
    let s = where_(&rotated, &s, one * 0.0);
    let (c, s) = (
        lax::expand_dims(&c, &[c.ndim() - 1]),
        lax::expand_dims(&s, &[s.ndim() - 1]),
    );
    let (top, bottom) = rotate(&top, &bottom, &c, &s);
    let (top, bottom) = shuffle(&top, &bottom);
    (top, bottom, off.maximum(cosine.max()))
}

/// The first `k` rows of a batch of matrices.
fn rows(x: &Array, k: usize) -> Array {
    let n = super::rows_cols(x).1;
    super::block(x, 0..k, 0..n)
}

/// Orthogonalizes the columns of `a` (`[..., k, n]`, float) by one-sided Jacobi rotations.
pub(super) fn orthogonalize(a: &Array) -> Result<Orthogonalized> {
    let dtype = a.dtype();
    let rank = a.ndim();
    let (k, n) = super::rows_cols(a);
    let batch = super::batch_shape(a).to_vec();
    if n == 0 {
        let s_shape: Vec<usize> = batch.iter().copied().chain([0]).collect();
        let v_shape: Vec<usize> = batch.iter().copied().chain([0, 0]).collect();
        let zero = super::scalar(0.0, dtype);
        return Ok(Orthogonalized {
            w: a.clone(),
            s: lax::broadcast_in_dim(&zero, &s_shape, &[]),
            v: lax::broadcast_in_dim(&zero, &v_shape, &[]),
        });
    }
    // An even number of columns: a zero column pads odd ones (never rotated, sorted last).
    let padded = n % 2 == 1;
    let n2 = n + usize::from(padded);
    let w = if padded {
        let mut config = vec![(0, 0, 0); rank];
        config[rank - 1] = (0, 1, 0);
        lax::pad(a, super::scalar(0.0, dtype), &config)
    } else {
        a.clone()
    };
    let shape_v: Vec<usize> = batch.iter().copied().chain([n2, n2]).collect();
    let v = lax::broadcast_in_dim(eye(n2, dtype), &shape_v, &[rank - 2, rank - 1]);
    // w and v are rotated alike: stacked, they take one operation per step.
    let stacked = lax::concatenate([&w, &v], rank - 2);
    let h = n2 / 2;
    let tol = k.max(1) as f64 * super::eps(dtype);
    let init = (
        last(&stacked, 0..h),
        last(&stacked, h..n2),
        super::scalar(f64::INFINITY, dtype),
        Array::scalar(0i32),
    );
    let (top, bottom, _, _) = while_loop(
        |(_, _, off, sweep): (Array, Array, Array, Array)| {
            lax::bitwise_and(off.gt(tol), sweep.lt(MAX_SWEEPS))
        },
        |(top, bottom, _, sweep)| {
            let zero = super::scalar(0.0, dtype);
            let (carry, ()) = scan_with(
                |carry, (): ()| Ok::<_, crate::Error>((step(carry, k, tol), ())),
                (top, bottom, zero),
                (),
                Some(n2 - 1),
                false,
                UNROLL,
            )?;
            let (top, bottom, off) = carry;
            Ok((top, bottom, off, sweep + 1))
        },
        init,
    )?;
    let dim = rank - 1;
    let stacked = lax::concatenate([&top, &bottom], dim);
    let w = rows(&stacked, k);
    let v = super::block(&stacked, k..k + n2, 0..n2);
    let s = (&w * &w).sum_axes([-2]).sqrt();
    // Sort by decreasing norm, the padding column last (it is the column of v with a 1 in the
    // padding row, the only nonzero of that row).
    let key = if padded {
        let pad_row = lax::squeeze(super::block(&v, n2 - 1..n2, 0..n2), &[rank - 2]);
        where_(pad_row.eq(1.0), super::scalar(1.0, dtype), -&s)
    } else {
        -&s
    };
    let sort_columns = |x: &Array| {
        let keys = lax::broadcast_in_dim(
            &key,
            x.shape(),
            &(0..rank).filter(|&d| d != rank - 2).collect::<Vec<_>>(),
        );
        lax::sort_with([&keys, x], lax::SortOptions::along(dim as isize))
            .pop()
            .expect("two outputs")
    };
    let s = lax::sort_with([&key, &s], lax::SortOptions::along((rank - 2) as isize))
        .pop()
        .expect("two outputs");
    let (w, v) = (sort_columns(&w), sort_columns(&v));
    Ok(Orthogonalized {
        w: super::block(&w, 0..k, 0..n),
        s: last(&s, 0..n),
        v: super::block(&v, 0..n, 0..n),
    })
}
