//! `PJRT_Buffer`: an array in device memory. Transfers to and from the host, readiness, copies
//! between devices.
//!
//! Everything is asynchronous as in PJRT: a buffer made by an execution exists at once and is
//! filled later; [`Buffer::block_until_ready`] or a host read waits for it.

use std::ptr::NonNull;
use std::sync::OnceLock;

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::element_type;
use super::event::{Event, ScopedEvent};
use super::live::BUFFERS;
use super::plugin::pjrt_call;
use super::{Client, Device};
use crate::{DType, Element, Error, Result};

/// An array on a device, destroyed on drop. It holds its client alive.
pub struct Buffer {
    client: Client,
    raw: NonNull<sys::PJRT_Buffer>,
    layout: OnceLock<(DType, Dims)>,
}

/// Dimensions stored without a heap allocation up to rank 7, which keeps the transfer hot path
/// free of allocations besides PJRT's own.
enum Dims {
    Inline { rank: u8, dims: [usize; 7] },
    Heap(Box<[usize]>),
}

impl Dims {
    fn new(dims: &[usize]) -> Dims {
        let mut inline = [0; 7];
        match inline.get_mut(..dims.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(dims);
                Dims::Inline {
                    rank: dims.len() as u8,
                    dims: inline,
                }
            }
            None => Dims::Heap(dims.into()),
        }
    }

    fn as_slice(&self) -> &[usize] {
        match self {
            Dims::Inline { rank, dims } => &dims[..usize::from(*rank)],
            Dims::Heap(dims) => dims,
        }
    }
}

// SAFETY: PJRT buffers are reference-counted and synchronised inside the plugin; JAX reads,
// copies and deletes them from any thread. The Rust-side cache is a `OnceLock`.
unsafe impl Send for Buffer {}
// SAFETY: as for Send.
unsafe impl Sync for Buffer {}

/// The number of elements of an array with `dims`, or `None` on overflow.
fn element_count(dims: &[usize]) -> Option<usize> {
    dims.iter()
        .try_fold(1usize, |count, &dim| count.checked_mul(dim))
}

impl Client {
    /// Copies `data`, a row-major array of shape `dims`, to `device`.
    ///
    /// Returns `Err` if `data` does not hold exactly as many elements as `dims` describes.
    pub fn buffer_from_host<T: Element>(
        &self,
        data: &[T],
        dims: &[usize],
        device: &Device,
    ) -> Result<Buffer> {
        let expected = element_count(dims);
        if expected != Some(data.len()) {
            return Err(Error::invalid(
                "buffer_from_host",
                format!(
                    "{} elements of {} given for shape {dims:?}, which holds {}",
                    data.len(),
                    T::DTYPE,
                    expected.map_or("more than usize::MAX".to_string(), |n| n.to_string())
                ),
            ));
        }
        // SAFETY: `data` holds `size_of_val(data)` initialised bytes; `Element` types are plain
        // data without padding.
        unsafe { self.transfer(data.as_ptr().cast(), T::DTYPE, dims, device) }
    }

    /// Copies `bytes`, the row-major little-endian contents of a `dtype` array of shape `dims`,
    /// to `device`. Returns `Err` if the byte count does not match.
    pub fn buffer_from_bytes(
        &self,
        bytes: &[u8],
        dtype: DType,
        dims: &[usize],
        device: &Device,
    ) -> Result<Buffer> {
        let expected = element_count(dims).and_then(|n| n.checked_mul(dtype.size_in_bytes()));
        if expected != Some(bytes.len()) {
            return Err(Error::invalid(
                "buffer_from_bytes",
                format!(
                    "{} bytes given for a {dtype} array of shape {dims:?}",
                    bytes.len()
                ),
            ));
        }
        // SAFETY: `bytes` holds exactly the bytes a dense `dtype[dims]` array needs.
        unsafe { self.transfer(bytes.as_ptr(), dtype, dims, device) }
    }

    /// # Safety
    /// `data` must point at the dense row-major contents of a `dtype[dims]` array.
    unsafe fn transfer(
        &self,
        data: *const u8,
        dtype: DType,
        dims: &[usize],
        device: &Device,
    ) -> Result<Buffer> {
        if !device.client().same_as(self) {
            return Err(Error::invalid(
                "buffer_from_host",
                format!("device {device:?} belongs to another client"),
            ));
        }
        let mut inline_dims = [0i64; 8];
        let heap_dims: Vec<i64>;
        let dims64: &[i64] = if dims.len() <= inline_dims.len() {
            for (slot, &dim) in inline_dims.iter_mut().zip(dims) {
                *slot = dim as i64;
            }
            &inline_dims[..dims.len()]
        } else {
            heap_dims = dims.iter().map(|&d| d as i64).collect();
            &heap_dims
        };
        let mut args = sys::PJRT_Client_BufferFromHostBuffer_Args::zeroed_sized();
        args.client = self.raw();
        args.data = data.cast();
        args.type_ = element_type::to_pjrt(dtype);
        args.dims = dims64.as_ptr();
        args.num_dims = dims64.len();
        // The plugin copies the data before the call returns, so `data` need not outlive it.
        args.host_buffer_semantics = sys::PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
        args.device = device.raw();
        // SAFETY: the caller vouches for `data`; `dims64` lives through the call, and the
        // device belongs to this live client.
        unsafe { pjrt_call!(self.plugin(), PJRT_Client_BufferFromHostBuffer, &mut args) }?;
        // With kImmutableOnlyDuringCall the host data is already copied: the event, if the
        // plugin made one, needs no waiting, only destroying.
        drop(ScopedEvent::from_raw(self, args.done_with_host_buffer));
        let buffer = Buffer::from_raw(self, args.buffer);
        buffer.layout.get_or_init(|| (dtype, Dims::new(dims)));
        Ok(buffer)
    }
}

