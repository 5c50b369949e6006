//! Live-object counters: how many PJRT clients, buffers, executables and events this process
//! holds right now. Tests assert that they return to zero, which proves every C object is
//! destroyed (each counter moves exactly where the object is created and destroyed).

use std::sync::atomic::{AtomicUsize, Ordering};

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
pub(crate) struct Counter(AtomicUsize);

impl Counter {
    const fn new() -> Self {
        Counter(AtomicUsize::new(0))
    }

    /// Records the creation of one object.
    pub(crate) fn created(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the destruction of one object.
    pub(crate) fn destroyed(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

pub(crate) static CLIENTS: Counter = Counter::new();
pub(crate) static BUFFERS: Counter = Counter::new();
pub(crate) static EXECUTABLES: Counter = Counter::new();
pub(crate) static EVENTS: Counter = Counter::new();
