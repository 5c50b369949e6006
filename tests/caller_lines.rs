//! Every panic on misuse points at the caller's line: for a sample of every family (numpy,
//! lax, nn, random, linalg, scipy, `Array` methods and operators), the misuse is triggered
//! here and the location the panic reports must be this file and the line of the call.
//!
//! The location is the one the panic hook sees (`PanicHookInfo::location`), which is what a
//! user reads in "thread 'main' panicked at src/main.rs:12:5". A library function reports its
//! caller's line only when every function between the public entry point and the panic carries
//! `#[track_caller]`; a missing one shows rjax's own file instead.

use rjax::numpy::SortOptions;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use rjax::numpy::{self as jnp, linalg};
use rjax::{Array, DType, idx, lax, nn, random, scipy};

thread_local! {
    /// The location (file, line) and message of the last panic on this thread.
    static LAST_PANIC: RefCell<Option<(String, u32, String)>> = const { RefCell::new(None) };
    /// Whether this thread is inside [`panic_site`], whose panics the hook records silently.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that records the location and message of each panic raised
/// inside [`panic_site`] and hands every other panic (a failed assertion) to the default hook.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CAPTURING.with(Cell::get) {
                return default_hook(info);
            }
            let location = info.location().expect("panics have a location");
            let message = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            LAST_PANIC.with(|last| {
                *last.borrow_mut() = Some((location.file().to_string(), location.line(), message))
            });
        }));
    });
}

/// Runs `f` and returns where its panic said it happened and its message (`None`: no panic).
fn panic_site<R>(f: impl FnOnce() -> R) -> Option<(String, u32, String)> {
    install_hook();
    LAST_PANIC.with(|last| last.borrow_mut().take());
    CAPTURING.with(|capturing| capturing.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        f();
    }));
    CAPTURING.with(|capturing| capturing.set(false));
    outcome.is_err().then(|| {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .expect("the hook recorded the panic")
    })
}

/// Checks that `$call` panics at this very line of this file, with a message naming `$op`;
/// pushes a description of what went wrong onto `$failures` otherwise.
macro_rules! panics_here {
    ($failures:expr, $op:expr, $call:expr) => {{
        let line = line!();
        match panic_site(|| $call) {
            None => $failures.push(format!("{}:{line}: {}: no panic", file!(), $op)),
            Some((file, got, message)) => {
                if file != file!() || got != line {
                    $failures.push(format!(
                        "{}:{line}: {}: the panic points at {file}:{got} ({message})",
                        file!(),
                        $op
                    ));
                } else if !message.contains($op) {
                    $failures.push(format!(
                        "{}:{line}: the message {message:?} does not name {:?}",
                        file!(),
                        $op
                    ));
                }
            }
        }
    }};
}

