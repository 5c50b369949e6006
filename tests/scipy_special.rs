//! `rjax::scipy::special` against `jax.scipy.special` (`tests/golden/scipy_special.txt`,
//! written by `tests/golden/scipy_special.py`, whose values are also checked against SciPy):
//! values at representative and edge points (0, negative, ±∞, NaN) eagerly and under `jit`,
//! derivatives (`vmap(grad)`) including JAX's rules at the special points, second
//! derivatives, float32, promotion and broadcasting, `logsumexp`'s options, `vmap` against
//! eager, `check_grads`, and the errors of bad input.
//!
//! Tolerances (relative, on float64): 1e-12 where rjax runs JAX's algorithm on the same XLA
//! operations; 1e-10 for `d_ndtri`, which multiplies rounding errors near 0 and 1 by
//! `1/φ(x)`; float32 to 2e-6 (a few ulps: the XLA builds differ in their float32 kernels).

mod common;

use anyhow::{Context, Result, ensure};
use common::golden::{Golden, values};
use common::panic_message;
use rjax::scipy::special as sp;
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, grad, jit, jvp, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/scipy_special.txt"));

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

// The inputs of tests/golden/scipy_special.py.
const X: &[f64] = &[-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, INF, -INF, NAN];
const XD: &[f64] = &[-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0];
const P: &[f64] = &[-1.0, -0.9, -0.5, 0.0, 0.3, 0.99, 1.0, 1.5, NAN];
const PD: &[f64] = &[-0.9, -0.5, 0.0, 0.3, 0.99];
const G: &[f64] = &[-2.5, -1.0, 0.0, 0.5, 1.0, 2.5, 10.0, 100.0, INF];
const GD: &[f64] = &[-2.5, 0.5, 1.0, 2.5, 10.0, 100.0];
const NX: &[f64] = &[0.5, 1.5, 3.0, 10.0];
const GA: &[f64] = &[
    0.5, 1.0, 2.5, 10.0, 3.0, 30.0, 0.1, 0.0, 0.0, -1.0, 2.0, 2.0, 2.0, NAN,
];
const GX: &[f64] = &[
    0.2, 1.0, 3.0, 12.0, 0.5, 25.0, 5.0, 0.0, 1.0, 1.0, 0.0, INF, -1.0, 1.0,
];
const GAD: &[f64] = &[0.5, 1.0, 2.5, 10.0, 3.0, 30.0, 0.1];
const GXD: &[f64] = &[0.2, 1.0, 3.0, 12.0, 0.5, 25.0, 5.0];
const BA: &[f64] = &[
    0.5, 2.0, 5.0, 1e-310, 3.0, 20.0, 0.0, 1.0, 1.0, 1.0, -1.0, 0.0, 2.0, 2.0,
];
const BB: &[f64] = &[
    0.5, 3.0, 1.0, 2.0, 0.7, 30.0, 2.0, 0.0, 1.0, 1.0, 1.0, 0.0, 2.0, 2.0,
];
const BX: &[f64] = &[
    0.3, 0.9, 0.2, 0.5, 0.99, 0.4, 0.5, 0.5, 0.0, 1.0, 0.5, 0.5, 1.5, NAN,
];
const BAD: &[f64] = &[0.5, 2.0, 5.0, 3.0, 20.0];
const BBD: &[f64] = &[0.5, 3.0, 1.0, 0.7, 30.0];
const BXD: &[f64] = &[0.3, 0.9, 0.2, 0.99, 0.4];
const LA: &[f64] = &[0.5, 2.0, 7.9, 8.0, 3.0, 1e6, 0.25];
const LB: &[f64] = &[0.5, 3.0, 1.0, 9.0, 50.0, 2e6, 1e8];
const XLX: &[f64] = &[0.0, 0.0, 0.0, 1.0, 2.0, -1.5, 0.0];
const XLY: &[f64] = &[0.0, -1.0, NAN, 0.0, 3.0, 0.5, 2.0];
const XD2: &[f64] = &[0.0, 1.0, 2.0, -1.5];
const YD2: &[f64] = &[2.0, 0.5, 3.0, 0.25];
const E: &[f64] = &[-1.0, 0.0, 0.5, 1.0, 2.0, INF];
const ED: &[f64] = &[0.5, 1.0, 2.0];
const LG: &[f64] = &[0.0, 0.1, 0.5, 0.9, 1.0, -0.5, 1.5];
const LGD: &[f64] = &[0.1, 0.5, 0.9];
const ND: &[f64] = &[
    -40.0, -25.0, -20.0, -19.5, -10.0, -5.0, -1.0, 0.0, 1.0, 5.0, 8.0, 8.5, 10.0, 40.0,
];
const NQ: &[f64] = &[
    0.0, 1e-300, 1e-10, 0.01, 0.1, 0.13, 0.5, 0.86, 0.9, 0.99, 1.0, -0.1, 1.1,
];
const NQD: &[f64] = &[1e-10, 0.01, 0.1, 0.13, 0.5, 0.86, 0.9, 0.99];
const BI: &[f64] = &[-10.0, -3.0, -1e-20, 0.0, 0.5, 1.0, 7.9, 8.0, 8.1, 50.0];
const BID: &[f64] = &[-10.0, -3.0, 0.0, 0.5, 1.0, 7.9, 8.1, 50.0];
const ZX: &[f64] = &[2.0, 3.0, 1.5, 4.2, 1.0, 0.5, 2.0];
const ZQ: &[f64] = &[1.0, 0.5, 2.0, 10.0, 1.0, 1.0, 30.0];
const ZXD: &[f64] = &[2.0, 3.0, 1.5, 4.2, 2.0];
const ZQD: &[f64] = &[1.0, 0.5, 2.0, 10.0, 30.0];

