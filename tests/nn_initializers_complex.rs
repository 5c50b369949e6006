//! Complex dtypes in `rjax::nn::initializers` against JAX 0.10.2's `jax.nn.initializers`
//! (`tests/golden/nn_initializers_complex.py`): `normal` and the variance-scaling family
//! (complex normals, JAX's `_complex_uniform` and `_complex_truncated_normal`), complex64 and
//! complex128, typed and raw keys, both `jax_threefry_partitionable` layouts, x64 on and off,
//! eagerly and under `jit`, bit for bit; the moments of the complex samples; unitary
//! `orthogonal` and `delta_orthogonal` against JAX run at test time (to rounding: rjax's QR is
//! not LAPACK's); and the initializers that take real dtypes only.
//!
//! The layout and x64 flags are process-wide, so the tests take a lock.

mod common;
mod nn_support;

use std::sync::{Mutex, MutexGuard};

use common::golden::Golden;
use common::python::run_python;
use nn_support::{assert_messages_contain, for_each_initializer_case, panic_message};
use rjax::nn::initializers::{self as init, Distribution, FanMode, Initializer};
use rjax::random;
use rjax::{Array, Complex, DType, config};

const GOLDEN: Golden = Golden(include_str!("golden/nn_initializers_complex.txt"));

static FLAGS: Mutex<()> = Mutex::new(());

/// The given x64 mode and layout, for as long as the guard lives.
fn flags(x64: bool, partitionable: bool) -> MutexGuard<'static, ()> {
    let guard = FLAGS.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(x64);
    config::set_threefry_partitionable(partitionable);
    guard
}

/// The table `INITS` of the golden script: name, initializer, shapes.
fn inits() -> Vec<(&'static str, Initializer, Vec<Vec<usize>>)> {
    let dense_conv = vec![vec![5, 7], vec![3, 3, 4, 8]];
    vec![
        ("normal", init::normal(0.02), vec![vec![4, 5], vec![7]]),
        ("glorot_normal", init::glorot_normal(), dense_conv.clone()),
        ("glorot_uniform", init::glorot_uniform(), dense_conv),
        ("he_normal", init::he_normal(), vec![vec![5, 7]]),
        ("he_uniform", init::he_uniform(), vec![vec![5, 7]]),
        (
            "lecun_normal",
            init::lecun_normal(),
            vec![vec![5, 7], vec![3, 6, 5]],
        ),
        ("lecun_uniform", init::lecun_uniform(), vec![vec![3, 6, 5]]),
        (
            "vs_fan_out_normal",
            init::variance_scaling(2.0, FanMode::FanOut, Distribution::Normal),
            vec![vec![5, 7]],
        ),
        (
            "vs_geo_uniform",
            init::variance_scaling(0.5, FanMode::FanGeoAvg, Distribution::Uniform),
            vec![vec![5, 7]],
        ),
        (
            "vs_axes",
            init::variance_scaling(1.3, FanMode::FanAvg, Distribution::TruncatedNormal)
                .in_axis(&[0, 1])
                .out_axis(&[-1]),
            vec![vec![3, 4, 5]],
        ),
    ]
}

/// A complex array's elements, widened to `Complex<f64>`.
fn elements(x: &Array) -> Vec<Complex<f64>> {
    match x.dtype() {
        DType::C64 => x
            .to_vec::<Complex<f32>>()
            .unwrap()
            .into_iter()
            .map(|z| Complex::new(f64::from(z.re), f64::from(z.im)))
            .collect(),
        DType::C128 => x.to_vec::<Complex<f64>>().unwrap(),
        other => panic!("expected a complex array, got {other}"),
    }
}

/// Why `x` differs from the golden case `name`, bit for bit, if it does.
fn mismatch(name: &str, x: &Array) -> Option<String> {
    let (dtype, shape, want) = GOLDEN.case(name).unwrap();
    if x.dtype().name() != dtype || x.shape() != shape {
        return Some(format!("{name}: got {:?}, want {dtype}{shape:?}", x.aval()));
    }
    let got: Vec<f64> = elements(x).iter().flat_map(|z| [z.re, z.im]).collect();
    let differs = got.len() != want.len()
        || got
            .iter()
            .zip(&want)
            .any(|(g, w)| g.to_bits() != w.to_bits());
    differs.then(|| format!("{name}: got {got:?}\nwant {want:?}"))
}

