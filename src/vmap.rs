//! `vmap`: vectorizing map (JAX's `jax.vmap`).
//!
//! `vmap(f, in_axes)` is `f` applied to every slice of its inputs along the mapped axes, as one
//! batched computation: `f` runs once, under a batch trace, and each primitive it applies
//! becomes one batched primitive. Composes with `jit`, `grad`, `jvp`, `vjp` and itself.

use crate::interpreters::batching::vmap_flat;
use crate::tree::{FnOutput, Pytree};
use crate::{Array, Error, Result};

/// Which axis of each input leaf is mapped (JAX's `in_axes`), or of each output leaf the batch
/// axis goes to (`out_axes`, see [`OutAxes`]). `None` means not mapped; a negative axis counts
/// from the end.
///
/// ```
/// use rjax::{Array, InAxes, vmap};
/// // Map over the rows of `x`, broadcast `y`.
/// let f = vmap(|(x, y): (Array, Array)| x.matmul(&y), InAxes::from(vec![Some(0), None]));
/// let x = Array::from([[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]]);
/// let y = Array::from([[1.0f32, 0.0], [0.0, 2.0]]);
/// let z: Array = f((x, y))?;
/// assert_eq!(z.shape(), [3, 2]);
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InAxes(Spec);

/// Where the batch axis of each output leaf goes (JAX's `out_axes`): the same description as
/// [`InAxes`], per output leaf. `None` requires the output not to depend on a mapped input.
pub type OutAxes = InAxes;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Spec {
    /// One axis (or none) for every leaf.
    Every(Option<isize>),
    /// One axis (or none) per leaf, in flattening order.
    PerLeaf(Vec<Option<isize>>),
}

impl InAxes {
    /// Axis 0 of every leaf (JAX's default `in_axes=0`, `out_axes=0`).
    pub fn leading() -> InAxes {
        InAxes(Spec::Every(Some(0)))
    }

    /// The same axis (or not mapped) for every leaf.
    pub fn every(axis: Option<isize>) -> InAxes {
        InAxes(Spec::Every(axis))
    }

    /// One axis (or not mapped) per leaf, in the order the pytree flattens.
    pub fn per_leaf(axes: Vec<Option<isize>>) -> InAxes {
        InAxes(Spec::PerLeaf(axes))
    }

    /// The axis of each of `count` leaves.
    fn resolve(&self, what: &str, count: usize) -> Result<Vec<Option<isize>>> {
        match &self.0 {
            Spec::Every(axis) => Ok(vec![*axis; count]),
            Spec::PerLeaf(axes) if axes.len() == count => Ok(axes.clone()),
            Spec::PerLeaf(axes) => Err(Error::invalid(
                "vmap",
                format!(
                    "vmap {what} must give one axis per leaf: got {} for {count} leaves",
                    axes.len()
                ),
            )),
        }
    }
}

impl Default for InAxes {
    fn default() -> Self {
        InAxes::leading()
    }
}

impl From<Vec<Option<isize>>> for InAxes {
    fn from(axes: Vec<Option<isize>>) -> Self {
        InAxes::per_leaf(axes)
    }
}

impl From<isize> for InAxes {
    fn from(axis: isize) -> Self {
        InAxes::every(Some(axis))
    }
}

impl From<Option<isize>> for InAxes {
    fn from(axis: Option<isize>) -> Self {
        InAxes::every(axis)
    }
}

/// `axis` (negative counting from the end) as an index below `rank`.
fn normalize(axis: isize, rank: usize) -> Option<usize> {
    let normalized = if axis < 0 { axis + rank as isize } else { axis };
    usize::try_from(normalized).ok().filter(|&a| a < rank)
}

/// The mapped axes of the input leaves, checked against their ranks.
fn input_dims(leaves: &[Array], axes: &[Option<isize>]) -> Result<Vec<Option<usize>>> {
    leaves
        .iter()
        .zip(axes)
        .map(|(leaf, axis)| match axis {
            None => Ok(None),
            Some(axis) => normalize(*axis, leaf.ndim()).map(Some).ok_or_else(|| {
                let at_least = if *axis < 0 { -axis } else { axis + 1 };
                Error::invalid(
                    "vmap",
                    format!(
                        "vmap was requested to map its argument along axis {axis}, which implies \
                         that its rank should be at least {at_least}, but is only {} (its shape \
                         is {:?})",
                        leaf.ndim(),
                        leaf.shape()
                    ),
                )
            }),
        })
        .collect()
}

/// A mapped input: the leaf's position, its mapped axis, and the leaf.
type MappedAxis<'a> = (usize, usize, &'a Array);

