//! Optax's schedules: functions from the step count (an `int32` array, traced inside `jit`) to
//! a value, usually a learning rate. Each computes in the dtypes Optax's does: a schedule that
//! divides the count by an integer (`linear_schedule`, `exponential_decay`, ...) computes in
//! float32 even in x64 mode, as JAX's `int32 / int` does.

use std::fmt;
use std::sync::Arc;

use crate::numpy as jnp;
use crate::scalar::Scalar;
use crate::{Array, IntoArray, lax};

/// A schedule (Optax's `Schedule`): `schedule.at(count)` is its value at step `count`.
#[derive(Clone)]
pub struct Schedule(Arc<dyn Fn(&Array) -> Array + Send + Sync>);

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Schedule")
    }
}

impl Schedule {
    /// A schedule from any function of the step count.
    pub fn new(f: impl Fn(&Array) -> Array + Send + Sync + 'static) -> Self {
        Schedule(Arc::new(f))
    }

    /// The value at step `count` (an integer array or a Rust integer).
    #[track_caller]
    pub fn at(&self, count: impl IntoArray) -> Array {
        (self.0)(&count.into_array())
    }
}

/// A learning rate: a constant or a [`Schedule`] (Optax's `ScalarOrSchedule`).
#[derive(Clone, Debug)]
pub enum LearningRate {
    /// The same value at every step.
    Constant(f64),
    /// A value per step.
    Schedule(Schedule),
}

impl From<f64> for LearningRate {
    fn from(value: f64) -> Self {
        LearningRate::Constant(value)
    }
}

impl From<f32> for LearningRate {
    fn from(value: f32) -> Self {
        LearningRate::Constant(f64::from(value))
    }
}

impl From<Schedule> for LearningRate {
    fn from(schedule: Schedule) -> Self {
        LearningRate::Schedule(schedule)
    }
}

/// A weakly typed float, as a Python float in Optax's formulas.
fn weak(value: f64) -> Array {
    Array::weak(Scalar::Float(value))
}

/// `value` at every step (Optax's `constant_schedule`).
pub fn constant_schedule(value: f64) -> Schedule {
    Schedule::new(move |_| weak(value))
}

/// From `init_value` to `end_value` linearly over `transition_steps` steps starting at
/// `transition_begin` (Optax's `linear_schedule`).
pub fn linear_schedule(
    init_value: f64,
    end_value: f64,
    transition_steps: i64,
    transition_begin: i64,
) -> Schedule {
    polynomial_schedule(
        init_value,
        end_value,
        1.0,
        transition_steps,
        transition_begin,
    )
}

/// `(init - end) * (1 - t / transition_steps)^power + end`, `t` the steps since
/// `transition_begin` clipped to `[0, transition_steps]` (Optax's `polynomial_schedule`). A
/// non-positive `transition_steps` gives the constant `init_value`, a negative
/// `transition_begin` counts from 0, as in Optax.
pub fn polynomial_schedule(
    init_value: f64,
    end_value: f64,
    power: f64,
    transition_steps: i64,
    transition_begin: i64,
) -> Schedule {
    if transition_steps <= 0 {
        return constant_schedule(init_value);
    }
    let begin = transition_begin.max(0);
    Schedule::new(move |count| {
        let steps = jnp::clip(&(count - begin), Some(0), Some(transition_steps));
        let frac = 1 - jnp::to_inexact(&steps) / transition_steps;
        (init_value - end_value) * integral_or_float_power(&frac, power) + end_value
    })
}

/// `x ** power`: `integer_pow` for an integral power (a Python `int` in Optax), else `pow`.
fn integral_or_float_power(x: &Array, power: f64) -> Array {
    if power.fract() == 0.0 && power.abs() <= f64::from(i32::MAX) {
        lax::integer_pow(x, power as i32)
    } else {
        jnp::power(x, power)
    }
}

