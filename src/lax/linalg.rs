//! The linear-algebra primitives: cholesky, triangular_solve, qr and eigh.
//!
//! The primitives follow JAX's `jax.lax.linalg`: every operand is a batch of matrices
//! `[..., m, n]` (the leading dimensions are batch dimensions), of dtype `float32`, `float64`,
//! `complex64` or `complex128` (derivatives for the real ones).
//!
//! Where the default client runs rjax's Rust kernels (the CPU), each lowers to a typed FFI
//! call of its kernel (`rjax_cholesky`, ...), as jaxlib calls LAPACK. Elsewhere, the HLO
//! lowering, which every plugin compiles:
//! - `cholesky` is `stablehlo.cholesky` (`lower = true`), followed by a mask that zeroes the
//!   strict upper triangle (the op leaves that triangle implementation-defined).
//! - `triangular_solve` is `stablehlo.triangular_solve`.
//! - `qr` is two custom calls that XLA's `QrExpander` pass expands on every backend, as JAX's
//!   generic (TPU) lowering uses them: `Qr(a) -> (a', taus)` gives the LAPACK `geqrf` form (R
//!   in the upper triangle of `a'` of shape `[..., m, n]`, the Householder vectors below it,
//!   and `taus` of shape `[..., min(m, n)]`), and
//!   `ProductOfElementaryHouseholderReflectors(a', taus) -> q` (LAPACK's `orgqr`, `a'` with at
//!   least as many rows as columns) forms the first columns of Q.
//! - `eigh` is the custom call `Eigh(a) -> (v, w)` that XLA's `EighExpander` pass expands
//!   (a parallel two-sided Jacobi method), with `backend_config = "lower,sort,max_iter,tol"`
//!   as JAX's TPU lowering writes it.

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::lax::linalg_options::{
    CholeskyOptions, EighOptions, QrOptions, TriangularSolveOptions, symmetrize,
};
use crate::lowering::{FunctionBuilder, dense_scalar, i64_array};
use crate::{Array, DType, Error, IntoArray, Result};

/// The primitives of this family, with their parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinalgOp {
    /// `cholesky`: the lower-triangular Cholesky factor `L` of each matrix, `A = L·Lᵀ`.
    Cholesky,
    /// `triangular_solve`: solves `op(A)·X = B` (left side) or `X·op(A) = B` for `X`, where
    /// `A` is triangular.
    TriangularSolve {
        /// Whether `A` is on the left of `X`.
        left_side: bool,
        /// Whether the lower (else the upper) triangle of `A` is used.
        lower: bool,
        /// Whether `op(A)` transposes `A`.
        transpose_a: bool,
        /// Whether `op(A)` conjugates `A` (no effect on real matrices).
        conjugate_a: bool,
        /// Whether the diagonal of `A` is taken to be all ones (and not read).
        unit_diagonal: bool,
    },
    /// `qr`: the QR decomposition, outputs `(q, r)`.
    Qr {
        /// Whether `q` is square (`[..., m, m]`) rather than `[..., m, min(m, n)]`.
        full_matrices: bool,
    },
    /// `eigh`: the symmetric eigendecomposition, outputs `(v, w)`.
    Eigh {
        /// Whether the lower (else the upper) triangle of the input is read.
        lower: bool,
        /// Whether the eigenvalues are sorted ascending.
        sort_eigenvalues: bool,
    },
}

fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

