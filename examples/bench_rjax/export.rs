//! The export items of `bench_rjax`: the `jax.export` artifact of an MLP that
//! `scripts/jax_bench_export.py` writes (its path in `$RJAX_BENCH_EXPORT`), called with
//! `rjax::export::Exported::call` on the inputs JAX's worker uses: inference, and the gradient
//! of a mean squared error through the artifact's serialized VJP, jitted as on JAX's side (the
//! bytecode module and its VJP run from host callbacks of the compiled program, on rjax's
//! side client).

use anyhow::{Context, Result, bail};
use rjax::export::Exported;
use rjax::{Array, grad, jit};

use super::{Item, data32, ready};

const IN: usize = 64;
const HIDDEN: usize = 256;
const OUT: usize = 10;
const BATCH: usize = 128;

/// The artifact JAX wrote.
fn load() -> Result<Exported> {
    let path = std::env::var("RJAX_BENCH_EXPORT").context(
        "RJAX_BENCH_EXPORT is not set: run scripts/bench-vs-jax.sh, or write the artifact \
         with `python -P scripts/jax_bench_export.py ARTIFACT` and set RJAX_BENCH_EXPORT",
    )?;
    Exported::read(&path).with_context(|| format!("reading {path}"))
}

/// The flat parameters in JAX's order (the dict by sorted key: b1, b2, w1, w2), the batch and
/// the targets, as `jax_bench_export.inputs` makes them.
fn inputs() -> Result<(Vec<Array>, Array, Array)> {
    let params = vec![
        data32(HIDDEN, 0.1, &[HIDDEN])?,
        data32(OUT, 0.1, &[OUT])?,
        data32(IN * HIDDEN, 0.2, &[IN, HIDDEN])?,
        data32(HIDDEN * OUT, 0.2, &[HIDDEN, OUT])?,
    ];
    let x = data32(BATCH * IN, 1.0, &[BATCH, IN])?;
    let y = data32(BATCH * OUT, 1.0, &[BATCH, OUT])?;
    Ok((params, x, y))
}

/// Builds the export item `name`.
pub fn setup(name: &str) -> Result<Item> {
    let exported = load()?;
    let (params, x, y) = inputs()?;
    match name {
        "export/call/mlp_b128_f32" => {
            let mut args = params;
            args.push(x);
            Ok(Item::Timed(Box::new(move || {
                ready(exported.call(&args)?.remove(0))
            })))
        }
        "export/jit_grad/mlp_b128_f32" => {
            let loss = move |params: Vec<Array>| -> rjax::Result<Array> {
                let mut args = params;
                args.push(x.clone());
                let err = exported.call(&args)?.remove(0) - &y;
                Ok((&err * &err).sum() / err.size() as f32)
            };
            let gradient = jit(grad(loss));
            Ok(Item::Timed(Box::new(move || {
                let mut grads: Vec<Array> = gradient.call(params.clone())?;
                for g in &grads {
                    g.block_until_ready()?;
                }
                // The check is w1's gradient, as on JAX's side.
                Ok(grads.swap_remove(2))
            })))
        }
        _ => bail!("no item {name}"),
    }
}
