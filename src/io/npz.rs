//! NumPy's `.npz` archives: a zip file of `.npy` files, one per leaf, named by its key path
//! (`layers.0.w.npy`, which `np.load` lists as `layers.0.w`).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::npy;
use super::tensors::{
    IN_MEMORY, RawTensor, arrays_by_name, fill_like, named_leaves, read_file, write_file,
};
use crate::tree::Pytree;
use crate::{Array, Error, Result};

/// The `.npz` archive of `tree`'s leaves (named by their key paths), in memory; `compressed`
/// deflates each member, as `np.savez_compressed` does, otherwise they are stored as
/// `np.savez` does.
pub fn npz_bytes<T: Pytree>(tree: &T, compressed: bool) -> Result<Vec<u8>> {
    encode(Path::new(IN_MEMORY), tree, compressed)
}

fn encode<T: Pytree>(path: &Path, tree: &T, compressed: bool) -> Result<Vec<u8>> {
    let method = if compressed {
        CompressionMethod::Deflated
    } else {
        CompressionMethod::Stored
    };
    let mut archive = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, leaf) in named_leaves(path, tree)? {
        let member = npy::encode(path, &name, &leaf)?;
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(member.len() as u64 >= u64::from(u32::MAX));
        let zip_error = |error: &dyn std::fmt::Display| Error::checkpoint(path, Some(&name), error);
        archive
            .start_file(format!("{name}.npy"), options)
            .map_err(|error| zip_error(&error))?;
        archive
            .write_all(&member)
            .map_err(|error| zip_error(&error))?;
    }
    let cursor = archive
        .finish()
        .map_err(|error| Error::checkpoint(path, None, error))?;
    Ok(cursor.into_inner())
}

/// Saves `tree` to the `.npz` file `path` as `np.savez` does: one `.npy` member per leaf,
/// named by its key path.
pub fn save_npz<T: Pytree>(path: impl AsRef<Path>, tree: &T) -> Result<()> {
    let path = path.as_ref();
    write_file(path, &encode(path, tree, false)?)
}

/// [`save_npz`] with deflated members, as `np.savez_compressed`.
pub fn save_npz_compressed<T: Pytree>(path: impl AsRef<Path>, tree: &T) -> Result<()> {
    let path = path.as_ref();
    write_file(path, &encode(path, tree, true)?)
}

/// The members of an archive: each array's name (the member's without `.npy`) and `.npy`
/// bytes.
fn members(path: &Path, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        Error::checkpoint(path, None, format!("not a valid .npz file: {error}"))
    })?;
    (0..archive.len())
        .map(|index| {
            let mut member = archive
                .by_index(index)
                .map_err(|error| Error::checkpoint(path, None, error))?;
            let file_name = member.name().to_string();
            let name = file_name
                .strip_suffix(".npy")
                .unwrap_or(&file_name)
                .to_string();
            let mut contents = Vec::new();
            member
                .read_to_end(&mut contents)
                .map_err(|error| Error::checkpoint(path, Some(&name), error))?;
            Ok((name, contents))
        })
        .collect()
}

fn decode_arrays(path: &Path, bytes: &[u8]) -> Result<BTreeMap<String, Array>> {
    let members = members(path, bytes)?;
    let tensors = members
        .iter()
        .map(|(name, contents)| Ok((name.clone(), npy::decode(path, Some(name), contents)?)))
        .collect::<Result<Vec<(String, RawTensor)>>>()?;
    arrays_by_name(path, tensors)
}

/// Every array of the `.npz` file `path`, by name (as `np.load`).
pub fn load_npz(path: impl AsRef<Path>) -> Result<BTreeMap<String, Array>> {
    let path = path.as_ref();
    decode_arrays(path, &read_file(path)?)
}

/// [`load_npz`] from the bytes of a file.
pub fn load_npz_from_bytes(bytes: &[u8]) -> Result<BTreeMap<String, Array>> {
    decode_arrays(Path::new(IN_MEMORY), bytes)
}

/// Loads the `.npz` file `path` into a tree of `like`'s type and structure: each leaf is the
/// array named by its key path, which must have the leaf's dtype and shape. A missing,
/// mismatched or unexpected array is an error naming the file and the array.
pub fn load_npz_into<T: Pytree>(path: impl AsRef<Path>, like: &T) -> Result<T> {
    let path = path.as_ref();
    let members: BTreeMap<String, Vec<u8>> =
        members(path, &read_file(path)?)?.into_iter().collect();
    fill_like(path, like, members.keys().cloned(), |name| {
        members
            .get(name)
            .map(|contents| npy::decode(path, Some(name), contents))
            .transpose()
    })
}