impl LinalgOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match self {
            LinalgOp::Cholesky => "cholesky",
            LinalgOp::TriangularSolve { .. } => "triangular_solve",
            LinalgOp::Qr { .. } => "qr",
            LinalgOp::Eigh { .. } => "eigh",
        }
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        match self {
            LinalgOp::Cholesky => vec![],
            LinalgOp::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                conjugate_a,
                unit_diagonal,
            } => vec![
                format!("conjugate_a={}", python_bool(*conjugate_a)),
                format!("left_side={}", python_bool(*left_side)),
                format!("lower={}", python_bool(*lower)),
                format!("transpose_a={}", python_bool(*transpose_a)),
                format!("unit_diagonal={}", python_bool(*unit_diagonal)),
            ],
            LinalgOp::Qr { full_matrices } => vec![
                format!("full_matrices={}", python_bool(*full_matrices)),
                "pivoting=False".to_string(),
                "use_magma=None".to_string(),
            ],
            LinalgOp::Eigh {
                lower,
                sort_eigenvalues,
            } => vec![
                "algorithm=None".to_string(),
                format!("lower={}", python_bool(*lower)),
                format!("sort_eigenvalues={}", python_bool(*sort_eigenvalues)),
                "subset_by_index=None".to_string(),
            ],
        }
    }

    /// The output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let name = self.name();
        let arity = match self {
            LinalgOp::TriangularSolve { .. } => 2,
            _ => 1,
        };
        if avals.len() != arity {
            return Err(Error::invalid(
                name,
                format!("takes {arity} operand(s), got {}", avals.len()),
            ));
        }
        for aval in avals {
            if !matches!(
                aval.dtype,
                DType::F32 | DType::F64 | DType::C64 | DType::C128
            ) {
                return Err(Error::invalid(
                    name,
                    format!(
                        "accepts float32, float64, complex64 and complex128 matrices, got {aval}"
                    ),
                ));
            }
            if aval.ndim() < 2 {
                return Err(Error::invalid(
                    name,
                    format!("takes a batch of matrices [..., m, n] (rank at least 2), got {aval}"),
                ));
            }
        }
        let a = &avals[0];
        let (batch, m, n) = split_matrix(&a.shape);
        // JAX's weak-type rule for these primitives: weak only if every input is weak.
        let weak_type = avals.iter().all(|aval| aval.weak_type);
        let out = |shape: Vec<usize>| ShapedArray {
            shape,
            dtype: a.dtype,
            weak_type,
        };
        let with_batch = |dims: &[usize]| -> Vec<usize> {
            let mut shape = batch.to_vec();
            shape.extend_from_slice(dims);
            shape
        };
        let require_square = |what: &str| {
            if m == n {
                Ok(())
            } else {
                Err(Error::invalid(
                    name,
                    format!("{what} must be a batch of square matrices [..., n, n], got {a}"),
                ))
            }
        };
        match self {
            LinalgOp::Cholesky => {
                require_square("the input")?;
                Ok(vec![out(a.shape.clone())])
            }
            LinalgOp::TriangularSolve { left_side, .. } => {
                require_square("the first operand `a`")?;
                let b = &avals[1];
                let (b_batch, b_rows, b_cols) = split_matrix(&b.shape);
                if b.dtype != a.dtype {
                    return Err(Error::invalid(
                        name,
                        format!("operands must have one dtype, got a: {a} and b: {b}"),
                    ));
                }
                if b_batch != batch {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "operands must have the same batch dimensions, got a: {a} and b: {b}"
                        ),
                    ));
                }
                let (common, side) = if *left_side {
                    (b_rows, "rows (left_side=True)")
                } else {
                    (b_cols, "columns (left_side=False)")
                };
                if common != n {
                    return Err(Error::invalid(
                        name,
                        format!("incompatible shapes a: {a} and b: {b}: b must have {n} {side}"),
                    ));
                }
                Ok(vec![out(b.shape.clone())])
            }
            LinalgOp::Qr { full_matrices } => {
                let k = if *full_matrices { m } else { m.min(n) };
                Ok(vec![out(with_batch(&[m, k])), out(with_batch(&[k, n]))])
            }
            LinalgOp::Eigh { .. } => {
                require_square("the input")?;
                // The eigenvalues of a Hermitian matrix are real.
                let w = ShapedArray {
                    dtype: a.dtype.real_part(),
                    ..out(with_batch(&[n]))
                };
                Ok(vec![out(with_batch(&[n, n])), w])
            }
        }
    }

    /// Emits the StableHLO for this primitive: a call of rjax's Rust kernel where the
    /// default client runs them (the CPU), else the HLO lowering below.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        if super::ffi_call::kernels_available() {
            return Ok(self.lower_to_kernel(f, args, avals_in, avals_out));
        }
        self.lower_to_hlo(f, args, avals_in, avals_out)
    }

    /// A call of the kernel of the same name (`rjax_cholesky`, ...), its flags as attributes.
    fn lower_to_kernel(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Vec<String> {
        let (target, attributes): (&'static str, Vec<(&'static str, i64)>) = match self {
            LinalgOp::Cholesky => ("rjax_cholesky", vec![("lower", 1)]),
            LinalgOp::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                conjugate_a,
                unit_diagonal,
            } => (
                "rjax_triangular_solve",
                vec![
                    ("conjugate_a", i64::from(*conjugate_a)),
                    ("left_side", i64::from(*left_side)),
                    ("lower", i64::from(*lower)),
                    ("transpose_a", i64::from(*transpose_a)),
                    ("unit_diagonal", i64::from(*unit_diagonal)),
                ],
            ),
            LinalgOp::Qr { full_matrices } => (
                "rjax_qr",
                vec![("full_matrices", i64::from(*full_matrices))],
            ),
            // The kernel's eigenvalues always come out ascending, as LAPACK's `syevd` gives
            // them, so `sort_eigenvalues` holds either way.
            LinalgOp::Eigh { lower, .. } => (
                "rjax_eigh",
                vec![("compute_v", 1), ("lower", i64::from(*lower))],
            ),
        };
        let call = super::FfiCallOp {
            target,
            attributes,
            results: avals_out.to_vec(),
            vmap_method: super::VmapMethod::BroadcastAll,
        };
        // The Cholesky kernel already gives what JAX's `cholesky` keeps of LAPACK's result:
        // the lower factor with zeros above, or NaN below and zeros above for a matrix that is
        // not positive definite.
        call.lower(f, args, avals_in)
    }

    /// The HLO lowering every plugin compiles.
    fn lower_to_hlo(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        match self {
            LinalgOp::Cholesky => Ok(vec![cholesky_lower(f, &args[0], &avals_in[0])]),
            LinalgOp::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                conjugate_a,
                unit_diagonal,
            } => {
                let complex = avals_in[0].dtype.is_complex();
                let transpose = match (*transpose_a, *conjugate_a && complex) {
                    (false, _) => "NO_TRANSPOSE",
                    (true, false) => "TRANSPOSE",
                    (true, true) => "ADJOINT",
                };
                let mut args = args.to_vec();
                if complex && *conjugate_a && !*transpose_a {
                    // StableHLO has no conjugate-only mode: conjugate `a` first.
                    args[0] = conjugate(f, &args[0], &avals_in[0]);
                }
                let args = &args;
                let attributes = format!(
                    "left_side = {left_side}, lower = {lower}, unit_diagonal = {unit_diagonal}, \
                     transpose_a = #stablehlo<transpose {transpose}>"
                );
                Ok(vec![f.op(
                    "stablehlo.triangular_solve",
                    args,
                    avals_in,
                    &avals_out[..1],
                    &attributes,
                )])
            }
            LinalgOp::Qr { full_matrices } => Ok(qr_lower(
                *full_matrices,
                f,
                &args[0],
                &avals_in[0],
                avals_out,
            )),
            LinalgOp::Eigh { lower, .. } => {
                Ok(eigh_lower(*lower, f, &args[0], &avals_in[0], avals_out))
            }
        }
    }
}

