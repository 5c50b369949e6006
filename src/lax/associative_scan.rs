//! `associative_scan` (JAX's `lax.associative_scan` in `lax/control_flow/loops.py`): an
//! inclusive scan with an associative binary operation, in parallel, in `O(log n)` depth.
//!
//! The algorithm is JAX's (Blelloch's): combine adjacent pairs of elements, scan the half-size
//! result recursively (those are the odd elements of the answer), combine each odd element with
//! the next even element of the input (the even elements of the answer), and interleave the
//! two. It is built only from strided slices, concatenation, padding and addition, so it is
//! differentiable whenever the combining function is; the JVPs of `cumprod`, `cummax` and
//! `cummin` are the JVP of this formulation, as in JAX, and so inherit its tie conventions.

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind1};
use crate::interpreters::jvp::zeros;
use crate::lax::{BinaryOp, IndexingOp};
use crate::tree::{FnOutput, Pytree};
use crate::{Array, DType, Error, Result};

/// A combining function of flat leaves: `fn(a, b)` for two lists of leaves of one structure.
pub(crate) type Combine<'a> = dyn Fn(Vec<Array>, Vec<Array>) -> Result<Vec<Array>> + 'a;

/// The strided slice `start..limit` by `stride` of `x` along `axis`.
fn slice_in_dim(
    x: &Array,
    start: usize,
    limit: usize,
    stride: usize,
    axis: usize,
) -> Result<Array> {
    let mut start_indices = vec![0; x.ndim()];
    let mut limit_indices = x.shape().to_vec();
    let mut strides = vec![1; x.ndim()];
    start_indices[axis] = start;
    limit_indices[axis] = limit;
    strides[axis] = stride;
    bind1(
        Primitive::Slice {
            start_indices,
            limit_indices,
            strides,
        },
        std::slice::from_ref(x),
    )
}

/// `x` reversed along `axis`.
fn rev(x: &Array, axis: usize) -> Result<Array> {
    bind1(
        Primitive::Indexing(IndexingOp::Rev {
            dimensions: vec![axis],
        }),
        std::slice::from_ref(x),
    )
}

/// `x` padded with zeros: `(low, high, interior)` along `axis`, nothing elsewhere.
fn pad_in_dim(x: &Array, axis: usize, low: i64, high: i64, interior: usize) -> Result<Array> {
    let mut padding_config = vec![(0, 0, 0); x.ndim()];
    padding_config[axis] = (low, high, interior);
    let zero = zeros(&ShapedArray::new(Vec::new(), x.dtype()))?;
    bind1(
        Primitive::Indexing(IndexingOp::Pad { padding_config }),
        &[x.clone(), zero],
    )
}

/// JAX's `_interleave`: `a[0], b[0], a[1], b[1], ...` along `axis`, where `a` has as many
/// elements as `b` or one more. Both are padded with zeros into each other's gaps and added
/// (or-ed, for booleans).
fn interleave(a: &Array, b: &Array, axis: usize) -> Result<Array> {
    let same = a.shape()[axis] == b.shape()[axis];
    let a = pad_in_dim(a, axis, 0, i64::from(same), 1)?;
    let b = pad_in_dim(b, axis, 1, i64::from(!same), 1)?;
    let op = if a.dtype() == DType::Bool {
        BinaryOp::Or
    } else {
        BinaryOp::Add
    };
    bind1(Primitive::Binary(op), &[a, b])
}

