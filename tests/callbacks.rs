//! Host callbacks: `pure_callback`, `io_callback`, `debug::print` and `debug::callback`,
//! eagerly and under `jit`, `vmap` and differentiation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use anyhow::{Result, ensure};
use rjax::callback::{Callback, VmapMethod, io_callback, pure_callback};
use rjax::{Array, DType, ShapedArray, custom_jvp, debug, grad, jit, make_jaxpr, vmap};

fn f32s(array: &Array) -> Result<Vec<f32>> {
    Ok(array.to_vec::<f32>()?)
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
}

/// A host `sin` that counts its calls and records the shapes it saw.
fn host_sin(calls: Arc<AtomicUsize>, shapes: Arc<Mutex<Vec<Vec<usize>>>>) -> Callback {
    Callback::new(move |args: &[Array]| {
        calls.fetch_add(1, Ordering::SeqCst);
        shapes.lock().unwrap().push(args[0].shape().to_vec());
        let y: Vec<f32> = args[0].to_vec::<f32>()?.iter().map(|v| v.sin()).collect();
        Ok(vec![Array::from_slice(&y, args[0].shape())?])
    })
}

fn spec_like(x: &Array) -> [ShapedArray; 1] {
    [ShapedArray::new(x.shape().to_vec(), DType::F32)]
}

#[test]
fn pure_callback_computes_sin_eagerly_and_under_jit() -> Result<()> {
    let calls = Arc::new(AtomicUsize::new(0));
    let sin = host_sin(calls.clone(), Default::default());
    let x = Array::from([0.0f32, 0.5, 1.0, -2.0]);
    let eager = pure_callback(&sin, &spec_like(&x), &[&x], None)?.remove(0);
    ensure!(close(&f32s(&eager)?, &f32s(&x.sin())?));
    ensure!(calls.load(Ordering::SeqCst) == 1);

    let cb = sin.clone();
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        let y = pure_callback(&cb, &spec_like(&x), &[&x], None)?.remove(0);
        Ok(y * 2.0)
    });
    for _ in 0..3 {
        let y: Array = f.call(x.clone())?;
        ensure!(close(&f32s(&y)?, &f32s(&(x.sin() * 2.0))?));
    }
    ensure!(calls.load(Ordering::SeqCst) == 4, "{calls:?}");
    let jaxpr = make_jaxpr(|x: Array| pure_callback(&sin, &spec_like(&x), &[&x], None))(&x)?;
    ensure!(jaxpr.to_string().contains("pure_callback["), "{jaxpr}");
    Ok(())
}

#[test]
fn pure_callback_vmap_methods() -> Result<()> {
    let xs = Array::from([[0.1f32, 0.2, 0.3], [0.4, 0.5, 0.6]]);
    let expected = f32s(&xs.sin())?;
    for (method, calls_expected, shape_seen) in [
        (VmapMethod::Sequential, 2, vec![3]),
        (VmapMethod::ExpandDims, 1, vec![2, 3]),
        (VmapMethod::BroadcastAll, 1, vec![2, 3]),
    ] {
        for jitted in [false, true] {
            let calls = Arc::new(AtomicUsize::new(0));
            let shapes = Arc::new(Mutex::new(Vec::new()));
            let cb = host_sin(calls.clone(), shapes.clone());
            let per_example = move |x: Array| -> rjax::Result<Array> {
                Ok(pure_callback(&cb, &spec_like(&x), &[&x], Some(method))?.remove(0))
            };
            let y: Array = if jitted {
                jit(vmap(per_example, 0)).call(xs.clone())?
            } else {
                vmap(per_example, 0)(xs.clone())?
            };
            ensure!(close(&f32s(&y)?, &expected), "{method:?}");
            ensure!(
                calls.load(Ordering::SeqCst) == calls_expected,
                "{method:?} jit={jitted}: {calls:?}"
            );
            ensure!(
                shapes.lock().unwrap()[0] == shape_seen,
                "{method:?}: {shapes:?}"
            );
        }
    }
    // An unbatched operand: size 1 in front for expand_dims, broadcast for broadcast_all.
    for (method, seen) in [
        (VmapMethod::ExpandDims, vec![1, 3]),
        (VmapMethod::BroadcastAll, vec![2, 3]),
    ] {
        let shapes = Arc::new(Mutex::new(Vec::new()));
        let record = shapes.clone();
        let add = Callback::new(move |args: &[Array]| {
            record.lock().unwrap().push(args[1].shape().to_vec());
            Ok(vec![&args[0] + &args[1]])
        });
        let offset = Array::from([1.0f32, 2.0, 3.0]);
        let y: Array = vmap(
            |x: Array| -> rjax::Result<Array> {
                Ok(pure_callback(&add, &spec_like(&x), &[&x, &offset], Some(method))?.remove(0))
            },
            0,
        )(xs.clone())?;
        ensure!(close(&f32s(&y)?, &f32s(&(&xs + &offset))?));
        ensure!(shapes.lock().unwrap()[0] == seen, "{method:?}: {shapes:?}");
    }
    Ok(())
}

