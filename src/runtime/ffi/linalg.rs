//! The linear-algebra handlers: each decodes its call (dtype, batch shape, flags) and runs the
//! `faer`-backed kernel of [`crate::kernels::linalg`] on XLA's buffers, for float32, float64,
//! complex64 and complex128.
//!
//! Targets, operands → results (batch dimensions leading everywhere):
//! - `rjax_cholesky {lower}`: a → factor
//! - `rjax_triangular_solve {left_side, lower, transpose_a, conjugate_a, unit_diagonal}`:
//!   a, b → x
//! - `rjax_lu`: a → lu, pivots (i32), permutation (i32)
//! - `rjax_qr {full_matrices}`: a → q, r
//! - `rjax_geqrf`: a → packed, taus; `rjax_householder_product`: a, taus → q
//! - `rjax_eigh {compute_v, lower}`: a → v, w (or w alone), eigenvalues ascending
//! - `rjax_svd {compute_uv, full_matrices}`: a → s, u, vh (or s alone)
//! - `rjax_eig {compute_left, compute_right}`: a → w, vl, vr (complex; vectors when asked)
//! - `rjax_hessenberg`: a → packed, taus
//! - `rjax_schur {compute_vectors}`: a → t, z (or t alone)

use super::call::{Call, FfiBuffer, Handler};
use crate::kernels::ComplexOf;
use crate::kernels::linalg::{
    self as kernels, Batch, EigOptions, SvdOptions, TriangularSolveOptions,
};

/// Runs `$body` with `$T` bound to the element type of `$dtype`.
macro_rules! with_element {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::DType::C64 => {
                type $T = faer::c32;
                $body
            }
            $crate::DType::C128 => {
                type $T = faer::c64;
                $body
            }
            other => Err(format!(
                "takes float32, float64, complex64 or complex128, got {}",
                other.name()
            )),
        }
    };
}
pub(super) use with_element;

/// The real type of an element type (eigenvalues, singular values).
pub(super) type RealOf<T> = <T as faer::traits::ComplexField>::Real;

/// The batch of matrices a buffer holds.
pub(super) fn batch_of(buffer: &FfiBuffer<'_>) -> Result<Batch, String> {
    let dims = buffer.dims();
    if dims.len() < 2 {
        return Err(format!("expected a batch of matrices, got shape {dims:?}"));
    }
    let (lead, matrix) = dims.split_at(dims.len() - 2);
    Ok(Batch::new(lead.iter().product(), matrix[0], matrix[1]))
}

fn results2<'a, 'call>(
    call: &'a mut Call<'call>,
) -> Result<(&'a mut FfiBuffer<'call>, &'a mut FfiBuffer<'call>), String> {
    match &mut call.results[..] {
        [first, second] => Ok((first, second)),
        other => Err(format!("expected 2 results, got {}", other.len())),
    }
}

fn results3<'a, 'call>(
    call: &'a mut Call<'call>,
) -> Result<
    (
        &'a mut FfiBuffer<'call>,
        &'a mut FfiBuffer<'call>,
        &'a mut FfiBuffer<'call>,
    ),
    String,
> {
    match &mut call.results[..] {
        [first, second, third] => Ok((first, second, third)),
        other => Err(format!("expected 3 results, got {}", other.len())),
    }
}

/// `rjax_cholesky`.
pub(super) struct Cholesky;

