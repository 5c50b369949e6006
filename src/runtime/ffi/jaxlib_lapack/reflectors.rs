//! LAPACK's unblocked Householder algorithms (`geqr2`, `gehd2` with `larfg`'s reflectors),
//! for complex input: faer's complex reflectors make `R`'s diagonal (and the Hessenberg
//! subdiagonal) complex, where LAPACK's `zlarfg` chooses the reflector that makes it real, and
//! JAX returns those values. Real input takes faer's blocked kernels, whose reflectors are
//! already LAPACK's.
//!
//! A reflector is `H = I − τ·v·vᴴ` with `v₀ = 1`; for `x = (α, x₁…)`, `larfg` picks
//! `β = −sign(Re α)·‖x‖`, `τ = (β − α)/β` and `v = x/(α − β)`, so that `Hᴴ·x = β·e₀` with a
//! real `β`. (LAPACK's rescaling of a tiny `β` is not reproduced: the norm is computed
//! directly.)

use faer::MatMut;
use faer::prelude::ReborrowMut;
use faer::traits::math_utils::{abs2, conj, from_real, imag, one, real, recip, sqrt, zero};

use crate::kernels::Element;
use crate::kernels::linalg::Batch;

/// `geqr2` on each row-major `m × n` matrix of `a` (`shape`), in place: `R` on and above the
/// diagonal, the reflectors below; `taus` is `[batch, min(m, n)]`.
pub(super) fn geqr2<T: Element>(a: &mut [T], taus: &mut [T], shape: Batch) {
    let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
    if m * n == 0 {
        return;
    }
    for (a, taus) in a.chunks_exact_mut(m * n).zip(taus.chunks_exact_mut(k)) {
        let mut a = MatMut::from_row_major_slice_mut(a, m, n);
        for (i, tau) in taus.iter_mut().enumerate() {
            *tau = reflect(a.rb_mut(), i, i);
            let v = reflector(&a, i, i);
            apply_left(a.rb_mut(), &v, conj(tau), i, i + 1);
        }
    }
}

/// `gehd2` (`ilo = 1`, `ihi = n`) on each row-major `n × n` matrix of `a` (`shape`), in place:
/// `H` on and above the first subdiagonal, the reflectors below it; `taus` is
/// `[batch, n − 1]`.
pub(super) fn gehd2<T: Element>(a: &mut [T], taus: &mut [T], shape: Batch) {
    let n = shape.rows;
    if n < 2 {
        return;
    }
    for (a, taus) in a.chunks_exact_mut(n * n).zip(taus.chunks_exact_mut(n - 1)) {
        let mut a = MatMut::from_row_major_slice_mut(a, n, n);
        for (i, tau) in taus.iter_mut().enumerate() {
            *tau = reflect(a.rb_mut(), i + 1, i);
            let v = reflector(&a, i + 1, i);
            apply_right(a.rb_mut(), &v, *tau, i + 1);
            apply_left(a.rb_mut(), &v, conj(tau), i + 1, i + 1);
        }
    }
}

/// `larfg` on the column `a[row.., col]`: writes `β` at `a[row, col]` and `v₁…` below it,
/// and returns `τ` (0 when `x` is already `β·e₀` with `β` real: `H = I`).
fn reflect<T: Element>(mut a: MatMut<'_, T>, row: usize, col: usize) -> T {
    let alpha = a[(row, col)];
    let mut tail = zero::<T>();
    for i in row + 1..a.nrows() {
        tail += from_real::<T>(&abs2(&a[(i, col)]));
    }
    if tail == zero::<T>() && imag(&alpha) == zero::<T::Real>() {
        return zero();
    }
    let norm = sqrt(&(from_real::<T>(&abs2(&alpha)) + tail));
    let beta = if real(&alpha) >= zero::<T::Real>() {
        -norm
    } else {
        norm
    };
    let scale = recip(&(alpha - beta));
    for i in row + 1..a.nrows() {
        a[(i, col)] *= scale;
    }
    a[(row, col)] = beta;
    (beta - alpha) / beta
}

/// The reflector `v` of column `col` starting at row `row` (its leading one included).
fn reflector<T: Element>(a: &MatMut<'_, T>, row: usize, col: usize) -> Vec<T> {
    std::iter::once(one())
        .chain((row + 1..a.nrows()).map(|i| a[(i, col)]))
        .collect()
}

/// `a[row.., from..] ← (I − tau·v·vᴴ)·a[row.., from..]`.
fn apply_left<T: Element>(mut a: MatMut<'_, T>, v: &[T], tau: T, row: usize, from: usize) {
    for j in from..a.ncols() {
        let mut w = zero::<T>();
        for (i, vi) in v.iter().enumerate() {
            w += conj(vi) * a[(row + i, j)];
        }
        let w = tau * w;
        for (i, vi) in v.iter().enumerate() {
            a[(row + i, j)] -= *vi * w;
        }
    }
}

/// `a[.., from..] ← a[.., from..]·(I − tau·v·vᴴ)`.
fn apply_right<T: Element>(mut a: MatMut<'_, T>, v: &[T], tau: T, from: usize) {
    for r in 0..a.nrows() {
        let mut w = zero::<T>();
        for (i, vi) in v.iter().enumerate() {
            w += a[(r, from + i)] * *vi;
        }
        let w = tau * w;
        for (i, vi) in v.iter().enumerate() {
            a[(r, from + i)] -= w * conj(vi);
        }
    }
}
