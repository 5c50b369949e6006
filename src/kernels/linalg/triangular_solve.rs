//! Triangular solves, as BLAS's `trsm` and `jax.lax.linalg.triangular_solve`.

use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place_with_conj, solve_unit_lower_triangular_in_place_with_conj,
    solve_unit_upper_triangular_in_place_with_conj, solve_upper_triangular_in_place_with_conj,
};
use faer::{Conj, MatMut, MatRef, Par};

use super::{Batch, Element, KernelError, chunks, chunks_mut, view, view_mut};
use crate::kernels::{check_len, in_pool, par_for};

const KERNEL: &str = "triangular_solve";

/// The flags of [`triangular_solve`], with `jax.lax.linalg.triangular_solve`'s names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TriangularSolveOptions {
    /// Solve `op(A)·X = B` when true, `X·op(A) = B` when false.
    pub left_side: bool,
    /// `A` is lower triangular (only its lower triangle is read); upper otherwise.
    pub lower: bool,
    /// `op` transposes `A`.
    pub transpose_a: bool,
    /// `op` conjugates `A` (with `transpose_a`: the adjoint).
    pub conjugate_a: bool,
    /// `A`'s diagonal is taken as ones and not read.
    pub unit_diagonal: bool,
}

/// Solves `op(A)·X = B` (`left_side`) or `X·op(A) = B` for each batch element and writes `X`
/// into `x`. `b` and `x` are `[batch, m, n]` (`shape`); `a` is `[batch, m, m]` when
/// `left_side`, else `[batch, n, n]`. Only the named triangle of `A` is read. A zero on
/// `A`'s diagonal gives infinities or NaN in `x`, as `trsm` does.
pub fn triangular_solve<T: Element>(
    a: &[T],
    b: &[T],
    x: &mut [T],
    shape: Batch,
    options: TriangularSolveOptions,
) -> Result<(), KernelError> {
    let (m, n) = (shape.rows, shape.cols);
    let k = if options.left_side { m } else { n };
    check_len(KERNEL, "a", &[shape.batch, k, k], a.len())?;
    shape.check(KERNEL, "b", b.len())?;
    shape.check(KERNEL, "x", x.len())?;
    let par = par_for(shape.max_dim());
    let chunks_a = chunks(a, k * k, shape.batch);
    let chunks_b = chunks(b, m * n, shape.batch);
    in_pool(par, || {
        for ((a, b), x) in chunks_a
            .zip(chunks_b)
            .zip(chunks_mut(x, m * n, shape.batch))
        {
            x.copy_from_slice(b);
            let a = view(a, k, k);
            let x = view_mut(x, m, n);
            // X·op(A) = B is op(A)ᵀ·Xᵀ = Bᵀ: transpose both views and flip op's transpose.
            let (x, transpose) = if options.left_side {
                (x, options.transpose_a)
            } else {
                (x.transpose_mut(), !options.transpose_a)
            };
            let tri = if transpose { a.transpose() } else { a };
            solve(tri, options.lower != transpose, options, x, par);
        }
    });
    Ok(())
}

/// Solves `tri·x = rhs` in place, `tri` being lower triangular when `lower`.
fn solve<T: Element>(
    tri: MatRef<'_, T>,
    lower: bool,
    options: TriangularSolveOptions,
    rhs: MatMut<'_, T>,
    par: Par,
) {
    let conj = if options.conjugate_a {
        Conj::Yes
    } else {
        Conj::No
    };
    match (lower, options.unit_diagonal) {
        (true, false) => solve_lower_triangular_in_place_with_conj(tri, conj, rhs, par),
        (true, true) => solve_unit_lower_triangular_in_place_with_conj(tri, conj, rhs, par),
        (false, false) => solve_upper_triangular_in_place_with_conj(tri, conj, rhs, par),
        (false, true) => solve_unit_upper_triangular_in_place_with_conj(tri, conj, rhs, par),
    }
}
