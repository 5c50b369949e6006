use super::*;
use crate::kernels::linalg::{Batch, geqrf, householder_product, qr};

/// Checks `A = Q·R`, `QᴴQ = I` and `R` upper triangular.
#[track_caller]
fn check_qr<T: TestElement>(name: &str, a: &M, q: &M, r: &M) {
    let tolerance = 20.0 * a.rows.max(a.cols).max(1) as f64;
    for i in 0..r.rows {
        for j in 0..i.min(r.cols) {
            assert_eq!(r.at(i, j), c64::new(0.0, 0.0), "{name}: R({i}, {j})");
        }
    }
    let gram = q.adjoint().mul(q);
    assert_small::<T>(
        &format!("{name}: QᴴQ = I"),
        gram.sub(&M::identity(q.cols)).norm(),
        1.0,
        tolerance,
    );
    let a = a.rounded::<T>();
    assert_small::<T>(
        &format!("{name}: A = QR"),
        a.sub(&q.mul(r)).norm(),
        a.norm(),
        tolerance,
    );
}

fn factor<T: TestElement>(a: &[M], full_matrices: bool) -> (Vec<M>, Vec<M>) {
    let (m, n) = (a[0].rows, a[0].cols);
    let k = if full_matrices { m } else { m.min(n) };
    let mut q = zeros::<T>(a.len() * m * k);
    let mut r = zeros::<T>(a.len() * k * n);
    qr(
        &batch::<T>(a),
        &mut q,
        &mut r,
        Batch::new(a.len(), m, n),
        full_matrices,
    )
    .unwrap();
    (unbatch(&q, a.len(), m, k), unbatch(&r, a.len(), k, n))
}

fn qr_of_every_shape<T: TestElement>() {
    for (name, a) in rectangular_cases::<T>() {
        for full in [false, true] {
            let (q, r) = factor::<T>(std::slice::from_ref(&a), full);
            check_qr::<T>(&format!("{name} full={full}"), &a, &q[0], &r[0]);
        }
    }
    for (m, n) in [(4, 4), (6, 3), (3, 6)] {
        let a = batch_of_three::<T>(m, n);
        for full in [false, true] {
            let (q, r) = factor::<T>(&a, full);
            for (i, a) in a.iter().enumerate() {
                check_qr::<T>(&format!("batch #{i} full={full}"), a, &q[i], &r[i]);
            }
        }
    }
}

#[test]
fn qr_factors_every_shape() {
    for_each_dtype!(qr_of_every_shape);
}

/// `H₀⋯H_{k−1}` (its first `cols` columns) from LAPACK's packed reflectors, by plain products.
fn explicit_product(packed: &M, taus: &[c64], cols: usize) -> M {
    let m = packed.rows;
    let mut q = M::identity(m);
    for (i, &tau) in taus.iter().enumerate() {
        let v = M::from_fn(m, 1, |r, _| match r.cmp(&i) {
            std::cmp::Ordering::Less => c64::new(0.0, 0.0),
            std::cmp::Ordering::Equal => c64::new(1.0, 0.0),
            std::cmp::Ordering::Greater => packed.at(r, i),
        });
        let vvh = v.mul(&v.adjoint());
        let h = M::identity(m).sub(&M::from_fn(m, m, |r, c| vvh.at(r, c) * tau));
        q = q.mul(&h);
    }
    q.block(m, cols)
}

fn geqrf_pairs_with_householder_product<T: TestElement>() {
    for (name, a) in rectangular_cases::<T>() {
        let (m, n) = (a.rows, a.cols);
        let k = m.min(n);
        let mut packed = zeros::<T>(m * n);
        let mut taus = zeros::<T>(k);
        geqrf(&a.to::<T>(), &mut packed, &mut taus, Batch::new(1, m, n)).unwrap();
        let packed = M::of(m, n, &packed);
        let r = M::from_fn(k, n, |i, j| {
            if i <= j {
                packed.at(i, j)
            } else {
                c64::new(0.0, 0.0)
            }
        });
        // householder_product of the first k columns: Q is m × k.
        let reflectors = packed.block(m, k);
        let mut q = zeros::<T>(m * k);
        householder_product(&reflectors.to::<T>(), &taus, &mut q, Batch::new(1, m, k), k).unwrap();
        let q = M::of(m, k, &q);
        check_qr::<T>(&format!("geqrf {name}"), &a, &q, &r);
        // The packed form means what LAPACK's does: Q = Π (I − τ·v·vᴴ).
        let taus: Vec<c64> = taus.iter().map(|t| t.to_c64()).collect();
        let reference = explicit_product(&packed, &taus, k);
        let tolerance = 20.0 * m.max(n).max(1) as f64;
        assert_small::<T>(
            &format!("geqrf {name}: explicit Q"),
            reference.sub(&q).norm(),
            1.0,
            tolerance,
        );
    }
}

