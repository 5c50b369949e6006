//! `rjax::scipy`: JAX's `jax.scipy` — [`special`] (error, gamma, beta, zeta and Bessel
//! functions, `logsumexp`, ...) and [`linalg`] (`lu_factor`, `lu_solve`).

pub mod linalg;
pub mod special;
