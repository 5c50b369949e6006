//! Generates the PJRT C API bindings at build time.
//!
//! The header comes from the official OpenXLA wheel `xla-cpu-pjrt` on PyPI, fetched once with
//! `pip download` and unpacked into a cache outside `target/`, so `cargo clean` does not fetch
//! it again and later builds work offline. The same wheel carries the CPU plugin that rjax uses
//! as its default backend; its path is handed to dependents as `DEP_PJRT_C_API_CPU_PLUGIN`.
//!
//! bindgen needs libclang. Where the machine has none, the `libclang` wheel from PyPI is fetched
//! into the same cache and loaded through `LIBCLANG_PATH`; it ships no clang resource headers, so
//! the C compiler's own include directory supplies `stdbool.h` and friends.
//!
//! Environment variables (each overrides one location):
//! - `RJAX_CACHE_DIR`: the cache (default `$XDG_CACHE_HOME/rjax`, else `~/.cache/rjax`);
//! - `RJAX_PJRT_HEADER`: the `pjrt_c_api.h` to generate bindings from;
//! - `RJAX_CPU_PLUGIN`: the default CPU plugin baked into rjax;
//! - `LIBCLANG_PATH`: the directory holding `libclang.so`;
//! - `PYTHON`: the interpreter used to fetch wheels (default `python3`).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const PJRT_WHEEL: Wheel = Wheel {
    name: "xla-cpu-pjrt",
    version: "0.0.1",
};
const LIBCLANG_WHEEL: Wheel = Wheel {
    name: "libclang",
    version: "18.1.1",
};
const HEADER_IN_WHEEL: &str = "xla_plugins/xla_cpu_pjrt/include/pjrt_c_api.h";
const PLUGIN_IN_WHEEL: &str = "xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so";

type BuildResult<T> = Result<T, String>;

/// A wheel on PyPI, unpacked once into `<cache>/<name>-<version>/`.
struct Wheel {
    name: &'static str,
    version: &'static str,
}

impl Wheel {
    fn dir(&self, cache: &Path) -> PathBuf {
        cache.join(format!("{}-{}", self.name, self.version))
    }

    /// Returns the unpacked wheel, downloading it first if the cache lacks it.
    fn unpacked(&self, cache: &Path) -> BuildResult<PathBuf> {
        let dir = self.dir(cache);
        if dir.is_dir() {
            return Ok(dir);
        }
        std::fs::create_dir_all(cache)
            .map_err(|e| format!("cannot create the cache {}: {e}", cache.display()))?;
        // Unpack beside the final directory and rename it into place, so an interrupted or
        // concurrent build never leaves a half-written cache entry behind.
        let staging = cache.join(format!(
            ".{}-{}.{}",
            self.name,
            self.version,
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&staging);
        let spec = format!("{}=={}", self.name, self.version);
        run(python()
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--quiet",
            ])
            .arg("--dest")
            .arg(&staging)
            .arg(&spec))?;
        let wheel = std::fs::read_dir(&staging)
            .map_err(|e| e.to_string())?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|ext| ext == "whl"))
            .ok_or_else(|| format!("pip download of {spec} produced no wheel"))?;
        run(python()
            .args(["-m", "zipfile", "-e"])
            .arg(&wheel)
            .arg(&staging))?;
        std::fs::remove_file(&wheel).map_err(|e| e.to_string())?;
        if std::fs::rename(&staging, &dir).is_err() {
            // Another build won the race; its copy is identical.
            let _ = std::fs::remove_dir_all(&staging);
        }
        Ok(dir)
    }
}

fn python() -> Command {
    Command::new(env::var_os("PYTHON").unwrap_or_else(|| "python3".into()))
}

fn run(command: &mut Command) -> BuildResult<()> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn cache_dir() -> BuildResult<PathBuf> {
    if let Some(dir) = env::var_os("RJAX_CACHE_DIR") {
        return Ok(dir.into());
    }
    if let Some(dir) = env::var_os("XDG_CACHE_HOME") {
        return Ok(Path::new(&dir).join("rjax"));
    }
    env::var_os("HOME")
        .map(|home| Path::new(&home).join(".cache").join("rjax"))
        .ok_or_else(|| "set RJAX_CACHE_DIR: neither XDG_CACHE_HOME nor HOME is set".to_string())
}

