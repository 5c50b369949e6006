//! Running across processes and machines, as `jax.distributed`.
//!
//! Every process of a run calls [`initialize`] before its first array operation, with the
//! same coordinator address and process count and its own process id (or with
//! `DistributedOptions::default()` and the environment variables [`COORDINATOR_ADDRESS_VAR`],
//! [`NUM_PROCESSES_VAR`], [`PROCESS_ID_VAR`]):
//!
//! ```no_run
//! use rjax::distributed::{self, DistributedOptions};
//!
//! distributed::initialize(DistributedOptions {
//!     coordinator_address: Some("10.0.0.1:1234".into()),
//!     num_processes: Some(2),
//!     process_id: Some(0),
//!     ..Default::default()
//! })?;
//! assert_eq!(distributed::process_count(), 2);
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! Process 0 then serves a [`Coordinator`]: a key-value store over TCP. Every process joins
//! it through a [`KeyValueClient`] and waits there until all have arrived. The default client
//! is created with that store (the key-value callbacks of `PJRT_Client_Create`) and with the
//! options its platform needs to span processes (`node_id` and `num_nodes` for GPUs), so a
//! plugin with a multi-process mode sees the devices of every process.
//!
//! The CPU plugin has no multi-process mode: each process gets a client of its own devices
//! only, and a collective cannot cross processes. `docs/multi-host.md` has the design, the
//! per-platform picture and the evidence.

mod client;
mod coordinator;
mod options;
mod protocol;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

pub use client::KeyValueClient;
pub use coordinator::Coordinator;
pub use options::{COORDINATOR_ADDRESS_VAR, DistributedOptions, NUM_PROCESSES_VAR, PROCESS_ID_VAR};

use crate::runtime::ClientOptions;
pub use crate::runtime::KeyValueStore;
use crate::{Error, Result};

/// The distributed runtime of this process, while initialized.
struct Runtime {
    process_id: usize,
    num_processes: usize,
    timeout: std::time::Duration,
    store: KeyValueClient,
    /// Process 0's coordinator, stopped at shutdown.
    coordinator: Option<Coordinator>,
}

struct State {
    runtime: Option<Runtime>,
    /// Whether the default client took its options: from then on, joining a run is too late.
    default_client_requested: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    runtime: None,
    default_client_requested: false,
});

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Joins this process to a multi-process run (`jax.distributed.initialize`): process 0 starts
/// the coordinator, every process connects to it, and all wait until every process has
/// arrived, up to `options.initialization_timeout`.
///
/// It is an error to call it after the default client started (the first array operation),
/// or twice without [`shutdown`] in between, or with two processes claiming one id.
pub fn initialize(options: DistributedOptions) -> Result<()> {
    let mut state = state();
    if state.runtime.is_some() {
        return Err(Error::distributed(
            "initialize was already called; call shutdown first to leave the run",
        ));
    }
    if state.default_client_requested {
        return Err(Error::distributed(
            "initialize must come before the first array operation: the default client has \
             already started without the distributed runtime",
        ));
    }
    let options = options.resolve()?;
    let coordinator = match options.process_id {
        0 => Some(Coordinator::start(&options.bind_address)?),
        _ => None,
    };
    let store = KeyValueClient::connect(&options.coordinator_address, options.timeout)?;
    let arrival = token(options.process_id);
    let arrivals = store.scoped("rjax/arrived/");
    arrivals.put(&options.process_id.to_string(), arrival.as_bytes())?;
    let keys: Vec<String> = (0..options.num_processes)
        .map(|id| id.to_string())
        .collect();
    let arrived = arrivals.get_all(&keys, options.timeout).map_err(|error| {
        Error::distributed(format!(
            "not every one of the {} processes joined the run: {error}",
            options.num_processes
        ))
    })?;
    if arrived[options.process_id] != arrival.as_bytes() {
        return Err(Error::distributed(format!(
            "two processes claim process id {}; each needs its own",
            options.process_id
        )));
    }
    state.runtime = Some(Runtime {
        process_id: options.process_id,
        num_processes: options.num_processes,
        timeout: options.timeout,
        store,
        coordinator,
    });
    Ok(())
}

