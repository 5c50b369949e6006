//! Gradient checkpointing (JAX's `jax.checkpoint`, alias `jax.remat`, and
//! `jax.ad_checkpoint`): functions whose derivatives recompute intermediate values instead of
//! saving them.
//!
//! - [`checkpoint`] / [`remat`] / [`checkpoint_with`] / [`checkpoint_static`] trace the
//!   function into a jaxpr and bind the checkpoint primitive (JAX's `remat2`,
//!   [`Primitive::Checkpoint`](crate::Primitive::Checkpoint)). Evaluated, lowered or
//!   batched, it is the function itself.
//! - Its JVP is a checkpoint of the body's JVP (`jvp.rs`). Under `linearize` (so `grad` and
//!   `vjp`) the partial evaluator splits that into the forward computation, which saves only
//!   what the [policy](policies) allows, and a *differentiated* checkpoint that recomputes the
//!   rest from the saved values and the inputs (`partial_eval.rs`, `residuals.rs`); its
//!   transpose is again a differentiated checkpoint (`transpose.rs`).
//! - A differentiated checkpoint with `prevent_cse` lowers behind a
//!   `stablehlo.optimization_barrier` (`params.rs`), so that XLA does not merge the
//!   recomputation with the forward pass.
//! - [`checkpoint_name`] names values for [`policies::save_only_these_names`] and
//!   [`policies::save_any_names_but_these`].
//!
//! Differences from JAX: `prevent_cse` is one flag for all operands (JAX also takes one per
//! operand); a policy sees the equations of the checkpointed function's forward computation,
//! and a control-flow equation there (a `scan`, a `cond`) is saved or recomputed as a whole,
//! where JAX looks inside its body.

mod api;
mod batching;
mod jvp;
mod name;
mod params;
mod partial_eval;
pub mod policies;
mod residuals;
mod transpose;

pub use api::{CheckpointOptions, checkpoint, checkpoint_static, checkpoint_with, remat};
pub(crate) use batching::checkpoint_batch;
pub(crate) use jvp::checkpoint_jvp;
pub use name::{checkpoint_name, checkpoint_name_tree};
pub(crate) use name::{name_abstract_eval, name_batch, name_jvp, name_transpose};
pub use params::CheckpointParams;
pub(crate) use partial_eval::checkpoint_partial_eval;
pub use policies::Policy;
pub(crate) use transpose::checkpoint_transpose;
