//! Control flow: `scan`'s `unroll`, `lax.map`, `lax.select`, the hessian through a scan and
//! `cond`'s predicate check.

use super::*;

use rjax::control_flow::{map, select};

/// A nonlinear scan with a carry, a closed-over matrix, two scanned inputs and two outputs,
/// forward or reversed, unrolled `unroll` times.
fn rnn(
    (m, h, xs, zs): (Array, Array, Array, Array),
    reverse: bool,
    unroll: usize,
) -> rjax::Result<(Array, (Array, Array))> {
    scan_with(
        |h: Array, (x, z): (Array, Array)| {
            let h = (m.matmul(&h) + &x).tanh() * &z;
            (h.clone(), (h.sin(), (&h * &z).sum()))
        },
        h,
        (xs, zs),
        None,
        reverse,
        unroll,
    )
}

fn rnn_data(length: usize) -> (Array, Array, Array, Array) {
    let m = Array::from([[0.3f64, -0.2], [0.1, 0.4]]);
    let h = Array::from([0.5f64, -0.3]);
    let xs: Vec<f64> = (0..2 * length).map(|i| (i as f64 * 0.37).sin()).collect();
    let zs: Vec<f64> = (0..length).map(|i| 1.0 + 0.1 * (i as f64).cos()).collect();
    (
        m,
        h,
        Array::from_slice(&xs, &[length, 2]).unwrap(),
        Array::from_slice(&zs, &[length]).unwrap(),
    )
}

#[test]
fn unrolled_scan_gives_the_same_results() -> rjax::Result<()> {
    x64();
    // 7 steps: unroll 2 and 3 leave a remainder, 7 is exact, 10 is more than the length.
    let data = rnn_data(7);
    for reverse in [false, true] {
        let (h1, (ys1, ws1)) = rnn(data.clone(), reverse, 1)?;
        for unroll in [2, 3, 7, 10] {
            let (h, (ys, ws)) = rnn(data.clone(), reverse, unroll)?;
            assert_close(&values(&h), &values(&h1), 1e-14);
            assert_close(&values(&ys), &values(&ys1), 1e-14);
            assert_close(&values(&ws), &values(&ws1), 1e-14);
            // Under jit, and its gradient.
            let jitted = jit(move |d: (Array, Array, Array, Array)| rnn(d, reverse, unroll));
            let (jh, (jys, _)): (Array, (Array, Array)) = jitted.call(data.clone())?;
            assert_close(&values(&jh), &values(&h1), 1e-14);
            assert_close(&values(&jys), &values(&ys1), 1e-14);
            let loss = move |u: usize| {
                move |d: (Array, Array, Array, Array)| -> rjax::Result<Array> {
                    let (h, (ys, ws)) = rnn(d, reverse, u)?;
                    Ok(h.sum() + ys.sum() + ws.sum())
                }
            };
            let (gm, gh, gx, gz): (Array, Array, Array, Array) =
                jit(grad(loss(unroll))).call(data.clone())?;
            let (wm, wh, wx, wz): (Array, Array, Array, Array) = grad(loss(1))(data.clone())?;
            assert_close(&values(&gm), &values(&wm), 1e-12);
            assert_close(&values(&gh), &values(&wh), 1e-12);
            assert_close(&values(&gx), &values(&wx), 1e-12);
            assert_close(&values(&gz), &values(&wz), 1e-12);
        }
    }
    // An empty scan.
    let (h, (ys, _)) = rnn(rnn_data(0), false, 3)?;
    assert_eq!(values(&h), [0.5, -0.3]);
    assert_eq!(ys.shape(), [0, 2]);
    Ok(())
}

#[test]
fn unroll_is_a_parameter_and_repeats_the_body_in_the_lowered_loop() -> rjax::Result<()> {
    x64();
    let data = rnn_data(7);
    let count = |unroll: usize| -> rjax::Result<(String, usize)> {
        let jaxpr =
            make_jaxpr(move |d: (Array, Array, Array, Array)| rnn(d, false, unroll))(&data)?
                .to_string();
        let text = jit(move |d: (Array, Array, Array, Array)| rnn(d, false, unroll))
            .lower(&data)?
            .as_text()
            .to_string();
        Ok((jaxpr, text.matches("stablehlo.tanh").count()))
    };
    let (jaxpr1, once) = count(1)?;
    assert!(jaxpr1.contains("unroll=1"), "{jaxpr1}");
    assert_eq!(once, 1);
    let (jaxpr3, thrice) = count(3)?;
    assert!(jaxpr3.contains("unroll=3"), "{jaxpr3}");
    // Three steps per iteration of the loop, then the remaining one.
    assert_eq!(thrice, 4);
    let (_, twice) = count(2)?;
    assert_eq!(twice, 3);
    let err = scan_with(
        |c: Array, x: Array| (&c + &x, ()),
        Array::from(0.0f64),
        Array::from([1.0f64]),
        None,
        false,
        0,
    )
    .map(|_: (Array, ())| ())
    .unwrap_err()
    .to_string();
    assert!(err.contains("`unroll` must be a positive integer"), "{err}");
    Ok(())
}

