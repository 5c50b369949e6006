use super::*;
use crate::kernels::linalg::{Batch, lu};

struct Lu {
    lu: Vec<M>,
    pivots: Vec<Vec<i32>>,
    permutation: Vec<Vec<i32>>,
}

fn factor<T: TestElement>(a: &[M]) -> Lu {
    let (m, n) = (a[0].rows, a[0].cols);
    let (b, k) = (a.len(), m.min(n));
    let input = batch::<T>(a);
    let mut out = vec![T::from_c64(c64::new(0.0, 0.0)); input.len()];
    let mut pivots = vec![-1; b * k];
    let mut permutation = vec![-1; b * m];
    lu(
        &input,
        &mut out,
        &mut pivots,
        &mut permutation,
        Batch::new(b, m, n),
    )
    .unwrap();
    Lu {
        lu: unbatch(&out, b, m, n),
        pivots: (0..b)
            .map(|i| pivots[i * k..(i + 1) * k].to_vec())
            .collect(),
        permutation: (0..b)
            .map(|i| permutation[i * m..(i + 1) * m].to_vec())
            .collect(),
    }
}

/// Checks the pivots, the permutation and `P·A = L·U`.
#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, packed: &M, pivots: &[i32], permutation: &[i32]) {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    assert_eq!(pivots.len(), k);
    let mut perm: Vec<usize> = (0..m).collect();
    for (i, &p) in pivots.iter().enumerate() {
        assert!(
            (i..m).contains(&(p as usize)),
            "{name}: pivot {p} at step {i}"
        );
        perm.swap(i, p as usize);
    }
    assert_eq!(
        permutation,
        perm.iter().map(|&p| p as i32).collect::<Vec<_>>(),
        "{name}"
    );
    let l = M::from_fn(m, k, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Greater => packed.at(i, j),
        std::cmp::Ordering::Equal => c64::new(1.0, 0.0),
        std::cmp::Ordering::Less => c64::new(0.0, 0.0),
    });
    let u = M::from_fn(k, n, |i, j| {
        if i <= j {
            packed.at(i, j)
        } else {
            c64::new(0.0, 0.0)
        }
    });
    if !T::COMPLEX {
        // Partial pivoting bounds L's entries by one.
        assert!(l.data.iter().all(|z| z.norm() <= 1.0), "{name}: |L| > 1");
    }
    let a = a.rounded::<T>();
    let pa = M::from_fn(m, n, |i, j| a.at(perm[i], j));
    assert_small::<T>(
        name,
        pa.sub(&l.mul(&u)).norm(),
        a.norm(),
        10.0 * m.max(n).max(1) as f64,
    );
}

fn factors<T: TestElement>() {
    for (name, a) in rectangular_cases::<T>() {
        let f = factor::<T>(std::slice::from_ref(&a));
        assert!(f.lu[0].is_finite(), "{name}: non-finite factors");
        check::<T>(name, &a, &f.lu[0], &f.pivots[0], &f.permutation[0]);
    }
    for (m, n) in [(4, 4), (5, 3), (3, 5)] {
        let a = batch_of_three::<T>(m, n);
        let f = factor::<T>(&a);
        for (i, a) in a.iter().enumerate() {
            check::<T>("batched", a, &f.lu[i], &f.pivots[i], &f.permutation[i]);
        }
    }
}

#[test]
fn factors_every_shape() {
    for_each_dtype!(factors);
}

#[test]
fn closed_form() {
    let f = factor::<f64>(&[M::real(2, 2, &[1.0, 2.0, 3.0, 4.0])]);
    assert_eq!(f.pivots[0], [1, 1]);
    assert_eq!(f.permutation[0], [1, 0]);
    let lu = &f.lu[0].data;
    assert_eq!(lu[0].re, 3.0);
    assert_eq!(lu[1].re, 4.0);
    assert!((lu[2].re - 1.0 / 3.0).abs() < 1e-15);
    assert!((lu[3].re - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn singular_matrices_keep_zero_pivots() {
    let zero = factor::<f64>(&[M::from_fn(3, 3, |_, _| c64::new(0.0, 0.0))]);
    assert!(zero.lu[0].data.iter().all(|z| z.re == 0.0));
    assert_eq!(zero.pivots[0], [0, 1, 2]);
    // A zero first column: getrf records the zero pivot and factors the rest.
    let a = M::real(3, 3, &[0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 5.0, 7.0]);
    let f = factor::<f64>(std::slice::from_ref(&a));
    assert!(f.lu[0].is_finite(), "{:?}", f.lu[0]);
    assert_eq!(f.lu[0].at(0, 0).re, 0.0);
    check::<f64>("zero column", &a, &f.lu[0], &f.pivots[0], &f.permutation[0]);
}

#[test]
fn nan_input_propagates_without_panic() {
    let f = factor::<f32>(&[M::real(2, 2, &[f64::NAN, 1.0, 2.0, 3.0])]);
    assert!(f.lu[0].data.iter().any(|z| z.re.is_nan()));
    let f = factor::<c64>(&[M::real(2, 2, &[1.0, 1.0, 2.0, f64::INFINITY])]);
    assert!(!f.lu[0].is_finite());
}

#[test]
fn empty_batch() {
    lu::<f64>(&[], &mut [], &mut [], &mut [], Batch::new(0, 3, 2)).unwrap();
    let err = lu::<f64>(
        &[0.0; 4],
        &mut [0.0; 4],
        &mut [0; 1],
        &mut [0; 2],
        Batch::square(1, 2),
    );
    assert!(err.unwrap_err().to_string().contains("`pivots`"));
}
