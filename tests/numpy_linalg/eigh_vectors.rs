//! `eigh` with eigenvectors (tridiagonalization, bisection, inverse iteration): its defining
//! properties `A·V = V·diag(w)` and `VᵀV = I` and its eigenvalues against NumPy, on random,
//! clustered, repeated, diagonal and tridiagonal inputs, in float64 and float32, batched.

use super::*;
use values_only::symmetric;

/// `eigh` staged under `jit` (one executable per shape).
fn eigh_jit(a: &Array) -> Result<(Array, Array)> {
    let f = jit(|a: Array| {
        let (w, v) = linalg::eigh(&a);
        Ok::<_, rjax::Error>(vec![w, v])
    });
    let mut out: Vec<Array> = f.call(a.clone())?;
    let v = out.pop().expect("two outputs");
    Ok((out.pop().expect("two outputs"), v))
}

/// The tolerance of the properties in `a`'s dtype.
fn tolerance(a: &Array) -> f64 {
    if a.dtype() == DType::F64 { 1e-10 } else { 1e-4 }
}

/// Checks `A·V = V·diag(w)` (relative to the largest `|w|`) and `VᵀV = I` for every matrix
/// of the batch `a`, returning `(w, v)`.
fn eigh_properties(what: &str, a: &Array) -> Result<(Array, Array)> {
    let (w, v) = eigh_jit(a)?;
    let n = a.shape()[a.ndim() - 1];
    let tol = tolerance(a);
    // In float64, so that the floor on the scale does not underflow to 0 in float32 (an
    // exactly zero spectrum would then give 0/0).
    let scale = w.astype(DType::F64).abs().max().maximum(1e-300);
    let residual = jnp::matmul(a, &v) - &v * jnp::expand_dims(&w, &[-2]);
    let residual = values(&(residual.astype(DType::F64).abs().max() / scale))?[0];
    let orthogonality = jnp::matmul(mt(&v), &v) - identity(n, a);
    let orthogonality = values(&orthogonality.abs().max())?[0];
    ensure!(
        residual <= tol && orthogonality <= tol,
        "{what} ({}): |A·V - V·diag(w)| = {residual:e}, |VᵀV - I| = {orthogonality:e} > {tol:e}",
        a.dtype()
    );
    let w_host = values(&w)?;
    ensure!(
        w_host
            .chunks(n.max(1))
            .all(|w| w.windows(2).all(|p| p[0] <= p[1])),
        "{what}: eigenvalues not ascending"
    );
    Ok((w, v))
}

#[test]
fn eigh_matches_numpy_on_the_eigenvalue_only_cases() -> Result<()> {
    rjax::config::enable_x64(true);
    let mut cases: Vec<(String, Array)> = [1, 2, 3, 17, 64, 200]
        .iter()
        .map(|&n| (format!("eigvalsh_sym{n}"), symmetric(n)))
        .collect();
    let cluster = jnp::kron(jnp::eye(4, None, 0, None), symmetric(4));
    cases.push(("eigvalsh_cluster".into(), cluster));
    for (name, a) in &cases {
        let (w, _) = eigh_properties(name, a)?;
        check(name, &w)?;
        let (w, _) = eigh_properties(name, &a.astype(DType::F32))?;
        check_f32(name, &w)?;
    }
    Ok(())
}

#[test]
fn eigh_holds_on_random_symmetric_matrices() -> Result<()> {
    rjax::config::enable_x64(true);
    for (seed, n) in [1usize, 2, 3, 17, 64, 200].into_iter().enumerate() {
        for dtype in [DType::F64, DType::F32] {
            let a = random(10 + seed as i64, &[n, n], dtype, 0.0);
            eigh_properties(&format!("random {n}x{n}"), &(&a + mt(&a)))?;
        }
    }
    Ok(())
}

