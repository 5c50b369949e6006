//! The eigenvalues of symmetric tridiagonal matrices by bisection on Sturm counts (LAPACK's
//! `dstebz`), vectorized over all the wanted eigenvalues at once.
//!
//! The Sturm count of a shift `x`, the number of eigenvalues below `x`, is the number of
//! negative pivots `qᵢ = dᵢ - x - eᵢ₋₁²/qᵢ₋₁` of the `LDLᵀ` factorization of `T - x·I`; a pivot
//! smaller in magnitude than `pivmin` is replaced by `-pivmin`, as `dstebz` does, so a zero
//! pivot neither divides by zero nor changes the count's monotonicity. Each wanted eigenvalue
//! `j` keeps an interval `[lo, hi)` holding it, starting from the Gershgorin bounds of the
//! whole matrix; one pass counts at `SECTIONS - 1` equally spaced interior points of every
//! interval together (one sequential `scan` over the diagonal, carrying a vector of all the
//! shifts), and keeps the section whose counts bracket `j`. A fixed number of passes, from the
//! dtype's mantissa length, shrinks every interval to the rounding error of the matrix's norm,
//! so the eigenvalues are accurate to a few `ε·‖T‖`, sorted ascending by construction.

use super::super::where_;
use super::{last, scalar};
use crate::control_flow::{fori_loop, scan_with};
use crate::lax;
use crate::{Array, DType, Result};

/// Each pass splits every interval into this many sections (a power of two: its bits per
/// pass). 2, plain bisection, measured fastest on a CPU (each scan step's work grows with the
/// number of shifts, and the passes are a small part of the whole next to the reductions).
const SECTIONS: usize = 2;

/// Steps per iteration of the lowered loop over the diagonal.
const UNROLL: usize = 8;

/// `x` with its last dimension moved to the front (the axis a `scan` iterates over).
fn last_to_front(x: &Array) -> Array {
    let rank = x.ndim();
    let permutation: Vec<usize> = [rank - 1].into_iter().chain(0..rank - 1).collect();
    lax::transpose(x, &permutation)
}

/// `x` (`[..., n]`) with a zero put in front of its last dimension, `[..., n + 1]`.
fn zero_in_front(x: &Array) -> Array {
    let rank = x.ndim();
    let mut config = vec![(0, 0, 0); rank];
    config[rank - 1] = (1, 0, 0);
    lax::pad(x, scalar(0.0, x.dtype()), &config)
}

/// `x` (`[..., n]`) with a zero put after its last dimension, `[..., n + 1]`.
fn zero_after(x: &Array) -> Array {
    let rank = x.ndim();
    let mut config = vec![(0, 0, 0); rank];
    config[rank - 1] = (0, 1, 0);
    lax::pad(x, scalar(0.0, x.dtype()), &config)
}

/// The eigenvalues `first..first + count` (in ascending order, counted from 0) of each
/// symmetric tridiagonal matrix with diagonal `d` (`[..., n]`) and off-diagonal `e`
/// (`[..., n - 1]`), ascending, `[..., count]`. The matrices should be scaled to a norm near
/// 1 (the pivot guard is absolute).
pub(super) fn tridiagonal_eigenvalues(
    d: &Array,
    e: &Array,
    first: usize,
    count: usize,
) -> Result<Array> {
    let dtype = d.dtype();
    let rank = d.ndim();
    let n = d.shape()[rank - 1];
    if count == 0 || n == 0 {
        return Ok(last(d, 0..0));
    }
    let (eps, tiny, bits) = match dtype {
        DType::F64 => (f64::EPSILON, f64::MIN_POSITIVE, f64::MANTISSA_DIGITS),
        _ => (
            f64::from(f32::EPSILON),
            f64::from(f32::MIN_POSITIVE),
            f32::MANTISSA_DIGITS,
        ),
    };
    // Gershgorin bounds, widened by the rounding error of the counts.
    let radius = zero_in_front(&e.abs()) + zero_after(&e.abs());
    let lower = super::super::min_or_identity(&(d - &radius), Some(&[-1]), true);
    let upper = super::super::max_or_identity(&(d + &radius), Some(&[-1]), true);
    let norm = lower.abs().maximum(upper.abs());
    let e2 = e * e;
    let pivmin =
        super::super::max_or_identity(&zero_in_front(&e2), Some(&[-1]), true).maximum(1.0) * tiny;
    let slack = &norm * (eps * 2.0 * (n as f64 + 1.0)) + &pivmin * 2.0;
    let batch_shape: Vec<usize> = d.shape()[..rank - 1].to_vec();
    let shape: Vec<usize> = batch_shape.iter().copied().chain([count]).collect();
    let dims: Vec<usize> = (0..rank).collect();
    let lo = lax::broadcast_in_dim(&(lower - &slack), &shape, &dims);
    let hi = lax::broadcast_in_dim(&(upper + &slack), &shape, &dims);
    // The scan's inputs, step i: (dᵢ, eᵢ₋₁²) with e₋₁ = 0.
    let xs = (last_to_front(d), last_to_front(&zero_in_front(&e2)));
    let interior = SECTIONS - 1;
    let offsets = lax::convert_element_type(
        &(lax::broadcasted_iota(DType::I32, &[1, interior], 1) + 1),
        dtype,
    );
    let wanted = lax::broadcasted_iota(DType::I32, &[count, 1], 0) + first as i32;
    let points_shape: Vec<usize> = batch_shape
        .iter()
        .copied()
        .chain([count * interior])
        .collect();
    let sections_bits = SECTIONS.trailing_zeros();
    // Enough passes to shrink a width of 2‖T‖ below ε‖T‖/2, twice over.
    let passes = (bits + 2).div_ceil(sections_bits) as i32;
    let (lo, hi) = fori_loop(
        0,
        passes,
        |_, (lo, hi): (Array, Array)| {
            let h = (&hi - &lo) / SECTIONS as f64;
            let expand = |x: &Array| lax::expand_dims(x, &[rank]);
            let points = expand(&lo) + expand(&h) * &offsets;
            let x = lax::reshape(&points, &points_shape);
            let q = super::super::ones_like(&x, None);
            let negatives =
                lax::convert_element_type(super::super::zeros_like(&x, None), DType::I32);
            let ((_, _, negatives), ()) = scan_with(
                |(x, q, negatives): (Array, Array, Array), (di, e2i): (Array, Array)| {
                    let di = lax::expand_dims(&di, &[rank - 1]);
                    let e2i = lax::expand_dims(&e2i, &[rank - 1]);
                    let q = di - &x - e2i / &q;
                    let q = where_(q.abs().lt(&pivmin), -&pivmin, &q);
                    let negatives = negatives + lax::convert_element_type(q.lt(0.0), DType::I32);
                    Ok::<_, crate::Error>(((x, q, negatives), ()))
                },
                (x, q, negatives),
                xs.clone(),
                None,
                false,
                UNROLL,
            )?;
            let mut counts_shape = shape.clone();
            counts_shape.push(interior);
            let negatives = lax::reshape(&negatives, &counts_shape);
            // The number of interior points at or below which fewer than j + 1 eigenvalues lie.
            let below = lax::convert_element_type(negatives.le(&wanted), dtype).sum_axes([-1]);
            let lo_next = &lo + &below * &h;
            let hi_next = &lo + (below + 1.0) * &h;
            Ok::<_, crate::Error>((lo_next, hi_next.minimum(&hi)))
        },
        (lo, hi),
    )?;
    Ok((lo + hi) * 0.5)
}
