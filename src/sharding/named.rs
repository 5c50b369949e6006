//! `NamedSharding`: a mesh and a partition spec, and what they mean for an array of a given
//! shape: which block each device holds, and XLA's sharding annotation.

use std::fmt;
use std::ops::Range;

use super::{Mesh, PartitionSpec};
use crate::{Error, Result};

/// How an array is laid out over a mesh (JAX's `jax.sharding.NamedSharding`): dimension `d`
/// is split into equal blocks over the mesh axes `spec.axes_of(d)`, and copies along the
/// other mesh axes. Two shardings are equal when they lay arrays out alike: trailing unsplit
/// entries of the spec do not count (`P('x', None)` equals `P('x')`).
#[derive(Clone)]
pub struct NamedSharding {
    mesh: Mesh,
    spec: PartitionSpec,
}

impl NamedSharding {
    /// The sharding of `spec` over `mesh`. Errors when the spec names an axis the mesh does
    /// not have, or one axis twice.
    pub fn new(mesh: &Mesh, spec: PartitionSpec) -> Result<NamedSharding> {
        let mut seen: Vec<&String> = Vec::new();
        for axis in spec.used_axes() {
            mesh.require_axis("NamedSharding", axis).map_err(|_| {
                Error::invalid(
                    "NamedSharding",
                    format!(
                        "{spec} names the axis {axis:?}, which the mesh {mesh:?} does not have"
                    ),
                )
            })?;
            if seen.contains(&axis) {
                return Err(Error::invalid(
                    "NamedSharding",
                    format!("{spec} uses the mesh axis {axis:?} twice"),
                ));
            }
            seen.push(axis);
        }
        Ok(NamedSharding {
            mesh: mesh.clone(),
            spec,
        })
    }

    /// The sharding that gives every device of `mesh` the whole array.
    pub fn replicated(mesh: &Mesh) -> NamedSharding {
        NamedSharding {
            mesh: mesh.clone(),
            spec: PartitionSpec::replicated(),
        }
    }

    /// The mesh.
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// The partition spec.
    pub fn spec(&self) -> &PartitionSpec {
        &self.spec
    }

    /// Whether every device holds the whole array.
    pub fn is_fully_replicated(&self) -> bool {
        self.spec
            .used_axes()
            .all(|axis| self.mesh.axis_size(axis) == Some(1))
    }

    /// How many blocks dimension `dim` is split into.
    fn tiles(&self, dim: usize) -> usize {
        self.spec
            .axes_of(dim)
            .iter()
            .map(|axis| self.mesh.axis_size(axis).expect("checked by new"))
            .product()
    }

    /// How many blocks each of `ndim` dimensions is split into.
    pub(crate) fn tiles_per_dim(&self, ndim: usize) -> Vec<usize> {
        (0..ndim).map(|d| self.tiles(d)).collect()
    }

