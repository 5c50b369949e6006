//! Host kernels: the numerics that compiled XLA programs call back into on the CPU.
//!
//! XLA's CPU backend has no dense linear algebra of its own; JAX ships LAPACK kernels in
//! jaxlib and calls them through XLA's FFI. rjax computes the same results in safe Rust on
//! top of [faer](https://docs.rs/faer) (and [nalgebra](https://docs.rs/nalgebra) for the
//! Schur decomposition, which faer keeps private); the FFI layer in `runtime` hands these
//! functions XLA's buffers.
//!
//! ## Contents
//! - [`linalg`](crate::kernels::linalg): LAPACK-style dense linear algebra — Cholesky,
//!   triangular solves, LU with partial pivoting, QR (also as `geqrf` plus
//!   `householder_product`), Hermitian and general eigendecompositions, SVD, the
//!   Hessenberg reduction and the Schur decomposition.
//! - [`Element`](crate::kernels::Element) and [`RealElement`](crate::kernels::RealElement):
//!   the element types, f32, f64, [`c32`](crate::kernels::c32) and
//!   [`c64`](crate::kernels::c64).
//! - [`KernelError`](crate::kernels::KernelError): what a kernel reports when its buffers do
//!   not fit the shapes.
//!
//! ## Conventions
//! - Buffers are batched, contiguous and row-major (XLA's default layout): a batch of
//!   `batch` matrices of `m × n` is `batch · m · n` consecutive elements, the last dimension
//!   contiguous. Kernels loop over the batch themselves.
//! - Outputs are caller-provided slices; every output element is written.
//! - Errors are for buffers that do not match the shapes. Numerical trouble is not an error:
//!   a matrix that is not positive definite, a non-finite input or an iteration that faer
//!   reports as not converged gives NaN outputs for that batch element, as JAX's CPU
//!   kernels do.
//! - Large matrices run faer's parallel algorithms on rjax's own rayon thread pool; small ones
//!   run sequentially.

pub mod linalg;

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use faer::Par;
use faer::traits::{ComplexField, RealField};

pub use faer::{c32, c64};

/// A complex number whose parts are `T`'s real type: [`c32`] for f32 and c32, [`c64`] for
/// f64 and c64. The outputs of kernels that are complex even for real input (the general
/// eigendecomposition) have this type.
pub type ComplexOf<T> = faer::complex::Complex<<T as ComplexField>::Real>;

/// An element type of the kernels: f32, f64, [`c32`] (XLA's complex64) or [`c64`] (complex128).
///
/// The complex types are `num_complex::Complex`, `repr(C)` with the real part first, the
/// same bytes as XLA's complex types. `T::Real` (faer's `ComplexField::Real`) is the type of
/// real-valued outputs such as eigenvalues of a Hermitian matrix and singular values.
pub trait Element:
    ComplexField<Real: RealElement> + Copy + Send + Sync + Debug + 'static + Arithmetic
{
}

/// The real part type of an [`Element`]: f32 or f64 (also [`Element`]s themselves).
pub trait RealElement:
    RealField<Unit: ComplexField>
    + Copy
    + Send
    + Sync
    + Debug
    + 'static
    + Into<f64>
    + PartialOrd
    + Arithmetic
{
}

/// The operators of the kernels' element types, for code written with them rather than
/// faer's by-reference functions.
pub trait Arithmetic:
    Sized
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
}

impl<T> Arithmetic for T where
    T: Add<Output = T>
        + Sub<Output = T>
        + Mul<Output = T>
        + Div<Output = T>
        + Neg<Output = T>
        + AddAssign
        + SubAssign
        + MulAssign
        + DivAssign
{
}

impl Element for f32 {}
impl Element for f64 {}
impl Element for c32 {}
impl Element for c64 {}
impl RealElement for f32 {}
impl RealElement for f64 {}

/// Why a kernel refused its arguments. Numerical failures are not errors (see the module
/// documentation); only buffers and shapes that do not fit are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// A buffer's length does not match the shape the kernel was given.
    #[error(
        "{kernel}: buffer `{buffer}` has {actual} elements, but its shape {shape:?} needs {expected}"
    )]
    BufferLength {
        /// The kernel, e.g. `cholesky`.
        kernel: &'static str,
        /// The buffer's name in the kernel's signature, e.g. `a`.
        buffer: &'static str,
        /// The shape the buffer should have, batch dimension first.
        shape: Vec<usize>,
        /// The number of elements that shape needs.
        expected: usize,
        /// The buffer's length.
        actual: usize,
    },

    /// The shapes themselves are invalid for the kernel (their product overflows, or they
    /// break a kernel's own rule such as `householder_product`'s `m ≥ n ≥ k`).
    #[error("{kernel}: {message}")]
    InvalidShape {
        /// The kernel, e.g. `householder_product`.
        kernel: &'static str,
        /// What is wrong, with the shapes.
        message: String,
    },
}

/// Checks that `actual` elements make a buffer of `shape`.
pub(crate) fn check_len(
    kernel: &'static str,
    buffer: &'static str,
    shape: &[usize],
    actual: usize,
) -> Result<(), KernelError> {
    let expected = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| KernelError::InvalidShape {
            kernel,
            message: format!(
                "the shape {shape:?} of `{buffer}` has more elements than fit in memory"
            ),
        })?;
    if expected == actual {
        Ok(())
    } else {
        Err(KernelError::BufferLength {
            kernel,
            buffer,
            shape: shape.to_vec(),
            expected,
            actual,
        })
    }
}

