//! Registering rjax's handlers with a plugin through the PJRT FFI extension, and proving the
//! registration took with a self-test program.

use std::ffi::c_void;
use std::ops::RangeInclusive;

use super::c_api::{self, PJRT_FFI_Extension, XLA_FFI_Handler};
use super::handlers::HANDLERS;
use super::jaxlib_lapack::JAXLIB_HANDLERS;
use super::{FfiSupport, handlers};
use crate::runtime::{Client, CompileOptions, Plugin};

/// What a range of PJRT C API versions expects of a registering caller. XLA registers
/// handlers per process in the plugin's own static registry, so this runs once per plugin.
struct RegistrationAbi {
    /// The PJRT C API minor versions (major 0) this row was verified on.
    pjrt_minor: RangeInclusive<i32>,
    /// The size of `PJRT_FFI_Register_Handler_Args` these plugins check.
    register_args_size: usize,
}

/// The plugins rjax registers with, by PJRT C API version. Verified: the official
/// `xla-cpu-pjrt` 0.0.1 (0.81, FFI 0.1–0.2), the x86-64-v3 build (0.106, FFI 0.3) and the
/// portable build (0.115, FFI 0.4): all read the 52-byte arguments without `api_version`,
/// answer the metadata query with a 36-byte struct, and accept handlers claiming FFI 0.1.
/// Another version is not registered with (a wrong layout can abort the process), and rjax
/// keeps its HLO lowerings there.
const ABI_TABLE: &[RegistrationAbi] = &[RegistrationAbi {
    pjrt_minor: 81..=115,
    register_args_size: c_api::PJRT_FFI_REGISTER_HANDLER_ARGS_SIZE,
}];

/// The platform name CPU handlers are registered under.
const HOST_PLATFORM: &str = "Host";

/// Registers every handler with `client`'s plugin and runs the self-test on `client`.
pub(super) fn register_and_test(client: &Client) -> FfiSupport {
    let plugin = client.plugin();
    let (major, minor) = plugin.api_version();
    let Some(abi) = ABI_TABLE
        .iter()
        .find(|abi| major == 0 && abi.pjrt_minor.contains(&minor))
    else {
        return FfiSupport::Unavailable(format!(
            "PJRT C API {major}.{minor} is not in rjax's FFI registration table"
        ));
    };
    let Some(extension) = find_extension(plugin) else {
        return FfiSupport::Unavailable("the plugin has no PJRT FFI extension".to_string());
    };
    for &(target, handler) in HANDLERS.iter().chain(JAXLIB_HANDLERS.iter().flatten()) {
        if let Err(message) = register(plugin, extension, abi, target, handler) {
            return FfiSupport::Unavailable(format!("registering {target} failed: {message}"));
        }
    }
    match handlers::self_test(client) {
        Ok(()) => FfiSupport::Available,
        Err(message) => FfiSupport::Unavailable(format!("the FFI self-test failed: {message}")),
    }
}

/// The plugin's FFI extension, if its extension list has one.
fn find_extension(plugin: &Plugin) -> Option<&'static PJRT_FFI_Extension> {
    let mut next = plugin.raw_api().extension_start;
    while !next.is_null() {
        // SAFETY: the extension list is the plugin's static data, alive as long as the
        // plugin (which is never unloaded); every node starts with `PJRT_Extension_Base`.
        let base = unsafe { &*next };
        if base.type_ == xla_sys::PJRT_Extension_Type_FFI
            && base.struct_size >= std::mem::size_of::<PJRT_FFI_Extension>()
        {
            // SAFETY: a node of type FFI, checked by size, is a `PJRT_FFI_Extension`.
            return Some(unsafe { &*next.cast::<PJRT_FFI_Extension>() });
        }
        next = base.next;
    }
    None
}

fn register(
    plugin: &Plugin,
    extension: &PJRT_FFI_Extension,
    abi: &RegistrationAbi,
    target: &str,
    handler: XLA_FFI_Handler,
) -> Result<(), String> {
    let register = extension
        .register_handler
        .ok_or("the FFI extension has no register_handler")?;
    let mut args = c_api::PJRT_FFI_Register_Handler_Args {
        struct_size: abi.register_args_size,
        target_name: target.as_ptr().cast(),
        target_name_size: target.len(),
        handler: handler as *mut c_void,
        platform_name: HOST_PLATFORM.as_ptr().cast(),
        platform_name_size: HOST_PLATFORM.len(),
        traits: 0,
    };
    // SAFETY: `args` is laid out as this plugin version reads it (the ABI table); the names
    // are copied by the plugin; the handler is a `'static` function.
    let error = unsafe { register(&mut args) };
    plugin
        .check(error, "PJRT_FFI_Register_Handler")
        .map_err(|e| e.to_string())
}

/// Compiles and runs a one-call program of `target` with `input` (f32) and returns its output.
pub(super) fn run_f32(client: &Client, program: &str, input: &[f32]) -> crate::Result<Vec<f32>> {
    let device = client
        .device(0)
        .ok_or_else(|| crate::Error::invalid("ffi self-test", "the client has no devices"))?;
    let executable = client.compile(program, &CompileOptions::default())?;
    let x = client.buffer_from_host(input, &[input.len()], &device)?;
    let mut outputs = executable.execute(&[&x])?;
    outputs.remove(0).to_vec::<f32>()
}
