//! `rjax::scipy`: JAX's `jax.scipy`, so far the LU factorization of `jax.scipy.linalg`.

pub mod linalg;
