//! The LU factorization with partial pivoting, `P·A = L·U`, written in HLO, and the solves
//! built on it.
//!
//! Unblocked and right-looking: a `fori_loop` over the columns `k`, each step finding the
//! largest magnitude at or below the diagonal of column `k`, swapping that row with row `k`
//! (by masks, so each matrix of a batch pivots on its own), and subtracting the rank-1 update
//! below and right of the pivot. A zero pivot column is skipped, as LAPACK's `getrf` does,
//! leaving a zero on `U`'s diagonal. `O(n³)` work in `n` steps of `O(n²)` elementwise
//! operations, which is what the small and moderate matrices of `solve`, `inv`, `det` and
//! `slogdet` need; XLA has no LU of its own on every backend.

use super::super::where_;
use super::{diagonal, last};
use crate::control_flow::fori_loop;
use crate::lax;
use crate::numpy::Axes;
use crate::{Array, DType, Result};

/// An LU factorization of a batch of square matrices `[..., n, n]`.
pub(crate) struct Lu {
    /// `L` (unit diagonal, not stored) below the diagonal and `U` on and above it.
    pub(crate) lu: Array,
    /// The row permutation as `int32` `[..., n]`: row `i` of `P·A` is row `perm[i]` of `A`.
    pub(crate) perm: Array,
    /// The number of row swaps, `int32` `[...]` (its parity is the permutation's sign).
    pub(super) swaps: Array,
    /// LAPACK's `getrf` pivots, 0-based, `int32` `[..., n]`: row `k` was swapped with row
    /// `pivots[k]` at step `k`.
    pub(crate) pivots: Array,
}

/// `x` summed over `axis` where `mask` holds (a masked pick that ignores NaNs elsewhere).
fn pick(mask: &Array, x: &Array, axis: isize) -> Array {
    let zero = super::super::zeros_like(x, None);
    let picked = where_(mask, x, &zero);
    super::super::sum(&picked, Axes::from(axis).keepdims(true))
}

/// One elimination step on column `k`.
fn eliminate(k: &Array, (a, perm, swaps, pivots): Carry) -> Carry {
    let rank = a.ndim();
    let n = a.shape()[rank - 1];
    let rows = lax::broadcasted_iota(DType::I32, &[n, 1], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[1, n], 1);
    let at_k = cols.eq(k);
    // The pivot: the largest magnitude in column k at or below row k.
    let column = pick(&at_k, &a, -1);
    let candidates = where_(rows.ge(k), column.abs(), -1.0);
    let p = lax::argmax(&candidates, rank - 2, DType::I32);
    let row_is_p = rows.eq(lax::expand_dims(&p, &[rank - 2]));
    let row_is_k = rows.eq(k);
    let row_k = pick(&row_is_k, &a, -2);
    let row_p = pick(&row_is_p, &a, -2);
    let a = where_(&row_is_k, &row_p, where_(&row_is_p, &row_k, &a));
    // The same swap of the permutation (a vector: index i is column i of a one-row mask).
    let index = lax::broadcasted_iota(DType::I32, &[n], 0);
    let (is_k, is_p) = (index.eq(k), index.eq(&p));
    let perm_k = pick(&is_k, &perm, -1);
    let perm_p = pick(&is_p, &perm, -1);
    let perm = where_(&is_k, &perm_p, where_(&is_p, &perm_k, &perm));
    let swaps =
        swaps + lax::convert_element_type(lax::squeeze(p.ne(k), &[p.ndim() - 1]), DType::I32);
    let pivots = where_(&is_k, &p, &pivots);
    // Eliminate below the pivot (row k is now the old row p).
    let pivot = pick(&at_k, &row_p, -1);
    let usable = pivot.ne(0.0);
    let safe = where_(&usable, &pivot, 1.0);
    let below = rows.gt(k);
    let column = pick(&at_k, &a, -1);
    let multipliers = where_(super::both(&below, &usable), &column / &safe, 0.0);
    let a = &a - &multipliers * where_(cols.gt(k), &row_p, 0.0);
    let a = where_(super::both(&below, &at_k), &multipliers, &a);
    (a, perm, swaps, pivots)
}

/// The loop's carry: the matrix being factored, the permutation, the swap count, the pivots.
type Carry = (Array, Array, Array, Array);

/// The LU factorization of each matrix of `a` (`[..., n, n]`, float).
pub(crate) fn lu(a: &Array) -> Result<Lu> {
    if super::kernels::available() {
        let (lu, perm, swaps, pivots) = super::kernels::lu(a)?;
        return Ok(Lu {
            lu,
            perm,
            swaps,
            pivots,
        });
    }
    let n = a.shape()[a.ndim() - 1];
    let batch = super::batch_shape(a).to_vec();
    let mut perm_shape = batch.clone();
    perm_shape.push(n);
    let perm = lax::broadcasted_iota(DType::I32, &perm_shape, batch.len());
    let swaps = lax::broadcast_in_dim(Array::scalar(0i32), &batch, &[]);
    let pivots = perm.clone();
    let (lu, perm, swaps, pivots) = fori_loop(
        0,
        n as i32,
        |k, carry| eliminate(&k, carry),
        (a.clone(), perm, swaps, pivots),
    )?;
    Ok(Lu {
        lu,
        perm,
        swaps,
        pivots,
    })
}

