//! safetensors checkpoints against real Python: files written by Python's `safetensors`
//! (`safetensors.numpy.save_file`, bfloat16 through ml_dtypes) load bit for bit, and files
//! rjax writes read back bit for bit in Python; plus the errors of mismatched loads.

#![cfg(feature = "safetensors")]

mod common;

use std::collections::BTreeMap;

use common::python::run_python;
use common::raw_arrays::{from_bytes, parse_printed_arrays, random_bytes, to_bytes};
use rjax::io::{
    load_safetensors, load_safetensors_arrays, load_safetensors_metadata, save_safetensors,
    save_safetensors_with_metadata,
};
use rjax::{Array, DType, Error, Pytree};

/// Every dtype safetensors and rjax share (safetensors has no complex128).
fn dtypes() -> Vec<DType> {
    DType::ALL
        .into_iter()
        .filter(|&d| d != DType::C128)
        .collect()
}

/// Writes one tensor per dtype (random bit patterns, shape `(2, 3)`, plus a scalar and an
/// empty tensor) with `safetensors.numpy.save_file`, and prints `name dtype shape hex` lines.
const PYTHON_WRITES: &str = r#"
import sys
import ml_dtypes, numpy as np
from safetensors.numpy import save_file

rng = np.random.default_rng(7)
tensors = {}
for name in sys.argv[2:]:
    dtype = ml_dtypes.bfloat16 if name == "bfloat16" else np.dtype(name)
    shape = (2, 3)
    if name == "bool":
        x = rng.integers(0, 2, size=shape).astype(bool)
    else:
        x = rng.integers(0, 256, size=6 * np.dtype(dtype).itemsize, dtype=np.uint8).view(dtype).reshape(shape)
    tensors[f"layers.{name}.w"] = x
tensors["scalar"] = np.array(-0.0, np.float32)
tensors["empty"] = np.zeros((0, 4), np.int16)
save_file(tensors, sys.argv[1], metadata={"format": "np"})
for name, x in sorted(tensors.items()):
    dtype = "bfloat16" if x.dtype == ml_dtypes.bfloat16 else x.dtype.name
    print(name, dtype, ",".join(map(str, x.shape)), x.tobytes().hex() or "-")
"#;

/// Reads a file with safetensors' low-level `deserialize` (every dtype, bfloat16 included)
/// and with `safetensors.numpy.load_file` (the dtypes NumPy has), checks that both agree,
/// and prints `name dtype shape hex` lines.
const PYTHON_READS: &str = r#"
import sys
import ml_dtypes, numpy as np
from safetensors import deserialize
from safetensors.numpy import load_file

names = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16", "U16": "uint16",
         "F16": "float16", "BF16": "bfloat16", "I32": "int32", "U32": "uint32",
         "F32": "float32", "F64": "float64", "I64": "int64", "U64": "uint64", "C64": "complex64"}
with open(sys.argv[1], "rb") as f:
    raw = dict(deserialize(f.read()))
loaded = load_file(sys.argv[1]) if "BF16" not in {t["dtype"] for t in raw.values()} else {}
for name, tensor in sorted(raw.items()):
    data = bytes(tensor["data"])
    if name in loaded:
        assert loaded[name].tobytes() == data and list(loaded[name].shape) == tensor["shape"]
    print(name, names[tensor["dtype"]], ",".join(map(str, tensor["shape"])), data.hex() or "-")
"#;

#[test]
fn python_files_load_bit_for_bit() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("from_python.safetensors");
    let names: Vec<&str> = dtypes().iter().map(|dtype| dtype.name()).collect();
    let mut args = vec![path.to_str().unwrap()];
    args.extend(&names);
    let expected = parse_printed_arrays(&run_python(PYTHON_WRITES, &args));
    assert_eq!(expected.len(), dtypes().len() + 2);

    let arrays = load_safetensors_arrays(&path)?;
    assert_eq!(arrays.len(), expected.len());
    for line in &expected {
        let array = &arrays[&line.name];
        assert_eq!(array.dtype().name(), line.dtype, "{}", line.name);
        assert_eq!(array.shape(), line.shape, "{}", line.name);
        assert_eq!(to_bytes(array), line.bytes, "{}", line.name);
    }
    assert_eq!(load_safetensors_metadata(&path)?["format"], "np");

    // Into a tree of the same structure: a map of the layers' names.
    let like: BTreeMap<String, Array> = arrays.clone();
    let loaded = load_safetensors(&path, &like)?;
    assert_eq!(to_bytes(&loaded["scalar"]), (-0.0f32).to_le_bytes());
    Ok(())
}

#[derive(Pytree, Clone)]
struct Layer {
    w: Array,
    b: Array,
}

#[derive(Pytree, Clone)]
struct Model {
    layers: Vec<Layer>,
    #[pytree(static)]
    width: usize,
}

