//! `PJRT_Device`: one addressable device of a client, and its memory statistics.

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::Client;
use super::plugin::{Plugin, copy_string, pjrt_call};
use crate::Result;

/// What a client learned about one of its devices when it was created.
pub(crate) struct DeviceInfo {
    pub(crate) raw: *mut sys::PJRT_Device,
    id: i32,
    kind: String,
    local_hardware_id: i32,
}

impl DeviceInfo {
    pub(crate) fn read(plugin: &Plugin, raw: *mut sys::PJRT_Device) -> Result<DeviceInfo> {
        let mut description = sys::PJRT_Device_GetDescription_Args::zeroed_sized();
        description.device = raw;
        let mut id = sys::PJRT_DeviceDescription_Id_Args::zeroed_sized();
        let mut kind = sys::PJRT_DeviceDescription_Kind_Args::zeroed_sized();
        let mut hardware_id = sys::PJRT_Device_LocalHardwareId_Args::zeroed_sized();
        hardware_id.device = raw;
        // SAFETY: `raw` is a device of a live client; the description and kind string it lends
        // live as long as the client, and the kind is copied at once.
        unsafe {
            pjrt_call!(plugin, PJRT_Device_GetDescription, &mut description)?;
            id.device_description = description.device_description;
            kind.device_description = description.device_description;
            pjrt_call!(plugin, PJRT_DeviceDescription_Id, &mut id)?;
            pjrt_call!(plugin, PJRT_DeviceDescription_Kind, &mut kind)?;
            pjrt_call!(plugin, PJRT_Device_LocalHardwareId, &mut hardware_id)?;
            Ok(DeviceInfo {
                raw,
                id: id.id,
                kind: copy_string(kind.device_kind, kind.device_kind_size),
                local_hardware_id: hardware_id.local_hardware_id,
            })
        }
    }
}

/// A device of a [`Client`]: a handle that keeps its client alive.
#[derive(Clone)]
pub struct Device {
    client: Client,
    index: usize,
}

/// A device's memory use, as far as the plugin reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStats {
    /// Bytes allocated now.
    pub bytes_in_use: i64,
    /// The most bytes ever allocated at once, if reported.
    pub peak_bytes_in_use: Option<i64>,
    /// The number of allocations, if reported.
    pub num_allocs: Option<i64>,
    /// The largest single allocation, if reported.
    pub largest_alloc_size: Option<i64>,
    /// The bytes the allocator may use in all, if reported.
    pub bytes_limit: Option<i64>,
}

impl Device {
    pub(crate) fn new(client: Client, index: usize) -> Device {
        Device { client, index }
    }

    fn info(&self) -> &DeviceInfo {
        self.client.device_info(self.index)
    }

    /// The client this device belongs to.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The position of this device among its client's addressable devices.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The device's global id.
    pub fn id(&self) -> i32 {
        self.info().id
    }

    /// The kind of device, e.g. `cpu` or `NVIDIA H100 80GB HBM3`.
    pub fn kind(&self) -> &str {
        &self.info().kind
    }

    /// The device's id on its host (its CUDA ordinal on a GPU).
    pub fn local_hardware_id(&self) -> i32 {
        self.info().local_hardware_id
    }

    pub(crate) fn raw(&self) -> *mut sys::PJRT_Device {
        self.info().raw
    }

    /// The device's memory statistics; plugins that keep none (the CPU plugin) return `Err`.
    pub fn memory_stats(&self) -> Result<MemoryStats> {
        let mut args = sys::PJRT_Device_MemoryStats_Args::zeroed_sized();
        args.device = self.raw();
        // SAFETY: the device belongs to a live client; the result is plain integers.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Device_MemoryStats, &mut args) }?;
        let optional = |value: i64, set: bool| set.then_some(value);
        Ok(MemoryStats {
            bytes_in_use: args.bytes_in_use,
            peak_bytes_in_use: optional(args.peak_bytes_in_use, args.peak_bytes_in_use_is_set),
            num_allocs: optional(args.num_allocs, args.num_allocs_is_set),
            largest_alloc_size: optional(args.largest_alloc_size, args.largest_alloc_size_is_set),
            bytes_limit: optional(args.bytes_limit, args.bytes_limit_is_set),
        })
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        self.client.same_as(&other.client) && self.index == other.index
    }
}

impl Eq for Device {}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.client.platform_name(), self.id())
    }
}
