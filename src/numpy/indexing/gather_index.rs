//! General indexing through one XLA gather (JAX's `_index_to_gather` and `_gather`): the
//! index list becomes gather indices, dimension numbers and slice sizes, the same plan the
//! functional updates of [`super::at`] transpose into a scatter.
//!
//! NumPy's rule for where the dimensions of advanced indexing go: when the integers and index
//! arrays are adjacent in the index list, their broadcast shape replaces them in place;
//! otherwise it comes first.

use super::parse::{Item, Parsed};
use super::{index_constant, index_dtype};
use crate::array::broadcast_shapes;
use crate::lax::{self, GatherDimensionNumbers, GatherOptions};
use crate::{Array, DType, Error, Result};

/// A gather equivalent to an index list (JAX's `_GatherIndexer`).
pub(super) struct GatherIndexer {
    /// The shape of `x[idx]`.
    pub slice_shape: Vec<usize>,
    /// The slice sizes of the gather.
    pub gather_slice_shape: Vec<usize>,
    /// The gather indices, index vectors along the last dimension.
    pub indices: Array,
    /// The gather's dimension numbers.
    pub dnums: GatherDimensionNumbers,
    /// Whether there are no index arrays, so the gathered slices are unique and sorted.
    pub no_advanced: bool,
    /// The dimensions of the gather's output taken by negative steps, to reverse.
    pub reversed_y_dims: Vec<usize>,
    /// The dimensions of `x[idx]` that `NewAxis` inserts.
    pub newaxis_dims: Vec<usize>,
}

/// `i`, counted from the end of a dimension of `size` when negative (JAX's
/// `normalize_indices`; unsigned arrays are left alone).
fn normalize(item: Item, size: usize) -> Item {
    match item {
        Item::Int(i) if i < 0 => Item::Int(i + size as i64),
        Item::Array(a) if a.dtype().is_signed_int() => {
            let dtype = a.dtype();
            let zero = index_constant(&[0], &[], dtype);
            let size = index_constant(&[size as i64], &[], dtype);
            let zero = lax::broadcast_in_dim(&zero, a.shape(), &[]);
            let size = lax::broadcast_in_dim(&size, a.shape(), &[]);
            let negative = lax::lt(&a, &zero);
            Item::Array(lax::select_n(&negative, [&a, &lax::add(&a, &size)]))
        }
        other => other,
    }
}

/// `arrays` broadcast to their common shape.
fn broadcast_all(op: &str, arrays: &[Array]) -> Result<Vec<Array>> {
    let shapes: Vec<&[usize]> = arrays.iter().map(Array::shape).collect();
    let shape = broadcast_shapes(&shapes).ok_or_else(|| {
        Error::invalid(
            op,
            format!("shape mismatch: indexing arrays could not be broadcast together with shapes {shapes:?}"),
        )
    })?;
    arrays
        .iter()
        .map(|a| super::super::broadcast_array(a, &shape))
        .collect()
}

impl GatherIndexer {
    /// The gather of `x[idx]` for `parsed`.
    pub(super) fn new(op: &str, parsed: &Parsed) -> Result<GatherIndexer> {
        let shape = &parsed.shape;
        let index_dtype = index_dtype(shape);
        let adjacent = parsed.integers_adjacent();
        // Every entry with the dimension of `x` it indexes, negative integers normalised.
        let mut items = Vec::new();
        let mut axis = 0;
        for item in parsed.expanded() {
            if matches!(item, Item::NewAxis) {
                items.push((item, None));
            } else {
                items.push((normalize(item, shape[axis]), Some(axis)));
                axis += 1;
            }
        }
        let advanced = items
            .iter()
            .any(|(item, _)| matches!(item, Item::Array(a) if a.ndim() > 0));
        // The advanced entries: their positions in `items`, arrays and dimensions of `x`.
        let (mut positions, mut arrays, mut x_axes) = (Vec::new(), Vec::new(), Vec::new());
        if advanced {
            for (position, (item, axis)) in items.iter().enumerate() {
                let array = match item {
                    Item::Int(i) => index_constant(&[*i], &[], index_dtype),
                    Item::Array(a) => a.clone(),
                    _ => continue,
                };
                positions.push(position);
                arrays.push(array);
                x_axes.push(axis.expect("integers index a dimension"));
            }
        }
        let mut plan = Plan::default();
        for (position, (item, axis)) in items.into_iter().enumerate() {
            let first = positions.first() == Some(&position);
            if advanced && ((adjacent && first) || (!adjacent && position == 0)) {
                plan.advanced(op, &arrays, &x_axes, index_dtype)?;
            }
            if positions.contains(&position) {
                plan.gather_slice_shape.push(1);
                continue;
            }
            let Some(axis) = axis else {
                plan.new_axis();
                continue;
            };
            let size = shape[axis];
            match item {
                Item::Int(_) | Item::Array(_) if size == 0 => {
                    return Err(Error::invalid(
                        op,
                        format!("index is out of bounds for axis {axis} with size 0"),
                    ));
                }
                Item::Int(i) => {
                    plan.point(&index_constant(&[i], &[], index_dtype), axis, index_dtype)
                }
                Item::Array(a) => plan.point(&a, axis, index_dtype),
                Item::Slice(s) => plan.slice(s.resolve(op, size)?, (axis, size), index_dtype),
                Item::NewAxis | Item::Ellipsis(_) => unreachable!("expanded, without a dimension"),
            }
        }
        Ok(plan.finish(!advanced, index_dtype))
    }

    /// Whether `x[idx]` has no elements, so no gather or scatter is needed.
    pub(super) fn is_empty(&self) -> bool {
        self.slice_shape.contains(&0)
    }