impl Handler for Cholesky {
    const TARGET: &'static str = "rjax_cholesky";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 1)?;
        let lower = call.attr_bool("lower")?;
        let shape = batch_of(&call.args[0])?;
        let (a, out) = (&call.args[0], &mut call.results[0]);
        with_element!(a.dtype(), T => {
            kernels::cholesky::<T>(a.slice()?, out.slice_mut()?, shape, lower)
                .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_triangular_solve`.
pub(super) struct TriangularSolve;

impl Handler for TriangularSolve {
    const TARGET: &'static str = "rjax_triangular_solve";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(2, 1)?;
        let options = TriangularSolveOptions {
            left_side: call.attr_bool("left_side")?,
            lower: call.attr_bool("lower")?,
            transpose_a: call.attr_bool("transpose_a")?,
            conjugate_a: call.attr_bool("conjugate_a")?,
            unit_diagonal: call.attr_bool("unit_diagonal")?,
        };
        let shape = batch_of(&call.args[1])?;
        let (a, b, x) = (&call.args[0], &call.args[1], &mut call.results[0]);
        with_element!(a.dtype(), T => {
            kernels::triangular_solve::<T>(a.slice()?, b.slice()?, x.slice_mut()?, shape, options)
                .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_lu`.
pub(super) struct Lu;

impl Handler for Lu {
    const TARGET: &'static str = "rjax_lu";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 3)?;
        let shape = batch_of(&call.args[0])?;
        let dtype = call.args[0].dtype();
        let a = call.args.remove(0);
        let (lu, pivots, permutation) = results3(call)?;
        with_element!(dtype, T => {
            kernels::lu::<T>(
                a.slice()?,
                lu.slice_mut()?,
                pivots.slice_mut()?,
                permutation.slice_mut()?,
                shape,
            )
            .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_qr`.
pub(super) struct Qr;

impl Handler for Qr {
    const TARGET: &'static str = "rjax_qr";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 2)?;
        let full_matrices = call.attr_bool("full_matrices")?;
        let shape = batch_of(&call.args[0])?;
        let a = call.args.remove(0);
        let (q, r) = results2(call)?;
        with_element!(a.dtype(), T => {
            kernels::qr::<T>(a.slice()?, q.slice_mut()?, r.slice_mut()?, shape, full_matrices)
                .map_err(|e| e.to_string())
        })
    }
}

/// A handler of a kernel `a → (packed, taus)` in LAPACK's reflector form.
macro_rules! packed_reflectors_handler {
    ($(#[$doc:meta])* $name:ident, $target:literal, $kernel:ident) => {
        $(#[$doc])*
        pub(super) struct $name;

        impl Handler for $name {
            const TARGET: &'static str = $target;

            fn call(call: &mut Call<'_>) -> Result<(), String> {
                call.expect_counts(1, 2)?;
                let shape = batch_of(&call.args[0])?;
                let a = call.args.remove(0);
                let (packed, taus) = results2(call)?;
                with_element!(a.dtype(), T => {
                    kernels::$kernel::<T>(a.slice()?, packed.slice_mut()?, taus.slice_mut()?, shape)
                        .map_err(|e| e.to_string())
                })
            }
        }
    };
}

packed_reflectors_handler!(
    /// `rjax_geqrf`: a → packed, taus (LAPACK's `geqrf` form).
    Geqrf,
    "rjax_geqrf",
    geqrf
);
packed_reflectors_handler!(
    /// `rjax_hessenberg`: a → packed, taus (LAPACK's `gehrd` form).
    Hessenberg,
    "rjax_hessenberg",
    hessenberg
);

/// `rjax_householder_product`.
pub(super) struct HouseholderProduct;

impl Handler for HouseholderProduct {
    const TARGET: &'static str = "rjax_householder_product";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(2, 1)?;
        let shape = batch_of(&call.args[0])?;
        let k = call.args[1].dims().last().copied().unwrap_or(0);
        let (a, taus, q) = (&call.args[0], &call.args[1], &mut call.results[0]);
        with_element!(a.dtype(), T => {
            kernels::householder_product::<T>(a.slice()?, taus.slice()?, q.slice_mut()?, shape, k)
                .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_eigh`.
pub(super) struct Eigh;

impl Handler for Eigh {
    const TARGET: &'static str = "rjax_eigh";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let compute_v = call.attr_bool("compute_v")?;
        call.expect_counts(1, if compute_v { 2 } else { 1 })?;
        let lower = call.attr_bool("lower")?;
        let shape = batch_of(&call.args[0])?;
        let a = call.args.remove(0);
        with_element!(a.dtype(), T => {
            if compute_v {
                let (v, w) = results2(call)?;
                kernels::eigh::<T>(a.slice()?, v.slice_mut()?, w.slice_mut::<RealOf<T>>()?, shape, lower)
            } else {
                let w = call.results[0].slice_mut::<RealOf<T>>()?;
                kernels::eigh::<T>(a.slice()?, &mut [], w, shape, lower)
            }
            .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_svd`.
pub(super) struct Svd;

impl Handler for Svd {
    const TARGET: &'static str = "rjax_svd";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let options = SvdOptions {
            compute_uv: call.attr_bool("compute_uv")?,
            full_matrices: call.attr_bool("full_matrices")?,
        };
        call.expect_counts(1, if options.compute_uv { 3 } else { 1 })?;
        let shape = batch_of(&call.args[0])?;
        let a = call.args.remove(0);
        with_element!(a.dtype(), T => {
            if options.compute_uv {
                let (s, u, vt) = results3(call)?;
                kernels::svd::<T>(
                    a.slice()?,
                    s.slice_mut::<RealOf<T>>()?,
                    u.slice_mut()?,
                    vt.slice_mut()?,
                    shape,
                    options,
                )
            } else {
                let s = call.results[0].slice_mut::<RealOf<T>>()?;
                kernels::svd::<T>(a.slice()?, s, &mut [], &mut [], shape, options)
            }
            .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_eig {compute_left, compute_right}`: a → w, then vl and vr when asked for (complex).
pub(super) struct Eig;

impl Handler for Eig {
    const TARGET: &'static str = "rjax_eig";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let options = EigOptions {
            compute_left: call.attr_bool("compute_left")?,
            compute_right: call.attr_bool("compute_right")?,
        };
        let vectors = usize::from(options.compute_left) + usize::from(options.compute_right);
        call.expect_counts(1, 1 + vectors)?;
        let shape = batch_of(&call.args[0])?;
        let a = call.args.remove(0);
        let (w, rest) = call.results.split_first_mut().ok_or("no results")?;
        let mut rest = rest.iter_mut();
        let mut left = options.compute_left.then(|| rest.next()).flatten();
        let mut right = options.compute_right.then(|| rest.next()).flatten();
        with_element!(a.dtype(), T => {
            let vl = match left.as_mut() {
                Some(buffer) => buffer.slice_mut::<ComplexOf<T>>()?,
                None => &mut [],
            };
            let vr = match right.as_mut() {
                Some(buffer) => buffer.slice_mut::<ComplexOf<T>>()?,
                None => &mut [],
            };
            kernels::eig::<T>(a.slice()?, w.slice_mut::<ComplexOf<T>>()?, vl, vr, shape, options)
                .map_err(|e| e.to_string())
        })
    }
}

/// `rjax_schur {compute_vectors}`: a → t, then z when asked for.
pub(super) struct Schur;

impl Handler for Schur {
    const TARGET: &'static str = "rjax_schur";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let compute_vectors = call.attr_bool("compute_vectors")?;
        call.expect_counts(1, 1 + usize::from(compute_vectors))?;
        let shape = batch_of(&call.args[0])?;
        let a = call.args.remove(0);
        let (t, rest) = call.results.split_first_mut().ok_or("no results")?;
        with_element!(a.dtype(), T => {
            let z = match rest.first_mut() {
                Some(buffer) => buffer.slice_mut::<T>()?,
                None => &mut [],
            };
            kernels::schur::<T>(a.slice()?, t.slice_mut()?, z, shape, compute_vectors)
                .map_err(|e| e.to_string())
        })
    }
}
