//! [`DistributedOptions`], completed from the environment, and the client options each
//! platform's plugin needs in a multi-process run.

use std::path::Path;
use std::time::Duration;

use crate::runtime::{NamedValue, PlatformChoice, find_plugin, is_embedded_cpu_plugin};
use crate::{Error, Result};

/// The environment variable naming the coordinator, as `host:port`.
pub const COORDINATOR_ADDRESS_VAR: &str = "RJAX_COORDINATOR_ADDRESS";
/// The environment variable giving the number of processes.
pub const NUM_PROCESSES_VAR: &str = "RJAX_NUM_PROCESSES";
/// The environment variable giving this process's id, from 0.
pub const PROCESS_ID_VAR: &str = "RJAX_PROCESS_ID";

/// How this process joins a multi-process run: the arguments of
/// `jax.distributed.initialize`. Fields left `None` are read from the environment
/// ([`COORDINATOR_ADDRESS_VAR`], [`NUM_PROCESSES_VAR`], [`PROCESS_ID_VAR`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DistributedOptions {
    /// Where process 0 serves the key-value store, as `host:port`; every process connects
    /// there.
    pub coordinator_address: Option<String>,
    /// How many processes take part.
    pub num_processes: Option<usize>,
    /// This process's id, from 0 to `num_processes - 1`. Process 0 runs the coordinator.
    pub process_id: Option<usize>,
    /// Where process 0's coordinator listens; by default every interface, on the port of
    /// `coordinator_address` (`0.0.0.0:port`), as JAX binds `[::]:port`.
    pub coordinator_bind_address: Option<String>,
    /// How long to wait for the coordinator and for every process to arrive (JAX's
    /// `initialization_timeout`, 300 s by default); also bounds the barrier of
    /// [`shutdown`](super::shutdown).
    pub initialization_timeout: Duration,
}

impl Default for DistributedOptions {
    fn default() -> Self {
        DistributedOptions {
            coordinator_address: None,
            num_processes: None,
            process_id: None,
            coordinator_bind_address: None,
            initialization_timeout: Duration::from_secs(300),
        }
    }
}

/// The options with every field set, checked.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) coordinator_address: String,
    pub(crate) num_processes: usize,
    pub(crate) process_id: usize,
    pub(crate) bind_address: String,
    pub(crate) timeout: Duration,
}

impl DistributedOptions {
    /// Fills the missing fields from the environment and checks them.
    pub(crate) fn resolve(&self) -> Result<Resolved> {
        self.resolve_with(|name| std::env::var(name).ok())
    }

    fn resolve_with(&self, var: impl Fn(&str) -> Option<String>) -> Result<Resolved> {
        let missing = |what: &str, name: &str| {
            Error::distributed(format!(
                "initialize needs {what}: set it in DistributedOptions or in {name}"
            ))
        };
        let number = |name: &str| -> Result<Option<usize>> {
            var(name)
                .map(|text| {
                    text.trim()
                        .parse()
                        .map_err(|_| Error::distributed(format!("{name}={text:?} is not a number")))
                })
                .transpose()
        };
        let coordinator_address = match &self.coordinator_address {
            Some(address) => address.clone(),
            None => var(COORDINATOR_ADDRESS_VAR)
                .ok_or_else(|| missing("a coordinator address", COORDINATOR_ADDRESS_VAR))?,
        };
        let num_processes = match self.num_processes {
            Some(count) => count,
            None => number(NUM_PROCESSES_VAR)?
                .ok_or_else(|| missing("the number of processes", NUM_PROCESSES_VAR))?,
        };
        let process_id = match self.process_id {
            Some(id) => id,
            None => number(PROCESS_ID_VAR)?
                .ok_or_else(|| missing("this process's id", PROCESS_ID_VAR))?,
        };
        if num_processes == 0 || process_id >= num_processes {
            return Err(Error::distributed(format!(
                "process id {process_id} is not below the number of processes {num_processes}"
            )));
        }
        let bind_address = match &self.coordinator_bind_address {
            Some(address) => address.clone(),
            None => {
                let port = coordinator_address
                    .rsplit_once(':')
                    .and_then(|(_, port)| port.parse::<u16>().ok())
                    .ok_or_else(|| {
                        Error::distributed(format!(
                            "the coordinator address {coordinator_address:?} has no port \
                             (expected host:port)"
                        ))
                    })?;
                format!("0.0.0.0:{port}")
            }
        };
        Ok(Resolved {
            coordinator_address,
            num_processes,
            process_id,
            bind_address,
            timeout: self.initialization_timeout,
        })
    }
}

