//! The decompositions that only rjax's CPU kernels compute, as `jax.lax.linalg` has them on
//! the CPU (where jaxlib calls LAPACK): the general eigendecomposition `eig`, the LU
//! factorization `lu`, the Hessenberg reduction `hessenberg`, the Schur decomposition
//! `schur` (on nalgebra), and `geqrf` with `householder_product`.
//!
//! Each is an `ffi_call` of a Rust kernel, batched over leading dimensions, for
//! float32, float64, complex64 and complex128. On a platform whose client does not run the
//! kernels (GPU, TPU), each returns an error naming the platform. None has a derivative rule
//! of its own yet: differentiating through one is an error (`numpy::linalg`'s `solve`, `det`
//! and `slogdet` wrap `lu` in JAX's rules).

use super::VmapMethod;
use super::ffi_call::{ffi_call, require_kernels};
use super::linalg_options::{EigOptions, SchurOptions};
use crate::abstract_value::ShapedArray;
use crate::{Array, DType, Error, IntoArray, Result};

/// Checks the platform and that `a` is a batch of matrices of a kernel dtype; returns
/// `(batch dimensions, rows, columns)`.
fn check(op: &str, a: &Array) -> Result<(Vec<usize>, usize, usize)> {
    require_kernels(op)?;
    let shape = a.shape();
    if shape.len() < 2
        || !matches!(
            a.dtype(),
            DType::F32 | DType::F64 | DType::C64 | DType::C128
        )
    {
        return Err(Error::invalid(
            op,
            format!(
                "takes a batch of float or complex matrices [..., m, n], got {}",
                a.aval()
            ),
        ));
    }
    let rank = shape.len();
    Ok((shape[..rank - 2].to_vec(), shape[rank - 2], shape[rank - 1]))
}

fn typed(batch: &[usize], dims: &[usize], dtype: DType) -> ShapedArray {
    let mut shape = batch.to_vec();
    shape.extend_from_slice(dims);
    ShapedArray::new(shape, dtype)
}

/// `jax.lax.linalg.eig(a)`: `[w, vl, vr]`, the eigenvalues `w` (`[..., n]`, complex) of each
/// square matrix of `a`, the left eigenvectors (`uᴴ·A = λ·uᴴ`) and the right ones
/// (`A·v = λ·v`), as columns (`[..., n, n]`, complex), each of unit 2-norm with its largest
/// component real, as LAPACK's `geev` normalizes them. See [`eig_with`] to skip either set of
/// eigenvectors.
pub fn eig(a: impl IntoArray) -> Result<Vec<Array>> {
    eig_with(a, EigOptions::default())
}

/// [`eig`] with JAX's keywords: the eigenvalues, followed by the left eigenvectors if
/// `options.compute_left_eigenvectors` and the right ones if
/// `options.compute_right_eigenvectors`.
pub fn eig_with(a: impl IntoArray, options: EigOptions) -> Result<Vec<Array>> {
    let a = &a.into_array();
    let compute_left = options.compute_left_eigenvectors;
    let compute_right = options.compute_right_eigenvectors;
    let (batch, m, n) = check("eig", a)?;
    if m != n {
        return Err(Error::invalid(
            "eig",
            format!("takes square matrices, got {}", a.aval()),
        ));
    }
    let complex = a.dtype().complex_with_parts().unwrap_or(DType::C128);
    let mut results = vec![typed(&batch, &[n], complex)];
    let vectors = usize::from(compute_left) + usize::from(compute_right);
    results.extend((0..vectors).map(|_| typed(&batch, &[n, n], complex)));
    ffi_call(
        "rjax_eig",
        &[a],
        results,
        vec![
            ("compute_left", i64::from(compute_left)),
            ("compute_right", i64::from(compute_right)),
        ],
        VmapMethod::BroadcastAll,
    )
}

/// `jax.lax.linalg.lu`: `(lu, pivots, permutation)` of each `m × n` matrix of `a`, with
/// partial pivoting: `L` (unit diagonal, not stored) below the diagonal of `lu` and `U` on and
/// above it; `pivots` (`int32 [..., min(m, n)]`) the 0-based row interchanges; `permutation`
/// (`int32 [..., m]`) with row `i` of `P·A` being row `permutation[i]` of `A`.
pub fn lu(a: impl IntoArray) -> Result<(Array, Array, Array)> {
    let a = &a.into_array();
    let (batch, m, n) = check("lu", a)?;
    let mut out = ffi_call(
        "rjax_lu",
        &[a],
        vec![
            a.aval().clone(),
            typed(&batch, &[m.min(n)], DType::I32),
            typed(&batch, &[m], DType::I32),
        ],
        vec![],
        VmapMethod::BroadcastAll,
    )?;
    let permutation = out.pop().expect("three results");
    let pivots = out.pop().expect("three results");
    Ok((out.pop().expect("three results"), pivots, permutation))
}

