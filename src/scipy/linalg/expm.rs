//! `expm` and `expm_frechet`: the matrix exponential by JAX's scaling and squaring with Padé
//! approximants (Higham 2005), and its Fréchet derivative.
//!
//! As in JAX, the matrix is scaled by `2^-s` so that its 1-norm falls below a bound, the
//! degree of the Padé approximant (3 to 13 in float64, 3 to 7 in float32) is chosen by the
//! scaled norm through `lax.switch`, `P/Q` is solved, and the result squared `s` times in a
//! `lax.scan` of `max_squarings` steps, each a `lax.cond`; a matrix that needs more
//! squarings gives NaNs. Derivatives are those of the algorithm, as JAX's.

use super::lu::square;
use crate::IntoArray;
use crate::control_flow::{cond, scan, switch};
use crate::lax::unwrap_at_caller;
use crate::numpy::linalg::{NormOrd, norm_with, solve};
use crate::numpy::{self as jnp, Side};
use crate::{Array, DType, Result};

/// JAX's default `max_squarings` of [`expm`].
pub const DEFAULT_MAX_SQUARINGS: u32 = 16;

/// `jax.scipy.linalg.expm(a)`: the matrix exponential `e^A` of each square matrix of `a`
/// (`[..., n, n]`), by scaling and squaring with Padé approximants as JAX computes it.
/// Integers become the default float.
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn expm(a: impl IntoArray) -> Array {
    let a = &a.into_array();
    expm_with(a, false, DEFAULT_MAX_SQUARINGS)
}

/// [`expm`] with JAX's keywords: `upper_triangular` (the approximant's denominator is then
/// solved as an upper triangular system) and `max_squarings` (the most squarings allowed;
/// a matrix whose 1-norm needs more gives NaNs).
///
/// # Panics
/// If `a` is not a batch of square float matrices.
#[track_caller]
pub fn expm_with(a: impl IntoArray, upper_triangular: bool, max_squarings: u32) -> Array {
    let a = &a.into_array();
    let a = square("expm", a);
    if a.ndim() == 2 {
        return unwrap_at_caller(expm_matrix(&a, upper_triangular, max_squarings));
    }
    // JAX vectorizes over the batch dimensions: one `vmap` over them flattened.
    let shape = a.shape().to_vec();
    let n = shape[shape.len() - 1];
    let batch: usize = shape[..shape.len() - 2].iter().product();
    let flat = a.reshape(&[batch, n, n]);
    let each = move |m: Array| expm_matrix(&m, upper_triangular, max_squarings);
    unwrap_at_caller(crate::vmap(each, 0)(flat)).reshape(&shape)
}

/// `jax.scipy.linalg.expm_frechet(a, e)`: `(expm(a), L(a, e))`, with `L(a, e)` the Fréchet
/// derivative of the matrix exponential at `a` in the direction `e` (the JVP of [`expm`], as
/// JAX computes it). JAX's `compute_expm=False` is the second element alone.
///
/// # Panics
/// If `a` and `e` are not batches of square float matrices of the same shape.
#[track_caller]
pub fn expm_frechet(a: impl IntoArray, e: impl IntoArray) -> (Array, Array) {
    let a = &a.into_array();
    let e = &e.into_array();
    assert!(
        a.shape() == e.shape(),
        "expm_frechet: expected A and E to be the same shape, got A {} and E {}",
        a.aval(),
        e.aval()
    );
    let a = square("expm_frechet", a);
    let e = square("expm_frechet", e).astype(a.dtype());
    unwrap_at_caller(crate::jvp(|a: Array| expm(&a), a, e))
}

/// JAX's `expm` of one matrix: NaNs where more than `max_squarings` squarings are needed.
fn expm_matrix(a: &Array, upper_triangular: bool, max_squarings: u32) -> Result<Array> {
    let (p, q, n_squarings) = calc_p_q(a)?;
    let too_many = n_squarings.gt(f64::from(max_squarings));
    cond(
        &too_many,
        |(a, _, _): (Array, Array, Array)| jnp::full_like(&a, f64::NAN, None),
        |(_, p, q): (Array, Array, Array)| {
            let r = if upper_triangular {
                super::solve_triangular(&q, &p, super::Trans::None, false, false)
            } else {
                solve(&q, &p)
            };
            squaring(r, &n_squarings, max_squarings)
        },
        (a.clone(), p, q),
    )
}