/// A float64 array of `values` (x64 mode, as every input here).
fn f64s(values: &[f64]) -> Array {
    rjax::config::enable_x64(true);
    Array::from_vec(values.to_vec())
}

/// A float32 array of `values`.
fn f32s(values: &[f64]) -> Array {
    f64s(values).astype(DType::F32)
}

/// The order `n` of the polygamma cases.
fn orders() -> Array {
    rjax::config::enable_x64(true);
    Array::from_vec(vec![0i64, 1, 2, 3])
}

/// An array of `shape` with elements `f(k)`, `k = 0, 1, ...` (row-major).
fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    rjax::config::enable_x64(true);
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// A of the script, `sin(1.3 k)` as `[2, 3, 4]`.
fn a() -> Array {
    host(|k| (k * 1.3).sin(), &[2, 3, 4])
}

/// M of the script, `sin(0.7 k + 0.3)` as `[3, 4]`.
fn m() -> Array {
    host(|k| (k * 0.7 + 0.3).sin(), &[3, 4])
}

/// W of the script, `cos(0.9 k)` as `[3, 4]`.
fn w() -> Array {
    host(|k| (k * 0.9).cos(), &[3, 4])
}

/// Checks `got` against the golden case `name` within `tol` relative to the expected value
/// ([`Golden::check_relative`]).
fn check_tol(name: &str, got: &Array, tol: f64) -> Result<()> {
    GOLDEN.check_relative(name, got, tol)
}

/// [`check_tol`] at 1e-12 for float64, 2e-6 for float32.
fn check(name: &str, got: &Array) -> Result<()> {
    let tol = if got.dtype() == DType::F32 {
        2e-6
    } else {
        1e-12
    };
    check_tol(name, got, tol)
}

/// A function of several arrays (by slice, so that tables can hold them).
type Multi = fn(&[Array]) -> Array;

