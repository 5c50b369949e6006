//! rjax's side of `scripts/bench-vs-jax.sh`: every timed cell of the reference notebook, the
//! dispatch microbenchmarks, the vmap benchmarks, first-call times, the linear-algebra items
//! (`bench_rjax/linalg.rs`), the SPMD items (`bench_rjax/spmd.rs`), the training step of
//! `examples/train_mlp` (`bench_rjax/train.rs`) and the calls of a `jax.export` artifact
//! (`bench_rjax/export.rs`), each also written in JAX in
//! `scripts/jax_bench.py` with the same sizes, dtypes, data and warm-up.
//!
//! Build it with `cargo build --release --example bench_rjax`. Modes:
//!
//! - `bench_rjax list`: the item names, one a line, each with `x64` or `x32`.
//! - `bench_rjax worker`: the protocol the script drives, one command a line on stdin, one
//!   answer a line on stdout (`ok ...` or `err MESSAGE`):
//!   `setup ITEM WARMUP_S TARGET_S` builds the item, makes its first call, warms up for
//!   `WARMUP_S` and chooses how many calls make a batch of about `TARGET_S`
//!   (`ok setup ITEM loops=N first=S check=NORM`); `batch ITEM` times one batch
//!   (`ok batch ITEM time=S`, seconds per call, or `total=S trace+lower=S ...` for a first-call
//!   item); `done ITEM` drops it; `quit` ends.
//! - `bench_rjax startup`: computes the notebook's first jitted gradient from scratch (client,
//!   data, trace, compile, run) and prints `startup check=NORM internal=S`; the script times
//!   the whole process.
//! - `bench_rjax startup-train`: the same for the first epoch of `examples/train_mlp`'s
//!   training (data, model, optimizer, trace, compile, 11 steps).
//! - `bench_rjax run [ITEM...]`: runs items on their own and prints `ITEM median_seconds`.
//!
//! The criterion benchmarks in `benches/` include this file as a module, so they time exactly
//! these items.

use std::io::{BufRead, Write};
use std::time::Instant;

use anyhow::{Result, anyhow, bail};
use rjax::random::{PRNGKey, normal};
use rjax::{
    Argnum, Array, DType, InAxes, Jitted, grad, grad_argnums, hessian_argnums, jacfwd_argnums,
    jacrev_argnums, jit, jvp, vmap,
};

#[path = "bench_rjax/export.rs"]
mod export;
#[path = "bench_rjax/linalg.rs"]
mod linalg;
#[path = "bench_rjax/spmd.rs"]
mod spmd;
#[path = "bench_rjax/train.rs"]
mod train;

