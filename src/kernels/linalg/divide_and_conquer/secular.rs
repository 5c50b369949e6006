//! The secular equation of a rank-one update `D + ρ·z·zᵀ` (`D` diagonal and strictly
//! increasing, every `zᵢ ≠ 0`, `ρ > 0`): its roots, the eigenvalues, and the eigenvectors
//! they give. The poles enter either as they are ([`Linear`], the symmetric tridiagonal
//! eigenproblem) or squared ([`Squared`], the bidiagonal SVD, whose merge is the
//! eigenproblem of `D² + z·zᵀ`).
//!
//! The eigenvalues are the roots of `f(λ) = 1/ρ + Σᵢ zᵢ²/(δᵢ − λ)` (`δᵢ` the pole, `dᵢ` or
//! `dᵢ²`), one in each interval `(δⱼ, δⱼ₊₁)` and the last in `(δₖ₋₁, δₖ₋₁ + ρ·‖z‖²]`. Each root
//! is held as an origin pole `d_o` (the nearer end of its interval) and an offset `τ`, so
//! that every difference `δᵢ − λ = (δᵢ − δ_o) − τ` keeps its relative accuracy even for a
//! root a few ulps from a pole (`δᵢ − δ_o` is computed from the `dᵢ` themselves, as
//! `(dᵢ − d_o)(dᵢ + d_o)` for squares): the eigenvectors need those differences, not the
//! eigenvalues.
//!
//! Roots come from Li's "middle way" iteration (R.-C. Li, 1993; LAPACK's `laed4` uses it):
//! at each step the sum over the poles left of the root and the sum over those right of it
//! are each replaced by one pole (the nearest) plus a constant, fitted to the value and the
//! slope, and the model's root within the bracket is the next iterate; bisection of the
//! bracket takes over whenever the model's root leaves it. Eigenvectors use the recomputed
//! `ẑ` of Gu and Eisenstat (1995), the `z` for which the computed roots are exact, which
//! keeps them orthogonal however close the roots are.
//!
//! The sums over the poles are the whole cost (`O(k)` per evaluation, `O(k²)` per update):
//! they run in lanes of eight, which the compiler vectorizes (the callers dispatch to the
//! CPU's widest vector instructions with `pulp`).

use std::marker::PhantomData;

use faer::Par;
use faer::traits::math_utils::{abs, eps, from_f64, one, recip, sqrt, zero};

use super::parallel::{PerIndex, map_indices};
use crate::kernels::RealElement;

/// The lanes of the vectorized sums.
const LANES: usize = 8;

/// Iterations before a root counts as not found (bisection alone needs fewer than 70 in
/// f64 on any bracket; the model takes 2–5 on ordinary inputs).
const MAX_ITERATIONS: usize = 100;

/// How the poles `dᵢ` enter the secular equation.
pub(super) trait Poles {
    /// `δ(pole) − δ(origin)`, to the relative accuracy of `pole − origin`.
    fn gap<T: RealElement>(pole: T, origin: T) -> T;
}

/// Poles as they are: `δᵢ = dᵢ`.
pub(super) struct Linear;

impl Poles for Linear {
    #[inline(always)]
    fn gap<T: RealElement>(pole: T, origin: T) -> T {
        pole - origin
    }
}

/// Squared poles: `δᵢ = dᵢ²` (the `dᵢ` non-negative).
pub(super) struct Squared;

impl Poles for Squared {
    #[inline(always)]
    fn gap<T: RealElement>(pole: T, origin: T) -> T {
        (pole - origin) * (pole + origin)
    }
}

/// A root `λ = δ(d[origin]) + tau` of the secular equation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Root<T> {
    /// The index of the pole the offset is measured from.
    pub origin: usize,
    /// The offset from that pole (positive from the left end of the interval, negative from
    /// the right one).
    pub tau: T,
}

/// `Σ zᵢ²/Δᵢ` and `Σ (zᵢ/Δᵢ)²` over the poles `d`, with `Δᵢ = (δᵢ − δ(origin)) − τ`.
#[inline(always)]
fn pole_sums<P: Poles, T: RealElement>(d: &[T], z: &[T], origin: T, tau: T) -> (T, T) {
    let mut sum = [zero::<T>(); LANES];
    let mut slope = [zero::<T>(); LANES];
    let (d_lanes, d_rest) = d.as_chunks::<LANES>();
    let (z_lanes, z_rest) = z.as_chunks::<LANES>();
    for (d, z) in d_lanes.iter().zip(z_lanes) {
        for l in 0..LANES {
            let t = z[l] / (P::gap(d[l], origin) - tau);
            sum[l] += z[l] * t;
            slope[l] += t * t;
        }
    }
    for (&d, &z) in d_rest.iter().zip(z_rest) {
        let t = z / (P::gap(d, origin) - tau);
        sum[0] += z * t;
        slope[0] += t * t;
    }
    (lane_sum(sum), lane_sum(slope))
}

