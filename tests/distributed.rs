//! Multi-process runs on one machine: the coordinator's key-value store across threads and
//! across processes, `rjax::distributed::initialize` in two processes on loopback, and what the
//! CPU plugin makes of a multi-process client.
//!
//! The multi-process tests run this test binary again as child processes: the ignored test
//! `worker` does what [`ROLE_VAR`] says and prints `REPORT key=value` lines, which the parent
//! checks. `cargo test --test distributed -- --nocapture` shows them.

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use rjax::Array;
use rjax::distributed::{
    self, COORDINATOR_ADDRESS_VAR, Coordinator, DistributedOptions, KeyValueClient, KeyValueStore,
    NUM_PROCESSES_VAR, PROCESS_ID_VAR,
};
use rjax::runtime::{Client, ClientOptions, CompileOptions};

/// What a child process does: `join`, `late` or `alone`.
const ROLE_VAR: &str = "RJAX_TEST_DISTRIBUTED_ROLE";

const SECOND: Duration = Duration::from_secs(1);

fn coordinator() -> anyhow::Result<(Coordinator, KeyValueClient)> {
    let coordinator = Coordinator::start("127.0.0.1:0")?;
    let client = KeyValueClient::connect(&coordinator.local_addr().to_string(), SECOND)?;
    Ok((coordinator, client))
}

#[test]
fn the_store_serves_many_threads_at_once() -> anyhow::Result<()> {
    let (_coordinator, client) = coordinator()?;
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|id| {
            let (client, start) = (client.clone(), start.clone());
            std::thread::spawn(move || -> anyhow::Result<Vec<Vec<u8>>> {
                start.wait();
                // Each thread waits for the others' keys while putting its own.
                client.put(&format!("thread/{id}"), &[id as u8; 3])?;
                let keys: Vec<String> = (0..threads).map(|i| format!("thread/{i}")).collect();
                Ok(client.get_all(&keys, 5 * SECOND)?)
            })
        })
        .collect();
    for worker in workers {
        let values = worker.join().expect("a worker thread panicked")?;
        let expected: Vec<Vec<u8>> = (0..threads).map(|i| vec![i as u8; 3]).collect();
        assert_eq!(values, expected);
    }
    let big: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    client.put("big", &big)?;
    assert_eq!(client.try_get("big")?, Some(big));
    client.put("big", b"replaced")?;
    assert_eq!(client.try_get("big")?.as_deref(), Some(&b"replaced"[..]));
    Ok(())
}

#[test]
fn a_get_waits_for_a_later_put_or_times_out() -> anyhow::Result<()> {
    let (_coordinator, client) = coordinator()?;
    let putter = {
        let client = client.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            client.put("late", b"value")
        })
    };
    let started = Instant::now();
    assert_eq!(
        client.get("late", 10 * SECOND)?.as_deref(),
        Some(&b"value"[..])
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    putter.join().expect("the putter panicked")?;

    let started = Instant::now();
    assert_eq!(client.get("never", Duration::from_millis(300))?, None);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < 5 * SECOND,
        "{waited:?}"
    );
    assert_eq!(client.try_get("never")?, None);
    let error = client
        .get_all(&["late".into(), "never".into()], Duration::from_millis(100))
        .unwrap_err();
    assert!(
        error.to_string().contains("`never` did not appear"),
        "{error}"
    );
    Ok(())
}

#[test]
fn scoped_clients_keep_their_keys_apart() -> anyhow::Result<()> {
    let (_coordinator, client) = coordinator()?;
    let (a, b) = (client.scoped("a/"), client.scoped("b/"));
    a.put("key", b"A")?;
    b.put("key", b"B")?;
    assert_eq!(a.try_get("key")?.as_deref(), Some(&b"A"[..]));
    assert_eq!(client.try_get("b/key")?.as_deref(), Some(&b"B"[..]));
    assert_eq!(a.scoped("x/").address(), client.address());
    a.scoped("x/").put("key", b"AX")?;
    assert_eq!(client.try_get("a/x/key")?.as_deref(), Some(&b"AX"[..]));
    Ok(())
}

