//! `rjax::export::export`: rjax functions exported as artifacts that real JAX (0.10.2, from
//! scripts/python-env.sh, on the CPU) deserializes, calls, `jit`s, differentiates through the
//! exported VJP (first and second order) and nests in its own exports.
//!
//! Each check writes the artifact, runs Python on it (tests/export_support/to_jax_prelude.py
//! plus the test's code) and compares what JAX printed, bit for bit, with:
//! - rjax's own results: JAX compiles rjax's module with its own XLA, and the same StableHLO
//!   gives the same bits for every forward computation here (dots, `scan`, `while`,
//!   reductions, elementwise math). Gradients are compared within 1e-6 relative (f32):
//!   JAX runs the exported VJP as one fused program while `rjax::grad` runs op by op, and
//!   they differ by an ulp (measured: at most 7.3e-8 relative);
//! - values obtained without rjax: closed forms (the notebook's `f`), and JAX's own native
//!   computation of the same model, within 1e-5 relative (f32, different op order).
//!
//! The writer's general paths (named shardings over a two-device mesh, custom pytree nodes,
//! disabled checks, nested VJPs) are checked by rewriting an artifact JAX made and comparing
//! every field JAX reads back. The Python side needs the `flatbuffers` package, which
//! `jax.export`'s (de)serializer imports.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, ensure};
use rjax::control_flow::{scan, while_loop};
use rjax::export::{Exported, ExportedTree, export};
use rjax::{Array, Pytree, Static, grad, jit};

const PRELUDE: &str = include_str!("export_support/to_jax_prelude.py");

/// What the Python side printed: arrays by name (dtype, shape, little-endian bytes) and notes.
struct JaxRun {
    arrays: HashMap<String, (String, Vec<usize>, Vec<u8>)>,
    notes: HashMap<String, String>,
}

/// Writes `exported`, runs the prelude and `code` on it with `inputs`, and parses the output.
fn run_in_jax(exported: &Exported, inputs: &[&Array], code: &str) -> Result<JaxRun> {
    run_in_jax_after("", exported, inputs, code)
}

/// [`run_in_jax`], with `setup` run before the prelude (to register pytree node types the
/// artifact names, say).
fn run_in_jax_after(
    setup: &str,
    exported: &Exported,
    inputs: &[&Array],
    code: &str,
) -> Result<JaxRun> {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("rjax-export-to-jax-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!(
        "{}.jax_exported",
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    exported.write(&path)?;
    let mut args = vec![path.to_str().context("a UTF-8 temp path")?.to_string()];
    for input in inputs {
        args.push(spec(input)?);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::python::run_python(&format!("{setup}\n{PRELUDE}\n{code}"), &args);
    std::fs::remove_file(&path)?;
    let mut run = JaxRun {
        arrays: HashMap::new(),
        notes: HashMap::new(),
    };
    for line in out.lines() {
        if let Some(note) = line.strip_prefix('#') {
            let (name, text) = note.split_once(' ').unwrap_or((note, ""));
            run.notes.insert(name.to_string(), text.to_string());
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        ensure!(fields.len() == 4, "unexpected line from Python: {line}");
        let shape = fields[2]
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::parse)
            .collect::<std::result::Result<Vec<usize>, _>>()?;
        let bytes = (0..fields[3].len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&fields[3][i..i + 2], 16))
            .collect::<std::result::Result<Vec<u8>, _>>()?;
        run.arrays
            .insert(fields[0].to_string(), (fields[1].to_string(), shape, bytes));
    }
    Ok(run)
}

/// An f32 array as the prelude's `dtype:shape:hex`.
fn spec(x: &Array) -> Result<String> {
    let dims: Vec<String> = x.shape().iter().map(usize::to_string).collect();
    let hex: String = x
        .to_vec::<f32>()?
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("float32:{}:{hex}", dims.join(",")))
}

