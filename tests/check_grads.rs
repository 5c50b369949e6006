//! `rjax::test_util::check_grads` on every differentiable primitive of `rjax::lax`: forward and
//! reverse mode, orders 1 and 2, eagerly and under `jit`, at random points of each primitive's
//! domain (f64, x64 mode, which is process-wide in this test binary; also f32 and complex128
//! inputs), and the checker's own behaviour (it catches a wrong derivative, reports bad options
//! and passes errors through).
//!
//! Only `polygamma`'s order `m` has no derivative (as in JAX); `polygamma` is checked in `x`.
//!
//! Primitives with integer or boolean outputs (comparisons, `is_finite`, `argmax`, `argmin`)
//! appear beside differentiable outputs or inside `select_n`, where their values are checked;
//! `iota`, the bitwise operations, `nextafter` and `bitcast_convert_type` are not
//! differentiable and not covered.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use rjax::lax::{
    self, DotDimensionNumbers, GatherDimensionNumbers, GatherOptions, GatherScatterMode,
    ScatterDimensionNumbers, ScatterOptions,
};
use rjax::test_util::{CheckGrads, Mode, Rng, check_grads};
use rjax::{Array, DType, Scalar, custom_jvp, custom_vjp, jit};

fn x64() {
    rjax::config::enable_x64(true);
}

/// A function of several arrays with several outputs.
type Multi = Rc<dyn Fn(&[Array]) -> Vec<Array>>;

/// One primitive at one point.
struct Case {
    name: String,
    f: Multi,
    args: Vec<Array>,
    check: CheckGrads,
}

fn case(name: &str, args: Vec<Array>, f: impl Fn(&[Array]) -> Vec<Array> + 'static) -> Case {
    Case {
        name: name.to_string(),
        f: Rc::new(f),
        args,
        check: CheckGrads::new(2),
    }
}

/// A single-output case.
fn case1(name: &str, args: Vec<Array>, f: impl Fn(&[Array]) -> Array + 'static) -> Case {
    case(name, args, move |xs| vec![f(xs)])
}

impl Case {
    /// Other options for this case (a larger step for an iteratively computed primitive).
    fn with(mut self, check: CheckGrads) -> Self {
        self.check = check;
        self
    }
}

/// The message of a panic payload.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".to_string())
}

/// Runs every case at orders 1 and 2 (the order-2 check includes order 1's), in both modes,
/// eagerly and under `jit`; returns `(check, message)` for every failing check.
fn failures(cases: Vec<Case>) -> Vec<(String, String)> {
    x64();
    let mut failures = Vec::new();
    for case in cases {
        let f = case.f.clone();
        let eager = catch_unwind(AssertUnwindSafe(|| {
            case.check.check(|xs: Vec<Array>| f(&xs), case.args.clone())
        }));
        let jitted = jit(move |xs: Vec<Array>| f(&xs));
        let staged = catch_unwind(AssertUnwindSafe(|| {
            case.check.check(
                |xs: Vec<Array>| -> rjax::Result<Vec<Array>> { jitted.call(xs) },
                case.args.clone(),
            )
        }));
        for (how, outcome) in [("eager", eager), ("jit", staged)] {
            let message = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(error)) => error.to_string(),
                Err(panic) => format!("panicked: {}", panic_text(panic)),
            };
            failures.push((format!("{} ({how})", case.name), message));
        }
    }
    failures
}

