//! What the merges of both divide-and-conquer solvers share: the merged order of two
//! halves' values, deflation (LAPACK's `laed2` tests, which the bidiagonal merge also uses:
//! the same rotation on both sides of its diagonal leaves the same off-diagonal entry), the
//! bookkeeping of which rows each column of the block-diagonal vector matrices may occupy,
//! and the gathering of those columns before a merge overwrites them.

use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{abs, hypot, zero};
use faer::{MatMut, MatRef};

use crate::kernels::RealElement;

/// Where a column of a merge's block-diagonal vector matrix may be non-zero: the first
/// half's rows, the second half's, or both (after a rotation mixed the two).
pub(super) const TOP: u8 = 1;
/// See [`TOP`].
pub(super) const BOTTOM: u8 = 2;
/// See [`TOP`].
pub(super) const BOTH: u8 = TOP | BOTTOM;

/// The positions `0..d.len()` in ascending order of `d`, which holds two ascending runs
/// split at `n1`.
pub(super) fn merged_order<T: RealElement>(d: &[T], n1: usize) -> Vec<usize> {
    let (mut i, mut j) = (0, n1);
    (0..d.len())
        .map(|_| {
            let take_first = j == d.len() || (i < n1 && d[i] <= d[j]);
            let p = if take_first { i } else { j };
            if take_first {
                i += 1;
            } else {
                j += 1;
            }
            p
        })
        .collect()
}

/// Deflates the poles `d` with weights `z` (both in ascending order of `d`): marks the poles
/// whose weight is at most `negligible`, and of each pair of poles close enough that the
/// rotation zeroing one weight leaves an off-diagonal entry `c·s·(d_p − d_q)` of at most
/// `tolerance`, rotates: `rotate(q, p, c, s)` must apply the rotation to the vector
/// columns of poles `q` and `p` (`x_q ← c·x_q + s·x_p`, `x_p ← c·x_p − s·x_q`); `d`, `z` and
/// the rows each column may occupy are updated here. Returns which poles are deflated.
pub(super) fn deflate<T: RealElement>(
    d: &mut [T],
    z: &mut [T],
    rows: &mut [u8],
    negligible: T,
    tolerance: T,
    mut rotate: impl FnMut(usize, usize, T, T),
) -> Vec<bool> {
    let mut deflated = vec![false; d.len()];
    let mut previous: Option<usize> = None;
    for p in 0..d.len() {
        if abs(&z[p]) <= negligible {
            deflated[p] = true;
            continue;
        }
        if let Some(q) = previous {
            let r = hypot(&z[p], &z[q]);
            let (c, s) = (z[p] / r, -(z[q] / r));
            if abs(&((d[p] - d[q]) * c * s)) <= tolerance {
                rotate(q, p, c, s);
                let (dq, dp) = (d[q], d[p]);
                d[q] = dq * c * c + dp * s * s;
                d[p] = dq * s * s + dp * c * c;
                z[p] = r;
                z[q] = zero();
                deflated[q] = true;
                rows[p] |= rows[q];
            }
        }
        previous = Some(p);
    }
    deflated
}

/// Applies the rotation of [`deflate`] to columns `a` and `b` of `m`.
pub(super) fn rotate_columns<T: RealElement>(mut m: MatMut<'_, T>, a: usize, b: usize, c: T, s: T) {
    for i in 0..m.nrows() {
        let (x, y) = (m[(i, a)], m[(i, b)]);
        m[(i, a)] = c * x + s * y;
        m[(i, b)] = c * y - s * x;
    }
}

/// Copies the columns `columns` of `m` into the first columns of `out`, in that order.
pub(super) fn gather<T: RealElement>(
    m: MatRef<'_, T>,
    columns: impl Iterator<Item = usize>,
    mut out: MatMut<'_, T>,
) {
    for (j, from) in columns.enumerate() {
        out.rb_mut().col_mut(j).copy_from(m.col(from));
    }
}
