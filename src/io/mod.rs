//! Checkpoints: pytrees of arrays saved to and loaded from the files every framework reads,
//! each tensor named by its leaf's key path (`layers.0.w`, see
//! [`tree_flatten_with_path`](crate::tree_flatten_with_path)).
//!
//! - safetensors (feature `safetensors`): [`save_safetensors`], [`load_safetensors`] (into the
//!   structure of a `like` tree), [`load_safetensors_arrays`] (every tensor by name), string
//!   metadata, and in-memory variants.
//! - NumPy's `.npy` and `.npz` (feature `npy`): [`save_npy`], [`load_npy`], [`save_npz`],
//!   [`save_npz_compressed`], [`load_npz`], [`load_npz_into`], and in-memory variants.
//!
//! Loading into a `like` tree checks every tensor against its leaf: a missing or unexpected
//! tensor, or one whose dtype or shape differs, is an [`Error::Checkpoint`](crate::Error)
//! naming the file, the tensor, what was expected and what was found. Malformed or truncated
//! files are errors, never panics. Loaded arrays follow `jnp.asarray`: outside x64 mode a
//! 64-bit tensor loaded by name becomes 32-bit (a `like` leaf of a 32-bit dtype does not
//! accept a 64-bit tensor). PRNG key arrays are not stored: save `random::key_data(&keys)`.

#[cfg(feature = "npy")]
mod npy;
#[cfg(feature = "npy")]
mod npz;
#[cfg(feature = "safetensors")]
mod safetensors;
mod tensors;

#[cfg(feature = "npy")]
pub use npy::{load_npy, load_npy_from_bytes, npy_bytes, save_npy};
#[cfg(feature = "npy")]
pub use npz::{
    load_npz, load_npz_from_bytes, load_npz_into, npz_bytes, save_npz, save_npz_compressed,
};
#[cfg(feature = "safetensors")]
pub use safetensors::{
    load_safetensors, load_safetensors_arrays, load_safetensors_arrays_from_bytes,
    load_safetensors_from_bytes, load_safetensors_metadata, safetensors_bytes, save_safetensors,
    save_safetensors_with_metadata,
};
