//! One merge of the bidiagonal divide and conquer (LAPACK's `lasd1`–`lasd3`): the SVD of an
//! `r × (r + sqre)` upper bidiagonal block from those of the blocks above and below its row
//! `k`.
//!
//! With `B₁ = U₁·[Σ₁ 0]·V₁ᵀ` (`k × (k + 1)`) and `B₂ = U₂·Σ₂·V₂ᵀ` solved,
//! `B = diag(U₁, 1, U₂)·M·diag(V₁, V₂)ᵀ`, where `M` is `Σ₁`, `Σ₂` on the diagonal plus the
//! row `k`: `z = (α·(last row of V₁), β·(first row of V₂))`. The null columns of `V₁` (and of
//! `V₂` when `sqre`) have only their `z` entry; rotated into one (the second, if any, becomes
//! the whole block's null vector), they leave `M` an arrow matrix `[zᵀ; 0 D]` with a zero
//! pole first, whose right singular vectors are the eigenvectors of `D² + z·zᵀ`: the
//! squared secular equation ([`secular`]). Then, as for the tridiagonal merge:
//! 1. *Deflation* of negligible weights and of close singular values (rotating both the
//!    left and the right vectors), LAPACK's `lasd2` safeguards keeping the zero pole's weight
//!    and the nearest pole at least a tolerance away from zero.
//! 2. The roots `σⱼ²`, Gu and Eisenstat's weights `ẑ`, and the vectors of `M`: right
//!    `ẑᵢ/(dᵢ² − σⱼ²)`, left `(−1, dᵢ·ẑᵢ/(dᵢ² − σⱼ²))`, each normalized.
//! 3. The new vectors are the block-diagonal matrices times those, as half-height products
//!    over the columns grouped by the rows they occupy.

use faer::linalg::matmul::matmul;
use faer::prelude::{IntoConst, Reborrow, ReborrowMut};
use faer::traits::math_utils::{abs, from_f64, hypot, one, sqrt, zero};
use faer::{Accum, MatMut, MatRef, Par};

use super::NoConvergence;
use super::deflation::{BOTH, BOTTOM, TOP, deflate, gather, merged_order, rotate_columns};
use super::parallel::{PerColumn, fill_columns, is_parallel};
use super::secular::{self, Squared};
use crate::kernels::RealElement;

/// Where a block is cut: row `k`, with its diagonal entry `alpha` and superdiagonal entry
/// `beta`, in a block with one extra column when `sqre`.
#[derive(Clone, Copy)]
pub(super) struct Cut<T> {
    /// The row cut out.
    pub k: usize,
    /// Its diagonal entry.
    pub alpha: T,
    /// Its superdiagonal entry (0 where the block has none).
    pub beta: T,
    /// Whether the block has an extra column.
    pub sqre: bool,
}

/// The elements of workspace a merge of a block of `r` rows needs (see [`merge`]); the two
/// halves' needs together never exceed it, so one workspace splits down the recursion.
pub(super) fn workspace_len(r: usize) -> usize {
    6 * (r + 1) * (r + 1)
}

