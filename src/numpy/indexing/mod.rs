//! NumPy indexing and JAX's functional updates: [`Array::index`] is NumPy's `x[idx]` and
//! [`Array::at`] is JAX's `x.at[idx]` (`set`, `add`, `multiply`, `min`, ..., `get`), with
//! index lists written by the [`idx!`](crate::idx) macro.
//!
//! The semantics are NumPy's as JAX implements them (`jax._src.numpy.indexing`): integers
//! (negative ones count from the end), slices with any step, `NewAxis`, the ellipsis, integer
//! index arrays (with NumPy's placement of the advanced-indexing dimensions) and concrete
//! boolean masks. The lowering picks, as JAX does, the cheapest primitive that expresses the
//! index: static integers and slices become `lax::slice` (plus `rev`, `squeeze` and
//! `expand_dims`), scalar integer tracers `lax::dynamic_slice`, and everything else one
//! `lax::gather`; the updates are one scatter. Out-of-bounds index arrays are clamped when
//! reading and dropped when updating; a static integer out of range panics, as NumPy's
//! `IndexError`. Everything traces under `jit`, differentiates and vectorizes.
//!
//! Child modules: `expression` (the index types and the macro), `parse` (an index list
//! against a shape), `static_index` (the slice lowerings), `gather_index` (the gather
//! lowering) and `at` (the functional updates).

mod at;
mod expression;
mod gather_index;
mod parse;
mod static_index;

pub use at::IndexUpdate;
pub use expression::{Index, Slice};

use gather_index::GatherIndexer;
use parse::Parsed;
use static_index::{dynamic_slice, static_slice};

use crate::lax::{GatherOptions, GatherScatterMode, unwrap_at_caller};
use crate::scalar::Scalar;
use crate::{Array, DType, Result};

/// The dtype of gather indices into an array of `shape`: int32 unless a dimension needs more
/// (JAX's `int_dtype_for_shape(signed=True)`).
fn index_dtype(shape: &[usize]) -> DType {
    if shape.iter().all(|&d| d <= i32::MAX as usize) {
        DType::I32
    } else {
        DType::I64
    }
}

/// A constant integer array of `dtype` and `shape` holding `values`.
fn index_constant(values: &[i64], shape: &[usize], dtype: DType) -> Array {
    let bytes: Vec<u8> = values
        .iter()
        .flat_map(|&v| Scalar::Int(v).to_bytes(dtype))
        .collect();
    Array::from_host_bytes(&bytes, dtype, shape.to_vec(), false)
}

/// `x[indices]` read with `options` (JAX's `rewriting_take`): a static slice, else a dynamic
/// slice, else a gather; the slices only when the mode allows them.
fn get(op: &str, x: &Array, indices: &[Index], options: GatherOptions) -> Result<Array> {
    let parsed = Parsed::new(op, x, indices)?;
    if options.mode == GatherScatterMode::PromiseInBounds {
        parsed.check_static_integers(op, x)?;
    }
    // JAX's static and dynamic slice strategies accept only these modes.
    let slices_allowed = matches!(
        options.mode,
        GatherScatterMode::PromiseInBounds | GatherScatterMode::Clip
    );
    if slices_allowed {
        if let Some(y) = static_slice(op, x, &parsed)? {
            return Ok(y);
        }
        if let Some(y) = dynamic_slice(op, x, &parsed)? {
            return Ok(y);
        }
    }
    Ok(GatherIndexer::new(op, &parsed)?.gather(x, options))
}

impl Array {
    /// NumPy's `x[indices]`, with an index list usually written by [`idx!`](crate::idx):
    /// `x.index(&idx![1, .., 2..;2])` is `x[1, :, 2::2]`.
    ///
    /// Index arrays out of bounds are clamped (JAX's default for reads); a static integer out
    /// of range, too many indices, an index array that is neither integer nor boolean, a
    /// boolean mask of the wrong shape or one that is a tracer (under `jit`) panic with a
    /// message naming the shapes and dtypes.
    ///
    /// ```
    /// use rjax::{Array, idx};
    ///
    /// let x = Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(x.index(&idx![-1, ..;-1]).to_vec::<f32>()?, vec![6.0, 5.0, 4.0]);
    /// assert_eq!(x.index(&idx![.., [2, 0]]).to_vec::<f32>()?, vec![3.0, 1.0, 6.0, 4.0]);
    /// let positive = x.index(&idx![x.gt(2.5)]);
    /// assert_eq!(positive.to_vec::<f32>()?, vec![3.0, 4.0, 5.0, 6.0]);
    /// # Ok::<(), rjax::Error>(())
    /// ```
    #[track_caller]
    pub fn index(&self, indices: &[Index]) -> Array {
        unwrap_at_caller(get("index", self, indices, GatherOptions::default()))
    }

    /// JAX's `x.at[indices]`: an [`IndexUpdate`] whose methods (`set`, `add`, `subtract`,
    /// `multiply`, `divide`, `power`, `min`, `max`, `get`) return updated copies of `x`.
    ///
    /// ```
    /// use rjax::{Array, idx};
    ///
    /// let x = Array::from([[0.0f32; 3]; 2]);
    /// let y = x.at(&idx![.., 1]).set(Array::from([7.0f32, 8.0]));
    /// assert_eq!(y.to_vec::<f32>()?, vec![0.0, 7.0, 0.0, 0.0, 8.0, 0.0]);
    /// # Ok::<(), rjax::Error>(())
    /// ```
    pub fn at(&self, indices: &[Index]) -> IndexUpdate {
        IndexUpdate::new(self, indices)
    }
}
