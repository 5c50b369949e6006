//! `svd`: the singular value decomposition by one-sided Jacobi ([`super::jacobi`]), with
//! JAX's derivative rule attached through [`custom_jvp`]. The singular values alone come from
//! [`super::bidiagonal`] instead (no vectors, far fewer operations), with the rule of the values
//! taking its vectors from the thin decomposition.
//!
//! A wide matrix is transposed. The (now tall or square) matrix is first factorized as
//! `A = Q·R`, and Jacobi works on the square `Rᵀ` (Drmač and Veselić's preconditioning: the
//! columns of `Rᵀ` are closer to orthogonal than `A`'s, which saves sweeps; the complete `Q`
//! supplies the extra columns of a full `U`). The normalized columns of `Rᵀ·V'` are taken from
//! the QR factorization of that matrix (signs making its diagonal positive), which also gives
//! orthonormal columns for zero singular values.
//!
//! The derivative is JAX's `_svd_jvp_rule`: `ṡ = diag(Uᵀ·Ȧ·V)`, and with
//! `Fᵢⱼ = 1/(sⱼ² - sᵢ²)` (`i ≠ j`) the tangents of `U` and `V` of the thin decomposition. As in
//! JAX, equal singular values make `F` infinite (so vector tangents are not finite there, while
//! those of the singular values alone are), and differentiating the vectors of the full
//! decomposition (`full_matrices` with `compute_uv`) is an error.

use crate::IntoArray;
use std::thread::LocalKey;

use super::bidiagonal::singular_values_only;
use super::jacobi::orthogonalize;
use super::{diag_embed, diagonal, eye, matrices, mm, mt, rows_cols};
use crate::custom_derivatives::custom_jvp;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, Error, Result};

/// A singular value decomposition `A = U·diag(s)·Vh`, as [`svd`] and [`svd_with`] return it.
#[derive(Debug, Clone)]
pub struct Svd {
    /// The left singular vectors as columns, `[..., m, m]` with `full_matrices`, else
    /// `[..., m, k]` (`k = min(m, n)`); `None` unless `compute_uv`.
    pub u: Option<Array>,
    /// The singular values `[..., k]`, in decreasing order.
    pub s: Array,
    /// The right singular vectors as rows, `[..., n, n]` with `full_matrices`, else
    /// `[..., k, n]`; `None` unless `compute_uv`.
    pub vh: Option<Array>,
}

/// A custom function of one matrix batch, kept per thread so that its staged forms (and their
/// executables) are reused.
type Custom<T> = Box<dyn Fn(Array) -> Result<T>>;

type Triple = (Array, Array, Array);

thread_local! {
    static THIN: Custom<Triple> = Box::new(custom_jvp(|a: Array| decompose(&a, false), thin_jvp));
    static FULL: Custom<Triple> = Box::new(custom_jvp(|a: Array| decompose(&a, true), full_jvp));
    static VALUES: Custom<Array> =
        Box::new(custom_jvp(|a: Array| values_primal(&a), values_jvp));
}

/// The singular values alone: the kernel where it runs, else bidiagonalization and bisection.
fn values_primal(a: &Array) -> Result<Array> {
    if super::kernels::available() {
        super::kernels::singular_values(a)
    } else {
        singular_values_only(a)
    }
}

/// Calls the custom function `key` on `a`.
fn call<T: 'static>(key: &'static LocalKey<Custom<T>>, a: &Array) -> Result<T> {
    key.with(|f| f(a.clone()))
}

/// The QR factorization `a = Q·R` of a matrix batch with at least as many rows as columns
/// (`Q` complete if `full_matrices`), and the transpose of `R`'s square top, whose columns
/// one-sided Jacobi orthogonalizes.
fn precondition(a: &Array, full_matrices: bool) -> (Array, Array) {
    let n = rows_cols(a).1;
    let (q, r) = lax::qr_with(a, lax::QrOptions::default().full_matrices(full_matrices));
    (q, mt(&super::block(&r, 0..n, 0..n)))
}

