//! JAX's `stop_gradient`, `custom_jvp` and `custom_vjp` under every transformation: `grad`,
//! `jvp`, `vjp`, `jit` on either side of `grad`, `vmap` on either side of `grad`, and
//! `grad(grad)`. The custom rules are chosen so that using them gives a different answer from
//! differentiating the function itself. Every test runs in x64 mode.

use anyhow::ensure;
use rjax::{
    Array, InAxes, custom_jvp, custom_vjp, grad, jacfwd, jacrev, jit, jvp, make_jaxpr,
    stop_gradient, stop_gradient_tree, value_and_grad, vjp, vmap,
};

fn x64() {
    rjax::config::enable_x64(true);
}

fn host(x: &Array) -> Vec<f64> {
    x.astype(rjax::DType::F64).to_vec::<f64>().expect("values")
}

fn assert_close(got: &Array, want: &[f64], what: &str) -> anyhow::Result<()> {
    let got = host(got);
    ensure!(
        got.len() == want.len(),
        "{what}: got {got:?}, want {want:?}"
    );
    for (g, w) in got.iter().zip(want) {
        ensure!(
            (g - w).abs() <= 1e-6 * w.abs().max(1.0),
            "{what}: got {got:?}, want {want:?}"
        );
    }
    Ok(())
}

fn error_of<T>(result: rjax::Result<T>) -> String {
    match result {
        Ok(_) => "no error".to_string(),
        Err(error) => error.to_string(),
    }
}

#[test]
fn stop_gradient_zeroes_derivatives() -> anyhow::Result<()> {
    x64();
    let f = |x: Array| &x * &stop_gradient(&x);
    let x = Array::from(3.0);
    assert_close(&f(x.clone()), &[9.0], "value")?;
    assert_close(&grad(f)(x.clone())?, &[3.0], "grad")?;
    assert_close(&jit(grad(f)).call(x.clone())?, &[3.0], "jit(grad)")?;
    let jf = jit(f);
    let g = grad(move |x: Array| jf.call(x))(x.clone())?;
    assert_close(&g, &[3.0], "grad(jit)")?;
    assert_close(&grad(grad(f))(x.clone())?, &[0.0], "grad(grad)")?;
    let (_, t): (Array, Array) = jvp(f, x.clone(), Array::from(1.0))?;
    assert_close(&t, &[3.0], "jvp")?;
    let xs = Array::from([1.0, 2.0, -4.0]);
    let per_example: Array = vmap(grad(f), InAxes::leading())(xs.clone())?;
    assert_close(&per_example, &[1.0, 2.0, -4.0], "vmap(grad)")?;
    let summed = grad(|x: Array| vmap(f, InAxes::leading())(x).map(|y: Array| y.sum()));
    assert_close(&summed(xs.clone())?, &[1.0, 2.0, -4.0], "grad(vmap)")?;
    let batched: Array = vmap(|x: Array| stop_gradient(&x) * 2.0, InAxes::leading())(xs)?;
    assert_close(&batched, &[2.0, 4.0, -8.0], "vmap")?;

    // Pytrees, and integers passing through untouched.
    let g: (Array, Array) = grad(|(a, b): (Array, Array)| {
        let (sa, sb) = stop_gradient_tree(&(a.clone(), b.clone()));
        &a * &sb + &sa * &b * 2.0
    })((Array::from(2.0), Array::from(5.0)))?;
    assert_close(&g.0, &[5.0], "d/da")?;
    assert_close(&g.1, &[4.0], "d/db")?;
    let ints = Array::from([1i32, 2]);
    assert_eq!(stop_gradient(&ints).to_vec::<i32>()?, [1, 2]);
    let jaxpr = make_jaxpr(|x: Array| stop_gradient(&x.sin()))(&Array::from(1.0f32))?;
    ensure!(
        jaxpr.to_string()
            == "{ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = stop_gradient b in (c,) }",
        "{jaxpr}"
    );
    Ok(())
}

/// JAX's `log1pexp` example: log(1 + e^x), whose naive derivative is NaN for large x.
fn log1pexp() -> impl Fn(Array) -> rjax::Result<Array> + Clone {
    custom_jvp(|x: Array| (x.exp() + 1.0).log(), log1pexp_jvp)
}

