//! `rjax::numpy::linalg` against NumPy's LAPACK: every function eagerly against
//! `tests/golden/numpy_linalg.txt` (written by `tests/golden/numpy_linalg.py`; decompositions
//! through sign-invariant quantities), a selection under `jit`; the defining properties
//! (QᵀQ = I, A = U·S·Vh, A·inv(A) = I, ...) on random well-conditioned tall, wide and batched
//! inputs in float64 (1e-10) and float32 (1e-4); `vmap` of each function against a loop; and
//! derivatives through `check_grads`, under `jit` and `vmap`, with JAX's behaviour at equal
//! singular values.

#[path = "../common/mod.rs"]
mod common;

use common::golden::{Golden, values};
use common::panic_message;

use anyhow::{Result, ensure};
use rjax::numpy::linalg::{self, NormOrd, QrMode, Uplo};
use rjax::numpy::{self as jnp};
use rjax::random::{PRNGKey, normal};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, grad, jit, jvp, vmap};

const GOLDEN: Golden = Golden(include_str!("../golden/numpy_linalg.txt"));

/// Asserts that `x` matches the golden case `name` to 1e-10.
fn check(name: &str, x: &Array) -> Result<()> {
    GOLDEN.check_tol(name, x, 1e-10)
}

fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// The inputs of `tests/golden/numpy_linalg.py`.
struct Inputs {
    tall: Array,
    wide: Array,
    square: Array,
    spd: Array,
    batch: Array,
    vec: Array,
    vec_nonzero: Array,
    rhs: Array,
    rhs_mat: Array,
    rhs3: Array,
    deficient: Array,
    singular: Array,
}

fn inputs() -> Inputs {
    rjax::config::enable_x64(true);
    let tall = host(|k| (k * k * 0.37 + 0.2).sin(), &[4, 3]);
    let square = host(|k| (k * k * 0.31).sin(), &[4, 4]) + jnp::eye(4, None, 0, None) * 2.0;
    let mix = Array::from_slice(&[1.0, 0.0, 1.0, 0.0, 1.0, -1.0], &[2, 3]).expect("2x3");
    let first_two = jnp::split(&tall, jnp::Split::Indices(vec![2]), 1)[0].clone();
    Inputs {
        wide: host(|k| (k * k * 0.23 + 0.1).cos(), &[3, 4]),
        spd: square.matmul(&square.t()) + jnp::eye(4, None, 0, None),
        batch: host(|k| (k * k * 0.29).sin(), &[2, 3, 3]) + jnp::eye(3, None, 0, None) * 2.0,
        vec: Array::from_vec(vec![1.5f64, -2.0, 0.0, 3.0, -0.5]),
        vec_nonzero: Array::from_vec(vec![1.5f64, -2.0, 3.0, -0.5]),
        rhs: host(|k| (k * 1.1).cos(), &[4]),
        rhs_mat: host(|k| (k * 0.6).cos(), &[4, 2]),
        rhs3: Array::from_vec(vec![0.5f64, -1.0, 2.0]),
        deficient: first_two.matmul(&mix),
        singular: Array::from_slice(&[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 1.0, 0.0, 1.0], &[3, 3])
            .expect("3x3"),
        tall,
        square,
    }
}

/// `x` with its last two axes swapped.
fn mt(x: &Array) -> Array {
    jnp::swapaxes(x, -1, -2)
}

/// `parts` stacked along a new leading axis.
fn stack(parts: &[Array]) -> Array {
    let refs: Vec<&Array> = parts.iter().collect();
    jnp::stack(&refs, 0)
}

fn unwrap(x: Option<Array>) -> Result<Array> {
    x.ok_or_else(|| anyhow::anyhow!("missing factor"))
}

