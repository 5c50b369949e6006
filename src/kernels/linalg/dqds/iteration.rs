//! The dqds iteration on a qd form: the transform, the choice of shifts, and deflation.
//!
//! Shifts: each transform also accumulates, for every leading block of the new matrix,
//! `trace(T⁻¹)` and `trace(T⁻²)` (from the columns of `B⁻¹`, in the same pass and off its
//! critical path), which give Laguerre's lower bound of the smallest eigenvalue: a shift that
//! cannot fail, converging cubically once that eigenvalue stands apart. Where the trailing
//! 2×2 block has nearly converged, an estimate from above (its smaller eigenvalue, less the
//! coupling to the row above it squared over their gap) is closer still; it is tried first,
//! and the lower bound is the fallback, zero the last resort.
//!
//! Deflation: the last eigenvalue is free when zeroing its coupling moves no eigenvalue by more
//! than the accuracy wanted. Two tests: Weyl's (`e ≤ eps²·λ`), which always holds, and a
//! sharper one from the gap to the rest of the matrix (the coupling squared over the gap,
//! Li and Li's quadratic bound), with the rest's smallest eigenvalue bounded from below by
//! Laguerre's bound of the leading block.

/// Transforms allowed per eigenvalue before giving up (the caller then falls back to faer);
/// three or four suffice in practice.
const TRANSFORMS_PER_VALUE: usize = 30;

/// `trace(T₁⁻¹)` and `trace(T₁⁻²)` of a leading block `T₁` of the current matrix.
#[derive(Clone, Copy, Debug, Default)]
struct InverseTraces {
    first: f64,
    second: f64,
}

/// A block `start..end` of the qd arrays, independent of the rest, and the shift it has
/// accumulated: its eigenvalues are `shift` plus those of its current qd form.
struct Block {
    start: usize,
    end: usize,
    shift: f64,
}

/// The eigenvalues (in no particular order) of the qd form `q`, `e` (`e` one shorter, all
/// entries ≥ 0 and finite), which this overwrites; `eps` is the relative accuracy wanted.
/// `None` when the iteration does not converge within [`TRANSFORMS_PER_VALUE`] transforms per
/// eigenvalue.
pub(super) fn qd_eigenvalues(q: &mut [f64], e: &mut [f64], eps: f64) -> Option<Vec<f64>> {
    let n = q.len();
    let mut values = Vec::with_capacity(n);
    if n == 0 {
        return Some(values);
    }
    let mut new_q = vec![0.0; n];
    let mut new_e = vec![0.0; n - 1];
    // traces[k]: those of the leading (k + 1) × (k + 1) block, from the last transform.
    let mut traces = vec![InverseTraces::default(); n];
    let mut budget = TRANSFORMS_PER_VALUE * n;
    let mut blocks = vec![Block {
        start: 0,
        end: n,
        shift: 0.0,
    }];
    while let Some(Block {
        mut start,
        mut end,
        mut shift,
    }) = blocks.pop()
    {
        // Whether `traces` describe this block's current form, and the smallest pivot of its
        // last transform (an upper bound of its smallest eigenvalue; ∞ after a deflation).
        let mut traces_valid = false;
        let mut smallest_pivot = f64::INFINITY;
        while end > start {
            let last = end - 1;
            if last == start {
                values.push(shift + q[last]);
                break;
            }
            let rest = traces_valid.then(|| laguerre_bound(last - start, traces[last - 1]));
            if last_is_free(q, e, last, shift, rest, eps) {
                values.push(shift + q[last]);
                end = last;
                smallest_pivot = f64::INFINITY;
                continue;
            }
            if last - 1 == start || e[last - 2] <= eps * eps * (shift + q[last - 1]) {
                let (large, small) = trailing_pair(q[last - 1], e[last - 1], q[last], 0.0);
                values.extend([shift + large, shift + small]);
                end = last - 1;
                smallest_pivot = f64::INFINITY;
                continue;
            }
            // An exact zero (an underflow, or a zero singular value passed down) splits the
            // block; the part above waits with the shift it has so far.
            if let Some(k) = (start..last).rev().find(|&k| e[k] == 0.0) {
                blocks.push(Block {
                    start,
                    end: k + 1,
                    shift,
                });
                start = k + 1;
                traces_valid = false;
                continue;
            }
            let (rows, couplings) = (start..end, start..last);
            let lower = if traces_valid {
                laguerre_bound(end - start, traces[last])
            } else {
                0.0
            };
            let mut tau = if traces_valid {
                lower.max(estimate_from_above(q, e, start, last, smallest_pivot))
            } else {
                lower
            };
            let pivot = loop {
                budget = budget.checked_sub(1)?;
                let transformed = transform(
                    &q[rows.clone()],
                    &e[couplings.clone()],
                    tau,
                    &mut new_q[rows.clone()],
                    &mut new_e[couplings.clone()],
                    &mut traces[rows.clone()],
                    eps * (shift + tau),
                );
                match transformed {
                    Some(pivot) => break pivot,
                    // Above the smallest eigenvalue: the lower bound (which fails only by
                    // rounding), then zero (which cannot fail on valid input).
                    None if tau > lower => tau = lower,
                    None if tau > 0.0 => tau = 0.0,
                    None => return None,
                }
            };
            q[rows.clone()].copy_from_slice(&new_q[rows.clone()]);
            e[couplings.clone()].copy_from_slice(&new_e[couplings]);
            shift += tau;
            traces_valid = true;
            smallest_pivot = pivot;
        }
    }
    Some(values)
}

