//! `rjax::optim`: Optax's gradient transformations and schedules, with Optax's formulas and
//! defaults, so that trajectories match Optax's to rounding.
//!
//! A [`GradientTransformation`] is Optax's pair of pure functions: `init(&params)` makes an
//! [`OptState`] (a pytree of arrays: `int32` step counts and moments shaped like the
//! parameters), and `update(grads, state, Some(&params))` returns the updates and the new
//! state; [`apply_updates`] adds the updates to the parameters. Parameters, gradients and
//! updates are any [`Pytree`](crate::Pytree), and everything traces, so a whole training step
//! is one [`jit`](crate::jit):
//!
//! ```
//! use rjax::optim::{self, AdamOptions};
//! use rjax::{Array, jit, value_and_grad};
//!
//! let opt = optim::chain(vec![
//!     optim::clip_by_global_norm(1.0),
//!     optim::adamw(optim::cosine_decay_schedule(0.1, 100, 0.0, 1.0), AdamOptions::default(), 1e-4, None),
//! ]);
//! let loss = |(w, b): (Array, Array)| ((&w * 3.0 + &b - 1.0).pow(2)).sum();
//! let step = jit(|(params, state): ((Array, Array), optim::OptState)| {
//!     let (value, grads) = value_and_grad(loss)(params.clone())?;
//!     let (updates, state) = opt.update(grads, state, Some(&params))?;
//!     Ok::<_, rjax::Error>((optim::apply_updates(&params, &updates)?, state, value))
//! });
//! let mut params = (Array::from([0.5f32, -0.5]), Array::from(0.0f32));
//! let mut state = opt.init(&params)?;
//! for _ in 0..3 {
//!     let (p, s, _loss) = step.call((params, state))?;
//!     (params, state) = (p, s);
//! }
//! assert_eq!(state.chained(1).unwrap().chained(0).unwrap().get("count").unwrap()
//!     .as_array().unwrap().item::<i32>()?, 3);
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! ## Contents, by Optax name
//! - The model: [`GradientTransformation`] (`init`, `update`), [`OptState`], [`chain`],
//!   [`identity`], [`apply_updates`].
//! - Optimizers: [`sgd`] (momentum, Nesterov), [`adam`], [`adamw`] (with a [`Mask`]),
//!   [`rmsprop`] (centered, momentum, bias correction), [`adagrad`], [`lion`].
//! - Transformations: [`scale_by_adam`], [`scale_by_rms`], [`scale_by_stddev`],
//!   [`scale_by_rss`], [`scale_by_lion`], [`trace`], [`scale`], [`scale_by_schedule`],
//!   [`scale_by_learning_rate`], [`add_decayed_weights`], [`clip`], [`clip_by_global_norm`]
//!   ([`global_norm`]).
//! - Schedules ([`Schedule`], and [`LearningRate`]: a float or a schedule):
//!   [`constant_schedule`], [`linear_schedule`], [`polynomial_schedule`],
//!   [`exponential_decay`], [`cosine_decay_schedule`], [`warmup_cosine_decay_schedule`],
//!   [`piecewise_constant_schedule`], [`join_schedules`]. Like Optax's, they take the step
//!   count as an `int32` array and compute in the same dtypes (float32 for those that divide
//!   the count by an integer, even in x64 mode).
//!
//! Keyword arguments become option structs with Optax's defaults ([`AdamOptions`],
//! [`RmsPropOptions`], [`LionOptions`]). Mismatched trees (updates whose structure or shapes
//! differ from the state's or the parameters') are errors naming the transformation.

mod adagrad;
mod adam;
mod clipping;
mod lion;
mod moments;
mod rmsprop;
mod scale;
mod schedules;
mod sgd;
mod transform;
mod weight_decay;

pub use adagrad::{adagrad, scale_by_rss};
pub use adam::{AdamOptions, adam, adamw, scale_by_adam};
pub use clipping::{clip, clip_by_global_norm, global_norm};
pub use lion::{LionOptions, lion, scale_by_lion};
pub use rmsprop::{RmsPropOptions, rmsprop, scale_by_rms, scale_by_stddev};
pub use scale::{scale, scale_by_learning_rate, scale_by_schedule};
pub use schedules::{
    LearningRate, Schedule, constant_schedule, cosine_decay_schedule, exponential_decay,
    join_schedules, linear_schedule, piecewise_constant_schedule, polynomial_schedule,
    warmup_cosine_decay_schedule,
};
pub use sgd::{sgd, trace};
pub use transform::{
    GradientTransformation, InitFn, OptState, Tree, UpdateFn, apply_updates, chain, identity,
};
pub use weight_decay::{Mask, add_decayed_weights};
