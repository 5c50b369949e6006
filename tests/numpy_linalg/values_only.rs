//! Eigenvalues and singular values alone (the fast bisection paths) against NumPy.

use super::*;

/// The symmetric `[n, n]` input `symmetric(n)` of `tests/golden/numpy_linalg.py`.
pub(super) fn symmetric(n: usize) -> Array {
    let a = host(|k| (k * k * 0.011 + 0.3).sin(), &[n, n]);
    (&a + mt(&a)) * 0.5
}

/// The `[m, n]` input `general(m, n)` of `tests/golden/numpy_linalg.py`.
fn general(m: usize, n: usize) -> Array {
    host(|k| (k * k * 0.017 + 0.4).cos(), &[m, n])
}

/// Golden names and their inputs.
type Cases = Vec<(String, Array)>;

/// The inputs and golden names of the eigenvalue-only and singular-value-only cases.
fn values_only_cases() -> (Cases, Cases) {
    rjax::config::enable_x64(true);
    let mut eig: Cases = [1, 2, 3, 17, 64, 200]
        .iter()
        .map(|&n| (format!("eigvalsh_sym{n}"), symmetric(n)))
        .collect();
    let cluster = jnp::kron(jnp::eye(4, None, 0, None), symmetric(4));
    eig.push(("eigvalsh_cluster".into(), cluster));
    let mut svd: Cases = [(1, 1), (2, 2), (3, 3), (17, 17), (64, 40), (30, 64)]
        .iter()
        .chain(&[(200, 200)])
        .map(|&(m, n)| (format!("svd_values_{m}x{n}"), general(m, n)))
        .collect();
    let mix = jnp::concatenate(
        &[&jnp::eye(11, None, 0, None), &jnp::ones(&[11, 1], None)],
        1,
    );
    svd.push(("svd_values_zero".into(), general(17, 11).matmul(&mix)));
    (eig, svd)
}

#[test]
fn eigenvalues_and_singular_values_alone_match_numpy() -> Result<()> {
    let (eig, svd) = values_only_cases();
    // Staged (one executable per shape, where eager calls compile operation by operation).
    let eigvalsh = jit(|a: Array| Ok::<_, rjax::Error>(linalg::eigvalsh(&a)));
    let eigvalsh = |a: &Array| -> Result<Array> { Ok(eigvalsh.call(a.clone())?) };
    let values = jit(|a: Array| {
        Ok::<_, rjax::Error>(
            linalg::svd_with(
                &a,
                linalg::SvdOptions::default()
                    .full_matrices(false)
                    .compute_uv(false),
            )
            .s,
        )
    });
    let values = |a: &Array| -> Result<Array> { Ok(values.call(a.clone())?) };
    for (name, a) in &eig {
        check(name, &eigvalsh(a)?)?;
        check_f32(name, &eigvalsh(&a.astype(DType::F32))?)?;
    }
    for (name, a) in &svd {
        check(name, &values(a)?)?;
        check_f32(name, &values(&a.astype(DType::F32))?)?;
    }
    // Far from 1 in magnitude: scaled to 1 inside, so squares neither overflow nor underflow.
    check(
        "eigvalsh_sym17",
        &(eigvalsh(&(symmetric(17) * 1e200))? / 1e200),
    )?;
    check(
        "svd_values_64x40",
        &(values(&(general(64, 40) * 1e-200))? / 1e-200),
    )?;
    // A batch: each matrix as alone.
    let single = eigvalsh(&symmetric(17))?;
    let batch = jnp::stack(&[&symmetric(17), &(symmetric(17) * -2.0)], 0);
    let want = jnp::stack(&[&single, &(jnp::flip(&single, None) * -2.0)], 0);
    check_close("eigvalsh batch", &eigvalsh(&batch)?, &want, 1e-12)?;
    let single = values(&general(30, 64))?;
    let batch = jnp::stack(&[&general(30, 64), &(general(30, 64) * 3.0)], 0);
    let want = jnp::stack(&[&single, &(&single * 3.0)], 0);
    check_close("svd batch", &values(&batch)?, &want, 1e-12)
}
