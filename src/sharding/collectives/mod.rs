//! Collectives over named mesh axes, for per-device code in `shard_map` and `pmap` (JAX's
//! `psum`, `pmax`, `pmin`, `pmean`, `all_gather`, `psum_scatter`, `ppermute`, `all_to_all`,
//! `axis_index`), lowered to StableHLO collectives whose replica groups are the devices that
//! differ only along the named axes.

mod lowering;
pub(crate) mod rules;

use super::{Mesh, axis_env};
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind1};
use crate::lax::unwrap_at_caller;
use crate::{Array, DType, Error, Result};

/// Which collective, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CollectiveKind {
    /// The sum over the devices of the group, on each of them.
    Psum,
    /// The elementwise maximum over the group.
    Pmax,
    /// The elementwise minimum over the group.
    Pmin,
    /// Every device's block, concatenated along `axis` (`tiled`) or stacked on a new `axis`.
    AllGather {
        /// Where the blocks go.
        axis: usize,
        /// Concatenate (true) or stack (false).
        tiled: bool,
    },
    /// The sum over the group, of which each device keeps its own piece along
    /// `scatter_dimension` (`tiled`: a block; otherwise one index, removed).
    PsumScatter {
        /// The dimension split among the devices.
        scatter_dimension: usize,
        /// Keep a block (true) or one index (false).
        tiled: bool,
    },
    /// Sends each device's value to another: `(source, destination)` positions along the
    /// axes; a device nobody sends to receives zeros.
    Ppermute {
        /// The pairs.
        perm: Vec<(usize, usize)>,
    },
    /// Splits `split_axis` into one block per device, sends block `j` to device `j`, and
    /// concatenates the received blocks along `concat_axis` (JAX's `tiled=True`).
    AllToAll {
        /// The axis split.
        split_axis: usize,
        /// The axis concatenated.
        concat_axis: usize,
    },
    /// The device's position along the axis, as an int32 scalar.
    AxisIndex,
}

/// A collective over the mesh axes `axes` of `mesh`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CollectiveOp {
    /// Which collective.
    pub kind: CollectiveKind,
    /// The mesh the per-device code runs on.
    pub mesh: Mesh,
    /// The named axes the collective runs over, major first.
    pub axes: Vec<String>,
}

