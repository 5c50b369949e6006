//! The divide-and-conquer eigensolver for symmetric tridiagonal matrices (Cuppen's method
//! with Gu and Eisenstat's eigenvectors, as LAPACK's `stedc`), for `eigh` with eigenvectors.
//!
//! The matrix is cut in two, each half solved (in parallel, recursively, and by faer's QR
//! iteration below [`LEAF`] rows), and the halves merged through a rank-one update
//! ([`tridiagonal_merge`](super::tridiagonal_merge)).

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{
    ComputeEigenvectors, SelfAdjointEvdParams, self_adjoint_evd_scratch,
    tridiagonal_self_adjoint_evd,
};
use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{abs, one, recip, zero};
use faer::{ColRef, MatMut, Par, Spec};

use super::parallel::solve_halves;
use super::tridiagonal_merge::{merge, workspace_len};
use super::{NoConvergence, largest_magnitude};
use crate::kernels::RealElement;

/// The size below which a block is solved directly (faer's QR iteration).
const LEAF: usize = 32;

/// The eigendecomposition of the symmetric tridiagonal matrix with diagonal `diag` and
/// off-diagonal `offdiag` (one shorter): `diag` receives the eigenvalues in ascending order
/// and `u` (`n × n`, column-major) the orthonormal eigenvectors as columns.
pub(in crate::kernels::linalg) fn tridiagonal_eigh<T: RealElement>(
    diag: &mut [T],
    offdiag: &[T],
    mut u: MatMut<'_, T>,
    par: Par,
) -> Result<(), NoConvergence> {
    let n = diag.len();
    u.fill(zero());
    // Scaled to a largest entry of 1, nothing in the merges over- or underflows.
    let scale = largest_magnitude(&[diag, offdiag]);
    if scale == zero() {
        (0..n).for_each(|i| u[(i, i)] = one());
        return Ok(());
    }
    let inverse = recip(&scale);
    diag.iter_mut().for_each(|d| *d *= inverse);
    let mut offdiag: Vec<T> = offdiag.iter().map(|&e| e * inverse).collect();
    let mut scratch = vec![zero::<T>(); workspace_len(n)];
    solve(diag, &mut offdiag, u, &mut scratch, par)?;
    diag.iter_mut().for_each(|d| *d *= scale);
    Ok(())
}

/// Solves one block in place (`u` zero outside its diagonal blocks on entry), with
/// `scratch` of at least [`workspace_len`]`(n)` elements.
fn solve<T: RealElement>(
    diag: &mut [T],
    offdiag: &mut [T],
    mut u: MatMut<'_, T>,
    scratch: &mut [T],
    par: Par,
) -> Result<(), NoConvergence> {
    let n = diag.len();
    if n <= LEAF {
        return leaf(diag, offdiag, u);
    }
    let n1 = n / 2;
    let beta = offdiag[n1 - 1];
    diag[n1 - 1] -= abs(&beta);
    diag[n1] -= abs(&beta);
    {
        let (d1, d2) = diag.split_at_mut(n1);
        let (e1, rest) = offdiag.split_at_mut(n1 - 1);
        let e2 = &mut rest[1..];
        let (u1, _, _, u2) = u.rb_mut().split_at_mut(n1, n1);
        let (s1, s2) = scratch.split_at_mut(workspace_len(n1));
        let first = || solve(d1, e1, u1, s1, par);
        let second = || solve(d2, e2, u2, s2, par);
        solve_halves(par, n, first, second)?;
    }
    merge(diag, u, n1, beta, scratch, par)
}

/// A block below [`LEAF`] rows, by faer's QR iteration.
fn leaf<T: RealElement>(
    diag: &mut [T],
    offdiag: &[T],
    u: MatMut<'_, T>,
) -> Result<(), NoConvergence> {
    let n = diag.len();
    let params: Spec<SelfAdjointEvdParams, T> = Default::default();
    let mut buffer = MemBuffer::new(self_adjoint_evd_scratch::<T>(
        n,
        ComputeEigenvectors::Yes,
        Par::Seq,
        params,
    ));
    let mut values = vec![zero::<T>(); n];
    tridiagonal_self_adjoint_evd(
        ColRef::from_slice(diag).as_diagonal(),
        ColRef::from_slice(offdiag).as_diagonal(),
        faer::ColMut::from_slice_mut(&mut values).as_diagonal_mut(),
        Some(u),
        Par::Seq,
        MemStack::new(&mut buffer),
        params,
    )
    .map_err(|_| NoConvergence)?;
    diag.copy_from_slice(&values);
    Ok(())
}
