//! Process-wide configuration, as JAX's `jax.config`: x64 mode, the threefry layout of
//! `rjax::random`, the default matmul precision and the number of CPU devices.
//!
//! x64 is off by default, as in JAX: new arrays default to 32-bit types and 64-bit inputs are
//! canonicalised to 32 bits. `JAX_ENABLE_X64=1` (or `true`) in the environment turns it on at
//! start-up; [`enable_x64`] switches it at run time, the equivalent of
//! `jax.config.update("jax_enable_x64", True)`.
//!
//! `jax_threefry_partitionable` is on by default, as in JAX since 0.5: [`rjax::random`]
//! hashes one 64-bit counter per output element. [`set_threefry_partitionable`]`(false)` (or
//! `JAX_THREEFRY_PARTITIONABLE=0` in the environment, with JAX's spellings of true and false)
//! selects JAX's original layout, whose keys and samples differ. Like x64 mode it is read when
//! a function is traced and is part of `jit`'s cache key, so a jitted function keeps the
//! layout it was traced under and is traced again under the other.
//!
//! [`rjax::random`]: crate::random
//!
//! `jax_default_prng_impl` is `threefry2x32` by default; [`set_default_prng_impl`] (or
//! `JAX_DEFAULT_PRNG_IMPL=rbg`, `unsafe_rbg`) changes the implementation of new keys, and is
//! part of `jit`'s cache key too.
//!
//! `jax_default_matmul_precision` is unset by default; [`set_default_matmul_precision`] (or
//! `JAX_DEFAULT_MATMUL_PRECISION=highest`, `float32`, `tensorfloat32`, ... in the environment)
//! gives every `dot_general` traced without a precision of its own that precision, as JAX's
//! does; it is part of `jit`'s cache key too.
//!
//! The CPU plugin's number of devices is fixed when the default client starts (JAX's
//! `--xla_force_host_platform_device_count`): [`set_cpu_device_count`] before the first use of
//! any array, or `RJAX_CPU_DEVICE_COUNT=8` (or JAX's
//! `XLA_FLAGS=--xla_force_host_platform_device_count=8`) in the environment. This is how SPMD
//! programs run on one machine without accelerators.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use crate::lax::Precision;
use crate::random::PrngImpl;
use crate::{Error, Result};

const UNSET: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static X64: AtomicU8 = AtomicU8::new(UNSET);

/// Turns 64-bit mode on or off for the whole process.
pub fn enable_x64(on: bool) {
    X64.store(if on { ON } else { OFF }, Ordering::Relaxed);
}

/// Whether 64-bit mode is on.
pub fn x64_enabled() -> bool {
    match X64.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => x64_from_env(),
    }
}

/// `JAX_ENABLE_X64` read as JAX reads it; panics, naming the variable and its value, on
/// anything but one of JAX's spellings of a boolean.
fn x64_from_env() -> bool {
    static FROM_ENV: OnceLock<std::result::Result<bool, String>> = OnceLock::new();
    FROM_ENV
        .get_or_init(|| {
            bool_env(
                "JAX_ENABLE_X64",
                std::env::var("JAX_ENABLE_X64").ok(),
                false,
            )
        })
        .clone()
        .unwrap_or_else(|message| panic!("{message}"))
}

static THREEFRY_PARTITIONABLE: AtomicU8 = AtomicU8::new(UNSET);

/// Chooses the layout of `rjax::random`'s threefry streams for the whole process (JAX's
/// `jax.config.update("jax_threefry_partitionable", on)`): `true`, the default, is JAX's
/// partitionable layout; `false` its original one.
pub fn set_threefry_partitionable(on: bool) {
    THREEFRY_PARTITIONABLE.store(if on { ON } else { OFF }, Ordering::Relaxed);
}