impl Buffer {
    /// Takes ownership of a buffer the plugin returned.
    pub(crate) fn from_raw(client: &Client, raw: *mut sys::PJRT_Buffer) -> Buffer {
        let raw = NonNull::new(raw).expect("PJRT returned a null buffer on success");
        BUFFERS.created();
        Buffer {
            client: client.clone(),
            raw,
            layout: OnceLock::new(),
        }
    }

    pub(crate) fn raw(&self) -> *mut sys::PJRT_Buffer {
        self.raw.as_ptr()
    }

    /// The client that owns the buffer.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn layout(&self) -> Result<(DType, &[usize])> {
        let (dtype, dims) = self.cached_layout()?;
        Ok((*dtype, dims.as_slice()))
    }

    fn cached_layout(&self) -> Result<&(DType, Dims)> {
        if let Some(layout) = self.layout.get() {
            return Ok(layout);
        }
        let plugin = self.client.plugin();
        let mut element = sys::PJRT_Buffer_ElementType_Args::zeroed_sized();
        element.buffer = self.raw();
        let mut dims = sys::PJRT_Buffer_Dimensions_Args::zeroed_sized();
        dims.buffer = self.raw();
        // SAFETY: the buffer is live; the dimensions it lends live as long as the buffer and
        // are copied at once.
        let dims: Vec<usize> = unsafe {
            pjrt_call!(plugin, PJRT_Buffer_ElementType, &mut element)?;
            pjrt_call!(plugin, PJRT_Buffer_Dimensions, &mut dims)?;
            if dims.num_dims == 0 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(dims.dims, dims.num_dims)
                    .iter()
                    .map(|&d| d as usize)
                    .collect()
            }
        };
        let dtype = element_type::from_pjrt(element.type_)?;
        Ok(self.layout.get_or_init(|| (dtype, Dims::new(&dims))))
    }

    /// The element type.
    pub fn dtype(&self) -> Result<DType> {
        Ok(self.layout()?.0)
    }

    /// The dimensions (row-major; empty for a scalar).
    pub fn dims(&self) -> Result<&[usize]> {
        Ok(self.layout()?.1)
    }

    /// The device the buffer lives on.
    pub fn device(&self) -> Result<Device> {
        let mut args = sys::PJRT_Buffer_Device_Args::zeroed_sized();
        args.buffer = self.raw();
        // SAFETY: the buffer is live; the device pointer belongs to its client.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_Device, &mut args) }?;
        let index = self.client.device_index(args.device).ok_or_else(|| {
            Error::invalid(
                "PJRT_Buffer_Device",
                "the buffer is on a device this process cannot address",
            )
        })?;
        Ok(Device::new(self.client.clone(), index))
    }

    /// The bytes the buffer occupies on its device (padding and tiling included).
    pub fn on_device_size_in_bytes(&self) -> Result<usize> {
        let mut args = sys::PJRT_Buffer_OnDeviceSizeInBytes_Args::zeroed_sized();
        args.buffer = self.raw();
        // SAFETY: the buffer is live.
        unsafe {
            pjrt_call!(
                self.client.plugin(),
                PJRT_Buffer_OnDeviceSizeInBytes,
                &mut args
            )
        }?;
        Ok(args.on_device_size_in_bytes)
    }

    /// The address of the buffer's memory on its device (PJRT's `UnsafePointer`), for
    /// identifying it; nothing may be read or written through it.
    pub fn unsafe_pointer(&self) -> Result<usize> {
        let mut args = sys::PJRT_Buffer_UnsafePointer_Args::zeroed_sized();
        args.buffer = self.raw();
        // SAFETY: the buffer is live.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_UnsafePointer, &mut args) }?;
        Ok(args.buffer_pointer)
    }

    /// An event that becomes ready when the buffer's contents are computed (or failed).
    pub fn ready_event(&self) -> Result<Event> {
        let raw = self.raw_ready_event()?;
        Ok(Event::from_raw(&self.client, raw.as_ptr()).expect("non-null"))
    }

    fn scoped_ready_event(&self) -> Result<ScopedEvent<'_>> {
        let raw = self.raw_ready_event()?;
        Ok(ScopedEvent::from_raw(&self.client, raw.as_ptr()).expect("non-null"))
    }

    fn raw_ready_event(&self) -> Result<NonNull<sys::PJRT_Event>> {
        let mut args = sys::PJRT_Buffer_ReadyEvent_Args::zeroed_sized();
        args.buffer = self.raw();
        // SAFETY: the buffer is live; the caller owns the returned event at once.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_ReadyEvent, &mut args) }?;
        NonNull::new(args.event)
            .ok_or_else(|| Error::invalid("PJRT_Buffer_ReadyEvent", "the plugin returned no event"))
    }

    /// Waits until the contents are computed; returns the error of the computation that
    /// produces them, if it failed.
    pub fn block_until_ready(&self) -> Result<()> {
        self.scoped_ready_event()?.wait()
    }

    /// Whether the contents are computed, without waiting.
    pub fn is_ready(&self) -> Result<bool> {
        self.scoped_ready_event()?.into_is_ready()
    }

    /// Copies the buffer to `device` (of the same client), asynchronously.
    pub fn copy_to_device(&self, device: &Device) -> Result<Buffer> {
        if !device.client().same_as(&self.client) {
            return Err(Error::invalid(
                "copy_to_device",
                format!("device {device:?} belongs to another client"),
            ));
        }
        let mut args = sys::PJRT_Buffer_CopyToDevice_Args::zeroed_sized();
        args.buffer = self.raw();
        args.dst_device = device.raw();
        // SAFETY: the buffer and device belong to the same live client.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_CopyToDevice, &mut args) }?;
        Ok(Buffer::from_raw(&self.client, args.dst_buffer))
    }

    /// Copies the contents to the host as row-major little-endian bytes, waiting for them.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let size = self.host_size()?;
        let mut bytes = vec![0u8; size];
        // SAFETY: `bytes` has exactly the size the plugin asked for.
        unsafe { self.read_into(bytes.as_mut_ptr(), size) }?;
        Ok(bytes)
    }

    /// Copies the contents to the host as a `Vec<T>`, waiting for them. `T` must be the
    /// buffer's dtype.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let (dtype, dims) = self.layout()?;
        if dtype != T::DTYPE {
            return Err(Error::invalid(
                "to_vec",
                format!("the buffer holds {dtype}{dims:?}, not {}", T::DTYPE),
            ));
        }
        let count = element_count(dims).unwrap_or(0);
        let size = self.host_size()?;
        if size != count * std::mem::size_of::<T>() {
            return Err(Error::invalid(
                "to_vec",
                format!("the plugin reports {size} host bytes for {dtype}{dims:?}"),
            ));
        }
        if T::DTYPE == DType::Bool {
            // A `bool` must be exactly 0 or 1: read bytes and normalise them.
            return Ok(super::host::elements_from_bytes(&self.to_bytes()?));
        }
        let mut values = Vec::<T>::with_capacity(count);
        // SAFETY: the vector has room for `size` bytes; every bit pattern is a valid value of
        // the non-bool Element types, and the plugin writes all of them before `set_len`.
        unsafe {
            self.read_into(values.as_mut_ptr().cast(), size)?;
            values.set_len(count);
        }
        Ok(values)
    }

    /// The size in bytes of the host copy (the first phase of `PJRT_Buffer_ToHostBuffer`).
    fn host_size(&self) -> Result<usize> {
        let mut args = sys::PJRT_Buffer_ToHostBuffer_Args::zeroed_sized();
        args.src = self.raw();
        // SAFETY: with a null destination the plugin only reports the size.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_ToHostBuffer, &mut args) }?;
        Ok(args.dst_size)
    }

    /// # Safety
    /// `dst` must be valid for writing `size` bytes, and `size` must be [`Self::host_size`].
    unsafe fn read_into(&self, dst: *mut u8, size: usize) -> Result<()> {
        let mut args = sys::PJRT_Buffer_ToHostBuffer_Args::zeroed_sized();
        args.src = self.raw();
        args.dst = dst.cast();
        args.dst_size = size;
        // SAFETY: the caller vouches for `dst`; the copy is complete once the event is ready,
        // and the event is awaited before returning.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_ToHostBuffer, &mut args) }?;
        match ScopedEvent::from_raw(&self.client, args.event) {
            Some(done) => done.wait(),
            None => Ok(()),
        }
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut args = sys::PJRT_Buffer_Destroy_Args::zeroed_sized();
        args.buffer = self.raw();
        // SAFETY: `self` owns the buffer, and this is the one place it is destroyed. PJRT keeps
        // the device memory alive for executions still using it.
        let result = unsafe { pjrt_call!(self.client.plugin(), PJRT_Buffer_Destroy, &mut args) };
        BUFFERS.destroyed(result);
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.layout() {
            Ok((dtype, dims)) => write!(f, "Buffer({dtype}{dims:?})"),
            Err(_) => f.write_str("Buffer(?)"),
        }
    }
}
