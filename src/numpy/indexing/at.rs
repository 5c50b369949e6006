//! Functional updates, JAX's `x.at[idx].set(y)` and friends (`_IndexUpdateRef` and
//! `_scatter_update`): the index list's gather plan, transposed into one scatter.
//!
//! As in JAX, the update is promoted with `x`, broadcast to the shape of `x[idx]`, scattered,
//! and the result converted back to `x`'s dtype; out-of-bounds indices are dropped
//! ([`GatherScatterMode::FillOrDrop`]) unless another mode is chosen, and repeated indices
//! accumulate for `add`, `subtract`, `multiply`, `min` and `max`.

use super::gather_index::GatherIndexer;
use super::parse::Parsed;
use super::{Index, get};
use crate::array::convert;
use crate::lax::{
    self, GatherOptions, GatherScatterMode, ScatterDimensionNumbers, ScatterKind, ScatterOptions,
    unwrap_at_caller,
};
use crate::{Array, Error, IntoArray, Result, Scalar};

/// The updater that [`Array::at`] returns (JAX's `x.at[idx]`): each method returns a new array,
/// `x` with the elements `x[idx]` replaced, combined with values, or read.
///
/// ```
/// use rjax::{Array, idx};
///
/// let x = Array::from([1.0f32, 2.0, 3.0, 4.0]);
/// // Repeated indices accumulate: x.at[[0, 0, 3]].add(10).
/// let y = x.at(&idx![[0, 0, 3]]).add(10.0);
/// assert_eq!(y.to_vec::<f32>()?, vec![21.0, 2.0, 3.0, 14.0]);
/// // Out-of-bounds updates are dropped; out-of-bounds reads can be filled.
/// assert_eq!(x.at(&idx![[1, 9]]).set(0.0).to_vec::<f32>()?, vec![1.0, 0.0, 3.0, 4.0]);
/// let filled = x.at(&idx![[1, 9]]).mode(rjax::lax::GatherScatterMode::FillOrDrop).get();
/// assert!(filled.to_vec::<f32>()?[1].is_nan());
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IndexUpdate {
    array: Array,
    indices: Vec<Index>,
    mode: Option<GatherScatterMode>,
    fill_value: Option<Scalar>,
}

impl IndexUpdate {
    /// The updater of `array` at `indices`.
    pub(super) fn new(array: &Array, indices: &[Index]) -> Self {
        IndexUpdate {
            array: array.clone(),
            indices: indices.to_vec(),
            mode: None,
            fill_value: None,
        }
    }

    /// Out-of-bounds handling (JAX's `mode=`): by default [`get`](Self::get) promises the
    /// indices are in bounds (so XLA clamps them, and static integers out of range panic) and
    /// the updates drop out-of-bounds indices.
    pub fn mode(self, mode: GatherScatterMode) -> Self {
        IndexUpdate {
            mode: Some(mode),
            ..self
        }
    }

    /// What [`get`](Self::get) returns for out-of-bounds indices in
    /// [`GatherScatterMode::FillOrDrop`] (JAX's `fill_value=`; by default NaN for inexact
    /// dtypes, the lowest signed or highest unsigned integer, `true`).
    pub fn fill_value(self, value: Scalar) -> Self {
        IndexUpdate {
            fill_value: Some(value),
            ..self
        }
    }

    /// `x[idx]`, with this updater's mode and fill value.
    #[track_caller]
    pub fn get(&self) -> Array {
        let options = GatherOptions {
            fill_value: self.fill_value,
            ..self
                .mode
                .unwrap_or(GatherScatterMode::PromiseInBounds)
                .into()
        };
        unwrap_at_caller(get("at().get", &self.array, &self.indices, options))
    }

    /// `x` with `x[idx] = values` (`values` broadcast to the shape of `x[idx]`; with repeated
    /// indices, which value wins is unspecified).
    #[track_caller]
    pub fn set(&self, values: impl IntoArray) -> Array {
        self.apply("at().set", ScatterKind::Set, &self.array, values)
    }

    /// `x` with `x[idx] += values`; repeated indices accumulate.
    #[track_caller]
    pub fn add(&self, values: impl IntoArray) -> Array {
        self.apply("at().add", ScatterKind::Add, &self.array, values)
    }

    /// `x` with `x[idx] -= values`; repeated indices accumulate.
    #[track_caller]
    pub fn subtract(&self, values: impl IntoArray) -> Array {
        self.apply("at().subtract", ScatterKind::Sub, &self.array, values)
    }

    /// `x` with `x[idx] *= values`; repeated indices accumulate.
    #[track_caller]
    pub fn multiply(&self, values: impl IntoArray) -> Array {
        self.apply("at().multiply", ScatterKind::Mul, &self.array, values)
    }

