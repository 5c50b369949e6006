//! `Mesh`: devices arranged in a grid with named axes (JAX's `jax.sharding.Mesh`).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::runtime::Device;
use crate::{Error, Result, dispatch};

/// Devices arranged in an n-dimensional grid whose axes have names. Shardings name mesh axes
/// to split array dimensions over them; collectives name them to choose which devices talk.
/// Cheap to clone; two meshes are equal when they have the same devices in the same places
/// and the same axis names.
#[derive(Clone)]
pub struct Mesh(Arc<MeshInner>);

struct MeshInner {
    devices: Vec<Device>,
    shape: Vec<usize>,
    axis_names: Vec<String>,
}

impl Mesh {
    /// A mesh of `devices` (row-major over `shape`) with one name per axis. Errors when the
    /// counts disagree, names repeat, or a device appears twice.
    pub fn new(devices: Vec<Device>, shape: &[usize], axis_names: &[&str]) -> Result<Mesh> {
        let size: usize = shape.iter().product();
        if shape.len() != axis_names.len() {
            return Err(Error::invalid(
                "Mesh",
                format!(
                    "a mesh of shape {shape:?} needs {} axis names, got {axis_names:?}",
                    shape.len()
                ),
            ));
        }
        if size != devices.len() || size == 0 {
            return Err(Error::invalid(
                "Mesh",
                format!(
                    "a mesh of shape {shape:?} holds {size} devices, but {} were given",
                    devices.len()
                ),
            ));
        }
        for (i, name) in axis_names.iter().enumerate() {
            if axis_names[..i].contains(name) {
                return Err(Error::invalid(
                    "Mesh",
                    format!("the axis name {name:?} appears twice in {axis_names:?}"),
                ));
            }
        }
        for (i, device) in devices.iter().enumerate() {
            if devices[..i].iter().any(|d| d.id() == device.id()) {
                return Err(Error::invalid(
                    "Mesh",
                    format!("device {} appears twice", device.id()),
                ));
            }
        }
        Ok(Mesh(Arc::new(MeshInner {
            devices,
            shape: shape.to_vec(),
            axis_names: axis_names.iter().map(|n| n.to_string()).collect(),
        })))
    }

    /// A mesh over the first `shape.iter().product()` devices of the default client (JAX's
    /// `jax.make_mesh`). Errors when the mesh needs more devices than there are; on the CPU,
    /// [`crate::config::set_cpu_device_count`] provides more.
    pub fn from_default_devices(shape: &[usize], axis_names: &[&str]) -> Result<Mesh> {
        let client = dispatch::default_client()?;
        let size: usize = shape.iter().product();
        if size > client.device_count() {
            return Err(Error::invalid(
                "make_mesh",
                format!(
                    "a mesh of shape {shape:?} needs {size} devices, but the {} client has {} \
                     (on the CPU, ask for more with rjax::config::set_cpu_device_count or \
                     RJAX_CPU_DEVICE_COUNT)",
                    client.platform_name(),
                    client.device_count()
                ),
            ));
        }
        Mesh::new(client.devices()[..size].to_vec(), shape, axis_names)
    }

    /// The devices, row-major over the mesh shape.
    pub fn devices(&self) -> &[Device] {
        &self.0.devices
    }

    /// The size of each axis.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The axis names.
    pub fn axis_names(&self) -> &[String] {
        &self.0.axis_names
    }

    /// The number of devices.
    pub fn size(&self) -> usize {
        self.0.devices.len()
    }

    /// The position of the axis `name`, if the mesh has it.
    pub fn axis_index(&self, name: &str) -> Option<usize> {
        self.0.axis_names.iter().position(|n| n == name)
    }

    /// The size of the axis `name`, if the mesh has it.
    pub fn axis_size(&self, name: &str) -> Option<usize> {
        self.axis_index(name).map(|i| self.0.shape[i])
    }

    /// The axis `name`'s position, or an error naming `op` and the mesh's axes.
    pub(crate) fn require_axis(&self, op: &str, name: &str) -> Result<usize> {
        self.axis_index(name).ok_or_else(|| {
            Error::invalid(
                op,
                format!(
                    "the mesh has no axis named {name:?} (its axes are {:?})",
                    self.0.axis_names
                ),
            )
        })
    }

    /// The grid coordinates of the device at row-major position `flat`.
    pub(crate) fn coords(&self, mut flat: usize) -> Vec<usize> {
        let mut coords = vec![0; self.0.shape.len()];
        for (c, &size) in coords.iter_mut().zip(&self.0.shape).rev() {
            *c = flat % size;
            flat /= size;
        }
        coords
    }

    /// The device ids, row-major.
    pub(crate) fn device_ids(&self) -> Vec<i64> {
        self.0.devices.iter().map(|d| i64::from(d.id())).collect()
    }
}

impl PartialEq for Mesh {
    fn eq(&self, other: &Mesh) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.shape == other.0.shape
                && self.0.axis_names == other.0.axis_names
                && self.device_ids() == other.device_ids())
    }
}

impl Eq for Mesh {}

impl Hash for Mesh {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.shape.hash(state);
        self.0.axis_names.hash(state);
        self.device_ids().hash(state);
    }
}

impl fmt::Debug for Mesh {
    /// `Mesh('x': 4, 'y': 2)`, as JAX prints a mesh's axes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let axes: Vec<String> = self
            .0
            .axis_names
            .iter()
            .zip(&self.0.shape)
            .map(|(name, size)| format!("'{name}': {size}"))
            .collect();
        write!(f, "Mesh({})", axes.join(", "))
    }
}
