//! Basic indexing without a gather (JAX's `_static_slice` and `_dynamic_slice`): an index
//! list of static integers, slices and `NewAxis` becomes `lax::slice` (then `rev` for negative
//! steps, `squeeze` for integers and `expand_dims` for new axes); one whose integers include
//! scalar integer arrays (tracers, say) and whose slices have unit steps becomes
//! `lax::dynamic_slice`, which clamps the starts into range as JAX does.

use super::parse::{Item, Parsed};
use super::{index_constant, index_dtype};
use crate::lax;
use crate::{Array, Error, Result};

/// The dimensions to reverse, remove and insert after slicing.
#[derive(Default)]
struct Reshape {
    rev_axes: Vec<usize>,
    squeeze_axes: Vec<usize>,
    newaxis_dims: Vec<usize>,
}

impl Reshape {
    /// Records a new axis after `sliced` sliced dimensions (counting those removed later).
    fn new_axis(&mut self, sliced: usize) {
        let dim = sliced - self.squeeze_axes.len() + self.newaxis_dims.len();
        self.newaxis_dims.push(dim);
    }

    /// `sliced` reversed, squeezed and expanded.
    #[track_caller]
    fn apply(&self, sliced: Array) -> Array {
        let mut y = sliced;
        if !self.rev_axes.is_empty() {
            y = lax::rev(&y, &self.rev_axes);
        }
        if !self.squeeze_axes.is_empty() {
            y = lax::squeeze(&y, &self.squeeze_axes);
        }
        if !self.newaxis_dims.is_empty() {
            y = lax::expand_dims(&y, &self.newaxis_dims);
        }
        y
    }
}

/// The error of an integer index into an empty dimension.
fn empty_axis(op: &str, axis: usize) -> Error {
    Error::invalid(
        op,
        format!("index is out of bounds for axis {axis} with size 0"),
    )
}

/// `x[idx]` through `lax::slice` if every entry is a static integer, slice, `NewAxis` or
/// the ellipsis; `None` otherwise. Integers out of range are clamped (the caller checks them
/// first unless the mode is `Clip`).
pub(super) fn static_slice(op: &str, x: &Array, parsed: &Parsed) -> Result<Option<Array>> {
    if parsed.items.iter().any(|i| matches!(i, Item::Array(_))) {
        return Ok(None);
    }
    let (mut starts, mut limits, mut strides) = (Vec::new(), Vec::new(), Vec::new());
    let mut reshape = Reshape::default();
    for item in parsed.expanded() {
        let axis = starts.len();
        let size = parsed.shape.get(axis).copied().unwrap_or(0) as i64;
        match item {
            Item::NewAxis => reshape.new_axis(axis),
            Item::Int(i) => {
                if size == 0 {
                    return Err(empty_axis(op, axis));
                }
                let start = (if i < 0 { i + size } else { i }).clamp(0, size - 1);
                starts.push(start as usize);
                limits.push(start as usize + 1);
                strides.push(1);
                reshape.squeeze_axes.push(axis);
            }
            Item::Slice(s) => {
                let (start, stop, step, _) = s.resolve(op, size as usize)?;
                if step < 0 {
                    let first = size.min(stop + 1 + (start - stop - 1).abs() % step.abs());
                    starts.push(first as usize);
                    limits.push(first.max(start + 1) as usize);
                    reshape.rev_axes.push(axis);
                } else {
                    starts.push(start as usize);
                    limits.push(start.max(stop) as usize);
                }
                strides.push(step.unsigned_abs() as usize);
            }
            Item::Ellipsis(_) | Item::Array(_) => unreachable!("expanded, and checked above"),
        }
    }
    let trivial =
        strides.iter().all(|&s| s == 1) && starts.iter().all(|&s| s == 0) && limits == parsed.shape;
    let sliced = if trivial {
        x.clone()
    } else {
        let unit = strides.iter().all(|&s| s == 1);
        lax::slice(x, &starts, &limits, (!unit).then_some(strides.as_slice()))
    };
    Ok(Some(reshape.apply(sliced)))
}

/// A start index of a dynamic slice.
enum Start {
    Static(i64),
    Dynamic(Array),
}

/// `x[idx]` through `lax::dynamic_slice` if the integers include scalar integer arrays, there
/// are no other index arrays, and every slice has step 1 or -1; `None` otherwise.
pub(super) fn dynamic_slice(op: &str, x: &Array, parsed: &Parsed) -> Result<Option<Array>> {
    let eligible = parsed.items.iter().all(|item| match item {
        Item::Array(a) => a.ndim() == 0,
        Item::Slice(s) => matches!(s.step, None | Some(1) | Some(-1)),
        _ => true,
    });
    if !eligible {
        return Ok(None);
    }
    let (mut starts, mut sizes) = (Vec::new(), Vec::new());
    let mut reshape = Reshape::default();
    for item in parsed.expanded() {
        let axis = starts.len();
        let size = parsed.shape.get(axis).copied().unwrap_or(0);
        match item {
            Item::NewAxis => reshape.new_axis(axis),
            Item::Int(_) | Item::Array(_) if size == 0 => return Err(empty_axis(op, axis)),
            Item::Int(i) => {
                starts.push(Start::Static(i));
                sizes.push(1);
                reshape.squeeze_axes.push(axis);
            }
            Item::Array(a) => {
                starts.push(Start::Dynamic(a));
                sizes.push(1);
                reshape.squeeze_axes.push(axis);
            }
            Item::Slice(s) => {
                let (start, stop, step, count) = s.resolve(op, size)?;
                if step < 0 {
                    starts.push(Start::Static(stop + 1));
                    reshape.rev_axes.push(axis);
                } else {
                    starts.push(Start::Static(start));
                }
                sizes.push(count);
            }
            Item::Ellipsis(_) => unreachable!("expanded"),
        }
    }
    // As JAX does, several start indices share the index dtype; a single one keeps its own.
    let dtype = index_dtype(&parsed.shape);
    let several = starts.len() > 1;
    let starts: Vec<Array> = starts
        .into_iter()
        .map(|start| match start {
            Start::Static(i) => index_constant(&[i], &[], dtype),
            Start::Dynamic(a) if several => lax::convert_element_type(&a, dtype),
            Start::Dynamic(a) => a,
        })
        .collect();
    let refs: Vec<&Array> = starts.iter().collect();
    Ok(Some(reshape.apply(lax::dynamic_slice(x, &refs, &sizes))))
}
