//! `PJRT_Client`: one plugin's view of its devices, and the factory of buffers and executables.

use std::ptr::NonNull;
use std::sync::Arc;

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::device::{Device, DeviceInfo};
use super::kv_store::{KeyValueCallbacks, KeyValueStore, SharedStore};
use super::live::CLIENTS;
use super::named_value::NamedValue;
use super::plugin::{Plugin, copy_string, pjrt_call};
use crate::Result;

/// Options for [`Client::new`], sent to the plugin as `PJRT_NamedValue`s, and the key-value
/// store of a multi-process client.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientOptions {
    options: Vec<(String, NamedValue)>,
    key_value_store: Option<SharedStore>,
}

impl ClientOptions {
    /// No options: the plugin's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many devices the CPU plugin should expose (its default is 4). Sent as an int64,
    /// which is the type the plugin requires; left out when another platform's plugin is
    /// loaded by name ([`Client::for_platform`]), since those reject options they don't know.
    pub fn cpu_device_count(self, count: usize) -> Self {
        self.option("cpu_device_count", NamedValue::Int64(count as i64))
    }

    /// Any plugin-specific option, e.g. `("preallocate", Bool(false))` for the CUDA plugin.
    pub fn option(mut self, name: impl Into<String>, value: NamedValue) -> Self {
        let name = name.into();
        self.options.retain(|(existing, _)| *existing != name);
        self.options.push((name, value));
        self
    }

    /// These options without the CPU-only ones when `platform` is not `cpu`.
    pub(crate) fn for_platform(&self, platform: &str) -> ClientOptions {
        let mut options = self.clone();
        if !platform.eq_ignore_ascii_case("cpu") {
            options
                .options
                .retain(|(name, _)| name != "cpu_device_count");
        }
        options
    }

    /// The store a multi-process client shares with the other processes, given to the plugin
    /// as the key-value callbacks of `PJRT_Client_Create`; the client keeps it alive.
    /// [`crate::distributed`] sets it for the default client.
    pub fn key_value_store(mut self, store: Arc<dyn KeyValueStore>) -> Self {
        self.key_value_store = Some(SharedStore(store));
        self
    }

    /// The options, in the order they will be sent.
    pub fn options(&self) -> &[(String, NamedValue)] {
        &self.options
    }
}

/// A PJRT client: a plugin instance with its devices. Cheap to clone; buffers, executables and
/// events each hold a clone, so the client is destroyed only after all of them.
#[derive(Clone)]
pub struct Client(Arc<ClientInner>);

pub(crate) struct ClientInner {
    plugin: Arc<Plugin>,
    raw: NonNull<sys::PJRT_Client>,
    platform_name: String,
    platform_version: String,
    devices: Vec<DeviceInfo>,
    /// The key-value store the plugin may call until the client is destroyed (fields drop
    /// after `Drop::drop` destroys it).
    _key_value_store: Option<KeyValueCallbacks>,
}

// SAFETY: `PJRT_Client` is internally synchronised: JAX shares one client between all Python
// threads and calls compile, transfer and execute on it concurrently. The Rust fields are
// immutable after construction.
unsafe impl Send for ClientInner {}
// SAFETY: as for Send.
unsafe impl Sync for ClientInner {}

impl Client {
    /// Creates a client of `plugin` with `options`.
    pub fn new(plugin: &Arc<Plugin>, options: &ClientOptions) -> Result<Client> {
        let named: Vec<sys::PJRT_NamedValue> = options
            .options
            .iter()
            .map(|(name, value)| value.to_raw(name))
            .collect();
        let mut args = sys::PJRT_Client_Create_Args::zeroed_sized();
        args.create_options = named.as_ptr();
        args.num_options = named.len();
        let key_value_store = options.key_value_store.as_ref().map(KeyValueCallbacks::new);
        if let Some(callbacks) = &key_value_store {
            callbacks.install(&mut args);
        }
        // SAFETY: `named` borrows `options`, both alive through the call. The key-value
        // callbacks' user argument is `key_value_store`, which the client keeps until it is
        // destroyed; without a store the callbacks stay null, as the header allows for a
        // single-process client.
        unsafe { pjrt_call!(plugin, PJRT_Client_Create, &mut args) }?;
        let raw =
            NonNull::new(args.client).expect("PJRT_Client_Create succeeded with a null client");
        CLIENTS.created();
        // From here on, dropping `inner` destroys the client, also on the error paths below.
        let mut inner = ClientInner {
            plugin: plugin.clone(),
            raw,
            platform_name: String::new(),
            platform_version: String::new(),
            devices: Vec::new(),
            _key_value_store: key_value_store,
        };
        inner.platform_name = inner.read_platform_name()?;
        inner.platform_version = inner.read_platform_version()?;
        inner.devices = inner.read_devices()?;
        Ok(Client(Arc::new(inner)))
    }

