//! `rjax::random` against JAX 0.10.2's `jax.random`, bit for bit (`tests/golden/random.py`):
//! keys, `split`, `fold_in`, random bits and every sampler, eagerly and under `jit`; `vmap` over
//! keys, seeds and fold-in data against the per-element results; misuse errors.
//!
//! x64 mode is process-wide, so every test turns it on first (the golden file is computed with
//! x64 on; its script checks that the 32-bit paths are the same with x64 off) and asks for
//! 32-bit dtypes explicitly.

mod common;

mod random_support;

use common::panic_message;
use random_support::{base_cases, check_against_golden, check_vmap_over_keys, row};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, InAxes, jit, vmap};

const GOLDEN: &str = include_str!("golden/random.txt");

fn x64() {
    rjax::config::enable_x64(true);
}

#[test]
fn eager_results_equal_jax_bit_for_bit() {
    x64();
    check_against_golden(GOLDEN, base_cases::cases(), false);
}

#[test]
fn jitted_results_equal_jax_bit_for_bit() {
    x64();
    check_against_golden(GOLDEN, base_cases::cases(), true);
}

#[test]
fn vmap_over_split_keys_equals_each_key() {
    x64();
    use DType::*;
    check_vmap_over_keys("split", |k| random::split(k, 3));
    check_vmap_over_keys("fold_in", |k| random::fold_in(k, 5));
    check_vmap_over_keys("bits", |k| random::bits(k, &[2, 3], U32));
    check_vmap_over_keys("bits u64", |k| random::bits(k, &[5], U64));
    check_vmap_over_keys("uniform f32", |k| {
        random::uniform_with(k, &[7], F32, -1.0, 3.0)
    });
    check_vmap_over_keys("uniform f32 [0.1, 0.7)", |k| {
        random::uniform_with(k, &[7], F32, 0.1, 0.7)
    });
    check_vmap_over_keys("uniform f64", |k| random::uniform(k, &[2, 3], F64));
    check_vmap_over_keys("normal f32", |k| random::normal(k, &[9], F32));
    check_vmap_over_keys("normal f64", |k| random::normal(k, &[3, 3], F64));
    check_vmap_over_keys("truncated_normal", |k| {
        random::truncated_normal(k, -0.5, 0.5, Some(&[6]), F32)
    });
    check_vmap_over_keys("randint", |k| random::randint(k, &[8], -3, 40, I32));
    check_vmap_over_keys("randint u8", |k| random::randint(k, &[8], 0, 256, U8));
    check_vmap_over_keys("bernoulli", |k| {
        random::bernoulli(k, Array::scalar(0.25f32), Some(&[10]))
    });
    check_vmap_over_keys("permutation", |k| random::permutation(k, 12));
    check_vmap_over_keys("permutation_of", |k| {
        random::permutation_of(
            k,
            Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]),
            1,
            false,
        )
    });
    check_vmap_over_keys("jit inside vmap", |k| {
        jit(|k: Array| random::normal(&k, &[4], F32))
            .call(k.clone())
            .expect("jit")
    });
}

#[test]
fn vmap_over_seeds_and_fold_in_data() {
    x64();
    let seeds = Array::from([0i64, 1, 42, -1, (1 << 40) + 5]);
    let keys: Array = vmap(|s: Array| random::key_from_seed(&s), InAxes::leading())(seeds)
        .expect("vmap of key_from_seed");
    for (i, seed) in [0i64, 1, 42, -1, (1 << 40) + 5].into_iter().enumerate() {
        assert_eq!(
            row(&keys, i).to_vec::<u32>().unwrap(),
            PRNGKey(seed).to_vec::<u32>().unwrap()
        );
    }
    let key = PRNGKey(3);
    let data = Array::from([0u32, 1, 7, u32::MAX]);
    let folded: Array = vmap(|d: Array| random::fold_in(&key, &d), InAxes::leading())(data)
        .expect("vmap of fold_in");
    for (i, d) in [0u32, 1, 7, u32::MAX].into_iter().enumerate() {
        assert_eq!(
            row(&folded, i).to_vec::<u32>().unwrap(),
            random::fold_in(&key, d).to_vec::<u32>().unwrap()
        );
    }
}

#[test]
fn samplers_are_single_jitted_calls_named_as_in_jax() {
    x64();
    let jaxpr = rjax::make_jaxpr(|k: Array| random::normal(&k, &[3], DType::F32))(&PRNGKey(0))
        .expect("make_jaxpr")
        .to_string();
    assert!(jaxpr.contains("jit[\n      name=_normal"), "{jaxpr}");
    assert!(jaxpr.contains("erf_inv"), "{jaxpr}");
    assert!(jaxpr.contains("f32[3]"), "{jaxpr}");
}

#[test]
fn misuse_panics_with_the_function_name() {
    x64();
    let keys = random::split(PRNGKey(0), 2);
    let message = panic_message(|| {
        random::uniform(&keys, &[3], DType::F32);
    });
    assert!(
        message.contains("rjax::random::uniform") && message.contains("u32[2,2]"),
        "{message}"
    );
    assert!(message.contains("vmap"), "{message}");
    let message = panic_message(|| {
        random::normal(PRNGKey(0), &[3], DType::I32);
    });
    assert!(message.contains("float dtype"), "{message}");
    let message = panic_message(|| {
        random::randint(PRNGKey(0), &[3], 0, 10, DType::F32);
    });
    assert!(message.contains("integer dtype"), "{message}");
    let message = panic_message(|| {
        random::uniform_with(
            PRNGKey(0),
            &[3],
            DType::F32,
            Array::from([0.0f32, 1.0]),
            1.0,
        );
    });
    assert!(message.contains("must broadcast to the shape"), "{message}");
    let message = panic_message(|| {
        random::random_bits(PRNGKey(0), 12, &[3]);
    });
    assert!(message.contains("12"), "{message}");
    let message = panic_message(|| {
        random::fold_in(PRNGKey(0), 1.5);
    });
    assert!(message.contains("integer scalar"), "{message}");
}

#[test]
fn samples_have_the_expected_statistics() {
    x64();
    let x = random::normal(PRNGKey(1), &[100_000], DType::F64)
        .to_vec::<f64>()
        .unwrap();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
    assert!(
        mean.abs() < 0.02 && (var - 1.0).abs() < 0.02,
        "mean {mean}, variance {var}"
    );
    let u = random::uniform_with(PRNGKey(2), &[10_000], DType::F32, 2.0, 3.0);
    let u = u.to_vec::<f32>().unwrap();
    assert!(u.iter().all(|&v| (2.0..3.0).contains(&v)));
    let t = random::truncated_normal(PRNGKey(3), -0.1, 0.2, Some(&[10_000]), DType::F32);
    assert!(
        t.to_vec::<f32>()
            .unwrap()
            .iter()
            .all(|&v| v > -0.1 && v < 0.2)
    );
    let mut p = random::permutation(PRNGKey(4), 500)
        .to_vec::<i64>()
        .unwrap();
    p.sort_unstable();
    assert_eq!(p, (0..500).collect::<Vec<i64>>());
}
