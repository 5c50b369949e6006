//! Generates the PJRT C API bindings at build time, and fetches the CPU plugins rjax embeds.
//!
//! Three Python wheels carry a build of XLA's CPU plugin. Each is pinned by version and by the
//! sha256 of its file (pip checks it: `--require-hashes`), fetched once with `pip download`
//! and unpacked into a cache outside `target/`, so `cargo clean` does not fetch it again and
//! later builds work offline. By the name rjax gives each build:
//! - `v3`: `fastatomstruct-xla-cpu` 2026.6.23, compiled for x86-64-v3 (AVX2, FMA, ...);
//! - `portable`: `lammps-jax-pjrt-cpu` 0.11.2, baseline x86-64 with run-time ISA dispatch;
//! - `official`: `xla-cpu-pjrt` 0.0.1 (the OpenXLA authors'), baseline x86-64 or aarch64. Its
//!   wheel also carries the `pjrt_c_api.h` that the bindings are generated from.
//!
//! Only the wheels that exist for the target platform are fetched: on Linux x86-64 all three,
//! on Linux aarch64 only the official one. None exists for macOS or Windows: there the header
//! comes from the official Linux x86-64 wheel (the header is the same file in every wheel) and
//! no plugin is embedded.
//!
//! Dependents read the paths through `links` metadata: `DEP_PJRT_C_API_CPU_PLUGIN_V3`,
//! `DEP_PJRT_C_API_CPU_PLUGIN_PORTABLE` and `DEP_PJRT_C_API_CPU_PLUGIN_OFFICIAL` (each empty
//! where that build does not exist for the target), and `DEP_PJRT_C_API_HEADER`. Which plugin
//! runs is decided at run time, by `rjax::runtime::cpu_plugin_choice`.
//!
//! bindgen needs libclang. Where the machine has none, the `libclang` wheel is fetched
//! into the same cache and loaded through `LIBCLANG_PATH`; it ships no clang resource headers, so
//! the C compiler's own include directory supplies `stdbool.h` and friends.
//!
//! Environment variables (each overrides one location):
//! - `RJAX_CACHE_DIR`: the cache (default `$XDG_CACHE_HOME/rjax`, else `~/.cache/rjax`);
//! - `RJAX_PJRT_HEADER`: the `pjrt_c_api.h` to generate bindings from;
//! - `LIBCLANG_PATH`: the directory holding `libclang.so`;
//! - `PYTHON`: the interpreter used to fetch wheels (default `python3`).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wheel platform tags of the targets that have plugin wheels.
const LINUX_X86_64: &str = "manylinux_2_27_x86_64";
const LINUX_AARCH64: &str = "manylinux_2_27_aarch64";

const OFFICIAL_X86_64: PinnedWheel = PinnedWheel {
    package: "xla-cpu-pjrt",
    version: "0.0.1",
    platform: LINUX_X86_64,
    sha256: "55837b6b7b47daa717f2d9a5a03563ea0ceaa338d06a81a1e2d3f060d960decc",
};
const OFFICIAL_AARCH64: PinnedWheel = PinnedWheel {
    package: "xla-cpu-pjrt",
    version: "0.0.1",
    platform: LINUX_AARCH64,
    sha256: "8f613be6e891858f40d64f9799319502fff42689661944fc18a6ffd8210b30c9",
};

/// The official wheels: the header's, and the plugin of last resort.
const OFFICIAL_WHEELS: &[PinnedWheel] = &[OFFICIAL_X86_64, OFFICIAL_AARCH64];

/// The CPU plugin builds, fastest first.
const CPU_PLUGINS: [CpuPlugin; 3] = [
    CpuPlugin {
        name: "v3",
        in_wheel: "fastatomstruct_xla_cpu/libpjrt_cpu.so",
        wheels: &[PinnedWheel {
            package: "fastatomstruct-xla-cpu",
            version: "2026.6.23",
            platform: LINUX_X86_64,
            sha256: "88b1c430b341b4bea40a37420311c9c75db6e22b46d2ff95b6986577bee6afe9",
        }],
    },
    CpuPlugin {
        name: "portable",
        in_wheel: "lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so",
        wheels: &[PinnedWheel {
            package: "lammps-jax-pjrt-cpu",
            version: "0.11.2",
            platform: LINUX_X86_64,
            sha256: "1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1",
        }],
    },
    CpuPlugin {
        name: "official",
        in_wheel: "xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so",
        wheels: OFFICIAL_WHEELS,
    },
];

const HEADER_IN_WHEEL: &str = "xla_plugins/xla_cpu_pjrt/include/pjrt_c_api.h";

/// The libclang wheel, a build tool for the host (not pinned to one platform's file).
const LIBCLANG_REQUIREMENT: &str = "libclang==18.1.1";

type BuildResult<T> = Result<T, String>;

/// One wheel file, pinned by package, version, platform tag and the sha256 of its bytes.
struct PinnedWheel {
    package: &'static str,
    version: &'static str,
    /// The wheel's platform tag, e.g. `manylinux_2_27_x86_64`.
    platform: &'static str,
    sha256: &'static str,
}

impl PinnedWheel {
    /// The wheel's file name without `.whl`, as the wheel format spells it; also the name of
    /// its directory in the cache.
    fn stem(&self) -> String {
        format!(
            "{}-{}-py3-none-{}",
            self.package.replace('-', "_"),
            self.version,
            self.platform
        )
    }

