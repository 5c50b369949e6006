//! Complex `rjax::random::normal` against JAX 0.10.2's `jax.random.normal` with complex
//! dtypes (`tests/golden/random_complex.py`): complex64 and complex128, x64 mode on and off,
//! both `jax_threefry_partitionable` layouts, typed and raw keys, eagerly and under `jit`, bit
//! for bit; `vmap` over keys; and the moments of a large sample.
//!
//! The layout and x64 flags are process-wide, so the tests take a lock.

mod common;

use std::sync::{Mutex, MutexGuard};

use common::golden::Golden;
use rjax::random::{self, PRNGKey};
use rjax::{Array, Complex, DType, InAxes, config, jit, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/random_complex.txt"));

static FLAGS: Mutex<()> = Mutex::new(());

/// The given x64 mode and layout, for as long as the guard lives.
fn flags(x64: bool, partitionable: bool) -> MutexGuard<'static, ()> {
    let guard = FLAGS.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(x64);
    config::set_threefry_partitionable(partitionable);
    guard
}

/// A complex array's parts, real then imaginary for each element, widened to f64.
fn parts(x: &Array) -> Vec<f64> {
    match x.dtype() {
        DType::C64 => x
            .to_vec::<Complex<f32>>()
            .unwrap()
            .into_iter()
            .flat_map(|z| [f64::from(z.re), f64::from(z.im)])
            .collect(),
        DType::C128 => x
            .to_vec::<Complex<f64>>()
            .unwrap()
            .into_iter()
            .flat_map(|z| [z.re, z.im])
            .collect(),
        other => panic!("expected a complex array, got {other}"),
    }
}

/// Why `x` differs from the golden case `name`, bit for bit, if it does.
fn mismatch(name: &str, x: &Array) -> Option<String> {
    let (dtype, shape, want) = GOLDEN.case(name).unwrap();
    if x.dtype().name() != dtype || x.shape() != shape {
        return Some(format!("{name}: got {:?}, want {dtype}{shape:?}", x.aval()));
    }
    let got = parts(x);
    let differs = got.len() != want.len()
        || got
            .iter()
            .zip(&want)
            .any(|(g, w)| g.to_bits() != w.to_bits());
    differs.then(|| format!("{name}: got {got:?}\nwant {want:?}"))
}

/// Every golden case of one layout, eagerly or under `jit` (the key an argument).
fn check_layout(prefix: &str, partitionable: bool, jitted: bool) {
    let (mut count, mut failures) = (0, Vec::new());
    for x64 in [true, false] {
        let _flags = flags(x64, partitionable);
        for (dtype_name, dtype) in [("complex64", DType::C64), ("complex128", DType::C128)] {
            for shape in [&[5][..], &[2, 3], &[], &[64]] {
                let keys = [
                    ("typed", random::key(42)),
                    ("raw", PRNGKey(42)),
                    ("typed7", random::key(7)),
                ];
                for (key_kind, key) in keys {
                    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
                    let bits = if x64 { "x64" } else { "x32" };
                    let name =
                        format!("{prefix}/{bits}/{dtype_name}/{}/{key_kind}", dims.join("x"));
                    let x = if jitted {
                        jit(|k: Array| random::normal(&k, shape, dtype))
                            .call(key)
                            .unwrap()
                    } else {
                        random::normal(&key, shape, dtype)
                    };
                    failures.extend(mismatch(&name, &x));
                    count += 1;
                }
            }
        }
    }
    assert_eq!(count, 48, "every golden case of the layout is checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn complex_normals_equal_jax_with_the_partitionable_layout() {
    check_layout("part", true, false);
}

#[test]
fn complex_normals_equal_jax_with_the_original_layout() {
    check_layout("orig", false, false);
}

#[test]
fn jitted_complex_normals_equal_jax() {
    check_layout("part_jit", true, true);
}

#[test]
fn vmap_over_keys_draws_each_key() {
    let _flags = flags(true, true);
    let keys = random::split(random::key(3), 4);
    let batched = vmap(
        |k: Array| random::normal(&k, &[3], DType::C128),
        InAxes::leading(),
    )(keys.clone())
    .unwrap();
    assert_eq!(batched.shape(), [4, 3]);
    let got = parts(&batched);
    for i in 0..4 {
        let key = keys.index(&rjax::idx![i]);
        let single = parts(&random::normal(&key, &[3], DType::C128));
        assert_eq!(&got[i * 6..(i + 1) * 6], &single[..], "key {i}");
    }
}

#[test]
fn real_and_imaginary_parts_are_independent_with_half_the_variance() {
    let _flags = flags(true, true);
    let n = 200_000;
    let z = parts(&random::normal(PRNGKey(11), &[n], DType::C128));
    let (re, im): (Vec<f64>, Vec<f64>) = z.chunks(2).map(|p| (p[0], p[1])).unzip();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (m_re, m_im) = (mean(&re), mean(&im));
    let var_re = re.iter().map(|x| (x - m_re).powi(2)).sum::<f64>() / n as f64;
    let var_im = im.iter().map(|x| (x - m_im).powi(2)).sum::<f64>() / n as f64;
    let cov = re
        .iter()
        .zip(&im)
        .map(|(a, b)| (a - m_re) * (b - m_im))
        .sum::<f64>()
        / n as f64;
    // Standard errors: 0.0016 for the means, about 0.0016 for variances and covariance.
    for (what, value, want) in [
        ("mean re", m_re, 0.0),
        ("mean im", m_im, 0.0),
        ("var re", var_re, 0.5),
        ("var im", var_im, 0.5),
        ("cov", cov, 0.0),
    ] {
        assert!((value - want).abs() < 0.01, "{what}: {value}, want {want}");
    }
}
