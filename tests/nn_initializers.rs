//! `rjax::nn::initializers` against JAX 0.10.2's `jax.nn.initializers`
//! (`tests/golden/nn_initializers.py`): every initializer, float32 and float64, dense and
//! convolution-like shapes, typed and raw keys, both `jax_threefry_partitionable` layouts, bit
//! for bit (orthogonal ones to rounding: rjax's QR is not LAPACK's); under `jit` and `vmap`;
//! and the panics on misuse.
//!
//! The layout flag is process-wide, so the tests take a lock.

mod common;
mod nn_support;

use std::sync::{Mutex, MutexGuard};

use common::golden::Golden;
use nn_support::{assert_messages_contain, for_each_initializer_case, panic_message, panic_site};
use rjax::nn::initializers::{self as init, Distribution, FanMode, Initializer};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, InAxes, config, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/nn_initializers.txt"));

static FLAG: Mutex<()> = Mutex::new(());

/// x64 on and the given layout, for as long as the guard lives.
fn layout(partitionable: bool) -> MutexGuard<'static, ()> {
    let guard = FLAG.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(true);
    config::set_threefry_partitionable(partitionable);
    guard
}

/// The table `INITS` of the golden script: name, initializer, shapes.
fn inits() -> Vec<(&'static str, Initializer, Vec<Vec<usize>>)> {
    let dense_conv = vec![vec![5, 7], vec![3, 6, 5], vec![3, 3, 4, 8]];
    vec![
        ("zeros", init::zeros(), vec![vec![2, 3]]),
        ("ones", init::ones(), vec![vec![2, 3]]),
        ("constant", init::constant(-0.3), vec![vec![2, 3]]),
        ("normal", init::normal(0.02), vec![vec![4, 5], vec![7]]),
        ("uniform", init::uniform(0.5), vec![vec![4, 5], vec![7]]),
        (
            "truncated_normal",
            init::truncated_normal(0.01, -2.0, 2.0),
            vec![vec![4, 5]],
        ),
        (
            "truncated_normal_bounds",
            init::truncated_normal(1.5, -1.0, 3.0),
            vec![vec![4, 5]],
        ),
        ("glorot_normal", init::glorot_normal(), dense_conv.clone()),
        ("glorot_uniform", init::glorot_uniform(), dense_conv),
        (
            "he_normal",
            init::he_normal(),
            vec![vec![5, 7], vec![3, 3, 4, 8]],
        ),
        (
            "he_uniform",
            init::he_uniform(),
            vec![vec![5, 7], vec![3, 3, 4, 8]],
        ),
        (
            "lecun_normal",
            init::lecun_normal(),
            vec![vec![5, 7], vec![3, 6, 5]],
        ),
        (
            "lecun_uniform",
            init::lecun_uniform(),
            vec![vec![5, 7], vec![3, 6, 5]],
        ),
        ("xavier_uniform", init::xavier_uniform(), vec![vec![6, 4]]),
        ("kaiming_normal", init::kaiming_normal(), vec![vec![6, 4]]),
        (
            "vs_fan_out_normal",
            init::variance_scaling(2.0, FanMode::FanOut, Distribution::Normal),
            vec![vec![5, 7], vec![3, 3, 4, 8]],
        ),
        (
            "vs_geo_uniform",
            init::variance_scaling(0.5, FanMode::FanGeoAvg, Distribution::Uniform),
            vec![vec![5, 7], vec![3, 6, 5]],
        ),
        (
            "vs_axes",
            init::variance_scaling(1.3, FanMode::FanAvg, Distribution::TruncatedNormal)
                .in_axis(&[0, 1])
                .out_axis(&[-1]),
            vec![vec![3, 4, 5], vec![2, 3, 4, 5]],
        ),
        (
            "vs_batch",
            init::variance_scaling(1.0, FanMode::FanIn, Distribution::Uniform)
                .in_axis(&[-2])
                .out_axis(&[-1])
                .batch_axis(&[0]),
            vec![vec![4, 3, 5, 6]],
        ),
        (
            "orthogonal",
            init::orthogonal(1.0, -1),
            vec![vec![5, 3], vec![3, 5], vec![4, 4]],
        ),
        (
            "orthogonal_axis",
            init::orthogonal(2.0, 0),
            vec![vec![4, 6], vec![3, 2, 5]],
        ),
        (
            "delta_orthogonal",
            init::delta_orthogonal(1.0, -1),
            vec![vec![3, 4, 4], vec![3, 3, 2, 5]],
        ),
    ]
}

