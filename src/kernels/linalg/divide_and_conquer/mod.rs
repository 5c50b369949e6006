//! rjax's divide-and-conquer solvers (as LAPACK's `stedc` and `bdsdc`): the eigenproblem of
//! symmetric tridiagonal matrices, for `eigh` with eigenvectors, and the SVD of bidiagonal
//! matrices, for `svd` with vectors.
//!
//! Both cut the matrix in two, solve the halves (in parallel, recursively) and merge them
//! through a rank-one update whose secular equation gives the new values ([`secular`]) and,
//! with Gu and Eisenstat's recomputed weights, orthogonal vectors. faer has both algorithms,
//! but solves each merge's secular equation one root after another with scalar arithmetic
//! (a fifth of `eigh`'s time at 500², and its bidiagonal solver is private); here the roots,
//! weights and vectors are spread over the pool, each chunk vectorized ([`parallel`]).

mod bidiagonal;
mod bidiagonal_merge;
mod deflation;
mod parallel;
mod secular;
mod tridiagonal;
mod tridiagonal_merge;

use faer::traits::math_utils::{abs, max, zero};

use crate::kernels::RealElement;

pub(super) use bidiagonal::bidiagonal_svd;
pub(super) use tridiagonal::tridiagonal_eigh;

/// The iteration did not converge (a secular root or a leaf's QR iteration), or deflation
/// left poles that the secular solver cannot take; the caller falls back to faer's solver.
#[derive(Debug)]
pub(super) struct NoConvergence;

/// The largest magnitude among the entries of `parts` (0 when there are none).
fn largest_magnitude<T: RealElement>(parts: &[&[T]]) -> T {
    parts
        .iter()
        .flat_map(|part| part.iter())
        .fold(zero::<T>(), |m, x| max(&m, &abs(x)))
}
