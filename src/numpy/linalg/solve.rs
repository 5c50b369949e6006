//! `solve`, `inv`, `det`, `slogdet` and `matrix_power`, on the LU factorization of `lu.rs`,
//! with JAX's derivative rules attached through [`custom_jvp`] (so that no derivative goes
//! through pivoting decisions):
//!
//! - `solve`: `ẋ = A⁻¹·(ḃ - Ȧ·x)` (and `inv = solve(A, I)`), the rule of JAX's
//!   `custom_linear_solve`;
//! - `det`: JAX's `_det_jvp`, `trace(_cofactor_solve(A, Ȧ))`, which stays finite for singular
//!   matrices (the adjugate at rank `n - 1`, zero below);
//! - `slogdet`: JAX's `_slogdet_jvp`, `trace(A⁻¹·Ȧ)` for the log-magnitude, zero for the sign.

use crate::IntoArray;
use std::thread::LocalKey;

use super::lu::lu;
use super::{eye, mm, rows_cols, square_matrices, trace};
use crate::array::broadcast_shapes;
use crate::custom_derivatives::custom_jvp;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, Result};

type Pair = (Array, Array);

thread_local! {
    static SOLVE: Box<dyn Fn(Pair) -> Result<Array>> =
        Box::new(custom_jvp(|(a, b): Pair| Ok::<_, crate::Error>(lu(&a)?.solve(&b)), solve_jvp));
    static DET: Box<dyn Fn(Array) -> Result<Array>> =
        Box::new(custom_jvp(|a: Array| Ok::<_, crate::Error>(lu(&a)?.det()), det_jvp));
    static SLOGDET: Box<dyn Fn(Array) -> Result<Pair>> =
        Box::new(custom_jvp(|a: Array| Ok::<_, crate::Error>(lu(&a)?.slogdet()), slogdet_jvp));
}

/// The rule of `solve` (`b` of shape `[..., n, k]`): `ẋ = A⁻¹·(ḃ - Ȧ·x)`.
fn solve_jvp((a, b): Pair, (da, db): Pair) -> Result<(Array, Array)> {
    let factors = lu(&a)?;
    let x = factors.solve(&b);
    let dx = factors.solve(&(db - mm(&da, &x)));
    Ok((x, dx))
}

/// JAX's `_det_jvp`.
fn det_jvp(a: Array, da: Array) -> Result<(Array, Array)> {
    let (det, z) = lu(&a)?.cofactor_solve(&da);
    Ok((det, trace(&z)))
}

/// JAX's `_slogdet_jvp`.
fn slogdet_jvp(a: Array, da: Array) -> Result<(Pair, Pair)> {
    let factors = lu(&a)?;
    let (sign, log_abs) = factors.slogdet();
    let d_log = trace(&factors.solve(&da));
    let d_sign = super::super::zeros_like(&sign, None);
    Ok(((sign, log_abs), (d_sign, d_log)))
}

/// Calls the custom function `key` on `input`, panicking at the caller on error.
#[track_caller]
fn call<In: Clone + 'static, T: 'static>(
    key: &'static LocalKey<Box<dyn Fn(In) -> Result<T>>>,
    input: &In,
) -> T {
    unwrap_at_caller(key.with(|f| f(input.clone())))
}

