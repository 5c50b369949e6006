//! The persistent compilation cache (JAX's `jax_compilation_cache_dir`), opt-in.
//!
//! When a directory is set — by [`set_dir`], or by `RJAX_COMPILATION_CACHE_DIR` (alias
//! `JAX_COMPILATION_CACHE_DIR`) in the environment — every program rjax compiles is
//! serialized there (`PJRT_Executable_Serialize`), keyed by the module text, the plugin's
//! path and versions, the platform, the host CPU's instruction sets and the compile options. Another process with the same key
//! loads it (`PJRT_Executable_DeserializeAndLoad`) instead of running XLA's compiler.
//!
//! # On disk
//! Each program is one file, `<hash>.rjaxexe`, named by a 64-bit FNV-1a hash of its key. It
//! holds a 28-byte header — the magic `RJAXEXE\0`, the format version (1), a CRC-32 of the rest
//! of the file, the key's and the executable's lengths (all little-endian) — then the whole key
//! and the serialized executable.
//!
//! # Guarantees
//! - **Atomic writes.** An entry is written to a temporary file in the same directory (named by
//!   the process, the thread and a counter), flushed with `fsync`, and renamed over the final
//!   name; on Unix the directory is synced too. A reader sees a previous whole entry or the new
//!   whole entry, never part of one; a crash leaves at most a hidden `.*.tmp` file, which
//!   nothing reads. The first compilation of a process that uses a directory removes the
//!   temporary files there older than an hour (a write takes seconds), so crashed writers'
//!   leftovers do not pile up.
//! - **Verified reads.** An entry that is truncated, has the wrong magic or format version,
//!   fails its checksum, was stored for another key (a name collision, another plugin, version
//!   or options), or that PJRT refuses to load, is never used: rjax logs a warning
//!   (`log::warn!`, naming the file and the reason), compiles the program and writes the entry
//!   again. A damaged cache costs compilations, never a crash or a wrong program.
//! - **Shared directories.** Processes and threads may use one directory at once: each writer
//!   renames its own complete file, so concurrent writers of one program leave one of their
//!   (identical in meaning) entries, and every reader gets a valid one or compiles.
//! - **A false alarm.** On AMD CPUs the embedded plugins' XLA logs "Target machine feature
//!   +prefer-no-gather is not supported on the host machine ... could lead to execution errors
//!   such as SIGILL" (from `cpu_aot_loader.cc`, on standard error) for every entry it loads:
//!   it compares XLA's tuning flags `+prefer-no-gather`/`+prefer-no-scatter`, which are not CPU
//!   features, with the host's features. Every instruction-set feature an entry was compiled
//!   for is one the host has (the key holds the plugin and the host's instruction sets), so the
//!   entry is safe to run.
//! - **Best effort.** A directory that cannot be read or written only costs compilations (and
//!   a warning); the cache never makes a compilation fail.

mod entry;
mod files;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;
use crate::runtime::{Client, CompileOptions, LoadedExecutable};

static DIR: Mutex<Option<Option<PathBuf>>> = Mutex::new(None);
static HITS: AtomicUsize = AtomicUsize::new(0);
static MISSES: AtomicUsize = AtomicUsize::new(0);
static REJECTED: AtomicUsize = AtomicUsize::new(0);
static WRITE_FAILURES: AtomicUsize = AtomicUsize::new(0);

/// Sets (or, with `None`, turns off) the cache directory for this process.
pub fn set_dir(dir: Option<PathBuf>) {
    *DIR.lock().unwrap_or_else(|p| p.into_inner()) = Some(dir);
}

/// The cache directory in use, if any.
pub fn dir() -> Option<PathBuf> {
    let mut dir = DIR.lock().unwrap_or_else(|p| p.into_inner());
    dir.get_or_insert_with(|| {
        std::env::var_os("RJAX_COMPILATION_CACHE_DIR")
            .or_else(|| std::env::var_os("JAX_COMPILATION_CACHE_DIR"))
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    })
    .clone()
}

/// What this process's persistent cache did, counted since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Programs loaded from the cache instead of compiled.
    pub hits: usize,
    /// Programs compiled because the cache had no usable entry (rejected ones included).
    pub misses: usize,
    /// Entries found but not used: damaged, of another format, for another key, or refused
    /// by PJRT. Each was logged and replaced.
    pub rejected: usize,
    /// Entries that could not be written (each was logged).
    pub write_failures: usize,
}

/// The counts of this process's cache hits, misses, rejected entries and failed writes.
pub fn stats() -> CacheStats {
    CacheStats {
        hits: HITS.load(Ordering::Relaxed),
        misses: MISSES.load(Ordering::Relaxed),
        rejected: REJECTED.load(Ordering::Relaxed),
        write_failures: WRITE_FAILURES.load(Ordering::Relaxed),
    }
}

