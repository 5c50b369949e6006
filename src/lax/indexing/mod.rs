//! Indexing primitives (JAX's `lax.slicing`, `lax.rev` and `lax.pad`): rev, pad,
//! dynamic_slice, dynamic_update_slice, gather and the scatter family, with their parameters
//! and public functions. The shape rules and lowerings of gather and the scatters are in the
//! child module `gather_scatter`.
//!
//! Gather and scatter take JAX's dimension numbers, whose index vector dimension is always the
//! last dimension of the indices, and JAX's [`GatherScatterMode`]s for out-of-bounds indices.

mod gather_scatter;

use std::fmt;
use std::hash::{Hash, Hasher};

use super::{add, apply, apply_owned, arrays, lt, select_n};
use crate::abstract_value::ShapedArray;
use crate::core::Primitive;
use crate::lowering::{FunctionBuilder, i64_array};
use crate::scalar::Scalar;
use crate::{Array, DType, Error, IntoArray, Result};

/// A Python tuple of integers: `()`, `(1,)`, `(1, 2)`.
fn tuple<T: fmt::Display>(values: &[T]) -> String {
    match values {
        [one] => format!("({one},)"),
        _ => {
            let items: Vec<String> = values.iter().map(T::to_string).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// How [`gather`] and the scatters treat indices whose slice would leave the operand (JAX's
/// `GatherScatterMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatherScatterMode {
    /// Clamp the start indices so that the whole slice or window is in bounds.
    Clip,
    /// A gather fills an out-of-bounds slice with the fill value; a scatter drops an
    /// out-of-bounds window. The default of the scatters.
    FillOrDrop,
    /// The caller promises the indices are in bounds (XLA then clamps gathers and drops
    /// scatters). The default of [`gather`].
    PromiseInBounds,
}

impl fmt::Display for GatherScatterMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GatherScatterMode::Clip => "GatherScatterMode.CLIP",
            GatherScatterMode::FillOrDrop => "GatherScatterMode.FILL_OR_DROP",
            GatherScatterMode::PromiseInBounds => "GatherScatterMode.PROMISE_IN_BOUNDS",
        })
    }
}

/// How the dimensions of a [`gather`]'s operand, indices and output relate (JAX's
/// `GatherDimensionNumbers`; the index vector dimension is the last dimension of the indices).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GatherDimensionNumbers {
    /// The output dimensions that index into a slice, ascending.
    pub offset_dims: Vec<usize>,
    /// The operand dimensions of slice size 1 that have no output dimension, ascending.
    pub collapsed_slice_dims: Vec<usize>,
    /// For each component of an index vector, the operand dimension it starts.
    pub start_index_map: Vec<usize>,
    /// Operand dimensions (slice size 0 or 1) paired with batch dimensions of the indices,
    /// ascending.
    pub operand_batching_dims: Vec<usize>,
    /// The indices' dimensions paired with `operand_batching_dims`.
    pub start_indices_batching_dims: Vec<usize>,
}

impl fmt::Display for GatherDimensionNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GatherDimensionNumbers(offset_dims={}, collapsed_slice_dims={}, start_index_map={}, operand_batching_dims={}, start_indices_batching_dims={})",
            tuple(&self.offset_dims),
            tuple(&self.collapsed_slice_dims),
            tuple(&self.start_index_map),
            tuple(&self.operand_batching_dims),
            tuple(&self.start_indices_batching_dims)
        )
    }
}

/// How the dimensions of a scatter's operand, indices and updates relate (JAX's
/// `ScatterDimensionNumbers`; the index vector dimension is the last dimension of the indices).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ScatterDimensionNumbers {
    /// The updates' dimensions that index into a window, ascending.
    pub update_window_dims: Vec<usize>,
    /// The operand dimensions of window size 1 that have no updates dimension, ascending.
    pub inserted_window_dims: Vec<usize>,
    /// For each component of an index vector, the operand dimension it starts.
    pub scatter_dims_to_operand_dims: Vec<usize>,
    /// Operand dimensions paired with batch dimensions of the indices, ascending.
    pub operand_batching_dims: Vec<usize>,
    /// The indices' dimensions paired with `operand_batching_dims`.
    pub scatter_indices_batching_dims: Vec<usize>,
}

