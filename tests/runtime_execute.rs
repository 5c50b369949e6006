//! Compiling and executing StableHLO: results against host arithmetic, asynchrony, several
//! devices, several threads, donation, and the errors of bad programs and bad arguments.

mod common;

use common::{leak_checked, on_cpu, test_client};
use rjax::Error;
use rjax::runtime::{Argument, Buffer, Client, CompileOptions};

const SINE: &str = r#"
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = "stablehlo.sine"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}"#;

/// Two inputs, three outputs of different types: (a + b, a * b, a < b).
const ADD_MUL_LESS: &str = r#"
func.func @main(%a: tensor<2x2xf64>, %b: tensor<2x2xf64>) -> (tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xi1>) {
  %s = "stablehlo.add"(%a, %b) : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  %p = "stablehlo.multiply"(%a, %b) : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  %l = "stablehlo.compare"(%a, %b) {comparison_direction = #stablehlo<comparison_direction LT>} : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xi1>
  return %s, %p, %l : tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xi1>
}"#;

/// A matrix-vector product with an integer sum on the side.
const MATVEC_AND_SUM: &str = r#"
func.func @main(%m: tensor<2x3xf32>, %v: tensor<3xf32>, %k: tensor<4xi32>) -> (tensor<2xf32>, tensor<i32>) {
  %mv = "stablehlo.dot_general"(%m, %v) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %zero = "stablehlo.constant"() {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %sum = "stablehlo.reduce"(%k, %zero) ({
    ^bb0(%x: tensor<i32>, %y: tensor<i32>):
      %r = "stablehlo.add"(%x, %y) : (tensor<i32>, tensor<i32>) -> tensor<i32>
      "stablehlo.return"(%r) : (tensor<i32>) -> ()
  }) {dimensions = array<i64: 0>} : (tensor<4xi32>, tensor<i32>) -> tensor<i32>
  return %mv, %sum : tensor<2xf32>, tensor<i32>
}"#;

#[test]
fn sine_matches_the_host() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let sine = client.compile(SINE, &CompileOptions::default())?;
        assert_eq!(sine.num_outputs(), 1);
        let x = [0.0f32, 0.5, -2.0];
        let input = client.buffer_from_host(&x, &[3], &device)?;
        let output = sine.execute(&[&input])?;
        let y = output[0].to_vec::<f32>()?;
        for (got, x) in y.iter().zip(x) {
            assert!((got - x.sin()).abs() <= 1e-6, "sin({x}) = {got}");
        }
        assert_eq!(output[0].device()?, device);
        Ok(())
    })
}

#[test]
fn several_inputs_and_outputs_of_several_types() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let program = client.compile(ADD_MUL_LESS, &CompileOptions::default())?;
        assert_eq!(program.num_outputs(), 3);
        let a = [1.0, -2.0, 3.5, 0.25];
        let b = [2.0, -3.0, 3.5, 8.0];
        let a_buffer = client.buffer_from_host(&a, &[2, 2], &device)?;
        let b_buffer = client.buffer_from_host(&b, &[2, 2], &device)?;
        let outputs = program.execute(&[&a_buffer, &b_buffer])?;
        let sum: Vec<f64> = a.iter().zip(b).map(|(a, b)| a + b).collect();
        let product: Vec<f64> = a.iter().zip(b).map(|(a, b)| a * b).collect();
        let less: Vec<bool> = a.iter().zip(b).map(|(a, b)| *a < b).collect();
        assert_eq!(outputs[0].to_vec::<f64>()?, sum);
        assert_eq!(outputs[1].to_vec::<f64>()?, product);
        assert_eq!(outputs[2].to_vec::<bool>()?, less);
        assert_eq!(outputs[2].dims()?, [2, 2]);

        let program = client.compile(MATVEC_AND_SUM, &CompileOptions::default())?;
        let m = client.buffer_from_host(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], &device)?;
        let v = client.buffer_from_host(&[1.0f32, 0.5, -1.0], &[3], &device)?;
        let k = client.buffer_from_host(&[7i32, -2, 40, 1], &[4], &device)?;
        let outputs = program.execute(&[&m, &v, &k])?;
        assert_eq!(
            outputs[0].to_vec::<f32>()?,
            [1.0 + 1.0 - 3.0, 4.0 + 2.5 - 6.0]
        );
        assert_eq!(outputs[1].to_vec::<i32>()?, [46]);
        assert_eq!(outputs[1].dims()?, [] as [usize; 0]);
        Ok(())
    })
}

