use super::*;
use crate::kernels::linalg::{Batch, cholesky};

/// Factors `a` reading only the `lower` (or upper) triangle: the other one is NaN.
fn factor<T: TestElement>(a: &M, lower: bool) -> M {
    let n = a.rows;
    let poisoned = M::from_fn(n, n, |i, j| {
        if (lower && j > i) || (!lower && i > j) {
            c64::new(f64::NAN, 0.0)
        } else {
            a.at(i, j)
        }
    });
    let input = poisoned.to::<T>();
    let mut out = vec![T::from_c64(c64::new(7.0, 0.0)); n * n];
    cholesky(&input, &mut out, Batch::square(1, n), lower).unwrap();
    M::of(n, n, &out)
}

/// Checks the factor's triangle and `A = L·Lᴴ` (or `Uᴴ·U`).
#[track_caller]
fn check_factor<T: TestElement>(name: &str, a: &M, f: &M, lower: bool) {
    let n = a.rows;
    for i in 0..n {
        for j in 0..n {
            if (lower && j > i) || (!lower && i > j) {
                assert_eq!(
                    f.at(i, j),
                    c64::new(0.0, 0.0),
                    "{name}: ({i}, {j}) not zero"
                );
            }
        }
    }
    let product = if lower {
        f.mul(&f.adjoint())
    } else {
        f.adjoint().mul(f)
    };
    let a = a.rounded::<T>();
    assert_small::<T>(
        name,
        a.sub(&product).norm(),
        a.norm(),
        10.0 * n.max(1) as f64,
    );
}

fn positive_definite<T: TestElement>() {
    let c = T::COMPLEX;
    let cases = [
        ("random 5 × 5", M::random(5, 5, c, 1).hpd()),
        ("random 40 × 40", M::random(40, 40, c, 2).hpd()),
        ("hilbert 6 × 6", M::hilbert(6)),
        ("identity", M::identity(4)),
        ("diag(1, 1, 2)", M::diag(&[1.0, 1.0, 2.0])),
        ("1 × 1", M::real(1, 1, &[3.0])),
        ("0 × 0", M::identity(0)),
    ];
    for (name, a) in cases {
        for lower in [true, false] {
            let f = factor::<T>(&a, lower);
            if name.starts_with("hilbert") && !f.is_finite() {
                // Hilbert 6 × 6 (condition 1.5e7) may be numerically indefinite in f32.
                assert!(
                    T::EPS > 1e-10 && f.nan_factor(lower),
                    "{name}: not a NaN factor"
                );
                continue;
            }
            check_factor::<T>(name, &a, &f, lower);
        }
    }
}

#[test]
fn factors_positive_definite_matrices() {
    for_each_dtype!(positive_definite);
}

#[test]
fn hilbert_8_in_double_precision() {
    let a = M::hilbert(8);
    for lower in [true, false] {
        check_factor::<f64>("hilbert 8", &a, &factor::<f64>(&a, lower), lower);
        check_factor::<c64>("hilbert 8", &a, &factor::<c64>(&a, lower), lower);
    }
}

fn not_positive_definite<T: TestElement>() {
    let indefinite = M::real(2, 2, &[1.0, 2.0, 2.0, 1.0]);
    let singular = M::real(2, 2, &[1.0, 1.0, 1.0, 1.0]);
    let negative = M::real(1, 1, &[-1.0]);
    let nan = M::real(2, 2, &[4.0, f64::NAN, f64::NAN, 4.0]);
    let inf = M::real(2, 2, &[f64::INFINITY, 0.0, 0.0, 1.0]);
    for a in [indefinite, singular, negative, nan, inf] {
        for lower in [true, false] {
            let f = factor::<T>(&a, lower);
            assert!(f.nan_factor(lower), "{a:?} lower={lower}: {f:?}");
        }
    }
}

#[test]
fn non_positive_definite_gives_nan() {
    for_each_dtype!(not_positive_definite);
}

fn batched<T: TestElement>() {
    let mut matrices: Vec<M> = batch_of_three::<T>(4, 4).iter().map(M::hpd).collect();
    matrices[1] = M::real(
        4,
        4,
        &[
            1.0, 2.0, 0.0, 0.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ],
    );
    let input = batch::<T>(&matrices);
    for lower in [true, false] {
        let mut out = vec![T::from_c64(c64::new(0.0, 0.0)); input.len()];
        cholesky(&input, &mut out, Batch::square(3, 4), lower).unwrap();
        let factors = unbatch(&out, 3, 4, 4);
        check_factor::<T>("batch 0", &matrices[0], &factors[0], lower);
        assert!(factors[1].nan_factor(lower), "batch 1 is indefinite");
        check_factor::<T>("batch 2", &matrices[2], &factors[2], lower);
    }
}

#[test]
fn batches_factor_independently() {
    for_each_dtype!(batched);
}

#[test]
fn empty_batch_and_bad_shapes() {
    cholesky::<f32>(&[], &mut [], Batch::square(0, 3), true).unwrap();
    let err = cholesky::<f64>(&[1.0; 4], &mut [0.0; 3], Batch::square(1, 2), true).unwrap_err();
    assert!(
        err.to_string()
            .contains("cholesky: buffer `out` has 3 elements"),
        "{err}"
    );
    let err = cholesky::<f64>(&[1.0; 6], &mut [0.0; 6], Batch::new(1, 2, 3), true).unwrap_err();
    assert!(err.to_string().contains("square"), "{err}");
}
