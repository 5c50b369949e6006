//! rjax's linear-algebra kernels under jaxlib's LAPACK FFI target names, with jaxlib's calling
//! convention, so that programs exported by `jax.export` from functions using `jnp.linalg`
//! (which call `lapack_dgetrf_ffi` and its kin on the CPU) run on rjax's CPU plugins.
//!
//! The convention, as JAX 0.10 lowers its linear algebra on the CPU (`jax/_src/lax/linalg.py`)
//! and jaxlib's kernels read it:
//! - One target per routine and element type, `lapack_{s,d,c,z}<routine>_ffi`.
//! - Operands and results of the largest rank are batches of **column-major** matrices (the
//!   custom call's layouts `{rank−2, rank−1, batch dims…}`); the others (pivots, `taus`,
//!   eigenvalues, singular values, `info`) are row-major with the batch dimensions leading.
//! - The first result usually aliases the first operand (`output_operand_aliases`), so each
//!   adapter copies its operands out before it writes any result.
//! - Flags are `u8` characters as LAPACK spells them (`uplo = 'L'`, `mode = 'V'`, ...).
//! - `info` (`int32`, one per batch element) is LAPACK's status; JAX replaces a failed batch
//!   element's results by NaN (for `getrf` only when `info < 0`). rjax's kernels return NaN
//!   for a failed element themselves; the adapters report such an element with a positive
//!   `info` (1, where LAPACK would name the failing step).
//!
//! Targets, operands → results (`[...]` = attributes):
//! - `potrf [uplo]`: a → factor, info. The factor is in the named triangle; the other strict
//!   triangle keeps the input, as LAPACK leaves it.
//! - `getrf`: a → lu, pivots (1-based), info (`i > 0`: `U[i−1, i−1]` is exactly zero).
//! - `geqrf`: a → packed, taus; `orgqr`/`ungqr`: a, taus → q.
//! - `trsm [side, uplo, trans_x, diag]`: a, b → x.
//! - `syevd`/`heevd [mode, uplo]`: a → v, w, info.
//! - `gesdd`/`gesvd [mode = 'A' | 'S' | 'N']`: a → a (destroyed), s, u, vt, info.
//! - `geev [compute_left, compute_right]`: a → wr, wi (real input) or w, then vl, vr, info.
//! - `gees [mode, sort = 'N']`: a → t, z, wr, wi (real input) or w, sdim, info.
//! - `gehrd [low = 1, high = n]`: a → packed, taus, info.
//!
//! Where the results are unique they match LAPACK's to round-off (the algorithms are faer's
//! and nalgebra's, not LAPACK's): factors, pivots, `taus` and reflectors in LAPACK's
//! convention (real `R` and Hessenberg subdiagonals for complex input too), eigenvalues,
//! singular values. Where LAPACK leaves a choice, only the invariants match: eigenvector and
//! singular vector signs (phases for complex), the order of `geev`'s and `gees`'s eigenvalues,
//! and the 2 × 2 blocks of a real Schur form (not in LAPACK's standardized form).

mod factorizations;
mod reflectors;
mod spectral;

use std::marker::PhantomData;

use super::c_api::XLA_FFI_Handler;
use super::call::{Call, FfiBuffer, FfiElement, Handler};
use super::handlers::entry;
use super::linalg::batch_of;
use crate::DType;
use crate::kernels::linalg::Batch;

