//! Singular value decomposition, as LAPACK's `gesdd` and `jax.lax.linalg.svd`.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{ComputeSvdVectors, svd as faer_svd, svd_scratch};
use faer::prelude::{Reborrow, ReborrowMut};
use faer::traits::math_utils::{
    abs, conj, eps, from_f64, from_real, is_finite, nan, one, real, recip, zero,
};
use faer::{Col, Mat, MatMut, MatRef, Par};

use super::bidiagonalize::{bidiagonal_magnitudes, bidiagonalize};
use super::divide_and_conquer::bidiagonal_svd;
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
/// Each matrix is scaled to a largest magnitude of 1 first (the values scaled back after),
/// so that no iteration loses the singular values of matrices far from 1 in magnitude
/// (1e-200, say) to underflow. The vectors come from rjax's bidiagonalization and bidiagonal
/// divide and conquer (as `gesdd`), the values alone from the same bidiagonalization and
/// dqds.
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
    // faer's workspace, only for a fallback.
    let mut buffer = None;
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
            let fill_scaled = |scaled: &mut Mat<T>| {
                for (column, source) in scaled.col_iter_mut().zip(a.chunks(n.max(1))) {
                    column
                        .iter_mut()
                        .zip(source)
                        .for_each(|(x, &y)| *x = y * inverse);
                }
            };
            fill_scaled(&mut scaled);
            let compute_uv = vectors != ComputeSvdVectors::No;
            // rjax's own: dqds for the values alone, divide and conquer for the vectors; faer's
            // solver where either gives up (neither has been seen to).
            let ours = if compute_uv {
                vectors_by_divide_and_conquer(scaled.as_mut(), s, u, vt, layout, par)
            } else {
                singular_values_by_dqds(scaled.as_ref(), par).map(|by_dqds| {
                    s.iter_mut()
                        .zip(by_dqds)
                        .for_each(|(s, v)| *s = from_f64(v));
                })
            };
            if ours.is_some() {
                return true;
            }
            fill_scaled(&mut scaled);
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
            let solved = faer_svd(
                scaled.as_ref(),
                values.as_diagonal_mut(),
                u_view,
                v_view,
                par,
                MemStack::new(buffer.get_or_insert_with(|| {
                    MemBuffer::new(svd_scratch::<T>(
                        n,
                        m,
                        vectors,
                        vectors,
                        par,
                        Default::default(),
                    ))
                })),
                Default::default(),
            )
            .is_ok();
            s.iter_mut()
                .zip(values.iter())
                .for_each(|(s, v)| *s = real(v));
            solved
        });
        match magnitude.filter(|_| solved) {
            Some(magnitude) => {
                s.iter_mut().for_each(|s| *s *= magnitude);
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

/// The SVD of the column-major `w = aᵀ` (`n × m`, scaled) with vectors, by rjax's
/// bidiagonalization and divide and conquer: `s` receives the singular values in descending
/// order, `vt` (column-major `n × kv`) the left singular vectors of `w`, and `u` (row-major
/// `m × ku`) the conjugates of `a`'s left singular vectors before the caller conjugates them
/// (so `a = conj(u)·Σ·vtᵀ` read as stored). `None` when the divide and conquer gives up.
///
/// The tall one of `w` and `wᴴ = conj(a)` is bidiagonalized, `X = Q·B·Pᴴ`; diagonal phases
/// make `B = Φ·R·Ψᴴ` with `R` real and non-negative; `R = U_R·Σ·V_Rᵀ`; and `X`'s vectors are
/// `Q·Φ·U_R` and `P·Ψ·V_R`, applied in place in the output buffers. For `X = w`,
/// `a = conj(V_X)·Σ·U_Xᵀ`; for `X = conj(a)`, `a = conj(U_X)·Σ·V_Xᵀ`.
fn vectors_by_divide_and_conquer<T: Element>(
    w: MatMut<'_, T>,
    s: &mut [T::Real],
    u: &mut [T],
    vt: &mut [T],
    layout: Layout,
    par: Par,
) -> Option<()> {
    let (n, m) = w.shape();
    let ((_, ku), (kv, _)) = (layout.u, layout.vt);
    let k = n.min(m);
    let mut adjoint;
    let mut x = if n >= m {
        w
    } else {
        adjoint = w.adjoint().to_owned();
        adjoint.as_mut()
    };
    let reduced = bidiagonalize(x.rb_mut(), par);
    let Phases {
        left: phi,
        right: psi,
        diag: mut sigma,
        superdiag,
    } = Phases::new(&reduced.diag, &reduced.superdiag);
    let mut u_r = Mat::<T::Real>::zeros(k, k);
    let mut v_r = Mat::<T::Real>::zeros(k, k);
    bidiagonal_svd(&mut sigma, &superdiag, u_r.as_mut(), v_r.as_mut(), par).ok()?;
    s.copy_from_slice(&sigma);
    let (mut left, mut right) = if n >= m {
        (
            MatMut::from_column_major_slice_mut(vt, n, kv),
            view_mut(u, m, ku),
        )
    } else {
        (
            view_mut(u, m, ku),
            MatMut::from_column_major_slice_mut(vt, n, kv),
        )
    };
    left.fill(zero());
    for j in 0..left.ncols() {
        if j < k {
            for i in 0..k {
                left[(i, j)] = phi[i] * from_real::<T>(&u_r[(i, j)]);
            }
        } else {
            left[(j, j)] = one();
        }
    }
    for j in 0..k {
        for i in 0..k {
            right[(i, j)] = psi[i] * from_real::<T>(&v_r[(i, j)]);
        }
    }
    let x = x.rb();
    reduced.apply_q(x, left, par);
    reduced.apply_p(x, right, par);
    Some(())
}

/// The diagonal unitary `Φ`, `Ψ` with `B = Φ·R·Ψᴴ` for a (complex, or signed) upper
/// bidiagonal `B` and the real, non-negative `R`: `ψ₀ = 1`, `φⱼ` the phase of `bⱼⱼ·ψⱼ`,
/// `ψⱼ₊₁ = φⱼ·conj(bⱼ,ⱼ₊₁)/|bⱼ,ⱼ₊₁|` (1 for a zero entry).
struct Phases<T: Element> {
    /// `Φ`'s diagonal.
    left: Vec<T>,
    /// `Ψ`'s diagonal.
    right: Vec<T>,
    /// `R`'s diagonal.
    diag: Vec<T::Real>,
    /// `R`'s superdiagonal.
    superdiag: Vec<T::Real>,
}

impl<T: Element> Phases<T> {
    fn new(diag: &[T], superdiag: &[T]) -> Self {
        let phase = |x: T, magnitude: T::Real| {
            if magnitude > zero() {
                x * from_real::<T>(&recip(&magnitude))
            } else {
                one()
            }
        };
        let k = diag.len();
        let mut out = Phases {
            left: Vec::with_capacity(k),
            right: Vec::with_capacity(k),
            diag: Vec::with_capacity(k),
            superdiag: Vec::with_capacity(k.saturating_sub(1)),
        };
        let mut psi = one::<T>();
        for (j, &d) in diag.iter().enumerate() {
            out.right.push(psi);
            let x = d * psi;
            let magnitude = abs(&x);
            let phi = phase(x, magnitude);
            out.diag.push(magnitude);
            out.left.push(phi);
            if let Some(&e) = superdiag.get(j) {
                let magnitude = abs(&e);
                out.superdiag.push(magnitude);
                psi = phase(phi * conj(&e), magnitude);
            }
        }
        out
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
