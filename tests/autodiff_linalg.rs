//! Differentiation of the linear-algebra primitives (cholesky, triangular_solve, qr, eigh):
//! `jvp` against central finite differences in f64, `grad` against closed forms computed on
//! the host, the identity <vjp(ct), t> = <ct, jvp(t)>, batched inputs, and `jit(grad(f))`.
//! x64 mode is process-global, so every test turns it on first.

mod common;

use common::{matmul, transpose};
use rjax::lax::{
    CholeskyOptions, EighOptions, QrOptions, TriangularSolveOptions, cholesky_with, eigh_with,
    qr_with, triangular_solve_with,
};
use rjax::{Array, grad, jit, jvp, vjp};

fn x64() {
    rjax::config::enable_x64(true);
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

fn array(data: &[f64], shape: &[usize]) -> Array {
    Array::from_slice(data, shape).expect("an f64 array")
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("f64 values")
}

/// Asserts `|got - want| <= tol · max(1, max|want|)` elementwise.
fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = want.iter().fold(1.0f64, |acc, x| acc.max(x.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}: element {i} is {g}, want {w} (tol {tol} × {scale})\ngot  {got:?}\nwant {want:?}"
        );
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The inverse of an `n×n` matrix, by Gauss–Jordan elimination with partial pivoting.
fn inverse(a: &[f64], n: usize) -> Vec<f64> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| m[x * n + col].abs().total_cmp(&m[y * n + col].abs()))
            .expect("a row");
        for j in 0..n {
            m.swap(col * n + j, pivot * n + j);
            inv.swap(col * n + j, pivot * n + j);
        }
        let p = m[col * n + col];
        for j in 0..n {
            m[col * n + j] /= p;
            inv[col * n + j] /= p;
        }
        for row in (0..n).filter(|&r| r != col) {
            let factor = m[row * n + col];
            for j in 0..n {
                m[row * n + j] -= factor * m[col * n + j];
                inv[row * n + j] -= factor * inv[col * n + j];
            }
        }
    }
    inv
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

/// A random symmetric matrix.
fn symmetric(rng: &mut Lcg, n: usize) -> Vec<f64> {
    let m = rng.vec(n * n);
    let mt = transpose(&m, n, n);
    m.iter().zip(&mt).map(|(x, y)| x + y).collect()
}

/// A symmetric matrix with eigenvalues `eigenvalues` (well separated in the tests).
fn with_eigenvalues(rng: &mut Lcg, eigenvalues: &[f64]) -> Vec<f64> {
    let n = eigenvalues.len();
    let mut q = vec![0.0; n * n];
    for i in 0..n {
        q[i * n + i] = 1.0;
    }
    for _ in 0..n {
        let v = rng.vec(n);
        let norm2 = dot(&v, &v);
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] = f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j] / norm2;
            }
        }
        q = matmul(&q, &h, n, n, n);
    }
    let mut d = vec![0.0; n * n];
    for (i, w) in eigenvalues.iter().enumerate() {
        d[i * n + i] = *w;
    }
    matmul(&matmul(&q, &d, n, n, n), &transpose(&q, n, n), n, n, n)
}

/// A function of several arrays with several outputs.
type Multi<'a> = &'a dyn Fn(&[Array]) -> Vec<Array>;

/// `f` at `inputs + s·h·directions`.
fn shifted(
    f: Multi,
    inputs: &[(Vec<f64>, Vec<usize>)],
    directions: &[Vec<f64>],
    s: f64,
) -> Vec<Vec<f64>> {
    let args: Vec<Array> = inputs
        .iter()
        .zip(directions)
        .map(|((x, shape), d)| {
            let moved: Vec<f64> = x.iter().zip(d).map(|(x, d)| x + s * d).collect();
            array(&moved, shape)
        })
        .collect();
    f(&args).iter().map(values).collect()
}

