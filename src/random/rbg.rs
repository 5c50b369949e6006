//! JAX's `rbg` and `unsafe_rbg` implementations (`jax._src.random.rbg`): keys of four `uint32`
//! words whose random bits come from XLA's `RngBitGenerator` ([`rng_bit_generator`] with the
//! platform's default algorithm).
//!
//! `rbg` seeds, splits and folds in with threefry on each half of the key (so its keys are
//! exact everywhere); `unsafe_rbg` seeds the same way but splits by taking every tenth row of
//! `RngBitGenerator`'s output, and folds in by xoring the key with the last of ten rows drawn
//! from the seeded data. XLA does not promise that `RngBitGenerator`'s bits are the same on
//! every backend or XLA version.

use super::key_primitives::rng_bit_generator;
use super::threefry::{self, uint_dtype};
use crate::lax;
use crate::{Array, DType};

/// The first and second halves (two words each) of a raw `uint32[4]` key.
fn halves(key: &Array) -> [Array; 2] {
    [
        lax::slice(key, &[0], &[2], None),
        lax::slice(key, &[2], &[4], None),
    ]
}

/// JAX's `_rbg_seed`: the threefry key `half` twice.
pub(crate) fn seed_from_half(half: &Array) -> Array {
    lax::concatenate([half, half], 0)
}

/// JAX's `_rbg_split`: each half split by threefry (in the configured layout), the halves of
/// key `i` being key `i` of each split.
pub(crate) fn split(key: &Array, shape: &[usize]) -> Array {
    let [first, second] = halves(key).map(|half| threefry::threefry_split(&half, shape));
    lax::concatenate([&first, &second], shape.len())
}

/// JAX's `_rbg_fold_in`: each half folded by threefry.
pub(crate) fn fold_in(key: &Array, data: &Array) -> Array {
    let [first, second] = halves(key).map(|half| threefry::fold_in(&half, data));
    lax::concatenate([&first, &second], 0)
}

/// JAX's `_unsafe_rbg_split`: rows `0, 10, 20, ...` of `10 * size` rows of four words drawn
/// from `key`.
pub(crate) fn unsafe_split(key: &Array, shape: &[usize]) -> Array {
    let num: usize = shape.iter().product();
    let (_, rows) = rng_bit_generator(key, &[10 * num, 4], DType::U32);
    let every_tenth = lax::slice(&rows, &[0, 0], &[10 * num, 4], Some(&[10, 1]));
    lax::reshape(&every_tenth, &[shape, &[4]].concat())
}

/// JAX's `_unsafe_rbg_fold_in`: `key` xor the last of ten rows drawn from the rbg seed of
/// `data`.
pub(crate) fn unsafe_fold_in(key: &Array, data: &Array) -> Array {
    let seeded = seed_from_half(&threefry::seed_key(data));
    let (_, rows) = rng_bit_generator(&seeded, &[10, 4], DType::U32);
    let last = lax::reshape(lax::slice(&rows, &[9, 0], &[10, 4], None), &[4]);
    lax::bitwise_xor(key, &last)
}

/// JAX's `_rbg_random_bits`: `RngBitGenerator`'s bits of `bit_width` bits and `shape`.
pub(crate) fn random_bits(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    rng_bit_generator(key, shape, uint_dtype(bit_width)).1
}
