//! Every primitive of `rjax::lax`, run eagerly and under `jit`, against values computed
//! independently by NumPy and SciPy (`tests/golden/primitives.txt`, made by
//! `tests/golden/primitives.py`, which documents the format), and the trace-time errors of
//! misuse.
//!
//! x64 mode is process-wide, so every test of this binary turns it on first: float64 and int64
//! cases keep their dtypes, and float32 cases are float32 inputs, which stay float32.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use half::{bf16, f16};
use rjax::lax::{self, DotDimensionNumbers};
use rjax::{Array, DType, jit};

const GOLDEN: &str = include_str!("golden/primitives.txt");

// --- the golden file ------------------------------------------------------------------------

/// The elements of an array, widened: every integer dtype fits `i128`, every float `f64`.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Bool(Vec<bool>),
    Int(Vec<i128>),
    Float(Vec<f64>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Bool(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }
}

/// An array of the golden file: `float32[2,3]:1.0,2.0,...`.
#[derive(Debug, Clone)]
struct Golden {
    dtype: DType,
    shape: Vec<usize>,
    values: Values,
    text: &'static str,
}

/// One line of the golden file.
#[derive(Debug)]
struct Case {
    line: usize,
    op: &'static str,
    params: BTreeMap<&'static str, &'static str>,
    oracle: &'static str,
    inputs: Vec<Golden>,
    expected: Golden,
}

impl Case {
    fn param(&self, key: &str) -> &'static str {
        self.params.get(key).unwrap_or_else(|| {
            panic!(
                "line {}: `{}` lacks the parameter `{key}`",
                self.line, self.op
            )
        })
    }

    fn list(&self, key: &str) -> Vec<usize> {
        parse_list(self.param(key))
    }

    fn dtype(&self, key: &str) -> DType {
        parse_dtype(self.param(key))
    }

    /// The case as the failure messages show it.
    fn describe(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let inputs: Vec<&str> = self.inputs.iter().map(|input| input.text).collect();
        format!(
            "golden line {} ({}): {}({}) of [{}]",
            self.line,
            self.oracle,
            self.op,
            params.join(" "),
            inputs.join(", ")
        )
    }
}

fn parse_dtype(name: &str) -> DType {
    *DType::ALL
        .iter()
        .find(|dtype| dtype.name() == name)
        .unwrap_or_else(|| panic!("unknown dtype `{name}`"))
}

fn parse_list(text: &str) -> Vec<usize> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|d| d.parse().unwrap_or_else(|_| panic!("bad list `{text}`")))
        .collect()
}

fn parse_array(text: &'static str) -> Golden {
    let (head, values) = text
        .split_once(':')
        .unwrap_or_else(|| panic!("bad array `{text}`"));
    let (dtype, dims) = head
        .strip_suffix(']')
        .and_then(|head| head.split_once('['))
        .unwrap_or_else(|| panic!("bad array `{text}`"));
    let dtype = parse_dtype(dtype);
    let shape = parse_list(dims);
    let tokens: Vec<&str> = if values.is_empty() {
        Vec::new()
    } else {
        values.split(',').collect()
    };
    let bad = |token: &str| -> ! { panic!("bad value `{token}` in `{text}`") };
    let values = if dtype == DType::Bool {
        Values::Bool(
            tokens
                .iter()
                .map(|&t| match t {
                    "0" => false,
                    "1" => true,
                    _ => bad(t),
                })
                .collect(),
        )
    } else if dtype.is_int() {
        Values::Int(
            tokens
                .iter()
                .map(|t| t.parse().unwrap_or_else(|_| bad(t)))
                .collect(),
        )
    } else {
        Values::Float(
            tokens
                .iter()
                .map(|t| t.parse().unwrap_or_else(|_| bad(t)))
                .collect(),
        )
    };
    assert_eq!(
        values.len(),
        shape.iter().product::<usize>(),
        "`{text}`: the values do not fill the shape"
    );
    Golden {
        dtype,
        shape,
        values,
        text,
    }
}

