//! `rjax::random`: JAX's counter-based pseudo-random numbers (`jax.random`), bit for bit.
//!
//! As in JAX there is no hidden state: every sampler takes a *key*, and fresh keys come from
//! [`split`] and [`fold_in`]. Keys are JAX's legacy raw keys of the default `threefry2x32`
//! implementation: `uint32[2]` arrays, as `jax.random.PRNGKey` returns (JAX's typed key
//! arrays, `key<fry>[]`, are not modelled; [`key`] returns the raw key too).
//!
//! ```
//! use rjax::{DType, random};
//! let key = random::PRNGKey(0);                       // uint32[2]: [0, 0]
//! let keys = random::split(&key, 2);                  // uint32[2, 2], as jax.random.split
//! assert_eq!(keys.to_vec::<u32>()?, [1797259609, 2579123966, 928981903, 3453687069]);
//! let x = random::normal(&random::fold_in(&key, 7), &[3], DType::F32);
//! let u = random::uniform(&key, &[3], DType::F32, 0.0, 1.0);
//! assert_eq!(u.to_vec::<f32>()?[0].to_bits(), 0x3f729a4e); // JAX's first uniform of key 0
//! # let _ = x;
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! The algorithms are JAX 0.10.2's: the Threefry-2x32 hash ([`threefry2x32`]) of a counter per
//! output element; floats from the mantissa bits with the exponent of 1.0, minus 1; normals as
//! `sqrt(2) * erf_inv(u)` for `u` uniform on `(-1, 1)`. Samplers are written with `rjax::lax`
//! primitives, so they work eagerly, under `jit` and under `vmap` (a batch of keys is a `vmap`
//! over keys); like JAX's, each public sampler is itself jitted (one compiled program per shape
//! and dtype) and nests as a call inside an outer transformation.
//!
//! The samplers: [`uniform`], [`normal`], [`truncated_normal`], [`randint`], [`bernoulli`],
//! [`permutation`] / [`permutation_of`]; [`exponential`], [`laplace`], [`logistic`],
//! [`cauchy`], [`gumbel`] (JAX's "low" and "high" [`GumbelMode`]s); [`rademacher`],
//! [`categorical`] (with and without replacement), [`choice`] / [`choice_of`] (with and
//! without replacement and weights, [`ChoiceSpec`]); [`multivariate_normal`] (Cholesky, eigh or
//! SVD [`CovarianceFactor`]) and [`orthogonal`]. Not yet: JAX's `gamma` family (`gamma`,
//! `loggamma`, `beta`, `dirichlet`, `t`, `chisquare`), `poisson`, `ball`, and the samplers
//! JAX builds on them.
//!
//! **Layouts.** With `jax_threefry_partitionable` on (JAX's default since 0.5, and rjax's),
//! `split` and the random bits hash the 64-bit counter of each output element;
//! [`config::set_threefry_partitionable`]`(false)` (or `JAX_THREEFRY_PARTITIONABLE=0`) selects
//! JAX's original layout, which hashes a flat counter cut in two halves, so keys from `split`
//! and every sample differ. `fold_in` and seeding are the same in both. The flag is read when a
//! function is traced and is part of `jit`'s cache key, as in JAX.
//!
//! What matches JAX bit for bit, in both layouts (checked against JAX's own outputs by
//! `tests/random.rs`, `tests/random_distributions.rs` and `tests/random_legacy.rs`): keys from
//! seeds, `split`, `fold_in`, random bits of every width, `uniform`, `randint`, `bernoulli`,
//! `permutation`, `rademacher`, `categorical` and `choice`, in every dtype, eagerly and under
//! `jit`. The samplers through XLA's transcendental functions (`normal`, `truncated_normal`,
//! `exponential`, `laplace`, `logistic`, `cauchy`, `gumbel`) match too, except that XLA's
//! float32 (and narrower) `erf_inv`, `log`, `log1p` and `tan` differ by an ulp or two on a few
//! inputs between XLA builds (JAX run on rjax's embedded CPU plugin gives rjax's bits).
//! `multivariate_normal` and `orthogonal` factor matrices with rjax's kernels rather than
//! LAPACK, so they agree with JAX to rounding; with `Eigh` and `Svd`, whose vectors' signs are
//! arbitrary, `multivariate_normal`'s samples are JAX's only up to those signs (same
//! distribution, same normals). Under an eager `vmap` rjax evaluates a batched jitted call op
//! by op, so where XLA would fuse a multiply and an add (`uniform` with a span that is not a
//! power of two, `truncated_normal`) the low bits can differ from JAX's compiled batch;
//! `jit(vmap(...))` matches it.
//!
//! Dtypes follow JAX's canonicalisation: without x64 mode a requested `F64` (`U64`, `I64`)
//! becomes `F32` (`U32`, `I32`), as JAX does with a warning. Misuse (a key that is not a
//! `uint32[2]` array, a dtype the sampler does not accept, parameters that do not broadcast to
//! the shape) panics with a message naming the function, as `rjax::lax` does.

