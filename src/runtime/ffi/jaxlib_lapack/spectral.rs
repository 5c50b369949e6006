//! jaxlib's `syevd`/`heevd`, `gesdd`/`gesvd`, `geev` and `gees` targets on rjax's kernels.

use faer::complex::Complex;
use faer::traits::math_utils::{imag, one, real, sqrt, zero};

use super::super::call::{Call, FfiBuffer, FfiElement};
use super::super::linalg::{RealOf, with_element};
use super::{
    LapackRoutine, flag, kernel_error, nan_info, read_matrices, results, write_matrices,
    write_vector, write_zeros,
};
use crate::DType;
use crate::kernels::linalg::{self as kernels, Batch, EigOptions, SvdOptions};
use crate::kernels::{ComplexOf, Element};

/// Whether jaxlib's real-input form of a routine applies (separate real and imaginary parts
/// of the eigenvalues).
fn is_real(dtype: DType) -> bool {
    matches!(dtype, DType::F32 | DType::F64)
}

/// `syevd`/`heevd [mode, uplo]`: a → v, w, info. With `mode = 'N'` the eigenvalues alone are
/// computed and `v` receives the input (LAPACK leaves it destroyed; JAX does not read it).
pub(super) struct Syevd;

impl LapackRoutine for Syevd {
    const TARGETS: [&'static str; 4] = [
        "lapack_ssyevd_ffi",
        "lapack_dsyevd_ffi",
        "lapack_cheevd_ffi",
        "lapack_zheevd_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 3)?;
        let vectors = flag(call, "mode", b"VN")? == b'V';
        let lower = flag(call, "uplo", b"LU")? == b'L';
        let a = call.args.remove(0);
        let dtype = a.dtype();
        let [v_out, w_out, info] = results(call)?;
        with_element!(dtype, T => {
            let (a, shape) = read_matrices::<T>(a)?;
            let n = shape.rows;
            let mut w = vec![zero::<RealOf<T>>(); shape.batch * n];
            if vectors {
                let mut v = vec![zero::<T>(); a.len()];
                kernels::eigh::<T>(&a, &mut v, &mut w, shape, lower).map_err(kernel_error)?;
                write_matrices(&v, v_out)?;
            } else {
                kernels::eigh::<T>(&a, &mut [], &mut w, shape, lower).map_err(kernel_error)?;
                write_matrices(&a, v_out)?;
            }
            write_vector(&w, w_out)?;
            write_vector(&nan_info(&w, n, shape.batch), info)
        })
    }
}

/// `gesdd [mode]`: a → a, s, u, vt, info.
pub(super) struct Gesdd;

impl LapackRoutine for Gesdd {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgesdd_ffi",
        "lapack_dgesdd_ffi",
        "lapack_cgesdd_ffi",
        "lapack_zgesdd_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        svd(call)
    }
}

/// `gesvd [mode]` (JAX's `algorithm=SvdAlgorithm.QR`): the same convention as `gesdd`.
pub(super) struct Gesvd;

impl LapackRoutine for Gesvd {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgesvd_ffi",
        "lapack_dgesvd_ffi",
        "lapack_cgesvd_ffi",
        "lapack_zgesvd_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        svd(call)
    }
}

/// `gesdd`/`gesvd`: `mode` 'A' (full `u`, `vt`), 'S' (reduced) or 'N' (values only: `u` and
/// `vt` are zero-filled). The first result, LAPACK's destroyed input, receives the input.
fn svd(call: &mut Call<'_>) -> Result<(), String> {
    call.expect_counts(1, 5)?;
    let mode = flag(call, "mode", b"ASN")?;
    let options = SvdOptions {
        compute_uv: mode != b'N',
        full_matrices: mode == b'A',
    };
    let a = call.args.remove(0);
    let dtype = a.dtype();
    let [a_out, s_out, u_out, vt_out, info] = results(call)?;
    with_element!(dtype, T => {
        let (a, shape) = read_matrices::<T>(a)?;
        let (m, n, k) = (shape.rows, shape.cols, shape.min_dim());
        let mut s = vec![zero::<RealOf<T>>(); shape.batch * k];
        if options.compute_uv {
            let (ku, kv) = if options.full_matrices { (m, n) } else { (k, k) };
            let mut u = vec![zero::<T>(); shape.batch * m * ku];
            let mut vt = vec![zero::<T>(); shape.batch * kv * n];
            kernels::svd::<T>(&a, &mut s, &mut u, &mut vt, shape, options)
                .map_err(kernel_error)?;
            write_matrices(&u, u_out)?;
            write_matrices(&vt, vt_out)?;
        } else {
            kernels::svd::<T>(&a, &mut s, &mut [], &mut [], shape, options)
                .map_err(kernel_error)?;
            write_zeros(u_out);
            write_zeros(vt_out);
        }
        write_matrices(&a, a_out)?;
        write_vector(&s, s_out)?;
        write_vector(&nan_info(&s, k, shape.batch), info)
    })
}

/// `geev [compute_left, compute_right]`: a → wr, wi (real input) or w, then vl, vr (complex,
/// zero-filled when not asked for), info.
pub(super) struct Geev;