#[test]
fn a_stopped_coordinator_fails_its_waiting_gets() -> anyhow::Result<()> {
    let (coordinator, client) = coordinator()?;
    let waiter = std::thread::spawn(move || client.get("never", 60 * SECOND));
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    coordinator.shutdown();
    let error = waiter.join().expect("the waiter panicked").unwrap_err();
    assert!(started.elapsed() < 10 * SECOND);
    assert!(error.to_string().contains("coordinator"), "{error}");
    Ok(())
}

#[test]
fn connecting_to_no_coordinator_times_out() -> anyhow::Result<()> {
    let address = free_address()?;
    let started = Instant::now();
    let error = KeyValueClient::connect(&address, Duration::from_millis(300)).unwrap_err();
    assert!(started.elapsed() < 5 * SECOND);
    let message = error.to_string();
    assert!(
        message.contains(&format!("cannot reach the coordinator at {address}")),
        "{message}"
    );
    Ok(())
}

/// A store that counts the plugin's calls.
struct Counting {
    inner: KeyValueClient,
    calls: AtomicUsize,
}

impl KeyValueStore for Counting {
    fn get(&self, key: &str, timeout: Duration) -> rjax::Result<Option<Vec<u8>>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key, timeout)
    }
    fn try_get(&self, key: &str) -> rjax::Result<Option<Vec<u8>>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.try_get(key)
    }
    fn put(&self, key: &str, value: &[u8]) -> rjax::Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.put(key, value)
    }
}

#[test]
fn a_client_keeps_its_store_alive_and_the_cpu_plugin_never_calls_it() -> anyhow::Result<()> {
    let (_coordinator, client) = coordinator()?;
    let store = Arc::new(Counting {
        inner: client,
        calls: AtomicUsize::new(0),
    });
    let options = ClientOptions::new()
        .key_value_store(store.clone())
        .option("node_id", rjax::runtime::NamedValue::Int64(1))
        .option("num_nodes", rjax::runtime::NamedValue::Int64(2));
    let pjrt = Client::for_platform("cpu", &options)?;
    assert_eq!(
        Arc::strong_count(&store),
        3,
        "the options and the client hold the store"
    );
    drop(options);
    // The CPU plugin takes the store and the GPU plugins' node options without complaint, and
    // ignores both: still one process of its own devices.
    assert_eq!(pjrt.process_index()?, 0);
    assert_eq!(pjrt.global_device_count()?, pjrt.device_count());
    assert_eq!(store.calls.load(Ordering::SeqCst), 0);
    drop(pjrt);
    assert_eq!(
        Arc::strong_count(&store),
        1,
        "the destroyed client released the store"
    );
    Ok(())
}

#[test]
fn two_processes_join_one_run_on_loopback() -> anyhow::Result<()> {
    let address = free_address()?;
    let children: Vec<_> = (0..2)
        .map(|id| spawn_worker("join", &address, 2, id))
        .collect::<anyhow::Result<_>>()?;
    let reports: Vec<Report> = children
        .into_iter()
        .map(|child| finish(child.wait_with_output()?))
        .collect::<anyhow::Result<_>>()?;
    for (id, report) in reports.iter().enumerate() {
        let other = 1 - id;
        assert_eq!(report.get("process_index"), id.to_string());
        assert_eq!(report.get("process_count"), "2");
        assert!(report.get("second_initialize").contains("already called"));
        assert_eq!(report.get("greeting"), format!("hello from {other}"));
        assert_eq!(report.get("platform"), "cpu");
        assert_eq!(report.get("doubled"), "[2.0, 4.0]");
        let local: usize = report.get("addressable_devices").parse()?;
        let psum = (1..=local).sum::<usize>() as f32;
        assert_eq!(report.get("local_psum"), format!("{:?}", vec![psum; local]));
        // The CPU plugin's view: one process of its own devices, whatever the run.
        assert_eq!(
            report.get("global_devices"),
            report.get("addressable_devices")
        );
        assert_eq!(report.get("plugin_process_index"), "0");
        assert!(report.get("cross_process_psum").starts_with("error: "));
        assert_eq!(report.get("shutdown"), "ok");
    }
    Ok(())
}

