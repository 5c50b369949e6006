//! `jacfwd`, `jacrev`, `jacobian` and `hessian` against closed forms: the softmax Jacobian
//! `diag(s) - s sᵀ`, the Hessian `2AᵀA` of a least-squares loss; the `out + in` layout, for
//! arrays and pytrees; agreement of the two modes; and all of it under `jit`, where products
//! with the standard basis are folded (the last tests). Every test here runs in x64 mode
//! (process-wide in this test binary).

use anyhow::ensure;
use rjax::{Array, DType, hessian, jacfwd, jacobian, jacrev, jit};

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

fn assert_close(got: &Array, shape: &[usize], want: &[f64], what: &str) -> anyhow::Result<()> {
    ensure!(
        got.shape() == shape && got.dtype() == DType::F64,
        "{what}: got {:?}, want shape {shape:?}",
        got.aval()
    );
    let g = host(got);
    for (a, b) in g.iter().zip(want) {
        ensure!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: got {g:?}, want {want:?}"
        );
    }
    Ok(())
}

fn softmax(x: Array) -> Array {
    let e = x.exp();
    &e / e.sum()
}

#[test]
fn softmax_jacobian_in_both_modes() -> anyhow::Result<()> {
    x64();
    let x = Array::from([0.5f64, -1.0, 2.0, 0.25]);
    let s = host(&softmax(x.clone()));
    let mut want = Vec::new();
    for i in 0..4 {
        for j in 0..4 {
            want.push(if i == j { s[i] } else { 0.0 } - s[i] * s[j]);
        }
    }
    let forward: Array = jacfwd(softmax)(x.clone())?;
    let reverse: Array = jacrev(softmax)(x.clone())?;
    let default: Array = jacobian(softmax)(x.clone())?;
    assert_close(&forward, &[4, 4], &want, "jacfwd")?;
    assert_close(&reverse, &[4, 4], &want, "jacrev")?;
    assert_close(&default, &[4, 4], &want, "jacobian")?;
    let staged_fwd: Array = jit(jacfwd(softmax)).call(x.clone())?;
    let staged_rev: Array = jit(jacrev(softmax)).call(x)?;
    assert_close(&staged_fwd, &[4, 4], &want, "jit(jacfwd)")?;
    assert_close(&staged_rev, &[4, 4], &want, "jit(jacrev)")
}

#[test]
fn hessian_of_least_squares() -> anyhow::Result<()> {
    x64();
    let (a, b) = (data(&[3, 4], 0.0), data(&[3], 1.0));
    let (ha, hb) = (a.clone(), b.clone());
    let loss = move |x: Array| {
        let r = ha.matmul(&x) - &hb;
        (&r * &r).sum()
    };
    let am = host(&a);
    let mut want = vec![0.0; 16];
    for i in 0..4 {
        for j in 0..4 {
            want[i * 4 + j] = 2.0 * (0..3).map(|k| am[k * 4 + i] * am[k * 4 + j]).sum::<f64>();
        }
    }
    let x = data(&[4], 2.0);
    let h: Array = hessian(loss.clone())(x.clone())?;
    assert_close(&h, &[4, 4], &want, "hessian")?;
    let staged: Array = jit(hessian(loss.clone())).call(x.clone())?;
    assert_close(&staged, &[4, 4], &want, "jit(hessian)")?;
    // The other compositions agree.
    let rev_rev: Array = jacrev(jacrev(loss.clone()))(x.clone())?;
    let fwd_fwd: Array = jacfwd(jacfwd(loss))(x)?;
    assert_close(&rev_rev, &[4, 4], &want, "jacrev(jacrev)")?;
    assert_close(&fwd_fwd, &[4, 4], &want, "jacfwd(jacfwd)")
}

#[test]
fn shapes_are_output_then_input() -> anyhow::Result<()> {
    x64();
    let m = data(&[5, 6], 0.0);
    // [2, 3] -> [5]: the Jacobian is [5, 2, 3].
    let f = move |x: Array| m.matmul(&x.reshape(&[6])).sin();
    let x = data(&[2, 3], 1.0);
    let forward: Array = jacfwd(f.clone())(x.clone())?;
    let reverse: Array = jacrev(f.clone())(x.clone())?;
    ensure!(forward.shape() == [5, 2, 3] && reverse.shape() == [5, 2, 3]);
    assert_close(&forward, &[5, 2, 3], &host(&reverse), "fwd = rev")?;
    // A scalar output: the input's shape. A scalar input: the output's shape.
    let total: Array = jacrev(|x: Array| x.sin().sum())(x.clone())?;
    assert_close(&total, &[2, 3], &host(&x.cos()), "d sum(sin x)")?;
    let curve: Array =
        jacfwd(|t: Array| Array::from([1.0f64, 2.0]) * t.sin())(Array::from(0.5f64))?;
    assert_close(&curve, &[2], &[0.5f64.cos(), 2.0 * 0.5f64.cos()], "d curve")?;
    // Hessian of a scalar function of a matrix: [2, 3, 2, 3].
    let h: Array = hessian(|x: Array| (&x * &x * &x).sum())(x.clone())?;
    ensure!(h.shape() == [2, 3, 2, 3], "{:?}", h.aval());
    let staged: Array = jit(jacfwd(f)).call(x)?;
    assert_close(&staged, &[5, 2, 3], &host(&forward), "jit(jacfwd)")
}

