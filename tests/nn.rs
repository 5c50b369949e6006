//! `rjax::nn` against `jax.nn` (`tests/golden/nn.txt`, written by `tests/golden/nn.py`): every
//! activation and its first derivative (some also the second) at JAX's special points, eagerly
//! and under `jit`; softmax, log_softmax, logsumexp, one_hot and standardize with their
//! gradients; `vmap`; `check_grads`; and the errors of bad input.

mod common;

use anyhow::{Context, Result, ensure};
use common::golden::{Golden, close, values};
use common::panic_message;
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, grad, jit, nn, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/nn.txt"));

/// Checks `got` against the golden case `name`: float32 to 1e-5, float64 to 1e-12.
fn check(name: &str, got: &Array) -> Result<()> {
    let tol = if got.dtype() == DType::F32 {
        1e-5
    } else {
        1e-12
    };
    GOLDEN.check_tol(name, got, tol)
}

fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// The special points X of `tests/golden/nn.py`.
fn special_points() -> Array {
    rjax::config::enable_x64(true);
    Array::from_vec(vec![-3.0f64, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])
}

/// A of `tests/golden/nn.py` (in x64 mode, as every input here).
fn a() -> Array {
    rjax::config::enable_x64(true);
    host(|k| (k * 1.3).sin(), &[2, 3, 4])
}

/// M of `tests/golden/nn.py`.
fn m() -> Array {
    rjax::config::enable_x64(true);
    host(|k| (k * 0.7 + 0.3).sin(), &[3, 4])
}

/// The weights the golden gradients of softmax and friends contract with.
fn weights() -> Array {
    host(f64::cos, &[3, 4])
}

/// A function of one array, by value (as `check_grads` calls it).
type Unary = fn(Array) -> Array;

