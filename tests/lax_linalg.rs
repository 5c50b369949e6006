//! `rjax::lax` linear algebra: cholesky, triangular_solve, qr and eigh, eagerly and under
//! `jit`, in float32 and float64, batched; each result is checked on the host by the property
//! that defines it (L·Lᵀ = A, A·X = B, Q·R = A, A·V = V·diag(w), ...), not against another
//! implementation.
//!
//! x64 mode is process-global, so every test turns it on first and float32 is always asked
//! for explicitly.

mod common;
#[path = "lax_linalg/eigh.rs"]
mod eigh;

use common::{matmul, panic_message, transpose};

use rjax::lax::{
    CholeskyOptions, EighOptions, QrOptions, TriangularSolveOptions, cholesky_with, eigh_with, qr,
    qr_with, triangular_solve_with,
};
use rjax::{Array, DType, jit};

const F32_TOL: f64 = 1e-4;
const F64_TOL: f64 = 1e-10;

fn x64() {
    rjax::config::enable_x64(true);
}

fn tol(dtype: DType) -> f64 {
    if dtype == DType::F64 {
        F64_TOL
    } else {
        F32_TOL
    }
}

/// Deterministic values in [-1, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    fn vec(&mut self, len: usize) -> Vec<f64> {
        (0..len).map(|_| self.next()).collect()
    }
}

fn array(data: &[f64], shape: &[usize], dtype: DType) -> anyhow::Result<Array> {
    Ok(match dtype {
        DType::F64 => Array::from_slice(data, shape)?,
        DType::F32 => {
            let data: Vec<f32> = data.iter().map(|&x| x as f32).collect();
            Array::from_slice(&data, shape)?
        }
        other => anyhow::bail!("no test arrays of {other}"),
    })
}

fn values(x: &Array) -> anyhow::Result<Vec<f64>> {
    Ok(match x.dtype() {
        DType::F64 => x.to_vec::<f64>()?,
        DType::F32 => x.to_vec::<f32>()?.into_iter().map(f64::from).collect(),
        other => anyhow::bail!("unexpected dtype {other}"),
    })
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |acc, x| acc.max(x.abs()))
}

/// Asserts `|got - want| <= tol · max(1, max|want|)` elementwise.
fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = max_abs(want).max(1.0);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}: element {i} is {g}, want {w} (tol {tol} × {scale})\ngot  {got:?}\nwant {want:?}"
        );
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut eye = vec![0.0; n * n];
    for i in 0..n {
        eye[i * n + i] = 1.0;
    }
    eye
}

/// A symmetric positive-definite matrix: `M·Mᵀ + n·I`.
fn spd(rng: &mut Lcg, n: usize) -> Vec<f64> {
    let m = rng.vec(n * n);
    let mut a = matmul(&m, &transpose(&m, n, n), n, n, n);
    for i in 0..n {
        a[i * n + i] += n as f64;
    }
    a
}

/// A random orthogonal matrix: a product of `n` Householder reflections.
fn orthogonal(rng: &mut Lcg, n: usize) -> Vec<f64> {
    let mut q = identity(n);
    for _ in 0..n {
        let v = rng.vec(n);
        let norm2: f64 = v.iter().map(|x| x * x).sum();
        let mut h = identity(n);
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] -= 2.0 * v[i] * v[j] / norm2;
            }
        }
        q = matmul(&q, &h, n, n, n);
    }
    q
}

// ----------------------------------------------------------------------------------------------
// cholesky

fn check_cholesky(a: &[f64], l: &[f64], batch: usize, n: usize, tol: f64) {
    for b in 0..batch {
        let a = &a[b * n * n..(b + 1) * n * n];
        let l = &l[b * n * n..(b + 1) * n * n];
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(l[i * n + j], 0.0, "L[{b}][{i},{j}] is above the diagonal");
            }
        }
        let llt = matmul(l, &transpose(l, n, n), n, n, n);
        assert_close(&format!("L·Lᵀ of matrix {b}"), &llt, a, tol);
    }
}

