//! Loading PJRT plugins (JAX's `xla_bridge`): dlopen once per path and never dlclose, check the
//! API version, call `PJRT_Plugin_Initialize` once, read the plugin's attributes.
//!
//! Every call into a plugin goes through [`pjrt_call!`], which first checks that the plugin's
//! `PJRT_Api` table is long enough to hold the entry point and that the pointer is non-null, so
//! an older plugin yields [`Error::Unsupported`] instead of a read past its table.

use std::collections::HashMap;
use std::ffi::c_char;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::error::ErrorCode;
use super::ffi::FfiState;
use super::named_value::NamedValue;
use crate::{Error, Result};

/// Calls the entry point `$function` of `$plugin`'s API table with `$args`, converting a returned
/// `PJRT_Error*` into `Err`. Expands to an FFI call, so it must sit inside an `unsafe` block
/// whose SAFETY comment vouches for the pointers in `$args`.
macro_rules! pjrt_call {
    ($plugin:expr, $function:ident, $args:expr) => {{
        let plugin: &$crate::runtime::Plugin = &$plugin;
        let name = stringify!($function);
        plugin
            .entry_point(
                ::core::mem::offset_of!(::xla_sys::PJRT_Api, $function),
                name,
                |api| api.$function,
            )
            .and_then(|function| plugin.check(function($args), name))
    }};
}
pub(crate) use pjrt_call;

/// A loaded PJRT plugin: the `PJRT_Api` table of a shared library that exports `GetPjrtApi`.
///
/// Plugins live for the rest of the process: the library is never unloaded, because clients,
/// buffers and executables keep pointers into it.
pub struct Plugin {
    path: PathBuf,
    api: &'static sys::PJRT_Api,
    attributes: Vec<(String, NamedValue)>,
    /// Whether rjax's FFI handlers are registered with this plugin and pass the self-test.
    ffi: FfiState,
}

// SAFETY: the API table is immutable after `GetPjrtApi` returns, and the PJRT C API is called
// concurrently from many threads by its own clients (JAX dispatches from any Python thread).
unsafe impl Send for Plugin {}
// SAFETY: as for Send; `Plugin` has no interior mutability.
unsafe impl Sync for Plugin {}

static LOADED: Mutex<Option<HashMap<PathBuf, Arc<Plugin>>>> = Mutex::new(None);

type GetPjrtApi = unsafe extern "C" fn() -> *const sys::PJRT_Api;