/// [`failures`], asserting there are none.
fn run(cases: Vec<Case>) {
    let total = 2 * cases.len();
    let failed = failures(cases);
    assert!(
        failed.is_empty(),
        "{} of {total} checks failed:\n{}",
        failed.len(),
        failed
            .iter()
            .map(|(check, message)| format!("{check}: {message}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn uniform(rng: &mut Rng, shape: &[usize], low: f64, high: f64) -> Array {
    rng.uniform_array(shape, DType::F64, low, high)
        .expect("an f64 array")
}

fn normal(rng: &mut Rng, shape: &[usize]) -> Array {
    rng.normal_array(shape, DType::F64).expect("an f64 array")
}

/// Values of magnitude in [0.5, 2) with random signs: away from zero.
fn signed(rng: &mut Rng, shape: &[usize]) -> Array {
    let count = shape.iter().product();
    let values: Vec<f64> = (0..count)
        .map(|_| {
            let magnitude = rng.uniform(0.5, 2.0);
            if rng.uniform(0.0, 1.0) < 0.5 {
                -magnitude
            } else {
                magnitude
            }
        })
        .collect();
    Array::from_slice(&values, shape).expect("an f64 array")
}

fn ints(values: &[i32], shape: &[usize]) -> Array {
    Array::from_slice(values, shape).expect("an i32 array")
}

const SHAPE: [usize; 2] = [2, 3];

// ----------------------------------------------------------------------------------------------
// elementwise

#[test]
fn unary_primitives() {
    x64();
    let mut rng = Rng::new(1);
    type Unary = fn(&Array) -> Array;
    // Each operation with the interval its inputs are drawn from.
    let ops: [(&str, Unary, f64, f64); 29] = [
        ("neg", lax::neg, -2.0, 2.0),
        ("sign", lax::sign, -2.0, 2.0),
        ("floor", lax::floor, -2.0, 2.0),
        ("ceil", lax::ceil, -2.0, 2.0),
        ("round", lax::round, -2.0, 2.0),
        ("exp", lax::exp, -2.0, 2.0),
        ("exp2", lax::exp2, -2.0, 2.0),
        ("log", lax::log, 0.5, 2.0),
        ("log1p", lax::log1p, -0.5, 2.0),
        ("expm1", lax::expm1, -2.0, 2.0),
        ("sqrt", lax::sqrt, 0.5, 2.0),
        ("rsqrt", lax::rsqrt, 0.5, 2.0),
        ("sin", lax::sin, -3.0, 3.0),
        ("cos", lax::cos, -3.0, 3.0),
        ("tan", lax::tan, -1.0, 1.0),
        ("asin", lax::asin, -0.8, 0.8),
        ("acos", lax::acos, -0.8, 0.8),
        ("atan", lax::atan, -2.0, 2.0),
        ("sinh", lax::sinh, -2.0, 2.0),
        ("cosh", lax::cosh, -2.0, 2.0),
        ("tanh", lax::tanh, -2.0, 2.0),
        ("asinh", lax::asinh, -2.0, 2.0),
        ("acosh", lax::acosh, 1.5, 3.0),
        ("atanh", lax::atanh, -0.8, 0.8),
        ("logistic", lax::logistic, -3.0, 3.0),
        ("erf", lax::erf, -1.5, 1.5),
        ("erfc", lax::erfc, -1.5, 1.5),
        ("erf_inv", lax::erf_inv, -0.8, 0.8),
        ("copy", lax::copy, -2.0, 2.0),
    ];
    let mut cases: Vec<Case> = ops
        .iter()
        .map(|&(name, op, low, high)| {
            case1(
                name,
                vec![uniform(&mut rng, &SHAPE, low, high)],
                move |xs| op(&xs[0]),
            )
        })
        .collect();
    // Away from their kinks and singularities at zero.
    cases.push(case1("abs", vec![signed(&mut rng, &SHAPE)], |xs| {
        lax::abs(&xs[0])
    }));
    cases.push(case1("cbrt", vec![signed(&mut rng, &SHAPE)], |xs| {
        lax::cbrt(&xs[0])
    }));
    cases.push(case1(
        "lgamma",
        vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
        |xs| lax::lgamma(&xs[0]),
    ));
    cases.push(case1(
        "digamma",
        vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
        |xs| lax::digamma(&xs[0]),
    ));
    run(cases);
}

#[test]
fn binary_primitives() {
    x64();
    let mut rng = Rng::new(2);
    type Binary = fn(&Array, &Array) -> Array;
    /// The interval inputs are drawn from.
    type Interval = (f64, f64);
    let any = (-2.0, 2.0);
    let ops: [(&str, Binary, Interval, Interval); 9] = [
        ("add", lax::add, any, any),
        ("sub", lax::sub, any, any),
        ("mul", lax::mul, any, any),
        ("div", lax::div, any, (0.5, 2.0)),
        ("rem", lax::rem, (-3.0, 3.0), (0.6, 1.4)),
        ("pow", lax::pow, (0.5, 2.0), (-1.5, 1.5)),
        ("max", lax::max, any, any),
        ("min", lax::min, any, any),
        ("atan2", lax::atan2, any, any),
    ];
    let mut cases: Vec<Case> = ops
        .iter()
        .map(|&(name, op, (xl, xh), (yl, yh))| {
            let args = vec![
                uniform(&mut rng, &SHAPE, xl, xh),
                uniform(&mut rng, &SHAPE, yl, yh),
            ];
            case1(name, args, move |xs| op(&xs[0], &xs[1]))
        })
        .collect();
    // The order m is not differentiable (as in JAX): a constant.
    for m in [0.0, 1.0, 2.0] {
        let order = Array::from_slice(&[m; 6], &SHAPE).unwrap();
        cases.push(case1(
            &format!("polygamma m={m}"),
            vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
            move |xs| lax::polygamma(&order, &xs[0]),
        ));
    }
    run(cases);
}

#[test]
fn select_n_clamp_integer_pow_and_convert() {
    x64();
    let mut rng = Rng::new(3);
    let which = Array::from_slice(&[true, false, true, false, false, true], &SHAPE).unwrap();
    let which3 = ints(&[0, 1, 2, 2, 1, 0], &SHAPE);
    let mut cases = vec![
        case1(
            "select_n (bool)",
            vec![normal(&mut rng, &SHAPE), normal(&mut rng, &SHAPE)],
            move |xs| lax::select_n(&which, &[&xs[0], &xs[1]]),
        ),
        case1(
            "select_n (int32, three cases)",
            vec![
                normal(&mut rng, &SHAPE),
                normal(&mut rng, &SHAPE),
                normal(&mut rng, &SHAPE),
            ],
            move |xs| lax::select_n(&which3, &[&xs[0], &xs[1], &xs[2]]),
        ),
        // A data-dependent selection: comparisons inside a differentiable function.
        case1(
            "select_n of lt",
            vec![normal(&mut rng, &SHAPE), normal(&mut rng, &SHAPE)],
            |xs| lax::select_n(&lax::lt(&xs[0], &xs[1]), &[&xs[0], &xs[1]]),
        ),
        case1(
            "clamp",
            vec![
                uniform(&mut rng, &SHAPE, -1.0, -0.5),
                uniform(&mut rng, &SHAPE, -2.0, 2.0),
                uniform(&mut rng, &SHAPE, 0.5, 1.0),
            ],
            |xs| lax::clamp(&xs[0], &xs[1], &xs[2]),
        ),
    ];
    for y in [0, 1, 2, 3, -1, -3] {
        cases.push(case1(
            &format!("integer_pow y={y}"),
            vec![signed(&mut rng, &SHAPE)],
            move |xs| lax::integer_pow(&xs[0], y),
        ));
    }
    // At order 2 the VJP function maps f64 to f64 through f32 (the cotangent is rounded to
    // f32 and back): its finite differences have f32's precision.
    cases.push(
        case1(
            "convert_element_type f64 -> f32",
            vec![normal(&mut rng, &SHAPE)],
            |xs| lax::convert_element_type(&xs[0], DType::F32),
        )
        .with(CheckGrads::new(2).atol(2e-3).rtol(2e-3)),
    );
    let x32 = Array::from_slice(&[0.25f32, -1.5, 2.0, 0.75, -0.125, 1.25], &SHAPE).unwrap();
    cases.push(case1("convert_element_type f32 -> f64", vec![x32], |xs| {
        lax::convert_element_type(&xs[0], DType::F64)
    }));
    cases.push(case1(
        "convert_element_type f64 -> f64",
        vec![normal(&mut rng, &SHAPE)],
        |xs| lax::convert_element_type(&xs[0], DType::F64),
    ));
    // An integer output has a zero tangent; its primal is still checked.
    cases.push(case(
        "convert_element_type f64 -> i32 beside a float output",
        vec![uniform(&mut rng, &SHAPE, -3.0, 3.0)],
        |xs| {
            vec![
                lax::convert_element_type(&xs[0], DType::I32),
                lax::sin(&xs[0]),
            ]
        },
    ));
    cases.push(case(
        "argmax, argmin and is_finite beside a float output",
        vec![normal(&mut rng, &[3, 4])],
        |xs| {
            vec![
                lax::argmax(&xs[0], 1, DType::I32),
                lax::argmin(&xs[0], 0, DType::I32),
                lax::is_finite(&xs[0]),
                lax::exp(&xs[0]),
            ]
        },
    ));
    run(cases);
}

// ----------------------------------------------------------------------------------------------
// shapes, reductions, contractions

#[test]
fn shape_primitives() {
    x64();
    let mut rng = Rng::new(4);
    let cases = vec![
        case1("broadcast_in_dim", vec![normal(&mut rng, &[3])], |xs| {
            lax::broadcast_in_dim(&xs[0], &[2, 3, 4], &[1])
        }),
        case1(
            "broadcast_in_dim of a scalar",
            vec![normal(&mut rng, &[])],
            |xs| lax::broadcast_in_dim(&xs[0], &[2, 2], &[]),
        ),
        case1("reshape", vec![normal(&mut rng, &[2, 3, 2])], |xs| {
            lax::reshape(&xs[0], &[3, 4])
        }),
        case1("transpose", vec![normal(&mut rng, &[2, 3, 4])], |xs| {
            lax::transpose(&xs[0], &[2, 0, 1])
        }),
        case1("squeeze", vec![normal(&mut rng, &[2, 1, 3, 1])], |xs| {
            lax::squeeze(&xs[0], &[1, 3])
        }),
        case1("expand_dims", vec![normal(&mut rng, &SHAPE)], |xs| {
            lax::expand_dims(&xs[0], &[0, 2])
        }),
        case1("slice", vec![normal(&mut rng, &[4, 5])], |xs| {
            lax::slice(&xs[0], &[1, 0], &[4, 4], None)
        }),
        case1(
            "slice with strides",
            vec![normal(&mut rng, &[4, 5])],
            |xs| lax::slice(&xs[0], &[0, 1], &[4, 5], Some(&[2, 3])),
        ),
        case1(
            "concatenate",
            vec![
                normal(&mut rng, &[2, 1]),
                normal(&mut rng, &[2, 3]),
                normal(&mut rng, &[2, 2]),
            ],
            |xs| lax::concatenate(&[&xs[0], &xs[1], &xs[2]], 1),
        ),
        case1("rev", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::rev(&xs[0], &[0, 1])
        }),
        case1(
            "pad (low, high, interior)",
            vec![normal(&mut rng, &[2, 3]), normal(&mut rng, &[])],
            |xs| lax::pad(&xs[0], &xs[1], &[(1, 2, 1), (0, 1, 0)]),
        ),
        case1(
            "pad (negative edges)",
            vec![normal(&mut rng, &[4, 3]), normal(&mut rng, &[])],
            |xs| lax::pad(&xs[0], &xs[1], &[(-1, 1, 0), (1, -2, 1)]),
        ),
    ];
    run(cases);
}

#[test]
fn reductions() {
    x64();
    let mut rng = Rng::new(5);
    let cases = vec![
        case1("reduce_sum axis 1", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::reduce_sum(&xs[0], &[1])
        }),
        case1("reduce_sum all", vec![normal(&mut rng, &[2, 3, 2])], |xs| {
            lax::reduce_sum(&xs[0], &[0, 1, 2])
        }),
        case1(
            "reduce_prod axis 0",
            vec![signed(&mut rng, &[3, 4])],
            |xs| lax::reduce_prod(&xs[0], &[0]),
        ),
        case1("reduce_prod all", vec![signed(&mut rng, &[2, 3])], |xs| {
            lax::reduce_prod(&xs[0], &[0, 1])
        }),
        case1("reduce_max axis 1", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::reduce_max(&xs[0], &[1])
        }),
        case1(
            "reduce_min axes 0, 2",
            vec![normal(&mut rng, &[2, 3, 2])],
            |xs| lax::reduce_min(&xs[0], &[0, 2]),
        ),
    ];
    run(cases);
}