/// The scan of `elems` (flat leaves, all with `axis` of one size) by `combine`.
fn scan(combine: &Combine<'_>, elems: Vec<Array>, axis: usize) -> Result<Vec<Array>> {
    let n = elems[0].shape()[axis];
    if n < 2 {
        return Ok(elems);
    }
    let every_other = |start: usize, limit: usize| -> Result<Vec<Array>> {
        elems
            .iter()
            .map(|e| slice_in_dim(e, start, limit, 2, axis))
            .collect()
    };
    // Combine adjacent pairs, and scan those: the odd elements of the answer.
    let reduced = checked(combine(every_other(0, n - 1)?, every_other(1, n)?)?, &elems)?;
    let odd = scan(combine, reduced, axis)?;
    // Each odd element combined with the next even element of the input: the even elements
    // (but the first).
    let odd_before: Vec<Array> = if n.is_multiple_of(2) {
        odd.iter()
            .map(|e| slice_in_dim(e, 0, e.shape()[axis] - 1, 1, axis))
            .collect::<Result<_>>()?
    } else {
        odd.clone()
    };
    let even = checked(combine(odd_before, every_other(2, n)?)?, &elems)?;
    elems
        .iter()
        .zip(even)
        .zip(&odd)
        .map(|((elem, even), odd)| {
            let first = slice_in_dim(elem, 0, 1, 1, axis)?;
            let even = bind1(Primitive::Concatenate { dimension: axis }, &[first, even])?;
            interleave(&even, odd, axis)
        })
        .collect()
}