/// `jax.lax.linalg.hessenberg`: `(a', taus)` of each square matrix, LAPACK's `gehrd` form:
/// the upper Hessenberg `H` on and above the first subdiagonal of `a'`, the Householder
/// vectors below it, and `taus` (`[..., n - 1]`), with `A = Q·H·Qᴴ`.
pub fn hessenberg(a: impl IntoArray) -> Result<(Array, Array)> {
    let a = &a.into_array();
    let (batch, m, n) = check("hessenberg", a)?;
    if m != n {
        return Err(Error::invalid(
            "hessenberg",
            format!("takes square matrices, got {}", a.aval()),
        ));
    }
    let mut out = ffi_call(
        "rjax_hessenberg",
        &[a],
        vec![
            a.aval().clone(),
            typed(&batch, &[n.saturating_sub(1)], a.dtype()),
        ],
        vec![],
        VmapMethod::BroadcastAll,
    )?;
    let taus = out.pop().expect("two results");
    Ok((out.pop().expect("two results"), taus))
}

/// `jax.lax.linalg.schur(a)`: `(T, Some(Z))` of each square matrix of `a`, `A = Z·T·Zᴴ` with
/// `Z` unitary; see [`schur_with`] to skip `Z`. For real `a`, `T`
/// is real and quasi-upper-triangular: 1 × 1 blocks and 2 × 2 blocks (a pair of complex
/// conjugate eigenvalues each) on its diagonal, zero elsewhere below it; for complex `a` it
/// is upper triangular. The eigenvalues are not sorted (JAX's `sort_eig_vals` is not
/// supported), and the 2 × 2 blocks are not in LAPACK's standardized form. A matrix with
/// non-finite entries, or one the QR iteration does not converge on, gives NaN.
pub fn schur(a: impl IntoArray) -> Result<(Array, Option<Array>)> {
    schur_with(a, SchurOptions::default())
}

/// [`schur`] with JAX's keyword `compute_schur_vectors`: `Z` is `None` if it is `false`.
pub fn schur_with(a: impl IntoArray, options: SchurOptions) -> Result<(Array, Option<Array>)> {
    let a = &a.into_array();
    let compute_schur_vectors = options.compute_schur_vectors;
    let (_, m, n) = check("schur", a)?;
    if m != n {
        return Err(Error::invalid(
            "schur",
            format!("takes square matrices, got {}", a.aval()),
        ));
    }
    let vectors = usize::from(compute_schur_vectors);
    let mut out = ffi_call(
        "rjax_schur",
        &[a],
        vec![a.aval().clone(); 1 + vectors],
        vec![("compute_vectors", i64::from(compute_schur_vectors))],
        VmapMethod::BroadcastAll,
    )?;
    let z = compute_schur_vectors.then(|| out.pop().expect("two results"));
    Ok((out.pop().expect("one result"), z))
}

/// `jax.lax.linalg.geqrf`: `(a', taus)` of each `m × n` matrix, LAPACK's `geqrf` form: `R`
/// on and above the diagonal of `a'`, the Householder vectors `v_i` below it (their leading
/// one implicit), and `taus` (`[..., min(m, n)]`), with `A = H₁⋯H_k·R` and
/// `H_i = I − τ_i·v_i·v_iᴴ`; [`householder_product`] forms `Q` from them.
pub fn geqrf(a: impl IntoArray) -> Result<(Array, Array)> {
    let a = &a.into_array();
    let (batch, m, n) = check("geqrf", a)?;
    let mut out = ffi_call(
        "rjax_geqrf",
        &[a],
        vec![a.aval().clone(), typed(&batch, &[m.min(n)], a.dtype())],
        vec![],
        VmapMethod::BroadcastAll,
    )?;
    let taus = out.pop().expect("two results");
    Ok((out.pop().expect("two results"), taus))
}

/// `jax.lax.linalg.householder_product`: the first `n` columns of `H₁⋯H_k` for reflectors
/// stored below the diagonal of `a` (`[..., m, n]`, `m ≥ n`) with `taus` (`[..., k]`,
/// `k ≤ n`), as LAPACK's `orgqr`/`ungqr`.
pub fn householder_product(a: impl IntoArray, taus: impl IntoArray) -> Result<Array> {
    let (a, taus) = (&a.into_array(), &taus.into_array());
    let (_, m, n) = check("householder_product", a)?;
    let k = taus.shape().last().copied().unwrap_or(0);
    if m < n || k > n || taus.dtype() != a.dtype() {
        return Err(Error::invalid(
            "householder_product",
            format!(
                "needs a: [..., m, n] with m >= n and taus: [..., k] with k <= n of a's dtype, \
                 got a: {} and taus: {}",
                a.aval(),
                taus.aval()
            ),
        ));
    }
    let mut out = ffi_call(
        "rjax_householder_product",
        &[a, taus],
        vec![a.aval().clone()],
        vec![],
        VmapMethod::BroadcastAll,
    )?;
    Ok(out.remove(0))
}