fn cases() -> Vec<Case> {
    GOLDEN
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(index, line)| {
            let fields: Vec<&'static str> = line.split('\t').collect();
            let [op, params, oracle, inputs, expected] = fields[..] else {
                panic!("golden line {}: expected 5 tab-separated fields", index + 1);
            };
            let params = if params == "-" {
                BTreeMap::new()
            } else {
                params
                    .split(' ')
                    .map(|pair| pair.split_once('=').expect("key=value"))
                    .collect()
            };
            let inputs = if inputs == "-" {
                Vec::new()
            } else {
                inputs.split(' ').map(parse_array).collect()
            };
            Case {
                line: index + 1,
                op,
                params,
                oracle,
                inputs,
                expected: parse_array(expected),
            }
        })
        .collect()
}

// --- arrays in and out ----------------------------------------------------------------------

fn to_array(golden: &Golden) -> Array {
    let shape = &golden.shape;
    let ints = || match &golden.values {
        Values::Int(v) => v.clone(),
        other => panic!("{other:?} are not integers"),
    };
    let floats = || match &golden.values {
        Values::Float(v) => v.clone(),
        other => panic!("{other:?} are not floats"),
    };
    // The golden values are exactly representable in their dtype, so these casts are exact.
    let array = match golden.dtype {
        DType::Bool => match &golden.values {
            Values::Bool(v) => Array::from_slice(v, shape),
            other => panic!("{other:?} are not bools"),
        },
        DType::I8 => Array::from_slice(&ints().iter().map(|&v| v as i8).collect::<Vec<_>>(), shape),
        DType::I16 => {
            Array::from_slice(&ints().iter().map(|&v| v as i16).collect::<Vec<_>>(), shape)
        }
        DType::I32 => {
            Array::from_slice(&ints().iter().map(|&v| v as i32).collect::<Vec<_>>(), shape)
        }
        DType::I64 => {
            Array::from_slice(&ints().iter().map(|&v| v as i64).collect::<Vec<_>>(), shape)
        }
        DType::U8 => Array::from_slice(&ints().iter().map(|&v| v as u8).collect::<Vec<_>>(), shape),
        DType::U16 => {
            Array::from_slice(&ints().iter().map(|&v| v as u16).collect::<Vec<_>>(), shape)
        }
        DType::U32 => {
            Array::from_slice(&ints().iter().map(|&v| v as u32).collect::<Vec<_>>(), shape)
        }
        DType::U64 => {
            Array::from_slice(&ints().iter().map(|&v| v as u64).collect::<Vec<_>>(), shape)
        }
        DType::F16 => Array::from_slice(
            &floats()
                .iter()
                .map(|&v| f16::from_f64(v))
                .collect::<Vec<_>>(),
            shape,
        ),
        DType::BF16 => Array::from_slice(
            &floats()
                .iter()
                .map(|&v| bf16::from_f64(v))
                .collect::<Vec<_>>(),
            shape,
        ),
        DType::F32 => Array::from_slice(
            &floats().iter().map(|&v| v as f32).collect::<Vec<_>>(),
            shape,
        ),
        DType::F64 => Array::from_slice(&floats(), shape),
        DType::C64 | DType::C128 | DType::Key(_) => panic!("no complex or key golden values"),
    }
    .expect("the golden values fill the shape");
    assert_eq!(
        array.dtype(),
        golden.dtype,
        "`{}` changed dtype on the way in (is x64 on?)",
        golden.text
    );
    array
}

