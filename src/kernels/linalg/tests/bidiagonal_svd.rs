//! rjax's divide-and-conquer SVD of bidiagonal matrices on matrices that exercise each part
//! of a merge: a closed-form spectrum, repeated and zero singular values (deflation by
//! rotation and of the zero pole), negligible and zero couplings, graded and far-from-one
//! scales, both element types, and the parallel path. Singular values are checked against
//! the closed form or against rjax's dqds (an independent algorithm), vectors by residual
//! and orthogonality.

use faer::traits::math_utils::{eps, from_f64};
use faer::{Mat, Par};

use super::M;
use crate::kernels::RealElement;
use crate::kernels::linalg::divide_and_conquer::bidiagonal_svd;
use crate::kernels::linalg::dqds::bidiagonal_singular_values;

/// Solves `(diag, superdiag)` in `T` and checks, in f64 against the matrix actually held:
/// descending order, `‖B·V − U·Σ‖` and `‖Bᵀ·U − V·Σ‖ ≤ c·n·eps·‖B‖`, `‖UᵀU − I‖` and
/// `‖VᵀV − I‖ ≤ c·n·eps` (largest entries), and the values within `c·n·eps·‖B‖` of dqds's.
/// Returns the singular values.
#[track_caller]
fn solve_and_check<T: RealElement>(
    name: &str,
    diag: &[f64],
    superdiag: &[f64],
    par: Par,
) -> Vec<f64> {
    let n = diag.len();
    let mut values: Vec<T> = diag.iter().map(|&d| from_f64(d)).collect();
    let held_superdiag: Vec<T> = superdiag.iter().map(|&e| from_f64(e)).collect();
    let d: Vec<f64> = values.iter().map(|&x| x.into()).collect();
    let e: Vec<f64> = held_superdiag.iter().map(|&x| x.into()).collect();
    let (mut u, mut v) = (Mat::<T>::zeros(n, n), Mat::<T>::zeros(n, n));
    crate::kernels::in_pool(par, || {
        bidiagonal_svd(&mut values, &held_superdiag, u.as_mut(), v.as_mut(), par)
    })
    .unwrap_or_else(|_| panic!("{name}: no convergence"));
    let s: Vec<f64> = values.iter().map(|&x| x.into()).collect();
    assert!(
        s.windows(2).all(|p| p[0] >= p[1]),
        "{name}: not descending: {s:?}"
    );
    assert!(
        s.iter().all(|&x| x >= 0.0),
        "{name}: negative singular value"
    );
    let eps: f64 = eps::<T>().into();
    let norm = d.iter().chain(&e).fold(0.0f64, |m, x| m.max(x.abs()));
    let tolerance = 10.0 * n as f64 * eps;
    let (ue, ve) = (
        |i: usize, j: usize| -> f64 { u[(i, j)].into() },
        |i: usize, j: usize| -> f64 { v[(i, j)].into() },
    );
    let (mut residual, mut gram) = (0.0f64, 0.0f64);
    for (j, &sj) in s.iter().enumerate() {
        for i in 0..n {
            // (B·v)ᵢ = dᵢ·vᵢ + eᵢ·vᵢ₊₁ and (Bᵀ·u)ᵢ = dᵢ·uᵢ + eᵢ₋₁·uᵢ₋₁.
            let mut bv = d[i] * ve(i, j);
            let mut btu = d[i] * ue(i, j);
            if i + 1 < n {
                bv += e[i] * ve(i + 1, j);
            }
            if i > 0 {
                btu += e[i - 1] * ue(i - 1, j);
            }
            residual = residual
                .max((bv - sj * ue(i, j)).abs())
                .max((btu - sj * ve(i, j)).abs());
        }
        for k in 0..=j {
            let identity = if j == k { 1.0 } else { 0.0 };
            let uu: f64 = (0..n).map(|i| ue(i, j) * ue(i, k)).sum();
            let vv: f64 = (0..n).map(|i| ve(i, j) * ve(i, k)).sum();
            gram = gram.max((uu - identity).abs()).max((vv - identity).abs());
        }
    }
    assert!(
        residual <= tolerance * norm,
        "{name}: residual {residual:e} > {:e}",
        tolerance * norm
    );
    assert!(
        gram <= tolerance,
        "{name}: ‖UᵀU − I‖, ‖VᵀV − I‖ = {gram:e} > {tolerance:e}"
    );
    let reference = bidiagonal_singular_values(&d, &e, eps).expect("dqds converges");
    let difference = s
        .iter()
        .zip(&reference)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        difference <= tolerance * norm,
        "{name}: values differ from dqds's by {difference:e}"
    );
    s
}