/// `init_value * decay_rate^((count - transition_begin) / transition_steps)`, the exponent
/// floored when `staircase`, and the value bounded by `end_value` if given (from below when
/// decaying, from above when growing) (Optax's `exponential_decay`). A non-positive
/// `transition_steps` or a zero `decay_rate` gives the constant `init_value`.
pub fn exponential_decay(
    init_value: f64,
    transition_steps: i64,
    decay_rate: f64,
    transition_begin: i64,
    staircase: bool,
    end_value: Option<f64>,
) -> Schedule {
    if transition_steps <= 0 || decay_rate == 0.0 {
        return constant_schedule(init_value);
    }
    let begin = transition_begin.max(0);
    Schedule::new(move |count| {
        let decreased = count - begin;
        let mut p = jnp::to_inexact(&decreased) / transition_steps;
        if staircase {
            p = p.floor();
        }
        let decayed = jnp::where_(
            decreased.le(0),
            init_value,
            init_value * jnp::power(decay_rate, &p),
        );
        match end_value {
            Some(end) if decay_rate < 1.0 => decayed.maximum(end),
            Some(end) => decayed.minimum(end),
            None => decayed,
        }
    })
}

/// `init_value * ((1 - alpha) * c^exponent + alpha)` with
/// `c = (1 + cos(pi * min(count, decay_steps) / decay_steps)) / 2` (Optax's
/// `cosine_decay_schedule`).
///
/// Panics if `decay_steps` is not positive, as Optax raises.
#[track_caller]
pub fn cosine_decay_schedule(
    init_value: f64,
    decay_steps: i64,
    alpha: f64,
    exponent: f64,
) -> Schedule {
    assert!(
        decay_steps > 0,
        "cosine_decay_schedule requires positive decay_steps, got {decay_steps}"
    );
    let steps = decay_steps as f64;
    Schedule::new(move |count| {
        let count = jnp::minimum(count, steps);
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * count / steps).cos());
        let decayed = (1.0 - alpha) * jnp::power(&cosine, exponent) + alpha;
        init_value * decayed
    })
}

/// A linear warm-up from `init_value` to `peak_value` over `warmup_steps`, then a cosine
/// decay to `end_value` at `decay_steps` (counted from the start, warm-up included) (Optax's
/// `warmup_cosine_decay_schedule`).
#[track_caller]
pub fn warmup_cosine_decay_schedule(
    init_value: f64,
    peak_value: f64,
    warmup_steps: i64,
    decay_steps: i64,
    end_value: f64,
    exponent: f64,
) -> Schedule {
    let alpha = if peak_value == 0.0 {
        0.0
    } else {
        end_value / peak_value
    };
    join_schedules(
        vec![
            linear_schedule(init_value, peak_value, warmup_steps, 0),
            cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha, exponent),
        ],
        &[warmup_steps],
    )
}

/// `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from that boundary, and
/// so on (Optax's `join_schedules`).
///
/// Panics unless there is one boundary fewer than schedules.
#[track_caller]
pub fn join_schedules(schedules: Vec<Schedule>, boundaries: &[i64]) -> Schedule {
    assert!(
        schedules.len() == boundaries.len() + 1,
        "join_schedules needs one boundary fewer than schedules, got {} schedules and {} boundaries",
        schedules.len(),
        boundaries.len()
    );
    let boundaries = boundaries.to_vec();
    Schedule::new(move |step| {
        let mut output = schedules[0].at(step);
        for (&boundary, schedule) in boundaries.iter().zip(&schedules[1..]) {
            output = jnp::where_(step.lt(boundary), &output, schedule.at(step - boundary));
        }
        output
    })
}

/// `init_value`, multiplied by `scale` once the count reaches each `boundary` (Optax's
/// `piecewise_constant_schedule` with `boundaries_and_scales` as `(boundary, scale)` pairs).
///
/// Panics if a scale is negative, as Optax raises.
#[track_caller]
pub fn piecewise_constant_schedule(
    init_value: f64,
    boundaries_and_scales: &[(i64, f64)],
) -> Schedule {
    assert!(
        boundaries_and_scales.iter().all(|&(_, scale)| scale >= 0.0),
        "piecewise_constant_schedule expects non-negative scale factors, got {boundaries_and_scales:?}"
    );
    let mut pairs = boundaries_and_scales.to_vec();
    pairs.sort_by_key(|&(boundary, _)| boundary);
    Schedule::new(move |count| {
        let mut value = weak(init_value);
        for &(threshold, scale) in &pairs {
            let indicator = jnp::maximum(0.0, jnp::sign(threshold - count));
            value = &value * &indicator + (1.0 - &indicator) * scale * &value;
        }
        value
    })
}