/// Every item: its name and whether it runs in x64 mode. `scripts/jax_bench.py` has the same
/// list; the script checks that the two agree.
pub const ITEMS: &[(&str, bool)] = &[
    ("dispatch/jit_x_plus_1/f32_scalar", false),
    ("dispatch/eager_sin/f32x3", false),
    ("dispatch/jit_sin/f32x3_resident", false),
    ("dispatch/jit_sin/f32x3_from_host", false),
    ("dispatch/grad_sin/f64_scalar", true),
    ("dispatch/jit_grad_f/n10_f64", true),
    ("vmap/jit_vmap_matvec/1000x256_f32", false),
    ("vmap/jit_vmap_grad/1000x100_f32", false),
    ("numpy/jit_einsum_bij_bjk/b64_128x128_f32", false),
    ("random/jit_normal/1e7_f32", false),
    ("random/jit_normal/1e7_f64", true),
    ("scan/jit_rnn/t1000_h32_x16_f32", false),
    ("scan/jit_grad_rnn/t1000_h32_x16_f32", false),
    ("notebook/analytic_grad/n1000", true),
    ("notebook/grad_f/n1000", true),
    ("notebook/jit_grad_f/n1000", true),
    ("notebook/jit_hessian_f/n1000", true),
    ("notebook/hessian_by_hand/n1000", true),
    ("notebook/jit_jacrev_jacrev_f/n1000", true),
    ("notebook/jit_jacfwd_f/n1000", true),
    ("notebook/jit_jacrev_f/n1000", true),
    ("notebook/jit_jacfwd_fvec/m1000_n1000", true),
    ("notebook/jit_jacrev_fvec/m1000_n1000", true),
    ("notebook/jit_jacfwd_fvec/m1000_n10", true),
    ("notebook/jit_jacrev_fvec/m1000_n10", true),
    ("notebook/hvp_by_hand/n3000", true),
    ("notebook/hvp_jvp/n3000", true),
    ("notebook/jit_hvp_jvp/n3000", true),
    ("first_call/jit_grad_f/n1000", true),
    ("first_call/jit_hessian_f/n1000", true),
    ("train/jit_mlp_step/digits_b128_f32", false),
    ("export/call/mlp_b128_f32", false),
    ("export/jit_grad/mlp_b128_f32", false),
    ("linalg/jit_eigh/500x500_f64", true),
    ("linalg/jit_eigh/1000x1000_f64", true),
    ("linalg/jit_eigh/500x500_f32", false),
    ("linalg/jit_eigvalsh/500x500_f64", true),
    ("linalg/jit_eigvalsh/1000x1000_f64", true),
    ("linalg/jit_eigvalsh/500x500_f32", false),
    ("linalg/jit_svd/500x500_f64", true),
    ("linalg/jit_svd/1000x1000_f64", true),
    ("linalg/jit_svd/500x500_f32", false),
    ("linalg/jit_svd_values/500x500_f64", true),
    ("linalg/jit_svd_values/1000x1000_f64", true),
    ("linalg/jit_svd_values/500x500_f32", false),
    ("linalg/jit_qr/500x500_f64", true),
    ("linalg/jit_qr/1000x1000_f64", true),
    ("linalg/jit_qr/500x500_f32", false),
    ("linalg/jit_cholesky/500x500_f64", true),
    ("linalg/jit_cholesky/1000x1000_f64", true),
    ("linalg/jit_cholesky/500x500_f32", false),
    ("linalg/jit_solve/500x500_f64", true),
    ("linalg/jit_solve/1000x1000_f64", true),
    ("linalg/jit_solve/500x500_f32", false),
    ("linalg/jit_inv/500x500_f64", true),
    ("linalg/jit_inv/1000x1000_f64", true),
    ("linalg/jit_inv/500x500_f32", false),
    ("linalg/jit_det/500x500_f64", true),
    ("linalg/jit_det/1000x1000_f64", true),
    ("linalg/jit_det/500x500_f32", false),
    ("linalg/jit_lstsq/1000x500_f64", true),
    ("linalg/jit_lstsq/2000x1000_f64", true),
    ("linalg/jit_lstsq/1000x500_f32", false),
    ("linalg/jit_matmul/1000x1000_f64", true),
    ("linalg/jit_matmul/2000x2000_f64", true),
    ("spmd/jit_sharded_matmul/d1_1024_f32", false),
    ("spmd/jit_sharded_matmul/d2_1024_f32", false),
    ("spmd/jit_sharded_matmul/d4_1024_f32", false),
    ("spmd/jit_sharded_matmul/d8_1024_f32", false),
    ("spmd/jit_dp_mlp_step/d1_b1024_f32", false),
    ("spmd/jit_dp_mlp_step/d2_b1024_f32", false),
    ("spmd/jit_dp_mlp_step/d4_b1024_f32", false),
    ("spmd/jit_dp_mlp_step/d8_b1024_f32", false),
];

/// One call of a timed item: runs it, waits for the result and returns it.
pub type Body = Box<dyn FnMut() -> Result<Array>>;

/// A benchmark item, built by [`setup`].
pub enum Item {
    /// Called in a loop; each call is synchronised.
    Timed(Body),
    /// Each measurement traces and compiles a fresh function.
    FirstCall(FirstCall),
}

/// Whether `name` runs in x64 mode.
pub fn x64(name: &str) -> Result<bool> {
    ITEMS
        .iter()
        .find(|(item, _)| *item == name)
        .map(|(_, x64)| *x64)
        .ok_or_else(|| anyhow!("no item {name}"))
}

