//! Samplers of random vectors and matrices, each JAX 0.10.2's algorithm: `multivariate_normal`
//! (`mean + factor · normal`, the factor of the covariance by Cholesky, eigh or SVD),
//! `orthogonal` (the QR decomposition of a normal matrix, columns signed by `R`'s diagonal,
//! Mezzadri's method) and `ball` (generalized normals scaled by their `p`-norm and an
//! exponential).
//!
//! The normals (and `ball`) are bit for bit JAX's; the factorizations run on rjax's kernels rather than
//! LAPACK, so the samples agree with JAX's to rounding, not bit for bit.

use super::complex_normal::complex_normal;
use super::continuous::exponential_impl;
use super::discrete::rademacher_impl;
use super::distributions::{float_constant, normal_impl};
use super::gamma::{gamma_samples, split_keys};
use super::threefry::full;
use super::{Params, canonical, check_key, constant, staged};
use crate::IntoArray;
use crate::array::{broadcast_shapes, convert};
use crate::lax::{self, unwrap_at_caller};
use crate::numpy::linalg;
use crate::numpy::{self};
use crate::promotion::{default_float, result_type};
use crate::scalar::Scalar;
use crate::{Array, DType, config};

/// How `multivariate_normal` factors the covariance (JAX's `method`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CovarianceFactor {
    /// The Cholesky factor (JAX's default, `"cholesky"`): the covariance must be positive
    /// definite.
    #[default]
    Cholesky,
    /// `V sqrt(diag(w))` from the eigendecomposition (`"eigh"`): semi-definite covariances too.
    Eigh,
    /// `U sqrt(diag(s))` from the singular value decomposition (`"svd"`): semi-definite too.
    Svd,
}

impl CovarianceFactor {
    const ALL: [CovarianceFactor; 3] = [Self::Cholesky, Self::Eigh, Self::Svd];
}

/// `mean` and `cov` promoted to their common inexact dtype (JAX's `promote_dtypes_inexact`).
#[track_caller]
fn promote_inexact_pair(mean: &Array, cov: &Array) -> (Array, Array) {
    let types = [
        (mean.dtype(), mean.weak_type()),
        (cov.dtype(), cov.weak_type()),
    ];
    let (mut dtype, weak) = result_type(&types, config::x64_enabled());
    if !dtype.is_inexact() {
        dtype = default_float(config::x64_enabled());
    }
    if dtype.is_complex() {
        panic!(
            "rjax::random::multivariate_normal: mean and cov must be real, got {} and {}",
            mean.aval(),
            cov.aval()
        );
    }
    let to = |x: &Array| unwrap_at_caller(convert(x, dtype, weak));
    (to(mean), to(cov))
}

/// JAX's `_multivariate_normal`, the shapes already checked.
fn multivariate_normal_impl(
    key: &Array,
    mean: &Array,
    cov: &Array,
    shape: &[usize],
    dtype: DType,
    method: CovarianceFactor,
) -> Array {
    let scaled_columns = |vectors: &Array, values: &Array| {
        let scale = lax::sqrt(values);
        let row = lax::expand_dims(&scale, &[scale.ndim() - 1]);
        vectors * &row
    };
    let factor = match method {
        CovarianceFactor::Cholesky => linalg::cholesky(cov),
        CovarianceFactor::Eigh => {
            let (w, v) = linalg::eigh(cov);
            scaled_columns(&v, &w)
        }
        CovarianceFactor::Svd => {
            let svd = linalg::svd(cov);
            scaled_columns(&svd.u.expect("computed vectors"), &svd.s)
        }
    };
    let n = mean.shape()[mean.ndim() - 1];
    let samples = normal_impl(key, &[shape, &[n]].concat(), dtype);
    mean + &numpy::einsum("...ij,...j->...i", &[&factor, &samples])
}

/// JAX's keywords of `jax.random.multivariate_normal` for [`multivariate_normal_with`]: by
/// default the batch shape, the promoted dtype of `mean` and `cov`, and the Cholesky factor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultivariateNormalOptions {
    /// The batch shape of the result (`None`: the broadcast of the batch shapes of `mean`
    /// and `cov`).
    pub shape: Option<Vec<usize>>,
    /// The dtype of the normals (`None`: the promoted dtype of `mean` and `cov`).
    pub dtype: Option<DType>,
    /// How the covariance is factored (default [`CovarianceFactor::Cholesky`]).
    pub method: CovarianceFactor,
}

impl MultivariateNormalOptions {
    /// The same, with results of batch shape `shape`.
    pub fn shape(self, shape: &[usize]) -> MultivariateNormalOptions {
        MultivariateNormalOptions {
            shape: Some(shape.to_vec()),
            ..self
        }
    }

    /// The same, with normals of `dtype`.
    pub fn dtype(self, dtype: DType) -> MultivariateNormalOptions {
        MultivariateNormalOptions {
            dtype: Some(dtype),
            ..self
        }
    }

