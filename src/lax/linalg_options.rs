//! JAX's keywords of the `jax.lax.linalg` functions, with JAX's defaults: the options of
//! [`cholesky_with`](crate::lax::cholesky_with),
//! [`triangular_solve_with`](crate::lax::triangular_solve_with),
//! [`qr_with`](crate::lax::qr_with), [`eigh_with`](crate::lax::eigh_with),
//! [`eig_with`](crate::lax::eig_with) and [`schur_with`](crate::lax::schur_with). Each has
//! `Default` (JAX's defaults) and a builder method per field taking its value.

use crate::Array;
use crate::lax::{conj, transpose};

/// Defines an options struct whose builder methods set one field each.
macro_rules! options {
    (
        $(#[$doc:meta])* $name:ident {
            $($(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> $name {
                $name { $($field: $default,)* }
            }
        }

        impl $name {
            $(
                #[doc = concat!("The same with `", stringify!($field), "` set.")]
                pub fn $field(mut self, $field: $ty) -> $name {
                    self.$field = $field;
                    self
                }
            )*
        }
    };
}

options! {
    /// JAX's keywords of `jax.lax.linalg.cholesky`.
    CholeskyOptions {
        /// Whether the input is replaced by `(a + aᵀ)/2` first, so that both triangles count
        /// and gradients are symmetric (default `true`); if `false`, only the lower triangle is
        /// read.
        symmetrize_input: bool = true,
    }
}

options! {
    /// JAX's keywords of `jax.lax.linalg.triangular_solve`: by default `X·A = B` with the
    /// upper triangle of `A`.
    TriangularSolveOptions {
        /// Solve `op(A)·X = B` (else `X·op(A) = B`; default `false`).
        left_side: bool = false,
        /// Read the lower (else the upper) triangle of `A` (default `false`).
        lower: bool = false,
        /// `op(A)` transposes `A` (default `false`).
        transpose_a: bool = false,
        /// `op(A)` conjugates `A`; no effect on real matrices (default `false`).
        conjugate_a: bool = false,
        /// Take the diagonal of `A` to be all ones, unread (default `false`).
        unit_diagonal: bool = false,
    }
}

options! {
    /// JAX's keywords of `jax.lax.linalg.qr` (`pivoting` and `use_magma` are not supported).
    QrOptions {
        /// `q` is square, `[..., m, m]` (NumPy's `'complete'`), else `[..., m, min(m, n)]`
        /// (`'reduced'`; default `true`).
        full_matrices: bool = true,
    }
}

options! {
    /// JAX's keywords of `jax.lax.linalg.eigh` (`subset_by_index` and `implementation` are not
    /// supported).
    EighOptions {
        /// Read the lower (else the upper) triangle of the input (default `true`); no effect
        /// when `symmetrize_input`.
        lower: bool = true,
        /// Replace the input by `(a + aᵀ)/2` first, so that both triangles count and
        /// gradients are symmetric (default `true`).
        symmetrize_input: bool = true,
        /// Sort the eigenvalues ascending (default `true`; this lowering always sorts).
        sort_eigenvalues: bool = true,
    }
}

options! {
    /// JAX's keywords of `jax.lax.linalg.eig` (`enable_eigvec_derivs`, `implementation` and
    /// `use_magma` are not supported).
    EigOptions {
        /// Return the left eigenvectors (default `true`).
        compute_left_eigenvectors: bool = true,
        /// Return the right eigenvectors (default `true`).
        compute_right_eigenvectors: bool = true,
    }
}

options! {
    /// JAX's keywords of `jax.lax.linalg.schur` (`sort_eig_vals` and `select_callable` are not
    /// supported).
    SchurOptions {
        /// Return the Schur vectors `Z` (default `true`).
        compute_schur_vectors: bool = true,
    }
}

/// `(a + aᴴ)/2` over the last two dimensions (JAX's `symmetrize`): the Hermitian part of
/// each matrix (the symmetric part of a real one). An operand that is not a batch of square
/// inexact matrices is returned as is, for the primitive to reject in its own words.
#[track_caller]
pub(crate) fn symmetrize(a: Array) -> Array {
    let shape = a.shape();
    let rank = shape.len();
    if rank < 2 || shape[rank - 1] != shape[rank - 2] || !a.dtype().is_inexact() {
        return a;
    }
    let mut permutation: Vec<usize> = (0..rank).collect();
    permutation.swap(rank - 2, rank - 1);
    let transposed = transpose(&a, &permutation);
    let adjoint = if a.dtype().is_complex() {
        conj(transposed)
    } else {
        transposed
    };
    (&a + adjoint) * 0.5
}
