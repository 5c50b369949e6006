//! The cache directory's files: entry names, and writes that are atomic and durable.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// How old a temporary file must be before it counts as left by a writer that crashed: far
/// longer than any write takes, so a live writer's file is never removed.
pub(super) const STALE_TEMPORARY_AGE: Duration = Duration::from_secs(3600);

/// The extension of entry files.
pub(super) const ENTRY_EXTENSION: &str = "rjaxexe";

/// The file holding the entry for `key` in `dir`: a 64-bit FNV-1a hash of the key in hex, a
/// name that stays the same across builds and processes. Two keys may share a name; the full
/// key stored inside tells them apart.
pub(super) fn entry_path(dir: &Path, key: &str) -> PathBuf {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    dir.join(format!("{hash:016x}.{ENTRY_EXTENSION}"))
}

/// Replaces `path` by `bytes` atomically: readers see the old file or the whole new one,
/// never part of it, and a crash leaves at most a temporary file that nothing reads.
///
/// The bytes go to a new temporary file in the same directory (named by the process, the
/// thread and a counter, so concurrent writers never share one), are flushed to the disk,
/// and the file is renamed over `path`; on Unix the directory is then synced, so that the
/// rename itself survives a power loss.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = temporary_path(path);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    sync_directory(dir);
    Ok(())
}

/// A fresh temporary name beside `path`: hidden, and ending in `.tmp`, never an entry's.
fn temporary_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let thread: String = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(
        ".{name}.{}-{thread}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Removes, once per directory and process, the temporary files (`.*.tmp`) in `dir` older than
/// [`STALE_TEMPORARY_AGE`]: what writers that crashed between creating and renaming them left.
/// Returns how many it removed. Best effort: a file that cannot be read or removed is left.
pub(super) fn sweep_stale_temporaries(dir: &Path) -> usize {
    static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = SWEPT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_or_insert_with(HashSet::new)
        .insert(dir.to_path_buf());
    if !first {
        return 0;
    }
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    listing
        .flatten()
        .filter(|item| {
            let name = item.file_name();
            let name = name.to_string_lossy();
            name.starts_with('.') && name.ends_with(".tmp")
        })
        .filter(|item| {
            item.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| {
                    now.duration_since(modified)
                        .is_ok_and(|age| age > STALE_TEMPORARY_AGE)
                })
        })
        .filter(|item| std::fs::remove_file(item.path()).is_ok())
        .count()
}

/// Flushes `dir`'s entries (the rename) to the disk where the platform allows; the entry is
/// already in place for every reader, so a failure here costs only durability.
fn sync_directory(dir: &Path) {
    if cfg!(unix) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_unique_and_never_entries() {
        let path = Path::new("/cache/0123.rjaxexe");
        let (a, b) = (temporary_path(path), temporary_path(path));
        assert_ne!(a, b);
        assert_eq!(a.parent(), path.parent());
        assert!(a.extension().is_some_and(|e| e == "tmp"));
    }

    #[test]
    fn entry_names_are_stable_hashes_of_the_key() {
        // FNV-1a of the empty string is its offset basis; of "a", a published test vector.
        assert_eq!(
            entry_path(Path::new("d"), ""),
            Path::new("d/cbf29ce484222325.rjaxexe")
        );
        assert_eq!(
            entry_path(Path::new("d"), "a"),
            Path::new("d/af63dc4c8601ec8c.rjaxexe")
        );
    }
}
