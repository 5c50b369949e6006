//! check_grads on compositions, f32, and the checker itself.

use super::*;

#[test]
fn compositions_of_primitives() {
    x64();
    let mut rng = Rng::new(10);
    let m = normal(&mut rng, &[3, 3]);
    let cases = vec![
        case1(
            "mixed smooth function",
            vec![normal(&mut rng, &[3])],
            move |xs| {
                let x = &xs[0];
                let a = x.sin() * x.exp() + (x * x + 1.0).sqrt();
                let b = (x.tanh() / (x.cos() + 3.0)).pow(2.0);
                (m.matmul(&(&a + &b)).maximum(-10.0) * 0.5).sum() + lax::log1p(&(x * x)).sum()
            },
        ),
        // Pytree inputs and outputs of several leaves.
        case(
            "several inputs and outputs",
            vec![normal(&mut rng, &[2, 2]), normal(&mut rng, &[2])],
            |xs| {
                let y = xs[0].matmul(&xs[1]).tanh();
                vec![y.clone(), (&y * &xs[1]).sum(), xs[0].exp()]
            },
        ),
    ];
    run(cases);
}

#[test]
fn float32_inputs_use_float32_tolerances() {
    x64();
    // JAX's step of 1e-4 leaves rounding errors of about 6e-8 / 1e-4 ≈ 6e-4 (relative to the
    // values) in f32 finite differences, near the tolerance of 2e-3, and order 2 takes
    // differences of derivatives. A step of 1e-3 balances rounding and truncation in f32.
    let f32_check = || CheckGrads::new(2).eps(1e-3);
    let x = Array::from_slice(&[0.5f32, -1.25, 2.0, 0.75, -0.3, 1.1], &SHAPE).unwrap();
    let w = Array::from_slice(&[1.5f32, -0.5, 0.25, 2.0, 1.0, -1.0], &[3, 2]).unwrap();
    let cases = vec![
        case1("f32 sin·exp", vec![x.clone()], |xs| {
            lax::mul(lax::sin(&xs[0]), lax::exp(&xs[0]))
        })
        .with(f32_check()),
        case1("f32 tanh of matmul", vec![x.clone(), w], |xs| {
            lax::tanh(xs[0].matmul(&xs[1]))
        })
        .with(f32_check()),
        case1("f32 logistic sum", vec![x], |xs| {
            lax::reduce_sum(lax::logistic(&xs[0]), &[1])
        })
        .with(f32_check()),
    ];
    run(cases);
}

#[test]
fn complex_inputs_follow_jax_conventions() {
    x64();
    let mut rng = Rng::new(13);
    let mut z = || rng.normal_array(&[3], DType::C128).unwrap();
    let (a, b, c) = (z(), z(), z());
    let cases = vec![
        case1("complex mul", vec![a.clone(), b], |xs| {
            lax::mul(&xs[0], &xs[1])
        }),
        case1("complex sin·exp", vec![a], |xs| {
            lax::mul(lax::sin(&xs[0]), lax::exp(&xs[0]))
        }),
        case1("complex sum of squares", vec![c], |xs| {
            lax::reduce_sum(lax::mul(&xs[0], &xs[0]), &[0])
        }),
    ];
    run(cases);
}

#[test]
fn pytree_arguments_of_any_structure() -> rjax::Result<()> {
    x64();
    let mut rng = Rng::new(11);
    let a = normal(&mut rng, &[3]);
    let b = normal(&mut rng, &[2, 3]);
    check_grads(
        |(a, b): (Array, Array)| (b.matmul(&a.sin()), (&a * &a).sum()),
        (a, b),
        2,
        &[Mode::Fwd, Mode::Rev],
        None,
        None,
        None,
    )
}

#[test]
fn a_wrong_derivative_is_reported_in_each_mode() {
    x64();
    // floor is flat almost everywhere, but the finite difference across its jump at 1 is not.
    let x = Array::from_slice(&[1.0f64, 0.3], &[2]).unwrap();
    for mode in [Mode::Fwd, Mode::Rev] {
        let error = CheckGrads::new(1)
            .modes(&[mode])
            .check(|x: Array| lax::floor(&x), x.clone())
            .expect_err("floor's jump is not differentiable");
        let message = error.to_string();
        let expected = match mode {
            Mode::Fwd => "JVP tangent: output 0 (f64[2]) differs at 1 of 2 elements",
            Mode::Rev => "VJP cotangent projection",
        };
        assert!(message.contains("check_grads"), "{message}");
        assert!(message.contains(expected), "{mode}: {message}");
    }
    // Away from the jump, the same function passes.
    CheckGrads::new(2)
        .check(|x: Array| lax::floor(&x), Array::from(0.3f64))
        .unwrap();
}

#[test]
fn wrong_custom_rules_are_reported() {
    x64();
    let x = Array::from_slice(&[0.3f64, -1.2, 2.0], &[3]).unwrap();
    // A JVP rule 1% off: forward mode sees it against finite differences, reverse mode
    // through its transpose.
    let off_jvp = custom_jvp(
        |x: Array| x.sin(),
        |x: Array, t: Array| (x.sin(), x.cos() * 1.01 * t),
    );
    for (mode, expected) in [
        (Mode::Fwd, "JVP tangent"),
        (Mode::Rev, "VJP cotangent projection"),
    ] {
        let message = CheckGrads::new(1)
            .modes(&[mode])
            .check(&off_jvp, x.clone())
            .unwrap_err()
            .to_string();
        assert!(message.contains(expected), "{mode}: {message}");
    }
    // Reverse mode alone checks a custom_vjp function (which has no JVP): a right backward
    // rule passes, at order 2 too, and one 1% off fails.
    let right_vjp = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x),
        |x: Array, g: Array| x.cos() * g,
    );
    CheckGrads::new(2)
        .modes(&[Mode::Rev])
        .check(&right_vjp, x.clone())
        .unwrap();
    let off_vjp = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x),
        |x: Array, g: Array| x.cos() * 1.01 * g,
    );
    let message = CheckGrads::new(1)
        .modes(&[Mode::Rev])
        .check(&off_vjp, x)
        .unwrap_err()
        .to_string();
    assert!(message.contains("VJP cotangent projection"), "{message}");
}

#[test]
fn bad_options_are_errors() {
    x64();
    let f = |x: Array| x.sin();
    let x = Array::from(0.5f64);
    for (check, why) in [
        (CheckGrads::new(0), "order"),
        (CheckGrads::new(1).modes(&[]), "no modes"),
        (CheckGrads::new(1).eps(0.0), "eps"),
    ] {
        let message = check.check(f, x.clone()).unwrap_err().to_string();
        assert!(message.contains(why), "{message}");
    }
}

#[test]
fn errors_of_the_function_and_of_missing_rules_pass_through() {
    x64();
    // polygamma has no derivative with respect to its order (as in JAX); under jit the error
    // surfaces when the call is differentiated.
    let x = Array::from(1.5f64);
    let f = jit(move |m: Array| lax::polygamma(&m, &x));
    let message = CheckGrads::new(1)
        .check(
            |m: Array| -> rjax::Result<Array> { f.call(m) },
            Array::from(1.0f64),
        )
        .unwrap_err()
        .to_string();
    assert!(message.contains("polygamma"), "{message}");
    let failing = |_: Array| -> rjax::Result<Array> {
        Err(rjax::Error::InvalidArgument {
            op: "mine".to_string(),
            message: "failed".to_string(),
        })
    };
    let message = CheckGrads::new(1)
        .check(failing, Array::from(1.5f64))
        .unwrap_err()
        .to_string();
    assert_eq!(message, "mine: failed");
}
