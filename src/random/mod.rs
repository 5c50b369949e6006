//! `rjax::random`: JAX's counter-based pseudo-random numbers (`jax.random`), bit for bit.
//!
//! As in JAX there is no hidden state: every sampler takes a *key*, and fresh keys come from
//! [`split`] and [`fold_in`]. Keys come in JAX's two forms, and every function takes both:
//! *typed* keys from [`key`] (an [`Array`] of dtype [`DType::Key`], printed `key<fry>`, whose
//! shape is that of the key set: a single key is a scalar, `split(key(0), 3)` a `key<fry>[3]`)
//! and *raw* keys from [`PRNGKey`] (`uint32[2]` arrays). [`key_data`] gives a typed key array's
//! `uint32[..., 2]` data, [`wrap_key_data`] wraps data back, [`key_impl`] names the
//! implementation. `split` and `fold_in` give keys in the form they are given.
//!
//! **Typed keys.** A key array's dtype is an extended dtype, `DType::Key(PrngImpl)`, whose
//! physical form is `uint32` with the key words as a trailing dimension (JAX's
//! `physical_aval`): a concrete key array holds exactly those words, and lowering gives key
//! values their physical type, so keys pass through `jit` (arguments, results, constants),
//! `vmap`, `scan`/`while`/`cond` carries, custom derivatives and `checkpoint` unchanged. Two
//! primitives cross between the forms, JAX's `random_wrap` and `random_unwrap`
//! ([`RandomOp`]); JAX's `random_seed`/`random_split`/`random_fold_in`/`random_bits` are not
//! separate primitives here: each is the implementation's function on the unwrapped data,
//! rewrapped (so a jaxpr shows `random_unwrap`, the threefry arithmetic, `random_wrap`), which
//! batches and differentiates through the rules of the operations it is made of. Shape
//! operations that JAX allows on keys (`reshape`, `broadcast_in_dim`, `transpose`,
//! `squeeze`, `expand_dims`, `slice`, `concatenate`, `select_n` and so `where`, `rev`,
//! `dynamic_slice`, `dynamic_update_slice`, `gather` and so NumPy indexing) run on the key
//! data; every other operation (arithmetic, comparison, reduction, conversion) panics naming
//! the operation and the key dtype, as JAX raises. Keys have no derivative: their tangents are
//! symbolic zeros (materialised, where a rule needs an array, as all-zero key data rather than
//! JAX's `float0`).
//!
//! **Implementations.** [`PrngImpl`]: `threefry2x32` (the default), `rbg` and `unsafe_rbg`,
//! chosen by [`config::set_default_prng_impl`] or `JAX_DEFAULT_PRNG_IMPL` for new keys and for
//! reading raw keys ([`key_with_impl`] and [`prng_key_with_impl`] name one; a typed key keeps
//! its own), and part of `jit`'s cache key. The rbg keys are `uint32[4]` (`key<rbg>`,
//! `key<urbg>`); their bits come from XLA's `RngBitGenerator` ([`rng_bit_generator`], the
//! platform's default algorithm, batched as JAX batches it: one call from the first key of the
//! batch), seeded, split and folded as JAX does (`rbg` by threefry on each half of the key,
//! `unsafe_rbg` by `RngBitGenerator` itself). Checked against JAX 0.10.2 on the CPU
//! (`tests/random_keys.rs`): seeds, splits, fold-ins and bits of both, bit for bit. XLA does not
//! promise `RngBitGenerator`'s bits across backends or versions, so on another XLA build the
//! rbg bits (and `unsafe_rbg`'s splits and fold-ins) may differ from JAX's; `rbg`'s seeds,
//! splits and fold-ins are threefry's and always exact.
//!
//! ```
//! use rjax::{DType, random};
//! let key = random::PRNGKey(0);                       // uint32[2]: [0, 0]
//! let keys = random::split(&key, 2);                  // uint32[2, 2], as jax.random.split
//! assert_eq!(keys.to_vec::<u32>()?, [1797259609, 2579123966, 928981903, 3453687069]);
//! let typed = random::split(&random::key(0), 2);      // key<fry>[2]: a typed key array
//! assert_eq!(typed.dtype().name(), "key<fry>");
//! assert_eq!(random::key_data(&typed).to_vec::<u32>()?, keys.to_vec::<u32>()?);
//! let x = random::normal(&random::fold_in(&key, 7), &[3], DType::F32);
//! let u = random::uniform(&key, &[3], None);          // dtype=float: float32 without x64
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
//! SVD [`CovarianceFactor`]) and [`orthogonal`]; the gamma family, [`gamma`] and [`loggamma`]
//! (Marsaglia and Tsang's rejection loop per element), [`beta`], [`dirichlet`], [`t`] and
//! [`chisquare`], each differentiable in its parameters by JAX's implicit derivative of the
//! gamma sample; [`poisson`] (Knuth's algorithm and transformed rejection) and [`ball`].
//!
//! **Keywords.** As everywhere in rjax, a sampler's plain form has JAX's defaults and its
//! `_with` form JAX's keywords: `uniform(key, &[3], None)` and
//! `uniform_with(key, &[3], None, -1.0, 1.0)` ([`uniform_with`]), [`gumbel_with`] (the mode),
//! [`categorical_with`] ([`CategoricalOptions`]), [`multivariate_normal_with`]
//! ([`MultivariateNormalOptions`]) and [`ball_with`] (the `p`-norm). A `dtype` is
//! `impl Into<Option<DType>>`: the dtype itself, or `None` for JAX's default (`dtype=float`,
//! the default float: `float32`, or `float64` with x64; `dtype=int` for [`randint`],
//! [`rademacher`] and [`poisson`]; the default unsigned type for [`bits`]).
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
//! `permutation`, `rademacher`, `categorical`, `choice` and `poisson`, in every dtype, eagerly
//! and under `jit`. The samplers through XLA's transcendental functions (`normal`,
//! `truncated_normal`, `exponential`, `laplace`, `logistic`, `cauchy`, `gumbel`, the gamma
//! family, `ball`) match too, except that XLA's float32 (and narrower) `erf_inv`, `log`,
//! `log1p` and `tan` differ by an ulp or two on a few inputs between XLA builds (JAX run on rjax's embedded CPU plugin gives rjax's bits).
//! `multivariate_normal` and `orthogonal` factor matrices with rjax's kernels rather than
//! LAPACK, so they agree with JAX to rounding; with `Eigh` and `Svd`, whose vectors' signs are
//! arbitrary, `multivariate_normal`'s samples are JAX's only up to those signs (same
//! distribution, same normals). Under an eager `vmap` rjax evaluates a batched jitted call op
//! by op, so where XLA would fuse a multiply and an add (`uniform` with a span that is not a
//! power of two, `truncated_normal`) the low bits can differ from JAX's compiled batch;
//! `jit(vmap(...))` matches it. Likewise the gamma family's rejection loops, compiled inside
//! an outer `jit`, are fused differently than alone, and a few samples' last bits differ from
//! the eager call's, in JAX as in rjax (whose jitted bits are JAX's jitted bits).
//!
//! Dtypes follow JAX's canonicalisation: without x64 mode a requested `F64` (`U64`, `I64`)
//! becomes `F32` (`U32`, `I32`), as JAX does with a warning. Misuse (a key that is neither a
//! typed scalar key nor a raw key of the default implementation, a dtype the sampler does not
//! accept, parameters that do not broadcast to the shape) panics with a message naming the
//! function, as `rjax::lax` does.

