//! Stackless traces (JAX's `trace_ctx` and `set_current_trace`).
//!
//! One thread-local *current trace* interprets every `bind`. A transformation installs its trace
//! for the duration of the user's function with [`with_trace`], which restores the previous one
//! on return and on unwinding. Values belong to a trace only through its [`TraceTag`]; a tracer
//! whose tag is no longer live has escaped its transformation, and using it is an error, never
//! a crash or a wrong result.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::eval_trace::EvalTrace;
use super::primitive::Primitive;
use crate::{Array, Result};

/// The identity of one trace instance. Tracers carry it instead of a pointer to their trace, so
/// that `Array` stays `Send + Sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TraceTag(u64);

impl TraceTag {
    /// A tag never handed out before.
    fn fresh() -> TraceTag {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        TraceTag(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// An interpreter of primitives: evaluation, staging into a jaxpr, and (later) the JVP, batching
/// and partial-evaluation transformations.
pub(crate) trait Trace {
    /// The tag of the tracers this trace owns.
    fn tag(&self) -> Option<TraceTag>;

    /// Applies `primitive` to `args`, which may be this trace's tracers, other traces' tracers
    /// (constants to this one), or concrete arrays.
    fn process_primitive(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>>;

    /// [`Self::process_primitive`] on arguments the caller gives up. Only evaluation makes use
    /// of it: an argument whose device buffer nothing else holds may become an output's.
    fn process_primitive_consuming(
        &self,
        primitive: &Primitive,
        args: Vec<Array>,
    ) -> Result<Vec<Array>> {
        self.process_primitive(primitive, &args)
    }
}

thread_local! {
    static CURRENT: RefCell<Rc<dyn Trace>> = RefCell::new(Rc::new(EvalTrace));
    static LIVE: RefCell<HashSet<TraceTag>> = RefCell::new(HashSet::new());
}

/// The trace that interprets `bind` on this thread now.
pub(crate) fn current_trace() -> Rc<dyn Trace> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Runs `body` with `trace` as the current trace, restoring the previous one afterwards (also
/// when `body` panics).
pub(crate) fn with_trace<R>(trace: Rc<dyn Trace>, body: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<dyn Trace>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                CURRENT.with(|current| *current.borrow_mut() = previous);
            }
        }
    }
    let previous = CURRENT.with(|current| std::mem::replace(&mut *current.borrow_mut(), trace));
    let _restore = Restore(Some(previous));
    body()
}

/// A tag that is live on this thread while this value exists: owned by each trace.
pub(crate) struct LiveTag(TraceTag);

impl LiveTag {
    /// A fresh tag, live until the returned value drops.
    pub(crate) fn new() -> LiveTag {
        let tag = TraceTag::fresh();
        LIVE.with(|live| live.borrow_mut().insert(tag));
        LiveTag(tag)
    }

    /// The tag.
    pub(crate) fn tag(&self) -> TraceTag {
        self.0
    }
}

impl Drop for LiveTag {
    fn drop(&mut self) {
        // The thread-local may already be gone during thread teardown; nothing to do then.
        let _ = LIVE.try_with(|live| live.borrow_mut().remove(&self.0));
    }
}

/// Whether the trace with `tag` is still running on this thread.
pub(crate) fn is_live(tag: TraceTag) -> bool {
    LIVE.with(|live| live.borrow().contains(&tag))
}
