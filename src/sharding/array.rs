//! Sharded arrays: `device_put` onto a sharding, the blocks each device holds, and gathering
//! them back into one host copy.

use std::ops::Range;

use super::NamedSharding;
use crate::abstract_value::ShapedArray;
use crate::array::{Concrete, Sharded};
use crate::runtime::Device;
use crate::{Array, Error, Result};

/// One device's block of a sharded array (JAX's `jax.Shard`).
#[derive(Clone, Debug)]
pub struct Shard {
    /// The device holding the block.
    pub device: Device,
    /// The index ranges of the whole array the block covers, one per dimension.
    pub index: Vec<Range<usize>>,
    /// The block, as an array on `device`.
    pub data: Array,
}

impl Array {
    /// The sharding of an array laid out over a mesh (by [`device_put`] or a jitted function
    /// with shardings); `None` for a single-device array or a tracer.
    pub fn sharding(&self) -> Option<&NamedSharding> {
        Some(&self.concrete()?.sharded()?.sharding)
    }

    /// The blocks of the array, one per device holding part of it (JAX's
    /// `addressable_shards`): a single-device array has one block, the whole array.
    pub fn addressable_shards(&self) -> Result<Vec<Shard>> {
        let concrete = self.require_concrete("addressable_shards")?;
        let Some(sharded) = concrete.sharded() else {
            return Ok(vec![Shard {
                device: self.device()?,
                index: self.shape().iter().map(|&n| 0..n).collect(),
                data: self.clone(),
            }]);
        };
        let mesh = sharded.sharding.mesh();
        Ok(sharded
            .shards
            .iter()
            .enumerate()
            .map(|(m, data)| Shard {
                device: mesh.devices()[m].clone(),
                index: sharded.sharding.shard_ranges(self.shape(), m),
                data: data.clone(),
            })
            .collect())
    }
}

/// `x` laid out with `sharding` (JAX's `jax.device_put(x, sharding)`): each device of the mesh
/// receives its block. An array that already has this sharding is returned as it is; one laid
/// out otherwise on the same mesh is resharded by a compiled program that moves the blocks
/// between the devices; any other goes through the host. Inside a transformation, this is
/// [`with_sharding_constraint`](super::with_sharding_constraint).
#[track_caller]
pub fn device_put(x: &Array, sharding: &NamedSharding) -> Result<Array> {
    sharding.check_shape("device_put", x.shape())?;
    if x.is_tracer() {
        return Ok(super::with_sharding_constraint(x, sharding));
    }
    match x.sharding() {
        Some(own) if own == sharding => return Ok(x.clone()),
        // On the same mesh, the devices exchange blocks among themselves.
        Some(own) if own.mesh() == sharding.mesh() => {
            return super::spmd::reshard(x, own, sharding);
        }
        _ => {}
    }
    let concrete = x.require_concrete("device_put")?;
    let aval = &concrete.aval;
    let bytes = concrete.host_bytes()?;
    let block_aval = ShapedArray {
        shape: sharding.shard_shape(&aval.shape),
        ..aval.clone()
    };
    let mesh = sharding.mesh();
    let shards = mesh
        .devices()
        .iter()
        .enumerate()
        .map(|(m, device)| {
            let ranges = sharding.shard_ranges(&aval.shape, m);
            let block = copy_block(bytes, &aval.shape, &ranges, aval.dtype.size_in_bytes());
            // The buffer holds the block's data: a block of keys is uint32 with the key words
            // as a trailing dimension.
            let physical = block_aval.physical();
            let buffer = device.client().buffer_from_bytes(
                &block,
                physical.dtype,
                &physical.shape,
                device,
            )?;
            Ok(Array::from_concrete(Concrete::from_buffer(
                block_aval.clone(),
                buffer,
            )))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(from_shards(aval.clone(), sharding.clone(), shards))
}

/// A sharded array of type `aval` from its blocks (one per mesh device, row-major).
pub(crate) fn from_shards(aval: ShapedArray, sharding: NamedSharding, shards: Vec<Array>) -> Array {
    Array::from_concrete(Concrete::from_shards(aval, Sharded { sharding, shards }))
}

/// The row-major bytes of a sharded value of type `aval`, gathered from its blocks.
pub(crate) fn assemble(aval: &ShapedArray, sharded: &Sharded) -> Result<Vec<u8>> {
    let element = aval.dtype.size_in_bytes();
    let mut out = vec![0u8; aval.size() * element];
    let replicated = sharded.sharding.replicated_axes();
    let mesh = sharded.sharding.mesh();
    for (m, shard) in sharded.shards.iter().enumerate() {
        // One copy of each block is enough.
        if replicated.iter().any(|&a| mesh.coords(m)[a] != 0) {
            continue;
        }
        let block = shard.require_concrete("assemble")?.host_bytes()?;
        let ranges = sharded.sharding.shard_ranges(&aval.shape, m);
        for_each_row(&aval.shape, &ranges, element, |outer, inner, len| {
            out[outer..outer + len].copy_from_slice(&block[inner..inner + len]);
        });
    }
    if aval.size() > 0 && sharded.shards.is_empty() {
        return Err(Error::invalid("assemble", "a sharded array without blocks"));
    }
    Ok(out)
}

/// The bytes of the block `ranges` of a row-major array of `shape`.
fn copy_block(bytes: &[u8], shape: &[usize], ranges: &[Range<usize>], element: usize) -> Vec<u8> {
    let size: usize = ranges.iter().map(|r| r.len()).product();
    let mut block = vec![0u8; size * element];
    for_each_row(shape, ranges, element, |outer, inner, len| {
        block[inner..inner + len].copy_from_slice(&bytes[outer..outer + len]);
    });
    block
}

/// Calls `row(offset in the whole array, offset in the block, length)` (in bytes) for each
/// contiguous run of the block `ranges` of a row-major array of `shape`.
fn for_each_row(
    shape: &[usize],
    ranges: &[Range<usize>],
    element: usize,
    mut row: impl FnMut(usize, usize, usize),
) {
    let rank = shape.len();
    if ranges.iter().any(|r| r.is_empty()) {
        return;
    }
    if rank == 0 {
        row(0, 0, element);
        return;
    }
    let run = ranges[rank - 1].len() * element;
    let block_shape: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
    let rows: usize = block_shape[..rank - 1].iter().product();
    let mut index = vec![0usize; rank - 1];
    for r in 0..rows {
        let mut outer = 0;
        for d in 0..rank - 1 {
            outer = outer * shape[d] + ranges[d].start + index[d];
        }
        outer = (outer * shape[rank - 1] + ranges[rank - 1].start) * element;
        row(outer, r * run, run);
        for d in (0..rank - 1).rev() {
            index[d] += 1;
            if index[d] < block_shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}
