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
        let mut args = sys::PJRT_Event_Await_Args::zeroed_sized();
        args.event = self.raw.as_ptr();
        // SAFETY: the event is live until `self` drops.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Event_Await, &mut args) }
    }

    /// Whether the event is ready, without blocking.
    pub fn is_ready(&self) -> Result<bool> {
        let mut args = sys::PJRT_Event_IsReady_Args::zeroed_sized();
        args.event = self.raw.as_ptr();
        // SAFETY: the event is live until `self` drops.
        unsafe { pjrt_call!(self.client.plugin(), PJRT_Event_IsReady, &mut args) }?;
        Ok(args.is_ready)
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        let mut args = sys::PJRT_Event_Destroy_Args::zeroed_sized();
        args.event = self.raw.as_ptr();
        // SAFETY: `self` owns the event, and this is the one place it is destroyed.
        if let Err(error) =
            unsafe { pjrt_call!(self.client.plugin(), PJRT_Event_Destroy, &mut args) }
        {
            eprintln!("rjax: destroying a PJRT event failed: {error}");
        }
        EVENTS.destroyed();
    }
}
