//! `PJRT_Event`: completion of asynchronous work (a transfer, an execution's outputs), and
//! how a thread waits for one.
//!
//! A waiting thread first polls the event for up to [`wait_spin`] (1 ms unless
//! [`set_wait_spin`] or `RJAX_WAIT_SPIN_US` says otherwise), yielding its core between polls,
//! and only then sleeps in `PJRT_Event_Await` (a thread whose last wait outlasted the budget
//! sleeps at once, until a wait fits again). A result that arrives within the budget is
//! seen at once: no sleep and wake-up (two system calls and a thread migration, 20–40 µs on a
//! virtual machine) sits between the program's end and the caller. Yielding gives the core to
//! any thread that is ready to run, XLA's own among them, so the poll costs the computation
//! nothing when the cores are busy; it costs idle cycles, at most the budget per wait.

use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::Client;
use super::live::EVENTS;
use super::plugin::pjrt_call;
use crate::{Error, Result};

/// How long a waiting thread polls before it sleeps, unless set otherwise.
pub const DEFAULT_WAIT_SPIN: Duration = Duration::from_millis(1);

/// The budget set by [`set_wait_spin`] in nanoseconds, or [`UNSET`].
static WAIT_SPIN_NANOS: AtomicU64 = AtomicU64::new(UNSET);
const UNSET: u64 = u64::MAX;

/// Sets how long a thread waiting for a result (`block_until_ready`, a read to the host) polls
/// it, yielding its core between polls, before it sleeps until the result is ready, for the
/// whole process. `Duration::ZERO` sleeps at once, as JAX does.
pub fn set_wait_spin(budget: Duration) {
    // Budgets of 584 years and more are one nanosecond short of them: `UNSET` is taken.
    let nanos = u64::try_from(budget.as_nanos()).map_or(UNSET - 1, |n| n.min(UNSET - 1));
    WAIT_SPIN_NANOS.store(nanos, Ordering::Relaxed);
}

/// How long a waiting thread polls before it sleeps: [`set_wait_spin`]'s budget, else
/// `RJAX_WAIT_SPIN_US` (microseconds) from the environment, else [`DEFAULT_WAIT_SPIN`]. An
/// environment value that is not a whole number of microseconds is an error naming it.
pub fn wait_spin() -> Result<Duration> {
    match WAIT_SPIN_NANOS.load(Ordering::Relaxed) {
        UNSET => {
            static FROM_ENV: OnceLock<std::result::Result<Duration, String>> = OnceLock::new();
            FROM_ENV
                .get_or_init(|| wait_spin_from_env(std::env::var("RJAX_WAIT_SPIN_US").ok()))
                .clone()
                .map_err(|message| Error::invalid("wait_spin", message))
        }
        nanos => Ok(Duration::from_nanos(nanos)),
    }
}

/// The budget `RJAX_WAIT_SPIN_US` gives, when set to `value`.
fn wait_spin_from_env(value: Option<String>) -> std::result::Result<Duration, String> {
    let Some(value) = value else {
        return Ok(DEFAULT_WAIT_SPIN);
    };
    value
        .trim()
        .parse::<u64>()
        .map(Duration::from_micros)
        .map_err(|why| {
            format!(
                "invalid value {value:?} for environment variable \"RJAX_WAIT_SPIN_US\": {why} \
                 (expected whole microseconds; 0 sleeps at once)"
            )
        })
}

/// A PJRT event, destroyed on drop. It holds its client alive.
pub struct Event {
    client: Client,
    raw: NonNull<sys::PJRT_Event>,
}

// SAFETY: a PJRT event may be awaited and destroyed from any thread; the header allows calls
// from any thread and JAX awaits events on other threads than those that made them.
unsafe impl Send for Event {}

/// An event the runtime awaits and destroys within one call, without taking a client handle:
/// the dispatch hot path's form of [`Event`] ("call, await, destroy" fused, so it cannot leak).
pub(crate) struct ScopedEvent<'a> {
    client: &'a Client,
    raw: NonNull<sys::PJRT_Event>,
}

impl<'a> ScopedEvent<'a> {
    /// Takes ownership of `raw`, if non-null, for the duration of the borrow of `client`.
    pub(crate) fn from_raw(client: &'a Client, raw: *mut sys::PJRT_Event) -> Option<Self> {
        let raw = NonNull::new(raw)?;
        EVENTS.created();
        Some(ScopedEvent { client, raw })
    }

