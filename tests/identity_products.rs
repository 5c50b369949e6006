//! Products with the standard basis are folded when `jit` lowers `jacfwd`, `jacrev` and
//! `hessian` (`src/lowering/identity_products.rs`): the Jacobian of a linear map is the map's
//! matrix bit for bit, the product is gone from the StableHLO, and bases that are not an
//! identity (several inputs, offset blocks) are left alone. Runs in x64 mode.

use anyhow::ensure;
use rjax::{Array, hessian, jacfwd, jacrev, jit};

fn x64() {
    rjax::config::enable_x64(true);
}

fn data(shape: &[usize], seed: f64) -> Array {
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n)
        .map(|i| ((i as f64 + 1.0 + seed) * 0.737).sin() * 2.0)
        .collect();
    Array::from_slice(&values, shape).unwrap()
}

fn host(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().unwrap()
}

fn dot_count(text: &str) -> usize {
    text.matches("stablehlo.dot_general").count()
}

#[test]
fn jacobians_of_a_linear_map_are_its_matrix_bit_for_bit() -> anyhow::Result<()> {
    x64();
    let a = data(&[3, 4], 0.0);
    let ma = a.clone();
    let map = move |x: Array| ma.matmul(&x);
    let x = data(&[4], 1.0);
    let forward = jit(jacfwd(map.clone()));
    let reverse = jit(jacrev(map.clone()));
    for (name, jacobian) in [
        ("jacfwd", forward.call(x.clone())?),
        ("jacrev", reverse.call(x.clone())?),
    ] {
        let jacobian: Array = jacobian;
        ensure!(jacobian.shape() == [3, 4], "{name}: {:?}", jacobian.shape());
        ensure!(host(&jacobian) == host(&a), "{name}: {:?}", host(&jacobian));
    }
    // No product is left in the program: the Jacobian is a transpose of A (or A itself).
    ensure!(dot_count(forward.lower(&x)?.as_text()) == 0);
    ensure!(dot_count(reverse.lower(&x)?.as_text()) == 0);
    Ok(())
}

#[test]
fn matrix_inputs_fold_through_unit_dimensions() -> anyhow::Result<()> {
    // f(X) = A·X for X of shape [4, 2]: ∂f_ij/∂X_kl = A_ik·δ_jl, of shape [3, 2, 4, 2].
    x64();
    let a = data(&[3, 4], 2.0);
    let ma = a.clone();
    let map = move |x: Array| ma.matmul(&x);
    let x = data(&[4, 2], 3.0);
    let am = host(&a);
    let mut want = vec![0.0; 3 * 2 * 4 * 2];
    for i in 0..3 {
        for j in 0..2 {
            for k in 0..4 {
                want[((i * 2 + j) * 4 + k) * 2 + j] = am[i * 4 + k];
            }
        }
    }
    for (name, jacobian) in [
        ("jacfwd", jit(jacfwd(map.clone())).call(x.clone())?),
        ("jacrev", jit(jacrev(map.clone())).call(x.clone())?),
    ] {
        let jacobian: Array = jacobian;
        ensure!(
            jacobian.shape() == [3, 2, 4, 2],
            "{name}: {:?}",
            jacobian.shape()
        );
        ensure!(host(&jacobian) == want, "{name}: {:?}", host(&jacobian));
    }
    Ok(())
}

#[test]
fn the_hessian_of_a_least_squares_loss_needs_one_product() -> anyhow::Result<()> {
    // ‖Ax − b‖² (written as the notebook's `r·r`) has the Hessian 2AᵀA: one product of A
    // with itself once the basis is folded (two before), in both compositions.
    x64();
    let (a, b) = (data(&[5, 4], 4.0), data(&[5], 5.0));
    let (ma, mb) = (a.clone(), b.clone());
    let loss = move |x: Array| {
        let r = ma.matmul(&x) - &mb;
        r.matmul(&r)
    };
    let am = host(&a);
    let x = data(&[4], 6.0);
    let by_hessian = jit(hessian(loss.clone()));
    let by_reverse = jit(jacrev(jacrev(loss.clone())));
    for (name, jitted_h) in [
        ("hessian", by_hessian.call(x.clone())?),
        ("jacrev(jacrev)", by_reverse.call(x.clone())?),
    ] {
        let h: Vec<f64> = host(&jitted_h);
        for i in 0..4 {
            for j in 0..4 {
                let want = 2.0 * (0..5).map(|k| am[k * 4 + i] * am[k * 4 + j]).sum::<f64>();
                let got = h[i * 4 + j];
                ensure!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{name}: {h:?}"
                );
            }
        }
    }
    ensure!(dot_count(by_hessian.lower(&x)?.as_text()) == 1);
    let reverse_text = by_reverse.lower(&x)?.as_text().to_string();
    ensure!(dot_count(&reverse_text) == 1);
    // There the folded product is Aᵀ, read by the remaining product: a barrier keeps XLA from
    // folding the transpose into it (a transposed operand takes XLA's slower path).
    ensure!(reverse_text.contains("stablehlo.optimization_barrier"));
    Ok(())
}

#[test]
fn bases_of_several_inputs_are_not_identities() -> anyhow::Result<()> {
    // f(x, y) = A·x + B·y: the basis blocks are [7, 4] and [7, 3] (the second offset by 4),
    // neither an identity; the Jacobians are still A and B exactly.
    x64();
    let (a, b) = (data(&[2, 4], 7.0), data(&[2, 3], 8.0));
    let (ma, mb) = (a.clone(), b.clone());
    let map = move |(x, y): (Array, Array)| ma.matmul(&x) + mb.matmul(&y);
    let args = (data(&[4], 9.0), data(&[3], 10.0));
    let (ja, jb): (Array, Array) = jit(jacfwd(map.clone())).call(args.clone())?;
    ensure!(host(&ja) == host(&a) && host(&jb) == host(&b));
    let (ra, rb): (Array, Array) = jit(jacrev(map)).call(args)?;
    ensure!(host(&ra) == host(&a) && host(&rb) == host(&b));
    Ok(())
}

#[test]
fn infinite_coefficients_stay_in_the_folded_jacobian() -> anyhow::Result<()> {
    // The product of A with the identity would give ∞·0 = NaN beside each infinity; the
    // folded Jacobian of x ↦ A·x is A itself (documented in the lowering module).
    x64();
    let a = Array::from_slice(&[f64::INFINITY, 1.0, -2.0, 3.0], &[2, 2])?;
    let ma = a.clone();
    let jacobian: Array = jit(jacfwd(move |x: Array| ma.matmul(&x))).call(data(&[2], 11.0))?;
    ensure!(host(&jacobian) == host(&a), "{:?}", host(&jacobian));
    Ok(())
}
