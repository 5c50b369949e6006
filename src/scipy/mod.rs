//! `rjax::scipy`: JAX's `jax.scipy` — [`special`] (error, gamma, beta, zeta and Bessel
//! functions, `logsumexp`, ...), [`linalg`] (`lu_factor`, `lu_solve`, `expm`, ...) and
//! [`stats`] (the normal, t, gamma, beta, multivariate normal, Poisson and Bernoulli
//! distributions).

pub mod linalg;
pub mod special;
pub mod stats;
