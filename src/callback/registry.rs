//! [`Callback`]: a Rust closure a compiled program can call on the host, and the process-wide
//! registry through which the FFI handler finds it by id.
//!
//! **Lifetime.** A callback is registered when a program calling it is first lowered, and
//! stays registered for the rest of the process: programs are kept in rjax's compilation
//! cache for as long, and one may still be running (asynchronously) after every rjax value
//! that led to it is gone, so nothing else could know when the closure may be dropped.
//! Registration is idempotent per callback, so memory stays bounded where programs do:
//! clone one [`Callback`] rather than making a new one per trace, and re-tracing a function
//! in a loop registers (and compiles) nothing new. A closure that captures nothing is a single
//! value of its type, so [`Callback::new`] gives every instance of it the same id, and a
//! literal closure in a loop reuses its registration too. Eager calls run the closure directly
//! and register nothing.

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::{Array, Result};

/// The closure a [`Callback`] wraps: concrete host arrays in, arrays out.
pub type CallbackFn = dyn Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync;

/// A host function that compiled programs can call: a closure, a name for error messages and
/// an id that identifies it in programs. Cloning is cheap and keeps the id.
#[derive(Clone)]
pub struct Callback(Arc<Entry>);

struct Entry {
    id: i64,
    name: String,
    f: Box<CallbackFn>,
}

impl Callback {
    /// Wraps `f`, named by its type (e.g. `my_crate::main::{{closure}}`). The closure receives
    /// the callback's arguments as concrete arrays on the host and returns its results.
    ///
    /// Every instance of a closure that captures nothing shares one id, so creating it again
    /// (in a loop, say) reuses its registration and compiled programs.
    pub fn new<F>(f: F) -> Callback
    where
        F: Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static,
    {
        if size_of::<F>() != 0 {
            return Callback::named(std::any::type_name::<F>(), f);
        }
        static STATELESS: OnceLock<Mutex<HashMap<TypeId, Callback>>> = OnceLock::new();
        let mut stateless = lock(STATELESS.get_or_init(Default::default));
        stateless
            .entry(TypeId::of::<F>())
            .or_insert_with(|| Callback::named(std::any::type_name::<F>(), f))
            .clone()
    }

    /// Wraps `f` under `name`, which error messages and jaxprs show.
    pub fn named<F>(name: impl Into<String>, f: F) -> Callback
    where
        F: Fn(&[Array]) -> Result<Vec<Array>> + Send + Sync + 'static,
    {
        static NEXT_ID: AtomicI64 = AtomicI64::new(1);
        Callback(Arc::new(Entry {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            f: Box::new(f),
        }))
    }

    /// The name error messages use.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The id programs call it by.
    pub(crate) fn id(&self) -> i64 {
        self.0.id
    }

    /// Runs the closure.
    pub(crate) fn invoke(&self, args: &[Array]) -> Result<Vec<Array>> {
        (self.0.f)(args)
    }

    /// Makes the callback findable by [`lookup`], for the programs about to call it.
    pub(crate) fn register(&self) {
        lock(registry())
            .entry(self.id())
            .or_insert_with(|| self.clone());
    }
}

/// The registered callback with `id`. The registry's lock is released before the caller runs
/// it, so a callback may itself trace, compile and run programs with callbacks.
pub(crate) fn lookup(id: i64) -> Option<Callback> {
    lock(registry()).get(&id).cloned()
}

fn registry() -> &'static Mutex<HashMap<i64, Callback>> {
    static REGISTRY: OnceLock<Mutex<HashMap<i64, Callback>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

impl PartialEq for Callback {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Callback {}

impl Hash for Callback {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.name(), self.id())
    }
}
