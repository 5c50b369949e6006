//! `rjax::numpy::linalg`: JAX's `jax.numpy.linalg`.
//!
//! Every function takes a batch of matrices `[..., m, n]` (the leading dimensions are batch
//! dimensions), promotes integers to the default float, and works in `float32` or `float64`
//! (`eig` and `eigvals` also in the complex dtypes). Results follow NumPy's conventions (and
//! JAX's where JAX differs from NumPy), and every function traces under `jit`, `vmap` and
//! differentiation.
//!
//! On the CPU the decompositions run in rjax's Rust kernels (`kernels.rs`: an `ffi_call` of the
//! `faer`-backed handlers, as jaxlib calls LAPACK there). On a platform that does not run
//! them (a GPU, a TPU, or `RJAX_FFI_KERNELS=0`) they are built only from what every PJRT plugin
//! compiles, as follows:
//! - [`cholesky`], [`qr`]: the [`crate::lax`] primitives `cholesky` and `Qr`, which XLA
//!   expands itself on every backend.
//! - [`eigvalsh`]: Householder tridiagonalization in HLO (`tridiagonal.rs`: a `fori_loop` of
//!   `n - 2` steps, each a matrix–vector product and a symmetric rank-2 update of the whole
//!   matrix, so shapes stay static), then bisection on Sturm counts for all eigenvalues at once
//!   (`bisection.rs`, LAPACK's `dstebz`: each halving of every interval is one `scan` over the
//!   diagonal carrying the vector of all shifts; a fixed number of halvings from the dtype's
//!   mantissa length). Accurate to a few `ε·‖A‖`, ascending by construction.
//! - [`eigh`] with eigenvectors (not XLA's `Eigh` expansion, a Jacobi method meant for TPUs
//!   that takes seconds for a 500×500 matrix on a CPU, and stops at a `float32`-sized
//!   threshold): the same tridiagonalization, accumulating its reflectors into `Q`
//!   (`Q ← Q - (Q·v)·(τ·vᵀ)` at each step), the same bisection, then inverse iteration on the
//!   tridiagonal for all eigenvalues at once (`inverse_iteration.rs`, LAPACK's `dstein`: a
//!   tridiagonal LU with partial pivoting as `dlagtf`, one `scan` down and one up the rows
//!   carrying the vectors of all shifts; fixed pseudo-random start vectors; each solve followed
//!   by a Householder QR of all the vectors in eigenvalue order, which orthonormalizes the
//!   clusters), and `V = Q·V_T`. Residuals and orthogonality of a few `ε` (about `1e-15` for a
//!   500×500 `float64` matrix), repeated and clustered eigenvalues included.
//! - [`solve`], [`inv`], [`det`], [`slogdet`]: an LU factorization with partial pivoting
//!   written in HLO (`lu.rs`: a `fori_loop` over the columns, each step a rank-1 update with
//!   row swaps by masks). LU rather than QR because the determinant needs the sign of the
//!   row permutation, which the `Qr` custom call does not expose, and because JAX's own
//!   derivative rules (`_cofactor_solve` for `det`) are written in terms of LU factors.
//! - [`svd`] with vectors, and what needs them ([`pinv`], [`lstsq`]): one-sided Jacobi in HLO
//!   (`jacobi.rs`), after a QR reduction for tall matrices.
//! - Singular values alone ([`svd`] without `compute_uv`, [`matrix_rank`], [`cond`] and the
//!   `'nuc'`/2/-2 norms): Householder bidiagonalization in HLO (`bidiagonal.rs`, after a QR
//!   reduction for tall matrices), then the same bisection on the Golub–Kahan tridiagonal
//!   (zero diagonal, off-diagonal `d₁, e₁, d₂, …`), whose nonnegative eigenvalues are the
//!   singular values; unlike the eigenvalues of `AᵀA` this does not square the condition
//!   number.
//!
//! These tridiagonal and bidiagonal paths cost `O(n³)` in `O(n)` sequential steps of `O(n²)`
//! memory-bound work, plus `O(n)`-long scans of vector operations for the bisection and the
//! inverse iteration; the derivative rules of the value-only paths take the vectors from the
//! full decompositions.
//!
//! Derivatives follow JAX: the primitives' own rules for `cholesky`, `qr` and
//! `triangular_solve`, and [`crate::custom_jvp`] rules for the HLO-level algorithms (JAX's
//! rules for `svd`, `eigh`, `solve`, `det`, `slogdet` and `pinv`), so no derivative goes
//! through Jacobi iterations or pivoting decisions.
//!
//! JAX's keyword arguments follow the crate's calling conventions: each function's plain form
//! has JAX's defaults (`norm(x)`, `svd(a)`, `qr(a)`, `eigh(a)`), and its `_with` form takes
//! the keywords, as an options struct where there are several ([`NormOptions`],
//! [`SvdOptions`], [`CholeskyOptions`], [`EighOptions`]) or the one value where there is one
//! (`qr_with(a, QrMode::Complete)`, `pinv_with(a, rtol)`, `cond_with(x, NormOrd::One)`).
//!
//! Misuse (a vector where a matrix is needed, a non-square matrix to `inv`, shapes that do not
//! fit) panics at the caller, naming the function and the operands' types.

mod bidiagonal;
mod bisection;
mod decompositions;
mod eig;
mod inverse_iteration;
mod jacobi;
mod kernels;
pub(crate) mod lu;
mod norm;
mod solve;
mod spectral;
mod svd;
mod tridiagonal;