/// Checks `jvp(f)` along `directions` against central differences with step `h`.
fn check_jvp(
    what: &str,
    f: Multi,
    inputs: &[(Vec<f64>, Vec<usize>)],
    directions: &[Vec<f64>],
    h: f64,
    tol: f64,
) -> anyhow::Result<()> {
    let primals: Vec<Array> = inputs.iter().map(|(x, shape)| array(x, shape)).collect();
    let tangents: Vec<Array> = inputs
        .iter()
        .zip(directions)
        .map(|((_, shape), d)| array(d, shape))
        .collect();
    let (outs, tangent_outs): (Vec<Array>, Vec<Array>) =
        jvp(|xs: Vec<Array>| f(&xs), primals.clone(), tangents)?;
    let plain = f(&primals);
    let plus = shifted(f, inputs, directions, h);
    let minus = shifted(f, inputs, directions, -h);
    for (i, (out, tangent)) in outs.iter().zip(&tangent_outs).enumerate() {
        assert_close(
            &format!("{what}: primal {i}"),
            &values(out),
            &values(&plain[i]),
            1e-12,
        );
        let numeric: Vec<f64> = plus[i]
            .iter()
            .zip(&minus[i])
            .map(|(p, m)| (p - m) / (2.0 * h))
            .collect();
        assert_close(
            &format!("{what}: tangent {i}"),
            &values(tangent),
            &numeric,
            tol,
        );
    }
    Ok(())
}

/// Checks <ct, jvp(t)> = <vjp(ct), t> for random `t` and `ct`.
fn check_inner_product(
    what: &str,
    f: Multi,
    inputs: &[(Vec<f64>, Vec<usize>)],
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = Lcg(seed);
    let primals: Vec<Array> = inputs.iter().map(|(x, shape)| array(x, shape)).collect();
    let ts: Vec<Vec<f64>> = inputs.iter().map(|(x, _)| rng.vec(x.len())).collect();
    let tangents: Vec<Array> = ts
        .iter()
        .zip(inputs)
        .map(|(t, (_, shape))| array(t, shape))
        .collect();
    let (outs, tangent_outs): (Vec<Array>, Vec<Array>) =
        jvp(|xs: Vec<Array>| f(&xs), primals.clone(), tangents)?;
    let cts: Vec<Array> = outs
        .iter()
        .map(|out| array(&rng.vec(out.size()), out.shape()))
        .collect();
    let (_, pullback) = vjp(|xs: Vec<Array>| f(&xs), primals)?;
    let ct_ins: Vec<Array> = pullback(cts.clone())?;
    let lhs: f64 = cts
        .iter()
        .zip(&tangent_outs)
        .map(|(c, t)| dot(&values(c), &values(t)))
        .sum();
    let rhs: f64 = ct_ins
        .iter()
        .zip(&ts)
        .map(|(c, t)| dot(&values(c), t))
        .sum();
    assert!(
        (lhs - rhs).abs() <= 1e-10 * lhs.abs().max(1.0),
        "{what}: <ct, jvp(t)> = {lhs} but <vjp(ct), t> = {rhs}"
    );
    Ok(())
}

/// `batch` matrices of `n×n` made by `make`, concatenated.
fn batch_of(batch: usize, mut make: impl FnMut() -> Vec<f64>) -> Vec<f64> {
    (0..batch).flat_map(|_| make()).collect()
}

// ----------------------------------------------------------------------------------------------
// cholesky

#[test]
fn cholesky_jvp_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(1);
    let (b, n) = (2, 4);
    let a = batch_of(b, || spd(&mut rng, n));
    let d = batch_of(b, || symmetric(&mut rng, n));
    let f = |xs: &[Array]| {
        vec![cholesky_with(
            &xs[0],
            CholeskyOptions::default().symmetrize_input(false),
        )]
    };
    check_jvp(
        "cholesky",
        &f,
        &[(a.clone(), vec![b, n, n])],
        &[d],
        1e-6,
        1e-6,
    )?;
    check_inner_product("cholesky", &f, &[(a, vec![b, n, n])], 2)
}

