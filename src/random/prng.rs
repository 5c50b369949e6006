//! The key operations of every implementation behind one interface (JAX's `PRNGImpl` methods
//! `seed`, `split`, `fold_in`, `random_bits`): each takes a single key, raw (`uint32[words]`,
//! read as a key of [`config::default_prng_impl`]) or typed (`key<...>[]`), dispatches on its
//! implementation, and gives keys back in the form it was given.
//!
//! These are the samplers' building blocks; they are traceable, so under `vmap` a batch of
//! keys is handled by batching the implementation's operations (for threefry, elementwise
//! integer arithmetic; for the rbg implementations, `rng_bit_generator`'s batching rule).

use super::key_primitives::{random_unwrap, random_wrap};
use super::{PrngImpl, rbg, threefry};
use crate::lax;
use crate::{Array, DType, config};

/// A single key taken apart: its raw data (`uint32[words]`), its implementation, and whether
/// it came typed.
struct KeyParts {
    data: Array,
    prng: PrngImpl,
    typed: bool,
}

impl KeyParts {
    fn of(key: &Array) -> KeyParts {
        match key.dtype() {
            DType::Key(prng) => KeyParts {
                data: random_unwrap(key),
                prng,
                typed: true,
            },
            _ => KeyParts {
                data: key.clone(),
                prng: config::default_prng_impl(),
                typed: false,
            },
        }
    }

    /// Raw key data of this key's implementation in this key's form.
    fn rewrap(&self, data: Array) -> Array {
        if self.typed {
            random_wrap(&data, self.prng)
        } else {
            data
        }
    }
}

/// The words of the raw key of `prng` seeded by the integer `seed` (JAX's `PRNGKey(seed)`):
/// threefry's `[high, low]`, repeated for the rbg implementations. Without x64 mode the seed
/// is first truncated to 32 bits, as JAX canonicalises a Python integer.
pub(crate) fn seed_words(seed: i64, prng: PrngImpl) -> Vec<u32> {
    let half = threefry::seed_words(seed, config::x64_enabled());
    half.repeat(prng.key_words() / 2)
}

/// The raw key data of `prng` seeded by the traced integer scalar `seed` (JAX's `impl.seed`).
pub(crate) fn seed(seed: &Array, prng: PrngImpl) -> Array {
    let half = threefry::seed_key(seed);
    match prng {
        PrngImpl::Threefry2x32 => half,
        PrngImpl::Rbg | PrngImpl::UnsafeRbg => rbg::seed_from_half(&half),
    }
}

/// `split(key, shape)`: keys of shape `shape`, raw (`uint32[*shape, words]`) or typed
/// (`key<...>[*shape]`) as `key` is.
pub(crate) fn split(key: &Array, shape: &[usize]) -> Array {
    let parts = KeyParts::of(key);
    let keys = match parts.prng {
        PrngImpl::Threefry2x32 => threefry::threefry_split(&parts.data, shape),
        PrngImpl::Rbg => rbg::split(&parts.data, shape),
        PrngImpl::UnsafeRbg => rbg::unsafe_split(&parts.data, shape),
    };
    parts.rewrap(keys)
}

/// The `n` keys of `split(key, n)`, one single key each, in `key`'s form.
pub(crate) fn split_keys(key: &Array, n: usize) -> Vec<Array> {
    let keys = split(key, &[n]);
    (0..n).map(|i| key_at(&keys, i)).collect()
}

/// Key `i` of a one-dimensional batch of keys (raw `uint32[n, words]` or typed
/// `key<...>[n]`) as a single key.
pub(crate) fn key_at(keys: &Array, i: usize) -> Array {
    let mut start = vec![0; keys.ndim()];
    let mut limit = keys.shape().to_vec();
    start[0] = i;
    limit[0] = i + 1;
    lax::reshape(lax::slice(keys, &start, &limit, None), &keys.shape()[1..])
}

/// `fold_in(key, data)` for a `uint32` scalar `data`: a new key in `key`'s form.
pub(crate) fn fold_in(key: &Array, data: &Array) -> Array {
    let parts = KeyParts::of(key);
    let folded = match parts.prng {
        PrngImpl::Threefry2x32 => threefry::fold_in(&parts.data, data),
        PrngImpl::Rbg => rbg::fold_in(&parts.data, data),
        PrngImpl::UnsafeRbg => rbg::unsafe_fold_in(&parts.data, data),
    };
    parts.rewrap(folded)
}

/// Random unsigned integers of `bit_width` bits (8, 16, 32 or 64) and `shape` from `key`.
pub(crate) fn random_bits(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    let parts = KeyParts::of(key);
    match parts.prng {
        PrngImpl::Threefry2x32 => threefry::threefry_random_bits(&parts.data, bit_width, shape),
        PrngImpl::Rbg | PrngImpl::UnsafeRbg => rbg::random_bits(&parts.data, bit_width, shape),
    }
}