#[test]
fn cumulative_reductions_and_sort() {
    x64();
    let mut rng = Rng::new(12);
    let cases = vec![
        case1("cumsum axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cumsum(&xs[0], 0, false)
        }),
        case1(
            "cumsum axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cumsum(&xs[0], 1, true),
        ),
        case1("cumprod axis 0", vec![signed(&mut rng, &[4, 3])], |xs| {
            lax::cumprod(&xs[0], 0, false)
        }),
        case1(
            "cumprod axis 1 reverse",
            vec![signed(&mut rng, &[4, 3])],
            |xs| lax::cumprod(&xs[0], 1, true),
        ),
        case1("cummax axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cummax(&xs[0], 0, false)
        }),
        case1(
            "cummax axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cummax(&xs[0], 1, true),
        ),
        case1("cummin axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cummin(&xs[0], 0, false)
        }),
        case1(
            "cummin axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cummin(&xs[0], 1, true),
        ),
        case("sort", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::sort(&[&xs[0]], 1, true, 1)
        }),
        case("sort axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::sort(&[&xs[0]], 0, false, 1)
        }),
        case(
            "sort_key_val",
            vec![normal(&mut rng, &[5]), normal(&mut rng, &[5])],
            |xs| {
                let (k, v) = lax::sort_key_val(&xs[0], &xs[1], 0, true);
                vec![k, v]
            },
        ),
        // Three operands sorted by the first two keys (the first has no ties: the second
        // key does not matter, but its values travel).
        case(
            "sort of three operands, two keys",
            vec![
                normal(&mut rng, &[2, 4]),
                normal(&mut rng, &[2, 4]),
                normal(&mut rng, &[2, 4]),
            ],
            |xs| lax::sort(&[&xs[0], &xs[1], &xs[2]], 1, true, 2),
        ),
    ];
    run(cases);
}