/// The notebook's data: `jax.random.normal(jax.random.PRNGKey(0), shape)` in float64, resident.
fn normal64(shape: &[usize]) -> Result<Array> {
    let x = normal(PRNGKey(0), shape, DType::F64);
    x.block_until_ready()?;
    Ok(x)
}

/// Deterministic float32 data for the vmap items, as in `scripts/jax_bench.py`.
fn data32(count: usize, scale: f32, shape: &[usize]) -> Result<Array> {
    let values: Vec<f32> = (0..count)
        .map(|i| ((i * 7919 % 1009) as f32 / 1009.0 - 0.5) * scale)
        .collect();
    let array = Array::from_slice(&values, shape)?;
    array.device()?;
    Ok(array)
}

/// The RNN of the scan items: `h' = tanh(W h + U x_t + b)` from `h = 0` over the rows of
/// `xs`, returning every `h` (`lax.scan`).
pub fn rnn((w, u, b, xs): (Array, Array, Array, Array)) -> rjax::Result<Array> {
    // `jnp.zeros`: a broadcast zero, staged (not an argument of the compiled program).
    let h0 = rjax::lax::broadcast_in_dim(Array::scalar(0.0f32), &[w.shape()[0]], &[]);
    let (_, hs): (Array, Array) = rjax::lax::scan(
        |h: Array, x: Array| {
            let h = (w.matmul(&h) + u.matmul(&x) + &b).tanh();
            (h.clone(), h)
        },
        h0,
        xs,
    )?;
    Ok(hs)
}

/// The scan items' loss: the sum of squares of every state of [`rnn`].
pub fn rnn_loss(args: (Array, Array, Array, Array)) -> rjax::Result<Array> {
    let hs = rnn(args)?;
    Ok((&hs * &hs).sum())
}

/// `(W, U, b, xs)` of the scan items: h of size 32, x of size 16, 1000 steps, float32.
fn rnn_args() -> Result<(Array, Array, Array, Array)> {
    Ok((
        data32(32 * 32, 0.3, &[32, 32])?,
        data32(32 * 16, 0.5, &[32, 16])?,
        data32(32, 0.1, &[32])?,
        data32(1000 * 16, 2.0, &[1000, 16])?,
    ))
}

/// The notebook's objective `||Ax - b||²` (its `@jax.jit def f(x, A, b)`, un-jitted).
pub fn f((x, a, b): (Array, Array, Array)) -> Array {
    let res = a.matmul(&x) - &b;
    res.matmul(&res)
}

/// The notebook's `fvec`, written as it is there (the exponential twice).
pub fn fvec((x, a, b): (Array, Array, Array)) -> Array {
    let y = a.matmul(&x) + &b;
    (&y - y.max()).exp() / (&y - y.max()).exp().sum()
}

/// The notebook's `hvp(f, x, z, *args)`: `jvp(grad(g), (x,), (z,))[1]` with `g(x) = f(x, A, b)`.
fn hvp<F>(f: &Jitted<F>, x: Array, z: Array, a: Array, b: Array) -> rjax::Result<Array>
where
    F: Fn((Array, Array, Array)) -> Array,
{
    let g = grad(move |x: Array| f.call((x, a.clone(), b.clone())));
    let (_, tangent): (Array, Array) = jvp(g, x, z)?;
    Ok(tangent)
}

fn ready(y: Array) -> Result<Array> {
    y.block_until_ready()?;
    Ok(y)
}

/// `(x, A, b)` of the notebook at size `n` (`m` rows).
fn notebook_args(n: usize, m: usize) -> Result<(Array, Array, Array)> {
    Ok((normal64(&[n])?, normal64(&[m, n])?, normal64(&[m])?))
}

/// A timed item calling `jitted` on `args`.
fn timed_jit<F, In>(jitted: Jitted<F>, args: In) -> Item
where
    F: Fn(In) -> rjax::Result<Array> + 'static,
    In: rjax::Pytree + Clone + 'static,
{
    Item::Timed(Box::new(move || ready(jitted.call(args.clone())?)))
}

