#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! The reference notebook's timed cells in float64 (analytical gradient, un-jitted and jitted
//! gradients, the jitted and emulated hessians and `2AᵀA`, jacfwd/jacrev of `f` and of `fvec`
//! at both shapes, the Hessian-vector product by hand, without and with jit), and the first
//! call of `jit(grad(f))` and `jit(hessian(f))` at n = 1000 (total, trace + lower, compile);
//! and a 1000-step `lax.scan` of an RNN cell (h of size 32, x of size 16, float32) and its
//! gradient with respect to the parameters, both jitted.
//! `scripts/bench-vs-jax.sh` runs the same with JAX.

mod common;

use common::bench_items;
use criterion::{Criterion, criterion_group, criterion_main};

fn notebook(c: &mut Criterion) {
    bench_items(c, "notebook/", true);
}

fn scan(c: &mut Criterion) {
    bench_items(c, "scan/", true);
}

fn first_call(c: &mut Criterion) {
    bench_items(c, "first_call/", true);
}

criterion_group!(benches, notebook, scan, first_call);
criterion_main!(benches);