/// JAX's `_calc_P_Q`: the numerator and denominator of the Padé approximant of the scaled
/// matrix, and the number of squarings `s` (a float scalar).
fn calc_p_q(a: &Array) -> Result<(Array, Array, Array)> {
    let norm_1 = norm_with(a, NormOrd::One);
    // Higham's bounds θₘ on the 1-norm for each degree m, and the largest one.
    let (max_norm, bounds): (f64, &[f64]) = if a.dtype() == DType::F64 {
        (
            5.371920351148152,
            &[
                1.495585217958292e-2,
                2.53939833006323e-1,
                9.504178996162932e-1,
                2.097847961257068,
            ],
        )
    } else {
        (3.92572478313866, &[4.258730016922831e-1, 1.880152677804762])
    };
    let n_squarings = jnp::maximum(0, jnp::floor(jnp::log2(&norm_1 / max_norm)));
    let scaled = a / jnp::power(2, n_squarings.astype(a.dtype()));
    let bounds = Array::from_vec(bounds.to_vec()).astype(norm_1.dtype());
    // `jnp.digitize(norm, bounds)`: how many bounds lie at or below the norm.
    let degree = jnp::searchsorted(&bounds, &norm_1, Side::Right);
    let pades: [&dyn Fn(Array) -> (Array, Array); 5] = [&pade3, &pade5, &pade7, &pade9, &pade13];
    let used = if a.dtype() == DType::F64 { 5 } else { 3 };
    let (u, v): (Array, Array) = switch(&degree, &pades[..used], scaled)?;
    Ok((&u + &v, -&u + &v, n_squarings))
}

/// JAX's `_squaring`: `r` squared `n_squarings` times, as a scan of `max_squarings` steps.
fn squaring(r: Array, n_squarings: &Array, max_squarings: u32) -> Result<Array> {
    let steps = jnp::arange(
        0.0,
        f64::from(max_squarings),
        1.0,
        Some(n_squarings.dtype()),
    );
    let (r, ()): (Array, ()) = scan(
        |r: Array, i: Array| -> Result<(Array, ())> {
            let next = cond(&i.lt(n_squarings), |x: Array| x.matmul(&x), |x: Array| x, r)?;
            Ok((next, ()))
        },
        r,
        steps,
    )?;
    Ok(r)
}

/// The identity matrix of `a`'s size and dtype, and `a²`.
fn identity_and_square(a: &Array) -> (Array, Array) {
    let n = a.shape()[0];
    (jnp::eye(n, None, 0, Some(a.dtype())), a.matmul(a))
}

/// The odd (`U`) and even (`V`) parts of the degree-3 Padé approximant's numerator.
fn pade3(a: Array) -> (Array, Array) {
    let b = [120.0, 60.0, 12.0, 1.0];
    let (ident, a2) = identity_and_square(&a);
    let u = a.matmul(&(&a2 * b[3] + &ident * b[1]));
    let v = &a2 * b[2] + &ident * b[0];
    (u, v)
}

/// The degree-5 Padé approximant's `U` and `V`.
fn pade5(a: Array) -> (Array, Array) {
    let b = [30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0];
    let (ident, a2) = identity_and_square(&a);
    let a4 = a2.matmul(&a2);
    let u = a.matmul(&(&a4 * b[5] + &a2 * b[3] + &ident * b[1]));
    let v = &a4 * b[4] + &a2 * b[2] + &ident * b[0];
    (u, v)
}

/// The degree-7 Padé approximant's `U` and `V`.
fn pade7(a: Array) -> (Array, Array) {
    let b = [
        17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0,
    ];
    let (ident, a2) = identity_and_square(&a);
    let a4 = a2.matmul(&a2);
    let a6 = a4.matmul(&a2);
    let u = a.matmul(&(&a6 * b[7] + &a4 * b[5] + &a2 * b[3] + &ident * b[1]));
    let v = &a6 * b[6] + &a4 * b[4] + &a2 * b[2] + &ident * b[0];
    (u, v)
}

/// The degree-9 Padé approximant's `U` and `V`.
fn pade9(a: Array) -> (Array, Array) {
    let b = [
        17643225600.0,
        8821612800.0,
        2075673600.0,
        302702400.0,
        30270240.0,
        2162160.0,
        110880.0,
        3960.0,
        90.0,
        1.0,
    ];
    let (ident, a2) = identity_and_square(&a);
    let a4 = a2.matmul(&a2);
    let a6 = a4.matmul(&a2);
    let a8 = a6.matmul(&a2);
    let u = a.matmul(&(&a8 * b[9] + &a6 * b[7] + &a4 * b[5] + &a2 * b[3] + &ident * b[1]));
    let v = &a8 * b[8] + &a6 * b[6] + &a4 * b[4] + &a2 * b[2] + &ident * b[0];
    (u, v)
}

/// The degree-13 Padé approximant's `U` and `V`, with Higham's grouping of the powers.
fn pade13(a: Array) -> (Array, Array) {
    let b = [
        64764752532480000.0,
        32382376266240000.0,
        7771770303897600.0,
        1187353796428800.0,
        129060195264000.0,
        10559470521600.0,
        670442572800.0,
        33522128640.0,
        1323241920.0,
        40840800.0,
        960960.0,
        16380.0,
        182.0,
        1.0,
    ];
    let (ident, a2) = identity_and_square(&a);
    let a4 = a2.matmul(&a2);
    let a6 = a4.matmul(&a2);
    let high_u = a6.matmul(&(&a6 * b[13] + &a4 * b[11] + &a2 * b[9]));
    let u = a.matmul(&(high_u + &a6 * b[7] + &a4 * b[5] + &a2 * b[3] + &ident * b[1]));
    let high_v = a6.matmul(&(&a6 * b[12] + &a4 * b[10] + &a2 * b[8]));
    let v = high_v + &a6 * b[6] + &a4 * b[4] + &a2 * b[2] + &ident * b[0];
    (u, v)
}
