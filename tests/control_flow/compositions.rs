//! Control flow: numerical checks and compositions.

use super::*;

use rjax::test_util::{Mode, check_grads};

#[test]
fn check_grads_of_scan_cond_and_fori_to_second_order() -> rjax::Result<()> {
    x64();
    let both = [Mode::Fwd, Mode::Rev];
    // A scan with vector carry, closed-over matrix, two scanned inputs and two outputs.
    let m = Array::from([[0.3f64, -0.2], [0.1, 0.4]]);
    check_grads(
        |(h, xs, zs): (Array, Array, Array)| -> rjax::Result<(Array, Array)> {
            let (h, (ys, ws)): (Array, (Array, Array)) = scan_with(
                |h: Array, (x, z): (Array, Array)| {
                    let h = (m.matmul(&h) + &x).tanh() * &z;
                    (h.clone(), (h.sin(), (&h * &z).sum()))
                },
                h,
                (xs, zs),
                None,
                true,
                1,
            )?;
            Ok((h, ys.sum() + ws.sum()))
        },
        (
            Array::from([0.5f64, -0.3]),
            Array::from_slice(&[0.1f64, 0.2, -0.3, 0.4, 0.5, -0.6], &[3, 2]).unwrap(),
            Array::from([1.5f64, -0.7, 0.9]),
        ),
        2,
        &both,
        None,
        None,
        None,
    )?;
    // cond on a traced predicate, both branches.
    for p in [true, false] {
        check_grads(
            |(x, y): (Array, Array)| -> rjax::Result<Array> {
                cond(
                    &Array::scalar(p),
                    |(x, y): (Array, Array)| (x.sin() * &y).sum(),
                    |(x, y): (Array, Array)| (x.exp() + y.cos()).sum(),
                    (x, y),
                )
            },
            (Array::from([0.3f64, -0.8]), Array::from([1.1f64, 0.2])),
            2,
            &both,
            None,
            None,
            None,
        )?;
    }
    // fori_loop with static bounds.
    check_grads(
        |x: Array| exp_series(&x),
        Array::from(0.4f64),
        2,
        &both,
        None,
        None,
        None,
    )?;
    // while_loop: forward mode only.
    check_grads(
        |x: Array| -> rjax::Result<Array> {
            let (_, y) = while_loop(
                |(i, _): (Array, Array)| i.lt(4),
                |(i, y): (Array, Array)| (&i + 1, (&y * &x).sin() + &x),
                (Array::scalar(0i32), x.clone()),
            )?;
            Ok(y)
        },
        Array::from(0.6f64),
        2,
        &[Mode::Fwd],
        None,
        None,
        None,
    )
}

