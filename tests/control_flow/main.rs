//! Control flow (`cond`, `switch`, `while_loop`, `fori_loop`, `scan`): forward values against
//! hand computation, eagerly and under `jit`; JVPs against finite differences; `vmap`; and
//! reverse mode against finite differences and the unrolled program. x64 throughout.

use rjax::control_flow::{cond, fori_loop, fori_loop_dynamic, scan, scan_with, switch, while_loop};
use rjax::{Array, DType, grad, jit, jvp, make_jaxpr, vjp, vmap};

fn x64() {
    rjax::config::enable_x64(true);
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("f64 values")
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tolerance * w.abs().max(1.0),
            "got {got:?}, want {want:?}"
        );
    }
}

/// Central difference of a scalar function of a scalar.
fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

mod compositions;
mod forward;
mod jvp;
mod lax_api;
mod reverse;
mod vmap;

use forward::*;