    /// Returns the unpacked wheel, downloading it first (and checking its hash) if the cache
    /// lacks it.
    fn unpacked(&self, cache: &Path) -> BuildResult<PathBuf> {
        let requirement = format!(
            "{}=={} --hash=sha256:{}",
            self.package, self.version, self.sha256
        );
        unpacked_wheel(
            cache,
            &self.stem(),
            &requirement,
            &["--require-hashes", "--platform", self.platform],
        )
    }
}

/// A build of XLA's CPU plugin that rjax embeds.
struct CpuPlugin {
    /// The name of the build: the key of its `links` metadata (`cpu_plugin_<name>`) and the
    /// value of `RJAX_CPU_PLUGIN` that asks for it at run time.
    name: &'static str,
    /// Where the plugin sits inside its wheel.
    in_wheel: &'static str,
    /// Its wheel for each platform it exists for.
    wheels: &'static [PinnedWheel],
}

impl CpuPlugin {
    /// The wheel of this build for the target platform `platform`, if one exists.
    fn wheel_for(&self, platform: Option<&str>) -> Option<&'static PinnedWheel> {
        self.wheels
            .iter()
            .find(|wheel| Some(wheel.platform) == platform)
    }
}

/// The wheel platform tag of the target being built for, if plugin wheels exist for it.
fn target_platform() -> Option<&'static str> {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    match (os.as_str(), arch.as_str()) {
        ("linux", "x86_64") => Some(LINUX_X86_64),
        ("linux", "aarch64") => Some(LINUX_AARCH64),
        _ => None,
    }
}

/// Returns `<cache>/<dir_name>`, the unpacked wheel that `pip download` fetches for
/// `requirement` (a requirements-file line) with `pip_args`, downloading it if the cache
/// lacks it.
fn unpacked_wheel(
    cache: &Path,
    dir_name: &str,
    requirement: &str,
    pip_args: &[&str],
) -> BuildResult<PathBuf> {
    let dir = cache.join(dir_name);
    if dir.is_dir() {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache)
        .map_err(|e| format!("cannot create the cache {}: {e}", cache.display()))?;
    // Unpack beside the final directory and rename it into place, so an interrupted or
    // concurrent build never leaves a half-written cache entry behind.
    let staging = cache.join(format!(".{dir_name}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    let requirements = staging.join("requirements.txt");
    std::fs::write(&requirements, format!("{requirement}\n")).map_err(|e| e.to_string())?;
    run(python()
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--quiet",
        ])
        .args(pip_args)
        .arg("--dest")
        .arg(&staging)
        .arg("--requirement")
        .arg(&requirements))
    .map_err(|e| format!("cannot fetch the wheel `{requirement}`: {e}"))?;
    let wheel = std::fs::read_dir(&staging)
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"))
        .ok_or_else(|| format!("pip download of `{requirement}` produced no wheel"))?;
    run(python()
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&staging))?;
    std::fs::remove_file(&wheel).map_err(|e| e.to_string())?;
    std::fs::remove_file(&requirements).map_err(|e| e.to_string())?;
    if std::fs::rename(&staging, &dir).is_err() {
        // Another build won the race; its copy is identical.
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(dir)
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

/// `path` if it is a file, else an error naming it (and `what` to set instead).
fn existing_file(path: PathBuf, what: &str) -> BuildResult<PathBuf> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} does not exist ({what})", path.display()))
    }
}

/// The header to generate bindings from: `RJAX_PJRT_HEADER`, else the official wheel's (of the
/// target platform, else of Linux x86-64: the header is the same in every wheel).
fn header(cache: &Path, platform: Option<&str>) -> BuildResult<PathBuf> {
    println!("cargo:rerun-if-env-changed=RJAX_PJRT_HEADER");
    if let Some(path) = env::var_os("RJAX_PJRT_HEADER") {
        return existing_file(path.into(), "RJAX_PJRT_HEADER names it");
    }
    let wheel = OFFICIAL_WHEELS
        .iter()
        .find(|wheel| Some(wheel.platform) == platform)
        .unwrap_or(&OFFICIAL_X86_64);
    existing_file(
        wheel.unpacked(cache)?.join(HEADER_IN_WHEEL),
        "set RJAX_PJRT_HEADER to a pjrt_c_api.h",
    )
}

/// Fetches every CPU plugin build that exists for the target and reports its path (or an
/// empty one) as `links` metadata.
fn fetch_cpu_plugins(cache: &Path, platform: Option<&str>) -> BuildResult<()> {
    for plugin in &CPU_PLUGINS {
        let path = match plugin.wheel_for(platform) {
            Some(wheel) => {
                let path = existing_file(
                    wheel.unpacked(cache)?.join(plugin.in_wheel),
                    "delete its directory in the cache to fetch it again",
                )?;
                println!("cargo:rerun-if-changed={}", path.display());
                path.display().to_string()
            }
            None => String::new(),
        };
        println!("cargo:cpu_plugin_{}={path}", plugin.name);
    }
    Ok(())
}

/// Makes libclang loadable for bindgen; returns extra clang arguments the choice needs.
fn prepare_libclang(cache: &Path) -> BuildResult<Vec<String>> {
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    if env::var_os("LIBCLANG_PATH").is_some() || clang_sys::load().is_ok() {
        return Ok(Vec::new());
    }
    let wheel = unpacked_wheel(cache, "libclang-18.1.1", LIBCLANG_REQUIREMENT, &[])?;
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
    let platform = target_platform();
    let header = header(&cache, platform)?;
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:header={}", header.display());
    fetch_cpu_plugins(&cache, platform)?;

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
