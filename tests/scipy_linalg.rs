//! `scipy::linalg::lu_factor` and `lu_solve` against SciPy's conventions (pivots of a known
//! matrix) and against `numpy::linalg::solve`, for every `trans`, eagerly, under `jit` and
//! `vmap`, and differentiated; `solve_triangular`, `cho_factor`, `cho_solve`, `lu` and
//! `block_diag` against `jax.scipy.linalg` (`tests/golden/scipy_linalg.txt`, written by
//! `tests/golden/scipy_linalg.py` and checked there against SciPy), with gradients, to 1e-12;
//! `expm` (each Padé degree, squarings, too many squarings, `upper_triangular`, batches,
//! float32 to 1e-5) and `expm_frechet` likewise, eagerly, under `jit`, `vmap` and `grad`, and
//! with `check_grads`.
//! Runs on the kernels and, in CI, again on the HLO path (`RJAX_FFI_KERNELS=0`).

mod common;

use common::golden::Golden;
use rjax::numpy::linalg;
use rjax::scipy::linalg::{
    Trans, block_diag, cho_factor, cho_solve, expm, expm_frechet, expm_with, lu, lu_factor,
    lu_permute_l, lu_solve, solve_triangular,
};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, grad, jit, vmap};

fn matrix() -> Array {
    Array::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5], [7.0, 8.0, 9.5]])
}

fn close(x: &Array, y: &Array, tol: f64) -> anyhow::Result<()> {
    let (x, y) = (x.to_vec::<f64>()?, y.to_vec::<f64>()?);
    anyhow::ensure!(x.len() == y.len(), "{x:?} vs {y:?}");
    for (a, b) in x.iter().zip(&y) {
        anyhow::ensure!((a - b).abs() <= tol * b.abs().max(1.0), "{x:?} vs {y:?}");
    }
    Ok(())
}

#[test]
fn pivots_follow_lapack() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    // scipy.linalg.lu_factor([[1,2],[3,4]]) gives piv = [1, 1].
    let (_, piv) = lu_factor(Array::from([[1.0, 2.0], [3.0, 4.0]]));
    assert_eq!(piv.to_vec::<i32>()?, [1, 1]);
    // And for the 3×3 matrix: row 2 first, then rows 1 and 2 swap again (scipy: [2, 2, 2]).
    let (lu, piv) = lu_factor(matrix());
    assert_eq!(piv.to_vec::<i32>()?, [2, 2, 2]);
    let lu = lu.to_vec::<f64>()?;
    assert!((lu[0] - 7.0).abs() < 1e-15, "{lu:?}");
    Ok(())
}

#[test]
fn lu_solve_matches_solve_for_every_trans() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = matrix();
    let b = Array::from([1.0, -2.0, 0.5]);
    let (lu, piv) = lu_factor(&a);
    let direct = lu_solve((&lu, &piv), &b, Trans::None);
    close(&direct, &linalg::solve(&a, &b), 1e-12)?;
    let transposed = lu_solve((&lu, &piv), &b, Trans::Transpose);
    close(&transposed, &linalg::solve(a.t(), &b), 1e-12)?;
    let adjoint = lu_solve((&lu, &piv), &b, Trans::ConjugateTranspose);
    close(&adjoint, &transposed, 1e-15)?;
    // Several right-hand sides, under jit.
    let rhs = Array::from([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]);
    let jitted =
        jit(|(lu, piv, rhs): (Array, Array, Array)| lu_solve((&lu, &piv), &rhs, Trans::None));
    let x: Array = jitted.call((lu.clone(), piv.clone(), rhs.clone()))?;
    close(&x, &linalg::solve(&a, &rhs), 1e-12)?;
    Ok(())
}

#[test]
fn batched_and_differentiated() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = matrix();
    let stack = rjax::numpy::stack(&[&a, &(&a * 2.0), &a.t()], 0);
    let b = Array::from([1.0, -2.0, 0.5]);
    let solve = |a: Array| {
        let (lu, piv) = lu_factor(&a);
        lu_solve((&lu, &piv), &b, Trans::None)
    };
    let batched = vmap(solve, 0)(stack.clone())?;
    let looped = rjax::numpy::stack(&[&solve(a.clone()), &solve(&a * 2.0), &solve(a.t())], 0);
    close(&batched, &looped, 1e-12)?;
    check_grads(
        |a: Array| solve(a).sum(),
        a,
        2,
        &[Mode::Fwd, Mode::Rev],
        None,
        None,
        None,
    )?;
    Ok(())
}

const GOLDEN: Golden = Golden(include_str!("golden/scipy_linalg.txt"));

/// T, B, V, S, A and the weights of `tests/golden/scipy_linalg.py`.
fn t() -> Array {
    rjax::config::enable_x64(true);
    Array::from([[2.0, 0.5, -1.0], [0.3, 3.0, 0.7], [-0.4, 1.1, 1.5]])
}

fn b() -> Array {
    Array::from([[1.0, -2.0], [0.5, 0.0], [2.0, 1.0]])
}

