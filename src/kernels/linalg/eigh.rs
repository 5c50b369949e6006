//! Eigendecomposition of Hermitian matrices, as LAPACK's `syevd`/`heevd` and
//! `jax.lax.linalg.eigh`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::tridiag::TridiagParams;
use faer::linalg::evd::tridiag::{tridiag_in_place, tridiag_in_place_scratch};
use faer::linalg::evd::{
    ComputeEigenvectors, SelfAdjointEvdParams, self_adjoint_evd, self_adjoint_evd_scratch,
};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::prelude::Reborrow;
use faer::traits::math_utils::{abs, conj, eps, from_f64, from_real, is_finite, nan, real};
use faer::{Col, Mat, MatRef, Par, Spec};

use super::dqds::tridiagonal_eigenvalues;
use super::{Batch, Element, KernelError, chunks, chunks_mut, fill_nan, view, view_mut};
use crate::kernels::{in_pool, par_for_spectral, tridiag_par_threshold};

const KERNEL: &str = "eigh";

/// The eigendecomposition `A = V·diag(w)·Vᴴ` of each Hermitian `n × n` matrix of `a`
/// (`[batch, n, n]`, `shape`): `v` (`[batch, n, n]`) receives the orthonormal eigenvectors as
/// columns, `w` (`[batch, n]`) the real eigenvalues in ascending order (so JAX's
/// `sort_eigenvalues` always holds). Only the lower triangle of `a` is read when `lower`,
/// the upper one otherwise; the diagonal's imaginary part is ignored.
///
/// An empty `v` asks for the eigenvalues alone: faer's tridiagonalization and rjax's dqds
/// (LAPACK's `stemr` computes eigenvalues alone the same way), without the eigenvectors.
///
/// Non-finite input, or an iteration that does not converge, gives NaN in `v` and `w` for
/// that batch element.
pub fn eigh<T: Element>(
    a: &[T],
    v: &mut [T],
    w: &mut [T::Real],
    shape: Batch,
    lower: bool,
) -> Result<(), KernelError> {
    shape.check_square(KERNEL)?;
    shape.check(KERNEL, "a", a.len())?;
    let vectors = !v.is_empty();
    if vectors {
        shape.check(KERNEL, "v", v.len())?;
    }
    shape.check_vectors(KERNEL, "w", shape.rows, w.len())?;
    let n = shape.rows;
    if n == 0 {
        // Nothing to write, and faer's scratch size needs n ≥ 1.
        return Ok(());
    }
    let par = par_for_spectral(n);
    let mut params: Spec<SelfAdjointEvdParams, T> = Default::default();
    params.tridiag = tridiag_params::<T>().config;
    let scratch = self_adjoint_evd_scratch::<T>(n, compute_vectors(vectors), par, params);
    let mut buffer = MemBuffer::new(scratch);
    let mut h = Mat::<T>::zeros(n, n);
    let mut u = Mat::<T>::zeros(n, n);
    let mut s = Col::<T>::zeros(n);
    let mut work = Mat::<T>::zeros(if vectors { 0 } else { n }, if vectors { 0 } else { n });
    let mut v_chunks = v.chunks_mut(n * n);
    in_pool(par, || {
        for (a, w) in chunks(a, n * n, shape.batch).zip(chunks_mut(w, n, shape.batch)) {
            let v = v_chunks.next();
            // faer reads the lower triangle; the upper one of A is the lower one of Aᴴ = A.
            let a = view(a, n, n);
            let mut finite = true;
            for j in 0..n {
                for i in j..n {
                    let x = match (i == j, lower) {
                        (true, _) => from_real(&real(&a[(i, i)])),
                        (false, true) => a[(i, j)],
                        (false, false) => conj(&a[(j, i)]),
                    };
                    finite &= is_finite(&x);
                    h[(i, j)] = x;
                }
            }
            let by_dqds = (finite && !vectors)
                .then(|| eigenvalues_by_dqds(h.rb(), &mut work, par))
                .flatten();
            let solved = match by_dqds {
                Some(by_dqds) => {
                    s.iter_mut()
                        .zip(by_dqds)
                        .for_each(|(s, w)| *s = from_real(&from_f64(w)));
                    true
                }
                // With vectors, or where dqds gives up (it has not been seen to): faer's solver.
                None => {
                    finite
                        && self_adjoint_evd(
                            h.rb(),
                            s.as_diagonal_mut(),
                            vectors.then(|| u.as_mut()),
                            par,
                            MemStack::new(&mut buffer),
                            params,
                        )
                        .is_ok()
                }
            };
            match (solved, v) {
                (true, v) => {
                    if let Some(v) = v {
                        view_mut(v, n, n).copy_from(u.rb());
                    }
                    w.iter_mut().zip(s.iter()).for_each(|(w, s)| *w = real(s));
                }
                (false, v) => {
                    if let Some(v) = v {
                        fill_nan(v);
                    }
                    w.fill(nan());
                }
            }
        }
    });
    Ok(())
}

/// The eigenvalues of the Hermitian `h` (its lower triangle) in ascending order: faer's
/// tridiagonalization in `work` (`n × n`), then [`tridiagonal_eigenvalues`]. `None` when dqds
/// does not converge.
fn eigenvalues_by_dqds<T: Element>(
    h: MatRef<'_, T>,
    work: &mut Mat<T>,
    par: Par,
) -> Option<Vec<f64>> {
    let n = h.nrows();
    work.copy_from(h);
    let mut householder = Mat::<T>::zeros(recommended_block_size::<T>(n, n), n - 1);
    let mut buffer = MemBuffer::new(tridiag_in_place_scratch::<T>(n, par, tridiag_params()));
    tridiag_in_place(
        work.as_mut(),
        householder.as_mut(),
        par,
        MemStack::new(&mut buffer),
        tridiag_params(),
    );
    // A complex Hermitian tridiagonal has the eigenvalues of its off-diagonal's magnitudes
    // (a diagonal unitary similarity takes the phases out).
    let diag: Vec<f64> = (0..n).map(|i| real(&work[(i, i)]).into()).collect();
    let offdiag: Vec<f64> = (1..n).map(|i| abs(&work[(i, i - 1)]).into()).collect();
    tridiagonal_eigenvalues(&diag, &offdiag, eps::<T::Real>().into())
}

/// faer's tridiagonalization, parallel only for large matrices (see
/// [`tridiag_par_threshold`]).
fn tridiag_params<T: Element>() -> Spec<TridiagParams, T> {
    let mut params: Spec<TridiagParams, T> = Default::default();
    params.par_threshold = tridiag_par_threshold();
    params
}

/// faer's flag for whether the eigenvectors are wanted.
fn compute_vectors(vectors: bool) -> ComputeEigenvectors {
    if vectors {
        ComputeEigenvectors::Yes
    } else {
        ComputeEigenvectors::No
    }
}
