//! `rjax::scipy::stats` against `jax.scipy.stats` (`tests/golden/scipy_stats.txt`, written by
//! `tests/golden/scipy_stats.py`, whose values are also checked against SciPy's): every
//! function of `norm`, `t`, `gamma`, `beta`, `poisson`, `bernoulli` and
//! `multivariate_normal`, at representative and edge points (outside the support, on its
//! edges, ±∞, NaN, invalid parameters), eagerly and under `jit`; derivatives in each
//! argument (`vmap(grad)`); float32, promotion and broadcasting; `vmap` against eager;
//! `check_grads`; and the errors of bad input.
//!
//! Tolerances (relative): 1e-12 on float64, where rjax runs JAX's formulas on the same XLA
//! operations; 2e-6 on float32 (a few ulps: the XLA builds differ in their float32 kernels).

mod common;

use anyhow::{Context, Result, ensure};
use common::golden::{Golden, values};
use common::panic_message;
use rjax::scipy::stats::{bernoulli, beta, gamma, multivariate_normal as mvn, norm, poisson, t};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, grad, jit, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/scipy_stats.txt"));

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

// The inputs of tests/golden/scipy_stats.py.
const X: &[f64] = &[-INF, -40.0, -3.0, -1.0, 0.0, 0.5, 2.0, 10.0, 40.0, INF, NAN];
const XD: &[f64] = &[-30.0, -3.0, -1.0, 0.0, 0.5, 2.0, 10.0];
const Q: &[f64] = &[0.0, 1e-10, 0.1, 0.5, 0.9, 1.0, -0.1, 1.1, NAN];
const QD: &[f64] = &[1e-10, 0.1, 0.5, 0.9];
const DF: &[f64] = &[1.0, 2.5, 30.0];
const XG: &[f64] = &[-1.0, 0.0, 0.5, 1.0, 2.5, 10.0, INF, NAN];
const XGD: &[f64] = &[0.5, 1.0, 2.5, 10.0];
const AG: &[f64] = &[0.5, 1.0, 3.0];
const XB: &[f64] = &[-0.5, 0.0, 0.2, 0.5, 0.9, 1.0, 1.5, NAN];
const XBD: &[f64] = &[0.2, 0.5, 0.9];
const AB: &[f64] = &[0.5, 2.0, 1.0, 5.0];
const BB: &[f64] = &[0.5, 3.0, 1.0, 1.5];
const AB_BAD: &[f64] = &[-1.0, 2.0, 2.0];
const BB_BAD: &[f64] = &[2.0, 0.0, 2.0];
const SCALE_BAD: &[f64] = &[1.0, 1.0, -1.0];
const KP: &[f64] = &[-1.0, 0.0, 1.0, 2.5, 3.0, 10.0, 50.0, NAN];
const MUP: &[f64] = &[0.0, 0.5, 4.0, 30.0];
const KPD: &[f64] = &[0.0, 1.0, 3.0, 10.0];
const MUPD: &[f64] = &[0.5, 4.0, 30.0, 7.0];
const MU_ENTROPY: &[f64] = &[0.0, 0.5, 4.0, 9.9, 10.0, 50.0, 99.0, 100.0, 500.0];
const KB: &[f64] = &[-1.0, 0.0, 1.0, 2.0, NAN];
const PB: &[f64] = &[0.0, 0.3, 1.0];
const PB_BAD: &[f64] = &[-0.1, 1.5, NAN];
const QB: &[f64] = &[0.0, 0.3, 0.7, 1.0, -0.1, 1.1, NAN];
const PBQ: &[f64] = &[0.3, 0.7, 1.2];
const MEAN: &[f64] = &[0.5, -1.0, 2.0];
const XS: &[f64] = &[-1.0, 0.0, 0.5, 3.0];

/// A float64 vector of `values` (x64 mode, as every input here).
fn f64s(values: &[f64]) -> Array {
    rjax::config::enable_x64(true);
    Array::from_vec(values.to_vec())
}

