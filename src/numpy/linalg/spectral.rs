//! What rests on the singular value decomposition: `pinv` (with JAX's derivative rule),
//! `lstsq`, `matrix_rank` and `cond`.

use super::norm::{NormOptions, NormOrd, norm_with};
use super::svd::{singular_values, thin_svd, thin_svd_underivable};
use super::{eps, inv, last, matrices, mm, mt, rows_cols, scalar, square_matrices};
use crate::IntoArray;
use crate::custom_derivatives::custom_jvp;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, Result};

type Pair = (Array, Array);

thread_local! {
    static PINV: Box<dyn Fn(Pair) -> Result<Array>> =
        Box::new(custom_jvp(|(a, rtol): Pair| pseudo_inverse(&a, &rtol), pinv_jvp));
}

/// The pseudo-inverse from the thin SVD: singular values at most `rtol·s_max` count as zero.
/// The SVD here needs no rule of its own: `pinv`'s rule covers the whole function.
fn pseudo_inverse(a: &Array, rtol: &Array) -> Result<Array> {
    let (s, u, vh) = thin_svd_underivable(a)?;
    let cutoff = last(&s, 0..1) * rtol;
    let infinite = scalar(f64::INFINITY, s.dtype());
    let s = super::super::where_(s.gt(&cutoff), &s, &infinite);
    Ok(mm(&mt(&vh), &(mt(&u) / lax::expand_dims(&s, &[s.ndim()]))))
}

/// JAX's `_pinv_jvp` (Golub and Pereyra, 1973).
fn pinv_jvp((a, rtol): Pair, (da, _): Pair) -> Result<(Array, Array)> {
    let p = PINV.with(|f| f((a.clone(), rtol)))?;
    let (m, n) = rows_cols(&a);
    let (pt, dat) = (mt(&p), mt(&da));
    let p_dot = if m >= n {
        let s = mm(&mm(&p, &pt), &dat);
        let t = mm(&mm(&dat, &pt), &p);
        -mm(&mm(&p, &da), &p) + &s - mm(&mm(&s, &a), &p) + &t - mm(&mm(&p, &a), &t)
    } else {
        let s = mm(&p, &mm(&pt, &dat));
        let t = mm(&dat, &mm(&pt, &p));
        -mm(&p, &mm(&da, &p)) + &s - mm(&s, &mm(&a, &p)) + &t - mm(&p, &mm(&a, &t))
    };
    Ok((p, p_dot))
}

/// The Moore–Penrose pseudo-inverse of each matrix of `a` (`jnp.linalg.pinv(a)`),
/// `[..., n, m]` for `[..., m, n]`, from its SVD: singular values at most `rtol` times the
/// largest are treated as zero, with JAX's default `rtol = 10·max(m, n)·ε`. See [`pinv_with`]
/// for another `rtol`. Differentiable with JAX's rule (Golub and Pereyra), which holds where
/// the rank does not change.
///
/// # Panics
/// If `a` is not a batch of float matrices.
#[track_caller]
pub fn pinv(a: impl IntoArray) -> Array {
    let a = &a.into_array();
    let a = matrices("pinv", a);
    let (m, n) = rows_cols(&a);
    pseudo_inverse_at(&a, 10.0 * m.max(n) as f64 * eps(a.dtype()))
}

/// [`pinv`] with the cutoff `rtol` (`jnp.linalg.pinv(a, rtol)`): singular values at most
/// `rtol` times the largest count as zero.
///
/// # Panics
/// If `a` is not a batch of float matrices.
#[track_caller]
pub fn pinv_with(a: impl IntoArray, rtol: f64) -> Array {
    let a = &a.into_array();
    pseudo_inverse_at(&matrices("pinv", a), rtol)
}

/// The pseudo-inverse of the float matrices `a` with the relative cutoff `rtol`, with its rule.
#[track_caller]
fn pseudo_inverse_at(a: &Array, rtol: f64) -> Array {
    unwrap_at_caller(PINV.with(|f| f((a.clone(), scalar(rtol, a.dtype())))))
}

