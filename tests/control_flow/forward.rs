//! Control flow: forward values.

use super::*;

/// exp(x) as the power series sum_k x^k / k!, by fori_loop over (term, sum).
pub(super) fn exp_series(x: &Array) -> rjax::Result<Array> {
    let (_, sum) = fori_loop(
        0,
        30,
        |i: Array, (term, sum): (Array, Array)| {
            let k = i.astype(DType::F64) + 1.0;
            let term = &term * x / &k;
            let sum = &sum + &term;
            (term, sum)
        },
        (Array::from(1.0f64), Array::from(1.0f64)),
    )?;
    Ok(sum)
}

#[test]
fn fori_loop_power_series() -> rjax::Result<()> {
    x64();
    for x in [0.5f64, -1.25, 2.0] {
        let got = exp_series(&Array::from(x))?.item::<f64>()?;
        assert!((got - x.exp()).abs() < 1e-12, "{got} vs {}", x.exp());
        let jitted: Array = jit(|x: Array| exp_series(&x)).call(Array::from(x))?;
        assert!((jitted.item::<f64>()? - x.exp()).abs() < 1e-12);
    }
    Ok(())
}

#[test]
fn scan_cumulative_sum_and_reverse() -> rjax::Result<()> {
    x64();
    let xs = Array::from([1.0f64, 2.0, 3.0, 4.0, 5.0]);
    let (total, sums): (Array, Array) = scan(
        |c: Array, x: Array| {
            let c = &c + &x;
            (c.clone(), c)
        },
        Array::from(0.0f64),
        xs.clone(),
    )?;
    assert_eq!(total.item::<f64>()?, 15.0);
    assert_eq!(values(&sums), [1.0, 3.0, 6.0, 10.0, 15.0]);
    let (_, rsums): (Array, Array) = scan_with(
        |c: Array, x: Array| {
            let c = &c + &x;
            (c.clone(), c)
        },
        Array::from(0.0f64),
        xs.clone(),
        None,
        true,
        1,
    )?;
    assert_eq!(values(&rsums), [15.0, 14.0, 12.0, 9.0, 5.0]);
    // Under jit, and with a length and no xs.
    let (t, ys): (Array, Array) = jit(|xs: Array| {
        scan(
            |c: Array, x: Array| {
                let c = &c + &x;
                (c.clone(), c)
            },
            Array::from(0.0f64),
            xs,
        )
    })
    .call(xs)?;
    assert_eq!(t.item::<f64>()?, 15.0);
    assert_eq!(values(&ys), [1.0, 3.0, 6.0, 10.0, 15.0]);
    let (c, ys): (Array, Array) = scan_with(
        |c: Array, (): ()| (&c * 2.0, c.clone()),
        Array::from(1.0f64),
        (),
        Some(4),
        false,
        1,
    )?;
    assert_eq!(c.item::<f64>()?, 16.0);
    assert_eq!(values(&ys), [1.0, 2.0, 4.0, 8.0]);
    Ok(())
}

/// h_{t+1} = a h_t + x_t (vectors), outputs every h_{t+1}.
pub(super) fn recurrence(a: &Array, h0: &Array, xs: &Array) -> rjax::Result<(Array, Array)> {
    scan(
        |h: Array, x: Array| {
            let h = a.matmul(&h) + &x;
            (h.clone(), h)
        },
        h0.clone(),
        xs.clone(),
    )
}

pub(super) fn recurrence_unrolled(a: &Array, h0: &Array, xs: &Array) -> Array {
    let n = xs.shape()[0];
    let mut h = h0.clone();
    let mut total = Array::from(0.0f64);
    for t in 0..n {
        let x = rjax::lax::slice(xs, &[t, 0], &[t + 1, 2], None).reshape(&[2]);
        h = a.matmul(&h) + &x;
        total = total + (&h * &h).sum();
    }
    total
}

pub(super) fn linear_data() -> (Array, Array, Array) {
    let a = Array::from([[0.5f64, -0.25], [0.75, 0.5]]);
    let h0 = Array::from([1.0f64, -1.0]);
    let xs = Array::from_slice(&[0.1f64, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8], &[4, 2]).unwrap();
    (a, h0, xs)
}

#[test]
fn scan_linear_recurrence() -> rjax::Result<()> {
    x64();
    let (a, h0, xs) = linear_data();
    let (h, hs) = recurrence(&a, &h0, &xs)?;
    let av = [[0.5, -0.25], [0.75, 0.5]];
    let xv = values(&xs);
    let mut hv = [1.0f64, -1.0];
    let mut all = Vec::new();
    for t in 0..4 {
        hv = [
            av[0][0] * hv[0] + av[0][1] * hv[1] + xv[2 * t],
            av[1][0] * hv[0] + av[1][1] * hv[1] + xv[2 * t + 1],
        ];
        all.extend(hv);
    }
    assert_close(&values(&h), &hv, 1e-14);
    assert_close(&values(&hs), &all, 1e-14);
    assert_eq!(hs.shape(), [4, 2]);
    Ok(())
}

