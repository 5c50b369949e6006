use super::*;
use crate::kernels::linalg::{Batch, TriangularSolveOptions, triangular_solve};

/// Every combination of the five flags.
fn all_options() -> impl Iterator<Item = TriangularSolveOptions> {
    (0..32u32).map(|bits| TriangularSolveOptions {
        left_side: bits & 1 != 0,
        lower: bits & 2 != 0,
        transpose_a: bits & 4 != 0,
        conjugate_a: bits & 8 != 0,
        unit_diagonal: bits & 16 != 0,
    })
}

/// The triangle the solve reads, with ones on the diagonal when `unit_diagonal`.
fn triangle(a: &M, o: TriangularSolveOptions) -> M {
    M::from_fn(a.rows, a.cols, |i, j| {
        if i == j && o.unit_diagonal {
            c64::new(1.0, 0.0)
        } else if (o.lower && i >= j) || (!o.lower && i <= j) {
            a.at(i, j)
        } else {
            c64::new(0.0, 0.0)
        }
    })
}

/// The input with NaN where the solve must not read.
fn poisoned(a: &M, o: TriangularSolveOptions) -> M {
    let nan = c64::new(f64::NAN, 0.0);
    M::from_fn(a.rows, a.cols, |i, j| {
        let read = (i == j && !o.unit_diagonal) || (i != j && (o.lower == (i > j)));
        if read { a.at(i, j) } else { nan }
    })
}

fn op(a: &M, o: TriangularSolveOptions) -> M {
    let a = if o.transpose_a {
        a.transpose()
    } else {
        a.clone()
    };
    if o.conjugate_a { a.conj() } else { a }
}

/// Solves for a batch of `a`s (`k × k`) and `b`s (`m × n`), checking every residual.
#[track_caller]
fn check<T: TestElement>(name: &str, a: &[M], b: &[M], o: TriangularSolveOptions, tolerance: f64) {
    let (m, n) = (b[0].rows, b[0].cols);
    let k = a[0].rows;
    let input_a = batch::<T>(&a.iter().map(|a| poisoned(a, o)).collect::<Vec<_>>());
    let input_b = batch::<T>(b);
    let mut x = vec![T::from_c64(c64::new(0.0, 0.0)); input_b.len()];
    triangular_solve(&input_a, &input_b, &mut x, Batch::new(a.len(), m, n), o).unwrap();
    for (i, x) in unbatch(&x, a.len(), m, n).iter().enumerate() {
        let opa = op(&triangle(&a[i].rounded::<T>(), o), o);
        let product = if o.left_side { opa.mul(x) } else { x.mul(&opa) };
        let b = b[i].rounded::<T>();
        let scale = opa.norm() * x.norm() + b.norm();
        assert_small::<T>(
            &format!("{name} {o:?} #{i}"),
            product.sub(&b).norm(),
            scale,
            tolerance * k.max(1) as f64,
        );
    }
}

/// A well-conditioned triangular candidate: random with a dominant diagonal.
fn well_conditioned(k: usize, complex: bool, seed: u64) -> M {
    M::random(k, k, complex, seed).add(&M::diag(&vec![4.0; k]))
}

fn solves<T: TestElement>() {
    let c = T::COMPLEX;
    for o in all_options() {
        for (m, n) in [(5, 3), (3, 5), (1, 1), (40, 33)] {
            let k = if o.left_side { m } else { n };
            let a = well_conditioned(k, c, 1);
            check::<T>("well-conditioned", &[a], &[M::random(m, n, c, 2)], o, 4.0);
        }
        // Ill-conditioned: a triangle whose diagonal spans 1 .. 1e-6 (cond ~ 1e6 and more).
        let graded = M::from_fn(6, 6, |i, j| {
            if i == j {
                c64::new(10f64.powi(-(i as i32)), 0.0)
            } else {
                c64::new(0.5, if c { 0.25 } else { 0.0 })
            }
        });
        let k = 6;
        let (m, n) = if o.left_side { (k, 2) } else { (2, k) };
        check::<T>("graded", &[graded], &[M::random(m, n, c, 3)], o, 8.0);
        // Batched: three different systems.
        let (m, n) = (4, 3);
        let k = if o.left_side { m } else { n };
        let a: Vec<M> = (0..3).map(|s| well_conditioned(k, c, 10 + s)).collect();
        check::<T>("batched", &a, &batch_of_three::<T>(m, n), o, 4.0);
    }
}

#[test]
fn solves_every_flag_combination() {
    for_each_dtype!(solves);
}

#[test]
fn empty_shapes() {
    let o = TriangularSolveOptions {
        left_side: true,
        lower: true,
        ..Default::default()
    };
    // m = 0 or n = 0, and an empty batch.
    triangular_solve::<f64>(&[], &[], &mut [], Batch::new(1, 0, 3), o).unwrap();
    triangular_solve::<f64>(&[2.0, 0.0, 1.0, 2.0], &[], &mut [], Batch::new(1, 2, 0), o).unwrap();
    triangular_solve::<c32>(&[], &[], &mut [], Batch::new(0, 2, 2), o).unwrap();
    let err = triangular_solve::<f64>(&[1.0; 4], &[1.0; 6], &mut [0.0; 6], Batch::new(1, 3, 2), o);
    assert!(
        err.unwrap_err()
            .to_string()
            .contains("buffer `a` has 4 elements, but its shape [1, 3, 3] needs 9")
    );
}

#[test]
fn singular_triangle_gives_non_finite_not_panic() {
    let o = TriangularSolveOptions {
        left_side: true,
        lower: true,
        ..Default::default()
    };
    let mut x = [0.0f64; 2];
    triangular_solve(
        &[0.0, 0.0, 1.0, 1.0],
        &[1.0, 1.0],
        &mut x,
        Batch::new(1, 2, 1),
        o,
    )
    .unwrap();
    assert!(x.iter().any(|x| !x.is_finite()), "{x:?}");
    let mut x = [0.0f64; 2];
    triangular_solve(
        &[f64::NAN, 0.0, 1.0, 1.0],
        &[1.0, 1.0],
        &mut x,
        Batch::new(1, 2, 1),
        o,
    )
    .unwrap();
    assert!(x.iter().all(|x| x.is_nan()), "{x:?}");
}

#[test]
fn closed_form() {
    // [[2, 0], [1, 4]] x = [2, 9] → x = [1, 2]; Aᵀ x = [4, 8] → x = [1, 2].
    let a = [2.0f64, 0.0, 1.0, 4.0];
    let mut x = [0.0; 2];
    let lower = TriangularSolveOptions {
        left_side: true,
        lower: true,
        ..Default::default()
    };
    triangular_solve(&a, &[2.0, 9.0], &mut x, Batch::new(1, 2, 1), lower).unwrap();
    assert_eq!(x, [1.0, 2.0]);
    let transposed = TriangularSolveOptions {
        transpose_a: true,
        ..lower
    };
    triangular_solve(&a, &[4.0, 8.0], &mut x, Batch::new(1, 2, 1), transposed).unwrap();
    assert_eq!(x, [1.0, 2.0]);
    // Right side: x · [[2, 0], [1, 4]] = [4, 8] → x = [1, 2].
    let right = TriangularSolveOptions {
        left_side: false,
        ..lower
    };
    triangular_solve(&a, &[4.0, 8.0], &mut x, Batch::new(1, 1, 2), right).unwrap();
    assert_eq!(x, [1.0, 2.0]);
}
