//! The FFI layer: registration and self-test on the CPU plugin, handler errors surfacing as
//! `Err` with the handler's message, kernels called from several threads, and the
//! `ffi_call` batching methods. Leaks are checked in `tests/runtime_ffi_leaks.rs`.

use rjax::numpy::linalg;
use rjax::runtime::{Client, ClientOptions, CompileOptions, FfiSupport};
use rjax::{Array, jit, vmap};

fn cpu() -> anyhow::Result<Client> {
    Ok(Client::for_platform("cpu", &ClientOptions::new())?)
}

#[test]
fn the_default_cpu_client_runs_rust_handlers() -> anyhow::Result<()> {
    assert_eq!(cpu()?.ffi_support(), FfiSupport::Available);
    Ok(())
}

/// Compiles `program` (one f32[2,2] parameter) and runs it on the identity matrix.
fn run_program(client: &Client, program: &str) -> rjax::Result<Vec<f32>> {
    let device = client.device(0).expect("a device");
    let executable = client.compile(program, &CompileOptions::default())?;
    let x = client.buffer_from_host(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2], &device)?;
    executable.execute(&[&x])?.remove(0).to_vec::<f32>()
}

fn cholesky_program(config: &str, dtype: &str) -> String {
    format!(
        r#"func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {{
  %c = stablehlo.convert %x : (tensor<2x2xf32>) -> tensor<2x2x{dtype}>
  %y = stablehlo.custom_call @rjax_cholesky(%c) {{api_version = 4 : i32, backend_config = {{{config}}}}} : (tensor<2x2x{dtype}>) -> tensor<2x2x{dtype}>
  %z = stablehlo.convert %y : (tensor<2x2x{dtype}>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}}"#
    )
}

#[test]
fn a_handler_error_comes_back_as_err_with_its_message() -> anyhow::Result<()> {
    let client = cpu()?;
    // Asking registers the handlers (programs that rjax lowers ask by themselves).
    assert_eq!(client.ffi_support(), FfiSupport::Available);
    // The kernel itself works when called properly.
    let ok = run_program(&client, &cholesky_program("lower = 1 : i64", "f32"))?;
    assert_eq!(ok, [1.0, 0.0, 0.0, 1.0]);
    // A missing attribute.
    let error = run_program(&client, &cholesky_program("", "f32")).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("rjax_cholesky") && text.contains("`lower` is missing"),
        "{text}"
    );
    // An element type the kernel does not take.
    let error = run_program(&client, &cholesky_program("lower = 1 : i64", "i32")).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("float32, float64, complex64 or complex128"),
        "{text}"
    );
    // The client still works afterwards.
    assert_eq!(
        run_program(&client, &cholesky_program("lower = 1 : i64", "f32"))?,
        [1.0, 0.0, 0.0, 1.0]
    );
    Ok(())
}

/// A symmetric positive definite 3×3 matrix shifted by `t`.
fn spd(t: f64) -> Array {
    Array::from([
        [4.0 + t, 1.0, 0.5],
        [1.0, 3.0 + t, 0.25],
        [0.5, 0.25, 2.0 + t],
    ])
}

/// ‖A·V − V·diag(w)‖ for one 3×3 matrix.
fn eigh_residual(a: &Array, w: &Array, v: &Array) -> anyhow::Result<f64> {
    let (a, w, v) = (a.to_vec::<f64>()?, w.to_vec::<f64>()?, v.to_vec::<f64>()?);
    let mut worst = 0.0f64;
    for i in 0..3 {
        for j in 0..3 {
            let av: f64 = (0..3).map(|k| a[i * 3 + k] * v[k * 3 + j]).sum();
            worst = worst.max((av - v[i * 3 + j] * w[j]).abs());
        }
    }
    Ok(worst)
}

#[test]
fn kernels_run_concurrently_from_several_threads() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let eigh = jit(|a: Array| linalg::eigh(&a));
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..4)
            .map(|thread| {
                let eigh = &eigh;
                scope.spawn(move || -> anyhow::Result<()> {
                    for step in 0..20 {
                        let a = spd(f64::from(thread * 20 + step) * 0.01);
                        let (w, v): (Array, Array) = eigh.call(a.clone())?;
                        assert!(eigh_residual(&a, &w, &v)? < 1e-12);
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("no panic")?;
        }
        Ok(())
    })
}

#[test]
fn batched_kernels_under_vmap_match_one_at_a_time() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let stack = rjax::numpy::stack(&[&spd(0.0), &spd(1.0), &spd(2.5)], 0);
    let batched = vmap(|a: Array| linalg::det(&a), 0)(stack.clone())?;
    let batched = batched.to_vec::<f64>()?;
    for (index, t) in [0.0, 1.0, 2.5].into_iter().enumerate() {
        let one = linalg::det(spd(t)).item::<f64>()?;
        assert!((batched[index] - one).abs() < 1e-12 * one.abs());
    }
    Ok(())
}

#[test]
fn every_embedded_cpu_plugin_registers_and_runs_the_kernels() -> anyhow::Result<()> {
    use rjax::runtime::{CpuPluginKind, Plugin};
    for kind in CpuPluginKind::EMBEDDED {
        let Some(path) = kind.embedded_path() else {
            println!("{kind}: not built for this platform");
            continue;
        };
        if let Some(reason) = kind.unrunnable_here() {
            println!("{kind}: skipped, {reason}");
            continue;
        }
        let client = Client::new(&Plugin::load(path)?, &ClientOptions::new())?;
        assert_eq!(client.ffi_support(), FfiSupport::Available, "{kind}");
        let ok = run_program(&client, &cholesky_program("lower = 1 : i64", "f32"))?;
        assert_eq!(ok, [1.0, 0.0, 0.0, 1.0], "{kind}");
        let error = run_program(&client, &cholesky_program("", "f32")).unwrap_err();
        assert!(
            error.to_string().contains("`lower` is missing"),
            "{kind}: {error}"
        );
    }
    Ok(())
}
