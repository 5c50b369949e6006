//! The bad-input catalogue: hundreds of wrong calls across the library (numpy, lax, nn, random,
//! linalg, the transformations, pytrees, configuration and the runtime), each of which must
//! fail with an error, an `Err` or a panic at trace time per the error policy, whose message
//! names the operation, never abort the process and never return a value.
//!
//! So that an abort cannot hide the other cases, the test `catalogue` runs each family in a
//! child process (this test binary run again with `RJAX_BAD_INPUTS_FAMILY` naming the family),
//! which reports one line per case on its stdout. A child that dies mid-family is restarted
//! after the case it died in (`RJAX_BAD_INPUTS_FROM`); cases that need their own environment
//! variables run in a child of their own. The parent prints the counts by outcome and fails on
//! any abort, any success and any message that does not name the operation.

mod cases;
mod config;
mod linalg;
mod numpy;
mod random;
mod runner;
mod transforms;

use cases::Family;

/// Every family of cases, by name.
fn families() -> Vec<Family> {
    vec![
        ("numpy", numpy::cases),
        ("numpy_shapes", numpy::shape_cases),
        ("lax", linalg::lax_cases),
        ("linalg", linalg::cases),
        ("nn_scipy", linalg::nn_scipy_cases),
        ("random", random::cases),
        ("transforms", transforms::cases),
        ("pytrees", transforms::pytree_cases),
        ("config", config::cases),
        ("runtime", config::runtime_cases),
    ]
}

/// In a child process: runs the family the environment names and reports each case.
#[test]
fn run_family() {
    runner::run_family_from_env(&families());
}

/// The whole catalogue, each family in child processes; fails on an abort, a success or a
/// message that does not name the operation.
#[test]
fn catalogue() {
    if runner::in_child() {
        return;
    }
    runner::run_catalogue(&families());
}