/// Every golden case of one layout.
fn check_layout(prefix: &str, x64: bool, partitionable: bool, jitted: bool) {
    let _flags = flags(x64, partitionable);
    let mut failures = Vec::new();
    let dtypes = [("complex64", DType::C64), ("complex128", DType::C128)];
    let count = for_each_initializer_case(prefix, inits(), &dtypes, jitted, |case, _, x| {
        failures.extend(mismatch(case, x));
    });
    assert_eq!(count, 56, "every golden case of the layout is checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn complex_initializers_equal_jax_with_the_partitionable_layout() {
    check_layout("part", true, true, false);
}

#[test]
fn complex_initializers_equal_jax_with_the_original_layout() {
    check_layout("orig", true, false, false);
}

#[test]
fn jitted_complex_initializers_equal_jax() {
    check_layout("part_jit", true, true, true);
}

#[test]
fn complex_initializers_equal_jax_without_x64() {
    check_layout("part_x32", false, true, false);
}

#[test]
fn complex_samples_have_the_variance_and_the_support() {
    let _flags = flags(true, true);
    // Variance 1 / fan_in = 1 / 400 for a [400, 300] kernel, with uncorrelated real and
    // imaginary parts of half of it each. The uniform samples lie on the disk of radius
    // sqrt(2) times the standard deviation, the truncated normals on that of radius 2 times
    // the standard deviation before the truncation.
    let shape = [400, 300];
    let variance: f64 = 1.0 / 400.0;
    for (what, distribution, radius) in [
        ("normal", Distribution::Normal, f64::INFINITY),
        ("uniform", Distribution::Uniform, (2.0 * variance).sqrt()),
        (
            "truncated_normal",
            Distribution::TruncatedNormal,
            2.0 * variance.sqrt() / 0.953_111_643_804_912_1,
        ),
    ] {
        let x = init::variance_scaling(1.0, FanMode::FanIn, distribution).init(
            &random::key(5),
            &shape,
            DType::C128,
        );
        let z = elements(&x);
        let n = z.len() as f64;
        let (mean_re, mean_im) = (
            z.iter().map(|z| z.re).sum::<f64>() / n,
            z.iter().map(|z| z.im).sum::<f64>() / n,
        );
        let second = |f: &dyn Fn(&Complex<f64>) -> f64| z.iter().map(f).sum::<f64>() / n;
        let var_re = second(&|z| z.re * z.re);
        let var_im = second(&|z| z.im * z.im);
        let cov = second(&|z| z.re * z.im);
        // Five standard errors (of a normal sample's; the bounded ones' are smaller).
        let mean_tolerance = 5.0 * (variance / 2.0 / n).sqrt();
        let tolerance = 5.0 * variance / 2.0 * (2.0 / n).sqrt();
        assert!(
            mean_re.abs() < mean_tolerance && mean_im.abs() < mean_tolerance,
            "{what}: mean {mean_re} + {mean_im}i"
        );
        assert!(
            (var_re - variance / 2.0).abs() < tolerance,
            "{what}: var re {var_re}"
        );
        assert!(
            (var_im - variance / 2.0).abs() < tolerance,
            "{what}: var im {var_im}"
        );
        assert!(cov.abs() < tolerance, "{what}: cov {cov}");
        let largest = z.iter().map(|z| z.re.hypot(z.im)).fold(0.0, f64::max);
        assert!(
            largest <= radius * (1.0 + 1e-12),
            "{what}: |z| up to {largest} > {radius}"
        );
    }
}

#[test]
fn real_only_initializers_refuse_complex_dtypes() {
    let _flags = flags(true, true);
    let key = || random::key(0);
    let cases: Vec<(String, &str)> = vec![
        (
            panic_message(|| {
                init::uniform(1.0).init(&key(), &[2], DType::C128);
            }),
            "rjax::nn::initializers::uniform: dtype must be a float dtype, got complex128",
        ),
        (
            panic_message(|| {
                init::truncated_normal(1.0, -2.0, 2.0).init(&key(), &[2], DType::C64);
            }),
            "rjax::nn::initializers::truncated_normal: dtype must be a float dtype, got complex64",
        ),
        (
            panic_message(|| {
                init::he_normal().init(&key(), &[2, 2], DType::I32);
            }),
            "rjax::nn::initializers::he_normal: dtype must be a float or complex dtype, got int32",
        ),
    ];
    assert_messages_contain(&cases);
}

/// JAX's unitary initializers: `orthogonal` (scale 2, columns on the last and on the first
/// axis) and `delta_orthogonal`, complex64 and complex128, from `key(3)`.
const JAX_UNITARY: &str = r#"
import jax, jax.numpy as jnp, numpy as np
from jax.nn import initializers as init
jax.config.update("jax_enable_x64", True)
cases = [
    ("orthogonal_c64", init.orthogonal(2.0), (3, 5), jnp.complex64),
    ("orthogonal_axis0_c128", init.orthogonal(1.0, column_axis=0), (4, 2, 3), jnp.complex128),
    ("delta_orthogonal_c128", init.delta_orthogonal(1.0), (3, 3, 2, 4), jnp.complex128),
]
for name, initializer, shape, dtype in cases:
    v = np.asarray(initializer(jax.random.key(3), shape, dtype)).ravel()
    print(name, " ".join(repr(float(x)) for x in np.stack([v.real, v.imag], -1).ravel()))
"#;

#[test]
fn unitary_initializers_equal_jax_to_rounding() {
    let _flags = flags(true, true);
    let expected = run_python(JAX_UNITARY, &[]);
    let cases: [(&str, Initializer, &[usize], DType, f64); 3] = [
        (
            "orthogonal_c64",
            init::orthogonal(2.0, -1),
            &[3, 5],
            DType::C64,
            1e-5,
        ),
        (
            "orthogonal_axis0_c128",
            init::orthogonal(1.0, 0),
            &[4, 2, 3],
            DType::C128,
            1e-12,
        ),
        (
            "delta_orthogonal_c128",
            init::delta_orthogonal(1.0, -1),
            &[3, 3, 2, 4],
            DType::C128,
            1e-12,
        ),
    ];
    for (name, initializer, shape, dtype, tolerance) in cases {
        let line = expected
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("JAX printed no {name}: {expected}"));
        let want: Vec<f64> = line.split(' ').map(|v| v.parse().unwrap()).collect();
        let x = initializer.init(&random::key(3), shape, dtype);
        assert_eq!((x.dtype(), x.shape()), (dtype, shape));
        let got: Vec<f64> = elements(&x).iter().flat_map(|c| [c.re, c.im]).collect();
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() < tolerance,
                "{name}: {got:?} against JAX's {want:?}"
            );
        }
    }
}
