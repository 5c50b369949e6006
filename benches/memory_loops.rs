//! The memory of the loops a training program runs (issue: bounded caches), with the default
//! cache limits: a new `jit` closure per iteration capturing a different scalar (each a new
//! program, as in JAX), and eager operations on ever new shapes. Prints, per quarter of each
//! loop, the live PJRT executables, the resident memory and the time per iteration, so that a
//! slope shows at once. Not a criterion benchmark: what it measures is memory over a long
//! loop, not the time of one call.
//!
//! `cargo bench --bench memory_loops` runs 20,000 closures and 2,000 shapes;
//! `RJAX_MEMORY_LOOPS_SCALE=0.1` runs a tenth of each.

use std::time::Instant;

use rjax::numpy as jnp;
use rjax::runtime::live_objects;
use rjax::{Array, jit};

/// The resident set size of this process in MiB (Linux's `/proc/self/statm`).
fn resident_mib() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .unwrap_or(0);
    (pages * 4096) >> 20
}

/// Runs `step` `iterations` times, printing a row per quarter.
fn run(
    name: &str,
    iterations: usize,
    mut step: impl FnMut(usize) -> rjax::Result<()>,
) -> rjax::Result<()> {
    println!("{name}: {iterations} iterations");
    println!(
        "  {:>10} {:>18} {:>14} {:>16}",
        "done", "live executables", "resident MiB", "µs/iteration"
    );
    let quarter = (iterations / 4).max(1);
    let mut start = Instant::now();
    for i in 0..iterations {
        step(i)?;
        if (i + 1) % quarter == 0 || i + 1 == iterations {
            let per = start.elapsed().as_secs_f64() * 1e6 / quarter as f64;
            println!(
                "  {:>10} {:>18} {:>14} {:>16.0}",
                i + 1,
                live_objects().executables,
                resident_mib(),
                per
            );
            start = Instant::now();
        }
    }
    Ok(())
}

fn main() -> rjax::Result<()> {
    let scale: f64 = std::env::var("RJAX_MEMORY_LOOPS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let limits = rjax::cache::cache_limits();
    println!(
        "cache limits: {} entries, {} MiB per cache",
        limits.max_entries,
        limits.max_bytes >> 20
    );
    let x = Array::from_vec(vec![1.0f32, 2.0, 3.0]);
    run("new jit closures", (20_000.0 * scale) as usize, |i| {
        let scale = i as f32;
        let f = jit(move |x: Array| &x * scale + 1.0);
        f.call(x.clone())?.block_until_ready()?;
        Ok(())
    })?;
    run("eager ops on new shapes", (2_000.0 * scale) as usize, |n| {
        let v = jnp::ones(&[n + 1], Some(rjax::DType::F32));
        (&v * 2.0 + 1.0).sum().block_until_ready()?;
        Ok(())
    })?;
    Ok(())
}
