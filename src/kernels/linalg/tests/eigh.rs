use super::*;
use crate::kernels::linalg::{Batch, eigh};

/// Decomposes a batch reading only the named triangle (the other one is NaN).
fn decompose<T: TestElement>(a: &[M], lower: bool) -> Vec<(M, Vec<f64>)> {
    let n = a[0].rows;
    let nan = c64::new(f64::NAN, 0.0);
    let poisoned: Vec<M> = a
        .iter()
        .map(|a| {
            M::from_fn(n, n, |i, j| {
                if (lower && j > i) || (!lower && i > j) {
                    nan
                } else {
                    a.at(i, j)
                }
            })
        })
        .collect();
    let mut v = vec![T::from_c64(c64::new(0.0, 0.0)); a.len() * n * n];
    let mut w = real_zeros::<T>(a.len() * n);
    eigh(
        &batch::<T>(&poisoned),
        &mut v,
        &mut w,
        Batch::square(a.len(), n),
        lower,
    )
    .unwrap();
    let vs = unbatch(&v, a.len(), n, n);
    vs.into_iter()
        .enumerate()
        .map(|(b, v)| (v, w[b * n..(b + 1) * n].iter().map(|&x| x.into()).collect()))
        .collect()
}

#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, v: &M, w: &[f64]) {
    let n = a.rows;
    let tolerance = 20.0 * n.max(1) as f64;
    assert!(
        w.windows(2).all(|p| p[0] <= p[1]),
        "{name}: not ascending: {w:?}"
    );
    let a = a.rounded::<T>();
    let lambda: Vec<c64> = w.iter().map(|&x| c64::new(x, 0.0)).collect();
    let residual = a.mul(v).sub(&v.scale_cols(&lambda)).norm();
    assert_small::<T>(&format!("{name}: AV = VΛ"), residual, a.norm(), tolerance);
    let gram = v.adjoint().mul(v);
    assert_small::<T>(
        &format!("{name}: VᴴV = I"),
        gram.sub(&M::identity(n)).norm(),
        1.0,
        tolerance,
    );
}

fn hermitian<T: TestElement>() {
    let c = T::COMPLEX;
    let rank_one = {
        let x = M::random(5, 1, c, 9);
        x.mul(&x.adjoint())
    };
    let cases = [
        ("random 6 × 6", M::random(6, 6, c, 1).hermitian()),
        ("random 40 × 40", M::random(40, 40, c, 2).hermitian()),
        // Above `DIVIDE_AND_CONQUER_FROM`: rjax's tridiagonal solver and the phases.
        ("random 90 × 90", M::random(90, 90, c, 3).hermitian()),
        ("hilbert 8 × 8", M::hilbert(8)),
        ("rank one 5 × 5", rank_one),
        ("identity", M::identity(4)),
        ("diag(1, 1, 2)", M::diag(&[1.0, 1.0, 2.0])),
        ("1 × 1", M::real(1, 1, &[-3.0])),
        ("0 × 0", M::identity(0)),
    ];
    for (name, a) in cases {
        for lower in [true, false] {
            let (v, w) = &decompose::<T>(std::slice::from_ref(&a), lower)[0];
            check::<T>(&format!("{name} lower={lower}"), &a, v, w);
        }
    }
    let a: Vec<M> = batch_of_three::<T>(5, 5).iter().map(M::hermitian).collect();
    for (i, (v, w)) in decompose::<T>(&a, true).iter().enumerate() {
        check::<T>(&format!("batch #{i}"), &a[i], v, w);
    }
}

#[test]
fn decomposes_hermitian_matrices() {
    for_each_dtype!(hermitian);
}

#[test]
fn closed_form() {
    let (_, w) = &decompose::<f64>(&[M::real(2, 2, &[2.0, 1.0, 1.0, 2.0])], true)[0];
    assert!(
        (w[0] - 1.0).abs() < 1e-14 && (w[1] - 3.0).abs() < 1e-14,
        "{w:?}"
    );
    // [[0, -i], [i, 0]] (Pauli y) has eigenvalues ∓1.
    let y = M::from_fn(2, 2, |i, j| match (i, j) {
        (0, 1) => c64::new(0.0, -1.0),
        (1, 0) => c64::new(0.0, 1.0),
        _ => c64::new(0.0, 0.0),
    });
    for lower in [true, false] {
        let (v, w) = &decompose::<c64>(std::slice::from_ref(&y), lower)[0];
        assert!(
            (w[0] + 1.0).abs() < 1e-14 && (w[1] - 1.0).abs() < 1e-14,
            "{w:?}"
        );
        check::<c64>("pauli y", &y, v, w);
    }
}

