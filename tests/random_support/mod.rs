//! Shared by the tests of `rjax::random` (`tests/random.rs`, `random_distributions.rs`,
//! `random_legacy.rs`): the golden files' format (see `tests/golden/random.py`), the comparison
//! of results with them, and the tables of cases mapping each golden case to its Rust call.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::HashMap;

use half::{bf16, f16};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, InAxes, jit, lax, vmap};

/// `(name, call)` pairs; the call gets the key `PRNGKey(<seed>)` its name starts from.
macro_rules! keyed {
    ($($name:literal => |$k:ident| $call:expr;)*) => {
        vec![$(($name, Box::new(move |$k: &Array| $call) as Sample)),*]
    };
}

pub mod base_cases;
pub mod distribution_cases;

/// The elements' bit patterns as the golden file spells them: lower-case hex, two digits a
/// byte.
pub fn hex_words(a: &Array) -> Vec<String> {
    fn hex<T: rjax::Element>(a: &Array, word: impl Fn(T) -> u64, width: usize) -> Vec<String> {
        let values = a.to_vec::<T>().expect("read back");
        values
            .into_iter()
            .map(|v| format!("{:0width$x}", word(v)))
            .collect()
    }
    match a.dtype() {
        DType::Bool => hex::<bool>(a, u64::from, 2),
        DType::I8 => hex::<i8>(a, |v| u64::from(v as u8), 2),
        DType::U8 => hex::<u8>(a, u64::from, 2),
        DType::I16 => hex::<i16>(a, |v| u64::from(v as u16), 4),
        DType::U16 => hex::<u16>(a, u64::from, 4),
        DType::F16 => hex::<f16>(a, |v| u64::from(v.to_bits()), 4),
        DType::BF16 => hex::<bf16>(a, |v| u64::from(v.to_bits()), 4),
        DType::I32 => hex::<i32>(a, |v| u64::from(v as u32), 8),
        DType::U32 => hex::<u32>(a, u64::from, 8),
        DType::F32 => hex::<f32>(a, |v| u64::from(v.to_bits()), 8),
        DType::I64 => hex::<i64>(a, |v| v as u64, 16),
        DType::U64 => hex::<u64>(a, |v| v, 16),
        DType::F64 => hex::<f64>(a, f64::to_bits, 16),
        other => panic!("unexpected dtype {other}"),
    }
}

/// FNV-1a (64 bits) of the elements' little-endian bytes.
fn fnv1a64(words: &[String]) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for word in words {
        let value = u64::from_str_radix(word, 16).expect("hex");
        for byte in value.to_le_bytes().iter().take(word.len() / 2) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    hash
}

/// How a case is compared (see `tests/golden/random.py` and `random_distributions.py`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// Bit for bit.
    Exact,
    /// Within this many ulp: values through XLA's transcendental functions (`erf_inv`, `log`,
    /// `tan`, ...), whose float32 code differs by an ulp or two between XLA builds.
    Ulps(u64),
    /// Within this relative tolerance (of `1 + |expected|`) for float32, the second for
    /// float64: values through a matrix factorization (LAPACK in JAX, rjax's own kernels).
    Relative(f64, f64),
}

/// The tolerance of the case `name`, by the function it calls.
pub fn tolerance(name: &str) -> Tolerance {
    const TRANSCENDENTAL: [&str; 14] = [
        "normal(",
        "truncated_normal(",
        "exponential(",
        "laplace(",
        "logistic(",
        "cauchy(",
        "gumbel(",
        "gamma(",
        "loggamma(",
        "beta(",
        "dirichlet(",
        "t(",
        "chisquare(",
        "ball(",
    ];
    if name.starts_with("grad_") {
        Tolerance::Relative(1e-5, 1e-10)
    } else if name.starts_with("multivariate_normal(") || name.starts_with("orthogonal(") {
        Tolerance::Relative(1e-5, 1e-12)
    } else if TRANSCENDENTAL.iter().any(|prefix| name.starts_with(prefix)) {
        Tolerance::Ulps(2)
    } else {
        Tolerance::Exact
    }
}

