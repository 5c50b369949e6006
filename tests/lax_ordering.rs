//! The ordering primitives (argmax, argmin, cumsum, cumprod, cummax, cummin, sort), eagerly and
//! under `jit`, against NumPy's results (`tests/golden/ordering.py`, cross-checked there
//! against `jax.lax`); their jaxpr parameters and lowerings as JAX prints them; their errors.

mod common;

use common::panic_message;
use std::collections::HashMap;

use rjax::lax;
use rjax::{Array, DType, jit};

const GOLDEN: &str = include_str!("golden/ordering.txt");

/// One array of the golden file: `<dtype>[<dims>]:<values>`.
#[derive(Debug)]
struct HostArray {
    dtype: DType,
    shape: Vec<usize>,
    values: Vec<String>,
}

/// One golden case.
#[derive(Debug)]
struct Case {
    line: usize,
    op: String,
    params: HashMap<String, String>,
    inputs: Vec<HostArray>,
    outputs: Vec<HostArray>,
}

impl Case {
    fn param(&self, key: &str) -> usize {
        self.params[key].parse().expect("an integer parameter")
    }

    fn flag(&self, key: &str) -> bool {
        self.param(key) == 1
    }
}

fn parse_dtype(name: &str) -> DType {
    match name {
        "float32" => DType::F32,
        "int32" => DType::I32,
        "int16" => DType::I16,
        "uint8" => DType::U8,
        "bool" => DType::Bool,
        other => panic!("unexpected dtype {other} in the golden file"),
    }
}

fn parse_array(text: &str) -> HostArray {
    let (head, values) = text.split_once(':').expect("`<type>:<values>`");
    let (dtype, dims) = head
        .strip_suffix(']')
        .and_then(|h| h.split_once('['))
        .expect("`<dtype>[<dims>]`");
    HostArray {
        dtype: parse_dtype(dtype),
        shape: dims
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| d.parse().expect("a dimension"))
            .collect(),
        values: values
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

fn golden(ops: &[&str]) -> Vec<Case> {
    let cases: Vec<Case> = GOLDEN
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#'))
        .map(|(index, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [op, params, inputs, outputs] = fields[..] else {
                panic!("line {}: expected 4 fields", index + 1)
            };
            Case {
                line: index + 1,
                op: op.to_string(),
                params: params
                    .split(' ')
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').expect("`key=value`");
                        (k.to_string(), v.to_string())
                    })
                    .collect(),
                inputs: inputs.split(' ').map(parse_array).collect(),
                outputs: outputs.split(' ').map(parse_array).collect(),
            }
        })
        .filter(|case| ops.contains(&case.op.as_str()))
        .collect();
    assert!(!cases.is_empty(), "no golden cases for {ops:?}");
    cases
}

fn parse_f32(text: &str) -> f32 {
    match text {
        "nan" => f32::NAN,
        "-nan" => -f32::NAN,
        other => other.parse().expect("a float"),
    }
}

fn to_array(host: &HostArray) -> anyhow::Result<Array> {
    let shape = &host.shape;
    let v = &host.values;
    Ok(match host.dtype {
        DType::F32 => {
            Array::from_slice(&v.iter().map(|x| parse_f32(x)).collect::<Vec<_>>(), shape)?
        }
        DType::I32 => Array::from_slice(
            &v.iter()
                .map(|x| x.parse::<i32>())
                .collect::<Result<Vec<_>, _>>()?,
            shape,
        )?,
        DType::I16 => Array::from_slice(
            &v.iter()
                .map(|x| x.parse::<i16>())
                .collect::<Result<Vec<_>, _>>()?,
            shape,
        )?,
        DType::U8 => Array::from_slice(
            &v.iter()
                .map(|x| x.parse::<u8>())
                .collect::<Result<Vec<_>, _>>()?,
            shape,
        )?,
        DType::Bool => Array::from_slice(&v.iter().map(|x| x == "1").collect::<Vec<_>>(), shape)?,
        other => panic!("unexpected dtype {other:?}"),
    })
}

/// An element read back: a float's bits, or any other element as an integer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Float(f32),
    Int(i64),
}

fn values_of(array: &Array) -> anyhow::Result<Vec<Value>> {
    let ints = |v: Vec<i64>| v.into_iter().map(Value::Int).collect();
    Ok(match array.dtype() {
        DType::F32 => array
            .to_vec::<f32>()?
            .into_iter()
            .map(Value::Float)
            .collect(),
        DType::I32 => ints(array.to_vec::<i32>()?.into_iter().map(i64::from).collect()),
        DType::I16 => ints(array.to_vec::<i16>()?.into_iter().map(i64::from).collect()),
        DType::U8 => ints(array.to_vec::<u8>()?.into_iter().map(i64::from).collect()),
        DType::Bool => ints(array.to_vec::<bool>()?.into_iter().map(i64::from).collect()),
        other => panic!("unexpected dtype {other:?}"),
    })
}

