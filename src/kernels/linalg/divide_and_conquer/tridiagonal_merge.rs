//! One merge of divide and conquer (LAPACK's `laed1`–`laed3`): the eigendecomposition of a
//! symmetric tridiagonal `T` from those of its two halves.
//!
//! Cutting `T` at row `n₁` by its coupling `β` leaves `T = diag(T₁, T₂) + |β|·v·vᵀ` with
//! `v = e_{n₁-1} ± e_{n₁}` (`T₁`'s last and `T₂`'s first diagonal entries lowered by `|β|`).
//! With `Tᵢ = Qᵢ·Dᵢ·Qᵢᵀ` solved, `T = Q·(D + ρ·z·zᵀ)·Qᵀ` for the block-diagonal `Q`,
//! `z = Qᵀ·v/√2` (the last row of `Q₁` beside ±the first of `Q₂`) and `ρ = 2|β|`. Then:
//! 1. *Deflation*: a `zᵢ` too small to matter leaves `dᵢ` and its column of `Q` as they are,
//!    and of two poles closer than the rounding threshold a Givens rotation of their
//!    columns zeroes one `z` component, so the secular equation keeps only distinct poles
//!    with non-negligible weights.
//! 2. The remaining `k` eigenvalues are the roots of the secular equation ([`secular`]),
//!    solved in parallel, and the `k × k` matrix `S` of their eigenvectors follows from Gu
//!    and Eisenstat's recomputed weights.
//! 3. The new eigenvectors are `Q·S`. A column of `Q` is non-zero only in the top rows (from
//!    `Q₁`), only in the bottom ones (from `Q₂`), or in both (after a rotation mixed the two);
//!    grouped in that order, the product is two matrix products of half the height.

use faer::linalg::matmul::matmul;
use faer::prelude::{IntoConst, Reborrow, ReborrowMut};
use faer::traits::math_utils::{abs, eps, from_f64, one, sqrt, zero};
use faer::{Accum, MatMut, MatRef, Par};

use super::deflation::{BOTH, BOTTOM, TOP, deflate, gather, merged_order, rotate_columns};
use super::parallel::{PerColumn, fill_columns, is_parallel};
use super::secular::{self, Linear};
use super::{NoConvergence, largest_magnitude};
use crate::kernels::RealElement;

/// The elements of workspace a merge of `n` rows needs (see [`merge`]); the two halves'
/// needs together never exceed it, so one workspace splits down the recursion.
pub(super) fn workspace_len(n: usize) -> usize {
    3 * n * n
}

