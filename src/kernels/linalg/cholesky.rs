//! Cholesky factorization, as LAPACK's `potrf` and `jax.lax.linalg.cholesky`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{
    LltRegularization, cholesky_in_place, cholesky_in_place_scratch,
};
use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{from_real, nan, real, zero};
use faer::{Mat, MatMut, Par};

use super::{Batch, Element, KernelError, chunks, chunks_mut, view, view_mut};
use crate::kernels::{cholesky_in_a_copy, in_pool, par_for_panels};

const KERNEL: &str = "cholesky";

/// Factors each Hermitian positive definite `n × n` matrix of `a` (`[batch, n, n]`) into
/// `out` (same shape): the lower factor `L` with `A = L·Lᴴ` and a zero strict upper triangle
/// when `lower`, otherwise the upper factor `U` with `A = Uᴴ·U` and a zero strict lower
/// triangle. Only the named triangle of `a` is read.
///
/// A matrix that is not positive definite (or holds NaN) gives NaN throughout the factor's
/// triangle (and zeros in the other) for that batch element, what JAX's `cholesky` returns;
/// that is not an error.
pub fn cholesky<T: Element>(
    a: &[T],
    out: &mut [T],
    shape: Batch,
    lower: bool,
) -> Result<(), KernelError> {
    shape.check_square(KERNEL)?;
    shape.check(KERNEL, "a", a.len())?;
    shape.check(KERNEL, "out", out.len())?;
    let n = shape.rows;
    let par = par_for_panels(n);
    let mut buffer = MemBuffer::new(cholesky_in_place_scratch::<T>(n, par, Default::default()));
    let stack = MemStack::new(&mut buffer);
    let copy = lower && cholesky_in_a_copy(n);
    let mut work = Mat::<T>::zeros(if copy { n } else { 0 }, if copy { n } else { 0 });
    in_pool(par, || {
        for (a, out) in chunks(a, n * n, shape.batch).zip(chunks_mut(out, n * n, shape.batch)) {
            // faer reads and writes the lower triangle, fastest in column-major order. For the
            // lower factor of a small matrix, factor a column-major copy; otherwise factor in
            // `out`. For the upper factor, the column-major view of `out` is Aᵀ = conj(A),
            // whose lower triangle is A's upper one: its factor L' (conj(A) = L'·L'ᴴ) gives
            // A = (L'ᵀ)ᴴ·L'ᵀ, so U = L'ᵀ, which is what that storage holds read row-major.
            let solved = if copy {
                work.copy_from(view(a, n, n));
                real_diagonal(work.as_mut());
                let solved = factor_lower(work.as_mut(), par, stack);
                view_mut(out, n, n).copy_from(work.as_ref());
                solved
            } else {
                out.copy_from_slice(a);
                let mut factor = if lower {
                    MatMut::from_row_major_slice_mut(out, n, n)
                } else {
                    MatMut::from_column_major_slice_mut(out, n, n)
                };
                real_diagonal(factor.rb_mut());
                factor_lower(factor, par, stack)
            };
            if !solved {
                fill_nan_factor(out, n, lower);
            }
        }
    });
    Ok(())
}

/// Factors the lower triangle of `a` in place and zeroes its strict upper triangle; false
/// when `a` is not positive definite.
fn factor_lower<T: Element>(mut a: MatMut<'_, T>, par: Par, stack: &mut MemStack) -> bool {
    let result = cholesky_in_place(
        a.rb_mut(),
        LltRegularization::default(),
        par,
        stack,
        Default::default(),
    );
    if result.is_err() {
        return false;
    }
    let n = a.nrows();
    for j in 1..n {
        for i in 0..j {
            a[(i, j)] = zero();
        }
    }
    true
}

/// NaN in the factor's triangle of the row-major `n × n` `out` (the lower one when `lower`),
/// zero in the rest.
fn fill_nan_factor<T: Element>(out: &mut [T], n: usize, lower: bool) {
    for (i, row) in out.chunks_mut(n).enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = if (j <= i) == lower || i == j {
                nan()
            } else {
                zero()
            };
        }
    }
}

/// Drops the imaginary part of `a`'s diagonal, which `potrf` does not read either.
fn real_diagonal<T: Element>(mut a: MatMut<'_, T>) {
    for i in 0..a.nrows() {
        a[(i, i)] = from_real(&real(&a[(i, i)]));
    }
}
