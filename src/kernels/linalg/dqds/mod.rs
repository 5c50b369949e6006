//! The dqds algorithm (the differential quotient-difference algorithm with shifts, Fernando
//! and Parlett 1994): the eigenvalues of a positive semidefinite symmetric tridiagonal matrix
//! held in qd form, in O(n²) operations with one division and no square root per step, each
//! to high relative accuracy.
//!
//! It serves the results without vectors, where faer's tridiagonal and bidiagonal solvers
//! (QR iteration, divide and conquer) cost three to eight times as much: the singular values
//! of a bidiagonal matrix (`svd` without `compute_uv`; LAPACK's `gesdd` takes the same route
//! through `lasq1`) and the eigenvalues of a symmetric tridiagonal matrix (`eigh` without
//! vectors), shifted to a positive definite one first.
//!
//! The qd form: `q` (n entries) and `e` (n − 1), all ≥ 0, stand for `T = BᵀB` with `B` upper
//! bidiagonal with `√q` on the diagonal and `√e` above it, so `T[i][i] = q[i] + e[i-1]` and
//! `T[i][i+1]² = q[i]·e[i]`. A transform with shift `τ` computes the qd form of `BBᵀ − τI`:
//! the same eigenvalues less `τ`. It succeeds (every new entry ≥ 0) exactly when `τ` is at
//! most the smallest eigenvalue, and repeated transforms drive the last `e` to zero, which
//! frees the last eigenvalue: it is the accumulated shift plus the last `q`. The iteration
//! itself (shifts, deflation) is in [`iteration`].

mod iteration;

use iteration::qd_eigenvalues;

/// The singular values of the upper bidiagonal matrix with `diag` on its diagonal and
/// `superdiag` (one shorter, or empty when `diag` is) above it, in descending order; `eps`
/// is the relative accuracy wanted (the input type's machine epsilon). `None` when the input
/// is not finite or the iteration does not converge.
pub(super) fn bidiagonal_singular_values(
    diag: &[f64],
    superdiag: &[f64],
    eps: f64,
) -> Option<Vec<f64>> {
    let scale = largest_magnitude(diag.iter().chain(superdiag))?;
    if scale == 0.0 {
        return Some(vec![0.0; diag.len()]);
    }
    // Scaled to a largest entry of 1, the squares neither overflow nor lose more than what is
    // below 1e-154 of the largest (f64), far under the result's accuracy.
    let mut q: Vec<f64> = diag.iter().map(|d| (d / scale).powi(2)).collect();
    let mut e: Vec<f64> = superdiag.iter().map(|s| (s / scale).powi(2)).collect();
    let mut values = qd_eigenvalues(&mut q, &mut e, eps)?;
    values
        .iter_mut()
        .for_each(|v| *v = v.max(0.0).sqrt() * scale);
    values.sort_by(|a, b| b.total_cmp(a));
    Some(values)
}

/// The eigenvalues of the symmetric tridiagonal matrix with `diag` on its diagonal and
/// `offdiag` (one shorter, or empty when `diag` is) beside it, in ascending order, to an
/// absolute accuracy of a few `eps` times its norm. `None` when the input is not finite or
/// the iteration does not converge.
///
/// The matrix is shifted below Gershgorin's lower bound and factored as `T − σI = LDLᵀ`,
/// whose qd form is `q = D`, `e = L²D`; its eigenvalues plus `σ` are `T`'s.
pub(super) fn tridiagonal_eigenvalues(diag: &[f64], offdiag: &[f64], eps: f64) -> Option<Vec<f64>> {
    let n = diag.len();
    let scale = largest_magnitude(diag.iter().chain(offdiag))?;
    if scale == 0.0 {
        return Some(vec![0.0; n]);
    }
    let a: Vec<f64> = diag.iter().map(|x| x / scale).collect();
    let b: Vec<f64> = offdiag.iter().map(|x| x / scale).collect();
    let coupling = |i: usize| b.get(i).map_or(0.0, |x| x.abs());
    let gershgorin = (0..n)
        .map(|i| a[i] - coupling(i) - i.checked_sub(1).map_or(0.0, coupling))
        .fold(f64::INFINITY, f64::min);
    // The factorization of a matrix this close to singular can still break down in
    // rounding; each retry moves the shift further below.
    let mut margin = 4.0 * eps * n as f64;
    for _ in 0..16 {
        let sigma = gershgorin - margin;
        if let Some((mut q, mut e)) = shifted_ldl(&a, &b, sigma) {
            let mut values = qd_eigenvalues(&mut q, &mut e, eps)?;
            values.iter_mut().for_each(|v| *v = (sigma + *v) * scale);
            values.sort_by(f64::total_cmp);
            return Some(values);
        }
        margin *= 8.0;
    }
    None
}

/// The largest magnitude among `values` (0 for none), or `None` when one is not finite.
fn largest_magnitude<'a>(values: impl Iterator<Item = &'a f64>) -> Option<f64> {
    let mut largest = 0.0f64;
    for v in values {
        if !v.is_finite() {
            return None;
        }
        largest = largest.max(v.abs());
    }
    Some(largest)
}

/// The qd form of `T − σI = LDLᵀ` for the tridiagonal `T` with diagonal `a` and off-diagonal
/// `b`, or `None` when a pivot is not positive (σ is not below the spectrum in rounding).
fn shifted_ldl(a: &[f64], b: &[f64], sigma: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    let mut q = Vec::with_capacity(a.len());
    let mut e = Vec::with_capacity(b.len());
    let mut pivot = a[0] - sigma;
    for i in 0..b.len() {
        if pivot <= 0.0 || !pivot.is_finite() {
            return None;
        }
        q.push(pivot);
        let ei = b[i] * b[i] / pivot;
        e.push(ei);
        pivot = a[i + 1] - sigma - ei;
    }
    if pivot <= 0.0 || !pivot.is_finite() {
        return None;
    }
    q.push(pivot);
    Some((q, e))
}
