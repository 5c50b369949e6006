//! Singular value decomposition, as LAPACK's `gesdd` and `jax.lax.linalg.svd`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{ComputeSvdVectors, svd as faer_svd, svd_scratch};
use faer::traits::math_utils::{
    abs, conj, eps, from_f64, from_real, is_finite, nan, one, real, recip, zero,
};
use faer::{Col, Mat, MatMut, MatRef, Par};

use super::bidiagonalize::bidiagonal_magnitudes;
use super::dqds::bidiagonal_singular_values;
use super::{Batch, Element, KernelError, chunks, chunks_mut, fill_nan, view_mut};
use crate::kernels::{check_len, in_pool, par_for_spectral};

const KERNEL: &str = "svd";

/// The flags of [`svd`], with `jax.lax.linalg.svd`'s names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SvdOptions {
    /// `u` is `m × m` and `vt` is `n × n`; otherwise `m × min(m, n)` and `min(m, n) × n`.
    pub full_matrices: bool,
    /// Compute `u` and `vt`; otherwise only the singular values (rjax's bidiagonalization
    /// and dqds, as `gesdd` does), and `u` and `vt` must be empty.
    pub compute_uv: bool,
}

/// The SVD `A = U·diag(s)·Vᴴ` of each `m × n` matrix of `a` (`shape`): `s`
/// (`[batch, min(m, n)]`) receives the singular values in descending order and, with
/// `compute_uv`, `u` (`[batch, m, m]` or `[batch, m, min(m, n)]`) and `vt`
/// (`[batch, n, n]` or `[batch, min(m, n), n]`) the singular vectors, `vt` being `Vᴴ`.
///
/// Each matrix is scaled to a largest magnitude of 1 first (the values scaled back after):
/// faer's iteration loses the singular values of matrices far from 1 in magnitude (1e-200,
/// say) to underflow.
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
    let k = shape.min_dim();
    let layout = Layout::new(shape, options);
    shape.check(KERNEL, "a", a.len())?;
    shape.check_vectors(KERNEL, "s", k, s.len())?;
    check_len(KERNEL, "u", &[shape.batch, layout.u.0, layout.u.1], u.len())?;
    check_len(
        KERNEL,
        "vt",
        &[shape.batch, layout.vt.0, layout.vt.1],
        vt.len(),
    )?;
    let par = par_for_spectral(shape.max_dim());
    in_pool(par, || decompose_batch(a, s, u, vt, shape, layout, par));
    Ok(())
}

