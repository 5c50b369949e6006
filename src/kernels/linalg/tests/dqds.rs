//! dqds against closed forms, invariants that hold to high relative accuracy (determinant,
//! trace, Frobenius norm), and Sturm-count bisection written here in plain f64.

use super::super::dqds::{bidiagonal_singular_values, tridiagonal_eigenvalues};

const EPS: f64 = f64::EPSILON;

/// The number of eigenvalues below `x` of the symmetric tridiagonal (`a`, `b`): the negative
/// pivots of `T − xI = LDLᵀ` (Sylvester's law of inertia).
fn count_below(a: &[f64], b: &[f64], x: f64) -> usize {
    let mut count = 0;
    let mut pivot = 1.0f64;
    for i in 0..a.len() {
        let coupling = if i > 0 { b[i - 1] * b[i - 1] } else { 0.0 };
        pivot = a[i] - x - if i > 0 { coupling / pivot } else { 0.0 };
        if pivot == 0.0 {
            pivot = -f64::MIN_POSITIVE;
        }
        if pivot < 0.0 {
            count += 1;
        }
    }
    count
}

/// The eigenvalues of (`a`, `b`) in ascending order, by bisection to the last bit.
fn bisection_eigenvalues(a: &[f64], b: &[f64]) -> Vec<f64> {
    let radius =
        |i: usize| b.get(i).map_or(0.0, |x| x.abs()) + i.checked_sub(1).map_or(0.0, |j| b[j].abs());
    let low = (0..a.len())
        .map(|i| a[i] - radius(i))
        .fold(f64::INFINITY, f64::min);
    let high = (0..a.len())
        .map(|i| a[i] + radius(i))
        .fold(f64::NEG_INFINITY, f64::max);
    (0..a.len())
        .map(|k| {
            let (mut lo, mut hi) = (low, high);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if count_below(a, b, mid) > k {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            0.5 * (lo + hi)
        })
        .collect()
}

/// The singular values of the bidiagonal (`d`, `e`) in descending order: the largest half of
/// the eigenvalues of its Golub–Kahan form (zero diagonal, `d1, e1, d2, …, dn` beside it).
fn bisection_singular_values(d: &[f64], e: &[f64]) -> Vec<f64> {
    let n = d.len();
    let off: Vec<f64> = (0..2 * n - 1)
        .map(|i| if i % 2 == 0 { d[i / 2] } else { e[i / 2] })
        .collect();
    let mut values = bisection_eigenvalues(&vec![0.0; 2 * n], &off);
    values.reverse();
    values.truncate(n);
    values.iter().map(|v| v.max(0.0)).collect()
}

/// A deterministic pseudo-random sequence in [-0.5, 0.5).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

fn assert_close(name: &str, got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{name}: count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance,
            "{name}: value {i} is {g}, want {w} (tolerance {tolerance:e})"
        );
    }
}

#[test]
fn bidiagonal_of_ones_has_closed_form_singular_values() {
    // σ_k = 2·cos(kπ/(2n + 1)).
    for n in [1, 2, 3, 10, 100, 400] {
        let got = bidiagonal_singular_values(&vec![1.0; n], &vec![1.0; n - 1], EPS).unwrap();
        let want: Vec<f64> = (1..=n)
            .map(|k| 2.0 * (k as f64 * std::f64::consts::PI / (2 * n + 1) as f64).cos())
            .collect();
        assert_close(&format!("n = {n}"), &got, &want, 8.0 * EPS);
    }
}

#[test]
fn second_difference_matrix_has_closed_form_eigenvalues() {
    // λ_k = 2 − 2·cos(kπ/(n + 1)), also scaled far from 1 and shifted.
    for n in [1, 2, 5, 100, 400] {
        let want: Vec<f64> = (1..=n)
            .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
            .collect();
        for (scale, shift) in [(1.0, 0.0), (1e-200, 0.0), (1e200, 0.0), (1.0, -7.0)] {
            let a = vec![(2.0 + shift) * scale; n];
            let b = vec![-scale; n - 1];
            let got = tridiagonal_eigenvalues(&a, &b, EPS).unwrap();
            let want: Vec<f64> = want.iter().map(|w| (w + shift) * scale).collect();
            let norm = (4.0 + shift.abs()) * scale;
            assert_close(
                &format!("n = {n}, scale {scale:e}, shift {shift}"),
                &got,
                &want,
                16.0 * EPS * norm,
            );
        }
    }
}

