//! The reference JAX notebook ("Automatic differentiation with JAX"), cell by cell, in Rust.
//!
//! Run it with `cargo run --release --example notebook`. It prints what the notebook prints:
//! values, "Check correctness" norms, and `%timeit`-style timings (mean ± std. dev. of 7 runs
//! after a warm-up, each call synchronised with `block_until_ready`), plus the first-call time
//! (trace + compile + run) of every jitted function. It runs on whatever platform rjax selects
//! (the CPU by default, a GPU when JAX's CUDA plugin is installed) with no code change.

use std::time::{Duration, Instant};

use anyhow::Result;
use rjax::numpy as jnp;
use rjax::numpy::linalg::{self, SvdOptions, norm};
use rjax::random::{PRNGKey, normal};
use rjax::{
    Argnum, Array, grad, grad_argnums, hessian_argnums, jacfwd_argnums, jacrev_argnums, jit, jvp,
    lax,
};

/// `%timeit`: loops per run grow by 10x until a run takes 0.2 s, then 7 runs.
fn timeit(label: &str, mut body: impl FnMut() -> Result<()>) -> Result<()> {
    body()?;
    let mut loops = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..loops {
            body()?;
        }
        if start.elapsed() >= Duration::from_millis(200) || loops >= 10_000 {
            break;
        }
        loops *= 10;
    }
    let runs: Vec<f64> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..loops {
                body()?;
            }
            Ok(start.elapsed().as_secs_f64() / f64::from(loops))
        })
        .collect::<Result<_>>()?;
    let mean = runs.iter().sum::<f64>() / 7.0;
    let std = (runs.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 7.0).sqrt();
    println!(
        "{label}{} ± {} per loop (mean ± std. dev. of 7 runs, {loops} loops each)",
        human(mean),
        human(std)
    );
    Ok(())
}

/// A duration as IPython prints it: `4.03 ms`, `851 µs`.
fn human(seconds: f64) -> String {
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    format!("{value:.3}")
        .chars()
        .take(4)
        .collect::<String>()
        .trim_end_matches('.')
        .to_string()
        + " "
        + unit
}

/// The time of a first call: trace, compile and run.
fn first_call<T>(label: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    let start = Instant::now();
    let value = body()?;
    println!(
        "  (first call of {label}: trace + compile + run in {})",
        human(start.elapsed().as_secs_f64())
    );
    Ok(value)
}

/// The notebook's objective `||Ax - b||²`.
fn f((x, a, b): (Array, Array, Array)) -> Array {
    let res = a.matmul(&x) - &b;
    res.matmul(&res)
}

/// The notebook's `fvec`: a softmax of `Ax + b`.
fn fvec((x, a, b): (Array, Array, Array)) -> Array {
    let y = a.matmul(&x) + &b;
    let e = (&y - y.max()).exp();
    &e / e.sum()
}