fn host_values(host: &HostArray) -> Vec<Value> {
    host.values
        .iter()
        .map(|x| match host.dtype {
            DType::F32 => Value::Float(parse_f32(x)),
            DType::Bool => Value::Int(i64::from(x == "1")),
            _ => Value::Int(x.parse().expect("an integer")),
        })
        .collect()
}

/// Whether `got` is `want`: bit for bit when `exact` (sort permutes its inputs), else floats
/// as numbers with NaN equal to NaN (the sign of a zero a cumulative op computes is
/// unspecified: XLA pads with +0.0).
fn same(got: Value, want: Value, exact: bool) -> bool {
    match (got, want) {
        (Value::Float(g), Value::Float(w)) if exact => g.to_bits() == w.to_bits(),
        (Value::Float(g), Value::Float(w)) => g == w || (g.is_nan() && w.is_nan()),
        (g, w) => g == w,
    }
}

/// The case's primitive applied to `args` (eagerly, or as traced by `jit`).
fn apply(case: &Case, args: &[Array]) -> Vec<Array> {
    let x = &args[0];
    match case.op.as_str() {
        "argmax" | "argmin" => {
            let index_dtype = parse_dtype(&case.params["index_dtype"]);
            let f = if case.op == "argmax" {
                lax::argmax
            } else {
                lax::argmin
            };
            vec![f(x, case.param("axis"), index_dtype)]
        }
        "sort" => {
            let refs: Vec<&Array> = args.iter().collect();
            lax::sort_with(
                &refs,
                lax::SortOptions::along(case.param("dimension") as isize)
                    .is_stable(case.flag("is_stable"))
                    .num_keys(case.param("num_keys")),
            )
        }
        op => {
            type Cumulative = fn(&Array, lax::CumulativeOptions) -> Array;
            let f: Cumulative = match op {
                "cumsum" => |x, o| lax::cumsum_with(x, o),
                "cumprod" => |x, o| lax::cumprod_with(x, o),
                "cummax" => |x, o| lax::cummax_with(x, o),
                "cummin" => |x, o| lax::cummin_with(x, o),
                other => panic!("unexpected op {other}"),
            };
            let axis = case.param("axis");
            let options = lax::CumulativeOptions::along(axis).reverse(case.flag("reverse"));
            vec![f(x, options)]
        }
    }
}

fn check(case: &Case, how: &str, got: &[Array]) -> anyhow::Result<()> {
    let context = || format!("line {}: {} {:?} ({how})", case.line, case.op, case.params);
    assert_eq!(got.len(), case.outputs.len(), "{}", context());
    for (g, want) in got.iter().zip(&case.outputs) {
        assert_eq!(g.dtype(), want.dtype, "{}", context());
        assert_eq!(g.shape(), want.shape.as_slice(), "{}", context());
        let (g, w) = (values_of(g)?, host_values(want));
        let exact = case.op == "sort";
        assert!(
            g.len() == w.len() && g.iter().zip(&w).all(|(&a, &b)| same(a, b, exact)),
            "{}: got {g:?}, want {w:?}",
            context()
        );
    }
    Ok(())
}

/// Runs every golden case of `ops` eagerly and under `jit`; returns how many ran.
fn run_golden(ops: &[&str]) -> anyhow::Result<usize> {
    let cases = golden(ops);
    for case in &cases {
        let args = case
            .inputs
            .iter()
            .map(to_array)
            .collect::<anyhow::Result<Vec<_>>>()?;
        check(case, "eager", &apply(case, &args))?;
        let jitted: Vec<Array> = jit(|xs: Vec<Array>| apply(case, &xs)).call(args)?;
        check(case, "jit", &jitted)?;
    }
    Ok(cases.len())
}

#[test]
fn argmax_and_argmin_match_numpy() -> anyhow::Result<()> {
    assert!(run_golden(&["argmax", "argmin"])? >= 40);
    Ok(())
}

#[test]
fn cumulative_reductions_match_numpy() -> anyhow::Result<()> {
    assert!(run_golden(&["cumsum", "cumprod", "cummax", "cummin"])? >= 100);
    Ok(())
}

#[test]
fn sort_matches_numpy() -> anyhow::Result<()> {
    assert!(run_golden(&["sort"])? >= 30);
    Ok(())
}

