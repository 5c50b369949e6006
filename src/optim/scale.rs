//! Scaling the updates by a constant, a schedule or a learning rate (Optax's `scale`,
//! `scale_by_schedule`, `scale_by_learning_rate`).

use super::schedules::{LearningRate, Schedule};
use super::transform::{GradientTransformation, OptState, named, safe_increment, zero_count};

/// Multiplies every update by `step_size` (Optax's `scale`); stateless.
pub fn scale(step_size: f64) -> GradientTransformation {
    GradientTransformation::stateless(move |updates, _| {
        Ok(updates.leaves.iter().map(|g| g * step_size).collect())
    })
}

/// Multiplies every update by `schedule` at the current step, cast to the update's dtype
/// (Optax's `scale_by_schedule`). The state is `{count}`, an `int32` step count.
pub fn scale_by_schedule(schedule: Schedule) -> GradientTransformation {
    GradientTransformation::new(
        |_| Ok(named([("count", zero_count())])),
        move |updates, state, _| {
            let [count] = state.into_fields("scale_by_schedule", ["count"])?;
            let count = count.into_array("scale_by_schedule")?;
            let step_size = schedule.at(&count);
            let leaves = updates
                .leaves
                .iter()
                .map(|g| step_size.astype(g.dtype()) * g)
                .collect();
            let state = named([("count", OptState::Array(safe_increment(&count)))]);
            Ok((leaves, state))
        },
    )
}

/// Scales by the learning rate, negated when `flip_sign` (for descent, Optax's default)
/// (Optax's `scale_by_learning_rate`): [`scale`] for a constant, [`scale_by_schedule`] for a
/// schedule.
pub fn scale_by_learning_rate(
    learning_rate: impl Into<LearningRate>,
    flip_sign: bool,
) -> GradientTransformation {
    let sign = if flip_sign { -1.0 } else { 1.0 };
    match learning_rate.into() {
        LearningRate::Constant(value) => scale(sign * value),
        LearningRate::Schedule(schedule) => {
            scale_by_schedule(Schedule::new(move |count| sign * schedule.at(count)))
        }
    }
}
