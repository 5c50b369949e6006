//! Derivatives where functions are not smooth, against JAX's (`tests/golden/kinks.txt`,
//! written by `tests/golden/kinks.py`): kinks (`abs`, `sign`, `relu`, `relu6`, `leaky_relu`,
//! `hard_tanh`), ties and bounds (`maximum`, `minimum`, `clip`, `max`/`min` reductions,
//! `sort`, `argsort`, `top_k`), flat steps (`floor`, `ceil`, `round`), singular points
//! (`sqrt`, `rsqrt`, `cbrt`, `log`, `pow` at a zero base or exponent), `norm` at the zero
//! vector, NaN in the branch `where` does not take, and `logsumexp` with infinite entries.
//!
//! Each case is a function of one vector (two-argument functions take the concatenation of
//! their arguments, as in the script); its value, both Jacobians and the three second-order
//! compositions (forward over forward, forward over reverse, reverse over reverse) must equal
//! JAX's, NaN for NaN and infinity for infinity; each is also checked under `jit`.

mod common;

use anyhow::{Context, Result};
use common::golden::{Golden, close, values};
use rjax::numpy::SortOptions;
use rjax::numpy::{self as jnp, linalg::NormOrd};
use rjax::{Array, jacfwd, jacrev, jit, lax, nn};

const GOLDEN: Golden = Golden(include_str!("golden/kinks.txt"));

/// A case's function.
type Case = fn(Array) -> Array;

/// `x[start..end]` of a vector.
fn part(x: &Array, start: usize, end: usize) -> Array {
    lax::slice(x, &[start], &[end], None)
}

/// A two-argument function of the concatenation of its arguments (the script's `pair`).
fn pair(x: &Array, n: usize, g: impl Fn(&Array, &Array) -> Array) -> Array {
    g(&part(x, 0, n), &part(x, n, 2 * n))
}

/// A scalar result as a vector of one element (the script's `[None]`).
fn one(x: Array) -> Array {
    x.reshape(&[1])
}