impl CollectiveOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match self.kind {
            CollectiveKind::Psum => "psum",
            CollectiveKind::Pmax => "pmax",
            CollectiveKind::Pmin => "pmin",
            CollectiveKind::AllGather { .. } => "all_gather",
            CollectiveKind::PsumScatter { .. } => "reduce_scatter",
            CollectiveKind::Ppermute { .. } => "ppermute",
            CollectiveKind::AllToAll { .. } => "all_to_all",
            CollectiveKind::AxisIndex => "axis_index",
        }
    }

    /// How many devices each group has.
    pub(crate) fn group_size(&self) -> usize {
        self.axes
            .iter()
            .map(|a| self.mesh.axis_size(a).expect("checked at bind"))
            .product()
    }

    /// The jaxpr parameters.
    pub(crate) fn params_text(&self) -> Vec<String> {
        let axes = format!(
            "axes=({})",
            self.axes
                .iter()
                .map(|a| format!("'{a}', "))
                .collect::<String>()
                .trim_end_matches(' ')
        );
        match &self.kind {
            CollectiveKind::Psum | CollectiveKind::Pmax | CollectiveKind::Pmin => vec![axes],
            CollectiveKind::AllGather { axis, tiled } => vec![
                format!("all_gather_dimension={axis}"),
                axes,
                format!("tiled={}", py_bool(*tiled)),
            ],
            CollectiveKind::PsumScatter {
                scatter_dimension,
                tiled,
            } => vec![
                axes,
                format!("scatter_dimension={scatter_dimension}"),
                format!("tiled={}", py_bool(*tiled)),
            ],
            CollectiveKind::Ppermute { perm } => vec![axes, format!("perm={perm:?}")],
            CollectiveKind::AllToAll {
                split_axis,
                concat_axis,
            } => vec![
                axes,
                format!("concat_axis={concat_axis}"),
                format!("split_axis={split_axis}"),
            ],
            CollectiveKind::AxisIndex => vec![axes],
        }
    }

    /// The result type for operands of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<ShapedArray> {
        let n = self.group_size();
        if self.kind == CollectiveKind::AxisIndex {
            return Ok(ShapedArray::new(Vec::new(), DType::I32));
        }
        let x = &avals[0];
        let bad = |why: String| Error::invalid(self.name(), format!("{why} (operand {x})"));
        let mut shape = x.shape.clone();
        match &self.kind {
            CollectiveKind::Psum
            | CollectiveKind::Pmax
            | CollectiveKind::Pmin
            | CollectiveKind::Ppermute { .. } => {}
            CollectiveKind::AllGather { axis, tiled } => {
                if *tiled {
                    let size = shape
                        .get_mut(*axis)
                        .ok_or_else(|| bad(format!("axis {axis} is out of range")))?;
                    *size *= n;
                } else if *axis <= shape.len() {
                    shape.insert(*axis, n);
                } else {
                    return Err(bad(format!("axis {axis} is out of range")));
                }
            }
            CollectiveKind::PsumScatter {
                scatter_dimension: d,
                tiled,
            } => {
                let size = *shape
                    .get(*d)
                    .ok_or_else(|| bad(format!("scatter_dimension {d} is out of range")))?;
                if *tiled {
                    if size % n != 0 {
                        return Err(bad(format!(
                            "dimension {d} (size {size}) is not divisible by the {n} devices of axes {:?}",
                            self.axes
                        )));
                    }
                    shape[*d] = size / n;
                } else {
                    if size != n {
                        return Err(bad(format!(
                            "dimension {d} must have the size of axes {:?} ({n}), not {size}",
                            self.axes
                        )));
                    }
                    shape.remove(*d);
                }
            }
            CollectiveKind::AllToAll {
                split_axis,
                concat_axis,
            } => {
                if *split_axis >= shape.len() || *concat_axis >= shape.len() {
                    return Err(bad("split_axis or concat_axis out of range".to_string()));
                }
                if !shape[*split_axis].is_multiple_of(n) {
                    return Err(bad(format!(
                        "split_axis {split_axis} (size {}) is not divisible by the {n} devices of axes {:?}",
                        shape[*split_axis], self.axes
                    )));
                }
                shape[*split_axis] /= n;
                shape[*concat_axis] *= n;
            }
            CollectiveKind::AxisIndex => unreachable!("handled above"),
        }
        Ok(ShapedArray {
            shape,
            dtype: x.dtype,
            weak_type: x.weak_type,
        })
    }
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Binds the collective `kind` over `axes` (looked up in the enclosing `shard_map`/`pmap`).
#[track_caller]
fn collective(kind: CollectiveKind, axes: &[&str], args: &[Array]) -> Array {
    let axes: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
    let op = CollectiveOp {
        mesh: unwrap_at_caller(axis_env::mesh_for(collective_name(&kind), &axes)),
        kind,
        axes,
    };
    unwrap_at_caller(bind1(Primitive::Collective(op), args))
}

fn collective_name(kind: &CollectiveKind) -> &'static str {
    match kind {
        CollectiveKind::Psum => "psum",
        CollectiveKind::Pmax => "pmax",
        CollectiveKind::Pmin => "pmin",
        CollectiveKind::AllGather { .. } => "all_gather",
        CollectiveKind::PsumScatter { .. } => "psum_scatter",
        CollectiveKind::Ppermute { .. } => "ppermute",
        CollectiveKind::AllToAll { .. } => "all_to_all",
        CollectiveKind::AxisIndex => "axis_index",
    }
}

/// The sum of `x` over the devices along `axes` (JAX's `jax.lax.psum`), on every one of them.
#[track_caller]
pub fn psum(x: &Array, axes: &[&str]) -> Array {
    collective(CollectiveKind::Psum, axes, std::slice::from_ref(x))
}

/// The mean of `x` over the devices along `axes` (JAX's `jax.lax.pmean`).
#[track_caller]
pub fn pmean(x: &Array, axes: &[&str]) -> Array {
    let total = psum(x, axes);
    let count = axes
        .iter()
        .map(|a| {
            let mesh = unwrap_at_caller(axis_env::mesh_for("pmean", &[a.to_string()]));
            mesh.axis_size(a).expect("found by mesh_for")
        })
        .product::<usize>();
    total / count as f64
}