/// ½ log det A = Σ log diag(L): the diagonal picked with an identity mask (log 1 = 0 off it).
fn half_log_det(a: &Array) -> Array {
    let n = a.shape()[a.ndim() - 1];
    let mut eye = vec![0.0; n * n];
    for i in 0..n {
        eye[i * n + i] = 1.0;
    }
    let eye = array(&eye, &[n, n]);
    let l = cholesky_with(a, CholeskyOptions::default().symmetrize_input(false));
    (&l * &eye + (-&eye + 1.0)).log().sum()
}

#[test]
fn cholesky_gradient_of_half_log_det_is_half_the_inverse() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(3);
    let (b, n) = (3, 4);
    let a = batch_of(b, || spd(&mut rng, n));
    let want: Vec<f64> = a
        .chunks(n * n)
        .flat_map(|m| inverse(m, n).into_iter().map(|x| 0.5 * x))
        .collect();
    let x = array(&a, &[b, n, n]);
    let eager = grad(|a: Array| half_log_det(&a))(x.clone())?;
    assert_close("grad ½ log det", &values(&eager), &want, 1e-10);
    let staged: Array = jit(grad(|a: Array| half_log_det(&a))).call(x.clone())?;
    assert_close("jit(grad ½ log det)", &values(&staged), &want, 1e-10);
    // Forward over reverse: the derivative of ½·A⁻¹ along a symmetric D is -½·A⁻¹·D·A⁻¹.
    let d = batch_of(b, || symmetric(&mut rng, n));
    let (_, hvp): (Array, Array) = jvp(
        |a: Array| grad(|a: Array| half_log_det(&a))(a),
        x,
        array(&d, &[b, n, n]),
    )?;
    let want_hvp: Vec<f64> = a
        .chunks(n * n)
        .zip(d.chunks(n * n))
        .flat_map(|(m, d)| {
            let inv = inverse(m, n);
            let product = matmul(&matmul(&inv, d, n, n, n), &inv, n, n, n);
            product.into_iter().map(|x| -0.5 * x)
        })
        .collect();
    assert_close("jvp(grad ½ log det)", &values(&hvp), &want_hvp, 1e-10);
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// triangular_solve

/// A well-conditioned `n×n` matrix: random with a dominant diagonal (both triangles filled).
fn dominant(rng: &mut Lcg, n: usize) -> Vec<f64> {
    let mut a = rng.vec(n * n);
    for i in 0..n {
        a[i * n + i] += 3.0;
    }
    a
}

#[test]
fn triangular_solve_jvp_matches_central_differences_in_a_and_b() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(5);
    let (batch, m) = (2, 3);
    for flags in 0..16u32 {
        let [left_side, lower, transpose_a, unit_diagonal] =
            [0, 1, 2, 3].map(|bit| flags >> bit & 1 == 1);
        // Both orders of the products: `b` with more and with fewer rows than columns.
        for k in [2, 4] {
            let b_shape = if left_side {
                vec![batch, m, k]
            } else {
                vec![batch, k, m]
            };
            let a = batch_of(batch, || dominant(&mut rng, m));
            let bv = rng.vec(batch * m * k);
            let da = rng.vec(a.len());
            let db = rng.vec(bv.len());
            let f = move |xs: &[Array]| {
                vec![triangular_solve_with(
                    &xs[0],
                    &xs[1],
                    TriangularSolveOptions::default()
                        .left_side(left_side)
                        .lower(lower)
                        .transpose_a(transpose_a)
                        .unit_diagonal(unit_diagonal),
                )]
            };
            let what = format!(
                "triangular_solve left_side={left_side} lower={lower} transpose_a={transpose_a} \
                 unit_diagonal={unit_diagonal} k={k}"
            );
            let inputs = [(a, vec![batch, m, m]), (bv, b_shape)];
            check_jvp(&what, &f, &inputs, &[da, db], 1e-6, 1e-6)?;
            check_inner_product(&what, &f, &inputs, u64::from(flags) * 10 + k as u64)?;
        }
    }
    Ok(())
}

