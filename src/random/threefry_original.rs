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

/// The most words one hash of a counter yields: JAX counts in `uint32` and cuts longer outputs
/// into blocks of `2^32 - 1` words, each hashed by its own key.
const BLOCK_WORDS: usize = u32::MAX as usize;

/// `iota(uint32, count)` hashed by `key`: the words the original layout reads.
fn words(key: &Array, count: usize) -> Array {
    words_in_blocks(key, count, BLOCK_WORDS)
}

/// JAX's blocking of long outputs in `_threefry_random_bits_original`: below `block` words, the
/// counter `0..count` hashed by `key`; otherwise `key` is split (in this layout) into one key per
/// whole block plus one for the remainder, each block hashes `0..block` with its key and the
/// remainder `0..count % block` with the last key, concatenated in order.
fn words_in_blocks(key: &Array, count: usize, block: usize) -> Array {
    let (blocks, rest) = (count / block, count % block);
    let hashed =
        |key: &Array, n: usize| threefry_2x32(key, lax::broadcasted_iota(DType::U32, &[n], 0));
    if blocks == 0 {
        return hashed(key, rest);
    }
    let keys = split(key, &[blocks + 1]);
    let key_at = |i: usize| lax::reshape(lax::slice(&keys, &[i, 0], &[i + 1, 2], None), &[2]);
    let mut parts: Vec<Array> = (0..blocks).map(|i| hashed(&key_at(i), block)).collect();
    parts.push(hashed(&key_at(blocks), rest));
    lax::concatenate(parts.iter().collect::<Vec<_>>(), 0)
}

/// JAX's `_threefry_split_original`: keys of shape `(*shape, 2)` from the `2 * size` words of
/// one counter (JAX does not block it: more than 2^31 keys at once are refused).
#[track_caller]
pub(crate) fn split(key: &Array, shape: &[usize]) -> Array {
    let num: usize = shape.iter().product();
    assert!(
        (2 * num as u128) < u128::from(u32::MAX),
        "split: more than 2^31 - 1 keys at once are not supported in the original threefry \
         layout (got shape {shape:?}); split in steps, or use the partitionable layout"
    );
    let keys_shape = [shape, &[2]].concat();
    lax::reshape(
        threefry_2x32(key, lax::broadcasted_iota(DType::U32, &[2 * num], 0)),
        &keys_shape,
    )
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
            let shift = lax::broadcast_in_dim(Array::scalar(32u64), &[size], &[]);
            lax::bitwise_or(lax::shift_left(half(0), &shift), half(size))
        }
        32 => bits,
        _ => {
            // Each word's `32 / bit_width` pieces, least significant first: `bits.view(dtype)`.
            let per_word = (32 / bit_width) as usize;
            let spread = lax::broadcast_in_dim(&bits, &[count, per_word], &[0]);
            let width = lax::broadcast_in_dim(Array::scalar(bit_width), &[count, per_word], &[]);
            let shifts = lax::mul(
                lax::broadcasted_iota(DType::U32, &[count, per_word], 1),
                &width,
            );
            let pieces = lax::shift_right_logical(&spread, &shifts);
            let pieces = lax::reshape(&pieces, &[count * per_word]);
            let pieces = lax::slice(&pieces, &[0], &[size], None);
            lax::convert_element_type(&pieces, uint_dtype(bit_width))
        }
    };
    lax::reshape(&flat, shape)
}

#[cfg(test)]
mod tests {
    use super::words_in_blocks;
    use crate::random::PRNGKey;

    /// The blocks against JAX's own lines run with a block of 5 words
    /// (`tests/golden/threefry_blocks.py`): whole blocks, a remainder, and no remainder.
    #[test]
    fn long_outputs_are_cut_into_blocks_as_jax_does() {
        let golden = include_str!("../../tests/golden/threefry_blocks.txt");
        let mut checked = 0;
        for line in golden.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split_whitespace();
            let seed: i64 = fields.next().unwrap().parse().unwrap();
            let count: usize = fields.next().unwrap().parse().unwrap();
            let want: Vec<u32> = fields.map(|w| w.parse().unwrap()).collect();
            let got = words_in_blocks(&PRNGKey(seed), count, 5)
                .to_vec::<u32>()
                .unwrap();
            assert_eq!(got, want, "seed {seed}, {count} words");
            checked += 1;
        }
        assert_eq!(checked, 8);
    }
}