/// `(s, U, Vh)` of `a` (no derivative rule): with `a = Q·R` and the Jacobi decomposition
/// `Rᵀ·V' = U'·diag(s)`, `R = V'·diag(s)·U'ᵀ`, so `U = Q·V'` and `V = U'`.
fn decompose(a: &Array, full_matrices: bool) -> Result<Triple> {
    if super::kernels::available() {
        return super::kernels::svd(a, full_matrices);
    }
    let (m, n) = rows_cols(a);
    if m < n {
        let (s, u, vh) = decompose(&mt(a), full_matrices)?;
        return Ok((s, mt(&vh), mt(&u)));
    }
    let (q, rt) = precondition(a, full_matrices);
    let o = orthogonalize(&rt)?;
    // U' from the QR factorization of Rᵀ·V', signs fixed by its diagonal.
    let (qw, rw) = lax::qr_with(&o.w, lax::QrOptions::default().full_matrices(false));
    let signs = super::super::where_(diagonal(&rw).lt(0.0), -1.0, 1.0);
    let signs = lax::convert_element_type(&signs, a.dtype());
    let u_prime = qw * lax::expand_dims(&signs, &[signs.ndim() - 1]);
    let lead = mm(&super::block(&q, 0..m, 0..n), &o.v);
    let u = if full_matrices && m > n {
        lax::concatenate([&lead, &super::block(&q, 0..m, n..m)], q.ndim() - 1)
    } else {
        lead
    };
    Ok((o.s, u, mt(&u_prime)))
}

/// The thin decomposition `(s, U, Vh)` without a derivative rule, for custom functions whose
/// own rule covers it (no nested rule to stage).
pub(super) fn thin_svd_underivable(a: &Array) -> Result<Triple> {
    decompose(a, false)
}

/// JAX's `_svd_jvp_rule` for the thin decomposition.
fn thin_jvp(a: Array, da: Array) -> Result<(Triple, Triple)> {
    let (s, u, vh) = call(&THIN, &a)?;
    let (m, n) = rows_cols(&a);
    let k = m.min(n);
    let dtype = a.dtype();
    let (ut, v) = (mt(&u), mt(&vh));
    let s_row = lax::expand_dims(&s, &[s.ndim() - 1]);
    let s_col = mt(&s_row);
    let ds_mat = mm(&mm(&ut, &da), &v);
    let ds = diagonal(&ds_mat);
    let identity = eye(k, dtype);
    let s_diffs = (&s_row + &s_col) * (&s_row - &s_col);
    let f = (s_diffs + &identity).pow(-1.0) - &identity;
    let dss = &s_row * &ds_mat;
    let sds = &s_col * &ds_mat;
    let s_zeros = lax::convert_element_type(s.eq(0.0), dtype);
    let s_inv = (&s + &s_zeros).pow(-1.0) - &s_zeros;
    let dudv_diag = (&ds_mat - mt(&ds_mat)) * 0.5 * diag_embed(&s_inv);
    let mut du = mm(&u, &(&f * (&dss + mt(&dss)) + dudv_diag));
    let mut dv = mm(&v, &(&f * (&sds + mt(&sds))));
    if m > n {
        let dav = mm(&da, &v);
        du = du + (&dav - mm(&u, &mm(&ut, &dav))) / &s_row;
    }
    if n > m {
        let dahu = mm(&mt(&da), &u);
        dv = dv + (&dahu - mm(&v, &mm(&vh, &dahu))) / &s_row;
    }
    Ok(((s, u, vh), (ds, du, mt(&dv))))
}

/// JAX's error for differentiating the vectors of the full decomposition.
fn full_jvp(_: Array, _: Array) -> Result<(Triple, Triple)> {
    Err(Error::invalid(
        "svd",
        "Singular value decomposition JVP not implemented for full matrices \
         (use full_matrices=false, or compute_uv=false for the singular values)",
    ))
}