/// `x` multiplied `n` times by `m` in a while loop: long enough to still be running when
/// `execute` returns.
fn repeated_matmul(size: usize, steps: usize) -> String {
    let t = format!("tensor<{size}x{size}xf32>");
    format!(
        r#"
func.func @main(%x: {t}, %m: {t}) -> {t} {{
  %zero = "stablehlo.constant"() {{value = dense<0> : tensor<i32>}} : () -> tensor<i32>
  %one = "stablehlo.constant"() {{value = dense<1> : tensor<i32>}} : () -> tensor<i32>
  %steps = "stablehlo.constant"() {{value = dense<{steps}> : tensor<i32>}} : () -> tensor<i32>
  %r:2 = "stablehlo.while"(%zero, %x) ({{
    ^bb0(%i: tensor<i32>, %acc: {t}):
      %go = "stablehlo.compare"(%i, %steps) {{comparison_direction = #stablehlo<comparison_direction LT>}} : (tensor<i32>, tensor<i32>) -> tensor<i1>
      "stablehlo.return"(%go) : (tensor<i1>) -> ()
  }}, {{
    ^bb0(%i: tensor<i32>, %acc: {t}):
      %next = "stablehlo.add"(%i, %one) : (tensor<i32>, tensor<i32>) -> tensor<i32>
      %prod = "stablehlo.dot_general"(%acc, %m) {{dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>}} : ({t}, {t}) -> {t}
      "stablehlo.return"(%next, %prod) : (tensor<i32>, {t}) -> ()
  }}) : (tensor<i32>, {t}) -> (tensor<i32>, {t})
  return %r#1 : {t}
}}"#
    )
}

/// The arguments of [`repeated_matmul`]: `x` all ones and `m` the identity, `size`×`size` on
/// the first device, so the product stays all ones however many steps it takes.
fn ones_and_identity(client: &Client, size: usize) -> anyhow::Result<(Buffer, Buffer)> {
    let device = client.device(0).unwrap();
    let ones = vec![1.0f32; size * size];
    let identity: Vec<f32> = (0..size * size)
        .map(|i| if i / size == i % size { 1.0 } else { 0.0 })
        .collect();
    Ok((
        client.buffer_from_host(&ones, &[size, size], &device)?,
        client.buffer_from_host(&identity, &[size, size], &device)?,
    ))
}

#[test]
fn execution_is_asynchronous() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let size = 256;
        let program = client.compile(&repeated_matmul(size, 200), &CompileOptions::default())?;
        let (x, m) = ones_and_identity(&client, size)?;
        let output = program.execute(&[&x, &m])?.remove(0);
        assert!(
            !output.is_ready()?,
            "execute waited for the program to finish"
        );
        output.block_until_ready()?;
        assert!(output.is_ready()?);
        assert!(output.to_vec::<f32>()?.iter().all(|&v| v == 1.0));
        Ok(())
    })
}

