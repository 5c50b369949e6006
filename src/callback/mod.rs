//! Host callbacks: Rust closures that traced and compiled programs call on the host, as JAX's
//! `jax.pure_callback`, `jax.experimental.io_callback` and `jax.debug`.
//!
//! Every callback is one primitive, [`Primitive::HostCallback`](crate::Primitive), whose
//! [`CallbackKind`] says which of JAX's three it is. Eagerly the closure runs at once; in a
//! compiled program it is a `stablehlo.custom_call @rjax_host_callback` that rjax's FFI
//! handler serves on the CPU (other platforms refuse it when lowering, naming the callback).
//!
//! - [`registry`](Callback): the [`Callback`] handle and the process-wide registry by id
//!   (and why registrations are kept for the life of the process).
//! - `op`: the primitive's parameters ([`CallbackOp`]), abstract evaluation and lowering.
//! - `rules`: eager evaluation, differentiation and batching.
//! - `host`: running a closure on host arrays and checking its results.
//! - [`pure_callback`]: JAX's `pure_callback`, with its `vmap_method`.
//! - [`io_callback`]: side-effecting calls, and how ordered ones keep program order.
//! - [`debug`]: `debug::print` and `debug::callback`.
//!
//! Side-effecting callbacks (io and debug) survive dead-code elimination: see
//! `Primitive::has_side_effect` (in `jaxpr::effects`).
//!
//! **Work inside a callback is host work.** The closure receives host arrays; compute on
//! their values (`to_vec`, plain Rust, `ndarray`). Running rjax operations on the default
//! client from inside a callback of a compiled program can deadlock, as JAX's operations do
//! inside `jax.pure_callback` since its CPU dispatch became asynchronous (jax-ml/jax#24255):
//! the CPU client may queue the inner program behind the outer one, which is waiting for the
//! callback. Small outer programs happen to run inline and hide this. rjax's own use of
//! callbacks — a `jax.export` artifact called inside `jit` — runs its module on a second
//! client, which has its own threads, so it never waits behind its caller.

pub mod debug;
pub(crate) mod host;
mod io;
mod op;
mod pure;
mod registry;
mod rules;

pub use crate::lax::VmapMethod;
pub use io::io_callback;
pub(crate) use op::TARGET;
pub use op::{CallbackKind, CallbackOp};
pub use pure::pure_callback;
pub use registry::{Callback, CallbackFn};
