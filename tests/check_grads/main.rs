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

mod checker;
mod elementwise;
mod indexing;
mod linalg;
mod shapes;
