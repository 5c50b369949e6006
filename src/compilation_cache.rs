//! The persistent compilation cache (JAX's `jax_compilation_cache_dir`), opt-in.
//!
//! When a directory is set — by [`set_dir`], or by `RJAX_COMPILATION_CACHE_DIR` (alias
//! `JAX_COMPILATION_CACHE_DIR`) in the environment — every program rjax compiles is
//! serialized there (`PJRT_Executable_Serialize`), keyed by the module text, the plugin and its
//! version, and the compile options. Another process with the same key loads it
//! (`PJRT_Executable_DeserializeAndLoad`) instead of running XLA's compiler.
//!
//! Each entry is two files named by a hash of the key: `<hash>.key` holds the whole key and is
//! compared on load, so a hash collision is a miss, never a wrong program; `<hash>.bin` holds
//! the executable. Files are written to a temporary name and renamed, so a crash never leaves
//! a torn entry.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Result;
use crate::runtime::{Client, CompileOptions, LoadedExecutable};

static DIR: Mutex<Option<Option<PathBuf>>> = Mutex::new(None);
static HITS: AtomicUsize = AtomicUsize::new(0);
static MISSES: AtomicUsize = AtomicUsize::new(0);

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

/// How many programs this process loaded from the cache, and how many it compiled and stored.
pub fn stats() -> (usize, usize) {
    (HITS.load(Ordering::Relaxed), MISSES.load(Ordering::Relaxed))
}

/// Compiles `module`, through the cache in `dir`: loads it if a matching entry exists,
/// otherwise compiles and stores it. Cache I/O failures fall back to compiling.
pub(crate) fn compile(
    dir: &Path,
    client: &Client,
    module: &str,
    options: &CompileOptions,
) -> Result<LoadedExecutable> {
    let key = cache_key(client, module, options);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    let stem = dir.join(format!("{:016x}", hasher.finish()));
    let key_file = stem.with_extension("key");
    let bin_file = stem.with_extension("bin");
    if std::fs::read_to_string(&key_file).is_ok_and(|stored| stored == key) {
        if let Ok(bytes) = std::fs::read(&bin_file) {
            if let Ok(executable) = client.deserialize_executable(&bytes, options, Some(module)) {
                HITS.fetch_add(1, Ordering::Relaxed);
                return Ok(executable);
            }
        }
    }
    let executable = client.compile(module, options)?;
    MISSES.fetch_add(1, Ordering::Relaxed);
    if let Ok(bytes) = executable.serialize() {
        // Best effort: a cache that cannot be written only costs a later compilation.
        let _ = std::fs::create_dir_all(dir)
            .and_then(|()| write_atomically(&bin_file, &bytes))
            .and_then(|()| write_atomically(&key_file, key.as_bytes()));
    }
    Ok(executable)
}

/// Everything that decides what a compilation produces.
fn cache_key(client: &Client, module: &str, options: &CompileOptions) -> String {
    let plugin = client.plugin();
    format!(
        "plugin={}\napi={:?}\nxla={:?}\nplatform={} {}\noptions={:?}\n{module}",
        plugin.path().display(),
        plugin.api_version(),
        plugin.xla_version(),
        client.platform_name(),
        client.platform_version(),
        options.encode(),
    )
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}
