//! `rjax::nn::dropout` against Flax's `nn.Dropout` formula computed in JAX 0.10.2
//! (`tests/golden/nn_dropout.py`): values, gradients and jitted values, float32 and float64,
//! typed and raw keys, both `jax_threefry_partitionable` layouts, bit for bit; `vmap` over
//! keys and inputs; the statistics of the mask; and the panics on misuse.
//!
//! The layout flag is process-wide, so the tests take a lock.

mod common;
mod nn_support;

use std::sync::{Mutex, MutexGuard};

use common::golden::Golden;
use nn_support::{assert_messages_contain, panic_message, panic_site};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, InAxes, config, grad, jit, nn, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/nn_dropout.txt"));

static FLAG: Mutex<()> = Mutex::new(());

/// x64 on and the given layout, for as long as the guard lives.
fn layout(partitionable: bool) -> MutexGuard<'static, ()> {
    let guard = FLAG.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(true);
    config::set_threefry_partitionable(partitionable);
    guard
}

/// The script's `X` and `W` (exact in both dtypes) in `dtype`.
fn inputs(dtype: DType) -> (Array, Array) {
    let x: Vec<f64> = (1..=20).map(|i| f64::from(i) * 0.25 - 2.0).collect();
    let w: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.5 + 1.0).collect();
    let array = |v: &[f64]| Array::from_slice(v, &[4, 5]).unwrap().astype(dtype);
    (array(&x), array(&w))
}

/// Asserts that `x` equals the golden case `name` bit for bit.
fn check_bits(name: &str, x: &Array) {
    let (got, want) = GOLDEN.expect_like(name, x).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&want), "{name}: {got:?} != {want:?}");
}

/// Every golden case of one layout.
fn check_layout(partitionable: bool) {
    let _flag = layout(partitionable);
    let prefix = if partitionable { "part" } else { "orig" };
    for (dtype_name, dtype) in [("float32", DType::F32), ("float64", DType::F64)] {
        let (x, w) = inputs(dtype);
        for rate in [0.0, 0.1, 0.5, 0.9, 1.0] {
            for (key_kind, key) in [("typed", random::key(7)), ("raw", PRNGKey(7))] {
                let name = format!("{prefix}/{dtype_name}/rate{rate:?}/{key_kind}");
                check_bits(
                    &format!("{name}/value"),
                    &nn::dropout(&key, rate, &x, false),
                );
                let g = grad(|x: Array| (nn::dropout(&key, rate, &x, false) * &w).sum())(x.clone())
                    .unwrap();
                check_bits(&format!("{name}/grad"), &g);
                let jitted: Array = jit(|(k, x): (Array, Array)| nn::dropout(&k, rate, &x, false))
                    .call((key.clone(), x.clone()))
                    .unwrap();
                check_bits(&format!("{name}/jit"), &jitted);
            }
        }
    }
}

#[test]
fn dropout_equals_flax_with_the_partitionable_layout() {
    check_layout(true);
}

#[test]
fn dropout_equals_flax_with_the_original_layout() {
    check_layout(false);
}

#[test]
fn deterministic_dropout_passes_x_through() {
    let _flag = layout(true);
    let (x, _) = inputs(DType::F32);
    for rate in [0.0, 0.3, 1.0] {
        let y = nn::dropout(random::key(0), rate, &x, true);
        assert_eq!(y.to_vec::<f32>().unwrap(), x.to_vec::<f32>().unwrap());
    }
}

#[test]
fn dropout_under_vmap_equals_each_key() {
    let _flag = layout(true);
    let keys = random::split(random::key(11), 3);
    let xs = Array::from_slice(&[1.0f32; 3 * 8], &[3, 8]).unwrap();
    let batched: Array = vmap(
        |(k, x): (Array, Array)| nn::dropout(&k, 0.25, &x, false),
        InAxes::leading(),
    )((keys.clone(), xs))
    .unwrap();
    let batched = batched.to_vec::<f32>().unwrap();
    let x = Array::from_slice(&[1.0f32; 8], &[8]).unwrap();
    for i in 0..3 {
        let key = rjax::numpy::take(
            &keys,
            Array::from(i as i32),
            Some(0),
            rjax::numpy::TakeMode::Fill,
        );
        let one = nn::dropout(&key, 0.25, &x, false).to_vec::<f32>().unwrap();
        assert_eq!(&batched[8 * i..8 * i + 8], &one[..], "key {i}");
    }
}

#[test]
fn the_kept_fraction_is_one_minus_the_rate_and_the_mean_is_kept() {
    let _flag = layout(true);
    let n = 100_000;
    let x = Array::from_slice(&vec![1.0f64; n], &[n]).unwrap();
    let y = nn::dropout(random::key(5), 0.3, &x, false)
        .to_vec::<f64>()
        .unwrap();
    let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / n as f64;
    // The binomial standard deviation of the fraction is sqrt(0.21 / n) ≈ 0.0014.
    assert!((kept - 0.7).abs() < 0.01, "kept fraction {kept}");
    assert!(y.iter().all(|&v| v == 0.0 || v == 1.0 / 0.7));
    let mean = y.iter().sum::<f64>() / n as f64;
    assert!((mean - 1.0).abs() < 0.015, "mean {mean}");
}

#[test]
fn misuse_panics_naming_dropout() {
    let _flag = layout(true);
    let x = Array::from([1.0f32, 2.0]);
    let cases = [
        (
            panic_message(|| {
                nn::dropout(random::key(0), 1.5, Array::from([1.0f32, 2.0]), false);
            }),
            "rjax::nn::dropout: the rate must lie in [0, 1], got 1.5",
        ),
        (
            panic_message(|| {
                nn::dropout(random::key(0), 0.5, Array::from([1i32, 2]), false);
            }),
            "rjax::nn::dropout: x must be floating point, got i32[2]",
        ),
        (
            panic_message(move || {
                nn::dropout(random::split(random::key(0), 2), 0.5, &x, false);
            }),
            "rjax::nn::dropout: expected a single PRNG key",
        ),
    ];
    assert_messages_contain(&cases);
}

#[test]
fn misuse_panics_at_the_callers_line() {
    let _flag = layout(true);
    let line = line!() + 2;
    let (_, location) = panic_site(|| {
        nn::dropout(random::key(0), -0.5, Array::from([1.0f32]), false);
    });
    assert_eq!(location, Some((file!().to_string(), line)));
}