/// A float64 column `[n, 1]` of `values` (the script's `np.array([[..], [..]])`).
fn column(values: &[f64]) -> Array {
    f64s(values).reshape(&[values.len(), 1])
}

/// T of the script.
fn t_matrix() -> Array {
    rjax::config::enable_x64(true);
    Array::from([[2.0, 0.5, -1.0], [0.3, 3.0, 0.7], [-0.4, 1.1, 1.5]])
}

/// COV of the script: `T·Tᵀ + I`.
fn cov() -> Array {
    let t = t_matrix();
    t.matmul(&t.t()) + rjax::numpy::eye(3, None, 0, None)
}

/// COVS of the script: `[COV, COV/2 + I]` as `[2, 1, 3, 3]`.
fn covs() -> Array {
    let c = cov();
    let second = &c * 0.5 + rjax::numpy::eye(3, None, 0, None);
    rjax::numpy::stack(&[&c, &second], 0).reshape(&[2, 1, 3, 3])
}

/// XM of the script: `2 sin(k)` as `[4, 3]`.
fn xm() -> Array {
    let data: Vec<f64> = (0..12).map(|k| 2.0 * f64::from(k).sin()).collect();
    f64s(&data).reshape(&[4, 3])
}

/// Checks `got` against the golden case `name` within `tol` relative to the expected value
/// ([`Golden::check_relative`]).
fn check_tol(name: &str, got: &Array, tol: f64) -> Result<()> {
    GOLDEN.check_relative(name, got, tol)
}

