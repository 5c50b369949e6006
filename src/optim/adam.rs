//! Adam and AdamW (Optax's `scale_by_adam`, `adam`, `adamw`).

use crate::DType;
use crate::numpy as jnp;

use super::moments::{bias_correction, update_moment};
use super::scale::scale_by_learning_rate;
use super::schedules::LearningRate;
use super::transform::{
    GradientTransformation, OptState, cast, chain, named, safe_increment, zero_count,
};
use super::weight_decay::{Mask, add_decayed_weights};

/// Adam's hyperparameters, with Optax's defaults (`AdamOptions::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamOptions {
    /// The decay of the first moment (0.9).
    pub b1: f64,
    /// The decay of the second moment (0.999).
    pub b2: f64,
    /// Added to the root of the second moment (1e-8).
    pub eps: f64,
    /// Added to the second moment inside the root (0).
    pub eps_root: f64,
    /// The dtype the first moment is stored in (`None`: the parameters').
    pub mu_dtype: Option<DType>,
    /// Nesterov momentum, as NAdam (false).
    pub nesterov: bool,
}

impl Default for AdamOptions {
    fn default() -> Self {
        AdamOptions {
            b1: 0.9,
            b2: 0.999,
            eps: 1e-8,
            eps_root: 0.0,
            mu_dtype: None,
            nesterov: false,
        }
    }
}

/// Adam's rescaling (Optax's `scale_by_adam`): with `mu`, `nu` the moving averages of `g` and
/// `g²` and their bias corrections `m̂`, `v̂` at step `t`, the update is
/// `m̂ / (sqrt(v̂ + eps_root) + eps)` (with `nesterov`, `m̂ = b1 * mu / (1 - b1^(t+1)) +
/// (1 - b1) * g / (1 - b1^t)`). The state is `{count, mu, nu}`.
pub fn scale_by_adam(options: AdamOptions) -> GradientTransformation {
    let AdamOptions {
        b1,
        b2,
        eps,
        eps_root,
        mu_dtype,
        nesterov,
    } = options;
    let op = "scale_by_adam";
    GradientTransformation::new(
        move |params| {
            Ok(named([
                ("count", zero_count()),
                ("mu", params.like(|p| jnp::zeros_like(p, mu_dtype))),
                ("nu", params.like(|p| jnp::zeros_like(p, None))),
            ]))
        },
        move |updates, state, _| {
            let [count, mu, nu] = state.into_fields(op, ["count", "mu", "nu"])?;
            let count = count.into_array(op)?;
            let (mu, nu) = (mu.into_like(op, &updates)?, nu.into_like(op, &updates)?);
            let count_inc = safe_increment(&count);
            let mut leaves = Vec::with_capacity(mu.len());
            let (mut new_mu, mut new_nu) = (Vec::new(), Vec::new());
            for ((g, m), v) in updates.leaves.iter().zip(&mu).zip(&nu) {
                let m = update_moment(g, m, b1, 1);
                let v = update_moment(g, v, b2, 2);
                let m_hat = if nesterov {
                    let next = bias_correction(&m, b1, &safe_increment(&count_inc));
                    next * b1 + bias_correction(g, b1, &count_inc) * (1.0 - b1)
                } else {
                    bias_correction(&m, b1, &count_inc)
                };
                let v_hat = bias_correction(&v, b2, &count_inc);
                leaves.push(m_hat / ((v_hat + eps_root).sqrt() + eps));
                new_mu.push(cast(m, mu_dtype));
                new_nu.push(v);
            }
            let def = updates.def.clone();
            let state = named([
                ("count", OptState::Array(count_inc)),
                ("mu", OptState::Like(def.clone(), new_mu)),
                ("nu", OptState::Like(def, new_nu)),
            ]);
            Ok((leaves, state))
        },
    )
}

/// Adam (Optax's `adam`): `chain(scale_by_adam(options), scale_by_learning_rate(lr))`.
pub fn adam(
    learning_rate: impl Into<LearningRate>,
    options: AdamOptions,
) -> GradientTransformation {
    chain(vec![
        scale_by_adam(options),
        scale_by_learning_rate(learning_rate, true),
    ])
}

/// AdamW (Optax's `adamw`): Adam with decoupled weight decay,
/// `chain(scale_by_adam(options), add_decayed_weights(weight_decay, mask),
/// scale_by_learning_rate(lr))`. Optax's default `weight_decay` is 1e-4.
pub fn adamw(
    learning_rate: impl Into<LearningRate>,
    options: AdamOptions,
    weight_decay: f64,
    mask: Option<Mask>,
) -> GradientTransformation {
    chain(vec![
        scale_by_adam(options),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate, true),
    ])
}
