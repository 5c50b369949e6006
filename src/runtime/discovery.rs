//! Finding a plugin for a platform, and choosing the default one (JAX's backend selection).
//!
//! The order, first match wins:
//! 1. an explicit choice: [`PlatformChoice::Path`] / `RJAX_PJRT_PLUGIN` (a plugin file), or
//!    [`PlatformChoice::Platforms`] / `RJAX_PLATFORMS` (alias `JAX_PLATFORMS`), a
//!    comma-separated preference list such as `cuda,cpu`;
//! 2. otherwise accelerators first, as JAX does: `tpu`, then `cuda`, then `rocm`, each only if
//!    its plugin is installed and a client can be created; then the CPU.
//!
//! The `cpu` platform's plugin is the embedded build this CPU runs fastest, or the one
//! `RJAX_CPU_PLUGIN` names ([`cpu_plugin_choice`], in `cpu_plugin.rs`).
//!
//! A platform's plugin is looked for in the directories of `PJRT_PLUGIN_LIBRARY_PATH`
//! (colon-separated; files `pjrt_c_api_<name>_plugin.so`, `pjrt-plugin-<name>.so`,
//! `pjrt_plugin_<name>.so`), then in Python's site-packages where JAX's wheels put them
//! (`jax_plugins/xla_cuda13/xla_cuda_plugin.so`, `libtpu/libtpu.so`, ...). The site-packages
//! directories come from `PYTHONPATH`, `VIRTUAL_ENV`, and finally from asking `python3` (or
//! `RJAX_PYTHON`) for its `sys.path`. `TPU_LIBRARY_PATH` names libtpu directly, as for JAX.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{Client, ClientOptions, Plugin, cpu_plugin_choice};
use crate::{Error, Result};

/// The accelerators tried, in order, when nobody chose a platform.
const ACCELERATORS: [&str; 3] = ["tpu", "cuda", "rocm"];

/// How the plugin of a default client is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformChoice {
    /// This plugin file.
    Path(PathBuf),
    /// The first of these platforms whose plugin is found and starts.
    Platforms(Vec<String>),
    /// Nobody chose: the first accelerator that starts, else the CPU plugin
    /// [`cpu_plugin_choice`] names.
    Auto,
}

impl PlatformChoice {
    /// The choice the environment makes: `RJAX_PJRT_PLUGIN`, else `RJAX_PLATFORMS` or
    /// `JAX_PLATFORMS`, else [`PlatformChoice::Auto`].
    pub fn from_env() -> PlatformChoice {
        Self::from_vars(|name| std::env::var_os(name))
    }

    fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> PlatformChoice {
        if let Some(path) = var("RJAX_PJRT_PLUGIN").filter(|p| !p.is_empty()) {
            return PlatformChoice::Path(path.into());
        }
        let listed = var("RJAX_PLATFORMS").or_else(|| var("JAX_PLATFORMS"));
        let platforms: Vec<String> = listed
            .map(|list| {
                list.to_string_lossy()
                    .split(',')
                    .map(|name| name.trim().to_lowercase())
                    .filter(|name| !name.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if platforms.is_empty() {
            PlatformChoice::Auto
        } else {
            PlatformChoice::Platforms(platforms)
        }
    }
}

impl Client {
    /// A client of the plugin for `platform` (`cpu`, `cuda`, `tpu`, ...), found as
    /// [`find_plugin`] does.
    pub fn for_platform(platform: &str, options: &ClientOptions) -> Result<Client> {
        Client::new(
            &Plugin::load(find_plugin(platform)?)?,
            &options.for_platform(platform),
        )
    }

    /// A client of the plugin that `choice` selects. With [`PlatformChoice::Auto`], an
    /// accelerator whose plugin is installed but cannot start (no GPU on the machine, say) is
    /// skipped with a warning on stderr, as JAX does.
    pub fn from_choice(choice: &PlatformChoice, options: &ClientOptions) -> Result<Client> {
        match choice {
            PlatformChoice::Path(path) => Client::new(&Plugin::load(path)?, options),
            PlatformChoice::Platforms(platforms) => {
                let mut first_error = None;
                for platform in platforms {
                    match Client::for_platform(platform, options) {
                        Ok(client) => return Ok(client),
                        Err(error) => {
                            first_error.get_or_insert(error);
                        }
                    }
                }
                Err(first_error
                    .unwrap_or_else(|| Error::invalid("from_choice", "no platform listed")))
            }
            PlatformChoice::Auto => {
                for platform in ACCELERATORS {
                    let Ok(path) = find_plugin(platform) else {
                        continue;
                    };
                    let options = options.for_platform(platform);
                    match Plugin::load(&path).and_then(|plugin| Client::new(&plugin, &options)) {
                        Ok(client) => return Ok(client),
                        Err(error) => eprintln!(
                            "rjax: the {platform} plugin {} is installed but did not start ({error}); \
                             falling back. Set RJAX_PLATFORMS=cpu to silence this.",
                            path.display()
                        ),
                    }
                }
                Client::for_platform("cpu", options)
            }
        }
    }

    /// A client of the plugin the environment selects ([`PlatformChoice::from_env`]).
    pub fn from_env(options: &ClientOptions) -> Result<Client> {
        Client::from_choice(&PlatformChoice::from_env(), options)
    }
}

/// The plugin file for `platform`, searched as the module documentation describes. The error
/// lists every place searched.
pub fn find_plugin(platform: &str) -> Result<PathBuf> {
    find_with(platform, &|name| std::env::var_os(name), python_sys_path)
}

fn find_with(
    platform: &str,
    var: &dyn Fn(&str) -> Option<OsString>,
    python_sys_path: fn() -> &'static [PathBuf],
) -> Result<PathBuf> {
    let platform = platform.to_lowercase();
    let mut searched = Vec::new();
    let mut check = |candidate: PathBuf| -> Option<PathBuf> {
        let found = candidate.is_file();
        searched.push(candidate.display().to_string());
        found.then_some(candidate)
    };

    if platform == "cpu"
        && let Some(found) = cpu_plugin_choice()?.and_then(|choice| check(choice.path.clone()))
    {
        return Ok(found);
    }
    if platform == "tpu"
        && let Some(found) = var("TPU_LIBRARY_PATH").and_then(|path| check(path.into()))
    {
        return Ok(found);
    }
    let library_dirs = var("PJRT_PLUGIN_LIBRARY_PATH")
        .map(|dirs| std::env::split_paths(&dirs).collect::<Vec<_>>());
    for dir in library_dirs.iter().flatten() {
        for name in plugin_file_names(&platform) {
            if let Some(found) = check(dir.join(name)) {
                return Ok(found);
            }
        }
    }
    let in_site_packages = site_package_paths(&platform);
    if !in_site_packages.is_empty() {
        let mut search_site_packages = |dirs: &[PathBuf]| {
            dirs.iter()
                .find_map(|dir| in_site_packages.iter().find_map(|rel| check(dir.join(rel))))
        };
        if let Some(found) = search_site_packages(&env_site_packages(var)) {
            return Ok(found);
        }
        if let Some(found) = search_site_packages(python_sys_path()) {
            return Ok(found);
        }
    }
    Err(Error::PluginNotFound {
        hint: install_hint(&platform),
        platform,
        searched,
    })
}

/// The file names a plugin directory may hold for `platform`.
fn plugin_file_names(platform: &str) -> [String; 3] {
    [
        format!("pjrt_c_api_{platform}_plugin.so"),
        format!("pjrt-plugin-{platform}.so"),
        format!("pjrt_plugin_{platform}.so"),
    ]
}

/// Where the Python wheels of JAX and OpenXLA put each platform's plugin, under site-packages.
fn site_package_paths(platform: &str) -> &'static [&'static str] {
    match platform {
        "cuda" | "gpu" => &[
            "jax_plugins/xla_cuda13/xla_cuda_plugin.so",
            "jax_plugins/xla_cuda12/xla_cuda_plugin.so",
        ],
        "rocm" => &[
            "jax_plugins/xla_rocm7/xla_rocm_plugin.so",
            "jax_plugins/xla_rocm6/xla_rocm_plugin.so",
        ],
        "tpu" => &["libtpu/libtpu.so"],
        "cpu" => &["xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so"],
        _ => &[],
    }
}

fn install_hint(platform: &str) -> String {
    let install = match platform {
        "cuda" | "gpu" => "install JAX's CUDA plugin (`pip install \"jax[cuda13]\"`), or ",
        "tpu" => "install libtpu (`pip install \"jax[tpu]\"`), or ",
        "rocm" => "install JAX's ROCm plugin, or ",
        "cpu" => "rjax embeds no CPU plugin for this platform: set RJAX_CPU_PLUGIN, or ",
        _ => "",
    };
    format!(
        "To fix: {install}set RJAX_PJRT_PLUGIN to the plugin file, or add its directory to \
         PJRT_PLUGIN_LIBRARY_PATH, or put its site-packages on PYTHONPATH."
    )
}

/// Site-packages directories named by the environment: `PYTHONPATH` entries and the active
/// virtual environment's.
fn env_site_packages(var: &dyn Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = var("PYTHONPATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    if let Some(venv) = var("VIRTUAL_ENV") {
        let lib = Path::new(&venv).join("lib");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&lib)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path().join("site-packages")))
            .filter(|dir| dir.is_dir())
            .collect();
        found.sort();
        dirs.extend(found);
    }
    dirs
}

