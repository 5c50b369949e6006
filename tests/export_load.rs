//! `rjax::export` loading JAX's artifacts: models exported by real JAX at test time
//! (tests/export_support/export_models.py) are deserialized, called, composed in `jit`,
//! differentiated through their serialized VJP and batched under `vmap`, and compared with
//! what JAX computes with the same deserialized artifact. The CPU plugin runs the same module
//! on both sides, so the values are compared bit for bit (f32 and f64 alike); refusals are
//! checked by their messages.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use rjax::export::{Dim, Exported, ExportedDType, ExportedTree};
use rjax::{Array, DType, grad, jit, jvp, vmap};
use serde_json::Value;

/// The directory of the artifacts, exported once per test binary.
fn artifacts() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export_support/export_models.py");
        let code = std::fs::read_to_string(&script).expect("read the export script");
        let out = common::python::run_python(&code, &[dir.to_str().unwrap()]);
        assert_eq!(out.trim(), "ok", "the export script printed {out}");
        dir
    })
}

/// Loads an artifact, in 64-bit mode (the f64 cases need it; the f32 ones are explicitly
/// typed).
fn load(name: &str) -> Exported {
    rjax::config::enable_x64(true);
    Exported::read(artifacts().join(format!("{name}.bin")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// JAX's record of a case: inputs and JAX's own results.
fn record(name: &str) -> Value {
    let text = std::fs::read_to_string(artifacts().join(format!("{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Bit patterns, as the script records values.
fn bits(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn array(bits: &[u64], shape: &[usize], dtype: &str) -> Array {
    match dtype {
        "float32" => {
            let data: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b as u32)).collect();
            Array::from_slice(&data, shape).unwrap()
        }
        "float64" => {
            let data: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
            Array::from_slice(&data, shape).unwrap()
        }
        other => panic!("dtype {other}"),
    }
}

/// The recorded inputs as arrays.
fn inputs(rec: &Value) -> Vec<Array> {
    let shapes = rec["in_shapes"].as_array().unwrap();
    let dtypes = rec["in_dtypes"].as_array().unwrap();
    rec["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(shapes)
        .zip(dtypes)
        .map(|((v, s), d)| array(&bits(v), &shape(s), d.as_str().unwrap()))
        .collect()
}

/// `got` equals JAX's `want` bit for bit.
fn assert_bits(what: &str, got: &[Array], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{what}: number of arrays");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let (g, w): (Vec<String>, Vec<String>) = match g.dtype() {
            DType::F32 => (
                g.to_vec::<f32>()
                    .unwrap()
                    .iter()
                    .map(|x| format!("{x:e} ({:#x})", x.to_bits()))
                    .collect(),
                bits(w)
                    .iter()
                    .map(|&b| f32::from_bits(b as u32))
                    .map(|x| format!("{x:e} ({:#x})", x.to_bits()))
                    .collect(),
            ),
            DType::F64 => (
                g.to_vec::<f64>()
                    .unwrap()
                    .iter()
                    .map(|x| format!("{x:e} ({:#x})", x.to_bits()))
                    .collect(),
                bits(w)
                    .iter()
                    .map(|&b| f64::from_bits(b))
                    .map(|x| format!("{x:e} ({:#x})", x.to_bits()))
                    .collect(),
            ),
            other => panic!("{what}: dtype {other}"),
        };
        assert_eq!(g, w, "{what}[{i}]: rjax (left) vs JAX (right)");
    }
}

#[test]
fn the_notebook_artifact_exposes_what_jax_wrote() {
    let e = load("notebook");
    let rec = record("notebook");
    assert_eq!(e.function_name(), "notebook_f");
    assert_eq!(e.platforms(), ["cpu"]);
    assert_eq!(e.nr_devices(), 1);
    assert_eq!(e.calling_convention_version(), 10);
    assert_eq!(e.module_kept_var_idx(), [0, 1, 2]);
    assert!(e.ordered_effects().is_empty() && e.unordered_effects().is_empty());
    assert_eq!(e.in_tree(), &ExportedTree::args_of_leaves(3));
    assert_eq!(e.out_tree(), &ExportedTree::Leaf);
    let shapes: Vec<Vec<usize>> = e
        .in_shaped_arrays()
        .unwrap()
        .into_iter()
        .map(|a| a.shape)
        .collect();
    let want: Vec<Vec<usize>> = rec["in_shapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(shape)
        .collect();
    assert_eq!(shapes, want);
    assert!(
        e.in_avals()
            .iter()
            .all(|a| a.dtype == ExportedDType::Supported(DType::F32))
    );
    assert_eq!(e.out_avals()[0].shape, Vec::<Dim>::new());
    assert!(e.mlir_module_serialized().starts_with(b"ML\xefR"));
    assert!(e.module_text().is_none());
    // The VJP: the primal inputs and the output cotangent in, the input cotangents out.
    let vjp = e.vjp().expect("exported with vjp_order=1");
    assert_eq!((vjp.in_avals().len(), vjp.out_avals().len()), (4, 3));
    assert!(vjp.vjp().is_none());
    assert!(!load("no_vjp").has_vjp());
}

#[test]
fn calls_match_jax_bit_for_bit() -> Result<()> {
    for name in [
        "notebook",
        "notebook64",
        "multi_platform",
        "multi_platform_x64",
        "mlp",
        "rnn",
        "unused_arg",
    ] {
        let (e, rec) = (load(name), record(name));
        let outs = e.call(&inputs(&rec))?;
        assert_bits(&format!("{name} outputs"), &outs, &rec["outputs"]);
    }
    Ok(())
}

#[test]
fn multi_platform_and_unused_arguments() -> Result<()> {
    assert_eq!(load("multi_platform").platforms(), ["cpu", "cuda"]);
    assert_eq!(load("multi_platform_x64").platforms(), ["cpu", "cuda"]);
    let e = load("unused_arg");
    assert_eq!(e.module_kept_var_idx(), [0]);
    assert_eq!(record("unused_arg")["kept"], serde_json::json!([0]));
    assert_eq!(e.in_avals().len(), 2);
    Ok(())
}

#[test]
fn composes_inside_jit_as_jax_does() -> Result<()> {
    for name in ["notebook", "notebook64", "mlp", "rnn"] {
        let (e, rec) = (load(name), record(name));
        let composed = jit(|args: Vec<Array>| -> rjax::Result<Vec<Array>> {
            let outs = e.call(&args)?;
            Ok(outs.iter().map(|o| (o * 2.0 + 1.0).sin()).collect())
        });
        let got = composed.call(inputs(&rec))?;
        assert_bits(&format!("{name} in jit"), &got, &rec["composed"]);
    }
    Ok(())
}

#[test]
fn grad_through_the_exported_vjp_matches_jax() -> Result<()> {
    for name in [
        "notebook",
        "notebook64",
        "multi_platform",
        "multi_platform_x64",
        "mlp",
        "rnn",
        "unused_arg",
    ] {
        let (e, rec) = (load(name), record(name));
        let n_grads = rec["grads"].as_array().unwrap().len();
        let loss = |args: Vec<Array>| -> rjax::Result<Array> { Ok(e.call(&args)?[0].sum()) };
        let grads = grad(&loss)(inputs(&rec))?;
        assert_bits(&format!("{name} grads"), &grads[..n_grads], &rec["grads"]);
        // The same under jit.
        let grads = jit(grad(&loss)).call(inputs(&rec))?;
        assert_bits(
            &format!("{name} jit(grad)"),
            &grads[..n_grads],
            &rec["grads"],
        );
    }
    Ok(())
}

#[test]
fn vmap_runs_one_call_per_example() -> Result<()> {
    let (e, rec) = (load("mlp"), record("mlp"));
    let args = inputs(&rec);
    let params = args[..4].to_vec();
    let xs = array(&bits(&rec["vmap_inputs"]), &[3, 5, 4], "float32");
    let batched = vmap(
        |x: Array| -> rjax::Result<Array> {
            let mut all = params.clone();
            all.push(x);
            Ok(e.call(&all)?.remove(0))
        },
        0,
    );
    let got = batched(xs.clone())?;
    assert_eq!(got.shape(), [3, 5, 3]);
    assert_bits(
        "mlp vmap",
        &[got],
        &serde_json::json!([rec["vmap_outputs"]]),
    );
    let got = jit(&batched).call(xs)?;
    assert_bits(
        "mlp jit(vmap)",
        &[got],
        &serde_json::json!([rec["vmap_outputs"]]),
    );
    Ok(())
}

fn error_of<T: std::fmt::Debug>(result: rjax::Result<T>) -> String {
    result.expect_err("expected an error").to_string()
}

#[test]
fn wrong_arguments_name_the_argument_and_the_exported_type() {
    let (e, rec) = (load("unused_arg"), record("unused_arg"));
    let mut args = inputs(&rec);
    let msg = error_of(e.call(&args[..1]));
    assert!(
        msg.contains("takes 2 arguments") && msg.contains("got 1"),
        "{msg}"
    );
    args[1] = Array::from([1.0f32, 2.0, 3.0]);
    let msg = error_of(e.call(&args));
    assert!(
        msg.contains("argument 1") && msg.contains("f32[2]") && msg.contains("f32[3]"),
        "{msg}"
    );
    args[1] = Array::from([1.0f64, 2.0]);
    let msg = error_of(e.call(&args));
    assert!(
        msg.contains("argument 1") && msg.contains("f64[2]"),
        "{msg}"
    );
}

#[test]
fn refusals_name_the_workaround() {
    let x = Array::from([0.5f32, 1.0, 2.0]);
    let msg = error_of(load("cuda_only").call(std::slice::from_ref(&x)));
    assert!(
        msg.contains("[\"cuda\"]") && msg.contains("`cpu`") && msg.contains("platforms="),
        "{msg}"
    );

    let e = load("poly");
    assert!(e.in_avals()[0].is_shape_polymorphic());
    assert_eq!(e.in_avals()[0].shape[0], Dim::Symbolic("b".into()));
    let msg = error_of(e.call(&[rjax::numpy::zeros(&[2, 3], Some(DType::F32))]));
    assert!(
        msg.contains("shape-polymorphic") && msg.contains("concrete shapes"),
        "{msg}"
    );

    let e = load("two_devices");
    assert_eq!(e.nr_devices(), 2);
    let msg = error_of(e.call(&[Array::from([1.0f32, 2.0, 3.0, 4.0])]));
    if rjax::device_count().unwrap() < 2 {
        assert!(
            msg.contains("2 devices") && msg.contains("client has"),
            "{msg}"
        );
    } else {
        assert!(
            msg.contains("2 devices") && msg.contains("single-device"),
            "{msg}"
        );
    }

    let (e, rec) = (load("no_vjp"), record("no_vjp"));
    let loss = |args: Vec<Array>| -> rjax::Result<Array> { Ok(e.call(&args)?[0].sum()) };
    let msg = error_of(grad(&loss)(inputs(&rec)));
    assert!(
        msg.contains("without a VJP") && msg.contains("vjp_order=1"),
        "{msg}"
    );

    // Forward mode is refused, as JAX refuses it for exported functions.
    let (e, rec) = (load("notebook"), record("notebook"));
    let args = inputs(&rec);
    let tangents: Vec<Array> = args.iter().map(|a| a.clone() * 0.0).collect();
    let msg = error_of(jvp(|a: Vec<Array>| e.call(&a), args, tangents));
    assert!(msg.contains("forward-mode"), "{msg}");
}

#[test]
fn a_newer_stablehlo_that_fails_to_compile_names_both_versions() {
    let mut bytes = std::fs::read(artifacts().join("no_vjp.bin")).unwrap();
    let at = bytes
        .windows(17)
        .position(|w| w.starts_with(b"StableHLO_v1."))
        .expect("the producer string");
    bytes[at + 11] = b'9'; // StableHLO_v9.xx.x
    // Corrupt the body after the header so that the plugin refuses it.
    let end = bytes.len();
    for b in &mut bytes[at + 40..(at + 200).min(end)] {
        *b ^= 0x5a;
    }
    let rec = record("no_vjp");
    rjax::config::enable_x64(true);
    match Exported::deserialize(&bytes) {
        Ok(e) => {
            let msg = error_of(e.call(&inputs(&rec)));
            assert!(
                msg.contains("newer than the plugin supports") && msg.contains("9."),
                "{msg}"
            );
        }
        Err(err) => panic!("only the module was changed, yet: {err}"),
    }
}

#[test]
fn malformed_artifacts_are_errors_never_panics() {
    let bytes = std::fs::read(artifacts().join("mlp.bin")).unwrap();
    for len in 0..bytes.len() {
        let _ = Exported::deserialize(&bytes[..len]);
    }
    let msg = error_of(Exported::deserialize(b"not an artifact"));
    assert!(msg.contains("malformed artifact"), "{msg}");
    let msg = error_of(Exported::deserialize(&bytes[..bytes.len() / 2]));
    assert!(msg.contains("malformed artifact"), "{msg}");
    // Bit flips anywhere: Ok (a flipped value) or an error, but no panic.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut errors = 0;
    for _ in 0..20_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let bit = (state >> 33) as usize % (bytes.len() * 8);
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        errors += usize::from(Exported::deserialize(&flipped).is_err());
    }
    assert!(errors > 0, "some flips must be caught");
    let msg = error_of(Exported::read(artifacts().join("missing.bin")));
    assert!(msg.contains("missing.bin"), "{msg}");
}