    /// [`multiply`](Self::multiply), by JAX's short name.
    #[track_caller]
    pub fn mul(&self, values: impl IntoArray) -> Array {
        self.multiply(values)
    }

    /// `x` with `x[idx] /= values` (true division, as `x / y`: integer arrays give floats).
    #[track_caller]
    pub fn divide(&self, values: impl IntoArray) -> Array {
        &self.array / self.factors("at().divide", values)
    }

    /// `x` with `x[idx] **= values` (for inexact dtypes, as [`Array::pow`]).
    #[track_caller]
    pub fn power(&self, values: impl IntoArray) -> Array {
        self.array.pow(self.factors("at().power", values))
    }

    /// `x` with `x[idx] = minimum(x[idx], values)`; repeated indices take the least.
    #[track_caller]
    pub fn min(&self, values: impl IntoArray) -> Array {
        self.apply("at().min", ScatterKind::Min, &self.array, values)
    }

    /// `x` with `x[idx] = maximum(x[idx], values)`; repeated indices take the greatest.
    #[track_caller]
    pub fn max(&self, values: impl IntoArray) -> Array {
        self.apply("at().max", ScatterKind::Max, &self.array, values)
    }

    /// Ones like `x` multiplied by `values` at `idx` (JAX's divide and power go through this).
    #[track_caller]
    fn factors(&self, op: &str, values: impl IntoArray) -> Array {
        let one = super::super::scalar_like(1, &self.array);
        let ones = lax::broadcast_in_dim(&one, self.array.shape(), &[]);
        self.apply(op, ScatterKind::Mul, &ones, values)
    }

    /// `operand` (shaped as `x`) combined with `values` at `idx` by `kind`.
    #[track_caller]
    fn apply(&self, op: &str, kind: ScatterKind, operand: &Array, values: impl IntoArray) -> Array {
        let mode = self.mode.unwrap_or(GatherScatterMode::FillOrDrop);
        let values = values.into_array();
        unwrap_at_caller(scatter(op, kind, operand, &self.indices, &values, mode))
    }
}

/// `x` with `values` combined into `x[indices]` by one scatter of `kind` (JAX's
/// `_scatter_update`).
fn scatter(
    op: &str,
    kind: ScatterKind,
    x: &Array,
    indices: &[Index],
    values: &Array,
    mode: GatherScatterMode,
) -> Result<Array> {
    let parsed = Parsed::new(op, x, indices)?;
    let indexer = GatherIndexer::new(op, &parsed)?;
    if indexer.is_empty() {
        return Ok(x.clone());
    }
    let promoted = super::super::promote(&[x.clone(), values.clone()])?;
    let (operand, mut y) = (&promoted[0], promoted[1].clone());
    y = super::super::broadcast_array(&y, &indexer.slice_shape).map_err(|_| {
        Error::invalid(
            op,
            format!(
                "cannot broadcast the update of type {} to the shape {:?} of the indexed elements of an array of type {}",
                values.aval(),
                indexer.slice_shape,
                x.aval()
            ),
        )
    })?;
    if !indexer.newaxis_dims.is_empty() {
        y = lax::squeeze(&y, &indexer.newaxis_dims);
    }
    if !indexer.reversed_y_dims.is_empty() {
        y = lax::rev(&y, &indexer.reversed_y_dims);
    }
    let dnums = ScatterDimensionNumbers {
        update_window_dims: indexer.dnums.offset_dims.clone(),
        inserted_window_dims: indexer.dnums.collapsed_slice_dims.clone(),
        scatter_dims_to_operand_dims: indexer.dnums.start_index_map.clone(),
        ..ScatterDimensionNumbers::default()
    };
    let options = ScatterOptions {
        mode,
        indices_are_sorted: indexer.no_advanced,
        unique_indices: indexer.no_advanced,
    };
    type Scatter = fn(&Array, &Array, &Array, ScatterDimensionNumbers, ScatterOptions) -> Array;
    let scatter: Scatter = match kind {
        ScatterKind::Set => |o, i, u, d, opts| lax::scatter(o, i, u, d, opts),
        ScatterKind::Add => |o, i, u, d, opts| lax::scatter_add(o, i, u, d, opts),
        ScatterKind::Sub => |o, i, u, d, opts| lax::scatter_sub(o, i, u, d, opts),
        ScatterKind::Mul => |o, i, u, d, opts| lax::scatter_mul(o, i, u, d, opts),
        ScatterKind::Min => |o, i, u, d, opts| lax::scatter_min(o, i, u, d, opts),
        ScatterKind::Max => |o, i, u, d, opts| lax::scatter_max(o, i, u, d, opts),
    };
    let out = scatter(operand, &indexer.indices, &y, dnums, options);
    convert(&out, x.dtype(), x.weak_type())
}