#[test]
fn pure_callback_under_vmap_needs_a_method() -> Result<()> {
    let cb = host_sin(Default::default(), Default::default());
    let xs = Array::from([[0.1f32, 0.2], [0.3, 0.4]]);
    let error = vmap(
        |x: Array| pure_callback(&cb, &spec_like(&x), &[&x], None),
        0,
    )(xs)
    .map(|_: Vec<Array>| ())
    .unwrap_err()
    .to_string();
    ensure!(error.contains("vmap_method"), "{error}");
    Ok(())
}

#[test]
fn pure_callback_under_grad_is_an_error() -> Result<()> {
    let cb = host_sin(Default::default(), Default::default());
    let error = grad(|x: Array| -> rjax::Result<Array> {
        Ok(pure_callback(&cb, &spec_like(&x), &[&x], None)?
            .remove(0)
            .sum())
    })(Array::from([1.0f32, 2.0]))
    .unwrap_err()
    .to_string();
    ensure!(
        error.contains("pure_callback") && error.contains("custom_jvp"),
        "{error}"
    );
    Ok(())
}

#[test]
fn custom_jvp_wrapped_callback_differentiates() -> Result<()> {
    let cb = host_sin(Default::default(), Default::default());
    let sin = custom_jvp(
        move |x: Array| -> rjax::Result<Array> {
            Ok(pure_callback(&cb, &spec_like(&x), &[&x], Some(VmapMethod::Sequential))?.remove(0))
        },
        |x: Array, t: Array| (x.sin(), x.cos() * t),
    );
    let x = Array::from([0.3f32, -1.2, 2.0]);
    let f = |x: Array| -> rjax::Result<Array> { Ok((sin(x)? * 3.0).sum()) };
    let g = grad(f)(x.clone())?;
    ensure!(close(&f32s(&g)?, &f32s(&(x.cos() * 3.0))?));
    let g: Array = jit(grad(f)).call(x.clone())?;
    ensure!(close(&f32s(&g)?, &f32s(&(x.cos() * 3.0))?));
    Ok(())
}

/// An io callback that appends `tag` to `log` and returns nothing.
fn logger(log: Arc<Mutex<Vec<i64>>>, tag: i64) -> Callback {
    Callback::new(move |_: &[Array]| {
        log.lock().unwrap().push(tag);
        Ok(Vec::new())
    })
}

#[test]
fn ordered_io_callbacks_run_in_program_order() -> Result<()> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let loggers: Vec<Callback> = (1..=4).map(|tag| logger(log.clone(), tag)).collect();
    let each = loggers.clone();
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        for cb in &each {
            io_callback(cb, &[], &[&x], true)?;
        }
        Ok(x * 2.0)
    });
    let x = Array::from([1.0f32]);
    for _ in 0..5 {
        f.call(x.clone())?.block_until_ready()?;
    }
    for cb in &loggers {
        io_callback(cb, &[], &[&x], true)?;
    }
    let log = log.lock().unwrap().clone();
    let expected: Vec<i64> = (0..6).flat_map(|_| 1..=4).collect();
    ensure!(log == expected, "{log:?}");
    let jaxpr = make_jaxpr(|x: Array| -> rjax::Result<Array> {
        for cb in &loggers {
            io_callback(cb, &[], &[&x], true)?;
        }
        Ok(x)
    })(&x)?;
    ensure!(
        jaxpr.to_string().matches("io_callback[").count() == 4,
        "{jaxpr}"
    );
    Ok(())
}

#[test]
fn io_callback_is_kept_when_its_result_is_unused() -> Result<()> {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let cb = Callback::new(move |args: &[Array]| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(vec![args[0].clone()])
    });
    let pure_calls = Arc::new(AtomicUsize::new(0));
    let pure = host_sin(pure_calls.clone(), Default::default());
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        let _unused = io_callback(&cb, &spec_like(&x), &[&x], false)?;
        let _dead = pure_callback(&pure, &spec_like(&x), &[&x], None)?;
        Ok(x + 1.0)
    });
    for _ in 0..3 {
        f.call(Array::from([1.0f32, 2.0]))?.block_until_ready()?;
    }
    ensure!(calls.load(Ordering::SeqCst) == 3, "{calls:?}");
    // A pure callback whose result is unused is dead code, as in JAX.
    ensure!(pure_calls.load(Ordering::SeqCst) == 0, "{pure_calls:?}");
    Ok(())
}

