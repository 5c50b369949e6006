//! Programs by the text they were compiled from, held weakly: a second request for the same
//! text (eager dispatch and a `jit` meeting one program, two `Jitted`s tracing the same
//! function) shares one executable, and an executable nothing else holds is freed.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// Weak references to live executables (or any shared value) by program text.
pub(crate) struct ProgramIndex<V> {
    programs: HashMap<String, Weak<V>>,
    /// The size at which dead entries are next swept out: twice the live count after the last
    /// sweep, so that sweeping costs O(1) per insertion on average.
    sweep_at: usize,
}

impl<V> ProgramIndex<V> {
    /// An empty index.
    pub(crate) fn new() -> Self {
        ProgramIndex {
            programs: HashMap::new(),
            sweep_at: 64,
        }
    }

    /// The live value compiled from `text`, if any.
    pub(crate) fn get(&self, text: &str) -> Option<Arc<V>> {
        self.programs.get(text).and_then(Weak::upgrade)
    }

    /// Records `value` as compiled from `text`; returns the value to use, which is an
    /// equal program another thread recorded first, if it is still alive.
    pub(crate) fn insert(&mut self, text: &str, value: Arc<V>) -> Arc<V> {
        if let Some(live) = self.get(text) {
            return live;
        }
        self.programs
            .insert(text.to_string(), Arc::downgrade(&value));
        if self.programs.len() >= self.sweep_at {
            self.programs.retain(|_, weak| weak.strong_count() > 0);
            self.sweep_at = (2 * self.programs.len()).max(64);
        }
        value
    }

    /// The number of entries, dead ones not yet swept included.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.programs.len()
    }
}

impl<V> Default for ProgramIndex<V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_nothing_alive_and_sweeps_the_dead() {
        let mut index = ProgramIndex::new();
        let kept = index.insert("a", Arc::new(1));
        assert_eq!(index.get("a").as_deref(), Some(&1));
        // A second program for the same text gives back the live one.
        assert!(Arc::ptr_eq(&index.insert("a", Arc::new(2)), &kept));
        for i in 0..1000 {
            // Dropped at once: only the index would hold them.
            index.insert(&format!("p{i}"), Arc::new(i));
        }
        assert!(index.len() < 130, "dead entries are swept: {}", index.len());
        assert_eq!(index.get("a").as_deref(), Some(&1));
        assert_eq!(index.get("p3"), None);
        drop(kept);
        assert_eq!(index.get("a"), None);
    }
}