/// Merges the eigendecompositions of the two halves held in `d` (the eigenvalues of the
/// first `n1` rows ascending, then those of the rest) and the block-diagonal `u`, coupled by
/// `beta`, into the eigendecomposition of the whole: `d` ascending and `u` its eigenvectors.
/// `scratch` holds at least [`workspace_len`]`(n)` elements.
pub(super) fn merge<T: RealElement>(
    d: &mut [T],
    mut u: MatMut<'_, T>,
    n1: usize,
    beta: T,
    scratch: &mut [T],
    par: Par,
) -> Result<(), NoConvergence> {
    let n = d.len();
    let inv_sqrt2 = sqrt(&from_f64::<T>(0.5));
    let negative = beta < zero();
    let z: Vec<T> = (0..n)
        .map(|i| match (i < n1, negative) {
            (true, _) => u[(n1 - 1, i)] * inv_sqrt2,
            (false, false) => u[(n1, i)] * inv_sqrt2,
            (false, true) => -u[(n1, i)] * inv_sqrt2,
        })
        .collect();
    let rho = abs(&beta) * from_f64::<T>(2.0);

    // The poles in ascending order; `columns[p]` is the column of `u` of the p-th.
    let columns = merged_order(d, n1);
    let mut poles: Vec<T> = columns.iter().map(|&c| d[c]).collect();
    let mut weights: Vec<T> = columns.iter().map(|&c| z[c]).collect();
    let mut rows: Vec<u8> = columns
        .iter()
        .map(|&c| if c < n1 { TOP } else { BOTTOM })
        .collect();
    let tolerance = from_f64::<T>(8.0) * eps::<T>() * largest_magnitude(&[d, &z]);
    let deflated = deflate(
        &mut poles,
        &mut weights,
        &mut rows,
        tolerance / rho,
        tolerance,
        |q, p, c, s| rotate_columns(u.rb_mut(), columns[q], columns[p], c, s),
    );
    let kept: Vec<usize> = (0..n).filter(|&p| !deflated[p]).collect();
    let d_kept: Vec<T> = kept.iter().map(|&p| poles[p]).collect();
    let z_kept: Vec<T> = kept.iter().map(|&p| weights[p]).collect();
    let dropped: Vec<usize> = (0..n).filter(|&p| deflated[p]).collect();
    let k = kept.len();

    // The secular equation's roots, then the recomputed weights (distinct poles in order are
    // what deflation leaves; anything else is beyond this solver).
    let secular::Solution {
        origins,
        taus,
        z_hat,
    } = secular::solve::<Linear, T>(&d_kept, &z_kept, rho, par).ok_or(NoConvergence)?;

    // The eigenvectors of the secular problem, their rows grouped as the columns of `Q`.
    let group_of: Vec<u8> = kept.iter().map(|&p| rows[p]).collect();
    let grouped: Vec<usize> = [TOP, BOTH, BOTTOM]
        .into_iter()
        .flat_map(|group| (0..k).filter(|&i| group_of[i] == group).collect::<Vec<_>>())
        .collect();
    let top_only = group_of.iter().filter(|&&g| g == TOP).count();
    let with_top = group_of.iter().filter(|&&g| g != BOTTOM).count();
    let d_grouped: Vec<T> = grouped.iter().map(|&i| d_kept[i]).collect();
    let z_grouped: Vec<T> = grouped.iter().map(|&i| z_hat[i]).collect();
    // The workspace: S, Q's columns gathered, and Q·S.
    let (s, rest) = scratch.split_at_mut(k * k);
    let (q, rest) = rest.split_at_mut(n * n);
    let product = &mut rest[..n * k];
    let vectors = Vectors {
        d: &d_grouped,
        z: &z_grouped,
        origins: &origins,
        taus: &taus,
    };
    fill_columns(s, k, par, &vectors);

    // Q's kept columns, grouped, then its deflated ones; then Q·S.
    let gathered = grouped
        .iter()
        .map(|&i| kept[i])
        .chain(dropped.iter().copied())
        .map(|p| columns[p]);
    let mut q = MatMut::from_column_major_slice_mut(q, n, n);
    gather(u.rb(), gathered, q.rb_mut());
    let q = q.into_const();
    let s = MatRef::from_column_major_slice(s, k, k);
    let mut product = MatMut::from_column_major_slice_mut(product, n, k);
    {
        let (top, bottom) = product.rb_mut().split_at_row_mut(n1);
        let top_factors = (q.submatrix(0, 0, n1, with_top), s.subrows(0, with_top));
        let bottom_factors = (
            q.submatrix(n1, top_only, n - n1, k - top_only),
            s.subrows(top_only, k - top_only),
        );
        let multiply = |out: MatMut<'_, T>, (lhs, rhs): (MatRef<'_, T>, MatRef<'_, T>)| {
            matmul(out, Accum::Replace, lhs, rhs, one(), Par::Seq)
        };
        if is_parallel(par, k) {
            rayon::join(
                || multiply(top, top_factors),
                || multiply(bottom, bottom_factors),
            );
        } else {
            multiply(top, top_factors);
            multiply(bottom, bottom_factors);
        }
    }

    // Everything in ascending order of eigenvalue.
    let product = product.into_const();
    let mut order: Vec<(T, usize)> = (0..k)
        .map(|j| (origins[j] + taus[j], j))
        .chain(dropped.iter().enumerate().map(|(i, &p)| (poles[p], k + i)))
        .collect();
    order.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    for (c, &(value, source)) in order.iter().enumerate() {
        d[c] = value;
        let from = if source < k {
            product.col(source)
        } else {
            q.col(source)
        };
        u.rb_mut().col_mut(c).copy_from(from);
    }
    Ok(())
}

/// The secular problem's eigenvectors, from the recomputed weights.
struct Vectors<'a, T> {
    d: &'a [T],
    z: &'a [T],
    origins: &'a [T],
    taus: &'a [T],
}

impl<T: RealElement> PerColumn<T> for Vectors<'_, T> {
    #[inline(always)]
    fn fill(&self, j: usize, column: &mut [T]) {
        secular::eigenvector::<Linear, T>(column, self.d, self.z, self.origins[j], self.taus[j]);
    }
}
