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
//! frees the last eigenvalue: it is the accumulated shift plus the last `q`.

/// Transforms allowed per eigenvalue before giving up (the caller then falls back to faer);
/// a few suffice in practice.
const TRANSFORMS_PER_VALUE: usize = 30;

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

/// The eigenvalues (in no particular order) of the qd form `q`, `e` (`e` one shorter, all
/// entries ≥ 0 and finite), which this overwrites. `None` when the iteration does not
/// converge within [`TRANSFORMS_PER_VALUE`] transforms per eigenvalue.
fn qd_eigenvalues(q: &mut [f64], e: &mut [f64], eps: f64) -> Option<Vec<f64>> {
    let n = q.len();
    let mut values = Vec::with_capacity(n);
    if n == 0 {
        return Some(values);
    }
    let mut new_q = vec![0.0; n];
    let mut new_e = vec![0.0; n - 1];
    let mut budget = TRANSFORMS_PER_VALUE * n;
    // Independent blocks `start..end` still to solve, with the shift each has accumulated.
    let mut blocks = vec![(0, n, 0.0)];
    while let Some((mut start, mut end, mut shift)) = blocks.pop() {
        // The next shift, from the last transform or deflation; None: from a lower bound.
        let mut guess = None;
        while end > start {
            let last = end - 1;
            if last == start {
                values.push(shift + q[last]);
                break;
            }
            // The last eigenvalue, or the last two, are free when their coupling to the rest
            // is below the accuracy wanted: zeroing `√e` moves every singular value of the
            // current `B` by at most `√e` (Weyl), so each eigenvalue `shift + σ²` moves by at
            // most `2σ·√e + e`, which `e ≤ eps²·(shift + q)` keeps below `3·eps` times it
            // (`eps·(shift + q)` is not enough within a cluster).
            let tolerance = eps * eps;
            if e[last - 1] <= tolerance * (shift + q[last]) {
                values.push(shift + q[last]);
                end = last;
                guess = shift_after_deflation(q, e, start, end);
                continue;
            }
            if last - 1 == start || e[last - 2] <= tolerance * (shift + q[last - 1]) {
                let (large, small) = trailing_pair(q[last - 1], e[last - 1], q[last], 0.0);
                values.extend([shift + large, shift + small]);
                end = last - 1;
                guess = shift_after_deflation(q, e, start, end);
                continue;
            }
            // An exact zero (an underflow, or a zero singular value passed down) splits the
            // block; the part above waits with the shift it has so far.
            if let Some(k) = (start..last).rev().find(|&k| e[k] == 0.0) {
                blocks.push((start, k + 1, shift));
                start = k + 1;
                guess = None;
                continue;
            }
            let (rows, couplings) = (start..end, start..last);
            let mut tau = match guess {
                Some(guess) => guess,
                None => lower_bound(&q[rows.clone()], &e[couplings.clone()]),
            };
            let mut fallbacks = 0;
            let smallest_pivot = loop {
                budget = budget.checked_sub(1)?;
                let transformed = transform(
                    &q[rows.clone()],
                    &e[couplings.clone()],
                    tau,
                    &mut new_q[rows.clone()],
                    &mut new_e[couplings.clone()],
                    eps * (shift + tau),
                );
                match (transformed, fallbacks) {
                    (Some(pivot), _) => break pivot,
                    // The guess was above the smallest eigenvalue: a lower bound, then zero
                    // (which always succeeds on valid input).
                    (None, 0) if guess.is_some() => {
                        tau = lower_bound(&q[rows.clone()], &e[couplings.clone()]);
                    }
                    (None, _) if tau > 0.0 => tau = 0.0,
                    (None, _) => return None,
                }
                fallbacks += 1;
            };
            q[rows.clone()].copy_from_slice(&new_q[rows.clone()]);
            e[couplings.clone()].copy_from_slice(&new_e[couplings]);
            shift += tau;
            guess = Some(next_shift(
                &q[rows.clone()],
                &e[start..last],
                smallest_pivot,
            ));
        }
    }
    Some(values)
}

