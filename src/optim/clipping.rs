//! Gradient clipping (Optax's `clip`, `clip_by_global_norm`, `global_norm`).

use crate::numpy as jnp;
use crate::{Array, lax};

use super::transform::GradientTransformation;

/// The 2-norm of all the leaves together, `sqrt(sum of every squared element)` (Optax's
/// `global_norm`).
pub fn global_norm(leaves: &[Array]) -> Array {
    let squares = leaves.iter().map(|x| (x * x).sum());
    let total = squares.fold(Array::weak(crate::scalar::Scalar::Int(0)), |acc, s| acc + s);
    total.sqrt()
}

/// Clips each element of the updates to `[-max_delta, max_delta]` (Optax's `clip`);
/// stateless.
pub fn clip(max_delta: f64) -> GradientTransformation {
    GradientTransformation::stateless(move |updates, _| {
        Ok(updates
            .leaves
            .iter()
            .map(|g| jnp::clip(g, Some(-max_delta), Some(max_delta)))
            .collect())
    })
}

/// Rescales the updates to global norm `max_norm` when theirs is larger (Optax's
/// `clip_by_global_norm`): `g / ‖g‖ * max_norm`, else `g` unchanged; stateless.
pub fn clip_by_global_norm(max_norm: f64) -> GradientTransformation {
    GradientTransformation::stateless(move |updates, _| {
        let norm = global_norm(updates.leaves);
        let trigger = norm.lt(max_norm);
        Ok(updates
            .leaves
            .iter()
            .map(|t| {
                let clipped = t / norm.astype(t.dtype()) * max_norm;
                lax::select_n(jnp::broadcast_to(&trigger, t.shape()), [&clipped, t])
            })
            .collect())
    })
}