/// The sum of the lanes.
#[inline(always)]
fn lane_sum<T: RealElement>(lanes: [T; LANES]) -> T {
    lanes.into_iter().fold(zero(), |a, b| a + b)
}

/// The `j`-th root (ascending, from 0) of the secular equation with poles `d` (strictly
/// increasing, and non-negative for [`Squared`]), weights `z` (non-zero) and `rho > 0`;
/// `z_norm2` is `‖z‖²`. `None` when the iteration does not converge.
#[inline(always)]
pub(super) fn root<P: Poles, T: RealElement>(
    j: usize,
    d: &[T],
    z: &[T],
    rho: T,
    z_norm2: T,
) -> Option<Root<T>> {
    let k = d.len();
    if k == 1 {
        return Some(Root {
            origin: 0,
            tau: rho * z[0] * z[0],
        });
    }
    let rho_inv = recip(&rho);
    let eps = eps::<T>();
    let half = from_f64::<T>(0.5);
    // The poles nearest the root: `split - 1` left of it and `split` right of it, except for
    // the last root, right of both. ψ sums over the poles before `split`, φ over the rest.
    let split = (j + 1).min(k - 1);
    // The first iterate: the interval's midpoint, which also decides which end the root is
    // nearer (its value does not depend on the origin the offset is measured from).
    let (origin, mut lo, mut hi, mut tau, mut at);
    if j + 1 < k {
        let mid = P::gap(d[j + 1], d[j]) * half;
        at = evaluate::<P, T>(d, z, split, rho_inv, d[j], mid);
        if at.f >= zero() {
            (origin, lo, hi, tau) = (j, zero(), mid, mid);
        } else {
            (origin, lo, hi, tau) = (j + 1, P::gap(d[j], d[j + 1]), zero(), -mid);
        }
    } else {
        let upper = rho * z_norm2;
        (origin, lo, hi, tau) = (k - 1, zero(), upper, upper * half);
        at = evaluate::<P, T>(d, z, split, rho_inv, d[origin], tau);
    }
    let d_origin = d[origin];
    for _ in 0..MAX_ITERATIONS {
        // A bound on the rounding error of `f` (every term left of the root is negative, and
        // right of it positive), plus the error of representing the root by `tau`.
        let error = from_f64::<T>(8.0) * (abs(&at.phi) - at.psi)
            + from_f64::<T>(2.0) * rho_inv
            + from_f64::<T>(3.0) * abs(&tau) * (at.psi_slope + at.phi_slope);
        if abs(&at.f) <= eps * error {
            return Some(Root { origin, tau });
        }
        if at.f < zero() {
            lo = tau;
        } else {
            hi = tau;
        }
        let step = model_step(
            &at,
            P::gap(d[split - 1], d_origin) - tau,
            P::gap(d[split], d_origin) - tau,
            (lo - tau, hi - tau),
        );
        let next = step
            .map(|step| tau + step)
            .filter(|&next| next > lo && next < hi);
        // `tau` is an end of the bracket now, so a step too small to move it falls back to
        // bisection, which ends once no float lies strictly inside the bracket.
        tau = match next {
            Some(next) => next,
            None => {
                let mid = (lo + hi) * half;
                if mid <= lo || mid >= hi {
                    return Some(Root { origin, tau });
                }
                mid
            }
        };
        at = evaluate::<P, T>(d, z, split, rho_inv, d_origin, tau);
    }
    None
}

/// The secular function at `δ(d_origin) + tau`, its sums split at `split`.
#[inline(always)]
fn evaluate<P: Poles, T: RealElement>(
    d: &[T],
    z: &[T],
    split: usize,
    rho_inv: T,
    d_origin: T,
    tau: T,
) -> Evaluation<T> {
    let (psi, psi_slope) = pole_sums::<P, T>(&d[..split], &z[..split], d_origin, tau);
    let (phi, phi_slope) = pole_sums::<P, T>(&d[split..], &z[split..], d_origin, tau);
    Evaluation {
        f: rho_inv + psi + phi,
        psi,
        phi,
        psi_slope,
        phi_slope,
    }
}

/// The secular function and its left (ψ) and right (φ) sums, with their slopes, at an
/// iterate.
struct Evaluation<T> {
    f: T,
    psi: T,
    phi: T,
    psi_slope: T,
    phi_slope: T,
}

