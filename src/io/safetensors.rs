//! safetensors checkpoints (the `safetensors` crate): a pytree's leaves stored under their key
//! paths, the format Hugging Face and every framework read.
//!
//! Every rjax dtype but `complex128` (which safetensors lacks) is stored: `BOOL`, `U8`...`U64`,
//! `I8`...`I64`, `F16`, `BF16`, `F32`, `F64`, `C64`. Files with the float8/float4 dtypes
//! safetensors also knows are refused with an error naming the tensor.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ::safetensors::tensor::{Dtype, SafeTensors, TensorView, View};

use super::tensors::{
    IN_MEMORY, RawTensor, arrays_by_name, fill_like, leaf_bytes, named_leaves, read_file,
    write_file,
};
use crate::tree::Pytree;
use crate::{Array, DType, Error, Result};

/// safetensors' name of `dtype`, or `None` for the dtypes it lacks.
fn to_safetensors(dtype: DType) -> Option<Dtype> {
    Some(match dtype {
        DType::Bool => Dtype::BOOL,
        DType::I8 => Dtype::I8,
        DType::I16 => Dtype::I16,
        DType::I32 => Dtype::I32,
        DType::I64 => Dtype::I64,
        DType::U8 => Dtype::U8,
        DType::U16 => Dtype::U16,
        DType::U32 => Dtype::U32,
        DType::U64 => Dtype::U64,
        DType::F16 => Dtype::F16,
        DType::BF16 => Dtype::BF16,
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
        DType::C64 => Dtype::C64,
        DType::C128 | DType::Key(_) => return None,
    })
}

/// The rjax dtype of safetensors' `dtype`, if rjax has one.
fn from_safetensors(dtype: Dtype) -> Option<DType> {
    DType::ALL
        .into_iter()
        .find(|&ours| to_safetensors(ours) == Some(dtype))
}

/// A leaf as safetensors' `View`.
struct LeafView<'a> {
    dtype: Dtype,
    shape: &'a [usize],
    bytes: &'a [u8],
}

impl View for LeafView<'_> {
    fn dtype(&self) -> Dtype {
        self.dtype
    }

    fn shape(&self) -> &[usize] {
        self.shape
    }

    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.bytes)
    }

    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

/// The safetensors file of `tree` (tensor names are the leaves' key paths) with optional
/// string `metadata` (safetensors' `__metadata__`), in memory.
///
/// ```
/// use std::collections::BTreeMap;
/// use rjax::Array;
/// use rjax::io::{load_safetensors_from_bytes, safetensors_bytes};
///
/// let params = BTreeMap::from([("w".to_string(), Array::from([1.0f32, 2.0]))]);
/// let bytes = safetensors_bytes(&params, None)?;
/// let loaded = load_safetensors_from_bytes(&bytes, &params)?;
/// assert_eq!(loaded["w"].to_vec::<f32>()?, [1.0, 2.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn safetensors_bytes<T: Pytree>(
    tree: &T,
    metadata: Option<&BTreeMap<String, String>>,
) -> Result<Vec<u8>> {
    encode(Path::new(IN_MEMORY), tree, metadata)
}

fn encode<T: Pytree>(
    path: &Path,
    tree: &T,
    metadata: Option<&BTreeMap<String, String>>,
) -> Result<Vec<u8>> {
    let leaves = named_leaves(path, tree)?;
    let mut views = Vec::with_capacity(leaves.len());
    for (name, leaf) in &leaves {
        let bytes = leaf_bytes(path, name, leaf)?;
        let dtype = to_safetensors(leaf.dtype()).ok_or_else(|| {
            Error::checkpoint(
                path,
                Some(name),
                format!(
                    "safetensors has no dtype for {} (the leaf is {})",
                    leaf.dtype(),
                    leaf.aval()
                ),
            )
        })?;
        let view = LeafView {
            dtype,
            shape: leaf.shape(),
            bytes,
        };
        views.push((name.as_str(), view));
    }
    let metadata: Option<HashMap<String, String>> =
        metadata.map(|entries| entries.clone().into_iter().collect());
    ::safetensors::serialize(views, metadata).map_err(|error| Error::checkpoint(path, None, error))
}