/// Builds the item `name` (x64 mode must already be set as [`x64`] says).
pub fn setup(name: &str) -> Result<Item> {
    let item = match name {
        "dispatch/jit_x_plus_1/f32_scalar" => {
            let plus_one = jit(|x: Array| x + 1.0);
            let scalar = Array::from(1.0f32);
            scalar.device()?;
            Item::Timed(Box::new(move || ready(plus_one.call(scalar.clone())?)))
        }
        "dispatch/eager_sin/f32x3" => {
            let vector = Array::from([0.5f32, 1.0, 2.0]);
            vector.device()?;
            Item::Timed(Box::new(move || ready(vector.sin())))
        }
        "dispatch/jit_sin/f32x3_resident" => {
            let sine = jit(|x: Array| x.sin());
            let vector = Array::from([0.5f32, 1.0, 2.0]);
            vector.device()?;
            Item::Timed(Box::new(move || ready(sine.call(vector.clone())?)))
        }
        "dispatch/jit_sin/f32x3_from_host" => {
            let sine = jit(|x: Array| x.sin());
            let host = [0.5f32, 1.0, 2.0];
            Item::Timed(Box::new(move || {
                ready(sine.call(Array::from_slice(&host, &[3])?)?)
            }))
        }
        "dispatch/grad_sin/f64_scalar" => {
            let dsin = grad(|x: Array| x.sin());
            let one = Array::from(1.0f64);
            one.device()?;
            Item::Timed(Box::new(move || ready(dsin(one.clone())?)))
        }
        "dispatch/jit_grad_f/n10_f64" => {
            let f_jit = jit(f);
            let jit_gradf = jit(grad_argnums(move |args| f_jit.call(args), Argnum::<0>));
            timed_jit(jit_gradf, notebook_args(10, 10)?)
        }
        "vmap/jit_vmap_matvec/1000x256_f32" => {
            let matrix = data32(256 * 256, 1.0, &[256, 256])?;
            let vectors = data32(1000 * 256, 2.0, &[1000, 256])?;
            let matvecs = jit(vmap(move |v: Array| matrix.matmul(&v), InAxes::leading()));
            Item::Timed(Box::new(move || ready(matvecs.call(vectors.clone())?)))
        }
        "vmap/jit_vmap_grad/1000x100_f32" => {
            let weights = data32(100, 0.1, &[100])?;
            let features = data32(1000 * 100, 1.0, &[1000, 100])?;
            let targets = data32(1000, 3.0, &[1000])?;
            let loss = |(w, x, y): (Array, Array, Array)| {
                let error = w.matmul(&x) - &y;
                &error * &error
            };
            let per_example = jit(vmap(
                grad(loss),
                InAxes::per_leaf(vec![None, Some(0), Some(0)]),
            ));
            Item::Timed(Box::new(move || {
                let (dw, _, _): (Array, Array, Array) =
                    per_example.call((weights.clone(), features.clone(), targets.clone()))?;
                ready(dw)
            }))
        }
        "numpy/jit_einsum_bij_bjk/b64_128x128_f32" => {
            let a = data32(64 * 128 * 128, 1.0, &[64, 128, 128])?;
            let b = data32(64 * 128 * 128, 2.0, &[64, 128, 128])?;
            let contract = jit(|(a, b): (Array, Array)| -> rjax::Result<Array> {
                Ok(rjax::numpy::einsum("bij,bjk->bik", &[&a, &b]))
            });
            timed_jit(contract, (a, b))
        }
        "random/jit_normal/1e7_f32" | "random/jit_normal/1e7_f64" => {
            let dtype = if name.ends_with("f32") {
                DType::F32
            } else {
                DType::F64
            };
            let sample = jit(move |key: Array| -> rjax::Result<Array> {
                Ok(normal(&key, &[10_000_000], dtype))
            });
            timed_jit(sample, PRNGKey(0))
        }
        "scan/jit_rnn/t1000_h32_x16_f32" => timed_jit(jit(rnn), rnn_args()?),
        "scan/jit_grad_rnn/t1000_h32_x16_f32" => {
            let (w, u, b, xs) = rnn_args()?;
            // The gradient with respect to the parameters (W, U, b).
            let grad_rnn = jit(
                |(w, u, b, xs): (Array, Array, Array, Array)| -> rjax::Result<Array> {
                    let xs = &xs;
                    let (dw, _, _): (Array, Array, Array) = grad(
                        |(w, u, b): (Array, Array, Array)| rnn_loss((w, u, b, xs.clone())),
                    )((w, u, b))?;
                    Ok(dw)
                },
            );
            timed_jit(grad_rnn, (w, u, b, xs))
        }
        "notebook/analytic_grad/n1000" => {
            let (x, a, b) = notebook_args(1000, 1000)?;
            // Python's `2 * A.T @ (A @ x - b)` is `(2 * A.T) @ (A @ x - b)`.
            Item::Timed(Box::new(move || {
                ready((a.t() * 2.0).matmul(&(a.matmul(&x) - &b)))
            }))
        }
        "notebook/grad_f/n1000" => {
            let args = notebook_args(1000, 1000)?;
            let f_jit = jit(f);
            let gradf = grad_argnums(move |args| f_jit.call(args), Argnum::<0>);
            Item::Timed(Box::new(move || ready(gradf(args.clone())?)))
        }
        "notebook/jit_grad_f/n1000" => {
            let f_jit = jit(f);
            let jit_gradf = jit(grad_argnums(move |args| f_jit.call(args), Argnum::<0>));
            timed_jit(jit_gradf, notebook_args(1000, 1000)?)
        }
        "notebook/jit_hessian_f/n1000" => {
            let f_jit = jit(f);
            let hess_func = jit(hessian_argnums(move |args| f_jit.call(args), Argnum::<0>));
            timed_jit(hess_func, notebook_args(1000, 1000)?)
        }
        "notebook/hessian_by_hand/n1000" => {
            let (_, a, _) = notebook_args(1000, 1000)?;
            Item::Timed(Box::new(move || ready((a.t() * 2.0).matmul(&a))))
        }
        "notebook/jit_jacrev_jacrev_f/n1000" => {
            let f_jit = jit(f);
            let inner = jacrev_argnums(move |args| f_jit.call(args), Argnum::<0>);
            let hess_umul_func = jit(jacrev_argnums(
                move |args: (Array, Array, Array)| -> rjax::Result<Array> { inner(args) },
                Argnum::<0>,
            ));
            timed_jit(hess_umul_func, notebook_args(1000, 1000)?)
        }
        "notebook/jit_jacfwd_f/n1000" | "notebook/jit_jacrev_f/n1000" => {
            let f_jit = jit(f);
            let args = notebook_args(1000, 1000)?;
            if name.contains("jacfwd") {
                let fmode_f = jit(jacfwd_argnums(move |args| f_jit.call(args), Argnum::<0>));
                timed_jit(fmode_f, args)
            } else {
                let bmode_f = jit(jacrev_argnums(move |args| f_jit.call(args), Argnum::<0>));
                timed_jit(bmode_f, args)
            }
        }
        "notebook/jit_jacfwd_fvec/m1000_n1000"
        | "notebook/jit_jacrev_fvec/m1000_n1000"
        | "notebook/jit_jacfwd_fvec/m1000_n10"
        | "notebook/jit_jacrev_fvec/m1000_n10" => {
            let n = if name.ends_with("n10") { 10 } else { 1000 };
            let args = notebook_args(n, 1000)?;
            if name.contains("jacfwd") {
                timed_jit(jit(jacfwd_argnums(fvec, Argnum::<0>)), args)
            } else {
                timed_jit(jit(jacrev_argnums(fvec, Argnum::<0>)), args)
            }
        }
        "notebook/hvp_by_hand/n3000" => {
            let a = normal64(&[3000, 3000])?;
            let z = normal64(&[3000])?;
            Item::Timed(Box::new(move || ready((a.t() * 2.0).matmul(&a.matmul(&z)))))
        }
        "notebook/hvp_jvp/n3000" => {
            let (x, a, b) = notebook_args(3000, 3000)?;
            let z = normal64(&[3000])?;
            let f_jit = jit(f);
            Item::Timed(Box::new(move || {
                ready(hvp(&f_jit, x.clone(), z.clone(), a.clone(), b.clone())?)
            }))
        }
        "notebook/jit_hvp_jvp/n3000" => {
            let (x, a, b) = notebook_args(3000, 3000)?;
            let z = normal64(&[3000])?;
            let f_jit = jit(f);
            let jit_hvp =
                jit(move |(x, z, a, b): (Array, Array, Array, Array)| hvp(&f_jit, x, z, a, b));
            timed_jit(jit_hvp, (x, z, a, b))
        }
        "first_call/jit_grad_f/n1000" => {
            let args = notebook_args(1000, 1000)?;
            first_call(args, "jit_grad_f", |name| {
                Box::new(jit(grad_argnums(f, Argnum::<0>)).with_name(name))
            })
        }
        "first_call/jit_hessian_f/n1000" => {
            let args = notebook_args(1000, 1000)?;
            first_call(args, "jit_hessian_f", |name| {
                Box::new(jit(hessian_argnums(f, Argnum::<0>)).with_name(name))
            })
        }
        "train/jit_mlp_step/digits_b128_f32" => train::timed_step()?,
        _ if name.starts_with("export/") => export::setup(name)?,
        _ if name.starts_with("linalg/") => linalg::setup(name)?,
        _ if name.starts_with("spmd/") => spmd::setup(name)?,
        _ => bail!("no item {name}"),
    };
    Ok(item)
}

