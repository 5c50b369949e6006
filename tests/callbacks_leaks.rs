//! Host callbacks free what they allocate: after eager, jitted, batched and differentiated
//! callbacks have run and their results are dropped, no more PJRT buffers, executables or
//! events are alive than before. The counters are process-wide, so this file is its own test
//! binary with a single test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, ensure};
use rjax::callback::{Callback, VmapMethod, io_callback, pure_callback};
use rjax::runtime::live_objects;
use rjax::{Array, DType, ShapedArray, custom_jvp, debug, grad, jit, vmap};

fn workload(sin: &Callback, log: &Callback) -> Result<()> {
    let x = Array::from([0.1f32, 0.2, 0.3]);
    let spec = |x: &Array| [ShapedArray::new(x.shape().to_vec(), DType::F32)];
    pure_callback(sin, &spec(&x), &[&x], None)?[0].block_until_ready()?;
    let (s, l) = (sin.clone(), log.clone());
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        io_callback(&l, &[], &[&x], true)?;
        Ok(pure_callback(&s, &spec(&x), &[&x], None)?.remove(0))
    });
    let y: Array = f.call(x.clone())?;
    y.to_vec::<f32>()?;
    let s = sin.clone();
    let batched = jit(vmap(
        move |x: Array| -> rjax::Result<Array> {
            debug::callback(|_: &[Array]| Ok(()), &[&x])?;
            Ok(pure_callback(&s, &spec(&x), &[&x], Some(VmapMethod::Sequential))?.remove(0))
        },
        0,
    ));
    let y: Array = batched.call(Array::from([[0.1f32, 0.2], [0.3, 0.4]]))?;
    y.to_vec::<f32>()?;
    let s = sin.clone();
    let wrapped = custom_jvp(
        move |x: Array| -> rjax::Result<Array> {
            Ok(pure_callback(&s, &spec(&x), &[&x], None)?.remove(0))
        },
        |x: Array, t: Array| (x.sin(), x.cos() * t),
    );
    grad(|x: Array| -> rjax::Result<Array> { Ok(wrapped(x)?.sum()) })(x)?.to_vec::<f32>()?;
    Ok(())
}

#[test]
fn callbacks_leave_no_live_objects_behind() -> Result<()> {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let sin = Callback::new(move |args: &[Array]| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(vec![args[0].sin()])
    });
    let log = Callback::new(|_: &[Array]| Ok(Vec::new()));
    workload(&sin, &log)?;
    let before = live_objects();
    for _ in 0..3 {
        workload(&sin, &log)?;
    }
    let after = live_objects();
    ensure!(
        after.buffers <= before.buffers,
        "buffers: {before:?} -> {after:?}"
    );
    ensure!(
        after.executables <= before.executables,
        "executables: {before:?} -> {after:?}"
    );
    ensure!(
        after.events <= before.events,
        "events: {before:?} -> {after:?}"
    );
    ensure!(after.clients == before.clients);
    ensure!(calls.load(Ordering::SeqCst) > 0);
    Ok(())
}
