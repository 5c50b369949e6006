//! Eigendecomposition of Hermitian matrices, as LAPACK's `syevd`/`heevd` and
//! `jax.lax.linalg.eigh`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::tridiag::TridiagParams;
use faer::linalg::evd::tridiag::{tridiag_in_place, tridiag_in_place_scratch};
use faer::linalg::evd::{
    ComputeEigenvectors, SelfAdjointEvdParams, self_adjoint_evd, self_adjoint_evd_scratch,
};
use faer::linalg::householder::{
    apply_block_householder_sequence_on_the_left_in_place_scratch,
    apply_block_householder_sequence_on_the_left_in_place_with_conj,
};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::traits::math_utils::{
    abs, conj, eps, from_f64, from_real, is_finite, mul_real, nan, one, real, recip, zero,
};
use faer::{Col, Conj, Mat, MatMut, MatRef, Par, Spec};

use super::divide_and_conquer::tridiagonal_eigh;
use super::dqds::tridiagonal_eigenvalues;
use super::{Batch, Element, KernelError, chunks, chunks_mut, fill_nan, view, view_mut};
use crate::kernels::{in_pool, par_for_spectral, tridiag_par_threshold};

const KERNEL: &str = "eigh";

/// The size from which eigenvectors come from rjax's divide and conquer; smaller matrices
/// take faer's QR iteration.
const DIVIDE_AND_CONQUER_FROM: usize = 64;