/// `combined`, after checking that the combining function returned one leaf of the dtype and
/// rank of each leaf of `like`.
fn checked(combined: Vec<Array>, like: &[Array]) -> Result<Vec<Array>> {
    let fits = combined.len() == like.len()
        && combined
            .iter()
            .zip(like)
            .all(|(c, l)| c.dtype() == l.dtype() && c.ndim() == l.ndim());
    if !fits {
        let types = |xs: &[Array]| {
            xs.iter()
                .map(|x| x.aval().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::invalid(
            "associative_scan",
            format!(
                "the combining function must return leaves like its inputs' ({}), got ({})",
                types(like),
                types(&combined)
            ),
        ));
    }
    Ok(combined)
}

/// [`associative_scan`] over flat leaves: `combine` maps two lists of leaves to one.
pub(crate) fn associative_scan_flat(
    combine: &Combine<'_>,
    elems: Vec<Array>,
    reverse: bool,
    axis: usize,
) -> Result<Vec<Array>> {
    let Some(first) = elems.first() else {
        return Err(Error::invalid(
            "associative_scan",
            "elems must have at least one array",
        ));
    };
    if axis >= first.ndim() {
        return Err(Error::invalid(
            "associative_scan",
            format!(
                "axis {axis} is out of bounds for an array of type {}",
                first.aval()
            ),
        ));
    }
    let n = first.shape()[axis];
    if let Some(bad) = elems
        .iter()
        .find(|e| e.ndim() <= axis || e.shape()[axis] != n)
    {
        let shapes: Vec<String> = elems.iter().map(|e| format!("{:?}", e.shape())).collect();
        return Err(Error::invalid(
            "associative_scan",
            format!(
                "array inputs must have the same size along axis {axis} (saw: {}; {} differs)",
                shapes.join(", "),
                bad.aval()
            ),
        ));
    }
    let flip = |xs: Vec<Array>| -> Result<Vec<Array>> {
        if reverse {
            xs.iter().map(|x| rev(x, axis)).collect()
        } else {
            Ok(xs)
        }
    };
    flip(scan(combine, flip(elems)?, axis)?)
}

/// JAX's keywords of `lax.associative_scan`: along the first axis, from the start, by
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AssociativeScanOptions {
    /// Whether to scan from the end (JAX's `reverse`, default `false`).
    pub reverse: bool,
    /// The axis to scan along, negative from the end (JAX's `axis`, default `0`).
    pub axis: isize,
}

impl AssociativeScanOptions {
    /// Scanning along `axis` (negative: from the end), from the start.
    pub fn along(axis: isize) -> AssociativeScanOptions {
        AssociativeScanOptions {
            axis,
            reverse: false,
        }
    }

    /// The same with `reverse` set (`true`: scanning from the end).
    pub fn reverse(self, reverse: bool) -> AssociativeScanOptions {
        AssociativeScanOptions { reverse, ..self }
    }
}

/// A scan with the associative binary operation `f`, in parallel, along the first axis from
/// the start (JAX's `lax.associative_scan(f, elems)`); see [`associative_scan_with`] for
/// JAX's keywords `reverse` and `axis`.
///
/// `elems` is a pytree of arrays that all have the same size `n` along `axis`; `f(a, b)` takes
/// two pytrees of that structure, whose arrays have some size in place of `axis`, and combines
/// them elementwise along it into one of the same structure. `f` must be associative. Element
/// `k` of the result along `axis` combines the first `k + 1` elements: for `elems = [a, b, c,
/// ...]` the result is `[a, f(a, b), f(f(a, b), c), ...]`; scanning in reverse, for
/// `[..., x, y, z]` it is `[..., f(f(z, y), x), f(z, y), z]`.
///
/// The work is `O(n)` applications of `f` to slices, in `O(log n)` depth, built from slicing,
/// padding and concatenation, so the scan can be differentiated and jitted.
///
/// ```
/// use rjax::lax::{self, AssociativeScanOptions};
/// use rjax::Array;
/// let add = |a: Array, b: Array| a + b;
/// let sums = lax::associative_scan(add, Array::from([0, 1, 2, 3]))?;
/// assert_eq!(sums.to_vec::<i32>()?, [0, 1, 3, 6]);
/// let options = AssociativeScanOptions::default().reverse(true);
/// let from_end = lax::associative_scan_with(add, Array::from([0, 1, 2, 3]), options)?;
/// assert_eq!(from_end.to_vec::<i32>()?, [6, 6, 5, 3]);
/// # Ok::<(), rjax::Error>(())
/// ```
///
/// # Errors
/// If `elems` has no arrays, `axis` is out of bounds, the arrays differ in size along `axis`,
/// `f` fails, or `f` returns a structure or leaf types other than its inputs'.
pub fn associative_scan<T, F, R>(f: F, elems: T) -> Result<T>
where
    T: Pytree,
    F: Fn(T, T) -> R,
    R: FnOutput<Output = T>,
{
    associative_scan_with(f, elems, AssociativeScanOptions::default())
}

/// [`associative_scan`] as `options` say (`lax.associative_scan(f, elems, reverse, axis)`):
/// along `options.axis` (negative: from the end of the first array's dimensions), from the end
/// if `options.reverse`.
///
/// # Errors
/// As [`associative_scan`]'s.
pub fn associative_scan_with<T, F, R>(f: F, elems: T, options: AssociativeScanOptions) -> Result<T>
where
    T: Pytree,
    F: Fn(T, T) -> R,
    R: FnOutput<Output = T>,
{
    let (leaves, tree) = elems.tree_flatten();
    let rank = leaves.first().map_or(0, Array::ndim) as isize;
    let axis = if options.axis < 0 {
        options.axis + rank
    } else {
        options.axis
    };
    let axis = usize::try_from(axis).map_err(|_| {
        Error::invalid(
            "associative_scan",
            format!(
                "axis {} is out of bounds for arrays of rank {rank}",
                options.axis
            ),
        )
    })?;
    let combine = |a: Vec<Array>, b: Vec<Array>| -> Result<Vec<Array>> {
        let a = T::tree_unflatten(&tree, a)?;
        let b = T::tree_unflatten(&tree, b)?;
        let (combined, combined_tree) = f(a, b).into_result()?.tree_flatten();
        if combined_tree != tree {
            return Err(Error::invalid(
                "associative_scan",
                format!(
                    "the combining function must return the structure of its inputs, {tree:?}, \
                     got {combined_tree:?}"
                ),
            ));
        }
        Ok(combined)
    };
    let scanned = associative_scan_flat(&combine, leaves, options.reverse, axis)?;
    T::tree_unflatten(&tree, scanned)
}
