//! The Schur decomposition, as LAPACK's `gees` and `jax.lax.linalg.schur`, on nalgebra.
//!
//! faer 0.24 keeps its Schur iteration private, so this kernel runs
//! [`nalgebra::linalg::Schur`] (Hessenberg reduction, then the implicit double-shift QR
//! iteration) on a column-major copy of each matrix.

use faer::traits::math_utils::{eps, zero};
use nalgebra::linalg::Schur;
use nalgebra::{DMatrix, DVector};

use super::{Batch, Element, KernelError, all_finite, chunks, chunks_mut, fill_nan, view};
use crate::kernels::check_len;

const KERNEL: &str = "schur";

/// An [`Element`] that is also nalgebra's scalar with the same real type: f32, f64,
/// [`c32`](crate::kernels::c32) and [`c64`](crate::kernels::c64) (the complex types are
/// `num_complex::Complex` in both crates).
pub trait SchurElement:
    Element + nalgebra::ComplexField<RealField = <Self as faer::traits::ComplexField>::Real>
{
}

impl<T> SchurElement for T where
    T: Element + nalgebra::ComplexField<RealField = <T as faer::traits::ComplexField>::Real>
{
}

/// The Schur decomposition `A = Z·T·Zᴴ` of each `n × n` matrix of `a` (`[batch, n, n]`,
/// `shape`), `Z` unitary: `t` (`[batch, n, n]`) receives `T`, `z` (`[batch, n, n]` when
/// `compute_vectors`, empty otherwise) the Schur vectors `Z`.
///
/// For real input `T` is real and quasi-upper-triangular: 1 × 1 blocks and 2 × 2 blocks
/// with complex conjugate eigenvalues on its diagonal, zeros elsewhere below the diagonal.
/// The 2 × 2 blocks are not in LAPACK's standardized form (equal diagonal entries). For
/// complex input `T` is upper triangular. The order of the eigenvalues on the diagonal is
/// the iteration's (LAPACK's `gees` does not sort unless asked either).
///
/// nalgebra's iteration has no exceptional shifts; where it has not converged after
/// `10 · max(n, 10)` QR sweeps in all, the kernel starts again from `H·A·H` for a fixed
/// reflection `H`. Non-finite input, or a second failure, gives NaN in `t` and `z` for that
/// batch element.
pub fn schur<T: SchurElement>(
    a: &[T],
    t: &mut [T],
    z: &mut [T],
    shape: Batch,
    compute_vectors: bool,
) -> Result<(), KernelError> {
    shape.check_square(KERNEL)?;
    shape.check(KERNEL, "a", a.len())?;
    shape.check(KERNEL, "t", t.len())?;
    let n = shape.rows;
    let nz = if compute_vectors { n } else { 0 };
    check_len(KERNEL, "z", &[shape.batch, nz, nz], z.len())?;
    let outputs = chunks_mut(t, n * n, shape.batch).zip(chunks_mut(z, nz * nz, shape.batch));
    for (a, (t, z)) in chunks(a, n * n, shape.batch).zip(outputs) {
        match all_finite(view(a, n, n)).then(|| decompose(a, n)).flatten() {
            Some((vectors, form)) => {
                write_row_major(&form, t);
                write_row_major(&vectors, z);
            }
            None => {
                fill_nan(t);
                fill_nan(z);
            }
        }
    }
    Ok(())
}

/// `(Z, T)` of the row-major `n × n` matrix `a`, or `None` if the iteration did not converge.
fn decompose<T: SchurElement>(a: &[T], n: usize) -> Option<(DMatrix<T>, DMatrix<T>)> {
    let a = DMatrix::from_row_slice(n, n, a);
    // nalgebra 0.33 scales by the largest entry first, which turns a zero matrix into NaN.
    if a.iter().all(|x| *x == zero::<T>()) {
        return Some((DMatrix::identity(n, n), a));
    }
    let max_sweeps = 10 * n.max(10);
    let run = |m: DMatrix<T>| Schur::try_new(m, eps::<T::Real>(), max_sweeps).map(Schur::unpack);
    run(a.clone()).or_else(|| {
        // nalgebra's iteration has no exceptional shifts and stalls on matrices such as a
        // cyclic permutation; a fixed orthogonal similarity breaks their symmetry.
        let h = reflection::<T>(n);
        let (z, t) = run(&h * a * &h)?;
        Some((h * z, t))
    })
}

/// The reflection `H = I − 2·v·vᵀ` (symmetric and orthogonal) for a fixed unit vector `v`
/// with irregular entries.
fn reflection<T: SchurElement>(n: usize) -> DMatrix<T> {
    let v = DVector::from_fn(n, |i, _| {
        nalgebra::convert::<f64, T>((i as f64 + 1.0).sin())
    });
    let v = v.normalize();
    DMatrix::identity(n, n) - &v * v.transpose() * nalgebra::convert::<f64, T>(2.0)
}

/// Copies `m` into `out` in row-major order; `out` empty leaves `m` unused.
fn write_row_major<T: SchurElement>(m: &DMatrix<T>, out: &mut [T]) {
    let cols = m.ncols();
    for (k, out) in out.iter_mut().enumerate() {
        *out = m[(k / cols, k % cols)];
    }
}
