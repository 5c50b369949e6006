//! Derivatives of the decompositions and solvers: `check_grads`, closed forms, and JAX's
//! behaviour at equal singular values.

use super::*;

/// `check_grads` in forward and reverse mode with the default tolerances.
fn both_modes<F, In, Out, R>(f: F, args: In, order: usize) -> Result<()>
where
    F: Fn(In) -> R,
    R: rjax::FnOutput<Output = Out>,
    In: rjax::Pytree,
    Out: rjax::Pytree,
{
    Ok(check_grads(
        f,
        args,
        order,
        &[Mode::Fwd, Mode::Rev],
        None,
        None,
        None,
    )?)
}

fn weighted(x: &Array) -> Array {
    let n = x.shape()[x.ndim() - 1];
    let c = jnp::arange(1.0, n as f64 + 1.0, 1.0, Some(x.dtype()));
    (x * c).sum()
}

#[test]
fn gradients_of_decompositions() -> Result<()> {
    let x = inputs();
    both_modes(|a: Array| linalg::cholesky(&a), x.spd.clone(), 2)?;
    both_modes(|a: Array| linalg::qr(&a), x.tall.clone(), 1)?;
    both_modes(|a: Array| linalg::eigvalsh(&a), x.spd.clone(), 2)?;
    // Σᵢ cᵢ·vᵢ·vᵢᵀ does not depend on the eigenvectors' signs.
    let projector = |a: Array| {
        let (_, v) = linalg::eigh(&a);
        let c = jnp::arange(1.0, 5.0, 1.0, Some(DType::F64));
        jnp::matmul(&(&v * c), mt(&v))
    };
    both_modes(projector, x.spd.clone(), 1)?;
    for (a, order) in [(&x.tall, 2), (&x.wide, 1), (&x.batch, 1)] {
        both_modes(
            |a: Array| {
                linalg::svd_with(
                    &a,
                    linalg::SvdOptions::default()
                        .full_matrices(false)
                        .compute_uv(false),
                )
                .s
            },
            a.clone(),
            order,
        )?;
        // U·diag(c)·Vh does not depend on the signs of the singular vector pairs.
        let gauge_free = |a: Array| {
            let svd = linalg::svd_with(&a, linalg::SvdOptions::default().full_matrices(false));
            let k = svd.s.shape()[svd.s.ndim() - 1];
            let c = jnp::arange(1.0, k as f64 + 1.0, 1.0, Some(DType::F64));
            jnp::matmul(&(svd.u.expect("uv") * c), svd.vh.expect("uv"))
        };
        both_modes(gauge_free, a.clone(), 1)?;
    }
    Ok(())
}

#[test]
fn gradients_of_solvers() -> Result<()> {
    let x = inputs();
    let pair = (x.square.clone(), x.rhs_mat.clone());
    both_modes(|(a, b): (Array, Array)| linalg::solve(&a, &b), pair, 2)?;
    both_modes(|a: Array| linalg::inv(&a), x.batch.clone(), 2)?;
    both_modes(|a: Array| linalg::det(&a), x.batch.clone(), 2)?;
    both_modes(|a: Array| linalg::slogdet(&a).1, x.square.clone(), 2)?;
    both_modes(|a: Array| linalg::pinv(&a), x.tall.clone(), 1)?;
    both_modes(|a: Array| linalg::pinv(&a), x.wide.clone(), 1)?;
    // JAX's det rule stays finite at a singular matrix: the gradient is the adjugate's
    // transpose (rank 2 here, so nonzero).
    let g = grad(|a: Array| linalg::det(&a))(x.singular.clone())?;
    let want = Array::from_slice(&[4.0, 4.0, -4.0, -2.0, -2.0, 2.0, 0.0, 0.0, 0.0], &[3, 3])?;
    check_close("grad det at a singular matrix", &g, &want, 1e-12)
}

#[test]
fn derivatives_compose_with_jit_and_vmap() -> Result<()> {
    let x = inputs();
    let objective = |a: Array| {
        weighted(
            &linalg::svd_with(
                &a,
                linalg::SvdOptions::default()
                    .full_matrices(false)
                    .compute_uv(false),
            )
            .s,
        ) + linalg::slogdet(&a).1
    };
    let eager: Array = grad(objective)(x.square.clone())?;
    let staged: Array = jit(grad(objective)).call(x.square.clone())?;
    check_close("jit(grad)", &staged, &eager, 1e-12)?;
    let batched: Array = vmap(grad(objective), 0)(x.batch.clone())?;
    let slices = jnp::split(&x.batch, jnp::Split::Sections(2), 0);
    let looped: Vec<Array> = slices
        .iter()
        .map(|s| grad(objective)(jnp::squeeze(s, Some(&[0]))))
        .collect::<rjax::Result<_>>()?;
    check_close("vmap(grad)", &batched, &stack(&looped), 1e-12)?;
    // d(Σ cᵢ sᵢ)/dA = U·diag(c)·Vh.
    let svd = linalg::svd_with(
        &x.square,
        linalg::SvdOptions::default().full_matrices(false),
    );
    let c = jnp::arange(1.0, 5.0, 1.0, Some(DType::F64));
    let want = jnp::matmul(&(unwrap(svd.u)? * c), &unwrap(svd.vh)?) + mt(&linalg::inv(&x.square));
    check_close("grad closed form", &eager, &want, 1e-10)
}

#[test]
fn svd_derivatives_at_equal_singular_values_behave_as_in_jax() -> Result<()> {
    rjax::config::enable_x64(true);
    let a = jnp::eye(3, None, 0, Some(DType::F64)) * 2.0;
    let t = host(|k| (k * 0.7).sin(), &[3, 3]);
    // The values alone: finite, ṡ = diag(Uᵀ·Ȧ·V).
    let (_, ds): (Array, Array) = jvp(
        |a: Array| {
            linalg::svd_with(
                &a,
                linalg::SvdOptions::default()
                    .full_matrices(false)
                    .compute_uv(false),
            )
            .s
        },
        a.clone(),
        t.clone(),
    )?;
    ensure!(
        values(&ds)?.iter().all(|v| v.is_finite()),
        "ṡ not finite: {ds}"
    );
    // The vectors: JAX's rule divides by sⱼ² - sᵢ² = 0.
    let (_, du): (Array, Array) = jvp(
        |a: Array| {
            linalg::svd_with(&a, linalg::SvdOptions::default().full_matrices(false))
                .u
                .expect("uv")
        },
        a,
        t,
    )?;
    ensure!(
        values(&du)?.iter().any(|v| !v.is_finite()),
        "U̇ finite: {du}"
    );
    Ok(())
}