/// The least-squares solution of `a·x = b` (`jnp.linalg.lstsq(a, b)`), as
/// `(x, residuals, rank, s)`, from the thin SVD of `a`; singular values below
/// `ε·max(m, n)·s_max` count as zero (JAX's default `rcond`). See [`lstsq_with`].
///
/// # Panics
/// As [`lstsq_with`].
#[track_caller]
pub fn lstsq(a: impl IntoArray, b: impl IntoArray) -> (Array, Array, Array, Array) {
    least_squares(a, b, None)
}

/// The least-squares solution of `a·x = b` (`jnp.linalg.lstsq(a, b, rcond)`), as
/// `(x, residuals, rank, s)`, from the thin SVD of `a`.
///
/// `a` is `[..., m, n]`; `b` is `[..., m]` (one dimension fewer: a vector per matrix) or
/// `[..., m, k]`. Singular values below `rcond·s_max` count as zero (a negative `rcond`
/// means `ε`). As JAX with its default
/// `numpy_resid=False`, `residuals` are always the squared norms of the columns of `b - a·x`
/// (`[..., k]`, or `[..., 1]` for vector `b`), where NumPy returns an empty array when the rank
/// is below `n` or `m ≤ n`. `rank` is an integer of the default dtype and `s` the singular
/// values. Differentiable through the SVD's rule.
///
/// # Panics
/// If `a` is not a batch of float matrices or `b`'s shape does not fit.
#[track_caller]
pub fn lstsq_with(
    a: impl IntoArray,
    b: impl IntoArray,
    rcond: f64,
) -> (Array, Array, Array, Array) {
    least_squares(a, b, Some(rcond))
}

/// [`lstsq_with`], `rcond` `None` for JAX's default.
#[track_caller]
fn least_squares(
    a: impl IntoArray,
    b: impl IntoArray,
    rcond: Option<f64>,
) -> (Array, Array, Array, Array) {
    let a = &a.into_array();
    let b = &b.into_array();
    let a = matrices("lstsq", a);
    let (m, n) = rows_cols(&a);
    let vector = b.ndim() + 1 == a.ndim();
    let rows_ok = if vector {
        b.shape()[..b.ndim() - 1] == *super::batch_shape(&a) && b.shape()[b.ndim() - 1] == m
    } else {
        b.ndim() == a.ndim()
            && b.shape()[..b.ndim() - 2] == *super::batch_shape(&a)
            && b.shape()[b.ndim() - 2] == m
    };
    assert!(
        rows_ok,
        "lstsq: incompatible shapes: a is {} and b is {}; b must be [..., {m}] or [..., {m}, k] \
         with a's batch dimensions",
        a.aval(),
        b.aval()
    );
    let promoted = unwrap_at_caller(super::super::promote(&[a, super::super::to_inexact(b)]));
    let (a, b) = (&promoted[0], &promoted[1]);
    let dtype = a.dtype();
    let b = if vector {
        lax::expand_dims(b, &[b.ndim()])
    } else {
        b.clone()
    };
    let rcond = match rcond {
        None => eps(dtype) * m.max(n) as f64,
        Some(r) if r < 0.0 => eps(dtype),
        Some(r) => r,
    };
    let (s, u, vh) = thin_svd(a);
    let mask = s.ge(last(&s, 0..1) * rcond);
    let rank = super::super::sum(&mask, -1);
    let one = super::super::ones_like(&s, None);
    let safe = super::super::where_(&mask, &s, &one);
    let zero = super::super::zeros_like(&s, None);
    let s_inv = super::super::where_(&mask, safe.pow(-1.0), &zero);
    let ut_b = mm(&mt(&u), &b);
    let x = mm(
        &mt(&vh),
        &(lax::expand_dims(&s_inv, &[s_inv.ndim()]) * ut_b),
    );
    let residual = &b - mm(a, &x);
    let residuals = (&residual * &residual).sum_axes([-2]);
    let x = if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    };
    (x, residuals, rank, s)
}

