//! The threefry2x32 PRNG implementation (JAX's `jax._src.random.threefry2x32`): the
//! Threefry-2x32 block cipher (20 rounds, Salmon et al., "Parallel random numbers: as easy as
//! 1, 2, 3") written with `rjax::lax` integer primitives, and the key operations built on it:
//! seeding, `split`, `fold_in` and `random_bits`.
//!
//! Everything here is traceable (it stages under `jit`, batches under `vmap`) and follows JAX
//! 0.10.2. With `jax_threefry_partitionable` on (the default), `split` and `random_bits` hash
//! the 64-bit counter `0, 1, ..., size - 1` laid out in row-major order over the output shape,
//! as a pair of `uint32` words (high, low); `random_bits` of 32 bits is the xor of the cipher's
//! two output words, of 64 bits their concatenation, of 8 and 16 bits the truncated xor. With it
//! off they follow JAX's original layout (`threefry_original.rs`). `fold_in` is the same in
//! both.

use super::{constant, threefry_original};
use crate::IntoArray;

// The samplers' entry points, for keys of any implementation, raw or typed.
pub(crate) use super::prng::{random_bits, split};
use crate::lax;
use crate::scalar::Scalar;
use crate::{Array, DType, config};

/// The rotation amounts of Threefry-2x32's even and odd groups of four rounds.
const ROTATIONS: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];

/// The key-schedule parity constant of Threefry (`0x1BD11BDA`).
const KEY_PARITY: u32 = 0x1BD1_1BDA;

/// A `uint32` array of `shape` filled with `value`.
pub(crate) fn full_u32(value: u32, shape: &[usize]) -> Array {
    full(&Array::scalar(value), shape)
}

/// The scalar `value` broadcast to `shape`.
pub(crate) fn full(value: &Array, shape: &[usize]) -> Array {
    if shape.is_empty() {
        value.clone()
    } else {
        lax::broadcast_in_dim(value, shape, &[])
    }
}

/// `x` rotated left by `distance` bits, elementwise.
fn rotate_left(x: &Array, distance: u32) -> Array {
    let shape = x.shape().to_vec();
    lax::bitwise_or(
        lax::shift_left(x, full_u32(distance, &shape)),
        lax::shift_right_logical(x, full_u32(32 - distance, &shape)),
    )
}

/// The Threefry-2x32 hash of the counter pairs `(x0, x1)` under the key `(k1, k2)`: JAX's
/// `threefry2x32_p`, with its reference (non-custom-call) lowering.
///
/// `k1` and `k2` are `uint32` scalars; `x0` and `x1` are `uint32` arrays of one shape, and the
/// two outputs have that shape. Panics if the types do not fit.
#[track_caller]
pub fn threefry2x32(
    k1: impl IntoArray,
    k2: impl IntoArray,
    x0: impl IntoArray,
    x1: impl IntoArray,
) -> (Array, Array) {
    let k1 = &k1.into_array();
    let k2 = &k2.into_array();
    let x0 = &x0.into_array();
    let x1 = &x1.into_array();
    let all = [k1, k2, x0, x1];
    if all.iter().any(|a| a.dtype() != DType::U32) || k1.ndim() != 0 || k2.ndim() != 0 {
        let types: Vec<String> = all.iter().map(|a| a.aval().to_string()).collect();
        panic!(
            "threefry2x32: expects uint32 scalar keys and uint32 counts, got ({})",
            types.join(", ")
        );
    }
    if x0.shape() != x1.shape() {
        panic!(
            "threefry2x32: the counts must share a shape, got {} and {}",
            x0.aval(),
            x1.aval()
        );
    }
    let shape = x0.shape().to_vec();
    let k3 = lax::bitwise_xor(lax::bitwise_xor(k1, k2), Array::scalar(KEY_PARITY));
    let ks = [full(k1, &shape), full(k2, &shape), full(&k3, &shape)];
    let mut x = [lax::add(x0, &ks[0]), lax::add(x1, &ks[1])];
    for (group, injection) in (1u32..=5).enumerate() {
        for &rotation in &ROTATIONS[group % 2] {
            let sum = lax::add(&x[0], &x[1]);
            let rotated = rotate_left(&x[1], rotation);
            x = [sum.clone(), lax::bitwise_xor(&sum, &rotated)];
        }
        x[0] = lax::add(&x[0], &ks[(group + 1) % 3]);
        x[1] = lax::add(
            lax::add(&x[1], &ks[(group + 2) % 3]),
            full_u32(injection, &shape),
        );
    }
    let [y0, y1] = x;
    (y0, y1)
}