    /// The same, factoring the covariance by `method`.
    pub fn method(self, method: CovarianceFactor) -> MultivariateNormalOptions {
        MultivariateNormalOptions { method, ..self }
    }
}

/// Multivariate normal vectors with mean `mean` (`[..., n]`) and symmetric positive definite
/// covariance `cov` (`[..., n, n]`), as `jax.random.multivariate_normal(key, mean, cov)`: the
/// batch shapes broadcast, the promoted dtype, the Cholesky factor. See
/// [`multivariate_normal_with`] for JAX's keywords.
#[track_caller]
pub fn multivariate_normal(
    key: impl IntoArray,
    mean: impl IntoArray,
    cov: impl IntoArray,
) -> Array {
    multivariate_normal_with(key, mean, cov, MultivariateNormalOptions::default())
}

/// Multivariate normal vectors with mean `mean` (`[..., n]`) and covariance `cov`
/// (`[..., n, n]`, symmetric positive definite; semi-definite with `Eigh` or `Svd`), of shape
/// `shape + [n]` (`jax.random.multivariate_normal` with its keywords). `options.shape` must
/// broadcast with the batch shapes `mean.shape[..-1]` and `cov.shape[..-2]`; `None` is their
/// broadcast. `options.dtype` (`None`: the promoted dtype of `mean` and `cov`) is the dtype of
/// the normals.
#[track_caller]
pub fn multivariate_normal_with(
    key: impl IntoArray,
    mean: impl IntoArray,
    cov: impl IntoArray,
    options: MultivariateNormalOptions,
) -> Array {
    let key = &key.into_array();
    let mean = &mean.into_array();
    let cov = &cov.into_array();
    let MultivariateNormalOptions {
        shape,
        dtype,
        method,
    } = options;
    let shape = shape.as_deref();
    const OP: &str = "rjax::random::multivariate_normal";
    check_key("multivariate_normal", key);
    let (mean, cov) = promote_inexact_pair(mean, cov);
    let dtype = dtype.map_or(mean.dtype(), canonical);
    if !dtype.is_float() {
        panic!("{OP}: dtype must be a float dtype, got {dtype}");
    }
    if mean.ndim() < 1 {
        panic!("{OP}: requires mean.ndim >= 1, got {}", mean.aval());
    }
    if cov.ndim() < 2 {
        panic!("{OP}: requires cov.ndim >= 2, got {}", cov.aval());
    }
    let n = mean.shape()[mean.ndim() - 1];
    let cov_matrix = &cov.shape()[cov.ndim() - 2..];
    if cov_matrix != [n, n] {
        panic!(
            "{OP}: requires cov.shape == (..., n, n) for n={n} (the mean's {}), got {}",
            mean.aval(),
            cov.aval()
        );
    }
    let (mean_batch, cov_batch) = (
        &mean.shape()[..mean.ndim() - 1],
        &cov.shape()[..cov.ndim() - 2],
    );
    let batches = broadcast_shapes(&[mean_batch, cov_batch]);
    let shape = match (shape, batches) {
        (None, Some(batch)) => batch,
        (Some(shape), _)
            if broadcast_shapes(&[shape, mean_batch, cov_batch]).as_deref() == Some(shape) =>
        {
            shape.to_vec()
        }
        _ => panic!(
            "{OP}: the batch shapes of mean {mean_batch:?} and cov {cov_batch:?} must broadcast \
             to the shape argument {shape:?}"
        ),
    };
    let params = Params {
        shape,
        dtype: Some(dtype),
        ints: vec![
            CovarianceFactor::ALL
                .iter()
                .position(|m| *m == method)
                .unwrap(),
        ],
    };
    staged(
        "_multivariate_normal",
        |args, p| {
            let method = CovarianceFactor::ALL[p.ints[0]];
            let dtype = p.dtype.expect("a dtype");
            multivariate_normal_impl(&args[0], &args[1], &args[2], &p.shape, dtype, method)
        },
        vec![key.clone(), mean, cov],
        params,
    )
}

/// JAX's `_orthogonal`: `Q` of the QR factorization of a (complex) normal matrix, its columns
/// multiplied by the signs (phases) of `R`'s diagonal.
fn orthogonal_impl(key: &Array, n: usize, m: usize, shape: &[usize], dtype: DType) -> Array {
    let z_shape = [shape, &[n.max(m), n.min(m)]].concat();
    let z = if dtype.is_complex() {
        complex_normal(key, &z_shape, dtype)
    } else {
        normal_impl(key, &z_shape, dtype)
    };
    let (q, r) = if dtype.is_complex() {
        // rjax's `numpy::linalg` is real; the reduced QR of `jnp.linalg.qr` from `lax`.
        lax::qr_with(&z, lax::QrOptions::default().full_matrices(false))
    } else {
        linalg::qr(&z)
    };
    let signs = lax::sign(numpy::diagonal(&r, 0, -2, -1));
    let x = &q * &lax::expand_dims(&signs, &[signs.ndim() - 1]);
    if n < m {
        numpy::swapaxes(&x, -1, -2)
    } else {
        x
    }
}