fn cholesky_case(dtype: DType, batch_shape: &[usize], n: usize) -> anyhow::Result<()> {
    let mut rng = Lcg(7 + n as u64);
    let batch: usize = batch_shape.iter().product();
    let data: Vec<f64> = (0..batch).flat_map(|_| spd(&mut rng, n)).collect();
    let mut shape = batch_shape.to_vec();
    shape.extend([n, n]);
    let a = array(&data, &shape, dtype)?;
    let eager = cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false));
    let jitted: Array =
        jit(|a: Array| cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false)))
            .call(a.clone())?;
    for l in [&eager, &jitted] {
        assert_eq!(l.shape(), shape.as_slice());
        assert_eq!(l.dtype(), dtype);
        check_cholesky(&data, &values(l)?, batch, n, tol(dtype));
    }
    Ok(())
}

#[test]
fn cholesky_factors_f32() -> anyhow::Result<()> {
    x64();
    cholesky_case(DType::F32, &[], 4)?;
    cholesky_case(DType::F32, &[3], 4)?;
    cholesky_case(DType::F32, &[2, 2], 3)?;
    cholesky_case(DType::F32, &[], 1)
}

#[test]
fn cholesky_factors_f64() -> anyhow::Result<()> {
    x64();
    cholesky_case(DType::F64, &[], 5)?;
    cholesky_case(DType::F64, &[3], 4)
}

#[test]
fn cholesky_reads_only_the_lower_triangle() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(3);
    let n = 4;
    let a = spd(&mut rng, n);
    let mut garbage = a.clone();
    for i in 0..n {
        for j in i + 1..n {
            garbage[i * n + j] = 100.0 + (i * n + j) as f64;
        }
    }
    let l = cholesky_with(
        &array(&garbage, &[n, n], DType::F32)?,
        CholeskyOptions::default().symmetrize_input(false),
    );
    check_cholesky(&a, &values(&l)?, 1, n, F32_TOL);
    Ok(())
}

#[test]
fn cholesky_of_a_matrix_that_is_not_positive_definite_is_nan() -> anyhow::Result<()> {
    x64();
    // Matrix 0 is positive definite, matrix 1 is not (its last pivot is negative).
    let good = [4.0, 2.0, 0.0, 2.0, 5.0, 1.0, 0.0, 1.0, 3.0];
    let bad = [4.0, 2.0, 0.0, 2.0, 5.0, 1.0, 0.0, 1.0, -3.0];
    let data: Vec<f64> = good.iter().chain(&bad).copied().collect();
    let a = array(&data, &[2, 3, 3], DType::F32)?;
    for l in [
        cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false)),
        jit(|a: Array| cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false)))
            .call(a.clone())?,
    ] {
        let l = values(&l)?;
        check_cholesky(&good, &l[..9], 1, 3, F32_TOL);
        for i in 0..3 {
            for j in 0..3 {
                let x = l[9 + i * 3 + j];
                if j <= i {
                    assert!(x.is_nan(), "L[1][{i},{j}] = {x}, want NaN");
                } else {
                    assert_eq!(x, 0.0, "L[1][{i},{j}] = {x}, want 0");
                }
            }
        }
    }
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// triangular_solve

/// The triangular matrix `triangular_solve` uses: the `lower`/upper triangle of `a`, with a unit
/// diagonal if `unit_diagonal`.
fn triangle(a: &[f64], n: usize, lower: bool, unit_diagonal: bool) -> Vec<f64> {
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let inside = if lower { j <= i } else { j >= i };
            if i == j && unit_diagonal {
                t[i * n + j] = 1.0;
            } else if inside {
                t[i * n + j] = a[i * n + j];
            }
        }
    }
    t
}