/// Whether `rjax::random` uses JAX's partitionable threefry layout: [`set_threefry_partitionable`],
/// else `JAX_THREEFRY_PARTITIONABLE`, else `true`. Panics, naming the variable and its value,
/// if the environment variable is not one of JAX's spellings of a boolean.
pub fn threefry_partitionable() -> bool {
    match THREEFRY_PARTITIONABLE.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            static FROM_ENV: OnceLock<std::result::Result<bool, String>> = OnceLock::new();
            let from_env = FROM_ENV.get_or_init(|| {
                bool_env(
                    "JAX_THREEFRY_PARTITIONABLE",
                    std::env::var("JAX_THREEFRY_PARTITIONABLE").ok(),
                    true,
                )
            });
            from_env
                .clone()
                .unwrap_or_else(|message| panic!("{message}"))
        }
    }
}

/// A boolean environment variable `name` with value `value` (`None` when unset), read as JAX's
/// `bool_env` does: case-insensitive `y`, `yes`, `t`, `true`, `on`, `1` or `n`, `no`, `f`,
/// `false`, `off`, `0`; anything else is an error naming the variable and the value.
fn bool_env(name: &str, value: Option<String>, default: bool) -> std::result::Result<bool, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.to_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Ok(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!(
            "invalid truth value {value:?} for environment variable {name:?} (expected one of \
             y, yes, t, true, on, 1, n, no, f, false, off, 0)"
        )),
    }
}

static DEFAULT_PRNG_IMPL: AtomicU8 = AtomicU8::new(UNSET);

/// Chooses the PRNG implementation of new keys for the whole process (JAX's
/// `jax.config.update("jax_default_prng_impl", name)`): what `random::key(seed)` and
/// `random::PRNGKey(seed)` make, and how raw `uint32` keys are read.
pub fn set_default_prng_impl(prng: PrngImpl) {
    let code = PrngImpl::ALL
        .iter()
        .position(|&p| p == prng)
        .expect("listed") as u8;
    DEFAULT_PRNG_IMPL.store(ON + 1 + code, Ordering::Relaxed);
}

/// The default PRNG implementation: [`set_default_prng_impl`], else `JAX_DEFAULT_PRNG_IMPL`
/// (`threefry2x32`, `rbg` or `unsafe_rbg`), else `threefry2x32`. Read when a function is
/// traced and part of `jit`'s cache key. Panics, naming the variable and its value, if the
/// environment variable names no implementation.
pub fn default_prng_impl() -> PrngImpl {
    match DEFAULT_PRNG_IMPL.load(Ordering::Relaxed) {
        UNSET => {
            static FROM_ENV: OnceLock<std::result::Result<PrngImpl, String>> = OnceLock::new();
            FROM_ENV
                .get_or_init(|| prng_impl_env(std::env::var("JAX_DEFAULT_PRNG_IMPL").ok()))
                .clone()
                .unwrap_or_else(|message| panic!("{message}"))
        }
        code => PrngImpl::ALL[usize::from(code - ON - 1)],
    }
}

/// `JAX_DEFAULT_PRNG_IMPL`'s value (`None` when unset) as an implementation.
fn prng_impl_env(value: Option<String>) -> std::result::Result<PrngImpl, String> {
    value.map_or(Ok(PrngImpl::Threefry2x32), |value| {
        value.trim().parse().map_err(|why: String| {
            format!(
                "invalid value {value:?} for environment variable \"JAX_DEFAULT_PRNG_IMPL\": {why}"
            )
        })
    })
}

static DEFAULT_MATMUL_PRECISION: AtomicU8 = AtomicU8::new(UNSET);

/// The precision of the `dot_general`s traced from now on without one of their own, for the
/// whole process (JAX's `jax.config.update("jax_default_matmul_precision", name)`); `None`
/// leaves it to the backend. Only float32 products on accelerators compute differently; the
/// precision shows in jaxprs and lowered modules.
pub fn set_default_matmul_precision(precision: impl Into<Option<Precision>>) {
    let code = match precision.into() {
        None => OFF,
        Some(precision) => ON + precision as u8,
    };
    DEFAULT_MATMUL_PRECISION.store(code, Ordering::Relaxed);
}

