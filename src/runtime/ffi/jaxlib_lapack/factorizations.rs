//! jaxlib's `potrf`, `getrf`, `geqrf`, `orgqr`/`ungqr`, `trsm` and `gehrd` targets on rjax's
//! kernels.

use faer::traits::ComplexField;
use faer::traits::math_utils::zero;

use super::super::call::Call;
use super::super::linalg::with_element;
use super::{
    LapackRoutine, flag, kernel_error, nan_info, read_matrices, reflectors, results,
    write_matrices, write_vector,
};
use crate::kernels::linalg::{self as kernels, Batch, TriangularSolveOptions};

/// `potrf [uplo]`: a → factor, info.
pub(super) struct Potrf;

impl LapackRoutine for Potrf {
    const TARGETS: [&'static str; 4] = [
        "lapack_spotrf_ffi",
        "lapack_dpotrf_ffi",
        "lapack_cpotrf_ffi",
        "lapack_zpotrf_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 2)?;
        let lower = flag(call, "uplo", b"LU")? == b'L';
        let a = call.args.remove(0);
        let dtype = a.dtype();
        let [factor, info] = results(call)?;
        with_element!(dtype, T => {
            let (a, shape) = read_matrices::<T>(a)?;
            let mut out = vec![zero::<T>(); a.len()];
            kernels::cholesky::<T>(&a, &mut out, shape, lower).map_err(kernel_error)?;
            let n = shape.rows;
            let infos = nan_info(&out, n * n, shape.batch);
            keep_other_triangle(&a, &mut out, shape, lower);
            write_matrices(&out, factor)?;
            write_vector(&infos, info)
        })
    }
}

/// Copies the strict triangle of `a` opposite to the factor's into `out`, as `potrf` leaves it.
fn keep_other_triangle<T: Copy>(a: &[T], out: &mut [T], shape: Batch, lower: bool) {
    let n = shape.rows;
    for b in 0..shape.batch {
        for i in 0..n {
            for j in 0..n {
                if (lower && j > i) || (!lower && j < i) {
                    let k = b * n * n + i * n + j;
                    out[k] = a[k];
                }
            }
        }
    }
}

/// `getrf`: a → lu, pivots (1-based), info.
pub(super) struct Getrf;

impl LapackRoutine for Getrf {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgetrf_ffi",
        "lapack_dgetrf_ffi",
        "lapack_cgetrf_ffi",
        "lapack_zgetrf_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 3)?;
        let a = call.args.remove(0);
        let dtype = a.dtype();
        let [lu, pivots, info] = results(call)?;
        with_element!(dtype, T => {
            let (a, shape) = read_matrices::<T>(a)?;
            let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
            let mut packed = vec![zero::<T>(); a.len()];
            let mut piv = vec![0i32; shape.batch * k];
            let mut permutation = vec![0i32; shape.batch * m];
            kernels::lu::<T>(&a, &mut packed, &mut piv, &mut permutation, shape)
                .map_err(kernel_error)?;
            piv.iter_mut().for_each(|p| *p += 1);
            // LAPACK's info: the first exactly zero pivot, 1-based.
            let infos: Vec<i32> = (0..shape.batch)
                .map(|b| {
                    (0..k)
                        .find(|&i| packed[b * m * n + i * n + i] == zero::<T>())
                        .map_or(0, |i| i as i32 + 1)
                })
                .collect();
            write_matrices(&packed, lu)?;
            write_vector(&piv, pivots)?;
            write_vector(&infos, info)
        })
    }
}

/// `geqrf`: a → packed, taus. Real types take faer's blocked QR, whose reflectors are
/// LAPACK's; complex types take LAPACK's unblocked algorithm ([`reflectors`]), so that `R`'s
/// diagonal is real as `zgeqrf` makes it.
pub(super) struct Geqrf;

impl LapackRoutine for Geqrf {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgeqrf_ffi",
        "lapack_dgeqrf_ffi",
        "lapack_cgeqrf_ffi",
        "lapack_zgeqrf_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 2)?;
        let a = call.args.remove(0);
        let dtype = a.dtype();
        let [packed, taus] = results(call)?;
        with_element!(dtype, T => {
            let (mut a, shape) = read_matrices::<T>(a)?;
            let mut t = vec![zero::<T>(); shape.batch * shape.min_dim()];
            if T::IS_REAL {
                let mut out = vec![zero::<T>(); a.len()];
                kernels::geqrf::<T>(&a, &mut out, &mut t, shape).map_err(kernel_error)?;
                a = out;
            } else {
                reflectors::geqr2::<T>(&mut a, &mut t, shape);
            }
            write_matrices(&a, packed)?;
            write_vector(&t, taus)
        })
    }
}