fn triangular_solve_case(
    dtype: DType,
    batch: usize,
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
) -> anyhow::Result<()> {
    let (m, k) = (4, 3);
    let mut rng = Lcg(11);
    // A well-conditioned triangle with garbage in the other one (which must not be read).
    let mut a_data = Vec::new();
    for _ in 0..batch {
        let mut a = rng.vec(m * m);
        for i in 0..m {
            a[i * m + i] = if unit_diagonal {
                1000.0
            } else {
                2.0 + a[i * m + i]
            };
        }
        a_data.extend(a);
    }
    let (b_rows, b_cols) = if left_side { (m, k) } else { (k, m) };
    let b_data = rng.vec(batch * b_rows * b_cols);
    let a_shape = [batch, m, m];
    let b_shape = [batch, b_rows, b_cols];
    let a = array(&a_data, &a_shape, dtype)?;
    let b = array(&b_data, &b_shape, dtype)?;
    let eager = triangular_solve_with(
        &a,
        &b,
        TriangularSolveOptions::default()
            .left_side(left_side)
            .lower(lower)
            .transpose_a(transpose_a)
            .unit_diagonal(unit_diagonal),
    );
    let jitted: Array = jit(move |(a, b): (Array, Array)| {
        triangular_solve_with(
            &a,
            &b,
            TriangularSolveOptions::default()
                .left_side(left_side)
                .lower(lower)
                .transpose_a(transpose_a)
                .conjugate_a(true)
                .unit_diagonal(unit_diagonal),
        )
    })
    .call((a, b))?;
    let case = format!(
        "{dtype} left_side={left_side} lower={lower} transpose_a={transpose_a} \
         unit_diagonal={unit_diagonal}"
    );
    for x in [&eager, &jitted] {
        assert_eq!(x.shape(), b_shape.as_slice(), "{case}");
        assert_eq!(x.dtype(), dtype);
        let x = values(x)?;
        for i in 0..batch {
            let a = &a_data[i * m * m..(i + 1) * m * m];
            let mut op_a = triangle(a, m, lower, unit_diagonal);
            if transpose_a {
                op_a = transpose(&op_a, m, m);
            }
            let x = &x[i * b_rows * b_cols..(i + 1) * b_rows * b_cols];
            let product = if left_side {
                matmul(&op_a, x, m, m, k)
            } else {
                matmul(x, &op_a, k, m, m)
            };
            let want = &b_data[i * b_rows * b_cols..(i + 1) * b_rows * b_cols];
            assert_close(&format!("{case}, matrix {i}"), &product, want, tol(dtype));
        }
    }
    Ok(())
}

#[test]
fn triangular_solve_every_side_triangle_and_transpose() -> anyhow::Result<()> {
    x64();
    for dtype in [DType::F32, DType::F64] {
        for left_side in [true, false] {
            for lower in [true, false] {
                for transpose_a in [false, true] {
                    triangular_solve_case(dtype, 2, left_side, lower, transpose_a, false)?;
                }
            }
        }
    }
    triangular_solve_case(DType::F32, 3, true, true, false, true)?;
    triangular_solve_case(DType::F64, 1, false, false, true, true)
}