#[test]
fn transformations_compose_with_control_flow() -> rjax::Result<()> {
    x64();
    let (a, h0, xs) = linear_data();
    let loss = |h0: Array| -> rjax::Result<Array> {
        let (_, hs) = recurrence(&a, &h0, &xs)?;
        Ok((&hs * &hs).sum())
    };
    // vmap(grad(scan)) against per-example grads.
    let h0s = Array::from_slice(&[1.0f64, -1.0, 0.5, 2.0, -0.3, 0.0], &[3, 2]).unwrap();
    let batched: Array = vmap(grad(loss), 0)(h0s.clone())?;
    let mut want = Vec::new();
    for row in [[1.0f64, -1.0], [0.5, 2.0], [-0.3, 0.0]] {
        want.extend(values(&grad(loss)(Array::from(row))?));
    }
    assert_close(&values(&batched), &want, 1e-12);
    // jit(vmap(scan)) and jacrev == jacfwd.
    let jitted: Array = jit(|h: Array| vmap(grad(loss), 0)(h)).call(h0s)?;
    assert_close(&values(&jitted), &want, 1e-12);
    let f = |h0: Array| -> rjax::Result<Array> { Ok(recurrence(&a, &h0, &xs)?.0) };
    let jr: Array = rjax::jacrev(f)(h0.clone())?;
    let jf: Array = rjax::jacfwd(f)(h0.clone())?;
    assert_close(&values(&jr), &values(&jf), 1e-12);
    // A scan inside a cond inside a scan, differentiated in reverse mode against the same
    // program with the inner scan unrolled.
    let nested = |unroll: bool| {
        move |w: Array| -> rjax::Result<Array> {
            let (c, _): (Array, Array) = scan(
                |c: Array, x: Array| -> rjax::Result<(Array, Array)> {
                    let c = cond(
                        &x.gt(0.0),
                        |c: Array| -> rjax::Result<Array> {
                            if unroll {
                                let mut d = c.clone();
                                for _ in 0..3 {
                                    d = (&d * &w).sin();
                                }
                                Ok(d)
                            } else {
                                fori_loop(0, 3, |_i: Array, d: Array| (&d * &w).sin(), c)
                            }
                        },
                        |c: Array| Ok(&c * &w + 1.0),
                        c,
                    )?;
                    Ok((c.clone(), c))
                },
                Array::from(0.4f64),
                Array::from([1.0f64, -1.0, 2.0, 0.5]),
            )?;
            Ok(c)
        }
    };
    let g = grad(nested(false))(Array::from(0.9f64))?.item::<f64>()?;
    let u = grad(nested(true))(Array::from(0.9f64))?.item::<f64>()?;
    assert!((g - u).abs() < 1e-12, "{g} vs {u}");
    // linearize through a while loop (forward mode) works.
    let (y, f_jvp) = rjax::linearize(|y: Array| newton_sqrt(&y), Array::from(4.0f64))?;
    assert!((y.item::<f64>()? - 2.0).abs() < 1e-12);
    let t: Array = f_jvp(Array::from(1.0f64))?;
    assert!((t.item::<f64>()? - 0.25).abs() < 1e-6, "{t}");
    Ok(())
}

#[test]
fn loop_type_errors_use_jax_wording() {
    x64();
    let err = scan(
        |c: Array, x: Array| (&c * &x, x.clone()),
        Array::from(0.0f64),
        Array::from_slice(&[1.0f64, 2.0, 3.0, 4.0], &[2, 2]).unwrap(),
    )
    .map(|_: (Array, Array)| ())
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "scan body function carry input and carry output must have equal types (e.g. shapes \
             and dtypes of arrays), but they differ:\n\n  * the input carry component 0 has type \
             f64[] but the corresponding output carry component has type f64[2], so the shapes \
             do not match"
        ),
        "{err}"
    );
    let err = while_loop(|x: Array| x.clone(), |x: Array| x, Array::from(1.0f64))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cond_fun must return a boolean scalar, but got output type(s) [f64[]]."),
        "{err}"
    );
    let err = while_loop(
        |x: Array| x.lt(3.0),
        |x: Array| x.astype(DType::F32),
        Array::from(1.0f64),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("so the dtypes do not match"), "{err}");
    let branches: [&dyn Fn(Array) -> Array; 2] = [&|x| x.clone(), &|x| x.sum()];
    let err = switch(&Array::scalar(0i32), &branches, Array::from([1.0f64, 2.0]))
        .map(|_: Array| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "branch 0 output and branch 1 output must have identical types, got\noutput 0: \
             DIFFERENT f64[2] vs. f64[]."
        ),
        "{err}"
    );
}

