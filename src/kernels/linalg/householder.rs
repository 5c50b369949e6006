//! Products of Householder reflectors in LAPACK's convention, as `orgqr`/`ungqr` and
//! `jax.lax.linalg.householder_product`, and the conversion from faer's reflectors.
//!
//! LAPACK writes a reflector as `H = I − τ·v·vᴴ` with `v₀ = 1` and a (possibly complex)
//! scalar `τ`, and `H₁⋯H_k = I − V·T·Vᴴ` with an upper triangular `T` (`larft`). faer
//! stores the same `v` but `H = I − v·vᴴ/τ_faer` with a real `τ_faer` (infinite for the
//! identity), on the diagonal of a block factor that holds `T⁻¹`: LAPACK's `τ` is
//! `1/τ_faer`. faer's routines that apply such factors read only the real part of a lone
//! reflector's `τ_faer`, so the product is formed here from LAPACK's `T`, with faer's matrix
//! products.

use faer::linalg::matmul::matmul;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::traits::math_utils::{is_finite, one, recip, zero};
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::{Batch, Element, KernelError, chunks, chunks_mut, view, view_mut};
use crate::kernels::{in_pool, par_for_panels};

const KERNEL: &str = "householder_product";

/// Reflectors per block of the product.
const BLOCK: usize = 32;

/// Forms `Q = H₁⋯H_k`, the first `n` columns of the product of the Householder reflectors
/// `H_i = I − taus[i]·v_i·v_iᴴ` (LAPACK's `orgqr`/`ungqr`), for each batch element.
///
/// `a` is `[batch, m, n]` (`shape`) with `v_i` below the diagonal of column `i` (its
/// leading one implicit; what is on and above the diagonal is not read), `taus` is
/// `[batch, k]`, and `q` (`[batch, m, n]`) receives `Q`, with orthonormal columns. As in
/// LAPACK, `m ≥ n ≥ k`.
pub fn householder_product<T: Element>(
    a: &[T],
    taus: &[T],
    q: &mut [T],
    shape: Batch,
    k: usize,
) -> Result<(), KernelError> {
    let (m, n) = (shape.rows, shape.cols);
    if m < n || n < k {
        return Err(KernelError::InvalidShape {
            kernel: KERNEL,
            message: format!("needs m ≥ n ≥ k, got a of {m} × {n} and {k} taus"),
        });
    }
    shape.check(KERNEL, "a", a.len())?;
    shape.check_vectors(KERNEL, "taus", k, taus.len())?;
    shape.check(KERNEL, "q", q.len())?;
    let par = par_for_panels(m);
    let mut work = QWork::new(m, n, par);
    let inputs = chunks(a, m * n, shape.batch).zip(chunks(taus, k, shape.batch));
    in_pool(par, || {
        for ((a, taus), q) in inputs.zip(chunks_mut(q, m * n, shape.batch)) {
            let reflectors = view(a, m, n).subcols(0, k);
            work.form_q(reflectors, taus, view_mut(q, m, n));
        }
    });
    Ok(())
}

/// LAPACK's `taus` from faer's block Householder factor (`bs × k`, `τ_faer` of reflector `i`
/// at `(i mod bs, i)`): `τ = 1/τ_faer`, and 0 for faer's infinite `τ_faer` (the identity).
pub(super) fn lapack_taus<T: Element>(factor: MatRef<'_, T>, taus: &mut [T]) {
    let bs = factor.nrows();
    for (i, tau) in taus.iter_mut().enumerate() {
        let t = factor[(i % bs, i)];
        *tau = if is_finite(&t) && t != zero() {
            recip(&t)
        } else {
            zero()
        };
    }
}

/// Workspace for forming `Q` from reflectors, reused across a batch.
pub(super) struct QWork<T: Element> {
    /// The block's reflectors with their unit diagonal and zeros above: `rows × jb`.
    v: Mat<T>,
    /// `Vᴴ·V`, then LAPACK's triangular factor `T`: `jb × jb` each.
    gram: Mat<T>,
    t: Mat<T>,
    /// `Vᴴ·Q` and `T·Vᴴ·Q`: `jb × cols`.
    w: Mat<T>,
    tw: Mat<T>,
    par: Par,
}

