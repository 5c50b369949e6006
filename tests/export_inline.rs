//! `Exported::call` inside `jit` inlines the module when it is MLIR text (rjax's artifacts,
//! also once serialized and read back): the lowered program holds the module's functions as
//! private functions and a `func.call` of its `main`, and no host callback. Values are
//! checked against closed forms computed here in f64, against the eager (separate executable)
//! call and against the original function; derivatives go through the serialized VJP (also
//! inlined), `vmap` calls the module once per element, and JAX's bytecode artifacts keep the
//! separate-executable path.

mod common;

use anyhow::{Context, Result, ensure};
use rjax::export::{Exported, export};
use rjax::{Array, grad, jit, jvp, vmap};

fn array(data: &[f32], shape: &[usize]) -> Result<Array> {
    Ok(Array::from_slice(data, shape)?)
}

fn values(x: &Array) -> Result<Vec<f64>> {
    Ok(x.to_vec::<f32>()?.into_iter().map(f64::from).collect())
}

/// Asserts `got` is `want` to float32 accuracy.
fn assert_close(what: &str, got: &Array, want: &[f64]) -> Result<()> {
    let got = values(got)?;
    ensure!(got.len() == want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        ensure!(
            (g - w).abs() <= 2e-6 + 2e-6 * w.abs(),
            "{what}: got {got:?}, want {want:?}"
        );
    }
    Ok(())
}

/// The exported function: `sin(x * w) + x`.
fn f((x, w): (Array, Array)) -> Array {
    (&x * &w).sin() + &x
}

/// `f` elementwise in f64.
fn f64_f(x: f64, w: f64) -> f64 {
    (x * w).sin() + x
}

fn inputs() -> Result<(Array, Array)> {
    Ok((
        array(&[0.5, -1.25, 2.0], &[3])?,
        array(&[1.5, 0.75, -0.5], &[3])?,
    ))
}

fn exported_f(name: &str) -> Result<Exported> {
    Ok(export(f)
        .with_name(name)
        .platforms(&["cpu"])
        .vjp_order(1)
        .trace(&inputs()?)?)
}

/// The names of the inlined `main`s of modules exported as `name`: private functions
/// `@name_N` (their own functions are `@name_N.inner`).
fn inlined_mains(text: &str, name: &str) -> Vec<String> {
    let prefix = format!("func.func private @{name}_");
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix(&prefix))
        .filter_map(|rest| rest.split('(').next())
        .filter(|suffix| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()))
        .map(|suffix| format!("{name}_{suffix}"))
        .collect()
}

/// How many `func.call`s of `callee` the text makes.
fn calls_of(text: &str, callee: &str) -> usize {
    text.matches(&format!("callee = @{callee}}}")).count()
}

#[test]
fn inlined_call_inside_jit_matches_the_function_and_the_eager_call() -> Result<()> {
    let exported = exported_f("f")?;
    let (x, w) = inputs()?;
    // Other ops around the call, on both sides of it.
    let g = |(x, w): (Array, Array)| -> rjax::Result<Array> {
        let y = exported.call(&[&x * 2.0f32, w])?.remove(0);
        Ok(y.exp() * 0.5f32)
    };
    let jitted = jit(g);
    let got = jitted.call((x.clone(), w.clone()))?;
    let (xs, ws) = (values(&x)?, values(&w)?);
    let want: Vec<f64> = xs
        .iter()
        .zip(&ws)
        .map(|(&x, &w)| 0.5 * f64_f(2.0 * x, w).exp())
        .collect();
    assert_close("jit(exported)", &got, &want)?;
    // The eager call runs the module as its own executable.
    let eager = g((x.clone(), w.clone()))?;
    assert_close("eager exported", &eager, &values(&got)?)?;
    let original = jit(|(x, w): (Array, Array)| f((&x * 2.0f32, w)).exp() * 0.5f32)
        .call((x.clone(), w.clone()))?;
    assert_close("the original function", &original, &values(&got)?)?;

    let text = jitted.lower(&(x, w))?.as_text().to_string();
    let mains = inlined_mains(&text, "f");
    ensure!(mains.len() == 1, "one inlined module expected:\n{text}");
    ensure!(calls_of(&text, &mains[0]) == 1, "one call of it:\n{text}");
    // The module's own private function came along, renamed under the callee's name.
    ensure!(
        text.contains(&format!("func.func private @{}.f_0(", mains[0])),
        "{text}"
    );
    ensure!(
        !text.contains("custom_call"),
        "a host callback remains:\n{text}"
    );
    Ok(())
}