#[test]
fn geqrf_and_householder_product_reproduce_a() {
    for_each_dtype!(geqrf_pairs_with_householder_product);
}

/// Arbitrary (also complex, also zero) LAPACK taus, m > n > k, several blocks and a batch.
fn arbitrary_taus<T: TestElement>() {
    let c = T::COMPLEX;
    for (m, n, k) in [(5, 3, 2), (40, 36, 35), (4, 4, 4), (3, 3, 0), (2, 0, 0)] {
        let a: Vec<M> = (0..2).map(|s| M::random(m, n, c, 20 + s)).collect();
        let mut taus: Vec<c64> = (0..2 * k)
            .map(|i| {
                c64::new(
                    0.2 + 0.1 * (i % 5) as f64,
                    if c { 0.3 - 0.05 * (i % 7) as f64 } else { 0.0 },
                )
            })
            .collect();
        if k > 1 {
            taus[1] = c64::new(0.0, 0.0);
        }
        let taus_t: Vec<T> = taus.iter().map(|&t| T::from_c64(t)).collect();
        let mut q = zeros::<T>(2 * m * n);
        householder_product(&batch::<T>(&a), &taus_t, &mut q, Batch::new(2, m, n), k).unwrap();
        for (b, q) in unbatch(&q, 2, m, n).iter().enumerate() {
            let taus_b: Vec<c64> = taus_t[b * k..(b + 1) * k]
                .iter()
                .map(|t| t.to_c64())
                .collect();
            let reference = explicit_product(&a[b].rounded::<T>(), &taus_b, n);
            let scale = reference.norm().max(1.0);
            assert_small::<T>(
                &format!("{m} × {n}, k = {k} #{b}"),
                reference.sub(q).norm(),
                scale,
                20.0 * m as f64,
            );
        }
    }
}

#[test]
fn householder_product_with_arbitrary_taus() {
    for_each_dtype!(arbitrary_taus);
}

#[test]
fn closed_form() {
    let (q, r) = factor::<f64>(&[M::real(2, 1, &[3.0, 4.0])], false);
    assert!((r[0].at(0, 0).norm() - 5.0).abs() < 1e-14);
    assert!((q[0].at(0, 0).re * r[0].at(0, 0).re - 3.0).abs() < 1e-14);
    // geqrf of [[3], [4]]: LAPACK's β = −5, τ = 1 + 3/5, v = [1, 4/8].
    let mut packed = [0.0f64; 2];
    let mut taus = [0.0f64; 1];
    geqrf(&[3.0, 4.0], &mut packed, &mut taus, Batch::new(1, 2, 1)).unwrap();
    assert!(
        (packed[0] + 5.0).abs() < 1e-14 && (packed[1] - 0.5).abs() < 1e-14,
        "{packed:?}"
    );
    assert!((taus[0] - 1.6).abs() < 1e-14, "{taus:?}");
}

#[test]
fn nan_input_does_not_panic() {
    let (q, r) = factor::<c32>(&[M::real(2, 2, &[f64::NAN, 1.0, 2.0, 3.0])], true);
    assert!(!q[0].is_finite() || !r[0].is_finite());
}

#[test]
fn householder_product_shape_rules() {
    let err =
        householder_product::<f64>(&[0.0; 6], &[0.0; 1], &mut [0.0; 6], Batch::new(1, 2, 3), 1)
            .unwrap_err();
    assert!(err.to_string().contains("m ≥ n ≥ k"), "{err}");
    let err =
        householder_product::<f64>(&[0.0; 6], &[0.0; 3], &mut [0.0; 6], Batch::new(1, 3, 2), 3)
            .unwrap_err();
    assert!(err.to_string().contains("m ≥ n ≥ k"), "{err}");
}