/// The client-creation options `platform`'s plugin needs to span `num_processes` processes,
/// as JAX passes them: `node_id` and `num_nodes` for the GPU plugins (which then exchange
/// their topology through the key-value store); nothing for libtpu, which learns the slice
/// from the TPU runtime and uses only the store; nothing for the CPU plugin, which has no
/// multi-process mode (see `docs/multi-host.md`).
pub(crate) fn platform_options(
    platform: &str,
    process_id: usize,
    num_processes: usize,
) -> Vec<(&'static str, NamedValue)> {
    match platform {
        "cuda" | "rocm" | "gpu" => vec![
            ("node_id", NamedValue::Int64(process_id as i64)),
            ("num_nodes", NamedValue::Int64(num_processes as i64)),
        ],
        _ => Vec::new(),
    }
}

/// The platform the default client will run on, judged before it starts as
/// `Client::from_env` chooses: the plugin file's platform, else the first listed platform
/// whose plugin is found, else the first accelerator whose plugin is installed, else `cpu`.
pub(crate) fn default_platform() -> String {
    match PlatformChoice::from_env() {
        PlatformChoice::Path(path) => platform_of_plugin_file(&path).to_string(),
        PlatformChoice::Platforms(platforms) => platforms
            .iter()
            .find(|platform| find_plugin(platform).is_ok())
            .or(platforms.first())
            .cloned()
            .unwrap_or_else(|| "cpu".into()),
        PlatformChoice::Auto => ["tpu", "cuda", "rocm"]
            .into_iter()
            .find(|platform| find_plugin(platform).is_ok())
            .unwrap_or("cpu")
            .to_string(),
    }
}

/// The platform a plugin file serves, judged by its name (`libtpu.so`,
/// `xla_cuda_plugin.so`, `pjrt_c_api_gpu_plugin.so`, ...); `cpu` for anything else.
fn platform_of_plugin_file(path: &Path) -> &'static str {
    if is_embedded_cpu_plugin(path) {
        return "cpu";
    }
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.contains("tpu") {
        "tpu"
    } else if name.contains("rocm") {
        "rocm"
    } else if name.contains("cuda") || name.contains("gpu") {
        "cuda"
    } else {
        "cpu"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn fields_come_from_the_options_first_then_from_the_environment() {
        let vars = [
            (COORDINATOR_ADDRESS_VAR, "10.0.0.1:1234"),
            (NUM_PROCESSES_VAR, "4"),
            (PROCESS_ID_VAR, " 3 "),
        ];
        let resolved = DistributedOptions::default()
            .resolve_with(env(&vars))
            .unwrap();
        assert_eq!(resolved.coordinator_address, "10.0.0.1:1234");
        assert_eq!((resolved.process_id, resolved.num_processes), (3, 4));
        assert_eq!(resolved.bind_address, "0.0.0.0:1234");
        let options = DistributedOptions {
            process_id: Some(1),
            ..Default::default()
        };
        assert_eq!(options.resolve_with(env(&vars)).unwrap().process_id, 1);
    }

    #[test]
    fn missing_or_inconsistent_fields_are_errors() {
        let message = |vars: &[(&str, &str)]| {
            DistributedOptions::default()
                .resolve_with(env(vars))
                .unwrap_err()
                .to_string()
        };
        assert!(message(&[]).contains(COORDINATOR_ADDRESS_VAR));
        let address = (COORDINATOR_ADDRESS_VAR, "h:1");
        assert!(message(&[address]).contains(NUM_PROCESSES_VAR));
        assert!(message(&[address, (NUM_PROCESSES_VAR, "two")]).contains("not a number"));
        let count = (NUM_PROCESSES_VAR, "2");
        assert!(message(&[address, count, (PROCESS_ID_VAR, "2")]).contains("not below"));
        let no_port = (COORDINATOR_ADDRESS_VAR, "host");
        assert!(message(&[no_port, count, (PROCESS_ID_VAR, "0")]).contains("no port"));
    }

    #[test]
    fn gpu_plugins_get_node_ids_and_the_others_nothing() {
        let names = |platform| -> Vec<_> {
            platform_options(platform, 1, 2)
                .into_iter()
                .map(|(name, _)| name)
                .collect()
        };
        assert_eq!(names("cuda"), ["node_id", "num_nodes"]);
        assert!(names("cpu").is_empty() && names("tpu").is_empty());
        assert_eq!(platform_of_plugin_file(Path::new("/x/libtpu.so")), "tpu");
        let cuda = Path::new("/x/jax_plugins/xla_cuda13/xla_cuda_plugin.so");
        assert_eq!(platform_of_plugin_file(cuda), "cuda");
        for kind in crate::runtime::CpuPluginKind::EMBEDDED {
            if let Some(path) = kind.embedded_path() {
                assert_eq!(platform_of_plugin_file(path), "cpu");
            }
        }
    }
}
