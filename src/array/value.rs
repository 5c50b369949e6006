//! The `Array` handle, its two representations, and reading values back to the host.

use std::sync::{Arc, OnceLock};

use crate::abstract_value::ShapedArray;
use crate::core::tracer::Tracer;
use crate::runtime::{Buffer, Device};
use crate::sharding::NamedSharding;
use crate::{DType, Element, Error, Result, dispatch};

/// An n-dimensional array: a concrete value (on a device, or a host scalar not yet uploaded)
/// or, inside a transformation, a tracer standing for one. Cloning is cheap (a reference count)
/// and arrays are `Send + Sync`.
///
/// Arrays are immutable. An elementwise operation that takes an array by value (`x * 2.0`,
/// `numpy::exp(x)`) may write its result into that array's device buffer when no clone of it
/// is alive, as an in-place update would; a borrowed operand (`&x * 2.0`) is never touched.
#[derive(Clone)]
pub struct Array(pub(crate) Arc<ArrayInner>);

pub(crate) enum ArrayInner {
    Concrete(Concrete),
    Tracer(Tracer),
}

/// A concrete array: its type, and its contents on the host, on a device, split over the
/// devices of a mesh, or several of these. Each copy is made once, when first needed.
pub(crate) struct Concrete {
    pub(crate) aval: ShapedArray,
    host: OnceLock<Vec<u8>>,
    device: OnceLock<Buffer>,
    sharded: Option<Sharded>,
}

/// An array laid out over a mesh: one single-device array per mesh device (row-major).
pub(crate) struct Sharded {
    pub(crate) sharding: NamedSharding,
    pub(crate) shards: Vec<Array>,
}

impl Concrete {
    /// A value known on the host: `bytes` are its row-major little-endian contents.
    pub(crate) fn from_host(aval: ShapedArray, bytes: Vec<u8>) -> Concrete {
        debug_assert_eq!(bytes.len(), aval.size() * aval.dtype.size_in_bytes());
        Concrete {
            aval,
            host: OnceLock::from(bytes),
            device: OnceLock::new(),
            sharded: None,
        }
    }

    /// A value in a device buffer.
    pub(crate) fn from_buffer(aval: ShapedArray, buffer: Buffer) -> Concrete {
        Concrete {
            aval,
            host: OnceLock::new(),
            device: OnceLock::from(buffer),
            sharded: None,
        }
    }

    /// A value split over a mesh: `shards[i]` is the block of the mesh's `i`-th device.
    pub(crate) fn from_shards(aval: ShapedArray, sharded: Sharded) -> Concrete {
        Concrete {
            aval,
            host: OnceLock::new(),
            device: OnceLock::new(),
            sharded: Some(sharded),
        }
    }

    /// The layout over a mesh, if the value is sharded.
    pub(crate) fn sharded(&self) -> Option<&Sharded> {
        self.sharded.as_ref()
    }

    /// The device buffer, uploading the host copy to the default device the first time.
    pub(crate) fn buffer(&self) -> Result<&Buffer> {
        if let Some(buffer) = self.device.get() {
            return Ok(buffer);
        }
        let buffer = dispatch::upload(self.host_bytes()?, &self.aval)?;
        Ok(self.device.get_or_init(|| buffer))
    }

    /// The host bytes, downloading (and waiting for) the device copy the first time.
    pub(crate) fn host_bytes(&self) -> Result<&[u8]> {
        if let Some(bytes) = self.host.get() {
            return Ok(bytes);
        }
        let bytes = match (self.device.get(), &self.sharded) {
            (Some(buffer), _) => buffer.to_bytes()?,
            (None, Some(sharded)) => crate::sharding::assemble(&self.aval, sharded)?,
            (None, None) => unreachable!("a concrete array has a host, device or sharded copy"),
        };
        Ok(self.host.get_or_init(|| bytes))
    }

    /// The host bytes if they are known without a transfer.
    pub(crate) fn host_bytes_if_known(&self) -> Option<&[u8]> {
        self.host.get().map(Vec::as_slice)
    }
}

impl Array {
    pub(crate) fn from_concrete(concrete: Concrete) -> Array {
        Array(Arc::new(ArrayInner::Concrete(concrete)))
    }

    pub(crate) fn from_tracer(tracer: Tracer) -> Array {
        Array(Arc::new(ArrayInner::Tracer(tracer)))
    }

    /// The tracer, if this array is one.
    pub(crate) fn tracer(&self) -> Option<&Tracer> {
        match &*self.0 {
            ArrayInner::Tracer(tracer) => Some(tracer),
            ArrayInner::Concrete(_) => None,
        }
    }

    /// The concrete value, if this array is not a tracer.
    pub(crate) fn concrete(&self) -> Option<&Concrete> {
        match &*self.0 {
            ArrayInner::Concrete(concrete) => Some(concrete),
            ArrayInner::Tracer(_) => None,
        }
    }

    /// An address that identifies this array (all clones share it) while it lives.
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Whether this handle alone holds the array and its device buffer exists, so that
    /// [`Self::into_unique_buffer`] would give the buffer.
    pub(crate) fn owns_device_buffer(&self) -> bool {
        Arc::strong_count(&self.0) == 1
            && self.concrete().is_some_and(|concrete| {
                concrete.device.get().is_some() && concrete.sharded.is_none()
            })
    }