/// [`svd`] on checked buffers, with faer's parallelism `par`.
fn decompose_batch<T: Element>(
    a: &[T],
    s: &mut [T::Real],
    u: &mut [T],
    vt: &mut [T],
    shape: Batch,
    layout: Layout,
    par: Par,
) {
    let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
    let ((u_rows, ku), (kv, vt_cols), vectors) = (layout.u, layout.vt, layout.faer);
    // The row-major `a` is the column-major `aᵀ`, which is decomposed instead (contiguous
    // reads, and faer writes `vt` in place): `aᵀ = U'·Σ·V'ᴴ` gives `a = conj(V')·Σ·U'ᵀ`.
    let mut buffer = MemBuffer::new(svd_scratch::<T>(
        n,
        m,
        vectors,
        vectors,
        par,
        Default::default(),
    ));
    let mut values = Col::<T>::zeros(k);
    let mut scaled = Mat::<T>::zeros(n, m);
    let u_len = u_rows * ku;
    let vt_len = kv * vt_cols;
    let matrices = chunks(a, m * n, shape.batch).zip(chunks_mut(s, k, shape.batch));
    let vectors_out = chunks_mut(u, u_len, shape.batch).zip(chunks_mut(vt, vt_len, shape.batch));
    for ((a, s), (u, vt)) in matrices.zip(vectors_out) {
        let magnitude = largest_magnitude(a);
        let solved = magnitude.is_some_and(|magnitude| {
            let inverse = from_real::<T>(&recip(&magnitude));
            for (column, source) in scaled.col_iter_mut().zip(a.chunks(n.max(1))) {
                column
                    .iter_mut()
                    .zip(source)
                    .for_each(|(x, &y)| *x = y * inverse);
            }
            let compute_uv = vectors != ComputeSvdVectors::No;
            // U' (n × kv) is `vt` read column-major; V' (m × ku) is written into `u`
            // row-major and conjugated after.
            let (u_view, v_view) = if compute_uv {
                (
                    Some(MatMut::from_column_major_slice_mut(vt, n, kv)),
                    Some(view_mut(u, m, ku)),
                )
            } else {
                (None, None)
            };
            // Without vectors, dqds on rjax's bidiagonal form; faer's own solver where dqds
            // gives up (it has not been seen to).
            let by_dqds = (!compute_uv)
                .then(|| singular_values_by_dqds(scaled.as_ref(), par))
                .flatten();
            match by_dqds {
                Some(by_dqds) => {
                    values
                        .iter_mut()
                        .zip(by_dqds)
                        .for_each(|(v, s)| *v = from_real(&from_f64(s)));
                    true
                }
                None => faer_svd(
                    scaled.as_ref(),
                    values.as_diagonal_mut(),
                    u_view,
                    v_view,
                    par,
                    MemStack::new(&mut buffer),
                    Default::default(),
                )
                .is_ok(),
            }
        });
        match magnitude.filter(|_| solved) {
            Some(magnitude) => {
                s.iter_mut()
                    .zip(values.iter())
                    .for_each(|(s, v)| *s = real(v) * magnitude);
                u.iter_mut().for_each(|x| *x = conj(&*x));
            }
            None => {
                s.fill(nan());
                fill_nan(u);
                fill_nan(vt);
            }
        }
    }
}

/// The shapes of each matrix of `u` and `vt` that [`SvdOptions`] ask for (`0 × 0` without
/// vectors), and faer's flag for them.
#[derive(Clone, Copy)]
struct Layout {
    u: (usize, usize),
    vt: (usize, usize),
    faer: ComputeSvdVectors,
}

impl Layout {
    fn new(shape: Batch, options: SvdOptions) -> Self {
        let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
        let (u, vt, faer) = match (options.compute_uv, options.full_matrices) {
            (false, _) => ((0, 0), (0, 0), ComputeSvdVectors::No),
            (true, true) => ((m, m), (n, n), ComputeSvdVectors::Full),
            (true, false) => ((m, k), (k, n), ComputeSvdVectors::Thin),
        };
        Layout { u, vt, faer }
    }
}

/// The singular values of `a` in descending order: [`bidiagonal_magnitudes`] (of `aᵀ` when
/// `a` is wide), then [`bidiagonal_singular_values`]. `None` when dqds does not converge.
fn singular_values_by_dqds<T: Element>(a: MatRef<'_, T>, par: Par) -> Option<Vec<f64>> {
    let mut work = if a.nrows() >= a.ncols() {
        a.to_owned()
    } else {
        a.transpose().to_owned()
    };
    if work.ncols() == 0 {
        return Some(Vec::new());
    }
    let (diag, superdiag) = bidiagonal_magnitudes(work.as_mut(), par);
    // A complex bidiagonal has the singular values of its entries' magnitudes (diagonal
    // unitary scalings on both sides take the phases out).
    let diag: Vec<f64> = diag.into_iter().map(Into::into).collect();
    let superdiag: Vec<f64> = superdiag.into_iter().map(Into::into).collect();
    bidiagonal_singular_values(&diag, &superdiag, eps::<T::Real>().into())
}

/// The largest magnitude of the entries `a`, or 1 for a zero (or empty) matrix; `None` when
/// an entry is not finite.
fn largest_magnitude<T: Element>(a: &[T]) -> Option<T::Real> {
    let mut largest = zero::<T::Real>();
    for x in a {
        if !is_finite(x) {
            return None;
        }
        let x = abs(x);
        if x > largest {
            largest = x;
        }
    }
    Some(if largest > zero() { largest } else { one() })
}