impl fmt::Display for ScatterDimensionNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ScatterDimensionNumbers(update_window_dims={}, inserted_window_dims={}, scatter_dims_to_operand_dims={}, operand_batching_dims={}, scatter_indices_batching_dims={})",
            tuple(&self.update_window_dims),
            tuple(&self.inserted_window_dims),
            tuple(&self.scatter_dims_to_operand_dims),
            tuple(&self.operand_batching_dims),
            tuple(&self.scatter_indices_batching_dims)
        )
    }
}

/// A gather's fill value; equal and hashed by its bits, printed as Python prints it.
#[derive(Debug, Clone, Copy)]
pub struct FillValue(pub Scalar);

impl FillValue {
    fn key(self) -> (u8, u64) {
        match self.0 {
            Scalar::Bool(b) => (0, u64::from(b)),
            Scalar::Int(i) => (1, i as u64),
            Scalar::UInt(u) => (2, u),
            Scalar::Float(x) => (3, x.to_bits()),
        }
    }

    /// JAX's default: NaN for inexact dtypes, the lowest signed and the highest unsigned
    /// integer, `True` for bool.
    fn default_for(dtype: DType) -> FillValue {
        let bits = 8 * dtype.size_in_bytes() as u32;
        FillValue(match dtype {
            DType::Bool => Scalar::Bool(true),
            _ if dtype.is_signed_int() => Scalar::Int(i64::MIN >> (64 - bits)),
            _ if dtype.is_unsigned_int() => Scalar::UInt(u64::MAX >> (64 - bits)),
            _ => Scalar::Float(f64::NAN),
        })
    }
}

impl PartialEq for FillValue {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for FillValue {}

impl Hash for FillValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for FillValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Scalar::Bool(b) => f.write_str(if b { "True" } else { "False" }),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::UInt(u) => write!(f, "{u}"),
            Scalar::Float(x) => f.write_str(&format!("{x:?}").replace("NaN", "nan")),
        }
    }
}

/// The keyword arguments of [`gather`]; a [`GatherScatterMode`] converts into them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GatherOptions {
    /// Out-of-bounds handling; JAX's default for `lax.gather` is `PromiseInBounds`.
    pub mode: GatherScatterMode,
    /// Whether the indices are known to be sorted.
    pub indices_are_sorted: bool,
    /// Whether the gathered slices are known not to overlap.
    pub unique_indices: bool,
    /// What `FillOrDrop` fills with; `None` is JAX's default for the dtype (NaN, the lowest
    /// signed integer, the highest unsigned integer, `true`).
    pub fill_value: Option<Scalar>,
}

impl Default for GatherOptions {
    fn default() -> Self {
        GatherScatterMode::PromiseInBounds.into()
    }
}

impl From<GatherScatterMode> for GatherOptions {
    fn from(mode: GatherScatterMode) -> Self {
        GatherOptions {
            mode,
            indices_are_sorted: false,
            unique_indices: false,
            fill_value: None,
        }
    }
}

/// The keyword arguments of the scatters; a [`GatherScatterMode`] converts into them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScatterOptions {
    /// Out-of-bounds handling; JAX's default for the scatters is `FillOrDrop`.
    pub mode: GatherScatterMode,
    /// Whether the indices are known to be sorted.
    pub indices_are_sorted: bool,
    /// Whether the indices are known not to repeat.
    pub unique_indices: bool,
}

impl Default for ScatterOptions {
    fn default() -> Self {
        GatherScatterMode::FillOrDrop.into()
    }
}

impl From<GatherScatterMode> for ScatterOptions {
    fn from(mode: GatherScatterMode) -> Self {
        ScatterOptions {
            mode,
            indices_are_sorted: false,
            unique_indices: false,
        }
    }
}