impl JaxRun {
    /// The f32 values JAX printed as `name`, checked to have `shape`.
    fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let (dtype, got_shape, bytes) = self
            .arrays
            .get(name)
            .with_context(|| format!("JAX printed no `{name}`: {:?}", self.arrays.keys()))?;
        ensure!(dtype == "float32", "`{name}` is {dtype}");
        ensure!(
            got_shape == shape,
            "`{name}` has shape {got_shape:?}, not {shape:?}"
        );
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }

    /// Asserts that JAX's `name` is `want` bit for bit.
    fn assert_bits(&self, name: &str, want: &Array) -> Result<()> {
        let got = self.f32s(name, want.shape())?;
        let want = want.to_vec::<f32>()?;
        let same = got
            .iter()
            .zip(&want)
            .all(|(g, w)| g.to_bits() == w.to_bits());
        ensure!(same, "`{name}`: JAX computed {got:?}, rjax {want:?}");
        Ok(())
    }

    /// Asserts that JAX's `name` is within `tol` of `want`, relative to `1 + |want|`.
    fn assert_close(&self, name: &str, want: &[f64], shape: &[usize], tol: f64) -> Result<()> {
        let got = self.f32s(name, shape)?;
        ensure!(got.len() == want.len(), "`{name}`: sizes differ");
        for (g, w) in got.iter().zip(want) {
            ensure!(
                (f64::from(*g) - w).abs() <= tol * (1.0 + w.abs()),
                "`{name}`: JAX computed {got:?}, expected {want:?} (tolerance {tol})"
            );
        }
        Ok(())
    }

    fn assert_close_to(&self, name: &str, want: &Array, tol: f64) -> Result<()> {
        self.assert_close(name, &values(want)?, want.shape(), tol)
    }

    fn note(&self, name: &str) -> Result<&str> {
        self.notes
            .get(name)
            .map(String::as_str)
            .with_context(|| format!("JAX noted no `{name}`"))
    }
}

fn values(x: &Array) -> Result<Vec<f64>> {
    Ok(x.to_vec::<f32>()?.into_iter().map(f64::from).collect())
}

fn array(data: &[f32], shape: &[usize]) -> Result<Array> {
    Ok(Array::from_slice(data, shape)?)
}

/// The notebook's `f`: the squared residual of `A x = b`.
fn notebook_f((x, a, b): (Array, Array, Array)) -> Array {
    let res = a.matmul(&x) - &b;
    res.matmul(&res)
}

fn notebook_inputs() -> Result<(Array, Array, Array)> {
    Ok((
        array(&[0.5, -1.25, 2.0], &[3])?,
        array(&[1.0, 2.0, -0.5, 0.25, -3.0, 1.5, 2.0, 0.75, 1.0], &[3, 3])?,
        array(&[1.0, -2.0, 0.5], &[3])?,
    ))
}

#[test]
fn notebook_f_runs_jits_and_grads_in_jax() -> Result<()> {
    let (x, a, b) = notebook_inputs()?;
    let exported = export(notebook_f)
        .with_name("f")
        .platforms(&["cpu"])
        .vjp_order(1)
        .trace(&(x.clone(), a.clone(), b.clone()))?;
    let run = run_in_jax(
        &exported,
        &[&x, &a, &b],
        r#"
note("in_tree", exp.in_tree)
note("out_tree", exp.out_tree)
note("fun_name", exp.fun_name)
emit("call", exp.call(*inputs))
emit("jit", jax.jit(exp.call)(*inputs))
emit_tree("grad", jax.grad(exp.call, argnums=(0, 1, 2))(*inputs))
emit_tree("jit_grad", jax.jit(jax.grad(exp.call, argnums=(0, 1, 2)))(*inputs))
"#,
    )?;
    assert_eq!(run.note("in_tree")?, "PyTreeDef(((*, *, *), {}))");
    assert_eq!(run.note("out_tree")?, "PyTreeDef(*)");
    assert_eq!(run.note("fun_name")?, "f");

    // rjax's own results, and the closed forms computed on the host in f64.
    let y = jit(notebook_f).call((x.clone(), a.clone(), b.clone()))?;
    let (gx, ga, gb) = grad(notebook_f)((x.clone(), a.clone(), b.clone()))?;
    let (xs, as_, bs) = (values(&x)?, values(&a)?, values(&b)?);
    let res: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|j| as_[i * 3 + j] * xs[j]).sum::<f64>() - bs[i])
        .collect();
    let value: f64 = res.iter().map(|r| r * r).sum();
    let grad_x: Vec<f64> = (0..3)
        .map(|j| (0..3).map(|i| 2.0 * as_[i * 3 + j] * res[i]).sum())
        .collect();
    let grad_a: Vec<f64> = (0..9).map(|k| 2.0 * res[k / 3] * xs[k % 3]).collect();
    let grad_b: Vec<f64> = res.iter().map(|r| -2.0 * r).collect();
    for call in ["call", "jit"] {
        run.assert_bits(call, &y)?;
        run.assert_close(call, &[value], &[], 1e-5)?;
    }
    for prefix in ["grad", "jit_grad"] {
        run.assert_close_to(&format!("{prefix}[0]"), &gx, 1e-6)?;
        run.assert_close_to(&format!("{prefix}[1]"), &ga, 1e-6)?;
        run.assert_close_to(&format!("{prefix}[2]"), &gb, 1e-6)?;
        run.assert_close(&format!("{prefix}[0]"), &grad_x, &[3], 1e-5)?;
        run.assert_close(&format!("{prefix}[1]"), &grad_a, &[3, 3], 1e-5)?;
        run.assert_close(&format!("{prefix}[2]"), &grad_b, &[3], 1e-5)?;
    }
    Ok(())
}