/// An activation: its golden name and the function.
type Activation = (&'static str, fn(&Array) -> Array);

const ACTIVATIONS: &[Activation] = &[
    ("relu", |x| nn::relu(x)),
    ("relu6", |x| nn::relu6(x)),
    ("sigmoid", |x| nn::sigmoid(x)),
    ("log_sigmoid", |x| nn::log_sigmoid(x)),
    ("softplus", |x| nn::softplus(x)),
    ("silu", |x| nn::silu(x)),
    ("mish", |x| nn::mish(x)),
    ("gelu", |x| nn::gelu(x, true)),
    ("gelu_exact", |x| nn::gelu(x, false)),
    ("elu", |x| nn::elu(x, 1.0)),
    ("elu_alpha", |x| nn::elu(x, 0.5)),
    ("selu", |x| nn::selu(x)),
    ("celu", |x| nn::celu(x, 2.0)),
    ("leaky_relu", |x| nn::leaky_relu(x, 0.01)),
    ("leaky_relu_slope", |x| nn::leaky_relu(x, 0.2)),
    ("hard_tanh", |x| nn::hard_tanh(x)),
    ("hard_sigmoid", |x| nn::hard_sigmoid(x)),
    ("hard_silu", |x| nn::hard_silu(x)),
];

/// The activations whose second derivatives are checked too.
const SECOND_DERIVATIVES: &[&str] = &[
    "sigmoid",
    "softplus",
    "silu",
    "gelu",
    "gelu_exact",
    "elu",
    "selu",
];

/// `f'(x)` at each element of `x`, through `vmap(grad(f))`.
fn derivative(f: fn(&Array) -> Array, x: &Array) -> Result<Array> {
    Ok(vmap(move |x: Array| grad(move |x: Array| f(&x))(x), 0)(
        x.clone(),
    )?)
}

#[test]
fn activations_and_derivatives() -> Result<()> {
    let x = special_points();
    for &(name, f) in ACTIVATIONS {
        check(name, &f(&x)).with_context(|| format!("eager {name}"))?;
        let staged: Array = jit(move |x: Array| f(&x)).call(x.clone())?;
        check(name, &staged).with_context(|| format!("jit {name}"))?;
        check(&format!("d_{name}"), &derivative(f, &x)?)?;
        if SECOND_DERIVATIVES.contains(&name) {
            let second = vmap(
                move |x: Array| grad(move |x: Array| grad(move |x: Array| f(&x))(x))(x),
                0,
            )(x.clone())?;
            check(&format!("dd_{name}"), &second)?;
        }
    }
    check(
        "relu_int",
        &nn::relu(Array::from_vec(vec![0i64, 2, -1, 3, 1])),
    )?;
    let ints = Array::from_vec(vec![0i64, 2, -1, 3, 1]);
    check("log_sigmoid_int", &nn::log_sigmoid(&ints))?;
    let x32 = x.astype(DType::F32);
    check("sigmoid_f32", &nn::sigmoid(&x32))?;
    check("gelu_f32", &nn::gelu(&x32, true))?;
    let extremes = Array::from_vec(vec![-1000.0f64, 1000.0, 0.0]);
    check("softplus_big", &nn::softplus(&extremes))?;
    // The aliases.
    ensure!(values(&nn::swish(&x))? == values(&nn::silu(&x))?);
    Ok(())
}

#[test]
fn normalizations() -> Result<()> {
    let (a, m) = (a(), m());
    check("softmax", &nn::softmax(&m, None))?;
    check("softmax_axis0", &nn::softmax(&(&a * 50), Some(&[0])))?;
    check("softmax_axes", &nn::softmax(&a, Some(&[0, 2])))?;
    check("softmax_f32", &nn::softmax(m.astype(DType::F32), None))?;
    check("log_softmax", &nn::log_softmax(&m, None))?;
    check(
        "log_softmax_axis",
        &nn::log_softmax(&(&a * 100), Some(&[1])),
    )?;
    check("logsumexp", &nn::logsumexp(&a, None, false))?;
    check(
        "logsumexp_axis",
        &nn::logsumexp(&(&a * 100), Some(&[1]), false),
    )?;
    check("logsumexp_keep", &nn::logsumexp(&m, Some(&[-1]), true))?;
    check("logsumexp_axes", &nn::logsumexp(&a, Some(&[0, 2]), false))?;
    let l = Array::from_vec(vec![f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY, 1.0]);
    check("logsumexp_inf", &nn::logsumexp(&l, None, false))?;
    let k = Array::from_vec(vec![0i64, 2, -1, 3, 1]);
    check("one_hot", &nn::one_hot(&k, 3, None, -1))?;
    check("one_hot_axis0", &nn::one_hot(&k, 4, None, 0))?;
    let k2 = Array::from_slice(&[0i64, 1, 2, 3], &[2, 2])?;
    check("one_hot_int", &nn::one_hot(&k2, 3, Some(DType::I32), 1))?;
    check("standardize", &nn::standardize(&m, None, None, None, 1e-5))?;
    check(
        "standardize_axes",
        &nn::standardize(&a, Some(&[0, 2]), None, None, 1e-5),
    )?;
    let (mean, variance) = (Array::from(0.5f64), Array::from(2.0f64));
    let given = nn::standardize(&m, None, Some(&mean), Some(&variance), 1e-5);
    check("standardize_given", &given)?;
    // Under jit, in one function.
    let staged = jit(|(a, m): (Array, Array)| {
        (
            nn::softmax(&(&a * 50), Some(&[0])),
            nn::log_softmax(&m, None),
            nn::logsumexp(&a, Some(&[0, 2]), false),
            nn::standardize(&m, None, None, None, 1e-5),
        )
    });
    let (s, ls, lse, st): (Array, Array, Array, Array) = staged.call((a, m))?;
    check("softmax_axis0", &s)?;
    check("log_softmax", &ls)?;
    check("logsumexp_axes", &lse)?;
    check("standardize", &st)?;
    let staged = jit(|k: Array| nn::one_hot(&k, 4, None, 0));
    check("one_hot_axis0", &staged.call(k)?)?;
    Ok(())
}

#[test]
fn normalization_gradients() -> Result<()> {
    let (a, m, w) = (a(), m(), weights());
    let weighted = |f: fn(&Array) -> Array| {
        let w = w.clone();
        move |x: Array| (f(&x) * &w).sum()
    };
    check(
        "d_softmax",
        &grad(weighted(|x| nn::softmax(x, None)))(m.clone())?,
    )?;
    check(
        "d_log_softmax",
        &grad(weighted(|x| nn::log_softmax(x, Some(&[0]))))(m.clone())?,
    )?;
    check(
        "d_standardize",
        &grad(weighted(|x| nn::standardize(x, None, None, None, 1e-5)))(m.clone())?,
    )?;
    let g = grad(|x: Array| nn::logsumexp(&x, Some(&[0, 2]), false).sum())(a.clone())?;
    check("d_logsumexp", &g)?;
    let l = Array::from_vec(vec![f64::NEG_INFINITY, 0.0, f64::NEG_INFINITY, 1.0]);
    check(
        "d_logsumexp_inf",
        &grad(|x: Array| nn::logsumexp(&x, None, false))(l)?,
    )?;
    // Numerical checks, to second order.
    let modes = [Mode::Fwd, Mode::Rev];
    let checks: &[(&str, Unary)] = &[
        ("softmax", |x| nn::softmax(&x, Some(&[1]))),
        ("log_softmax", |x| nn::log_softmax(&x, Some(&[0, 2]))),
        ("logsumexp", |x| nn::logsumexp(&x, Some(&[-1]), true)),
        ("standardize", |x| {
            nn::standardize(&x, None, None, None, 1e-5)
        }),
        ("gelu", |x| nn::gelu(&x, true)),
        ("mish", |x| nn::mish(&x)),
    ];
    for &(name, f) in checks {
        check_grads(f, a.clone(), 2, &modes, None, None, None).with_context(|| name)?;
    }
    Ok(())
}

#[test]
fn under_vmap() -> Result<()> {
    let m = m();
    let rows = vmap(|row: Array| nn::softmax(&row, None), 0)(m.clone())?;
    let want = nn::softmax(&m, Some(&[-1]));
    ensure!(close(&values(&rows)?, &values(&want)?, 1e-12));
    let rows = vmap(|row: Array| nn::logsumexp(&row, None, false), 0)(m.clone())?;
    let want = nn::logsumexp(&m, Some(&[1]), false);
    ensure!(close(&values(&rows)?, &values(&want)?, 1e-12));
    let k = Array::from_vec(vec![0i64, 2, -1, 3, 1]);
    let each = vmap(|k: Array| nn::one_hot(&k, 3, None, -1), 0)(k.clone())?;
    check("one_hot", &each)?;
    let rows = vmap(nn_relu, 0)(m.clone())?;
    ensure!(values(&rows)? == values(&nn::relu(&m))?);
    Ok(())
}

fn nn_relu(x: Array) -> Array {
    nn::relu(&x)
}

#[test]
fn errors() -> Result<()> {
    let m = m();
    let message = panic_message(|| drop(nn::softmax(&m, Some(&[2]))));
    ensure!(message.contains("axis 2 is out of bounds"), "{message}");
    let message = panic_message(|| drop(nn::logsumexp(&m, Some(&[-3]), false)));
    ensure!(message.contains("axis -3 is out of bounds"), "{message}");
    let k = Array::from_vec(vec![0i64, 2]);
    let message = panic_message(|| drop(nn::one_hot(&k, 3, None, 2)));
    ensure!(
        message.contains("one_hot") && message.contains("axis 2") && message.contains("i64[2]"),
        "{message}"
    );
    // As in JAX, the sigmoid of integers is an error of `logistic`.
    let message = panic_message(|| drop(nn::sigmoid(&k)));
    ensure!(
        message.contains("logistic") && message.contains("i64[2]"),
        "{message}"
    );
    Ok(())
}