fn v() -> Array {
    Array::from([1.0, -2.0, 0.5])
}

fn s() -> Array {
    let t = t();
    t.matmul(&t.t()) + rjax::numpy::eye(3, None, 0, None)
}

fn weights() -> Array {
    Array::from_vec((0..6).map(|k| f64::from(k).cos()).collect()).reshape(&[3, 2])
}

#[test]
fn triangular_and_cholesky_solves_match_jax() -> anyhow::Result<()> {
    let (t, b) = (t(), b());
    let modes = [Trans::None, Trans::Transpose, Trans::ConjugateTranspose];
    for (k, trans) in modes.into_iter().enumerate() {
        for lower in [false, true] {
            for unit in [false, true] {
                let name = format!(
                    "solve_triangular_t{k}_l{}_u{}",
                    u8::from(lower),
                    u8::from(unit)
                );
                GOLDEN.check_tol(&name, &solve_triangular(&t, &b, trans, lower, unit), 1e-12)?;
            }
        }
    }
    let vector = solve_triangular(&t, v(), Trans::None, true, false);
    GOLDEN.check_tol("solve_triangular_vector", &vector, 1e-12)?;
    let staged: Array =
        jit(|(t, b): (Array, Array)| solve_triangular(&t, &b, Trans::Transpose, true, true))
            .call((t.clone(), b.clone()))?;
    GOLDEN.check_tol("solve_triangular_t1_l1_u1", &staged, 1e-12)?;
    let s = s();
    for lower in [false, true] {
        let (c, flag) = cho_factor(&s, lower);
        GOLDEN.check_tol(&format!("cho_factor_l{}", u8::from(lower)), &c, 1e-12)?;
        GOLDEN.check_tol(
            &format!("cho_solve_l{}", u8::from(lower)),
            &cho_solve((&c, flag), &b),
            1e-12,
        )?;
    }
    let (c, flag) = cho_factor(&s, false);
    GOLDEN.check_tol("cho_solve_vector", &cho_solve((&c, flag), v()), 1e-12)?;
    // Batched by vmap: each matrix of the stack solved alone.
    let stack = rjax::numpy::stack(&[&s, &(&s * 2.0)], 0);
    let solved = vmap(
        |s: Array| {
            let (c, lower) = cho_factor(&s, true);
            cho_solve((&c, lower), self::b())
        },
        0,
    )(stack)?;
    let second = rjax::numpy::linalg::solve(&(&s * 2.0), &b);
    close(&solved.index(&rjax::idx![1]), &second, 1e-12)?;
    Ok(())
}

#[test]
fn lu_and_block_diag_match_jax() -> anyhow::Result<()> {
    let a = matrix();
    let (p, l, u) = lu(&a);
    GOLDEN.check_tol("lu_p", &p, 1e-12)?;
    GOLDEN.check_tol("lu_l", &l, 1e-12)?;
    GOLDEN.check_tol("lu_u", &u, 1e-12)?;
    GOLDEN.check_tol("lu_permute_l", &lu_permute_l(&a).0, 1e-12)?;
    let blocks = [
        Array::from([[1.0, 2.0], [3.0, 4.0]]),
        Array::from(5.0),
        Array::from([6.0, 7.0, 8.0]),
    ];
    GOLDEN.check_tol(
        "block_diag",
        &block_diag(&[&blocks[0], &blocks[1], &blocks[2]]),
        0.0,
    )?;
    let ints = [Array::from([[1i64, 2]]), Array::from([[3i64], [4]])];
    GOLDEN.check_tol("block_diag_int", &block_diag(&[&ints[0], &ints[1]]), 0.0)?;
    assert_eq!(block_diag(&[]).shape(), [1, 0]);
    Ok(())
}

#[test]
fn gradients_match_jax() -> anyhow::Result<()> {
    let (t, b, w) = (t(), b(), weights());
    let (b1, w1) = (b.clone(), w.clone());
    let d_a = grad(move |t: Array| {
        (solve_triangular(&t, &b1, Trans::Transpose, true, false) * &w1).sum()
    })(t.clone())?;
    GOLDEN.check_tol("d_solve_triangular_a", &d_a, 1e-12)?;
    let (t1, w1) = (t.clone(), w.clone());
    let d_b =
        grad(move |b: Array| (solve_triangular(&t1, &b, Trans::None, false, false) * &w1).sum())(
            b.clone(),
        )?;
    GOLDEN.check_tol("d_solve_triangular_b", &d_b, 1e-12)?;
    let (b1, w1) = (b.clone(), w.clone());
    let d_s = grad(move |s: Array| {
        let (c, lower) = cho_factor(&s, true);
        (cho_solve((&c, lower), &b1) * &w1).sum()
    })(s())?;
    GOLDEN.check_tol("d_cho_solve_s", &d_s, 1e-12)?;
    let t1 = t.clone();
    let d_c = grad(move |s: Array| (cho_factor(&s, false).0 * &t1).sum())(s())?;
    GOLDEN.check_tol("d_cho_factor_upper", &d_c, 1e-12)?;
    let t1 = t.clone();
    let d_u = grad(move |a: Array| (lu(&a).2 * &t1).sum())(matrix())?;
    GOLDEN.check_tol("d_lu_u", &d_u, 1e-12)?;
    check_grads(
        |(t, b): (Array, Array)| solve_triangular(&t, &b, Trans::None, true, false),
        (t, b),
        2,
        &[Mode::Fwd, Mode::Rev],
        None,
        None,
        None,
    )?;
    Ok(())
}

