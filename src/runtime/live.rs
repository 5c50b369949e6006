//! Live-object counters: how many PJRT clients, buffers, executables and events this process
//! holds right now. Tests assert that they return to zero, which proves every C object is
//! destroyed (each counter moves exactly where the object is created and destroyed).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;

/// A count of live PJRT objects, taken by [`live_objects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveObjects {
    /// `PJRT_Client`s not yet destroyed.
    pub clients: usize,
    /// `PJRT_Buffer`s not yet destroyed.
    pub buffers: usize,
    /// `PJRT_LoadedExecutable`s not yet destroyed.
    pub executables: usize,
    /// `PJRT_Event`s not yet destroyed.
    pub events: usize,
}

/// The number of live PJRT objects of each kind in this process.
pub fn live_objects() -> LiveObjects {
    LiveObjects {
        clients: CLIENTS.get(),
        buffers: BUFFERS.get(),
        executables: EXECUTABLES.get(),
        events: EVENTS.get(),
    }
}

/// One kind's counter.
pub(crate) struct Counter {
    kind: &'static str,
    live: AtomicUsize,
}

impl Counter {
    const fn new(kind: &'static str) -> Self {
        Counter {
            kind,
            live: AtomicUsize::new(0),
        }
    }

    /// Records the creation of one object.
    pub(crate) fn created(&self) {
        self.live.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the destruction of one object, given the result of the C API's destroy call.
    /// `Drop` cannot return errors and must not panic, so a failure is reported on stderr.
    pub(crate) fn destroyed(&self, result: Result<()>) {
        if let Err(error) = result {
            eprintln!("rjax: destroying a PJRT {} failed: {error}", self.kind);
        }
        self.live.fetch_sub(1, Ordering::Relaxed);
    }

    fn get(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }
}

pub(crate) static CLIENTS: Counter = Counter::new("client");
pub(crate) static BUFFERS: Counter = Counter::new("buffer");
pub(crate) static EXECUTABLES: Counter = Counter::new("executable");
pub(crate) static EVENTS: Counter = Counter::new("event");