/// The float an element's bits spell, for a float dtype of `bits` bits.
fn float_of(word: u64, dtype: DType) -> f64 {
    match dtype {
        DType::F64 => f64::from_bits(word),
        DType::F32 => f64::from(f32::from_bits(word as u32)),
        DType::F16 => f16::from_bits(word as u16).to_f64(),
        DType::BF16 => bf16::from_bits(word as u16).to_f64(),
        other => panic!("a relative tolerance for the non-float dtype {other}"),
    }
}

/// How far apart two floats of one width are, in units in the last place.
fn ulps(a: u64, b: u64, bits: u32) -> u64 {
    let ordered = |x: u64| {
        let sign = 1u64 << (bits - 1);
        if x & sign != 0 {
            -((x & !sign) as i128)
        } else {
            x as i128
        }
    };
    (ordered(a) - ordered(b)).unsigned_abs() as u64
}

/// `Err` with the difference unless `got` is what the golden file expects, within the case's
/// [`tolerance`] (cases compared inexactly are written out in full).
pub fn compare(name: &str, got: &Array, expected: &str) -> Result<(), String> {
    let words = hex_words(got);
    let dims: Vec<String> = got.shape().iter().map(usize::to_string).collect();
    let head = format!("{}[{}]", got.dtype().name(), dims.join(","));
    let (expected_head, expected_values) = expected.split_once(':').expect("`<type>:<values>`");
    let mismatch = |detail: String| Err(format!("{name}: {detail}"));
    if head != expected_head {
        return mismatch(format!("got {head}, expected {expected_head}"));
    }
    if expected_values.starts_with("fnv1a64=") {
        let form = format!(
            "fnv1a64={:016x};head={};tail={}",
            fnv1a64(&words),
            words[..8].join(","),
            words[words.len() - 8..].join(",")
        );
        return if form == expected_values {
            Ok(())
        } else {
            mismatch(format!("got {form}\n  expected {expected_values}"))
        };
    }
    let expected: Vec<&str> = expected_values
        .split(',')
        .filter(|v| !v.is_empty())
        .collect();
    let bits = 8 * got.dtype().size_in_bytes() as u32;
    let tolerance = tolerance(name);
    let mut inexact = 0;
    for (i, (got_word, want_word)) in words.iter().zip(&expected).enumerate() {
        let (a, b) = (
            u64::from_str_radix(got_word, 16).unwrap(),
            u64::from_str_radix(want_word, 16).unwrap(),
        );
        if a == b {
            continue;
        }
        let close = match tolerance {
            Tolerance::Exact => false,
            Tolerance::Ulps(max) => ulps(a, b, bits) <= max,
            Tolerance::Relative(f32_tol, f64_tol) => {
                let tol = if got.dtype() == DType::F64 {
                    f64_tol
                } else {
                    f32_tol
                };
                let (x, y) = (float_of(a, got.dtype()), float_of(b, got.dtype()));
                (x - y).abs() <= tol * (1.0 + y.abs())
            }
        };
        if !close {
            return mismatch(format!("element {i}: got {got_word}, expected {want_word}"));
        }
        inexact += 1;
    }
    if inexact > 0 {
        println!(
            "{name}: {inexact} of {} elements within {tolerance:?}, not bit-exact",
            words.len()
        );
    }
    Ok(())
}

/// The cases of a golden file: name to expected result.
pub fn golden(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split_once('\t').expect("`<case>\\t<result>`"))
        .collect()
}

/// A Rust call on a case's input.
pub type Sample = Box<dyn Fn(&Array) -> Array>;

/// The first `PRNGKey(<seed>)` of a case's name, as a key.
pub fn input_key(name: &str) -> Array {
    let seed = name
        .split("PRNGKey(")
        .nth(1)
        .and_then(|rest| rest.split(')').next());
    PRNGKey(seed.map_or(0, |seed| seed.parse().expect("a seed")))
}