/// Saves `tree` to the safetensors file `path`, each leaf under its key path (`layers.0.w`).
pub fn save_safetensors<T: Pytree>(path: impl AsRef<Path>, tree: &T) -> Result<()> {
    let path = path.as_ref();
    write_file(path, &encode(path, tree, None)?)
}

/// [`save_safetensors`] with string `metadata` (safetensors' `__metadata__`, e.g. a format
/// tag or a step count), read back by [`load_safetensors_metadata`].
pub fn save_safetensors_with_metadata<T: Pytree>(
    path: impl AsRef<Path>,
    tree: &T,
    metadata: &BTreeMap<String, String>,
) -> Result<()> {
    let path = path.as_ref();
    write_file(path, &encode(path, tree, Some(metadata))?)
}

/// The parsed file; a malformed one is an error naming it.
fn parse<'a>(path: &Path, bytes: &'a [u8]) -> Result<SafeTensors<'a>> {
    SafeTensors::deserialize(bytes).map_err(|error| Error::checkpoint(path, None, error))
}

/// A tensor of the file as a [`RawTensor`]; dtypes rjax lacks are errors naming it.
fn raw<'a>(path: &Path, name: &str, view: &TensorView<'a>) -> Result<RawTensor<'a>> {
    let dtype = from_safetensors(view.dtype()).ok_or_else(|| {
        Error::checkpoint(
            path,
            Some(name),
            format!("rjax has no dtype for safetensors' {:?}", view.dtype()),
        )
    })?;
    Ok(RawTensor {
        dtype,
        shape: view.shape().to_vec(),
        bytes: Cow::Borrowed(view.data()),
    })
}

fn decode_like<T: Pytree>(path: &Path, bytes: &[u8], like: &T) -> Result<T> {
    let file = parse(path, bytes)?;
    let names = file.names().into_iter().map(str::to_string);
    fill_like(path, like, names, |name| match file.tensor(name) {
        Ok(view) => raw(path, name, &view).map(Some),
        Err(_) => Ok(None),
    })
}

fn decode_arrays(path: &Path, bytes: &[u8]) -> Result<BTreeMap<String, Array>> {
    let file = parse(path, bytes)?;
    let tensors = file
        .iter()
        .map(|(name, view)| Ok((name.to_string(), raw(path, name, &view)?)))
        .collect::<Result<Vec<_>>>()?;
    arrays_by_name(path, tensors)
}

/// Loads the safetensors file `path` into a tree of `like`'s type and structure: each leaf is
/// the tensor named by its key path, which must have the leaf's dtype and shape. A missing,
/// mismatched or unexpected tensor is an error naming the file and the tensor.
pub fn load_safetensors<T: Pytree>(path: impl AsRef<Path>, like: &T) -> Result<T> {
    let path = path.as_ref();
    decode_like(path, &read_file(path)?, like)
}

/// [`load_safetensors`] from the bytes of a file.
pub fn load_safetensors_from_bytes<T: Pytree>(bytes: &[u8], like: &T) -> Result<T> {
    decode_like(Path::new(IN_MEMORY), bytes, like)
}

/// Every tensor of the safetensors file `path`, by name.
pub fn load_safetensors_arrays(path: impl AsRef<Path>) -> Result<BTreeMap<String, Array>> {
    let path = path.as_ref();
    decode_arrays(path, &read_file(path)?)
}

/// [`load_safetensors_arrays`] from the bytes of a file.
pub fn load_safetensors_arrays_from_bytes(bytes: &[u8]) -> Result<BTreeMap<String, Array>> {
    decode_arrays(Path::new(IN_MEMORY), bytes)
}

/// The string metadata (`__metadata__`) of the safetensors file `path`; empty if it has none.
pub fn load_safetensors_metadata(path: impl AsRef<Path>) -> Result<BTreeMap<String, String>> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    let (_, metadata) =
        SafeTensors::read_metadata(&bytes).map_err(|error| Error::checkpoint(path, None, error))?;
    Ok(metadata
        .metadata()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect())
}