    /// Checks that an array of `shape` can take this sharding: the spec is no longer than the
    /// rank and each split dimension divides evenly. `op` names the caller in the error.
    pub fn check_shape(&self, op: &str, shape: &[usize]) -> Result<()> {
        if self.spec.dims().len() > shape.len() {
            return Err(Error::invalid(
                op,
                format!(
                    "{} has {} entries, more than the rank of the array of shape {shape:?}",
                    self.spec,
                    self.spec.dims().len()
                ),
            ));
        }
        for (dim, &size) in shape.iter().enumerate() {
            let tiles = self.tiles(dim);
            if size % tiles != 0 {
                return Err(Error::invalid(
                    op,
                    format!(
                        "dimension {dim} of the array of shape {shape:?} (size {size}) is not \
                         divisible by {tiles}, the size of the mesh axes {:?} that {} splits it over",
                        self.spec.axes_of(dim),
                        self.spec
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The shape of each device's block of an array of `shape`.
    pub fn shard_shape(&self, shape: &[usize]) -> Vec<usize> {
        shape
            .iter()
            .enumerate()
            .map(|(dim, &size)| size / self.tiles(dim))
            .collect()
    }

    /// Which block of dimension `dim` the device at mesh coordinates `coords` holds.
    fn tile_index(&self, dim: usize, coords: &[usize]) -> usize {
        self.spec.axes_of(dim).iter().fold(0, |index, axis| {
            let a = self.mesh.axis_index(axis).expect("checked by new");
            index * self.mesh.shape()[a] + coords[a]
        })
    }

    /// The index ranges of an array of `shape` that the mesh's `device`-th device holds
    /// (row-major mesh order).
    pub fn shard_ranges(&self, shape: &[usize], device: usize) -> Vec<Range<usize>> {
        let coords = self.mesh.coords(device);
        let block = self.shard_shape(shape);
        block
            .iter()
            .enumerate()
            .map(|(dim, &size)| {
                let start = self.tile_index(dim, &coords) * size;
                start..start + size
            })
            .collect()
    }

    /// The mesh axes no dimension is split over, in mesh order.
    pub(crate) fn replicated_axes(&self) -> Vec<usize> {
        (0..self.mesh.shape().len())
            .filter(|&a| {
                !self
                    .spec
                    .used_axes()
                    .any(|u| *u == self.mesh.axis_names()[a])
            })
            .collect()
    }

    /// The tile assignment of an array of rank `ndim`, as XLA writes it: the number of blocks
    /// per dimension (then the number of copies, when the array is replicated along some mesh
    /// axes), the mesh position holding each block in row-major order, and whether the last
    /// dimension counts copies. `None` when every device holds the whole array.
    pub(crate) fn tile_assignment(&self, ndim: usize) -> Option<(Vec<usize>, Vec<usize>, bool)> {
        if self.is_fully_replicated() {
            return None;
        }
        let replicated = self.replicated_axes();
        let copies: usize = replicated.iter().map(|&a| self.mesh.shape()[a]).product();
        let mut dims: Vec<usize> = (0..ndim).map(|d| self.tiles(d)).collect();
        if copies > 1 {
            dims.push(copies);
        }
        let mut assignment = vec![0usize; self.mesh.size()];
        for device in 0..self.mesh.size() {
            let slot = self.mesh.coords(device);
            let mut position = (0..ndim).fold(0, |p, d| p * dims[d] + self.tile_index(d, &slot));
            if copies > 1 {
                let copy = replicated
                    .iter()
                    .fold(0, |c, &a| c * self.mesh.shape()[a] + slot[a]);
                position = position * copies + copy;
            }
            assignment[position] = device;
        }
        Some((dims, assignment, copies > 1))
    }

    /// XLA's sharding annotation for an array of rank `ndim` (partition `i` is the mesh's
    /// `i`-th device): `{replicated}`, or a tile assignment such as
    /// `{devices=[4,1,2]0,2,4,6,1,3,5,7 last_tile_dim_replicate}`.
    pub(crate) fn hlo_sharding(&self, ndim: usize) -> String {
        let Some((dims, assignment, replicate_last)) = self.tile_assignment(ndim) else {
            return "{replicated}".to_string();
        };
        let join = |values: &[usize]| {
            values
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let suffix = if replicate_last {
            " last_tile_dim_replicate"
        } else {
            ""
        };
        format!("{{devices=[{}]{}{suffix}}}", join(&dims), join(&assignment))
    }
}

impl NamedSharding {
    /// The spec's entries without trailing unsplit ones.
    fn significant_dims(&self) -> &[Vec<String>] {
        let dims = self.spec.dims();
        let used = dims
            .iter()
            .rposition(|axes| !axes.is_empty())
            .map_or(0, |i| i + 1);
        &dims[..used]
    }
}

impl PartialEq for NamedSharding {
    fn eq(&self, other: &NamedSharding) -> bool {
        self.mesh == other.mesh && self.significant_dims() == other.significant_dims()
    }
}

impl Eq for NamedSharding {}

impl std::hash::Hash for NamedSharding {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.mesh.hash(state);
        self.significant_dims().hash(state);
    }
}

impl fmt::Debug for NamedSharding {
    /// `NamedSharding(mesh=Mesh('x': 4), spec=PartitionSpec('x',))`, as JAX prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NamedSharding(mesh={:?}, spec={})", self.mesh, self.spec)
    }
}
