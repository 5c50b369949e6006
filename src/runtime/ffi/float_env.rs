//! The floating-point environment handlers run in.
//!
//! XLA's CPU runtime runs programs with subnormals flushed to zero (x86-64's MXCSR FTZ and
//! DAZ bits, aarch64's FPCR FZ bit). faer's numerics assume IEEE arithmetic: its complex
//! reciprocal, for one, scales a number of magnitude about 1 by `√max` and back, through a
//! subnormal intermediate, and returns 0 when that is flushed (which turned an LU
//! factorization's multipliers into zeros). So handlers run with gradual underflow restored,
//! and XLA's setting comes back when they return.

/// Runs `f` with subnormals neither flushed nor treated as zero, then restores the caller's
/// floating-point control state.
pub(super) fn with_gradual_underflow<R>(f: impl FnOnce() -> R) -> R {
    let restore = Restore(control::read());
    control::write(control::gradual_underflow(restore.0));
    f()
}

/// Writes the saved control state back when dropped.
struct Restore(control::State);

impl Drop for Restore {
    fn drop(&mut self) {
        control::write(self.0);
    }
}

#[cfg(target_arch = "x86_64")]
mod control {
    /// MXCSR.
    pub(super) type State = u32;

    /// Flush-to-zero (bit 15) and denormals-are-zero (bit 6).
    const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);

    pub(super) fn read() -> State {
        let mut state: u32 = 0;
        // SAFETY: `stmxcsr` stores the 4-byte MXCSR into the local variable it is given.
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut state, options(nostack, preserves_flags));
        }
        state
    }

    pub(super) fn write(state: State) {
        // SAFETY: `ldmxcsr` loads a value read from MXCSR with at most the FTZ and DAZ bits
        // changed, both valid on every x86-64 CPU with SSE2.
        unsafe {
            std::arch::asm!("ldmxcsr [{}]", in(reg) &state, options(nostack, preserves_flags));
        }
    }

    pub(super) fn gradual_underflow(state: State) -> State {
        state & !FTZ_DAZ
    }
}

#[cfg(target_arch = "aarch64")]
mod control {
    /// FPCR.
    pub(super) type State = u64;

    /// Flush-to-zero (bit 24).
    const FZ: u64 = 1 << 24;

    pub(super) fn read() -> State {
        let state: u64;
        // SAFETY: reading FPCR has no side effects.
        unsafe {
            std::arch::asm!("mrs {}, fpcr", out(reg) state, options(nomem, nostack, preserves_flags));
        }
        state
    }

    pub(super) fn write(state: State) {
        // SAFETY: writes back a value read from FPCR with at most the FZ bit changed.
        unsafe {
            std::arch::asm!("msr fpcr, {}", in(reg) state, options(nomem, nostack, preserves_flags));
        }
    }

    pub(super) fn gradual_underflow(state: State) -> State {
        state & !FZ
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod control {
    /// No control state is changed on other architectures.
    pub(super) type State = ();

    pub(super) fn read() -> State {}

    pub(super) fn write(_: State) {}

    pub(super) fn gradual_underflow(state: State) -> State {
        state
    }
}

#[cfg(all(test, any(target_arch = "x86_64", target_arch = "aarch64")))]
mod tests {
    use super::*;

    /// The faer reciprocal that returned 0 under XLA's flush-to-zero setting is right here,
    /// even when the caller flushes subnormals, and the caller's setting is restored.
    #[test]
    fn handlers_see_gradual_underflow_and_the_caller_keeps_its_setting() {
        let saved = control::read();
        let flushing = !control::gradual_underflow(!0);
        control::write(saved | flushing);
        let z = faer::c32::new(-0.5551657, -0.888_887_5);
        let inside = with_gradual_underflow(|| faer::traits::math_utils::recip(&z));
        let after = control::read();
        control::write(saved);
        assert!(
            (inside * z - faer::c32::new(1.0, 0.0)).norm() < 1e-6,
            "{inside}"
        );
        assert_eq!(after, saved | flushing);
    }
}
