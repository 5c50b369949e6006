//! The decompositions through rjax's Rust kernels (an `ffi_call` of the `faer`-backed
//! handlers in `runtime::ffi`), used wherever the default client runs them (the CPU), as
//! jaxlib calls LAPACK there. Elsewhere the HLO algorithms of the sibling modules run. The
//! derivative rules wrap either path alike.

use crate::abstract_value::ShapedArray;
use crate::custom_derivatives::{custom_jvp, stop_gradient};
use crate::lax::ffi_call::{ffi_call, kernels_available};
use crate::lax::{self, VmapMethod};
use crate::numpy::{tril, triu};
use crate::{Array, DType, Result};

/// Whether the kernels run on the default client.
pub(super) fn available() -> bool {
    kernels_available()
}

/// The batch dimensions followed by `dims`, as a type of `dtype`.
fn typed(a: &Array, dims: &[usize], dtype: DType) -> ShapedArray {
    let mut shape = super::batch_shape(a).to_vec();
    shape.extend_from_slice(dims);
    ShapedArray::new(shape, dtype)
}

/// `(w, v)`: the eigenvalues, ascending, and eigenvectors of each symmetric matrix of `a`
/// (its lower triangle is read).
pub(super) fn eigh(a: &Array) -> Result<(Array, Array)> {
    let n = super::rows_cols(a).0;
    let dtype = a.dtype();
    let mut out = ffi_call(
        "rjax_eigh",
        &[a],
        vec![typed(a, &[n, n], dtype), typed(a, &[n], dtype)],
        vec![("compute_v", 1), ("lower", 1)],
        VmapMethod::BroadcastAll,
    )?;
    let w = out.pop().expect("two results");
    let v = out.pop().expect("two results");
    Ok((w, v))
}

/// The eigenvalues, ascending, of each symmetric matrix of `a` (lower triangle read).
pub(super) fn eigvalsh(a: &Array) -> Result<Array> {
    let n = super::rows_cols(a).0;
    let mut out = ffi_call(
        "rjax_eigh",
        &[a],
        vec![typed(a, &[n], a.dtype())],
        vec![("compute_v", 0), ("lower", 1)],
        VmapMethod::BroadcastAll,
    )?;
    Ok(out.remove(0))
}

/// `(s, U, Vh)` of each matrix of `a`, singular values decreasing.
pub(super) fn svd(a: &Array, full_matrices: bool) -> Result<(Array, Array, Array)> {
    let (m, n) = super::rows_cols(a);
    let k = m.min(n);
    let (u_cols, vh_rows) = if full_matrices { (m, n) } else { (k, k) };
    let dtype = a.dtype();
    let mut out = ffi_call(
        "rjax_svd",
        &[a],
        vec![
            typed(a, &[k], dtype),
            typed(a, &[m, u_cols], dtype),
            typed(a, &[vh_rows, n], dtype),
        ],
        vec![
            ("compute_uv", 1),
            ("full_matrices", i64::from(full_matrices)),
        ],
        VmapMethod::BroadcastAll,
    )?;
    let vh = out.pop().expect("three results");
    let u = out.pop().expect("three results");
    let s = out.pop().expect("three results");
    Ok((s, u, vh))
}

/// The singular values of each matrix of `a`, decreasing.
pub(super) fn singular_values(a: &Array) -> Result<Array> {
    let (m, n) = super::rows_cols(a);
    let mut out = ffi_call(
        "rjax_svd",
        &[a],
        vec![typed(a, &[m.min(n)], a.dtype())],
        vec![("compute_uv", 0), ("full_matrices", 0)],
        VmapMethod::BroadcastAll,
    )?;
    Ok(out.remove(0))
}

/// `(packed factors, pivots, permutation)` from the LU kernel, without a derivative rule.
fn lu_call(a: &Array) -> Result<Vec<Array>> {
    let (m, n) = super::rows_cols(a);
    ffi_call(
        "rjax_lu",
        &[a],
        vec![
            a.aval().clone(),
            typed(a, &[m.min(n)], DType::I32),
            typed(a, &[m], DType::I32),
        ],
        vec![],
        VmapMethod::BroadcastAll,
    )
}

thread_local! {
    /// The packed factors as a function of `a`, with JAX's `_lu_jvp_rule`.
    static FACTORS: Box<dyn Fn(Array) -> Result<Array>> =
        Box::new(custom_jvp(|a: Array| Ok::<_, crate::Error>(lu_call(&a)?.remove(0)), factors_jvp));
}

/// JAX's `_lu_jvp_rule` for square matrices: with `P·A = L·U` and
/// `X = L⁻¹·P·Ȧ·U⁻¹`, `L̇ = L·tril(X, -1)` and `U̇ = triu(X)·U`, packed as the factors are.
/// The pivots are those of the primal (piecewise constant in `A`).
fn factors_jvp(a: Array, da: Array) -> Result<(Array, Array)> {
    let packed = FACTORS.with(|f| f(a.clone()))?;
    let perm = lu_call(&stop_gradient(&a))?.remove(2);
    let n = super::rows_cols(&a).0;
    let l = tril(&packed, -1) + super::eye(n, a.dtype());
    let u = triu(&packed, 0);
    let pda = permute_rows(&perm, &da);
    let la = lax::triangular_solve_with(
        &l,
        &pda,
        lax::TriangularSolveOptions::default()
            .left_side(true)
            .lower(true)
            .unit_diagonal(true),
    );
    let x = lax::triangular_solve_with(&u, &la, lax::TriangularSolveOptions::default());
    let dl = super::mm(&l, &tril(&x, -1));
    let du = super::mm(&triu(&x, 0), &u);
    Ok((packed, dl + du))
}

/// `P·b`: row `i` is row `perm[i]` of `b` (`[..., n, k]`); linear in `b`. A gather, `O(n·k)`
/// (a product with the one-hot permutation matrix would cost a matrix product).
pub(super) fn permute_rows(perm: &Array, b: &Array) -> Array {
    let rows = lax::expand_dims(perm, &[perm.ndim()]);
    crate::numpy::take_along_axis(b, &rows, Some(-2), crate::numpy::TakeMode::Clip)
}

/// The LU factorization with partial pivoting of each square matrix of `a`: the packed
/// factors (differentiable), the row permutation (`int32`, row `i` of `P·A` is row `perm[i]`
/// of `A`), the number of row swaps (`int32`) and `getrf`'s 0-based pivots (`int32`).
pub(super) fn lu(a: &Array) -> Result<(Array, Array, Array, Array)> {
    let packed = FACTORS.with(|f| f(a.clone()))?;
    let mut out = lu_call(&stop_gradient(a))?;
    let perm = out.pop().expect("three results");
    let pivots = out.pop().expect("three results");
    let steps = lax::broadcasted_iota(DType::I32, pivots.shape(), pivots.ndim() - 1);
    let swapped = lax::convert_element_type(pivots.ne(&steps), DType::I32);
    let swaps = lax::rules::reduce_sum(&swapped, &[pivots.ndim() - 1])?;
    Ok((packed, perm, swaps, pivots))
}