#[test]
fn pytrees_follow_jax_layout() -> anyhow::Result<()> {
    x64();
    // Two inputs, one output: one block per input.
    let f = |(x, y): (Array, Array)| x.sin() * y.sum();
    let (x, y) = (data(&[3], 0.0), data(&[2], 1.0));
    let (jx, jy): (Array, Array) = jacfwd(f)((x.clone(), y.clone()))?;
    let (rx, ry): (Array, Array) = jacrev(f)((x.clone(), y.clone()))?;
    ensure!(jx.shape() == [3, 3] && jy.shape() == [3, 2]);
    assert_close(&rx, &[3, 3], &host(&jx), "d/dx")?;
    assert_close(&ry, &[3, 2], &host(&jy), "d/dy")?;
    let (hx, hy) = (host(&x), host(&y));
    let want_y: Vec<f64> = hx.iter().flat_map(|v| [v.sin(), v.sin()]).collect();
    assert_close(&jy, &[3, 2], &want_y, "d/dy closed form")?;
    let sum: f64 = hy.iter().sum();
    let want_x: Vec<f64> = (0..9)
        .map(|k| {
            if k % 4 == 0 {
                hx[k / 4].cos() * sum
            } else {
                0.0
            }
        })
        .collect();
    assert_close(&jx, &[3, 3], &want_x, "d/dx closed form")?;
    // One input, two outputs: one block per output. Two and two: output-major nesting.
    let g = |x: Array| (x.sum(), x.exp());
    let (ds, de): (Array, Array) = jacrev(g)(x.clone())?;
    assert_close(&ds, &[3], &[1.0, 1.0, 1.0], "d sum")?;
    ensure!(de.shape() == [3, 3]);
    let h = |(x, y): (Array, Array)| (x.sum() * y.sum(), &x * 2.0);
    type Blocks = ((Array, Array), (Array, Array));
    let ((a, b), (c, d)): Blocks = jacfwd(h)((x.clone(), y.clone()))?;
    ensure!(a.shape() == [3] && b.shape() == [2] && c.shape() == [3, 3] && d.shape() == [3, 2]);
    assert_close(&b, &[2], &[hx.iter().sum(), hx.iter().sum()], "d(xy)/dy")?;
    assert_close(&d, &[3, 2], &[0.0; 6], "d(2x)/dy")?;
    Ok(())
}

#[test]
fn integer_inputs_are_rejected() -> anyhow::Result<()> {
    x64();
    let err = jacfwd(|x: Array| x * 2)(Array::from([1i32, 2]))
        .map(|j: Array| j.shape().to_vec())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(err.contains("jacfwd requires real-valued inputs"), "{err}");
    Ok(())
}

#[test]
fn jacfwd_of_a_vmapped_function() -> anyhow::Result<()> {
    x64();
    // Rows of a [3, 2] input, each mapped to softmax: the Jacobian is block diagonal, with the
    // softmax Jacobian diag(s) - s sᵀ of each row in its block.
    let x = data(&[3, 2], 0.5);
    let rows = rjax::vmap(softmax, rjax::InAxes::leading());
    let j: Array = jacfwd(rows)(x.clone())?;
    let xs = host(&x);
    let mut want = vec![0.0; 36];
    for r in 0..3 {
        let (a, b) = (xs[2 * r], xs[2 * r + 1]);
        let total = a.exp() + b.exp();
        let s = [a.exp() / total, b.exp() / total];
        for i in 0..2 {
            for k in 0..2 {
                let delta = if i == k { s[i] } else { 0.0 };
                // Index of j[r, i, r, k] in the [3, 2, 3, 2] layout.
                want[((r * 2 + i) * 3 + r) * 2 + k] = delta - s[i] * s[k];
            }
        }
    }
    assert_close(&j, &[3, 2, 3, 2], &want, "jacfwd(vmap(softmax))")
}

// Products with the standard basis are folded when `jit` lowers `jacfwd`, `jacrev` and
// `hessian` (`src/lowering/identity_products.rs`): the Jacobian of a linear map is the map's
// matrix bit for bit, the product is gone from the StableHLO, and bases that are not an
// identity (several inputs, offset blocks) are left alone.

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