#[test]
fn triangular_solve_with_a_vector_right_hand_side() -> anyhow::Result<()> {
    x64();
    // [[2, 0], [1, 4]] x = [2, 9]  =>  x = [1, 2]; x [[2, 0], [1, 4]] = [2, 8]  =>  x = [0, 2].
    let a = array(&[2.0, 0.0, 1.0, 4.0], &[2, 2], DType::F32)?;
    let b = array(&[2.0, 9.0], &[2], DType::F32)?;
    let x = triangular_solve_with(
        &a,
        &b,
        TriangularSolveOptions::default()
            .left_side(true)
            .lower(true),
    );
    assert_eq!(x.shape(), [2]);
    assert_close("left", &values(&x)?, &[1.0, 2.0], F32_TOL);
    let b = array(&[2.0, 8.0], &[2], DType::F32)?;
    let x: Array = jit(|(a, b): (Array, Array)| {
        triangular_solve_with(&a, &b, TriangularSolveOptions::default().lower(true))
    })
    .call((a, b))?;
    assert_eq!(x.shape(), [2]);
    assert_close("right", &values(&x)?, &[0.0, 2.0], F32_TOL);
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// qr

fn qr_case(dtype: DType, batch_shape: &[usize], m: usize, n: usize) -> anyhow::Result<()> {
    let mut rng = Lcg(100 + (m * 10 + n) as u64);
    let batch: usize = batch_shape.iter().product();
    let data = rng.vec(batch * m * n);
    let mut shape = batch_shape.to_vec();
    shape.extend([m, n]);
    let a = array(&data, &shape, dtype)?;
    for full_matrices in [true, false] {
        let k = if full_matrices { m } else { m.min(n) };
        let eager = qr_with(&a, QrOptions::default().full_matrices(full_matrices));
        let jitted: (Array, Array) =
            jit(move |a: Array| qr_with(&a, QrOptions::default().full_matrices(full_matrices)))
                .call(a.clone())?;
        let case = format!("{dtype} {shape:?} full_matrices={full_matrices}");
        for (q, r) in [eager, jitted] {
            let mut q_shape = batch_shape.to_vec();
            q_shape.extend([m, k]);
            let mut r_shape = batch_shape.to_vec();
            r_shape.extend([k, n]);
            assert_eq!(q.shape(), q_shape.as_slice(), "{case}: q");
            assert_eq!(r.shape(), r_shape.as_slice(), "{case}: r");
            assert_eq!((q.dtype(), r.dtype()), (dtype, dtype));
            let (q, r) = (values(&q)?, values(&r)?);
            for b in 0..batch {
                let q = &q[b * m * k..(b + 1) * m * k];
                let r = &r[b * k * n..(b + 1) * k * n];
                for i in 0..k {
                    for j in 0..i.min(n) {
                        assert_eq!(
                            r[i * n + j],
                            0.0,
                            "{case}: R[{b}][{i},{j}] below the diagonal"
                        );
                    }
                }
                let qtq = matmul(&transpose(q, m, k), q, k, m, k);
                assert_close(
                    &format!("{case}: QᵀQ of {b}"),
                    &qtq,
                    &identity(k),
                    tol(dtype),
                );
                let qr = matmul(q, r, m, k, n);
                let want = &data[b * m * n..(b + 1) * m * n];
                assert_close(&format!("{case}: Q·R of {b}"), &qr, want, tol(dtype));
            }
        }
    }
    Ok(())
}

#[test]
fn qr_square_tall_and_wide_f32() -> anyhow::Result<()> {
    x64();
    qr_case(DType::F32, &[], 4, 4)?;
    qr_case(DType::F32, &[], 5, 3)?;
    qr_case(DType::F32, &[], 3, 5)?;
    qr_case(DType::F32, &[3], 4, 4)?;
    qr_case(DType::F32, &[2], 5, 3)?;
    qr_case(DType::F32, &[2, 1], 3, 5)
}

#[test]
fn qr_square_tall_and_wide_f64() -> anyhow::Result<()> {
    x64();
    qr_case(DType::F64, &[], 4, 4)?;
    qr_case(DType::F64, &[2], 6, 3)?;
    qr_case(DType::F64, &[2], 2, 5)
}

#[test]
fn qr_of_empty_matrices() -> anyhow::Result<()> {
    x64();
    let a = array(&[], &[3, 0], DType::F32)?;
    let (q, r) = qr(&a);
    assert_eq!(
        (q.shape(), r.shape()),
        ([3, 3].as_slice(), [3, 0].as_slice())
    );
    assert_eq!(values(&q)?, identity(3));
    let (q, r) = qr_with(&a, QrOptions::default().full_matrices(false));
    assert_eq!(
        (q.shape(), r.shape()),
        ([3, 0].as_slice(), [0, 0].as_slice())
    );
    let a = array(&[], &[2, 0, 4], DType::F32)?;
    let (q, r): (Array, Array) = jit(|a: Array| qr(&a)).call(a)?;
    assert_eq!(
        (q.shape(), r.shape()),
        ([2, 0, 0].as_slice(), [2, 0, 4].as_slice())
    );
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// jaxprs and errors

#[test]
fn jaxprs_print_as_jax_prints_them() -> anyhow::Result<()> {
    // Expected texts are what JAX 0.10.2 prints (`jax.make_jaxpr`) for the same calls.
    x64();
    let a = array(&identity(4), &[4, 4], DType::F32)?;
    let b = array(&[0.0; 8], &[4, 2], DType::F32)?;
    let f = jit(|(a, b): (Array, Array)| {
        triangular_solve_with(
            &a,
            &b,
            TriangularSolveOptions::default()
                .left_side(true)
                .transpose_a(true),
        )
    });
    assert_eq!(
        f.make_jaxpr(&(a.clone(), b))?.to_string(),
        "{ lambda ; a:f32[4,4] b:f32[4,2]. let\n    c:f32[4,2] = triangular_solve[\n      \
         conjugate_a=False\n      left_side=True\n      lower=False\n      transpose_a=True\n      \
         unit_diagonal=False\n    ] a b\n  in (c,) }"
    );
    let c = array(&[0.0; 30], &[2, 5, 3], DType::F32)?;
    assert_eq!(
        jit(|a: Array| qr(&a)).make_jaxpr(&c)?.to_string(),
        "{ lambda ; a:f32[2,5,3]. let\n    b:f32[2,5,5] c:f32[2,5,3] = qr[\n      \
         full_matrices=True\n      pivoting=False\n      use_magma=None\n    ] a\n  in (b, c) }"
    );
    assert_eq!(
        jit(|a: Array| eigh_with(
            &a,
            EighOptions::default().symmetrize_input(false).lower(false)
        ))
        .make_jaxpr(&a)?
        .to_string(),
        "{ lambda ; a:f32[4,4]. let\n    b:f32[4,4] c:f32[4] = eigh[\n      algorithm=None\n      \
         lower=False\n      sort_eigenvalues=True\n      subset_by_index=None\n    ] a\n  in (b, c) }"
    );
    // JAX's `cholesky` function zeroes the upper triangle with separate equations after this
    // one; rjax's primitive does it in its lowering.
    assert_eq!(
        jit(|a: Array| cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false)))
            .make_jaxpr(&a)?
            .to_string(),
        "{ lambda ; a:f32[4,4]. let b:f32[4,4] = cholesky a in (b,) }"
    );
    Ok(())
}

