//! Rust kernels inside compiled programs, through XLA's typed FFI (`stablehlo.custom_call
//! @name {api_version = 4}`), as jaxlib runs LAPACK and host callbacks on the CPU.
//!
//! The first time a CPU client is asked whether it runs them (when a program that calls a
//! kernel is lowered, or through [`Client::ffi_support`]), rjax registers its handlers
//! (`handlers`) with the plugin through the PJRT FFI extension, once per plugin, then compiles
//! and runs a one-call self-test program: a plugin that rejects a handler does so silently
//! at registration and only fails at compile time ("No FFI handler registered"), so nothing
//! is trusted before the self-test passes. [`Client::ffi_support`] reports the outcome; where it is
//! [`FfiSupport::Unavailable`] (a plugin without the extension, a PJRT version outside the
//! registration table, a failed self-test, or a GPU or TPU platform), rjax lowers to its
//! HLO algorithms instead.
//!
//! The layers: [`c_api`] declares the C ABI; `register` finds the extension and registers;
//! `call` decodes a call frame into safe views and runs a [`call::Handler`] behind
//! `catch_unwind` (a handler never unwinds into XLA; its error becomes the execution's
//! error, which comes back as [`crate::Error::Pjrt`] with the handler's message).
//! `float_env` runs every handler with gradual underflow (XLA's CPU threads flush subnormals,
//! which breaks faer's complex reciprocal). `jaxlib_lapack` serves jaxlib's LAPACK target names
//! (`lapack_dgetrf_ffi`, ...) with jaxlib's calling convention on the same kernels, so that
//! `jax.export` artifacts using `jnp.linalg` run.

mod c_api;
pub(crate) mod call;
mod float_env;
mod handlers;
mod host_callback;
mod jaxlib_lapack;
mod linalg;
mod register;

use std::sync::OnceLock;

use super::Client;

/// Whether rjax's FFI kernels run on a client's plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FfiSupport {
    /// Registered, and the self-test program compiled and ran.
    Available,
    /// Not available, and why.
    Unavailable(String),
}

impl FfiSupport {
    /// Whether the kernels are available.
    pub fn is_available(&self) -> bool {
        matches!(self, FfiSupport::Available)
    }
}

/// The per-plugin registration outcome, kept by the plugin.
pub(crate) type FfiState = OnceLock<FfiSupport>;

/// The registration outcome for a CPU client's plugin, `None` on other platforms. The
/// handlers are registered and self-tested the first time anyone asks (once per plugin), so a
/// process whose programs call no kernel never pays for the self-test compile (about 35 ms).
fn state(client: &Client) -> Option<&FfiSupport> {
    if client.platform_name() != "cpu" {
        return None;
    }
    Some(client.plugin().ffi_state().get_or_init(|| {
        let support = if std::env::var_os("RJAX_FFI_KERNELS").is_some_and(|v| v == "0") {
            FfiSupport::Unavailable("RJAX_FFI_KERNELS=0".to_string())
        } else {
            register::register_and_test(client)
        };
        log::debug!(
            "rjax: FFI kernels on {}: {support:?}",
            client.plugin().path().display()
        );
        support
    }))
}

impl Client {
    /// Whether rjax's kernels run in this client's programs (cheap: no message is built).
    pub(crate) fn ffi_available(&self) -> bool {
        state(self).is_some_and(FfiSupport::is_available)
    }

    /// Whether rjax's Rust kernels (linear algebra, host callbacks) run inside this client's
    /// programs. Only CPU clients register them, on the first call of this or when rjax first
    /// lowers a program that needs them: a program written by hand that calls an `rjax_*`
    /// target should be compiled after this says [`FfiSupport::Available`].
    pub fn ffi_support(&self) -> FfiSupport {
        match state(self) {
            Some(support) => support.clone(),
            None => FfiSupport::Unavailable(format!(
                "rjax's FFI kernels run on the host CPU, not on platform {}",
                self.platform_name()
            )),
        }
    }
}
