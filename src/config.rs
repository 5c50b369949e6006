//! Process-wide configuration, as JAX's `jax.config`: today, x64 mode.
//!
//! x64 is off by default, as in JAX: new arrays default to 32-bit types and 64-bit inputs are
//! canonicalised to 32 bits. `JAX_ENABLE_X64=1` (or `true`) in the environment turns it on at
//! start-up; [`enable_x64`] switches it at run time, the equivalent of
//! `jax.config.update("jax_enable_x64", True)`.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

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

fn x64_from_env() -> bool {
    static FROM_ENV: OnceLock<bool> = OnceLock::new();
    *FROM_ENV.get_or_init(|| {
        std::env::var("JAX_ENABLE_X64")
            .map(|value| {
                matches!(
                    value.trim().to_lowercase().as_str(),
                    "1" | "true" | "yes" | "on"
                )
            })
            .unwrap_or(false)
    })
}
