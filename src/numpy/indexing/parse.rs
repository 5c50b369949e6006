//! Parsing an index list against the indexed array's shape (JAX's `NDIndexer`): each entry's
//! kind and the dimensions it consumes, the ellipsis, boolean masks turned into integer index
//! arrays, and the checks NumPy makes (too many indices, a mask of the wrong shape, a
//! non-integer index array, a static integer out of range).

use super::expression::{Index, Slice};
use crate::core::tracer::TracerPayload;
use crate::{Array, DType, Error, Result};

/// One entry of a parsed index list: like [`Index`], with boolean masks already replaced by
/// one integer index array per masked dimension.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A static position.
    Int(i64),
    /// A static slice.
    Slice(Slice),
    /// A new dimension of size 1.
    NewAxis,
    /// The ellipsis, standing for this many full slices.
    Ellipsis(usize),
    /// An integer index array (of any rank; a scalar one may be a tracer).
    Array(Array),
}

impl Item {
    /// Whether the entry is an integer or an integer array, which NumPy's advanced indexing
    /// treats alike once any index array is present.
    pub(super) fn is_integer(&self) -> bool {
        matches!(self, Item::Int(_) | Item::Array(_))
    }
}

/// An index list parsed against the shape of the indexed array.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    /// The entries, masks expanded, the ellipsis kept.
    pub items: Vec<Item>,
    /// The indexed array's shape.
    pub shape: Vec<usize>,
}

impl Parsed {
    /// Parses `indices` for an array of type `x`. A boolean mask must be concrete and match the
    /// dimensions it covers.
    pub(super) fn new(op: &str, x: &Array, indices: &[Index]) -> Result<Parsed> {
        let shape = x.shape().to_vec();
        let consumed = indices
            .iter()
            .map(|index| dimensions_consumed(op, index))
            .sum::<Result<usize>>()?;
        if indices
            .iter()
            .filter(|i| matches!(i, Index::Ellipsis))
            .count()
            > 1
        {
            return Err(Error::invalid(
                op,
                "an index can only have a single ellipsis ('...')",
            ));
        }
        if consumed > shape.len() {
            return Err(Error::invalid(
                op,
                format!(
                    "too many indices for an array of type {}: {consumed} dimensions were indexed, but the array has {}",
                    x.aval(),
                    shape.len()
                ),
            ));
        }
        let mut items = Vec::with_capacity(indices.len());
        let mut axis = 0;
        for (position, index) in indices.iter().enumerate() {
            match index {
                Index::Ellipsis => {
                    items.push(Item::Ellipsis(shape.len() - consumed));
                    axis += shape.len() - consumed;
                }
                Index::NewAxis => items.push(Item::NewAxis),
                Index::Int(i) => {
                    items.push(Item::Int(*i));
                    axis += 1;
                }
                Index::Slice(s) => {
                    items.push(Item::Slice(*s));
                    axis += 1;
                }
                Index::Array(mask) if mask.dtype() == DType::Bool => {
                    let covered = &shape[axis..axis + mask.ndim()];
                    items.extend(mask_indices(op, mask, covered, position)?);
                    axis += mask.ndim();
                }
                Index::Array(a) => {
                    items.push(Item::Array(a.clone()));
                    axis += 1;
                }
            }
        }
        Ok(Parsed { items, shape })
    }

    /// The entries with the ellipsis replaced by full slices and full slices appended for the
    /// dimensions not indexed, so that every dimension has one entry.
    pub(super) fn expanded(&self) -> Vec<Item> {
        let full = || Item::Slice(Slice::default());
        let mut out = Vec::with_capacity(self.items.len() + self.shape.len());
        for item in &self.items {
            match item {
                Item::Ellipsis(n) => out.extend((0..*n).map(|_| full())),
                other => out.push(other.clone()),
            }
        }
        let consumed = out.iter().filter(|i| !matches!(i, Item::NewAxis)).count();
        out.extend((consumed..self.shape.len()).map(|_| full()));
        out
    }

