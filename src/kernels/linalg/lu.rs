//! LU factorization with partial pivoting, as LAPACK's `getrf` and `jax.lax.linalg.lu`.
//!
//! faer's own partial-pivoting LU scales the column under a zero pivot by `1/0`, which turns
//! an exactly singular matrix into NaN; `getrf` instead records the zero pivot and goes on.
//! So the recursion (Toledo's, as `getrf2`) is written here, with faer's triangular solve and
//! matrix product doing the level-3 work.

use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::solve_unit_lower_triangular_in_place;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::traits::math_utils::{abs, abs1, min_positive, one, recip, zero};
use faer::{Accum, MatMut, Par};

use super::{Batch, Element, KernelError, chunks, chunks_mut, view_mut};
use crate::kernels::{in_pool, par_for_panels};

const KERNEL: &str = "lu";

/// Panels this narrow are factored column by column.
const UNBLOCKED_COLS: usize = 8;

/// Factors each `m × n` matrix of `a` (`shape`) as `P·A = L·U` with partial pivoting.
///
/// - `lu` (`[batch, m, n]`): `L` below the diagonal (its unit diagonal implicit) and `U` on
///   and above it, as `getrf` packs them.
/// - `pivots` (`[batch, min(m, n)]`): `getrf`'s row interchanges, 0-based: row `i` was
///   swapped with row `pivots[i]` at step `i`.
/// - `permutation` (`[batch, m]`): row `i` of `P·A` is row `permutation[i]` of `A`.
///
/// Singular matrices factor without error (zero pivots stay on `U`'s diagonal, as `getrf`
/// leaves them), and NaN in the input propagates to the factors.
pub fn lu<T: Element>(
    a: &[T],
    lu: &mut [T],
    pivots: &mut [i32],
    permutation: &mut [i32],
    shape: Batch,
) -> Result<(), KernelError> {
    let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
    shape.check(KERNEL, "a", a.len())?;
    shape.check(KERNEL, "lu", lu.len())?;
    shape.check_vectors(KERNEL, "pivots", k, pivots.len())?;
    shape.check_vectors(KERNEL, "permutation", m, permutation.len())?;
    if i32::try_from(m).is_err() {
        return Err(KernelError::InvalidShape {
            kernel: KERNEL,
            message: format!("{m} rows do not fit the i32 pivots"),
        });
    }
    let par = par_for_panels(shape.max_dim());
    let mut piv = vec![0usize; k];
    let mut perm = vec![0usize; m];
    let matrices = chunks(a, m * n, shape.batch).zip(chunks_mut(lu, m * n, shape.batch));
    let vectors = chunks_mut(pivots, k, shape.batch).zip(chunks_mut(permutation, m, shape.batch));
    in_pool(par, || {
        for ((a, lu), (pivots, permutation)) in matrices.zip(vectors) {
            lu.copy_from_slice(a);
            factor(view_mut(lu, m, n), &mut piv, par);
            perm.iter_mut().enumerate().for_each(|(i, p)| *p = i);
            for (i, &p) in piv.iter().enumerate() {
                perm.swap(i, p);
            }
            // Both fit in i32: they are below m, checked above.
            pivots
                .iter_mut()
                .zip(&piv)
                .for_each(|(out, &p)| *out = p as i32);
            permutation
                .iter_mut()
                .zip(&perm)
                .for_each(|(out, &p)| *out = p as i32);
        }
    });
    Ok(())
}

/// Factors `a` in place; `piv[i]` receives the row swapped with row `i` at step `i`.
fn factor<T: Element>(a: MatMut<'_, T>, piv: &mut [usize], par: Par) {
    let (m, n) = a.shape();
    if m >= n {
        factor_panel(a, piv, par);
        return;
    }
    // Wide: factor the leading m × m block, then U's remaining columns are L⁻¹·P·A₂.
    let (mut left, mut right) = a.split_at_col_mut(m);
    factor_panel(left.rb_mut(), piv, par);
    swap_rows(right.rb_mut(), piv);
    solve_unit_lower_triangular_in_place(left.rb(), right, par);
}

/// Recursive LU of an `m × n` panel with `n ≤ m`; `piv` holds the pivot rows relative to
/// the panel's first row.
fn factor_panel<T: Element>(mut a: MatMut<'_, T>, piv: &mut [usize], par: Par) {
    let n = a.ncols();
    if n <= UNBLOCKED_COLS {
        factor_unblocked(a, piv);
        return;
    }
    let n1 = n / 2;
    let (mut left, mut right) = a.rb_mut().split_at_col_mut(n1);
    let (piv1, piv2) = piv.split_at_mut(n1);
    factor_panel(left.rb_mut(), piv1, par);
    swap_rows(right.rb_mut(), piv1);
    let (l11, l21) = left.rb_mut().split_at_row_mut(n1);
    let (mut a12, mut a22) = right.split_at_row_mut(n1);
    solve_unit_lower_triangular_in_place(l11.rb(), a12.rb_mut(), par);
    matmul(
        a22.rb_mut(),
        Accum::Add,
        l21.rb(),
        a12.rb(),
        -one::<T>(),
        par,
    );
    factor_panel(a22, piv2, par);
    // The second half's interchanges act on the rows below n1, in the first half too.
    let (_, l21) = left.split_at_row_mut(n1);
    swap_rows(l21, piv2);
    piv2.iter_mut().for_each(|p| *p += n1);
}

/// `getf2`: LU of a narrow panel, one column at a time.
fn factor_unblocked<T: Element>(mut a: MatMut<'_, T>, piv: &mut [usize]) {
    let (m, n) = a.shape();
    for j in 0..n {
        // The first entry of largest |re| + |im|, as i?amax.
        let mut p = j;
        let mut max = abs1(&a[(j, j)]);
        for i in j + 1..m {
            let v = abs1(&a[(i, j)]);
            if v > max {
                max = v;
                p = i;
            }
        }
        piv[j] = p;
        if p != j {
            for c in 0..n {
                let t = a[(j, c)];
                a[(j, c)] = a[(p, c)];
                a[(p, c)] = t;
            }
        }
        let pivot = a[(j, j)];
        if pivot == zero() {
            // A zero pivot: the column below is zero too, and stays so (getrf's info > 0).
            continue;
        }
        // Like getf2: multiply by the reciprocal unless it would overflow.
        let scale_by_recip = abs(&pivot) >= min_positive();
        let inv = recip(&pivot);
        for i in j + 1..m {
            let l = if scale_by_recip {
                a[(i, j)] * inv
            } else {
                a[(i, j)] / pivot
            };
            a[(i, j)] = l;
            for c in j + 1..n {
                let u = a[(j, c)];
                a[(i, c)] -= l * u;
            }
        }
    }
}

/// Applies the interchanges `piv` (row `i` with row `piv[i]`, in order) to `a`.
fn swap_rows<T: Element>(mut a: MatMut<'_, T>, piv: &[usize]) {
    for (i, &p) in piv.iter().enumerate() {
        if p != i {
            for c in 0..a.ncols() {
                let t = a[(i, c)];
                a[(i, c)] = a[(p, c)];
                a[(p, c)] = t;
            }
        }
    }
}