/// A value no other process will put: the process id, the OS process id and the time.
fn token(process_id: usize) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|time| time.as_nanos())
        .unwrap_or(0);
    format!("{process_id}/{}/{nanos}", std::process::id())
}

/// Whether [`initialize`] has been called (and not undone by [`shutdown`]).
pub fn is_initialized() -> bool {
    state().runtime.is_some()
}

/// This process's index in the run (`jax.process_index()`): its process id, or 0 when the
/// distributed runtime is not initialized.
pub fn process_index() -> usize {
    state()
        .runtime
        .as_ref()
        .map_or(0, |runtime| runtime.process_id)
}

/// The number of processes in the run (`jax.process_count()`): 1 when the distributed runtime
/// is not initialized.
pub fn process_count() -> usize {
    state()
        .runtime
        .as_ref()
        .map_or(1, |runtime| runtime.num_processes)
}

/// The run's key-value store for user code, shared by every process (JAX's
/// `distributed.global_state.client`), or `None` when not initialized. Its keys are kept apart
/// from those of rjax and of the PJRT plugin.
pub fn key_value_store() -> Option<KeyValueClient> {
    let state = state();
    let runtime = state.runtime.as_ref()?;
    Some(runtime.store.scoped("user/"))
}

/// Leaves the run (`jax.distributed.shutdown()`): waits, up to the initialization timeout,
/// until every process has called it, so that process 0 does not stop the coordinator under
/// the others, then stops the coordinator in process 0. Does nothing when not initialized.
///
/// The default client, if it started, keeps its devices but loses the store: a plugin that
/// still needs it gets errors. [`initialize`] may be called again only if the default client
/// has not started.
pub fn shutdown() -> Result<()> {
    let Some(runtime) = state().runtime.take() else {
        return Ok(());
    };
    let departures = runtime.store.scoped("rjax/departed/");
    departures.put(&runtime.process_id.to_string(), b"")?;
    let Some(coordinator) = runtime.coordinator else {
        // Process 0 answers once everyone has left. The coordinator stopping before this
        // process read that answer also means everyone has left: it stops only then.
        return match departures.get("all", runtime.timeout) {
            Ok(None) => Err(Error::distributed(format!(
                "not every process called shutdown within {:?}",
                runtime.timeout
            ))),
            Ok(Some(_)) | Err(_) => Ok(()),
        };
    };
    let keys: Vec<String> = (0..runtime.num_processes)
        .map(|id| id.to_string())
        .collect();
    let result = departures
        .get_all(&keys, runtime.timeout)
        .and_then(|_| departures.put("all", b""));
    coordinator.shutdown();
    result
}

/// The options of a client for `platform` (`cpu`, `cuda`, `tpu`, ...) in this run: the
/// key-value store and the process options the platform's plugin needs; plain options when
/// the distributed runtime is not initialized.
pub fn client_options(platform: &str) -> ClientOptions {
    options_for(&state(), platform)
}

fn options_for(state: &State, platform: &str) -> ClientOptions {
    let Some(runtime) = &state.runtime else {
        return ClientOptions::new();
    };
    let store: Arc<dyn KeyValueStore> = Arc::new(runtime.store.scoped("pjrt/"));
    let mut options = ClientOptions::new().key_value_store(store);
    for (name, value) in
        options::platform_options(platform, runtime.process_id, runtime.num_processes)
    {
        options = options.option(name, value);
    }
    options
}

/// The options of the default client (see [`client_options`]), for the platform the
/// environment selects. From this call on, [`initialize`] is too late.
pub(crate) fn default_client_options() -> ClientOptions {
    let mut state = state();
    state.default_client_requested = true;
    if state.runtime.is_none() {
        return ClientOptions::new();
    }
    options_for(&state, &options::default_platform())
}
