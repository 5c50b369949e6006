#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Dispatch overhead of the runtime layer: execute plus await of a tiny program (`sine` of a
//! 3-element f32 array), with a device-resident argument and with a fresh host-to-device
//! transfer each call. `scripts/bench-runtime.sh` runs this beside a plain C loop over the same
//! C API calls, so the safe layer's overhead is measured in one run.

use criterion::{Criterion, criterion_group, criterion_main};
use rjax::runtime::{Client, ClientOptions, CompileOptions};

const SINE: &str = r#"
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = "stablehlo.sine"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}"#;

fn dispatch(c: &mut Criterion) {
    let client = Client::from_env(&ClientOptions::new()).expect("a PJRT client");
    let device = client.device(0).expect("a device");
    let sine = client
        .compile(SINE, &CompileOptions::default())
        .expect("compiles");
    let host = [0.5f32, 1.0, 2.0];
    let resident = client
        .buffer_from_host(&host, &[3], &device)
        .expect("transfer");
    let platform = client.platform_name().to_string();

    let mut group = c.benchmark_group(format!("dispatch/{platform}"));
    group.bench_function("sine_f32x3/device_resident", |b| {
        b.iter(|| {
            let outputs = sine.execute(&[&resident]).expect("executes");
            outputs[0].block_until_ready().expect("completes");
        })
    });
    group.bench_function("sine_f32x3/host_transfer", |b| {
        b.iter(|| {
            let input = client
                .buffer_from_host(&host, &[3], &device)
                .expect("transfer");
            let outputs = sine.execute(&[&input]).expect("executes");
            outputs[0].block_until_ready().expect("completes");
        })
    });
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
