//! Runs a model exported from JAX, without Python at run time: inference and a gradient step
//! through the artifact's serialized VJP, timed beside JAX's own calls of the same artifact.
//!
//! ```sh
//! cargo run --release --example run_jax_export
//! ```
//!
//! The artifact is made first by `examples/run_jax_export.py` (a two-layer perceptron exported
//! with `jax.export`, run with the interpreter `scripts/python-env.sh` keeps, which also needs
//! the `flatbuffers` package); that script also prints JAX's timings. Then rjax reads the
//! artifact, checks its signature, and calls it.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use rjax::export::Exported;
use rjax::{Array, grad};

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join("rjax-run-jax-export");
    std::fs::create_dir_all(&dir)?;
    let artifact = dir.join("mlp.jax_exported");

    // 1. JAX exports the model (and times its own calls of the artifact).
    let env = Command::new(root.join("scripts/python-env.sh")).output()?;
    ensure!(
        env.status.success(),
        "{}",
        String::from_utf8_lossy(&env.stderr)
    );
    let python = String::from_utf8(env.stdout)?.trim().to_string();
    let out = Command::new(&python)
        .arg("-P")
        .arg(root.join("examples/run_jax_export.py"))
        .arg(&artifact)
        .env("JAX_PLATFORMS", "cpu")
        .output()?;
    ensure!(
        out.status.success(),
        "the exporting script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jax_timings = String::from_utf8(out.stdout)?;
    let jax_us = |what: &str| -> Result<f64> {
        let line = jax_timings
            .lines()
            .find(|l| l.starts_with(&format!("jax {what} ")))
            .with_context(|| format!("the script printed no `jax {what}` timing"))?;
        Ok(line.rsplit(' ').next().unwrap_or_default().parse()?)
    };

    // 2. rjax reads it: no Python from here on.
    let exported = Exported::read(&artifact)?;
    println!(
        "{}: {} arguments, {} results, platforms {:?}, VJP exported: {}",
        exported.function_name(),
        exported.in_avals().len(),
        exported.out_avals().len(),
        exported.platforms(),
        exported.has_vjp()
    );
    // The flat arguments in JAX's order: the params dict by sorted key (b1, b2, w1, w2), then x.
    let types = exported.in_shaped_arrays()?;
    let mut args = Vec::new();
    for (i, aval) in types.iter().enumerate() {
        let n: usize = aval.shape.iter().product();
        let data: Vec<f32> = (0..n)
            .map(|j| ((i * 131 + j * 17) % 97) as f32 / 97.0 - 0.5)
            .collect();
        args.push(Array::from_slice(&data, &aval.shape)?);
    }
    let x = args.pop().context("the input batch")?;
    let out_shape = exported.out_shaped_arrays()?[0].shape.clone();
    let targets: Vec<f32> = (0..out_shape.iter().product::<usize>())
        .map(|j| (j % 7) as f32 / 7.0)
        .collect();
    let y = Array::from_slice(&targets, &out_shape)?;

    // 3. Inference.
    let call = |params: &[Array]| -> rjax::Result<Array> {
        let mut all = params.to_vec();
        all.push(x.clone());
        Ok(exported.call(&all)?.remove(0))
    };
    let prediction = call(&args)?;
    println!(
        "prediction {:?}, first row {:?}",
        prediction.shape(),
        &prediction.to_vec::<f32>()?[..4]
    );

    // 4. A gradient step on a mean squared error, through the artifact's VJP.
    let loss = |params: Vec<Array>| -> rjax::Result<Array> {
        let err = call(&params)? - &y;
        Ok((&err * &err).sum() / err.size() as f32)
    };
    let step = |params: Vec<Array>| -> rjax::Result<Vec<Array>> {
        let grads = grad(loss)(params.clone())?;
        Ok(params
            .iter()
            .zip(&grads)
            .map(|(p, g)| p - &(g * 0.1f32))
            .collect())
    };
    let before = loss(args.clone())?.item::<f32>()?;
    let stepped = step(args.clone())?;
    let after = loss(stepped)?.item::<f32>()?;
    println!("loss {before:.5} -> {after:.5} after one step");
    ensure!(after < before, "the gradient step did not lower the loss");

    // 5. Timings, beside JAX's own calls of the same artifact.
    let inference_us = median_us(|| {
        call(&args)?.block_until_ready()?;
        Ok(())
    })?;
    let step_us = median_us(|| {
        for p in step(args.clone())? {
            p.block_until_ready()?;
        }
        Ok(())
    })?;
    println!("median time per call (µs)    rjax    JAX (jitted, same artifact)");
    println!(
        "inference                {inference_us:8.1} {:8.1}",
        jax_us("inference")?
    );
    println!(
        "gradient step            {step_us:8.1} {:8.1}",
        jax_us("grad_step")?
    );
    Ok(())
}

/// The median wall time of `f` over 200 runs after a warm-up, in microseconds.
fn median_us(mut f: impl FnMut() -> rjax::Result<()>) -> Result<f64> {
    f()?;
    let mut times = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