#[test]
fn triangular_solve_gradients_match_closed_forms() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(7);
    let (n, k) = (3, 2);
    let mut a = dominant(&mut rng, n);
    for i in 0..n {
        for j in i + 1..n {
            a[i * n + j] = 0.0;
        }
    }
    let bv = rng.vec(n * k);
    let c = rng.vec(n * k);
    let (a_arr, b_arr, c_arr) = (array(&a, &[n, n]), array(&bv, &[n, k]), array(&c, &[n, k]));
    // f = Σ c ∘ X with X = A⁻¹·B: ∂f/∂B = A⁻ᵀ·C and ∂f/∂A = tril(-A⁻ᵀ·C·Xᵀ).
    let a_inv_t = transpose(&inverse(&a, n), n, n);
    let x = matmul(&inverse(&a, n), &bv, n, n, k);
    let want_b = matmul(&a_inv_t, &c, n, n, k);
    let mut want_a: Vec<f64> = matmul(&want_b, &transpose(&x, n, k), n, k, n)
        .into_iter()
        .map(|v| -v)
        .collect();
    for i in 0..n {
        for j in i + 1..n {
            want_a[i * n + j] = 0.0;
        }
    }
    let objective = |a: &Array, b: &Array| {
        (triangular_solve_with(
            a,
            b,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true),
        ) * &c_arr)
            .sum()
    };
    let gb = grad(|b: Array| objective(&a_arr, &b))(b_arr.clone())?;
    assert_close("∂f/∂B", &values(&gb), &want_b, 1e-10);
    let ga = grad(|a: Array| objective(&a, &b_arr))(a_arr.clone())?;
    assert_close("∂f/∂A", &values(&ga), &want_a, 1e-10);
    let (ga, gb): (Array, Array) =
        jit(grad(|(a, b): (Array, Array)| objective(&a, &b))).call((a_arr, b_arr))?;
    assert_close("jit ∂f/∂A", &values(&ga), &want_a, 1e-10);
    assert_close("jit ∂f/∂B", &values(&gb), &want_b, 1e-10);
    Ok(())
}

#[test]
fn solving_through_cholesky_has_the_inverse_gradient() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(11);
    let (batch, n) = (2, 3);
    let a = batch_of(batch, || spd(&mut rng, n));
    let bv = rng.vec(batch * n);
    let c = rng.vec(batch * n);
    let c_arr = array(&c, &[batch, n, 1]);
    // x = A⁻¹·b through L·y = b, Lᵀ·x = y; f = Σ c ∘ x, so ∂f/∂b = A⁻¹·c (A symmetric).
    let solve = |a: &Array, b: &Array| {
        let l = cholesky_with(a, CholeskyOptions::default().symmetrize_input(false));
        let y = triangular_solve_with(
            &l,
            b,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true),
        );
        triangular_solve_with(
            &l,
            &y,
            TriangularSolveOptions::default()
                .left_side(true)
                .lower(true)
                .transpose_a(true),
        )
    };
    let objective = |a: &Array, b: &Array| (solve(a, b) * &c_arr).sum();
    let a_arr = array(&a, &[batch, n, n]);
    let b_arr = array(&bv, &[batch, n, 1]);
    let want_b: Vec<f64> = (0..batch)
        .flat_map(|i| {
            matmul(
                &inverse(&a[i * n * n..(i + 1) * n * n], n),
                &c[i * n..(i + 1) * n],
                n,
                n,
                1,
            )
        })
        .collect();
    let gb = grad(|b: Array| objective(&a_arr, &b))(b_arr.clone())?;
    assert_close("∂f/∂b", &values(&gb), &want_b, 1e-10);
    let staged: Array = jit(grad(|b: Array| objective(&a_arr, &b))).call(b_arr.clone())?;
    assert_close("jit ∂f/∂b", &values(&staged), &want_b, 1e-10);
    // ∂f/∂A paired with a symmetric direction D, against a central difference.
    let ga = values(&grad(|a: Array| objective(&a, &b_arr))(a_arr.clone())?);
    let d = batch_of(batch, || symmetric(&mut rng, n));
    let h = 1e-6;
    let at = |s: f64| {
        let moved: Vec<f64> = a.iter().zip(&d).map(|(a, d)| a + s * h * d).collect();
        objective(&array(&moved, &[batch, n, n]), &b_arr).item::<f64>()
    };
    let numeric = (at(1.0)? - at(-1.0)?) / (2.0 * h);
    assert_close("<∂f/∂A, D>", &[dot(&ga, &d)], &[numeric], 1e-6);
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// qr

