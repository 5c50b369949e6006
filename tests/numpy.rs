//! `rjax::numpy` against NumPy: every function eagerly against `tests/golden/numpy.txt`
//! (written by `tests/golden/numpy.py`), a few under `jit` and `vmap`, and `grad` through
//! `sum`, `mean`, `linalg::norm`, `nn::logsumexp` and `nn::softmax` against closed forms.

mod common;

use common::golden::{Golden, close, values};
use common::panic_message;
use rjax::numpy::Axes;

use anyhow::{Context, Result, ensure};
use rjax::numpy::{self as jnp, Split, linalg};
use rjax::{Array, DType, grad, jit, nn, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/numpy.txt"));

/// Asserts that `x` matches the golden case `name`.
fn check(name: &str, x: &Array) -> Result<()> {
    GOLDEN.check(name, x)
}

fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// The inputs of `tests/golden/numpy.py`.
struct Inputs {
    a: Array,
    m: Array,
    b: Array,
    v: Array,
    i: Array,
    batch: Array,
}

fn inputs() -> Inputs {
    rjax::config::enable_x64(true);
    let ints: Vec<i64> = (0..12).map(|k| k - 5).collect();
    Inputs {
        a: host(|k| (k * 1.3).sin(), &[2, 3, 4]),
        m: host(|k| (k * 0.7 + 0.3).sin(), &[3, 4]),
        b: host(|k| (k * 0.9).cos(), &[4, 5]),
        v: Array::from_vec(vec![1.5f64, -2.0, 0.5, 3.0]),
        i: Array::from_slice(&ints, &[3, 4]).expect("sizes match"),
        batch: host(|k| (k * 0.5).cos(), &[2, 4, 3]),
    }
}

#[test]
fn creation() -> Result<()> {
    let x = inputs();
    check("zeros", &jnp::zeros(&[2, 3], None))?;
    check("ones_i", &jnp::ones(&[2], Some(DType::I64)))?;
    check("full", &jnp::full(&[2, 2], 7.5, None))?;
    check("full_like", &jnp::full_like(&x.i, 3, None))?;
    check("arange_int", &jnp::arange(2, 11, 3, None))?;
    check("arange_float", &jnp::arange(0.5, 2.0, 0.25, None))?;
    check("arange_neg", &jnp::arange(5, -3, -2, None))?;
    check("linspace", &jnp::linspace(0.0, 1.0, 5, true, None))?;
    check("linspace_noend", &jnp::linspace(-1.0, 2.0, 4, false, None))?;
    check("eye", &jnp::eye(3, Some(4), 1, None))?;
    check("eye_neg", &jnp::eye(3, None, -1, None))?;
    check("identity_i", &jnp::identity(3, Some(DType::I64)))?;
    check("zeros", &jnp::zeros_like(jnp::ones(&[2, 3], None), None))?;
    check(
        "ones_i",
        &jnp::ones_like(Array::from_vec(vec![4i64, 5]), None),
    )?;
    Ok(())
}

#[test]
fn reductions() -> Result<()> {
    let x = inputs();
    check("sum_all", &jnp::sum(&x.a, ..))?;
    check("sum_ax", &jnp::sum(&x.a, [0, -1]))?;
    check("sum_keep", &jnp::sum(&x.a, Axes::from(1).keepdims(true)))?;
    check("sum_int", &jnp::sum(&x.i, 0))?;
    check("prod", &jnp::prod(&x.m, 1))?;
    check("mean", &jnp::mean(&x.a, -1))?;
    check("mean_int", &jnp::mean(&x.i, ..))?;
    check("var", &jnp::var(&x.a, [0, 2], 0))?;
    check("var_ddof", &jnp::var(&x.m, 1, 1))?;
    check("std", &jnp::std(&x.a, .., 0))?;
    check("std_keep", &jnp::std(&x.m, Axes::from(0).keepdims(true), 1))?;
    check("max", &jnp::max(&x.a, 2))?;
    check("min_keep", &jnp::min(&x.a, Axes::from(0).keepdims(true)))?;
    check("argmax", &jnp::argmax(&x.a, 1))?;
    check("argmax_flat", &jnp::argmax(&x.a, ..))?;
    check(
        "argmin_keep",
        &jnp::argmin(&x.m, Axes::from(-1).keepdims(true)),
    )?;
    check("all", &jnp::all(&x.i, 1))?;
    check("any", &jnp::any(x.i.gt(5), 0))?;
    Ok(())
}

#[test]
fn products() -> Result<()> {
    let x = inputs();
    check("matmul", &jnp::matmul(&x.m, &x.b))?;
    check("matmul_batched", &jnp::matmul(&x.a, &x.batch))?;
    check("matmul_vec_mat", &jnp::matmul(&x.v, &x.b))?;
    check("matmul_mat_vec", &jnp::matmul(&x.m, &x.v))?;
    check("matmul_vec_vec", &jnp::matmul(&x.v, &x.v))?;
    let first = jnp::squeeze(&jnp::split(&x.batch, Split::Sections(2), 0)[0], Some(&[0]));
    check(
        "matmul_bcast",
        &jnp::matmul(&first, jnp::ones(&[2, 1, 3, 2], None)),
    )?;
    check("dot", &jnp::dot(&x.a, &x.b))?;
    check("dot_vec", &jnp::dot(&x.m, &x.v))?;
    check("vdot", &jnp::vdot(&x.m, &x.m))?;
    check("inner", &jnp::inner(&x.a, &x.m))?;
    let v3 = jnp::split(&x.v, Split::Indices(vec![3]), 0)[0].clone();
    check("outer", &jnp::outer(&x.v, &v3))?;
    check("trace", &jnp::trace(&x.m, 0, 0, 1))?;
    check("trace_off", &jnp::trace(&x.a, 1, 1, 2))?;
    Ok(())
}

#[test]
fn shapes() -> Result<()> {
    let x = inputs();
    check("reshape", &jnp::reshape(&x.a, &[4, -1]))?;
    check("ravel", &jnp::ravel(&x.m))?;
    check("transpose", &jnp::transpose(&x.a, None))?;
    check("transpose_axes", &jnp::transpose(&x.a, Some(&[1, 0, 2])))?;
    check("swapaxes", &jnp::swapaxes(&x.a, 0, -1))?;
    check("moveaxis", &jnp::moveaxis(&x.a, &[0], &[-1]))?;
    check("moveaxis2", &jnp::moveaxis(&x.a, &[0, 1], &[-1, 0]))?;
    check(
        "squeeze",
        &jnp::squeeze(jnp::sum(&x.a, Axes::from(1).keepdims(true)), None),
    )?;
    check("expand_dims", &jnp::expand_dims(&x.m, &[0, -1]))?;
    check("broadcast_to", &jnp::broadcast_to(&x.v, &[2, 3, 4]))?;
    let column = jnp::split(&x.m, Split::Indices(vec![1]), 1)[0].clone();
    check("broadcast_to_col", &jnp::broadcast_to(&column, &[2, 3, 4]))?;
    check("concatenate", &jnp::concatenate(&[&x.m, &x.i], 0))?;
    check("concatenate_neg", &jnp::concatenate(&[&x.m, &x.m], -1))?;
    check("stack", &jnp::stack(&[&x.m, &(&x.m * 2)], 1))?;
    let parts = jnp::split(&x.a, Split::Indices(vec![1, 3]), 2);
    ensure!(parts.len() == 3);
    check("split_0", &parts[0])?;
    check("split_1", &parts[1])?;
    check("split_2", &parts[2])?;
    check("split_eq", &jnp::split(&x.m, Split::Sections(3), 0)[1])?;
    check("flip", &jnp::flip(&x.a, Some(&[0, 2])))?;
    check("flip_all", &jnp::flip(&x.m, None))?;
    check("where", &jnp::where_(x.m.gt(0), &x.m, 0.0))?;
    check("where_bcast", &jnp::where_(x.v.gt(0), &x.m, -1.0))?;
    check("clip", &jnp::clip(&x.a, Some(-0.5), Some(0.25)))?;
    check("clip_int", &jnp::clip(&x.i, None::<i32>, Some(2)))?;
    // Weak scalars keep the array's dtype.
    let f32s = Array::from([1.0f32, 5.0]);
    ensure!(jnp::clip(&f32s, Some(2.0), Some(3.0)).dtype() == DType::F32);
    ensure!(jnp::where_(true, &f32s, 0.0).dtype() == DType::F32);
    Ok(())
}

#[test]
fn norms_and_nn() -> Result<()> {
    let x = inputs();
    use linalg::NormOrd;
    check("norm", &linalg::norm(&x.v))?;
    check("norm_1", &linalg::norm_with(&x.v, NormOrd::One))?;
    check("norm_inf", &linalg::norm_with(&x.v, NormOrd::Inf))?;
    check("norm_fro", &linalg::norm(&x.m))?;
    check("norm_mat_1", &linalg::norm_with(&x.m, NormOrd::One))?;
    check("norm_mat_inf", &linalg::norm_with(&x.m, NormOrd::Inf))?;
    check(
        "norm_axis",
        &linalg::norm_with(&x.a, linalg::NormOptions::default().axes([-1])),
    )?;
    check(
        "norm_axes",
        &linalg::norm_with(&x.a, linalg::NormOptions::default().axes([1, 2])),
    )?;
    check("logsumexp", &nn::logsumexp(&x.a, None, false))?;
    check(
        "logsumexp_ax",
        &nn::logsumexp(&(&x.a * 100), Some(&[1]), false),
    )?;
    check("logsumexp_keep", &nn::logsumexp(&x.m, Some(&[-1]), true))?;
    check("softmax", &nn::softmax(&x.m, None))?;
    check("softmax_ax", &nn::softmax(&(&x.a * 50), Some(&[0])))?;
    // Large inputs do not overflow.
    let big = Array::from_vec(vec![1000.0f64, 1000.0]);
    let lse = nn::logsumexp(&big, None, false).item::<f64>()?;
    ensure!((lse - (1000.0 + 2f64.ln())).abs() < 1e-9);
    Ok(())
}

#[test]
fn under_jit() -> Result<()> {
    let x = inputs();
    let f = jit(|(a, b): (Array, Array)| {
        let s = nn::softmax(jnp::matmul(&a, &b), Some(&[-1]));
        jnp::mean(&s, 0)
    });
    let got: Array = f.call((x.m.clone(), x.b.clone()))?;
    let want = jnp::mean(nn::softmax(jnp::matmul(&x.m, &x.b), None), 0);
    ensure!(close(&values(&got)?, &values(&want)?, 1e-12));
    let g = jit(|a: Array| jnp::var(jnp::reshape(&a, &[4, -1]), 1, 1));
    let got: Array = g.call(x.a.clone())?;
    let want = jnp::var(jnp::reshape(&x.a, &[4, -1]), 1, 1);
    ensure!(close(&values(&got)?, &values(&want)?, 1e-12));
    let h = jit(|a: Array| jnp::argmax(jnp::flip(&a, None), 0));
    let got: Array = h.call(x.a.clone())?;
    let want = jnp::argmax(jnp::flip(&x.a, None), 0);
    ensure!(got.to_vec::<i64>()? == want.to_vec::<i64>()?);
    let c = jit(|a: Array| jnp::arange(0, 4, 1, None) + jnp::sum(&a, ..));
    let got: Array = c.call(Array::from_vec(vec![1i64, 2]))?;
    ensure!(got.to_vec::<i64>()? == vec![3, 4, 5, 6]);
    Ok(())
}

#[test]
fn gradients() -> Result<()> {
    let x = inputs();
    let m = values(&x.m)?;
    // d/dx sum(x^2) = 2x; d/dx mean(x) = 1/n.
    let g = grad(|a: Array| jnp::sum(&(&a * &a), ..))(x.m.clone())?;
    ensure!(close(
        &values(&g)?,
        &m.iter().map(|v| 2.0 * v).collect::<Vec<_>>(),
        1e-12
    ));
    let g = grad(|a: Array| jnp::mean(&a, ..))(x.m.clone())?;
    ensure!(close(&values(&g)?, &[1.0 / 12.0; 12], 1e-12));
    // d/dx ||x|| = x / ||x||.
    let v = values(&x.v)?;
    let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let g = grad(|a: Array| linalg::norm(&a))(x.v.clone())?;
    ensure!(close(
        &values(&g)?,
        &v.iter().map(|a| a / n).collect::<Vec<_>>(),
        1e-12
    ));
    // d/dx logsumexp(x) = softmax(x).
    let e: Vec<f64> = m.iter().map(|a| a.exp()).collect();
    let total: f64 = e.iter().sum();
    let soft: Vec<f64> = e.iter().map(|a| a / total).collect();
    let g = grad(|a: Array| nn::logsumexp(&a, None, false))(x.m.clone())?;
    ensure!(close(&values(&g)?, &soft, 1e-12));
    // d/dx_j softmax(x)_0 = s_0 (δ_0j - s_j), over a vector.
    let s: Vec<f64> = {
        let e: Vec<f64> = v.iter().map(|a| a.exp()).collect();
        let t: f64 = e.iter().sum();
        e.iter().map(|a| a / t).collect()
    };
    let g = grad(|a: Array| {
        let out = nn::softmax(&a, None);
        jnp::sum(&(out * jnp::eye(1, Some(4), 0, None)), ..)
    })(x.v.clone())?;
    let want: Vec<f64> = (0..4)
        .map(|j| s[0] * (f64::from(u8::from(j == 0)) - s[j]))
        .collect();
    ensure!(close(&values(&g)?, &want, 1e-12));
    Ok(())
}

#[test]
fn under_vmap() -> Result<()> {
    let x = inputs();
    // Per-row logsumexp equals logsumexp over axis 1.
    let got = vmap(|row: Array| nn::logsumexp(&row, None, false), 0)(x.m.clone())?;
    let want = nn::logsumexp(&x.m, Some(&[1]), false);
    ensure!(close(&values(&got)?, &values(&want)?, 1e-12));
    // Per-batch matmul equals the batched matmul.
    let got =
        vmap(|(a, b): (Array, Array)| jnp::matmul(&a, &b), 0)((x.a.clone(), x.batch.clone()))?;
    check("matmul_batched", &got)?;
    // Per-row norm.
    let got = vmap(|row: Array| linalg::norm(&row), 0)(x.m.clone())?;
    let want = linalg::norm_with(&x.m, linalg::NormOptions::default().axes([1]));
    ensure!(close(&values(&got)?, &values(&want)?, 1e-12));
    Ok(())
}

#[test]
fn errors() -> Result<()> {
    let x = inputs();
    let message = panic_message(|| {
        jnp::sum(&x.m, 2);
    });
    ensure!(message.contains("axis 2 is out of bounds"), "{message}");
    let message = panic_message(|| {
        jnp::reshape(&x.m, &[5, -1]);
    });
    ensure!(message.contains("cannot reshape"), "{message}");
    let message = panic_message(|| {
        jnp::split(&x.m, Split::Sections(2), 0);
    });
    ensure!(message.contains("equal division"), "{message}");
    let message = panic_message(|| {
        jnp::matmul(&x.m, &x.m);
    });
    ensure!(message.contains("contracting dimensions"), "{message}");
    let message = panic_message(|| {
        jnp::broadcast_to(&x.m, &[4, 4]);
    });
    ensure!(message.contains("cannot broadcast"), "{message}");
    Ok(())
}

#[test]
fn promotion_and_defaults() -> Result<()> {
    let _ = inputs();
    // Weak Rust numbers keep the array's dtype; strong arrays promote.
    let f32s = Array::from([1.0f32, -5.0, 2.5]);
    ensure!(jnp::clip(&f32s, Some(0), Some(2.0)).dtype() == DType::F32);
    ensure!(jnp::where_(f32s.gt(0), &f32s, 0).dtype() == DType::F32);
    let i32s = Array::from([1i32, 2, 3]);
    ensure!(jnp::concatenate(&[&i32s, &f32s], 0).dtype() == DType::F32);
    ensure!(jnp::matmul(&i32s, &f32s).dtype() == DType::F32);
    // Small integers and booleans sum as the default int; means are floats.
    let small = Array::from([1i8, 2, 3]);
    ensure!(jnp::sum(&small, ..).dtype() == DType::I64);
    ensure!(jnp::sum(f32s.gt(0), ..).item::<i64>()? == 2);
    // JAX's to_inexact_dtype: int32 averages in float32 even with x64.
    ensure!(jnp::mean(&i32s, ..).dtype() == DType::F32);
    ensure!(jnp::mean(&f32s, ..).dtype() == DType::F32);
    ensure!(jnp::argmax(&f32s, ..).dtype() == DType::I64);
    ensure!(jnp::argmax(x_of(&[2, 3]), Axes::all().keepdims(true)).shape() == [1, 1]);
    ensure!(jnp::arange(0.0f32, 1.0, 0.5, None).dtype() == DType::F64);
    ensure!(jnp::arange(0, 3, 1, Some(DType::F32)).dtype() == DType::F32);
    ensure!(jnp::linspace(0.0, 1.0, 1, true, None).to_vec::<f64>()? == vec![0.0]);
    ensure!(jnp::linspace(0.0, 1.0, 0, true, None).shape() == [0]);
    ensure!(jnp::full(&[2], 7, None).dtype() == DType::I64);
    ensure!(!jnp::full(&[2], 7, None).weak_type());
    Ok(())
}

fn x_of(shape: &[usize]) -> Array {
    host(|k| (k * 0.3).cos(), shape)
}

/// A boxed function of one array.
type Unary = Box<dyn Fn(Array) -> Array>;

/// Forward and reverse derivatives of the other functions against finite differences.
#[test]
fn check_grads_of_compositions() -> Result<()> {
    use rjax::test_util::{Mode, check_grads};
    let x = inputs();
    let modes = [Mode::Fwd, Mode::Rev];
    let checks: Vec<(&str, Unary)> = vec![
        ("var", Box::new(|a| jnp::var(&a, [0, 2], 1))),
        (
            "std",
            Box::new(|a| jnp::std(&a, Axes::from(-1).keepdims(true), 0)),
        ),
        ("prod", Box::new(|a| jnp::prod(&a, 1))),
        ("max", Box::new(|a| jnp::max(&a, 2))),
        ("trace", Box::new(|a| jnp::trace(&a, 1, 1, 2))),
        (
            "matmul",
            Box::new(|a| jnp::matmul(&a, jnp::swapaxes(&a, -1, -2))),
        ),
        (
            "dot",
            Box::new(|a| jnp::dot(jnp::ravel(&a), jnp::ravel(&a))),
        ),
        ("outer", Box::new(|a| jnp::outer(&a, jnp::flip(&a, None)))),
        ("clip", Box::new(|a| jnp::clip(&a, Some(-0.5), Some(0.5)))),
        ("where", Box::new(|a| jnp::where_(a.gt(0.05), &a, &a * &a))),
        (
            "shapes",
            Box::new(|a| {
                let b = jnp::moveaxis(jnp::expand_dims(&a, &[0]), &[0], &[-1]);
                let parts = jnp::split(jnp::squeeze(&b, None), Split::Indices(vec![1]), -1);
                jnp::stack(
                    &[&parts[0], &jnp::broadcast_to(&parts[0], parts[0].shape())],
                    0,
                )
            }),
        ),
        (
            "norm_mat_1",
            Box::new(|a| {
                linalg::norm_with(
                    &a,
                    linalg::NormOptions::ord(linalg::NormOrd::One).axes([1, 2]),
                )
            }),
        ),
        ("softmax", Box::new(|a| nn::softmax(&a, Some(&[1])))),
        (
            "logsumexp",
            Box::new(|a| nn::logsumexp(&a, Some(&[0, -1]), true)),
        ),
    ];
    for (name, f) in checks {
        check_grads(|a: Array| f(a), x.a.clone(), 2, &modes, None, None, None)
            .with_context(|| name.to_string())?;
    }
    Ok(())
}

/// `vmap` of more functions equals applying them to each slice.
#[test]
fn vmap_matches_slices() -> Result<()> {
    let x = inputs();
    let fs: Vec<(&str, Unary)> = vec![
        ("trace", Box::new(|m| jnp::trace(&m, 0, 0, 1))),
        (
            "var",
            Box::new(|m| jnp::var(&m, Axes::from(-1).keepdims(true), 1)),
        ),
        ("argmin", Box::new(|m| jnp::argmin(&m, -1))),
        ("softmax", Box::new(|m| nn::softmax(&m, Some(&[0])))),
        ("moveaxis", Box::new(|m| jnp::moveaxis(&m, &[0], &[-1]))),
        ("clip", Box::new(|m| jnp::clip(&m, Some(-0.2), None::<f64>))),
        (
            "concat",
            Box::new(|m| jnp::concatenate(&[&m, &jnp::flip(&m, Some(&[0]))], -1)),
        ),
        ("where", Box::new(|m| jnp::where_(m.lt(0), 0, &m))),
    ];
    for (name, f) in fs {
        let batched = vmap(|m: Array| f(m), 0)(x.a.clone())?;
        let parts = jnp::split(&x.a, Split::Sections(2), 0);
        let slices: Vec<Array> = parts
            .iter()
            .map(|p| f(jnp::squeeze(p, Some(&[0]))))
            .collect();
        let refs: Vec<&Array> = slices.iter().collect();
        let looped = jnp::stack(&refs, 0);
        ensure!(batched.shape() == looped.shape(), "{name}: shapes differ");
        ensure!(batched.dtype() == looped.dtype(), "{name}: dtypes differ");
        ensure!(
            close(&values(&batched)?, &values(&looped)?, 1e-12),
            "{name}: values differ"
        );
    }
    Ok(())
}
