//! `.npy` and `.npz` files against NumPy at test time, both directions, every dtype NumPy
//! has (random bit patterns: NaN payloads, `-0.0`, subnormals), Fortran-order and big-endian
//! files, compressed archives; and the errors of bad loads.

#![cfg(feature = "npy")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::python::run_python;
use common::raw_arrays::{PrintedArray, from_bytes, parse_printed_arrays, random_bytes, to_bytes};
use rjax::io::{
    load_npy, load_npz, load_npz_into, npy_bytes, save_npy, save_npz, save_npz_compressed,
};
use rjax::{Array, DType, Error};

/// Every dtype NumPy and rjax share (NumPy has no bfloat16).
fn dtypes() -> Vec<DType> {
    DType::ALL
        .into_iter()
        .filter(|&d| d != DType::BF16)
        .collect()
}

/// Prints `name dtype shape hex` for an array, its bytes little-endian and row-major.
const PRINT: &str = r#"
import numpy as np
def show(name, x):
    x = x.astype(x.dtype.newbyteorder("<"), order="C")
    print(name, x.dtype.name, ",".join(map(str, x.shape)), x.tobytes().hex() or "-")
"#;

/// Writes, into the directory argv[1], one `.npy` per dtype (random bits), a Fortran-order and
/// big-endian ones, and the same arrays as `.npz` (stored and compressed); prints them.
const PYTHON_WRITES: &str = r#"
import os, sys
rng = np.random.default_rng(3)
arrays = {}
for name in sys.argv[2:]:
    dtype = np.dtype(name)
    if name == "bool":
        x = rng.integers(0, 2, size=(2, 3)).astype(bool)
    else:
        x = rng.integers(0, 256, size=6 * dtype.itemsize, dtype=np.uint8).view(dtype).reshape(2, 3)
    arrays[name] = x
arrays["fortran"] = np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 1.5)
arrays["big_f4"] = np.arange(6, dtype=">f4").reshape(3, 2) - 2.5
arrays["big_i8"] = np.array([-1, 2, -(2**40)], dtype=">i8")
arrays["big_c16"] = np.array([1 + 2j, -3.5 - 0j], dtype=">c16")
arrays["big_fortran_c8"] = np.asfortranarray(np.array([[1 + 1j, 2], [3j, -4]], dtype=">c8"))
arrays["scalar"] = np.array(-0.0, np.float32)
arrays["empty"] = np.zeros((0, 3), np.uint16)
d = sys.argv[1]
for name, x in arrays.items():
    np.save(os.path.join(d, name + ".npy"), x)
    show(name, x)
np.savez(os.path.join(d, "all.npz"), **arrays)
np.savez_compressed(os.path.join(d, "all_compressed.npz"), **arrays)
assert np.load(os.path.join(d, "fortran.npy")).flags.f_contiguous
"#;

/// Loads every `.npy` and `.npz` of the directory argv[1] with NumPy and prints its arrays
/// (those of an archive as `archive/name`).
const PYTHON_READS: &str = r#"
import os, sys
d = sys.argv[1]
for file in sorted(os.listdir(d)):
    path = os.path.join(d, file)
    if file.endswith(".npy"):
        show(file[:-4], np.load(path))
    else:
        with np.load(path) as archive:
            for name in archive.files:
                show(file[:-4] + "/" + name, archive[name])
"#;

fn numpy(code: &str, dir: &Path, extra: &[&str]) -> Vec<PrintedArray> {
    let mut args = vec![dir.to_str().unwrap()];
    args.extend(extra);
    parse_printed_arrays(&run_python(&format!("{PRINT}{code}"), &args))
}

fn assert_matches(array: &Array, line: &PrintedArray) {
    assert_eq!(array.dtype().name(), line.dtype, "{}", line.name);
    assert_eq!(array.shape(), line.shape, "{}", line.name);
    assert_eq!(to_bytes(array), line.bytes, "{}", line.name);
}