pub(crate) mod complex_normal;
mod continuous;
mod discrete;
mod distributions;
mod gamma;
mod gamma_family;
mod key_primitives;
mod key_shape_ops;
mod keys;
mod multivariate;
mod poisson;
mod prng;
mod prng_impl;
mod rbg;
mod threefry;
mod threefry_original;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use continuous::{GumbelMode, cauchy, exponential, gumbel, gumbel_with, laplace, logistic};
pub use discrete::{
    CategoricalOptions, ChoiceSpec, categorical, categorical_with, choice, choice_of, rademacher,
};
pub use distributions::{
    bernoulli, normal, permutation, permutation_of, randint, truncated_normal, uniform,
    uniform_with,
};
pub use gamma::{gamma, loggamma};
pub use gamma_family::{beta, chisquare, dirichlet, t};
pub(crate) use key_primitives::random_wrap;
pub use key_primitives::{RandomOp, rng_bit_generator};
pub(crate) use key_shape_ops::{bind_with_keys, reject_mixed_keys};
pub use keys::{
    key, key_data, key_impl, key_with_impl, prng_key_with_impl, typed_key_from_seed, wrap_key_data,
};
pub use multivariate::{
    CovarianceFactor, MultivariateNormalOptions, ball, ball_with, multivariate_normal,
    multivariate_normal_with, orthogonal,
};
pub use poisson::poisson;
pub use prng_impl::PrngImpl;
pub use threefry::{threefry_2x32, threefry2x32};

