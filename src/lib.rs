//! # rjax: JAX's transformations, in Rust
//!
//! rjax traces ordinary Rust functions over [`Array`]s, transforms them and compiles them to
//! StableHLO, which XLA runs through PJRT plugins: the CPU plugin by default, CUDA GPUs and
//! TPUs when their plugin is installed.
//!
//! ```
//! use rjax::{Array, jit};
//!
//! let f = jit(|x: Array| x.sin() * 2.0);   // `2.0` is weakly typed: the result stays f32
//! let y: Array = f.call(Array::from([0.0f32, 1.0, 2.0]))?;
//! assert_eq!(y.dtype(), rjax::DType::F32);
//! let expected: Vec<f32> = [0.0f32, 1.0, 2.0].iter().map(|x| x.sin() * 2.0).collect();
//! for (got, want) in y.to_vec::<f32>()?.iter().zip(expected) {
//!     assert!((got - want).abs() < 1e-6);
//! }
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! One closure serves every transformation: they take any `Fn`, so pass `&f` to keep using
//! `f` (no `Rc<dyn Fn>`), and the result types follow from `f`'s:
//!
//! ```
//! use rjax::{Array, grad, jacfwd, jit, jvp, linearize, vjp};
//!
//! let w = Array::from([1.0f32, 2.0]);
//! let f = move |x: Array| (&x * &w).sin().sum(); // captures an array: not Copy
//! let x = || Array::from([0.5f32, 0.25]);
//! let g = grad(&f)(x())?;
//! let (y, dy) = jvp(&f, x(), Array::from([1.0f32, 0.0]))?;
//! let (_, pullback) = vjp(&f, x())?;
//! let (_, linear) = linearize(&f, x())?;
//! let j = jacfwd(&f)(x())?;
//! let compiled = jit(&f).call(x())?;
//! assert_eq!(g.shape(), [2]);
//! assert_eq!(j.to_vec::<f32>()?, g.to_vec::<f32>()?);
//! assert_eq!(pullback(Array::from(1.0f32))?.to_vec::<f32>()?, g.to_vec::<f32>()?);
//! assert_eq!(linear(Array::from([1.0f32, 0.0]))?.to_vec::<f32>()?, dy.to_vec::<f32>()?);
//! assert!((compiled.to_vec::<f32>()?[0] - y.to_vec::<f32>()?[0]).abs() < 1e-6);
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! ## Contents
//! - [`Array`] and its operators (NumPy broadcasting, JAX's type promotion with weak types);
//!   [`DType`], [`Element`], [`Scalar`].
//! - [`grad`], [`value_and_grad`], [`jvp`], [`vjp`], [`linearize`]: automatic differentiation;
//!   [`grad_argnums`] and friends choose the arguments, as JAX's `argnums`.
//! - [`vmap`] and [`vmap_with`] ([`InAxes`], [`OutAxes`]): vectorization by batching every
//!   primitive; [`jacfwd`], [`jacrev`], [`jacobian`], [`hessian`] built on it.
//! - [`custom_jvp`], [`custom_vjp`], [`stop_gradient`]: user-defined derivatives.
//! - [`checkpoint`] (alias [`remat`]), [`checkpoint_name`], [`checkpoint_policies`]: gradient
//!   checkpointing (`jax.checkpoint`), recomputing in the backward pass what a policy does
//!   not save.
//! - [`lax`]: the primitives with JAX's names; [`control_flow`]: `cond`, `switch`,
//!   `while_loop`, `fori_loop`, `scan`, `map` (also in `lax`).
//! - [`numpy`]: `jax.numpy` — creation, elementwise math, reductions and statistics,
//!   products and `einsum`, shapes, sorting, NumPy indexing and `.at[]` updates, and
//!   [`numpy::linalg`] — traceable and differentiable under every transformation;
//!   [`scipy`]: `jax.scipy.special` (error, gamma, incomplete gamma and beta, zeta and Bessel
//!   functions, `xlogy`, `logsumexp`, ...), `jax.scipy.linalg` (`lu`, `lu_factor`,
//!   `lu_solve`, `solve_triangular`, `cho_factor`, `cho_solve`, `block_diag`, `expm`,
//!   `expm_frechet`) and `jax.scipy.stats` (`norm`, `t`, `gamma`, `beta`,
//!   `multivariate_normal`, `poisson`, `bernoulli`).
//! - [`callback`]: `pure_callback`, `io_callback` and [`debug`]'s `print` and `callback`:
//!   Rust closures called from compiled programs.
//! - [`nn`]: `jax.nn` — activations (`relu`, `gelu`, `silu`, ...), `softmax`, `log_softmax`,
//!   `logsumexp`, `one_hot`, `standardize`.
//! - [`optim`]: Optax's gradient transformations (`sgd`, `adam`, `adamw`, `rmsprop`, `adagrad`,
//!   `lion`, clipping, weight decay, `chain`) and learning-rate schedules, jittable.
//! - [`random`]: JAX's PRNGs bit for bit (typed and raw keys, threefry and rbg, samplers).
//! - `io` (features `safetensors`, `npy`): checkpoints — pytrees saved to and loaded from
//!   safetensors, `.npy` and `.npz` files, tensors named by key paths
//!   ([`tree_flatten_with_path`]); `interop` (features `serde`, `ndarray`): `Serialize` and
//!   `Deserialize` for arrays and optimizer states, conversions to and from `ndarray`.
//! - [`export`]: `jax.export` interop — JAX's serialized artifacts loaded, called, jitted and
//!   differentiated without Python; rjax functions exported for JAX.
//! - [`jit`] and [`Jitted`]: staging, compilation and the signature cache; [`make_jaxpr`].
//! - [`jaxpr`]: the intermediate representation, printed in JAX's syntax.
//! - [`Pytree`] (and `#[derive(Pytree)]`, with `#[pytree(static)]` fields), [`TreeDef`],
//!   [`tree_map`], [`tree_map2`], [`tree_leaves`]: nested containers of arrays in and out of
//!   transformations.
//! - [`sharding`]: SPMD over many devices — [`Mesh`](sharding::Mesh),
//!   [`PartitionSpec`](sharding::PartitionSpec) ([`pspec!`]),
//!   [`NamedSharding`](sharding::NamedSharding), sharded arrays, `jit` with shardings,
//!   `with_sharding_constraint`, `shard_map`, `pmap` and the collectives; [`devices`],
//!   [`device_count`].
//! - [`distributed`]: multi-process runs, as `jax.distributed` — `initialize`, the
//!   coordinator's key-value store, `process_index`, `process_count`.
//! - [`cache`]: the bounded in-memory caches of compiled programs and their limits.
//! - [`config`]: x64 mode and the CPU device count; [`compilation_cache`]: the opt-in
//!   persistent compilation cache.
//! - [`runtime`]: the PJRT C API made safe — plugins, clients, devices, buffers, executables,
//!   events, the choice of the CPU plugin, and the XLA FFI layer that runs Rust kernels and
//!   callbacks inside compiled programs. The only module with `unsafe` code.
//! - [`kernels`]: the dense linear algebra (faer, nalgebra) those programs call on the CPU.
//! - [`Error`], [`Result`]: the one error type.
//! - [`test_util`]: [`check_grads`](test_util::check_grads), numerical checks of derivatives.
//!
//! ## Calling conventions
//! - **Arrays by value or by reference.** The functions of [`numpy`], [`nn`], [`scipy`],
//!   [`random`] and [`lax`] take their array arguments as `impl` [`IntoArray`]: an `Array`, a
//!   `&Array` or a Rust number (weakly typed, as a Python scalar). `lax`'s lists of operands
//!   (`lax::sort`, `lax::concatenate`, ...) take any list of those: `[&x, &y]`, `&[x, y]`,
//!   `vec![x, y]`. Methods are the functions: `x.sum()` is `numpy::sum(&x, ..)`, `x.max()` is
//!   `numpy::max(&x, ..)`. Being generic, a function used as a value is wrapped in a closure:
//!   `let act: fn(&Array) -> Array = |x| nn::relu(x);`.
//! - **JAX's keyword arguments** take one Rust form. A reduction's `axis=`/`keepdims=` are one
//!   argument, `impl Into<`[`numpy::Axes`]`>`: `jnp::sum(&x, ..)` (every axis),
//!   `jnp::sum(&x, 0)`, `jnp::sum(&x, [0, 1])`, `jnp::mean(&x, Axes::from(1).keepdims(true))`.
//!   A function with several keywords has JAX's defaults in its plain form and an options
//!   struct with `Default` and builder methods in its `_with` form: `jnp::sort(&x)` sorts along
//!   the last axis as `jnp.sort` does, `jnp::sort_with(&x, SortOptions::along(0).descending())`;
//!   likewise `vmap`/`vmap_with`, `checkpoint`/`checkpoint_with`, `einsum`/`einsum_with`,
//!   and in [`lax`] `lax::sort(&[&x])` (JAX's `dimension=-1`) /
//!   `lax::sort_with(&[&x], lax::SortOptions::along(0))`, `lax::cumsum(&x)` (`axis=0`),
//!   `lax::qr(&a)` (`full_matrices=True`), `lax::eigh_with(&a, lax::EighOptions::default()
//!   .lower(false))`; JAX's required arguments stay positional.
//!   Optional dtypes and axes accept the value itself or `None`: `jnp::zeros(&[2], DType::F32)`,
//!   `jnp::zeros(&[2], None)`.
//!
//! ## Error policy
//! - **Trace time.** Using an operation wrongly (shapes that do not broadcast, a dtype the
//!   operation does not accept, bad axes) is a programmer error: the operator or `lax` function
//!   panics, naming the operation, the shapes and dtypes, and the caller's line, much as JAX
//!   raises at trace time. A tracer that escaped the function that produced it gives JAX's
//!   "escaped tracer" error.
//! - **Run time.** Everything that touches the runtime returns [`Result`]: transformations and
//!   jitted calls, reading values (`to_vec`), loading a plugin (the error lists where it
//!   looked), compiling (with XLA's message), transferring and executing. PJRT's own errors keep
//!   the plugin's message, status code and failing C API function ([`Error::Pjrt`]). An eager
//!   operation that fails at run time (a device out of memory) panics with PJRT's message.
//! - **User code.** Closures that rjax transforms may return [`Result`] and fail in their own
//!   words: [`Error::msg`] makes an error from a message, [`Error::other`] wraps another
//!   library's error, and `?` converts the standard library's I/O, parsing, UTF-8 and
//!   formatting errors. `grad`, `jit` and the other transformations return such an error
//!   unchanged.
//! - **No `try_` twins.** Trace-time misuse has no `Result`-returning twin of each operation
//!   (`try_add`, `try_matmul`, ...): like NumPy's and `ndarray`'s operators, a wrong shape is a
//!   bug in the program, found on its first run with the caller's line, and one set of
//!   operations keeps the API one size. Code that takes shapes from outside (a file, a user)
//!   checks them with [`Array::shape`] and [`Array::dtype`] before calling.
//! - Nothing is silently truncated or read out of bounds, and every C object is freed exactly
//!   once.