#[test]
fn numpy_files_load_bit_for_bit() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let dir = tempfile::tempdir()?;
    let names: Vec<&str> = dtypes().iter().map(|dtype| dtype.name()).collect();
    let expected = numpy(PYTHON_WRITES, dir.path(), &names);
    assert_eq!(expected.len(), dtypes().len() + 7);
    for line in &expected {
        let array = load_npy(dir.path().join(format!("{}.npy", line.name)))?;
        assert_matches(&array, line);
    }
    for archive in ["all.npz", "all_compressed.npz"] {
        let arrays = load_npz(dir.path().join(archive))?;
        assert_eq!(arrays.len(), expected.len(), "{archive}");
        for line in &expected {
            assert_matches(&arrays[&line.name], line);
        }
    }
    Ok(())
}

#[test]
fn rjax_files_load_bit_for_bit_in_numpy() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let dir = tempfile::tempdir()?;
    let mut tree = BTreeMap::new();
    for (index, &dtype) in dtypes().iter().enumerate() {
        let array = from_bytes(dtype, &[3, 1, 2], &random_bytes(dtype, 6, index as u64));
        save_npy(dir.path().join(format!("{}.npy", dtype.name())), &array)?;
        tree.insert(dtype.name().to_string(), array);
    }
    tree.insert("scalar".into(), Array::from(f64::MIN_POSITIVE / 8.0));
    tree.insert(
        "empty".into(),
        Array::from_slice::<i8>(&[], &[2, 0]).unwrap(),
    );
    save_npz(dir.path().join("tree.npz"), &tree)?;
    save_npz_compressed(dir.path().join("tree_compressed.npz"), &tree)?;

    let read = numpy(PYTHON_READS, dir.path(), &[]);
    assert_eq!(read.len(), dtypes().len() + 2 * tree.len());
    for line in &read {
        let name = line.name.rsplit('/').next().unwrap();
        assert_matches(&tree[name], line);
    }
    // And back into the same tree.
    let loaded = load_npz_into(dir.path().join("tree_compressed.npz"), &tree)?;
    for (name, array) in &tree {
        assert_eq!(to_bytes(&loaded[name]), to_bytes(array), "{name}");
    }
    Ok(())
}

fn checkpoint_message(error: Error) -> (Option<String>, String) {
    match error {
        Error::Checkpoint {
            tensor, message, ..
        } => (tensor, message),
        other => panic!("expected a checkpoint error, got {other}"),
    }
}

#[test]
fn bfloat16_is_refused_with_advice() {
    let x = Array::from_slice(&[half::bf16::from_f32(1.5)], &[1]).unwrap();
    let (_, message) = checkpoint_message(npy_bytes(&x).unwrap_err());
    assert!(
        message.contains("bfloat16") && message.contains("astype"),
        "{message}"
    );
}

#[test]
fn bad_npz_loads_name_the_file_and_the_array() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("params.npz");
    let tree = vec![Array::from([1.0f32, 2.0]), Array::from(3i32)];
    save_npz(&path, &tree)?;

    let like = vec![Array::from([1.0f32, 2.0]), Array::from([3i32])];
    let error = load_npz_into(&path, &like).unwrap_err();
    assert!(error.to_string().contains(&path.display().to_string()));
    let (tensor, message) = checkpoint_message(error);
    assert_eq!(tensor.as_deref(), Some("1"));
    assert!(message.contains("expected int32[1]") && message.contains("found int32[]"));

    let like = vec![Array::from([1.0f32, 2.0])];
    let (tensor, message) = checkpoint_message(load_npz_into(&path, &like).unwrap_err());
    assert_eq!(tensor.as_deref(), Some("1"));
    assert!(message.contains("no leaf"), "{message}");

    // Not an archive, and a truncated .npy.
    std::fs::write(&path, b"not a zip file")?;
    let (tensor, message) = checkpoint_message(load_npz(&path).unwrap_err());
    assert_eq!(tensor, None);
    assert!(message.contains(".npz"), "{message}");
    let npy = dir.path().join("x.npy");
    save_npy(&npy, Array::from([1.0f32, 2.0, 3.0]))?;
    let bytes = std::fs::read(&npy)?;
    std::fs::write(&npy, &bytes[..bytes.len() - 1])?;
    let (_, message) = checkpoint_message(load_npy(&npy).unwrap_err());
    assert!(message.contains("needs 12 bytes"), "{message}");
    Ok(())
}