/// A freshly made jitted function of the notebook's arguments, not yet traced.
pub trait Fresh {
    /// `Jitted::call`.
    fn call(&self, args: (Array, Array, Array)) -> rjax::Result<Array>;
    /// `Jitted::lower`.
    fn lower(&self, args: &(Array, Array, Array)) -> rjax::Result<rjax::Lowered>;
}

impl<F, R> Fresh for Jitted<F>
where
    F: Fn((Array, Array, Array)) -> R,
    R: rjax::FnOutput<Output = Array>,
{
    fn call(&self, args: (Array, Array, Array)) -> rjax::Result<Array> {
        Jitted::call(self, args)
    }
    fn lower(&self, args: &(Array, Array, Array)) -> rjax::Result<rjax::Lowered> {
        Jitted::lower::<_, Array, _>(self, args)
    }
}

/// A first-call item. Every measurement makes a fresh jitted function, with a new name each
/// time so that rjax's in-process compilation cache (keyed by the module text) cannot answer.
pub struct FirstCall {
    args: (Array, Array, Array),
    label: &'static str,
    make: Box<dyn Fn(String) -> Box<dyn Fresh>>,
    count: u64,
}

impl FirstCall {
    fn fresh(&mut self, kind: &str) -> Box<dyn Fresh> {
        self.count += 1;
        (self.make)(format!("{}_{}_{kind}", self.label, self.count))
    }