#[test]
fn grad_through_the_inlined_call_uses_the_exported_vjp() -> Result<()> {
    let exported = exported_f("f")?;
    let (x, w) = inputs()?;
    let loss = |x: Array| -> rjax::Result<Array> {
        let y = exported.call(&[x, w.clone()])?.remove(0);
        Ok((&y * &y).sum())
    };
    // d/dx sum((sin(xw) + x)^2) = 2 (sin(xw) + x) (w cos(xw) + 1).
    let want: Vec<f64> = values(&x)?
        .iter()
        .zip(values(&w)?)
        .map(|(&x, w)| 2.0 * f64_f(x, w) * (w * (x * w).cos() + 1.0))
        .collect();
    let jitted = jit(grad(loss));
    assert_close("jit(grad)", &jitted.call(x.clone())?, &want)?;
    assert_close("grad", &grad(loss)(x.clone())?, &want)?;
    // Both the function and its VJP are inlined: no host callback.
    let text = jitted.lower(&x)?.as_text().to_string();
    ensure!(inlined_mains(&text, "f").len() == 1, "{text}");
    ensure!(inlined_mains(&text, "f_vjp").len() == 1, "{text}");
    ensure!(
        !text.contains("custom_call"),
        "a host callback remains:\n{text}"
    );
    Ok(())
}

#[test]
fn vmap_calls_the_inlined_module_once_per_element() -> Result<()> {
    let exported = exported_f("f")?;
    let (_, w) = inputs()?;
    let rows: Vec<f32> = (0..12).map(|i| i as f32 * 0.25 - 1.5).collect();
    let batch = array(&rows, &[4, 3])?;
    let per_row = |x: Array| -> rjax::Result<Array> {
        Ok(exported.call(&[x, w.clone()])?.remove(0) * 3.0f32)
    };
    let ws = values(&w)?;
    let want: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(i, &x)| 3.0 * f64_f(f64::from(x), ws[i % 3]))
        .collect();
    let jitted = jit(vmap(per_row, 0));
    assert_close("jit(vmap)", &jitted.call(batch.clone())?, &want)?;
    assert_close("vmap", &vmap(per_row, 0)(batch.clone())?, &want)?;
    let text = jitted.lower(&batch)?.as_text().to_string();
    let mains = inlined_mains(&text, "f");
    ensure!(mains.len() == 1, "the module is written once:\n{text}");
    ensure!(
        calls_of(&text, &mains[0]) == 4,
        "and called per row:\n{text}"
    );
    Ok(())
}

#[test]
fn artifacts_called_together_get_unique_symbols() -> Result<()> {
    // Two different artifacts with the same name, and the first called twice.
    let first = exported_f("f")?;
    let h = |(x, w): (Array, Array)| (&x * &w).cos() * &w;
    let second = export(h)
        .with_name("f")
        .platforms(&["cpu"])
        .trace(&inputs()?)?;
    let (x, w) = inputs()?;
    let g = |(x, w): (Array, Array)| -> rjax::Result<Array> {
        let a = first.call(&[x.clone(), w.clone()])?.remove(0);
        let b = second.call(&[x.clone(), w.clone()])?.remove(0);
        let c = first.call(&[&x * 0.5f32, w])?.remove(0);
        Ok(a + b * 2.0f32 + c)
    };
    let jitted = jit(g);
    let want: Vec<f64> = values(&x)?
        .iter()
        .zip(values(&w)?)
        .map(|(&x, w)| f64_f(x, w) + 2.0 * (x * w).cos() * w + f64_f(0.5 * x, w))
        .collect();
    assert_close("three calls", &jitted.call((x.clone(), w.clone()))?, &want)?;
    let text = jitted.lower(&(x, w))?.as_text().to_string();
    let mut mains = inlined_mains(&text, "f");
    ensure!(mains.len() == 3, "three inlined modules expected:\n{text}");
    mains.sort();
    mains.dedup();
    ensure!(mains.len() == 3, "their names must differ:\n{text}");
    for main in &mains {
        ensure!(calls_of(&text, main) == 1, "{main} is called once:\n{text}");
    }
    Ok(())
}