/// The value cases: golden name, function, inputs.
fn value_cases() -> Vec<(&'static str, Multi, Vec<Array>)> {
    vec![
        ("erf", |x| sp::erf(&x[0]), vec![f64s(X)]),
        ("erfc", |x| sp::erfc(&x[0]), vec![f64s(X)]),
        ("erfinv", |x| sp::erfinv(&x[0]), vec![f64s(P)]),
        ("gammaln", |x| sp::gammaln(&x[0]), vec![f64s(G)]),
        ("digamma", |x| sp::digamma(&x[0]), vec![f64s(GD)]),
        (
            "polygamma",
            |x| sp::polygamma(&x[0], &x[1]),
            vec![orders(), f64s(NX)],
        ),
        (
            "gammainc",
            |x| sp::gammainc(&x[0], &x[1]),
            vec![f64s(GA), f64s(GX)],
        ),
        (
            "gammaincc",
            |x| sp::gammaincc(&x[0], &x[1]),
            vec![f64s(GA), f64s(GX)],
        ),
        (
            "betainc",
            |x| sp::betainc(&x[0], &x[1], &x[2]),
            vec![f64s(BA), f64s(BB), f64s(BX)],
        ),
        (
            "betaln",
            |x| sp::betaln(&x[0], &x[1]),
            vec![f64s(LA), f64s(LB)],
        ),
        (
            "xlogy",
            |x| sp::xlogy(&x[0], &x[1]),
            vec![f64s(XLX), f64s(XLY)],
        ),
        (
            "xlog1py",
            |x| sp::xlog1py(&x[0], &x[1]),
            vec![f64s(XLX), f64s(XLY)],
        ),
        ("entr", |x| sp::entr(&x[0]), vec![f64s(E)]),
        ("expit", |x| sp::expit(&x[0]), vec![f64s(X)]),
        ("logit", |x| sp::logit(&x[0]), vec![f64s(LG)]),
        ("ndtr", |x| sp::ndtr(&x[0]), vec![f64s(ND)]),
        ("log_ndtr", |x| sp::log_ndtr(&x[0]), vec![f64s(ND)]),
        (
            "log_ndtr_order5",
            |x| sp::log_ndtr_series(&x[0], 5),
            vec![f64s(ND)],
        ),
        (
            "log_ndtr_order0",
            |x| sp::log_ndtr_series(&x[0], 0),
            vec![f64s(ND)],
        ),
        ("ndtri", |x| sp::ndtri(&x[0]), vec![f64s(NQ)]),
        ("i0e", |x| sp::i0e(&x[0]), vec![f64s(BI)]),
        ("i1e", |x| sp::i1e(&x[0]), vec![f64s(BI)]),
        ("zeta", |x| sp::zeta(&x[0], &x[1]), vec![f64s(ZX), f64s(ZQ)]),
        ("erf_f32", |x| sp::erf(&x[0]), vec![f32s(X)]),
        (
            "gammainc_f32",
            |x| sp::gammainc(&x[0], &x[1]),
            vec![f32s(GA), f32s(GX)],
        ),
        (
            "gammaincc_f32",
            |x| sp::gammaincc(&x[0], &x[1]),
            vec![f32s(GA), f32s(GX)],
        ),
        (
            "betainc_f32",
            |x| sp::betainc(&x[0], &x[1], &x[2]),
            vec![f32s(BAD), f32s(BBD), f32s(BXD)],
        ),
        ("log_ndtr_f32", |x| sp::log_ndtr(&x[0]), vec![f32s(ND)]),
        ("ndtri_f32", |x| sp::ndtri(&x[0]), vec![f32s(NQ)]),
        ("i0e_f32", |x| sp::i0e(&x[0]), vec![f32s(BI)]),
        (
            "zeta_f32",
            |x| sp::zeta(&x[0], &x[1]),
            vec![f32s(ZX), f32s(ZQ)],
        ),
    ]
}

#[test]
fn values_eagerly_and_under_jit() -> Result<()> {
    for (name, f, args) in value_cases() {
        check(name, &f(&args)).with_context(|| format!("eager {name}"))?;
        let staged: Array = jit(move |args: Vec<Array>| f(&args)).call(args)?;
        check(name, &staged).with_context(|| format!("jit {name}"))?;
    }
    Ok(())
}