/// The complex conjugate of `x`.
fn conjugate(f: &mut FunctionBuilder<'_>, x: &str, aval: &ShapedArray) -> String {
    let part = aval.with_dtype(aval.dtype.real_part());
    let one = std::slice::from_ref(aval);
    let parts = std::slice::from_ref(&part);
    let re = f.op("stablehlo.real", &[x.to_string()], one, parts, "");
    let im = f.op("stablehlo.imag", &[x.to_string()], one, parts, "");
    let negated = f.op("stablehlo.negate", &[im], parts, parts, "");
    f.op(
        "stablehlo.complex",
        &[re, negated],
        &[part.clone(), part.clone()],
        one,
        "",
    )
}

/// `(batch dimensions, rows, columns)` of a shape of rank at least 2.
fn split_matrix(shape: &[usize]) -> (&[usize], usize, usize) {
    let rank = shape.len();
    (&shape[..rank - 2], shape[rank - 2], shape[rank - 1])
}

/// A constant of type `aval` with every element zero.
fn zeros(f: &mut FunctionBuilder<'_>, aval: &ShapedArray) -> String {
    let bytes = vec![0u8; aval.dtype.size_in_bytes()];
    f.constant(aval, &dense_scalar(aval.dtype, &bytes))
}

/// A `bool` array of `shape` (`[..., rows, cols]`) that holds `row <direction> column`, e.g.
/// `GE` for the lower triangle with the diagonal.
fn triangle_mask(f: &mut FunctionBuilder<'_>, shape: &[usize], direction: &str) -> String {
    let rank = shape.len();
    let matrix = ShapedArray::new(shape[rank - 2..].to_vec(), DType::I32);
    let rows = f.op(
        "stablehlo.iota",
        &[],
        &[],
        std::slice::from_ref(&matrix),
        "iota_dimension = 0 : i64",
    );
    let cols = f.op(
        "stablehlo.iota",
        &[],
        &[],
        std::slice::from_ref(&matrix),
        "iota_dimension = 1 : i64",
    );
    let mask = matrix.with_dtype(DType::Bool);
    let compared = f.op(
        "stablehlo.compare",
        &[rows, cols],
        &[matrix.clone(), matrix],
        std::slice::from_ref(&mask),
        &format!(
            "comparison_direction = #stablehlo<comparison_direction {direction}>, \
             compare_type = #stablehlo<comparison_type SIGNED>"
        ),
    );
    if rank == 2 {
        return compared;
    }
    f.op(
        "stablehlo.broadcast_in_dim",
        &[compared],
        std::slice::from_ref(&mask),
        &[ShapedArray::new(shape.to_vec(), DType::Bool)],
        &format!(
            "broadcast_dimensions = {}",
            i64_array(&[rank - 2, rank - 1])
        ),
    )
}