fn read(array: &Array) -> rjax::Result<Values> {
    fn widen<T: rjax::Element, U>(array: &Array, f: impl Fn(T) -> U) -> rjax::Result<Vec<U>> {
        Ok(array.to_vec::<T>()?.into_iter().map(f).collect())
    }
    Ok(match array.dtype() {
        DType::Bool => Values::Bool(array.to_vec::<bool>()?),
        DType::I8 => Values::Int(widen(array, |v: i8| v.into())?),
        DType::I16 => Values::Int(widen(array, |v: i16| v.into())?),
        DType::I32 => Values::Int(widen(array, |v: i32| v.into())?),
        DType::I64 => Values::Int(widen(array, |v: i64| v.into())?),
        DType::U8 => Values::Int(widen(array, |v: u8| v.into())?),
        DType::U16 => Values::Int(widen(array, |v: u16| v.into())?),
        DType::U32 => Values::Int(widen(array, |v: u32| v.into())?),
        DType::U64 => Values::Int(widen(array, |v: u64| v.into())?),
        DType::F16 => Values::Float(widen(array, |v: f16| v.into())?),
        DType::BF16 => Values::Float(widen(array, |v: bf16| v.into())?),
        DType::F32 => Values::Float(widen(array, |v: f32| v.into())?),
        DType::F64 => Values::Float(array.to_vec::<f64>()?),
        DType::C64 | DType::C128 | DType::Key(_) => panic!("no complex or key results expected"),
    })
}

// --- applying a case ------------------------------------------------------------------------

/// The primitive of `case` applied to `x`: the same code runs eagerly and under `jit`.
fn apply(case: &Case, x: &[Array]) -> Array {
    let cases: Vec<&Array> = x.iter().skip(1).collect();
    match case.op {
        "neg" => lax::neg(&x[0]),
        "sign" => lax::sign(&x[0]),
        "floor" => lax::floor(&x[0]),
        "ceil" => lax::ceil(&x[0]),
        "round" => lax::round(&x[0]),
        "abs" => lax::abs(&x[0]),
        "exp" => lax::exp(&x[0]),
        "exp2" => lax::exp2(&x[0]),
        "log" => lax::log(&x[0]),
        "log1p" => lax::log1p(&x[0]),
        "expm1" => lax::expm1(&x[0]),
        "sqrt" => lax::sqrt(&x[0]),
        "rsqrt" => lax::rsqrt(&x[0]),
        "cbrt" => lax::cbrt(&x[0]),
        "sin" => lax::sin(&x[0]),
        "cos" => lax::cos(&x[0]),
        "tan" => lax::tan(&x[0]),
        "asin" => lax::asin(&x[0]),
        "acos" => lax::acos(&x[0]),
        "atan" => lax::atan(&x[0]),
        "sinh" => lax::sinh(&x[0]),
        "cosh" => lax::cosh(&x[0]),
        "tanh" => lax::tanh(&x[0]),
        "asinh" => lax::asinh(&x[0]),
        "acosh" => lax::acosh(&x[0]),
        "atanh" => lax::atanh(&x[0]),
        "logistic" => lax::logistic(&x[0]),
        "erf" => lax::erf(&x[0]),
        "erfc" => lax::erfc(&x[0]),
        "erf_inv" => lax::erf_inv(&x[0]),
        "lgamma" => lax::lgamma(&x[0]),
        "digamma" => lax::digamma(&x[0]),
        "not" => lax::not(&x[0]),
        "is_finite" => lax::is_finite(&x[0]),
        "copy" => lax::copy(&x[0]),
        "add" => lax::add(&x[0], &x[1]),
        "sub" => lax::sub(&x[0], &x[1]),
        "mul" => lax::mul(&x[0], &x[1]),
        "div" => lax::div(&x[0], &x[1]),
        "rem" => lax::rem(&x[0], &x[1]),
        "pow" => lax::pow(&x[0], &x[1]),
        "max" => lax::max(&x[0], &x[1]),
        "min" => lax::min(&x[0], &x[1]),
        "atan2" => lax::atan2(&x[0], &x[1]),
        "nextafter" => lax::nextafter(&x[0], &x[1]),
        "and" => lax::bitwise_and(&x[0], &x[1]),
        "or" => lax::bitwise_or(&x[0], &x[1]),
        "xor" => lax::bitwise_xor(&x[0], &x[1]),
        "shift_left" => lax::shift_left(&x[0], &x[1]),
        "shift_right_logical" => lax::shift_right_logical(&x[0], &x[1]),
        "shift_right_arithmetic" => lax::shift_right_arithmetic(&x[0], &x[1]),
        "eq" => lax::eq(&x[0], &x[1]),
        "ne" => lax::ne(&x[0], &x[1]),
        "lt" => lax::lt(&x[0], &x[1]),
        "le" => lax::le(&x[0], &x[1]),
        "gt" => lax::gt(&x[0], &x[1]),
        "ge" => lax::ge(&x[0], &x[1]),
        "select_n" => lax::select_n(&x[0], &cases),
        "clamp" => lax::clamp(&x[0], &x[1], &x[2]),
        "integer_pow" => lax::integer_pow(&x[0], case.param("y").parse().expect("an i32")),
        "convert_element_type" => lax::convert_element_type(&x[0], case.dtype("new_dtype")),
        "broadcast_in_dim" => lax::broadcast_in_dim(
            &x[0],
            &case.list("shape"),
            &case.list("broadcast_dimensions"),
        ),
        "reshape" => lax::reshape(&x[0], &case.list("new_sizes")),
        "transpose" => lax::transpose(&x[0], &case.list("permutation")),
        "squeeze" => lax::squeeze(&x[0], &case.list("dimensions")),
        "expand_dims" => lax::expand_dims(&x[0], &case.list("dimensions")),
        "iota" => lax::broadcasted_iota(
            case.dtype("dtype"),
            &case.list("shape"),
            case.param("dimension").parse().expect("a dimension"),
        ),
        "slice" => {
            let strides = case.params.get("strides").map(|s| parse_list(s));
            lax::slice(
                &x[0],
                &case.list("start_indices"),
                &case.list("limit_indices"),
                strides.as_deref(),
            )
        }
        "concatenate" => {
            let operands: Vec<&Array> = x.iter().collect();
            lax::concatenate(
                &operands,
                case.param("dimension").parse().expect("a dimension"),
            )
        }
        "reduce_sum" => lax::reduce_sum(&x[0], &case.list("axes")),
        "reduce_prod" => lax::reduce_prod(&x[0], &case.list("axes")),
        "reduce_max" => lax::reduce_max(&x[0], &case.list("axes")),
        "reduce_min" => lax::reduce_min(&x[0], &case.list("axes")),
        "reduce_and" => lax::reduce_and(&x[0], &case.list("axes")),
        "reduce_or" => lax::reduce_or(&x[0], &case.list("axes")),
        "dot_general" => lax::dot_general_with(
            &x[0],
            &x[1],
            DotDimensionNumbers {
                lhs_contracting: case.list("lhs_contracting"),
                rhs_contracting: case.list("rhs_contracting"),
                lhs_batch: case.list("lhs_batch"),
                rhs_batch: case.list("rhs_batch"),
            },
            lax::DotOptions::default().preferred_element_type(
                case.params
                    .get("preferred_element_type")
                    .map(|name| parse_dtype(name)),
            ),
        ),
        op => panic!("the test does not know the op `{op}`"),
    }
}

