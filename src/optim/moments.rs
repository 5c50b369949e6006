//! The moment arithmetic Optax's transformations share (`optax.tree.update_moment`,
//! `update_moment_per_elem_norm`, `bias_correction`), one leaf at a time.

use crate::Array;
use crate::lax;
use crate::numpy as jnp;

/// The exponential moving average of `g ** order`: `(1 - decay) * g**order + decay * t`.
pub(crate) fn update_moment(g: &Array, t: &Array, decay: f64, order: i32) -> Array {
    lax::integer_pow(g, order) * (1.0 - decay) + t * decay
}

/// `t / (1 - decay**count)`: the bias correction, computed in the default float type and
/// cast to `t`'s before dividing, as Optax does.
pub(crate) fn bias_correction(t: &Array, decay: f64, count: &Array) -> Array {
    let correction: Array = 1.0 - jnp::power(decay, count);
    t / correction.astype(t.dtype())
}
