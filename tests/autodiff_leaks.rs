//! Transformations free what they allocate: after `jit`, `grad`, `jvp`, `vjp`, `linearize`,
//! `vmap`, the Jacobians and their compositions have finished and their results are dropped,
//! no more PJRT buffers, executables or events are alive than before. The counters are
//! process-wide, so this file is its own test binary with a single test.

use rjax::runtime::{LiveObjects, live_objects};
use rjax::{Array, grad, hessian, jacfwd, jacrev, jit, jvp, linearize, value_and_grad, vjp, vmap};

fn matrix() -> Array {
    Array::from([[1.0f32, -0.5, 2.0], [0.25, 3.0, -1.0], [0.5, 0.5, 0.5]])
}

/// A smooth function of a vector through several kinds of primitives.
fn f(x: &Array) -> Array {
    let m = matrix();
    (m.matmul(&x.sin()) * x.exp()).tanh().sum() + (x * x).sum()
}

/// Runs every transformation, alone and composed, and reads every result, returning the
/// results so the caller can hold them or drop them.
fn workload() -> rjax::Result<Vec<Array>> {
    let x = Array::from([0.3f32, -1.1, 0.8]);
    let t = Array::from([1.0f32, 0.5, -2.0]);
    let mut kept = Vec::new();

    let jitted = jit(|x: Array| f(&x));
    kept.push(jitted.call(x.clone())?);
    kept.push(grad(|x: Array| f(&x))(x.clone())?);
    let (value, gradient) = value_and_grad(|x: Array| jitted.call(x))(x.clone())?;
    kept.extend([value, gradient]);
    let (y, ty): (Array, Array) = jvp(|x: Array| f(&x), x.clone(), t.clone())?;
    kept.extend([y, ty]);
    let (y, pullback) = vjp(|x: Array| x.sin() * &x, x.clone())?;
    kept.push(pullback(y)?);
    let (y, linear) = linearize(|x: Array| x.cos() * 2.0, x.clone())?;
    kept.extend([y, linear(t.clone())?]);
    let batched = vmap(|x: Array| f(&x), 0);
    kept.push(batched(Array::from([
        [0.1f32, 0.2, 0.3],
        [-0.4, 0.5, 0.6],
    ]))?);
    let forward: Array = jacfwd(|x: Array| x.sin() * &x)(x.clone())?;
    let reverse: Array = jacrev(|x: Array| x.sin() * &x)(x.clone())?;
    let h: Array = hessian(|x: Array| f(&x))(x.clone())?;
    kept.extend([forward, reverse, h]);
    // Compositions: jit of grad of grad, grad through jit, vmap of grad, jvp of vjp.
    let second =
        jit(|x: Array| grad(|y: Array| grad(|z: Array| z.sin().sum())(y).map(|g| g.sum()))(x));
    kept.push(second.call(x.clone())?);
    kept.push(grad(|x: Array| jitted.call(x))(x.clone())?);
    let per_example = vmap(grad(|x: Array| f(&x)), 0);
    kept.push(per_example(Array::from([
        [0.1f32, 0.2, 0.3],
        [-0.4, 0.5, 0.6],
    ]))?);
    let (_, tangent): (Array, Array) = jvp(
        |x: Array| -> rjax::Result<Array> {
            let (y, pullback) = vjp(|x: Array| x.sin() * &x, x)?;
            pullback(y)
        },
        x.clone(),
        t,
    )?;
    kept.push(tangent);

    for array in &kept {
        array.block_until_ready()?;
        array.to_vec::<f32>()?;
    }
    Ok(kept)
}

fn report(what: &str, before: &LiveObjects, after: &LiveObjects) -> String {
    format!("{what}: before {before:?}, after {after:?}")
}

#[test]
fn transformations_leave_no_live_objects_behind() -> rjax::Result<()> {
    // A first run fills the process-wide caches (the client, the compiled eager primitives).
    drop(workload()?);
    let before = live_objects();
    let held = workload()?;
    let during = live_objects();
    drop(held);
    for _ in 0..2 {
        drop(workload()?);
    }
    let after = live_objects();
    assert!(
        after.buffers <= before.buffers,
        "{}",
        report("buffers leaked", &before, &after)
    );
    assert!(
        after.executables <= before.executables,
        "{}",
        report("executables leaked", &before, &after)
    );
    assert!(
        after.events <= before.events,
        "{}",
        report("events leaked", &before, &after)
    );
    assert_eq!(after.clients, before.clients);
    // The check is not vacuous: holding the results keeps device buffers alive.
    assert!(
        during.buffers > before.buffers,
        "{}",
        report(
            "no buffers were alive while the results were held",
            &before,
            &during
        )
    );
    Ok(())
}