/// One LAPACK routine as jaxlib exposes it: its four target names and the adapter.
trait LapackRoutine {
    /// The targets for float32, float64, complex64 and complex128, in that order.
    const TARGETS: [&'static str; 4];

    /// Runs one call (the operand's dtype already checked against the target's).
    fn run(call: &mut Call<'_>) -> Result<(), String>;
}

/// The element types of [`LapackRoutine::TARGETS`], in order.
const DTYPES: [DType; 4] = [DType::F32, DType::F64, DType::C64, DType::C128];

/// The handler of routine `R` for element type `DTYPES[D]`.
struct Lapack<R, const D: usize>(PhantomData<R>);

impl<R: LapackRoutine, const D: usize> Handler for Lapack<R, D> {
    const TARGET: &'static str = R::TARGETS[D];

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let expected = DTYPES[D];
        match call.args.first() {
            Some(a) if a.dtype() == expected => R::run(call),
            Some(a) => Err(format!(
                "operand 0 is {}, but this target takes {}",
                a.dtype().name(),
                expected.name()
            )),
            None => Err("the call has no operands".to_string()),
        }
    }
}

/// The four handlers of routine `R`.
const fn routine<R: LapackRoutine>() -> [(&'static str, XLA_FFI_Handler); 4] {
    [
        entry::<Lapack<R, 0>>(),
        entry::<Lapack<R, 1>>(),
        entry::<Lapack<R, 2>>(),
        entry::<Lapack<R, 3>>(),
    ]
}

/// Every jaxlib LAPACK target rjax serves, four element types per routine.
pub(super) const JAXLIB_HANDLERS: &[[(&str, XLA_FFI_Handler); 4]] = &[
    routine::<factorizations::Potrf>(),
    routine::<factorizations::Getrf>(),
    routine::<factorizations::Geqrf>(),
    routine::<factorizations::Orgqr>(),
    routine::<factorizations::Trsm>(),
    routine::<factorizations::Gehrd>(),
    routine::<spectral::Syevd>(),
    routine::<spectral::Gesdd>(),
    routine::<spectral::Gesvd>(),
    routine::<spectral::Geev>(),
    routine::<spectral::Gees>(),
];

/// The character attribute `name` (LAPACK's flags), checked against `allowed`.
fn flag(call: &Call<'_>, name: &str, allowed: &[u8]) -> Result<u8, String> {
    let value = call.attr_i64(name)?;
    match u8::try_from(value) {
        Ok(c) if allowed.contains(&c) => Ok(c),
        _ => {
            let allowed: Vec<String> = allowed
                .iter()
                .map(|&c| format!("'{}'", c as char))
                .collect();
            Err(format!(
                "the attribute `{name}` is {value}, expected one of {}",
                allowed.join(", ")
            ))
        }
    }
}

/// The results of a call that has exactly `N`.
fn results<'a, 'call, const N: usize>(
    call: &'a mut Call<'call>,
) -> Result<&'a mut [FfiBuffer<'call>; N], String> {
    let count = call.results.len();
    <&mut [FfiBuffer<'call>; N]>::try_from(&mut call.results[..])
        .map_err(|_| format!("expected {N} results, got {count}"))
}

/// Copies a batch of column-major matrices into row-major order (the order rjax's kernels
/// take). Takes the buffer by value: a result may alias it, and must not be viewed while
/// this one is.
fn read_matrices<T: FfiElement>(buffer: FfiBuffer<'_>) -> Result<(Vec<T>, Batch), String> {
    let shape = batch_of(&buffer)?;
    let data = buffer.slice::<T>()?;
    let (m, n) = (shape.rows, shape.cols);
    let mut out = Vec::with_capacity(data.len());
    if m * n > 0 {
        for matrix in data.chunks_exact(m * n) {
            for i in 0..m {
                out.extend((0..n).map(|j| matrix[j * m + i]));
            }
        }
    }
    Ok((out, shape))
}

/// Writes row-major matrices into a result buffer of column-major matrices of its shape.
fn write_matrices<T: FfiElement>(row_major: &[T], out: &mut FfiBuffer<'_>) -> Result<(), String> {
    check_room(row_major.len(), out)?;
    let shape = batch_of(out)?;
    let (m, n) = (shape.rows, shape.cols);
    let data = out.slice_mut::<T>()?;
    if m * n > 0 {
        for (src, dst) in row_major
            .chunks_exact(m * n)
            .zip(data.chunks_exact_mut(m * n))
        {
            for i in 0..m {
                for j in 0..n {
                    dst[j * m + i] = src[i * n + j];
                }
            }
        }
    }
    Ok(())
}

/// Writes a row-major result (vectors, `info`) as it is.
fn write_vector<T: FfiElement>(values: &[T], out: &mut FfiBuffer<'_>) -> Result<(), String> {
    check_room(values.len(), out)?;
    out.slice_mut::<T>()?.copy_from_slice(values);
    Ok(())
}

/// A kernel's error as the handler's message.
fn kernel_error(error: crate::kernels::KernelError) -> String {
    error.to_string()
}

/// Fills a result the routine does not compute in this mode with zeros.
fn write_zeros(out: &mut FfiBuffer<'_>) {
    out.bytes_mut().fill(0);
}

/// Checks that the result `out` holds exactly `computed` elements.
fn check_room(computed: usize, out: &FfiBuffer<'_>) -> Result<(), String> {
    let room: usize = out.dims().iter().product();
    if computed == room {
        Ok(())
    } else {
        Err(format!(
            "computed {computed} elements for a result of shape {:?}",
            out.dims()
        ))
    }
}

/// `info` for each batch element of `len` consecutive values: 1 where any is NaN (rjax's
/// kernels fill a failed element with NaN), 0 elsewhere.
fn nan_info<T: faer::traits::ComplexField>(values: &[T], len: usize, batch: usize) -> Vec<i32> {
    (0..batch)
        .map(|b| {
            let element = &values[b * len..(b + 1) * len];
            i32::from(element.iter().any(faer::traits::math_utils::is_nan))
        })
        .collect()
}