#[test]
fn bad_shapes_name_the_function() {
    rjax::config::enable_x64(true);
    let message = common::panic_message(|| {
        cho_factor(Array::from([[1.0, 2.0, 3.0]]), true);
    });
    assert!(message.contains("cho_factor"), "{message}");
    let message = common::panic_message(|| {
        block_diag(&[&rjax::numpy::zeros(&[1, 1, 1], None)]);
    });
    assert!(message.contains("block_diag"), "{message}");
}

/// MX of the script: 1-norm 1, scaled to select each Padé degree.
fn mx() -> Array {
    rjax::config::enable_x64(true);
    Array::from([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1]])
}

/// KX of the script: skew-symmetric, 1-norm 30 (two squarings).
fn kx() -> Array {
    rjax::config::enable_x64(true);
    Array::from([[0.0, 1.0, -2.0], [-1.0, 0.0, 0.5], [2.0, -0.5, 0.0]]) * 10.0
}

/// `Σ expm(a) ∘ T`, whose gradient the script records.
fn weighted_expm(a: Array) -> Array {
    (expm(&a) * t()).sum()
}

#[test]
fn expm_matches_jax_for_every_pade_degree() -> anyhow::Result<()> {
    let scales = [
        ("3", 0.01),
        ("5", 0.1),
        ("7", 0.5),
        ("9", 1.5),
        ("13", 4.0),
        ("squared", 40.0),
    ];
    let staged = jit(|a: Array| expm(&a));
    for (label, scale) in scales {
        let a = mx() * scale;
        let name = format!("expm_{label}");
        GOLDEN.check_tol(&name, &expm(&a), 1e-12)?;
        GOLDEN.check_tol(&name, &staged.call(a.clone())?, 1e-12)?;
        GOLDEN.check_tol(&format!("d_expm_{label}"), &grad(weighted_expm)(a)?, 1e-12)?;
    }
    // float32 chooses among degrees 3, 5 and 7 by its own bounds.
    for (label, scale) in [("3", 0.1), ("5", 1.0), ("7", 3.0), ("squared", 40.0)] {
        let a = (mx() * scale).astype(DType::F32);
        GOLDEN.check_tol(&format!("expm_f32_{label}"), &expm(&a), 1e-5)?;
    }
    GOLDEN.check_tol("expm_skew", &expm(kx()), 1e-12)?;
    GOLDEN.check_tol("d_expm_skew", &grad(weighted_expm)(kx())?, 1e-12)?;
    Ok(())
}

#[test]
fn expm_options_batches_and_frechet() -> anyhow::Result<()> {
    GOLDEN.check_tol("expm_too_many_squarings", &expm_with(kx(), false, 1), 0.0)?;
    let upper = Array::from([[0.5, 1.0, -2.0], [0.0, -0.3, 0.7], [0.0, 0.0, 1.2]]);
    GOLDEN.check_tol("expm_upper", &expm_with(&upper, true, 16), 1e-12)?;
    let stack = rjax::numpy::stack(&[&(mx() * 0.1), &(mx() * 40.0), &kx()], 0);
    let batch = stack.reshape(&[3, 1, 3, 3]);
    GOLDEN.check_tol("expm_batch", &expm(&batch), 1e-12)?;
    let staged: Array = jit(|a: Array| expm(&a)).call(batch)?;
    GOLDEN.check_tol("expm_batch", &staged, 1e-12)?;
    // vmap of the unbatched function agrees with the batched call.
    let mapped = vmap(|a: Array| expm(&a), 0)(stack.clone())?;
    close(&mapped, &expm(&stack), 1e-15)?;
    let ints = Array::from([[1i64, 2], [0, -1]]);
    GOLDEN.check_tol("expm_int", &expm(&ints), 1e-12)?;
    let (value, derivative) = expm_frechet(&(mx() * 1.5), t());
    GOLDEN.check_tol("expm_frechet_value", &value, 1e-12)?;
    GOLDEN.check_tol("expm_frechet", &derivative, 1e-12)?;
    for at in [mx() * 0.5, mx() * 4.0, kx()] {
        check_grads(
            |a: Array| expm(&a),
            at,
            2,
            &[Mode::Fwd, Mode::Rev],
            None,
            None,
            None,
        )?;
    }
    let message = common::panic_message(|| {
        expm(Array::from([1.0, 2.0]));
    });
    assert!(message.contains("expm"), "{message}");
    let message = common::panic_message(|| {
        expm_frechet(mx(), Array::from([[1.0]]));
    });
    assert!(message.contains("expm_frechet"), "{message}");
    Ok(())
}