/// The shapes `[batch, m, n]` and modes exercised: tall, square and wide, reduced and full.
const QR_CASES: [(usize, usize, bool); 6] = [
    (4, 3, false),
    (4, 3, true),
    (3, 3, false),
    (3, 3, true),
    (3, 5, false),
    (3, 5, true),
];

#[test]
fn qr_jvp_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(13);
    let batch = 2;
    for (m, n, full_matrices) in QR_CASES {
        let x = rng.vec(batch * m * n);
        let d = rng.vec(x.len());
        let f = move |xs: &[Array]| {
            let (q, r) = qr_with(&xs[0], QrOptions::default().full_matrices(full_matrices));
            vec![q, r]
        };
        let what = format!("qr {m}×{n} full_matrices={full_matrices}");
        let inputs = [(x, vec![batch, m, n])];
        check_jvp(&what, &f, &inputs, &[d], 1e-6, 1e-6)?;
        check_inner_product(&what, &f, &inputs, 17 + m as u64 * 7 + n as u64)?;
    }
    Ok(())
}

#[test]
fn qr_gradient_of_the_squared_norm_of_r_is_twice_the_input() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(19);
    let batch = 2;
    // Q has orthonormal columns spanning X's, so ‖R‖² = ‖QᵀX‖² = ‖X‖² and the gradient is 2X.
    for (m, n, full_matrices) in QR_CASES {
        let x = rng.vec(batch * m * n);
        let want: Vec<f64> = x.iter().map(|x| 2.0 * x).collect();
        let x_arr = array(&x, &[batch, m, n]);
        let f = move |x: Array| {
            let (_, r) = qr_with(&x, QrOptions::default().full_matrices(full_matrices));
            (&r * &r).sum()
        };
        let what = format!("qr {m}×{n} full_matrices={full_matrices}");
        assert_close(&what, &values(&grad(f)(x_arr.clone())?), &want, 1e-10);
        let staged: Array = jit(grad(f)).call(x_arr)?;
        assert_close(&format!("jit {what}"), &values(&staged), &want, 1e-10);
    }
    Ok(())
}

// ----------------------------------------------------------------------------------------------
// eigh

const EIGENVALUES: [[f64; 4]; 2] = [[-2.0, 0.5, 1.5, 4.0], [1.0, 2.0, 4.0, 7.0]];

/// A batch of symmetric matrices with well-separated eigenvalues, and a symmetric direction.
fn eigh_inputs(rng: &mut Lcg) -> (Vec<f64>, Vec<f64>) {
    let a: Vec<f64> = EIGENVALUES
        .iter()
        .flat_map(|w| with_eigenvalues(rng, w))
        .collect();
    let d = batch_of(EIGENVALUES.len(), || symmetric(rng, 4));
    (a, d)
}

#[test]
fn eigh_eigenvalue_jvp_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(23);
    let (a, d) = eigh_inputs(&mut rng);
    for lower in [true, false] {
        let f = move |xs: &[Array]| {
            vec![
                eigh_with(
                    &xs[0],
                    EighOptions::default().symmetrize_input(false).lower(lower),
                )
                .1,
            ]
        };
        let inputs = [(a.clone(), vec![2, 4, 4])];
        check_jvp(
            &format!("eigh w lower={lower}"),
            &f,
            &inputs,
            std::slice::from_ref(&d),
            1e-6,
            1e-6,
        )?;
    }
    Ok(())
}

