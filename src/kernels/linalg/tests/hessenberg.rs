use super::*;
use crate::kernels::linalg::{Batch, hessenberg, householder_product};

/// `Q = H₀⋯H_{n−2}` from gehrd's packed reflectors, by plain products.
fn explicit_q(packed: &M, taus: &[c64]) -> M {
    let n = packed.rows;
    let mut q = M::identity(n);
    for (i, &tau) in taus.iter().enumerate() {
        let v = M::from_fn(n, 1, |r, _| match r.cmp(&(i + 1)) {
            std::cmp::Ordering::Less => c64::new(0.0, 0.0),
            std::cmp::Ordering::Equal => c64::new(1.0, 0.0),
            std::cmp::Ordering::Greater => packed.at(r, i),
        });
        let vvh = v.mul(&v.adjoint());
        q = q.mul(&M::identity(n).sub(&M::from_fn(n, n, |r, c| vvh.at(r, c) * tau)));
    }
    q
}

#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, packed: &M, taus: &[T]) {
    let n = a.rows;
    let tolerance = 20.0 * n.max(1) as f64;
    let h = M::from_fn(n, n, |i, j| {
        if i <= j + 1 {
            packed.at(i, j)
        } else {
            c64::new(0.0, 0.0)
        }
    });
    let taus_c: Vec<c64> = taus.iter().map(|t| t.to_c64()).collect();
    let q = explicit_q(packed, &taus_c);
    let gram = q.adjoint().mul(&q);
    assert_small::<T>(
        &format!("{name}: QᴴQ = I"),
        gram.sub(&M::identity(n)).norm(),
        1.0,
        tolerance,
    );
    let a = a.rounded::<T>();
    let qhq = q.mul(&h).mul(&q.adjoint());
    assert_small::<T>(
        &format!("{name}: A = QHQᴴ"),
        a.sub(&qhq).norm(),
        a.norm(),
        tolerance,
    );
    // householder_product of the reflectors gives Q's trailing block.
    if n > 1 {
        let k = n - 1;
        let reflectors = M::from_fn(k, k, |i, j| packed.at(i + 1, j));
        let mut trailing = zeros::<T>(k * k);
        householder_product(
            &reflectors.to::<T>(),
            taus,
            &mut trailing,
            Batch::square(1, k),
            k,
        )
        .unwrap();
        let trailing = M::of(k, k, &trailing);
        let q_block = M::from_fn(k, k, |i, j| q.at(i + 1, j + 1));
        assert_small::<T>(
            &format!("{name}: householder_product"),
            trailing.sub(&q_block).norm(),
            1.0,
            tolerance,
        );
    }
}

fn reduce<T: TestElement>(a: &[M]) -> (Vec<M>, Vec<Vec<T>>) {
    let (b, n) = (a.len(), a[0].rows);
    let k = n.saturating_sub(1);
    let mut packed = zeros::<T>(b * n * n);
    let mut taus = zeros::<T>(b * k);
    hessenberg(&batch::<T>(a), &mut packed, &mut taus, Batch::square(b, n)).unwrap();
    (
        unbatch(&packed, b, n, n),
        (0..b).map(|i| taus[i * k..(i + 1) * k].to_vec()).collect(),
    )
}

fn reduces<T: TestElement>() {
    for (name, a) in square_cases::<T>() {
        let (packed, taus) = reduce::<T>(std::slice::from_ref(&a));
        check::<T>(name, &a, &packed[0], &taus[0]);
    }
    let a = batch_of_three::<T>(6, 6);
    let (packed, taus) = reduce::<T>(&a);
    for (i, a) in a.iter().enumerate() {
        check::<T>(&format!("batch #{i}"), a, &packed[i], &taus[i]);
    }
}

#[test]
fn reduces_to_hessenberg_form() {
    for_each_dtype!(reduces);
}

#[test]
fn closed_form() {
    // Already Hessenberg and 2 × 2: nothing to reduce, τ = 0 as dgehrd gives.
    let (packed, taus) = reduce::<f64>(&[M::real(2, 2, &[1.0, 2.0, 3.0, 4.0])]);
    assert_eq!(packed[0], M::real(2, 2, &[1.0, 2.0, 3.0, 4.0]));
    assert_eq!(taus[0], [0.0]);
}

#[test]
fn nan_input_does_not_panic() {
    let (packed, _) = reduce::<c64>(&[M::real(
        3,
        3,
        &[f64::NAN, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    )]);
    assert!(!packed[0].is_finite());
}