/// Python's `sys.path` and site-packages, asked once per process of `RJAX_PYTHON` or `python3`;
/// empty if there is no Python.
fn python_sys_path() -> &'static [PathBuf] {
    static PATHS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let python = std::env::var_os("RJAX_PYTHON").unwrap_or_else(|| "python3".into());
        let script = "import site, sys\n\
                      extra = site.getsitepackages() + [site.getusersitepackages()]\n\
                      print('\\n'.join(p for p in sys.path + extra if p))";
        std::process::Command::new(python)
            .args(["-I", "-c", script])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| {
                String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn no_python() -> &'static [PathBuf] {
        &[]
    }

    fn vars(pairs: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.as_os_str().to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rjax-discovery-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_environment_chooses_a_file_then_a_platform_list_then_auto() {
        let file = Path::new("/x/plugin.so");
        let list = Path::new("cuda, CPU");
        assert_eq!(
            PlatformChoice::from_vars(vars(&[("RJAX_PJRT_PLUGIN", file), ("JAX_PLATFORMS", list)])),
            PlatformChoice::Path(file.into())
        );
        assert_eq!(
            PlatformChoice::from_vars(vars(&[("JAX_PLATFORMS", list)])),
            PlatformChoice::Platforms(vec!["cuda".into(), "cpu".into()])
        );
        assert_eq!(PlatformChoice::from_vars(vars(&[])), PlatformChoice::Auto);
    }

    #[test]
    fn a_cuda_plugin_is_found_in_site_packages_named_by_pythonpath() {
        let site = scratch("site");
        let plugin = site.join("jax_plugins/xla_cuda12/xla_cuda_plugin.so");
        std::fs::create_dir_all(plugin.parent().unwrap()).unwrap();
        std::fs::write(&plugin, b"").unwrap();
        let found = find_with("cuda", &vars(&[("PYTHONPATH", &site)]), no_python).unwrap();
        assert_eq!(found, plugin);
    }

    #[test]
    fn a_plugin_library_path_directory_takes_any_conventional_name() {
        let dir = scratch("libpath");
        let plugin = dir.join("pjrt_plugin_tpu.so");
        std::fs::write(&plugin, b"").unwrap();
        let found = find_with(
            "tpu",
            &vars(&[("PJRT_PLUGIN_LIBRARY_PATH", &dir)]),
            no_python,
        )
        .unwrap();
        assert_eq!(found, plugin);
    }

    #[test]
    fn a_missing_plugin_lists_every_place_searched_and_how_to_fix_it() {
        let dir = scratch("empty");
        let error = find_with("cuda", &vars(&[("PYTHONPATH", &dir)]), no_python).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("no PJRT plugin found for platform `cuda`"),
            "{message}"
        );
        assert!(
            message.contains(
                &dir.join("jax_plugins/xla_cuda13/xla_cuda_plugin.so")
                    .display()
                    .to_string()
            ),
            "{message}"
        );
        assert!(message.contains("RJAX_PJRT_PLUGIN"), "{message}");
    }

    #[test]
    fn the_cpu_platform_is_the_chosen_cpu_plugin() {
        let choice = cpu_plugin_choice()
            .unwrap()
            .expect("a CPU plugin is embedded for this platform");
        assert_eq!(
            find_with("cpu", &vars(&[]), no_python).unwrap(),
            choice.path
        );
    }
}
