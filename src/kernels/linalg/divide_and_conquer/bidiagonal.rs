//! The divide-and-conquer SVD of real upper bidiagonal matrices (Jessup and Sorensen's
//! method with Gu and Eisenstat's singular vectors, as LAPACK's `bdsdc`), for `svd` with
//! vectors.
//!
//! A block is `r × (r + sqre)`: upper bidiagonal, with one extra column when `sqre` is 1
//! (the right singular vectors then include a null vector, kept last). Cutting it at row
//! `k` leaves the `k × (k + 1)` block above, the row `k` itself (`α` on the diagonal, `β`
//! right of it) and the block below; each is solved recursively (in parallel when large),
//! down to one row, and [`bidiagonal_merge`](super::bidiagonal_merge) joins them.

use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{abs, eps, from_f64, hypot, one, recip, zero};
use faer::{MatMut, Par};

use super::bidiagonal_merge::{Cut, merge, workspace_len};
use super::parallel::solve_halves;
use super::{NoConvergence, largest_magnitude};
use crate::kernels::RealElement;

/// The SVD `B = U·diag(σ)·Vᵀ` of the real `n × n` upper bidiagonal matrix with diagonal
/// `diag` and superdiagonal `superdiag` (one shorter): `diag` receives the singular values in
/// descending order, `u` and `v` (both `n × n`) the left and right singular vectors as
/// columns.
pub(in crate::kernels::linalg) fn bidiagonal_svd<T: RealElement>(
    diag: &mut [T],
    superdiag: &[T],
    mut u: MatMut<'_, T>,
    mut v: MatMut<'_, T>,
    par: Par,
) -> Result<(), NoConvergence> {
    let n = diag.len();
    u.fill(zero());
    v.fill(zero());
    // Scaled to a largest entry of 1, nothing in the merges over- or underflows, and one
    // deflation tolerance (relative to the matrix's norm) serves every merge.
    let scale = largest_magnitude(&[diag, superdiag]);
    if scale == zero() {
        (0..n).for_each(|i| {
            u[(i, i)] = one();
            v[(i, i)] = one();
        });
        return Ok(());
    }
    let inverse = recip(&scale);
    diag.iter_mut().for_each(|d| *d *= inverse);
    let superdiag: Vec<T> = superdiag.iter().map(|&e| e * inverse).collect();
    let tolerance = from_f64::<T>(8.0) * eps::<T>();
    let mut scratch = vec![zero::<T>(); workspace_len(n)];
    let block = Block {
        sqre: false,
        tolerance,
        par,
    };
    solve(
        diag,
        &superdiag,
        u.rb_mut(),
        v.rb_mut(),
        &mut scratch,
        block,
    )?;
    // Ascending from the merges; the SVD's convention is descending.
    diag.reverse();
    for j in 0..n / 2 {
        for m in [u.rb_mut(), v.rb_mut()] {
            swap_columns(m, j, n - 1 - j);
        }
    }
    diag.iter_mut().for_each(|d| *d *= scale);
    Ok(())
}

/// What [`solve`] needs besides the matrices: whether the block has an extra column, the
/// deflation tolerance and the parallelism.
#[derive(Clone, Copy)]
struct Block<T> {
    sqre: bool,
    tolerance: T,
    par: Par,
}

/// Solves the `r × (r + sqre)` block with diagonal `d` (`r`) and superdiagonal `e`
/// (`r − 1 + sqre`): `d` receives its singular values in ascending order, `u` (`r × r`, zero
/// on entry) the left singular vectors and `v` (`(r + sqre)²`, zero on entry) the right ones,
/// the null vector last when `sqre`. `scratch` holds at least [`workspace_len`]`(r)`
/// elements.
fn solve<T: RealElement>(
    d: &mut [T],
    e: &[T],
    mut u: MatMut<'_, T>,
    mut v: MatMut<'_, T>,
    scratch: &mut [T],
    block: Block<T>,
) -> Result<(), NoConvergence> {
    let Block { sqre, par, .. } = block;
    let r = d.len();
    match (r, sqre) {
        (0, false) => return Ok(()),
        (0, true) => {
            v[(0, 0)] = one();
            return Ok(());
        }
        (1, false) => {
            u[(0, 0)] = one();
            v[(0, 0)] = if d[0] < zero() { -one::<T>() } else { one() };
            d[0] = abs(&d[0]);
            return Ok(());
        }
        (1, true) => {
            let sigma = hypot(&d[0], &e[0]);
            u[(0, 0)] = one();
            if sigma == zero() {
                v[(0, 0)] = one();
                v[(1, 1)] = one();
            } else {
                let (c, s) = (d[0] / sigma, e[0] / sigma);
                v[(0, 0)] = c;
                v[(1, 0)] = s;
                v[(0, 1)] = -s;
                v[(1, 1)] = c;
            }
            d[0] = sigma;
            return Ok(());
        }
        _ => {}
    }
    let k = r / 2;
    let alpha = d[k];
    let beta = e.get(k).copied().unwrap_or(zero());
    {
        let (d1, rest) = d.split_at_mut(k);
        let d2 = &mut rest[1..];
        let e1 = &e[..k];
        let e2 = &e[(k + 1).min(e.len())..];
        let (u1, _, _, u2) = u.rb_mut().split_at_mut(k, k);
        let u2 = u2.submatrix_mut(1, 1, r - k - 1, r - k - 1);
        let (v1, _, _, v2) = v.rb_mut().split_at_mut(k + 1, k + 1);
        let (s1, s2) = scratch.split_at_mut(workspace_len(k));
        let first = || {
            solve(
                d1,
                e1,
                u1,
                v1,
                s1,
                Block {
                    sqre: true,
                    ..block
                },
            )
        };
        let second = || solve(d2, e2, u2, v2, s2, block);
        solve_halves(par, r, first, second)?;
    }
    let cut = Cut {
        k,
        alpha,
        beta,
        sqre,
    };
    merge(d, u, v, cut, block.tolerance, scratch, par)
}

/// Swaps columns `a` and `b` of `m`.
fn swap_columns<T: RealElement>(mut m: MatMut<'_, T>, a: usize, b: usize) {
    for i in 0..m.nrows() {
        let x = m[(i, a)];
        m[(i, a)] = m[(i, b)];
        m[(i, b)] = x;
    }
}