#[test]
fn argsort_and_sort_key_val() -> anyhow::Result<()> {
    let x = Array::from([3.0f32, -0.0, f32::NAN, 1.0, 0.0, 1.0]);
    let argsort = |x: Array| {
        let iota = lax::broadcasted_iota(DType::I32, x.shape(), 0);
        lax::sort_with([&x, &iota], lax::SortOptions::along(0)).swap_remove(1)
    };
    // NaN last; -0.0 and 0.0 tie, as do the 1.0s, and keep their input order.
    let want = [1, 4, 3, 5, 0, 2];
    assert_eq!(argsort(x.clone()).to_vec::<i32>()?, want);
    let jitted: Array = jit(argsort).call(x.clone())?;
    assert_eq!(jitted.to_vec::<i32>()?, want);

    let values = Array::from([10i32, 11, 12, 13, 14, 15]);
    let (keys, values) = lax::sort_key_val_with(&x, &values, lax::SortOptions::along(0));
    let keys = keys.to_vec::<f32>()?;
    assert_eq!(
        keys.iter().map(|k| k.to_bits()).collect::<Vec<_>>(),
        [-0.0f32, 0.0, 1.0, 1.0, 3.0, f32::NAN]
            .iter()
            .map(|k| k.to_bits())
            .collect::<Vec<_>>()
    );
    assert_eq!(values.to_vec::<i32>()?, [11, 14, 13, 15, 10, 12]);
    Ok(())
}

#[test]
fn complex_sort_and_cummax_are_lexicographic() -> anyhow::Result<()> {
    use rjax::Complex;
    let c = |re: f32, im: f32| Complex::new(re, im);
    let x = Array::from_slice(&[c(1.0, 2.0), c(0.0, 5.0), c(1.0, -1.0), c(0.0, 5.0)], &[4])?;
    let iota = lax::broadcasted_iota(DType::I32, &[4], 0);
    let sorted = lax::sort_with([&x, &iota], lax::SortOptions::along(0));
    assert_eq!(sorted[1].to_vec::<i32>()?, [1, 3, 2, 0]);
    let running = lax::cummax(&x).to_vec::<Complex<f32>>()?;
    assert_eq!(
        running,
        [c(1.0, 2.0), c(1.0, 2.0), c(1.0, 2.0), c(1.0, 2.0)]
    );
    let running = lax::cummin_with(&x, lax::CumulativeOptions::along(0).reverse(true))
        .to_vec::<Complex<f32>>()?;
    assert_eq!(
        running,
        [c(0.0, 5.0), c(0.0, 5.0), c(0.0, 5.0), c(0.0, 5.0)]
    );
    Ok(())
}

#[test]
fn jaxprs_print_params_as_jax() -> anyhow::Result<()> {
    // What JAX 0.10.2 prints for the same functions (`jax.make_jaxpr`).
    let x = Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let f = jit(|x: Array| lax::argmax(&x, 1, DType::I32));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[2,3]. let\n    b:i32[2] = argmax[axes=(1,) index_dtype=int32] a\n  in (b,) }"
    );
    let f = jit(|x: Array| lax::argmin(&x, 0, DType::I64));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[2,3]. let\n    b:i32[3] = argmin[axes=(0,) index_dtype=int32] a\n  in (b,) }"
    );
    let f = jit(|x: Array| lax::cumsum_with(&x, lax::CumulativeOptions::along(1).reverse(true)));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[2,3]. let b:f32[2,3] = cumsum[axis=1 reverse=True] a in (b,) }"
    );
    let f = jit(|x: Array| lax::cummin(&x));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[2,3]. let b:f32[2,3] = cummin[axis=0 reverse=False] a in (b,) }"
    );
    let f = jit(|x: Array| lax::sort_with([&x, &x], lax::SortOptions::along(0).num_keys(2)));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[2,3]. let\n    b:f32[2,3] c:f32[2,3] = sort[dimension=0 is_stable=True num_keys=2] a a\n  in (b, c) }"
    );
    Ok(())
}

