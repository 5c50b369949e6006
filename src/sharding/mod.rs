//! SPMD parallelism (JAX's `jax.sharding`, `shard_map` and collectives): meshes of devices,
//! arrays split over them, `jit` with shardings partitioned by XLA, and per-device programs
//! with explicit collectives.
//!
//! ```
//! use rjax::sharding::{Mesh, NamedSharding, device_put};
//! use rjax::{Array, jit, pspec};
//!
//! // A one-axis mesh over the first device (more with rjax::config::set_cpu_device_count).
//! let mesh = Mesh::from_default_devices(&[1], &["x"])?;
//! let rows = NamedSharding::new(&mesh, pspec!["x"])?;
//! let x = device_put(&Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?, &rows)?;
//! assert_eq!(x.sharding(), Some(&rows));
//! let y: Array = jit(|x: Array| &x * 2.0).call(x)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![2.0, 4.0, 6.0, 8.0]);
//! # Ok::<(), rjax::Error>(())
//! ```

mod array;
mod axis_env;
pub(crate) mod collectives;
pub(crate) mod constraint;
mod mesh;
mod named;
mod propagated;
pub(crate) mod shard_map;
mod spec;
pub(crate) mod spmd;

pub(crate) use array::assemble;
pub use array::{Shard, device_put};
pub use collectives::{
    CollectiveKind, CollectiveOp, all_gather, all_to_all, axis_index, pmax, pmean, pmin, ppermute,
    psum, psum_scatter,
};
pub use constraint::with_sharding_constraint;
pub use mesh::Mesh;
pub use named::NamedSharding;
pub(crate) use shard_map::shard_map_impl;
pub use shard_map::{ShardMapParams, pmap, shard_map};
pub use spec::{AxisEntry, PartitionSpec};

use crate::runtime::Device;
use crate::{Error, Result, dispatch};

/// `items` for `n` leaves: one each, or a single one for all of them (JAX's rule that a spec
/// or sharding is a prefix of the tree it describes). The error names `op`, `what` was given
/// and `target` (what the `n` leaves belong to).
pub(crate) fn one_per_leaf<T: Clone>(
    op: &str,
    what: &str,
    items: &[T],
    n: usize,
    target: &str,
) -> Result<Vec<T>> {
    match items {
        [one] => Ok(vec![one.clone(); n]),
        _ if items.len() == n => Ok(items.to_vec()),
        _ => Err(Error::invalid(
            op,
            format!("{} {what} given for {target}", items.len()),
        )),
    }
}

/// The default client's devices (JAX's `jax.devices()`).
pub fn devices() -> Result<Vec<Device>> {
    Ok(dispatch::default_client()?.devices())
}

/// The devices this process can address (JAX's `jax.local_devices()`); with one process, all
/// of them.
pub fn local_devices() -> Result<Vec<Device>> {
    devices()
}

/// How many devices the default client has (JAX's `jax.device_count()`).
pub fn device_count() -> Result<usize> {
    Ok(dispatch::default_client()?.device_count())
}
