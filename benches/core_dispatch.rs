#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Dispatch overhead of the core, each call synchronised: a jitted `x + 1.0` on a
//! device-resident f32 scalar, an eager `sin` of 3 f32 elements, a jitted `sin` with a resident
//! argument and with a fresh host array, an un-jitted `grad(sin)` of an f64 scalar, and the
//! notebook's jitted gradient at n = 10. `scripts/bench-vs-jax.sh` runs the same with JAX.

mod common;

use common::bench_items;
use criterion::{Criterion, criterion_group, criterion_main};

fn dispatch(c: &mut Criterion) {
    bench_items(c, "dispatch/", false);
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