#[test]
fn elementwise_results_are_bit_identical_in_jax() -> Result<()> {
    let f = |x: Array| (x.sin() * 2.0 + x.exp()).tanh();
    let x = array(&[-2.5, -0.75, 0.0, 0.3, 1.7, 4.0], &[2, 3])?;
    let exported = export(f).vjp_order(1).trace(&x)?;
    let run = run_in_jax(
        &exported,
        &[&x],
        r#"
emit("call", exp.call(*inputs))
emit("grad", jax.grad(lambda x: exp.call(x).sum())(*inputs))
"#,
    )?;
    run.assert_bits("call", &jit(f).call(x.clone())?)?;
    let g = grad(|x: Array| f(x).sum())(x.clone())?;
    run.assert_close_to("grad", &g, 1e-6)?;
    Ok(())
}

/// A two-layer perceptron over a dict of parameters.
fn mlp((params, x): (BTreeMap<String, Array>, Array)) -> Array {
    let h = (x.matmul(&params["w1"]) + &params["b1"]).tanh();
    h.matmul(&params["w2"]) + &params["b2"]
}

fn mlp_inputs() -> Result<(BTreeMap<String, Array>, Array)> {
    let ramp = |n: usize, scale: f32| -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) * scale)
            .collect()
    };
    let mut params = BTreeMap::new();
    params.insert("w1".to_string(), array(&ramp(12, 0.1), &[3, 4])?);
    params.insert("b1".to_string(), array(&ramp(4, 0.05), &[4])?);
    params.insert("w2".to_string(), array(&ramp(8, 0.2), &[4, 2])?);
    params.insert("b2".to_string(), array(&ramp(2, 0.3), &[2])?);
    Ok((params, array(&ramp(15, 0.25), &[5, 3])?))
}

