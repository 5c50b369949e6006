//! Dropout with an explicit key, as Flax's `nn.Dropout`.

use super::check_single_key;
use crate::IntoArray;
use crate::numpy as jnp;
use crate::{Array, lax, random};

/// Inverted dropout of `x` (Flax's `nn.Dropout(rate)(x, deterministic, rng=key)`): each element
/// is kept with probability `1 - rate`, kept values are divided by `1 - rate` so the expected
/// value is unchanged (multiplied by its reciprocal rounded to `x`'s dtype, which is how XLA
/// evaluates Flax's division by that constant: the same bits), the others become 0. The keep mask is
/// `random::bernoulli(key, 1 - rate, x.shape())`, sampled in the default float dtype as for a
/// Python float, so the same key drops the same elements as Flax. `deterministic` (evaluation)
/// or `rate == 0` returns `x` unchanged; `rate == 1` returns zeros. Differentiable in `x`
/// (the gradient is the mask over `1 - rate`) and usable under `jit` and `vmap`, the key
/// traced or not.
///
/// ```
/// use rjax::{Array, nn, random};
///
/// let x = Array::from([1.0f32, 2.0, 3.0, 4.0]);
/// let y = nn::dropout(&random::key(0), 0.5, &x, false);
/// for (kept, original) in y.to_vec::<f32>()?.into_iter().zip([1.0f32, 2.0, 3.0, 4.0]) {
///     assert!(kept == 0.0 || kept == 2.0 * original);
/// }
/// assert_eq!(nn::dropout(&random::key(0), 0.5, &x, true).to_vec::<f32>()?, x.to_vec::<f32>()?);
/// # Ok::<(), rjax::Error>(())
/// ```
///
/// Panics at the caller's line if `rate` is not in `[0, 1]`, if `x` is not floating point, or
/// if `key` is not a single key.
#[track_caller]
pub fn dropout(key: impl IntoArray, rate: f64, x: impl IntoArray, deterministic: bool) -> Array {
    let key = &key.into_array();
    let x = &x.into_array();
    const OP: &str = "rjax::nn::dropout";
    if !(0.0..=1.0).contains(&rate) {
        panic!("{OP}: the rate must lie in [0, 1], got {rate}");
    }
    if !(x.dtype().is_float() || x.dtype().is_complex()) {
        panic!("{OP}: x must be floating point, got {}", x.aval());
    }
    check_single_key(OP, key);
    if deterministic || rate == 0.0 {
        return x.clone();
    }
    if rate == 1.0 {
        return jnp::zeros_like(x, None);
    }
    let keep_probability = 1.0 - rate;
    let mask = random::bernoulli(key, keep_probability, Some(x.shape()));
    // XLA evaluates JAX's `x / keep_probability`, a division by a constant, as a product with
    // the reciprocal rounded to x's dtype: the same bits.
    let reciprocal = 1.0 / jnp::asarray(keep_probability, Some(x.dtype()));
    lax::select_n(&mask, [&jnp::zeros_like(x, None), &(x * reciprocal)])
}
