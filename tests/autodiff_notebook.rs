//! The identities of the reference autodiff notebook, at its sizes, in f64 (x64 mode is
//! process-wide in this test binary): for the least-squares objective `f(x) = ||Ax - b||²`,
//!
//! - `grad f = 2Aᵀ(Ax - b)`, and the gradient with respect to `A` is `2(Ax - b)xᵀ` (n = 1000);
//! - `hessian f = 2AᵀA = jacrev(jacrev(f))` (n = 1000);
//! - `jacfwd = jacrev` on `f` and on the softmax `fvec(x) = exp(Ax) / Σ exp(Ax)`, whose
//!   Jacobian is `(diag(s) - s·sᵀ)·A` ((m, n) = (1000, 1000) and (1000, 10));
//! - the Hessian-vector product `jvp(grad f)(x; z) = 2Aᵀ(Az)` (n = 3000).
//!
//! The closed forms are computed on the host in f64, except `2AᵀA` (n³ multiply-adds, too slow
//! for a debug build), which is computed by rjax's `matmul` (no differentiation involved) and
//! spot-checked row by row on the host. Data come from a deterministic generator.

use rjax::test_util::Rng;
use rjax::{Array, grad, hessian, jacfwd, jacrev, jvp};

fn x64() {
    rjax::config::enable_x64(true);
}

/// A row-major `rows × cols` matrix of standard normal samples scaled by `1/√cols` (so that
/// `A·x` has entries of order one), on the host and as an array.
fn matrix(rng: &mut Rng, rows: usize, cols: usize) -> (Vec<f64>, Array) {
    let scale = 1.0 / (cols as f64).sqrt();
    let values: Vec<f64> = rng
        .normal_vec(rows * cols)
        .iter()
        .map(|v| v * scale)
        .collect();
    let array = Array::from_slice(&values, &[rows, cols]).expect("a matrix");
    (values, array)
}

fn vector(rng: &mut Rng, n: usize) -> (Vec<f64>, Array) {
    let values = rng.normal_vec(n);
    let array = Array::from_vec(values.clone());
    (values, array)
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("f64 values")
}

/// `A·x` for a row-major `rows × cols` matrix.
fn matvec(a: &[f64], x: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..rows)
        .map(|i| {
            a[i * cols..(i + 1) * cols]
                .iter()
                .zip(x)
                .map(|(a, x)| a * x)
                .sum()
        })
        .collect()
}

/// `Aᵀ·y` for a row-major `rows × cols` matrix.
fn matvec_t(a: &[f64], y: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; cols];
    for i in 0..rows {
        let row = &a[i * cols..(i + 1) * cols];
        for (o, a) in out.iter_mut().zip(row) {
            *o += a * y[i];
        }
    }
    out
}

/// Asserts `got ≈ want` elementwise, relative to the largest magnitude of `want`.
fn assert_close(what: &str, got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs())).max(1e-300);
    let (worst, at) = got
        .iter()
        .zip(want)
        .enumerate()
        .map(|(i, (g, w))| ((g - w).abs(), i))
        .fold(
            (0.0, 0),
            |best, next| if next.0 > best.0 { next } else { best },
        );
    assert!(
        worst <= rtol * scale,
        "{what}: element {at} is {} where {} was expected (|difference| {worst:e}, scale {scale:e})",
        got[at],
        want[at]
    );
}

/// `||Ax - b||²`.
fn objective(a: &Array, x: &Array, b: &Array) -> Array {
    let r = a.matmul(x) - b;
    (&r * &r).sum()
}

/// The residual `Ax - b` on the host.
fn residual(a: &[f64], x: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    matvec(a, x, n, n)
        .iter()
        .zip(b)
        .map(|(ax, b)| ax - b)
        .collect()
}

/// Relative tolerance of the comparisons: sums of up to a few thousand f64 products.
const RTOL: f64 = 1e-10;

#[test]
fn gradient_of_least_squares_is_two_a_transpose_residual() -> rjax::Result<()> {
    x64();
    let n = 1000;
    let mut rng = Rng::new(1);
    let (a_host, a) = matrix(&mut rng, n, n);
    let (x_host, x) = vector(&mut rng, n);
    let (b_host, b) = vector(&mut rng, n);
    let g = grad(|x: Array| objective(&a, &x, &b))(x)?;
    assert_eq!(g.shape(), [n]);
    let r = residual(&a_host, &x_host, &b_host, n);
    let want: Vec<f64> = matvec_t(&a_host, &r, n, n)
        .iter()
        .map(|v| 2.0 * v)
        .collect();
    assert_close("grad_x", &values(&g), &want, RTOL);
    Ok(())
}

#[test]
fn gradient_with_respect_to_a_is_two_residual_x_transpose() -> rjax::Result<()> {
    x64();
    let n = 1000;
    let mut rng = Rng::new(2);
    let (a_host, a) = matrix(&mut rng, n, n);
    let (x_host, x) = vector(&mut rng, n);
    let (b_host, b) = vector(&mut rng, n);
    let g = grad(|a: Array| objective(&a, &x, &b))(a)?;
    assert_eq!(g.shape(), [n, n]);
    let r = residual(&a_host, &x_host, &b_host, n);
    let want: Vec<f64> = (0..n * n).map(|k| 2.0 * r[k / n] * x_host[k % n]).collect();
    assert_close("grad_A", &values(&g), &want, RTOL);
    Ok(())
}