/// Waiting polls the event for up to the budget, then sleeps, and a thread whose last wait
/// outlasted the budget sleeps at once. Through every path (polling to the end of a long
/// program, polling then sleeping, sleeping at once after that, no budget) `block_until_ready`
/// returns only once the result is there, and the result is right.
#[test]
fn waiting_polls_then_sleeps_and_returns_only_finished_results() -> anyhow::Result<()> {
    use rjax::runtime::{DEFAULT_WAIT_SPIN, set_wait_spin, wait_spin};
    use std::time::Duration;
    leak_checked(|| {
        let client = test_client(1)?;
        let size = 128;
        let (x, m) = ones_and_identity(&client, size)?;
        for steps in [1, 400] {
            let program =
                client.compile(&repeated_matmul(size, steps), &CompileOptions::default())?;
            for budget in [
                Duration::from_secs(1),
                Duration::from_micros(1),
                Duration::from_secs(1),
                Duration::ZERO,
            ] {
                set_wait_spin(budget);
                assert_eq!(wait_spin()?, budget);
                let output = program.execute(&[&x, &m])?.remove(0);
                output.block_until_ready()?;
                assert!(
                    output.is_ready()?,
                    "block_until_ready returned before the program ({steps} steps) finished, \
                     with a wait budget of {budget:?}"
                );
                assert!(output.to_vec::<f32>()?.iter().all(|&v| v == 1.0));
            }
        }
        set_wait_spin(DEFAULT_WAIT_SPIN);
        Ok(())
    })
}

#[test]
fn eight_cpu_devices_each_run_the_program() -> anyhow::Result<()> {
    if !on_cpu("eight CPU devices") {
        return Ok(());
    }
    leak_checked(|| {
        let client = test_client(8)?;
        assert_eq!(client.device_count(), 8);
        let devices = client.devices();
        let ids: Vec<i32> = devices.iter().map(|d| d.id()).collect();
        assert_eq!(ids, (0..8).collect::<Vec<_>>());

        // One replicated launch with an argument list per device.
        let options = CompileOptions {
            num_replicas: 8,
            ..CompileOptions::default()
        };
        let sine = client.compile(SINE, &options)?;
        assert_eq!(sine.devices(), devices);
        let inputs = devices
            .iter()
            .map(|device| {
                let k = device.index() as f32;
                client.buffer_from_host(&[k, k + 0.5, -k], &[3], device)
            })
            .collect::<rjax::Result<Vec<_>>>()?;
        let lists: Vec<Vec<_>> = inputs.iter().map(|b| vec![b]).collect();
        let outputs = sine.execute_replicated(&lists)?;
        for (device, output) in devices.iter().zip(&outputs) {
            let k = device.index() as f32;
            assert_eq!(output[0].device()?, *device);
            let expected = [k.sin(), (k + 0.5).sin(), (-k).sin()];
            for (got, want) in output[0].to_vec::<f32>()?.iter().zip(expected) {
                assert!((got - want).abs() <= 1e-6);
            }
        }

        // One portable executable, launched on each device in turn.
        let portable = client.compile(
            SINE,
            &CompileOptions {
                portable: true,
                ..CompileOptions::default()
            },
        )?;
        for (device, input) in devices.iter().zip(&inputs) {
            let output = portable.execute_on(device, &[input])?.remove(0);
            assert_eq!(output.device()?, *device);
            assert_eq!(
                output.to_vec::<f32>()?,
                outputs[device.index()][0].to_vec::<f32>()?
            );
        }
        let error = sine.execute_on(&devices[0], &[&inputs[0]]).unwrap_err();
        assert!(
            error.to_string().contains("not compiled as portable"),
            "{error}"
        );
        let error = sine.execute_replicated(&lists[..3]).unwrap_err();
        assert!(error.to_string().contains("3 argument lists"), "{error}");
        Ok(())
    })
}

#[test]
fn compiling_and_executing_from_several_threads_at_once() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(2)?;
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|worker| {
                    let client = client.clone();
                    scope.spawn(move || -> anyhow::Result<()> {
                        // Each thread compiles its own program: multiply by its own constant.
                        let factor = worker as f32 + 2.0;
                        let program = format!(
                            r#"func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {{
  %k = "stablehlo.constant"() {{value = dense<{factor:.1}> : tensor<4xf32>}} : () -> tensor<4xf32>
  %y = "stablehlo.multiply"(%x, %k) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}}"#
                        );
                        let portable = CompileOptions {
                            portable: true,
                            ..CompileOptions::default()
                        };
                        let executable = client.compile(&program, &portable)?;
                        let device = client.device(worker % client.device_count()).unwrap();
                        for round in 0..50 {
                            let x = [round as f32, 1.0, -2.0, 0.5];
                            let input = client.buffer_from_host(&x, &[4], &device)?;
                            let output = executable.execute_on(&device, &[&input])?.remove(0);
                            assert_eq!(output.to_vec::<f32>()?, x.map(|v| v * factor));
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|worker| worker.join().unwrap())
        })
    })
}

