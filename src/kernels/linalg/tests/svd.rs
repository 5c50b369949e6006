use super::*;
use crate::kernels::linalg::{Batch, SvdOptions, svd};

struct Svd {
    s: Vec<Vec<f64>>,
    u: Vec<M>,
    vt: Vec<M>,
}

fn decompose<T: TestElement>(a: &[M], full_matrices: bool, compute_uv: bool) -> Svd {
    let (b, m, n) = (a.len(), a[0].rows, a[0].cols);
    let k = m.min(n);
    let (ku, kv) = match (compute_uv, full_matrices) {
        (false, _) => (0, 0),
        (true, true) => (m, n),
        (true, false) => (k, k),
    };
    let (um, vn) = if compute_uv { (m, n) } else { (0, 0) };
    let mut s = real_zeros::<T>(b * k);
    let mut u = zeros::<T>(b * um * ku);
    let mut vt = zeros::<T>(b * kv * vn);
    let options = SvdOptions {
        full_matrices,
        compute_uv,
    };
    svd(
        &batch::<T>(a),
        &mut s,
        &mut u,
        &mut vt,
        Batch::new(b, m, n),
        options,
    )
    .unwrap();
    Svd {
        s: (0..b)
            .map(|i| s[i * k..(i + 1) * k].iter().map(|&x| x.into()).collect())
            .collect(),
        u: unbatch(&u, b, um, ku),
        vt: unbatch(&vt, b, kv, vn),
    }
}

#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, s: &[f64], u: &M, vt: &M) {
    let k = s.len();
    let tolerance = 20.0 * a.rows.max(a.cols).max(1) as f64;
    assert!(
        s.windows(2).all(|p| p[0] >= p[1]) && s.iter().all(|&x| x >= 0.0),
        "{name}: {s:?}"
    );
    let uu = u.adjoint().mul(u);
    assert_small::<T>(
        &format!("{name}: UᴴU = I"),
        uu.sub(&M::identity(u.cols)).norm(),
        1.0,
        tolerance,
    );
    let vv = vt.mul(&vt.adjoint());
    assert_small::<T>(
        &format!("{name}: VᴴV = I"),
        vv.sub(&M::identity(vt.rows)).norm(),
        1.0,
        tolerance,
    );
    let sigma: Vec<c64> = s.iter().map(|&x| c64::new(x, 0.0)).collect();
    let usv = u
        .block(a.rows, k)
        .scale_cols(&sigma)
        .mul(&vt.block(k, a.cols));
    let a = a.rounded::<T>();
    assert_small::<T>(
        &format!("{name}: A = USVᴴ"),
        a.sub(&usv).norm(),
        a.norm(),
        tolerance,
    );
}

fn every_shape<T: TestElement>() {
    for (name, a) in rectangular_cases::<T>() {
        let values = decompose::<T>(std::slice::from_ref(&a), false, false);
        for full in [false, true] {
            let f = decompose::<T>(std::slice::from_ref(&a), full, true);
            check::<T>(
                &format!("{name} full={full}"),
                &a,
                &f.s[0],
                &f.u[0],
                &f.vt[0],
            );
            // The values-only path agrees.
            let diff: f64 = values.s[0]
                .iter()
                .zip(&f.s[0])
                .map(|(x, y)| (x - y).abs())
                .sum();
            let scale = f.s[0].first().copied().unwrap_or(0.0);
            assert_small::<T>(
                &format!("{name}: values only"),
                diff,
                scale,
                20.0 * a.rows.max(a.cols) as f64,
            );
        }
    }
    for (m, n) in [(4, 4), (5, 3), (3, 5)] {
        let a = batch_of_three::<T>(m, n);
        for full in [false, true] {
            let f = decompose::<T>(&a, full, true);
            for (i, a) in a.iter().enumerate() {
                check::<T>(
                    &format!("batch #{i} full={full}"),
                    a,
                    &f.s[i],
                    &f.u[i],
                    &f.vt[i],
                );
            }
        }
    }
}

#[test]
fn decomposes_every_shape() {
    for_each_dtype!(every_shape);
}