/// `x` with the elements outside the triangle `row <direction> column` set to zero.
fn keep_triangle(
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
    direction: &str,
) -> String {
    let mask = triangle_mask(f, &aval.shape, direction);
    let zero = zeros(f, aval);
    f.op(
        "stablehlo.select",
        &[mask, x.to_string(), zero],
        &[aval.with_dtype(DType::Bool), aval.clone(), aval.clone()],
        std::slice::from_ref(aval),
        "",
    )
}

/// The leading `[..., rows, cols]` block of `x`.
fn leading_block(
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
    rows: usize,
    cols: usize,
) -> (String, ShapedArray) {
    let rank = aval.ndim();
    let mut limit = aval.shape.clone();
    limit[rank - 2] = rows;
    limit[rank - 1] = cols;
    let out = aval.with_shape(limit.clone());
    let value = f.op(
        "stablehlo.slice",
        &[x.to_string()],
        std::slice::from_ref(aval),
        std::slice::from_ref(&out),
        &format!(
            "start_indices = {}, limit_indices = {}, strides = {}",
            i64_array(&vec![0; rank]),
            i64_array(&limit),
            i64_array(&vec![1; rank])
        ),
    );
    (value, out)
}

/// Swaps the last two dimensions of `x`.
fn transpose_matrices(f: &mut FunctionBuilder<'_>, x: &str, aval: &ShapedArray) -> String {
    let rank = aval.ndim();
    let mut permutation: Vec<usize> = (0..rank).collect();
    permutation.swap(rank - 2, rank - 1);
    let mut shape = aval.shape.clone();
    shape.swap(rank - 2, rank - 1);
    f.op(
        "stablehlo.transpose",
        &[x.to_string()],
        std::slice::from_ref(aval),
        &[aval.with_shape(shape)],
        &format!("permutation = {}", i64_array(&permutation)),
    )
}

