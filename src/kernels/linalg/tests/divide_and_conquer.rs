//! rjax's divide-and-conquer tridiagonal eigensolver on matrices that exercise each part of
//! a merge: closed-form spectra, close pairs (deflation by rotation), negligible couplings
//! (deflation of every pole), a zero coupling, graded entries, both element types, and the
//! parallel path.

use faer::{Mat, Par};

use super::M;

use crate::kernels::RealElement;
use crate::kernels::linalg::divide_and_conquer::tridiagonal_eigh;

/// Solves `(diag, offdiag)` in `T` and checks, in f64 against the matrix `T` actually held,
/// ascending order, `‖T·V − V·Λ‖ ≤ c·n·eps·‖T‖` and `‖VᵀV − I‖ ≤ c·n·eps` (largest entries).
/// Returns the eigenvalues.
#[track_caller]
fn solve_and_check<T: RealElement>(
    name: &str,
    diag: &[f64],
    offdiag: &[f64],
    par: Par,
) -> Vec<f64> {
    let n = diag.len();
    let mut values: Vec<T> = diag
        .iter()
        .map(|&d| faer::traits::math_utils::from_f64(d))
        .collect();
    let held_diag: Vec<f64> = values.iter().map(|&d| d.into()).collect();
    let held_offdiag: Vec<T> = offdiag
        .iter()
        .map(|&e| faer::traits::math_utils::from_f64(e))
        .collect();
    let held_off: Vec<f64> = held_offdiag.iter().map(|&e| e.into()).collect();
    let mut u = Mat::<T>::zeros(n, n);
    crate::kernels::in_pool(par, || {
        tridiagonal_eigh(&mut values, &held_offdiag, u.as_mut(), par)
    })
    .unwrap_or_else(|_| panic!("{name}: no convergence"));
    let w: Vec<f64> = values.iter().map(|&x| x.into()).collect();
    let v = |i: usize, j: usize| -> f64 { u[(i, j)].into() };
    assert!(w.windows(2).all(|p| p[0] <= p[1]), "{name}: not ascending");
    let eps: f64 = faer::traits::math_utils::eps::<T>().into();
    let norm = held_diag
        .iter()
        .chain(&held_off)
        .fold(0.0f64, |m, x| m.max(x.abs()))
        .max(f64::MIN_POSITIVE);
    let tolerance = 10.0 * n as f64 * eps;
    let (mut residual, mut gram) = (0.0f64, 0.0f64);
    for (j, &wj) in w.iter().enumerate() {
        for i in 0..n {
            let mut tv = held_diag[i] * v(i, j);
            if i > 0 {
                tv += held_off[i - 1] * v(i - 1, j);
            }
            if i + 1 < n {
                tv += held_off[i] * v(i + 1, j);
            }
            residual = residual.max((tv - wj * v(i, j)).abs());
        }
        for k in 0..=j {
            let dot: f64 = (0..n).map(|i| v(i, j) * v(i, k)).sum();
            gram = gram.max((dot - if j == k { 1.0 } else { 0.0 }).abs());
        }
    }
    assert!(
        residual <= tolerance * norm,
        "{name}: ‖TV − VΛ‖ = {residual:e} > {:e}",
        tolerance * norm
    );
    assert!(
        gram <= tolerance,
        "{name}: ‖VᵀV − I‖ = {gram:e} > {tolerance:e}"
    );
    w
}

/// A deterministic uniform sample in [-1, 1) (the test matrices' generator).
fn uniform(seed: u64, len: usize) -> Vec<f64> {
    let column = M::random(len, 1, false, seed);
    (0..len).map(|i| column.at(i, 0).re).collect()
}