/// The solution `x` of `a·x = b` for each square matrix of `a` (`jnp.linalg.solve`).
///
/// As NumPy 2: `b` is a vector (`[n]`, broadcast against `a`'s batch) only when it is 1-D;
/// otherwise it is a batch of matrices `[..., n, k]` whose batch dimensions broadcast with
/// `a`'s. The dtypes are promoted together (integers to the default float). Singular matrices
/// give non-finite results, as JAX's do. Solved through an LU factorization with partial
/// pivoting; differentiable in both operands.
///
/// # Panics
/// If `a` is not a batch of square float matrices, or `b`'s shape does not fit.
#[track_caller]
pub fn solve(a: impl IntoArray, b: impl IntoArray) -> Array {
    let a = &a.into_array();
    let b = &b.into_array();
    let a = square_matrices("solve", a);
    let n = rows_cols(&a).0;
    let vector = b.ndim() == 1;
    let fits = if vector {
        b.shape()[0] == n
    } else {
        b.ndim() >= 2 && b.shape()[b.ndim() - 2] == n
    };
    assert!(
        fits,
        "solve: incompatible shapes: a is {} (a batch of {n}x{n} matrices) and b is {}; b must \
         be a vector [{n}] or a batch of matrices [..., {n}, k]",
        a.aval(),
        b.aval()
    );
    let promoted = unwrap_at_caller(super::super::promote(&[
        a.clone(),
        super::super::to_inexact(b),
    ]));
    let (a, b) = (&promoted[0], &promoted[1]);
    let b = if vector {
        lax::expand_dims(b, &[1])
    } else {
        b.clone()
    };
    let a_batch = super::batch_shape(a);
    let b_batch = super::batch_shape(&b);
    let Some(batch) = broadcast_shapes(&[a_batch, b_batch]) else {
        panic!(
            "solve: the batch dimensions of a: {} and b: {} do not broadcast",
            a.aval(),
            b.aval()
        );
    };
    let with_batch = |x: &Array| {
        let (r, c) = rows_cols(x);
        let shape: Vec<usize> = batch.iter().copied().chain([r, c]).collect();
        super::super::broadcast_to(x, &shape)
    };
    let x = call(&SOLVE, &(with_batch(a), with_batch(&b)));
    if vector {
        lax::squeeze(&x, &[x.ndim() - 1])
    } else {
        x
    }
}

/// The inverse of each square matrix of `a` (`jnp.linalg.inv`): `solve(a, I)`.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn inv(a: impl IntoArray) -> Array {
    let a = &a.into_array();
    let a = square_matrices("inv", a);
    let n = rows_cols(&a).0;
    let identity = super::super::broadcast_to(eye(n, a.dtype()), a.shape());
    call(&SOLVE, &(a, identity))
}

/// The determinant of each square matrix of `a` (`jnp.linalg.det`), from its LU
/// factorization; differentiable with JAX's rule, finite for singular matrices.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn det(a: impl IntoArray) -> Array {
    let a = &a.into_array();
    call(&DET, &square_matrices("det", a))
}

/// The sign and the natural logarithm of the magnitude of the determinant of each square
/// matrix of `a`, as `(sign, logabsdet)` (`jnp.linalg.slogdet`): sign 0 and `-inf` for a
/// singular matrix.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn slogdet(a: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    call(&SLOGDET, &square_matrices("slogdet", a))
}

/// The `n`-th power of each square matrix of `a` (`jnp.linalg.matrix_power`) by repeated
/// squaring; `n = 0` gives identities and negative `n` powers of [`inv`]`(a)`. Integer
/// matrices stay integer for `n ≥ 0`.
///
/// # Panics
/// If `a` is not a batch of square matrices (or not a float one, for negative `n`).
#[track_caller]
pub fn matrix_power(a: impl IntoArray, n: i64) -> Array {
    let a = &a.into_array();
    assert!(
        a.ndim() >= 2 && rows_cols(a).0 == rows_cols(a).1,
        "matrix_power: expected a batch of square matrices [..., n, n], got {}",
        a.aval()
    );
    if n == 0 {
        return super::super::broadcast_to(eye(rows_cols(a).0, a.dtype()), a.shape());
    }
    let mut base = if n < 0 { inv(a) } else { a.clone() };
    let mut exponent = n.unsigned_abs();
    let mut result: Option<Array> = None;
    loop {
        if exponent % 2 == 1 {
            result = Some(match result {
                None => base.clone(),
                Some(r) => mm(&r, &base),
            });
        }
        exponent /= 2;
        if exponent == 0 {
            break;
        }
        base = mm(&base, &base);
    }
    result.expect("n is nonzero")
}