#[test]
fn mlp_forward_and_second_order_grads_in_jax() -> Result<()> {
    let (params, x) = mlp_inputs()?;
    let exported = export(mlp)
        .with_name("mlp")
        .platforms(&["cpu"])
        .vjp_order(2)
        .trace(&(params.clone(), x.clone()))?;
    let leaves: Vec<&Array> = params.values().chain([&x]).collect();
    let run = run_in_jax(
        &exported,
        &leaves,
        r#"
import jax.numpy as jnp
b1, b2, w1, w2, x = inputs
params = {"b1": b1, "b2": b2, "w1": w1, "w2": w2}
def native(p, x):
    return jnp.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
def loss(call):
    return lambda p, x: jnp.sum(jnp.sin(call(p, x)))
def curvature(call):
    inner = jax.grad(loss(call), argnums=1)
    return jax.grad(lambda x: jnp.sum(inner(params, x) ** 2))
note("in_tree", exp.in_tree)
emit("call", exp.call(params, x))
emit("native", native(params, x))
emit_tree("grad", jax.grad(loss(exp.call))(params, x))
emit_tree("native_grad", jax.grad(loss(native))(params, x))
emit("curvature", curvature(exp.call)(x))
emit("native_curvature", curvature(native)(x))
"#,
    )?;
    assert_eq!(
        run.note("in_tree")?,
        "PyTreeDef((({'b1': *, 'b2': *, 'w1': *, 'w2': *}, *), {}))"
    );
    let y = jit(mlp).call((params.clone(), x.clone()))?;
    run.assert_bits("call", &y)?;
    run.assert_close_to("native", &y, 1e-5)?;

    let loss = |(p, x): (BTreeMap<String, Array>, Array)| mlp((p, x)).sin().sum();
    let (grads, _) = grad(loss)((params.clone(), x.clone()))?;
    for (name, g) in &grads {
        run.assert_close_to(&format!("grad['{name}']"), g, 1e-5)?;
        run.assert_close_to(&format!("native_grad['{name}']"), g, 1e-5)?;
    }
    let inner = |x: Array| -> rjax::Result<Array> {
        let (_, gx) = grad(loss)((params.clone(), x))?;
        Ok((&gx * &gx).sum())
    };
    let curvature = grad(inner)(x.clone())?;
    run.assert_close_to("curvature", &curvature, 1e-5)?;
    run.assert_close_to("native_curvature", &curvature, 1e-5)?;
    Ok(())
}

/// A tanh RNN over `xs` by `scan`: the final state and the sum of the states.
fn rnn((w, h0, xs): (Array, Array, Array)) -> rjax::Result<(Array, Array)> {
    let (h, hs): (Array, Array) = scan(
        |h: Array, x: Array| -> rjax::Result<(Array, Array)> {
            let h = (h.matmul(&w) + x).tanh();
            Ok((h.clone(), h))
        },
        h0,
        xs,
    )?;
    Ok((h, hs.sum()))
}

#[test]
fn scan_rnn_and_while_loop_run_in_jax() -> Result<()> {
    let w = array(&[0.5, -0.25, 0.1, 0.3, 0.2, -0.4, 0.05, 0.6, -0.3], &[3, 3])?;
    let h0 = array(&[0.1, -0.2, 0.3], &[3])?;
    let xs = array(
        &(0..15).map(|i| (i as f32 - 7.0) * 0.1).collect::<Vec<_>>(),
        &[5, 3],
    )?;
    let exported = export(rnn)
        .vjp_order(1)
        .trace(&(w.clone(), h0.clone(), xs.clone()))?;
    let run = run_in_jax(
        &exported,
        &[&w, &h0, &xs],
        r#"
note("out_tree", exp.out_tree)
emit_tree("call", exp.call(*inputs))
emit_tree("grad", jax.grad(lambda w, h0, xs: exp.call(w, h0, xs)[1], argnums=(0, 1))(*inputs))
def native(w, h0, xs):
    def step(h, x):
        h = jax.numpy.tanh(h @ w + x)
        return h, h
    h, hs = jax.lax.scan(step, h0, xs)
    return h, hs.sum()
emit_tree("native", native(*inputs))
"#,
    )?;
    assert_eq!(run.note("out_tree")?, "PyTreeDef((*, *))");
    let (h, total) = jit(rnn).call((w.clone(), h0.clone(), xs.clone()))?;
    run.assert_bits("call[0]", &h)?;
    run.assert_bits("call[1]", &total)?;
    run.assert_close_to("native[0]", &h, 1e-5)?;
    run.assert_close_to("native[1]", &total, 1e-5)?;
    let (gw, gh0, _) =
        grad(|args: (Array, Array, Array)| -> rjax::Result<Array> { Ok(rnn(args)?.1) })((
            w.clone(),
            h0.clone(),
            xs.clone(),
        ))?;
    run.assert_close_to("grad[0]", &gw, 1e-5)?;
    run.assert_close_to("grad[1]", &gh0, 1e-5)?;

    // A while loop (forward only): double until the sum passes 100.
    let doubling = |x: Array| while_loop(|c: Array| c.sum().lt(100.0), |c: Array| c * 2.0, x);
    let start = array(&[1.0, 2.5, 0.25], &[3])?;
    let exported = export(doubling).trace(&start)?;
    let run = run_in_jax(
        &exported,
        &[&start],
        r#"emit("call", jax.jit(exp.call)(*inputs))"#,
    )?;
    run.assert_bits("call", &doubling(start.clone())?)?;
    run.assert_close("call", &[32.0, 80.0, 8.0], &[3], 0.0)?;
    Ok(())
}

