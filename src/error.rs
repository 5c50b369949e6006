//! rjax's one error type.
//!
//! Every fallible operation of the library returns [`Result`]. Runtime failures carry PJRT's own
//! message and the C API function that produced it; argument errors name the operation, the
//! shapes and dtypes involved.

use std::path::PathBuf;

use crate::runtime::ErrorCode;

/// The result type of every fallible rjax operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in rjax.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A PJRT C API call returned an error.
    #[error("{function} failed ({code}): {message}")]
    Pjrt {
        /// The C API entry point that failed, e.g. `PJRT_Client_Compile`.
        function: &'static str,
        /// The canonical (absl) status code the plugin reported.
        code: ErrorCode,
        /// The plugin's own message.
        message: String,
    },

    /// No plugin file could be found for the requested platform.
    #[error("no PJRT plugin found for platform `{platform}`. Searched:\n{}\n{hint}",
        searched.iter().map(|place| format!("  - {place}")).collect::<Vec<_>>().join("\n"))]
    PluginNotFound {
        /// The platform asked for (`cpu`, `cuda`, `tpu`, ...).
        platform: String,
        /// Every place that was looked at, in order.
        searched: Vec<String>,
        /// How to make a plugin findable.
        hint: String,
    },

    /// A file could not be loaded as a PJRT plugin.
    #[error("cannot load the PJRT plugin {}: {reason}", path.display())]
    PluginLoad {
        /// The file that was tried.
        path: PathBuf,
        /// Why it failed: dlopen's message, a missing `GetPjrtApi`, a version mismatch.
        reason: String,
    },

    /// The plugin does not provide a C API entry point rjax needs for this operation.
    #[error("the PJRT plugin {plugin} (C API {major}.{minor}) does not provide {function}")]
    Unsupported {
        /// The missing entry point.
        function: &'static str,
        /// The plugin's path.
        plugin: String,
        /// The plugin's PJRT C API major version.
        major: i32,
        /// The plugin's PJRT C API minor version.
        minor: i32,
    },

    /// An argument does not fit the operation (a wrong length, dtype, shape or count).
    #[error("{op}: {message}")]
    InvalidArgument {
        /// The operation that rejected the argument.
        op: String,
        /// What was wrong, with the shapes and dtypes involved.
        message: String,
    },

    /// A tracer was used outside the transformed function that produced it.
    #[error(
        "Encountered an unexpected tracer: a value of type {aval} escaped the function that \
         produced it under a transformation (jit, grad, vmap, ...) and was passed to \
         `{primitive}` outside that function, for example after being stored in a variable \
         the function captured; pass values in and out through arguments and results instead"
    )]
    EscapedTracer {
        /// The primitive the escaped tracer reached.
        primitive: String,
        /// The tracer's abstract value.
        aval: String,
    },

    /// A concrete value was needed, but the array is abstract (a tracer inside a
    /// transformation), as JAX's `ConcretizationTypeError`.
    #[error(
        "{op} needs a concrete value, but got an abstract tracer of type {aval}. Inside jit, \
         values are abstract: only their shapes and dtypes are known. Use control-flow \
         primitives, or move the computation outside jit"
    )]
    Concretization {
        /// What needed the value.
        op: String,
        /// The tracer's abstract value.
        aval: String,
    },

    /// The multi-process runtime ([`crate::distributed`]) failed: a coordinator that cannot be
    /// reached, a process that did not arrive in time, a call out of order.
    #[error("rjax::distributed: {0}")]
    Distributed(String),

    /// A checkpoint or array file (safetensors, `.npy`, `.npz`; see `rjax::io`) that cannot be
    /// read or written, is malformed, or does not fit the pytree it is loaded into: a missing
    /// or unexpected tensor, a shape or dtype that differs from the leaf's. In-memory data is
    /// named `<bytes>`.
    #[error("{}{}: {message}", path.display(),
        tensor.as_ref().map(|name| format!(", tensor `{name}`")).unwrap_or_default())]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// The tensor concerned, if the error is about one.
        tensor: Option<String>,
        /// What went wrong, with the expected and found shapes and dtypes.
        message: String,
    },

    /// An error raised by user code in its own words ([`Error::msg`]): a closure that rjax
    /// transforms, a callback, a training loop returning [`Result`].
    #[error("{0}")]
    Message(String),

    /// An error of another library, kept as the [source](std::error::Error::source)
    /// ([`Error::other`] and the `From` conversions: I/O, parsing, UTF-8, formatting).
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl Error {
    /// An error with `message`, for user code that fails in its own words:
    ///
    /// ```
    /// use rjax::{Array, Error, grad};
    ///
    /// let loss = |x: Array| -> rjax::Result<Array> {
    ///     if x.size() == 0 {
    ///         return Err(Error::msg("the batch is empty"));
    ///     }
    ///     Ok((&x * &x).sum())
    /// };
    /// let error = grad(loss)(Array::from_vec(Vec::<f32>::new())).unwrap_err();
    /// assert_eq!(error.to_string(), "the batch is empty");
    /// ```
    pub fn msg(message: impl std::fmt::Display) -> Self {
        Error::Message(message.to_string())
    }

    /// `error`, another library's error, as an rjax error that keeps it as its source.
    pub fn other(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Other(Box::new(error))
    }

    /// An [`Error::Distributed`].
    pub(crate) fn distributed(message: impl Into<String>) -> Self {
        Error::Distributed(message.into())
    }

    /// An [`Error::Checkpoint`] about the file `path` (and the tensor `tensor`).
    #[cfg(any(feature = "safetensors", feature = "npy"))]
    pub(crate) fn checkpoint(
        path: impl Into<PathBuf>,
        tensor: Option<&str>,
        message: impl std::fmt::Display,
    ) -> Self {
        Error::Checkpoint {
            path: path.into(),
            tensor: tensor.map(str::to_string),
            message: message.to_string(),
        }
    }

    /// An [`Error::InvalidArgument`] for `op`.
    pub(crate) fn invalid(op: &str, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            op: op.to_string(),
            message: message.into(),
        }
    }
}

/// Conversions from the standard library's common errors, so that `?` works on them inside
/// functions returning [`Result`]; each is kept as the [`Error::Other`] source.
macro_rules! from_std_errors {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Error::other(error)
            }
        }
    )*};
}

from_std_errors!(
    std::io::Error,
    std::fmt::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
);