#[test]
fn tiny_singular_values_keep_their_relative_accuracy() {
    // [[1, 1], [0, c]]: σ₁σ₂ = c and σ₁² + σ₂² = 2 + c².
    for c in [1e-3, 1e-20, 1e-150] {
        let s = bidiagonal_singular_values(&[1.0, c], &[1.0], EPS).unwrap();
        assert!(((s[0] * s[0] + s[1] * s[1]) / (2.0 + c * c) - 1.0).abs() <= 4.0 * EPS);
        assert!(((s[0] * s[1]) / c - 1.0).abs() <= 8.0 * EPS, "{c}: {s:?}");
    }
    // Graded bidiagonals over 30 orders of magnitude: the product of the singular values is
    // |det B| = Π|d| to a relative accuracy of a few ulps per value.
    let mut next = uniform(3);
    for n in [5, 20, 60] {
        let d: Vec<f64> = (0..n)
            .map(|i| (1.0 + next()) * 10f64.powf(-30.0 * i as f64 / n as f64))
            .collect();
        let e: Vec<f64> = (0..n - 1)
            .map(|i| (1.0 + next()) * 10f64.powf(-30.0 * i as f64 / n as f64))
            .collect();
        let s = bidiagonal_singular_values(&d, &e, EPS).unwrap();
        let log_ratio: f64 =
            s.iter().map(|x| x.ln()).sum::<f64>() - d.iter().map(|x| x.abs().ln()).sum::<f64>();
        // Each logarithm is rounded relative to its own size (up to ln 1e-30 ≈ −69).
        let largest_log = s.iter().map(|x| x.ln().abs()).fold(0.0, f64::max);
        assert!(
            log_ratio.abs() <= 8.0 * n as f64 * EPS * (1.0 + largest_log),
            "n = {n}: {log_ratio:e}"
        );
        let frobenius: f64 = d.iter().chain(&e).map(|x| x * x).sum();
        let squares: f64 = s.iter().map(|x| x * x).sum();
        assert!((squares / frobenius - 1.0).abs() <= 8.0 * n as f64 * EPS);
    }
}

#[test]
fn agrees_with_bisection() {
    let mut next = uniform(11);
    for n in [1, 2, 3, 7, 30, 60, 200] {
        let cases: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
            (
                "random",
                (0..n).map(|_| next()).collect(),
                (1..n).map(|_| next()).collect(),
            ),
            (
                "clustered",
                (0..n).map(|_| 1.0 + 1e-9 * next()).collect(),
                (1..n).map(|_| 1e-5 * next()).collect(),
            ),
            (
                "zeros inside",
                (0..n)
                    .map(|i| if i % 3 == 1 { 0.0 } else { next() })
                    .collect(),
                (1..n)
                    .map(|i| if i % 4 == 2 { 0.0 } else { next() })
                    .collect(),
            ),
            (
                "wide magnitudes",
                (0..n).map(|_| next() * 10f64.powf(8.0 * next())).collect(),
                (1..n).map(|_| next() * 10f64.powf(8.0 * next())).collect(),
            ),
        ];
        for (name, d, e) in cases {
            let norm = d.iter().chain(&e).fold(0.0f64, |m, x| m.max(x.abs()));
            let tolerance = 16.0 * (n as f64) * EPS * norm.max(f64::MIN_POSITIVE);
            let got = bidiagonal_singular_values(&d, &e, EPS).unwrap();
            let want = bisection_singular_values(&d, &e);
            assert_close(
                &format!("{name} bidiagonal, n = {n}"),
                &got,
                &want,
                tolerance,
            );
            let got = tridiagonal_eigenvalues(&d, &e, EPS).unwrap();
            let want = bisection_eigenvalues(&d, &e);
            assert_close(
                &format!("{name} tridiagonal, n = {n}"),
                &got,
                &want,
                tolerance,
            );
        }
    }
}

#[test]
fn zero_empty_and_non_finite_input() {
    assert_eq!(bidiagonal_singular_values(&[], &[], EPS), Some(vec![]));
    assert_eq!(tridiagonal_eigenvalues(&[], &[], EPS), Some(vec![]));
    assert_eq!(
        bidiagonal_singular_values(&[0.0; 3], &[0.0; 2], EPS),
        Some(vec![0.0; 3])
    );
    assert_eq!(
        tridiagonal_eigenvalues(&[0.0; 3], &[0.0; 2], EPS),
        Some(vec![0.0; 3])
    );
    // A single nonzero superdiagonal entry: the values of [[0, 2], [0, 0]].
    assert_eq!(
        bidiagonal_singular_values(&[0.0, 0.0], &[2.0], EPS),
        Some(vec![2.0, 0.0])
    );
    for bad in [f64::NAN, f64::INFINITY] {
        assert_eq!(bidiagonal_singular_values(&[1.0, bad], &[1.0], EPS), None);
        assert_eq!(tridiagonal_eigenvalues(&[1.0, 1.0], &[bad], EPS), None);
    }
}