    /// Blocks until the event is ready; returns the error it completed with, if any.
    pub(crate) fn wait(self) -> Result<()> {
        await_event(self.client, self.raw)
    }

    /// Whether the event is ready, without blocking.
    pub(crate) fn into_is_ready(self) -> Result<bool> {
        event_is_ready(self.client, self.raw)
    }
}

impl Drop for ScopedEvent<'_> {
    fn drop(&mut self) {
        destroy_event(self.client, self.raw);
    }
}

/// Waits for `event` and returns the error it completed with, if any: polls it for up to
/// [`wait_spin`], yielding between polls, then blocks. The polling adapts per thread, as an
/// adaptive mutex's spinning does: after a wait that outlasted the budget the thread's next
/// wait blocks at once, and a wait that ends within the budget turns polling back on. A loop
/// of long programs (a large product keeping every core busy) then pays for one poll only,
/// while a loop of short ones keeps it.
fn await_event(client: &Client, event: NonNull<sys::PJRT_Event>) -> Result<()> {
    thread_local! {
        /// Whether this thread's last wait for an unfinished event fit in the budget.
        static LAST_WAIT_FIT: Cell<bool> = const { Cell::new(true) };
    }
    let budget = wait_spin()?;
    // A failed poll counts as finished: the await below reports the plugin's error.
    let finished = || !matches!(event_is_ready(client, event), Ok(false));
    if !budget.is_zero() && !finished() {
        let start = Instant::now();
        if LAST_WAIT_FIT.get() {
            while !finished() && start.elapsed() < budget {
                std::thread::yield_now();
            }
        }
        let result = block_on(client, event);
        LAST_WAIT_FIT.set(start.elapsed() < budget);
        return result;
    }
    block_on(client, event)
}

/// Blocks in `PJRT_Event_Await` until `event` is ready.
fn block_on(client: &Client, event: NonNull<sys::PJRT_Event>) -> Result<()> {
    let mut args = sys::PJRT_Event_Await_Args::zeroed_sized();
    args.event = event.as_ptr();
    // SAFETY: the event is live until its owner drops.
    unsafe { pjrt_call!(client.plugin(), PJRT_Event_Await, &mut args) }
}

fn event_is_ready(client: &Client, event: NonNull<sys::PJRT_Event>) -> Result<bool> {
    let mut args = sys::PJRT_Event_IsReady_Args::zeroed_sized();
    args.event = event.as_ptr();
    // SAFETY: the event is live until its owner drops.
    unsafe { pjrt_call!(client.plugin(), PJRT_Event_IsReady, &mut args) }?;
    Ok(args.is_ready)
}

fn destroy_event(client: &Client, event: NonNull<sys::PJRT_Event>) {
    let mut args = sys::PJRT_Event_Destroy_Args::zeroed_sized();
    args.event = event.as_ptr();
    // SAFETY: the caller owns the event, and each owner's Drop is the one place it is
    // destroyed.
    let result = unsafe { pjrt_call!(client.plugin(), PJRT_Event_Destroy, &mut args) };
    EVENTS.destroyed(result);
}

impl Event {
    /// Takes ownership of `raw`, if non-null.
    pub(crate) fn from_raw(client: &Client, raw: *mut sys::PJRT_Event) -> Option<Event> {
        let raw = NonNull::new(raw)?;
        EVENTS.created();
        Some(Event {
            client: client.clone(),
            raw,
        })
    }

    /// Blocks until the event is ready, returning the error it completed with, if any.
    pub fn wait(&self) -> Result<()> {
        await_event(&self.client, self.raw)
    }

    /// Whether the event is ready, without blocking.
    pub fn is_ready(&self) -> Result<bool> {
        event_is_ready(&self.client, self.raw)
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        destroy_event(&self.client, self.raw);
    }
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_WAIT_SPIN, Duration, wait_spin_from_env};

    #[test]
    fn the_wait_budget_from_the_environment_is_whole_microseconds() {
        let read = |value: Option<&str>| wait_spin_from_env(value.map(String::from));
        assert_eq!(read(None), Ok(DEFAULT_WAIT_SPIN));
        assert_eq!(read(Some("0")), Ok(Duration::ZERO));
        assert_eq!(read(Some(" 250 ")), Ok(Duration::from_micros(250)));
        for bad in ["-1", "1.5", "1ms", ""] {
            let message = read(Some(bad)).expect_err(bad);
            assert!(
                message.contains("RJAX_WAIT_SPIN_US") && message.contains(&format!("{bad:?}")),
                "{message}"
            );
        }
    }
}