fn cholesky_lower(f: &mut FunctionBuilder<'_>, a: &str, aval: &ShapedArray) -> String {
    let factor = f.op(
        "stablehlo.cholesky",
        &[a.to_string()],
        std::slice::from_ref(aval),
        std::slice::from_ref(aval),
        "lower = true",
    );
    keep_triangle(f, &factor, aval, "GE")
}

/// JAX's `_qr_lowering`: `geqrf` through the `Qr` custom call, then `orgqr` through
/// `ProductOfElementaryHouseholderReflectors`, then the upper triangle of R.
fn qr_lower(
    full_matrices: bool,
    f: &mut FunctionBuilder<'_>,
    a: &str,
    aval: &ShapedArray,
    avals_out: &[ShapedArray],
) -> Vec<String> {
    let (q_aval, r_aval) = (&avals_out[0], &avals_out[1]);
    let (batch, m, n) = split_matrix(&aval.shape);
    let rank = aval.ndim();
    if m == 0 || n == 0 {
        // No reflectors: Q is the leading columns of the identity and R is empty or zero.
        let eye = triangle_mask(f, &q_aval.shape, "EQ");
        let q = f.op(
            "stablehlo.convert",
            &[eye],
            &[q_aval.with_dtype(DType::Bool)],
            std::slice::from_ref(q_aval),
            "",
        );
        let r = zeros(f, r_aval);
        return vec![q, r];
    }
    let p = m.min(n);
    let mut taus_shape = batch.to_vec();
    taus_shape.push(p);
    let taus_aval = aval.with_shape(taus_shape);
    let geqrf = f.op_with_regions(
        "stablehlo.custom_call",
        &[a.to_string()],
        std::slice::from_ref(aval),
        &[aval.clone(), taus_aval.clone()],
        "call_target_name = \"Qr\", api_version = 1 : i32",
        &[],
    );
    let (packed, taus) = (&geqrf[0], &geqrf[1]);
    // The reflectors, as a matrix with at least as many rows as columns.
    let (reflectors, reflectors_aval) = if m < n {
        leading_block(f, packed, aval, m, m)
    } else if full_matrices && m > n {
        let mut high = vec![0; rank];
        high[rank - 1] = m - n;
        let scalar = ShapedArray::new(Vec::new(), aval.dtype);
        let zero = zeros(f, &scalar);
        let padded_aval = q_aval.clone();
        let padded = f.op(
            "stablehlo.pad",
            &[packed.clone(), zero],
            &[aval.clone(), scalar],
            std::slice::from_ref(&padded_aval),
            &format!(
                "edge_padding_low = {}, edge_padding_high = {}, interior_padding = {}",
                i64_array(&vec![0; rank]),
                i64_array(&high),
                i64_array(&vec![0; rank])
            ),
        );
        (padded, padded_aval)
    } else {
        (packed.clone(), aval.clone())
    };
    let q = f.op(
        "stablehlo.custom_call",
        &[reflectors, taus.clone()],
        &[reflectors_aval, taus_aval],
        std::slice::from_ref(q_aval),
        "call_target_name = \"ProductOfElementaryHouseholderReflectors\", api_version = 1 : i32",
    );
    let r_full = if r_aval.shape == aval.shape {
        packed.clone()
    } else {
        leading_block(f, packed, aval, r_aval.shape[rank - 2], n).0
    };
    let r = keep_triangle(f, &r_full, r_aval, "LE");
    vec![q, r]
}