/// Whether `name` is drawn through a QR factorization (matched to rounding, not bits).
fn factorized(name: &str) -> bool {
    name.contains("orthogonal")
}

/// Whether `x` equals the golden case `name` (else why not): bit for bit, or within 1e-5
/// (float32) or 1e-12 (float64) for factorized initializers. (The float32 normals go through
/// XLA's `erf_inv`, whose code differs by an ulp on a few inputs between XLA builds, see
/// tests/golden/random.py; on the embedded CPU plugin every case here is exact.)
fn mismatch(name: &str, init_name: &str, x: &Array) -> Option<String> {
    let (got, want) = GOLDEN.expect_like(name, x).unwrap();
    let float32 = x.dtype() == DType::F32;
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        let close = if factorized(init_name) {
            (g - w).abs() <= if float32 { 1e-5 } else { 1e-12 }
        } else {
            g.to_bits() == w.to_bits()
        };
        if !close {
            return Some(format!("{name}[{i}]: {g:e} != {w:e}"));
        }
    }
    None
}

/// Asserts that `x` equals the golden case `name` (see [`mismatch`]).
fn check(name: &str, init_name: &str, x: &Array) {
    if let Some(failure) = mismatch(name, init_name, x) {
        panic!("{failure}");
    }
}

/// Every golden case of one layout, eagerly or under `jit` (the key an argument).
fn check_layout(partitionable: bool, jitted: bool) {
    let _flag = layout(partitionable);
    let prefix = match (partitionable, jitted) {
        (true, false) => "part",
        (false, false) => "orig",
        (true, true) => "part_jit",
        (false, true) => unreachable!("the jitted golden cases use the partitionable layout"),
    };
    let mut failures = Vec::new();
    let dtypes = [("float32", DType::F32), ("float64", DType::F64)];
    let count = for_each_initializer_case(prefix, inits(), &dtypes, jitted, |case, name, x| {
        failures.extend(mismatch(case, name, x));
    });
    assert_eq!(count, 156, "every golden case of the layout is checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn initializers_equal_jax_with_the_partitionable_layout() {
    check_layout(true, false);
}

#[test]
fn initializers_equal_jax_with_the_original_layout() {
    check_layout(false, false);
}

#[test]
fn jitted_initializers_equal_jax() {
    check_layout(true, true);
}

#[test]
fn initializers_under_vmap_over_keys_equal_each_key() {
    let _flag = layout(true);
    let keys = random::split(random::key(3), 4);
    for initializer in [init::glorot_uniform(), init::he_normal(), init::normal(0.1)] {
        let batched: Array = vmap(
            |k: Array| initializer.init(&k, &[3, 2], DType::F32),
            InAxes::leading(),
        )(keys.clone())
        .unwrap();
        assert_eq!(batched.shape(), [4, 3, 2]);
        let got = batched.to_vec::<f32>().unwrap();
        for i in 0..4 {
            let key = rjax::numpy::take(
                &keys,
                Array::from(i as i32),
                Some(0),
                rjax::numpy::TakeMode::Fill,
            );
            let one = initializer
                .init(&key, &[3, 2], DType::F32)
                .to_vec::<f32>()
                .unwrap();
            assert_eq!(&got[6 * i..6 * i + 6], &one[..], "{initializer:?}, key {i}");
        }
    }
}

#[test]
fn orthogonal_rows_or_columns_are_orthonormal() {
    let _flag = layout(true);
    for (shape, scale) in [([5usize, 3], 1.0), ([3, 5], 2.0)] {
        let q = init::orthogonal(scale, -1).init(&random::key(1), &shape, DType::F64);
        let q = q.to_vec::<f64>().unwrap();
        let (rows, cols) = (shape[0], shape[1]);
        // The smaller side's vectors are orthogonal with norm `scale`: `at(v, i)` is entry `i`
        // of vector `v`.
        let columns = rows >= cols;
        let (count, len) = if columns { (cols, rows) } else { (rows, cols) };
        let at = |v: usize, i: usize| {
            if columns {
                q[i * cols + v]
            } else {
                q[v * cols + i]
            }
        };
        for a in 0..count {
            for b in 0..count {
                let dot: f64 = (0..len).map(|i| at(a, i) * at(b, i)).sum();
                let want = if a == b { scale * scale } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "{shape:?}: <{a}, {b}> = {dot}");
            }
        }
    }
}

