//! `rjax::numpy`'s elementwise functions, creation, reductions and statistics against JAX
//! (`tests/golden/numpy_math.txt`, written by `tests/golden/numpy_math.py`, which checks JAX's
//! values against NumPy's): every case eagerly and under `jit`, some under `vmap`, derivatives
//! through `check_grads`, dtypes and weak types, and the errors of bad input.

mod common;

use anyhow::{Context, Result, ensure};
use common::golden::{Golden, close, values};
use common::panic_message;
use rjax::numpy::Axes;
use rjax::numpy::{self as jnp, Indexing, QuantileMethod as Method};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, IntoArray, grad, jit, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/numpy_math.txt"));

/// The inputs of `tests/golden/numpy_math.py`.
struct Inputs {
    a: Array,
    m: Array,
    v: Array,
    i: Array,
    p: Array,
    u: Array,
    s: Array,
    r: Array,
    n: Array,
    nm: Array,
    f: Array,
    e: Array,
    q3: Array,
    w: Array,
    v3: Array,
    v2: Array,
    v0: Array,
    s32: Array,
}

fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

fn matrix(data: &[f64], shape: &[usize]) -> Array {
    Array::from_slice(data, shape).expect("sizes match")
}

const SPECIAL: [f64; 11] = [
    0.0,
    -0.0,
    1.0,
    -2.5,
    2.5,
    0.5,
    -0.5,
    1.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

fn inputs() -> Inputs {
    rjax::config::enable_x64(true);
    let ints: Vec<i64> = (0..12).map(|k| k - 5).collect();
    let nan = f64::NAN;
    let reversed: Vec<f64> = SPECIAL.iter().rev().copied().collect();
    let m = host(|k| (k * 0.7 + 0.3).sin(), &[3, 4]);
    Inputs {
        a: host(|k| (k * 1.3).sin(), &[2, 3, 4]),
        f: m.astype(DType::F32),
        m,
        v: Array::from_vec(vec![1.5f64, -2.0, 0.5, 3.0]),
        i: Array::from_slice(&ints, &[3, 4]).expect("sizes match"),
        p: host(|k| (k + 1.0) * 0.37, &[3, 4]),
        u: host(|k| (k * 0.9).sin() * 0.9, &[3, 4]),
        s: Array::from_vec(SPECIAL.to_vec()),
        r: Array::from_vec(reversed),
        n: matrix(&[1.0, nan, 3.0, nan, nan, nan, -2.0, 0.5, nan], &[3, 3]),
        nm: matrix(&[1.0, nan, 3.0, 4.0, 0.5, 2.0], &[2, 3]),
        e: jnp::zeros(&[0, 3], None),
        q3: Array::from_vec(vec![0.1f64, 0.5, 0.9]),
        w: Array::from_vec(vec![1.0f64, 2.0, 0.5]),
        v3: Array::from_vec(vec![1.5f64, -2.0, 0.5]),
        v2: Array::from_vec(vec![1.5f64, -2.0]),
        v0: Array::from_vec(Vec::<f64>::new()),
        s32: Array::from_vec(SPECIAL.iter().map(|&x| x as f32).collect()),
    }
}

impl Inputs {
    fn leaves(&self) -> Vec<Array> {
        [
            &self.a, &self.m, &self.v, &self.i, &self.p, &self.u, &self.s, &self.r, &self.n,
            &self.nm, &self.f, &self.e, &self.q3, &self.w, &self.v3, &self.v2, &self.v0, &self.s32,
        ]
        .into_iter()
        .cloned()
        .collect()
    }

    fn from_leaves(leaves: Vec<Array>) -> Inputs {
        let mut it = leaves.into_iter();
        let mut next = || it.next().expect("one leaf per input");
        Inputs {
            a: next(),
            m: next(),
            v: next(),
            i: next(),
            p: next(),
            u: next(),
            s: next(),
            r: next(),
            n: next(),
            nm: next(),
            f: next(),
            e: next(),
            q3: next(),
            w: next(),
            v3: next(),
            v2: next(),
            v0: next(),
            s32: next(),
        }
    }
}

/// A golden case: its name and how to compute it from the inputs.
type Case = (&'static str, fn(&Inputs) -> Array);

/// Checks `got` against the golden case `name`: float32 to 1e-5, `nextafter` exactly.
fn check(name: &str, got: &Array) -> Result<()> {
    let tol = match got.dtype() {
        DType::F32 => 1e-5,
        _ if name.starts_with("nextafter") => 0.0,
        _ => 1e-10,
    };
    GOLDEN.check_tol(name, got, tol)
}

/// Every case of `cases` eagerly, then all of them in one jitted function.
fn check_eager_and_jit(cases: &'static [Case]) -> Result<()> {
    let x = inputs();
    for (name, f) in cases {
        check(name, &f(&x)).with_context(|| format!("eager {name}"))?;
    }
    let all = jit(move |leaves: Vec<Array>| {
        let x = Inputs::from_leaves(leaves);
        cases.iter().map(|(_, f)| f(&x)).collect::<Vec<Array>>()
    });
    let outputs: Vec<Array> = all.call(x.leaves())?;
    for ((name, _), got) in cases.iter().zip(&outputs) {
        check(name, got).with_context(|| format!("jit {name}"))?;
    }
    Ok(())
}

const UNARY: &[Case] = &[
    ("sin", |x| jnp::sin(&x.m)),
    ("sin_int", |x| jnp::sin(&x.i)),
    ("sin_scalar", |_| jnp::sin(0.5)),
    ("sin_empty", |x| jnp::sin(&x.e)),
    ("cos", |x| jnp::cos(&x.m)),
    ("tan", |x| jnp::tan(&x.m)),
    ("arcsin", |x| jnp::arcsin(&x.u)),
    ("arccos", |x| jnp::acos(&x.u)),
    ("arctan", |x| jnp::arctan(&x.a)),
    ("sinh", |x| jnp::sinh(&x.m)),
    ("cosh", |x| jnp::cosh(&x.m)),
    ("tanh", |x| jnp::tanh(&x.a)),
    ("arcsinh", |x| jnp::arcsinh(&x.a)),
    ("arccosh", |x| jnp::arccosh(&x.p + 1)),
    ("arctanh", |x| jnp::atanh(&x.u)),
    ("exp", |x| jnp::exp(&x.a)),
    ("exp_f32", |x| jnp::exp(&x.f)),
    ("exp2", |x| jnp::exp2(&x.m)),
    ("expm1", |x| jnp::expm1(&x.m * 1e-3)),
    ("log", |x| jnp::log(&x.p)),
    ("log_f32", |x| jnp::log(&x.f + 2)),
    ("log1p", |x| jnp::log1p(&x.p * 1e-4)),
    ("log2", |x| jnp::log2(&x.p)),
    ("log10", |x| jnp::log10(&x.p)),
    ("log_special", |x| jnp::log(&x.s)),
    ("sqrt", |x| jnp::sqrt(&x.p)),
    ("sqrt_int", |x| jnp::sqrt(&x.i + 5)),
    ("cbrt", |x| jnp::cbrt(&x.a)),
    ("reciprocal", |x| jnp::reciprocal(&x.p)),
    ("deg2rad", |x| jnp::deg2rad(&x.i)),
    ("rad2deg", |x| jnp::rad2deg(&x.m)),
    ("sinc", |x| jnp::sinc(&x.s)),
    ("sinc_m", |x| jnp::sinc(&x.a)),
    ("fabs", |x| jnp::fabs(&x.i)),
    ("rint", |x| jnp::rint(&x.s)),
    ("negative", |x| jnp::negative(&x.i)),
    ("positive", |x| jnp::positive(&x.m)),
    ("sign", |x| jnp::sign(&x.s)),
    ("sign_int", |x| jnp::sign(&x.i)),
    ("abs", |x| jnp::abs(&x.s)),
    ("abs_int", |x| jnp::absolute(&x.i)),
    ("floor", |x| jnp::floor(&x.s)),
    ("floor_int", |x| jnp::floor(&x.i)),
    ("ceil", |x| jnp::ceil(&x.a * 3)),
    ("trunc", |x| jnp::trunc(&x.a * 3)),
    ("round", |x| jnp::round(&x.s, 0)),
    ("round_dec", |x| jnp::round(&x.a * 10, 1)),
    ("round_f32", |x| jnp::around(&x.f * 7, 0)),
    ("square", |x| jnp::square(&x.i)),
    ("square_f", |x| jnp::square(&x.m)),
    ("isnan", |x| jnp::isnan(&x.s)),
    ("isinf", |x| jnp::isinf(&x.s)),
    ("isposinf", |x| jnp::isposinf(&x.s)),
    ("isneginf", |x| jnp::isneginf(&x.s)),
    ("isfinite", |x| jnp::isfinite(&x.s)),
    ("isnan_int", |x| jnp::isnan(&x.i)),
    ("isfinite_int", |x| jnp::isfinite(&x.i)),
    ("signbit", |x| jnp::signbit(&x.s)),
    ("signbit_int", |x| jnp::signbit(&x.i)),
    ("nan_to_num", |x| jnp::nan_to_num(&x.s, 0.0, None, None)),
    ("nan_to_num_f32", |x| {
        jnp::nan_to_num(&x.s32, 0.0, None, None)
    }),
    ("nan_to_num_set", |x| {
        jnp::nan_to_num(&x.s, 7.0, Some(1e3), Some(-1e3))
    }),
    ("logical_not", |x| jnp::logical_not(&x.i)),
    ("bitwise_not", |x| jnp::bitwise_not(&x.i)),
];

const BINARY: &[Case] = &[
    ("add", |x| jnp::add(&x.m, &x.v)),
    ("add_bool", |x| jnp::add(x.m.gt(0), x.v.gt(0))),
    ("subtract", |x| jnp::subtract(&x.i, 3)),
    ("multiply", |x| jnp::multiply(&x.a, &x.m)),
    ("multiply_bool", |x| jnp::multiply(x.m.gt(0), x.v.gt(0))),
    ("maximum", |x| jnp::maximum(&x.s, 0.5)),
    ("minimum", |x| jnp::minimum(&x.s, &x.r)),
    ("fmax", |x| jnp::fmax(&x.s, &x.r)),
    ("fmin", |x| jnp::fmin(&x.s, &x.r)),
    ("equal", |x| jnp::equal(&x.i, 0)),
    ("not_equal", |x| jnp::not_equal(&x.m, &x.v)),
    ("less", |x| jnp::less(&x.m, &x.v)),
    ("less_equal", |x| jnp::less_equal(&x.i, -1)),
    ("greater", |x| jnp::greater(&x.a, &x.m)),
    ("greater_equal", |x| jnp::greater_equal(&x.s, &x.r)),
    ("bitwise_and", |x| jnp::bitwise_and(&x.i, 6)),
    ("bitwise_or", |x| jnp::bitwise_or(&x.i, 6)),
    ("bitwise_xor", |x| jnp::bitwise_xor(&x.i, 6)),
    ("left_shift", |x| jnp::left_shift(&x.i + 5, 2)),
    ("right_shift", |x| jnp::right_shift(&x.i, 1)),
    ("floor_divide", |x| jnp::floor_divide(&x.i, 3)),
    ("floor_divide_neg", |x| jnp::floor_divide(&x.i, -4)),
    ("floor_divide_f", |x| jnp::floor_divide(&x.a * 7, 0.9)),
    ("remainder", |x| jnp::remainder(&x.i, 3)),
    ("remainder_neg", |x| jnp::remainder(&x.i, -4)),
    ("remainder_f", |x| jnp::remainder(&x.a * 7, -0.9)),
    ("fmod", |x| jnp::fmod(&x.i, 3)),
    ("fmod_f", |x| jnp::fmod(&x.a * 7, 0.9)),
    ("power_int", |x| jnp::power(&x.i, 2)),
    ("power_int_arr", |x| {
        jnp::power(&x.i, jnp::remainder(jnp::abs(&x.i), 4))
    }),
    ("power_f_int", |x| jnp::pow(&x.m, 3)),
    ("power_f", |x| jnp::power(&x.p, &x.m)),
    ("float_power", |x| jnp::float_power(&x.i + 6, 0.5)),
    ("divide", |x| jnp::divide(&x.i, 4)),
    ("true_divide", |x| jnp::true_divide(&x.m, &x.v)),
    ("arctan2", |x| jnp::arctan2(&x.m, &x.v)),
    ("hypot", |x| jnp::hypot(&x.m, &x.v)),
    ("hypot_special", |x| jnp::hypot(&x.s, &x.r)),
    ("logaddexp", |x| jnp::logaddexp(&x.m, &x.v)),
    ("logaddexp_special", |x| jnp::logaddexp(&x.s, &x.r)),
    ("logaddexp2", |x| jnp::logaddexp2(&x.a, &x.m)),
    ("copysign", |x| jnp::copysign(&x.m, &x.v)),
    ("copysign_special", |x| jnp::copysign(1.0, &x.s)),
    ("heaviside", |x| jnp::heaviside(&x.s, 0.5)),
    ("nextafter", |x| jnp::nextafter(&x.m, &x.v)),
    ("logical_and", |x| jnp::logical_and(&x.i, x.m.gt(0))),
    ("logical_or", |x| jnp::logical_or(&x.i, x.m.gt(0))),
    ("logical_xor", |x| jnp::logical_xor(&x.i, x.m.gt(0))),
];

const CREATION: &[Case] = &[
    ("logspace", |_| jnp::logspace(0.0, 2.0, 5, true, 10.0, None)),
    ("logspace_base", |_| {
        jnp::logspace(-1.0, 3.0, 4, false, 2.0, None)
    }),
    ("diag_vec", |x| jnp::diag(&x.v, 0)),
    ("diag_vec_k", |x| jnp::diag(&x.v, 1)),
    ("diag_vec_neg", |x| jnp::diag(&x.v, -2)),
    ("diag_mat", |x| jnp::diag(&x.m, 0)),
    ("diag_mat_k", |x| jnp::diag(&x.m, 1)),
    ("diag_mat_neg", |x| jnp::diag(&x.m, -1)),
    ("diag_empty", |x| jnp::diag(&x.v0, 0)),
    ("diagonal", |x| jnp::diagonal(&x.a, 0, 0, 1)),
    ("diagonal_axes", |x| jnp::diagonal(&x.a, 1, 0, 2)),
    ("diagonal_neg", |x| jnp::diagonal(&x.a, -1, 2, 1)),
    ("diagonal_far", |x| jnp::diagonal(&x.m, 5, 0, 1)),
    ("tri", |_| jnp::tri(3, Some(4), 1, None)),
    ("tri_sq", |_| jnp::tri(3, None, 0, None)),
    ("tril", |x| jnp::tril(&x.a, 0)),
    ("tril_k", |x| jnp::tril(&x.m, -1)),
    ("triu", |x| jnp::triu(&x.a, 1)),
    ("triu_m", |x| jnp::triu(&x.m, 0)),
    ("meshgrid_xy_0", |x| {
        jnp::meshgrid(&[&x.v, &x.v3], Indexing::Xy).remove(0)
    }),
    ("meshgrid_xy_1", |x| {
        jnp::meshgrid(&[&x.v, &x.v3], Indexing::Xy).remove(1)
    }),
    ("meshgrid_ij_0", |x| {
        jnp::meshgrid(&[&x.v, &x.v3], Indexing::Ij).remove(0)
    }),
    ("meshgrid_ij_1", |x| {
        jnp::meshgrid(&[&x.v, &x.v3], Indexing::Ij).remove(1)
    }),
    ("meshgrid_3", |x| {
        jnp::meshgrid(&[&x.v2, &x.v, &x.v3], Indexing::Xy).remove(2)
    }),
];

const REDUCTIONS: &[Case] = &[
    ("amax", |x| jnp::amax(&x.a, 1)),
    ("amin", |x| {
        jnp::amin(&x.a, Axes::from([0, 2]).keepdims(true))
    }),
    ("ptp", |x| jnp::ptp(&x.a, -1)),
    ("ptp_all", |x| jnp::ptp(&x.m, ..)),
    ("count_nonzero", |x| jnp::count_nonzero(&x.i, 0)),
    ("count_nonzero_all", |x| jnp::count_nonzero(&x.i, ..)),
    ("count_nonzero_empty", |x| jnp::count_nonzero(&x.e, 0)),
    ("cumsum", |x| jnp::cumsum(&x.a, Some(1), None)),
    ("cumsum_flat", |x| jnp::cumsum(&x.i, None, None)),
    ("cumsum_bool", |x| jnp::cumsum(x.m.gt(0), Some(-1), None)),
    ("cumsum_dtype", |x| {
        jnp::cumsum(&x.i, Some(0), Some(DType::F64))
    }),
    ("cumsum_scalar", |_| {
        jnp::cumsum(2.5.into_array(), None, None)
    }),
    ("cumsum_empty", |x| jnp::cumsum(&x.v0, None, None)),
    ("cumprod", |x| jnp::cumprod(&x.m, Some(-1), None)),
    ("cumprod_flat", |x| jnp::cumprod(&(&x.i + 6), None, None)),
    ("median", |x| jnp::median(&x.a, ..)),
    ("median_axis", |x| jnp::median(&x.a, 1)),
    ("median_keep", |x| {
        jnp::median(&x.m, Axes::from(-1).keepdims(true))
    }),
    ("median_int", |x| jnp::median(&x.i, ..)),
    ("quantile", |x| jnp::quantile(&x.a, 0.3, .., Method::Linear)),
    ("quantile_q", |x| {
        jnp::quantile(&x.a, &x.q3, 2, Method::Linear)
    }),
    ("quantile_axes", |x| {
        jnp::quantile(&x.a, &x.q3, [0, 2], Method::Linear)
    }),
    ("quantile_keep", |x| {
        jnp::quantile(&x.a, &x.q3, Axes::from(1).keepdims(true), Method::Linear)
    }),
    ("quantile_keep_all", |x| {
        jnp::quantile(&x.m, 0.25, Axes::all().keepdims(true), Method::Linear)
    }),
    ("quantile_lower", |x| {
        jnp::quantile(&x.a, &x.q3, 1, Method::Lower)
    }),
    ("quantile_higher", |x| {
        jnp::quantile(&x.a, &x.q3, 1, Method::Higher)
    }),
    ("quantile_nearest", |x| {
        let q = Array::from_vec(vec![0.2f64, 0.5, 0.8]);
        jnp::quantile(&x.m, &q, 1, Method::Nearest)
    }),
    ("quantile_midpoint", |x| {
        jnp::quantile(&x.a, &x.q3, 1, Method::Midpoint)
    }),
    ("quantile_nan", |x| {
        jnp::quantile(&x.nm, 0.5, 1, Method::Linear)
    }),
    ("quantile_f32", |x| {
        jnp::quantile(&x.f, 0.3, 0, Method::Linear)
    }),
    ("percentile", |x| {
        jnp::percentile(&x.m, 40, 0, Method::Linear)
    }),
    ("percentile_q", |x| {
        let q = Array::from_vec(vec![25.0f64, 75.0]);
        jnp::percentile(&x.m, &q, .., Method::Linear)
    }),
    ("average", |x| jnp::average(&x.a, .., None)),
    ("average_axis", |x| jnp::average(&x.a, 1, Some(&x.w))),
    ("average_full", |x| {
        jnp::average(&x.a, .., Some(&(&x.a * &x.a)))
    }),
    ("average_returned_0", |x| {
        jnp::average_returned(&x.m, 0, Some(&(&x.m * &x.m))).0
    }),
    ("average_returned_1", |x| {
        jnp::average_returned(&x.m, 0, Some(&(&x.m * &x.m))).1
    }),
    ("average_sum_unweighted", |x| {
        jnp::average_returned(&x.a, [0, 2], None).1
    }),
    ("nansum", |x| jnp::nansum(&x.n, 1)),
    ("nanprod", |x| jnp::nanprod(&x.n, 0)),
    ("nanmax", |x| jnp::nanmax(&x.n, 1)),
    ("nanmin", |x| jnp::nanmin(&x.n, ..)),
    ("nanmean", |x| jnp::nanmean(&x.n, 0)),
    ("nanmean_int", |x| jnp::nanmean(&x.i, 1)),
];

#[test]
fn unary_functions() -> Result<()> {
    check_eager_and_jit(UNARY)
}

#[test]
fn binary_functions() -> Result<()> {
    check_eager_and_jit(BINARY)
}

#[test]
fn creation() -> Result<()> {
    check_eager_and_jit(CREATION)
}

#[test]
fn reductions_and_statistics() -> Result<()> {
    check_eager_and_jit(REDUCTIONS)
}

/// Every golden case is tested, so none goes stale.
#[test]
fn every_golden_case_is_checked() -> Result<()> {
    let names: Vec<&str> = [UNARY, BINARY, CREATION, REDUCTIONS]
        .iter()
        .flat_map(|cases| cases.iter().map(|(name, _)| *name))
        .collect();
    let text = include_str!("golden/numpy_math.txt");
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name = line.split('|').next().unwrap_or_default();
        ensure!(names.contains(&name), "golden case {name} is not checked");
    }
    Ok(())
}

fn assert_close(got: &Array, want: &Array, what: &str) -> Result<()> {
    ensure!(
        got.shape() == want.shape(),
        "{what}: shape {:?} != {:?}",
        got.shape(),
        want.shape()
    );
    let (g, w) = (values(got)?, values(want)?);
    ensure!(close(&g, &w, 1e-12), "{what}: {g:?} != {w:?}");
    Ok(())
}

#[test]
fn under_vmap() -> Result<()> {
    let x = inputs();
    let rows = vmap(|row: Array| jnp::median(&row, ..), 0)(x.m.clone())?;
    assert_close(&rows, &jnp::median(&x.m, 1), "median")?;
    let q3 = x.q3.clone();
    let rows = vmap(
        move |row: Array| jnp::quantile(&row, &q3, .., Method::Linear),
        0,
    )(x.m.clone())?;
    let want = jnp::quantile(&x.m, &x.q3, 1, Method::Linear);
    assert_close(&rows, &jnp::transpose(&want, None), "quantile")?;
    // A traced q.
    let m = x.m.clone();
    let per_q = vmap(move |q: Array| jnp::quantile(&m, &q, .., Method::Linear), 0)(x.q3.clone())?;
    assert_close(
        &per_q,
        &jnp::quantile(&x.m, &x.q3, .., Method::Linear),
        "traced q",
    )?;
    let rows = vmap(|row: Array| jnp::cumsum(&row, Some(0), None), 0)(x.a.clone())?;
    assert_close(&rows, &jnp::cumsum(&x.a, Some(1), None), "cumsum")?;
    let rows = vmap(|row: Array| jnp::diag(&row, 1), 0)(x.m.clone())?;
    ensure!(rows.shape() == [3, 5, 5]);
    let (got, m) = (values(&rows)?, values(&x.m)?);
    for (r, row) in m.chunks(4).enumerate() {
        let want = values(&jnp::diag(Array::from_vec(row.to_vec()), 1))?;
        ensure!(got[r * 25..(r + 1) * 25] == want[..], "diag of row {r}");
    }
    let rows = vmap(|row: Array| jnp::logaddexp(&row, 0.5), 0)(x.m.clone())?;
    assert_close(&rows, &jnp::logaddexp(&x.m, 0.5), "logaddexp")?;
    Ok(())
}

/// A function of one array whose derivatives are checked.
type Differentiable = (&'static str, usize, fn(Array) -> Array);

/// `(name, order, f)`: checked at the input `A` (whose first element is 0) in both modes.
const DIFFERENTIABLE: &[Differentiable] = &[
    ("sin", 1, |a| jnp::sin(&a)),
    ("tan", 1, |a| jnp::tan(&a)),
    ("arcsin", 1, |a| jnp::arcsin(&a * 0.5)),
    ("arccosh", 1, |a| jnp::arccosh(jnp::square(&a) + 1.5)),
    ("arctanh", 1, |a| jnp::arctanh(&a * 0.5)),
    ("log2", 1, |a| jnp::log2(jnp::square(&a) + 0.5)),
    ("log10", 1, |a| jnp::log10(&a + 2.0)),
    ("log1p", 1, |a| jnp::log1p(&a * 0.5)),
    ("expm1_exp2", 1, |a| jnp::expm1(&a) * jnp::exp2(&a)),
    ("cbrt", 1, |a| jnp::cbrt(&a + 2.0)),
    ("reciprocal", 1, |a| jnp::reciprocal(&a + 2.0)),
    ("sinc", 2, |a| jnp::sinc(&a)),
    ("hypot", 1, |a| jnp::hypot(&a + 1.5, &a * 0.5 + 1.0)),
    ("logaddexp", 2, |a| jnp::logaddexp(&a, jnp::cos(&a))),
    ("logaddexp2", 1, |a| jnp::logaddexp2(&a, &a * -2.0)),
    ("arctan2", 1, |a| jnp::arctan2(&a, jnp::cos(&a) + 1.5)),
    ("power", 1, |a| jnp::power(&a + 2.0, jnp::cos(&a))),
    ("power_int", 1, |a| jnp::power(&a, 3)),
    ("float_power", 1, |a| jnp::float_power(&a + 2.0, 1.5)),
    ("divide", 1, |a| jnp::divide(&a, jnp::cos(&a) + 2.0)),
    ("copysign", 1, |a| jnp::copysign(jnp::exp(&a), jnp::cos(&a))),
    ("fmax", 1, |a| jnp::fmax(&a, jnp::cos(&a))),
    ("nan_to_num", 1, |a| jnp::nan_to_num(&a, 0.0, None, None)),
    ("median", 2, |a| jnp::median(&a, 1)),
    ("quantile", 1, |a| jnp::quantile(&a, 0.3, 2, Method::Linear)),
    ("percentile", 1, |a| {
        jnp::percentile(&a, 40, .., Method::Midpoint)
    }),
    ("average", 1, |a| {
        let w = Array::from_vec(vec![1.0f64, 2.0, 0.5]);
        jnp::average(&a, 1, Some(&w))
    }),
    ("average_self_weighted", 1, |a| {
        jnp::average(&a, .., Some(&jnp::exp(&a)))
    }),
    ("cumsum", 1, |a| jnp::cumsum(&a, Some(1), None)),
    ("cumprod", 1, |a| jnp::cumprod(&a, Some(-1), None)),
    ("ptp", 1, |a| jnp::ptp(&a, 2)),
    ("nanmean", 1, |a| jnp::nanmean(&a, 0)),
    ("diag", 1, |a| {
        jnp::diag(jnp::diag(jnp::diagonal(&a, 1, 1, 2), 0), -1)
    }),
    ("tril_triu", 1, |a| {
        jnp::tril(&a, 0) + jnp::triu(&a, 2) * 2.0
    }),
];

#[test]
fn gradients() -> Result<()> {
    let x = inputs();
    for &(name, order, f) in DIFFERENTIABLE {
        check_grads(
            f,
            x.a.clone(),
            order,
            &[Mode::Fwd, Mode::Rev],
            None,
            None,
            None,
        )
        .with_context(|| name.to_string())?;
    }
    // sinc at 0, as JAX: 0, then -π²/3.
    let sinc = |x: Array| jnp::sinc(&x);
    let d = grad(sinc)(Array::from(0.0f64))?.item::<f64>()?;
    ensure!(d == 0.0, "sinc'(0) = {d}");
    let dd = grad(|x: Array| grad(sinc)(x))(Array::from(0.0f64))?.item::<f64>()?;
    let want = -std::f64::consts::PI.powi(2) / 3.0;
    ensure!((dd - want).abs() < 1e-12, "sinc''(0) = {dd}, not {want}");
    // logaddexp at a tie splits the derivative evenly, as JAX's rule does.
    let g = grad(|x: Array| jnp::logaddexp(&x, 1.0))(Array::from(1.0f64))?.item::<f64>()?;
    ensure!((g - 0.5).abs() < 1e-15, "d logaddexp(x, 1)/dx at 1 = {g}");
    Ok(())
}

#[test]
fn promotion_and_weak_types() -> Result<()> {
    let _ = inputs();
    let f32s = Array::from([1.0f32, -2.0, 0.5]);
    let i32s = Array::from([1i32, 2, 3]);
    ensure!(jnp::sin(&f32s).dtype() == DType::F32);
    // JAX's to_inexact_dtype: int32 becomes float32 even with x64 (see inexact_promotion.rs).
    ensure!(jnp::sin(&i32s).dtype() == DType::F32);
    let weak = jnp::sin(2);
    ensure!(weak.dtype() == DType::F64 && weak.weak_type());
    ensure!(jnp::add(&f32s, 2.0).dtype() == DType::F32);
    ensure!(jnp::add(&f32s, &i32s).dtype() == DType::F32);
    ensure!(jnp::power(&i32s, 2).dtype() == DType::I32);
    ensure!(jnp::power(&f32s, 2).dtype() == DType::F32);
    let p = jnp::power(2, 3);
    ensure!(p.dtype() == DType::I64 && p.weak_type() && p.item::<i64>()? == 8);
    ensure!(jnp::power(&i32s, &i32s).to_vec::<i32>()? == vec![1, 4, 27]);
    ensure!(jnp::divide(&i32s, &i32s).dtype() == DType::F32);
    ensure!(jnp::floor(&i32s).dtype() == DType::I32);
    ensure!(jnp::square(true).dtype() == DType::I64);
    ensure!(jnp::abs(Array::from([3u32, 1])).dtype() == DType::U32);
    ensure!(jnp::isnan(&i32s).to_vec::<bool>()? == vec![false; 3]);
    ensure!(jnp::logical_not(0.0).item::<bool>()?);
    let halves = jnp::round(Array::from([0.5f32, 1.5, 2.5, -0.5, -1.5]), 0);
    ensure!(halves.to_vec::<f32>()? == vec![0.0, 2.0, 2.0, -0.0, -2.0]);
    ensure!(jnp::round(&i32s, 2).to_vec::<i32>()? == vec![1, 2, 3]);
    ensure!(jnp::count_nonzero(&f32s, ..).dtype() == DType::I64);
    ensure!(jnp::cumsum(Array::from([1i8, 2]), None, None).dtype() == DType::I64);
    ensure!(jnp::cumsum(Array::from([1u8, 2]), None, None).dtype() == DType::U64);
    let running = jnp::cumsum(f32s.gt(0), None, Some(DType::Bool));
    ensure!(running.to_vec::<bool>()? == vec![true, true, true]);
    ensure!(jnp::median(&f32s, ..).dtype() == DType::F32);
    ensure!(jnp::quantile(&f32s, 0.5, .., Method::Linear).dtype() == DType::F32);
    ensure!(jnp::average(&i32s, .., None).dtype() == DType::F32);
    ensure!(jnp::asarray(2.0, None).weak_type());
    let strong = jnp::asarray(2.0, Some(DType::F32));
    ensure!(strong.dtype() == DType::F32 && !strong.weak_type());
    let empty = jnp::empty(&[2, 3], None);
    ensure!(empty.dtype() == DType::F64 && empty.shape() == [2, 3]);
    ensure!(jnp::empty_like(&i32s, None).to_vec::<i32>()? == vec![0; 3]);
    ensure!(jnp::tri(2, None, 0, None).dtype() == DType::F32);
    ensure!(jnp::meshgrid(&[&f32s], Indexing::Xy)[0].shape() == [3]);
    let ints = jnp::logspace(0.0, 1.0, 3, true, 10.0, Some(DType::I32));
    ensure!(ints.to_vec::<i32>()? == vec![1, 3, 10]);
    Ok(())
}

#[test]
fn errors() -> Result<()> {
    let x = inputs();
    let expect = |f: &dyn Fn(), parts: &[&str]| -> Result<()> {
        let message = panic_message(f);
        for part in parts {
            ensure!(message.contains(part), "{message:?} lacks {part:?}");
        }
        Ok(())
    };
    expect(
        &|| drop(jnp::add(&x.m, &x.v3)),
        &["add", "f64[3,4]", "f64[3]", "broadcast"],
    )?;
    expect(
        &|| drop(jnp::hypot(&x.a, &x.v3)),
        &["hypot", "f64[2,3,4]", "f64[3]"],
    )?;
    expect(
        &|| drop(jnp::bitwise_and(&x.m, 1)),
        &["f64[3,4]", "integer"],
    )?;
    expect(
        &|| drop(jnp::tril(&x.v, 0)),
        &["tril", "f64[4]", "2 dimensions"],
    )?;
    expect(&|| drop(jnp::diag(&x.a, 0)), &["diag", "f64[2,3,4]"])?;
    expect(
        &|| drop(jnp::diagonal(&x.a, 0, 1, -2)),
        &["diagonal", "must differ"],
    )?;
    expect(
        &|| drop(jnp::meshgrid(&[&x.m], Indexing::Ij)),
        &["meshgrid", "f64[3,4]"],
    )?;
    expect(
        &|| drop(jnp::cumsum(&x.m, Some(2), None)),
        &["cumsum", "axis 2"],
    )?;
    expect(
        &|| drop(jnp::round(&x.i, -1)),
        &["round", "decimals", "i64[3,4]"],
    )?;
    expect(
        &|| drop(jnp::quantile(&x.a, &x.m, .., Method::Linear)),
        &["quantile", "f64[3,4]"],
    )?;
    expect(&|| drop(jnp::median(&x.a, 3)), &["median", "axis 3"])?;
    expect(
        &|| drop(jnp::average(&x.a, 1, Some(&x.v))),
        &["average", "f64[4]", "f64[2,3,4]"],
    )?;
    expect(
        &|| drop(jnp::average(&x.a, .., Some(&x.v3))),
        &["average", "single axis"],
    )?;
    Ok(())
}