#[test]
fn read_back_and_multi_platform_artifacts_inline() -> Result<()> {
    let (x, w) = inputs()?;
    let want: Vec<f64> = values(&x)?
        .iter()
        .zip(values(&w)?)
        .map(|(&x, w)| f64_f(x, w) + 1.0)
        .collect();
    let read_back = Exported::deserialize(&exported_f("f")?.serialize()?)?;
    let multi = export(f)
        .with_name("f")
        .platforms(&["cuda", "cpu"])
        .trace(&inputs()?)?;
    for (what, exported, index) in [("read back", read_back, None), ("cuda,cpu", multi, Some(1))] {
        let call = |(x, w): (Array, Array)| -> rjax::Result<Array> {
            Ok(exported.call(&[x, w])?.remove(0) + 1.0f32)
        };
        let jitted = jit(call);
        assert_close(what, &jitted.call((x.clone(), w.clone()))?, &want)?;
        let text = jitted.lower(&(x.clone(), w.clone()))?.as_text().to_string();
        ensure!(inlined_mains(&text, "f").len() == 1, "{what}:\n{text}");
        ensure!(!text.contains("custom_call"), "{what}:\n{text}");
        if let Some(index) = index {
            // The platform index (cpu is the second platform) is a constant argument.
            ensure!(
                text.contains(&format!("value = dense<{index}> : tensor<i32>")),
                "{what}:\n{text}"
            );
        }
    }
    Ok(())
}

#[test]
fn forward_mode_is_refused_as_for_any_exported_call() -> Result<()> {
    let exported = exported_f("f")?;
    let (x, w) = inputs()?;
    let call = |x: Array| -> rjax::Result<Array> { Ok(exported.call(&[x, w.clone()])?.remove(0)) };
    for result in [
        jvp(call, x.clone(), x.clone()).map(drop),
        jit(|x: Array| jvp(call, x.clone(), x).map(|(_, t): (Array, Array)| t))
            .call(x.clone())
            .map(drop),
    ] {
        let message = result.err().context("forward mode must fail")?.to_string();
        ensure!(message.contains("forward-mode"), "{message}");
    }
    Ok(())
}

#[test]
fn jax_bytecode_artifacts_keep_their_own_executable() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sin.bin");
    let out = common::python::run_python(
        r#"
import sys
import jax, jax.numpy as jnp
from jax import export
exp = export.export(jax.jit(lambda x: jnp.sin(x) * 2.0), platforms=["cpu"])(
    jax.ShapeDtypeStruct((3,), jnp.float32))
open(sys.argv[1], "wb").write(exp.serialize(vjp_order=1))
print("ok")
"#,
        &[path.to_str().context("a UTF-8 path")?],
    );
    ensure!(out.trim() == "ok", "the export script printed {out}");
    let exported = Exported::read(&path)?;
    ensure!(exported.module_text().is_none(), "JAX writes bytecode");
    let x = array(&[0.5, -1.0, 2.0], &[3])?;
    let jitted =
        jit(|x: Array| -> rjax::Result<Array> { Ok(exported.call(&[x])?.remove(0) + 1.0f32) });
    let want: Vec<f64> = values(&x)?.iter().map(|x| x.sin() * 2.0 + 1.0).collect();
    assert_close("jit(JAX artifact)", &jitted.call(x.clone())?, &want)?;
    let text = jitted.lower(&x)?.as_text().to_string();
    ensure!(
        text.contains("custom_call"),
        "a host callback expected:\n{text}"
    );
    ensure!(!text.contains("func.func private @main_"), "{text}");
    Ok(())
}

