#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Batched computation: `jit(vmap(matvec))` of a fixed 256x256 matrix over 1000 vectors, and
//! per-example gradients of a linear model's squared error over 1000 examples of 100 features
//! (`jit(vmap(grad(loss)))`), both float32. `scripts/bench-vs-jax.sh` runs the same with JAX.

mod common;

use common::bench_items;
use criterion::{Criterion, criterion_group, criterion_main};

fn batched(c: &mut Criterion) {
    bench_items(c, "vmap/", false);
}

criterion_group!(benches, batched);
criterion_main!(benches);