impl Lu {
    /// `P·b` for `b` of shape `[..., n, k]` (batch dimensions as the factorization's); linear in
    /// `b`.
    fn permute(&self, b: &Array) -> Array {
        super::kernels::permute_rows(&self.perm, b)
    }

    /// The solution of `A·x = b` for `b` of shape `[..., n, k]` with the factorization's batch
    /// dimensions; linear in `b`.
    pub(super) fn solve(&self, b: &Array) -> Array {
        let y = lax::triangular_solve_with(
            &self.lu,
            self.permute(b),
            lax::TriangularSolveOptions::default()
                .left_side(true)
                .lower(true)
                .unit_diagonal(true),
        );
        lax::triangular_solve_with(
            &self.lu,
            &y,
            lax::TriangularSolveOptions::default().left_side(true),
        )
    }

    /// `(-1)^swaps` in `dtype`.
    fn parity_sign(&self, dtype: DType) -> Array {
        let odd = (&self.swaps % 2).eq(1);
        lax::convert_element_type(where_(&odd, -1.0, 1.0), dtype)
    }

    /// `(sign, log|det|)` of the factorized matrices (JAX's `_slogdet_lu`): sign 0 and `-inf`
    /// for singular ones.
    pub(super) fn slogdet(&self) -> (Array, Array) {
        let dtype = self.lu.dtype();
        let d = diagonal(&self.lu);
        let is_zero = super::super::any(d.eq(0.0), -1);
        let negatives = lax::convert_element_type(d.lt(0.0), DType::I32).sum_axes([-1]);
        let flips = lax::convert_element_type((negatives % 2).eq(1), dtype);
        let sign = self.parity_sign(dtype) * (1.0 - flips * 2.0);
        let zero = super::super::zeros_like(&sign, None);
        let sign = where_(&is_zero, &zero, &sign);
        let log_abs = d.abs().log().sum_axes([-1]);
        let log_abs = where_(&is_zero, super::scalar(f64::NEG_INFINITY, dtype), &log_abs);
        (sign, log_abs)
    }

    /// The determinants of the factorized matrices.
    pub(super) fn det(&self) -> Array {
        let d = diagonal(&self.lu);
        self.parity_sign(d.dtype()) * super::super::prod(&d, -1)
    }

    /// JAX's `_cofactor_solve`: `(det(A), det(A)·A⁻¹·b)` for `b` `[..., n, n]`, well defined
    /// (the adjugate times `b`) when `A` has rank `n - 1` and zero for lower ranks; linear in
    /// `b`.
    pub(super) fn cofactor_solve(&self, b: &Array) -> (Array, Array) {
        let rank = self.lu.ndim();
        let n = self.lu.shape()[rank - 1];
        let dtype = self.lu.dtype();
        if n == 1 {
            let det = lax::squeeze(&self.lu, &[rank - 2, rank - 1]);
            return (det, b.clone());
        }
        let d = diagonal(&self.lu);
        // partial[..., n-1] is det(A); partial[..., n-2] is det(A) / u_nn.
        let partial = lax::cumprod_with(&d, lax::CumulativeOptions::along(rank - 2))
            * lax::expand_dims(self.parity_sign(dtype), &[rank - 2]);
        let full = last(&partial, n - 1..n);
        let without_last = last(&partial, n - 2..n - 1);
        let corner = super::both(
            &lax::broadcasted_iota(DType::I32, &[n, n], 0).eq((n - 1) as i32),
            &lax::broadcasted_iota(DType::I32, &[n, n], 1).eq((n - 1) as i32),
        );
        let replaced = lax::expand_dims(without_last.pow(-1.0), &[rank - 2]);
        let lu = where_(&corner, &replaced, &self.lu);
        // Matrices of rank below n - 1 give non-finite solutions here: their result is zero.
        let ones = super::super::ones_like(&d, None);
        let probe = lax::triangular_solve_with(
            &lu,
            &ones,
            lax::TriangularSolveOptions::default().left_side(true),
        );
        let bad = super::super::any(lax::not(lax::is_finite(&probe)), -1);
        let bad = lax::expand_dims(&bad, &[rank - 2, rank - 1]);
        let zero = super::super::zeros_like(b, None);
        let x = where_(&bad, &zero, b);
        let x = self.permute(&x);
        let x = lax::triangular_solve_with(
            &lu,
            &x,
            lax::TriangularSolveOptions::default()
                .left_side(true)
                .lower(true)
                .unit_diagonal(true),
        );
        let scaled = super::block(&x, 0..n - 1, 0..n) * lax::expand_dims(&full, &[rank - 1]);
        let x = lax::concatenate([&scaled, &super::block(&x, n - 1..n, 0..n)], rank - 2);
        let x = lax::triangular_solve_with(
            &lu,
            &x,
            lax::TriangularSolveOptions::default().left_side(true),
        );
        let x = where_(&bad, &zero, &x);
        (lax::squeeze(&full, &[rank - 2]), x)
    }
}
