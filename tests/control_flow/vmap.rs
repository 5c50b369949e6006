//! Control flow: vmap.

use super::*;

#[test]
fn vmap_of_control_flow() -> rjax::Result<()> {
    x64();
    // cond with a batched predicate: select of both branches.
    let f = |x: Array| -> rjax::Result<Array> {
        cond(&x.gt(0.0), |x: Array| &x * 2.0, |x: Array| -&x, x.clone())
    };
    let y: Array = vmap(f, 0)(Array::from([1.0f64, -2.0, 3.0]))?;
    assert_eq!(values(&y), [2.0, 2.0, 6.0]);
    // cond with an unbatched predicate and batched operands.
    let y: Array = vmap(
        |x: Array| cond(&Array::scalar(true), |x: Array| &x * 2.0, |x: Array| -&x, x),
        0,
    )(Array::from([1.0f64, -2.0, 3.0]))?;
    assert_eq!(values(&y), [2.0, -4.0, 6.0]);
    // switch with a batched index.
    let branches: [&dyn Fn(Array) -> Array; 3] = [&|x| &x + 1.0, &|x| &x * 10.0, &|x| -x];
    let y: Array = vmap(|(i, x): (Array, Array)| switch(&i, &branches, x), 0)((
        Array::from([0i32, 1, 2, 7]),
        Array::from([1.0f64, 2.0, 3.0, 4.0]),
    ))?;
    assert_eq!(values(&y), [2.0, 20.0, -3.0, -4.0]);
    // while_loop with a batched condition: each example stops on its own.
    let ys = [2.0f64, 9.0, 0.25];
    let y: Array = vmap(|y: Array| newton_sqrt(&y), 0)(Array::from(ys))?;
    assert_close(&values(&y), &ys.map(f64::sqrt), 1e-12);
    let counts: Array = vmap(
        |n: Array| {
            while_loop(
                |(i, _): (Array, Array)| i.lt(&n),
                |(i, s): (Array, Array)| (&i + 1, &s + &i),
                (Array::scalar(0i32), Array::scalar(0i32)),
            )
            .map(|(_, s)| s)
        },
        0,
    )(Array::from([0i32, 3, 5]))?;
    assert_eq!(counts.to_vec::<i32>()?, [0, 3, 10]);
    // scan with a batched body, against each example.
    let (a, h0, xs) = linear_data();
    let batch = rjax::lax::concatenate(
        [&xs.reshape(&[1, 4, 2]), &(&xs * 2.0).reshape(&[1, 4, 2])],
        0,
    );
    let hs: Array = vmap(|xs: Array| recurrence(&a, &h0, &xs).map(|(_, hs)| hs), 0)(batch)?;
    assert_eq!(hs.shape(), [2, 4, 2]);
    let (_, one) = recurrence(&a, &h0, &xs)?;
    let (_, two) = recurrence(&a, &h0, &(&xs * 2.0))?;
    let mut want = values(&one);
    want.extend(values(&two));
    assert_close(&values(&hs), &want, 1e-14);
    Ok(())
}
