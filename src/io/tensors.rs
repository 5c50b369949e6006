//! What every checkpoint format shares: naming a tree's leaves by their key paths, and
//! filling a `like` tree from named tensors, checking each against its leaf.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::tree::Pytree;
use crate::{Array, DType, Error, Result};

/// A tensor read from a file, before it becomes an [`Array`]: its dtype, shape and row-major
/// little-endian bytes.
pub(crate) struct RawTensor<'a> {
    pub(crate) dtype: DType,
    pub(crate) shape: Vec<usize>,
    pub(crate) bytes: Cow<'a, [u8]>,
}

impl RawTensor<'_> {
    /// The tensor as an array; a byte count that does not fit the shape is an error naming
    /// the file and the tensor.
    pub(crate) fn into_array(self, path: &Path, name: Option<&str>) -> Result<Array> {
        Array::from_raw_bytes("load", self.dtype, &self.shape, &self.bytes)
            .map_err(|error| Error::checkpoint(path, name, error))
    }
}

/// The leaves of `tree` named by their key paths, in flattening order. Two leaves with the
/// same name (a map key containing a `.`), or a lone array (whose path is empty), are errors.
pub(crate) fn named_leaves<T: Pytree>(path: &Path, tree: &T) -> Result<Vec<(String, Array)>> {
    let (leaves, _) = crate::tree_flatten_with_path(tree);
    let mut seen = BTreeSet::new();
    leaves
        .into_iter()
        .map(|(key_path, leaf)| {
            let name = key_path.to_string();
            if name.is_empty() {
                return Err(Error::checkpoint(
                    path,
                    None,
                    "a lone array has no name to store it under: put it in a map or a struct \
                     (or save it with save_npy)",
                ));
            }
            if !seen.insert(name.clone()) {
                return Err(Error::checkpoint(
                    path,
                    Some(&name),
                    "two leaves of the tree have this name",
                ));
            }
            Ok((name, leaf))
        })
        .collect()
}

/// `like` with each leaf replaced by the tensor of the same name that `take` returns (`None`
/// when the file has no such tensor). Each must have its leaf's dtype and shape; tensors the
/// tree has no leaf for (listed in `names`) are an error.
pub(crate) fn fill_like<'a, T: Pytree>(
    path: &Path,
    like: &T,
    names: impl IntoIterator<Item = String>,
    mut take: impl FnMut(&str) -> Result<Option<RawTensor<'a>>>,
) -> Result<T> {
    let (leaves, def) = crate::tree_flatten_with_path(like);
    let mut unexpected: BTreeSet<String> = names.into_iter().collect();
    let mut loaded = Vec::with_capacity(leaves.len());
    for (key_path, leaf) in leaves {
        let name = key_path.to_string();
        let found = take(&name)?.ok_or_else(|| {
            Error::checkpoint(
                path,
                Some(&name),
                format!("missing: the tree has a leaf {} here", leaf.aval()),
            )
        })?;
        if found.dtype != leaf.dtype() || found.shape != leaf.shape() {
            return Err(Error::checkpoint(
                path,
                Some(&name),
                format!(
                    "expected {}{:?} (the leaf's dtype and shape), found {}{:?}",
                    leaf.dtype(),
                    leaf.shape(),
                    found.dtype,
                    found.shape
                ),
            ));
        }
        unexpected.remove(&name);
        loaded.push(found.into_array(path, Some(&name))?);
    }
    if let Some(name) = unexpected.first() {
        return Err(Error::checkpoint(
            path,
            Some(name),
            format!(
                "the tree has no leaf of this name ({} unexpected tensor(s) in all)",
                unexpected.len()
            ),
        ));
    }
    T::tree_unflatten(&def, loaded)
}

/// Every tensor of a file as an array, by name.
pub(crate) fn arrays_by_name<'a>(
    path: &Path,
    tensors: impl IntoIterator<Item = (String, RawTensor<'a>)>,
) -> Result<BTreeMap<String, Array>> {
    tensors
        .into_iter()
        .map(|(name, tensor)| {
            let array = tensor.into_array(path, Some(&name))?;
            Ok((name, array))
        })
        .collect()
}

/// The label of in-memory data in errors.
pub(crate) const IN_MEMORY: &str = "<bytes>";

/// The contents of the file `path`; failures name it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| Error::checkpoint(path, None, error))
}

/// Writes `bytes` to the file `path`; failures name it.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|error| Error::checkpoint(path, None, error))
}

/// The bytes of a leaf to store under `name`; tracers and key arrays are errors naming it.
pub(crate) fn leaf_bytes<'a>(path: &Path, name: &str, leaf: &'a Array) -> Result<&'a [u8]> {
    leaf.raw_bytes("save")
        .map_err(|error| Error::checkpoint(path, Some(name), error))
}
