//! Composition stress tests in the spirit of autodidax: functions that mix nested `jit`,
//! `jvp`, `grad` and `vjp` in every order, cross-checked against derivatives worked out by
//! hand, and `grad` nested four deep. f64 throughout (x64 mode is process-wide in this test
//! binary).

use rjax::{Array, grad, jit, jvp, value_and_grad, vjp};

fn x64() {
    rjax::config::enable_x64(true);
}

fn scalar(x: f64) -> Array {
    Array::from(x)
}

fn value(x: &Array) -> f64 {
    x.item::<f64>().expect("an f64 scalar")
}

fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

const POINTS: [f64; 4] = [3.0, -0.7, 0.25, 1.9];

/// autodidax's `f(x) = -(2 sin x) + x`: f' = 1 - 2 cos x, f'' = 2 sin x, f''' = 2 cos x.
fn autodidax_f(x: Array) -> Array {
    let y = x.sin() * 2.0;
    -y + &x
}

/// autodidax's `deriv`: the derivative of a scalar function by `jvp` with tangent 1.
fn deriv(f: impl Fn(Array) -> rjax::Result<Array>) -> impl Fn(Array) -> rjax::Result<Array> {
    move |x: Array| {
        let (_, t): (Array, Array) = jvp(&f, x, scalar(1.0))?;
        Ok(t)
    }
}

#[test]
fn autodidax_derivatives_of_a_jitted_function() -> rjax::Result<()> {
    x64();
    let jitted_f = jit(autodidax_f);
    let f = |x: Array| -> rjax::Result<Array> { jitted_f.call(x) };
    let df = deriv(f);
    let ddf = deriv(&df);
    let dddf = deriv(&ddf);
    for x in POINTS {
        assert_close("f", value(&f(scalar(x))?), x - 2.0 * x.sin());
        assert_close("f'", value(&df(scalar(x))?), 1.0 - 2.0 * x.cos());
        assert_close("f''", value(&ddf(scalar(x))?), 2.0 * x.sin());
        assert_close("f'''", value(&dddf(scalar(x))?), 2.0 * x.cos());
        // The same under an outer jit.
        let staged = jit(|x: Array| ddf(x));
        assert_close("jit(f'')", value(&staged.call(scalar(x))?), 2.0 * x.sin());
    }
    Ok(())
}

#[test]
fn one_function_mixing_jit_jvp_grad_and_vjp() -> rjax::Result<()> {
    x64();
    let jitted_f = jit(autodidax_f);
    let f = |x: Array| -> rjax::Result<Array> { jitted_f.call(x) };
    // g(x) = f'(x)·x by jvp of the jitted f: (1 - 2 cos x)·x.
    let g = |x: Array| -> rjax::Result<Array> {
        let (_, t): (Array, Array) = jvp(f, x.clone(), scalar(1.0))?;
        Ok(t * &x)
    };
    // grad of g under jit: g'(x) = 1 - 2 cos x + 2x sin x.
    let dg = jit(grad(g));
    // vjp of (grad of g) with cotangent 1, inside another jit: g''(x) = 4 sin x + 2x cos x.
    let ddg = jit(|x: Array| -> rjax::Result<Array> {
        let (_, pullback) = vjp(|x: Array| dg.call(x), x)?;
        pullback(scalar(1.0))
    });
    // And jvp of that through one more jit: g'''(x) = 6 cos x - 2x sin x.
    let dddg = jit(|x: Array| -> rjax::Result<Array> {
        let (_, t): (Array, Array) = jvp(|x: Array| ddg.call(x), x, scalar(1.0))?;
        Ok(t)
    });
    for x in POINTS {
        let (s, c) = x.sin_cos();
        assert_close("g", value(&g(scalar(x))?), (1.0 - 2.0 * c) * x);
        assert_close(
            "g'",
            value(&dg.call(scalar(x))?),
            1.0 - 2.0 * c + 2.0 * x * s,
        );
        assert_close("g''", value(&ddg.call(scalar(x))?), 4.0 * s + 2.0 * x * c);
        assert_close("g'''", value(&dddg.call(scalar(x))?), 6.0 * c - 2.0 * x * s);
    }
    Ok(())
}

