//! `rjax::export`: running functions exported by JAX (`jax.export`) from Rust, and exporting
//! rjax functions for JAX ([`export`]).
//!
//! [`Exported::deserialize`] (or [`Exported::read`]) reads the bytes
//! `jax.export.Exported.serialize()` writes (JAX's FlatBuffer container, the layouts JAX
//! 0.10–0.12 write, unknown later fields ignored) without Python: the function's name, its
//! argument and result types ([`ExportedAval`]) and pytree structures ([`ExportedTree`]),
//! platforms, shardings, effects, device count, calling convention and the serialized VJP.
//! Its module is a StableHLO portable artifact (MLIR bytecode) that PJRT compiles as is.
//!
//! ## Calling
//! [`Exported::call`] takes and returns flat lists of arrays. Arguments are checked against the
//! exported types (errors name the argument and both types), only the arguments the module
//! kept are passed, and the platform index is added for multi-platform exports. Compiled
//! executables are kept in a bounded cache (`rjax::cache`'s limits), keyed by the module.
//!
//! The call is a [`custom_vjp`](crate::custom_vjp) (as JAX wraps exported calls) whose
//! function runs the module as its own executable on concrete arrays; on traced ones it binds
//! the `call_exported` primitive ([`ExportedCallOp`]) when the module is MLIR text, and a
//! sequential [`pure_callback`](crate::callback::pure_callback) otherwise, so every
//! transformation has its rule:
//! - `jit`: rjax's artifacts (MLIR text, also read back from bytes) are inlined: the module's
//!   functions become private functions of the program under unique names, called with
//!   `func.call`, and XLA optimises across the boundary. JAX's modules are bytecode, which
//!   PJRT cannot print as text: the compiled program calls the module's executable on the
//!   host (a CPU client).
//! - `grad`/`vjp`: through the serialized VJP, itself called the same way (so second order
//!   works when the artifact has a second-order VJP); an error when the artifact has none
//!   (serialize with `vjp_order=1`).
//! - `jvp` (forward mode): refused, as JAX refuses it for exported functions.
//! - `vmap`: one call per batch element, in order (JAX's `vmap_method="sequential"`).
//!
//! ## Refusals
//! Each names the workaround: shape-polymorphic exports (export with concrete shapes), ordered
//! effects, calling conventions other than 9 and 10, more devices than the client has (and
//! multi-device exports), a platform the artifact was not exported for (both named), a VJP
//! with `float0` cotangents (integer inputs or outputs), and a module whose StableHLO version
//! the plugin cannot compile: older than its `stablehlo_minimum_version`, or newer than its
//! `stablehlo_current_version` (both versions named). Newer modules that compile are run: the
//! CPU plugin reads JAX 0.10's StableHLO 1.15 modules although it reports an older version.

mod call;
mod deserialize;
mod export_fn;
mod exported;
mod flatbuf;
mod inline;
mod module_functions;
mod module_text;
mod schema;
mod serialize;
mod to_jax_tree;
mod version;

pub use export_fn::{Exporter, export};
pub use exported::{
    Dim, DisabledSafetyCheck, Exported, ExportedAval, ExportedDType, ExportedMesh,
    ExportedNamedSharding, ExportedSharding, ExportedTree, MemorySpace,
};
pub use inline::ExportedCallOp;