/// The rank of each matrix of `m` (`jnp.linalg.matrix_rank(m)`): the number of singular
/// values above `s_max·max(rows, cols)·ε`; for a vector or scalar, whether any element is
/// nonzero. An integer of the default dtype. See [`matrix_rank_with`] for another threshold.
///
/// # Panics
/// If `m` is not a float (or integer) array.
#[track_caller]
pub fn matrix_rank(m: impl IntoArray) -> Array {
    rank_above(m, None)
}

/// The rank of each matrix of `m` counting the singular values above `rtol`
/// (`jnp.linalg.matrix_rank(m, rtol)`: as JAX 0.10 does, despite the name, `rtol` is compared
/// with the singular values themselves, not scaled by the largest).
///
/// # Panics
/// If `m` is not a float (or integer) array.
#[track_caller]
pub fn matrix_rank_with(m: impl IntoArray, rtol: f64) -> Array {
    rank_above(m, Some(rtol))
}

/// [`matrix_rank_with`], `tol` `None` for JAX's default threshold.
#[track_caller]
fn rank_above(m: impl IntoArray, tol: Option<f64>) -> Array {
    let m = &m.into_array();
    if m.ndim() < 2 {
        let nonzero = super::super::any(m.ne(0), ..);
        return lax::convert_element_type(&nonzero, super::super::default_int());
    }
    let m = matrices("matrix_rank", m);
    let (rows, cols) = rows_cols(&m);
    let s = singular_values(&m);
    let threshold = match tol {
        Some(t) => scalar(t, s.dtype()),
        None => last(&s, 0..1) * (rows.max(cols) as f64 * eps(s.dtype())),
    };
    super::super::sum(s.gt(&threshold), -1)
}

/// The condition number of each matrix of `x` in the 2-norm (`jnp.linalg.cond(x)`):
/// `s_max/s_min`. See [`cond_with`] for the other norms.
///
/// # Panics
/// If `x` is not a batch of float matrices.
#[track_caller]
pub fn cond(x: impl IntoArray) -> Array {
    cond_with(x, NormOrd::Default)
}

/// The condition number of each matrix of `x` in the norm `ord` (`jnp.linalg.cond(x, p)`):
/// `s_max/s_min` for [`NormOrd::Default`] and [`NormOrd::Two`], `s_min/s_max` for
/// [`NormOrd::NegTwo`], else `norm(x)·norm(inv(x))` (square matrices only), with NaNs from
/// singular matrices turned into `inf` as JAX does.
///
/// # Panics
/// If `x` is not a batch of float matrices (square, for the norms other than ±2), or `ord`
/// is not a matrix norm.
#[track_caller]
pub fn cond_with(x: impl IntoArray, ord: NormOrd) -> Array {
    let x = &x.into_array();
    let x = matrices("cond", x);
    if matches!(ord, NormOrd::Default | NormOrd::Two | NormOrd::NegTwo) {
        let s = singular_values(&x);
        let k = s.shape()[s.ndim() - 1];
        let (first, final_) = (last(&s, 0..1), last(&s, k - 1..k));
        let ratio = if ord == NormOrd::NegTwo {
            final_ / first
        } else {
            first / final_
        };
        let r = lax::squeeze(&ratio, &[ratio.ndim() - 1]);
        if ord != NormOrd::NegTwo {
            return r;
        }
        return not_nan_to_inf(&r, &x);
    }
    let x = square_matrices("cond", &x);
    let options = NormOptions::ord(ord).axes([-2, -1]);
    let r = norm_with(&x, options.clone()) * norm_with(inv(&x), options);
    not_nan_to_inf(&r, &x)
}

/// `r` with NaNs made `inf` where the matrix of `x` has no NaN.
fn not_nan_to_inf(r: &Array, x: &Array) -> Array {
    let r_nan = r.ne(r);
    let x_nan = super::super::any(x.ne(x), [-2, -1]);
    let replace = super::both(&r_nan, &lax::not(&x_nan));
    super::super::where_(&replace, scalar(f64::INFINITY, r.dtype()), r)
}
