//! `rjax::nn`: JAX's `jax.nn` — activation functions, `softmax`, `log_softmax`, `logsumexp`,
//! `one_hot` and `standardize` — with the parameter initializers of
//! `jax.nn.initializers` ([`initializers`]), Flax's [`dropout`] and the losses of
//! `optax.losses` ([`losses`]), built on [`crate::numpy`] so that they trace under `jit`,
//! `grad` and `vmap`.
//!
//! Derivatives match JAX's at the special points: `relu` and `relu6` use JAX's custom rules
//! (derivative 0 at the kinks), and the others differentiate JAX's own formulas (`leaky_relu`
//! has derivative 1 at 0, `elu` has `alpha`).
//!
//! ```
//! use rjax::{Array, grad, nn};
//!
//! let x = Array::from([-1.0f32, 0.0, 2.0]);
//! assert_eq!(nn::relu(&x).to_vec::<f32>()?, vec![0.0, 0.0, 2.0]);
//! let probabilities = nn::softmax(&x, None);                 // along the last axis
//! assert_eq!(probabilities.shape(), [3]);
//! // d/dx logsumexp(x) = softmax(x); relu has derivative 0 at 0, as in JAX.
//! let g = grad(|x: Array| nn::logsumexp(&x, None, false))(Array::from([0.0f32, 0.0]))?;
//! assert_eq!(g.to_vec::<f32>()?, vec![0.5, 0.5]);
//! let g = grad(|x: Array| nn::relu(&x).sum())(Array::from([0.0f32, 1.0]))?;
//! assert_eq!(g.to_vec::<f32>()?, vec![0.0, 1.0]);
//! # Ok::<(), rjax::Error>(())
//! ```

mod activations;
mod dropout;
pub mod initializers;
pub mod losses;

pub(crate) use activations::check_axes;
pub use activations::{
    celu, elu, gelu, hard_sigmoid, hard_silu, hard_tanh, leaky_relu, log_sigmoid, log_softmax,
    logsumexp, mish, one_hot, relu, relu6, selu, sigmoid, silu, softmax, softplus, standardize,
    swish,
};
pub use dropout::dropout;

use crate::{Array, DType, config};

/// Panics, naming `op`, unless `key` is a single PRNG key: a typed key scalar, or a raw
/// `uint32` key of the default implementation (as `rjax::random`'s samplers require).
#[track_caller]
pub(crate) fn check_single_key(op: &str, key: &Array) {
    let words = config::default_prng_impl().key_words();
    let single = match key.dtype() {
        DType::Key(_) => key.ndim() == 0,
        dtype => dtype == DType::U32 && key.shape() == [words],
    };
    if !single {
        panic!(
            "{op}: expected a single PRNG key, a typed key scalar or a raw uint32[{words}] key \
             of the default implementation {} (from random::key, PRNGKey, split or fold_in), \
             got {}; for a batch of keys use vmap",
            config::default_prng_impl(),
            key.aval()
        );
    }
}
