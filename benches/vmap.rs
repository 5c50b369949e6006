#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Batched computation: `jit(vmap(matvec))` of a fixed 256x256 matrix over 1000 vectors, and
//! per-example gradients of a linear model's squared error over 1000 examples of 100 features
//! (`jit(vmap(grad(loss)))`), both float32. `scripts/bench-vs-jax.sh` runs the same with JAX.

use criterion::{Criterion, criterion_group, criterion_main};
use rjax::{Array, InAxes, grad, jit, vmap};

fn data(count: usize, scale: f32) -> Vec<f32> {
    (0..count)
        .map(|i| ((i * 7919 % 1009) as f32 / 1009.0 - 0.5) * scale)
        .collect()
}

fn batched(c: &mut Criterion) {
    let mut group = c.benchmark_group("vmap");
    let matrix = Array::from_slice(&data(256 * 256, 1.0), &[256, 256]).expect("shape");
    let vectors = Array::from_slice(&data(1000 * 256, 2.0), &[1000, 256]).expect("shape");
    let matvecs = jit(vmap(|v: Array| matrix.matmul(&v), InAxes::leading()));
    group.bench_function("jit_vmap_matvec/1000x256", |b| {
        b.iter(|| {
            let y: Array = matvecs.call(vectors.clone()).expect("runs");
            y.block_until_ready().expect("completes");
        })
    });

    let weights = Array::from_slice(&data(100, 0.1), &[100]).expect("shape");
    let features = Array::from_slice(&data(1000 * 100, 1.0), &[1000, 100]).expect("shape");
    let targets = Array::from_slice(&data(1000, 3.0), &[1000]).expect("shape");
    let loss = |(w, x, y): (Array, Array, Array)| {
        let error = w.matmul(&x) - &y;
        &error * &error
    };
    let per_example = jit(vmap(
        grad(loss),
        InAxes::per_leaf(vec![None, Some(0), Some(0)]),
    ));
    group.bench_function("jit_vmap_grad/1000x100", |b| {
        b.iter(|| {
            let (dw, _, _): (Array, Array, Array) = per_example
                .call((weights.clone(), features.clone(), targets.clone()))
                .expect("runs");
            dw.block_until_ready().expect("completes");
        })
    });
    group.finish();
}

criterion_group!(benches, batched);
criterion_main!(benches);
