//! What `checkpoint` buys: the peak memory and the time of the gradient of a deep network
//! whose layers run in a `scan`, with and without `checkpoint` around the scan body.
//!
//! The network is `h ← tanh(h · W_i)` for `i` in `0..layers`, `h` of shape `[batch, WIDTH]`,
//! one `[WIDTH, WIDTH]` weight matrix per layer scanned over, f32; the loss is `sum(h)`. The
//! gradient with respect to the weights and the input is compiled once with `jit` and run.
//! Without a checkpoint the forward scan saves, per layer, the layer's input and
//! `1 - tanh²` (and the weights); with `checkpoint` it saves only the layer's inputs and the
//! backward scan recomputes `tanh(h · W_i)`; with the `dots_saveable` policy it saves the
//! product `h · W_i` instead of recomputing it.
//!
//! Each variant runs in a child process of its own (this program run again with `--child`),
//! which reports its peak resident memory (`VmHWM` in `/proc/self/status`, Linux), the part
//! of it above the resident memory before the gradient was compiled, the time of the first
//! call (tracing, compiling and running) and of the fastest of three later calls. The gradients agree across the
//! variants (the checksum column).
//!
//! ```sh
//! cargo run --release --example remat_memory              # 128 layers, batch 256
//! cargo run --release --example remat_memory -- 256 1024  # 256 layers, batch 1024
//! ```

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rjax::checkpoint_policies::dots_saveable;
use rjax::control_flow::scan;
use rjax::{Array, CheckpointOptions, checkpoint_with, grad, jit};

const WIDTH: usize = 512;
const DEFAULT_BATCH: usize = 256;
const DEFAULT_LAYERS: usize = 128;

/// The ways the gradient is taken, by name.
const VARIANTS: [&str; 3] = ["no checkpoint", "checkpoint", "checkpoint(dots_saveable)"];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let variant: usize = args[2].parse()?;
        let layers: usize = args[3].parse()?;
        let batch: usize = args[4].parse()?;
        return run_variant(variant, layers, batch);
    }
    let layers = match args.get(1) {
        Some(n) => n.parse().context("the number of layers")?,
        None => DEFAULT_LAYERS,
    };
    let batch = match args.get(2) {
        Some(n) => n.parse().context("the batch size")?,
        None => DEFAULT_BATCH,
    };
    let plugin = match rjax::runtime::cpu_plugin_choice()? {
        Some(choice) => format!("the {:?} CPU plugin", choice.kind),
        None => "the default platform".to_string(),
    };
    println!(
        "grad of sum(scan(tanh(h · W_i))): {layers} layers, width {WIDTH}, batch {batch}, f32, \
         on {plugin}"
    );
    println!(
        "{:<28} {:>14} {:>18} {:>16} {:>14} {:>14}",
        "variant", "peak RSS MiB", "above start MiB", "first call s", "later call s", "checksum"
    );
    let exe = std::env::current_exe()?;
    for (variant, name) in VARIANTS.iter().enumerate() {
        let output = Command::new(&exe)
            .args([
                "--child",
                &variant.to_string(),
                &layers.to_string(),
                &batch.to_string(),
            ])
            .output()?;
        if !output.status.success() {
            bail!(
                "the child for {name} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    Ok(())
}

/// Deterministic values in `(-scale, scale)` of `shape`.
fn data(shape: &[usize], seed: f32, scale: f32) -> Result<Array> {
    let n: usize = shape.iter().product();
    let values: Vec<f32> = (0..n)
        .map(|i| ((i as f32 * 0.618_034 + seed) * 12.9898).sin() * scale)
        .collect();
    Ok(Array::from_slice(&values, shape)?)
}

/// A field of `/proc/self/status` in MiB (it is given in kB).
fn status_mib(field: &str) -> Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .with_context(|| format!("no {field} in /proc/self/status"))?;
    let kb: f64 = line
        .split_whitespace()
        .nth(1)
        .context("a size in kB")?
        .parse()?;
    Ok(kb / 1024.0)
}

/// One layer: `tanh(h · W)`.
fn layer((w, h): (Array, Array)) -> Array {
    h.matmul(&w).tanh()
}

/// The loss through all layers, with the scan body as `variant` says.
fn loss(variant: usize) -> impl Fn((Array, Array)) -> rjax::Result<Array> {
    let body: Box<dyn Fn((Array, Array)) -> rjax::Result<Array>> = match variant {
        0 => Box::new(|args| Ok(layer(args))),
        1 => Box::new(checkpoint_with(layer, CheckpointOptions::new())),
        _ => Box::new(checkpoint_with(
            layer,
            CheckpointOptions::new().policy(dots_saveable()),
        )),
    };
    move |(ws, h0): (Array, Array)| {
        let (h, ()): (Array, ()) = scan(|h: Array, w: Array| Ok((body((w, h))?, ())), h0, ws)?;
        Ok(h.sum())
    }
}

/// Runs one variant and prints its line of the table.
fn run_variant(variant: usize, layers: usize, batch: usize) -> Result<()> {
    let scale = (3.0 / WIDTH as f32).sqrt() * 1.2;
    let ws = data(&[layers, WIDTH, WIDTH], 0.25, scale)?;
    let h0 = data(&[batch, WIDTH], 0.75, 1.0)?;
    ws.block_until_ready()?;
    let start_mib = status_mib("VmRSS:")?;
    let gradient = jit(grad(loss(variant)));
    let started = Instant::now();
    let (first_ws, _): (Array, Array) = gradient.call((ws.clone(), h0.clone()))?;
    first_ws.block_until_ready()?;
    drop(first_ws);
    let first = started.elapsed().as_secs_f64();
    // The fastest of three later calls (the machine may be shared).
    let mut later = f64::INFINITY;
    let mut gradients = None;
    for _ in 0..3 {
        drop(gradients.take()); // freed before the next call makes its own
        let started = Instant::now();
        let (g_ws, g_h0): (Array, Array) = gradient.call((ws.clone(), h0.clone()))?;
        g_ws.block_until_ready()?;
        later = later.min(started.elapsed().as_secs_f64());
        gradients = Some((g_ws, g_h0));
    }
    let (g_ws, g_h0) = gradients.expect("three calls");
    let peak_mib = status_mib("VmHWM:")?;
    // Fused by XLA: no array the size of the gradient is made.
    let checksum = jit(|(a, b): (Array, Array)| a.abs().sum() + b.abs().sum());
    let checksum = checksum.call((g_ws, g_h0))?.item::<f32>()?;
    println!(
        "{:<28} {:>14.0} {:>18.0} {:>16.2} {:>14.2} {:>14.6e}",
        VARIANTS[variant],
        peak_mib,
        peak_mib - start_mib,
        first,
        later,
        checksum
    );
    Ok(())
}
