//! Arrays as raw little-endian bytes with a dtype and a shape: what the checkpoint formats
//! (safetensors, `.npy`) and the serde and `ndarray` conversions read and write.

use crate::shape_check::check_shape;
use crate::{Array, DType, Error, Result};

impl Array {
    /// The row-major little-endian bytes of a concrete numeric array (downloaded from its
    /// device the first time). Tracers and PRNG key arrays are errors naming `op`.
    pub(crate) fn raw_bytes(&self, op: &str) -> Result<&[u8]> {
        if let DType::Key(_) = self.dtype() {
            return Err(Error::invalid(
                op,
                format!(
                    "cannot store an array of PRNG keys ({}): store \
                     `rjax::random::key_data(&keys)` and rebuild the keys with \
                     `rjax::random::wrap_key_data`",
                    self.aval()
                ),
            ));
        }
        self.require_concrete(op)?.host_bytes()
    }

    /// The array of `dtype` and `shape` whose row-major little-endian contents are `bytes`,
    /// canonicalised as `jnp.asarray` does (64-bit dtypes become 32-bit outside x64 mode). The
    /// byte count must match the shape; `bool` bytes other than 0 and 1 count as `true`.
    pub(crate) fn from_raw_bytes(
        op: &str,
        dtype: DType,
        shape: &[usize],
        bytes: &[u8],
    ) -> Result<Array> {
        if dtype.is_key() {
            return Err(Error::invalid(
                op,
                format!("{dtype} is not a numeric dtype"),
            ));
        }
        let count = check_shape(op, shape, dtype)?;
        let expected = count * dtype.size_in_bytes();
        if bytes.len() != expected {
            return Err(Error::invalid(
                op,
                format!(
                    "{} bytes given for {dtype}{shape:?}, which needs {expected}",
                    bytes.len()
                ),
            ));
        }
        let normalised: Vec<u8>;
        let bytes = if dtype == DType::Bool {
            normalised = bytes.iter().map(|&b| u8::from(b != 0)).collect();
            &normalised[..]
        } else {
            bytes
        };
        Ok(Array::from_host_bytes(bytes, dtype, shape.to_vec(), false))
    }
}
