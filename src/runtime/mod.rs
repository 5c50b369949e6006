//! The runtime layer: a safe, asynchronous, leak-free face on the PJRT C API.
//!
//! [`Plugin`]s are shared libraries loaded once and never unloaded; a [`Client`] is a plugin
//! instance with its [`Device`]s; [`Buffer`]s hold device arrays; a [`LoadedExecutable`] is a
//! compiled StableHLO program; [`Event`]s mark completion. Children hold their client alive,
//! every C object is destroyed exactly once in `Drop`, and [`live_objects`] counts what is
//! alive so tests can prove nothing leaks.
//!
//! Execution is asynchronous: [`LoadedExecutable::execute`] returns its output buffers at once,
//! and only [`Buffer::block_until_ready`] or a host read waits for them. A waiting thread
//! polls for up to [`wait_spin`] (yielding its core) before it sleeps, so short programs'
//! results reach the caller without a sleep and wake-up.
//!
//! This module is the only place in rjax with `unsafe` code. It knows nothing about tracing.

mod buffer;
mod client;
mod compile_options;
mod cpu_plugin;
mod device;
mod discovery;
mod element_type;
mod error;
mod event;
mod executable;
pub(crate) mod ffi;
mod host;
mod kv_store;
mod live;
mod named_value;
mod plugin;
mod signature;

pub use buffer::Buffer;
pub use client::{Client, ClientOptions};
pub use compile_options::CompileOptions;
pub(crate) use cpu_plugin::is_embedded_cpu_plugin;
pub use cpu_plugin::{CpuPluginChoice, CpuPluginKind, cpu_plugin_choice};
pub use device::{Device, MemoryStats};
pub use discovery::{PlatformChoice, find_plugin};
pub use error::ErrorCode;
pub use event::{DEFAULT_WAIT_SPIN, Event, set_wait_spin, wait_spin};
pub use executable::{Argument, LoadedExecutable};
pub use ffi::FfiSupport;
pub(crate) use host::{bytes_of, elements_from_bytes};
pub use kv_store::KeyValueStore;
pub use live::{LiveObjects, live_objects};
pub use named_value::NamedValue;
pub use plugin::Plugin;