#[test]
fn donated_inputs_are_consumed() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let program = r#"
func.func @main(%x: tensor<4xf32> {jax.buffer_donor = true}, %y: tensor<4xf32>) -> tensor<4xf32> {
  %z = "stablehlo.add"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %z : tensor<4xf32>
}"#;
        let add = client.compile(program, &CompileOptions::default())?;
        let x = client.buffer_from_host(&[1.0f32, 2.0, 3.0, 4.0], &[4], &device)?;
        let y = client.buffer_from_host(&[10.0f32, 20.0, 30.0, 40.0], &[4], &device)?;
        let before = rjax::runtime::live_objects().buffers;
        let output = add.execute_donating(vec![Argument::Donated(x), Argument::Borrowed(&y)])?;
        // The donated input is gone; the borrowed one and the output remain.
        assert_eq!(rjax::runtime::live_objects().buffers, before);
        assert_eq!(output[0].to_vec::<f32>()?, [11.0, 22.0, 33.0, 44.0]);
        assert_eq!(y.to_vec::<f32>()?, [10.0, 20.0, 30.0, 40.0]);
        Ok(())
    })
}

#[test]
fn malformed_stablehlo_returns_the_parser_message() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let bad =
            "func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> { %y = \"stablehlo.sine\"(%x) }";
        let error = client.compile(bad, &CompileOptions::default()).unwrap_err();
        let Error::Pjrt {
            function, message, ..
        } = &error
        else {
            panic!("expected a PJRT error, got {error:?}");
        };
        assert_eq!(*function, "PJRT_Client_Compile");
        assert!(!message.is_empty());
        let type_error = r#"func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = "stablehlo.add"(%x, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}"#;
        let error = client
            .compile(type_error, &CompileOptions::default())
            .unwrap_err();
        assert!(matches!(error, Error::Pjrt { .. }), "{error:?}");
        Ok(())
    })
}

#[test]
fn arguments_of_the_wrong_type_count_or_client_are_errors() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let sine = client.compile(SINE, &CompileOptions::default())?;
        let ints = client.buffer_from_host(&[1i32, 2, 3], &[3], &device)?;
        let error = sine.execute(&[&ints]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("argument 0 is int32[3], but the program's parameter is float32[3]"),
            "{error}"
        );
        let long = client.buffer_from_host(&[1.0f32; 4], &[4], &device)?;
        let error = sine.execute(&[&long]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("float32[4], but the program's parameter is float32[3]"),
            "{error}"
        );
        let error = sine.execute(&[&long, &long]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("2 arguments given to a program with 1 parameters"),
            "{error}"
        );
        let other = test_client(1)?;
        let foreign = other.buffer_from_host(&[1.0f32; 3], &[3], &other.device(0).unwrap())?;
        let error = sine.execute(&[&foreign]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("argument 0 belongs to another client"),
            "{error}"
        );
        if !on_cpu("a buffer on another CPU device") {
            return Ok(());
        }
        // A buffer on a device the program is not assigned to: PJRT's own message, which names
        // the device `TFRT_CPU_1` (the official build) or `cpu:1` (the newer builds).
        let two = test_client(2)?;
        let program = two.compile(SINE, &CompileOptions::default())?;
        let elsewhere = two.buffer_from_host(&[1.0f32; 3], &[3], &two.device(1).unwrap())?;
        let error = program.execute(&[&elsewhere]).unwrap_err();
        let names_device_1 = |message: &str| {
            ["TFRT_CPU_1", "cpu:1"].iter().any(|device| {
                message.contains(&format!("argument 0 to replica 0 is on device {device}"))
            })
        };
        assert!(
            matches!(&error, Error::Pjrt { message, .. } if names_device_1(message)),
            "{error}"
        );
        Ok(())
    })
}