#[test]
fn hessian_of_least_squares_is_two_a_transpose_a_and_jacrev_of_jacrev() -> rjax::Result<()> {
    x64();
    let n = 1000;
    let mut rng = Rng::new(3);
    let (a_host, a) = matrix(&mut rng, n, n);
    let (_, x) = vector(&mut rng, n);
    let (_, b) = vector(&mut rng, n);
    let f = |x: Array| objective(&a, &x, &b);
    let h: Array = hessian(f)(x.clone())?;
    assert_eq!(h.shape(), [n, n]);
    let h = values(&h);
    // 2AᵀA by a plain matrix product, and some of its rows on the host.
    let want = values(&(a.t().matmul(&a) * 2.0));
    assert_close("hessian vs 2AᵀA", &h, &want, RTOL);
    for row in [0, 1, 499, 998, 999] {
        let column: Vec<f64> = (0..n).map(|k| a_host[k * n + row]).collect();
        let host_row: Vec<f64> = matvec_t(&a_host, &column, n, n)
            .iter()
            .map(|v| 2.0 * v)
            .collect();
        assert_close(
            &format!("hessian row {row} vs the host"),
            &h[row * n..(row + 1) * n],
            &host_row,
            RTOL,
        );
    }
    let jj: Array = jacrev(|x: Array| -> rjax::Result<Array> { jacrev(f)(x) })(x)?;
    assert_eq!(jj.shape(), [n, n]);
    assert_close("hessian vs jacrev(jacrev(f))", &h, &values(&jj), RTOL);
    Ok(())
}

#[test]
fn jacfwd_equals_jacrev_on_least_squares() -> rjax::Result<()> {
    x64();
    let n = 1000;
    let mut rng = Rng::new(4);
    let (a_host, a) = matrix(&mut rng, n, n);
    let (x_host, x) = vector(&mut rng, n);
    let (b_host, b) = vector(&mut rng, n);
    let f = |x: Array| objective(&a, &x, &b);
    let forward: Array = jacfwd(f)(x.clone())?;
    let reverse: Array = jacrev(f)(x)?;
    assert_eq!(forward.shape(), [n]);
    assert_eq!(reverse.shape(), [n]);
    let r = residual(&a_host, &x_host, &b_host, n);
    let want: Vec<f64> = matvec_t(&a_host, &r, n, n)
        .iter()
        .map(|v| 2.0 * v)
        .collect();
    assert_close(
        "jacfwd vs jacrev",
        &values(&forward),
        &values(&reverse),
        RTOL,
    );
    assert_close("jacfwd vs 2Aᵀ(Ax - b)", &values(&forward), &want, RTOL);
    Ok(())
}

/// `jacfwd = jacrev = (diag(s) - s·sᵀ)·A` for `fvec(x) = exp(Ax) / Σ exp(Ax)`, `A` of `m × n`.
fn check_softmax_jacobians(m: usize, n: usize, seed: u64) -> rjax::Result<()> {
    x64();
    let mut rng = Rng::new(seed);
    let (a_host, a) = matrix(&mut rng, m, n);
    let (x_host, x) = vector(&mut rng, n);
    let fvec = |x: Array| {
        let e = a.matmul(&x).exp();
        &e / &e.sum()
    };
    let forward: Array = jacfwd(fvec)(x.clone())?;
    let reverse: Array = jacrev(fvec)(x)?;
    assert_eq!(forward.shape(), [m, n]);
    assert_eq!(reverse.shape(), [m, n]);
    // The closed form on the host: J[i, j] = s[i]·(A[i, j] - Σₖ s[k]·A[k, j]).
    let e: Vec<f64> = matvec(&a_host, &x_host, m, n)
        .iter()
        .map(|v| v.exp())
        .collect();
    let total: f64 = e.iter().sum();
    let s: Vec<f64> = e.iter().map(|v| v / total).collect();
    let c = matvec_t(&a_host, &s, m, n);
    let want: Vec<f64> = (0..m * n)
        .map(|k| s[k / n] * (a_host[k] - c[k % n]))
        .collect();
    let forward = values(&forward);
    assert_close(
        &format!("({m}, {n}): jacfwd vs jacrev"),
        &forward,
        &values(&reverse),
        RTOL,
    );
    assert_close(
        &format!("({m}, {n}): jacfwd vs the closed form"),
        &forward,
        &want,
        RTOL,
    );
    Ok(())
}

#[test]
fn jacfwd_equals_jacrev_on_softmax_square() -> rjax::Result<()> {
    check_softmax_jacobians(1000, 1000, 5)
}

#[test]
fn jacfwd_equals_jacrev_on_softmax_tall() -> rjax::Result<()> {
    check_softmax_jacobians(1000, 10, 6)
}

#[test]
fn hessian_vector_product_by_jvp_of_grad_is_two_a_transpose_a_z() -> rjax::Result<()> {
    x64();
    let n = 3000;
    let mut rng = Rng::new(7);
    let (a_host, a) = matrix(&mut rng, n, n);
    let (_, x) = vector(&mut rng, n);
    let (_, b) = vector(&mut rng, n);
    let (z_host, z) = vector(&mut rng, n);
    let df = grad(|x: Array| objective(&a, &x, &b));
    let (_, hvp): (Array, Array) = jvp(df, x, z)?;
    assert_eq!(hvp.shape(), [n]);
    let az = matvec(&a_host, &z_host, n, n);
    let want: Vec<f64> = matvec_t(&a_host, &az, n, n)
        .iter()
        .map(|v| 2.0 * v)
        .collect();
    assert_close("hvp", &values(&hvp), &want, RTOL);
    Ok(())
}