    /// Whether the integer entries (integers and index arrays) are next to one another in
    /// the list as written (ellipsis and `NewAxis` included), which decides where NumPy puts
    /// the dimensions of advanced indexing.
    pub(super) fn integers_adjacent(&self) -> bool {
        let positions: Vec<usize> = (0..self.items.len())
            .filter(|&p| self.items[p].is_integer())
            .collect();
        positions.windows(2).all(|w| w[1] == w[0] + 1)
    }

    /// Checks that each static integer is within its dimension (NumPy's IndexError).
    pub(super) fn check_static_integers(&self, op: &str, x: &Array) -> Result<()> {
        let mut axis = 0;
        for item in self.expanded() {
            if let Item::Int(i) = item {
                let size = self.shape[axis] as i64;
                if !(-size..size).contains(&i) {
                    return Err(Error::invalid(
                        op,
                        format!(
                            "index {i} is out of bounds for axis {axis} with size {size} (indexing an array of type {})",
                            x.aval()
                        ),
                    ));
                }
            }
            if !matches!(item, Item::NewAxis) {
                axis += 1;
            }
        }
        Ok(())
    }
}

/// The number of dimensions `index` consumes (0 for the ellipsis, which is resolved later);
/// index arrays that are neither integer nor boolean are rejected.
fn dimensions_consumed(op: &str, index: &Index) -> Result<usize> {
    Ok(match index {
        Index::NewAxis | Index::Ellipsis => 0,
        Index::Int(_) | Index::Slice(_) => 1,
        Index::Array(a) if a.dtype() == DType::Bool => {
            if a.ndim() == 0 {
                return Err(Error::invalid(
                    op,
                    "a scalar boolean index is not supported; index with NewAxis (and an empty slice for false) instead",
                ));
            }
            a.ndim()
        }
        Index::Array(a) if a.dtype().is_int() => 1,
        Index::Array(a) => {
            return Err(Error::invalid(
                op,
                format!(
                    "index arrays must have an integer or boolean dtype, got an index array of type {}",
                    a.aval()
                ),
            ));
        }
    })
}

/// The value `x` stands for when it is known at trace time (JAX's `core.to_concrete_value`):
/// `x` itself if concrete, the primal of a JVP tracer or the value of an unbatched vmap
/// tracer when that is concrete; `None` under `jit`.
fn concrete_value(x: &Array) -> Option<Array> {
    match x.tracer().map(|t| &t.payload) {
        None => Some(x.clone()),
        Some(TracerPayload::Jvp { primal, .. }) => concrete_value(primal),
        Some(TracerPayload::Batch { value, dim: None }) => concrete_value(value),
        Some(_) => None,
    }
}

/// The integer index arrays of `mask`'s true elements (NumPy's `nonzero`), one per dimension
/// it covers; the mask must have a concrete value and have the shape `covered`.
fn mask_indices(op: &str, mask: &Array, covered: &[usize], position: usize) -> Result<Vec<Item>> {
    let Some(mask) = concrete_value(mask) else {
        return Err(Error::invalid(
            op,
            format!(
                "boolean indices must be concrete, but the mask at position {position} is an abstract tracer of type {} (JAX's NonConcreteBooleanIndexError): the shape of the result would depend on its values. Use jnp::where_ (or a multiplication by the mask) instead, or index outside jit",
                mask.aval()
            ),
        ));
    };
    if mask.shape() != covered {
        return Err(Error::invalid(
            op,
            format!(
                "the boolean index at position {position} has shape {:?}, but the dimensions it indexes have shape {covered:?}",
                mask.shape()
            ),
        ));
    }
    let values = mask.to_vec::<bool>()?;
    let mut coordinates = vec![Vec::new(); covered.len()];
    for flat in (0..values.len()).filter(|&k| values[k]) {
        let mut rest = flat;
        for (d, &size) in covered.iter().enumerate().rev() {
            coordinates[d].push((rest % size) as i64);
            rest /= size;
        }
    }
    Ok(coordinates
        .into_iter()
        .map(|c| Item::Array(Array::from_vec(c)))
        .collect())
}