/// Whether the last eigenvalue (row `last`) is free: zeroing `e[last - 1]` moves every
/// eigenvalue by less than `eps` times the freed one. `rest` is a lower bound of the smallest
/// eigenvalue of the rows above, when known.
fn last_is_free(
    q: &[f64],
    e: &[f64],
    last: usize,
    shift: f64,
    rest: Option<f64>,
    eps: f64,
) -> bool {
    let (coupling, value) = (e[last - 1], shift + q[last]);
    // Weyl: zeroing √e moves every singular value of the current B by at most √e, so each
    // eigenvalue `shift + σ²` by at most 2σ·√e + e, below 3·eps times itself when e ≤ eps²·λ.
    if coupling <= eps * eps * value {
        return true;
    }
    // Li and Li: with the last diagonal entry γ = q + e a gap δ below the rest's spectrum, the
    // off-diagonal entry β (β² = q[last - 1]·e) moves the eigenvalues by at most β²/δ, and the
    // diagonal by e.
    let Some(rest) = rest else { return false };
    let gap = rest - (q[last] + coupling);
    gap > 0.0 && coupling + q[last - 1] * coupling / gap <= 0.5 * eps * value
}

/// An estimate of the smallest eigenvalue from above, for when the bottom has nearly
/// converged: the smaller of the trailing 2×2 block's smaller eigenvalue and the last smallest
/// pivot (both upper bounds), less the most the coupling of the block to the row above can
/// have raised it (that coupling squared over their gap).
fn estimate_from_above(
    q: &[f64],
    e: &[f64],
    start: usize,
    last: usize,
    smallest_pivot: f64,
) -> f64 {
    let above = if last - 1 > start { e[last - 2] } else { 0.0 };
    let (_, small) = trailing_pair(q[last - 1], e[last - 1], q[last], above);
    let upper = small.min(smallest_pivot);
    if last - 1 == start {
        // The block is the 2×2 itself: its eigenvalue is exact up to rounding.
        return upper * (1.0 - 8.0 * f64::EPSILON);
    }
    let coupling = q[last - 2] * e[last - 2];
    let diagonal = q[last - 2] + if last - 2 > start { e[last - 3] } else { 0.0 };
    let gap = diagonal - upper;
    if gap > 0.0 {
        (upper - 2.0 * coupling / gap).min(upper * (1.0 - 8.0 * f64::EPSILON))
    } else {
        0.0
    }
}