#[test]
fn rjax_files_read_back_bit_for_bit_in_python() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("from_rjax.safetensors");
    let layers = dtypes()
        .iter()
        .enumerate()
        .map(|(index, &dtype)| Layer {
            w: from_bytes(dtype, &[3, 2], &random_bytes(dtype, 6, index as u64)),
            b: from_bytes(dtype, &[], &random_bytes(dtype, 1, 100 + index as u64)),
        })
        .collect();
    let model = Model { layers, width: 3 };
    let metadata = BTreeMap::from([("step".to_string(), "12".to_string())]);
    save_safetensors_with_metadata(&path, &model, &metadata)?;

    let read = parse_printed_arrays(&run_python(PYTHON_READS, &[path.to_str().unwrap()]));
    assert_eq!(read.len(), 2 * dtypes().len());
    for (index, layer) in model.layers.iter().enumerate() {
        for (field, array) in [("w", &layer.w), ("b", &layer.b)] {
            let name = format!("layers.{index}.{field}");
            let line = read.iter().find(|line| line.name == name).unwrap();
            assert_eq!(line.dtype, array.dtype().name(), "{name}");
            assert_eq!(line.shape, array.shape(), "{name}");
            assert_eq!(line.bytes, to_bytes(array), "{name}");
        }
    }
    assert_eq!(load_safetensors_metadata(&path)?["step"], "12");

    // And back into the derived struct, static field from `like`.
    let loaded = load_safetensors(&path, &model)?;
    assert_eq!(loaded.width, 3);
    for (a, b) in loaded.layers.iter().zip(&model.layers) {
        assert_eq!(to_bytes(&a.w), to_bytes(&b.w));
        assert_eq!(to_bytes(&a.b), to_bytes(&b.b));
    }
    Ok(())
}

fn checkpoint_error(error: Error) -> (String, Option<String>, String) {
    let text = error.to_string();
    match error {
        Error::Checkpoint {
            path,
            tensor,
            message,
        } => {
            assert!(text.contains(&message));
            (path.display().to_string(), tensor, message)
        }
        other => panic!("expected a checkpoint error, got {other}"),
    }
}

#[test]
fn mismatched_loads_name_the_file_and_the_tensor() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("small.safetensors");
    let saved = BTreeMap::from([
        ("w".to_string(), Array::from([[1.0f32, 2.0], [3.0, 4.0]])),
        ("b".to_string(), Array::from([0i32, 1])),
    ]);
    save_safetensors(&path, &saved)?;
    let file = path.display().to_string();

    // A shape that differs.
    let mut like = saved.clone();
    like.insert("w".into(), Array::from([1.0f32, 2.0]));
    let (p, tensor, message) = checkpoint_error(load_safetensors(&path, &like).unwrap_err());
    assert_eq!((p.as_str(), tensor.as_deref()), (file.as_str(), Some("w")));
    assert!(message.contains("expected float32[2]") && message.contains("found float32[2, 2]"));

    // A dtype that differs.
    let mut like = saved.clone();
    like.insert("b".into(), Array::from([0.0f32, 1.0]));
    let (_, tensor, message) = checkpoint_error(load_safetensors(&path, &like).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("b"));
    assert!(message.contains("expected float32") && message.contains("found int32"));

    // A missing tensor, and an unexpected one.
    let mut like = saved.clone();
    like.insert("extra".into(), Array::from(1.0f32));
    let (_, tensor, message) = checkpoint_error(load_safetensors(&path, &like).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("extra"));
    assert!(message.contains("missing"), "{message}");
    let mut like = saved.clone();
    like.remove("b");
    let (_, tensor, _) = checkpoint_error(load_safetensors(&path, &like).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("b"));

    // A file that is not there, and a truncated one.
    let missing = dir.path().join("nope.safetensors");
    let (p, tensor, _) = checkpoint_error(load_safetensors_arrays(&missing).unwrap_err());
    assert_eq!((p, tensor), (missing.display().to_string(), None));
    let bytes = std::fs::read(&path)?;
    std::fs::write(&path, &bytes[..bytes.len() - 3])?;
    let (p, _, _) = checkpoint_error(load_safetensors(&path, &saved).unwrap_err());
    assert_eq!(p, file);
    Ok(())
}

#[test]
fn unstorable_trees_are_errors() {
    rjax::config::enable_x64(true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.safetensors");
    // complex128 has no safetensors dtype.
    let c128 = BTreeMap::from([(
        "z".to_string(),
        Array::from_slice(&[rjax::Complex::new(1.0f64, 2.0)], &[1]).unwrap(),
    )]);
    let (_, tensor, message) = checkpoint_error(save_safetensors(&path, &c128).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("z"));
    assert!(message.contains("complex128"), "{message}");
    // A lone array has no name.
    let (_, _, message) =
        checkpoint_error(save_safetensors(&path, &Array::from(1.0f32)).unwrap_err());
    assert!(message.contains("lone array"), "{message}");
    // PRNG keys are refused, naming the leaf.
    let keys = BTreeMap::from([("key".to_string(), rjax::random::key(0))]);
    let (_, tensor, message) = checkpoint_error(save_safetensors(&path, &keys).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("key"));
    assert!(message.contains("key_data"), "{message}");
}