/// `∂f/∂args[argnum]` at each element, through `vmap(grad)`.
fn derivative(f: Multi, args: &[Array], argnum: usize) -> Result<Array> {
    Ok(vmap(
        move |args: Vec<Array>| {
            let at = args[argnum].clone();
            grad(move |x: Array| {
                let mut args = args.clone();
                args[argnum] = x;
                f(&args)
            })(at)
        },
        0,
    )(args.to_vec())?)
}

/// The derivative cases: golden name, function, inputs, argument differentiated.
fn derivative_cases() -> Vec<(&'static str, Multi, Vec<Array>, usize)> {
    vec![
        ("d_erf", |x| sp::erf(&x[0]), vec![f64s(XD)], 0),
        ("d_erfc", |x| sp::erfc(&x[0]), vec![f64s(XD)], 0),
        ("d_erfinv", |x| sp::erfinv(&x[0]), vec![f64s(PD)], 0),
        ("d_gammaln", |x| sp::gammaln(&x[0]), vec![f64s(GD)], 0),
        ("d_digamma", |x| sp::digamma(&x[0]), vec![f64s(GD)], 0),
        (
            "dx_polygamma",
            |x| sp::polygamma(&x[0], &x[1]),
            vec![orders(), f64s(NX)],
            1,
        ),
        (
            "da_gammainc",
            |x| sp::gammainc(&x[0], &x[1]),
            vec![f64s(GAD), f64s(GXD)],
            0,
        ),
        (
            "dx_gammainc",
            |x| sp::gammainc(&x[0], &x[1]),
            vec![f64s(GAD), f64s(GXD)],
            1,
        ),
        (
            "da_gammaincc",
            |x| sp::gammaincc(&x[0], &x[1]),
            vec![f64s(GAD), f64s(GXD)],
            0,
        ),
        (
            "dx_gammaincc",
            |x| sp::gammaincc(&x[0], &x[1]),
            vec![f64s(GAD), f64s(GXD)],
            1,
        ),
        (
            "dx_betainc",
            |x| sp::betainc(&x[0], &x[1], &x[2]),
            vec![f64s(BAD), f64s(BBD), f64s(BXD)],
            2,
        ),
        (
            "da_betaln",
            |x| sp::betaln(&x[0], &x[1]),
            vec![f64s(LA), f64s(LB)],
            0,
        ),
        (
            "db_betaln",
            |x| sp::betaln(&x[0], &x[1]),
            vec![f64s(LA), f64s(LB)],
            1,
        ),
        (
            "dx_xlogy",
            |x| sp::xlogy(&x[0], &x[1]),
            vec![f64s(XD2), f64s(YD2)],
            0,
        ),
        (
            "dy_xlogy",
            |x| sp::xlogy(&x[0], &x[1]),
            vec![f64s(XD2), f64s(YD2)],
            1,
        ),
        (
            "dx_xlogy_zero",
            |x| sp::xlogy(&x[0], &x[1]),
            vec![f64s(&[0.0]), f64s(&[0.0])],
            0,
        ),
        (
            "dx_xlog1py",
            |x| sp::xlog1py(&x[0], &x[1]),
            vec![f64s(XD2), f64s(YD2)],
            0,
        ),
        (
            "dy_xlog1py",
            |x| sp::xlog1py(&x[0], &x[1]),
            vec![f64s(XD2), f64s(YD2)],
            1,
        ),
        ("d_entr", |x| sp::entr(&x[0]), vec![f64s(ED)], 0),
        ("d_expit", |x| sp::expit(&x[0]), vec![f64s(XD)], 0),
        ("d_logit", |x| sp::logit(&x[0]), vec![f64s(LGD)], 0),
        ("d_ndtr", |x| sp::ndtr(&x[0]), vec![f64s(ND)], 0),
        ("d_log_ndtr", |x| sp::log_ndtr(&x[0]), vec![f64s(ND)], 0),
        ("d_i0e", |x| sp::i0e(&x[0]), vec![f64s(BID)], 0),
        ("d_i1e", |x| sp::i1e(&x[0]), vec![f64s(BID)], 0),
        (
            "dx_zeta",
            |x| sp::zeta(&x[0], &x[1]),
            vec![f64s(ZXD), f64s(ZQD)],
            0,
        ),
        (
            "dq_zeta",
            |x| sp::zeta(&x[0], &x[1]),
            vec![f64s(ZXD), f64s(ZQD)],
            1,
        ),
        (
            "dx_zeta_f32",
            |x| sp::zeta(&x[0], &x[1]),
            vec![f32s(ZXD), f32s(ZQD)],
            0,
        ),
    ]
}