    /// The device buffer of this array if this is its only handle (the buffer is then taken
    /// out, as donation needs); otherwise the array back.
    pub(crate) fn into_unique_buffer(self) -> std::result::Result<Buffer, Array> {
        match Arc::try_unwrap(self.0) {
            Ok(ArrayInner::Concrete(concrete)) if concrete.device.get().is_some() => {
                Ok(concrete.device.into_inner().expect("checked"))
            }
            Ok(inner) => Err(Array(Arc::new(inner))),
            Err(shared) => Err(Array(shared)),
        }
    }

    /// The concrete value, or JAX's concretization error naming `op`.
    pub(crate) fn require_concrete(&self, op: &str) -> Result<&Concrete> {
        self.concrete().ok_or_else(|| Error::Concretization {
            op: op.to_string(),
            aval: self.aval().to_string(),
        })
    }

    /// The abstract value: shape, dtype and weak type.
    pub fn aval(&self) -> &ShapedArray {
        match &*self.0 {
            ArrayInner::Concrete(concrete) => &concrete.aval,
            ArrayInner::Tracer(tracer) => &tracer.aval,
        }
    }

    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.aval().shape
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.aval().ndim()
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        self.aval().size()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.aval().dtype
    }

    /// Whether the dtype is weak (the value came from a Rust number literal).
    pub fn weak_type(&self) -> bool {
        self.aval().weak_type
    }

    /// Whether this array is a tracer inside a transformation.
    pub fn is_tracer(&self) -> bool {
        self.tracer().is_some()
    }

    /// The elements in row-major order, waiting for them to be computed. `T` must be the
    /// array's dtype.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let concrete = self.require_concrete("to_vec")?;
        if T::DTYPE != concrete.aval.dtype {
            return Err(Error::invalid(
                "to_vec",
                format!("the array is {}, not {}", concrete.aval, T::DTYPE),
            ));
        }
        if let Some(buffer) = concrete
            .device
            .get()
            .filter(|_| concrete.host.get().is_none())
        {
            return buffer.to_vec::<T>();
        }
        Ok(crate::runtime::elements_from_bytes(concrete.host_bytes()?))
    }

    /// The single element of a one-element array. `T` must be the array's dtype.
    pub fn item<T: Element>(&self) -> Result<T> {
        if self.size() != 1 {
            return Err(Error::invalid(
                "item",
                format!(
                    "only one-element arrays have an item; this one is {}",
                    self.aval()
                ),
            ));
        }
        self.require_concrete("item")?;
        if T::DTYPE != self.dtype() {
            return Err(Error::invalid(
                "item",
                format!("the array is {}, not {}", self.aval(), T::DTYPE),
            ));
        }
        Ok(self.to_vec::<T>()?[0])
    }

    /// Waits until the value is computed (a no-op for host values); returns the error of the
    /// computation if it failed.
    pub fn block_until_ready(&self) -> Result<&Array> {
        let concrete = self.require_concrete("block_until_ready")?;
        if let Some(buffer) = concrete.device.get() {
            buffer.block_until_ready()?;
        }
        if let Some(sharded) = &concrete.sharded {
            for shard in &sharded.shards {
                shard.block_until_ready()?;
            }
        }
        Ok(self)
    }

    /// The address of the value's memory on its device (JAX's `unsafe_buffer_pointer`,
    /// uploading a host value first): two arrays with the same address share their memory.
    pub fn unsafe_buffer_pointer(&self) -> Result<usize> {
        self.require_concrete("unsafe_buffer_pointer")?
            .buffer()?
            .unsafe_pointer()
    }

    /// The device holding the value (uploading a host value to the default device).
    pub fn device(&self) -> Result<Device> {
        self.require_concrete("device")?.buffer()?.device()
    }
}

impl std::fmt::Debug for Array {
    /// JAX's `repr`: `Array([0.5, 0.5, 0. ], dtype=float32)`; a tracer shows its type.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            ArrayInner::Tracer(tracer) => write!(f, "Traced<{}>", tracer.aval),
            ArrayInner::Concrete(concrete) => match concrete.host_bytes() {
                Ok(bytes) => {
                    let aval = &concrete.aval;
                    f.write_str(&super::format::array_repr(
                        bytes,
                        aval.dtype,
                        &aval.shape,
                        aval.weak_type,
                    ))
                }
                Err(error) => write!(f, "Array(<unavailable: {error}>)"),
            },
        }
    }
}

impl std::fmt::Display for Array {
    /// JAX's `str`, as `print` shows it: `[0.5 0.5 0. ]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            ArrayInner::Tracer(tracer) => write!(f, "Traced<{}>", tracer.aval),
            ArrayInner::Concrete(concrete) => match concrete.host_bytes() {
                Ok(bytes) => f.write_str(&super::format::array_str(
                    bytes,
                    concrete.aval.dtype,
                    &concrete.aval.shape,
                )),
                Err(error) => write!(f, "<unavailable: {error}>"),
            },
        }
    }
}