/// The eigendecomposition `A = V·diag(w)·Vᴴ` of each Hermitian `n × n` matrix of `a`
/// (`[batch, n, n]`, `shape`): `v` (`[batch, n, n]`) receives the orthonormal eigenvectors as
/// columns, `w` (`[batch, n]`) the real eigenvalues in ascending order (so JAX's
/// `sort_eigenvalues` always holds). Only the lower triangle of `a` is read when `lower`,
/// the upper one otherwise; the diagonal's imaginary part is ignored.
///
/// An empty `v` asks for the eigenvalues alone: faer's tridiagonalization and rjax's dqds
/// (LAPACK's `stemr` computes eigenvalues alone the same way), without the eigenvectors.
/// With vectors, from 64 rows on: faer's tridiagonalization, rjax's divide and conquer on the
/// tridiagonal matrix, and faer's back-transformation.
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
    let mut h = Mat::<T>::zeros(n, n);
    // faer's solver's workspace, made when first needed.
    let mut faer_workspace: Option<(MemBuffer, Mat<T>)> = None;
    let mut s = Col::<T>::zeros(n);
    let mut v_chunks = v.chunks_mut(n * n);
    in_pool(par, || {
        for (a, w) in chunks(a, n * n, shape.batch).zip(chunks_mut(w, n, shape.batch)) {
            let mut v = v_chunks.next();
            let a = view(a, n, n);
            let finite = gather_lower(a, lower, h.as_mut());
            // rjax's solvers, which reduce `h` in place.
            let by_rjax = match (finite, v.as_deref_mut()) {
                (false, _) => None,
                (true, None) => eigenvalues_by_dqds(h.as_mut(), par)
                    .map(|values| values.into_iter().map(from_f64).collect()),
                (true, Some(v)) if n >= DIVIDE_AND_CONQUER_FROM => {
                    eigh_by_divide_and_conquer(h.as_mut(), view_mut(v, n, n), par)
                }
                (true, Some(_)) => None,
            };
            if let Some(values) = by_rjax {
                w.copy_from_slice(&values);
                continue;
            }
            // Small matrices with vectors, or where rjax's solvers give up (they have not
            // been seen to): faer's solver, on `h` gathered again.
            let (buffer, u) = faer_workspace.get_or_insert_with(|| {
                let scratch =
                    self_adjoint_evd_scratch::<T>(n, compute_vectors(vectors), par, params);
                (MemBuffer::new(scratch), Mat::zeros(n, n))
            });
            let solved = finite && {
                gather_lower(a, lower, h.as_mut());
                self_adjoint_evd(
                    h.rb(),
                    s.as_diagonal_mut(),
                    vectors.then(|| u.as_mut()),
                    par,
                    MemStack::new(buffer),
                    params,
                )
                .is_ok()
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

/// Copies the Hermitian matrix `a` holds in its lower (`lower`) or upper triangle into the
/// lower triangle of `h`, the one faer reads (the upper one of `A` is the lower one of
/// `Aᴴ = A`), taking the diagonal's real part. Returns whether every entry is finite.
fn gather_lower<T: Element>(a: MatRef<'_, T>, lower: bool, mut h: MatMut<'_, T>) -> bool {
    let n = a.nrows();
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
    finite
}

/// The eigenvalues of the Hermitian `h` (its lower triangle) in ascending order: faer's
/// tridiagonalization in place, then [`tridiagonal_eigenvalues`]. `None` when dqds does not
/// converge.
fn eigenvalues_by_dqds<T: Element>(mut work: MatMut<'_, T>, par: Par) -> Option<Vec<f64>> {
    let n = work.nrows();
    tridiagonalize(work.rb_mut(), par);
    // A complex Hermitian tridiagonal has the eigenvalues of its off-diagonal's magnitudes
    // (a diagonal unitary similarity takes the phases out).
    let diag: Vec<f64> = (0..n).map(|i| real(&work[(i, i)]).into()).collect();
    let offdiag: Vec<f64> = (1..n).map(|i| abs(&work[(i, i - 1)]).into()).collect();
    tridiagonal_eigenvalues(&diag, &offdiag, eps::<T::Real>().into())
}

/// The eigenvalues (ascending) of the Hermitian `work` (its lower triangle), with its
/// eigenvectors in `u`: faer's tridiagonalization in place, rjax's divide and conquer on the
/// real tridiagonal matrix, and faer's back-transformation. `None` when the divide and
/// conquer gives up.
fn eigh_by_divide_and_conquer<T: Element>(
    mut work: MatMut<'_, T>,
    mut u: MatMut<'_, T>,
    par: Par,
) -> Option<Vec<T::Real>> {
    let n = work.nrows();
    let householder = tridiagonalize(work.rb_mut(), par);
    // A complex Hermitian (or real signed) tridiagonal T is S·T'·Sᴴ for the real T' with the
    // off-diagonal's magnitudes and the diagonal unitary S of the phases' running products.
    let mut values: Vec<T::Real> = (0..n).map(|i| real(&work[(i, i)])).collect();
    let offdiag: Vec<T::Real> = (1..n).map(|i| abs(&work[(i, i - 1)])).collect();
    let mut vectors = Mat::<T::Real>::zeros(n, n);
    tridiagonal_eigh(&mut values, &offdiag, vectors.as_mut(), par).ok()?;
    let mut phases = vec![one::<T>(); n];
    for i in 1..n {
        let x = work[(i, i - 1)] * phases[i - 1];
        let magnitude = abs(&x);
        if magnitude != zero() {
            phases[i] = mul_real(&x, &recip(&magnitude));
        }
    }
    for j in 0..n {
        for (i, phase) in phases.iter().enumerate() {
            u[(i, j)] = mul_real(phase, &vectors[(i, j)]);
        }
    }
    let scratch = apply_block_householder_sequence_on_the_left_in_place_scratch::<T>(
        n - 1,
        householder.nrows(),
        n,
    );
    apply_block_householder_sequence_on_the_left_in_place_with_conj(
        work.rb().submatrix(1, 0, n - 1, n - 1),
        householder.as_ref(),
        Conj::No,
        u.subrows_mut(1, n - 1),
        par,
        MemStack::new(&mut MemBuffer::new(scratch)),
    );
    Some(values)
}

/// Reduces the Hermitian `work` (its lower triangle) to tridiagonal form in place with faer
/// (LAPACK's `hetrd` layout: the reflectors below the subdiagonal); returns the reflectors'
/// block factors.
fn tridiagonalize<T: Element>(work: MatMut<'_, T>, par: Par) -> Mat<T> {
    let n = work.nrows();
    let mut householder = Mat::<T>::zeros(recommended_block_size::<T>(n, n), n - 1);
    let mut buffer = MemBuffer::new(tridiag_in_place_scratch::<T>(n, par, tridiag_params()));
    tridiag_in_place(
        work,
        householder.as_mut(),
        par,
        MemStack::new(&mut buffer),
        tridiag_params(),
    );
    householder
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
