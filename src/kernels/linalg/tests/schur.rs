use super::*;
use crate::kernels::KernelError;
use crate::kernels::linalg::{Batch, schur};

/// Runs the kernel on a batch of `n × n` matrices: the `T`s and, when asked, the `Z`s.
fn decompose<T: TestElement + crate::kernels::linalg::SchurElement>(
    a: &[M],
    compute_vectors: bool,
) -> (Vec<M>, Option<Vec<M>>) {
    let (b, n) = (a.len(), a[0].rows);
    let nz = if compute_vectors { n } else { 0 };
    let mut t = zeros::<T>(b * n * n);
    let mut z = zeros::<T>(b * nz * nz);
    schur(
        &batch::<T>(a),
        &mut t,
        &mut z,
        Batch::square(b, n),
        compute_vectors,
    )
    .unwrap();
    let z = compute_vectors.then(|| unbatch(&z, b, n, n));
    (unbatch(&t, b, n, n), z)
}

/// Asserts `T`'s shape: upper triangular for complex types; for real ones zero below the
/// first subdiagonal, and a nonzero subdiagonal entry only in a 2 × 2 block of its own with
/// complex eigenvalues.
#[track_caller]
fn check_structure<T: TestElement>(name: &str, t: &M) {
    let n = t.rows;
    let zero = c64::new(0.0, 0.0);
    for i in 0..n {
        for j in 0..i {
            let allowed = !T::COMPLEX && i == j + 1;
            assert!(
                allowed || t.at(i, j) == zero,
                "{name}: T[{i}, {j}] = {} below the (quasi) triangle",
                t.at(i, j)
            );
            assert_eq!(t.at(i, j).im, 0.0, "{name}: real T has complex entries");
        }
    }
    for i in 1..n {
        if t.at(i, i - 1) == zero {
            continue;
        }
        assert!(
            i + 1 == n || t.at(i + 1, i) == zero,
            "{name}: subdiagonal entries {} and {} at {i} and {} overlap",
            t.at(i, i - 1),
            t.at(i + 1, i),
            i + 1
        );
        // (a − d)²/4 + b·c < 0: the block's eigenvalues are complex.
        let half = (t.at(i - 1, i - 1).re - t.at(i, i).re) / 2.0;
        let discriminant = half * half + t.at(i - 1, i).re * t.at(i, i - 1).re;
        assert!(
            discriminant < 0.0,
            "{name}: the 2 × 2 block at {i} has real eigenvalues (discriminant {discriminant:e})"
        );
    }
}

/// Asserts `A = Z·T·Zᴴ` with `ZᴴZ = I` and `T`'s structure.
#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, t: &M, z: &M) {
    let n = a.rows;
    let tolerance = 20.0 * n.max(1) as f64;
    check_structure::<T>(name, t);
    assert_small::<T>(
        &format!("{name}: ZᴴZ = I"),
        z.adjoint().mul(z).sub(&M::identity(n)).norm(),
        1.0,
        tolerance,
    );
    let a = a.rounded::<T>();
    assert_small::<T>(
        &format!("{name}: A = Z·T·Zᴴ"),
        a.sub(&z.mul(t).mul(&z.adjoint())).norm(),
        a.norm(),
        tolerance,
    );
}

fn decomposes<T: TestElement + crate::kernels::linalg::SchurElement>() {
    let rotation = M::real(2, 2, &[0.0, -1.0, 1.0, 0.0]);
    // nalgebra's iteration alone stalls on these; the kernel retries after a similarity.
    let cyclic = |n: usize| {
        M::from_fn(n, n, |i, j| {
            c64::new(if (i + 1) % n == j { 1.0 } else { 0.0 }, 0.0)
        })
    };
    let cases = square_cases::<T>().into_iter().chain([
        ("rotation", rotation),
        ("diag(3, -1, 2)", M::diag(&[3.0, -1.0, 2.0])),
        ("cyclic permutation 4 × 4", cyclic(4)),
        ("cyclic permutation 8 × 8", cyclic(8)),
    ]);
    for (name, a) in cases {
        let (t, z) = decompose::<T>(std::slice::from_ref(&a), true);
        check::<T>(name, &a, &t[0], &z.unwrap()[0]);
        // Without the vectors T is the same.
        let (t_alone, _) = decompose::<T>(std::slice::from_ref(&a), false);
        assert_eq!(t_alone[0], t[0], "{name}: T without Z");
    }
    let a = batch_of_three::<T>(6, 6);
    let (t, z) = decompose::<T>(&a, true);
    let z = z.unwrap();
    for (i, a) in a.iter().enumerate() {
        check::<T>(&format!("batch #{i}"), a, &t[i], &z[i]);
    }
}

#[test]
fn decomposes_into_schur_form() {
    for_each_dtype!(decomposes);
}

#[test]
fn rotation_keeps_a_real_block_and_splits_complex() {
    // Real: the eigenvalues ±i stay in a 2 × 2 block.
    let a = M::real(2, 2, &[0.0, -1.0, 1.0, 0.0]);
    let (t, _) = decompose::<f64>(std::slice::from_ref(&a), true);
    assert_ne!(t[0].at(1, 0), c64::new(0.0, 0.0));
    // Complex: triangular with ±i on the diagonal.
    let (t, _) = decompose::<c64>(std::slice::from_ref(&a), true);
    let mut diagonal = [t[0].at(0, 0), t[0].at(1, 1)];
    diagonal.sort_by(|x, y| x.im.total_cmp(&y.im));
    for (got, want) in diagonal.iter().zip([-1.0, 1.0]) {
        assert!((got - c64::new(0.0, want)).norm() < 1e-15, "{got}");
    }
}

#[test]
fn diagonal_and_trivial_matrices_are_their_own_schur_form() {
    for a in [
        M::diag(&[3.0, -1.0, 2.0]),
        M::from_fn(4, 4, |_, _| c64::new(0.0, 0.0)),
        M::real(1, 1, &[-3.0]),
    ] {
        let (t, z) = decompose::<f64>(std::slice::from_ref(&a), true);
        assert_eq!(t[0], a);
        assert_eq!(z.unwrap()[0], M::identity(a.rows));
    }
    let (t, z) = decompose::<c32>(&[M::identity(0)], true);
    assert_eq!((t[0].data.len(), z.unwrap()[0].data.len()), (0, 0));
}

#[test]
fn nan_input_gives_nan_for_that_element_only() {
    let mut bad = M::hilbert(3);
    bad.data[4] = c64::new(f64::NAN, 0.0);
    let (t, z) = decompose::<f64>(&[M::hilbert(3), bad], true);
    let z = z.unwrap();
    assert!(t[1].all_nan() && z[1].all_nan());
    check::<f64>("hilbert next to NaN", &M::hilbert(3), &t[0], &z[0]);
}

#[test]
fn rejects_bad_shapes() {
    let a = [0.0f64; 6];
    let err = schur(&a, &mut [0.0; 6], &mut [], Batch::new(1, 2, 3), false).unwrap_err();
    assert!(matches!(err, KernelError::InvalidShape { .. }), "{err}");
    let a = [0.0f64; 4];
    let err = schur(&a, &mut [0.0; 4], &mut [], Batch::square(1, 2), true).unwrap_err();
    assert!(
        matches!(err, KernelError::BufferLength { buffer: "z", .. }),
        "{err}"
    );
}