pub use decompositions::{
    CholeskyOptions, EighOptions, QrMode, Uplo, cholesky, cholesky_with, eigh, eigh_with, eigvalsh,
    eigvalsh_with, qr, qr_with,
};
pub use eig::{eig, eigvals};
pub use norm::{NormOptions, NormOrd, norm, norm_with};
pub use solve::{det, inv, matrix_power, slogdet, solve};
pub use spectral::{
    cond, cond_with, lstsq, lstsq_with, matrix_rank, matrix_rank_with, pinv, pinv_with,
};
pub use svd::{Svd, SvdOptions, svd, svd_with};

use super::to_inexact;
use crate::lax;
use crate::{Array, DType};

/// `x` as a float matrix batch for `op`: integers become the default float; anything else
/// that is not `float32`/`float64`, or has rank below 2, panics at the caller.
#[track_caller]
fn matrices(op: &str, x: &Array) -> Array {
    let x = to_inexact(x);
    assert!(
        matches!(x.dtype(), DType::F32 | DType::F64),
        "{op}: expected float32 or float64 matrices, got {}",
        x.aval()
    );
    assert!(
        x.ndim() >= 2,
        "{op}: expected a batch of matrices [..., m, n] (rank at least 2), got {}",
        x.aval()
    );
    x
}

/// [`matrices`], further requiring square matrices.
#[track_caller]
fn square_matrices(op: &str, x: &Array) -> Array {
    let x = matrices(op, x);
    let (m, n) = rows_cols(&x);
    assert!(
        m == n,
        "{op}: expected a batch of square matrices [..., n, n], got {}",
        x.aval()
    );
    x
}

/// The number of rows and columns of a batch of matrices.
fn rows_cols(x: &Array) -> (usize, usize) {
    let rank = x.ndim();
    (x.shape()[rank - 2], x.shape()[rank - 1])
}

/// The batch dimensions of a batch of matrices.
fn batch_shape(x: &Array) -> &[usize] {
    &x.shape()[..x.ndim() - 2]
}

/// `x` with its last two dimensions swapped.
fn mt(x: &Array) -> Array {
    let rank = x.ndim();
    let mut permutation: Vec<usize> = (0..rank).collect();
    permutation.swap(rank - 2, rank - 1);
    lax::transpose(x, &permutation)
}

/// The batched matrix product of `[..., m, k]` and `[..., k, n]` (batch shapes broadcast).
fn mm(x: &Array, y: &Array) -> Array {
    super::matmul(x, y)
}

/// The block `x[..., rows, cols]`.
fn block(x: &Array, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) -> Array {
    let rank = x.ndim();
    let mut start = vec![0; rank];
    let mut limit = x.shape().to_vec();
    (start[rank - 2], limit[rank - 2]) = (rows.start, rows.end);
    (start[rank - 1], limit[rank - 1]) = (cols.start, cols.end);
    if start.iter().all(|&s| s == 0) && limit.as_slice() == x.shape() {
        return x.clone();
    }
    lax::slice(x, &start, &limit, None)
}

/// The elements `x[..., range]` of the last dimension.
fn last(x: &Array, range: std::ops::Range<usize>) -> Array {
    let rank = x.ndim();
    let mut start = vec![0; rank];
    let mut limit = x.shape().to_vec();
    (start[rank - 1], limit[rank - 1]) = (range.start, range.end);
    lax::slice(x, &start, &limit, None)
}

/// A `bool` array `[n, n]` that is true on the diagonal.
fn eye_mask(n: usize) -> Array {
    let rows = lax::broadcasted_iota(DType::I32, &[n, n], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[n, n], 1);
    rows.eq(&cols)
}

/// The `[n, n]` identity matrix in `dtype`.
fn eye(n: usize, dtype: DType) -> Array {
    lax::convert_element_type(eye_mask(n), dtype)
}

/// The diagonals `[..., n]` of a batch of square matrices (NaNs elsewhere do not leak in).
fn diagonal(x: &Array) -> Array {
    let n = rows_cols(x).1;
    let zero = super::zeros_like(x, None);
    let picked = super::where_(eye_mask(n), x, &zero);
    picked.sum_axes([-1])
}

/// The diagonal matrices `[..., n, n]` of a batch of vectors `[..., n]`.
fn diag_embed(v: &Array) -> Array {
    let n = v.shape()[v.ndim() - 1];
    let row = super::expand_dims(v, &[-2]);
    let zero = super::zeros_like(&row, None);
    super::where_(eye_mask(n), &row, &zero)
}

/// The logical and of two `bool` arrays, with broadcasting.
fn both(x: &Array, y: &Array) -> Array {
    super::where_(x, y, super::zeros_like(y, None))
}

/// The sum of the diagonals of a batch of square matrices.
fn trace(x: &Array) -> Array {
    diagonal(x).sum_axes([-1])
}

/// A strongly typed scalar of `dtype`.
fn scalar(value: f64, dtype: DType) -> Array {
    lax::convert_element_type(Array::scalar(value), dtype)
}

/// The machine epsilon of a float dtype.
fn eps(dtype: DType) -> f64 {
    match dtype {
        DType::F64 => f64::EPSILON,
        _ => f64::from(f32::EPSILON),
    }
}
