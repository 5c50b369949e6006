//! Momentum and stochastic gradient descent (Optax's `trace` and `sgd`).

use crate::{Array, DType};

use super::scale::scale_by_learning_rate;
use super::schedules::LearningRate;
use super::transform::{GradientTransformation, OptState, cast, chain, identity, named};

/// Momentum (Optax's `trace`): `trace = g + decay * trace`; the update is `trace`, or
/// `g + decay * trace` when `nesterov`. The state is `{trace}`, shaped like the parameters,
/// stored in `accumulator_dtype` if given.
pub fn trace(
    decay: f64,
    nesterov: bool,
    accumulator_dtype: Option<DType>,
) -> GradientTransformation {
    GradientTransformation::new(
        move |params| {
            Ok(named([(
                "trace",
                params.like(|p| crate::numpy::zeros_like(p, accumulator_dtype)),
            )]))
        },
        move |updates, state, _| {
            let [trace] = state.into_fields("trace", ["trace"])?;
            let trace = trace.into_like("trace", &updates)?;
            let new_trace: Vec<Array> = updates
                .leaves
                .iter()
                .zip(&trace)
                .map(|(g, t)| g + t * decay)
                .collect();
            let leaves = if nesterov {
                updates
                    .leaves
                    .iter()
                    .zip(&new_trace)
                    .map(|(g, t)| g + t * decay)
                    .collect()
            } else {
                new_trace.clone()
            };
            let stored = new_trace
                .into_iter()
                .map(|t| cast(t, accumulator_dtype))
                .collect();
            let state = named([("trace", OptState::Like(updates.def.clone(), stored))]);
            Ok((leaves, state))
        },
    )
}

/// Stochastic gradient descent (Optax's `sgd`): `chain(trace(momentum, nesterov),
/// scale_by_learning_rate(learning_rate))`, with `identity()` (an empty state) in place of
/// the trace when `momentum` is `None`.
pub fn sgd(
    learning_rate: impl Into<LearningRate>,
    momentum: Option<f64>,
    nesterov: bool,
) -> GradientTransformation {
    let first = match momentum {
        Some(decay) => trace(decay, nesterov, None),
        None => identity(),
    };
    chain(vec![first, scale_by_learning_rate(learning_rate, true)])
}
