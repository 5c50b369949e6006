//! `rjax::random` with `jax_threefry_partitionable` off (`config::set_threefry_partitionable`):
//! every golden case of `tests/random.rs` and `tests/random_distributions.rs`, against JAX
//! 0.10.2 run with the flag off (`tests/golden/random_legacy.py`), eagerly and under `jit`;
//! `vmap` over keys; and `jit`'s cache keyed by the flag.
//!
//! The flag is process-wide, so this file is its own test binary, and its tests take a lock
//! (one of them switches the flag back and forth).

mod common;
mod random_support;

use std::sync::{Mutex, MutexGuard};

use random_support::{
    base_cases, check_against_golden, check_vmap_over_keys, check_vmap_over_keys_within,
    distribution_cases,
};
use rjax::random::{self, ChoiceSpec, GumbelMode, PRNGKey};
use rjax::{Array, DType, config, jit};

const GOLDEN: &str = include_str!("golden/random_legacy.txt");

static FLAG: Mutex<()> = Mutex::new(());

/// x64 on and the original layout, for as long as the guard lives.
fn legacy() -> MutexGuard<'static, ()> {
    let guard = FLAG.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(true);
    config::set_threefry_partitionable(false);
    guard
}

fn all_cases() -> Vec<(&'static str, Array, random_support::Sample)> {
    let mut cases = base_cases::cases();
    cases.extend(distribution_cases::cases());
    cases
}

#[test]
fn eager_results_equal_jax_with_the_original_layout() {
    let _flag = legacy();
    check_against_golden(GOLDEN, all_cases(), false);
}

#[test]
fn jitted_results_equal_jax_with_the_original_layout() {
    let _flag = legacy();
    check_against_golden(GOLDEN, all_cases(), true);
}

#[test]
fn vmap_over_keys_equals_each_key_with_the_original_layout() {
    let _flag = legacy();
    use DType::*;
    check_vmap_over_keys("split", |k| random::split(k, 3));
    check_vmap_over_keys("bits u8", |k| random::bits(k, &[5], U8));
    check_vmap_over_keys("bits u16", |k| random::bits(k, &[3], U16));
    check_vmap_over_keys("bits u64", |k| random::bits(k, &[3], U64));
    check_vmap_over_keys("uniform", |k| random::uniform(k, &[2, 3], F32));
    check_vmap_over_keys("normal", |k| random::normal(k, &[5], F64));
    check_vmap_over_keys("randint", |k| random::randint(k, &[6], -3, 40, I32));
    check_vmap_over_keys("permutation", |k| random::permutation(k, 9));
    check_vmap_over_keys("gumbel", |k| {
        random::gumbel_with(k, &[4], F32, GumbelMode::High)
    });
    check_vmap_over_keys("choice", |k| {
        random::choice(k, 7, ChoiceSpec::new(&[3]).replace(false))
    });
    check_vmap_over_keys("poisson", |k| {
        random::poisson(k, Array::from([0.5f32, 4.0, 30.0]), None, I32)
    });
    // Within 1e-6: XLA fuses the rejection loops differently inside `jit(vmap(...))`.
    check_vmap_over_keys_within("gamma", |k| random::gamma(k, 0.6, Some(&[4]), F64), 1e-6);
    check_vmap_over_keys_within("beta", |k| random::beta(k, 2.0, 0.5, Some(&[3]), F32), 1e-6);
}

/// The flag is part of `jit`'s cache key: a function jitted under one layout is traced again
/// under the other, and each gives its layout's bits (those of the golden files).
#[test]
fn jit_retraces_when_the_layout_changes() {
    let _flag = legacy();
    let f = jit(|k: Array| random::bits(&k, &[3], DType::U32));
    let bits = |partitionable: bool| {
        config::set_threefry_partitionable(partitionable);
        let out: Array = f.call(PRNGKey(0)).expect("jitted bits");
        out.to_vec::<u32>().unwrap()
    };
    let partitionable = [0xf29a4fa7, 0xfa843692, 0x55110e28]; // tests/golden/random.txt
    let original = bits(false);
    assert_eq!(bits(true), partitionable);
    assert_eq!(bits(false), original);
    assert_ne!(original, partitionable);
    assert_eq!(bits(true), partitionable);
    config::set_threefry_partitionable(false);
    let golden = random_support::golden(GOLDEN);
    let want = golden["bits(PRNGKey(0),(3,),uint32)"];
    let words: Vec<String> = original.iter().map(|w| format!("{w:08x}")).collect();
    assert_eq!(want, format!("uint32[3]:{}", words.join(",")));
}
