#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

//! Autodiff overhead: `grad(sin)` of a scalar run op by op (no jit), and the jitted gradient of
//! the notebook's least-squares objective at n = 1000 in float64. `scripts/bench-vs-jax.sh`
//! runs the same figures with JAX.

use criterion::{Criterion, criterion_group, criterion_main};
use rjax::{Argnum, Array, grad, hessian_argnums, jacfwd_argnums, jacrev_argnums, jit, jvp};

/// Deterministic data in [-0.5, 0.5), the same formula as scripts/jax_bench.py uses.
fn data(count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5)
        .collect()
}

fn matrix(rows: usize, cols: usize) -> Array {
    Array::from_slice(&data(rows * cols), &[rows, cols]).expect("shape")
}

fn vector(n: usize, phase: f64) -> Array {
    Array::from_vec(
        (0..n)
            .map(|i| (i as f64 * 0.01 + phase).sin())
            .collect::<Vec<_>>(),
    )
}

/// The notebook's least-squares objective `||Ax - b||²`.
fn least_squares((x, a, b): (Array, Array, Array)) -> Array {
    let r = a.matmul(&x) - &b;
    r.matmul(&r)
}

/// The notebook's `fvec`: a softmax of `Ax + b`.
fn fvec((x, a, b): (Array, Array, Array)) -> Array {
    let y = a.matmul(&x) + &b;
    let e = (&y - y.max()).exp();
    &e / e.sum()
}

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

fn notebook(c: &mut Criterion) {
    rjax::config::enable_x64(true);
    let mut group = c.benchmark_group("notebook");
    group.sample_size(10);
    let input = |n: usize, m: usize| (vector(n, 0.3), matrix(m, n), vector(m, 0.7));

    let hess = jit(hessian_argnums(least_squares, Argnum::<0>));
    let args = input(1000, 1000);
    group.bench_function("jit_hessian/n1000_f64", |bench| {
        bench.iter(|| {
            let h: Array = hess.call(args.clone()).expect("runs");
            h.block_until_ready().expect("completes");
        })
    });
    for (n, m) in [(1000, 1000), (10, 1000)] {
        let args = input(n, m);
        let forward = jit(jacfwd_argnums(fvec, Argnum::<0>));
        let reverse = jit(jacrev_argnums(fvec, Argnum::<0>));
        group.bench_function(format!("jit_jacfwd_fvec/m{m}_n{n}_f64"), |bench| {
            bench.iter(|| {
                let j: Array = forward.call(args.clone()).expect("runs");
                j.block_until_ready().expect("completes");
            })
        });
        group.bench_function(format!("jit_jacrev_fvec/m{m}_n{n}_f64"), |bench| {
            bench.iter(|| {
                let j: Array = reverse.call(args.clone()).expect("runs");
                j.block_until_ready().expect("completes");
            })
        });
    }
    let (x, a, b) = input(3000, 3000);
    let z = vector(3000, 1.1);
    let hvp = jit(move |(x, z): (Array, Array)| -> rjax::Result<Array> {
        let gradient = grad(|x: Array| least_squares((x, a.clone(), b.clone())));
        let (_, tangent): (Array, Array) = jvp(gradient, x, z)?;
        Ok(tangent)
    });
    group.bench_function("jit_hvp/n3000_f64", |bench| {
        bench.iter(|| {
            let v: Array = hvp.call((x.clone(), z.clone())).expect("runs");
            v.block_until_ready().expect("completes");
        })
    });
    group.finish();
}

criterion_group!(benches, autodiff, notebook);
criterion_main!(benches);
