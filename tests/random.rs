//! `rjax::random` against JAX 0.10.2's `jax.random`, bit for bit (`tests/golden/random.py`):
//! keys, `split`, `fold_in`, random bits and every sampler, eagerly and under `jit`; `vmap` over
//! keys, seeds and fold-in data against the per-element results; misuse errors.
//!
//! x64 mode is process-wide, so every test turns it on first (the golden file is computed with
//! x64 on; its script checks that the 32-bit paths are the same with x64 off) and asks for
//! 32-bit dtypes explicitly.

mod common;

use std::collections::HashMap;

use common::panic_message;
use half::{bf16, f16};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, InAxes, jit, lax, vmap};

const GOLDEN: &str = include_str!("golden/random.txt");

fn x64() {
    rjax::config::enable_x64(true);
}

/// The elements' bit patterns as the golden file spells them: lower-case hex, two digits a
/// byte.
fn hex_words(a: &Array) -> Vec<String> {
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

/// Whether the case's values go through XLA's `erf_inv`/`erf`, whose float32 code differs by
/// an ulp or two between XLA builds (see `tests/golden/random.py`).
fn transcendental(name: &str) -> bool {
    name.starts_with("normal(") || name.starts_with("truncated_normal(")
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

/// `Err` with the difference unless `got` is what the golden file expects: bit for bit, or
/// within 2 ulp elementwise for `transcendental` cases written out in full.
fn compare(name: &str, got: &Array, expected: &str) -> Result<(), String> {
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
    let tolerance = if transcendental(name) { 2 } else { 0 };
    let mut inexact = 0;
    for (i, (got, want)) in words.iter().zip(&expected).enumerate() {
        let (a, b) = (
            u64::from_str_radix(got, 16).unwrap(),
            u64::from_str_radix(want, 16).unwrap(),
        );
        if a != b {
            if ulps(a, b, bits) > tolerance {
                return mismatch(format!("element {i}: got {got}, expected {want}"));
            }
            inexact += 1;
        }
    }
    if inexact > 0 {
        println!(
            "{name}: {inexact} of {} elements within {tolerance} ulp, not bit-exact",
            words.len()
        );
    }
    Ok(())
}

fn golden() -> HashMap<&'static str, &'static str> {
    GOLDEN
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split_once('\t').expect("`<case>\\t<result>`"))
        .collect()
}

type Sample = Box<dyn Fn(&Array) -> Array>;

/// `(name, call)` pairs; the call gets the key `PRNGKey(<seed>)` its name starts from.
macro_rules! keyed {
    ($($name:literal => |$k:ident| $call:expr;)*) => {
        vec![$(($name, Box::new(move |$k: &Array| $call) as Sample)),*]
    };
}

/// The first `PRNGKey(<seed>)` of a case's name, as a key.
fn input_key(name: &str) -> Array {
    let seed = name
        .split("PRNGKey(")
        .nth(1)
        .and_then(|rest| rest.split(')').next());
    PRNGKey(seed.map_or(0, |seed| seed.parse().expect("a seed")))
}

/// Every golden case as an input (a key, or a seed) and the Rust call on it.
fn cases() -> Vec<(&'static str, Array, Sample)> {
    use DType::*;
    use random::{bernoulli, bits, fold_in, normal, permutation, permutation_of, randint};
    use random::{split, truncated_normal, uniform};
    let arange_i32 = |n: i32| Array::from_vec((0..n).collect::<Vec<i32>>());
    let keyed: Vec<(&'static str, Sample)> = keyed! {
        "PRNGKey(0)" => |_k| PRNGKey(0);
        "PRNGKey(42)" => |_k| PRNGKey(42);
        "PRNGKey(7340035)" => |_k| PRNGKey(7 * (1 << 20) + 3);
        "PRNGKey(-1)" => |_k| PRNGKey(-1);
        "PRNGKey(1099511627781)" => |_k| PRNGKey((1 << 40) + 5);
        "split(PRNGKey(0),2)" => |k| split(k, 2);
        "split(PRNGKey(0),3)" => |k| split(k, 3);
        "split(PRNGKey(42),5)" => |k| split(k, 5);
        "split(PRNGKey(0),(2,3))" => |k| random::split_shape(k, &[2, 3]);
        "split(PRNGKey(0),0)" => |k| split(k, 0);
        "fold_in(PRNGKey(0),1)" => |k| fold_in(k, 1);
        "fold_in(PRNGKey(42),0)" => |k| fold_in(k, 0);
        "fold_in(PRNGKey(0),4294967295)" => |k| fold_in(k, u32::MAX);
        "fold_in(split(PRNGKey(0),2)[1],7)" => |k| fold_in(&row(&split(k, 2), 1), 7);
        "threefry_2x32(PRNGKey(3),arange(5,uint32))" => |k| random::threefry_2x32(k, &lax::iota(U32, &[5], 0));
        "bits(PRNGKey(0),(),uint32)" => |k| bits(k, &[], U32);
        "bits(PRNGKey(0),(3,),uint32)" => |k| bits(k, &[3], U32);
        "bits(PRNGKey(0),(2,3),uint32)" => |k| bits(k, &[2, 3], U32);
        "bits(PRNGKey(0),(1000,),uint32)" => |k| random::random_bits(k, 32, &[1000]);
        "bits(PRNGKey(0),(0,),uint32)" => |k| bits(k, &[0], U32);
        "bits(PRNGKey(1),(5,),uint8)" => |k| bits(k, &[5], U8);
        "bits(PRNGKey(1),(5,),uint16)" => |k| bits(k, &[5], U16);
        "bits(PRNGKey(1),(2,3),uint64)" => |k| bits(k, &[2, 3], U64);
        "uniform(PRNGKey(0),(3,),float32)" => |k| uniform(k, &[3], F32, 0.0, 1.0);
        "normal(PRNGKey(0),(3,),float32)" => |k| normal(k, &[3], F32);
        "uniform(PRNGKey(0),(2,3),float32)" => |k| uniform(k, &[2, 3], F32, 0.0, 1.0);
        "normal(PRNGKey(0),(2,3),float32)" => |k| normal(k, &[2, 3], F32);
        "uniform(PRNGKey(0),(1000,),float32)" => |k| uniform(k, &[1000], F32, 0.0, 1.0);
        "normal(PRNGKey(0),(1000,),float32)" => |k| normal(k, &[1000], F32);
        "uniform(PRNGKey(1),(2,3),float32,-2,5)" => |k| uniform(k, &[2, 3], F32, -2.0, 5.0);
        "uniform(PRNGKey(3),(2,3),float32,[0,1,2],10)" => |k| uniform(k, &[2, 3], F32, Array::from([0.0f32, 1.0, 2.0]), 10.0);
        "normal(PRNGKey(5),(),float32)" => |k| normal(k, &[], F32);
        "truncated_normal(PRNGKey(0),-1,2,(5,),float32)" => |k| truncated_normal(k, -1.0, 2.0, Some(&[5]), F32);
        "truncated_normal(PRNGKey(2),[-3,0,1],[-2,0.5,4],None,float32)" => |k| truncated_normal(k, Array::from([-3.0f32, 0.0, 1.0]), Array::from([-2.0f32, 0.5, 4.0]), None, F32);
        "uniform(PRNGKey(0),(3,),float64)" => |k| uniform(k, &[3], F64, 0.0, 1.0);
        "normal(PRNGKey(0),(3,),float64)" => |k| normal(k, &[3], F64);
        "uniform(PRNGKey(0),(2,3),float64)" => |k| uniform(k, &[2, 3], F64, 0.0, 1.0);
        "normal(PRNGKey(0),(2,3),float64)" => |k| normal(k, &[2, 3], F64);
        "uniform(PRNGKey(0),(1000,),float64)" => |k| uniform(k, &[1000], F64, 0.0, 1.0);
        "normal(PRNGKey(0),(1000,),float64)" => |k| normal(k, &[1000], F64);
        "uniform(PRNGKey(1),(2,3),float64,-2,5)" => |k| uniform(k, &[2, 3], F64, -2.0, 5.0);
        "uniform(PRNGKey(3),(2,3),float64,[0,1,2],10)" => |k| uniform(k, &[2, 3], F64, Array::from([0.0f64, 1.0, 2.0]), 10.0);
        "normal(PRNGKey(5),(),float64)" => |k| normal(k, &[], F64);
        "truncated_normal(PRNGKey(0),-1,2,(5,),float64)" => |k| truncated_normal(k, -1.0, 2.0, Some(&[5]), F64);
        "truncated_normal(PRNGKey(2),[-3,0,1],[-2,0.5,4],None,float64)" => |k| truncated_normal(k, Array::from([-3.0f64, 0.0, 1.0]), Array::from([-2.0f64, 0.5, 4.0]), None, F64);
        "normal(PRNGKey(0),(1000,1000),float64)" => |k| normal(k, &[1000, 1000], F64);
        "uniform(PRNGKey(0),(1000,1000),float32)" => |k| uniform(k, &[1000, 1000], F32, 0.0, 1.0);
        "uniform(PRNGKey(0),(5,),float16)" => |k| uniform(k, &[5], F16, 0.0, 1.0);
        "normal(PRNGKey(0),(5,),float16)" => |k| normal(k, &[5], F16);
        "uniform(PRNGKey(0),(5,),bfloat16)" => |k| uniform(k, &[5], BF16, 0.0, 1.0);
        "normal(PRNGKey(0),(5,),bfloat16)" => |k| normal(k, &[5], BF16);
        "randint(PRNGKey(0),(10,),0,10,int32)" => |k| randint(k, &[10], 0, 10, I32);
        "randint(PRNGKey(1),(2,5),-5,5,int32)" => |k| randint(k, &[2, 5], -5, 5, I32);
        "randint(PRNGKey(0),(1000,),-1000000,1000000,int32)" => |k| randint(k, &[1000], -1_000_000, 1_000_000, I32);
        "randint(PRNGKey(0),(8,),0,256,uint8)" => |k| randint(k, &[8], 0, 256, U8);
        "randint(PRNGKey(0),(8,),-128,128,int8)" => |k| randint(k, &[8], -128, 128, I8);
        "randint(PRNGKey(2),(6,),-1000,1000,int16)" => |k| randint(k, &[6], -1000, 1000, I16);
        "randint(PRNGKey(0),(5,),3,3,int32)" => |k| randint(k, &[5], 3, 3, I32);
        "randint(PRNGKey(0),(3,),[0,10,100],[5,20,1000],int32)" => |k| randint(k, &[3], Array::from([0i32, 10, 100]), Array::from([5i32, 20, 1000]), I32);
        "randint(PRNGKey(4),(6,),0,4294967296,uint32)" => |k| randint(k, &[6], 0, 1i64 << 32, U32);
        "randint(PRNGKey(4),(6,),0,2147483648,int32)" => |k| randint(k, &[6], 0, 1i64 << 31, I32);
        "randint(PRNGKey(0),(6,),0,1099511627776,int64)" => |k| randint(k, &[6], 0, 1i64 << 40, I64);
        "bernoulli(PRNGKey(0),float32(0.5),(10,))" => |k| bernoulli(k, Array::scalar(0.5f32), Some(&[10]));
        "bernoulli(PRNGKey(0),0.3,(10,))" => |k| bernoulli(k, 0.3, Some(&[10]));
        "bernoulli(PRNGKey(1),float32([0.1,0.5,0.9]),None)" => |k| bernoulli(k, Array::from([0.1f32, 0.5, 0.9]), None);
        "permutation(PRNGKey(0),10)" => |k| permutation(k, 10);
        "permutation(PRNGKey(0),3000)" => |k| permutation(k, 3000);
        "permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),1,False)" => |k| permutation_of(k, &arange_i32(12).reshape(&[3, 4]), 1, false);
        "permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),0,True)" => |k| permutation_of(k, &arange_i32(12).reshape(&[3, 4]), 0, true);
        "permutation_of(PRNGKey(1),arange(2000,float32),0,False)" => |k| permutation_of(k, &lax::iota(F32, &[2000], 0), 0, false);
    };
    let from_seed = |seed: Array| (seed, Box::new(random::key_from_seed) as Sample);
    let seeded = [
        ("key_from_seed(int32(-1))", from_seed(Array::scalar(-1i32))),
        ("key_from_seed(uint32(7))", from_seed(Array::scalar(7u32))),
        (
            "key_from_seed(int64(1099511627781))",
            from_seed(Array::scalar((1i64 << 40) + 5)),
        ),
    ];
    let keyed = keyed
        .into_iter()
        .map(|(name, call)| (name, input_key(name), call));
    let seeded = seeded
        .into_iter()
        .map(|(name, (seed, call))| (name, seed, call));
    keyed.chain(seeded).collect()
}

/// Row `i` of a batch of keys.
fn row(keys: &Array, i: usize) -> Array {
    let width = keys.shape()[1];
    lax::reshape(&lax::slice(keys, &[i, 0], &[i + 1, width], None), &[width])
}

fn check_against_golden(jitted: bool) {
    x64();
    let golden = golden();
    let cases = cases();
    assert_eq!(
        cases.len(),
        golden.len(),
        "every golden case has a Rust call"
    );
    let mut failures = Vec::new();
    for (name, input, sample) in &cases {
        let expected = golden
            .get(name)
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

#[test]
fn eager_results_equal_jax_bit_for_bit() {
    check_against_golden(false);
}

#[test]
fn jitted_results_equal_jax_bit_for_bit() {
    check_against_golden(true);
}

/// Element `i` of the batch `batched`, shaped like `one`.
fn batch_row(batched: &Array, i: usize, one: &Array) -> Array {
    let start = [&[i][..], &vec![0; one.ndim()]].concat();
    let limit = [&[i + 1][..], one.shape()].concat();
    lax::reshape(&lax::slice(batched, &start, &limit, None), one.shape())
}

/// `jit(vmap(f))(keys)` and the eager `vmap(f)(keys)` equal `f` of each key, bit for bit, as
/// JAX's `vmap` does (a jitted sampler stays one compiled call when batched).
fn check_vmap_over_keys(name: &str, f: impl Fn(&Array) -> Array + Copy) {
    let keys = random::split(&PRNGKey(11), 4);
    let vmapped = move |keys: Array| vmap(move |k: Array| f(&k), InAxes::leading())(keys);
    let eager: Array = vmapped(keys.clone()).expect(name);
    let jitted: Array = jit(vmapped).call(keys.clone()).expect(name);
    assert_eq!(eager.shape()[0], 4, "{name}");
    for i in 0..4 {
        let one = f(&row(&keys, i));
        let want = hex_words(&one);
        assert_eq!(
            hex_words(&batch_row(&jitted, i, &one)),
            want,
            "jit(vmap({name})), key {i}"
        );
        assert_eq!(
            hex_words(&batch_row(&eager, i, &one)),
            want,
            "vmap({name}), key {i}"
        );
    }
}

#[test]
fn vmap_over_split_keys_equals_each_key() {
    x64();
    use DType::*;
    check_vmap_over_keys("split", |k| random::split(k, 3));
    check_vmap_over_keys("fold_in", |k| random::fold_in(k, 5));
    check_vmap_over_keys("bits", |k| random::bits(k, &[2, 3], U32));
    check_vmap_over_keys("bits u64", |k| random::bits(k, &[5], U64));
    check_vmap_over_keys("uniform f32", |k| random::uniform(k, &[7], F32, -1.0, 3.0));
    check_vmap_over_keys("uniform f32 [0.1, 0.7)", |k| {
        random::uniform(k, &[7], F32, 0.1, 0.7)
    });
    check_vmap_over_keys("uniform f64", |k| {
        random::uniform(k, &[2, 3], F64, 0.0, 1.0)
    });
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
            &Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]),
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
    let keys = random::split(&PRNGKey(0), 2);
    let message = panic_message(|| {
        random::uniform(&keys, &[3], DType::F32, 0.0, 1.0);
    });
    assert!(
        message.contains("rjax::random::uniform") && message.contains("u32[2,2]"),
        "{message}"
    );
    assert!(message.contains("vmap"), "{message}");
    let message = panic_message(|| {
        random::normal(&PRNGKey(0), &[3], DType::I32);
    });
    assert!(message.contains("float dtype"), "{message}");
    let message = panic_message(|| {
        random::randint(&PRNGKey(0), &[3], 0, 10, DType::F32);
    });
    assert!(message.contains("integer dtype"), "{message}");
    let message = panic_message(|| {
        random::uniform(
            &PRNGKey(0),
            &[3],
            DType::F32,
            Array::from([0.0f32, 1.0]),
            1.0,
        );
    });
    assert!(message.contains("must broadcast to the shape"), "{message}");
    let message = panic_message(|| {
        random::random_bits(&PRNGKey(0), 12, &[3]);
    });
    assert!(message.contains("12"), "{message}");
    let message = panic_message(|| {
        random::fold_in(&PRNGKey(0), 1.5);
    });
    assert!(message.contains("integer scalar"), "{message}");
}

#[test]
fn samples_have_the_expected_statistics() {
    x64();
    let x = random::normal(&PRNGKey(1), &[100_000], DType::F64)
        .to_vec::<f64>()
        .unwrap();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
    assert!(
        mean.abs() < 0.02 && (var - 1.0).abs() < 0.02,
        "mean {mean}, variance {var}"
    );
    let u = random::uniform(&PRNGKey(2), &[10_000], DType::F32, 2.0, 3.0);
    let u = u.to_vec::<f32>().unwrap();
    assert!(u.iter().all(|&v| (2.0..3.0).contains(&v)));
    let t = random::truncated_normal(&PRNGKey(3), -0.1, 0.2, Some(&[10_000]), DType::F32);
    assert!(
        t.to_vec::<f32>()
            .unwrap()
            .iter()
            .all(|&v| v > -0.1 && v < 0.2)
    );
    let mut p = random::permutation(&PRNGKey(4), 500)
        .to_vec::<i64>()
        .unwrap();
    p.sort_unstable();
    assert_eq!(p, (0..500).collect::<Vec<i64>>());
}