/// A deterministic uniform sample in [-1, 1).
fn uniform(seed: u64, len: usize) -> Vec<f64> {
    let column = M::random(len, 1, false, seed);
    (0..len).map(|i| column.at(i, 0).re).collect()
}

fn cases() -> Vec<(String, Vec<f64>, Vec<f64>)> {
    let mut cases: Vec<(String, Vec<f64>, Vec<f64>)> = [1, 2, 3, 4, 5, 7, 12, 33, 100, 201]
        .into_iter()
        .map(|n| {
            (
                format!("random {n}"),
                uniform(n as u64, n),
                uniform(1000 + n as u64, n.max(1) - 1),
            )
        })
        .collect();
    let mut singular = uniform(7, 90);
    for i in [0, 13, 14, 45, 89] {
        singular[i] = 0.0;
    }
    let mut split = vec![1.0; 119];
    split[60] = 0.0;
    cases.extend([
        (
            "zero diagonal entries 90".to_string(),
            singular,
            uniform(8, 89),
        ),
        ("identity 64".to_string(), vec![1.0; 64], vec![0.0; 63]),
        (
            "repeated pairs 80".to_string(),
            (0..80).map(|i| ((i / 2) % 5) as f64).collect(),
            vec![1e-14; 79],
        ),
        (
            "nearly diagonal 150".to_string(),
            (0..150).map(|i| (i % 7) as f64).collect(),
            vec![1e-13; 149],
        ),
        ("zero coupling 120".to_string(), uniform(9, 120), split),
        (
            "graded 120".to_string(),
            (0..120).map(|i| 10f64.powf(-(i as f64) / 12.0)).collect(),
            (0..119)
                .map(|i| 10f64.powf(-(i as f64) / 12.0 - 0.5))
                .collect(),
        ),
        ("zero 40".to_string(), vec![0.0; 40], vec![0.0; 39]),
        (
            "zero superdiagonal, signed 50".to_string(),
            uniform(10, 50),
            vec![0.0; 49],
        ),
    ]);
    cases
}

#[test]
fn closed_form_singular_values_of_the_ones_bidiagonal() {
    // The n × n upper bidiagonal of ones: σₖ = 2·cos(kπ/(2n + 1)), k = 1..n.
    let n = 150;
    let exact: Vec<f64> = (1..=n)
        .map(|k| 2.0 * (k as f64 * std::f64::consts::PI / (2 * n + 1) as f64).cos())
        .collect();
    let error = |s: Vec<f64>| {
        s.iter()
            .zip(&exact)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
    };
    for par in [Par::Seq, Par::rayon(2)] {
        let f64_error = error(solve_and_check::<f64>(
            "ones f64",
            &vec![1.0; n],
            &vec![1.0; n - 1],
            par,
        ));
        assert!(f64_error <= 50.0 * f64::EPSILON, "f64: error {f64_error:e}");
        let f32_error = error(solve_and_check::<f32>(
            "ones f32",
            &vec![1.0; n],
            &vec![1.0; n - 1],
            par,
        ));
        assert!(
            f32_error <= 50.0 * f32::EPSILON as f64,
            "f32: error {f32_error:e}"
        );
    }
}

#[test]
fn every_kind_of_merge_in_both_precisions() {
    for (name, diag, superdiag) in cases() {
        for par in [Par::Seq, Par::rayon(2)] {
            solve_and_check::<f64>(&format!("{name} f64 {par:?}"), &diag, &superdiag, par);
            solve_and_check::<f32>(&format!("{name} f32 {par:?}"), &diag, &superdiag, par);
        }
    }
}

#[test]
fn scales_far_from_one() {
    for scale in [1e-200, 1e200] {
        let diag: Vec<f64> = uniform(11, 60).iter().map(|x| x * scale).collect();
        let superdiag: Vec<f64> = uniform(12, 59).iter().map(|x| x * scale).collect();
        let s = solve_and_check::<f64>(&format!("scaled {scale:e}"), &diag, &superdiag, Par::Seq);
        assert!(
            s[0] > 0.1 * scale && s[0] < 10.0 * scale,
            "{scale:e}: largest {}",
            s[0]
        );
    }
}
