//! A case of the catalogue, the `case!` macro that writes one, and the arrays cases use.

use rjax::{Array, DType};

/// A family of cases: its name and the function listing them.
pub type Family = (&'static str, fn() -> Vec<Case>);

/// One bad input: running it must fail with a message that contains `op`.
pub struct Case {
    /// The call, as written (`stringify!`); unique within the catalogue.
    pub name: &'static str,
    /// What the message must contain: the operation's name.
    pub op: &'static str,
    /// Environment variables the case needs, set on a child process of its own.
    pub env: &'static [(&'static str, &'static str)],
    /// Runs the call: `Ok(())` when it returned a value (wrongly), `Err(message)` for an error.
    pub run: Box<dyn Fn() -> Result<(), String>>,
}

/// What a call returned, seen as a case outcome: a value is `Ok(())`, an error its message.
pub trait Returned {
    /// `Ok(())` for a value, `Err(message)` for an error.
    fn outcome(self) -> Result<(), String>;
}

impl<T> Returned for rjax::Result<T> {
    fn outcome(self) -> Result<(), String> {
        self.map(drop).map_err(|error| error.to_string())
    }
}

/// Values that calls return directly (their errors are panics).
macro_rules! returned_values {
    ($($t:ty),* $(,)?) => {$(
        impl Returned for $t {
            fn outcome(self) -> Result<(), String> {
                Ok(())
            }
        }
    )*};
}

returned_values!(
    Array,
    Vec<Array>,
    (Array, Array),
    (Array, Array, Array),
    (Array, Array, Array, Array),
    (Option<Array>, Array),
    rjax::numpy::linalg::Svd,
    rjax::numpy::Unique,
    (),
    bool,
    rjax::random::PrngImpl,
    rjax::cache::CacheLimits,
);

/// `case!(op, call)`: a case whose message must name `op`; `case!(op, call, env)` with
/// environment variables.
#[macro_export]
macro_rules! case {
    ($op:expr, $call:expr) => {
        $crate::cases::Case {
            name: stringify!($call),
            op: $op,
            env: &[],
            run: Box::new(move || $crate::cases::Returned::outcome($call)),
        }
    };
    ($op:expr, $call:expr, $env:expr) => {
        $crate::cases::Case {
            name: stringify!($call),
            op: $op,
            env: $env,
            run: Box::new(move || $crate::cases::Returned::outcome($call)),
        }
    };
}

/// Ones of `shape` in `dtype`.
pub fn ones(shape: &[usize], dtype: DType) -> Array {
    rjax::numpy::ones(shape, Some(dtype))
}

/// Float32 ones of `shape`.
pub fn f32s(shape: &[usize]) -> Array {
    ones(shape, DType::F32)
}

/// Int32 ones of `shape`.
pub fn i32s(shape: &[usize]) -> Array {
    ones(shape, DType::I32)
}

/// Booleans of `shape`.
pub fn bools(shape: &[usize]) -> Array {
    ones(shape, DType::Bool)
}

/// A complex64 array of `shape`.
pub fn c64s(shape: &[usize]) -> Array {
    ones(shape, DType::C64)
}