#[test]
fn closed_form() {
    let f = decompose::<f64>(&[M::diag(&[3.0, -2.0])], true, true);
    assert_eq!(f.s[0].len(), 2);
    assert!(
        (f.s[0][0] - 3.0).abs() < 1e-14 && (f.s[0][1] - 2.0).abs() < 1e-14,
        "{:?}",
        f.s[0]
    );
    let f = decompose::<c32>(&[M::from_fn(1, 1, |_, _| c64::new(3.0, 4.0))], false, false);
    assert!((f.s[0][0] - 5.0).abs() < 1e-6);
}

#[test]
fn non_finite_input_gives_nan() {
    for a in [
        M::real(2, 3, &[1.0, f64::NAN, 0.0, 1.0, 2.0, 3.0]),
        M::real(2, 2, &[f64::INFINITY, 0.0, 0.0, 1.0]),
    ] {
        let f = decompose::<f64>(std::slice::from_ref(&a), true, true);
        assert!(f.s[0].iter().all(|x| x.is_nan()) && f.u[0].all_nan() && f.vt[0].all_nan());
        let f = decompose::<c32>(std::slice::from_ref(&a), false, false);
        assert!(f.s[0].iter().all(|x| x.is_nan()));
    }
}

#[test]
fn empty_batch_and_bad_shapes() {
    svd::<f64>(
        &[],
        &mut [],
        &mut [],
        &mut [],
        Batch::new(0, 2, 3),
        SvdOptions {
            full_matrices: true,
            compute_uv: true,
        },
    )
    .unwrap();
    let options = SvdOptions {
        full_matrices: false,
        compute_uv: false,
    };
    let err = svd::<f64>(
        &[0.0; 4],
        &mut [0.0; 2],
        &mut [0.0; 4],
        &mut [],
        Batch::square(1, 2),
        options,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`u`"), "{err}");
}

#[test]
fn matrices_far_from_one_in_magnitude_keep_their_singular_values() {
    // diag(3, 2, 1) in a rotated basis, scaled by 1e-200 and 1e200: the values scale exactly.
    let a = M::real(3, 3, &[2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 1.0]);
    let want = [3.0, 1.0, 1.0];
    for scale in [1e-200, 1e200] {
        let scaled = M::from_fn(3, 3, |i, j| a.at(i, j) * scale);
        for compute_uv in [false, true] {
            let s = &decompose::<f64>(std::slice::from_ref(&scaled), false, compute_uv).s[0];
            for (got, want) in s.iter().zip(want) {
                assert!((got / scale - want).abs() < 1e-14, "{scale}: {s:?}");
            }
        }
    }
}

/// `I − 2·w·wᴴ/‖w‖²` for a random `w`: unitary up to rounding.
fn reflector(n: usize, complex: bool, seed: u64) -> M {
    let w = M::random(n, 1, complex, seed);
    let scale = 2.0 / w.norm().powi(2);
    M::from_fn(n, n, |i, j| {
        let identity = if i == j { 1.0 } else { 0.0 };
        c64::new(identity, 0.0) - w.at(i, 0) * w.at(j, 0).conj() * scale
    })
}

fn known_values<T: TestElement>() {
    // Several of the bidiagonalization's 16-column panels and a short last one, tall and
    // wide: A = H₁·Σ·H₂ with singular values from 1 down to 1e-6 (and repeated ones).
    let (m, n) = (75, 70);
    let want: Vec<f64> = (0..n)
        .map(|k| {
            if k < 10 {
                1.0
            } else {
                10f64.powf(-6.0 * k as f64 / (n - 1) as f64)
            }
        })
        .collect();
    let sigma = M::from_fn(m, n, |i, j| {
        c64::new(if i == j { want[i] } else { 0.0 }, 0.0)
    });
    let a = reflector(m, T::COMPLEX, 21)
        .mul(&sigma)
        .mul(&reflector(n, T::COMPLEX, 22));
    for a in [a.clone(), a.adjoint()] {
        let s = &decompose::<T>(std::slice::from_ref(&a), false, false).s[0];
        let err = s
            .iter()
            .zip(&want)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        // Backward stable: each value within a small multiple of eps·‖A‖₂ (‖A‖₂ = 1).
        assert_small::<T>(
            &format!("{} × {}", a.rows, a.cols),
            err,
            1.0,
            4.0 * n as f64,
        );
    }
}

#[test]
fn values_alone_match_a_closed_form_over_several_panels() {
    for_each_dtype!(known_values);
}