#[test]
fn dot_general() {
    x64();
    let mut rng = Rng::new(6);
    let matmul = DotDimensionNumbers {
        lhs_contracting: vec![1],
        rhs_contracting: vec![0],
        ..DotDimensionNumbers::default()
    };
    let batched = DotDimensionNumbers {
        lhs_contracting: vec![2],
        rhs_contracting: vec![1],
        lhs_batch: vec![0],
        rhs_batch: vec![0],
    };
    let two_contractions = DotDimensionNumbers {
        lhs_contracting: vec![0, 2],
        rhs_contracting: vec![2, 0],
        ..DotDimensionNumbers::default()
    };
    let outer = DotDimensionNumbers::default();
    let cases = vec![
        case1(
            "dot_general matmul",
            vec![normal(&mut rng, &[2, 3]), normal(&mut rng, &[3, 4])],
            move |xs| lax::dot_general(&xs[0], &xs[1], matmul.clone(), None),
        ),
        case1(
            "dot_general batched",
            vec![normal(&mut rng, &[2, 3, 4]), normal(&mut rng, &[2, 4, 2])],
            move |xs| lax::dot_general(&xs[0], &xs[1], batched.clone(), Some(DType::F64)),
        ),
        case1(
            "dot_general two contractions",
            vec![normal(&mut rng, &[2, 3, 4]), normal(&mut rng, &[4, 5, 2])],
            move |xs| lax::dot_general(&xs[0], &xs[1], two_contractions.clone(), None),
        ),
        case1(
            "dot_general outer product",
            vec![normal(&mut rng, &[3]), normal(&mut rng, &[2])],
            move |xs| lax::dot_general(&xs[0], &xs[1], outer.clone(), None),
        ),
    ];
    run(cases);
}

