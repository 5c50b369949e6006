//! The cache directory's files: entry names, and writes that are atomic and durable.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