/// The rule of the singular values alone: `ṡ = diag(Uᵀ·Ȧ·V)`, finite at equal values (the
/// values themselves from the fast path, called through this rule's own custom function so
/// that higher derivatives see the rule again; the vectors from the thin decomposition).
fn values_jvp(a: Array, da: Array) -> Result<(Array, Array)> {
    let (_, u, vh) = call(&THIN, &a)?;
    let ds = diagonal(&mm(&mm(&mt(&u), &da), &mt(&vh)));
    Ok((call(&VALUES, &a)?, ds))
}

/// The singular values `[..., min(m, n)]` of a float matrix batch, in decreasing order, with
/// their derivative rule.
#[track_caller]
pub(super) fn singular_values(a: &Array) -> Array {
    unwrap_at_caller(call(&VALUES, a))
}

/// The thin decomposition `(s, U, Vh)` of a float matrix batch, with its derivative rule.
#[track_caller]
pub(super) fn thin_svd(a: &Array) -> Triple {
    unwrap_at_caller(call(&THIN, a))
}

/// JAX's keywords of `jnp.linalg.svd` for [`svd_with`]: both default to `true`, as in JAX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SvdOptions {
    /// `U` `[..., m, m]` and `Vh` `[..., n, n]` when `true`, else the thin `[..., m, k]` and
    /// `[..., k, n]` (`k = min(m, n)`).
    pub full_matrices: bool,
    /// Whether to compute `U` and `Vh` at all (`false`: the singular values alone).
    pub compute_uv: bool,
}

impl Default for SvdOptions {
    fn default() -> SvdOptions {
        SvdOptions {
            full_matrices: true,
            compute_uv: true,
        }
    }
}

impl SvdOptions {
    /// The same, with the full (`true`) or thin (`false`) vectors.
    pub fn full_matrices(self, full: bool) -> SvdOptions {
        SvdOptions {
            full_matrices: full,
            ..self
        }
    }

    /// The same, with (`true`) or without (`false`) the vectors.
    pub fn compute_uv(self, compute: bool) -> SvdOptions {
        SvdOptions {
            compute_uv: compute,
            ..self
        }
    }
}

/// The full singular value decomposition of each matrix of `a` (`[..., m, n]`), as
/// `jnp.linalg.svd(a)`: `A = U·diag(s)·Vh` with `U` `[..., m, m]` and `Vh` `[..., n, n]`. See
/// [`svd_with`] for the thin decomposition and the singular values alone.
///
/// # Panics
/// As [`svd_with`].
#[track_caller]
pub fn svd(a: impl IntoArray) -> Svd {
    svd_with(a, SvdOptions::default())
}

/// The singular value decomposition of each matrix of `a` (`[..., m, n]`), as
/// `jnp.linalg.svd(a, full_matrices, compute_uv)`: `A = U·diag(s)·Vh`, with the singular
/// values `s` in decreasing order; see [`Svd`] for the shapes. Integer input becomes the
/// default float.
///
/// Computed by one-sided Jacobi sweeps in HLO with `compute_uv`, and by bidiagonalization and
/// bisection without (see the module documentation of [`crate::numpy::linalg`]): `float64`
/// singular values agree with LAPACK's to a few `ε·‖A‖`, and `U`, `V` are orthogonal to
/// machine precision.
/// Differentiable as in JAX: the values always, the vectors of the thin decomposition
/// (`full_matrices = false`), with non-finite tangents where singular values are equal.
///
/// # Panics
/// If `a` is not a batch of float matrices (rank at least 2), or when the vectors of a full
/// decomposition are differentiated.
#[track_caller]
pub fn svd_with(a: impl IntoArray, options: SvdOptions) -> Svd {
    let SvdOptions {
        full_matrices,
        compute_uv,
    } = options;
    let a = &a.into_array();
    let a = matrices("svd", a);
    if !compute_uv {
        return Svd {
            u: None,
            s: singular_values(&a),
            vh: None,
        };
    }
    let (s, u, vh) = if full_matrices {
        unwrap_at_caller(call(&FULL, &a))
    } else {
        thin_svd(&a)
    };
    Svd {
        u: Some(u),
        s,
        vh: Some(vh),
    }
}
