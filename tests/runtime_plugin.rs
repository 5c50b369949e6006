//! Plugin loading and selection: the CPU plugin chosen among the embedded builds, each embedded
//! build running a program, their attributes, and clear errors for files that are missing or
//! are not PJRT plugins.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::leak_checked;
use rjax::Error;
use rjax::runtime::{
    Client, ClientOptions, CompileOptions, CpuPluginChoice, CpuPluginKind, ErrorCode,
    PlatformChoice, Plugin, cpu_plugin_choice,
};

fn chosen_cpu_plugin() -> anyhow::Result<&'static CpuPluginChoice> {
    cpu_plugin_choice()?.ok_or_else(|| anyhow::anyhow!("no CPU plugin is embedded here"))
}

#[test]
fn the_chosen_cpu_plugin_loads_once_and_reports_its_attributes() -> anyhow::Result<()> {
    let path = &chosen_cpu_plugin()?.path;
    let plugin = Plugin::load(path)?;
    let again = Plugin::load(path)?;
    assert!(
        Arc::ptr_eq(&plugin, &again),
        "a plugin is loaded once per path"
    );
    let (major, minor) = plugin.api_version();
    assert_eq!(major, 0);
    assert!(
        minor >= 81,
        "the official wheel implements C API 0.81, got 0.{minor}"
    );
    assert!(
        plugin.xla_version().is_some(),
        "attributes: {:?}",
        plugin.attributes()
    );
    let current = plugin
        .stablehlo_current_version()
        .expect("a StableHLO version");
    let minimum = plugin
        .stablehlo_minimum_version()
        .expect("a minimum StableHLO version");
    assert!(minimum <= current, "{minimum:?} > {current:?}");
    assert_eq!(current[0], 1, "StableHLO 1.x");
    Ok(())
}

#[test]
fn the_cpu_client_runs_the_plugin_the_choice_names_for_a_stated_reason() -> anyhow::Result<()> {
    let choice = chosen_cpu_plugin()?;
    println!(
        "CPU plugin: {} {}: {}",
        choice.kind,
        choice.path.display(),
        choice.reason
    );
    assert!(!choice.reason.is_empty());
    if std::env::var_os("RJAX_CPU_PLUGIN").is_none() {
        assert_ne!(choice.kind, CpuPluginKind::File);
        assert_eq!(choice.kind.unrunnable_here(), None, "{}", choice.reason);
    }
    leak_checked(|| {
        let client = Client::for_platform("cpu", &ClientOptions::new().cpu_device_count(1))?;
        assert_eq!(client.plugin().path(), choice.path.canonicalize()?);
        // With no accelerator installed, the automatic choice is that same CPU plugin.
        let automatic = Client::from_choice(&PlatformChoice::Auto, &ClientOptions::new())?;
        if automatic.platform_name() == "cpu" {
            assert_eq!(automatic.plugin().path(), client.plugin().path());
        }
        Ok(())
    })
}

/// `x + 1` on an f32[3], compiled and run by `plugin`; returns the output.
fn run_x_plus_one(plugin: &std::sync::Arc<Plugin>) -> anyhow::Result<Vec<f32>> {
    let client = Client::new(plugin, &ClientOptions::new().cpu_device_count(1))?;
    let program = client.compile(
        r#"
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %one = stablehlo.constant dense<1.0> : tensor<3xf32>
  %y = stablehlo.add %x, %one : tensor<3xf32>
  return %y : tensor<3xf32>
}"#,
        &CompileOptions::default(),
    )?;
    let device = client.device(0).expect("a CPU device");
    let x = client.buffer_from_host(&[0.5f32, -2.0, 7.0], &[3], &device)?;
    let y = program.execute(&[&x])?.remove(0);
    Ok(y.to_vec::<f32>()?)
}