/// How a scatter combines an update with the operand element it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScatterKind {
    /// Replace (`scatter`; with repeated indices, one of the updates wins).
    Set,
    /// Add (`scatter-add`).
    Add,
    /// Subtract (`scatter-sub`).
    Sub,
    /// Multiply (`scatter-mul`).
    Mul,
    /// Minimum (`scatter-min`).
    Min,
    /// Maximum (`scatter-max`).
    Max,
}

impl ScatterKind {
    /// JAX's name of the primitive.
    pub fn name(self) -> &'static str {
        match self {
            ScatterKind::Set => "scatter",
            ScatterKind::Add => "scatter-add",
            ScatterKind::Sub => "scatter-sub",
            ScatterKind::Mul => "scatter-mul",
            ScatterKind::Min => "scatter-min",
            ScatterKind::Max => "scatter-max",
        }
    }

    /// The jaxpr primitive and StableHLO op of the update computation (none for `Set`).
    fn combiner(self) -> Option<(&'static str, &'static str)> {
        match self {
            ScatterKind::Set => None,
            ScatterKind::Add => Some(("add", "stablehlo.add")),
            ScatterKind::Sub => Some(("sub", "stablehlo.subtract")),
            ScatterKind::Mul => Some(("mul", "stablehlo.multiply")),
            ScatterKind::Min => Some(("min", "stablehlo.minimum")),
            ScatterKind::Max => Some(("max", "stablehlo.maximum")),
        }
    }

    fn accepts(self, dtype: DType) -> bool {
        match self {
            ScatterKind::Set => true,
            ScatterKind::Add | ScatterKind::Sub | ScatterKind::Mul => dtype != DType::Bool,
            ScatterKind::Min | ScatterKind::Max => !dtype.is_complex(),
        }
    }
}

/// The parameters of `gather` (JAX's `gather_p`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GatherParams {
    /// How operand, indices and output dimensions relate.
    pub dimension_numbers: GatherDimensionNumbers,
    /// The size of the slice taken at each index vector.
    pub slice_sizes: Vec<usize>,
    /// Whether the indices are known to be sorted.
    pub indices_are_sorted: bool,
    /// Whether the slices are known not to overlap.
    pub unique_indices: bool,
    /// Out-of-bounds handling.
    pub mode: GatherScatterMode,
    /// The fill value of `FillOrDrop` (`None` otherwise, or for the dtype's default).
    pub fill_value: Option<FillValue>,
}

/// The parameters of the scatters (JAX's `scatter_p`, `scatter_add_p`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScatterParams {
    /// How updates combine with the operand, which names the primitive.
    pub kind: ScatterKind,
    /// How operand, indices and updates dimensions relate.
    pub dimension_numbers: ScatterDimensionNumbers,
    /// Whether the indices are known to be sorted.
    pub indices_are_sorted: bool,
    /// Whether the indices are known not to repeat.
    pub unique_indices: bool,
    /// Out-of-bounds handling.
    pub mode: GatherScatterMode,
    /// The operand's dtype, for which JAX's `update_jaxpr` parameter is built.
    pub dtype: DType,
}

/// The primitives of this family, with their parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexingOp {
    /// `rev`: reversal of `dimensions`.
    Rev {
        /// The reversed dimensions.
        dimensions: Vec<usize>,
    },
    /// `pad(operand, padding_value)`: `(low, high, interior)` per dimension; negative edges
    /// remove elements.
    Pad {
        /// `(low, high, interior)` for each dimension.
        padding_config: Vec<(i64, i64, usize)>,
    },
    /// `dynamic_slice(operand, *start_indices)`: the starts are clamped so that the slice fits.
    DynamicSlice {
        /// The size of the slice in each dimension.
        slice_sizes: Vec<usize>,
    },
    /// `dynamic_update_slice(operand, update, *start_indices)`, the starts clamped likewise.
    DynamicUpdateSlice,
    /// `gather(operand, indices)`.
    Gather(GatherParams),
    /// The scatters, `scatter`, `scatter-add`, ...: `(operand, indices, updates)`.
    Scatter(ScatterParams),
}