#[test]
fn norms_match_numpy() -> Result<()> {
    let x = inputs();
    let vector = [
        ("1", NormOrd::One),
        ("2", NormOrd::Two),
        ("inf", NormOrd::Inf),
        ("neginf", NormOrd::NegInf),
        ("0", NormOrd::Zero),
        ("3", NormOrd::P(3.0)),
        ("neg1", NormOrd::NegOne),
        ("neg2", NormOrd::NegTwo),
        ("half", NormOrd::P(0.5)),
    ];
    for (name, ord) in vector {
        let v = if name.starts_with("neg") && name != "neginf" {
            &x.vec_nonzero
        } else {
            &x.vec
        };
        check(&format!("norm_vec_{name}"), &linalg::norm_with(v, ord))?;
    }
    let matrix = [
        ("fro", NormOrd::Fro),
        ("nuc", NormOrd::Nuc),
        ("1", NormOrd::One),
        ("neg1", NormOrd::NegOne),
        ("2", NormOrd::Two),
        ("neg2", NormOrd::NegTwo),
        ("inf", NormOrd::Inf),
        ("neginf", NormOrd::NegInf),
    ];
    for (name, ord) in matrix {
        check(
            &format!("norm_mat_{name}"),
            &linalg::norm_with(&x.tall, ord),
        )?;
    }
    let b = &x.batch;
    check(
        "norm_batch_2",
        &linalg::norm_with(b, linalg::NormOptions::ord(NormOrd::Two).axes([1, 2])),
    )?;
    check(
        "norm_batch_nuc_swapped",
        &linalg::norm_with(b, linalg::NormOptions::ord(NormOrd::Nuc).axes([2, 1])),
    )?;
    check(
        "norm_batch_neg2_keep",
        &linalg::norm_with(
            b,
            linalg::NormOptions::ord(NormOrd::NegTwo)
                .axes([0, 2])
                .keepdims(true),
        ),
    )?;
    check(
        "norm_batch_1_keep",
        &linalg::norm_with(
            b,
            linalg::NormOptions::ord(NormOrd::One)
                .axes([2, 0])
                .keepdims(true),
        ),
    )?;
    check(
        "norm_axis_3_keep",
        &linalg::norm_with(
            b,
            linalg::NormOptions::ord(NormOrd::P(3.0))
                .axes([1])
                .keepdims(true),
        ),
    )
}

#[test]
fn decompositions_match_numpy() -> Result<()> {
    let x = inputs();
    check("cholesky", &linalg::cholesky(&x.spd))?;
    check(
        "cholesky_upper",
        &linalg::cholesky_with(&x.spd, linalg::CholeskyOptions::default().upper(true)),
    )?;
    let gram = jnp::matmul(&x.batch, mt(&x.batch)) + jnp::eye(3, None, 0, None);
    check("cholesky_batch", &linalg::cholesky(&gram))?;
    let qr_parts = |name: &str, a: &Array, mode: QrMode| -> Result<()> {
        let (q, r) = linalg::qr_with(a, mode);
        check(&format!("qr_{name}_r_abs"), &r.abs())?;
        if mode == QrMode::Reduced {
            let q = unwrap(q)?;
            check(&format!("qr_{name}_proj"), &q.matmul(&q.t()))?;
        }
        Ok(())
    };
    qr_parts("tall", &x.tall, QrMode::Reduced)?;
    qr_parts("wide", &x.wide, QrMode::Reduced)?;
    qr_parts("complete", &x.tall, QrMode::Complete)?;
    let (q, r) = linalg::qr_with(&x.tall, QrMode::R);
    ensure!(q.is_none(), "mode 'r' returns no q");
    check("qr_r_only_abs", &r.abs())?;
    let (w, v) = linalg::eigh(&x.spd);
    check("eigh_w", &w)?;
    check("eigh_v_abs", &v.abs())?;
    let symmetric = &x.batch + mt(&x.batch);
    check("eigvalsh_batch", &linalg::eigvalsh(&symmetric))?;
    check(
        "eigh_upper_w",
        &linalg::eigh_with(
            &x.square,
            linalg::EighOptions::default()
                .uplo(Uplo::Upper)
                .symmetrize_input(false),
        )
        .0,
    )?;
    check(
        "eigh_lower_w",
        &linalg::eigh_with(
            &x.square,
            linalg::EighOptions::default()
                .uplo(Uplo::Lower)
                .symmetrize_input(false),
        )
        .0,
    )?;
    for (name, a) in [
        ("tall", &x.tall),
        ("wide", &x.wide),
        ("square", &x.square),
        ("batch", &x.batch),
    ] {
        let svd = linalg::svd_with(a, linalg::SvdOptions::default().full_matrices(false));
        check(&format!("svd_{name}_s"), &svd.s)?;
        check(&format!("svd_{name}_u_abs"), &unwrap(svd.u)?.abs())?;
        check(&format!("svd_{name}_vh_abs"), &unwrap(svd.vh)?.abs())?;
    }
    check(
        "svd_tall_full_u_abs",
        &unwrap(linalg::svd(&x.tall).u)?.abs(),
    )?;
    check(
        "svd_wide_full_vh_abs",
        &unwrap(linalg::svd(&x.wide).vh)?.abs(),
    )?;
    let larger = host(|k| (k * k * 0.013 + 0.5).sin(), &[20, 12]);
    check(
        "svd_larger_s",
        &linalg::svd_with(
            &larger,
            linalg::SvdOptions::default()
                .full_matrices(false)
                .compute_uv(false),
        )
        .s,
    )?;
    let values_only = linalg::svd_with(
        &x.deficient,
        linalg::SvdOptions::default().compute_uv(false),
    );
    ensure!(values_only.u.is_none() && values_only.vh.is_none());
    check("svd_deficient_s", &values_only.s)
}

