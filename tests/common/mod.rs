//! Shared helpers of the runtime tests: the client under test and a leak check.
//!
//! The tests run on the embedded CPU plugin unless `RJAX_TEST_PLATFORM` names another platform
//! (`cuda`, say), which is how `scripts/gpu-check.sh` runs them on a GPU.

#![allow(dead_code)] // Each test binary uses a different subset.

pub mod golden;
pub mod python;
pub mod raw_arrays;

use std::sync::Mutex;

use rjax::runtime::{Client, ClientOptions, LiveObjects, live_objects};

/// Serialises leak-checked tests within one test binary: the live-object counters are
/// process-wide, so two tests running at once would see each other's objects.
static LEAK_CHECK: Mutex<()> = Mutex::new(());

/// Runs `test`, then asserts that every PJRT object it created was destroyed.
pub fn leak_checked(test: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    let _serial = LEAK_CHECK
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
    let before = live_objects();
    test()?;
    assert_eq!(live_objects(), before, "the test leaked PJRT objects");
    assert_eq!(
        before,
        LiveObjects::default(),
        "objects were alive before the test"
    );
    Ok(())
}

/// The platform under test: `RJAX_TEST_PLATFORM`, else `cpu`.
pub fn platform() -> String {
    std::env::var("RJAX_TEST_PLATFORM").unwrap_or_else(|_| "cpu".to_string())
}

/// A client of the platform under test; on the CPU, with `cpu_devices` devices.
pub fn test_client(cpu_devices: usize) -> anyhow::Result<Client> {
    let platform = platform();
    let options = match platform.as_str() {
        "cpu" => ClientOptions::new().cpu_device_count(cpu_devices),
        _ => ClientOptions::new(),
    };
    Ok(Client::for_platform(&platform, &options)?)
}

/// Whether the platform under test is the CPU; CPU-only checks print why they skip otherwise.
pub fn on_cpu(check: &str) -> bool {
    let cpu = platform() == "cpu";
    if !cpu {
        println!("skipping the CPU-only check `{check}` on {}", platform());
    }
    cpu
}

/// The float32 array `0, 1, 2, ...` of `shape`.
pub fn iota_f32(shape: &[usize]) -> anyhow::Result<rjax::Array> {
    let n: usize = shape.iter().product();
    let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
    Ok(rjax::Array::from_slice(&data, shape)?)
}

/// A mesh of `shape` over the default client's devices, with 8 CPU devices asked for before
/// the client starts; `None` (with the reason printed) when the default client is not the
/// CPU, whose virtual devices the SPMD tests need.
pub fn cpu_mesh(shape: &[usize], names: &[&str]) -> anyhow::Result<Option<rjax::sharding::Mesh>> {
    // Fails harmlessly when another test already started the client with 8 devices.
    let _ = rjax::config::set_cpu_device_count(8);
    let platform = rjax::default_client()?.platform_name().to_string();
    if platform != "cpu" {
        println!(
            "skipping: the SPMD tests need 8 virtual CPU devices; the default client is {platform}"
        );
        return Ok(None);
    }
    anyhow::ensure!(rjax::device_count()? == 8, "expected 8 CPU devices");
    Ok(Some(rjax::sharding::Mesh::from_default_devices(
        shape, names,
    )?))
}

/// The message of the panic `f` raises (failing the test if it does not panic).
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// `a (m×k) · b (k×n)` on the host, row-major.
pub fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
        }
    }
    c
}

/// The transpose of the row-major `m×n` matrix `a`, on the host.
pub fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    let mut t = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            t[j * m + i] = a[i * n + j];
        }
    }
    t
}