/// The matrix dimension from which faer gets rayon's threads in `triangular_solve`, `eig`,
/// `hessenberg` and `eigh`'s tridiagonalization. Measured on a 2-vCPU machine
/// (`scripts/bench-vs-jax.sh --only linalg`): below about 800 the second thread cost these
/// more than it saved (500² `cholesky`, then under this threshold, 1.24–1.37 ms on two
/// threads, 1.17–1.22 on one), while 1000² `inv` and `lstsq` gain 10–25% from it. `eigh`
/// and `svd` as a whole, QR, LU and Cholesky have thresholds of their own below. Tests lower
/// them all to reach the threaded paths with small matrices.
static PARALLEL_DIM: AtomicUsize = AtomicUsize::new(768);

/// The dimension from which `eigh` and `svd` go parallel. In rayon's pool ([`in_pool`]) their
/// divide and conquer and back-transformations gain from the second thread at 500² already
/// (`svd` 500² f64 33 → 23.5 ms, `eigh` 18 → 14 ms), and so does the two-sided
/// bidiagonalization; the tridiagonalization does not, and stays sequential below
/// [`PARALLEL_DIM`] (see [`tridiag_par_threshold`]; `eigh` 500² f32 13 ms with it
/// parallel, 9.3 ms without).
static PARALLEL_DIM_SPECTRAL: AtomicUsize = AtomicUsize::new(256);

/// The dimension from which the factorizations made of narrow panels go parallel: QR (`qr`,
/// `geqrf`, `householder_product`), LU and Cholesky (faer's 1000² factorization in rjax's
/// pool: 4.9 ms on one thread, 5.4 ms on two). Their panel steps are too short to share: faer's
/// blocked Householder QR ran faster on one thread at 1000² too (30 ms against 52 ms on two),
/// and the 1000² LU gained 6% at best from a second thread but lost 50% in runs where the
/// other core was busy (15 ms against 10 ms for `solve`).
static PARALLEL_DIM_PANELS: AtomicUsize = AtomicUsize::new(2048);

/// The dimension below which `cholesky` computes a lower factor in a column-major copy of
/// the row-major input: faer's blocked factorization runs 1.8× slower on the row-major
/// input in place (500² float64: 0.95 ms against 0.52 ms, 0.62 ms with both copies), while
/// at 1000² the two transposing copies cost more than they save (5.3 against 4.8 ms).
static CHOLESKY_COPY_BELOW: AtomicUsize = AtomicUsize::new(768);

fn par_from(dim: usize, threshold: &AtomicUsize) -> Par {
    if dim >= threshold.load(Ordering::Relaxed) {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

/// Runs `work` on rjax's kernel thread pool when `par` is parallel: faer's parallel steps (a
/// thousand joins in a 1000² reduction) then hand work between the pool's own threads instead
/// of waking them from XLA's calling thread each time, which cost a futex round trip per join
/// (1000² `svd` without vectors: 214 ms from XLA's thread, 71 ms inside the pool).
///
/// The pool is rjax's own (one thread per core, created on first use), not rayon's global
/// one: a program that calls jitted functions from rayon tasks of its own, and so holds the
/// global pool's threads while XLA runs a kernel, cannot starve the kernel of threads.
pub(crate) fn in_pool<R: Send>(par: Par, work: impl FnOnce() -> R + Send) -> R {
    match (par, kernel_pool()) {
        (Par::Rayon(_), Some(pool)) => pool.install(work),
        // Sequential work, or no pool because the OS refused its threads (faer's parallel
        // steps then use rayon's global pool from the calling thread).
        _ => work(),
    }
}

/// rjax's kernel thread pool; see [`in_pool`].
fn kernel_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("rjax-kernels-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// faer's parallelism for a matrix whose largest dimension is `dim`.
pub(crate) fn par_for(dim: usize) -> Par {
    par_from(dim, &PARALLEL_DIM)
}

/// faer's parallelism for `eigh` and `svd` on a matrix whose largest dimension is `dim`.
pub(crate) fn par_for_spectral(dim: usize) -> Par {
    par_from(dim, &PARALLEL_DIM_SPECTRAL)
}

/// faer's `par_threshold` for its tridiagonal reduction, which compares it with half the
/// square of the dimension still to reduce: parallel while that dimension is at least
/// [`PARALLEL_DIM`].
pub(crate) fn tridiag_par_threshold() -> usize {
    let dim = PARALLEL_DIM.load(Ordering::Relaxed);
    dim * dim / 2
}

/// Whether `cholesky` factors an `n × n` lower factor in a column-major copy (see
/// [`CHOLESKY_COPY_BELOW`]).
pub(crate) fn cholesky_in_a_copy(n: usize) -> bool {
    n < CHOLESKY_COPY_BELOW.load(Ordering::Relaxed)
}

/// faer's parallelism for the QR, LU and Cholesky kernels on a matrix whose largest
/// dimension is `dim`.
pub(crate) fn par_for_panels(dim: usize) -> Par {
    par_from(dim, &PARALLEL_DIM_PANELS)
}

/// Lowers every threshold to `dim`, so that tests reach the threaded paths (and `cholesky`'s
/// in-place one).
#[cfg(test)]
pub(crate) fn parallel_from(dim: usize) {
    CHOLESKY_COPY_BELOW.store(dim, Ordering::Relaxed);
    PARALLEL_DIM.store(dim, Ordering::Relaxed);
    PARALLEL_DIM_SPECTRAL.store(dim, Ordering::Relaxed);
    PARALLEL_DIM_PANELS.store(dim, Ordering::Relaxed);
}