#[test]
fn solvers_match_numpy() -> Result<()> {
    let x = inputs();
    check("solve_vec", &linalg::solve(&x.square, &x.rhs))?;
    check("solve_mat", &linalg::solve(&x.square, &x.rhs_mat))?;
    check("solve_batch_vec", &linalg::solve(&x.batch, &x.rhs3))?;
    check(
        "solve_batch_mat",
        &linalg::solve(&x.batch, jnp::flip(&x.batch, Some(&[0]))),
    )?;
    let pivoting = Array::from_slice(&[0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 1.0, 1.0, 0.0], &[3, 3])?;
    check("solve_pivoting", &linalg::solve(&pivoting, &x.rhs3))?;
    check("det_pivoting", &linalg::det(&pivoting))?;
    check("inv", &linalg::inv(&x.square))?;
    check("inv_batch", &linalg::inv(&x.batch))?;
    check("det", &linalg::det(&x.square))?;
    check("det_batch", &linalg::det(&x.batch))?;
    check("det_singular", &linalg::det(&x.singular))?;
    let shifted = &x.batch - jnp::eye(3, None, 0, None) * 2.5;
    let (sign, log) = linalg::slogdet(&shifted);
    check("slogdet_sign", &sign)?;
    check("slogdet_log", &log)?;
    let (sign, log) = linalg::slogdet(&x.singular);
    check("slogdet_singular_sign", &sign)?;
    check("slogdet_singular_log", &log)?;
    check("matrix_power_3", &linalg::matrix_power(&x.square, 3))?;
    check("matrix_power_neg2", &linalg::matrix_power(&x.square, -2))?;
    check("matrix_power_0", &linalg::matrix_power(&x.batch, 0))?;
    check("matrix_power_batch_5", &linalg::matrix_power(&x.batch, 5))
}

#[test]
fn spectral_functions_match_numpy() -> Result<()> {
    let x = inputs();
    check("pinv_tall", &linalg::pinv(&x.tall))?;
    check("pinv_wide", &linalg::pinv(&x.wide))?;
    check("pinv_deficient", &linalg::pinv(&x.deficient))?;
    let (solution, residuals, rank, s) = linalg::lstsq(&x.tall, &x.rhs);
    check("lstsq_x", &solution)?;
    check("lstsq_resid", &residuals)?;
    check("lstsq_rank", &rank)?;
    check("lstsq_s", &s)?;
    let (solution, residuals, _, _) = linalg::lstsq(&x.tall, &x.rhs_mat);
    check("lstsq_mat_x", &solution)?;
    check("lstsq_mat_resid", &residuals)?;
    let (solution, _, rank, _) = linalg::lstsq(&x.deficient, &x.rhs);
    check("lstsq_deficient_x", &solution)?;
    check("lstsq_deficient_rank", &rank)?;
    check("matrix_rank_deficient", &linalg::matrix_rank(&x.deficient))?;
    let first = jnp::split(&x.batch, jnp::Split::Sections(2), 0)[0].reshape(&[3, 3]);
    let pair = stack(&[x.singular.clone(), first]);
    check("matrix_rank_batch", &linalg::matrix_rank(&pair))?;
    check("matrix_rank_tol", &linalg::matrix_rank_with(&x.tall, 0.5))?;
    check("cond", &linalg::cond(&x.square))?;
    check("cond_wide", &linalg::cond_with(&x.wide, NormOrd::Two))?;
    check("cond_neg2", &linalg::cond_with(&x.square, NormOrd::NegTwo))?;
    check("cond_1", &linalg::cond_with(&x.batch, NormOrd::One))?;
    check("cond_fro", &linalg::cond_with(&x.square, NormOrd::Fro))?;
    check(
        "cond_singular_inf",
        &linalg::cond_with(&x.singular, NormOrd::Inf),
    )
}

