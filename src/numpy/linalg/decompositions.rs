//! `cholesky` and `qr`, on the [`crate::lax`] primitives that XLA expands on every backend,
//! and `eigh` and `eigvalsh` in HLO.
//!
//! [`eigvalsh`]: Householder tridiagonalization ([`super::tridiagonal`]) and bisection
//! ([`super::bisection`]), without eigenvectors. [`eigh`]: the same tridiagonalization, also
//! accumulating the reflectors into `Q` (`A = Q·T·Qᵀ`), the same bisection for the
//! eigenvalues, inverse iteration on `T` for its eigenvectors `V_T`
//! ([`super::inverse_iteration`]), and `V = Q·V_T`, one matrix product. Both work on the
//! matrix scaled to a largest magnitude of 1 and scale the eigenvalues back. Their derivatives
//! are JAX's `eigh` rule, attached through [`custom_jvp`].

use super::bisection::tridiagonal_eigenvalues;
use super::inverse_iteration::tridiagonal_eigenvectors;
use super::tridiagonal::{tridiagonalize, tridiagonalize_with_q};
use super::{diagonal, eye, matrices, mm, mt, rows_cols, square_matrices};
use crate::IntoArray;
use crate::custom_derivatives::custom_jvp;
use crate::lax::linalg_options::symmetrize;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, Result};

/// Which triangle of a symmetric matrix is read (NumPy's `UPLO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uplo {
    /// `'L'`, the lower triangle (the default).
    Lower,
    /// `'U'`, the upper triangle.
    Upper,
}

/// What [`qr`] returns (NumPy's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrMode {
    /// `'reduced'`: `q` is `[..., m, k]` and `r` is `[..., k, n]`, `k = min(m, n)`.
    Reduced,
    /// `'complete'`: `q` is `[..., m, m]` and `r` is `[..., m, n]`.
    Complete,
    /// `'r'`: only `r`, as in `Reduced`.
    R,
}

/// JAX's keywords of `jnp.linalg.cholesky` for [`cholesky_with`]: the lower factor of the
/// symmetrized input by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CholeskyOptions {
    /// Return the upper-triangular `Lᵀ` instead of `L` (default `false`).
    pub upper: bool,
    /// Replace the input by `(a + aᵀ)/2` first (default `true`); without it only the lower
    /// triangle of `a` is read, as LAPACK's `potrf` does.
    pub symmetrize_input: bool,
}

impl Default for CholeskyOptions {
    fn default() -> CholeskyOptions {
        CholeskyOptions {
            upper: false,
            symmetrize_input: true,
        }
    }
}

impl CholeskyOptions {
    /// The same, returning the upper factor when `upper`.
    pub fn upper(self, upper: bool) -> CholeskyOptions {
        CholeskyOptions { upper, ..self }
    }

    /// The same, symmetrizing the input (`true`) or reading its lower triangle (`false`).
    pub fn symmetrize_input(self, symmetrize: bool) -> CholeskyOptions {
        CholeskyOptions {
            symmetrize_input: symmetrize,
            ..self
        }
    }
}

/// The lower Cholesky factor `L` (`A = L·Lᵀ`) of each symmetric positive-definite matrix of
/// `a`, as `jnp.linalg.cholesky(a)`: the input is symmetrized first (`(a + aᵀ)/2`), so
/// gradients are symmetric; a matrix that is not positive definite gives NaNs. See
/// [`cholesky_with`] for JAX's keywords.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn cholesky(a: impl IntoArray) -> Array {
    cholesky_with(a, CholeskyOptions::default())
}

/// The Cholesky factor of each symmetric positive-definite matrix of `a`, as
/// `jnp.linalg.cholesky(a, upper=, symmetrize_input=)`: the lower-triangular `L` with
/// `A = L·Lᵀ`, or with `upper` the upper-triangular `Lᵀ`.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn cholesky_with(a: impl IntoArray, options: CholeskyOptions) -> Array {
    let a = &a.into_array();
    let a = square_matrices("cholesky", a);
    let input = if options.symmetrize_input {
        symmetrize(a.clone())
    } else {
        from_triangle(&a, Uplo::Lower)
    };
    let l = lax::cholesky_with(
        &input,
        lax::CholeskyOptions::default().symmetrize_input(false),
    );
    if options.upper { mt(&l) } else { l }
}

/// The reduced QR decomposition `A = Q·R` of each matrix of `a`, as `jnp.linalg.qr(a)`:
/// `q` `[..., m, k]` with orthonormal columns and `r` `[..., k, n]` upper triangular,
/// `k = min(m, n)`. See [`qr_with`] for the other modes.
///
/// # Panics
/// If `a` is not a batch of float matrices.
#[track_caller]
pub fn qr(a: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    lax::qr_with(
        matrices("qr", a),
        lax::QrOptions::default().full_matrices(false),
    )
}