// --- tolerances -----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Tolerance {
    /// Equal, bit for bit up to NaN payloads: the sign of zero counts.
    Exact,
    /// `|got - want| <= rtol * |want| + atol`; infinities and NaN must match exactly.
    Close { rtol: f64, atol: f64 },
}

/// The tolerance for `op` with a result of `dtype`.
///
/// Integer, bool and structural results, and float operations that IEEE 754 rounds correctly
/// (add, sub, mul, div, sqrt, rem, floor, conversions, ...) or that only move or pick values
/// (max, select_n, nextafter, ...) are exact. The rest were evaluated in float64 by NumPy or
/// SciPy at the exact inputs. 2e-6 relative is 17 float32 epsilons; XLA's float32 results are
/// within 5 (the largest, erf_inv's, is 5.8e-7 relative) except lgamma's and digamma's, below.
/// Its float64 results are within 1e-12 (the largest error, digamma's, is 2.2e-14; the others
/// are below 2e-15).
fn tolerance(op: &str, dtype: DType) -> Tolerance {
    const APPROXIMATE: &[&str] = &[
        "exp",
        "exp2",
        "log",
        "log1p",
        "expm1",
        "rsqrt",
        "cbrt",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "logistic",
        "erf",
        "erfc",
        "erf_inv",
        "lgamma",
        "digamma",
        "pow",
        "atan2",
        // Repeated multiplication rounds at each step.
        "integer_pow",
        // The order of the additions is XLA's.
        "reduce_sum",
        "reduce_prod",
        "dot_general",
    ];
    if !dtype.is_float() || !APPROXIMATE.contains(&op) {
        return Tolerance::Exact;
    }
    match (dtype, op) {
        // XLA's float32 lgamma and digamma are Lanczos approximations evaluated in float32:
        // their error is a few ulp of the intermediate terms, not of the result, so near the
        // roots (lgamma(1.5) = -0.12, digamma(1.5) = 0.036) it is absolute, about 3e-7.
        // JAX's own results differ from SciPy's by as much.
        (DType::F32, "lgamma" | "digamma") => Tolerance::Close {
            rtol: 2e-6,
            atol: 1e-6,
        },
        (DType::F32, _) => Tolerance::Close {
            rtol: 2e-6,
            atol: 0.0,
        },
        (DType::F64, _) => Tolerance::Close {
            rtol: 1e-12,
            atol: 0.0,
        },
        _ => panic!("no tolerance for {op} on {dtype}"),
    }
}