#[test]
fn staged_under_jit() -> Result<()> {
    let x = inputs();
    let f = jit(|(a, b, spd): (Array, Array, Array)| {
        let svd = linalg::svd_with(&a, linalg::SvdOptions::default().full_matrices(false));
        let (w, _) = linalg::eigh(&spd);
        let (sign, log) = linalg::slogdet(&b);
        vec![
            svd.s,
            svd.u.expect("compute_uv").abs(),
            w,
            linalg::inv(&b),
            linalg::det(&b),
            sign,
            log,
            linalg::pinv(&a),
            linalg::norm_with(&a, NormOrd::Nuc),
            linalg::cholesky(&spd),
        ]
    });
    let out: Vec<Array> = f.call((x.tall.clone(), x.square.clone(), x.spd.clone()))?;
    let names = ["svd_tall_s", "svd_tall_u_abs", "eigh_w", "inv", "det"];
    for (name, got) in names.iter().zip(&out) {
        check(name, got)?;
    }
    // sign·exp(logabsdet) is the determinant.
    check("det", &(&out[5] * out[6].exp()))?;
    check("pinv_tall", &out[7])?;
    check("norm_mat_nuc", &out[8])?;
    check("cholesky", &out[9])
}

/// Asserts `|got - want| <= tol·(1 + |want|)` elementwise, with matching shapes.
fn check_close(what: &str, got: &Array, want: &Array, tol: f64) -> Result<()> {
    ensure!(
        got.shape() == want.shape(),
        "{what}: shape {:?} != {:?}",
        got.shape(),
        want.shape()
    );
    let (g, w) = (values(got)?, values(want)?);
    let worst = g
        .iter()
        .zip(&w)
        .map(|(g, w)| (g - w).abs() / (1.0 + w.abs()))
        .fold(0.0, f64::max);
    ensure!(
        worst <= tol,
        "{what}: off by {worst:e} > {tol:e}\n{g:?}\n{w:?}"
    );
    Ok(())
}

/// A random `[shape]` matrix batch in `dtype`, made well conditioned by adding `shift·I` to
/// its leading square block.
fn random(seed: i64, shape: &[usize], dtype: DType, shift: f64) -> Array {
    let a = normal(PRNGKey(seed), shape, dtype);
    let rank = shape.len();
    let (m, n) = (shape[rank - 2], shape[rank - 1]);
    a + jnp::eye(m, Some(n), 0, Some(dtype)) * shift
}

/// The identity of `a`'s dtype, `[n, n]`.
fn identity(n: usize, like: &Array) -> Array {
    jnp::eye(n, None, 0, Some(like.dtype()))
}

/// Checks the defining properties of every decomposition at `tol` on `dtype` inputs.
fn properties(dtype: DType, tol: f64) -> Result<()> {
    let tall = random(1, &[6, 4], dtype, 2.0);
    let wide = random(2, &[4, 6], dtype, 2.0);
    let batch = random(3, &[3, 5, 5], dtype, 3.0);
    let zero = |what: &str, x: &Array| -> Result<()> {
        let worst = values(&x.abs().max())?[0];
        ensure!(worst <= tol, "{what} ({dtype}): off by {worst:e} > {tol:e}");
        Ok(())
    };
    for (name, a) in [("tall", &tall), ("wide", &wide), ("batch", &batch)] {
        let svd = linalg::svd_with(a, linalg::SvdOptions::default().full_matrices(false));
        let (u, vh) = (unwrap(svd.u)?, unwrap(svd.vh)?);
        let k = svd.s.shape()[svd.s.ndim() - 1];
        let scale = svd.s.max();
        let rebuilt = jnp::matmul(&(&u * jnp::expand_dims(&svd.s, &[-2])), &vh);
        zero(
            &format!("svd {name}: A - U·S·Vh"),
            &((rebuilt - a) / &scale),
        )?;
        zero(
            &format!("svd {name}: UᵀU - I"),
            &(jnp::matmul(mt(&u), &u) - identity(k, a)),
        )?;
        zero(
            &format!("svd {name}: Vh·Vhᵀ - I"),
            &(jnp::matmul(&vh, mt(&vh)) - identity(k, a)),
        )?;
        let (q, r) = linalg::qr(a);
        zero(&format!("qr {name}: A - Q·R"), &(jnp::matmul(&q, &r) - a))?;
        zero(
            &format!("qr {name}: QᵀQ - I"),
            &(jnp::matmul(mt(&q), &q) - identity(k, a)),
        )?;
        let p = linalg::pinv(a);
        zero(
            &format!("pinv {name}: A·P·A - A"),
            &(jnp::matmul(jnp::matmul(a, &p), a) - a),
        )?;
    }
    let full = linalg::svd(&tall);
    let u = unwrap(full.u)?;
    zero(
        "full svd: UᵀU - I",
        &(jnp::matmul(mt(&u), &u) - identity(6, &tall)),
    )?;
    let n = 5;
    let inverse = linalg::inv(&batch);
    zero(
        "A·inv(A) - I",
        &(jnp::matmul(&batch, &inverse) - identity(n, &batch)),
    )?;
    let b = random(4, &[3, 5, 2], dtype, 0.0);
    zero(
        "A·solve(A, B) - B",
        &(jnp::matmul(&batch, linalg::solve(&batch, &b)) - &b),
    )?;
    let det = linalg::det(&batch) * linalg::det(&inverse);
    zero("det(A)·det(inv(A)) - 1", &(det - 1.0))?;
    let spd = jnp::matmul(&batch, mt(&batch));
    let l = linalg::cholesky(&spd);
    zero(
        "L·Lᵀ - A",
        &((jnp::matmul(&l, mt(&l)) - &spd) / spd.abs().max()),
    )?;
    let (w, v) = linalg::eigh(&spd);
    let residual = jnp::matmul(&spd, &v) - &v * jnp::expand_dims(&w, &[-2]);
    zero("eigh: A·V - V·diag(w)", &(residual / w.abs().max()))?;
    zero(
        "eigh: VᵀV - I",
        &(jnp::matmul(mt(&v), &v) - identity(n, &spd)),
    )
}