fn main() -> Result<()> {
    println!("# In [2]: config.update(\"jax_enable_x64\", True)");
    rjax::config::enable_x64(true);
    println!("platform: {}", rjax::default_client()?.platform_name());
    let key = PRNGKey(0);

    println!("\n# In [3]");
    let sin = |x: Array| x.sin();
    let x = Array::from(1.0f64);
    println!("{}", sin(x.clone()));
    println!("{} {}", grad(sin)(x.clone())?, x.cos());
    println!("{} {}", grad(|x| grad(sin)(x))(x.clone())?, -x.sin());

    println!("\n# In [4]-[6]");
    let f_jit = jit(f);
    let gradf = grad_argnums(|args| f_jit.call(args), Argnum::<0>);
    let n = 1000;
    let (x, a, b) = (
        normal(&key, &[n], None),
        normal(&key, &[n, n], None),
        normal(&key, &[n], None),
    );
    let args = (x.clone(), a.clone(), b.clone());
    println!("{:?}", gradf(args.clone())?.shape());

    println!("\n# In [7]");
    let analytic = || a.t().matmul(&(a.matmul(&x) - &b)) * 2.0;
    println!(
        "Check correctness {}",
        norm(gradf(args.clone())? - analytic())
    );
    println!("Compare speed");
    println!("Analytical gradient");
    timeit("", || Ok(analytic().block_until_ready().map(|_| ())?))?;
    println!("Grad function");
    timeit("", || {
        Ok(gradf(args.clone())?.block_until_ready().map(|_| ())?)
    })?;
    let jit_gradf = jit(grad_argnums(f, Argnum::<0>));
    println!("Jitted grad function");
    first_call("jit_gradf", || Ok(jit_gradf.call(args.clone())?))?;
    timeit("", || {
        Ok(jit_gradf
            .call(args.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;

    println!("\n# In [8]");
    let grad_max = grad(|x: Array| x.max());
    let x3 = Array::from([1.0f64, 1.0, 0.0]);
    println!("{x3}");
    println!("{:?}", grad_max(x3)?);

    println!("\n# In [10]");
    let gradf_a = grad_argnums(|args| f_jit.call(args), Argnum::<1>);
    let a_grad = gradf_a(args.clone())?;
    let s = linalg::svd_with(&a_grad, SvdOptions::default().compute_uv(false)).s;
    println!(
        "largest singular values of the gradient: {:?}",
        lax::slice(&s, &[0], &[3], None)
    );
    println!(
        "{:?}",
        norm(&a_grad - jnp::outer(&(a.matmul(&x) - &b), &x) * 2.0)
    );

    println!("\n# In [11]");
    let hess_func = jit(hessian_argnums(f, Argnum::<0>));
    let h = first_call("hess_func", || Ok(hess_func.call(args.clone())?))?;
    println!("Check correctness {}", norm(a.t().matmul(&a) * 2.0 - &h));
    println!("Time for hessian");
    timeit("", || {
        Ok(hess_func
            .call(args.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;
    timeit("", || {
        Ok((a.t().matmul(&a) * 2.0).block_until_ready().map(|_| ())?)
    })?;
    let hess_umul_func = jit(jacrev_argnums(
        |args: (Array, Array, Array)| -> rjax::Result<Array> {
            let (x, a, b) = args;
            jacrev_argnums(f, Argnum::<0>)((x, a, b))
        },
        Argnum::<0>,
    ));
    let emulated = first_call("hess_umul_func", || Ok(hess_umul_func.call(args.clone())?))?;
    println!(
        "Emulate hessian and check correctness {}",
        norm(&h - &emulated)
    );
    println!("Time of emulating hessian");
    timeit("", || {
        Ok(hess_umul_func
            .call(args.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;

    println!("\n# In [12]: forward mode vs. backward mode, m << n");
    let fmode_f = jit(jacfwd_argnums(f, Argnum::<0>));
    let bmode_f = jit(jacrev_argnums(f, Argnum::<0>));
    let forward = first_call("fmode_f", || Ok(fmode_f.call(args.clone())?))?;
    let backward = first_call("bmode_f", || Ok(bmode_f.call(args.clone())?))?;
    println!("Check correctness {}", norm(&forward - &backward));
    println!("Forward mode");
    timeit("", || {
        Ok(fmode_f
            .call(args.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;
    println!("Backward mode");
    timeit("", || {
        Ok(bmode_f
            .call(args.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;

    println!("\n# In [13]-[16]: forward mode vs. backward mode, m >= n");
    let grad_fvec = jit(rjax::grad(fvec));
    let jac_fvec = jacrev_argnums(fvec, Argnum::<0>);
    let fmode_fvec = jit(jacfwd_argnums(fvec, Argnum::<0>));
    let bmode_fvec = jit(jacrev_argnums(fvec, Argnum::<0>));
    for (n, m) in [(1000, 1000), (10, 1000)] {
        let args = (
            normal(&key, &[n], None),
            normal(&key, &[m, n], None),
            normal(&key, &[m], None),
        );
        if n == 1000 {
            let j = jac_fvec(args.clone())?;
            println!("{:?}", j.shape());
            match grad_fvec.call(args.clone()) {
                Ok(_) => println!("grad of fvec unexpectedly succeeded"),
                Err(error) => println!("TypeError: {error}"),
            }
        }
        println!("\n# n = {n}, m = {m}");
        let forward = first_call("fmode_fvec", || Ok(fmode_fvec.call(args.clone())?))?;
        let backward = first_call("bmode_fvec", || Ok(bmode_fvec.call(args.clone())?))?;
        println!("Check correctness {}", norm(&forward - &backward));
        println!("Check shape {:?} {:?}", forward.shape(), backward.shape());
        println!("Time forward mode");
        timeit("", || {
            Ok(fmode_fvec
                .call(args.clone())?
                .block_until_ready()
                .map(|_| ())?)
        })?;
        println!("Time backward mode");
        timeit("", || {
            Ok(bmode_fvec
                .call(args.clone())?
                .block_until_ready()
                .map(|_| ())?)
        })?;
    }

    println!("\n# In [20]-[22]: Hessian-by-vector product");
    let n = 3000;
    let (x, a, b, z) = (
        normal(&key, &[n], None),
        normal(&key, &[n, n], None),
        normal(&key, &[n], None),
        normal(&key, &[n], None),
    );
    let hvp = |x: Array, z: Array, a: Array, b: Array| -> rjax::Result<Array> {
        let g = grad(move |x: Array| f((x, a.clone(), b.clone())));
        let (_, tangent): (Array, Array) = jvp(g, x, z)?;
        Ok(tangent)
    };
    let by_hand = || a.t().matmul(&a.matmul(&z)) * 2.0;
    println!(
        "Check correctness {}",
        norm(by_hand() - hvp(x.clone(), z.clone(), a.clone(), b.clone())?)
    );
    println!("Time for hvp by hands");
    timeit("", || Ok(by_hand().block_until_ready().map(|_| ())?))?;
    println!("Time for hvp via jvp, NO jit");
    timeit("", || {
        Ok(hvp(x.clone(), z.clone(), a.clone(), b.clone())?
            .block_until_ready()
            .map(|_| ())?)
    })?;
    let jit_hvp = jit(move |(x, z, a, b): (Array, Array, Array, Array)| hvp(x, z, a, b));
    let all = (x.clone(), z.clone(), a.clone(), b.clone());
    println!("Time for hvp via jvp, WITH jit");
    first_call("jit_hvp", || Ok(jit_hvp.call(all.clone())?))?;
    timeit("", || {
        Ok(jit_hvp.call(all.clone())?.block_until_ready().map(|_| ())?)
    })?;
    Ok(())
}