// ----------------------------------------------------------------------------------------------
// indexing

/// Rows of a `[rows, cols]` operand: `operand[indices[i, 0], :]`.
fn take_rows() -> GatherDimensionNumbers {
    GatherDimensionNumbers {
        offset_dims: vec![1],
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0],
        ..GatherDimensionNumbers::default()
    }
}

/// Rows of a `[rows, cols]` operand, as a scatter: `operand[indices[i, 0], :] op= updates[i]`.
fn scatter_rows() -> ScatterDimensionNumbers {
    ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..ScatterDimensionNumbers::default()
    }
}

#[test]
fn indexing_primitives() {
    x64();
    let mut rng = Rng::new(7);
    let (i1, i2, i9) = (Array::from(1i32), Array::from(2i32), Array::from(9i32));
    let (j1, j2) = (i1.clone(), i2.clone());
    let rows = ints(&[0, 3, 3, 1], &[4, 1]);
    let points = ints(&[0, 2, 1, 1, 2, 0], &[3, 2]);
    let rows_oob = ints(&[4, 7, 0], &[3, 1]);
    let rows_oob2 = rows_oob.clone();
    let rows_oob_fill = rows_oob.clone();
    let rows4 = rows.clone();
    let elements = GatherDimensionNumbers {
        collapsed_slice_dims: vec![0, 1],
        start_index_map: vec![0, 1],
        ..GatherDimensionNumbers::default()
    };
    let cases = vec![
        case1(
            "dynamic_slice",
            vec![normal(&mut rng, &[4, 5])],
            move |xs| lax::dynamic_slice(&xs[0], &[&i1, &i2], &[2, 3]),
        ),
        case1(
            "dynamic_slice (start clamped)",
            vec![normal(&mut rng, &[4, 5])],
            move |xs| lax::dynamic_slice(&xs[0], &[&i9, &j1], &[2, 2]),
        ),
        case1(
            "dynamic_update_slice",
            vec![normal(&mut rng, &[4, 5]), normal(&mut rng, &[2, 3])],
            move |xs| lax::dynamic_update_slice(&xs[0], &xs[1], &[&j2, &j2]),
        ),
        case1(
            "gather rows (repeated)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                lax::gather(
                    &xs[0],
                    &rows,
                    take_rows(),
                    &[1, 3],
                    GatherScatterMode::PromiseInBounds,
                )
            },
        ),
        case1(
            "gather elements (clip)",
            vec![normal(&mut rng, &[3, 3])],
            move |xs| {
                lax::gather(
                    &xs[0],
                    &points,
                    elements.clone(),
                    &[1, 1],
                    GatherScatterMode::Clip,
                )
            },
        ),
        case1(
            "gather rows (fill 0 out of bounds)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                let options = GatherOptions {
                    fill_value: Some(Scalar::Float(0.0)),
                    ..GatherScatterMode::FillOrDrop.into()
                };
                lax::gather(&xs[0], &rows_oob, take_rows(), &[1, 3], options)
            },
        ),
        case1(
            "gather rows (fill 0.5 out of bounds: a constant, whose tangent is 0)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                let options = GatherOptions {
                    fill_value: Some(Scalar::Float(0.5)),
                    ..GatherScatterMode::FillOrDrop.into()
                };
                lax::gather(&xs[0], &rows_oob_fill, take_rows(), &[1, 3], options)
            },
        ),
        case1(
            "scatter_add (an out-of-bounds window dropped)",
            vec![normal(&mut rng, &[5, 3]), normal(&mut rng, &[3, 3])],
            move |xs| {
                lax::scatter_add(
                    &xs[0],
                    &rows_oob2,
                    &xs[1],
                    scatter_rows(),
                    GatherScatterMode::FillOrDrop,
                )
            },
        ),
        case1(
            "gather of scatter_add",
            vec![normal(&mut rng, &[5, 3]), normal(&mut rng, &[4, 3])],
            move |xs| {
                let scattered = lax::scatter_add(
                    &xs[0],
                    &rows4,
                    &xs[1],
                    scatter_rows(),
                    GatherScatterMode::FillOrDrop,
                );
                lax::gather(
                    &lax::sin(&scattered),
                    &rows4,
                    take_rows(),
                    &[1, 3],
                    GatherScatterMode::PromiseInBounds,
                )
            },
        ),
    ];
    run(cases);
}