#[test]
fn properties_hold_in_float64() -> Result<()> {
    rjax::config::enable_x64(true);
    properties(DType::F64, 1e-10)
}

#[test]
fn properties_hold_in_float32() -> Result<()> {
    rjax::config::enable_x64(true);
    properties(DType::F32, 1e-4)
}

/// Asserts that the float32 `x` matches the (float64) golden case `name` to 1e-4.
fn check_f32(name: &str, x: &Array) -> Result<()> {
    let (_, shape, want) = GOLDEN.case(name)?;
    ensure!(
        x.dtype() == DType::F32,
        "{name}: {} is not float32",
        x.aval()
    );
    let want = Array::from_slice(&want, &shape)?;
    check_close(name, x, &want, 1e-4)
}

#[test]
fn float32_matches_numpy_to_1e_4() -> Result<()> {
    let x = inputs();
    let f32 = |a: &Array| a.astype(DType::F32);
    let svd = linalg::svd_with(
        f32(&x.tall),
        linalg::SvdOptions::default().full_matrices(false),
    );
    check_f32("svd_tall_s", &svd.s)?;
    check_f32("svd_tall_u_abs", &unwrap(svd.u)?.abs())?;
    check_f32(
        "svd_batch_s",
        &linalg::svd_with(
            f32(&x.batch),
            linalg::SvdOptions::default()
                .full_matrices(false)
                .compute_uv(false),
        )
        .s,
    )?;
    check_f32("eigh_w", &linalg::eigvalsh(f32(&x.spd)))?;
    check_f32("solve_mat", &linalg::solve(f32(&x.square), f32(&x.rhs_mat)))?;
    check_f32("det_batch", &linalg::det(f32(&x.batch)))?;
    check_f32("pinv_wide", &linalg::pinv(f32(&x.wide)))?;
    check_f32("lstsq_x", &linalg::lstsq(f32(&x.tall), f32(&x.rhs)).0)
}

/// `f` under `vmap` over the leading axis of `x` against `f` on each slice, stacked.
fn vmap_matches_loop(what: &str, x: &Array, f: impl Fn(Array) -> Vec<Array> + Copy) -> Result<()> {
    let batched: Vec<Array> = vmap(f, 0)(x.clone())?;
    let slices = jnp::split(x, jnp::Split::Sections(x.shape()[0]), 0);
    let looped: Vec<Vec<Array>> = slices
        .iter()
        .map(|s| f(jnp::squeeze(s, Some(&[0]))))
        .collect();
    for (i, got) in batched.iter().enumerate() {
        let parts: Vec<Array> = looped.iter().map(|outs| outs[i].clone()).collect();
        let want = stack(&parts);
        check_close(&format!("vmap {what} output {i}"), got, &want, 1e-10)?;
    }
    Ok(())
}