/// The size of the mapped axis: every mapped axis must have it (JAX's `_mapped_axis_size`).
fn mapped_axis_size(
    leaves: &[Array],
    dims: &[Option<usize>],
    axis_size: Option<usize>,
) -> Result<usize> {
    let mapped: Vec<MappedAxis<'_>> = leaves
        .iter()
        .zip(dims)
        .enumerate()
        .filter_map(|(index, (leaf, dim))| dim.map(|d| (index, d, leaf)))
        .collect();
    let Some(&(_, first_dim, first)) = mapped.first() else {
        return axis_size.ok_or_else(|| {
            Error::invalid(
                "vmap",
                "vmap must have at least one non-None value in in_axes (or be given axis_size)",
            )
        });
    };
    let size = axis_size.unwrap_or(first.shape()[first_dim]);
    if mapped.iter().all(|&(_, d, leaf)| leaf.shape()[d] == size) {
        return Ok(size);
    }
    // Group the axes by size, in order of first appearance.
    let mut groups: Vec<(usize, Vec<MappedAxis<'_>>)> = Vec::new();
    for &(index, d, leaf) in &mapped {
        let size = leaf.shape()[d];
        match groups.iter_mut().find(|(s, _)| *s == size) {
            Some((_, members)) => members.push((index, d, leaf)),
            None => groups.push((size, vec![(index, d, leaf)])),
        }
    }
    let most = groups.iter().map(|(_, m)| m.len()).max().unwrap_or(0);
    let lines: Vec<String> = groups
        .iter()
        .map(|(size, members)| {
            let (index, d, leaf) = members[0];
            let example = format!("axis {d} of argument leaf {index} of type {}", leaf.aval());
            match members.len() {
                1 => format!("  * one axis had size {size}: {example}"),
                n if n == most => {
                    format!("  * most axes ({n} of them) had size {size}, e.g. {example}")
                }
                n => format!("  * some axes ({n} of them) had size {size}, e.g. {example}"),
            }
        })
        .collect();
    let given = axis_size.map_or(String::new(), |n| format!(" (axis_size={n})"));
    Err(Error::invalid(
        "vmap",
        format!(
            "vmap got inconsistent sizes for array axes to be mapped{given}:\n{}",
            lines.join(";\n")
        ),
    ))
}

/// Vectorizes `f` (JAX's `jax.vmap`): the returned function maps `f` over the axes `in_axes`
/// of its input leaves and stacks the outputs along axis 0.
///
/// ```
/// use rjax::{Array, InAxes, vmap};
/// let norms = vmap(|x: Array| (&x * &x).sum().sqrt(), InAxes::leading());
/// let y: Array = norms(Array::from([[3.0f32, 4.0], [6.0, 8.0]]))?;
/// assert_eq!(y.to_vec::<f32>()?, [5.0, 10.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn vmap<F, In, Out, R>(f: F, in_axes: impl Into<InAxes>) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    vmap_with(f, in_axes, OutAxes::leading(), None)
}

/// [`vmap`] with JAX's other arguments: where each output's batch axis goes (`out_axes`), and
/// the size of the mapped axis (`axis_size`), which is required when no input is mapped.
pub fn vmap_with<F, In, Out, R>(
    f: F,
    in_axes: impl Into<InAxes>,
    out_axes: impl Into<OutAxes>,
    axis_size: Option<usize>,
) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let (in_axes, out_axes) = (in_axes.into(), out_axes.into());
    move |input: In| {
        let (leaves, in_tree) = input.tree_flatten();
        let dims = input_dims(&leaves, &in_axes.resolve("in_axes", leaves.len())?)?;
        let size = mapped_axis_size(&leaves, &dims, axis_size)?;
        let mut out_tree = None;
        let outputs = vmap_flat(
            |tracers| {
                let input = In::tree_unflatten(&in_tree, tracers)?;
                let (outputs, tree) = f(input).into_result()?.tree_flatten();
                out_tree = Some(tree);
                Ok(outputs)
            },
            leaves,
            &dims,
            size,
            |ranks| {
                let axes = out_axes.resolve("out_axes", ranks.len())?;
                ranks
                    .iter()
                    .zip(axes)
                    .map(|(&rank, axis)| match axis {
                        None => Ok(None),
                        Some(axis) => normalize(axis, rank + 1).map(Some).ok_or_else(|| {
                            Error::invalid(
                                "vmap",
                                format!(
                                    "out_axes {axis} is out of bounds for an output of rank {}",
                                    rank + 1
                                ),
                            )
                        }),
                    })
                    .collect()
            },
        )?;
        Out::tree_unflatten(&out_tree.expect("the function ran"), outputs)
    }
}