/// Compiles `module` for `client` through the cache in `dir`: loads the entry if an intact one
/// for the same key exists, otherwise compiles and stores it (see the module docs). Cache I/O
/// and damaged entries fall back to compiling; only the compilation's own error is returned.
pub fn compile(
    dir: &Path,
    client: &Client,
    module: &str,
    options: &CompileOptions,
) -> Result<LoadedExecutable> {
    let swept = files::sweep_stale_temporaries(dir);
    if swept > 0 {
        log::info!(
            "rjax compilation cache: removed {swept} stale temporary files from {}",
            dir.display()
        );
    }
    let key = cache_key(client, module, options);
    let path = files::entry_path(dir, &key);
    let rejected = match load(&path, &key, client, module, options) {
        Loaded::Executable(executable) => {
            HITS.fetch_add(1, Ordering::Relaxed);
            return Ok(executable);
        }
        Loaded::Absent => false,
        Loaded::Rejected(reason) => {
            REJECTED.fetch_add(1, Ordering::Relaxed);
            log::warn!(
                "rjax compilation cache: ignoring {}: {reason}; compiling again",
                path.display()
            );
            true
        }
    };
    let executable = client.compile(module, options)?;
    MISSES.fetch_add(1, Ordering::Relaxed);
    let written = match executable.serialize() {
        Err(e) => Err(format!("serializing the executable failed: {e}")),
        Ok(payload) if payload.is_empty() => Err("the plugin serialized nothing".to_string()),
        Ok(payload) => entry::encode(&key, &payload)
            .and_then(|bytes| files::write_atomically(&path, &bytes))
            .map_err(|e| e.to_string()),
    };
    if let Err(reason) = written {
        WRITE_FAILURES.fetch_add(1, Ordering::Relaxed);
        log::warn!(
            "rjax compilation cache: could not write {}: {reason}",
            path.display()
        );
        if rejected {
            // Not replaced: remove it, so that later runs do not read and reject it again.
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(executable)
}

/// What the cache holds for a key.
enum Loaded {
    /// An intact entry, loaded.
    Executable(LoadedExecutable),
    /// No entry.
    Absent,
    /// An entry that cannot be used, and why.
    Rejected(String),
}

/// Reads, verifies and loads the entry at `path` for `key`.
fn load(path: &Path, key: &str, client: &Client, module: &str, options: &CompileOptions) -> Loaded {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Loaded::Absent;
        }
        Err(e) => return Loaded::Rejected(format!("reading it failed: {e}")),
    };
    let payload = match entry::decode(&bytes, key) {
        Ok(payload) => payload,
        Err(rejection) => return Loaded::Rejected(rejection.to_string()),
    };
    match client.deserialize_executable(payload, options, Some(module)) {
        Ok(executable) => Loaded::Executable(executable),
        Err(e) => Loaded::Rejected(format!("PJRT could not load the executable: {e}")),
    }
}

/// Everything that decides what a compilation produces.
fn cache_key(client: &Client, module: &str, options: &CompileOptions) -> String {
    let plugin = client.plugin();
    format!(
        "plugin={}\napi={:?}\nxla={:?}\nplatform={} {}\ncpu={}\noptions={:?}\n{module}",
        plugin.path().display(),
        plugin.api_version(),
        plugin.xla_version(),
        client.platform_name(),
        client.platform_version(),
        host_cpu(),
        options.encode(),
    )
}

/// The host's architecture and the instruction-set extensions XLA's CPU compiler generates
/// code for. XLA compiles for the CPU it runs on, so a directory shared by machines of
/// different CPUs (a network file system, a copied cache) must not hand one machine's program
/// to another that lacks its instructions.
fn host_cpu() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! detected {
            ($($feature:tt),*) => {
                [$((std::arch::is_x86_feature_detected!($feature), $feature)),*]
            };
        }
        let features = detected!(
            "sse3",
            "ssse3",
            "sse4.1",
            "sse4.2",
            "popcnt",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "bmi1",
            "bmi2",
            "lzcnt",
            "movbe",
            "gfni",
            "vaes",
            "vpclmulqdq",
            "avx512f",
            "avx512cd",
            "avx512bw",
            "avx512dq",
            "avx512vl",
            "avx512ifma",
            "avx512vbmi",
            "avx512vbmi2",
            "avx512vnni",
            "avx512bitalg",
            "avx512vpopcntdq"
        );
        let present: Vec<&str> = features
            .iter()
            .filter(|(present, _)| *present)
            .map(|(_, name)| *name)
            .collect();
        format!("x86_64 {}", present.join(","))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::env::consts::ARCH.to_string()
    }
}