/// Row `i` of a batch of keys.
pub fn row(keys: &Array, i: usize) -> Array {
    let width = keys.shape()[1];
    lax::reshape(lax::slice(keys, &[i, 0], &[i + 1, width], None), &[width])
}

/// The prefix of a golden case computed inside an outer `jax.jit` (see
/// `tests/golden/random_distributions.py`), which the jitted run compares with where present.
const JITTED: &str = "jit:";

/// Checks every case of `cases` against the golden file `text`, eagerly or under `jit` (then
/// against JAX's jitted result `jit:<case>` where the file has one); every golden case must
/// have a Rust call.
pub fn check_against_golden(
    text: &'static str,
    cases: Vec<(&'static str, Array, Sample)>,
    jitted: bool,
) {
    let golden = golden(text);
    let eager_cases = golden.keys().filter(|k| !k.starts_with(JITTED)).count();
    assert_eq!(
        cases.len(),
        eager_cases,
        "every golden case has a Rust call"
    );
    let mut failures = Vec::new();
    for (name, input, sample) in &cases {
        let jitted_expected = golden
            .get(format!("{JITTED}{name}").as_str())
            .filter(|_| jitted);
        let expected = jitted_expected
            .or_else(|| golden.get(name))
            .unwrap_or_else(|| panic!("`{name}` is not in the golden file"));
        let got = if jitted {
            jit(|x: Array| sample(&x)).call(input.clone()).expect(name)
        } else {
            sample(input)
        };
        if let Err(failure) = compare(name, &got, expected) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Element `i` of the batch `batched`, shaped like `one`.
fn batch_row(batched: &Array, i: usize, one: &Array) -> Array {
    let start = [&[i][..], &vec![0; one.ndim()]].concat();
    let limit = [&[i + 1][..], one.shape()].concat();
    lax::reshape(lax::slice(batched, &start, &limit, None), one.shape())
}

/// `jit(vmap(f))(keys)` and the eager `vmap(f)(keys)` equal `f` of each key, bit for bit, as
/// JAX's `vmap` does (a jitted sampler stays one compiled call when batched).
pub fn check_vmap_over_keys(name: &str, f: impl Fn(&Array) -> Array + Copy) {
    check_vmap_over_keys_within(name, f, 0.0);
}

/// [`check_vmap_over_keys`] for float results within `tol` (relative to `1 + |value|`): for
/// samplers with matrix products, whose batched form may round differently.
pub fn check_vmap_over_keys_within(name: &str, f: impl Fn(&Array) -> Array + Copy, tol: f64) {
    let keys = random::split(PRNGKey(11), 4);
    let vmapped = move |keys: Array| vmap(move |k: Array| f(&k), InAxes::leading())(keys);
    let eager: Array = vmapped(keys.clone()).expect(name);
    let jitted: Array = jit(vmapped).call(keys.clone()).expect(name);
    assert_eq!(eager.shape()[0], 4, "{name}");
    for i in 0..4 {
        let one = f(&row(&keys, i));
        for (batched, how) in [(&jitted, "jit(vmap"), (&eager, "(vmap")] {
            let got = batch_row(batched, i, &one);
            if tol == 0.0 {
                assert_eq!(hex_words(&got), hex_words(&one), "{how}({name})), key {i}");
            } else {
                let (got, want) = (as_f64(&got), as_f64(&one));
                let close = got
                    .iter()
                    .zip(&want)
                    .all(|(g, w)| (g - w).abs() <= tol * (1.0 + w.abs()));
                assert!(close, "{how}({name})), key {i}: {got:?} vs {want:?}");
            }
        }
    }
}

/// A float array's values as f64.
fn as_f64(x: &Array) -> Vec<f64> {
    lax::convert_element_type(x, DType::F64)
        .to_vec::<f64>()
        .expect("read back")
}