fn repeated_eigenvalues<T: TestElement>() {
    // H·diag(1, …, 1, 2, …, 2)·H for a Householder reflection H = I − 2vvᴴ/(vᴴv): two
    // eigenvalues of multiplicity 40, beyond `DIVIDE_AND_CONQUER_FROM`, where most of the
    // divide and conquer's poles deflate.
    let n = 80;
    let v = M::random(n, 1, T::COMPLEX, 11);
    let scale = 2.0 / v.adjoint().mul(&v).at(0, 0).re;
    let h = M::from_fn(n, n, |i, j| {
        let identity = if i == j { 1.0 } else { 0.0 };
        c64::new(identity, 0.0) - v.at(i, 0) * v.at(j, 0).conj() * scale
    });
    let values: Vec<f64> = (0..n).map(|i| if i < n / 2 { 1.0 } else { 2.0 }).collect();
    let a = h.mul(&M::diag(&values)).mul(&h).hermitian();
    let (vectors, w) = &decompose::<T>(std::slice::from_ref(&a), true)[0];
    check::<T>("repeated", &a, vectors, w);
    let error = w
        .iter()
        .zip(&values)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        error <= 20.0 * n as f64 * T::EPS,
        "eigenvalue error {error:e}"
    );
}

#[test]
fn repeated_eigenvalues_above_the_divide_and_conquer_threshold() {
    for_each_dtype!(repeated_eigenvalues);
}

#[test]
fn nan_input_gives_nan() {
    for lower in [true, false] {
        let (v, w) = &decompose::<f32>(&[M::real(2, 2, &[f64::NAN, 1.0, 1.0, 2.0])], lower)[0];
        assert!(v.all_nan() && w.iter().all(|x| x.is_nan()));
        let (v, w) = &decompose::<c64>(
            &[M::real(2, 2, &[1.0, f64::INFINITY, f64::INFINITY, 2.0])],
            lower,
        )[0];
        assert!(v.all_nan() && w.iter().all(|x| x.is_nan()));
    }
}

#[test]
fn empty_batch() {
    eigh::<f64>(&[], &mut [], &mut [], Batch::square(0, 4), true).unwrap();
    let err = eigh::<f64>(
        &[0.0; 4],
        &mut [0.0; 4],
        &mut [0.0; 3],
        Batch::square(1, 2),
        true,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`w`"), "{err}");
}

/// The eigenvalues alone (tridiagonalization and dqds) against those computed with the
/// vectors (faer's divide and conquer), whose residuals `check` bounds.
fn eigenvalues_alone<T: TestElement>() {
    let c = T::COMPLEX;
    let cases = [
        ("random", M::random(40, 40, c, 7).hermitian()),
        ("Hilbert", M::hilbert(40)),
        ("repeated", M::diag(&[3.0, -1.0, 3.0, 3.0, 0.5, -1.0])),
        ("zero", M::diag(&[0.0; 5])),
        ("rank one", {
            let x = M::random(30, 1, c, 3);
            x.mul(&x.adjoint())
        }),
        ("one", M::diag(&[-2.5])),
    ];
    for (name, a) in cases {
        let n = a.rows;
        let batch3 = [a.clone(), M::random(n, n, c, 9).hermitian(), a];
        let with_vectors: Vec<f64> = decompose::<T>(&batch3, true)
            .into_iter()
            .flat_map(|(_, w)| w)
            .collect();
        let mut alone = real_zeros::<T>(3 * n);
        eigh::<T>(
            &batch::<T>(&batch3),
            &mut [],
            &mut alone,
            Batch::square(3, n),
            true,
        )
        .unwrap();
        let scale = with_vectors.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for (x, y) in alone.iter().zip(&with_vectors) {
            let x: f64 = (*x).into();
            assert!(
                (x - y).abs() <= 40.0 * n as f64 * T::EPS * scale,
                "{name}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn eigenvalues_alone_match_those_with_vectors() {
    for_each_dtype!(eigenvalues_alone);
}