/// The step to the root of the model `a + b/(Δₗ − η) + c/(Δᵣ − η)` fitted to the value and
/// to the slopes of the left and right sums at the iterate `at` (`Δₗ`, `Δᵣ`: the differences
/// to the two nearest poles), if it lies strictly within `bracket` (relative to the iterate).
/// The model is monotonic between its poles and right of them, so at most one of its two
/// roots can lie in a bracket within either.
fn model_step<T: RealElement>(at: &Evaluation<T>, left: T, right: T, bracket: (T, T)) -> Option<T> {
    let b = left * left * at.psi_slope;
    let c = right * right * at.phi_slope;
    let a = at.f - left * at.psi_slope - right * at.phi_slope;
    // (Δₗ − η)(Δᵣ − η)·model = a·η² + a1·η + a0, with a0 = f·Δₗ·Δᵣ (its value at η = 0).
    let a1 = -(a * (left + right) + b + c);
    let a0 = at.f * left * right;
    let discriminant = a1 * a1 - from_f64::<T>(4.0) * a * a0;
    let root = sqrt(&if discriminant > zero() {
        discriminant
    } else {
        zero()
    });
    // q has |a1|'s magnitude or more: a0/q and q/a are the roots without cancellation.
    let q = if a1 >= zero() {
        -(a1 + root)
    } else {
        root - a1
    } * from_f64::<T>(0.5);
    let inside = |eta: T| (eta > bracket.0 && eta < bracket.1).then_some(eta);
    let small = (q != zero()).then(|| a0 / q).and_then(inside);
    small.or_else(|| (a != zero()).then(|| q / a).and_then(inside))
}

/// Gu and Eisenstat's `ẑᵢ` for the poles `d` and the roots (`origins[j]` holds
/// `d[roots[j].origin]`, `taus[j]` the offset): `|ẑᵢ|² = Πⱼ (λⱼ − δᵢ) / (ρ·Πⱼ≠ᵢ (δⱼ − δᵢ))`,
/// with the sign of `zᵢ`. The factor `1/ρ` is left out (exact for `ρ = 1`; otherwise each
/// eigenvector is normalized after).
#[inline(always)]
pub(super) fn repaired_weight<P: Poles, T: RealElement>(
    i: usize,
    d: &[T],
    z: &[T],
    origins: &[T],
    taus: &[T],
) -> T {
    let di = d[i];
    let k = d.len();
    let below = ratio_product::<P, T>(&d[..i], &origins[..i], &taus[..i], di);
    let above = ratio_product::<P, T>(&d[i + 1..], &origins[i + 1..k], &taus[i + 1..k], di);
    let own = P::gap(origins[i], di) + taus[i];
    let magnitude = sqrt(&abs(&(own * below * above)));
    if z[i] < zero() { -magnitude } else { magnitude }
}

/// `Πⱼ (λⱼ − δᵢ)/(δⱼ − δᵢ)` over the poles `d` and roots `δ(origins) + taus` given.
#[inline(always)]
fn ratio_product<P: Poles, T: RealElement>(d: &[T], origins: &[T], taus: &[T], di: T) -> T {
    let mut product = [one::<T>(); LANES];
    let (d_lanes, d_rest) = d.as_chunks::<LANES>();
    let (o_lanes, o_rest) = origins.as_chunks::<LANES>();
    let (t_lanes, t_rest) = taus.as_chunks::<LANES>();
    for ((d, o), t) in d_lanes.iter().zip(o_lanes).zip(t_lanes) {
        for l in 0..LANES {
            product[l] *= (P::gap(o[l], di) + t[l]) / P::gap(d[l], di);
        }
    }
    for ((&d, &o), &t) in d_rest.iter().zip(o_rest).zip(t_rest) {
        product[0] *= (P::gap(o, di) + t) / P::gap(d, di);
    }
    product.into_iter().fold(one(), |a, b| a * b)
}

/// The unit eigenvector of the root `δ(d_origin) + tau` in `column`: `ẑᵢ/(δᵢ − λ)`,
/// normalized, for the poles `d` and weights `z` (in whatever order the caller keeps them).
#[inline(always)]
pub(super) fn eigenvector<P: Poles, T: RealElement>(
    column: &mut [T],
    d: &[T],
    z: &[T],
    d_origin: T,
    tau: T,
) {
    let norm2 = fill_column(column, d, z, |d, z| z / (P::gap(d, d_origin) - tau));
    scale_column(column, norm2);
}