/// The default precision of `dot_general`: [`set_default_matmul_precision`], else
/// `JAX_DEFAULT_MATMUL_PRECISION` (one of JAX's precision strings, see [`Precision`]), else
/// `None`. Read when a function is traced and part of `jit`'s cache key. Panics, naming the variable and its value, if the environment
/// variable names no precision.
pub fn default_matmul_precision() -> Option<Precision> {
    const PRECISIONS: [Precision; 3] = [Precision::Default, Precision::High, Precision::Highest];
    match DEFAULT_MATMUL_PRECISION.load(Ordering::Relaxed) {
        UNSET => {
            static FROM_ENV: OnceLock<std::result::Result<Option<Precision>, String>> =
                OnceLock::new();
            FROM_ENV
                .get_or_init(|| {
                    matmul_precision_env(std::env::var("JAX_DEFAULT_MATMUL_PRECISION").ok())
                })
                .clone()
                .unwrap_or_else(|message| panic!("{message}"))
        }
        OFF => None,
        code => Some(PRECISIONS[usize::from(code - ON)]),
    }
}

/// `JAX_DEFAULT_MATMUL_PRECISION`'s value (`None` when unset) as a precision.
fn matmul_precision_env(value: Option<String>) -> std::result::Result<Option<Precision>, String> {
    value.map_or(Ok(None), |value| {
        value.trim().parse().map(Some).map_err(|why: String| {
            format!(
                "invalid value {value:?} for environment variable \"JAX_DEFAULT_MATMUL_PRECISION\": {why}"
            )
        })
    })
}

static CPU_DEVICE_COUNT: AtomicUsize = AtomicUsize::new(0);

/// The most CPU devices a client may have: each is a PJRT device with its own threads and
/// streams, and the plugin takes minutes to start (or runs out of threads) far below the
/// counts a typo can produce.
pub const MAX_CPU_DEVICES: usize = 1024;

/// Asks the default client for `count` CPU devices (1 to [`MAX_CPU_DEVICES`]). It must be
/// called before the default client starts (the first array operation); afterwards it is an
/// error, since the device count of a running client cannot change.
pub fn set_cpu_device_count(count: usize) -> Result<()> {
    check_cpu_device_count(count)
        .map_err(|message| Error::invalid("set_cpu_device_count", message))?;
    if crate::dispatch::default_client_started() {
        return Err(Error::invalid(
            "set_cpu_device_count",
            format!(
                "the default client has already started with {} device(s); set the count before the first array operation",
                crate::dispatch::default_client()?.device_count()
            ),
        ));
    }
    CPU_DEVICE_COUNT.store(count, Ordering::Relaxed);
    Ok(())
}

fn check_cpu_device_count(count: usize) -> std::result::Result<(), String> {
    match count {
        0 => Err("a client needs at least one device, got 0".to_string()),
        n if n > MAX_CPU_DEVICES => Err(format!(
            "{n} devices is more than the {MAX_CPU_DEVICES} a CPU client may have"
        )),
        _ => Ok(()),
    }
}

/// The CPU device count asked for: [`set_cpu_device_count`], else `RJAX_CPU_DEVICE_COUNT`,
/// else `--xla_force_host_platform_device_count` in `XLA_FLAGS`; `None` leaves the plugin's
/// default. An environment value that is not a count from 1 to [`MAX_CPU_DEVICES`] is an
/// error naming the variable and the value.
pub(crate) fn cpu_device_count() -> Result<Option<usize>> {
    match CPU_DEVICE_COUNT.load(Ordering::Relaxed) {
        0 => cpu_device_count_from_env(
            std::env::var("RJAX_CPU_DEVICE_COUNT").ok(),
            std::env::var("XLA_FLAGS").ok(),
        )
        .map_err(|message| Error::invalid("cpu_device_count", message)),
        count => Ok(Some(count)),
    }
}

