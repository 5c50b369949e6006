//! Control flow: JVP.

use super::*;

#[test]
fn jvp_of_control_flow_matches_finite_differences() -> rjax::Result<()> {
    x64();
    let x0 = 0.7f64;
    // fori_loop (scan).
    let (_, t) = jvp(
        |x: Array| exp_series(&x),
        Array::from(x0),
        Array::from(1.0f64),
    )?;
    assert!((t.item::<f64>()? - x0.exp()).abs() < 1e-10);
    // while_loop.
    let (_, t) = jvp(
        |y: Array| newton_sqrt(&y),
        Array::from(2.0f64),
        Array::from(1.0f64),
    )?;
    let want = fd(
        |y| newton_sqrt(&Array::from(y)).unwrap().item::<f64>().unwrap(),
        2.0,
    );
    assert!((t.item::<f64>()? - want).abs() < 1e-6, "{t} vs {want}");
    // cond.
    let f = |x: Array| -> rjax::Result<Array> {
        cond(
            &x.gt(0.0),
            |x: Array| x.sin() * &x,
            |x: Array| x.exp(),
            x.clone(),
        )
    };
    for x in [0.7f64, -0.4] {
        let (_, t) = jvp(f, Array::from(x), Array::from(1.0f64))?;
        let want = fd(|x| f(Array::from(x)).unwrap().item::<f64>().unwrap(), x);
        assert!((t.item::<f64>()? - want).abs() < 1e-6);
    }
    // scan with a closed-over tangent and a scanned tangent.
    let (a, h0, xs) = linear_data();
    let g = |s: f64| -> f64 {
        let a2 = &a * s;
        let xs2 = &xs * s;
        let (_, hs) = recurrence(&a2, &h0, &xs2).unwrap();
        (&hs * &hs).sum().item::<f64>().unwrap()
    };
    let (_, t) = jvp(
        |s: Array| -> rjax::Result<Array> {
            let (_, hs) = recurrence(&(&a * &s), &h0, &(&xs * &s))?;
            Ok((&hs * &hs).sum())
        },
        Array::from(1.1f64),
        Array::from(1.0f64),
    )?;
    let want = fd(g, 1.1);
    assert!((t.item::<f64>()? - want).abs() < 1e-6, "{t} vs {want}");
    Ok(())
}