#[test]
fn lax_map_maps_over_the_leading_axis() -> rjax::Result<()> {
    x64();
    let xs = Array::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]).unwrap();
    let ys: Array = map(|x: Array| (&x * &x).sum(), xs.clone())?;
    assert_eq!(values(&ys), [5.0, 25.0, 61.0]);
    // A pytree in and out, under jit, and through rjax::lax.
    let (s, p): (Array, Array) = jit(|(a, b): (Array, Array)| {
        rjax::lax::map(|(x, y): (Array, Array)| (x.sum() + &y, &x * &y), (a, b))
    })
    .call((xs.clone(), Array::from([10.0f64, 20.0, 30.0])))?;
    assert_eq!(values(&s), [13.0, 27.0, 41.0]);
    assert_eq!(values(&p), [10.0, 20.0, 60.0, 80.0, 150.0, 180.0]);
    assert_eq!(p.shape(), [3, 2]);
    // Its gradient.
    let g = grad(|xs: Array| -> rjax::Result<Array> {
        let ys: Array = map(|x: Array| x.sin().sum(), xs)?;
        Ok(ys.sum())
    })(xs.clone())?;
    let want: Vec<f64> = values(&xs).iter().map(|x| x.cos()).collect();
    assert_close(&values(&g), &want, 1e-14);
    Ok(())
}

#[test]
fn lax_select_picks_on_true_where_pred() -> rjax::Result<()> {
    x64();
    let pred = Array::from([true, false, true]);
    let a = Array::from([1.0f64, 2.0, 3.0]);
    let b = Array::from([-1.0f64, -2.0, -3.0]);
    assert_eq!(values(&select(&pred, &a, &b)), [1.0, -2.0, 3.0]);
    assert_eq!(values(&rjax::lax::select(&pred, &b, &a)), [-1.0, 2.0, -3.0]);
    // Its gradient flows to the chosen operand.
    let (ga, gb): (Array, Array) = grad(|(a, b): (Array, Array)| {
        (select(Array::from([true, false, true]), &a, &b) * 2.0).sum()
    })((a, b))?;
    assert_eq!(values(&ga), [2.0, 0.0, 2.0]);
    assert_eq!(values(&gb), [0.0, 2.0, 0.0]);
    Ok(())
}

#[test]
fn hessian_through_scan_matches_finite_differences_of_the_gradient() -> rjax::Result<()> {
    x64();
    let f = |x: Array| -> rjax::Result<Array> {
        let (c, ys): (Array, Array) = scan(
            |c: Array, xt: Array| {
                let c = (&c * &xt).sin() + &c * 0.5 + &xt * &xt;
                (c.clone(), &c * &xt)
            },
            Array::from(0.7f64),
            x,
        )?;
        Ok(c + ys.sum())
    };
    let x = [0.3f64, -0.5, 0.8];
    let h: Array = rjax::hessian(f)(Array::from(x))?;
    assert_eq!(h.shape(), [3, 3]);
    let hv = values(&h);
    let eps = 1e-5;
    for j in 0..3 {
        let at = |s: f64| -> Vec<f64> {
            let mut y = x;
            y[j] += s;
            values(&grad(f)(Array::from(y)).unwrap())
        };
        let (up, down) = (at(eps), at(-eps));
        for i in 0..3 {
            let want = (up[i] - down[i]) / (2.0 * eps);
            assert!(
                (hv[3 * i + j] - want).abs() < 1e-6,
                "H[{i}][{j}] = {} vs {want}",
                hv[3 * i + j]
            );
        }
    }
    // Symmetric, and the same under jit.
    for i in 0..3 {
        for j in 0..3 {
            assert!((hv[3 * i + j] - hv[3 * j + i]).abs() < 1e-10);
        }
    }
    let jh: Array = jit(rjax::hessian(f)).call(Array::from(x))?;
    assert_close(&values(&jh), &hv, 1e-12);
    Ok(())
}

#[test]
fn cond_rejects_a_non_scalar_predicate() {
    x64();
    let err = cond(
        &Array::from([true, false]),
        |x: Array| x.sin(),
        |x: Array| x.cos(),
        Array::from(1.0f64),
    )
    .map(|_: Array| ())
    .unwrap_err()
    .to_string();
    assert!(err.contains("Pred must be a scalar, got"), "{err}");
    assert!(err.contains("of shape (2,)."), "{err}");
    // Under jit, a traced predicate.
    let err = jit(|(p, x): (Array, Array)| -> rjax::Result<Array> {
        cond(&p, |x: Array| x.sin(), |x: Array| x.cos(), x)
    })
    .call((Array::from([[true], [false]]), Array::from(1.0f64)))
    .map(|_: Array| ())
    .unwrap_err()
    .to_string();
    assert!(err.contains("Pred must be a scalar, got"), "{err}");
    assert!(err.contains("of shape (2, 1)."), "{err}");
}