/// The device count from the values of `RJAX_CPU_DEVICE_COUNT` and `XLA_FLAGS`.
fn cpu_device_count_from_env(
    rjax: Option<String>,
    xla_flags: Option<String>,
) -> std::result::Result<Option<usize>, String> {
    const FLAG: &str = "--xla_force_host_platform_device_count=";
    let (name, value) = match (rjax, xla_flags) {
        (Some(value), _) => ("RJAX_CPU_DEVICE_COUNT", value),
        (None, Some(flags)) => match flags.split_whitespace().find_map(|f| f.strip_prefix(FLAG)) {
            Some(value) => (
                "XLA_FLAGS (--xla_force_host_platform_device_count)",
                value.to_string(),
            ),
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    let count = crate::cache::positive_env(name, Some(value.clone()))?.expect("a value was given");
    check_cpu_device_count(count).map_err(|why| {
        format!("invalid value {value:?} for environment variable {name:?}: {why}")
    })?;
    Ok(Some(count))
}

#[cfg(test)]
mod tests {
    use super::{
        MAX_CPU_DEVICES, Precision, PrngImpl, bool_env, cpu_device_count_from_env,
        matmul_precision_env, prng_impl_env,
    };

    #[test]
    fn device_counts_from_the_environment_are_strict_and_bounded() {
        let read = |rjax: Option<&str>, flags: Option<&str>| {
            cpu_device_count_from_env(rjax.map(String::from), flags.map(String::from))
        };
        assert_eq!(read(None, None), Ok(None));
        assert_eq!(read(Some("8"), None), Ok(Some(8)));
        assert_eq!(
            read(
                Some(" 4 "),
                Some("--xla_force_host_platform_device_count=2")
            ),
            Ok(Some(4))
        );
        assert_eq!(
            read(None, Some("--foo --xla_force_host_platform_device_count=2")),
            Ok(Some(2))
        );
        assert_eq!(read(None, Some("--foo")), Ok(None));
        for bad in ["abc", "0", "-1", "100000", ""] {
            let message = read(Some(bad), None).unwrap_err();
            assert!(
                message.contains("RJAX_CPU_DEVICE_COUNT") && message.contains(&format!("{bad:?}")),
                "{message}"
            );
        }
        let message = read(None, Some("--xla_force_host_platform_device_count=x")).unwrap_err();
        assert!(message.contains("XLA_FLAGS"), "{message}");
        assert!(read(Some(&MAX_CPU_DEVICES.to_string()), None).is_ok());
    }

    #[test]
    fn the_prng_variable_names_an_implementation() {
        assert_eq!(prng_impl_env(None), Ok(PrngImpl::Threefry2x32));
        assert_eq!(prng_impl_env(Some("rbg".into())), Ok(PrngImpl::Rbg));
        assert_eq!(
            prng_impl_env(Some("unsafe_rbg".into())),
            Ok(PrngImpl::UnsafeRbg)
        );
        let message = prng_impl_env(Some("fry".into())).unwrap_err();
        assert!(message.contains("JAX_DEFAULT_PRNG_IMPL") && message.contains("\"fry\""));
    }

    #[test]
    fn the_matmul_precision_variable_takes_jax_strings() {
        assert_eq!(matmul_precision_env(None), Ok(None));
        for (text, precision) in [
            ("highest", Precision::Highest),
            ("float32", Precision::Highest),
            ("tensorfloat32", Precision::High),
            ("high", Precision::High),
            ("bfloat16", Precision::Default),
            ("default", Precision::Default),
        ] {
            assert_eq!(
                matmul_precision_env(Some(text.into())),
                Ok(Some(precision)),
                "{text}"
            );
        }
        let message = matmul_precision_env(Some("float64".into())).unwrap_err();
        assert!(
            message.contains("JAX_DEFAULT_MATMUL_PRECISION") && message.contains("\"float64\""),
            "{message}"
        );
    }

    #[test]
    fn boolean_variables_read_as_jax_reads_them() {
        let read = |value: &str| bool_env("JAX_X", Some(value.to_string()), true);
        for value in ["y", "YES", "t", "True", "on", "1"] {
            assert_eq!(read(value), Ok(true), "{value}");
        }
        for value in ["n", "No", "f", "FALSE", "off", "0"] {
            assert_eq!(read(value), Ok(false), "{value}");
        }
        assert_eq!(bool_env("JAX_X", None, true), Ok(true));
        assert_eq!(bool_env("JAX_X", None, false), Ok(false));
        let message = read("maybe").unwrap_err();
        assert!(
            message.contains("\"maybe\"") && message.contains("JAX_X"),
            "{message}"
        );
    }
}