impl IndexingOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match self {
            IndexingOp::Rev { .. } => "rev",
            IndexingOp::Pad { .. } => "pad",
            IndexingOp::DynamicSlice { .. } => "dynamic_slice",
            IndexingOp::DynamicUpdateSlice => "dynamic_update_slice",
            IndexingOp::Gather(_) => "gather",
            IndexingOp::Scatter(params) => params.kind.name(),
        }
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        match self {
            IndexingOp::Rev { dimensions } => vec![format!("dimensions={}", tuple(dimensions))],
            IndexingOp::Pad { padding_config } => {
                let dims: Vec<String> = padding_config
                    .iter()
                    .map(|(low, high, interior)| format!("({low}, {high}, {interior})"))
                    .collect();
                vec![format!("padding_config={}", tuple(&dims))]
            }
            IndexingOp::DynamicSlice { slice_sizes } => {
                vec![format!("slice_sizes={}", tuple(slice_sizes))]
            }
            IndexingOp::DynamicUpdateSlice => vec![],
            IndexingOp::Gather(params) => params.params_text(),
            IndexingOp::Scatter(params) => params.params_text(),
        }
    }

    /// The output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let out = match self {
            IndexingOp::Rev { dimensions } => rev_abstract_eval(dimensions, avals)?,
            IndexingOp::Pad { padding_config } => pad_abstract_eval(padding_config, avals)?,
            IndexingOp::DynamicSlice { slice_sizes } => {
                dynamic_slice_abstract_eval(slice_sizes, avals)?
            }
            IndexingOp::DynamicUpdateSlice => dynamic_update_slice_abstract_eval(avals)?,
            IndexingOp::Gather(params) => params.abstract_eval(avals)?,
            IndexingOp::Scatter(params) => params.abstract_eval(avals)?,
        };
        Ok(vec![out])
    }

    /// Emits the StableHLO for this primitive.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        let value = match self {
            IndexingOp::Rev { dimensions } => f.op(
                "stablehlo.reverse",
                args,
                avals_in,
                avals_out,
                &format!("dimensions = {}", i64_array(dimensions)),
            ),
            IndexingOp::Pad { padding_config } => {
                let column = |pick: fn(&(i64, i64, usize)) -> i64| {
                    let values: Vec<i64> = padding_config.iter().map(pick).collect();
                    signed_array(&values)
                };
                let attributes = format!(
                    "edge_padding_low = {}, edge_padding_high = {}, interior_padding = {}",
                    column(|c| c.0),
                    column(|c| c.1),
                    column(|c| c.2 as i64)
                );
                f.op("stablehlo.pad", args, avals_in, avals_out, &attributes)
            }
            IndexingOp::DynamicSlice { slice_sizes } => f.op(
                "stablehlo.dynamic_slice",
                args,
                avals_in,
                avals_out,
                &format!("slice_sizes = {}", i64_array(slice_sizes)),
            ),
            IndexingOp::DynamicUpdateSlice => f.op(
                "stablehlo.dynamic_update_slice",
                args,
                avals_in,
                avals_out,
                "",
            ),
            IndexingOp::Gather(params) => params.lower(f, args, avals_in, &avals_out[0])?,
            IndexingOp::Scatter(params) => params.lower(f, args, avals_in, &avals_out[0])?,
        };
        Ok(vec![value])
    }
}

/// An `array<i64: ...>` attribute of possibly negative values.
fn signed_array(values: &[i64]) -> String {
    let items: Vec<String> = values.iter().map(i64::to_string).collect();
    if items.is_empty() {
        "array<i64>".to_string()
    } else {
        format!("array<i64: {}>", items.join(", "))
    }
}

