//! Memory stays flat in the loops a training program runs: 20,000 new `jit` closures that
//! each capture a different scalar (each a new program, as in JAX, since the scalar is part of
//! the trace), and eager operations on 2,000 different shapes. The live PJRT executables stay
//! within the cache limits and the resident memory of the second half of each loop is not
//! above the first half's (a flat line, not a slope).
//!
//! 400 shapes of `random::normal` (a jitted sampler inside rjax) stay bounded too.
//!
//! The caches' limits are process-wide, so these tests live in their own binary and set small
//! ones (64 entries) to reach the bound quickly.

use rjax::cache::{CacheLimits, set_cache_limits};
use rjax::numpy as jnp;
use rjax::runtime::live_objects;
use rjax::{Array, jit};

const LIMITS: CacheLimits = CacheLimits {
    max_entries: 64,
    max_bytes: 64 << 20,
};

/// The resident set size of this process, in bytes (Linux's `/proc/self/statm`).
fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux's /proc");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm's second field");
    pages * 4096
}

/// The live executables and the resident memory after each quarter of `iterations` calls of
/// `step`.
fn quarters(iterations: usize, mut step: impl FnMut(usize)) -> Vec<(usize, usize)> {
    let mut samples = Vec::new();
    for i in 0..iterations {
        step(i);
        if (i + 1) % (iterations / 4) == 0 {
            samples.push((live_objects().executables, resident_bytes()));
        }
    }
    samples
}

/// Asserts the live executables stay under `bound` and the memory is flat: the growth over
/// the last half at most a tenth of the growth over the first quarter plus 16 MiB of noise
/// (allocator and plugin arenas settle in steps).
fn assert_flat(what: &str, samples: &[(usize, usize)], bound: usize) {
    eprintln!(
        "{what}: (live executables, resident MiB) by quarter: {:?}",
        {
            samples
                .iter()
                .map(|(e, r)| (*e, r >> 20))
                .collect::<Vec<_>>()
        }
    );
    for (executables, _) in samples {
        assert!(
            *executables <= bound,
            "{what}: {executables} live executables > {bound}"
        );
    }
    let (_, half) = samples[1];
    let (_, end) = samples[3];
    assert!(
        end <= half + (16 << 20),
        "{what}: resident memory grew from {} MiB to {} MiB over the second half",
        half >> 20,
        end >> 20
    );
}

#[test]
fn new_closures_and_new_shapes_run_in_bounded_memory() -> rjax::Result<()> {
    set_cache_limits(LIMITS)?;
    let x = Array::from_vec(vec![1.0f32, 2.0, 3.0]);
    // Warm up the client, the plugin and the eager executables the loop reuses.
    jit(|x: Array| &x * 0.5).call(x.clone())?;
    let baseline = live_objects().executables;

    // Each closure captures its own scalar: a new program each time, compiled, run, dropped.
    let closures = quarters(20_000, |i| {
        let scale = i as f32;
        let f = jit(move |x: Array| &x * scale + 1.0);
        let y: Array = f.call(x.clone()).expect("runs");
        assert_eq!(y.to_vec::<f32>().expect("reads")[0], scale + 1.0);
    });
    // The executables held: at most the text cache's and the eager cache's entries.
    assert_flat(
        "20,000 closures",
        &closures,
        baseline + 2 * LIMITS.max_entries,
    );

    // Eager operations on new shapes: a few one-primitive executables per shape.
    let shapes = quarters(2_000, |n| {
        let v = jnp::ones(&[n + 1], Some(rjax::DType::F32));
        let total = (&v * 2.0 + 1.0).sum();
        assert_eq!(
            total.to_vec::<f32>().expect("reads")[0],
            3.0 * (n + 1) as f32
        );
    });
    assert_flat("2,000 shapes", &shapes, baseline + 2 * LIMITS.max_entries);

    // rjax's own jitted samplers meet the user's shapes too: their signature caches are
    // bounded by the same limits.
    let key = rjax::random::PRNGKey(0);
    let samples = quarters(400, |n| {
        let x = rjax::random::normal(&key, &[n + 1], rjax::DType::F32);
        assert_eq!(x.shape(), [n + 1]);
    });
    assert_flat(
        "400 sampler shapes",
        &samples,
        baseline + 3 * LIMITS.max_entries,
    );
    Ok(())
}

#[test]
fn limits_are_validated() {
    let error = set_cache_limits(CacheLimits {
        max_entries: 0,
        max_bytes: 1,
    })
    .unwrap_err();
    assert!(error.to_string().contains("max_entries"), "{error}");
}
