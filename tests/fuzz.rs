//! The fuzzer: random small programs (`fuzz/program.rs`) over inputs of random shapes (zero-size
//! dimensions included) and dtypes (f32, f64; i32 for the steps that do not differentiate),
//! checked three ways:
//!
//! - **eager equals `jit`**: the same shape and dtype; integers bit for bit; floats within
//!   `8 ε` of the output's largest magnitude (`ε` the dtype's machine epsilon). A jitted
//!   program is one XLA computation, which XLA fuses and whose reductions it may reassociate
//!   (and vectorize, with other rounding of transcendental functions), while eagerly each
//!   operation is its own computation; so the two agree to rounding, not always bit for bit.
//! - **`grad` against central finite differences**: of the program summed to a scalar, run in
//!   f64 (x64 mode), along a random direction, with step 1e-5; the point counts as smooth (and
//!   is checked) only when the difference quotients with steps 1e-5 and 1e-4 agree, which
//!   skips the kinks of `abs`, `max`, `where` and `sort` that a random point may straddle.
//! - **`vmap` against a loop**: the program mapped over a batch of two inputs equals the
//!   outputs for each input stacked (to the same rounding as `jit`).
//!
//! and a bad-program generator: valid steps followed by an invalid one (an axis out of range,
//! shapes that do not broadcast, contract, reshape or join, an empty reduction without an
//! identity), which must panic or fail with a message, never abort; they run in a child process
//! (this binary with `RJAX_FUZZ_BAD_CHILD=1`), so that an abort fails the test instead of
//! killing it.
//!
//! The seed is fixed. `RJAX_FUZZ_CASES` sets the number of programs per check (default 24, for
//! a short CI run in debug builds); `scripts/fuzz.sh` runs a long campaign.

#[path = "fuzz/program.rs"]
mod program;

use std::panic::{self, AssertUnwindSafe};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rjax::numpy as jnp;
use rjax::{Array, DType, InAxes, grad, jit, vmap};

use program::{Program, bad_step, build, run};

/// The number of random programs per check.
fn cases() -> u32 {
    std::env::var("RJAX_FUZZ_CASES")
        .ok()
        .map(|v| v.parse().expect("RJAX_FUZZ_CASES is a count"))
        .unwrap_or(24)
}

/// A runner with a fixed seed (`RJAX_FUZZ_SEED` changes it), `cases` cases, no persistence.
fn runner(salt: u8) -> TestRunner {
    let seed: u8 = std::env::var("RJAX_FUZZ_SEED")
        .ok()
        .map(|v| v.parse().expect("RJAX_FUZZ_SEED is a byte"))
        .unwrap_or(7);
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed ^ salt; 32]),
    )
}

/// A shape of rank 0 to 3 with dimensions 0 to 3.
fn shapes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..=3, 0..=3)
}

/// The step codes of a program of 1 to 5 steps.
fn codes() -> impl Strategy<Value = Vec<(u8, u32)>> {
    prop::collection::vec(any::<(u8, u32)>(), 1..=5)
}

/// Values in [-2, 2) of `shape` and `dtype` (integers in [-4, 4)), from `seed`.
fn values(shape: &[usize], dtype: DType, seed: u64) -> Array {
    let n: usize = shape.iter().product();
    let mut state = seed | 1;
    let data: Vec<f64> = (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        })
        .collect();
    let x = Array::from_slice(&data, shape).expect("a shape of n elements");
    match dtype {
        DType::I32 => jnp::asarray(&x * 2.0, Some(DType::I32)),
        other => jnp::asarray(x, Some(other)),
    }
}

/// `x`'s elements as f64.
fn host(x: &Array) -> Vec<f64> {
    jnp::asarray(x, Some(DType::F64))
        .to_vec::<f64>()
        .expect("a concrete array")
}

