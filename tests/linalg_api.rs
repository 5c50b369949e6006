//! The plain and `_with` forms of `rjax::numpy::linalg` against JAX 0.10.2 run at test time:
//! each plain form must give `jnp.linalg.f(x)` (JAX's defaults), each `_with` form the result of
//! the same keywords in JAX.

mod common;

use std::collections::HashMap;

use common::python::run_python;
use rjax::numpy::linalg::{
    self, CholeskyOptions, EighOptions, NormOptions, NormOrd, QrMode, SvdOptions, Uplo,
};
use rjax::{Array, numpy as jnp};

/// The inputs, written the same way in Python (see `JAX`).
fn tall() -> Array {
    Array::from([[1.0f64, 2.0], [3.0, 4.0], [5.0, 7.0]])
}
fn spd() -> Array {
    Array::from([[4.0f64, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
}
/// Not symmetric: its lower triangle is `spd`'s, its upper triangle another (indefinite) one.
fn lopsided() -> Array {
    Array::from([[4.0f64, 9.0, -3.0], [1.0, 3.0, 7.0], [0.5, 0.2, 2.0]])
}
fn stack() -> Array {
    jnp::arange(1.0, 13.0, 1.0, rjax::DType::F64).reshape(&[2, 3, 2])
}
fn vector() -> Array {
    Array::from([3.0f64, -4.0, 0.0, 12.0])
}
fn graded() -> Array {
    Array::from([[10.0f64, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.1]])
}

/// Prints `name|shape|values` for each result of JAX's plain calls and keyword calls.
const JAX: &str = r#"
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
L = jnp.linalg
tall = jnp.array([[1., 2.], [3., 4.], [5., 7.]])
spd = jnp.array([[4., 1., .5], [1., 3., .2], [.5, .2, 2.]])
lopsided = jnp.array([[4., 9., -3.], [1., 3., 7.], [.5, .2, 2.]])
stack = jnp.arange(1., 13.).reshape(2, 3, 2)
vector = jnp.array([3., -4., 0., 12.])
graded = jnp.diag(jnp.array([10., 1., .1]))
def show(name, x):
    x = np.asarray(x, dtype=np.float64)
    print(name + "|" + ",".join(map(str, x.shape)) + "|" + " ".join(repr(float(v)) for v in x.ravel()))
show("norm_vector", L.norm(vector))
show("norm_matrix", L.norm(tall))
show("norm_stack", L.norm(stack))
show("norm_one_rows", L.norm(tall, ord=1, axis=1))
show("norm_two_keepdims", L.norm(stack, ord=2, axis=(-2, -1), keepdims=True))
show("norm_inf", L.norm(tall, ord=jnp.inf))
show("norm_axis0_keepdims", L.norm(tall, axis=0, keepdims=True))
u, s, vh = L.svd(tall)
show("svd_u_abs", jnp.abs(u)); show("svd_s", s); show("svd_vh_abs", jnp.abs(vh))
u, s, vh = L.svd(tall, full_matrices=False)
show("svd_thin_u_abs", jnp.abs(u)); show("svd_thin_vh_abs", jnp.abs(vh))
show("svd_values", L.svd(stack, compute_uv=False))
q, r = L.qr(tall)
show("qr_q", q); show("qr_r", r)
q, r = L.qr(tall, mode="complete")
show("qr_complete_q_abs", jnp.abs(q)); show("qr_complete_r", r)
show("qr_r_only", L.qr(tall, mode="r"))
show("cholesky", L.cholesky(spd))
show("cholesky_upper", L.cholesky(spd, upper=True))
show("cholesky_lower_triangle", L.cholesky(lopsided, symmetrize_input=False))
w, v = L.eigh(spd)
show("eigh_w", w); show("eigh_v_abs", jnp.abs(v))
show("eigh_symmetrized_w", L.eigh(lopsided)[0])
show("eigh_upper_w", L.eigh(lopsided, UPLO="U", symmetrize_input=False)[0])
show("eigh_lower_w", L.eigh(lopsided, UPLO="L", symmetrize_input=False)[0])
show("eigvalsh", L.eigvalsh(lopsided))
show("eigvalsh_upper", L.eigvalsh(lopsided, UPLO="U", symmetrize_input=False))
show("pinv", L.pinv(tall))
show("pinv_rtol", L.pinv(graded, rtol=0.5))
x, res, rank, s = L.lstsq(tall, jnp.array([1., 0., 2.]))
show("lstsq_x", x); show("lstsq_residuals", res); show("lstsq_rank", rank)
x, res, rank, s = L.lstsq(graded, jnp.array([1., 1., 1.]), rcond=0.05)
show("lstsq_rcond_x", x); show("lstsq_rcond_rank", rank)
show("matrix_rank", L.matrix_rank(graded))
show("matrix_rank_rtol", L.matrix_rank(graded, rtol=0.5))
show("cond", L.cond(spd))
show("cond_one", L.cond(spd, 1))
show("cond_fro", L.cond(lopsided, "fro"))
"#;

/// JAX's results by name: shape and values.
fn jax_results() -> HashMap<String, (Vec<usize>, Vec<f64>)> {
    run_python(JAX, &[])
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('|');
            let (name, shape, values) = (parts.next()?, parts.next()?, parts.next()?);
            let shape = shape
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| d.parse().expect("a dimension"))
                .collect();
            let values = values
                .split(' ')
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().expect("a float"))
                .collect();
            Some((name.to_string(), (shape, values)))
        })
        .collect()
}