/// The unit left singular vector, in `column`, of the root `σ² = d_origin² + tau` of the
/// squared secular equation whose first pole is the zero pole of the merge's arrow matrix
/// `[zᵀ; 0 D]`: `−1` first, then `dᵢ·ẑᵢ/(dᵢ² − σ²)`, normalized (the right one is
/// [`eigenvector`]).
#[inline(always)]
pub(super) fn left_singular_vector<T: RealElement>(
    column: &mut [T],
    d: &[T],
    z: &[T],
    d_origin: T,
    tau: T,
) {
    let (first, rest) = column.split_at_mut(1);
    let norm2 = fill_column(rest, &d[1..], &z[1..], |d, z| {
        d * z / (Squared::gap(d, d_origin) - tau)
    });
    first[0] = -one::<T>();
    scale_column(column, norm2 + one::<T>());
}

/// Fills `column[i]` with `entry(d[i], z[i])`, in lanes; returns the squared norm.
#[inline(always)]
fn fill_column<T: RealElement>(column: &mut [T], d: &[T], z: &[T], entry: impl Fn(T, T) -> T) -> T {
    let mut norm2 = [zero::<T>(); LANES];
    let (c_lanes, c_rest) = column.as_chunks_mut::<LANES>();
    let (d_lanes, d_rest) = d.as_chunks::<LANES>();
    let (z_lanes, z_rest) = z.as_chunks::<LANES>();
    for ((c, d), z) in c_lanes.iter_mut().zip(d_lanes).zip(z_lanes) {
        for l in 0..LANES {
            c[l] = entry(d[l], z[l]);
            norm2[l] += c[l] * c[l];
        }
    }
    for ((c, &d), &z) in c_rest.iter_mut().zip(d_rest).zip(z_rest) {
        *c = entry(d, z);
        norm2[0] += *c * *c;
    }
    lane_sum(norm2)
}

/// Divides `column` by the square root of `norm2`.
#[inline(always)]
fn scale_column<T: RealElement>(column: &mut [T], norm2: T) {
    let scale = recip(&sqrt(&norm2));
    column.iter_mut().for_each(|c| *c *= scale);
}

/// A solved secular equation: each root as its origin pole's value and its offset, and Gu
/// and Eisenstat's weights `ẑ` for those roots.
pub(super) struct Solution<T> {
    /// `d[origin]` of each root, ascending with the roots.
    pub origins: Vec<T>,
    /// The offset of each root from its origin.
    pub taus: Vec<T>,
    /// The recomputed weights, one per pole.
    pub z_hat: Vec<T>,
}

/// Solves the secular equation with poles `d`, weights `z` and `rho > 0` on the pool: every
/// root, then the weights. `None` when the poles are not strictly increasing (what
/// deflation should leave, but the solver cannot take anything else) or a root does not
/// converge.
pub(super) fn solve<P: Poles + Sync, T: RealElement>(
    d: &[T],
    z: &[T],
    rho: T,
    par: Par,
) -> Option<Solution<T>> {
    if d.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    let k = d.len();
    let z_norm2 = z.iter().fold(zero::<T>(), |s, &z| s + z * z);
    let roots = map_indices(
        k,
        par,
        &Roots {
            d,
            z,
            rho,
            z_norm2,
            poles: PhantomData::<P>,
        },
    )
    .into_iter()
    .collect::<Option<Vec<_>>>()?;
    let origins: Vec<T> = roots.iter().map(|r| d[r.origin]).collect();
    let taus: Vec<T> = roots.iter().map(|r| r.tau).collect();
    let z_hat = map_indices(
        k,
        par,
        &Weights {
            d,
            z,
            origins: &origins,
            taus: &taus,
            poles: PhantomData::<P>,
        },
    );
    Some(Solution {
        origins,
        taus,
        z_hat,
    })
}

/// The roots of one secular equation, as [`PerIndex`] work.
struct Roots<'a, P, T> {
    d: &'a [T],
    z: &'a [T],
    rho: T,
    z_norm2: T,
    poles: PhantomData<P>,
}

impl<P: Poles + Sync, T: RealElement> PerIndex for Roots<'_, P, T> {
    type Output = Option<Root<T>>;

    #[inline(always)]
    fn at(&self, j: usize) -> Self::Output {
        root::<P, T>(j, self.d, self.z, self.rho, self.z_norm2)
    }
}

/// Gu and Eisenstat's weights for the roots `δ(origins) + taus`, as [`PerIndex`] work.
struct Weights<'a, P, T> {
    d: &'a [T],
    z: &'a [T],
    origins: &'a [T],
    taus: &'a [T],
    poles: PhantomData<P>,
}

impl<P: Poles + Sync, T: RealElement> PerIndex for Weights<'_, P, T> {
    type Output = T;

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        repaired_weight::<P, T>(i, self.d, self.z, self.origins, self.taus)
    }
}