/// A random orthogonal matrix, uniform on the orthogonal group O(n) (Haar measure), batched by
/// `shape`: an array of `shape + [n, m]` and float `dtype` (`None`: the default float) (JAX's
/// `jax.random.orthogonal`;
/// `m`, JAX's default `n`, gives a semi-orthogonal matrix: orthonormal rows if `n <= m`,
/// orthonormal columns if `m <= n`). A complex dtype (`C64`, `C128`) gives unitary matrices,
/// as JAX's does.
#[track_caller]
pub fn orthogonal(
    key: impl IntoArray,
    n: usize,
    shape: &[usize],
    dtype: impl Into<Option<DType>>,
    m: Option<usize>,
) -> Array {
    let key = &key.into_array();
    let dtype: Option<DType> = dtype.into();
    let params = match dtype.map(canonical).filter(|d| d.is_complex()) {
        Some(complex) => {
            check_key("orthogonal", key);
            Params {
                shape: shape.to_vec(),
                dtype: Some(complex),
                ..Params::default()
            }
        }
        None => super::continuous::float_params("orthogonal", key, shape, dtype),
    };
    let params = Params {
        ints: vec![n, m.unwrap_or(n)],
        ..params
    };
    staged(
        "_orthogonal",
        |args, p| {
            let dtype = p.dtype.expect("a dtype");
            orthogonal_impl(&args[0], p.ints[0], p.ints[1], &p.shape, dtype)
        },
        vec![key.clone()],
        params,
    )
}

/// JAX's `_generalized_normal` (density `∝ e^-|x|^p`): a random sign times `g^(1/p)`, `g`
/// gamma with shape `1/p`. `p` is a scalar; `inv_p` is `1/p` in its dtype.
fn generalized_normal_impl(key: &Array, inv_p: &Array, shape: &[usize], dtype: DType) -> Array {
    let [gamma_key, sign_key]: [Array; 2] = split_keys(key, 2).try_into().expect("2 keys");
    let g = gamma_samples(&gamma_key, inv_p, shape, dtype, false);
    let r = rademacher_impl(&sign_key, shape, dtype);
    let exponent = full(&lax::convert_element_type(inv_p, dtype), shape);
    lax::mul(&r, lax::pow(&g, &exponent))
}

/// JAX's `_ball`: `g / (sum |g|^p + e)^(1/p)` for generalized normals `g` and an exponential
/// `e` (Barthe, Guédon, Mendelson and Naor).
fn ball_impl(key: &Array, p: &Array, d: usize, shape: &[usize], dtype: DType) -> Array {
    let [k1, k2]: [Array; 2] = split_keys(key, 2).try_into().expect("2 keys");
    let inv_p = lax::div(full(&constant(Scalar::Float(1.0), p.dtype()), &[]), p);
    let vector_shape = [shape, &[d]].concat();
    let g = generalized_normal_impl(&k1, &inv_p, &vector_shape, dtype);
    let e = exponential_impl(&k2, shape, dtype);
    let p_full = full(&lax::convert_element_type(p, dtype), &vector_shape);
    let powers = lax::pow(lax::abs(&g), &p_full);
    let total = lax::add(lax::reduce_sum(&powers, &[shape.len()]), &e);
    let inv_p = full(&lax::convert_element_type(&inv_p, dtype), shape);
    let norm = lax::pow(&total, &inv_p);
    let norm = lax::broadcast_in_dim(&norm, &vector_shape, &(0..shape.len()).collect::<Vec<_>>());
    lax::div(&g, &norm)
}

/// Points uniform in the unit Euclidean ball of dimension `d`, as `jax.random.ball(key, d,
/// shape=shape, dtype=dtype)` (`p = 2`): an array of `shape + [d]` and float `dtype` (`None`:
/// the default float). See [`ball_with`] for other `p`-norms.
#[track_caller]
pub fn ball(
    key: impl IntoArray,
    d: usize,
    shape: &[usize],
    dtype: impl Into<Option<DType>>,
) -> Array {
    ball_with(key, d, 2.0, shape, dtype)
}

/// Points uniform in the unit `p`-norm ball of dimension `d` (`jax.random.ball(key, d, p,
/// shape, dtype)`): an array of `shape + [d]` and float `dtype` (`None`: the default float).
/// `p > 0` is taken in the default float type, as JAX takes a Python float.
#[track_caller]
pub fn ball_with(
    key: impl IntoArray,
    d: usize,
    p: f64,
    shape: &[usize],
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    let params = super::continuous::float_params("ball", key, shape, dtype.into());
    let params = Params {
        ints: vec![d],
        ..params
    };
    let p = float_constant(p, canonical(DType::F64));
    staged(
        "_ball",
        |args, params| {
            let dtype = params.dtype.expect("a dtype");
            ball_impl(&args[0], &args[1], params.ints[0], &params.shape, dtype)
        },
        vec![key.clone(), p],
        params,
    )
}