/// A file named by an environment variable, or else one inside the PJRT wheel.
fn from_env_or_wheel(var: &str, in_wheel: &str, cache: &Path) -> BuildResult<PathBuf> {
    println!("cargo:rerun-if-env-changed={var}");
    let path = match env::var_os(var) {
        Some(path) => PathBuf::from(path),
        None => PJRT_WHEEL.unpacked(cache)?.join(in_wheel),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} does not exist (set {var} to override)",
            path.display()
        ))
    }
}

/// Makes libclang loadable for bindgen; returns extra clang arguments the choice needs.
fn prepare_libclang(cache: &Path) -> BuildResult<Vec<String>> {
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    if env::var_os("LIBCLANG_PATH").is_some() || clang_sys::load().is_ok() {
        return Ok(Vec::new());
    }
    let wheel = LIBCLANG_WHEEL.unpacked(cache)?;
    let dir = find_dir_holding(&wheel, "libclang.so")
        .ok_or_else(|| format!("no libclang.so inside {}", wheel.display()))?;
    // SAFETY: build scripts are single-threaded here; nothing else reads the environment
    // concurrently. bindgen's libclang loader reads LIBCLANG_PATH from it.
    unsafe { env::set_var("LIBCLANG_PATH", &dir) };
    // The wheel has no clang resource headers; the C compiler's builtin ones serve instead.
    let compiler = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(&compiler)
        .arg("-print-file-name=include")
        .output()
        .map_err(|e| format!("cannot run {compiler} for its include directory: {e}"))?;
    let include = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(vec![format!("-I{include}")])
}

/// The first directory under `root` (depth first) that holds a file called `file`.
fn find_dir_holding(root: &Path, file: &str) -> Option<PathBuf> {
    if root.join(file).is_file() {
        return Some(root.to_path_buf());
    }
    std::fs::read_dir(root)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .find_map(|dir| find_dir_holding(&dir, file))
}

fn generate() -> BuildResult<()> {
    let cache = cache_dir()?;
    println!("cargo:rerun-if-env-changed=RJAX_CACHE_DIR");
    println!("cargo:rerun-if-env-changed=XDG_CACHE_HOME");
    let header = from_env_or_wheel("RJAX_PJRT_HEADER", HEADER_IN_WHEEL, &cache)?;
    let plugin = from_env_or_wheel("RJAX_CPU_PLUGIN", PLUGIN_IN_WHEEL, &cache)?;
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-changed={}", plugin.display());
    println!("cargo:cpu_plugin={}", plugin.display());
    println!("cargo:header={}", header.display());

    let clang_args = prepare_libclang(&cache)?;
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_args(clang_args)
        .allowlist_item("PJRT_.*")
        // Plugins may return enum values newer than this header: constants, never Rust enums.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .derive_default(false)
        .layout_tests(false)
        .generate_comments(true)
        .generate()
        .map_err(|e| format!("bindgen failed on {}: {e}", header.display()))?;
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    bindings
        .write_to_file(out.join("bindings.rs"))
        .map_err(|e| format!("cannot write the bindings: {e}"))?;
    let text = std::fs::read_to_string(&header).map_err(|e| e.to_string())?;
    std::fs::write(out.join("struct_sizes.rs"), struct_size_impls(&text))
        .map_err(|e| format!("cannot write the struct sizes: {e}"))
}

/// One `PjrtStruct` impl for each struct the header declares with `PJRT_DEFINE_STRUCT_TRAITS`.
fn struct_size_impls(header: &str) -> String {
    const MARKER: &str = "PJRT_DEFINE_STRUCT_TRAITS(";
    header
        .match_indices(MARKER)
        .filter_map(|(at, _)| {
            let rest = &header[at + MARKER.len()..];
            let name = rest.split(',').next()?.trim();
            // Skip the macro's own definition (its argument is a parameter name) and the few
            // structs that have a size constant but no `struct_size` field.
            let body_start = header.find(&format!("struct {name} {{"))?;
            let body = &header[body_start..];
            let body = &body[..body.find("};")?];
            body.contains("struct_size")
                .then(|| format!("impl_pjrt_struct!({name}, {name}_STRUCT_SIZE);\n"))
        })
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PYTHON");
    if let Err(message) = generate() {
        panic!("xla-sys: {message}");
    }
}