#[test]
fn joining_late_or_alone_fails_cleanly() -> anyhow::Result<()> {
    let late = spawn_worker("late", &free_address()?, 2, 1)?;
    let alone = spawn_worker("alone", &free_address()?, 2, 0)?;
    let late = finish(late.wait_with_output()?)?;
    assert!(
        late.get("initialize")
            .contains("before the first array operation")
    );
    assert_eq!(late.get("process_count"), "1");
    let alone = finish(alone.wait_with_output()?)?;
    assert!(
        alone
            .get("initialize")
            .contains("not every one of the 2 processes joined")
    );
    assert_eq!(alone.get("is_initialized"), "false");
    assert_eq!(alone.get("retry_alone"), "ok");
    Ok(())
}

/// A loopback address with a port that was free a moment ago, chosen below Linux's ephemeral
/// range (32768 and up), so that no outgoing connection can take it before a child binds it.
fn free_address() -> anyhow::Result<String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let seed = std::process::id() as usize * 7919
        + std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .subsec_nanos() as usize;
    for _ in 0..100 {
        let port = 20000 + (seed + 97 * NEXT.fetch_add(1, Ordering::Relaxed)) % 12000;
        if let Ok(listener) = TcpListener::bind(("0.0.0.0", port as u16)) {
            return Ok(listener.local_addr().map(|_| format!("127.0.0.1:{port}"))?);
        }
    }
    bail!("no free port found between 20000 and 32000")
}

fn spawn_worker(
    role: &str,
    address: &str,
    processes: usize,
    id: usize,
) -> anyhow::Result<std::process::Child> {
    Ok(Command::new(std::env::current_exe()?)
        .args(["worker", "--exact", "--ignored", "--nocapture"])
        .env(ROLE_VAR, role)
        .env(COORDINATOR_ADDRESS_VAR, address)
        .env(NUM_PROCESSES_VAR, processes.to_string())
        .env(PROCESS_ID_VAR, id.to_string())
        .env("RJAX_PLATFORMS", "cpu")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?)
}

/// The `REPORT` lines of a child that succeeded.
struct Report(HashMap<String, String>);

impl Report {
    fn get(&self, key: &str) -> String {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("the child reported no `{key}`: {:?}", self.0))
            .clone()
    }
}

fn finish(output: Output) -> anyhow::Result<Report> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("the child failed ({}):\n{stdout}\n{stderr}", output.status);
    }
    print!("{stdout}");
    let reports = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("REPORT ")?.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    Ok(Report(reports))
}

fn report(key: &str, value: impl std::fmt::Display) {
    let value = value.to_string().replace('\n', " ");
    println!("REPORT {key}={value}");
}

#[test]
#[ignore = "a child process of the multi-process tests"]
fn worker() -> anyhow::Result<()> {
    let role = std::env::var(ROLE_VAR).context("worker runs only as a child process")?;
    let options = DistributedOptions {
        initialization_timeout: 15 * SECOND,
        ..Default::default()
    };
    match role.as_str() {
        "join" => join(options),
        "late" => {
            let y = Array::from([1.0f32]) + 1.0;
            report("computed", format!("{:?}", y.to_vec::<f32>()?));
            report("initialize", distributed::initialize(options).unwrap_err());
            report("process_count", distributed::process_count());
            Ok(())
        }
        "alone" => {
            let options = DistributedOptions {
                initialization_timeout: Duration::from_millis(500),
                ..options
            };
            report(
                "initialize",
                distributed::initialize(options.clone()).unwrap_err(),
            );
            report("is_initialized", distributed::is_initialized());
            distributed::initialize(DistributedOptions {
                num_processes: Some(1),
                ..options
            })?;
            ensure!(distributed::process_count() == 1);
            distributed::shutdown()?;
            report("retry_alone", "ok");
            Ok(())
        }
        other => bail!("unknown role {other}"),
    }
}

