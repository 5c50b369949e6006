#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Autodiff overhead: `grad(sin)` of a scalar run op by op (no jit), and the jitted gradient of
//! the notebook's least-squares objective at n = 1000 in float64. `scripts/bench-vs-jax.sh`
//! runs the same figures with JAX.

use criterion::{Criterion, criterion_group, criterion_main};
use rjax::{Array, grad, jit};

fn autodiff(c: &mut Criterion) {
    rjax::config::enable_x64(true);
    let mut group = c.benchmark_group("autodiff");
    let x = Array::from(1.0f64);
    let dsin = grad(|x: Array| x.sin());
    group.bench_function("eager_grad_sin/f64_scalar", |b| {
        b.iter(|| {
            dsin(x.clone())
                .expect("differentiates")
                .block_until_ready()
                .expect("completes");
        })
    });

    let n = 1000;
    let a = Array::from_slice(
        &(0..n * n)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5)
            .collect::<Vec<_>>(),
        &[n, n],
    )
    .expect("shape");
    let b = Array::from_vec((0..n).map(|i| (i as f64 * 0.01).sin()).collect::<Vec<_>>());
    let x = Array::from_vec((0..n).map(|i| (i as f64 * 0.02).cos()).collect::<Vec<_>>());
    let gradf = jit(grad(|x: Array| {
        let r = a.matmul(&x) - &b;
        r.matmul(&r)
    }));
    group.bench_function("jit_grad_least_squares/n1000_f64", |bench| {
        bench.iter(|| {
            let g: Array = gradf.call(x.clone()).expect("runs");
            g.block_until_ready().expect("completes");
        })
    });
    group.finish();
}

criterion_group!(benches, autodiff);
criterion_main!(benches);
