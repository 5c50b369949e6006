//! Cholesky factorization, as LAPACK's `potrf` and `jax.lax.linalg.cholesky`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{
    LltRegularization, cholesky_in_place, cholesky_in_place_scratch,
};
use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{from_real, real, zero};
use faer::{MatMut, Par};

use super::{Batch, Element, KernelError, chunks, chunks_mut, fill_nan};
use crate::kernels::{in_pool, par_for};

const KERNEL: &str = "cholesky";

/// Factors each Hermitian positive definite `n × n` matrix of `a` (`[batch, n, n]`) into
/// `out` (same shape): the lower factor `L` with `A = L·Lᴴ` and a zero strict upper triangle
/// when `lower`, otherwise the upper factor `U` with `A = Uᴴ·U` and a zero strict lower
/// triangle. Only the named triangle of `a` is read.
///
/// A matrix that is not positive definite (or holds NaN) gives an all-NaN factor for that
/// batch element, as JAX does; that is not an error.
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
    let par = par_for(n);
    let mut buffer = MemBuffer::new(cholesky_in_place_scratch::<T>(n, par, Default::default()));
    let stack = MemStack::new(&mut buffer);
    in_pool(par, || {
        for (a, out) in chunks(a, n * n, shape.batch).zip(chunks_mut(out, n * n, shape.batch)) {
            out.copy_from_slice(a);
            // faer reads and writes the lower triangle. For the upper factor, factor the
            // column-major view instead: it is Aᵀ = conj(A), whose lower triangle is A's upper
            // one. Its factor L' (conj(A) = L'·L'ᴴ) gives A = (L'ᵀ)ᴴ·L'ᵀ, so U = L'ᵀ, which is
            // what the column-major view's storage holds when read row-major.
            let mut factor = if lower {
                MatMut::from_row_major_slice_mut(out, n, n)
            } else {
                MatMut::from_column_major_slice_mut(out, n, n)
            };
            real_diagonal(factor.rb_mut());
            if !factor_lower(factor, par, stack) {
                fill_nan(out);
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

/// Drops the imaginary part of `a`'s diagonal, which `potrf` does not read either.
fn real_diagonal<T: Element>(mut a: MatMut<'_, T>) {
    for i in 0..a.nrows() {
        a[(i, i)] = from_real(&real(&a[(i, i)]));
    }
}