/// Every case of `tests/golden/kinks.py`: its name, its function and its point.
fn cases() -> Vec<(&'static str, Case, Vec<f64>)> {
    let inf = f64::INFINITY;
    vec![
        ("abs", |x| jnp::abs(&x), vec![0.0, -0.0, 1.5, -2.0]),
        ("sign", |x| jnp::sign(&x), vec![0.0, -0.0, 1.5, -2.0]),
        ("relu", |x| nn::relu(&x), vec![0.0, -1.0, 1.0]),
        ("relu6", |x| nn::relu6(&x), vec![0.0, 6.0, 3.0, 7.0, -1.0]),
        (
            "leaky_relu",
            |x| nn::leaky_relu(&x, 0.01),
            vec![0.0, -1.0, 1.0],
        ),
        (
            "hard_tanh",
            |x| nn::hard_tanh(&x),
            vec![-1.0, 1.0, 0.0, 2.0, -2.0],
        ),
        (
            "maximum",
            |x| pair(&x, 4, |a, b| jnp::maximum(a, b)),
            vec![0.0, 1.0, -1.0, 2.0, 0.0, 1.0, -1.0, 1.0],
        ),
        (
            "minimum",
            |x| pair(&x, 4, |a, b| jnp::minimum(a, b)),
            vec![0.0, 1.0, -1.0, 2.0, 0.0, 1.0, -1.0, 1.0],
        ),
        (
            "clip",
            |x| jnp::clip(&x, Some(-1.0), Some(1.0)),
            vec![-1.0, 1.0, 0.0, 2.0, -2.0],
        ),
        (
            "clip_traced_bounds",
            |x| jnp::clip(part(&x, 0, 3), Some(part(&x, 3, 6)), Some(part(&x, 6, 9))),
            vec![-1.0, 1.0, 0.5, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        ),
        ("max", |x| jnp::max(&x, ..), vec![1.0, 3.0, 3.0, 2.0]),
        ("min", |x| jnp::min(&x, ..), vec![2.0, 1.0, 3.0, 1.0]),
        (
            "max_axis",
            |x| jnp::max(x.reshape(&[2, 3]), 1),
            vec![1.0, 1.0, 0.0, 2.0, 2.0, 2.0],
        ),
        (
            "sort",
            |x| jnp::sort_with(&x, SortOptions::default().unstable()),
            vec![1.0, 1.0, 0.0, 2.0, 1.0],
        ),
        (
            "argsort_take",
            |x| {
                let order = jnp::argsort_with(&x, SortOptions::default().unstable());
                jnp::take(&x, &order, None, Default::default())
            },
            vec![1.0, 1.0, 0.0, 2.0, 1.0],
        ),
        (
            "top_k",
            |x| lax::top_k(&x, 3).0,
            vec![3.0, 1.0, 3.0, 3.0, 2.0],
        ),
        ("floor", |x| jnp::floor(&x), vec![0.5, 1.0, -1.5]),
        ("ceil", |x| jnp::ceil(&x), vec![0.5, 1.0, -1.5]),
        ("round", |x| jnp::round(&x, 0), vec![0.5, 1.0, -1.5, 2.5]),
        ("sqrt", |x| jnp::sqrt(&x), vec![0.0, 1.0]),
        ("rsqrt", |x| lax::rsqrt(&x), vec![0.0, 1.0]),
        ("cbrt", |x| jnp::cbrt(&x), vec![0.0, 8.0, -8.0]),
        ("log", |x| jnp::log(&x), vec![0.0, 1.0]),
        (
            "pow",
            |x| pair(&x, 6, |a, b| jnp::power(a, b)),
            vec![0.0, 0.0, 0.0, 0.0, 2.0, -2.0, 2.0, 0.5, 0.0, 1.0, 0.0, 2.0],
        ),
        ("pow_int2", |x| x.pow(2), vec![0.0, -1.5]),
        ("pow_int3", |x| x.pow(3), vec![0.0, -1.5]),
        ("pow_half", |x| x.pow(0.5), vec![0.0, 4.0]),
        ("pow_zero", |x| x.pow(0.0), vec![0.0, 4.0]),
        (
            "pow_base_zero",
            |y| jnp::power(0.0, &y),
            vec![0.0, 1.0, 2.0],
        ),
        ("norm2", |x| one(jnp::linalg::norm(&x)), vec![0.0, 0.0, 0.0]),
        (
            "norm1",
            |x| one(jnp::linalg::norm_with(&x, NormOrd::One)),
            vec![0.0, 0.0, 0.0],
        ),
        (
            "norm_inf",
            |x| one(jnp::linalg::norm_with(&x, NormOrd::Inf)),
            vec![0.0, 0.0, 0.0],
        ),
        (
            "norm_inf_tie",
            |x| one(jnp::linalg::norm_with(&x, NormOrd::Inf)),
            vec![2.0, -2.0, 1.0],
        ),
        (
            "where_sqrt",
            |x| jnp::where_(x.gt(0.0), jnp::sqrt(&x), 0.0),
            vec![-1.0, 4.0],
        ),
        (
            "where_log",
            |x| jnp::where_(x.gt(0.0), &x, jnp::log(&x)),
            vec![-1.0, 2.0],
        ),
        (
            "logsumexp",
            |x| one(nn::logsumexp(&x, None, false)),
            vec![-inf, 0.0, 1.0],
        ),
        (
            "logsumexp_all_neg_inf",
            |x| one(nn::logsumexp(&x, None, false)),
            vec![-inf, -inf],
        ),
        (
            "logsumexp_inf",
            |x| one(nn::logsumexp(&x, None, false)),
            vec![inf, 0.0],
        ),
    ]
}

/// The value, the two Jacobians and the three second-order compositions of `f` at `x`, in the
/// order of the golden file's lines.
fn derivatives(f: Case, x: &Array) -> Result<Vec<(&'static str, Array)>> {
    let jf = |x: Array| jacfwd(f)(x);
    let jr = |x: Array| jacrev(f)(x);
    Ok(vec![
        ("value", f(x.clone())),
        ("jacfwd", jf(x.clone())?),
        ("jacrev", jr(x.clone())?),
        ("hess_ff", jacfwd(jf)(x.clone())?),
        ("hess_fr", jacfwd(jr)(x.clone())?),
        ("hess_rr", jacrev(jr)(x.clone())?),
    ])
}

/// Every case's every line, eagerly; the failures are collected so that one run names all of
/// them.
#[test]
fn derivatives_match_jax_at_kinks_ties_and_singular_points() -> Result<()> {
    rjax::config::enable_x64(true);
    let mut failures = Vec::new();
    for (name, f, point) in cases() {
        let x = Array::from_vec(point);
        for (what, got) in derivatives(f, &x).with_context(|| name.to_string())? {
            // Exact up to rounding: JAX's values at these points are small closed forms.
            if let Err(e) = GOLDEN.check_tol(&format!("{name}.{what}"), &got, 1e-14) {
                failures.push(format!("{e:#}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

/// The first- and second-order reverse-mode lines again, with the whole computation under
/// `jit`. XLA's algebraic simplifier folds some products of the cotangent basis's structural
/// zeros with infinities (`0 · inf` reads 0 compiled, NaN op by op), and whether it does
/// depends on the XLA build: JAX 0.10.2's jitted values fold where rjax's default plugin (an
/// older XLA) does not. Each element must therefore equal JAX's jitted value or its op-by-op
/// value, and nothing else.
#[test]
fn derivatives_match_jax_under_jit() -> Result<()> {
    rjax::config::enable_x64(true);
    let mut failures = Vec::new();
    for (name, f, point) in cases() {
        let x = Array::from_vec(point);
        let staged = jit(move |x: Array| -> rjax::Result<Vec<Array>> {
            let jr = |x: Array| jacrev(f)(x);
            Ok(vec![jr(x.clone())?, jacfwd(jr)(x)?])
        });
        let got: Vec<Array> = staged.call(x).with_context(|| name.to_string())?;
        for (what, got) in ["jacrev", "hess_fr"].into_iter().zip(got) {
            let (_, shape, eager) = GOLDEN.case(&format!("{name}.{what}"))?;
            let (_, _, compiled) = GOLDEN.case(&format!("{name}.jit_{what}"))?;
            let got_values = values(&got)?;
            let agrees = got.shape() == shape
                && got_values
                    .iter()
                    .zip(eager.iter().zip(&compiled))
                    .all(|(g, (e, c))| close(&[*g], &[*e], 1e-14) || close(&[*g], &[*c], 1e-14));
            if !agrees {
                failures.push(format!(
                    "jit {name}.{what}: {got_values:?} != {compiled:?} (compiled) or {eager:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}