/// The first two words of a raw key (`uint32[2]`, or an rbg half) as `uint32` scalars.
pub(crate) fn key_words(key: &Array) -> (Array, Array) {
    let word = |i: usize| lax::reshape(lax::slice(key, &[i], &[i + 1], None), &[]);
    (word(0), word(1))
}

/// JAX's `iota_2x32_shape`: the row-major flat index of each element of `shape` as a 64-bit
/// counter split into its high and low `uint32` words.
#[track_caller]
pub(crate) fn iota_2x32_shape(shape: &[usize]) -> (Array, Array) {
    let size: usize = shape.iter().product();
    if (size as u128) <= 1u128 << 32 {
        // Every index fits the low word: a `uint32` iota, and zero high words.
        let low = lax::reshape(lax::broadcasted_iota(DType::U32, &[size], 0), shape);
        return (full_u32(0, shape), low);
    }
    counter_in_words(shape, 1 << 32)
}

/// The flat index of each element of `shape` as `(high, low)` words of `word` values each
/// (`index = high * word + low`), built from `uint32` iotas only, so without 64-bit types:
/// the whole words form a `[size / word, word]` grid of row and column iotas, and the last,
/// partial word follows.
fn counter_in_words(shape: &[usize], word: usize) -> (Array, Array) {
    let size: usize = shape.iter().product();
    let (whole, rest) = (size / word, size % word);
    let grid = [whole, word];
    let flat = |a: Array| lax::reshape(&a, &[whole * word]);
    let high = [
        flat(lax::broadcasted_iota(DType::U32, &grid, 0)),
        full_u32(whole as u32, &[rest]),
    ];
    let low = [
        flat(lax::broadcasted_iota(DType::U32, &grid, 1)),
        lax::broadcasted_iota(DType::U32, &[rest], 0),
    ];
    let joined =
        |parts: &[Array; 2]| lax::reshape(lax::concatenate([&parts[0], &parts[1]], 0), shape);
    (joined(&high), joined(&low))
}

/// JAX's `threefry_2x32(keypair, count)`: hashes the flattened `count` (padded with a zero to
/// even length) as two halves, and returns the result in `count`'s shape.
#[track_caller]
pub fn threefry_2x32(key: impl IntoArray, count: impl IntoArray) -> Array {
    let key = &key.into_array();
    let count = &count.into_array();
    if count.dtype() != DType::U32 {
        panic!(
            "threefry_2x32: the counts must be uint32, got {}",
            count.aval()
        );
    }
    let (k1, k2) = key_words(key);
    let size = count.size();
    let mut flat = lax::reshape(count, &[size]);
    if size % 2 == 1 {
        flat = lax::concatenate([&flat, &full_u32(0, &[1])], 0);
    }
    let half = flat.size() / 2;
    let x0 = lax::slice(&flat, &[0], &[half], None);
    let x1 = lax::slice(&flat, &[half], &[2 * half], None);
    let (y0, y1) = threefry2x32(&k1, &k2, &x0, &x1);
    let mut out = lax::concatenate([&y0, &y1], 0);
    if size % 2 == 1 {
        out = lax::slice(&out, &[0], &[size], None);
    }
    lax::reshape(&out, count.shape())
}

/// The two words of the raw key seeded by `seed` (JAX's `threefry_seed`): the high and low
/// 32 bits of the 64-bit seed. Without x64 mode the seed is first truncated to 32 bits, as
/// `jnp.asarray` canonicalises a Python integer, so the high word is 0.
pub(crate) fn seed_words(seed: i64, x64: bool) -> [u32; 2] {
    if x64 {
        [((seed as u64) >> 32) as u32, seed as u32]
    } else {
        [0, seed as u32]
    }
}

/// `threefry_seed` of a traced integer scalar: the seed shifted right by 32 bits (0 for
/// 32-bit and narrower seeds) and the seed itself, both truncated to `uint32`.
pub(crate) fn seed_key(seed: &Array) -> Array {
    let shift = constant(Scalar::UInt(32), seed.dtype());
    let high = lax::convert_element_type(lax::shift_right_logical(seed, &shift), DType::U32);
    let low = lax::convert_element_type(seed, DType::U32);
    lax::concatenate([&lax::reshape(&high, &[1]), &lax::reshape(&low, &[1])], 0)
}

/// `jnp.stack([a, b], axis=-1)` for two arrays of one shape.
fn stack_last(a: &Array, b: &Array) -> Array {
    let rank = a.ndim();
    lax::concatenate(
        [&lax::expand_dims(a, &[rank]), &lax::expand_dims(b, &[rank])],
        rank,
    )
}