/// Laguerre's lower bound of the smallest of the `m` eigenvalues (all positive) of a matrix
/// with inverse traces `traces`: from `S₁ = Σ 1/λ` and `S₂ = Σ 1/λ²`, the root of Laguerre's
/// iteration from zero, `m / (S₁ + √((m − 1)(m·S₂ − S₁²)))`, which never passes the smallest
/// eigenvalue. A few ulps are kept in reserve for rounding; 0 when the traces are infinite (a
/// zero eigenvalue).
fn laguerre_bound(m: usize, traces: InverseTraces) -> f64 {
    let m = m as f64;
    let spread = ((m - 1.0) * (m * traces.second - traces.first * traces.first))
        .max(0.0)
        .sqrt();
    let bound = m / (traces.first + spread);
    if bound.is_finite() {
        (bound * (1.0 - 8.0 * f64::EPSILON)).max(0.0)
    } else {
        0.0
    }
}

/// One dqds transform of `q`, `e` with shift `tau` into `new_q`, `new_e`, which also fills
/// `traces` for the new form's leading blocks. Returns the smallest pivot, or `None` when a
/// pivot goes negative (`tau` is above the smallest eigenvalue); a last pivot within
/// `tolerance` below zero is taken as zero.
///
/// The traces come from the columns `c_j` of `B⁻¹` (`B` the new bidiagonal): with
/// `ρ_j² = e[j-1]/q[j]`, `‖c_j‖² = (e[j-1]·‖c_{j-1}‖² + 1)/q[j]` sums to `trace(T⁻¹)`, and
/// `trace(T⁻²) = ‖B⁻ᵀB⁻¹‖²_F` sums `‖c_j‖⁴` plus twice the squared products of earlier
/// columns, `Σ_{l<j} (c_l·c_j)² = ρ_j²·(that sum for j − 1 + ‖c_{j-1}‖⁴)`.
fn transform(
    q: &[f64],
    e: &[f64],
    tau: f64,
    new_q: &mut [f64],
    new_e: &mut [f64],
    traces: &mut [InverseTraces],
    tolerance: f64,
) -> Option<f64> {
    let n = q.len();
    let mut d = q[0] - tau;
    let mut smallest = d;
    let mut sums = ColumnSums::default();
    for k in 0..n - 1 {
        if d < 0.0 || d.is_nan() {
            return None;
        }
        let qk = d + e[k];
        new_q[k] = qk;
        // One division a step: the ratio q[k+1]/qk goes through the reciprocal, which the
        // traces need too (two roundings instead of one, still a small relative error).
        let reciprocal = 1.0 / qk;
        let ratio = q[k + 1] * reciprocal;
        new_e[k] = e[k] * ratio;
        d = d * ratio - tau;
        smallest = smallest.min(d);
        traces[k] = sums.add(reciprocal);
        sums.coupling = new_e[k];
    }
    if d < -tolerance || d.is_nan() {
        return None;
    }
    let d = d.max(0.0);
    new_q[n - 1] = d;
    traces[n - 1] = sums.add(1.0 / d);
    Some(smallest.max(0.0))
}

/// The running sums of [`transform`]'s traces.
#[derive(Default)]
struct ColumnSums {
    /// `‖c_{j-1}‖²`.
    column: f64,
    /// `Σ_{l<j-1} (c_l·c_{j-1})²`.
    cross: f64,
    /// The new `e[j-1]` (0 for the first column).
    coupling: f64,
    traces: InverseTraces,
}

impl ColumnSums {
    /// Adds column `j`, given `1/q[j]`; returns the traces of the leading `j + 1` rows.
    fn add(&mut self, reciprocal: f64) -> InverseTraces {
        let rho_squared = self.coupling * reciprocal;
        self.cross = rho_squared * (self.cross + self.column * self.column);
        self.column = (self.coupling * self.column + 1.0) * reciprocal;
        self.traces.first += self.column;
        self.traces.second += self.column * self.column + 2.0 * self.cross;
        self.traces
    }
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