/// The rule calls the function itself, as JAX's example does.
fn log1pexp_jvp(x: Array, t: Array) -> rjax::Result<(Array, Array)> {
    let y = log1pexp()(x.clone())?;
    Ok((y, (1.0 - 1.0 / (x.exp() + 1.0)) * t))
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn custom_jvp_gives_a_stable_gradient() -> anyhow::Result<()> {
    x64();
    let f = log1pexp();
    let naive = |x: Array| (x.exp() + 1.0).log();
    let big = Array::from(100.0f32);
    ensure!(grad(naive)(big.clone())?.item::<f32>()?.is_nan());
    assert_close(&f(Array::from(3.0))?, &[(1.0 + 3f64.exp()).ln()], "value")?;
    let g = grad(&f)(big.clone())?;
    assert_eq!(g.dtype(), rjax::DType::F32);
    assert_close(&g, &[1.0], "grad")?;
    assert_close(&jit(grad(&f)).call(big.clone())?, &[1.0], "jit(grad)")?;
    let jf = jit(f.clone());
    assert_close(
        &grad(|x: Array| jf.call(x))(big.clone())?,
        &[1.0],
        "grad(jit)",
    )?;
    let (_, t): (Array, Array) = jvp(&f, big.clone(), Array::from(2.0f32))?;
    assert_close(&t, &[2.0], "jvp")?;

    let xs = Array::from([0.0f32, 10.0, 100.0]);
    let want = [0.5, sigmoid(10.0), 1.0];
    assert_close(&vmap(grad(&f), 0)(xs.clone())?, &want, "vmap(grad)")?;
    let vg = jit(vmap(grad(&f), 0));
    assert_close(&vg.call(xs.clone())?, &want, "jit(vmap(grad))")?;
    // grad of vmap: the batched call must still carry the (batched) rule.
    let summed = |x: Array| vmap(&f, 0)(x).map(|y: Array| y.sum());
    assert_close(&grad(summed)(xs.clone())?, &want, "grad(vmap)")?;
    assert_close(&jit(grad(summed)).call(xs)?, &want, "jit(grad(vmap))")?;

    // Second derivatives differentiate the rule: sigmoid'(x) = s (1 - s).
    let s = sigmoid(3.0);
    let x = Array::from(3.0);
    assert_close(&grad(grad(&f))(x.clone())?, &[s * (1.0 - s)], "grad(grad)")?;
    let gg = jit(grad(grad(&f)));
    assert_close(&gg.call(x.clone())?, &[s * (1.0 - s)], "jit(grad(grad))")?;
    let h: Array = rjax::hessian(&f)(x)?;
    assert_close(&h, &[s * (1.0 - s)], "hessian")?;
    Ok(())
}

#[test]
fn custom_jvp_rule_replaces_the_derivative() -> anyhow::Result<()> {
    x64();
    // sin, with a rule that doubles its derivative: every answer below shows the rule ran.
    let f = custom_jvp(
        |x: Array| x.sin(),
        |x: Array, t: Array| (x.sin(), x.cos() * 2.0 * t),
    );
    let xs: [f64; 3] = [0.3, -1.2, 2.0];
    let x = Array::from(xs);
    let twice_cos: Vec<f64> = xs.iter().map(|x| 2.0 * x.cos()).collect();
    let sum = |x: Array| f(x).map(|y| y.sum());
    assert_close(&f(x.clone())?, &xs.map(f64::sin), "value")?;
    assert_close(&jit(&f).call(x.clone())?, &xs.map(f64::sin), "jit")?;
    assert_close(&grad(sum)(x.clone())?, &twice_cos, "grad")?;
    assert_close(&jit(grad(sum)).call(x.clone())?, &twice_cos, "jit(grad)")?;
    let js = jit(sum);
    assert_close(
        &grad(|x: Array| js.call(x))(x.clone())?,
        &twice_cos,
        "grad(jit)",
    )?;
    let jac: Array = jacfwd(&f)(x.clone())?;
    let jac_rev: Array = jacrev(&f)(x.clone())?;
    for (name, j) in [("jacfwd", jac), ("jacrev", jac_rev)] {
        let diagonal: Array = vmap(|r: Array| r.sum(), 0)(j)?;
        assert_close(&diagonal, &twice_cos, name)?;
    }
    let (y, pullback) = vjp(&f, x.clone())?;
    assert_close(&y, &xs.map(f64::sin), "vjp value")?;
    assert_close(&pullback(Array::from([1.0, 1.0, 1.0]))?, &twice_cos, "vjp")?;
    let scalar = Array::from(0.7);
    let dd = grad(grad(&f))(scalar.clone())?;
    assert_close(&dd, &[-2.0 * 0.7f64.sin()], "grad(grad)")?;
    let vgg: Array = vmap(grad(grad(&f)), 0)(x)?;
    let want: Vec<f64> = xs.iter().map(|x| -2.0 * x.sin()).collect();
    assert_close(&vgg, &want, "vmap(grad(grad))")?;
    let jaxpr = make_jaxpr(&f)(&scalar)?.to_string();
    ensure!(
        jaxpr.contains("custom_jvp_call[") && jaxpr.contains("sin"),
        "{jaxpr}"
    );
    Ok(())
}

#[test]
fn custom_jvp_over_pytrees() -> anyhow::Result<()> {
    x64();
    // (x * y, x + y) with a rule that scales the product's tangent by 10.
    let f = custom_jvp(
        |(x, y): (Array, Array)| (&x * &y, &x + &y),
        |(x, y): (Array, Array), (tx, ty): (Array, Array)| {
            let out = (&x * &y, &x + &y);
            let dot = ((&y * &tx + &x * &ty) * 10.0, &tx + &ty);
            (out, dot)
        },
    );
    let loss = |(x, y): (Array, Array)| f((x, y)).map(|(p, s)| p + s);
    let (gx, gy): (Array, Array) = grad(loss)((Array::from(2.0), Array::from(5.0)))?;
    assert_close(&gx, &[51.0], "d/dx")?;
    assert_close(&gy, &[21.0], "d/dy")?;
    // Only x is differentiated: y's tangent reaches the rule as zeros.
    let y = Array::from(5.0);
    let fx = f.clone();
    let only_x = grad(move |x: Array| fx((x, y.clone())).map(|(p, _)| p))(Array::from(2.0))?;
    assert_close(&only_x, &[50.0], "d/dx with y constant")?;
    // vmap over x only, then grad of the sum: the batched rule with an unbatched input.
    let ys = Array::from(3.0);
    let batched = move |x: Array| {
        let f = f.clone();
        let y = ys.clone();
        vmap(move |x: Array| f((x, y.clone())).map(|(p, _)| p), 0)(x).map(|p: Array| p.sum())
    };
    let g = grad(batched)(Array::from([1.0, 2.0]))?;
    assert_close(&g, &[30.0, 30.0], "grad(vmap) with an unbatched input")?;
    Ok(())
}

#[test]
fn custom_functions_closing_over_arrays() -> anyhow::Result<()> {
    x64();
    // Closed-over arrays are constants of the staged call: fine under grad, jit and vmap.
    let w = Array::from([2.0, -3.0]);
    let w_rule = w.clone();
    let f = custom_jvp(
        move |x: Array| (&x * &w).sin(),
        move |x: Array, t: Array| ((&x * &w_rule).sin(), (&x * &w_rule).cos() * &w_rule * t),
    );
    let loss = |x: Array| f(x).map(|y| y.sum());
    let x = Array::from(0.5);
    let want = [2.0 * 1f64.cos() - 3.0 * (-1.5f64).cos()];
    assert_close(&grad(loss)(x.clone())?, &want, "grad")?;
    assert_close(&jit(grad(loss)).call(x.clone())?, &want, "jit(grad)")?;
    let xs = Array::from([0.5, 0.5]);
    let per_example: Array = vmap(grad(loss), 0)(xs)?;
    assert_close(&per_example, &[want[0], want[0]], "vmap(grad)")?;
    // A closure over a batched value: its constants are batched too.
    let ws = Array::from([1.0, 2.0, 3.0]);
    let scale = |w: Array| {
        let g = custom_vjp(
            move |x: Array| &x * &w,
            |x: Array| (x, ()),
            |(): (), g: Array| g,
        );
        g(Array::from(2.0))
    };
    let scaled: Array = vmap(scale, 0)(ws.clone())?;
    assert_close(&scaled, &[2.0, 4.0, 6.0], "vmap over a closed-over value")?;
    let scaled: Array = jit(vmap(scale, 0)).call(ws)?;
    assert_close(
        &scaled,
        &[2.0, 4.0, 6.0],
        "jit(vmap) over a closed-over value",
    )?;
    Ok(())
}

#[test]
fn custom_jvp_errors() -> anyhow::Result<()> {
    x64();
    // Differentiating with respect to a value the function closes over.
    let closes_over = |x: Array| {
        let g = custom_jvp(move |y: Array| &y * &x, |y: Array, t: Array| (y, t));
        g(Array::from(1.0))
    };
    let message = error_of(grad(closes_over)(Array::from(2.0)));
    ensure!(
        message.contains(
            "Detected differentiation of a custom_jvp function with respect to a closed-over value"
        ),
        "{message}"
    );
    // A rule whose tangent has the wrong type.
    let bad = custom_jvp(
        |x: Array| x.sin(),
        |x: Array, t: Array| (x.sin(), t.astype(rjax::DType::F32)),
    );
    let message = error_of(grad(&bad)(Array::from(1.0)));
    ensure!(
        message.contains("Custom JVP rule must produce tangent outputs"),
        "{message}"
    );
    Ok(())
}

/// JAX's `clip_gradient` example: the identity, with the cotangent clipped to [lo, hi].
fn clip_gradient() -> impl Fn((Array, Array, Array)) -> rjax::Result<Array> + Clone {
    custom_vjp(
        |(_lo, _hi, x): (Array, Array, Array)| x,
        |(lo, hi, x): (Array, Array, Array)| (x, (lo, hi)),
        |(lo, hi): (Array, Array), g: Array| (&lo * 0.0, &hi * 0.0, rjax::lax::clamp(&lo, &g, &hi)),
    )
}

#[test]
fn custom_vjp_clips_gradients() -> anyhow::Result<()> {
    x64();
    let clip = clip_gradient();
    // As in JAX's docs: the clip comes first, so it clips the cotangent cos(x) from sin.
    let f = move |x: Array| clip((Array::from(-0.75), Array::from(0.75), x)).map(|y| y.sin());
    let xs: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 4.0];
    let want: Vec<f64> = xs.iter().map(|x| x.cos().clamp(-0.75, 0.75)).collect();
    assert_close(&f(Array::from(2.0))?, &[2f64.sin()], "value")?;
    assert_close(&jit(&f).call(Array::from(2.0))?, &[2f64.sin()], "jit")?;
    assert_close(&grad(&f)(Array::from(0.0))?, &want[..1], "grad")?;
    assert_close(
        &jit(grad(&f)).call(Array::from(3.0))?,
        &want[3..4],
        "jit(grad)",
    )?;
    let x = Array::from(xs);
    assert_close(&vmap(grad(&f), 0)(x.clone())?, &want, "vmap(grad)")?;
    assert_close(
        &jit(vmap(grad(&f), 0)).call(x.clone())?,
        &want,
        "jit(vmap(grad))",
    )?;
    let jf = jit(f.clone());
    let g = vmap(grad(move |x: Array| jf.call(x)), 0)(x.clone())?;
    assert_close(&g, &want, "vmap(grad(jit))")?;
    // grad of vmap: batched fwd and bwd, with lo and hi unbatched.
    let summed = |x: Array| vmap(&f, 0)(x).map(|y: Array| y.sum());
    assert_close(&grad(summed)(x.clone())?, &want, "grad(vmap)")?;
    assert_close(&jit(grad(summed)).call(x)?, &want, "jit(grad(vmap))")?;
    Ok(())
}