/// Parameters whose fields are not in sorted order, to check JAX's dict leaf order.
#[derive(Pytree, Clone)]
struct Affine {
    w: Array,
    b: Array,
    alpha: Array,
}

fn affine((p, x): (Affine, Array)) -> (Array, BTreeMap<String, Array>) {
    let y = (x.matmul(&p.w) + &p.b) * &p.alpha;
    let mut stats = BTreeMap::new();
    stats.insert("sum".to_string(), y.sum());
    stats.insert("max".to_string(), y.max());
    (y, stats)
}

#[test]
fn struct_inputs_become_dicts_and_outputs_keep_their_structure() -> Result<()> {
    let p = Affine {
        w: array(&[1.0, -2.0, 0.5, 0.25, 3.0, -1.0], &[3, 2])?,
        b: array(&[0.5, -0.5], &[2])?,
        alpha: array(&[2.0], &[1])?,
    };
    let x = array(&[1.0, 2.0, 3.0, -1.0, 0.0, 1.0], &[2, 3])?;
    let exported = export(affine).trace(&(p.clone(), x.clone()))?;
    assert_eq!(exported.in_avals().len(), 4);
    let run = run_in_jax(
        &exported,
        &[&p.w, &p.b, &p.alpha, &x],
        r#"
w, b, alpha, x = inputs
note("in_tree", exp.in_tree)
note("out_tree", exp.out_tree)
note("in_avals", [str(a) for a in exp.in_avals])
emit_tree("out", exp.call({"w": w, "b": b, "alpha": alpha}, x))
"#,
    )?;
    assert_eq!(
        run.note("in_tree")?,
        "PyTreeDef((({'alpha': *, 'b': *, 'w': *}, *), {}))"
    );
    assert_eq!(
        run.note("out_tree")?,
        "PyTreeDef((*, {'max': *, 'sum': *}))"
    );
    assert_eq!(
        run.note("in_avals")?,
        "['float32[1]', 'float32[2]', 'float32[3,2]', 'float32[2,3]']"
    );
    let (y, stats) = jit(affine).call((p.clone(), x.clone()))?;
    run.assert_bits("out[0]", &y)?;
    run.assert_bits("out[1]['max']", &stats["max"])?;
    run.assert_bits("out[1]['sum']", &stats["sum"])?;
    Ok(())
}

#[test]
fn jax_nests_the_artifact_in_its_own_export() -> Result<()> {
    let (x, a, b) = notebook_inputs()?;
    let exported = export(notebook_f)
        .vjp_order(1)
        .trace(&(x.clone(), a.clone(), b.clone()))?;
    let run = run_in_jax(
        &exported,
        &[&x, &a, &b],
        r#"
outer = export.export(jax.jit(lambda x, a, b: exp.call(x, a, b) * 2.0 + 1.0))(*inputs)
outer = export.deserialize(outer.serialize(vjp_order=1))
emit("outer", outer.call(*inputs))
emit("outer_grad", jax.grad(outer.call)(*inputs))
"#,
    )?;
    let y = jit(notebook_f).call((x.clone(), a.clone(), b.clone()))?;
    run.assert_close_to("outer", &(y * 2.0 + 1.0), 1e-6)?;
    let (gx, _, _) = grad(notebook_f)((x.clone(), a.clone(), b.clone()))?;
    run.assert_close_to("outer_grad", &(gx * 2.0), 1e-6)?;
    Ok(())
}