mod abstract_value;
mod argnums;
mod array;
mod autodiff;
pub mod cache;
pub mod callback;
mod checkpoint;
pub mod compilation_cache;
pub mod config;
pub mod control_flow;
mod core;
mod custom_derivatives;
mod dispatch;
pub mod distributed;
mod dtype;
mod error;
pub mod export;
#[cfg(any(feature = "serde", feature = "ndarray"))]
pub mod interop;
mod interpreters;
#[cfg(any(feature = "safetensors", feature = "npy"))]
pub mod io;
mod jacobian;
pub mod jaxpr;
mod jit;
/// Host kernels (dense linear algebra on faer) that compiled XLA programs call on the CPU.
pub mod kernels;
pub mod lax;
mod lowering;
pub mod nn;
pub mod numpy;
pub mod optim;
mod promotion;
pub mod random;
pub mod runtime;
mod scalar;
pub mod scipy;
mod shape_check;
pub mod sharding;
pub mod test_util;
mod tree;
mod vmap;

pub use abstract_value::ShapedArray;
pub use argnums::{
    Argnum, Argnums, grad_argnums, hessian_argnums, jacfwd_argnums, jacrev_argnums,
    value_and_grad_argnums,
};
pub use array::{Array, IntoArray, NestedArray};
pub use autodiff::{
    grad, grad_with_aux, jvp, linearize, value_and_grad, value_and_grad_with_aux, vjp,
};
pub use callback::{debug, pure_callback};
pub use checkpoint::policies as checkpoint_policies;
pub use checkpoint::{
    CheckpointOptions, Policy, checkpoint, checkpoint_name, checkpoint_name_tree,
    checkpoint_static, checkpoint_with, remat,
};
pub use core::Primitive;
pub use custom_derivatives::{custom_jvp, custom_vjp, stop_gradient, stop_gradient_tree};
pub use dispatch::default_client;
pub use dtype::{Complex, DType, Element};
pub use error::{Error, Result};
#[doc(hidden)]
pub use jacobian::StaticFieldOf;
pub use jacobian::{JacobianOf, hessian, jacfwd, jacobian, jacrev};
pub use jit::{Compiled, DEFAULT_MAX_CACHE_ENTRIES, Jitted, Lowered, jit, make_jaxpr};
pub use rjax_macros::Pytree;
pub use scalar::Scalar;
pub use sharding::{device_count, devices, local_devices};
pub use tree::{
    FnOutput, KeyEntry, KeyPath, NodeDef, Pytree, Static, StaticValue, TreeDef,
    tree_flatten_with_path, tree_leaves, tree_leaves_with_path, tree_map, tree_map2,
    tree_structure,
};
pub use vmap::{InAxes, OutAxes, vmap, vmap_with};