/// The `Eigh` custom call. XLA's `EighExpander` caches its expansion by operand shape alone,
/// so two calls on one shape with different `backend_config`s in one module would share the
/// first one's flags: every call here uses the same flags (`lower = 1`, sorted), and an upper
/// triangle is made a lower one by transposing the input.
fn eigh_lower(
    lower: bool,
    f: &mut FunctionBuilder<'_>,
    a: &str,
    aval: &ShapedArray,
    avals_out: &[ShapedArray],
) -> Vec<String> {
    let n = aval.shape[aval.ndim() - 1];
    if n == 0 {
        return avals_out.iter().map(|out| zeros(f, out)).collect();
    }
    let input = if lower {
        a.to_string()
    } else {
        transpose_matrices(f, a, aval)
    };
    // The Jacobi sweeps stop once the off-diagonal norm is below `tol` times the norm.
    let tol = match aval.dtype {
        DType::F64 | DType::C128 => "1e-12",
        _ => "1e-6",
    };
    f.op_with_regions(
        "stablehlo.custom_call",
        &[input],
        std::slice::from_ref(aval),
        avals_out,
        &format!(
            "call_target_name = \"Eigh\", api_version = 1 : i32, backend_config = \"1,1,100,{tol}\""
        ),
        &[],
    )
}

/// Binds a multi-output linalg primitive, panicking at the caller on misuse.
#[track_caller]
fn bind_two(op: LinalgOp, a: &Array) -> (Array, Array) {
    let mut outputs =
        crate::lax::unwrap_at_caller(bind(Primitive::Linalg(op), std::slice::from_ref(a)));
    let second = outputs.pop().expect("two outputs");
    let first = outputs.pop().expect("two outputs");
    (first, second)
}

/// The Cholesky factor of each symmetric positive-definite matrix of `a` (shape
/// `[..., n, n]`): the lower-triangular `L` with `A = L·Lᵀ`, as `jax.lax.linalg.cholesky(a)`,
/// which symmetrizes the input first (`(a + aᵀ)/2`). See [`cholesky_with`] to read only the
/// lower triangle.
///
/// The strict upper triangle of the result is zero. A matrix that is not positive definite
/// gives NaNs in place of its factor's lower triangle (XLA's expansion flags a failed square
/// root and fills the whole matrix, per batch element; other matrices of the batch are
/// unaffected), as JAX does on the CPU.
///
/// # Panics
/// If `a` is not a batch of square `float32`, `float64`, `complex64` or `complex128`
/// matrices.
#[track_caller]
pub fn cholesky(a: impl IntoArray) -> Array {
    cholesky_with(a, CholeskyOptions::default())
}

/// [`cholesky`] with JAX's keyword `symmetrize_input`: if `false`, only the lower triangle of
/// `a` is read.
#[track_caller]
pub fn cholesky_with(a: impl IntoArray, options: CholeskyOptions) -> Array {
    let mut a = a.into_array();
    if options.symmetrize_input {
        a = symmetrize(a);
    }
    crate::lax::apply(Primitive::Linalg(LinalgOp::Cholesky), &[&a])
}

/// Solves `X·A = B` for `X`, reading the upper triangle of `A`, as
/// `jax.lax.linalg.triangular_solve(a, b)`; see [`triangular_solve_with`] for JAX's keywords
/// and the shapes.
///
/// # Panics
/// If the shapes do not fit, or the dtypes differ or are not `float32`/`float64`.
#[track_caller]
pub fn triangular_solve(a: impl IntoArray, b: impl IntoArray) -> Array {
    triangular_solve_with(a, b, TriangularSolveOptions::default())
}