/// [`check_tol`] at 1e-12 for float64, 2e-6 for what is computed in float32 (float32
/// results, and cases named `_f32`, such as `norm.ppf`'s float32 quantiles returned as
/// float64).
fn check(name: &str, got: &Array) -> Result<()> {
    let tol = if got.dtype() == DType::F32 || name.ends_with("_f32") {
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
    let x = || vec![f64s(X)];
    let xg = || vec![f64s(XG), column(AG)];
    let xb = || vec![f64s(XB), column(AB), column(BB)];
    let kp = || vec![f64s(KP), column(MUP)];
    let kb = || vec![f64s(KB), column(PB)];
    vec![
        ("norm_logpdf", |a| norm::logpdf(&a[0], 0.0, 1.0), x()),
        ("norm_pdf", |a| norm::pdf(&a[0], 0.0, 1.0), x()),
        ("norm_cdf", |a| norm::cdf(&a[0], 0.0, 1.0), x()),
        ("norm_logcdf", |a| norm::logcdf(&a[0], 0.0, 1.0), x()),
        ("norm_sf", |a| norm::sf(&a[0], 0.0, 1.0), x()),
        ("norm_logsf", |a| norm::logsf(&a[0], 0.0, 1.0), x()),
        (
            "norm_logpdf_loc_scale",
            |a| norm::logpdf(&a[0], 0.5, 2.0),
            x(),
        ),
        ("norm_cdf_loc_scale", |a| norm::cdf(&a[0], 0.5, 2.0), x()),
        (
            "norm_logsf_loc_scale",
            |a| norm::logsf(&a[0], 0.5, 2.0),
            x(),
        ),
        ("norm_ppf", |a| norm::ppf(&a[0], 0.5, 2.0), vec![f64s(Q)]),
        ("norm_isf", |a| norm::isf(&a[0], 0.5, 2.0), vec![f64s(Q)]),
        (
            "t_logpdf",
            |a| t::logpdf(&a[0], &a[1], 0.5, 2.0),
            vec![f64s(X), column(DF)],
        ),
        (
            "t_pdf",
            |a| t::pdf(&a[0], &a[1], 0.0, 1.0),
            vec![f64s(X), column(DF)],
        ),
        (
            "gamma_logpdf",
            |a| gamma::logpdf(&a[0], &a[1], 0.0, 1.0),
            xg(),
        ),
        ("gamma_pdf", |a| gamma::pdf(&a[0], &a[1], -0.5, 2.0), xg()),
        (
            "gamma_logpdf_loc_scale",
            |a| gamma::logpdf(&a[0], &a[1], -0.5, 2.0),
            xg(),
        ),
        ("gamma_cdf", |a| gamma::cdf(&a[0], &a[1], -0.5, 2.0), xg()),
        (
            "gamma_logcdf",
            |a| gamma::logcdf(&a[0], &a[1], 0.0, 1.0),
            xg(),
        ),
        ("gamma_sf", |a| gamma::sf(&a[0], &a[1], -0.5, 2.0), xg()),
        (
            "gamma_logsf",
            |a| gamma::logsf(&a[0], &a[1], 0.0, 1.0),
            xg(),
        ),
        (
            "beta_logpdf",
            |a| beta::logpdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
        ),
        (
            "beta_pdf",
            |a| beta::pdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
        ),
        (
            "beta_logpdf_loc_scale",
            |a| beta::logpdf(&a[0], &a[1], &a[2], -1.0, 3.0),
            xb(),
        ),
        (
            "beta_logpdf_bad",
            |a| beta::logpdf(0.5, &a[0], &a[1], 0.0, &a[2]),
            vec![column(AB_BAD), column(BB_BAD), column(SCALE_BAD)],
        ),
        (
            "beta_cdf",
            |a| beta::cdf(&a[0], &a[1], &a[2], -1.0, 3.0),
            xb(),
        ),
        (
            "beta_logcdf",
            |a| beta::logcdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
        ),
        ("beta_sf", |a| beta::sf(&a[0], &a[1], &a[2], 0.0, 1.0), xb()),
        (
            "beta_logsf",
            |a| beta::logsf(&a[0], &a[1], &a[2], -1.0, 3.0),
            xb(),
        ),
        (
            "poisson_logpmf",
            |a| poisson::logpmf(&a[0], &a[1], 0.0),
            kp(),
        ),
        ("poisson_pmf_loc", |a| poisson::pmf(&a[0], &a[1], 1.0), kp()),
        ("poisson_cdf", |a| poisson::cdf(&a[0], &a[1], 0.0), kp()),
        ("poisson_cdf_loc", |a| poisson::cdf(&a[0], &a[1], 1.0), kp()),
        (
            "poisson_entropy",
            |a| poisson::entropy(&a[0], 0.0),
            vec![f64s(MU_ENTROPY)],
        ),
        (
            "bernoulli_logpmf",
            |a| bernoulli::logpmf(&a[0], &a[1], 0.0),
            kb(),
        ),
        (
            "bernoulli_pmf_loc",
            |a| bernoulli::pmf(&a[0], &a[1], 1.0),
            kb(),
        ),
        (
            "bernoulli_logpmf_half",
            |a| bernoulli::logpmf(&a[0], &a[1], 0.0),
            vec![f64s(&[0.5]), column(PB)],
        ),
        ("bernoulli_cdf", |a| bernoulli::cdf(&a[0], &a[1]), kb()),
        (
            "bernoulli_cdf_bad",
            |a| bernoulli::cdf(&a[0], &a[1]),
            vec![f64s(KB), column(PB_BAD)],
        ),
        (
            "bernoulli_ppf",
            |a| bernoulli::ppf(&a[0], &a[1]),
            vec![f64s(QB), column(PBQ)],
        ),
        (
            "mvn_logpdf",
            |a| mvn::logpdf(&a[0], &a[1], &a[2]),
            vec![xm(), f64s(MEAN), cov()],
        ),
        (
            "mvn_pdf",
            |a| mvn::pdf(&a[0], &a[1], &a[2]),
            vec![xm(), f64s(MEAN), cov()],
        ),
        (
            "mvn_logpdf_batch_cov",
            |a| mvn::logpdf(&a[0], &a[1], &a[2]),
            vec![xm(), f64s(MEAN), covs()],
        ),
        (
            "mvn_logpdf_scalar_cov",
            |a| mvn::logpdf(&a[0], &a[1], 2.0),
            vec![xm(), f64s(MEAN)],
        ),
        (
            "mvn_logpdf_scalar_mean",
            |a| mvn::logpdf(&a[0], 0.5, 2.0),
            vec![f64s(XS)],
        ),
        (
            "mvn_logpdf_not_spd",
            |a| mvn::logpdf(&a[0], &a[1], &a[2]),
            vec![
                xm(),
                f64s(MEAN),
                Array::from([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
            ],
        ),
        // float32 (the normal quantiles come back in the default float, float64).
        (
            "norm_logcdf_f32",
            |a| norm::logcdf(&a[0], 0.0, 1.0),
            vec![f64s(X).astype(DType::F32)],
        ),
        (
            "norm_ppf_f32",
            |a| norm::ppf(&a[0], 0.0, 1.0),
            vec![f64s(Q).astype(DType::F32)],
        ),
        (
            "gamma_cdf_f32",
            |a| gamma::cdf(&a[0], &a[1], 0.0, 1.0),
            vec![f64s(XG).astype(DType::F32), column(AG).astype(DType::F32)],
        ),
        (
            "beta_logpdf_f32",
            |a| beta::logpdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb().iter().map(|v| v.astype(DType::F32)).collect(),
        ),
        (
            "mvn_logpdf_f32",
            |a| mvn::logpdf(&a[0], &a[1], &a[2]),
            [xm(), f64s(MEAN), cov()]
                .iter()
                .map(|v| v.astype(DType::F32))
                .collect(),
        ),
        // Integers become the default float.
        (
            "norm_logpdf_int",
            |a| norm::logpdf(&a[0], 1, 2),
            vec![Array::from_vec(vec![-2i64, 0, 3])],
        ),
        (
            "poisson_pmf_int",
            |a| poisson::pmf(&a[0], 2, 0),
            vec![Array::from_vec(vec![0i64, 1, 2, 5])],
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

/// `∂f/∂args[argnum]` at each element of the broadcast inputs, through `vmap(grad)` over
/// them flattened (the script's `d`).
fn derivative(f: Multi, args: &[Array], argnum: usize) -> Result<Array> {
    let shape = f(args).shape().to_vec();
    let size: usize = shape.iter().product();
    let flat: Vec<Array> = args
        .iter()
        .map(|a| rjax::numpy::broadcast_to(a, &shape).reshape(&[size]))
        .collect();
    let d = vmap(
        move |args: Vec<Array>| {
            let at = args[argnum].clone();
            grad(move |x: Array| {
                let mut args = args.clone();
                args[argnum] = x;
                f(&args)
            })(at)
        },
        0,
    )(flat)?;
    Ok(d.reshape(&shape))
}

/// The derivative cases: golden name, function, inputs, argument differentiated.
fn derivative_cases() -> Vec<(&'static str, Multi, Vec<Array>, usize)> {
    let half = || Array::from(0.5);
    let two = || Array::from(2.0);
    let xd = || vec![f64s(XD)];
    let xt = || vec![f64s(XD), column(DF)];
    let xg = || vec![f64s(XGD), column(AG)];
    let xb = || vec![f64s(XBD), column(AB), column(BB)];
    vec![
        ("dx_norm_logpdf", |a| norm::logpdf(&a[0], 0.5, 2.0), xd(), 0),
        (
            "dloc_norm_logpdf",
            |a| norm::logpdf(&a[0], &a[1], 2.0),
            vec![f64s(XD), half()],
            1,
        ),
        (
            "dscale_norm_logpdf",
            |a| norm::logpdf(&a[0], 0.5, &a[1]),
            vec![f64s(XD), two()],
            1,
        ),
        ("dx_norm_cdf", |a| norm::cdf(&a[0], 0.5, 2.0), xd(), 0),
        ("dx_norm_logcdf", |a| norm::logcdf(&a[0], 0.0, 1.0), xd(), 0),
        ("dx_norm_logsf", |a| norm::logsf(&a[0], 0.0, 1.0), xd(), 0),
        (
            "dscale_norm_logsf",
            |a| norm::logsf(&a[0], 0.5, &a[1]),
            vec![f64s(XD), two()],
            1,
        ),
        (
            "dq_norm_ppf",
            |a| norm::ppf(&a[0], 0.5, 2.0),
            vec![f64s(QD)],
            0,
        ),
        (
            "dx_t_logpdf",
            |a| t::logpdf(&a[0], &a[1], 0.5, 2.0),
            xt(),
            0,
        ),
        (
            "ddf_t_logpdf",
            |a| t::logpdf(&a[0], &a[1], 0.5, 2.0),
            xt(),
            1,
        ),
        (
            "dscale_t_pdf",
            |a| t::pdf(&a[0], &a[1], 0.5, &a[2]),
            vec![f64s(XD), column(DF), two()],
            2,
        ),
        (
            "dx_gamma_logpdf",
            |a| gamma::logpdf(&a[0], &a[1], -0.5, 2.0),
            xg(),
            0,
        ),
        (
            "da_gamma_logpdf",
            |a| gamma::logpdf(&a[0], &a[1], -0.5, 2.0),
            xg(),
            1,
        ),
        (
            "dscale_gamma_logpdf",
            |a| gamma::logpdf(&a[0], &a[1], 0.0, &a[2]),
            vec![f64s(XGD), column(AG), two()],
            2,
        ),
        (
            "dx_gamma_cdf",
            |a| gamma::cdf(&a[0], &a[1], -0.5, 2.0),
            xg(),
            0,
        ),
        (
            "da_gamma_cdf",
            |a| gamma::cdf(&a[0], &a[1], 0.0, 1.0),
            xg(),
            1,
        ),
        (
            "dx_gamma_logsf",
            |a| gamma::logsf(&a[0], &a[1], 0.0, 1.0),
            xg(),
            0,
        ),
        (
            "dx_beta_logpdf",
            |a| beta::logpdf(&a[0], &a[1], &a[2], -1.0, 3.0),
            xb(),
            0,
        ),
        (
            "da_beta_logpdf",
            |a| beta::logpdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
            1,
        ),
        (
            "db_beta_logpdf",
            |a| beta::logpdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
            2,
        ),
        (
            "dx_beta_cdf",
            |a| beta::cdf(&a[0], &a[1], &a[2], 0.0, 1.0),
            xb(),
            0,
        ),
        (
            "dx_beta_logsf",
            |a| beta::logsf(&a[0], &a[1], &a[2], -1.0, 3.0),
            xb(),
            0,
        ),
        (
            "dmu_poisson_logpmf",
            |a| poisson::logpmf(&a[0], &a[1], 0.0),
            vec![f64s(KPD), f64s(MUPD)],
            1,
        ),
        (
            "dmu_poisson_pmf",
            |a| poisson::pmf(&a[0], &a[1], 0.0),
            vec![f64s(KPD), f64s(MUPD)],
            1,
        ),
        (
            "dmu_poisson_cdf",
            |a| poisson::cdf(&a[0], &a[1], 0.0),
            vec![f64s(KPD), f64s(MUPD)],
            1,
        ),
        (
            "dp_bernoulli_logpmf",
            |a| bernoulli::logpmf(&a[0], &a[1], 0.0),
            vec![f64s(&[0.0, 1.0, 0.0, 1.0]), f64s(&[0.3, 0.3, 0.9, 0.0])],
            1,
        ),
        (
            "dp_bernoulli_cdf",
            |a| bernoulli::cdf(&a[0], &a[1]),
            vec![f64s(&[-1.0, 0.0, 0.5, 1.0]), Array::from(0.3)],
            1,
        ),
    ]
}

#[test]
fn derivatives_match_jax() -> Result<()> {
    for (name, f, args, argnum) in derivative_cases() {
        check(name, &derivative(f, &args, argnum)?).with_context(|| name.to_string())?;
    }
    let (mean, cov) = (f64s(MEAN), cov());
    let (m, c) = (mean.clone(), cov.clone());
    let dx = grad(move |x: Array| mvn::logpdf(&x, &m, &c).sum())(xm())?;
    check("dx_mvn_logpdf", &dx)?;
    let c = cov.clone();
    let dmean = grad(move |m: Array| mvn::logpdf(xm(), &m, &c).sum())(mean.clone())?;
    check("dmean_mvn_logpdf", &dmean)?;
    let m = mean.clone();
    let dcov = grad(move |c: Array| mvn::logpdf(xm(), &m, &c).sum())(cov)?;
    check("dcov_mvn_logpdf", &dcov)?;
    let dcov_scalar = grad(move |c: Array| mvn::logpdf(xm(), &mean, &c).sum())(Array::from(2.0))?;
    check("dcov_mvn_logpdf_scalar", &dcov_scalar)?;
    Ok(())
}

#[test]
fn promotion_and_broadcasting() -> Result<()> {
    rjax::config::enable_x64(true);
    // Rust numbers are weakly typed: the array's float32 wins.
    let x = Array::from([0.5f32, 2.0]);
    let cases = [
        norm::logpdf(&x, 0.0, 1.0),
        t::logpdf(&x, 3.0, 0.0, 1.0),
        gamma::cdf(&x, 2.0, 0.0, 1.0),
        beta::sf(&x, 2.0, 3.0, 0.0, 4.0),
        poisson::logpmf(&x, 1.5, 0.0),
        bernoulli::cdf(&x, 0.25),
        mvn::logpdf(&x, 0.0, 1.0),
    ];
    for y in cases {
        ensure!(y.dtype() == DType::F32, "{}", y.aval());
    }
    // A float32 quantile comes back as float64 (JAX's `jnp.asarray(..., float)`).
    ensure!(norm::ppf(&x, 0.0, 1.0).dtype() == DType::F64);
    // Parameters broadcast against x.
    let y = gamma::logpdf(f64s(&[1.0, 2.0, 3.0]), column(&[1.0, 2.0]), 0.0, 1.0);
    ensure!(y.shape() == [2, 3], "{:?}", y.shape());
    let y = mvn::logpdf(xm(), f64s(MEAN), covs());
    ensure!(y.shape() == [2, 4], "{:?}", y.shape());
    Ok(())
}

#[test]
fn vmap_matches_eager() -> Result<()> {
    rjax::config::enable_x64(true);
    let a = Array::from([[0.5, 2.0, 7.0], [1.0, 3.0, 0.2]]);
    let x = Array::from([[0.3, 2.5, 9.0], [4.0, 0.1, 0.9]]);
    let cases: Vec<(&str, Multi)> = vec![
        ("norm", |v| {
            norm::logcdf(&v[1], &v[0], 2.0) + norm::ppf(&(&v[1] / 10.0), 0.0, &v[0])
        }),
        ("t", |v| t::logpdf(&v[1], &v[0], 0.0, 1.0)),
        ("gamma", |v| {
            gamma::logpdf(&v[1], &v[0], 0.0, 1.0) + gamma::sf(&v[1], &v[0], 0.0, 1.0)
        }),
        ("beta", |v| {
            beta::cdf(&(&v[1] / 10.0), &v[0], 2.0, 0.0, 1.0)
                + beta::logpdf(&v[1], &v[0], 2.0, 0.0, 10.0)
        }),
        ("poisson", |v| {
            poisson::cdf(v[1].floor(), &v[0], 0.0) + poisson::entropy(&v[0], 0.0)
        }),
        ("bernoulli", |v| {
            bernoulli::pmf(&(&v[1] / 9.0), &(&v[0] / 7.0), 0.0)
        }),
        ("multivariate_normal", |v| {
            let cov = rjax::numpy::diag(&v[0], 0);
            mvn::logpdf(&v[1], &(&v[0] * 0.1), &cov).reshape(&[1])
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
                common::golden::close(&got, &want, 1e-14),
                "{name} row {row}: vmap {got:?} != eager {want:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn check_grads_where_smooth() -> Result<()> {
    let modes = [Mode::Fwd, Mode::Rev];
    type Unary = fn(Array) -> Array;
    // Second order, except through `gammainc`, whose rule (as JAX's) differentiates in `a`
    // by a `while_loop`, which reverse mode cannot differentiate again.
    let unary: Vec<(&str, Unary, &[f64], usize)> = vec![
        (
            "norm.logsf",
            |x| norm::logsf(&x, 0.5, 2.0),
            &[-30.0, -1.0, 0.5, 9.0],
            2,
        ),
        (
            "norm.isf",
            |q| norm::isf(&q, 0.5, 2.0),
            &[0.05, 0.5, 0.95],
            2,
        ),
        (
            "t.logpdf df",
            |df| t::logpdf(1.5, &df, 0.0, 1.0),
            &[0.7, 4.0],
            2,
        ),
        (
            "gamma.logpdf a",
            |a| gamma::logpdf(2.0, &a, 0.0, 1.5),
            &[0.5, 3.0],
            2,
        ),
        (
            "gamma.cdf x",
            |x| gamma::cdf(&x, 2.5, 0.0, 1.0),
            &[0.4, 3.0],
            1,
        ),
        (
            "beta.logpdf b",
            |b| beta::logpdf(0.3, 2.0, &b, 0.0, 1.0),
            &[0.5, 4.0],
            2,
        ),
        (
            "beta.sf x",
            |x| beta::sf(&x, 2.0, 3.0, 0.0, 1.0),
            &[0.2, 0.7],
            2,
        ),
        (
            "poisson.pmf mu",
            |mu| poisson::pmf(3.0, &mu, 0.0),
            &[0.5, 6.0],
            2,
        ),
        (
            "bernoulli.logpmf p",
            |p| bernoulli::logpmf(1.0, &p, 0.0),
            &[0.2, 0.8],
            2,
        ),
    ];
    for (name, f, at, order) in unary {
        check_grads(f, f64s(at), order, &modes, None, None, None).with_context(|| name)?;
    }
    check_grads(
        |(x, mean, cov): (Array, Array, Array)| mvn::logpdf(&x, &mean, &cov),
        (xm(), f64s(MEAN), cov()),
        2,
        &modes,
        None,
        None,
        None,
    )
    .context("multivariate_normal.logpdf")?;
    Ok(())
}

#[test]
fn bad_input_names_the_function() -> Result<()> {
    rjax::config::enable_x64(true);
    let message = panic_message(|| {
        mvn::logpdf(xm(), f64s(MEAN), rjax::numpy::eye(2, None, 0, None));
    });
    ensure!(
        message.contains("multivariate_normal.logpdf") && message.contains("incompatible"),
        "{message}"
    );
    let message = panic_message(|| {
        norm::logpdf(f64s(&[1.0, 2.0]), f64s(&[1.0, 2.0, 3.0]), 1.0);
    });
    ensure!(
        message.contains("norm.logpdf") && message.contains("broadcast"),
        "{message}"
    );
    // JAX's ndtri takes floats only, so `norm.ppf` and `norm.isf` of integers raise.
    let message = panic_message(|| {
        norm::isf(Array::from_vec(vec![0i64, 1]), 0.0, 1.0);
    });
    ensure!(message.contains("ndtri"), "{message}");
    Ok(())
}