/// Checks that `got` equals `want`: shape and dtype exactly, integers bit for bit, floats
/// within 8 ε of the largest magnitude (NaN where the other is NaN).
fn assert_close(what: &str, want: &Array, got: &Array) -> Result<(), TestCaseError> {
    if want.shape() != got.shape() || want.dtype() != got.dtype() {
        return Err(TestCaseError::fail(format!(
            "{what}: {} differs from {}",
            got.aval(),
            want.aval()
        )));
    }
    let (w, g) = (host(want), host(got));
    let eps = match want.dtype() {
        DType::F32 => f32::EPSILON as f64,
        DType::F64 => f64::EPSILON,
        _ => 0.0,
    };
    let scale = w.iter().chain(&g).fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in w.iter().zip(&g).enumerate() {
        let same = (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 8.0 * eps * scale;
        if !same {
            return Err(TestCaseError::fail(format!(
                "{what}: element {i} is {b}, expected {a} (scale {scale})"
            )));
        }
    }
    Ok(())
}

fn program_and_input() -> impl Strategy<Value = (Program, u64)> {
    let dtypes = prop_oneof![Just(DType::F32), Just(DType::F64), Just(DType::I32)];
    (shapes(), dtypes, codes(), any::<u64>())
        .prop_map(|(shape, dtype, codes, seed)| (build(&shape, dtype, &codes), seed))
}

fn float_program_and_input() -> impl Strategy<Value = (Program, u64)> {
    (shapes(), codes(), any::<u64>())
        .prop_map(|(shape, codes, seed)| (build(&shape, DType::F64, &codes), seed))
}

/// Runs `check` on `cases()` random programs; panics with the (shrunk) failing program.
fn fuzz(
    salt: u8,
    strategy: impl Strategy<Value = (Program, u64)>,
    check: impl Fn(&Program, u64) -> Result<(), TestCaseError>,
) {
    rjax::config::enable_x64(true);
    let result = runner(salt).run(&strategy, |(program, seed)| check(&program, seed));
    if let Err(error) = result {
        panic!("{error}");
    }
    println!("{} programs checked", cases());
}

#[test]
fn eager_equals_jit() {
    fuzz(1, program_and_input(), |program, seed| {
        let x = values(&program.shape, program.dtype, seed);
        let eager = run(program, x.clone());
        let traced = program.clone();
        let jitted: Array = jit(move |x: Array| run(&traced, x))
            .call(x)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_close(&format!("jit of {:?}", program.steps), &eager, &jitted)
    });
}

/// The program summed to a scalar.
fn scalarized(program: &Program, x: Array) -> Array {
    run(program, x).sum()
}

#[test]
fn grad_matches_finite_differences() {
    fuzz(2, float_program_and_input(), |program, seed| {
        let x = values(&program.shape, DType::F64, seed);
        let direction = values(&program.shape, DType::F64, seed ^ 0x5eed);
        let traced = program.clone();
        let f = jit(move |x: Array| scalarized(&traced, x));
        let at = |t: f64| -> Result<f64, TestCaseError> {
            let y: Array = f
                .call(&x + &direction * t)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            Ok(y.item::<f64>().expect("a scalar"))
        };
        let quotient =
            |h: f64| -> Result<f64, TestCaseError> { Ok((at(h)? - at(-h)?) / (2.0 * h)) };
        let (fine, coarse) = (quotient(1e-5)?, quotient(1e-4)?);
        if !fine.is_finite() || (fine - coarse).abs() > 1e-6 * (1.0 + fine.abs()) {
            return Ok(()); // Not smooth (or not finite) at this point: nothing to compare.
        }
        let g = grad(|x: Array| scalarized(program, x))(x.clone())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let along = (&g * &direction).sum().item::<f64>().expect("a scalar");
        if (along - fine).abs() > 1e-5 * (1.0 + fine.abs()) {
            return Err(TestCaseError::fail(format!(
                "grad of {:?} along the direction is {along}, finite differences give {fine}",
                program.steps
            )));
        }
        Ok(())
    });
}

#[test]
fn vmap_equals_a_loop() {
    fuzz(3, program_and_input(), |program, seed| {
        let xs: Vec<Array> = (0..2)
            .map(|i| values(&program.shape, program.dtype, seed.wrapping_add(i)))
            .collect();
        let batch = jnp::stack(&[&xs[0], &xs[1]], 0);
        let mapped: Array = vmap(|x: Array| run(program, x), InAxes::leading())(batch)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let each: Vec<Array> = xs.iter().map(|x| run(program, x.clone())).collect();
        let looped = jnp::stack(&[&each[0], &each[1]], 0);
        assert_close(&format!("vmap of {:?}", program.steps), &looped, &mapped)
    });
}

/// The environment variable that makes this binary a child running the bad programs.
const BAD_CHILD: &str = "RJAX_FUZZ_BAD_CHILD";

/// In the child: runs bad programs (valid steps, then an invalid one); each must panic at trace
/// time with a message, or be rejected by `jit` with an error. Does nothing in the parent.
#[test]
fn bad_programs_child() {
    if std::env::var_os(BAD_CHILD).is_none() {
        return;
    }
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let strategy = (program_and_input(), any::<(u8, u32)>());
    let result = runner(4).run(&strategy, |((program, seed), bad)| {
        let x = values(&program.shape, program.dtype, seed);
        let eager = panic::catch_unwind(AssertUnwindSafe(|| {
            bad_step(bad, &run(&program, x.clone()))
        }));
        let message = match eager {
            Ok(y) => {
                return Err(TestCaseError::fail(format!(
                    "the bad step {bad:?} after {:?} gave {}",
                    program.steps,
                    y.aval()
                )));
            }
            Err(payload) => payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        };
        prop_assert!(
            message.contains(':'),
            "a message without the op: {message:?}"
        );
        let traced = program.clone();
        let jitted = panic::catch_unwind(AssertUnwindSafe(|| {
            let result: rjax::Result<Array> =
                jit(move |x: Array| bad_step(bad, &run(&traced, x))).call(x);
            result
        }));
        prop_assert!(
            !matches!(jitted, Ok(Ok(_))),
            "jit accepted the bad step {bad:?}"
        );
        Ok(())
    });
    panic::set_hook(default_hook);
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn bad_programs_fail_without_aborting() {
    if std::env::var_os(BAD_CHILD).is_some() {
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .args(["--exact", "bad_programs_child", "--nocapture"])
        .env(BAD_CHILD, "1")
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the bad programs ended with {}:\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
    println!("{} bad programs failed cleanly", cases());
}