#[test]
fn lowerings_follow_jax() -> anyhow::Result<()> {
    let x = Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let text = jit(|x: Array| lax::cumsum_with(&x, lax::CumulativeOptions::along(1)))
        .lower(&x)?
        .as_text()
        .to_string();
    assert!(text.contains("\"stablehlo.reduce_window\""), "{text}");
    assert!(
        text.contains("padding = dense<[[0, 0], [2, 0]]> : tensor<2x2xi64>"),
        "{text}"
    );
    assert!(
        text.contains("window_dimensions = array<i64: 1, 3>"),
        "{text}"
    );
    let ints = Array::from([[1i32, 2, 3], [4, 5, 6]]);
    let text = jit(|x: Array| lax::cummax_with(&x, lax::CumulativeOptions::along(0).reverse(true)))
        .lower(&ints)?
        .as_text()
        .to_string();
    assert!(
        text.contains("padding = dense<[[0, 1], [0, 0]]>") && text.contains("stablehlo.maximum"),
        "{text}"
    );
    let text = jit(|x: Array| lax::argmax(&x, 1, DType::I32))
        .lower(&x)?
        .as_text()
        .to_string();
    assert!(
        text.contains("\"stablehlo.reduce\"") && text.contains("\"stablehlo.iota\""),
        "{text}"
    );
    let text = jit(|x: Array| lax::sort_with([&x], lax::SortOptions::along(0)))
        .lower(&x)?
        .as_text()
        .to_string();
    assert!(text.contains("\"stablehlo.sort\""), "{text}");
    assert!(text.contains("is_stable = true"), "{text}");
    assert!(text.contains("comparison_type TOTALORDER"), "{text}");
    // The empty scan is the identity, as in JAX.
    let empty = Array::from_slice::<f32>(&[], &[0, 3])?;
    let text = jit(|x: Array| lax::cumprod(&x))
        .lower(&empty)?
        .as_text()
        .to_string();
    assert!(!text.contains("reduce_window"), "{text}");
    Ok(())
}

#[test]
fn cumulative_ops_and_sort_keep_weak_types_and_argmax_drops_them() -> anyhow::Result<()> {
    let x = Array::from([1.0f32, 2.0]) * 0.0 + 1.0;
    assert!(!x.weak_type());
    let f = jit(|x: Array| {
        let w = Array::weak(rjax::Scalar::Float(2.0));
        let w = lax::broadcast_in_dim(&w, x.shape(), &[]);
        (
            lax::cumsum(&w),
            lax::sort_with([&w], lax::SortOptions::along(0)).swap_remove(0),
            lax::argmax(&w, 0, DType::I32),
        )
    });
    let (c, s, a): (Array, Array, Array) = f.call(x)?;
    assert!(c.weak_type() && s.weak_type() && !a.weak_type());
    assert_eq!(c.to_vec::<f32>()?, [2.0, 4.0]);
    Ok(())
}

#[test]
fn misuse_panics_naming_the_op_and_the_types() {
    let x = Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let expect = |message: String, parts: &[&str]| {
        for part in parts {
            assert!(message.contains(part), "{part:?} not in {message:?}");
        }
    };
    expect(
        panic_message(|| {
            lax::argmax(&x, 2, DType::I32);
        }),
        &["argmax", "axis 2", "[2, 3]", "f32[2,3]"],
    );
    expect(
        panic_message(|| {
            lax::argmin(
                Array::from_slice::<f32>(&[], &[0, 3]).unwrap(),
                0,
                DType::I32,
            );
        }),
        &["argmin", "non-empty", "f32[0,3]"],
    );
    expect(
        panic_message(|| {
            lax::argmax(&x, 0, DType::F32);
        }),
        &["argmax", "index_dtype", "float32"],
    );
    expect(
        panic_message(|| {
            lax::cumsum_with(&x, lax::CumulativeOptions::along(2));
        }),
        &["cumsum", "axis 2", "f32[2,3]"],
    );
    expect(
        panic_message(|| {
            lax::cummax(Array::from([true, false]));
        }),
        &["cummax", "bool[2]"],
    );
    expect(
        panic_message(|| {
            lax::sort_with([&x], lax::SortOptions::along(2));
        }),
        &["sort", "dimension 2", "f32[2,3]"],
    );
    let y = Array::from([1i32, 2, 3]);
    expect(
        panic_message(|| {
            lax::sort_with([&x, &y], lax::SortOptions::along(0));
        }),
        &["sort", "equal shapes", "f32[2,3]", "i32[3]"],
    );
    expect(
        panic_message(|| {
            lax::sort_with([&x], lax::SortOptions::along(0).num_keys(2));
        }),
        &["sort", "num_keys=2"],
    );
    expect(
        panic_message(|| {
            lax::sort_with(Vec::<Array>::new(), lax::SortOptions::along(0));
        }),
        &["sort", "at least one operand"],
    );
    // Under jit the same errors arise at trace time.
    let f = jit(|x: Array| lax::cumprod_with(&x, lax::CumulativeOptions::along(5).reverse(true)));
    expect(
        panic_message(|| {
            let _ = f.call::<Array, Array, Array>(x.clone());
        }),
        &["cumprod", "axis 5", "f32[2,3]"],
    );
}