#[test]
fn every_embedded_cpu_plugin_this_cpu_can_run_runs_a_program() -> anyhow::Result<()> {
    let mut ran = 0;
    for kind in CpuPluginKind::EMBEDDED {
        let Some(path) = kind.embedded_path() else {
            println!("skipping the {kind} build: it is not embedded for this platform");
            continue;
        };
        if let Some(why) = kind.unrunnable_here() {
            println!("skipping the {kind} build: {why}");
            continue;
        }
        let plugin = Plugin::load(path)?;
        let (major, minor) = plugin.api_version();
        println!(
            "the {kind} build {}: PJRT C API {major}.{minor}",
            path.display()
        );
        leak_checked(|| {
            assert_eq!(
                run_x_plus_one(&plugin)?,
                [1.5, -1.0, 8.0],
                "the {kind} build"
            );
            Ok(())
        })?;
        ran += 1;
    }
    assert!(
        ran >= 1,
        "at least the official build runs everywhere it is embedded"
    );
    Ok(())
}

#[test]
fn a_cpu_client_reports_its_platform_and_devices() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = Client::from_choice(
            &PlatformChoice::Platforms(vec!["cpu".into()]),
            &ClientOptions::new().cpu_device_count(3),
        )?;
        assert_eq!(client.platform_name(), "cpu");
        assert_eq!(client.device_count(), 3);
        let device = client.device(2).unwrap();
        assert_eq!(device.index(), 2);
        assert_eq!(device.kind(), "cpu");
        assert!(client.device(3).is_none());
        // The CPU plugin keeps no allocator statistics: PJRT's error, not made-up numbers.
        let error = device.memory_stats().unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Pjrt {
                    function: "PJRT_Device_MemoryStats",
                    code: ErrorCode::Unimplemented,
                    ..
                }
            ),
            "{error:?}"
        );
        Ok(())
    })
}

#[test]
fn a_missing_plugin_file_is_a_clear_error() {
    let missing = Path::new("/nonexistent/dir/pjrt_c_api_cpu_plugin.so");
    let error = Plugin::load(missing).unwrap_err();
    assert!(matches!(error, Error::PluginLoad { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("/nonexistent/dir/pjrt_c_api_cpu_plugin.so"),
        "{error}"
    );
    let error = Client::from_choice(&PlatformChoice::Path(missing.into()), &ClientOptions::new())
        .unwrap_err();
    assert!(
        error.to_string().contains("cannot load the PJRT plugin"),
        "{error}"
    );
}

#[test]
fn an_unknown_platform_lists_where_it_looked() {
    let error = Client::for_platform("quantum", &ClientOptions::new()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("no PJRT plugin found for platform `quantum`"),
        "{message}"
    );
    assert!(message.contains("RJAX_PJRT_PLUGIN"), "{message}");
}

/// A shared library that is certainly not a PJRT plugin: the C math library.
fn some_shared_library() -> PathBuf {
    let output = std::process::Command::new("cc")
        .arg("-print-file-name=libm.so.6")
        .output()
        .expect("a C compiler to locate libm");
    let printed = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let candidates = [
        printed,
        "/lib/x86_64-linux-gnu/libm.so.6".into(),
        "/usr/lib/x86_64-linux-gnu/libm.so.6".into(),
        "/lib64/libm.so.6".into(),
        "/usr/lib64/libm.so.6".into(),
        "/lib/aarch64-linux-gnu/libm.so.6".into(),
    ];
    candidates
        .into_iter()
        .find(|path| path.is_absolute() && path.is_file())
        .expect("libm.so.6 somewhere")
}

#[test]
fn a_shared_library_that_is_not_a_plugin_is_a_clear_error() {
    let library = some_shared_library();
    let error = Plugin::load(&library).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("not a PJRT plugin (no GetPjrtApi)"),
        "{message}"
    );
    assert!(message.contains("libm"), "{message}");
}

#[test]
fn a_file_that_is_not_a_library_is_a_clear_error() {
    let file = std::env::temp_dir().join(format!("rjax-not-a-library-{}.so", std::process::id()));
    std::fs::write(&file, b"plain text").unwrap();
    let error = Plugin::load(&file).unwrap_err();
    assert!(matches!(error, Error::PluginLoad { .. }), "{error:?}");
    std::fs::remove_file(file).unwrap();
}
