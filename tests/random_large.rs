//! Random draws of more than 2^32 elements: JAX supports them in both threefry layouts (64-bit
//! counters in the partitionable layout, blocks of 2^32 - 1 words hashed by split keys in the
//! original one), and so does rjax. Such arrays need 16 GiB and more, so these tests lower the
//! programs (tracing every op) without running them; the counter and block arithmetic is
//! checked at small sizes by the unit tests in `src/random/threefry*.rs`, the blocks against
//! JAX's own lines (`tests/golden/threefry_blocks.py`).

use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, config, jit};

/// 2^32 + 3 elements, as a 2-D shape.
const SHAPE: [usize; 2] = [3, (1 << 32) / 3 + 2];

/// A sampler of `SHAPE` from a key.
type Sampler = fn(&Array) -> Array;

/// The StableHLO of `sample` applied to a key, jitted.
fn lowered(sample: Sampler) -> String {
    let lowered = jit(move |key: Array| Ok::<_, rjax::Error>(sample(&key)))
        .lower(&PRNGKey(0))
        .expect("lowering succeeds");
    lowered.as_text().to_string()
}

#[test]
fn draws_beyond_two_to_the_32_lower_in_both_layouts() {
    let dims = format!("{}x{}", SHAPE[0], SHAPE[1]);
    for partitionable in [true, false] {
        config::set_threefry_partitionable(partitionable);
        let samplers: [(&str, Sampler); 3] = [
            ("normal", |k| random::normal(k, &SHAPE, DType::F32)),
            ("uniform", |k| random::uniform(k, &SHAPE, DType::F32)),
            ("bits", |k| random::random_bits(k, 8, &SHAPE)),
        ];
        for (name, sample) in samplers {
            let text = lowered(sample);
            assert!(
                text.contains(&dims),
                "{name} (partitionable: {partitionable}) has no {dims} result:\n{}",
                &text[..text.len().min(2000)]
            );
        }
    }
    config::set_threefry_partitionable(true);
}
