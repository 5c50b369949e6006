//! Shared helpers of the runtime tests: a CPU client and a leak check.

#![allow(dead_code)] // Each test binary uses a different subset.

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

/// A client of the embedded CPU plugin with `devices` devices.
pub fn cpu_client(devices: usize) -> anyhow::Result<Client> {
    Ok(Client::for_platform(
        "cpu",
        &ClientOptions::new().cpu_device_count(devices),
    )?)
}