#[test]
fn misuse_panics_naming_the_op_and_the_shapes() -> anyhow::Result<()> {
    x64();
    let wide = array(&[0.0; 12], &[3, 4], DType::F32)?;
    let message = panic_message(|| {
        cholesky_with(&wide, CholeskyOptions::default().symmetrize_input(false));
    });
    assert!(
        message.contains("cholesky") && message.contains("f32[3,4]"),
        "{message}"
    );

    let message = panic_message(|| {
        eigh_with(&wide, EighOptions::default().symmetrize_input(false));
    });
    assert!(
        message.contains("eigh") && message.contains("f32[3,4]"),
        "{message}"
    );

    let square = array(&identity(3), &[3, 3], DType::F32)?;
    let message = panic_message(|| {
        triangular_solve_with(
            &square,
            &wide,
            TriangularSolveOptions::default().lower(true),
        );
    });
    assert!(
        message.contains("triangular_solve")
            && message.contains("f32[3,3]")
            && message.contains("f32[3,4]"),
        "{message}"
    );
    let message = panic_message(|| {
        triangular_solve_with(
            &wide,
            &square,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true),
        );
    });
    assert!(
        message.contains("triangular_solve") && message.contains("f32[3,4]"),
        "{message}"
    );
    let doubles = array(&identity(3), &[3, 3], DType::F64)?;
    let message = panic_message(|| {
        triangular_solve_with(
            &square,
            &doubles,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true),
        );
    });
    assert!(
        message.contains("f32[3,3]") && message.contains("f64[3,3]"),
        "{message}"
    );

    let ints = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2])?;
    let message = panic_message(|| {
        qr_with(&ints, QrOptions::default().full_matrices(false));
    });
    assert!(
        message.contains("qr") && message.contains("i32[2,2]"),
        "{message}"
    );
    let vector = array(&[1.0, 2.0], &[2], DType::F32)?;
    let message = panic_message(|| {
        qr_with(&vector, QrOptions::default().full_matrices(false));
    });
    assert!(
        message.contains("qr") && message.contains("f32[2]"),
        "{message}"
    );

    // Under jit the same check fires while tracing.
    let message = panic_message(|| {
        let _ =
            jit(|a: Array| cholesky_with(&a, CholeskyOptions::default().symmetrize_input(false)))
                .call(wide.clone());
    });
    assert!(
        message.contains("cholesky") && message.contains("f32[3,4]"),
        "{message}"
    );
    Ok(())
}

#[test]
fn empty_matrices() -> anyhow::Result<()> {
    x64();
    let empty = array(&[], &[0, 0], DType::F32)?;
    assert_eq!(
        cholesky_with(&empty, CholeskyOptions::default().symmetrize_input(false)).shape(),
        [0, 0]
    );
    let (v, w) = eigh_with(
        &array(&[], &[2, 0, 0], DType::F32)?,
        EighOptions::default().symmetrize_input(false),
    );
    assert_eq!(
        (v.shape(), w.shape()),
        ([2, 0, 0].as_slice(), [2, 0].as_slice())
    );
    let b = array(&[], &[0, 3], DType::F32)?;
    let x: Array = jit(|(a, b): (Array, Array)| {
        triangular_solve_with(
            &a,
            &b,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true),
        )
    })
    .call((empty, b))?;
    assert_eq!(x.shape(), [0, 3]);
    Ok(())
}