/// `orgqr`/`ungqr`: a, taus → q.
pub(super) struct Orgqr;

impl LapackRoutine for Orgqr {
    const TARGETS: [&'static str; 4] = [
        "lapack_sorgqr_ffi",
        "lapack_dorgqr_ffi",
        "lapack_cungqr_ffi",
        "lapack_zungqr_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(2, 1)?;
        let taus = call.args.remove(1);
        let a = call.args.remove(0);
        let dtype = a.dtype();
        let k = taus.dims().last().copied().unwrap_or(0);
        with_element!(dtype, T => {
            let taus = taus.slice::<T>()?.to_vec();
            let (a, shape) = read_matrices::<T>(a)?;
            let mut q = vec![zero::<T>(); a.len()];
            kernels::householder_product::<T>(&a, &taus, &mut q, shape, k)
                .map_err(kernel_error)?;
            write_matrices(&q, &mut call.results[0])
        })
    }
}

/// `trsm [side, uplo, trans_x, diag]`: a, b → x.
pub(super) struct Trsm;

impl LapackRoutine for Trsm {
    const TARGETS: [&'static str; 4] = [
        "lapack_strsm_ffi",
        "lapack_dtrsm_ffi",
        "lapack_ctrsm_ffi",
        "lapack_ztrsm_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(2, 1)?;
        let trans = flag(call, "trans_x", b"NTC")?;
        let options = TriangularSolveOptions {
            left_side: flag(call, "side", b"LR")? == b'L',
            lower: flag(call, "uplo", b"LU")? == b'L',
            transpose_a: trans != b'N',
            conjugate_a: trans == b'C',
            unit_diagonal: flag(call, "diag", b"NU")? == b'U',
        };
        let b = call.args.remove(1);
        let a = call.args.remove(0);
        let dtype = a.dtype();
        with_element!(dtype, T => {
            let (a, _) = read_matrices::<T>(a)?;
            let (b, shape) = read_matrices::<T>(b)?;
            let mut x = vec![zero::<T>(); b.len()];
            kernels::triangular_solve::<T>(&a, &b, &mut x, shape, options)
                .map_err(kernel_error)?;
            write_matrices(&x, &mut call.results[0])
        })
    }
}

/// `gehrd [low, high]`: a → packed, taus, info, for the full reduction JAX asks for
/// (`low = 1`, `high = n`). Real types take faer's blocked reduction, complex ones LAPACK's
/// unblocked algorithm ([`reflectors`]), whose subdiagonal is real as `zgehrd`'s.
pub(super) struct Gehrd;

impl LapackRoutine for Gehrd {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgehrd_ffi",
        "lapack_dgehrd_ffi",
        "lapack_cgehrd_ffi",
        "lapack_zgehrd_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 3)?;
        let (low, high) = (call.attr_i64("low")?, call.attr_i64("high")?);
        let a = call.args.remove(0);
        let n = a.dims().last().copied().unwrap_or(0);
        if low != 1 || high != n as i64 {
            return Err(format!(
                "only the full reduction (low = 1, high = n = {n}) is supported, got low = \
                 {low}, high = {high}"
            ));
        }
        let dtype = a.dtype();
        let [packed, taus, info] = results(call)?;
        with_element!(dtype, T => {
            let (mut a, shape) = read_matrices::<T>(a)?;
            let mut t = vec![zero::<T>(); shape.batch * n.saturating_sub(1)];
            if T::IS_REAL {
                let mut out = vec![zero::<T>(); a.len()];
                kernels::hessenberg::<T>(&a, &mut out, &mut t, shape).map_err(kernel_error)?;
                a = out;
            } else {
                reflectors::gehd2::<T>(&mut a, &mut t, shape);
            }
            write_matrices(&a, packed)?;
            write_vector(&t, taus)?;
            write_vector(&vec![0i32; shape.batch], info)
        })
    }
}