/// The QR decomposition `A = Q·R` of each matrix of `a` (`jnp.linalg.qr(a, mode)`), as
/// `(q, r)`: `q` has orthonormal columns, `r` is upper triangular; `q` is `None` for
/// [`QrMode::R`]. The signs are LAPACK's (Householder reflections). Differentiable through
/// the `qr` primitive's rule.
///
/// # Panics
/// If `a` is not a batch of float matrices.
#[track_caller]
pub fn qr_with(a: impl IntoArray, mode: QrMode) -> (Option<Array>, Array) {
    let a = &a.into_array();
    let a = matrices("qr", a);
    let (q, r) = lax::qr_with(
        &a,
        lax::QrOptions::default().full_matrices(mode == QrMode::Complete),
    );
    match mode {
        QrMode::R => (None, r),
        _ => (Some(q), r),
    }
}

thread_local! {
    static EIGH: Box<dyn Fn(Array) -> Result<(Array, Array)>> =
        Box::new(custom_jvp(|a: Array| eigh_primal(&a), eigh_jvp));
    static EIGVALSH: Box<dyn Fn(Array) -> Result<Array>> =
        Box::new(custom_jvp(|a: Array| eigenvalues_only(&a), eigvalsh_jvp));
}

/// The eigenvalues of each symmetric matrix of `a`, ascending, without vectors: Householder
/// tridiagonalization ([`super::tridiagonal`]) and bisection ([`super::bisection`]) of the
/// matrix scaled to a largest magnitude of 1.
fn eigenvalues_only(a: &Array) -> Result<Array> {
    if super::kernels::available() {
        return super::kernels::eigvalsh(a);
    }
    let n = rows_cols(a).0;
    let scale = super::super::max_or_identity(&a.abs(), Some(&[-2, -1]), true);
    let scale = super::super::where_(scale.gt(0.0), &scale, 1.0);
    let (d, e) = tridiagonalize(&(a / &scale))?;
    let w = tridiagonal_eigenvalues(&d, &e, 0, n)?;
    Ok(w * lax::squeeze(&scale, &[scale.ndim() - 1]))
}

/// The rule of the eigenvalues alone (JAX's `eigh` rule restricted to them):
/// `ẇ = diag(Vᵀ·Ȧ·V)`, with `V` from the full decomposition and `w` from the fast path
/// through [`EIGVALSH`] itself (so that higher derivatives see this rule again).
fn eigvalsh_jvp(a: Array, da: Array) -> Result<(Array, Array)> {
    let (_, v) = EIGH.with(|f| f(a.clone()))?;
    let w = EIGVALSH.with(|f| f(a.clone()))?;
    let dw = diagonal(&mm(&mm(&mt(&v), &da), &v));
    Ok((w, dw))
}

/// `(w, v)` of each symmetric matrix of `a`, eigenvalues ascending, as the module
/// documentation describes: tridiagonalization with `Q`, bisection, inverse iteration on the
/// tridiagonal, and `V = Q·V_T`, on the matrix scaled to a largest magnitude of 1.
fn eigh_primal(a: &Array) -> Result<(Array, Array)> {
    if super::kernels::available() {
        return super::kernels::eigh(a);
    }
    let n = rows_cols(a).0;
    if n == 0 {
        return Ok((diagonal(a), a.clone()));
    }
    let scale = super::super::max_or_identity(&a.abs(), Some(&[-2, -1]), true);
    let scale = super::super::where_(scale.gt(0.0), &scale, 1.0);
    let (d, e, q) = tridiagonalize_with_q(&(a / &scale))?;
    let w = tridiagonal_eigenvalues(&d, &e, 0, n)?;
    let v = mm(&q, &tridiagonal_eigenvectors(&d, &e, &w)?);
    Ok((w * lax::squeeze(&scale, &[scale.ndim() - 1]), v))
}

/// JAX's `_eigh_jvp_rule`: `ẇ = diag(Vᵀ·Ȧ·V)` and `V̇ = V·(F ∘ (Vᵀ·Ȧ·V))` with
/// `Fᵢⱼ = 1/(wⱼ - wᵢ)` off the diagonal (non-finite for equal eigenvalues) and 0 on it.
fn eigh_jvp(a: Array, da: Array) -> Result<((Array, Array), (Array, Array))> {
    let (w, v) = EIGH.with(|f| f(a.clone()))?;
    let n = rows_cols(&a).0;
    let identity = eye(n, a.dtype());
    let gaps = lax::expand_dims(&w, &[w.ndim() - 1]) - lax::expand_dims(&w, &[w.ndim()]);
    let f = (gaps + &identity).pow(-1.0) - &identity;
    let vt_da_v = mm(&mm(&mt(&v), &da), &v);
    let dv = mm(&v, &(f * &vt_da_v));
    let dw = diagonal(&vt_da_v);
    Ok(((w, v), (dw, dv)))
}

