#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Dispatch overhead of the core: a jitted `x + 1.0` on a device-resident f32 scalar, and an
//! eager `sin` on a 3-element f32 array, each synchronised every call. `scripts/bench-vs-jax.sh`
//! runs the same two with JAX in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use rjax::{Array, jit};

fn dispatch(c: &mut Criterion) {
    let plus_one = jit(|x: Array| x + 1.0);
    let scalar = Array::from(1.0f32);
    scalar.device().expect("uploads");
    let vector = Array::from([0.5f32, 1.0, 2.0]);
    vector.device().expect("uploads");

    let mut group = c.benchmark_group("core");
    group.bench_function("jit_x_plus_1/f32_scalar", |b| {
        b.iter(|| {
            let y: Array = plus_one.call(scalar.clone()).expect("runs");
            y.block_until_ready().expect("completes");
        })
    });
    group.bench_function("eager_sin/f32x3", |b| {
        b.iter(|| {
            vector.sin().block_until_ready().expect("completes");
        })
    });
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
