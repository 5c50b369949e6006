//! # rjax: JAX's transformations, in Rust
//!
//! rjax traces ordinary Rust functions over arrays, transforms them (`grad`, `jvp`, `vmap`,
//! `jit`, ...) and compiles them to StableHLO, which XLA runs through PJRT plugins: the CPU
//! plugin by default, CUDA GPUs and TPUs when their plugin is installed.
//!
//! ## Layers
//! - [`runtime`]: the PJRT C API made safe — plugins, clients, devices, buffers, executables,
//!   events. The only module with `unsafe` code.
//! - [`DType`], [`Element`]: element types and their Rust representations.
//! - [`Error`], [`Result`]: the one error type.
//!
//! ## Error policy
//! Everything that touches the runtime returns [`Result`]: loading a plugin (the error lists
//! where it looked), creating a client, compiling (the error carries XLA's message),
//! transferring and executing (a host slice of the wrong length, a buffer of another client).
//! PJRT's own errors keep the plugin's message, its status code and the C API function that
//! failed ([`Error::Pjrt`]). Nothing is silently truncated or read out of bounds, and every C
//! object is freed exactly once.
//!
//! ```
//! use rjax::runtime::{Client, ClientOptions, CompileOptions};
//!
//! let client = Client::for_platform("cpu", &ClientOptions::new())?;
//! let device = client.device(0).unwrap();
//! let program = r#"
//! func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
//!   %y = "stablehlo.sine"(%x) : (tensor<3xf32>) -> tensor<3xf32>
//!   return %y : tensor<3xf32>
//! }"#;
//! let sine = client.compile(program, &CompileOptions::default())?;
//! let x = client.buffer_from_host(&[0.0f32, 1.0, 2.0], &[3], &device)?;
//! let y = sine.execute(&[&x])?.remove(0);
//! assert_eq!(y.to_vec::<f32>()?, vec![0.0, 1.0f32.sin(), 2.0f32.sin()]);
//! # Ok::<(), rjax::Error>(())
//! ```

mod dtype;
mod error;
mod promotion;
pub mod runtime;

pub use dtype::{Complex, DType, Element};
pub use error::{Error, Result};