#[test]
fn edge_cases_and_more_batching() -> rjax::Result<()> {
    x64();
    // No operands: the branches only close over arrays.
    let a = Array::from([1.0f64, 2.0]);
    let b = Array::from([3.0f64, 4.0]);
    let y: Array = cond(&Array::scalar(false), |()| a.clone(), |()| &b * 2.0, ())?;
    assert_eq!(values(&y), [6.0, 8.0]);
    // A scan of length 0 returns the initial carry and empty outputs.
    let (c, ys): (Array, Array) = scan(
        |c: Array, x: Array| (&c + &x, x.clone()),
        Array::from(5.0f64),
        Array::from_slice::<f64>(&[], &[0]).unwrap(),
    )?;
    assert_eq!(c.item::<f64>()?, 5.0);
    assert_eq!(ys.shape(), [0]);
    // vmap of a while loop whose predicate is not batched (the bounds are shared).
    let y: Array = vmap(
        |x: Array| {
            fori_loop_dynamic(
                &Array::scalar(0i32),
                &Array::scalar(3i32),
                |_i: Array, y: Array| &y * 2.0,
                x,
            )
        },
        0,
    )(Array::from([1.0f64, -0.5]))?;
    assert_eq!(values(&y), [8.0, -4.0]);
    // vmap of a scan over inputs batched along their second axis, with a batched constant.
    let xs = Array::from_slice(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]).unwrap();
    let scales = Array::from([1.0f64, 10.0]);
    let sums: Array = vmap(
        |(xs, s): (Array, Array)| {
            scan(
                |c: Array, x: Array| {
                    let c = &c + &(&x * &s);
                    (c.clone(), c)
                },
                Array::from(0.0f64),
                xs,
            )
            .map(|(_, ys): (Array, Array)| ys)
        },
        rjax::InAxes::from(vec![Some(1), Some(0)]),
    )((xs, scales))?;
    assert_eq!(sums.shape(), [2, 3]);
    assert_eq!(values(&sums), [1.0, 4.0, 9.0, 20.0, 60.0, 120.0]);
    // jit of vmap of cond with a batched predicate.
    let y: Array = jit(|x: Array| {
        vmap(
            |x: Array| cond(&x.gt(0.0), |x: Array| x.sqrt(), |x: Array| &x * &x, x),
            0,
        )(x)
    })
    .call(Array::from([4.0f64, -3.0]))?;
    assert_eq!(values(&y), [2.0, 9.0]);
    Ok(())
}

#[test]
fn forward_mode_is_one_loop_and_reverse_mode_splits_it() -> rjax::Result<()> {
    x64();
    let count = |text: &str, what: &str| text.matches(what).count();
    let jvp_while = make_jaxpr(|y: Array| jvp(|y: Array| newton_sqrt(&y), y, Array::from(1.0f64)))(
        &Array::from(2.0f64),
    )?
    .to_string();
    assert_eq!(count(&jvp_while, "while["), 1, "{jvp_while}");
    let jvp_scan = make_jaxpr(|x: Array| jvp(|x: Array| exp_series(&x), x, Array::from(1.0f64)))(
        &Array::from(2.0f64),
    )?
    .to_string();
    assert_eq!(count(&jvp_scan, "scan["), 1, "{jvp_scan}");
    // grad: a forward (known) scan stacking residuals, and the transposed scan in reverse.
    let grad_scan = make_jaxpr(grad(|x: Array| exp_series(&x)))(&Array::from(2.0f64))?.to_string();
    assert_eq!(count(&grad_scan, "scan["), 2, "{grad_scan}");
    assert_eq!(count(&grad_scan, "reverse=True"), 1, "{grad_scan}");
    // cond: one cond in forward mode; a known and a transposed one in reverse mode.
    let f = |x: Array| {
        cond(
            &x.gt(0.0),
            |x: Array| x.sin() * &x,
            |x: Array| x.exp(),
            x.clone(),
        )
    };
    let jvp_cond =
        make_jaxpr(|x: Array| jvp(f, x, Array::from(1.0f64)))(&Array::from(2.0f64))?.to_string();
    assert_eq!(count(&jvp_cond, "cond["), 1, "{jvp_cond}");
    let grad_cond = make_jaxpr(grad(f))(&Array::from(2.0f64))?.to_string();
    assert_eq!(count(&grad_cond, "cond["), 2, "{grad_cond}");
    // vmap(grad(cond)) with a batched predicate, and jit(grad(cond)).
    let xs = Array::from([0.5f64, -1.5, 2.0]);
    let g: Array = vmap(grad(f), 0)(xs.clone())?;
    let want: Vec<f64> = [0.5f64, -1.5, 2.0]
        .iter()
        .map(|&x| {
            if x > 0.0 {
                x.cos() * x + x.sin()
            } else {
                x.exp()
            }
        })
        .collect();
    assert_close(&values(&g), &want, 1e-12);
    let j: Array = jit(grad(f)).call(Array::from(-1.5f64))?;
    assert_close(&values(&j), &[(-1.5f64).exp()], 1e-12);
    Ok(())
}