#[test]
fn multi_platform_exports_take_the_platform_index() -> Result<()> {
    let f = |x: Array| x.sin() * 3.0;
    let x = array(&[0.25, -1.0, 2.0], &[3])?;
    let exported = export(f).platforms(&["cuda", "cpu"]).trace(&x)?;
    assert!(exported.uses_global_constants());
    let text = exported.module_text().context("rjax writes text")?;
    assert!(text.contains("jax.global_constant = \"_platform_index\""));
    let run = run_in_jax(
        &exported,
        &[&x],
        r#"
note("platforms", ",".join(exp.platforms))
emit("call", exp.call(*inputs))
"#,
    )?;
    assert_eq!(run.note("platforms")?, "cuda,cpu");
    run.assert_bits("call", &jit(f).call(x.clone())?)?;
    Ok(())
}

#[test]
fn artifacts_are_deterministic_and_carry_no_paths() -> Result<()> {
    let (x, a, b) = notebook_inputs()?;
    // A closed-over array becomes a constant of the module.
    let shift = array(&[0.5, 0.5, -1.0], &[3])?;
    let f = |(x, a, b): (Array, Array, Array)| notebook_f((x + &shift, a, b));
    let exporter = export(f).vjp_order(2).platforms(&["cpu"]);
    let first = exporter
        .trace(&(x.clone(), a.clone(), b.clone()))?
        .serialize()?;
    let second = exporter
        .trace(&(x.clone(), a.clone(), b.clone()))?
        .serialize()?;
    assert_eq!(first, second);
    let text = String::from_utf8_lossy(&first);
    for needle in [env!("CARGO_MANIFEST_DIR"), "/home/", "/root/", "loc("] {
        assert!(!text.contains(needle), "the artifact contains `{needle}`");
    }
    Ok(())
}