#[test]
fn jit_inside_grad_inside_jvp_inside_jit() -> rjax::Result<()> {
    x64();
    let f = jit(autodidax_f);
    // h(z) = f(z²), h'(z) = (1 - 2 cos z²)·2z,
    // h''(z) = 8z² sin z² + 2 - 4 cos z².
    let second = jit(move |x: Array| -> rjax::Result<Array> {
        let dh = grad(|z: Array| f.call(&z * &z));
        let (_, t): (Array, Array) = jvp(dh, x, scalar(1.0))?;
        Ok(t)
    });
    for x in POINTS {
        let (s, c) = (x * x).sin_cos();
        assert_close(
            "h''",
            value(&second.call(scalar(x))?),
            8.0 * x * x * s + 2.0 - 4.0 * c,
        );
    }
    Ok(())
}

#[test]
fn vjp_of_a_jitted_function_of_a_pytree_inside_grad() -> rjax::Result<()> {
    x64();
    // p(x, y) = (sin(x)·y, x·y); pulled back with cotangents (1, 2):
    // x̄ = y cos x + 2y, ȳ = sin x + 2x.
    let p = jit(|(x, y): (Array, Array)| (x.sin() * &y, &x * &y));
    let pull = |x: &Array, y: &Array| -> rjax::Result<(Array, Array)> {
        let (_, pullback) = vjp(
            |args: (Array, Array)| -> rjax::Result<(Array, Array)> { p.call(args) },
            (x.clone(), y.clone()),
        )?;
        pullback((scalar(1.0), scalar(2.0)))
    };
    // q(x) = x̄(x, y) + ȳ(x, y) at y = 1.5, differentiated by grad (reverse over reverse):
    // q'(x) = -y sin x + cos x + 2.
    let y = 1.5;
    let q = |x: Array| -> rjax::Result<Array> {
        let (xbar, ybar) = pull(&x, &scalar(y))?;
        Ok(xbar + ybar)
    };
    for x in POINTS {
        let (xbar, ybar) = pull(&scalar(x), &scalar(y))?;
        assert_close("x̄", value(&xbar), y * x.cos() + 2.0 * y);
        assert_close("ȳ", value(&ybar), x.sin() + 2.0 * x);
        let (q_value, dq) = value_and_grad(q)(scalar(x))?;
        assert_close(
            "q",
            value(&q_value),
            y * x.cos() + 2.0 * y + x.sin() + 2.0 * x,
        );
        assert_close("q'", value(&dq), -y * x.sin() + x.cos() + 2.0);
    }
    Ok(())
}

#[test]
fn grad_nested_four_deep_of_sin() -> rjax::Result<()> {
    x64();
    let d1 = grad(|x: Array| x.sin());
    let d2 = grad(|x: Array| d1(x));
    let d3 = grad(|x: Array| d2(x));
    let d4 = grad(|x: Array| d3(x));
    let staged = jit(|x: Array| d4(x));
    // jit in the middle of the tower.
    let mixed = grad(|x: Array| grad(|y: Array| jit(|z: Array| d2(z)).call(y))(x));
    for x in POINTS {
        let (s, c) = x.sin_cos();
        assert_close("sin", value(&scalar(x).sin()), s);
        assert_close("sin'", value(&d1(scalar(x))?), c);
        assert_close("sin''", value(&d2(scalar(x))?), -s);
        assert_close("sin'''", value(&d3(scalar(x))?), -c);
        assert_close("sin''''", value(&d4(scalar(x))?), s);
        assert_close("jit(sin'''')", value(&staged.call(scalar(x))?), s);
        assert_close("grad(grad(jit(sin'')))", value(&mixed(scalar(x))?), s);
    }
    // On a vector, summed at each level: the derivatives cycle elementwise.
    let v = Array::from(POINTS);
    let e1 = grad(|x: Array| x.sin().sum());
    let e2 = grad(|x: Array| e1(x).map(|g| g.sum()));
    let e3 = grad(|x: Array| e2(x).map(|g| g.sum()));
    let e4 = grad(|x: Array| e3(x).map(|g| g.sum()));
    let got = e4(v)?.to_vec::<f64>()?;
    for (g, x) in got.iter().zip(POINTS) {
        assert_close("elementwise sin''''", *g, x.sin());
    }
    Ok(())
}