#[test]
fn without_x64_float64_becomes_float32_as_in_jax() {
    let _flag = layout(true);
    config::enable_x64(false);
    let x = init::glorot_normal().init(&random::key(42), &[5, 7], DType::F64);
    config::enable_x64(true);
    assert_eq!(x.dtype(), DType::F32);
    check("part/glorot_normal/float32/5x7/typed", "glorot_normal", &x);
}

#[test]
fn misuse_panics_naming_the_initializer() {
    let _flag = layout(true);
    let cases: Vec<(String, &str)> = vec![
        (
            panic_message(|| {
                init::glorot_normal().init(&random::key(0), &[5], DType::F32);
            }),
            "rjax::nn::initializers::glorot_normal: in_axis -2 is out of bounds for the shape [5]",
        ),
        (
            panic_message(|| {
                init::he_uniform().init(&random::key(0), &[0, 4], DType::F32);
            }),
            "rjax::nn::initializers::he_uniform: the shape [0, 4] has a zero-size input",
        ),
        (
            panic_message(|| {
                init::normal(1.0).init(&random::key(0), &[2], DType::I32);
            }),
            "rjax::nn::initializers::normal: dtype must be a float or complex dtype, got int32",
        ),
        (
            panic_message(|| {
                init::uniform(1.0).init(&random::key(0), &[2], DType::C64);
            }),
            "rjax::nn::initializers::uniform: dtype must be a float dtype, got complex64",
        ),
        (
            panic_message(|| {
                init::lecun_normal().init(&random::split(random::key(0), 2), &[2, 2], DType::F32);
            }),
            "rjax::nn::initializers::lecun_normal: expected a single PRNG key",
        ),
        (
            panic_message(|| {
                init::orthogonal(1.0, -1).init(&random::key(0), &[4], DType::F32);
            }),
            "rjax::nn::initializers::orthogonal: the orthogonal initializer needs a shape of rank 2",
        ),
        (
            panic_message(|| {
                init::delta_orthogonal(1.0, -1).init(&random::key(0), &[3, 5, 4], DType::F32);
            }),
            "rjax::nn::initializers::delta_orthogonal: fan_in (shape[-2] = 5) must be less",
        ),
        (
            panic_message(|| {
                let _ = init::normal(1.0).in_axis(&[0]);
            }),
            "rjax::nn::initializers::normal: `in_axis` applies to variance-scaling initializers",
        ),
    ];
    assert_messages_contain(&cases);
}

#[test]
fn misuse_panics_at_the_callers_line() {
    let _flag = layout(true);
    let line = line!() + 2;
    let (_, location) = panic_site(|| {
        init::glorot_normal().init(&random::key(0), &[5], DType::F32);
    });
    assert_eq!(location, Some((file!().to_string(), line)));
    let line = line!() + 2;
    let (_, location) = panic_site(|| {
        init::normal(1.0).init(&PRNGKey(0), &[2], DType::I32);
    });
    assert_eq!(location, Some((file!().to_string(), line)));
}
