//! Control flow: reverse mode.

use super::*;

#[test]
fn grad_through_scan_matches_unrolled_and_finite_differences() -> rjax::Result<()> {
    x64();
    let (a, h0, xs) = linear_data();
    let loss = |(a, h0, xs): (Array, Array, Array)| -> rjax::Result<Array> {
        let (_, hs) = recurrence(&a, &h0, &xs)?;
        Ok((&hs * &hs).sum())
    };
    let unrolled = |(a, h0, xs): (Array, Array, Array)| recurrence_unrolled(&a, &h0, &xs);
    let (ga, gh, gx): (Array, Array, Array) = grad(loss)((a.clone(), h0.clone(), xs.clone()))?;
    let (ua, uh, ux): (Array, Array, Array) = grad(unrolled)((a.clone(), h0.clone(), xs.clone()))?;
    assert_close(&values(&ga), &values(&ua), 1e-12);
    assert_close(&values(&gh), &values(&uh), 1e-12);
    assert_close(&values(&gx), &values(&ux), 1e-12);
    // A finite difference along one direction of h0.
    let want = fd(
        |s| {
            let h = &h0 + &(Array::from([1.0f64, 0.5]) * s);
            loss((a.clone(), h, xs.clone()))
                .unwrap()
                .item::<f64>()
                .unwrap()
        },
        0.0,
    );
    let got = values(&gh)[0] + 0.5 * values(&gh)[1];
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    // Under jit too.
    let (ja, _, _): (Array, Array, Array) =
        jit(|args: (Array, Array, Array)| grad(loss)(args)).call((a, h0, xs))?;
    assert_close(&values(&ja), &values(&ua), 1e-12);
    Ok(())
}

#[test]
fn grad_through_fori_loop_and_nonlinear_scan() -> rjax::Result<()> {
    x64();
    for x in [0.3f64, -1.2] {
        let g = grad(|x: Array| exp_series(&x))(Array::from(x))?;
        assert!((g.item::<f64>()? - x.exp()).abs() < 1e-10);
    }
    // A nonlinear body: c <- sin(c * w) + x, against finite differences in w.
    let xs = Array::from([0.1f64, -0.2, 0.3, 0.4, -0.5]);
    let f = |w: Array| -> rjax::Result<Array> {
        let (c, ys): (Array, Array) = scan(
            |c: Array, x: Array| {
                let c = (&c * &w).sin() + &x;
                (c.clone(), &c * &c)
            },
            Array::from(0.5f64),
            xs.clone(),
        )?;
        Ok(c + ys.sum())
    };
    let g = grad(f)(Array::from(1.3f64))?.item::<f64>()?;
    let want = fd(|w| f(Array::from(w)).unwrap().item::<f64>().unwrap(), 1.3);
    assert!((g - want).abs() < 1e-6, "{g} vs {want}");
    // grad of grad (forward values only checked against finite differences of grad).
    let gg = grad(grad(f))(Array::from(1.3f64))?.item::<f64>()?;
    let want = fd(
        |w| grad(f)(Array::from(w)).unwrap().item::<f64>().unwrap(),
        1.3,
    );
    assert!((gg - want).abs() < 1e-5, "{gg} vs {want}");
    Ok(())
}

#[test]
fn grad_of_cond_with_respect_to_operands() -> rjax::Result<()> {
    x64();
    let f = |(x, y): (Array, Array)| -> rjax::Result<Array> {
        cond(
            &x.gt(&y),
            |(x, y): (Array, Array)| x.sin() * &y,
            |(x, y): (Array, Array)| &x * &x + y.exp(),
            (x.clone(), y.clone()),
        )
    };
    let (gx, gy): (Array, Array) = grad(f)((Array::from(2.0f64), Array::from(1.0f64)))?;
    assert!((gx.item::<f64>()? - 2f64.cos()).abs() < 1e-12);
    assert!((gy.item::<f64>()? - 2f64.sin()).abs() < 1e-12);
    let (gx, gy): (Array, Array) = grad(f)((Array::from(0.5f64), Array::from(1.0f64)))?;
    assert!((gx.item::<f64>()? - 1.0).abs() < 1e-12);
    assert!((gy.item::<f64>()? - 1f64.exp()).abs() < 1e-12);
    // vjp with a closed-over value in one branch only.
    let m = Array::from([1.0f64, 2.0]);
    let (_, back) = vjp(
        |x: Array| {
            cond(
                &Array::scalar(true),
                |x: Array| &x * &m,
                |x: Array| x.sin(),
                x,
            )
        },
        Array::from([3.0f64, 4.0]),
    )?;
    let ct: Array = back(Array::from([1.0f64, 1.0]))?;
    assert_eq!(values(&ct), [1.0, 2.0]);
    Ok(())
}

#[test]
fn while_loop_reverse_mode_gives_jax_error() {
    x64();
    let err = grad(|y: Array| newton_sqrt(&y))(Array::from(2.0f64))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop \
             with dynamic start/stop values."
        ),
        "{err}"
    );
}