/// Whether `values` are distinct and each below `bound`.
fn distinct_below(values: &[usize], bound: usize) -> bool {
    let mut seen = vec![false; bound];
    values
        .iter()
        .all(|&v| v < bound && !std::mem::replace(&mut seen[v], true))
}

/// Checks that `dims` are distinct, below `bound` and, if `sorted`, ascending.
fn check_dims(what: &str, dims: &[usize], bound: usize, sorted: bool) -> Result<(), String> {
    if !distinct_below(dims, bound) || (sorted && dims.windows(2).any(|w| w[0] > w[1])) {
        let order = if sorted { "ascending, " } else { "" };
        return Err(format!(
            "{what} {dims:?} must be {order}distinct and below {bound}"
        ));
    }
    Ok(())
}

/// Checks that the two dimension lists share no dimension.
fn check_disjoint(names: (&str, &str), a: &[usize], b: &[usize]) -> Result<(), String> {
    if a.iter().any(|d| b.contains(d)) {
        return Err(format!(
            "{} {a:?} and {} {b:?} must be disjoint",
            names.0, names.1
        ));
    }
    Ok(())
}

fn operands<'a, const N: usize>(
    name: &str,
    avals: &'a [ShapedArray],
) -> Result<&'a [ShapedArray; N]> {
    avals
        .try_into()
        .map_err(|_| Error::invalid(name, format!("takes {N} operands, got {}", avals.len())))
}

fn rev_abstract_eval(dimensions: &[usize], avals: &[ShapedArray]) -> Result<ShapedArray> {
    let [x] = operands("rev", avals)?;
    check_dims("dimensions", dimensions, x.ndim(), false)
        .map_err(|why| Error::invalid("rev", format!("{why} for an operand of type {x}")))?;
    Ok(x.clone())
}

fn pad_abstract_eval(config: &[(i64, i64, usize)], avals: &[ShapedArray]) -> Result<ShapedArray> {
    let [x, value] = operands("pad", avals)?;
    let fail = |why: &str| {
        Err(Error::invalid(
            "pad",
            format!("{why}: operand {x}, padding_value {value}, padding_config {config:?}"),
        ))
    };
    if x.dtype != value.dtype || value.ndim() != 0 {
        return fail("padding_value must be a scalar of the operand's dtype");
    }
    if config.len() != x.ndim() {
        return fail("padding_config needs one (low, high, interior) per operand dimension");
    }
    let mut shape = Vec::with_capacity(x.ndim());
    for (&size, &(low, high, interior)) in x.shape.iter().zip(config) {
        // In i128, which no i64 padding or usize size can overflow; the shape check of every
        // output then rejects a dimension beyond i64.
        let dilated = if size == 0 {
            0
        } else {
            size as i128 + (size as i128 - 1) * interior as i128
        };
        let padded = low as i128 + high as i128 + dilated;
        if padded < 0 {
            return fail("a padded dimension would have a negative size");
        }
        match usize::try_from(padded) {
            Ok(padded) => shape.push(padded),
            Err(_) => return fail("a padded dimension would not fit in a signed 64-bit integer"),
        }
    }
    Ok(ShapedArray {
        shape,
        dtype: x.dtype,
        weak_type: x.weak_type && value.weak_type,
    })
}

/// Checks the scalar start indices of `dynamic_slice` and `dynamic_update_slice`.
fn check_start_indices(name: &str, x: &ShapedArray, indices: &[ShapedArray]) -> Result<()> {
    let types: Vec<String> = indices.iter().map(ShapedArray::to_string).collect();
    let fits = indices.len() == x.ndim()
        && indices
            .iter()
            .all(|i| i.ndim() == 0 && i.dtype.is_int() && i.dtype == indices[0].dtype);
    if !fits {
        return Err(Error::invalid(
            name,
            format!(
                "needs one scalar start index per dimension of the operand {x}, all of one integer dtype; got [{}]",
                types.join(", ")
            ),
        ));
    }
    Ok(())
}