#[test]
fn io_callback_under_vmap() -> Result<()> {
    let calls = Arc::new(AtomicUsize::new(0));
    let cb = host_sin(calls.clone(), Default::default());
    let xs = Array::from([[0.1f32, 0.2], [0.3, 0.4], [0.5, 0.6]]);
    let y: Array = vmap(
        |x: Array| -> rjax::Result<Array> {
            Ok(io_callback(&cb, &spec_like(&x), &[&x], false)?.remove(0))
        },
        0,
    )(xs.clone())?;
    ensure!(close(&f32s(&y)?, &f32s(&xs.sin())?));
    ensure!(calls.load(Ordering::SeqCst) == 3);
    let error = vmap(
        |x: Array| -> rjax::Result<Array> {
            Ok(io_callback(&cb, &spec_like(&x), &[&x], true)?.remove(0))
        },
        0,
    )(xs)
    .unwrap_err()
    .to_string();
    ensure!(
        error.contains("ordered") && error.contains("vmap"),
        "{error}"
    );
    Ok(())
}

#[test]
fn debug_print_formats_values_everywhere() -> Result<()> {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    debug::set_printer(Some(Arc::new(move |line: &str| {
        sink.lock().unwrap().push(line.to_string())
    })));
    let x = Array::from([1.0f32, 2.0]);
    debug::print("x = {} {{literal}} {0}", &[&x])?;
    let f = jit(|x: Array| -> rjax::Result<Array> {
        debug::print_named("in jit: {} {n}", &[&x], &[("n", &Array::from(7i32))])?;
        Ok(x * 2.0)
    });
    f.call(x.clone())?.block_until_ready()?;
    vmap(
        |x: Array| -> rjax::Result<Array> {
            debug::print("row {}", &[&x])?;
            Ok(x)
        },
        0,
    )(Array::from([[1.0f32, 2.0], [3.0, 4.0]]))?;
    let g = grad(|x: Array| -> rjax::Result<Array> {
        debug::print("primal {}", &[&x])?;
        Ok((&x * &x).sum())
    })(x.clone())?;
    ensure!(f32s(&g)? == vec![2.0, 4.0]);
    let bad = debug::print("{1}", &[&x]).unwrap_err().to_string();
    debug::set_printer(None);
    ensure!(bad.contains("missing"), "{bad}");
    let lines = lines.lock().unwrap().clone();
    ensure!(
        lines
            == [
                "x = [1. 2.] {literal} [1. 2.]",
                "in jit: [1. 2.] 7",
                "row [1. 2.]",
                "row [3. 4.]",
                "primal [1. 2.]",
            ],
        "{lines:?}"
    );
    Ok(())
}

#[test]
fn debug_callback_sees_primals_under_grad_and_examples_under_vmap() -> Result<()> {
    let seen = Arc::new(Mutex::new(Vec::<Vec<f32>>::new()));
    let record = seen.clone();
    let f = move |x: Array| -> rjax::Result<Array> {
        let record = record.clone();
        debug::callback(
            move |args: &[Array]| {
                record.lock().unwrap().push(args[0].to_vec::<f32>()?);
                Ok(())
            },
            &[&x],
        )?;
        Ok(x.sin().sum())
    };
    let x = Array::from([0.5f32, 1.5]);
    let g = grad(f.clone())(x.clone())?;
    ensure!(close(&f32s(&g)?, &f32s(&x.cos())?));
    let g: Array = jit(grad(f.clone())).call(x.clone())?;
    ensure!(close(&f32s(&g)?, &f32s(&x.cos())?));
    vmap(f, 0)(Array::from([[1.0f32, 2.0], [3.0, 4.0]]))?;
    let seen = seen.lock().unwrap().clone();
    ensure!(
        seen == [
            vec![0.5, 1.5],
            vec![0.5, 1.5],
            vec![1.0, 2.0],
            vec![3.0, 4.0]
        ],
        "{seen:?}"
    );
    Ok(())
}