fn cases() -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
    let wilkinson = |m: usize| -> Vec<f64> {
        (0..2 * m + 1)
            .map(|i| (i as f64 - m as f64).abs())
            .collect()
    };
    let mut glued_diag = Vec::new();
    let mut glued_off = Vec::new();
    for block in 0..6 {
        if block > 0 {
            glued_off.push(1e-9);
        }
        glued_diag.extend(wilkinson(10));
        glued_off.extend(vec![1.0; 20]);
    }
    let mut split_off = vec![1.0; 149];
    split_off[74] = 0.0;
    vec![
        ("random 201", uniform(1, 201), uniform(2, 200)),
        ("wilkinson 201", wilkinson(100), vec![1.0; 200]),
        ("glued wilkinson 126", glued_diag, glued_off),
        (
            "nearly diagonal 150",
            (0..150).map(|i| (i % 7) as f64).collect(),
            vec![1e-13; 149],
        ),
        ("zero coupling 150", uniform(3, 150), split_off),
        (
            "graded 120",
            (0..120).map(|i| 10f64.powf(-(i as f64) / 12.0)).collect(),
            (0..119)
                .map(|i| 10f64.powf(-(i as f64) / 12.0 - 0.5))
                .collect(),
        ),
        ("constant 100", vec![2.0; 100], vec![0.0; 99]),
        ("zero 70", vec![0.0; 70], vec![0.0; 69]),
    ]
}

#[test]
fn closed_form_spectrum_of_the_second_difference() {
    // tridiag(-1, 2, -1) of order n: 2 − 2·cos(kπ/(n + 1)), k = 1..n.
    let n = 160;
    let exact: Vec<f64> = (1..=n)
        .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
        .collect();
    let error = |w: Vec<f64>| {
        w.iter()
            .zip(&exact)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
    };
    let (diag, offdiag) = (vec![2.0; n], vec![-1.0; n - 1]);
    for par in [Par::Seq, Par::rayon(2)] {
        let f64_error = error(solve_and_check::<f64>(
            "second difference f64",
            &diag,
            &offdiag,
            par,
        ));
        assert!(
            f64_error <= 50.0 * f64::EPSILON,
            "f64: eigenvalue error {f64_error:e}"
        );
        let f32_error = error(solve_and_check::<f32>(
            "second difference f32",
            &diag,
            &offdiag,
            par,
        ));
        assert!(
            f32_error <= 50.0 * f32::EPSILON as f64,
            "f32: eigenvalue error {f32_error:e}"
        );
    }
}

#[test]
fn every_kind_of_merge_in_both_precisions() {
    for (name, diag, offdiag) in cases() {
        for par in [Par::Seq, Par::rayon(2)] {
            solve_and_check::<f64>(&format!("{name} f64 {par:?}"), &diag, &offdiag, par);
            solve_and_check::<f32>(&format!("{name} f32 {par:?}"), &diag, &offdiag, par);
        }
    }
}

#[test]
fn wilkinson_eigenvalues_come_in_close_pairs() {
    // W₂₁⁺'s largest two eigenvalues are 10.746194182903322 and 10.746194182903393
    // (Wilkinson, 1965): three copies, shifted by 0, 30 and 60 and joined by couplings of
    // zero, must give both of each pair, not one twice, with orthogonal vectors.
    let block: Vec<f64> = (0..21).map(|i| (i as f64 - 10.0).abs()).collect();
    let diag: Vec<f64> = [0.0, 30.0, 60.0]
        .iter()
        .flat_map(|s| block.iter().map(move |d| d + s))
        .collect();
    let mut off = vec![1.0; 62];
    off[20] = 0.0;
    off[41] = 0.0;
    for par in [Par::Seq, Par::rayon(2)] {
        let w = solve_and_check::<f64>("three wilkinson blocks", &diag, &off, par);
        for (shift, pair) in [(0.0, &w[19..21]), (30.0, &w[40..42]), (60.0, &w[61..63])] {
            for (value, exact) in pair.iter().zip([10.746194182903322, 10.746194182903393]) {
                assert!(
                    (value - shift - exact).abs() < 1e-12,
                    "{pair:?} against {exact} + {shift}"
                );
            }
        }
    }
}