fn floats_match(got: f64, want: f64, tolerance: Tolerance) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    match tolerance {
        Tolerance::Exact => got.to_bits() == want.to_bits(),
        Tolerance::Close { rtol, atol } => {
            if want.is_infinite() || got.is_infinite() {
                got == want
            } else {
                (got - want).abs() <= rtol * want.abs() + atol
            }
        }
    }
}

/// Why `got` does not match the case's expectation, if it does not.
fn mismatch(case: &Case, got: &Array) -> Option<String> {
    let want = &case.expected;
    if got.dtype() != want.dtype || got.shape() != want.shape.as_slice() {
        return Some(format!(
            "got type {}{:?}, expected {}",
            got.dtype(),
            got.shape(),
            want.text
        ));
    }
    if got.weak_type() {
        return Some("the result is weakly typed; strong inputs give strong results".into());
    }
    let values = match read(got) {
        Ok(values) => values,
        Err(error) => return Some(format!("reading the result failed: {error}")),
    };
    let tolerance = tolerance(case.op, want.dtype);
    let bad: Vec<usize> = match (&values, &want.values) {
        (Values::Bool(g), Values::Bool(w)) => (0..w.len()).filter(|&i| g[i] != w[i]).collect(),
        (Values::Int(g), Values::Int(w)) => (0..w.len()).filter(|&i| g[i] != w[i]).collect(),
        (Values::Float(g), Values::Float(w)) => (0..w.len())
            .filter(|&i| !floats_match(g[i], w[i], tolerance))
            .collect(),
        _ => return Some(format!("got {values:?}, expected {}", want.text)),
    };
    if bad.is_empty() {
        return None;
    }
    let show = |values: &Values, i: usize| match values {
        Values::Bool(v) => format!("{}", v[i]),
        Values::Int(v) => format!("{}", v[i]),
        Values::Float(v) => format!("{:e}", v[i]),
    };
    let details: Vec<String> = bad
        .iter()
        .take(6)
        .map(|&i| {
            format!(
                "[{i}] got {} want {}",
                show(&values, i),
                show(&want.values, i)
            )
        })
        .collect();
    Some(format!(
        "{} of {} elements differ ({tolerance:?}): {}",
        bad.len(),
        want.values.len(),
        details.join(", ")
    ))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs `case` eagerly and under `jit`; the failures, described.
fn check(case: &Case) -> Vec<String> {
    let inputs: Vec<Array> = case.inputs.iter().map(to_array).collect();
    let mut failures = Vec::new();
    let eager = catch_unwind(AssertUnwindSafe(|| apply(case, &inputs)));
    let jitted = catch_unwind(AssertUnwindSafe(|| {
        jit(|x: Vec<Array>| apply(case, &x)).call(inputs.clone())
    }));
    let results = [("eager", eager.map(Ok)), ("jit", jitted)];
    for (mode, result) in results {
        let problem = match result {
            Err(payload) => Some(format!("panicked: {}", panic_message(&*payload))),
            Ok(Err(error)) => Some(format!("failed: {error}")),
            Ok(Ok(got)) => mismatch(case, &got),
        };
        if let Some(problem) = problem {
            failures.push(format!(
                "{} [{mode}]\n    expected {}\n    {problem}",
                case.describe(),
                case.expected.text
            ));
        }
    }
    failures
}

/// Checks every golden case whose op is in `ops`, reporting all failures at once.
fn check_ops(ops: &[&str]) {
    rjax::config::enable_x64(true);
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| ops.contains(&c.op))
        .collect();
    for op in ops {
        assert!(
            cases.iter().any(|case| case.op == *op),
            "the golden file has no case of `{op}`"
        );
    }
    let failures: Vec<String> = cases.iter().flat_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        2 * cases.len(),
        failures.join("\n")
    );
}