#[test]
fn a_failing_callback_surfaces_its_message() -> Result<()> {
    let cb = Callback::named("checker", |_: &[Array]| {
        Err(rjax::Error::InvalidArgument {
            op: "checker".into(),
            message: "the sky is falling".into(),
        })
    });
    let x = Array::from([1.0f32]);
    let eager = pure_callback(&cb, &spec_like(&x), &[&x], None).unwrap_err();
    ensure!(eager.to_string().contains("the sky is falling"), "{eager}");
    let cb2 = cb.clone();
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        Ok(pure_callback(&cb2, &spec_like(&x), &[&x], None)?.remove(0))
    });
    let error = f
        .call(x.clone())
        .and_then(|y: Array| y.to_vec::<f32>())
        .unwrap_err()
        .to_string();
    ensure!(
        error.contains("the sky is falling") && error.contains("checker"),
        "{error}"
    );
    // The client still works afterwards.
    ensure!(f32s(&(x + 1.0))? == vec![2.0]);
    Ok(())
}

#[test]
fn a_result_of_the_wrong_shape_is_an_error() -> Result<()> {
    let cb = Callback::named("too_long", |_: &[Array]| {
        Ok(vec![Array::from([1.0f32, 2.0, 3.0])])
    });
    let x = Array::from([1.0f32, 2.0]);
    let eager = pure_callback(&cb, &spec_like(&x), &[&x], None)
        .unwrap_err()
        .to_string();
    ensure!(
        eager.contains("too_long") && eager.contains("f32[3]") && eager.contains("f32[2]"),
        "{eager}"
    );
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        Ok(pure_callback(&cb, &spec_like(&x), &[&x], None)?.remove(0))
    });
    let error = f
        .call(x)
        .and_then(|y: Array| y.to_vec::<f32>())
        .unwrap_err()
        .to_string();
    ensure!(
        error.contains("too_long") && error.contains("f32[3]") && error.contains("f32[2]"),
        "{error}"
    );
    Ok(())
}

#[test]
fn callbacks_run_from_several_threads() -> Result<()> {
    let calls = Arc::new(AtomicUsize::new(0));
    let cb = host_sin(calls.clone(), Default::default());
    let f = Arc::new(jit(move |x: Array| -> rjax::Result<Array> {
        Ok(pure_callback(&cb, &spec_like(&x), &[&x], None)?.remove(0))
    }));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let f = f.clone();
            std::thread::spawn(move || -> Result<()> {
                for i in 0..10 {
                    let x = Array::from([t as f32, i as f32]);
                    let y: Array = f.call(x.clone())?;
                    ensure!(close(&f32s(&y)?, &f32s(&x.sin())?));
                }
                Ok(())
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("the thread panicked")?;
    }
    ensure!(calls.load(Ordering::SeqCst) == 40);
    Ok(())
}

#[test]
fn a_callback_may_make_and_compute_arrays_without_deadlock() -> Result<()> {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let run = || -> Result<Vec<f32>> {
            let cb = Callback::new(|args: &[Array]| {
                let fresh = Array::from_vec(args[0].to_vec::<f32>()?);
                let computed = fresh.sin() + 1.0;
                computed.block_until_ready()?;
                let twice = jit(|x: Array| x * 2.0).call(computed)?;
                Ok(vec![Array::from_slice(
                    &twice.to_vec::<f32>()?,
                    args[0].shape(),
                )?])
            });
            let f = jit(move |x: Array| -> rjax::Result<Array> {
                Ok(pure_callback(&cb, &spec_like(&x), &[&x], None)?.remove(0))
            });
            f32s(&f.call(Array::from([0.0f32, 1.0]))?)
        };
        let _ = done.send(run().map_err(|e| e.to_string()));
    });
    let result = finished
        .recv_timeout(Duration::from_secs(120))
        .map_err(|_| anyhow::anyhow!("the callback deadlocked"))?
        .map_err(anyhow::Error::msg)?;
    ensure!(
        close(&result, &[2.0, 2.0 * (1.0f32.sin() + 1.0)]),
        "{result:?}"
    );
    Ok(())
}

#[test]
fn recreating_a_stateless_callback_reuses_its_program() -> Result<()> {
    let lower = || -> rjax::Result<String> {
        let cb = Callback::new(|args: &[Array]| Ok(vec![args[0].clone()]));
        let f = jit(move |x: Array| -> rjax::Result<Array> {
            Ok(io_callback(&cb, &spec_like(&x), &[&x], false)?.remove(0))
        });
        Ok(f.lower(&Array::from([1.0f32]))?.as_text().to_string())
    };
    let first = lower()?;
    ensure!(first == lower()?, "a new program for the same closure");
    ensure!(first.contains("has_side_effect = true"), "{first}");
    Ok(())
}