fn dynamic_slice_abstract_eval(
    slice_sizes: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let Some((x, indices)) = avals.split_first() else {
        return Err(Error::invalid("dynamic_slice", "needs an operand"));
    };
    check_start_indices("dynamic_slice", x, indices)?;
    if slice_sizes.len() != x.ndim() || slice_sizes.iter().zip(&x.shape).any(|(s, d)| s > d) {
        return Err(Error::invalid(
            "dynamic_slice",
            format!(
                "slice_sizes {slice_sizes:?} must have one size per dimension of {x}, none larger than it"
            ),
        ));
    }
    Ok(x.with_shape(slice_sizes))
}

fn dynamic_update_slice_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    let [x, update, indices @ ..] = avals else {
        return Err(Error::invalid(
            "dynamic_update_slice",
            "needs an operand and an update",
        ));
    };
    let fits = x.dtype == update.dtype
        && x.ndim() == update.ndim()
        && update.shape.iter().zip(&x.shape).all(|(u, d)| u <= d);
    if !fits {
        return Err(Error::invalid(
            "dynamic_update_slice",
            format!(
                "the update {update} must have the operand {x}'s dtype and rank and fit inside it"
            ),
        ));
    }
    check_start_indices("dynamic_update_slice", x, indices)?;
    Ok(ShapedArray {
        shape: x.shape.clone(),
        dtype: x.dtype,
        weak_type: avals.iter().all(|aval| aval.weak_type),
    })
}

/// Reverses `x` along `dimensions`.
#[track_caller]
pub fn rev(x: impl IntoArray, dimensions: &[usize]) -> Array {
    let dimensions = dimensions.to_vec();
    apply_owned(
        Primitive::Indexing(IndexingOp::Rev { dimensions }),
        [x.into_array()],
    )
}

/// Pads `x` with the scalar `padding_value` (of `x`'s dtype): `(low, high, interior)` elements
/// per dimension before, after and between the elements; negative `low`/`high` remove
/// elements from the edges.
#[track_caller]
pub fn pad(
    x: impl IntoArray,
    padding_value: impl IntoArray,
    padding_config: &[(i64, i64, usize)],
) -> Array {
    let padding_config = padding_config.to_vec();
    apply_owned(
        Primitive::Indexing(IndexingOp::Pad { padding_config }),
        [x.into_array(), padding_value.into_array()],
    )
}

/// JAX's `_dynamic_slice_indices`: a negative signed start index counts from the end of its
/// dimension (`i + size`).
fn normalize_start_indices(x: &Array, start_indices: Vec<Array>) -> Vec<Array> {
    start_indices
        .into_iter()
        .zip(x.shape().iter().chain(std::iter::repeat(&0)))
        .map(|(index, &size)| {
            let dtype = index.dtype();
            if index.ndim() != 0 || !dtype.is_signed_int() {
                return index;
            }
            let constant = |value: i64| {
                Array::from_host_bytes(
                    &Scalar::Int(value).to_bytes(dtype),
                    dtype,
                    Vec::new(),
                    false,
                )
            };
            let negative = lt(&index, constant(0));
            let wrapped = add(&index, constant(size as i64));
            select_n(negative, [index, wrapped])
        })
        .collect()
}

/// The slice of `x` of size `slice_sizes` starting at the scalar integer `start_indices` (one
/// per dimension, any list: `&[&i, &j]`, `[i, j]`, a `Vec`). As in JAX, a negative index
/// counts from the end, and the start is then clamped so that the slice fits in `x`.
#[track_caller]
pub fn dynamic_slice(
    x: impl IntoArray,
    start_indices: impl IntoIterator<Item = impl IntoArray>,
    slice_sizes: &[usize],
) -> Array {
    let x = x.into_array();
    let indices = normalize_start_indices(&x, arrays(start_indices));
    let mut args = vec![x];
    args.extend(indices);
    let slice_sizes = slice_sizes.to_vec();
    apply_owned(
        Primitive::Indexing(IndexingOp::DynamicSlice { slice_sizes }),
        args,
    )
}