#[test]
fn custom_vjp_with_a_hand_written_bwd() -> anyhow::Result<()> {
    x64();
    // sin(x) * y, pulled back by hand from saved residuals.
    let f = custom_vjp(
        |(x, y): (Array, Array)| x.sin() * &y,
        |(x, y): (Array, Array)| (x.sin() * &y, (x.cos(), x.sin(), y)),
        |(cos_x, sin_x, y): (Array, Array, Array), g: Array| (cos_x * &y * &g, sin_x * g),
    );
    let loss = |xy: (Array, Array)| f(xy).map(|v| v.sum());
    let (xs, ys): ([f64; 3], [f64; 3]) = ([0.5, -1.0, 2.5], [2.0, 3.0, -1.0]);
    let args = (Array::from(xs), Array::from(ys));
    let want_x: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| x.cos() * y).collect();
    let want_y: Vec<f64> = xs.iter().map(|x| x.sin()).collect();
    let check = |(gx, gy): (Array, Array), what: &str| -> anyhow::Result<()> {
        assert_close(&gx, &want_x, &format!("{what} d/dx"))?;
        assert_close(&gy, &want_y, &format!("{what} d/dy"))
    };
    check(grad(loss)(args.clone())?, "grad")?;
    check(jit(grad(loss)).call(args.clone())?, "jit(grad)")?;
    let jl = jit(loss);
    check(
        grad(move |xy: (Array, Array)| jl.call(xy))(args.clone())?,
        "grad(jit)",
    )?;
    check(vmap(grad(&f), 0)(args.clone())?, "vmap(grad)")?;
    check(
        jacrev(&f)(args.clone()).and_then(|(jx, jy): (Array, Array)| {
            Ok((
                vmap(|r: Array| r.sum(), 0)(jx)?,
                vmap(|r: Array| r.sum(), 0)(jy)?,
            ))
        })?,
        "jacrev",
    )?;
    let (value, g) = value_and_grad(loss)(args.clone())?;
    let want_value: f64 = xs.iter().zip(&ys).map(|(x, y)| x.sin() * y).sum();
    assert_close(&value, &[want_value], "value_and_grad value")?;
    check(g, "value_and_grad")?;
    let (y, pullback) = vjp(&f, args)?;
    assert_close(
        &y,
        &[want_y[0] * 2.0, want_y[1] * 3.0, -want_y[2]],
        "vjp value",
    )?;
    let (cx, cy) = pullback(Array::from([1.0, 0.0, 2.0]))?;
    assert_close(&cx, &[want_x[0], 0.0, 2.0 * want_x[2]], "vjp d/dx")?;
    assert_close(&cy, &[want_y[0], 0.0, 2.0 * want_y[2]], "vjp d/dy")?;

    // grad(grad): the second derivative differentiates bwd.
    let sin = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x.clone()),
        |x: Array, g: Array| x.cos() * g,
    );
    let dd = grad(grad(&sin))(Array::from(0.4))?;
    assert_close(&dd, &[-(0.4f64.sin())], "grad(grad)")?;
    let dd = jit(grad(grad(&sin))).call(Array::from(0.4))?;
    assert_close(&dd, &[-(0.4f64.sin())], "jit(grad(grad))")?;
    Ok(())
}