#[test]
fn derivatives_match_jax() -> Result<()> {
    for (name, f, args, argnum) in derivative_cases() {
        check(name, &derivative(f, &args, argnum)?).with_context(|| name.to_string())?;
    }
    // ndtri's derivative is 1/φ(x): rounding near 0 and 1 is magnified.
    check_tol(
        "d_ndtri",
        &derivative(|x| sp::ndtri(&x[0]), &[f64s(NQD)], 0)?,
        1e-10,
    )?;
    Ok(())
}

#[test]
fn second_derivatives_through_the_rules() -> Result<()> {
    let dd_x = vmap(
        |(a, x): (Array, Array)| grad(move |x: Array| grad(|x: Array| sp::gammainc(&a, &x))(x))(x),
        0,
    )((f64s(GAD), f64s(GXD)))?;
    check("dd_gammainc_x", &dd_x)?;
    let dd = |f: fn(&Array) -> Array, x: &[f64]| {
        vmap(
            move |x: Array| grad(move |x: Array| grad(move |x: Array| f(&x))(x))(x),
            0,
        )(f64s(x))
    };
    check("dd_log_ndtr", &dd(|x| sp::log_ndtr(x), XD)?)?;
    check("dd_i0e", &dd(|x| sp::i0e(x), &[-3.0, 0.5, 9.0])?)?;
    Ok(())
}

#[test]
fn promotion_and_broadcasting() -> Result<()> {
    rjax::config::enable_x64(true);
    check(
        "gammaln_int",
        &sp::gammaln(Array::from_vec(vec![1i64, 2, 3, 4])),
    )?;
    let a = Array::from([[0.5], [2.0]]);
    let x = Array::from([0.1, 1.0, 4.0]);
    check("gammainc_broadcast", &sp::gammainc(&a, &x))?;
    let staged: Array = jit(|(a, x): (Array, Array)| sp::gammainc(&a, &x)).call((a, x))?;
    check("gammainc_broadcast", &staged)?;
    let xlogy = sp::xlogy(Array::from([[0.0], [2.0]]), Array::from([0.0, 1.0, 4.0]));
    check("xlogy_broadcast", &xlogy)?;
    // Rust numbers are weakly typed: the array's float32 wins.
    let y = sp::gammainc(2.0, Array::from([1.0f32, 3.0]));
    ensure!(y.dtype() == DType::F32, "{}", y.aval());
    Ok(())
}