const UNARY: &[&str] = &[
    "neg",
    "sign",
    "floor",
    "ceil",
    "round",
    "abs",
    "exp",
    "exp2",
    "log",
    "log1p",
    "expm1",
    "sqrt",
    "rsqrt",
    "cbrt",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "logistic",
    "erf",
    "erfc",
    "erf_inv",
    "lgamma",
    "digamma",
    "not",
    "is_finite",
    "copy",
];
const BINARY: &[&str] = &[
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "pow",
    "max",
    "min",
    "atan2",
    "nextafter",
    "and",
    "or",
    "xor",
    "shift_left",
    "shift_right_logical",
    "shift_right_arithmetic",
];
const COMPARISONS: &[&str] = &["eq", "ne", "lt", "le", "gt", "ge"];
const OTHER_ELEMENTWISE: &[&str] = &["select_n", "clamp", "integer_pow", "convert_element_type"];
const STRUCTURAL: &[&str] = &[
    "broadcast_in_dim",
    "reshape",
    "transpose",
    "squeeze",
    "expand_dims",
    "iota",
    "slice",
    "concatenate",
];
const REDUCTIONS: &[&str] = &[
    "reduce_sum",
    "reduce_prod",
    "reduce_max",
    "reduce_min",
    "reduce_and",
    "reduce_or",
];
const DOT: &[&str] = &["dot_general"];

#[test]
fn golden_file_is_covered() {
    let groups = [
        UNARY,
        BINARY,
        COMPARISONS,
        OTHER_ELEMENTWISE,
        STRUCTURAL,
        REDUCTIONS,
        DOT,
    ];
    let cases = cases();
    assert!(cases.len() > 500, "only {} golden cases", cases.len());
    for case in &cases {
        assert!(
            groups.iter().any(|group| group.contains(&case.op)),
            "golden line {}: no test checks `{}`",
            case.line,
            case.op
        );
        assert!(
            ["numpy", "scipy", "jax"].contains(&case.oracle),
            "golden line {}: unknown oracle `{}`",
            case.line,
            case.oracle
        );
    }
}

#[test]
fn unary_ops_match_numpy() {
    check_ops(UNARY);
}

#[test]
fn binary_ops_match_numpy() {
    check_ops(BINARY);
}

#[test]
fn comparisons_match_numpy() {
    check_ops(COMPARISONS);
}

#[test]
fn select_clamp_integer_pow_and_convert_match_numpy() {
    check_ops(OTHER_ELEMENTWISE);
}

#[test]
fn structural_ops_match_numpy() {
    check_ops(STRUCTURAL);
}

#[test]
fn reductions_match_numpy() {
    check_ops(REDUCTIONS);
}

#[test]
fn dot_general_matches_numpy() {
    check_ops(DOT);
}