    /// `x[idx]` (of type `x`), gathered with `mode` and `fill_value`.
    pub(super) fn gather(&self, x: &Array, options: GatherOptions) -> Array {
        if self.is_empty() {
            let zero = super::super::scalar_like(0, x);
            return lax::broadcast_in_dim(&zero, &self.slice_shape, &[]);
        }
        let mut y = x.clone();
        if self.indices.size() != 0 {
            let options = GatherOptions {
                indices_are_sorted: options.indices_are_sorted || self.no_advanced,
                unique_indices: options.unique_indices || self.no_advanced,
                ..options
            };
            y = lax::gather(
                &y,
                &self.indices,
                self.dnums.clone(),
                &self.gather_slice_shape,
                options,
            );
        }
        if !self.reversed_y_dims.is_empty() {
            y = lax::rev(&y, &self.reversed_y_dims);
        }
        if self.newaxis_dims.is_empty() {
            y
        } else {
            lax::expand_dims(&y, &self.newaxis_dims)
        }
    }
}

/// The gather being built, entry by entry.
#[derive(Default)]
struct Plan {
    /// Index arrays with the dimension of the gather indices where theirs start.
    indices: Vec<(Array, usize)>,
    indices_shape: Vec<usize>,
    offset_dims: Vec<usize>,
    collapsed: Vec<usize>,
    start_index_map: Vec<usize>,
    slice_shape: Vec<usize>,
    gather_slice_shape: Vec<usize>,
    reversed_y_dims: Vec<usize>,
    newaxis_dims: Vec<usize>,
    /// The output dimensions so far, with and without those of `NewAxis`.
    y_axis: usize,
    collapsed_y_axis: usize,
}

impl Plan {
    /// The advanced entries together: `arrays` (broadcast to one shape, which the output
    /// takes here) indexing the dimensions `x_axes`. Index arrays are converted to `dtype`
    /// here and below.
    fn advanced(
        &mut self,
        op: &str,
        arrays: &[Array],
        x_axes: &[usize],
        dtype: DType,
    ) -> Result<()> {
        let broadcast = broadcast_all(op, arrays)?;
        let dims = broadcast[0].shape().to_vec();
        let start = self.indices_shape.len();
        for a in &broadcast {
            let a = lax::convert_element_type(a, dtype);
            self.indices.push((a, start));
        }
        self.indices_shape.extend(&dims);
        self.start_index_map.extend(x_axes);
        self.collapsed.extend(x_axes);
        self.slice_shape.extend(&dims);
        self.y_axis += dims.len();
        self.collapsed_y_axis += dims.len();
        Ok(())
    }

    /// A new output dimension of size 1.
    fn new_axis(&mut self) {
        self.slice_shape.push(1);
        self.newaxis_dims.push(self.y_axis);
        self.y_axis += 1;
    }

    /// A scalar integer `index` into dimension `axis` (outside advanced indexing).
    fn point(&mut self, index: &Array, axis: usize, dtype: DType) {
        let index = lax::convert_element_type(index, dtype);
        self.indices.push((index, self.indices_shape.len()));
        self.collapsed.push(axis);
        self.gather_slice_shape.push(1);
        self.start_index_map.push(axis);
    }

    /// The slice `(start, _, step, count)` of dimension `axis` (of `size`): a window when the
    /// step is 1, else gathered positions (in ascending order, reversed afterwards).
    fn slice(
        &mut self,
        (start, _, step, count): (i64, i64, i64, usize),
        (axis, size): (usize, usize),
        dtype: DType,
    ) {
        self.slice_shape.push(count);
        if step == 1 {
            if count != size {
                let start = index_constant(&[start], &[], dtype);
                self.indices.push((start, self.indices_shape.len()));
                self.start_index_map.push(axis);
            }
            self.gather_slice_shape.push(count);
            self.offset_dims.push(self.collapsed_y_axis);
        } else {
            let mut values: Vec<i64> = (0..count as i64).map(|k| start + step * k).collect();
            if step < 0 {
                self.reversed_y_dims.push(self.collapsed_y_axis);
                values.reverse();
            }
            let strided = index_constant(&values, &[count], dtype);
            self.gather_slice_shape.push(1);
            self.indices.push((strided, self.indices_shape.len()));
            self.start_index_map.push(axis);
            self.indices_shape.push(count);
            self.collapsed.push(axis);
        }
        self.collapsed_y_axis += 1;
        self.y_axis += 1;
    }

    /// The indexer: the index arrays broadcast into one array of index vectors.
    fn finish(mut self, no_advanced: bool, dtype: DType) -> GatherIndexer {
        let indices = match self.indices.as_slice() {
            [] => index_constant(&[], &[0], dtype),
            [(g, _)] => lax::expand_dims(g, &[g.ndim()]),
            _ => {
                let last = self.indices_shape.len();
                self.indices_shape.push(1);
                let parts: Vec<Array> = self
                    .indices
                    .iter()
                    .map(|(g, start)| {
                        let dims: Vec<usize> = (*start..start + g.ndim()).collect();
                        lax::broadcast_in_dim(g, &self.indices_shape, &dims)
                    })
                    .collect();
                let refs: Vec<&Array> = parts.iter().collect();
                lax::concatenate(&refs, last)
            }
        };
        self.collapsed.sort_unstable();
        GatherIndexer {
            slice_shape: self.slice_shape,
            gather_slice_shape: self.gather_slice_shape,
            indices,
            dnums: GatherDimensionNumbers {
                offset_dims: self.offset_dims,
                collapsed_slice_dims: self.collapsed,
                start_index_map: self.start_index_map,
                ..GatherDimensionNumbers::default()
            },
            no_advanced,
            reversed_y_dims: self.reversed_y_dims,
            newaxis_dims: self.newaxis_dims,
        }
    }
}