#[test]
fn logsumexp_options() -> Result<()> {
    let (a, m, w) = (a(), m(), w());
    let b = a.abs();
    check("logsumexp", &sp::logsumexp(&a, None, None, false))?;
    check(
        "logsumexp_axis",
        &sp::logsumexp(&(&a * 100.0), Some(&[1]), None, false),
    )?;
    check(
        "logsumexp_keep",
        &sp::logsumexp(&m, Some(&[-1]), None, true),
    )?;
    check(
        "logsumexp_inf",
        &sp::logsumexp(f64s(&[-INF, 0.0, -INF, 1.0]), None, None, false),
    )?;
    check(
        "logsumexp_axis_b",
        &sp::logsumexp(&a, Some(&[1]), Some(&b), false),
    )?;
    check(
        "logsumexp_b_neg",
        &sp::logsumexp(&m, Some(&[0]), Some(&w), false),
    )?;
    let (out, sign) = sp::logsumexp_with_sign(&m, Some(&[0]), Some(&w), false);
    check("logsumexp_sign", &out)?;
    check("logsumexp_sign_sign", &sign)?;
    let zero_weight = sp::logsumexp(
        f64s(&[1.0, 2.0, 3.0]),
        None,
        Some(&f64s(&[1.0, 0.0, 2.0])),
        false,
    );
    check("logsumexp_b_zero", &zero_weight)?;
    let b2 = b.clone();
    let d_a =
        grad(move |a: Array| sp::logsumexp(&a, Some(&[1]), Some(&b2), false).sum())(a.clone())?;
    check("d_logsumexp_b", &d_a)?;
    let a2 = a.clone();
    let d_b =
        grad(move |b: Array| sp::logsumexp(&a2, Some(&[0, 2]), Some(&b), false).sum())(&b + 0.5)?;
    check("db_logsumexp", &d_b)?;
    let d_inf =
        grad(|a: Array| sp::logsumexp(&a, None, None, false))(f64s(&[-INF, 0.0, -INF, 1.0]))?;
    check("d_logsumexp_inf", &d_inf)?;
    check("softmax", &sp::softmax(&m, None))?;
    check("softmax_axis", &sp::softmax(&m, Some(&[0])))?;
    check("log_softmax_axis", &sp::log_softmax(&a, Some(&[0, 2])))?;
    let w2 = w.clone();
    check(
        "d_softmax",
        &grad(move |m: Array| (sp::softmax(&m, None) * &w2).sum())(m)?,
    )?;
    Ok(())
}