impl LapackRoutine for Geev {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgeev_ffi",
        "lapack_dgeev_ffi",
        "lapack_cgeev_ffi",
        "lapack_zgeev_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        let dtype = call.args.first().map(|a| a.dtype()).ok_or("no operands")?;
        let values = if is_real(dtype) { 2 } else { 1 };
        call.expect_counts(1, values + 3)?;
        let options = EigOptions {
            compute_left: flag(call, "compute_left", b"NV")? == b'V',
            compute_right: flag(call, "compute_right", b"NV")? == b'V',
        };
        let a = call.args.remove(0);
        let (w_out, rest) = call.results.split_at_mut(values);
        let [vl_out, vr_out, info] = rest else {
            return Err(format!("expected {} results", values + 3));
        };
        with_element!(dtype, T => {
            let (a, shape) = read_matrices::<T>(a)?;
            let n = shape.rows;
            let czero = Complex::new(zero::<RealOf<T>>(), zero::<RealOf<T>>());
            let mut w = vec![czero; shape.batch * n];
            let len = |wanted: bool| if wanted { shape.batch * n * n } else { 0 };
            let mut vl = vec![czero; len(options.compute_left)];
            let mut vr = vec![czero; len(options.compute_right)];
            kernels::eig::<T>(&a, &mut w, &mut vl, &mut vr, shape, options)
                .map_err(kernel_error)?;
            for (wanted, v, out) in [
                (options.compute_left, &vl, vl_out),
                (options.compute_right, &vr, vr_out),
            ] {
                if wanted {
                    write_matrices(v, out)?;
                } else {
                    write_zeros(out);
                }
            }
            write_eigenvalues(&w, w_out)?;
            write_vector(&nan_info(&w, n, shape.batch), info)
        })
    }
}

/// Writes complex eigenvalues as jaxlib's real routines do (real parts, imaginary parts: two
/// results) or its complex ones do (one result).
fn write_eigenvalues<R: FfiElement>(
    w: &[Complex<R>],
    out: &mut [FfiBuffer<'_>],
) -> Result<(), String>
where
    Complex<R>: FfiElement,
{
    match out {
        [re, im] => {
            let parts: (Vec<R>, Vec<R>) = w.iter().map(|z| (z.re, z.im)).unzip();
            write_vector(&parts.0, re)?;
            write_vector(&parts.1, im)
        }
        [values] => write_vector(w, values),
        other => Err(format!(
            "expected 1 or 2 eigenvalue results, got {}",
            other.len()
        )),
    }
}

/// `gees [mode, sort = 'N']`: a → t, z (zero-filled for `mode = 'N'`), wr, wi (real input)
/// or w, sdim (0: no sorting), info.
pub(super) struct Gees;

impl LapackRoutine for Gees {
    const TARGETS: [&'static str; 4] = [
        "lapack_sgees_ffi",
        "lapack_dgees_ffi",
        "lapack_cgees_ffi",
        "lapack_zgees_ffi",
    ];

    fn run(call: &mut Call<'_>) -> Result<(), String> {
        let dtype = call.args.first().map(|a| a.dtype()).ok_or("no operands")?;
        let values = if is_real(dtype) { 2 } else { 1 };
        call.expect_counts(1, values + 4)?;
        let vectors = flag(call, "mode", b"VN")? == b'V';
        flag(call, "sort", b"N")
            .map_err(|e| format!("{e} (sorting the Schur form is not supported)"))?;
        let a = call.args.remove(0);
        let [t_out, z_out, rest @ ..] = &mut call.results[..] else {
            return Err(format!("expected {} results", values + 4));
        };
        let (w_out, rest) = rest.split_at_mut(values);
        let [sdim, info] = rest else {
            return Err(format!("expected {} results", values + 4));
        };
        with_element!(dtype, T => {
            let (a, shape) = read_matrices::<T>(a)?;
            let n = shape.rows;
            let mut t = vec![zero::<T>(); a.len()];
            let mut z = vec![zero::<T>(); if vectors { a.len() } else { 0 }];
            kernels::schur::<T>(&a, &mut t, &mut z, shape, vectors).map_err(kernel_error)?;
            write_matrices(&t, t_out)?;
            if vectors {
                write_matrices(&z, z_out)?;
            } else {
                write_zeros(z_out);
            }
            write_eigenvalues(&schur_eigenvalues(&t, shape), w_out)?;
            write_vector(&vec![0i32; shape.batch], sdim)?;
            write_vector(&nan_info(&t, n * n, shape.batch), info)
        })
    }
}

/// The eigenvalues on the diagonal of each row-major Schur form `t` (`shape`): its diagonal
/// for complex input; for real input also the conjugate pairs of its 2 × 2 blocks
/// `[[a, b], [c, d]]` (`c ≠ 0`), `(a + d)/2 ± i·√(−((a − d)²/4 + b·c))`, positive imaginary
/// part first as in LAPACK.
fn schur_eigenvalues<T: Element>(t: &[T], shape: Batch) -> Vec<ComplexOf<T>> {
    let n = shape.rows;
    let mut w = Vec::with_capacity(shape.batch * n);
    for b in 0..shape.batch {
        let at = |i: usize, j: usize| t[b * n * n + i * n + j];
        let mut i = 0;
        while i < n {
            if T::IS_REAL && i + 1 < n && at(i + 1, i) != zero::<T>() {
                let (a, bb, c, d) = (
                    real(&at(i, i)),
                    real(&at(i, i + 1)),
                    real(&at(i + 1, i)),
                    real(&at(i + 1, i + 1)),
                );
                let two = one::<RealOf<T>>() + one::<RealOf<T>>();
                let mean = (a + d) / two;
                let half = (a - d) / two;
                let disc = half * half + bb * c;
                if disc < zero() {
                    let im = sqrt(&(zero::<RealOf<T>>() - disc));
                    w.push(Complex::new(mean, im));
                    w.push(Complex::new(mean, zero::<RealOf<T>>() - im));
                } else {
                    let root = sqrt(&disc);
                    w.push(Complex::new(mean + root, zero()));
                    w.push(Complex::new(mean - root, zero()));
                }
                i += 2;
            } else {
                w.push(Complex::new(real(&at(i, i)), imag(&at(i, i))));
                i += 1;
            }
        }
    }
    w
}