/// Merges the solved blocks above and below row `cut.k` of an `r × (r + sqre)` block: `d`
/// holds their singular values ascending (`d[..k]`, then `d[k + 1..]`; `d[k]` is free), `u`
/// and `v` their vectors block-diagonally (the first block's null vector in column `k` of
/// `v`, the second's last); `tolerance` is the deflation threshold and `scratch` at least
/// [`workspace_len`]`(r)` elements. On return `d`, `u` and `v` hold the block's SVD, as
/// [`solve`](super::bidiagonal) describes.
pub(super) fn merge<T: RealElement>(
    d: &mut [T],
    mut u: MatMut<'_, T>,
    mut v: MatMut<'_, T>,
    cut: Cut<T>,
    tolerance: T,
    scratch: &mut [T],
    par: Par,
) -> Result<(), NoConvergence> {
    let Cut {
        k,
        alpha,
        beta,
        sqre,
    } = cut;
    let r = d.len();
    let half_tolerance = tolerance * from_f64::<T>(0.5);

    // The zero pole: the null columns of V₁ (column k) and V₂ (column r) rotated into one.
    let first_null = alpha * v[(k, k)];
    let (z0, zero_pole_rows) = if sqre {
        let second_null = beta * v[(k + 1, r)];
        let norm = hypot(&first_null, &second_null);
        if norm > tolerance {
            let (c, s) = (first_null / norm, second_null / norm);
            rotate_columns(v.rb_mut(), k, r, c, s);
        }
        (if norm > tolerance { norm } else { tolerance }, BOTH)
    } else if abs(&first_null) > tolerance {
        (first_null, TOP)
    } else {
        (tolerance, TOP)
    };

    // The other poles in ascending order; `columns[p]` is their column in both u and v.
    let values: Vec<T> = d[..k].iter().chain(&d[k + 1..]).copied().collect();
    let order = merged_order(&values, k);
    let columns: Vec<usize> = order
        .iter()
        .map(|&i| if i < k { i } else { i + 1 })
        .collect();
    let mut poles: Vec<T> = order.iter().map(|&i| values[i]).collect();
    let mut weights: Vec<T> = order
        .iter()
        .map(|&i| {
            if i < k {
                alpha * v[(k, i)]
            } else {
                beta * v[(k + 1, i + 1)]
            }
        })
        .collect();
    let mut rows: Vec<u8> = order
        .iter()
        .map(|&i| if i < k { TOP } else { BOTTOM })
        .collect();
    let deflated = deflate(
        &mut poles,
        &mut weights,
        &mut rows,
        tolerance,
        tolerance,
        |q, p, c, s| {
            rotate_columns(u.rb_mut(), columns[q], columns[p], c, s);
            rotate_columns(v.rb_mut(), columns[q], columns[p], c, s);
        },
    );
    let kept: Vec<usize> = (0..poles.len()).filter(|&p| !deflated[p]).collect();
    let dropped: Vec<usize> = (0..poles.len()).filter(|&p| deflated[p]).collect();

    // The secular problem: the zero pole, then the kept ones, the nearest at least half the
    // tolerance from zero.
    let mut sd: Vec<T> = std::iter::once(zero())
        .chain(kept.iter().map(|&p| poles[p]))
        .collect();
    if sd.len() > 1 && sd[1] <= half_tolerance {
        sd[1] = half_tolerance;
    }
    let sz: Vec<T> = std::iter::once(z0)
        .chain(kept.iter().map(|&p| weights[p]))
        .collect();
    let n = sd.len();
    let secular::Solution {
        origins,
        taus,
        z_hat,
    } = secular::solve::<Squared, T>(&sd, &sz, one(), par).ok_or(NoConvergence)?;

    // Rows of the secular vectors grouped as the columns they multiply: for u the zero pole
    // (the middle row alone) first; for v the zero pole's column in its group.
    let group = |i: usize| {
        if i == 0 {
            zero_pole_rows
        } else {
            rows[kept[i - 1]]
        }
    };
    let grouped = |indices: std::ops::Range<usize>| -> Vec<usize> {
        [TOP, BOTH, BOTTOM]
            .into_iter()
            .flat_map(|g| indices.clone().filter(move |&i| group(i) == g))
            .collect()
    };
    let u_order: Vec<usize> = std::iter::once(0).chain(grouped(1..n)).collect();
    let v_order = grouped(0..n);
    let count = |order: &[usize], g: u8| order.iter().filter(|&&i| group(i) == g).count();

    // The workspace: both secular vector matrices, the old columns gathered (the products'
    // then the deflated ones), and the new ones.
    let rv = v.nrows();
    let (s_u, rest) = scratch.split_at_mut(n * n);
    let (s_v, rest) = rest.split_at_mut(n * n);
    let (old_u, rest) = rest.split_at_mut(r * (r - 1));
    let (old_v, rest) = rest.split_at_mut(rv * r);
    let (new_u, rest) = rest.split_at_mut(r * n);
    let new_v = &mut rest[..rv * n];
    let pick = |order: &[usize], x: &[T]| order.iter().map(|&i| x[i]).collect::<Vec<T>>();
    let (du, zu) = (pick(&u_order, &sd), pick(&u_order, &z_hat));
    let (dv, zv) = (pick(&v_order, &sd), pick(&v_order, &z_hat));
    let common = (origins.as_slice(), taus.as_slice());
    fill_columns(
        s_u,
        n,
        par,
        &Vectors {
            d: &du,
            z: &zu,
            roots: common,
            left: true,
        },
    );
    fill_columns(
        s_v,
        n,
        par,
        &Vectors {
            d: &dv,
            z: &zv,
            roots: common,
            left: false,
        },
    );

    // The old columns the products need (u without the zero pole's middle-row column), then
    // the deflated ones, gathered before anything is overwritten.
    let column_of = |i: usize| if i == 0 { k } else { columns[kept[i - 1]] };
    let deflated_columns = || dropped.iter().map(|&p| columns[p]);
    let mut old_u = MatMut::from_column_major_slice_mut(old_u, r, r - 1);
    let mut old_v = MatMut::from_column_major_slice_mut(old_v, rv, r);
    let u_columns = u_order[1..].iter().map(|&i| column_of(i));
    gather(u.rb(), u_columns.chain(deflated_columns()), old_u.rb_mut());
    let v_columns = v_order.iter().map(|&i| column_of(i));
    gather(v.rb(), v_columns.chain(deflated_columns()), old_v.rb_mut());
    let (old_u, old_v) = (old_u.into_const(), old_v.into_const());
    let s_u = MatRef::from_column_major_slice(s_u, n, n);
    let s_v = MatRef::from_column_major_slice(s_v, n, n);
    let mut new_u = MatMut::from_column_major_slice_mut(new_u, r, n);
    let mut new_v = MatMut::from_column_major_slice_mut(new_v, rv, n);
    let u_top = count(&u_order[1..], TOP);
    let u_both = count(&u_order[1..], BOTH);
    let v_top = count(&v_order, TOP);
    let v_both = count(&v_order, BOTH);
    new_u.rb_mut().row_mut(k).copy_from(s_u.row(0));
    let (u_above, rest) = new_u.rb_mut().split_at_row_mut(k);
    let u_below = rest.subrows_mut(1, r - k - 1);
    let (v_above, v_below) = new_v.rb_mut().split_at_row_mut(k + 1);
    let m = n - 1;
    let products = [
        (
            u_above,
            old_u.submatrix(0, 0, k, u_top + u_both),
            s_u.subrows(1, u_top + u_both),
        ),
        (
            u_below,
            old_u.submatrix(k + 1, u_top, r - k - 1, m - u_top),
            s_u.subrows(1 + u_top, m - u_top),
        ),
        (
            v_above,
            old_v.submatrix(0, 0, k + 1, v_top + v_both),
            s_v.subrows(0, v_top + v_both),
        ),
        (
            v_below,
            old_v.submatrix(k + 1, v_top, rv - k - 1, n - v_top),
            s_v.subrows(v_top, n - v_top),
        ),
    ];
    let multiply = |(out, lhs, rhs): (MatMut<'_, T>, MatRef<'_, T>, MatRef<'_, T>)| {
        matmul(out, Accum::Replace, lhs, rhs, one(), Par::Seq)
    };
    if is_parallel(par, n) {
        let [a, b, c, e] = products;
        rayon::join(
            || rayon::join(|| multiply(a), || multiply(b)),
            || rayon::join(|| multiply(c), || multiply(e)),
        );
    } else {
        products.into_iter().for_each(multiply);
    }

    // Everything in ascending order of singular value (the null vector stays last in v).
    let (new_u, new_v) = (new_u.into_const(), new_v.into_const());
    let mut sorted: Vec<(T, usize)> = (0..n)
        .map(|j| (sqrt(&(origins[j] * origins[j] + taus[j])), j))
        .chain(dropped.iter().enumerate().map(|(i, &p)| (poles[p], n + i)))
        .collect();
    sorted.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    for (c, &(value, source)) in sorted.iter().enumerate() {
        d[c] = value;
        let (from_u, from_v) = if source < n {
            (new_u.col(source), new_v.col(source))
        } else {
            (old_u.col(source - 1), old_v.col(source))
        };
        u.rb_mut().col_mut(c).copy_from(from_u);
        v.rb_mut().col_mut(c).copy_from(from_v);
    }
    Ok(())
}

/// The arrow matrix's left (zero pole first) or right singular vectors.
struct Vectors<'a, T> {
    d: &'a [T],
    z: &'a [T],
    roots: (&'a [T], &'a [T]),
    left: bool,
}

impl<T: RealElement> PerColumn<T> for Vectors<'_, T> {
    #[inline(always)]
    fn fill(&self, j: usize, column: &mut [T]) {
        let (origin, tau) = (self.roots.0[j], self.roots.1[j]);
        if self.left {
            secular::left_singular_vector(column, self.d, self.z, origin, tau);
        } else {
            secular::eigenvector::<Squared, T>(column, self.d, self.z, origin, tau);
        }
    }
}
