//! `scipy::linalg::lu_factor` and `lu_solve` against SciPy's conventions (pivots of a known
//! matrix) and against `numpy::linalg::solve`, for every `trans`, eagerly, under `jit` and
//! `vmap`, and differentiated. Runs on the kernels and, in CI, again on the HLO path
//! (`RJAX_FFI_KERNELS=0`).

use rjax::numpy::linalg;
use rjax::scipy::linalg::{Trans, lu_factor, lu_solve};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, jit, vmap};

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
    let (_, piv) = lu_factor(&Array::from([[1.0, 2.0], [3.0, 4.0]]));
    assert_eq!(piv.to_vec::<i32>()?, [1, 1]);
    // And for the 3×3 matrix: row 2 first, then rows 1 and 2 swap again (scipy: [2, 2, 2]).
    let (lu, piv) = lu_factor(&matrix());
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
    close(&transposed, &linalg::solve(&a.t(), &b), 1e-12)?;
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