mod continuous;
mod discrete;
mod distributions;
mod multivariate;
mod threefry;
mod threefry_original;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use continuous::{GumbelMode, cauchy, exponential, gumbel, laplace, logistic};
pub use discrete::{ChoiceSpec, categorical, choice, choice_of, rademacher};
pub use distributions::{
    bernoulli, normal, permutation, permutation_of, randint, truncated_normal, uniform,
};
pub use multivariate::{CovarianceFactor, multivariate_normal, orthogonal};
pub use threefry::{threefry_2x32, threefry2x32};

use crate::lax::unwrap_at_caller;
use crate::promotion::canonicalize;
use crate::scalar::Scalar;
use crate::{Array, DType, IntoArray, Jitted, Static, config, jit};

/// The static parameters of a staged sampler: part of its `jit` cache key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Params {
    /// The output shape (for `split`, the shape of the key batch).
    pub(crate) shape: Vec<usize>,
    /// The dtype the sampler computes in.
    pub(crate) dtype: Option<DType>,
    /// Other integers: a bit width, an axis, a flag.
    pub(crate) ints: Vec<usize>,
}

type Body = fn(&[Array], &Params) -> Array;
type StagedFn = Box<dyn Fn((Vec<Array>, Static<Params>)) -> Array + Send + Sync>;
type Staged = Jitted<StagedFn>;

/// Runs `body` on `args` as a jitted function named `name` (one per name, with an unbounded
/// signature cache), as JAX jits its samplers: eagerly one compiled program, under a
/// transformation a call primitive.
#[track_caller]
pub(crate) fn staged(name: &'static str, body: Body, args: Vec<Array>, params: Params) -> Array {
    static STAGED: OnceLock<Mutex<HashMap<&'static str, Arc<Staged>>>> = OnceLock::new();
    let jitted = STAGED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .entry(name)
        .or_insert_with(|| {
            let f: StagedFn = Box::new(move |(args, Static(params))| body(&args, &params));
            Arc::new(jit(f).with_name(name).with_max_cache_entries(usize::MAX))
        })
        .clone();
    unwrap_at_caller(jitted.call((args, Static(params))))
}

/// A strongly typed scalar of `dtype` holding `value` (converted as NumPy's `astype`).
pub(crate) fn constant(value: Scalar, dtype: DType) -> Array {
    Array::from_host_bytes(&value.to_bytes(dtype), dtype, Vec::new(), false)
}

/// `dtype` as JAX canonicalises a requested dtype (64-bit types need x64 mode).
pub(crate) fn canonical(dtype: DType) -> DType {
    canonicalize(dtype, config::x64_enabled())
}

/// Panics unless `key` is a raw threefry key, a `uint32[2]` array.
#[track_caller]
pub(crate) fn check_key(op: &str, key: &Array) {
    if key.dtype() != DType::U32 || key.shape() != [2] {
        panic!(
            "rjax::random::{op}: expected a single raw PRNG key, a uint32[2] array (from \
             PRNGKey, split or fold_in), got {}; for a batch of keys use vmap",
            key.aval()
        );
    }
}