/// `a` as the symmetric matrix its `uplo` triangle defines.
fn from_triangle(a: &Array, uplo: Uplo) -> Array {
    let n = rows_cols(a).0;
    let rows = lax::broadcasted_iota(crate::DType::I32, &[n, n], 0);
    let cols = lax::broadcasted_iota(crate::DType::I32, &[n, n], 1);
    let (strict, diagonal) = match uplo {
        Uplo::Lower => (rows.gt(&cols), rows.eq(&cols)),
        Uplo::Upper => (rows.lt(&cols), rows.eq(&cols)),
    };
    let zero = super::super::zeros_like(a, None);
    let triangle = super::super::where_(&strict, a, &zero);
    let diag = super::super::where_(&diagonal, a, &zero);
    &triangle + mt(&triangle) + diag
}

/// JAX's keywords of `jnp.linalg.eigh` and `jnp.linalg.eigvalsh` for [`eigh_with`] and
/// [`eigvalsh_with`]: by default the input is symmetrized, as in JAX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EighOptions {
    /// The triangle read when the input is not symmetrized (`UPLO`, default [`Uplo::Lower`]).
    pub uplo: Uplo,
    /// Replace the input by `(a + aᵀ)/2` (default `true`), so both triangles count and
    /// gradients are symmetric.
    pub symmetrize_input: bool,
}

impl Default for EighOptions {
    fn default() -> EighOptions {
        EighOptions {
            uplo: Uplo::Lower,
            symmetrize_input: true,
        }
    }
}

impl EighOptions {
    /// The same, reading the `uplo` triangle (which matters without `symmetrize_input`).
    pub fn uplo(self, uplo: Uplo) -> EighOptions {
        EighOptions { uplo, ..self }
    }

    /// The same, symmetrizing the input (`true`) or reading only the `uplo` triangle
    /// (`false`, as NumPy).
    pub fn symmetrize_input(self, symmetrize: bool) -> EighOptions {
        EighOptions {
            symmetrize_input: symmetrize,
            ..self
        }
    }

    /// The symmetric matrices these options make of `a`.
    fn symmetric(self, a: &Array) -> Array {
        if self.symmetrize_input {
            symmetrize(a.clone())
        } else {
            from_triangle(a, self.uplo)
        }
    }
}

/// The eigenvalues and eigenvectors of each symmetric matrix of `a` (symmetrized as
/// `(a + aᵀ)/2`), as `jnp.linalg.eigh(a)`; see [`eigh_with`].
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn eigh(a: impl IntoArray) -> (Array, Array) {
    eigh_with(a, EighOptions::default())
}

/// The eigenvalues and eigenvectors of each symmetric matrix of `a`, as `(w, v)`
/// (`jnp.linalg.eigh(a, UPLO, symmetrize_input)`): `w` ascending `[..., n]`, and `v[..., :, i]`
/// the unit eigenvector of `w[..., i]`.
///
/// With `symmetrize_input` (JAX's default) the input is replaced by `(a + aᵀ)/2`, so both
/// triangles count and gradients are symmetric; without it only the `uplo` triangle is read,
/// as in NumPy. Differentiable with JAX's rule (non-finite eigenvector tangents for equal
/// eigenvalues, as in JAX).
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn eigh_with(a: impl IntoArray, options: EighOptions) -> (Array, Array) {
    let a = &a.into_array();
    let a = square_matrices("eigh", a);
    unwrap_at_caller(EIGH.with(|f| f(options.symmetric(&a))))
}

/// The eigenvalues of each symmetric matrix of `a` (symmetrized as `(a + aᵀ)/2`), ascending,
/// as `jnp.linalg.eigvalsh(a)`; see [`eigvalsh_with`].
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn eigvalsh(a: impl IntoArray) -> Array {
    eigvalsh_with(a, EighOptions::default())
}

/// The eigenvalues of each symmetric matrix of `a`, ascending
/// (`jnp.linalg.eigvalsh(a, UPLO, symmetrize_input=)`), the input made symmetric as
/// [`eigh_with`] does.
///
/// Computed without eigenvectors, by Householder tridiagonalization and bisection (see the
/// module documentation of [`crate::numpy::linalg`]): accurate to a few `ε·‖A‖`.
/// Differentiable with JAX's rule `ẇ = diag(Vᵀ·Ȧ·V)`, the eigenvectors `V` taken from
/// [`eigh`] inside the rule.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn eigvalsh_with(a: impl IntoArray, options: EighOptions) -> Array {
    let a = &a.into_array();
    let a = square_matrices("eigvalsh", a);
    unwrap_at_caller(EIGVALSH.with(|f| f(options.symmetric(&a))))
}