#[test]
fn vmap_of_each_function_matches_a_loop() -> Result<()> {
    let x = inputs();
    let spd = jnp::matmul(&x.batch, mt(&x.batch));
    vmap_matches_loop("cholesky", &spd, |a| vec![linalg::cholesky(&a)])?;
    vmap_matches_loop("eigh", &spd, |a| {
        let (w, v) = linalg::eigh(&a);
        vec![w, v.abs()]
    })?;
    vmap_matches_loop("values only", &x.batch, |a| {
        vec![
            linalg::eigvalsh(&a),
            linalg::svd_with(
                &a,
                linalg::SvdOptions::default()
                    .full_matrices(false)
                    .compute_uv(false),
            )
            .s,
        ]
    })?;
    vmap_matches_loop("qr", &x.batch, |a| {
        let (q, r) = linalg::qr_with(&a, QrMode::Complete);
        vec![q.expect("complete"), r]
    })?;
    vmap_matches_loop("svd", &x.batch, |a| {
        let svd = linalg::svd_with(&a, linalg::SvdOptions::default().full_matrices(false));
        vec![svd.s, svd.u.expect("uv").abs(), svd.vh.expect("uv").abs()]
    })?;
    vmap_matches_loop("solvers", &x.batch, |a| {
        let (sign, log) = linalg::slogdet(&a);
        vec![
            linalg::solve(&a, Array::from_vec(vec![0.5f64, -1.0, 2.0])),
            linalg::inv(&a),
            linalg::det(&a),
            sign,
            log,
            linalg::matrix_power(&a, -3),
        ]
    })?;
    vmap_matches_loop("spectral", &x.batch, |a| {
        let (solution, residuals, rank, s) =
            linalg::lstsq(&a, Array::from_vec(vec![1.0f64, 0.0, -1.0]));
        vec![
            linalg::pinv(&a),
            solution,
            residuals,
            rank,
            s,
            linalg::matrix_rank(&a),
            linalg::cond_with(&a, NormOrd::One),
            linalg::norm_with(&a, NormOrd::NegTwo),
        ]
    })
}

/// `Σᵢ cᵢ·xᵢ` with distinct weights `cᵢ = i + 1` over the last axis: a generic scalar.
/// A call that should panic.
type Misuse<'a> = Box<dyn Fn() + 'a>;

#[test]
fn misuse_panics_with_a_clear_message() -> Result<()> {
    rjax::config::enable_x64(true);
    let rect = Array::from_slice(&[1.0f32; 6], &[2, 3])?;
    let square = Array::from_slice(&[2.0f32, 1.0, 1.0, 3.0], &[2, 2])?;
    let cases: Vec<(&str, Misuse)> = vec![
        (
            "cholesky: expected a batch of square matrices [..., n, n], got f32[2,3]",
            Box::new(|| drop(linalg::cholesky(&rect))),
        ),
        (
            "inv: expected a batch of square matrices",
            Box::new(|| drop(linalg::inv(&rect))),
        ),
        (
            "det: expected a batch of square matrices",
            Box::new(|| drop(linalg::det(&rect))),
        ),
        (
            "svd: expected a batch of matrices [..., m, n] (rank at least 2), got f32[3]",
            Box::new(|| {
                drop(linalg::svd_with(
                    Array::from([1.0f32, 2.0, 3.0]),
                    linalg::SvdOptions::default().full_matrices(false),
                ))
            }),
        ),
        (
            "solve: incompatible shapes: a is f32[2,2]",
            Box::new(|| drop(linalg::solve(&square, Array::from([1.0f32, 2.0, 3.0])))),
        ),
        (
            "solve: expected a batch of square matrices",
            Box::new(|| drop(linalg::solve(&rect, Array::from([1.0f32, 2.0])))),
        ),
        (
            "norm: Invalid norm order Nuc for vectors",
            Box::new(|| drop(linalg::norm_with(Array::from([1.0f32]), NormOrd::Nuc))),
        ),
    ];
    for (want, f) in cases {
        let message = panic_message(f);
        ensure!(message.contains(want), "expected {want:?}, got {message:?}");
    }
    // As JAX: no derivative for the vectors of the full decomposition.
    let message = panic_message(|| {
        drop(grad(|a: Array| linalg::svd(&a).u.expect("uv").sum())(
            square.clone(),
        ));
    });
    ensure!(
        message.contains("Singular value decomposition JVP not implemented for full matrices"),
        "{message}"
    );
    Ok(())
}

mod eigh_vectors;
mod gradients;
mod values_only;
