//! Typed key arrays (JAX's `jax.random.key`, `key_data`, `wrap_key_data`, `key_impl`).
//!
//! A typed key array is an [`Array`] of dtype [`DType::Key`]: `key(0)` is a scalar of dtype
//! `key<fry>`, and `split(key(0), 3)` a `key<fry>[3]`, whose data is `uint32[3, 2]`.

use super::key_primitives::{random_unwrap, random_wrap};
use super::{PrngImpl, prng};
use crate::IntoArray;
use crate::{Array, DType, config};

/// A typed PRNG key from an integer seed (JAX's `jax.random.key(seed)`): a scalar of dtype
/// `key<fry>` (or `key<rbg>`, `key<urbg>`) of [`config::default_prng_impl`].
pub fn key(seed: i64) -> Array {
    key_with_impl(seed, config::default_prng_impl())
}

/// A typed PRNG key of the implementation `prng` from an integer seed (JAX's
/// `jax.random.key(seed, impl=...)`).
pub fn key_with_impl(seed: i64, prng: PrngImpl) -> Array {
    random_wrap(&prng_key_with_impl(seed, prng), prng)
}

/// A raw PRNG key of the implementation `prng` from an integer seed (JAX's
/// `jax.random.PRNGKey(seed, impl=...)`): `uint32[2]` for threefry, `uint32[4]` for rbg.
pub fn prng_key_with_impl(seed: i64, prng: PrngImpl) -> Array {
    let words = prng::seed_words(seed, prng);
    Array::from_slice(&words, &[words.len()]).expect("one word per element")
}

/// A typed PRNG key of the default implementation from a traced integer scalar `seed` (JAX's
/// `jax.random.key` of an array): usable under `jit` and `vmap`. Panics unless `seed` is an
/// integer scalar.
#[track_caller]
pub fn typed_key_from_seed(seed: impl IntoArray) -> Array {
    let seed = &seed.into_array();
    super::check_seed("typed_key_from_seed", seed);
    let prng = config::default_prng_impl();
    random_wrap(&prng::seed(seed, prng), prng)
}

/// The `uint32` data of keys (JAX's `jax.random.key_data`): `uint32[*shape, words]` for a typed
/// key array of shape `shape`; a raw key array is returned as it is.
#[track_caller]
pub fn key_data(keys: impl IntoArray) -> Array {
    let keys = &keys.into_array();
    match keys.dtype() {
        DType::Key(_) => random_unwrap(keys),
        _ => {
            check_raw_key_data("key_data", keys, config::default_prng_impl());
            keys.clone()
        }
    }
}

/// Keys of the implementation `prng` whose data is `data` (JAX's `jax.random.wrap_key_data`):
/// `uint32[*shape, words]` becomes a typed key array of shape `shape`. Panics, naming the
/// expected shape, unless `data` is `uint32` with a last dimension of the key's word count.
#[track_caller]
pub fn wrap_key_data(data: impl IntoArray, prng: PrngImpl) -> Array {
    let data = &data.into_array();
    if data.dtype().is_key() {
        panic!(
            "rjax::random::wrap_key_data: expected uint32 key data, got a key array {}",
            data.aval()
        );
    }
    check_raw_key_data("wrap_key_data", data, prng);
    random_wrap(data, prng)
}

/// The implementation of keys (JAX's `jax.random.key_impl`): a typed key array's own, and the
/// default implementation for raw keys.
#[track_caller]
pub fn key_impl(keys: impl IntoArray) -> PrngImpl {
    let keys = &keys.into_array();
    match keys.dtype() {
        DType::Key(prng) => prng,
        _ => {
            let prng = config::default_prng_impl();
            check_raw_key_data("key_impl", keys, prng);
            prng
        }
    }
}

/// Panics, as JAX does, unless `data` is `uint32` key data of `prng`: a shape ending with its
/// word count.
#[track_caller]
fn check_raw_key_data(op: &str, data: &Array, prng: PrngImpl) {
    let words = prng.key_words();
    if data.dtype() != DType::U32 || data.shape().last() != Some(&words) {
        panic!(
            "rjax::random::{op}: invalid PRNG key data: expected a uint32 array whose shape ends \
             with ({words},) for impl={prng}, got {}",
            data.aval()
        );
    }
}