impl<T: Element> QWork<T> {
    /// A workspace for `Q`s of up to `m × n`.
    pub(super) fn new(m: usize, n: usize, par: Par) -> Self {
        QWork {
            v: Mat::zeros(m, BLOCK),
            gram: Mat::zeros(BLOCK, BLOCK),
            t: Mat::zeros(BLOCK, BLOCK),
            w: Mat::zeros(BLOCK, n),
            tw: Mat::zeros(BLOCK, n),
            par,
        }
    }

    /// Writes into `q` (`m × nq`, `nq ≥ k`) the first `nq` columns of `H₁⋯H_k`, the
    /// reflectors being the columns of `reflectors` (`m × k`, read below the diagonal) and
    /// `taus` (`k`), in LAPACK's convention.
    pub(super) fn form_q(&mut self, reflectors: MatRef<'_, T>, taus: &[T], mut q: MatMut<'_, T>) {
        let (m, k) = reflectors.shape();
        let nq = q.ncols();
        q.fill(zero());
        for i in 0..m.min(nq) {
            q[(i, i)] = one();
        }
        // Blocks from the last: H_{j0}⋯H_{j0+jb−1} = I − V·T·Vᴴ acts on rows and columns
        // from j0 on, since Q's first j0 columns are still those of the identity.
        for j0 in (0..k).step_by(BLOCK).rev() {
            let jb = BLOCK.min(k - j0);
            let rows = m - j0;
            let cols = nq - j0;
            let mut v = self.v.submatrix_mut(0, 0, rows, jb);
            for j in 0..jb {
                for i in 0..rows {
                    v[(i, j)] = match i.cmp(&j) {
                        std::cmp::Ordering::Less => zero(),
                        std::cmp::Ordering::Equal => one(),
                        std::cmp::Ordering::Greater => reflectors[(j0 + i, j0 + j)],
                    };
                }
            }
            let v = v.rb();
            let mut gram = self.gram.submatrix_mut(0, 0, jb, jb);
            matmul(
                gram.rb_mut(),
                Accum::Replace,
                v.adjoint(),
                v,
                one(),
                self.par,
            );
            let mut t = self.t.submatrix_mut(0, 0, jb, jb);
            larft(gram.rb(), &taus[j0..j0 + jb], t.rb_mut());
            let mut w = self.w.submatrix_mut(0, 0, jb, cols);
            let mut tw = self.tw.submatrix_mut(0, 0, jb, cols);
            let mut q = q.rb_mut().submatrix_mut(j0, j0, rows, cols);
            matmul(
                w.rb_mut(),
                Accum::Replace,
                v.adjoint(),
                q.rb(),
                one(),
                self.par,
            );
            matmul(tw.rb_mut(), Accum::Replace, t.rb(), w.rb(), one(), self.par);
            matmul(q.rb_mut(), Accum::Add, v, tw.rb(), -one::<T>(), self.par);
        }
    }
}

/// LAPACK's `larft` (forward, columnwise) from the Gram matrix `Vᴴ·V`: the upper triangular
/// `T` with `H₀⋯H_{b−1} = I − V·T·Vᴴ`, column by column
/// `T[..i, i] = −τ_i · T[..i, ..i] · (Vᴴ·V)[..i, i]`, `T[i, i] = τ_i`.
fn larft<T: Element>(gram: MatRef<'_, T>, taus: &[T], mut t: MatMut<'_, T>) {
    let b = taus.len();
    t.fill(zero());
    for i in 0..b {
        let tau = taus[i];
        t[(i, i)] = tau;
        for r in 0..i {
            let mut acc = zero::<T>();
            for c in r..i {
                acc += t[(r, c)] * gram[(c, i)];
            }
            t[(r, i)] = -tau * acc;
        }
    }
}