/// Asserts that `got` has JAX's shape and values (to `1e-10` relative to the largest).
fn assert_jax(jax: &HashMap<String, (Vec<usize>, Vec<f64>)>, name: &str, got: &Array) {
    let (shape, want) = jax
        .get(name)
        .unwrap_or_else(|| panic!("no JAX result {name}"));
    assert_eq!(got.shape(), shape.as_slice(), "{name}: shape");
    let got = jnp::asarray(got, rjax::DType::F64)
        .to_vec::<f64>()
        .expect("values");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-10 * scale,
            "{name}[{i}]: rjax {g}, JAX {w} (all: {got:?} vs {want:?})"
        );
    }
}

#[test]
fn plain_and_keyword_forms_match_jax() {
    rjax::config::enable_x64(true);
    let jax = &jax_results();
    let check = |name: &str, got: &Array| assert_jax(jax, name, got);

    check("norm_vector", &linalg::norm(vector()));
    check("norm_matrix", &linalg::norm(tall()));
    check("norm_stack", &linalg::norm(stack()));
    check(
        "norm_one_rows",
        &linalg::norm_with(tall(), NormOptions::ord(NormOrd::One).axes(1)),
    );
    let two = NormOptions::ord(NormOrd::Two).axes([-2, -1]).keepdims(true);
    check("norm_two_keepdims", &linalg::norm_with(stack(), two));
    check("norm_inf", &linalg::norm_with(tall(), NormOrd::Inf));
    let column = NormOptions::default().axes(0).keepdims(true);
    check("norm_axis0_keepdims", &linalg::norm_with(tall(), column));

    let full = linalg::svd(tall());
    check("svd_u_abs", &full.u.expect("u").abs());
    check("svd_s", &full.s);
    check("svd_vh_abs", &full.vh.expect("vh").abs());
    let thin = linalg::svd_with(tall(), SvdOptions::default().full_matrices(false));
    check("svd_thin_u_abs", &thin.u.expect("u").abs());
    check("svd_thin_vh_abs", &thin.vh.expect("vh").abs());
    let values = linalg::svd_with(stack(), SvdOptions::default().compute_uv(false));
    assert!(values.u.is_none() && values.vh.is_none());
    check("svd_values", &values.s);

    let (q, r) = linalg::qr(tall());
    check("qr_q", &q);
    check("qr_r", &r);
    let (q, r) = linalg::qr_with(tall(), QrMode::Complete);
    check("qr_complete_q_abs", &q.expect("q").abs());
    check("qr_complete_r", &r);
    let (q, r) = linalg::qr_with(tall(), QrMode::R);
    assert!(q.is_none());
    check("qr_r_only", &r);

    check("cholesky", &linalg::cholesky(spd()));
    let upper = CholeskyOptions::default().upper(true);
    check("cholesky_upper", &linalg::cholesky_with(spd(), upper));
    let lower_only = CholeskyOptions::default().symmetrize_input(false);
    check(
        "cholesky_lower_triangle",
        &linalg::cholesky_with(lopsided(), lower_only),
    );

    let (w, v) = linalg::eigh(spd());
    check("eigh_w", &w);
    check("eigh_v_abs", &v.abs());
    check("eigh_symmetrized_w", &linalg::eigh(lopsided()).0);
    let triangle = |uplo| EighOptions::default().uplo(uplo).symmetrize_input(false);
    check(
        "eigh_upper_w",
        &linalg::eigh_with(lopsided(), triangle(Uplo::Upper)).0,
    );
    check(
        "eigh_lower_w",
        &linalg::eigh_with(lopsided(), triangle(Uplo::Lower)).0,
    );
    check("eigvalsh", &linalg::eigvalsh(lopsided()));
    check(
        "eigvalsh_upper",
        &linalg::eigvalsh_with(lopsided(), triangle(Uplo::Upper)),
    );

    check("pinv", &linalg::pinv(tall()));
    check("pinv_rtol", &linalg::pinv_with(graded(), 0.5));
    let (x, residuals, rank, _) = linalg::lstsq(tall(), Array::from([1.0f64, 0.0, 2.0]));
    check("lstsq_x", &x);
    check("lstsq_residuals", &residuals);
    check("lstsq_rank", &rank);
    let (x, _, rank, _) = linalg::lstsq_with(graded(), Array::from([1.0f64, 1.0, 1.0]), 0.05);
    check("lstsq_rcond_x", &x);
    check("lstsq_rcond_rank", &rank);
    check("matrix_rank", &linalg::matrix_rank(graded()));
    check("matrix_rank_rtol", &linalg::matrix_rank_with(graded(), 0.5));
    check("cond", &linalg::cond(spd()));
    check("cond_one", &linalg::cond_with(spd(), NormOrd::One));
    check("cond_fro", &linalg::cond_with(lopsided(), NormOrd::Fro));
}