/// One process of a two-process run.
fn join(options: DistributedOptions) -> anyhow::Result<()> {
    distributed::initialize(options.clone())?;
    let id = distributed::process_index();
    report("process_index", id);
    report("process_count", distributed::process_count());
    report(
        "second_initialize",
        distributed::initialize(options).unwrap_err(),
    );

    let store = distributed::key_value_store().context("no key-value store")?;
    store.put(
        &format!("greeting/{id}"),
        format!("hello from {id}").as_bytes(),
    )?;
    let greeting = store
        .get(&format!("greeting/{}", 1 - id), 10 * SECOND)?
        .context("no greeting from the other process")?;
    report("greeting", String::from_utf8(greeting)?);

    // The default client starts with the run's store and options.
    let client = rjax::default_client()?;
    report("platform", client.platform_name());
    report("addressable_devices", client.device_count());
    report("global_devices", client.global_device_count()?);
    report("plugin_process_index", client.process_index()?);
    let ids: Vec<i32> = client.devices().iter().map(|device| device.id()).collect();
    report("device_ids", format!("{ids:?}"));
    let doubled = Array::from([1.0f32, 2.0]) * 2.0;
    report("doubled", format!("{:?}", doubled.to_vec::<f32>()?));

    // A collective over this process's devices works...
    let local = client.device_count();
    let executable = client.compile(&psum_module(local), &replicas(local))?;
    let inputs = client
        .devices()
        .iter()
        .enumerate()
        .map(|(i, device)| client.buffer_from_host(&[(i + 1) as f32], &[], device))
        .collect::<rjax::Result<Vec<_>>>()?;
    let args: Vec<Vec<_>> = inputs.iter().map(|buffer| vec![buffer]).collect();
    let sums = executable.execute_replicated(&args)?;
    let sums: Vec<f32> = sums
        .iter()
        .map(|outputs| Ok(outputs[0].to_vec::<f32>()?[0]))
        .collect::<anyhow::Result<_>>()?;
    report("local_psum", format!("{sums:?}"));

    // ... but one over the devices of both processes cannot even be compiled.
    let global = 2 * local;
    let outcome = match client.compile(&psum_module(global), &replicas(global)) {
        Ok(_) => "compiled".to_string(),
        Err(error) => format!("error: {error}"),
    };
    report("cross_process_psum", outcome);

    distributed::shutdown()?;
    report("shutdown", "ok");
    Ok(())
}

fn replicas(count: usize) -> CompileOptions {
    CompileOptions {
        num_replicas: count,
        ..Default::default()
    }
}

/// A sum of one scalar over `replicas` replicas, as `psum` lowers.
fn psum_module(replicas: usize) -> String {
    let group: Vec<String> = (0..replicas).map(|r| r.to_string()).collect();
    format!(
        r#"module @psum attributes {{mhlo.num_replicas = {replicas} : i32, mhlo.num_partitions = 1 : i32}} {{
  func.func public @main(%x: tensor<f32>) -> tensor<f32> {{
    %0 = "stablehlo.all_reduce"(%x) ({{
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %s = stablehlo.add %a, %b : tensor<f32>
      stablehlo.return %s : tensor<f32>
    }}) {{replica_groups = dense<[[{}]]> : tensor<1x{replicas}xi64>}} : (tensor<f32>) -> tensor<f32>
    return %0 : tensor<f32>
  }}
}}"#,
        group.join(", ")
    )
}