/// Solves a triangular system for `X` (`jax.lax.linalg.triangular_solve` with its keywords):
/// `op(A)·X = B` if `options.left_side`, else `X·op(A) = B`, with `op(A)` = `Aᵀ` if
/// `transpose_a` (and conjugated if `conjugate_a`, which has no effect on real matrices).
///
/// `a` has shape `[..., m, m]`; only its `lower` (else upper) triangle is read, and its diagonal
/// is taken to be all ones if `unit_diagonal`. `b` has shape `[..., m, n]` if `left_side`, else
/// `[..., n, m]`, with the same batch dimensions; as in JAX, `b` may also be a batch of vectors
/// (`[..., m]`, one dimension fewer than `a`). The result has `b`'s shape.
///
/// # Panics
/// If the shapes do not fit, or the dtypes differ or are not `float32`/`float64`.
#[track_caller]
pub fn triangular_solve_with(
    a: impl IntoArray,
    b: impl IntoArray,
    options: TriangularSolveOptions,
) -> Array {
    let (a, b) = (a.into_array(), b.into_array());
    let TriangularSolveOptions {
        left_side,
        lower,
        transpose_a,
        conjugate_a,
        unit_diagonal,
    } = options;
    let op = LinalgOp::TriangularSolve {
        left_side,
        lower,
        transpose_a,
        // As JAX: conjugation is dropped for real operands.
        conjugate_a: conjugate_a && a.dtype().is_complex(),
        unit_diagonal,
    };
    let singleton = a.ndim() >= 2 && b.ndim() + 1 == a.ndim();
    if !singleton {
        return crate::lax::apply(Primitive::Linalg(op), &[&a, &b]);
    }
    let axis = if left_side { b.ndim() } else { b.ndim() - 1 };
    let matrix = crate::lax::expand_dims(&b, &[axis]);
    let solved = crate::lax::apply(Primitive::Linalg(op), &[&a, &matrix]);
    crate::lax::squeeze(&solved, &[axis])
}

/// The QR decomposition `A = Q·R` of each matrix of `a` (shape `[..., m, n]`), as `(q, r)`
/// with `q` square (`jax.lax.linalg.qr(a)`, `full_matrices=True`): `q` is `[..., m, m]` and
/// `r` is `[..., m, n]`. See [`qr_with`] for the reduced form.
///
/// # Panics
/// If `a` is not a batch of `float32`/`float64` matrices.
#[track_caller]
pub fn qr(a: impl IntoArray) -> (Array, Array) {
    qr_with(a, QrOptions::default())
}

/// [`qr`] with JAX's keyword `full_matrices`: if `false` (NumPy's mode `'reduced'`), `q` is
/// `[..., m, k]` and `r` is `[..., k, n]` with `k = min(m, n)`. `q` has orthonormal columns
/// and `r` is upper triangular. The signs follow LAPACK's Householder convention (the diagonal
/// of `r` may be negative).
///
/// # Panics
/// If `a` is not a batch of `float32`/`float64` matrices.
#[track_caller]
pub fn qr_with(a: impl IntoArray, options: QrOptions) -> (Array, Array) {
    let full_matrices = options.full_matrices;
    bind_two(LinalgOp::Qr { full_matrices }, &a.into_array())
}

/// The eigendecomposition of each symmetric matrix of `a` (shape `[..., n, n]`), as `(v, w)`,
/// as `jax.lax.linalg.eigh(a)`: the input is symmetrized first (`(a + aᴴ)/2`), `v[..., :, i]`
/// is the unit eigenvector of the eigenvalue `w[..., i]`, so `A·V = V·diag(w)` and `V` is
/// orthogonal, and the eigenvalues are ascending. See [`eigh_with`] for JAX's keywords.
///
/// XLA expands the decomposition as a Jacobi method whose rotations are skipped below a
/// `float32`-sized threshold, so for `float64` the eigenvalues are accurate to about machine
/// precision for well-separated eigenvalues but the residual `A·V - V·diag(w)` is only about
/// `1e-8·|A|`.
///
/// # Panics
/// If `a` is not a batch of square `float32`, `float64`, `complex64` or `complex128`
/// matrices.
#[track_caller]
pub fn eigh(a: impl IntoArray) -> (Array, Array) {
    eigh_with(a, EighOptions::default())
}

/// [`eigh`] with JAX's keywords: without `symmetrize_input`, only the `lower` (else upper)
/// triangle of `a` is read; `sort_eigenvalues = false` allows any order, and this lowering
/// sorts them anyway (as JAX's CPU and GPU lowerings do).
#[track_caller]
pub fn eigh_with(a: impl IntoArray, options: EighOptions) -> (Array, Array) {
    let mut a = a.into_array();
    if options.symmetrize_input {
        a = symmetrize(a);
    }
    bind_two(
        LinalgOp::Eigh {
            lower: options.lower,
            sort_eigenvalues: options.sort_eigenvalues,
        },
        &a,
    )
}