    /// The first call of a fresh function: trace + lower + compile + run, in seconds.
    pub fn total(&mut self) -> Result<f64> {
        let fresh = self.fresh("call");
        let start = Instant::now();
        fresh.call(self.args.clone())?.block_until_ready()?;
        Ok(start.elapsed().as_secs_f64())
    }

    /// Ahead of time, on another fresh function: `trace+lower` (`Jitted::lower`), then, when
    /// `compile` is set, `compile` (`Lowered::compile`) and `first_run` (`Compiled::call`).
    pub fn ahead_of_time(&mut self, compile: bool) -> Result<Vec<(&'static str, f64)>> {
        let fresh = self.fresh("aot");
        let start = Instant::now();
        let lowered = fresh.lower(&self.args)?;
        let lowered_at = start.elapsed().as_secs_f64();
        if !compile {
            return Ok(vec![("trace+lower", lowered_at)]);
        }
        let compiled = lowered.compile()?;
        let compiled_at = start.elapsed().as_secs_f64();
        let out: Array = compiled.call(self.args.clone())?;
        out.block_until_ready()?;
        let ran_at = start.elapsed().as_secs_f64();
        Ok(vec![
            ("trace+lower", lowered_at),
            ("compile", compiled_at - lowered_at),
            ("first_run", ran_at - compiled_at),
        ])
    }