/// One dqds transform of `q`, `e` with shift `tau` into `new_q`, `new_e`. Returns the
/// smallest pivot, or `None` when a pivot goes negative (τ is above the smallest
/// eigenvalue); a last pivot within `tolerance` below zero is taken as zero.
fn transform(
    q: &[f64],
    e: &[f64],
    tau: f64,
    new_q: &mut [f64],
    new_e: &mut [f64],
    tolerance: f64,
) -> Option<f64> {
    let n = q.len();
    let mut d = q[0] - tau;
    let mut smallest = d;
    for k in 0..n - 1 {
        if d < 0.0 || d.is_nan() {
            return None;
        }
        let qk = d + e[k];
        new_q[k] = qk;
        let ratio = q[k + 1] / qk;
        new_e[k] = e[k] * ratio;
        d = d * ratio - tau;
        smallest = smallest.min(d);
    }
    if d < -tolerance || d.is_nan() {
        return None;
    }
    new_q[n - 1] = d.max(0.0);
    Some(smallest.max(0.0))
}

/// The next shift after a successful transform: a little below the smaller of two upper
/// bounds of the smallest eigenvalue, the trailing 2×2 block's smaller eigenvalue and the
/// smallest pivot. The closer the last coupling is to zero, the closer the bounds are to the
/// eigenvalue, and the less is kept in reserve.
fn next_shift(q: &[f64], e: &[f64], smallest_pivot: f64) -> f64 {
    let n = q.len();
    let above = if n > 2 { e[n - 3] } else { 0.0 };
    let (_, small) = trailing_pair(q[n - 2], e[n - 2], q[n - 1], above);
    let reserve = (e[n - 2] / (q[n - 1] + e[n - 2])).clamp(1e-6, 1e-2);
    small.min(smallest_pivot) * (1.0 - reserve)
}

/// The first shift for what is left after a deflation: a little below the new trailing 2×2
/// block's smaller eigenvalue, which the transforms that freed the last eigenvalues have
/// usually brought close (cheaper than a lower bound's extra pass, which remains the
/// fallback). `None` for a block `start..end` of one row (or none), which needs no shift.
fn shift_after_deflation(q: &[f64], e: &[f64], start: usize, end: usize) -> Option<f64> {
    (end >= start + 2).then(|| {
        let last = end - 1;
        let above = if end > start + 2 { e[last - 2] } else { 0.0 };
        trailing_pair(q[last - 1], e[last - 1], q[last], above).1 * 0.99
    })
}

/// A lower bound of the smallest eigenvalue of the qd form `q`, `e` (≥ 0): the larger of
/// `1/trace(T⁻¹)` (from `‖B⁻¹‖²_F`, column by column) and Gershgorin's bound.
fn lower_bound(q: &[f64], e: &[f64]) -> f64 {
    let mut column = 0.0f64; // ‖column k of B⁻¹‖²
    let mut trace = 0.0f64;
    let mut coupling_above = 0.0f64; // e[k-1]
    let mut radius_above = 0.0f64; // |T[k-1][k]|
    let mut gershgorin = f64::INFINITY;
    for (k, &qk) in q.iter().enumerate() {
        let coupling = e.get(k).copied().unwrap_or(0.0);
        column = (coupling_above * column + 1.0) / qk;
        trace += column;
        let radius = (qk * coupling).sqrt();
        gershgorin = gershgorin.min(qk + coupling_above - radius_above - radius);
        coupling_above = coupling;
        radius_above = radius;
    }
    let from_trace = if trace > 0.0 && trace.is_finite() {
        1.0 / trace
    } else {
        0.0
    };
    // A few ulps of reserve for the rounding of both bounds; NaN (from a zero q) gives 0.
    (from_trace.max(gershgorin) * (1.0 - 4.0 * f64::EPSILON)).max(0.0)
}

/// The eigenvalues (larger, smaller) of the trailing 2×2 block of a qd form ending in
/// `q = [.., a, c]`, `e = [.., above, b]`: `[[a + above, √(a·b)], [√(a·b), c + b]]`. Its
/// determinant `a·c + above·(c + b)` has no cancellation, and the smaller eigenvalue is that
/// over the larger one. `above` is 0 for a block of two.
fn trailing_pair(a: f64, b: f64, c: f64, above: f64) -> (f64, f64) {
    let (top, bottom) = (a + above, c + b);
    let large = 0.5 * (top + bottom) + (0.25 * (top - bottom).powi(2) + a * b).sqrt();
    let small = if large > 0.0 {
        (a * c + above * bottom) / large
    } else {
        0.0
    };
    (large, small)
}
