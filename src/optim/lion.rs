//! Lion (Optax's `scale_by_lion`, `lion`).

use crate::DType;
use crate::numpy as jnp;

use super::moments::update_moment;
use super::scale::scale_by_learning_rate;
use super::schedules::LearningRate;
use super::transform::{
    GradientTransformation, OptState, cast, chain, named, safe_increment, zero_count,
};
use super::weight_decay::{Mask, add_decayed_weights};

/// Lion's hyperparameters, with Optax's defaults (`LionOptions::default()`).
#[derive(Debug, Clone)]
pub struct LionOptions {
    /// The interpolation between gradient and moment in the update's sign (0.9).
    pub b1: f64,
    /// The decay of the moment (0.99).
    pub b2: f64,
    /// The dtype the moment is stored in (`None`: the parameters').
    pub mu_dtype: Option<DType>,
    /// Decoupled weight decay (1e-3).
    pub weight_decay: f64,
    /// Which parameters are decayed (`None`: all).
    pub mask: Option<Mask>,
}

impl Default for LionOptions {
    fn default() -> Self {
        LionOptions {
            b1: 0.9,
            b2: 0.99,
            mu_dtype: None,
            weight_decay: 1e-3,
            mask: None,
        }
    }
}

/// Lion's rescaling (Optax's `scale_by_lion`): the update is `sign((1 - b1) g + b1 mu)`, then
/// `mu` moves towards `g` with decay `b2`. The state is `{count, mu}`.
pub fn scale_by_lion(b1: f64, b2: f64, mu_dtype: Option<DType>) -> GradientTransformation {
    let op = "scale_by_lion";
    GradientTransformation::new(
        move |params| {
            Ok(named([
                ("count", zero_count()),
                ("mu", params.like(|p| jnp::zeros_like(p, mu_dtype))),
            ]))
        },
        move |updates, state, _| {
            let [count, mu] = state.into_fields(op, ["count", "mu"])?;
            let count = count.into_array(op)?;
            let mu = mu.into_like(op, &updates)?;
            let leaves = updates
                .leaves
                .iter()
                .zip(&mu)
                .map(|(g, m)| (g * (1.0 - b1) + m * b1).sign())
                .collect();
            let new_mu = updates
                .leaves
                .iter()
                .zip(&mu)
                .map(|(g, m)| cast(update_moment(g, m, b2, 1), mu_dtype))
                .collect();
            let state = named([
                ("count", OptState::Array(safe_increment(&count))),
                ("mu", OptState::Like(updates.def.clone(), new_mu)),
            ]);
            Ok((leaves, state))
        },
    )
}

/// Lion (Optax's `lion`): `chain(scale_by_lion(b1, b2, mu_dtype), add_decayed_weights(
/// weight_decay, mask), scale_by_learning_rate(lr))`.
pub fn lion(
    learning_rate: impl Into<LearningRate>,
    options: LionOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_lion(options.b1, options.b2, options.mu_dtype),
        add_decayed_weights(options.weight_decay, options.mask),
        scale_by_learning_rate(learning_rate, true),
    ])
}