/// Runs `work` on its own thread and fails if it has not finished within two minutes, so that
/// a deadlock is a failed test, not a hung suite.
fn within_two_minutes<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(120))
        .context("hung: no result within two minutes")?
}

/// A JAX model of real size (an MLP 64 -> 256 -> 10 on a batch of 128) inside `jit` and
/// `jit(grad)`: its module runs from a host callback of the compiled program, on the side
/// client (on the program's own client it would wait behind the program that waits for it).
#[test]
fn jax_models_of_real_size_run_inside_jit_without_deadlock() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("mlp.bin");
    let out = common::python::run_python(
        r#"
import sys
import jax, jax.numpy as jnp
from jax import export
def mlp(w1, b1, w2, b2, x):
    return jnp.tanh(x @ w1 + b1) @ w2 + b2
shapes = [(64, 256), (256,), (256, 10), (10,), (128, 64)]
specs = [jax.ShapeDtypeStruct(s, jnp.float32) for s in shapes]
exp = export.export(jax.jit(mlp), platforms=["cpu"])(*specs)
open(sys.argv[1], "wb").write(exp.serialize(vjp_order=1))
print("ok")
"#,
        &[path.to_str().context("a UTF-8 path")?],
    );
    ensure!(out.trim() == "ok", "the export script printed {out}");
    let exported = std::sync::Arc::new(Exported::read(&path)?);
    let shapes: [&[usize]; 5] = [&[64, 256], &[256], &[256, 10], &[10], &[128, 64]];
    let args: Vec<Array> = shapes
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let n: usize = shape.iter().product();
            let data: Vec<f32> = (0..n)
                .map(|k| ((k * 7 + i * 3) % 13) as f32 / 13.0 - 0.5)
                .collect();
            array(&data, shape)
        })
        .collect::<Result<_>>()?;
    let eager = exported.call(&args)?.remove(0);
    let model = exported.clone();
    let inputs = args.clone();
    let jitted = within_two_minutes(move || {
        // Work of its own around the call makes the program one the CPU client runs
        // asynchronously, as real programs are.
        let f = jit(move |a: Vec<Array>| -> rjax::Result<Array> {
            let gram = a[4].matmul(&a[4].t()).tanh().matmul(&a[4]);
            let out = model.call(&a)?.remove(0);
            Ok(out + gram.sum() * 0.0)
        });
        Ok(f.call(inputs)?.to_vec::<f32>()?)
    })?;
    ensure!(
        jitted == eager.to_vec::<f32>()?,
        "jit(call) differs from the eager call"
    );
    let loss = |model: std::sync::Arc<Exported>| {
        move |w1: Array, rest: Vec<Array>| -> rjax::Result<Array> {
            let all: Vec<Array> = std::iter::once(w1).chain(rest).collect();
            Ok(model.call(&all)?.remove(0).sum())
        }
    };
    let eager_grad = {
        let f = loss(exported.clone());
        let rest = args[1..].to_vec();
        rjax::grad(move |w1: Array| f(w1, rest.clone()))(args[0].clone())?
    };
    let model = exported.clone();
    let inputs = args.clone();
    let jitted_grad = within_two_minutes(move || {
        let f = loss(model);
        let rest = inputs[1..].to_vec();
        let g = jit(rjax::grad(move |w1: Array| f(w1, rest.clone())));
        Ok(g.call(inputs[0].clone())?.to_vec::<f32>()?)
    })?;
    let want = eager_grad.to_vec::<f32>()?;
    ensure!(
        jitted_grad
            .iter()
            .zip(&want)
            .all(|(g, w)| (g - w).abs() <= 1e-5 * (1.0 + w.abs())),
        "jit(grad) differs from the eager grad"
    );
    Ok(())
}