/// The elementwise maximum of `x` over the devices along `axes` (JAX's `jax.lax.pmax`).
#[track_caller]
pub fn pmax(x: &Array, axes: &[&str]) -> Array {
    collective(CollectiveKind::Pmax, axes, std::slice::from_ref(x))
}

/// The elementwise minimum of `x` over the devices along `axes` (JAX's `jax.lax.pmin`).
#[track_caller]
pub fn pmin(x: &Array, axes: &[&str]) -> Array {
    collective(CollectiveKind::Pmin, axes, std::slice::from_ref(x))
}

/// Every device's `x` along `axes`, gathered on each (JAX's `jax.lax.all_gather`):
/// concatenated along `axis` when `tiled`, else stacked on a new axis at `axis`.
#[track_caller]
pub fn all_gather(x: &Array, axes: &[&str], axis: usize, tiled: bool) -> Array {
    collective(
        CollectiveKind::AllGather { axis, tiled },
        axes,
        std::slice::from_ref(x),
    )
}

/// The sum over `axes` of `x`, split along `scatter_dimension` so that each device keeps its
/// own block (`tiled`) or index (JAX's `jax.lax.psum_scatter`).
#[track_caller]
pub fn psum_scatter(x: &Array, axes: &[&str], scatter_dimension: usize, tiled: bool) -> Array {
    collective(
        CollectiveKind::PsumScatter {
            scatter_dimension,
            tiled,
        },
        axes,
        std::slice::from_ref(x),
    )
}

/// Sends `x` from the device at position `source` along `axes` to the one at `destination`,
/// for each pair of `perm` (JAX's `jax.lax.ppermute`); devices nobody sends to get zeros.
#[track_caller]
pub fn ppermute(x: &Array, axes: &[&str], perm: &[(usize, usize)]) -> Array {
    collective(
        CollectiveKind::Ppermute {
            perm: perm.to_vec(),
        },
        axes,
        std::slice::from_ref(x),
    )
}

/// Splits `x` along `split_axis` into one block per device of `axes`, sends block `j` to the
/// `j`-th device, and concatenates what arrives along `concat_axis` (JAX's
/// `jax.lax.all_to_all` with `tiled=True`).
#[track_caller]
pub fn all_to_all(x: &Array, axes: &[&str], split_axis: usize, concat_axis: usize) -> Array {
    collective(
        CollectiveKind::AllToAll {
            split_axis,
            concat_axis,
        },
        axes,
        std::slice::from_ref(x),
    )
}

/// This device's position along the mesh axis `axis` (JAX's `jax.lax.axis_index`).
#[track_caller]
pub fn axis_index(axis: &str) -> Array {
    collective(CollectiveKind::AxisIndex, &[axis], &[])
}

/// The mesh positions of each group of a collective over `axes` of `mesh`: the devices that
/// differ only along `axes`, ordered by their (major-first) coordinates on those axes.
pub(crate) fn groups(mesh: &Mesh, axes: &[String]) -> Vec<Vec<usize>> {
    let along: Vec<usize> = axes
        .iter()
        .map(|a| mesh.axis_index(a).expect("checked at bind"))
        .collect();
    // Keyed by the coordinates on the other axes: row-major order of the groups.
    let mut groups: std::collections::BTreeMap<Vec<usize>, Vec<(usize, usize)>> =
        Default::default();
    for m in 0..mesh.size() {
        let coords = mesh.coords(m);
        let rest: Vec<usize> = (0..coords.len())
            .filter(|a| !along.contains(a))
            .map(|a| coords[a])
            .collect();
        let rank = along
            .iter()
            .fold(0, |r, &a| r * mesh.shape()[a] + coords[a]);
        groups.entry(rest).or_default().push((rank, m));
    }
    groups
        .into_values()
        .map(|mut members| {
            members.sort_unstable();
            members.into_iter().map(|(_, m)| m).collect()
        })
        .collect()
}
