//! JAX's original (non-partitionable) threefry layout, used when
//! `config::threefry_partitionable()` is off (JAX's `jax_threefry_partitionable=False`):
//! `_threefry_split_original` and `_threefry_random_bits_original`.
//!
//! Both hash the flat counter `0, 1, ..., count - 1` with [`threefry_2x32`], which cuts it in two
//! halves that form the cipher's word pairs. `split` reads `2 * num` words, two per key, in
//! order; `random_bits` reads `ceil(bit_width * size / 32)` words: 32-bit values are the words,
//! 64-bit values join word `i` (high) with word `size + i` (low), and 8- and 16-bit values are
//! the words' bytes or halves, least significant first.

use super::threefry::{threefry_2x32, uint_dtype};
use crate::lax;
use crate::{Array, DType};

/// `iota(uint32, count)` hashed by `key`: the words the original layout reads.
#[track_caller]
fn words(key: &Array, count: usize) -> Array {
    assert!(
        (count as u128) < u128::from(u32::MAX),
        "random bits: more than 2^32 - 1 words of random bits are not supported (got {count})"
    );
    threefry_2x32(key, &lax::iota(DType::U32, &[count], 0))
}

/// JAX's `_threefry_split_original`: keys of shape `(*shape, 2)` from `2 * size` words.
pub(crate) fn split(key: &Array, shape: &[usize]) -> Array {
    let num: usize = shape.iter().product();
    let keys_shape = [shape, &[2]].concat();
    lax::reshape(&words(key, 2 * num), &keys_shape)
}

/// JAX's `_threefry_random_bits_original`: unsigned integers of `bit_width` bits (8, 16, 32 or
/// 64) and `shape`.
pub(crate) fn random_bits(key: &Array, bit_width: u32, shape: &[usize]) -> Array {
    let size: usize = shape.iter().product();
    let count = (bit_width as usize * size).div_ceil(32);
    let bits = words(key, count);
    let flat = match bit_width {
        64 => {
            let half = |start: usize| {
                let words = lax::slice(&bits, &[start], &[start + size], None);
                lax::convert_element_type(&words, DType::U64)
            };
            let shift = lax::broadcast_in_dim(&Array::scalar(32u64), &[size], &[]);
            lax::bitwise_or(&lax::shift_left(&half(0), &shift), &half(size))
        }
        32 => bits,
        _ => {
            // Each word's `32 / bit_width` pieces, least significant first: `bits.view(dtype)`.
            let per_word = (32 / bit_width) as usize;
            let spread = lax::broadcast_in_dim(&bits, &[count, per_word], &[0]);
            let width = lax::broadcast_in_dim(&Array::scalar(bit_width), &[count, per_word], &[]);
            let shifts = lax::mul(&lax::iota(DType::U32, &[count, per_word], 1), &width);
            let pieces = lax::shift_right_logical(&spread, &shifts);
            let pieces = lax::reshape(&pieces, &[count * per_word]);
            let pieces = lax::slice(&pieces, &[0], &[size], None);
            lax::convert_element_type(&pieces, uint_dtype(bit_width))
        }
    };
    lax::reshape(&flat, shape)
}