#[test]
fn scatters() {
    x64();
    let mut rng = Rng::new(14);
    let unique = ints(&[0, 3, 1, 4], &[4, 1]);
    let repeated = ints(&[0, 3, 3, 1], &[4, 1]);
    type Scatter = fn(&Array, &Array, &Array, ScatterDimensionNumbers, ScatterOptions) -> Array;
    let scatters: [(&str, Scatter, &Array, bool); 11] = [
        (
            "scatter_add (repeated indices)",
            lax::scatter_add,
            &repeated,
            false,
        ),
        (
            "scatter_sub (repeated indices)",
            lax::scatter_sub,
            &repeated,
            false,
        ),
        ("scatter", lax::scatter, &unique, false),
        ("scatter (unique_indices)", lax::scatter, &unique, true),
        // JAX differentiates scatter-mul only with unique_indices=True.
        (
            "scatter_mul (unique_indices)",
            lax::scatter_mul,
            &unique,
            true,
        ),
        ("scatter_min", lax::scatter_min, &unique, false),
        ("scatter_max", lax::scatter_max, &unique, false),
        (
            "scatter_min (unique_indices)",
            lax::scatter_min,
            &unique,
            true,
        ),
        (
            "scatter_max (unique_indices)",
            lax::scatter_max,
            &unique,
            true,
        ),
        (
            "scatter_min (repeated indices)",
            lax::scatter_min,
            &repeated,
            false,
        ),
        (
            "scatter_max (repeated indices)",
            lax::scatter_max,
            &repeated,
            false,
        ),
    ];
    let mut cases = Vec::new();
    for (name, scatter, indices, unique_indices) in scatters {
        let indices = indices.clone();
        let options = ScatterOptions {
            unique_indices,
            ..GatherScatterMode::FillOrDrop.into()
        };
        cases.push(case1(
            name,
            vec![signed(&mut rng, &[5, 3]), signed(&mut rng, &[4, 3])],
            move |xs| scatter(&xs[0], &indices, &xs[1], scatter_rows(), options),
        ));
    }
    run(cases);
}

// ----------------------------------------------------------------------------------------------
// linear algebra

/// `(a + aᵀ) / 2` over the last two axes.
fn symmetrize(a: &Array) -> Array {
    let n = a.ndim();
    let mut permutation: Vec<usize> = (0..n).collect();
    permutation.swap(n - 1, n - 2);
    (a + &lax::transpose(a, &permutation)) * 0.5
}

/// A batch of symmetric positive-definite matrices `M·Mᵀ + n·I`.
fn spd(rng: &mut Rng, batch: usize, n: usize) -> Array {
    let mut values = Vec::new();
    for _ in 0..batch {
        let m = rng.normal_vec(n * n);
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum();
                values.push(dot + if i == j { n as f64 } else { 0.0 });
            }
        }
    }
    Array::from_slice(&values, &[batch, n, n]).unwrap()
}

/// A matrix whose triangles are well conditioned: a dominant diagonal of random sign.
fn dominant(rng: &mut Rng, n: usize) -> Array {
    let mut values = rng.uniform_vec(n * n, -0.5, 0.5);
    for i in 0..n {
        values[i * n + i] = if i % 2 == 0 { 2.0 } else { -2.5 } + rng.uniform(0.0, 0.5);
    }
    Array::from_slice(&values, &[n, n]).unwrap()
}

#[test]
fn cholesky_and_triangular_solve() {
    x64();
    let mut rng = Rng::new(8);
    let mut cases = vec![case1(
        "cholesky (batched, symmetrized input)",
        vec![spd(&mut rng, 2, 3)],
        |xs| lax::cholesky(&symmetrize(&xs[0])),
    )];
    for left_side in [true, false] {
        for lower in [true, false] {
            for transpose_a in [false, true] {
                for unit_diagonal in [false, true] {
                    let b_shape = if left_side { [3, 2] } else { [2, 3] };
                    cases.push(case1(
                        &format!(
                            "triangular_solve left_side={left_side} lower={lower} \
                             transpose_a={transpose_a} unit_diagonal={unit_diagonal}"
                        ),
                        vec![dominant(&mut rng, 3), normal(&mut rng, &b_shape)],
                        move |xs| {
                            lax::triangular_solve(
                                &xs[0],
                                &xs[1],
                                left_side,
                                lower,
                                transpose_a,
                                false,
                                unit_diagonal,
                            )
                        },
                    ));
                }
            }
        }
    }
    cases.push(case1(
        "triangular_solve (vector right-hand side)",
        vec![dominant(&mut rng, 3), normal(&mut rng, &[3])],
        |xs| lax::triangular_solve(&xs[0], &xs[1], true, true, false, false, false),
    ));
    run(cases);
}