#[test]
fn custom_vjp_forward_mode_is_an_error() -> anyhow::Result<()> {
    x64();
    let f = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x.cos()),
        |c: Array, g: Array| c * g,
    );
    let expected = "can't apply forward-mode autodiff (jvp) to a custom_vjp function.";
    let x = Array::from(1.0);
    let message = error_of(jvp(&f, x.clone(), Array::from(1.0)).map(|(_, t): (Array, Array)| t));
    ensure!(message.contains(expected), "jvp: {message}");
    let jitted = jit(|x: Array| jvp(&f, x, Array::from(1.0)).map(|(_, t): (Array, Array)| t));
    let message = error_of(jitted.call::<Array, Array, _>(x.clone()));
    ensure!(message.contains(expected), "jit(jvp): {message}");
    let message = error_of(jacfwd(&f)(x.clone()).map(|j: Array| j));
    ensure!(message.contains(expected), "jacfwd: {message}");
    // Reverse mode is fine, and closing over a differentiated value is JAX's error.
    assert_close(&grad(&f)(x)?, &[1f64.cos()], "grad")?;
    let closes_over = |x: Array| {
        let g = custom_vjp(
            move |y: Array| &y * &x,
            |y: Array| (y, ()),
            |(): (), g: Array| g,
        );
        g(Array::from(1.0))
    };
    let message = error_of(grad(closes_over)(Array::from(2.0)));
    ensure!(
        message.contains(
            "Detected differentiation of a custom_vjp function with respect to a closed-over value"
        ),
        "{message}"
    );
    Ok(())
}