pub(super) fn newton_sqrt(y: &Array) -> rjax::Result<Array> {
    let (x, _) = while_loop(
        |(x, n): (Array, Array)| {
            let far = (&x * &x - y).abs().gt(1e-12);
            rjax::lax::bitwise_and(&far, n.lt(50))
        },
        |(x, n): (Array, Array)| ((&x + y / &x) * 0.5, n + 1),
        (y.clone(), Array::scalar(0i32)),
    )?;
    Ok(x)
}

#[test]
fn while_loop_newton() -> rjax::Result<()> {
    x64();
    for y in [2.0f64, 9.0, 0.25] {
        let got = newton_sqrt(&Array::from(y))?.item::<f64>()?;
        assert!((got - y.sqrt()).abs() < 1e-12, "{got}");
        let jitted: Array = jit(|y: Array| newton_sqrt(&y)).call(Array::from(y))?;
        assert!((jitted.item::<f64>()? - y.sqrt()).abs() < 1e-12);
    }
    // A dynamic fori_loop: sum of i for i in [lo, hi).
    let s = fori_loop_dynamic(
        &Array::scalar(2i32),
        &Array::scalar(7i32),
        |i: Array, s: Array| s + i,
        Array::scalar(0i32),
    )?;
    assert_eq!(s.item::<i32>()?, 2 + 3 + 4 + 5 + 6);
    Ok(())
}

#[test]
fn switch_clamps_the_index() -> rjax::Result<()> {
    x64();
    let x = Array::from(3.0f64);
    let branches: [&dyn Fn(Array) -> Array; 3] = [&|x| &x + 1.0, &|x| &x * 10.0, &|x| x.sin()];
    for (index, want) in [
        (-5, 4.0),
        (0, 4.0),
        (1, 30.0),
        (2, 3f64.sin()),
        (9, 3f64.sin()),
    ] {
        let got: Array = switch(&Array::scalar(index), &branches, x.clone())?;
        assert_eq!(got.item::<f64>()?, want, "index {index}");
        let jitted: Array = jit(|(i, x): (Array, Array)| switch(&i, &branches, x))
            .call((Array::scalar(index), x.clone()))?;
        assert_eq!(jitted.item::<f64>()?, want, "jitted index {index}");
    }
    Ok(())
}

#[test]
fn cond_picks_a_branch_and_closes_over_arrays() -> rjax::Result<()> {
    x64();
    let m = Array::from([1.0f64, 2.0, 3.0]);
    let f = |p: bool, x: &Array| -> rjax::Result<Array> {
        cond(
            &Array::scalar(p),
            |x: Array| &x * &m,
            |x: Array| &x - &m,
            x.clone(),
        )
    };
    let x = Array::from([1.0f64, 1.0, 1.0]);
    assert_eq!(values(&f(true, &x)?), [1.0, 2.0, 3.0]);
    assert_eq!(values(&f(false, &x)?), [0.0, -1.0, -2.0]);
    let g = jit(|(p, x): (Array, Array)| cond(&p, |x: Array| &x * &m, |x: Array| &x - &m, x));
    let y: Array = g.call((Array::scalar(true), x.clone()))?;
    assert_eq!(values(&y), [1.0, 2.0, 3.0]);
    let text = g
        .lower(&(Array::scalar(true), x.clone()))?
        .as_text()
        .to_string();
    assert!(text.contains("stablehlo.case"), "{text}");
    let jaxpr = make_jaxpr(|x: Array| newton_sqrt(&x))(&Array::from(2.0f64))?.to_string();
    assert!(jaxpr.contains("while["), "{jaxpr}");
    // A tuple of operands and outputs.
    let (a, b): (Array, Array) = cond(
        &Array::scalar(false),
        |(u, v): (Array, Array)| (&u + &v, &u * &v),
        |(u, v): (Array, Array)| (&u - &v, &u / &v),
        (Array::from(6.0f64), Array::from(3.0f64)),
    )?;
    assert_eq!((a.item::<f64>()?, b.item::<f64>()?), (3.0, 2.0));
    Ok(())
}

#[test]
fn mismatched_branches_name_the_output_and_types() {
    x64();
    let err = cond(
        &Array::scalar(true),
        |x: Array| (x.clone(), x.clone()),
        |x: Array| (x.clone(), x.sum()),
        Array::from([1.0f64, 2.0]),
    )
    .map(|_: (Array, Array)| ())
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("true_fun output and false_fun output must have identical types"),
        "{err}"
    );
    assert!(
        err.contains("output 1: DIFFERENT f64[2] vs. f64[]"),
        "{err}"
    );
}