#[test]
fn qr_and_eigh() {
    x64();
    let mut rng = Rng::new(9);
    let sign_probe = Array::from_slice(&[0.3, -0.7, 1.1, 0.9], &[4, 1]).unwrap();
    let cases = vec![
        case("qr reduced (tall)", vec![normal(&mut rng, &[4, 3])], |xs| {
            let (q, r) = lax::qr(&xs[0], false);
            vec![q, r]
        }),
        case(
            "qr full (square, batched)",
            vec![normal(&mut rng, &[2, 3, 3])],
            |xs| {
                let (q, r) = lax::qr(&xs[0], true);
                vec![q, r]
            },
        ),
        case("qr reduced (wide)", vec![normal(&mut rng, &[2, 4])], |xs| {
            let (q, r) = lax::qr(&xs[0], false);
            vec![q, r]
        }),
        case1(
            "eigh eigenvalues (symmetrized input)",
            vec![normal(&mut rng, &[2, 4, 4])],
            |xs| lax::eigh(&symmetrize(&xs[0]), true, true).1,
        ),
        case1(
            "eigh eigenvalues (upper)",
            vec![normal(&mut rng, &[4, 4])],
            |xs| lax::eigh(&symmetrize(&xs[0]), false, true).1,
        ),
        // Each eigenvector's sign fixed by its inner product with a generic vector.
        case(
            "eigh eigenvectors (sign-fixed)",
            vec![normal(&mut rng, &[4, 4])],
            move |xs| {
                let (v, w) = lax::eigh(&symmetrize(&xs[0]), true, true);
                let signs = lax::sign(&lax::reduce_sum(&(&v * &sign_probe), &[0]));
                vec![&v * &signs, w]
            },
        ),
    ];
    run(cases);
}

// ----------------------------------------------------------------------------------------------
// compositions, f32, and the checker itself

#[test]
fn compositions_of_primitives() {
    x64();
    let mut rng = Rng::new(10);
    let m = normal(&mut rng, &[3, 3]);
    let cases = vec![
        case1(
            "mixed smooth function",
            vec![normal(&mut rng, &[3])],
            move |xs| {
                let x = &xs[0];
                let a = x.sin() * x.exp() + (x * x + 1.0).sqrt();
                let b = (x.tanh() / (x.cos() + 3.0)).pow(2.0);
                (m.matmul(&(&a + &b)).maximum(-10.0) * 0.5).sum() + lax::log1p(&(x * x)).sum()
            },
        ),
        // Pytree inputs and outputs of several leaves.
        case(
            "several inputs and outputs",
            vec![normal(&mut rng, &[2, 2]), normal(&mut rng, &[2])],
            |xs| {
                let y = xs[0].matmul(&xs[1]).tanh();
                vec![y.clone(), (&y * &xs[1]).sum(), xs[0].exp()]
            },
        ),
    ];
    run(cases);
}

#[test]
fn float32_inputs_use_float32_tolerances() {
    x64();
    // JAX's step of 1e-4 leaves rounding errors of about 6e-8 / 1e-4 ≈ 6e-4 (relative to the
    // values) in f32 finite differences, near the tolerance of 2e-3, and order 2 takes
    // differences of derivatives. A step of 1e-3 balances rounding and truncation in f32.
    let f32_check = || CheckGrads::new(2).eps(1e-3);
    let x = Array::from_slice(&[0.5f32, -1.25, 2.0, 0.75, -0.3, 1.1], &SHAPE).unwrap();
    let w = Array::from_slice(&[1.5f32, -0.5, 0.25, 2.0, 1.0, -1.0], &[3, 2]).unwrap();
    let cases = vec![
        case1("f32 sin·exp", vec![x.clone()], |xs| {
            lax::mul(&lax::sin(&xs[0]), &lax::exp(&xs[0]))
        })
        .with(f32_check()),
        case1("f32 tanh of matmul", vec![x.clone(), w], |xs| {
            lax::tanh(&xs[0].matmul(&xs[1]))
        })
        .with(f32_check()),
        case1("f32 logistic sum", vec![x], |xs| {
            lax::reduce_sum(&lax::logistic(&xs[0]), &[1])
        })
        .with(f32_check()),
    ];
    run(cases);
}

#[test]
fn complex_inputs_follow_jax_conventions() {
    x64();
    let mut rng = Rng::new(13);
    let mut z = || rng.normal_array(&[3], DType::C128).unwrap();
    let (a, b, c) = (z(), z(), z());
    let cases = vec![
        case1("complex mul", vec![a.clone(), b], |xs| {
            lax::mul(&xs[0], &xs[1])
        }),
        case1("complex sin·exp", vec![a], |xs| {
            lax::mul(&lax::sin(&xs[0]), &lax::exp(&xs[0]))
        }),
        case1("complex sum of squares", vec![c], |xs| {
            lax::reduce_sum(&lax::mul(&xs[0], &xs[0]), &[0])
        }),
    ];
    run(cases);
}

