//! `jax.scipy.linalg`: the LU factorization (`lu`, `lu_factor`, `lu_solve`), triangular and
//! Cholesky solves (`solve_triangular`, `cho_factor`, `cho_solve`), `block_diag`, and the
//! matrix exponential (`expm`, `expm_frechet`).
//!
//! Built on [`crate::lax`]'s `triangular_solve` and `cholesky` and on the LU of
//! [`crate::numpy::linalg`], which run rjax's kernels on the CPU and HLO elsewhere; batched
//! (leading dimensions), and differentiable as JAX's (through the primitives' rules).

mod block_diag;
mod expm;
mod lu;
mod triangular;

pub use block_diag::block_diag;
pub use expm::{DEFAULT_MAX_SQUARINGS, expm, expm_frechet, expm_with};
pub use lu::{lu, lu_factor, lu_permute_l, lu_solve};
pub use triangular::{cho_factor, cho_solve, solve_triangular};

/// Which system a solve solves (SciPy's `trans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trans {
    /// `A·x = b` (`trans=0` or `'N'`).
    #[default]
    None,
    /// `Aᵀ·x = b` (`trans=1` or `'T'`).
    Transpose,
    /// `Aᴴ·x = b` (`trans=2` or `'C'`).
    ConjugateTranspose,
}