#[test]
fn reverse_mode_with_integer_inputs_and_outputs() -> rjax::Result<()> {
    x64();
    // Scanned integer indices pick rows of a closed-over table; an integer output is stacked.
    let table = Array::from([[1.0f64, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let f = |w: Array| -> rjax::Result<Array> {
        let (c, (ints, ys)): (Array, (Array, Array)) = scan(
            |c: Array, i: Array| {
                let row = rjax::lax::dynamic_slice(&table, [&i, &Array::scalar(0i32)], &[1, 2])
                    .reshape(&[2]);
                let c = (&c * &w + &row).tanh();
                (c.clone(), (&i * 2, c.sum()))
            },
            Array::from([0.1f64, 0.2]),
            Array::from([2i32, 0, 1, 1]),
        )?;
        Ok(c.sum() + ys.sum() + ints.astype(DType::F64).sum())
    };
    let g = grad(f)(Array::from(0.7f64))?.item::<f64>()?;
    let want = fd(|w| f(Array::from(w)).unwrap().item::<f64>().unwrap(), 0.7);
    assert!((g - want).abs() < 1e-6, "{g} vs {want}");
    // grad of a sum over vmap of a scan.
    let h = |w: Array| -> rjax::Result<Array> {
        let ys: Array =
            vmap(|x0: Array| exp_series(&(&x0 * &w)), 0)(Array::from([0.5f64, 1.0, -1.0]))?;
        Ok(ys.sum())
    };
    let g = grad(h)(Array::from(0.3f64))?.item::<f64>()?;
    let want: f64 = [0.5f64, 1.0, -1.0]
        .iter()
        .map(|x| x * (x * 0.3).exp())
        .sum();
    assert!((g - want).abs() < 1e-10, "{g} vs {want}");
    Ok(())
}

/// A scan inside a cond inside a while loop: three rounds of `v = v > 0 ? fold(c*x + 1 over
/// xs, from v) : -v`.
fn scan_in_cond_in_while(x: Array) -> rjax::Result<Array> {
    let xs = Array::from([0.5f64, -0.25, 0.75]);
    let (_, v): (Array, Array) = while_loop(
        |(i, _): (Array, Array)| i.lt(3),
        |(i, v): (Array, Array)| -> rjax::Result<(Array, Array)> {
            let next = cond(
                &v.gt(0.0),
                |v: Array| -> rjax::Result<Array> {
                    let (c, _): (Array, Array) =
                        scan(|c: Array, x: Array| (&c * &x + 1.0, c), v, xs.clone())?;
                    Ok(c)
                },
                |v: Array| -v,
                v,
            )?;
            Ok((i + 1, next))
        },
        (Array::scalar(0i32), x),
    )?;
    Ok(v)
}

fn scan_in_cond_in_while_on_host(mut v: f64) -> f64 {
    for _ in 0..3 {
        v = if v > 0.0 {
            [0.5, -0.25, 0.75].iter().fold(v, |c, x| c * x + 1.0)
        } else {
            -v
        };
    }
    v
}

#[test]
fn nested_control_flow_under_jit_vmap_and_jvp() -> anyhow::Result<()> {
    x64();
    let points = [0.9f64, -0.4, 2.5];
    let want: Vec<f64> = points
        .iter()
        .map(|&x| scan_in_cond_in_while_on_host(x))
        .collect();
    for (&x, &w) in points.iter().zip(&want) {
        assert_close(
            &values(&scan_in_cond_in_while(Array::from(x))?),
            &[w],
            1e-14,
        );
        let staged: Array = jit(scan_in_cond_in_while).call(Array::from(x))?;
        assert_close(&values(&staged), &[w], 1e-14);
        let (_, tangent): (Array, Array) =
            jvp(scan_in_cond_in_while, Array::from(x), Array::from(1.0f64))?;
        assert_close(
            &values(&tangent),
            &[fd(scan_in_cond_in_while_on_host, x)],
            1e-7,
        );
    }
    let batched = vmap(scan_in_cond_in_while, rjax::InAxes::leading());
    let all: Array = batched(Array::from(points))?;
    assert_close(&values(&all), &want, 1e-14);
    let all: Array =
        jit(vmap(scan_in_cond_in_while, rjax::InAxes::leading())).call(Array::from(points))?;
    assert_close(&values(&all), &want, 1e-14);
    Ok(())
}