/// JAX's `_threefry_split`: keys of shape `(*shape, 2)` in the layout
/// `config::threefry_partitionable()` selects.
pub(crate) fn threefry_split(key: &Array, shape: &[usize]) -> Array {
    if config::threefry_partitionable() {
        split_foldlike(key, shape)
    } else {
        threefry_original::split(key, shape)
    }
}

/// JAX's `_threefry_split_foldlike`: keys of shape `(*shape, 2)`, key `i` (row-major) being the
/// two words of the hash of the 64-bit counter `i`.
fn split_foldlike(key: &Array, shape: &[usize]) -> Array {
    let (k1, k2) = key_words(key);
    let (high, low) = iota_2x32_shape(shape);
    let (bits1, bits2) = threefry2x32(&k1, &k2, &high, &low);
    stack_last(&bits1, &bits2)
}

/// JAX's `_threefry_fold_in`: the hash of the counter pair `(0, data)` for a `uint32` scalar
/// `data`.
pub(crate) fn fold_in(key: &Array, data: &Array) -> Array {
    threefry_2x32(key, seed_key(data))
}

/// JAX's `threefry_random_bits`: unsigned integers of `bit_width` bits (8, 16, 32 or 64) and
/// `shape`, in the layout `config::threefry_partitionable()` selects.
pub(crate) fn threefry_random_bits(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    if config::threefry_partitionable() {
        random_bits_partitionable(key, bit_width, shape)
    } else {
        threefry_original::random_bits(key, bit_width, shape)
    }
}

/// JAX's `_threefry_random_bits_partitionable`: unsigned integers of `bit_width` bits (8, 16,
/// 32 or 64) and `shape`.
fn random_bits_partitionable(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    let (k1, k2) = key_words(key);
    let (high, low) = iota_2x32_shape(shape);
    let (bits1, bits2) = threefry2x32(&k1, &k2, &high, &low);
    match bit_width {
        64 => {
            let high = lax::convert_element_type(&bits1, DType::U64);
            let low = lax::convert_element_type(&bits2, DType::U64);
            let shift = full(&Array::scalar(32u64), shape);
            lax::bitwise_or(lax::shift_left(&high, &shift), &low)
        }
        32 => lax::bitwise_xor(&bits1, &bits2),
        _ => lax::convert_element_type(lax::bitwise_xor(&bits1, &bits2), uint_dtype(bit_width)),
    }
}

/// The unsigned integer dtype of `bits` bits.
pub(crate) fn uint_dtype(bits: u32) -> DType {
    match bits {
        8 => DType::U8,
        16 => DType::U16,
        32 => DType::U32,
        64 => DType::U64,
        _ => unreachable!("bit widths are checked by the public functions"),
    }
}

#[cfg(test)]
mod tests {
    use super::{counter_in_words, seed_words};

    /// The counter of outputs beyond 2^32 elements, with words of 5 values so that it can be
    /// checked: `high * 5 + low` is each element's flat index, with and without a partial word.
    #[test]
    fn counters_split_into_words() {
        for shape in [[3, 1, 4], [2, 5, 1], [1, 1, 3]] {
            let (high, low) = counter_in_words(&shape, 5);
            assert_eq!(high.shape(), &shape[..]);
            assert_eq!(low.shape(), &shape[..]);
            let (high, low) = (high.to_vec::<u32>().unwrap(), low.to_vec::<u32>().unwrap());
            let index: Vec<u32> = high.iter().zip(&low).map(|(h, l)| h * 5 + l).collect();
            assert_eq!(
                index,
                (0..index.len() as u32).collect::<Vec<_>>(),
                "{shape:?}"
            );
            assert!(low.iter().all(|&l| l < 5));
        }
    }

    #[test]
    fn seeds_split_into_words_as_jax_does() {
        assert_eq!(seed_words(42, false), [0, 42]);
        assert_eq!(seed_words(42, true), [0, 42]);
        // Without x64 a Python int is truncated to int32: PRNGKey(-1) is [0, 0xFFFFFFFF] and
        // PRNGKey(2**40) is [0, 0]; with x64 the high word is kept.
        assert_eq!(seed_words(-1, false), [0, u32::MAX]);
        assert_eq!(seed_words(-1, true), [u32::MAX, u32::MAX]);
        assert_eq!(seed_words(1 << 40, false), [0, 0]);
        assert_eq!(seed_words((1 << 40) + 5, true), [256, 5]);
    }
}
