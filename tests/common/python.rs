//! Real Python for the tests that compare against it: the interpreter of the virtual
//! environment `scripts/python-env.sh` keeps (JAX, NumPy, SciPy, Optax and safetensors, pinned
//! by version and sha256 in `scripts/python-requirements.txt`), created on first use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The interpreter's path. Panics with pip's message when the environment cannot be created
/// (no network on first use, say): a test that compares against Python must not pass without it.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/python-env.sh");
        let out = Command::new(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

/// Runs `code` with the pinned Python (`-P`, so the checkout's directories do not shadow the
/// packages) and `args`, with JAX on the CPU, and returns its standard output. Panics with
/// Python's standard error when it fails.
pub fn run_python(code: &str, args: &[&str]) -> String {
    let out = Command::new(python())
        .arg("-P")
        .arg("-c")
        .arg(code)
        .args(args)
        .env("JAX_PLATFORMS", "cpu")
        .output()
        .expect("cannot start Python");
    assert!(
        out.status.success(),
        "Python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("Python printed invalid UTF-8")
}