use crate::lax::unwrap_at_caller;
use crate::promotion::canonicalize;
use crate::scalar::Scalar;
use crate::shape_check::assert_shape;
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

/// Runs `body` on `args` as a jitted function named `name` (one per name, its signatures kept
/// least recently used first out within the [cache limits](crate::cache::CacheLimits)), as
/// JAX jits its samplers: eagerly one compiled program, under a transformation a call
/// primitive.
#[track_caller]
pub(crate) fn staged(name: &'static str, body: Body, args: Vec<Array>, params: Params) -> Array {
    // A shape too large for XLA fails here, naming the sampler, before anything is traced (a
    // key batch is checked as 64-bit words).
    let op = format!("rjax::random::{}", name.trim_start_matches('_'));
    assert_shape(&op, &params.shape, params.dtype.unwrap_or(DType::U64));
    static STAGED: OnceLock<Mutex<HashMap<&'static str, Arc<Staged>>>> = OnceLock::new();
    let jitted = STAGED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .entry(name)
        .or_insert_with(|| {
            let f: StagedFn = Box::new(move |(args, Static(params))| body(&args, &params));
            let entries = crate::cache::cache_limits().max_entries;
            Arc::new(
                jit(f)
                    .with_name(name)
                    .with_max_cache_entries(entries)
                    .evicting_oldest(),
            )
        })
        .clone();
    unwrap_at_caller(jitted.call((args, Static(params))))
}

/// A strongly typed scalar of `dtype` holding `value` (converted as NumPy's `astype`).
pub(crate) fn constant(value: Scalar, dtype: DType) -> Array {
    Array::from_host_bytes(&value.to_bytes(dtype), dtype, Vec::new(), false)
}

/// JAX's `dtype=float` default of the samplers: the default float type (`float32`, or
/// `float64` with x64).
pub(crate) fn default_float() -> DType {
    crate::promotion::default_float(config::x64_enabled())
}

/// `dtype` canonicalised, `None` being JAX's `dtype=int` default (the default integer type).
pub(crate) fn int_or_default(dtype: Option<DType>) -> DType {
    canonical(dtype.unwrap_or_else(|| crate::promotion::default_int(config::x64_enabled())))
}

/// `dtype` as JAX canonicalises a requested dtype (64-bit types need x64 mode).
pub(crate) fn canonical(dtype: DType) -> DType {
    canonicalize(dtype, config::x64_enabled())
}

/// Panics unless `key` is a single key: a typed key scalar, or a raw key of the default
/// implementation (`uint32[2]` for threefry, `uint32[4]` for rbg).
#[track_caller]
pub(crate) fn check_key(op: &str, key: &Array) {
    let words = config::default_prng_impl().key_words();
    match key.dtype() {
        DType::Key(_) if key.ndim() == 0 => {}
        DType::Key(_) => panic!(
            "rjax::random::{op}: expected a single key, got a key array {}; for a batch of \
             keys use vmap",
            key.aval()
        ),
        _ if key.dtype() == DType::U32 && key.shape() == [words] => {}
        _ => panic!(
            "rjax::random::{op}: expected a single PRNG key, a typed key or a raw uint32[{words}] \
             key of the default implementation {} (from key, PRNGKey, split or fold_in), got {}; \
             for a batch of keys use vmap",
            config::default_prng_impl(),
            key.aval()
        ),
    }
}