impl Plugin {
    /// Loads the plugin at `path`, or returns the one already loaded from there.
    pub fn load(path: impl AsRef<Path>) -> Result<Arc<Plugin>> {
        let path = path.as_ref();
        let key = path.canonicalize().map_err(|e| Error::PluginLoad {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut loaded = LOADED.lock().unwrap_or_else(|poison| poison.into_inner());
        let loaded = loaded.get_or_insert_with(HashMap::new);
        if let Some(plugin) = loaded.get(&key) {
            return Ok(plugin.clone());
        }
        let plugin = Arc::new(Self::open(&key)?);
        loaded.insert(key, plugin.clone());
        Ok(plugin)
    }

    fn open(path: &Path) -> Result<Plugin> {
        let failure = |reason: String| Error::PluginLoad {
            path: path.to_path_buf(),
            reason,
        };
        // SAFETY: loading a library runs its initialisers. A PJRT plugin's are XLA's own static
        // registrations; loading an arbitrary library is the documented contract of this call.
        let library =
            unsafe { libloading::Library::new(path) }.map_err(|e| failure(e.to_string()))?;
        // SAFETY: `GetPjrtApi` has this signature in every PJRT plugin (pjrt_c_api.h).
        let get_api = unsafe { library.get::<GetPjrtApi>(b"GetPjrtApi\0") }
            .map_err(|e| failure(format!("it is not a PJRT plugin (no GetPjrtApi): {e}")))?;
        // SAFETY: the symbol was resolved with its declared type just above.
        let api = unsafe { get_api() };
        // Never unload: every PJRT object created later points into this library.
        std::mem::forget(library);
        // SAFETY: a non-null result of GetPjrtApi points at a table that lives as long as the
        // library, which is never unloaded.
        let api: &'static sys::PJRT_Api =
            unsafe { api.as_ref() }.ok_or_else(|| failure("GetPjrtApi returned null".into()))?;
        let version_end = std::mem::offset_of!(sys::PJRT_Api, pjrt_api_version)
            + std::mem::size_of::<sys::PJRT_Api_Version>();
        if api.struct_size < version_end {
            return Err(failure(format!(
                "its PJRT_Api table is {} bytes, too short to hold a version",
                api.struct_size
            )));
        }
        let version = api.pjrt_api_version;
        if version.major_version != sys::PJRT_API_MAJOR as i32 {
            return Err(failure(format!(
                "it implements PJRT C API {}.{}, but rjax speaks major version {}",
                version.major_version,
                version.minor_version,
                sys::PJRT_API_MAJOR
            )));
        }
        let mut plugin = Plugin {
            path: path.to_path_buf(),
            api,
            attributes: Vec::new(),
            ffi: FfiState::new(),
        };
        let mut args = sys::PJRT_Plugin_Initialize_Args::zeroed_sized();
        // SAFETY: `args` is a sized, zeroed struct with no pointers; Initialize runs once per
        // plugin because `load` holds the registry lock and records the plugin afterwards.
        unsafe { pjrt_call!(plugin, PJRT_Plugin_Initialize, &mut args) }?;
        plugin.attributes = plugin.read_attributes()?;
        Ok(plugin)
    }

    fn read_attributes(&self) -> Result<Vec<(String, NamedValue)>> {
        let mut args = sys::PJRT_Plugin_Attributes_Args::zeroed_sized();
        // SAFETY: `args` is sized and zeroed; the plugin fills in a pointer it owns.
        unsafe { pjrt_call!(self, PJRT_Plugin_Attributes, &mut args) }?;
        // SAFETY: the plugin returned `num_attributes` valid named values that live as long as
        // the plugin.
        Ok(unsafe { NamedValue::read_list(args.attributes, args.num_attributes) })
    }

    /// The registration outcome of rjax's FFI handlers with this plugin.
    pub(crate) fn ffi_state(&self) -> &FfiState {
        &self.ffi
    }

    /// The plugin's API table, for the extension lookups of the FFI layer.
    pub(crate) fn raw_api(&self) -> &'static sys::PJRT_Api {
        self.api
    }

    /// The file this plugin was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The PJRT C API version the plugin implements, as (major, minor).
    pub fn api_version(&self) -> (i32, i32) {
        let version = self.api.pjrt_api_version;
        (version.major_version, version.minor_version)
    }

    /// The plugin's attributes (`xla_version`, `stablehlo_current_version`, ...), in its order.
    pub fn attributes(&self) -> &[(String, NamedValue)] {
        &self.attributes
    }

    /// The attribute called `name`, if the plugin reports it.
    pub fn attribute(&self, name: &str) -> Option<&NamedValue> {
        self.attributes
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value))
    }

    /// The XLA version the plugin was built from, if it reports one.
    pub fn xla_version(&self) -> Option<i64> {
        self.attribute("xla_version")?.as_int()
    }

    /// The newest StableHLO version the plugin accepts, as (major, minor, patch).
    pub fn stablehlo_current_version(&self) -> Option<[i64; 3]> {
        self.attribute("stablehlo_current_version")?.as_version()
    }

    /// The oldest StableHLO version the plugin accepts, as (major, minor, patch).
    pub fn stablehlo_minimum_version(&self) -> Option<[i64; 3]> {
        self.attribute("stablehlo_minimum_version")?.as_version()
    }

    /// The API table, if it is long enough to hold the entry point at `offset` and that entry
    /// is present; [`pjrt_call!`] passes `offset_of!(PJRT_Api, name)` and a field accessor.
    pub(crate) fn entry_point<F>(
        &self,
        offset: usize,
        name: &'static str,
        field: impl FnOnce(&sys::PJRT_Api) -> Option<F>,
    ) -> Result<F> {
        let end = offset + std::mem::size_of::<Option<F>>();
        let present = (end <= self.api.struct_size)
            .then(|| field(self.api))
            .flatten();
        present.ok_or_else(|| {
            let (major, minor) = self.api_version();
            Error::Unsupported {
                function: name,
                plugin: self.path.display().to_string(),
                major,
                minor,
            }
        })
    }

    /// Converts the result of calling `function`: null is success; otherwise the message and
    /// code are copied and the error object is destroyed.
    pub(crate) fn check(&self, error: *mut sys::PJRT_Error, function: &'static str) -> Result<()> {
        if error.is_null() {
            return Ok(());
        }
        // The three error entry points sit at the start of every version of the table.
        let api = self.api;
        let mut message = sys::PJRT_Error_Message_Args::zeroed_sized();
        message.error = error;
        let mut code = sys::PJRT_Error_GetCode_Args::zeroed_sized();
        code.error = error;
        let mut destroy = sys::PJRT_Error_Destroy_Args::zeroed_sized();
        destroy.error = error;
        // SAFETY: `error` is a live error object the plugin returned; the message it lends is
        // copied before the object is destroyed, and it is destroyed exactly once here.
        let (message, code) = unsafe {
            let text = match api.PJRT_Error_Message {
                Some(get_message) => {
                    get_message(&mut message);
                    copy_string(message.message, message.message_size)
                }
                None => String::from("(the plugin gives no error message)"),
            };
            let code = match api.PJRT_Error_GetCode {
                Some(get_code) if get_code(&mut code).is_null() => ErrorCode::from_raw(code.code),
                _ => ErrorCode::Unknown,
            };
            if let Some(destroy_error) = api.PJRT_Error_Destroy {
                destroy_error(&mut destroy);
            }
            (text, code)
        };
        Err(Error::Pjrt {
            function,
            code,
            message,
        })
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (major, minor) = self.api_version();
        f.debug_struct("Plugin")
            .field("path", &self.path)
            .field("api_version", &format_args!("{major}.{minor}"))
            .finish()
    }
}

/// Copies `len` bytes at `data` into a `String` (lossily); null gives an empty string.
///
/// # Safety
/// `data` must be null or point at `len` readable bytes.
pub(crate) unsafe fn copy_string(data: *const c_char, len: usize) -> String {
    if data.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees `len` readable bytes at `data`.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    String::from_utf8_lossy(bytes).into_owned()
}