/// `Q·diag(w)·Qᵀ` for a random orthogonal `Q` of order `w.len()`.
fn with_eigenvalues(w: &[f64], seed: i64) -> Result<Array> {
    let n = w.len();
    let (q, _) = linalg::qr(random(seed, &[n, n], DType::F64, 0.0));
    let w = Array::from_vec(w.to_vec());
    Ok(jnp::matmul(&(&q * jnp::expand_dims(&w, &[0])), mt(&q)))
}

#[test]
fn eigh_holds_on_repeated_and_clustered_eigenvalues() -> Result<()> {
    rjax::config::enable_x64(true);
    // An eigenvalue of multiplicity 10 among 30, and a tight cluster (gaps of 1e-9).
    let mut repeated: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.37 - 3.0).collect();
    repeated.extend([0.5; 10]);
    let mut close: Vec<f64> = (0..24).map(|i| f64::from(i) * 0.21 - 2.0).collect();
    close.extend((0..6).map(|i| 1.0 + f64::from(i) * 1e-9));
    for (name, w, seed) in [("repeated", repeated, 21), ("close", close, 22)] {
        let a = with_eigenvalues(&w, seed)?;
        for a in [a.clone(), a.astype(DType::F32)] {
            let (got, _) = eigh_properties(name, &a)?;
            let mut want = w.clone();
            want.sort_by(f64::total_cmp);
            let want = Array::from_vec(want).astype(a.dtype());
            check_close(name, &got, &want, tolerance(&a))?;
        }
    }
    Ok(())
}

#[test]
fn eigh_holds_on_diagonal_and_tridiagonal_inputs() -> Result<()> {
    rjax::config::enable_x64(true);
    let entries = [3.0, 1.0, 2.0, 1.0, 1.0, 0.0, -1.0, 1.0, 2.0];
    let diagonal = jnp::diag(Array::from_vec(entries.to_vec()), 0);
    // The second difference matrix: eigenvalues 2 - 2·cos(kπ/(n + 1)).
    let n = 40;
    let ones = jnp::ones(&[n - 1], None);
    let second = jnp::eye(n, None, 0, None) * 2.0 - jnp::diag(&ones, 1) - jnp::diag(&ones, -1);
    let zero = jnp::zeros(&[7, 7], None);
    // Wilkinson's W₂₁⁺: pairs of eigenvalues equal to about 1e-14.
    let wilkinson = jnp::diag(
        Array::from_vec((0..21).map(|i| (10.0f64 - f64::from(i)).abs()).collect()),
        0,
    ) + jnp::diag(jnp::ones(&[20], None), 1)
        + jnp::diag(jnp::ones(&[20], None), -1);
    let cases = [
        ("diagonal", diagonal),
        ("tridiagonal", second),
        ("zero", zero),
        ("wilkinson", wilkinson),
    ];
    for (name, a) in cases {
        for a in [a.clone(), a.astype(DType::F32)] {
            eigh_properties(name, &a)?;
        }
    }
    let k: Vec<f64> = (1..=n)
        .map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
        .collect();
    let (w, _) =
        eigh_jit(&(jnp::eye(n, None, 0, None) * 2.0 - jnp::diag(&ones, 1) - jnp::diag(&ones, -1)))?;
    check_close("tridiagonal eigenvalues", &w, &Array::from_vec(k), 1e-12)
}

#[test]
fn eigh_of_a_batch_matches_each_matrix() -> Result<()> {
    rjax::config::enable_x64(true);
    let singles: Vec<Array> = (0..3)
        .map(|i| {
            let a = random(30 + i, &[17, 17], DType::F64, 0.0);
            &a + mt(&a)
        })
        .collect();
    let a = stack(&singles);
    let (w, _) = eigh_properties("batch", &a)?;
    let each: Vec<Array> = singles
        .iter()
        .map(|a| Ok(eigh_jit(a)?.0))
        .collect::<Result<_>>()?;
    check_close("batch eigenvalues", &w, &stack(&each), 1e-12)?;
    eigh_properties("batch f32", &a.astype(DType::F32))?;
    Ok(())
}
