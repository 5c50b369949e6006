//! The eigenvectors of symmetric tridiagonal matrices by inverse iteration (LAPACK's `dstein`
//! with `dlagtf`/`dlagts`), vectorized over all the eigenvalues at once.
//!
//! For every eigenvalue `λⱼ` (from [`super::bisection`]) and start vector `xⱼ`, one iteration
//! solves `(T - λⱼ·I)·yⱼ = xⱼ` by Gaussian elimination with partial pivoting on the
//! tridiagonal (the upper factor gains a second superdiagonal when rows swap): one sequential
//! `scan` down the rows eliminates and applies `L⁻¹` to the right-hand sides, carrying the
//! vectors of all the shifts, and one `scan` up the rows back-substitutes. A pivot smaller in
//! magnitude than `ε·‖T‖` is replaced by `±ε·‖T‖`, so the nearly singular systems stay
//! solvable; the solution is then dominated by the eigenvector, amplified by about
//! `1/(ε·‖T‖)` over every other component.
//!
//! Vectors of close or equal eigenvalues are amplified alike, so after each solve the matrix
//! of all the vectors, in eigenvalue order, is orthonormalized by a Householder QR
//! factorization (`dstein`'s Gram–Schmidt within clusters, done for all the columns at once:
//! the vectors of separate eigenvalues are already orthogonal to working accuracy, so the
//! factorization only changes the clusters). The start vectors are fixed pseudo-random
//! numbers, distinct for every eigenvalue, so a cluster's vectors span its whole invariant
//! subspace; [`ITERATIONS`] solves bring every vector to working accuracy.

use super::super::where_;
use super::{mt, scalar};
use crate::control_flow::scan_with;
use crate::lax;
use crate::{Array, DType, Result};

/// Solves and orthonormalizations run (`dstein` stops after 2 converged ones, at most 5).
const ITERATIONS: usize = 2;

/// Steps per iteration of the lowered loops over the rows.
const UNROLL: usize = 8;

/// `x` with its last dimension moved to the front (the axis a `scan` iterates over).
fn last_to_front(x: &Array) -> Array {
    let rank = x.ndim();
    let permutation: Vec<usize> = [rank - 1].into_iter().chain(0..rank - 1).collect();
    lax::transpose(x, &permutation)
}

/// `x` with its first dimension moved to the back.
fn front_to_last(x: &Array) -> Array {
    let rank = x.ndim();
    let permutation: Vec<usize> = (1..rank).chain([0]).collect();
    lax::transpose(x, &permutation)
}

/// `x[start..start + length]` along the first dimension, zero past the end of `x`.
fn shifted(x: &Array, start: usize, length: usize) -> Array {
    let rank = x.ndim();
    let mut config = vec![(0, 0, 0); rank];
    config[0] = (0, (start + length).saturating_sub(x.shape()[0]) as i64, 0);
    let padded = lax::pad(x, scalar(0.0, x.dtype()), &config);
    let mut begin = vec![0; rank];
    let mut end = padded.shape().to_vec();
    (begin[0], end[0]) = (start, start + length);
    lax::slice(&padded, &begin, &end, None)
}