#[test]
fn vmap_matches_eager() -> Result<()> {
    rjax::config::enable_x64(true);
    let a = Array::from([[0.5, 2.0, 7.0], [1.0, 3.0, 0.2]]);
    let x = Array::from([[0.3, 2.5, 9.0], [4.0, 0.1, 0.9]]);
    let cases: Vec<(&str, Multi)> = vec![
        ("gammainc", |x| sp::gammainc(&x[0], &x[1])),
        ("gammaincc", |x| sp::gammaincc(&x[0], &x[1])),
        ("betainc", |x| {
            sp::betainc(&x[0], &x[1], &(&x[1] / (&x[0] + &x[1] + 1.0)))
        }),
        ("zeta", |x| sp::zeta(&(&x[0] + 1.5), &x[1])),
        ("xlogy", |x| sp::xlogy(&x[0], &x[1])),
        ("i0e", |x| sp::i0e(&x[0]) + sp::i1e(&x[1])),
        ("log_ndtr", |x| {
            sp::log_ndtr(&(&x[0] * -9.0)) + sp::ndtri(&(&x[1] / 10.0))
        }),
        ("logsumexp", |x| {
            sp::logsumexp(&x[0], None, Some(&x[1]), false)
        }),
    ];
    for (name, f) in cases {
        let args = vec![a.clone(), x.clone()];
        let batched = vmap(move |args: Vec<Array>| f(&args), 0)(args)?;
        for row in 0..2 {
            let pick = |v: &Array| v.index(&rjax::idx![row]);
            let eager = f(&[pick(&a), pick(&x)]);
            let (got, want) = (values(&pick(&batched))?, values(&eager)?);
            ensure!(
                got == want,
                "{name} row {row}: vmap {got:?} != eager {want:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn check_grads_where_smooth() -> Result<()> {
    let modes = [Mode::Fwd, Mode::Rev];
    let pair = |a: &[f64], b: &[f64]| (f64s(a), f64s(b));
    type Pair = fn((Array, Array)) -> Array;
    let binary: Vec<(&str, Pair, (Array, Array))> = vec![
        (
            "gammainc",
            |(a, x)| sp::gammainc(&a, &x),
            pair(&[0.7, 3.0, 12.0], &[0.4, 5.0, 9.0]),
        ),
        (
            "gammaincc",
            |(a, x)| sp::gammaincc(&a, &x),
            pair(&[0.7, 3.0, 12.0], &[0.4, 5.0, 9.0]),
        ),
        (
            "betaln",
            |(a, b)| sp::betaln(&a, &b),
            pair(&[0.5, 3.0, 2.0], &[2.0, 9.0, 40.0]),
        ),
        (
            "xlogy",
            |(x, y)| sp::xlogy(&x, &y),
            pair(&[0.5, -1.0, 2.0], &[0.3, 2.0, 7.0]),
        ),
        (
            "xlog1py",
            |(x, y)| sp::xlog1py(&x, &y),
            pair(&[0.5, -1.0, 2.0], &[0.3, 2.0, 7.0]),
        ),
        (
            "zeta",
            |(x, q)| sp::zeta(&x, &q),
            pair(&[2.0, 3.5], &[0.7, 4.0]),
        ),
    ];
    for (name, f, args) in binary {
        check_grads(f, args, 1, &modes, None, None, None).with_context(|| name)?;
    }
    type Unary = fn(Array) -> Array;
    let unary: Vec<(&str, Unary, &[f64])> = vec![
        ("log_ndtr", |x| sp::log_ndtr(&x), &[-30.0, -3.0, 0.5, 9.0]),
        ("ndtri", |x| sp::ndtri(&x), &[0.05, 0.5, 0.95]),
        ("i0e", |x| sp::i0e(&x), &[-4.0, 0.5, 9.0]),
        ("i1e", |x| sp::i1e(&x), &[-4.0, 0.5, 9.0]),
        ("logit", |x| sp::logit(&x), &[0.2, 0.7]),
        ("entr", |x| sp::entr(&x), &[0.2, 3.0]),
        ("erfinv", |x| sp::erfinv(&x), &[-0.4, 0.8]),
        (
            "betainc_x",
            |x| sp::betainc(f64s(&[0.5, 3.0]), 2.5, &x),
            &[0.3, 0.8],
        ),
    ];
    for (name, f, at) in unary {
        check_grads(f, f64s(at), 2, &modes, None, None, None).with_context(|| name)?;
    }
    Ok(())
}

#[test]
fn bad_input_and_unsupported_derivatives() -> Result<()> {
    rjax::config::enable_x64(true);
    let message = panic_message(|| {
        sp::polygamma(Array::from([1.0, 2.0]), Array::from([1.0, 2.0]));
    });
    ensure!(
        message.contains("polygamma") && message.contains("integer"),
        "{message}"
    );
    let message = panic_message(|| {
        sp::ndtr(Array::from_vec(vec![1i64, 2]));
    });
    ensure!(
        message.contains("ndtr") && message.contains("int64"),
        "{message}"
    );
    let message = panic_message(|| {
        sp::log_ndtr_series(Array::from([1.0]), 31);
    });
    ensure!(message.contains("series_order"), "{message}");
    let message = panic_message(|| {
        sp::gammainc(Array::from([1.0, 2.0]), Array::from([1.0, 2.0, 3.0]));
    });
    ensure!(
        message.contains("gammainc") && message.contains("broadcast"),
        "{message}"
    );
    // JAX does not differentiate betainc in a or b: forward mode gives NaN, reverse fails.
    let (_, tangent) = jvp(
        |a: Array| sp::betainc(&a, 2.0, 0.5),
        Array::from(1.5),
        Array::from(1.0),
    )?;
    ensure!(tangent.item::<f64>()?.is_nan(), "{tangent:?}");
    ensure!(grad(|a: Array| sp::betainc(&a, 2.0, 0.5))(Array::from(1.5)).is_err());
    // lax.zeta has no derivative in x (JAX differentiates scipy's zeta by a series instead).
    let message = panic_message(|| {
        let _ = grad(|x: Array| rjax::lax::zeta(&x, Array::from(2.0)))(Array::from(3.0));
    });
    ensure!(
        message.contains("zeta gradient with respect to x"),
        "{message}"
    );
    // lax.zeta's derivative in q is -x ζ(x + 1, q): ζ(3, 1) = 1.2020569031595942.
    let dq = grad(|q: Array| rjax::lax::zeta(Array::from(2.0), &q))(Array::from(1.0))?;
    ensure!(
        (dq.item::<f64>()? + 2.0 * 1.2020569031595942).abs() < 1e-13,
        "{dq:?}"
    );
    Ok(())
}