#[test]
fn eigh_eigenvector_jvp_matches_central_differences_and_the_perturbation_equations()
-> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(29);
    let (a, d) = eigh_inputs(&mut rng);
    let n = 4;
    // Each column's sign fixed by its inner product with a generic vector (sign has zero
    // derivative, so the tangent is V̇ with the same signs).
    let p = array(&[0.3, -0.7, 1.1, 0.9], &[4, 1]);
    let f = move |xs: &[Array]| {
        let (v, w) = eigh_with(&xs[0], EighOptions::default().symmetrize_input(false));
        let signs = (&v * &p).sum_axes([-2]).sign().reshape(&[2, 1, 4]);
        vec![&v * &signs, w]
    };
    // XLA's Jacobi eigenvectors are accurate to about 1e-8 only: a larger step.
    let inputs = [(a.clone(), vec![2, n, n])];
    check_jvp("eigh v", &f, &inputs, std::slice::from_ref(&d), 1e-3, 1e-4)?;
    check_inner_product("eigh", &f, &inputs, 31)?;
    // Exactly, to first order: Ȧ·V + A·V̇ = V̇·diag(w) + V·diag(ẇ), and Vᵀ·V̇ is skew.
    let (outs, tangents): (Vec<Array>, Vec<Array>) = jvp(
        |a: Vec<Array>| {
            let (v, w) = eigh_with(&a[0], EighOptions::default().symmetrize_input(false));
            vec![v, w]
        },
        vec![array(&a, &[2, n, n])],
        vec![array(&d, &[2, n, n])],
    )?;
    let (v, w, dv, dw) = (
        values(&outs[0]),
        values(&outs[1]),
        values(&tangents[0]),
        values(&tangents[1]),
    );
    for b in 0..2 {
        let mat = |x: &[f64]| x[b * n * n..(b + 1) * n * n].to_vec();
        let diag = |x: &[f64]| {
            let mut m = vec![0.0; n * n];
            for i in 0..n {
                m[i * n + i] = x[b * n + i];
            }
            m
        };
        let (vb, dvb) = (mat(&v), mat(&dv));
        let lhs: Vec<f64> = matmul(&mat(&d), &vb, n, n, n)
            .iter()
            .zip(matmul(&mat(&a), &dvb, n, n, n))
            .map(|(x, y)| x + y)
            .collect();
        let rhs: Vec<f64> = matmul(&dvb, &diag(&w), n, n, n)
            .iter()
            .zip(matmul(&vb, &diag(&dw), n, n, n))
            .map(|(x, y)| x + y)
            .collect();
        assert_close("perturbation equation", &lhs, &rhs, 1e-7);
        let vt_dv = matmul(&transpose(&vb, n, n), &dvb, n, n, n);
        let skew: Vec<f64> = transpose(&vt_dv, n, n).iter().map(|x| -x).collect();
        assert_close("Vᵀ·V̇ skew", &vt_dv, &skew, 1e-7);
    }
    Ok(())
}

#[test]
fn eigh_gradient_of_weighted_eigenvalues_matches_the_closed_form() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(37);
    let (a, _) = eigh_inputs(&mut rng);
    let n = 4;
    let c = [0.5, -1.0, 2.0, 0.25];
    let c_arr = array(&c, &[n]);
    let f =
        |a: Array| (eigh_with(&a, EighOptions::default().symmetrize_input(false)).1 * &c_arr).sum();
    let a_arr = array(&a, &[2, n, n]);
    // ∂(Σ cᵢ wᵢ)/∂A = V·diag(c)·Vᵀ.
    let v = values(&eigh_with(&a_arr, EighOptions::default().symmetrize_input(false)).0);
    let mut diag = vec![0.0; n * n];
    for i in 0..n {
        diag[i * n + i] = c[i];
    }
    let want: Vec<f64> = v
        .chunks(n * n)
        .flat_map(|vb| matmul(&matmul(vb, &diag, n, n, n), &transpose(vb, n, n), n, n, n))
        .collect();
    assert_close("grad Σ c w", &values(&grad(f)(a_arr.clone())?), &want, 1e-7);
    let staged: Array = jit(grad(f)).call(a_arr)?;
    assert_close("jit grad Σ c w", &values(&staged), &want, 1e-7);
    Ok(())
}