/// Fixed pseudo-random numbers in `[-1, 1)`, `[n, n]` (a 64-bit linear congruential
/// generator; its high bits).
fn start_vectors(n: usize, dtype: DType) -> Result<Array> {
    let mut state: u64 = 0x853c_49e6_748f_ea9b;
    let data: Vec<f64> = (0..n * n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect();
    Ok(lax::convert_element_type(
        &Array::from_slice(&data, &[n, n])?,
        dtype,
    ))
}

/// Solves `(T - λⱼ·I)·yⱼ = bⱼ` for every `j`, with `T`'s diagonal `d` and off-diagonal `e`
/// given row by row as `[n, ..., 1]` and `[n - 1, ..., 1]`, the shifts `w`
/// `[..., m]`, the right-hand sides `b` `[n, ..., m]` and the pivot guard `tol` `[..., 1]`.
fn shifted_solve(d: &Array, e: &Array, w: &Array, b: &Array, tol: &Array) -> Result<Array> {
    let n = d.shape()[0];
    let first = |x: &Array| lax::squeeze(shifted(x, 0, 1), &[0]);
    let alpha = first(d) - w;
    let beta = first(e) * super::super::ones_like(w, None);
    let r = first(b);
    // Step k eliminates below row k: it reads e[k], d[k + 1], e[k + 1] and b[k + 1].
    let xs = (
        shifted(e, 0, n),
        shifted(d, 1, n),
        shifted(e, 1, n),
        shifted(b, 1, n),
    );
    let guard = |p: &Array| where_(p.abs().lt(tol), where_(p.ge(0.0), tol, -tol), p);
    let ((_, _, _), (u1, u2, u3, y)) = scan_with(
        |(alpha, beta, r): (Array, Array, Array),
         (ek, dk1, ek1, bk1): (Array, Array, Array, Array)| {
            let dk1 = dk1 - w;
            let zero = super::super::zeros_like(&alpha, None);
            let ek = &ek + &zero;
            let ek1 = &ek1 + &zero;
            let swap = ek.abs().gt(alpha.abs());
            let pick = |if_swap: &Array, otherwise: &Array| where_(&swap, if_swap, otherwise);
            // The pivot row (p, p2, p3 | rp) and the row it eliminates (o, o2, o3 | ro).
            let p = guard(&pick(&ek, &alpha));
            let (p2, p3, rp) = (pick(&dk1, &beta), pick(&ek1, &zero), pick(&bk1, &r));
            let (o, o2, o3, ro) = (
                pick(&alpha, &ek),
                pick(&beta, &dk1),
                pick(&zero, &ek1),
                pick(&r, &bk1),
            );
            let l = o / &p;
            let next = (&o2 - &l * &p2, &o3 - &l * &p3, &ro - &l * &rp);
            Ok::<_, crate::Error>((next, (p, p2, p3, rp)))
        },
        (alpha, beta, r),
        xs,
        None,
        false,
        UNROLL,
    )?;
    let zero = super::super::zeros_like(first(&y), None);
    let ((_, _), x) = scan_with(
        |(x1, x2): (Array, Array), (u1, u2, u3, y): (Array, Array, Array, Array)| {
            let x = (y - u2 * &x1 - u3 * x2) / u1;
            Ok::<_, crate::Error>(((x.clone(), x1), x))
        },
        (zero.clone(), zero),
        (u1, u2, u3, y),
        None,
        true,
        UNROLL,
    )?;
    Ok(x)
}

/// The orthonormal eigenvectors `[..., n, n]` (column `j` for `w[..., j]`) of the symmetric
/// tridiagonal matrices with diagonal `d` (`[..., n]`, `n ≥ 1`) and off-diagonal `e`
/// (`[..., n - 1]`), whose eigenvalues `w` (`[..., n]`, ascending) are known.
pub(super) fn tridiagonal_eigenvectors(d: &Array, e: &Array, w: &Array) -> Result<Array> {
    let dtype = d.dtype();
    let rank = d.ndim();
    let n = d.shape()[rank - 1];
    let column = |x: &Array| lax::expand_dims(last_to_front(x), &[rank]);
    let (d_rows, e_rows) = (column(d), column(e));
    let norm = super::super::max_or_identity(&d.abs(), Some(&[-1]), true)
        + super::super::max_or_identity(&e.abs(), Some(&[-1]), true) * 2.0;
    let tol = (norm * super::eps(dtype)).maximum(scalar(
        match dtype {
            DType::F64 => f64::MIN_POSITIVE,
            _ => f64::from(f32::MIN_POSITIVE),
        },
        dtype,
    ));
    let mut shape = d.shape().to_vec();
    shape.push(n);
    let mut x = lax::broadcast_in_dim(&start_vectors(n, dtype)?, &shape, &[rank - 1, rank]);
    for _ in 0..ITERATIONS {
        let y = shifted_solve(&d_rows, &e_rows, w, &last_to_front(&mt(&x)), &tol)?;
        let y = mt(&front_to_last(&y));
        let scale = super::super::max_or_identity(&y.abs(), Some(&[-2]), true);
        let y = y / where_(scale.gt(0.0), &scale, 1.0);
        x = lax::qr_with(&y, lax::QrOptions::default().full_matrices(false)).0;
    }
    Ok(x)
}
