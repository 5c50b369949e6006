//! `PJRT_Event`: completion of asynchronous work (a transfer, an execution's outputs).

use std::ptr::NonNull;

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::Client;
use super::live::EVENTS;
use super::plugin::pjrt_call;
use crate::Result;

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

fn await_event(client: &Client, event: NonNull<sys::PJRT_Event>) -> Result<()> {
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
