//! QR factorization: LAPACK's packed `geqrf`, and `Q`, `R` as `jax.lax.linalg.qr` returns
//! them.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::qr::no_pivoting::factor::{
    qr_in_place, qr_in_place_scratch, recommended_block_size,
};
use faer::prelude::Reborrow;
use faer::traits::math_utils::zero;
use faer::{Mat, Par};

use super::householder::{QWork, lapack_taus};
use super::{Batch, Element, KernelError, chunks, chunks_mut, view, view_mut};
use crate::kernels::{check_len, in_pool, par_for_panels};

/// faer's Householder QR of one matrix at a time, reusing its buffers across a batch.
struct Factorizer<T: Element> {
    /// The matrix, then `R` above the diagonal and the reflectors below (column-major).
    qr: Mat<T>,
    /// faer's block Householder factor.
    factor: Mat<T>,
    stack: MemBuffer,
    par: Par,
}

impl<T: Element> Factorizer<T> {
    fn new(m: usize, n: usize) -> Self {
        let par = par_for_panels(m.max(n));
        let bs = recommended_block_size::<T>(m, n);
        let scratch = qr_in_place_scratch::<T>(m, n, bs, par, Default::default());
        Factorizer {
            qr: Mat::zeros(m, n),
            factor: Mat::zeros(bs, m.min(n)),
            stack: MemBuffer::new(scratch),
            par,
        }
    }

    /// Factors the row-major `a`; `taus` receives LAPACK's scalars.
    fn factor(&mut self, a: &[T], taus: &mut [T]) {
        let (m, n) = self.qr.shape();
        self.qr.copy_from(view(a, m, n));
        qr_in_place(
            self.qr.as_mut(),
            self.factor.as_mut(),
            self.par,
            MemStack::new(&mut self.stack),
            Default::default(),
        );
        lapack_taus(self.factor.rb(), taus);
    }
}

/// LAPACK's `geqrf` for each `m × n` matrix of `a` (`shape`): `packed` (`[batch, m, n]`)
/// receives `R` on and above the diagonal and the Householder vectors `v_i` below it (the
/// leading one implicit), `taus` (`[batch, min(m, n)]`) the scalars, with
/// `A = H₀⋯H_{k−1}·R` and `H_i = I − taus[i]·v_i·v_iᴴ`. [`householder_product`] turns the
/// pair into `Q`.
///
/// The reflectors are faer's: for real types they are LAPACK's, for complex ones `R`'s
/// diagonal may be complex where `zgeqrf` makes it real (both are QR factorizations).
///
/// [`householder_product`]: super::householder_product
pub fn geqrf<T: Element>(
    a: &[T],
    packed: &mut [T],
    taus: &mut [T],
    shape: Batch,
) -> Result<(), KernelError> {
    const KERNEL: &str = "geqrf";
    let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
    shape.check(KERNEL, "a", a.len())?;
    shape.check(KERNEL, "packed", packed.len())?;
    shape.check_vectors(KERNEL, "taus", k, taus.len())?;
    let mut factorizer = Factorizer::new(m, n);
    let outputs = chunks_mut(packed, m * n, shape.batch).zip(chunks_mut(taus, k, shape.batch));
    in_pool(factorizer.par, || {
        for (a, (packed, taus)) in chunks(a, m * n, shape.batch).zip(outputs) {
            factorizer.factor(a, taus);
            view_mut(packed, m, n).copy_from(factorizer.qr.rb());
        }
    });
    Ok(())
}

/// The QR factorization `A = Q·R` of each `m × n` matrix of `a` (`shape`), as
/// `jax.lax.linalg.qr`: with `k = m` when `full_matrices`, else `min(m, n)`, `q`
/// (`[batch, m, k]`) has orthonormal columns and `r` (`[batch, k, n]`) is upper triangular.
pub fn qr<T: Element>(
    a: &[T],
    q: &mut [T],
    r: &mut [T],
    shape: Batch,
    full_matrices: bool,
) -> Result<(), KernelError> {
    const KERNEL: &str = "qr";
    let (m, n, size) = (shape.rows, shape.cols, shape.min_dim());
    let k = if full_matrices { m } else { size };
    shape.check(KERNEL, "a", a.len())?;
    check_len(KERNEL, "q", &[shape.batch, m, k], q.len())?;
    check_len(KERNEL, "r", &[shape.batch, k, n], r.len())?;
    let mut factorizer = Factorizer::new(m, n);
    let mut q_work = QWork::new(m, k, factorizer.par);
    let mut taus = vec![zero::<T>(); size];
    let outputs = chunks_mut(q, m * k, shape.batch).zip(chunks_mut(r, k * n, shape.batch));
    in_pool(factorizer.par, || {
        for (a, (q, r)) in chunks(a, m * n, shape.batch).zip(outputs) {
            factorizer.factor(a, &mut taus);
            let packed = factorizer.qr.rb();
            let mut r = view_mut(r, k, n);
            for i in 0..k {
                for j in 0..n {
                    r[(i, j)] = if i <= j { packed[(i, j)] } else { zero() };
                }
            }
            q_work.form_q(packed.subcols(0, size), &taus, view_mut(q, m, k));
        }
    });
    Ok(())
}
