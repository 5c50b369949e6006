//! Kernels called through XLA FFI leak nothing: after many eager and jitted decompositions
//! whose results are dropped, no more PJRT buffers, executables or events are alive than
//! after the first round. Its own test binary, since the counters are process-wide.

use rjax::numpy::linalg;
use rjax::runtime::live_objects;
use rjax::{Array, jit};

#[test]
fn decompositions_through_ffi_leak_nothing() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = Array::from([[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]]);
    let jitted = jit(|a: Array| {
        let svd = linalg::svd_with(&a, linalg::SvdOptions::default().full_matrices(false));
        (linalg::det(&a), svd.s, linalg::cholesky(&a))
    });
    let round = || -> anyhow::Result<()> {
        let (w, _) = linalg::eigh(&a);
        w.block_until_ready()?;
        let (det, s, l): (Array, Array, Array) = jitted.call(a.clone())?;
        for x in [det, s, l] {
            x.block_until_ready()?;
        }
        Ok(())
    };
    round()?;
    let before = live_objects();
    for _ in 0..50 {
        round()?;
    }
    let after = live_objects();
    assert_eq!(before, after, "live PJRT objects changed across 50 rounds");
    Ok(())
}
