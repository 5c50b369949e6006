//! Bounded in-memory caches of compiled programs.
//!
//! Compiling is the expensive step of running anything, so rjax keeps what it compiled: the
//! one-primitive executables of eager dispatch (per primitive, parameters and input types),
//! the executables of eagerly run calls, the batched bodies of `vmap`-ed calls and the
//! lowered bodies of `scan`. Each such cache is a bounded cache: least recently used out
//! first, within the process-wide [`CacheLimits`] (entries and bytes), so that a program that
//! keeps meeting new shapes or new closures runs in bounded memory.
//!
//! Executables are shared through `Arc`s: an executable lives while a cache or a `Jitted`
//! holds it, and is freed when the last holder lets go. A weak index finds a program
//! compiled from the same text again without keeping it alive.

mod limits;
mod program_index;

pub(crate) use limits::positive_env;
pub use limits::{CacheLimits, cache_limits, set_cache_limits};
pub(crate) use program_index::ProgramIndex;

use std::hash::Hash;

use lru::LruCache;

/// What a staged jaxpr and its constants weigh in a cache: the constants' bytes plus a
/// nominal 256 bytes an equation.
pub(crate) fn staged_bytes(jaxpr: &crate::jaxpr::Jaxpr, consts: &[crate::Array]) -> usize {
    let constants: usize = consts
        .iter()
        .map(|c| c.size() * c.dtype().size_in_bytes())
        .sum();
    constants + 256 * jaxpr.eqns.len()
}

/// A least-recently-used cache bounded by [`cache_limits`]: at most `max_entries` entries and
/// `max_bytes` bytes of entry weights (the newest entry is kept even when it alone is
/// heavier).
pub(crate) struct BoundedCache<K: Hash + Eq, V: Clone> {
    entries: LruCache<K, (V, usize)>,
    bytes: usize,
}

impl<K: Hash + Eq, V: Clone> BoundedCache<K, V> {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        BoundedCache {
            entries: LruCache::unbounded(),
            bytes: 0,
        }
    }

    /// The value for `key`, which becomes the most recently used.
    pub(crate) fn get(&mut self, key: &K) -> Option<V> {
        self.entries.get(key).map(|(value, _)| value.clone())
    }

    /// Inserts `value` of `bytes` bytes under `key` (replacing an older value), then drops the
    /// least recently used entries until the cache is within the limits.
    pub(crate) fn insert(&mut self, key: K, value: V, bytes: usize) {
        if let Some((_, old)) = self
            .entries
            .push(key, (value, bytes))
            .map(|(_, entry)| entry)
        {
            self.bytes -= old;
        }
        self.bytes += bytes;
        let limits = cache_limits();
        while self.entries.len() > 1
            && (self.entries.len() > limits.max_entries || self.bytes > limits.max_bytes)
        {
            if let Some((_, (_, dropped))) = self.entries.pop_lru() {
                self.bytes -= dropped;
            }
        }
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

impl<K: Hash + Eq, V: Clone> Default for BoundedCache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_recently_used_entries_leave_first_within_entries_and_bytes() {
        // The limits are process-wide; this test only reads the defaults (1024 entries,
        // 512 MiB) and stays far below the entry bound, so it does not race with other tests.
        let mut cache = BoundedCache::<u32, u32>::new();
        cache.insert(1, 10, 1 << 28);
        cache.insert(2, 20, 1 << 28);
        assert_eq!(cache.get(&1), Some(10)); // 1 is now the most recently used
        cache.insert(3, 30, 1 << 28); // 768 MiB: the least recently used (2) leaves
        assert_eq!(cache.get(&2), None);
        assert_eq!((cache.get(&1), cache.get(&3)), (Some(10), Some(30)));
        assert_eq!(cache.len(), 2);
        cache.insert(4, 40, 1 << 31); // alone over the bound: kept, everything else leaves
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&4), Some(40));
        cache.insert(4, 41, 1); // replacing an entry replaces its weight
        cache.insert(5, 50, 1);
        assert_eq!((cache.get(&4), cache.get(&5)), (Some(41), Some(50)));
    }
}