    /// One measurement as the script takes it: `total`, then the ahead-of-time split.
    pub fn measure(&mut self) -> Result<Vec<(&'static str, f64)>> {
        let mut figures = vec![("total", self.total()?)];
        figures.extend(self.ahead_of_time(true)?);
        Ok(figures)
    }
}

fn first_call(
    args: (Array, Array, Array),
    label: &'static str,
    make: impl Fn(String) -> Box<dyn Fresh> + 'static,
) -> Item {
    Item::FirstCall(FirstCall {
        args,
        label,
        make: Box::new(make),
        count: 0,
    })
}

/// The 2-norm of all elements, as a check that both sides computed the same thing.
pub fn check(y: &Array) -> Result<f64> {
    let values: Vec<f64> = match y.dtype() {
        DType::F64 => y.to_vec::<f64>()?,
        DType::F32 => y.to_vec::<f32>()?.into_iter().map(f64::from).collect(),
        other => bail!("unexpected dtype {other:?}"),
    };
    Ok(values.iter().map(|v| v * v).sum::<f64>().sqrt())
}

/// Calls `body` `loops` times; the seconds per call.
fn time_loops(body: &mut Body, loops: u64) -> Result<f64> {
    let start = Instant::now();
    for _ in 0..loops {
        body()?;
    }
    Ok(start.elapsed().as_secs_f64() / loops as f64)
}

/// The warm-up rule, the same on both sides: after the first call, batches of 1, 2, 4, ...
/// calls (doubling while a batch takes under `warmup / 8`) until `warmup` seconds are spent;
/// then a batch is as many calls as take about `target` seconds at the last rate (at least 1).
fn warm_up(body: &mut Body, warmup: f64, target: f64) -> Result<u64> {
    let mut loops = 1u64;
    let mut spent = 0.0;
    loop {
        let per_call = time_loops(body, loops)?;
        spent += per_call * loops as f64;
        if spent >= warmup {
            return Ok(((target / per_call).round() as u64).max(1));
        }
        if per_call * (loops as f64) < warmup / 8.0 {
            loops *= 2;
        }
    }
}

/// The item being measured by the worker, and its batch size.
struct Active {
    name: String,
    item: Item,
    loops: u64,
}

fn answer(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn command(active: &mut Option<Active>, words: &[&str]) -> Result<Option<String>> {
    match words {
        ["setup", name, warmup, target] => {
            *active = None;
            rjax::config::enable_x64(x64(name)?);
            let (warmup, target): (f64, f64) = (warmup.parse()?, target.parse()?);
            let start = Instant::now();
            let mut item = setup(name)?;
            let (loops, first, norm) = match &mut item {
                Item::Timed(body) => {
                    let start = Instant::now();
                    let y = body()?;
                    let first = start.elapsed().as_secs_f64();
                    let norm = check(&y)?;
                    (warm_up(body, warmup, target)?, first, norm)
                }
                Item::FirstCall(first) => {
                    let start = Instant::now();
                    first.measure()?; // the warm-up measurement, discarded
                    (1, start.elapsed().as_secs_f64(), f64::NAN)
                }
            };
            *active = Some(Active {
                name: name.to_string(),
                item,
                loops,
            });
            Ok(Some(format!(
                "ok setup {name} loops={loops} first={first:e} check={norm:e} setup={:e}",
                start.elapsed().as_secs_f64()
            )))
        }
        ["batch", name] => {
            let Some(active) = active.as_mut().filter(|a| a.name == *name) else {
                bail!("{name} is not set up");
            };
            let figures = match &mut active.item {
                Item::Timed(body) => vec![("time", time_loops(body, active.loops)?)],
                Item::FirstCall(first) => first.measure()?,
            };
            let figures: Vec<String> = figures.iter().map(|(k, v)| format!("{k}={v:e}")).collect();
            Ok(Some(format!("ok batch {name} {}", figures.join(" "))))
        }
        ["done", name] => {
            *active = None;
            Ok(Some(format!("ok done {name}")))
        }
        ["quit"] => Ok(None),
        _ => bail!("unknown command {words:?}"),
    }
}

fn worker() -> Result<()> {
    // The SPMD items need 8 CPU devices; JAX's worker asks for the same.
    rjax::config::set_cpu_device_count(8)?;
    let platform = rjax::default_client()?.platform_name().to_string();
    answer(&format!("ok hello rjax platform={platform}"))?;
    let mut active = None;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match command(&mut active, &words) {
            Ok(Some(reply)) => answer(&reply)?,
            Ok(None) => break,
            Err(error) => {
                active = None;
                answer(&format!("err {}", format!("{error:#}").replace('\n', " ")))?;
            }
        }
    }
    Ok(())
}