/// `x` with `update` written over it starting at the scalar integer `start_indices`; as in
/// [`dynamic_slice`], a negative index counts from the end and the start is clamped so that the
/// update fits.
#[track_caller]
pub fn dynamic_update_slice(
    x: impl IntoArray,
    update: impl IntoArray,
    start_indices: impl IntoIterator<Item = impl IntoArray>,
) -> Array {
    let x = x.into_array();
    let indices = normalize_start_indices(&x, arrays(start_indices));
    let mut args = vec![x, update.into_array()];
    args.extend(indices);
    apply_owned(Primitive::Indexing(IndexingOp::DynamicUpdateSlice), args)
}

/// XLA's gather: slices of `operand` of size `slice_sizes` starting at the index vectors in the
/// last dimension of `start_indices`. `options` is a [`GatherScatterMode`] or
/// [`GatherOptions`].
#[track_caller]
pub fn gather(
    operand: impl IntoArray,
    start_indices: impl IntoArray,
    dimension_numbers: GatherDimensionNumbers,
    slice_sizes: &[usize],
    options: impl Into<GatherOptions>,
) -> Array {
    let (operand, start_indices) = (operand.into_array(), start_indices.into_array());
    let options = options.into();
    let fill_value = (options.mode == GatherScatterMode::FillOrDrop).then(|| {
        options
            .fill_value
            .map_or_else(|| FillValue::default_for(operand.dtype()), FillValue)
    });
    let op = IndexingOp::Gather(GatherParams {
        dimension_numbers,
        slice_sizes: slice_sizes.to_vec(),
        indices_are_sorted: options.indices_are_sorted,
        unique_indices: options.unique_indices,
        mode: options.mode,
        fill_value,
    });
    apply_owned(Primitive::Indexing(op), [operand, start_indices])
}

#[track_caller]
fn scatter_with(
    kind: ScatterKind,
    operand: &Array,
    scatter_indices: &Array,
    updates: &Array,
    dimension_numbers: ScatterDimensionNumbers,
    options: ScatterOptions,
) -> Array {
    let op = IndexingOp::Scatter(ScatterParams {
        kind,
        dimension_numbers,
        indices_are_sorted: options.indices_are_sorted,
        unique_indices: options.unique_indices,
        mode: options.mode,
        dtype: operand.dtype(),
    });
    apply(
        Primitive::Indexing(op),
        &[operand, scatter_indices, updates],
    )
}

macro_rules! scatters {
    ($($(#[$doc:meta])* $name:ident => $kind:ident),* $(,)?) => {$(
        $(#[$doc])*
        ///
        /// The index vectors are the last dimension of `scatter_indices`; `options` is a
        /// [`GatherScatterMode`] or [`ScatterOptions`].
        #[track_caller]
        pub fn $name(
            operand: impl IntoArray,
            scatter_indices: impl IntoArray,
            updates: impl IntoArray,
            dimension_numbers: ScatterDimensionNumbers,
            options: impl Into<ScatterOptions>,
        ) -> Array {
            let options = options.into();
            let (operand, scatter_indices, updates) =
                (operand.into_array(), scatter_indices.into_array(), updates.into_array());
            scatter_with(ScatterKind::$kind, &operand, &scatter_indices, &updates, dimension_numbers, options)
        }
    )*};
}

scatters! {
    /// XLA's scatter with replacement: `operand` with `updates` written at the windows the
    /// index vectors start (with repeated indices, which update wins is unspecified).
    scatter => Set,
    /// `operand` with `updates` added at the windows the index vectors start (repeated
    /// indices accumulate).
    scatter_add => Add,
    /// `operand` with `updates` subtracted at the windows the index vectors start.
    scatter_sub => Sub,
    /// `operand` multiplied by `updates` at the windows the index vectors start.
    scatter_mul => Mul,
    /// The minimum of `operand` and `updates` at the windows the index vectors start.
    scatter_min => Min,
    /// The maximum of `operand` and `updates` at the windows the index vectors start.
    scatter_max => Max,
}
