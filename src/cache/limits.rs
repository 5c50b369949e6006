//! The bound every in-memory executable cache keeps: a number of entries and a number of
//! bytes, set by [`set_cache_limits`] or the environment.

use std::sync::{Mutex, OnceLock};

use crate::{Error, Result};

/// How much each in-memory cache of compiled programs may hold before it drops its least
/// recently used entries: the per-primitive executables of eager dispatch, the executables of
/// eagerly run calls, the batched bodies of `vmap`-ed calls and the lowered `scan` bodies
/// (each cache on its own). `jit`'s per-function caches are bounded by
/// [`Jitted::with_max_cache_entries`](crate::Jitted::with_max_cache_entries) and freed with
/// their `Jitted`.
///
/// An entry's bytes are its program: the generated machine code as the plugin reports it
/// (`PJRT_Executable_SizeOfGeneratedCodeInBytes`), plus the StableHLO text it was compiled
/// from, plus the constants it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// The most entries a cache keeps (at least 1).
    pub max_entries: usize,
    /// The most bytes a cache keeps; the newest entry stays even if it alone is larger.
    pub max_bytes: usize,
}

impl Default for CacheLimits {
    /// 1024 entries and 512 MiB each.
    fn default() -> Self {
        CacheLimits {
            max_entries: 1024,
            max_bytes: 512 << 20,
        }
    }
}

static LIMITS: Mutex<Option<CacheLimits>> = Mutex::new(None);

/// Sets the limits of every in-memory executable cache for the whole process; caches above
/// them shrink at their next insertion. `max_entries` must be at least 1.
pub fn set_cache_limits(limits: CacheLimits) -> Result<()> {
    if limits.max_entries == 0 {
        return Err(Error::invalid(
            "set_cache_limits",
            "max_entries must be at least 1 (a cache that keeps nothing recompiles every call)",
        ));
    }
    *LIMITS.lock().unwrap_or_else(|p| p.into_inner()) = Some(limits);
    Ok(())
}

/// The limits in force: [`set_cache_limits`], else the environment
/// (`RJAX_CACHE_MAX_ENTRIES`, `RJAX_CACHE_MAX_BYTES`: positive integers), else the
/// [defaults](CacheLimits::default). Panics, naming the variable and its value, on an
/// unreadable environment variable.
pub fn cache_limits() -> CacheLimits {
    if let Some(limits) = *LIMITS.lock().unwrap_or_else(|p| p.into_inner()) {
        return limits;
    }
    static FROM_ENV: OnceLock<std::result::Result<CacheLimits, String>> = OnceLock::new();
    FROM_ENV
        .get_or_init(|| {
            let defaults = CacheLimits::default();
            Ok(CacheLimits {
                max_entries: positive_env(
                    "RJAX_CACHE_MAX_ENTRIES",
                    std::env::var("RJAX_CACHE_MAX_ENTRIES").ok(),
                )?
                .unwrap_or(defaults.max_entries),
                max_bytes: positive_env(
                    "RJAX_CACHE_MAX_BYTES",
                    std::env::var("RJAX_CACHE_MAX_BYTES").ok(),
                )?
                .unwrap_or(defaults.max_bytes),
            })
        })
        .clone()
        .unwrap_or_else(|message| panic!("{message}"))
}

/// A positive integer environment variable `name` with value `value` (`None` when unset); any
/// other value is an error naming the variable and the value.
pub(crate) fn positive_env(
    name: &str,
    value: Option<String>,
) -> std::result::Result<Option<usize>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!(
            "invalid value {value:?} for environment variable {name:?} (expected a positive \
             integer)"
        )),
    }
}
