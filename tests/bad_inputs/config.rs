//! Bad configuration (environment variables, `rjax::config` and cache settings) and runtime
//! misuse (host transfers, reading values, plugins, meshes, callbacks).

use rjax::callback::Callback;
use rjax::runtime::{Client, ClientOptions, Plugin};
use rjax::sharding::Mesh;
use rjax::{Array, DType, ShapedArray, config, jit, pure_callback};

use crate::case;
use crate::cases::{Case, f32s};

/// Cases that read the environment run in a child process of their own, with the variable set.
pub fn cases() -> Vec<Case> {
    vec![
        case!(
            "JAX_ENABLE_X64",
            config::x64_enabled(),
            &[("JAX_ENABLE_X64", "perhaps")]
        ),
        case!(
            "JAX_ENABLE_X64",
            f32s(&[2]) * 2.0,
            &[("JAX_ENABLE_X64", "2")]
        ),
        case!(
            "JAX_THREEFRY_PARTITIONABLE",
            config::threefry_partitionable(),
            &[("JAX_THREEFRY_PARTITIONABLE", "maybe")]
        ),
        case!(
            "JAX_DEFAULT_PRNG_IMPL",
            config::default_prng_impl(),
            &[("JAX_DEFAULT_PRNG_IMPL", "mersenne")]
        ),
        case!(
            "RJAX_CPU_DEVICE_COUNT",
            rjax::device_count(),
            &[("RJAX_CPU_DEVICE_COUNT", "0")]
        ),
        case!(
            "RJAX_CPU_DEVICE_COUNT",
            rjax::devices(),
            &[("RJAX_CPU_DEVICE_COUNT", "many")]
        ),
        case!(
            "RJAX_CPU_DEVICE_COUNT",
            rjax::default_client(),
            &[("RJAX_CPU_DEVICE_COUNT", "100000")]
        ),
        case!(
            "XLA_FLAGS",
            rjax::device_count(),
            &[("XLA_FLAGS", "--xla_force_host_platform_device_count=-2")]
        ),
        case!(
            "RJAX_CACHE_MAX_ENTRIES",
            rjax::cache::cache_limits(),
            &[("RJAX_CACHE_MAX_ENTRIES", "0")]
        ),
        case!(
            "RJAX_CACHE_MAX_BYTES",
            rjax::cache::cache_limits(),
            &[("RJAX_CACHE_MAX_BYTES", "-5")]
        ),
        case!(
            "nonexistent",
            rjax::default_client(),
            &[("RJAX_PLATFORMS", "nonexistent")]
        ),
        case!(
            "/nonexistent/plugin.so",
            rjax::default_client(),
            &[("RJAX_PJRT_PLUGIN", "/nonexistent/plugin.so")]
        ),
        case!("set_cpu_device_count", config::set_cpu_device_count(0)),
        case!(
            "set_cpu_device_count",
            config::set_cpu_device_count(config::MAX_CPU_DEVICES + 1)
        ),
        case!("set_cpu_device_count", started_then_set_device_count()),
        case!(
            "set_cache_limits",
            rjax::cache::set_cache_limits(rjax::cache::CacheLimits {
                max_entries: 0,
                max_bytes: 1
            })
        ),
    ]
}

fn started_then_set_device_count() -> rjax::Result<()> {
    rjax::default_client()?;
    config::set_cpu_device_count(4)
}

fn wrong_callback_result() -> rjax::Result<Vec<Array>> {
    let callback = Callback::new(|args: &[Array]| Ok(vec![args[0].clone()]));
    let declared = [ShapedArray::new(vec![5], DType::F32)];
    pure_callback(&callback, &declared, &[&f32s(&[2])], None)
}

fn jitted_wrong_callback_result() -> rjax::Result<Array> {
    let callback = Callback::new(|_: &[Array]| Ok(vec![Array::from(1i32)]));
    jit(move |x: Array| {
        let declared = [ShapedArray::new(vec![], DType::F32)];
        pure_callback(&callback, &declared, &[&x], None).map(|mut out| out.remove(0))
    })
    .call(f32s(&[2]))
}

/// Host transfers, reading values, plugins, meshes and callbacks.
pub fn runtime_cases() -> Vec<Case> {
    vec![
        case!("from_slice", Array::from_slice(&[1.0f32], &[2])),
        case!("from_slice", Array::from_slice(&[1.0f32; 4], &[3, 0])),
        case!("to_vec", f32s(&[2]).to_vec::<i32>()),
        case!("to_vec", f32s(&[2]).to_vec::<f64>()),
        case!("item", f32s(&[2]).item::<f32>()),
        case!("item", f32s(&[]).item::<u8>()),
        case!(
            "nonexistent",
            Client::for_platform("nonexistent", &ClientOptions::new())
        ),
        case!(
            "/nonexistent/libpjrt.so",
            Plugin::load("/nonexistent/libpjrt.so")
        ),
        case!("Cargo.toml", Plugin::load("Cargo.toml")),
        case!("mesh", Mesh::from_default_devices(&[1000], &["x"])),
        case!("Mesh", Mesh::from_default_devices(&[1, 1], &["x"])),
        case!("Mesh", Mesh::from_default_devices(&[1, 1], &["x", "x"])),
        case!("pure_callback", wrong_callback_result()),
        case!("callback", jitted_wrong_callback_result()),
    ]
}