/// From process start to the first result of the notebook's first jitted gradient.
fn startup(start: Instant) -> Result<()> {
    rjax::config::enable_x64(true);
    let f_jit = jit(f);
    let jit_gradf = jit(grad_argnums(move |args| f_jit.call(args), Argnum::<0>));
    let args = notebook_args(1000, 1000)?;
    let g: Array = jit_gradf.call(args)?;
    g.block_until_ready()?;
    let internal = start.elapsed().as_secs_f64();
    answer(&format!(
        "startup check={:e} internal={internal:e}",
        check(&g)?
    ))
}

/// From process start to the end of `examples/train_mlp`'s first epoch.
fn startup_train(start: Instant) -> Result<()> {
    let loss = train::first_epoch()?;
    let internal = start.elapsed().as_secs_f64();
    answer(&format!(
        "startup check={:e} internal={internal:e}",
        check(&loss)?
    ))
}

/// Runs items on their own: 7 batches after the same warm-up as the worker.
fn run(names: &[String]) -> Result<()> {
    rjax::config::set_cpu_device_count(8)?;
    let all: Vec<String> = ITEMS.iter().map(|(name, _)| name.to_string()).collect();
    let names = if names.is_empty() { &all } else { names };
    let mut active = None;
    for name in names {
        let reply = command(&mut active, &["setup", name, "0.5", "0.25"])?.unwrap_or_default();
        let mut samples: Vec<Vec<(String, f64)>> = Vec::new();
        for _ in 0..7 {
            let reply = command(&mut active, &["batch", name])?.unwrap_or_default();
            samples.push(
                reply
                    .split_whitespace()
                    .skip(3)
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.parse().unwrap_or(f64::NAN)))
                    .collect(),
            );
        }
        command(&mut active, &["done", name])?;
        for (index, (key, _)) in samples[0].iter().enumerate() {
            let mut values: Vec<f64> = samples.iter().map(|s| s[index].1).collect();
            values.sort_by(f64::total_cmp);
            let label = if key == "time" || key == "total" {
                name.to_string()
            } else {
                format!("{name}:{key}")
            };
            println!("{label} {:e}", values[values.len() / 2]);
        }
        eprintln!("# {reply}");
    }
    Ok(())
}

#[allow(dead_code)] // unused where the criterion benchmarks include this file
fn main() -> Result<()> {
    let start = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("list") => {
            for (name, x64) in ITEMS {
                println!("{name} {}", if *x64 { "x64" } else { "x32" });
            }
            Ok(())
        }
        Some("worker") => worker(),
        Some("startup") => startup(start),
        Some("startup-train") => startup_train(start),
        Some("run") => run(&args[1..]),
        _ => bail!("usage: bench_rjax list | worker | startup | startup-train | run [ITEM...]"),
    }
}