#[test]
fn pytree_arguments_of_any_structure() -> rjax::Result<()> {
    x64();
    let mut rng = Rng::new(11);
    let a = normal(&mut rng, &[3]);
    let b = normal(&mut rng, &[2, 3]);
    check_grads(
        |(a, b): (Array, Array)| (b.matmul(&a.sin()), (&a * &a).sum()),
        (a, b),
        2,
        &[Mode::Fwd, Mode::Rev],
        None,
        None,
        None,
    )
}

#[test]
fn a_wrong_derivative_is_reported_in_each_mode() {
    x64();
    // floor is flat almost everywhere, but the finite difference across its jump at 1 is not.
    let x = Array::from_slice(&[1.0f64, 0.3], &[2]).unwrap();
    for mode in [Mode::Fwd, Mode::Rev] {
        let error = CheckGrads::new(1)
            .modes(&[mode])
            .check(|x: Array| lax::floor(&x), x.clone())
            .expect_err("floor's jump is not differentiable");
        let message = error.to_string();
        let expected = match mode {
            Mode::Fwd => "JVP tangent: output 0 (f64[2]) differs at 1 of 2 elements",
            Mode::Rev => "VJP cotangent projection",
        };
        assert!(message.contains("check_grads"), "{message}");
        assert!(message.contains(expected), "{mode}: {message}");
    }
    // Away from the jump, the same function passes.
    CheckGrads::new(2)
        .check(|x: Array| lax::floor(&x), Array::from(0.3f64))
        .unwrap();
}

#[test]
fn wrong_custom_rules_are_reported() {
    x64();
    let x = Array::from_slice(&[0.3f64, -1.2, 2.0], &[3]).unwrap();
    // A JVP rule 1% off: forward mode sees it against finite differences, reverse mode
    // through its transpose.
    let off_jvp = custom_jvp(
        |x: Array| x.sin(),
        |x: Array, t: Array| (x.sin(), x.cos() * 1.01 * t),
    );
    for (mode, expected) in [
        (Mode::Fwd, "JVP tangent"),
        (Mode::Rev, "VJP cotangent projection"),
    ] {
        let message = CheckGrads::new(1)
            .modes(&[mode])
            .check(&off_jvp, x.clone())
            .unwrap_err()
            .to_string();
        assert!(message.contains(expected), "{mode}: {message}");
    }
    // Reverse mode alone checks a custom_vjp function (which has no JVP): a right backward
    // rule passes, at order 2 too, and one 1% off fails.
    let right_vjp = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x),
        |x: Array, g: Array| x.cos() * g,
    );
    CheckGrads::new(2)
        .modes(&[Mode::Rev])
        .check(&right_vjp, x.clone())
        .unwrap();
    let off_vjp = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x),
        |x: Array, g: Array| x.cos() * 1.01 * g,
    );
    let message = CheckGrads::new(1)
        .modes(&[Mode::Rev])
        .check(&off_vjp, x)
        .unwrap_err()
        .to_string();
    assert!(message.contains("VJP cotangent projection"), "{message}");
}

#[test]
fn bad_options_are_errors() {
    x64();
    let f = |x: Array| x.sin();
    let x = Array::from(0.5f64);
    for (check, why) in [
        (CheckGrads::new(0), "order"),
        (CheckGrads::new(1).modes(&[]), "no modes"),
        (CheckGrads::new(1).eps(0.0), "eps"),
    ] {
        let message = check.check(f, x.clone()).unwrap_err().to_string();
        assert!(message.contains(why), "{message}");
    }
}

#[test]
fn errors_of_the_function_and_of_missing_rules_pass_through() {
    x64();
    // polygamma has no derivative with respect to its order (as in JAX); under jit the error
    // surfaces when the call is differentiated.
    let x = Array::from(1.5f64);
    let f = jit(move |m: Array| lax::polygamma(&m, &x));
    let message = CheckGrads::new(1)
        .check(
            |m: Array| -> rjax::Result<Array> { f.call(m) },
            Array::from(1.0f64),
        )
        .unwrap_err()
        .to_string();
    assert!(message.contains("polygamma"), "{message}");
    let failing = |_: Array| -> rjax::Result<Array> {
        Err(rjax::Error::InvalidArgument {
            op: "mine".to_string(),
            message: "failed".to_string(),
        })
    };
    let message = CheckGrads::new(1)
        .check(failing, Array::from(1.5f64))
        .unwrap_err()
        .to_string();
    assert_eq!(message, "mine: failed");
}