#[test]
fn closed_over_constants_are_inlined_bit_for_bit() -> Result<()> {
    let weights = array(&[f32::MIN_POSITIVE / 4.0, -0.0, 1.0e30, -3.25], &[4])?;
    let mask = Array::from([true, false, true, true]);
    let f = |x: Array| rjax::numpy::where_(&mask, &x * &weights, &x);
    let x = array(&[1.0, 2.0, 3.0, 4.0], &[4])?;
    let exported = export(f).trace(&x)?;
    let run = run_in_jax(&exported, &[&x], r#"emit("call", exp.call(*inputs))"#)?;
    run.assert_bits("call", &f(x.clone()))?;
    Ok(())
}

#[test]
fn rjax_reads_back_what_it_wrote() -> Result<()> {
    let (x, a, b) = notebook_inputs()?;
    let exported = export(notebook_f)
        .with_name("f")
        .platforms(&["cpu"])
        .vjp_order(2)
        .trace(&(x.clone(), a.clone(), b.clone()))?;
    let back = Exported::deserialize(&exported.serialize()?)?;
    assert_eq!(back.function_name(), "f");
    assert_eq!(back.in_tree(), exported.in_tree());
    assert_eq!(back.in_tree(), &ExportedTree::args_of_leaves(3));
    assert_eq!(back.out_avals(), exported.out_avals());
    assert_eq!(back.platforms(), ["cpu"]);
    assert_eq!(back.nr_devices(), 1);
    assert_eq!(back.calling_convention_version(), 10);
    assert_eq!(back.module_kept_var_idx(), [0, 1, 2]);
    assert_eq!(
        back.mlir_module_serialized(),
        exported.mlir_module_serialized()
    );
    let vjp = back.vjp().context("the VJP")?;
    assert_eq!(vjp.in_avals().len(), 4);
    assert_eq!(vjp.out_tree(), &ExportedTree::tuple_of_leaves(3));
    assert!(vjp.vjp().context("the second-order VJP")?.vjp().is_none());
    let y = back.call(&[x.clone(), a.clone(), b.clone()])?;
    let want = jit(notebook_f).call((x, a, b))?;
    assert_eq!(y[0].to_vec::<f32>()?, want.to_vec::<f32>()?);
    Ok(())
}

#[test]
fn exports_jax_cannot_run_are_refused_with_the_workaround() -> Result<()> {
    let x = array(&[1.0, 2.0], &[2])?;

    let counts = |x: Array| x.astype(rjax::DType::I32);
    let err = export(counts)
        .vjp_order(1)
        .trace(&x)
        .err()
        .context("an error")?;
    let message = err.to_string();
    assert!(
        message.contains("i32[2]") && message.contains("vjp_order(0)"),
        "{message}"
    );

    let err = export(|x: Array| x).platforms(&["gpu"]).trace(&x).err();
    let message = err.context("an error")?.to_string();
    assert!(
        message.contains("`gpu`") && message.contains("cuda"),
        "{message}"
    );

    let with_static = |(x, _scale): (Array, Static<i32>)| x;
    let err = export(with_static).trace(&(x.clone(), Static(2))).err();
    let message = err.context("an error")?.to_string();
    assert!(
        message.contains("Static") && message.contains("closure"),
        "{message}"
    );

    let m = array(&[4.0, 1.0, 1.0, 3.0], &[2, 2])?;
    let err = export(|m: Array| rjax::numpy::linalg::cholesky(&m))
        .trace(&m)
        .err();
    let message = err.context("an error")?.to_string();
    assert!(message.contains("custom call"), "{message}");
    Ok(())
}

#[test]
fn jax_artifacts_rewritten_by_rjax_read_back_the_same_in_jax() -> Result<()> {
    // JAX exports a sharded function over two devices with a namedtuple result (a custom
    // pytree node), a second-order VJP and a disabled check; rjax reads it and writes it again.
    let dir = std::env::temp_dir().join(format!("rjax-export-to-jax-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let original = dir.join("jax_made.jax_exported");
    let original_path = original.to_str().context("a UTF-8 temp path")?;
    common::python::run_python(
        r#"
import os, sys
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import collections
import jax, jax.numpy as jnp
from jax import export
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
Pair = collections.namedtuple("Pair", ["total", "scaled"])
export.register_namedtuple_serialization(Pair, serialized_name="rjax_test.Pair")
mesh = Mesh(jax.devices()[:2], ("x",))
def f(a, b):
    return Pair(jnp.sum(a * b["w"]), jnp.sin(a) * 2.0)
f = jax.jit(f, in_shardings=(NamedSharding(mesh, P("x")), {"w": NamedSharding(mesh, P())}))
exp = export.export(f, disabled_checks=[export.DisabledSafetyCheck.custom_call("my_target")])(
    jax.ShapeDtypeStruct((4, 2), jnp.float32), {"w": jax.ShapeDtypeStruct((4, 2), jnp.float32)})
open(sys.argv[1], "wb").write(exp.serialize(vjp_order=2))
"#,
        &[original_path],
    );
    let bytes = std::fs::read(&original)?;
    let rewritten = Exported::deserialize(&bytes)?;
    let setup = r#"
import collections
from jax import export
Pair = collections.namedtuple("Pair", ["total", "scaled"])
export.register_namedtuple_serialization(Pair, serialized_name="rjax_test.Pair")
"#;
    let run = run_in_jax_after(
        setup,
        &rewritten,
        &[],
        &format!(
            r#"
with open({original_path:?}, "rb") as fh:
    orig = export.deserialize(bytearray(fh.read()))
def fields(e):
    return (e.fun_name, str(e.in_tree), str(e.out_tree), e.in_avals, e.out_avals,
            e._in_named_shardings, e._out_named_shardings, e.nr_devices, e.platforms,
            e.ordered_effects, e.unordered_effects, e.disabled_safety_checks,
            e.mlir_module_serialized, e.calling_convention_version, e.module_kept_var_idx,
            e.uses_global_constants)
same = [fields(exp) == fields(orig)]
e, o = exp, orig
for _ in range(2):
    e, o = e.vjp(), o.vjp()
    same.append(fields(e) == fields(o))
note("same", same)
note("vjp3", e.has_vjp())
note("shardings", [str(s.spec) for s in exp._in_named_shardings])
"#
        ),
    )?;
    assert_eq!(run.note("same")?, "[True, True, True]");
    assert_eq!(run.note("vjp3")?, "False");
    assert_eq!(run.note("shardings")?, r#"["P('x',)", 'P()']"#);
    std::fs::remove_file(&original)?;
    Ok(())
}
