//! Dense linear algebra with LAPACK's (and so jaxlib's) semantics, on faer.
//!
//! One file per concept; each kernel takes batched row-major buffers (see [`super`]) and a
//! [`Batch`] shape:
//! - [`cholesky()`]: `A = L·Lᴴ` or `A = Uᴴ·U`, NaN where `A` is not positive definite.
//! - [`triangular_solve()`]: `op(A)·X = B` or `X·op(A) = B` for triangular `A`.
//! - [`lu()`]: `P·A = L·U` with partial pivoting, LAPACK's pivots and the permutation.
//! - [`qr()`], [`geqrf()`], [`householder_product()`]: QR, and LAPACK's packed Householder form.
//! - [`eigh()`]: eigenvalues (ascending) and eigenvectors of Hermitian matrices.
//! - [`svd()`]: singular values (descending) and optionally the singular vectors.
//! - `divide_and_conquer`: the eigendecomposition of symmetric tridiagonal matrices and the
//!   SVD of bidiagonal ones, for `eigh` and `svd` with vectors (faer's solvers find each
//!   merge's secular roots one at a time).
//! - `bidiagonalize`: the blocked Householder bidiagonalization `A = Q·B·Pᴴ` for `svd`.
//! - `dqds`: the eigenvalues of tridiagonal and the singular values of bidiagonal matrices,
//!   for `eigh` and `svd` without vectors (faer's solvers for those cost 3–8× more).
//! - [`eig()`]: eigenvalues and left/right eigenvectors of general matrices.
//! - [`hessenberg()`]: the Hessenberg reduction in LAPACK's `gehrd` form.
//! - [`schur()`]: the (real or complex) Schur form and Schur vectors, on nalgebra, since
//!   faer 0.24 keeps its Schur decomposition (`multishift_qr`) private.

mod bidiagonalize;
mod cholesky;
mod divide_and_conquer;
mod dqds;
mod eig;
mod eigh;
mod hessenberg;
mod householder;
mod lu;
mod qr;
mod schur;
mod svd;
mod triangular_solve;

#[cfg(test)]
mod tests;

pub use cholesky::cholesky;
pub use eig::{EigOptions, eig};
pub use eigh::eigh;
pub use hessenberg::hessenberg;
pub use householder::householder_product;
pub use lu::lu;
pub use qr::{geqrf, qr};
pub use schur::{SchurElement, schur};
pub use svd::{SvdOptions, svd};
pub use triangular_solve::{TriangularSolveOptions, triangular_solve};

use faer::traits::math_utils::{is_finite, nan};
use faer::{MatMut, MatRef};

use super::{Element, KernelError, check_len};

/// The shape of a batch of matrices: `batch` consecutive row-major matrices of
/// `rows × cols` elements each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The number of matrices (the product of the leading dimensions).
    pub batch: usize,
    /// The rows of each matrix (the second-to-last dimension).
    pub rows: usize,
    /// The columns of each matrix (the last dimension).
    pub cols: usize,
}

impl Batch {
    /// `batch` matrices of `rows × cols`.
    pub fn new(batch: usize, rows: usize, cols: usize) -> Self {
        Batch { batch, rows, cols }
    }

    /// `batch` square matrices of `n × n`.
    pub fn square(batch: usize, n: usize) -> Self {
        Batch {
            batch,
            rows: n,
            cols: n,
        }
    }

    /// The smaller of the two matrix dimensions.
    pub fn min_dim(&self) -> usize {
        self.rows.min(self.cols)
    }

    /// The larger of the two matrix dimensions (what decides faer's parallelism).
    fn max_dim(&self) -> usize {
        self.rows.max(self.cols)
    }

    /// Checks that `buffer` holds this batch of `rows × cols` matrices.
    fn check(
        &self,
        kernel: &'static str,
        name: &'static str,
        len: usize,
    ) -> Result<(), KernelError> {
        check_len(kernel, name, &[self.batch, self.rows, self.cols], len)
    }

    /// Checks that `buffer` holds `batch` vectors of `len` elements.
    fn check_vectors(
        &self,
        kernel: &'static str,
        name: &'static str,
        len: usize,
        actual: usize,
    ) -> Result<(), KernelError> {
        check_len(kernel, name, &[self.batch, len], actual)
    }

    /// Checks that a square batch really is square.
    fn check_square(&self, kernel: &'static str) -> Result<(), KernelError> {
        if self.rows == self.cols {
            Ok(())
        } else {
            Err(KernelError::InvalidShape {
                kernel,
                message: format!("needs square matrices, got {} × {}", self.rows, self.cols),
            })
        }
    }
}

/// Splits a batched buffer into its matrices, `len` elements each. An empty matrix still
/// yields `batch` (empty) chunks.
fn chunks<T>(buffer: &[T], len: usize, batch: usize) -> impl Iterator<Item = &[T]> {
    (0..batch).map(move |i| &buffer[i * len..(i + 1) * len])
}

/// The mutable counterpart of [`chunks`].
fn chunks_mut<T>(buffer: &mut [T], len: usize, batch: usize) -> impl Iterator<Item = &mut [T]> {
    let mut rest = buffer;
    (0..batch).map(move |_| {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        head
    })
}

/// A row-major `rows × cols` view of `slice`.
fn view<T>(slice: &[T], rows: usize, cols: usize) -> MatRef<'_, T> {
    MatRef::from_row_major_slice(slice, rows, cols)
}

/// A mutable row-major `rows × cols` view of `slice`.
fn view_mut<T>(slice: &mut [T], rows: usize, cols: usize) -> MatMut<'_, T> {
    MatMut::from_row_major_slice_mut(slice, rows, cols)
}

/// Whether every element of `a` is finite.
fn all_finite<T: Element>(a: MatRef<'_, T>) -> bool {
    (0..a.ncols()).all(|j| (0..a.nrows()).all(|i| is_finite(&a[(i, j)])))
}

/// Fills `out` with NaN, the result for a batch element whose computation failed.
fn fill_nan<T: Element>(out: &mut [T]) {
    out.fill(nan());
}
