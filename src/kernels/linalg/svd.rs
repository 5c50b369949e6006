//! Singular value decomposition, as LAPACK's `gesdd` and `jax.lax.linalg.svd`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{ComputeSvdVectors, svd as faer_svd, svd_scratch};
use faer::traits::math_utils::{conj, nan, real};
use faer::{Col, MatMut};

use super::{
    Batch, Element, KernelError, all_finite, chunks, chunks_mut, fill_nan, view, view_mut,
};
use crate::kernels::{check_len, par_for};

const KERNEL: &str = "svd";

/// The flags of [`svd`], with `jax.lax.linalg.svd`'s names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SvdOptions {
    /// `u` is `m × m` and `vt` is `n × n`; otherwise `m × min(m, n)` and `min(m, n) × n`.
    pub full_matrices: bool,
    /// Compute `u` and `vt`; otherwise only the singular values (faer's cheaper path), and
    /// `u` and `vt` must be empty.
    pub compute_uv: bool,
}

/// The SVD `A = U·diag(s)·Vᴴ` of each `m × n` matrix of `a` (`shape`): `s`
/// (`[batch, min(m, n)]`) receives the singular values in descending order and, with
/// `compute_uv`, `u` (`[batch, m, m]` or `[batch, m, min(m, n)]`) and `vt`
/// (`[batch, n, n]` or `[batch, min(m, n), n]`) the singular vectors, `vt` being `Vᴴ`.
///
/// Non-finite input, or an iteration that does not converge, gives NaN in all outputs for
/// that batch element, as jaxlib's kernel does.
pub fn svd<T: Element>(
    a: &[T],
    s: &mut [T::Real],
    u: &mut [T],
    vt: &mut [T],
    shape: Batch,
    options: SvdOptions,
) -> Result<(), KernelError> {
    let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
    let (ku, kv, vectors) = match (options.compute_uv, options.full_matrices) {
        (false, _) => (0, 0, ComputeSvdVectors::No),
        (true, true) => (m, n, ComputeSvdVectors::Full),
        (true, false) => (k, k, ComputeSvdVectors::Thin),
    };
    let (u_rows, vt_cols) = if options.compute_uv { (m, n) } else { (0, 0) };
    shape.check(KERNEL, "a", a.len())?;
    shape.check_vectors(KERNEL, "s", k, s.len())?;
    check_len(KERNEL, "u", &[shape.batch, u_rows, ku], u.len())?;
    check_len(KERNEL, "vt", &[shape.batch, kv, vt_cols], vt.len())?;
    let par = par_for(shape.max_dim());
    let mut buffer = MemBuffer::new(svd_scratch::<T>(
        m,
        n,
        vectors,
        vectors,
        par,
        Default::default(),
    ));
    let mut values = Col::<T>::zeros(k);
    let u_len = u_rows * ku;
    let vt_len = kv * vt_cols;
    let matrices = chunks(a, m * n, shape.batch).zip(chunks_mut(s, k, shape.batch));
    let vectors_out = chunks_mut(u, u_len, shape.batch).zip(chunks_mut(vt, vt_len, shape.batch));
    for ((a, s), (u, vt)) in matrices.zip(vectors_out) {
        let a = view(a, m, n);
        let solved = all_finite(a) && {
            // The column-major view of vt's storage is (Vᴴ)ᵀ = conj(V): faer writes V there,
            // and conjugating it in place leaves Vᴴ in row-major order.
            let (u_view, v_view) = if options.compute_uv {
                (
                    Some(view_mut(u, m, ku)),
                    Some(MatMut::from_column_major_slice_mut(vt, n, kv)),
                )
            } else {
                (None, None)
            };
            let stack = MemStack::new(&mut buffer);
            faer_svd(
                a,
                values.as_diagonal_mut(),
                u_view,
                v_view,
                par,
                stack,
                Default::default(),
            )
            .is_ok()
        };
        if solved {
            s.iter_mut()
                .zip(values.iter())
                .for_each(|(s, v)| *s = real(v));
            vt.iter_mut().for_each(|x| *x = conj(&*x));
        } else {
            s.fill(nan());
            fill_nan(u);
            fill_nan(vt);
        }
    }
    Ok(())
}
