//! AdaGrad (Optax's `scale_by_rss`, `adagrad`).

use crate::lax;
use crate::numpy as jnp;

use super::scale::scale_by_learning_rate;
use super::schedules::LearningRate;
use super::transform::{GradientTransformation, OptState, chain, named};

/// `g / sqrt(sum of squared gradients + eps)`, zero where that sum is zero (Optax's
/// `scale_by_rss`). The state is `{sum_of_squares}`, starting at `initial_accumulator_value`.
pub fn scale_by_rss(initial_accumulator_value: f64, eps: f64) -> GradientTransformation {
    let op = "scale_by_rss";
    GradientTransformation::new(
        move |params| {
            Ok(named([(
                "sum_of_squares",
                params.like(|p| jnp::full_like(p, initial_accumulator_value, None)),
            )]))
        },
        move |updates, state, _| {
            let [sums] = state.into_fields(op, ["sum_of_squares"])?;
            let sums = sums.into_like(op, &updates)?;
            let new_sums: Vec<_> = updates
                .leaves
                .iter()
                .zip(&sums)
                .map(|(g, t)| g * g + t)
                .collect();
            let leaves = new_sums
                .iter()
                .zip(updates.leaves)
                .map(|(t, g)| jnp::where_(t.gt(0), lax::rsqrt(&(t + eps)), 0.0) * g)
                .collect();
            let state = named([(
                "sum_of_squares",
                OptState::Like(updates.def.clone(), new_sums),
            )]);
            Ok((leaves, state))
        },
    )
}

/// AdaGrad (Optax's `adagrad`, whose defaults are `initial_accumulator_value = 0.1`,
/// `eps = 1e-7`): `chain(scale_by_rss(..), scale_by_learning_rate(lr))`.
pub fn adagrad(
    learning_rate: impl Into<LearningRate>,
    initial_accumulator_value: f64,
    eps: f64,
) -> GradientTransformation {
    chain(vec![
        scale_by_rss(initial_accumulator_value, eps),
        scale_by_learning_rate(learning_rate, true),
    ])
}