/// Fails the test with every entry of `failures`, one a line.
fn assert_none(failures: &[String]) {
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn f32s(shape: &[usize]) -> Array {
    let n = shape.iter().product();
    Array::from_slice(&vec![1.0f32; n], shape).unwrap()
}

fn i32s(shape: &[usize]) -> Array {
    let n = shape.iter().product();
    Array::from_slice(&vec![1i32; n], shape).unwrap()
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn numpy_misuse_points_at_the_caller() {
    let mut bad = Vec::new();
    let (a, b) = (f32s(&[2, 3]), f32s(&[4, 5]));
    let empty = f32s(&[0]);
    panics_here!(bad, "dot", jnp::dot(&a, &b));
    panics_here!(bad, "matmul", jnp::matmul(&a, &b));
    panics_here!(bad, "reshape", jnp::reshape(&a, &[-1, 4]));
    panics_here!(bad, "reshape", jnp::reshape(&a, &[-1, -1]));
    panics_here!(bad, "argmax", jnp::argmax(&empty, ..));
    panics_here!(bad, "argmin", jnp::argmin(&empty, ..));
    panics_here!(bad, "where", jnp::where_(f32s(&[3]), &a, &b));
    panics_here!(bad, "concatenate", jnp::concatenate(&[&a, &b], 0));
    panics_here!(bad, "stack", jnp::stack(&[&a, &b], 0));
    panics_here!(bad, "sum", jnp::sum(&a, 2));
    panics_here!(bad, "mean", jnp::mean(&a, -3));
    panics_here!(bad, "transpose", jnp::transpose(&a, Some(&[0, 0])));
    panics_here!(bad, "squeeze", jnp::squeeze(&a, Some(&[0])));
    panics_here!(bad, "broadcast_to", jnp::broadcast_to(&a, &[4, 3]));
    panics_here!(bad, "split", jnp::split(&a, jnp::Split::Sections(4), 1));
    panics_here!(bad, "tile", jnp::tile(&a, &[usize::MAX, 2]));
    panics_here!(bad, "einsum", jnp::einsum("ij,jk->ik", &[&a, &b]));
    panics_here!(bad, "take", jnp::take(&a, &a, None, jnp::TakeMode::Fill));
    panics_here!(bad, "cumsum", jnp::cumsum(&a, Some(2), None));
    panics_here!(bad, "sort", jnp::sort_with(&a, SortOptions::along(5).unstable()));
    panics_here!(bad, "tensordot", jnp::tensordot(&a, &b, 3));
    panics_here!(bad, "moveaxis", jnp::moveaxis(&a, &[0], &[5]));
    panics_here!(bad, "diagonal", jnp::diagonal(&a, 0, 0, 0));
    panics_here!(bad, "searchsorted", jnp::searchsorted(&a, 1.0f32, jnp::Side::Left));
    assert_none(&bad);
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn lax_misuse_points_at_the_caller() {
    let mut bad = Vec::new();
    let (a, b) = (f32s(&[2, 3]), f32s(&[4, 5]));
    let ints = i32s(&[3]);
    panics_here!(bad, "add", lax::add(&a, &b));
    panics_here!(bad, "sin", lax::sin(&ints));
    panics_here!(bad, "reshape", lax::reshape(&a, &[4]));
    panics_here!(bad, "transpose", lax::transpose(&a, &[1]));
    panics_here!(bad, "slice", lax::slice(&a, &[0, 0], &[3, 3], None));
    panics_here!(bad, "concatenate", lax::concatenate([&a, &b], 0));
    panics_here!(bad, "argmax", lax::argmax(&a, 2, DType::I32));
    panics_here!(bad, "cumsum", lax::cumsum_with(&a, lax::CumulativeOptions::along(2)));
    panics_here!(bad, "sort", lax::sort_with([&a, &b], lax::SortOptions::along(0)));
    panics_here!(bad, "rev", lax::rev(&a, &[2]));
    panics_here!(bad, "dynamic_slice", lax::dynamic_slice(&a, [&ints], &[1, 1]));
    panics_here!(bad, "cholesky", lax::cholesky(&a));
    panics_here!(bad, "eigh", lax::eigh(&a));
    panics_here!(bad, "qr", lax::qr_with(&ints, lax::QrOptions::default().full_matrices(false)));
    panics_here!(bad, "select_n", lax::select_n(&a, [&a, &b]));
    panics_here!(bad, "bitcast_convert_type", lax::bitcast_convert_type(&a, DType::F64));
    assert_none(&bad);
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn nn_and_scipy_misuse_points_at_the_caller() {
    let mut bad = Vec::new();
    let a = f32s(&[2, 3]);
    panics_here!(bad, "softmax", nn::softmax(&a, Some(&[2])));
    panics_here!(bad, "log_softmax", nn::log_softmax(&a, Some(&[-3])));
    panics_here!(bad, "logsumexp", nn::logsumexp(&a, Some(&[4]), false));
    panics_here!(bad, "one_hot", nn::one_hot(&a, 3, None, 5));
    panics_here!(bad, "standardize", nn::standardize(&a, Some(&[3]), None, None, 1e-5));
    panics_here!(bad, "logsumexp", scipy::special::logsumexp(&a, Some(&[2]), None, false));
    assert_none(&bad);
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn random_misuse_points_at_the_caller() {
    let mut bad = Vec::new();
    let key = random::PRNGKey(0);
    let keys = random::split(&key, 3);
    let not_a_key = f32s(&[3]);
    panics_here!(bad, "normal", random::normal(&not_a_key, &[2], DType::F32));
    panics_here!(bad, "uniform", random::uniform(&key, &[2], DType::I32));
    panics_here!(bad, "normal", random::normal(&keys, &[2], DType::F32));
    panics_here!(bad, "split", random::split(&not_a_key, 2));
    panics_here!(bad, "fold_in", random::fold_in(&key, f32s(&[2])));
    panics_here!(bad, "randint", random::randint(&key, &[2], 0, 5, DType::F32));
    panics_here!(bad, "choice", random::choice(&key, 3, random::ChoiceSpec::new(&[5]).replace(false)));
    let logits = i32s(&[4]);
    let mode = random::GumbelMode::Low;
    panics_here!(bad, "categorical", random::categorical_with(&key, &logits, random::CategoricalOptions::default().mode(mode)));
    panics_here!(bad, "permutation", random::permutation_of(&key, a_scalar(), 0, false));
    assert_none(&bad);
}

fn a_scalar() -> Array {
    Array::from(1.0f32)
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn linalg_misuse_points_at_the_caller() {
    let mut bad = Vec::new();
    let (a, square) = (f32s(&[2, 3]), f32s(&[3, 3]));
    let ints = i32s(&[3, 3]);
    panics_here!(bad, "solve", linalg::solve(&a, &square));
    panics_here!(bad, "inv", linalg::inv(&a));
    let trans = scipy::linalg::Trans::None;
    panics_here!(bad, "lu", scipy::linalg::lu(f32s(&[3])));
    panics_here!(bad, "lu_factor", scipy::linalg::lu_factor(&a));
    panics_here!(bad, "lu_solve", scipy::linalg::lu_solve((&square, &ints), &a, trans));
    panics_here!(bad, "expm", scipy::linalg::expm(&a));
    panics_here!(bad, "triangular_solve", scipy::linalg::solve_triangular(&square, &a, trans, true, false));
    panics_here!(bad, "det", linalg::det(&a));
    panics_here!(bad, "slogdet", linalg::slogdet(&a));
    panics_here!(bad, "cholesky", linalg::cholesky(&a));
    panics_here!(bad, "eigh", linalg::eigh(&a));
    panics_here!(bad, "svd", linalg::svd(f32s(&[3])));
    panics_here!(bad, "qr", linalg::qr(f32s(&[3])));
    panics_here!(bad, "eig", linalg::eig(&a));
    panics_here!(bad, "norm", linalg::norm_with(&a, linalg::NormOptions::ord(linalg::NormOrd::Nuc).axes([0])));
    panics_here!(bad, "matrix_power", linalg::matrix_power(&a, 2));
    panics_here!(bad, "pinv", linalg::pinv(f32s(&[3])));
    assert_none(&bad);
}

#[test]
#[rustfmt::skip] // One call a line: the line is what the test checks.
fn array_methods_and_operators_point_at_the_caller() {
    let mut bad = Vec::new();
    let (a, b) = (f32s(&[2, 3]), f32s(&[4, 5]));
    panics_here!(bad, "add", &a + &b);
    panics_here!(bad, "sub", &a - &b);
    panics_here!(bad, "mul", a.clone() * &b);
    panics_here!(bad, "div", &a / b.clone());
    panics_here!(bad, "matmul", a.matmul(&b));
    panics_here!(bad, "reshape", a.reshape(&[7]));
    panics_here!(bad, "sum", a.sum_axes([3]));
    panics_here!(bad, "max", a.maximum(&b));
    panics_here!(bad, "pow", a.pow(&b));
    panics_here!(bad, "sin", i32s(&[2]).sin());
    panics_here!(bad, "index", a.index(&idx![5]));
    panics_here!(bad, "index", a.index(&idx![0, 0, 0]));
    panics_here!(bad, "at().set", a.at(&idx![0]).set(f32s(&[5])));
    assert_none(&bad);
}