    /// The plugin this client belongs to.
    pub fn plugin(&self) -> &Plugin {
        &self.0.plugin
    }

    /// The platform name: `cpu`, `cuda`, `tpu`, ...
    pub fn platform_name(&self) -> &str {
        &self.0.platform_name
    }

    /// The platform version string the plugin reports.
    pub fn platform_version(&self) -> &str {
        &self.0.platform_version
    }

    /// The devices this process can address, in the plugin's order.
    pub fn devices(&self) -> Vec<Device> {
        (0..self.0.devices.len())
            .map(|index| Device::new(self.clone(), index))
            .collect()
    }

    /// The number of addressable devices.
    pub fn device_count(&self) -> usize {
        self.0.devices.len()
    }

    /// The addressable device at `index`, if there is one.
    pub fn device(&self, index: usize) -> Option<Device> {
        (index < self.0.devices.len()).then(|| Device::new(self.clone(), index))
    }

    /// The index of this process among those of a multi-process client (0 for a
    /// single-process one), as the plugin reports it.
    pub fn process_index(&self) -> Result<usize> {
        let mut args = sys::PJRT_Client_ProcessIndex_Args::zeroed_sized();
        args.client = self.raw();
        // SAFETY: the client is live.
        unsafe { pjrt_call!(self.0.plugin, PJRT_Client_ProcessIndex, &mut args) }?;
        Ok(args.process_index.try_into().unwrap_or(0))
    }

    /// The number of devices of all processes (`PJRT_Client_Devices`); [`Client::device_count`]
    /// counts only this process's. They differ only for a multi-process client.
    pub fn global_device_count(&self) -> Result<usize> {
        let mut args = sys::PJRT_Client_Devices_Args::zeroed_sized();
        args.client = self.raw();
        // SAFETY: the client is live; only the length of the list it lends is read.
        unsafe { pjrt_call!(self.0.plugin, PJRT_Client_Devices, &mut args) }?;
        Ok(args.num_devices)
    }

    /// The raw client, for the other runtime wrappers.
    pub(crate) fn raw(&self) -> *mut sys::PJRT_Client {
        self.0.raw.as_ptr()
    }

    pub(crate) fn device_info(&self, index: usize) -> &DeviceInfo {
        &self.0.devices[index]
    }

    /// The index of the addressable device whose raw pointer is `raw`.
    pub(crate) fn device_index(&self, raw: *mut sys::PJRT_Device) -> Option<usize> {
        self.0.devices.iter().position(|device| device.raw == raw)
    }

    /// Whether two handles name the same client.
    pub fn same_as(&self, other: &Client) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl ClientInner {
    fn read_platform_name(&self) -> Result<String> {
        let mut args = sys::PJRT_Client_PlatformName_Args::zeroed_sized();
        args.client = self.raw.as_ptr();
        // SAFETY: the client is live; the name it lends lives as long as the client.
        unsafe {
            pjrt_call!(self.plugin, PJRT_Client_PlatformName, &mut args)?;
            Ok(copy_string(args.platform_name, args.platform_name_size))
        }
    }

    fn read_platform_version(&self) -> Result<String> {
        let mut args = sys::PJRT_Client_PlatformVersion_Args::zeroed_sized();
        args.client = self.raw.as_ptr();
        // SAFETY: the client is live; the version it lends lives as long as the client.
        unsafe {
            pjrt_call!(self.plugin, PJRT_Client_PlatformVersion, &mut args)?;
            Ok(copy_string(
                args.platform_version,
                args.platform_version_size,
            ))
        }
    }

    fn read_devices(&self) -> Result<Vec<DeviceInfo>> {
        let mut args = sys::PJRT_Client_AddressableDevices_Args::zeroed_sized();
        args.client = self.raw.as_ptr();
        // SAFETY: the client is live; the device list it lends lives as long as the client.
        let raw_devices = unsafe {
            pjrt_call!(self.plugin, PJRT_Client_AddressableDevices, &mut args)?;
            if args.addressable_devices.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(args.addressable_devices, args.num_addressable_devices)
            }
        };
        raw_devices
            .iter()
            .map(|&raw| DeviceInfo::read(&self.plugin, raw))
            .collect()
    }
}

impl Drop for ClientInner {
    fn drop(&mut self) {
        let mut args = sys::PJRT_Client_Destroy_Args::zeroed_sized();
        args.client = self.raw.as_ptr();
        // SAFETY: every buffer, executable and event holds a clone of the `Arc` around this
        // client, so none is left; this is the one place the client is destroyed.
        let result = unsafe { pjrt_call!(self.plugin, PJRT_Client_Destroy, &mut args) };
        CLIENTS.destroyed(result);
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("platform", &self.0.platform_name)
            .field("devices", &self.0.devices.len())
            .field("plugin", &self.0.plugin.path())
            .finish()
    }
}