/// A raw PRNG key from an integer seed (JAX's `jax.random.PRNGKey`): the `uint32[2]` array of
/// the seed's high and low 32 bits. Without x64 mode the seed is first truncated to 32 bits
/// (so the high word is 0), as JAX canonicalises a Python integer.
#[allow(non_snake_case)]
pub fn PRNGKey(seed: i64) -> Array {
    let words = threefry::seed_words(seed, config::x64_enabled());
    Array::from_slice(&words, &[2]).expect("two words for shape [2]")
}

/// A PRNG key from an integer seed (JAX's `jax.random.key`); rjax has no typed key arrays, so
/// this is the raw key of [`PRNGKey`].
pub fn key(seed: i64) -> Array {
    PRNGKey(seed)
}

/// A raw PRNG key from a traced integer scalar `seed` (JAX's `PRNGKey` of an array): usable
/// under `jit` and `vmap` (a batch of seeds gives a batch of keys). Panics unless `seed` is an
/// integer scalar.
#[track_caller]
pub fn key_from_seed(seed: &Array) -> Array {
    if !seed.dtype().is_int() || seed.ndim() != 0 {
        panic!(
            "rjax::random::key_from_seed: the seed must be an integer scalar, got {}",
            seed.aval()
        );
    }
    threefry::seed_key(seed)
}

/// Splits `key` into `num` new keys (JAX's `jax.random.split`): a `uint32[num, 2]` array.
#[track_caller]
pub fn split(key: &Array, num: usize) -> Array {
    split_shape(key, &[num])
}

/// Splits `key` into a `shape`-shaped batch of keys (JAX's `split` with a tuple `num`): a
/// `uint32[*shape, 2]` array.
#[track_caller]
pub fn split_shape(key: &Array, shape: &[usize]) -> Array {
    check_key("split", key);
    let params = Params {
        shape: shape.to_vec(),
        ..Params::default()
    };
    staged(
        "_threefry_split",
        |args, p| threefry::split(&args[0], &p.shape),
        vec![key.clone()],
        params,
    )
}

/// Folds `data`, an integer scalar (a Rust integer or an array, traced or not) taken modulo
/// 2^32, into `key` (JAX's `jax.random.fold_in`): a new key.
#[track_caller]
pub fn fold_in(key: &Array, data: impl IntoArray) -> Array {
    check_key("fold_in", key);
    let data = data.into_array();
    if !data.dtype().is_int() || data.ndim() != 0 {
        panic!(
            "rjax::random::fold_in: data must be an integer scalar, got {}",
            data.aval()
        );
    }
    let data =
        crate::array::convert(&data, DType::U32, false).unwrap_or_else(|error| panic!("{error}"));
    staged(
        "_threefry_fold_in",
        |args, _| threefry::fold_in(&args[0], &args[1]),
        vec![key.clone(), data],
        Params::default(),
    )
}

/// `bit_width`-bit random unsigned integers (8, 16, 32 or 64 bits; 64 needs x64 mode) of
/// `shape`: JAX's internal `_random_bits`, `threefry_random_bits`.
#[track_caller]
pub fn random_bits(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    check_key("random_bits", key);
    if ![8, 16, 32, 64].contains(&bit_width) {
        panic!(
            "rjax::random::random_bits: requires 8-, 16-, 32- or 64-bit field width, got {bit_width}"
        );
    }
    if bit_width == 64 && !config::x64_enabled() {
        panic!(
            "rjax::random::random_bits: 64-bit values need x64 mode \
             (rjax::config::enable_x64(true))"
        );
    }
    let params = Params {
        shape: shape.to_vec(),
        ints: vec![bit_width as usize],
        ..Params::default()
    };
    staged(
        "_random_bits",
        |args, p| threefry::random_bits(&args[0], p.ints[0] as u32, &p.shape),
        vec![key.clone()],
        params,
    )
}

/// Uniformly random unsigned integers of `dtype` and `shape` (JAX's `jax.random.bits`);
/// `U64` is `U32` without x64 mode.
#[track_caller]
pub fn bits(key: &Array, shape: &[usize], dtype: DType) -> Array {
    let dtype = canonical(dtype);
    if !dtype.is_unsigned_int() {
        panic!("rjax::random::bits: dtype must be an unsigned integer dtype, got {dtype}");
    }
    random_bits(key, 8 * dtype.size_in_bytes() as u32, shape)
}