/// Panics unless `seed` is an integer scalar.
#[track_caller]
pub(crate) fn check_seed(op: &str, seed: &Array) {
    if !seed.dtype().is_int() || seed.ndim() != 0 {
        panic!(
            "rjax::random::{op}: the seed must be an integer scalar, got {}",
            seed.aval()
        );
    }
}

/// A raw PRNG key from an integer seed (JAX's `jax.random.PRNGKey`) of the default
/// implementation ([`config::default_prng_impl`]): for threefry the `uint32[2]` array of the
/// seed's high and low 32 bits, for rbg those twice (`uint32[4]`). Without x64 mode the seed
/// is first truncated to 32 bits (so the high word is 0), as JAX canonicalises a Python
/// integer.
#[allow(non_snake_case)]
pub fn PRNGKey(seed: i64) -> Array {
    prng_key_with_impl(seed, config::default_prng_impl())
}

/// A raw PRNG key of the default implementation from a traced integer scalar `seed` (JAX's
/// `PRNGKey` of an array): usable under `jit` and `vmap` (a batch of seeds gives a batch of
/// keys). Panics unless `seed` is an integer scalar.
#[track_caller]
pub fn key_from_seed(seed: impl IntoArray) -> Array {
    let seed = &seed.into_array();
    check_seed("key_from_seed", seed);
    prng::seed(seed, config::default_prng_impl())
}

/// Splits `key` into `num` new keys (JAX's `jax.random.split`): a `uint32[num, 2]` array for a
/// raw threefry key, a `key<...>[num]` array for a typed key.
#[track_caller]
pub fn split(key: impl IntoArray, num: usize) -> Array {
    let key = &key.into_array();
    split_shape(key, &[num])
}

/// Splits `key` into a `shape`-shaped batch of keys (JAX's `split` with a tuple `num`): a
/// `uint32[*shape, words]` array for a raw key, a `key<...>[*shape]` array for a typed one.
#[track_caller]
pub fn split_shape(key: impl IntoArray, shape: &[usize]) -> Array {
    let key = &key.into_array();
    check_key("split", key);
    let params = Params {
        shape: shape.to_vec(),
        ..Params::default()
    };
    staged(
        "_split",
        |args, p| prng::split(&args[0], &p.shape),
        vec![key.clone()],
        params,
    )
}

/// Folds `data`, an integer scalar (a Rust integer or an array, traced or not) taken modulo
/// 2^32, into `key` (JAX's `jax.random.fold_in`): a new key, raw or typed as `key` is.
#[track_caller]
pub fn fold_in(key: impl IntoArray, data: impl IntoArray) -> Array {
    let key = &key.into_array();
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
        "_fold_in",
        |args, _| prng::fold_in(&args[0], &args[1]),
        vec![key.clone(), data],
        Params::default(),
    )
}

/// `bit_width`-bit random unsigned integers (8, 16, 32 or 64 bits; 64 needs x64 mode) of
/// `shape`: JAX's internal `_random_bits` (`threefry_random_bits`, or `RngBitGenerator`'s bits
/// for the rbg implementations).
#[track_caller]
pub fn random_bits(key: impl IntoArray, bit_width: u32, shape: &[usize]) -> Array {
    let key = &key.into_array();
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
        |args, p| prng::random_bits(&args[0], p.ints[0] as u32, &p.shape),
        vec![key.clone()],
        params,
    )
}

/// Uniformly random unsigned integers of `dtype` and `shape` (JAX's `jax.random.bits`);
/// `U64` is `U32` without x64 mode, and `None` (JAX's default) the default unsigned type.
#[track_caller]
pub fn bits(key: impl IntoArray, shape: &[usize], dtype: impl Into<Option<DType>>) -> Array {
    let key = &key.into_array();
    let default_uint = || crate::promotion::default_uint(config::x64_enabled());
    let dtype = canonical(dtype.into().unwrap_or_else(default_uint));
    if !dtype.is_unsigned_int() {
        panic!("rjax::random::bits: dtype must be an unsigned integer dtype, got {dtype}");
    }
    random_bits(key, 8 * dtype.size_in_bytes() as u32, shape)
}
