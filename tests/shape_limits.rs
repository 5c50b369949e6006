//! Shapes at and beyond XLA's limits on every path that makes a shape: creation, slices with a
//! shape, reshape, broadcast, `repeat`, `tile`, `pad`, concatenate, iota and the random
//! samplers. An overflowing shape must give an error naming the operation and the shape (a
//! panic at trace time, an `Err` from functions returning `Result`), never an abort; a shape
//! at the limit must be accepted.
//!
//! Each case runs in a child process (this test binary, rerun on that one test with
//! `RJAX_SHAPE_LIMITS_CHILD` set), so a case that aborts the process fails alone. The child
//! prints one `outcome:` line: `ok`, `err: <message>` or `panic: <message>`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

use rjax::numpy::{self as jnp, PadMode};
use rjax::{Array, DType, jit, lax, make_jaxpr, random};

/// The environment variable that makes a test run its case instead of spawning a child.
const CHILD: &str = "RJAX_SHAPE_LIMITS_CHILD";

/// What a case must end in.
enum Expect {
    /// Success.
    Ok,
    /// An `Err` whose message contains every string.
    Err(&'static [&'static str]),
    /// A panic whose message contains every string.
    Panic(&'static [&'static str]),
}

/// Runs `case` here (in the child) and prints its outcome line.
fn run_in_child(case: impl FnOnce() -> rjax::Result<()>) {
    let outcome = match catch_unwind(AssertUnwindSafe(case)) {
        Ok(Ok(())) => "ok".to_string(),
        Ok(Err(error)) => format!("err: {error}"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            format!("panic: {message}")
        }
    };
    println!("\noutcome: {}", outcome.replace('\n', " "));
}

/// Spawns this binary on the test `name` alone and checks the child's outcome.
fn check_in_child(name: &str, expect: Expect) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcome = stdout
        .lines()
        .find_map(|line| line.strip_prefix("outcome: "))
        .unwrap_or_else(|| {
            panic!(
                "{name}: the child ended without an outcome ({}): stdout:\n{stdout}\nstderr:\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let (kind, needles): (&str, &[&str]) = match expect {
        Expect::Ok => ("ok", &[]),
        Expect::Err(needles) => ("err: ", needles),
        Expect::Panic(needles) => ("panic: ", needles),
    };
    assert!(
        outcome.starts_with(kind),
        "{name}: expected {kind:?}, got {outcome}"
    );
    for needle in needles {
        assert!(
            outcome.contains(needle),
            "{name}: {needle:?} is missing from {outcome}"
        );
    }
}

/// One test per case: `case!(name, expect, body)` where `body` returns `rjax::Result<()>`.
macro_rules! case {
    ($name:ident, $expect:expr, $body:expr) => {
        #[test]
        fn $name() {
            if std::env::var(CHILD).as_deref() == Ok(stringify!($name)) {
                run_in_child($body);
            } else {
                check_in_child(stringify!($name), $expect);
            }
        }
    };
}

/// Traces `f` on a scalar without running it: shapes are checked, nothing is allocated.
fn trace(f: impl Fn(Array) -> Array) -> rjax::Result<()> {
    make_jaxpr(f)(&Array::scalar(0u8)).map(|_| ())
}

const HUGE: usize = 1 << 62;
const HUGE_TEXT: &str = "[4611686018427387904, 8]";
const I64_MAX: usize = i64::MAX as usize;

case!(
    zeros_overflowing,
    Expect::Panic(&["zeros", HUGE_TEXT]),
    || {
        jnp::zeros(&[HUGE, 8], None);
        Ok(())
    }
);

case!(
    ones_overflowing,
    Expect::Panic(&["ones", HUGE_TEXT]),
    || {
        jnp::ones(&[HUGE, 8], None);
        Ok(())
    }
);

case!(
    full_overflowing,
    Expect::Panic(&["full", HUGE_TEXT]),
    || {
        jnp::full(&[HUGE, 8], 2.5, None);
        Ok(())
    }
);

case!(
    empty_overflowing,
    Expect::Panic(&["empty", HUGE_TEXT]),
    || {
        jnp::empty(&[HUGE, 8], None);
        Ok(())
    }
);

case!(
    zeros_dimension_beyond_i64,
    Expect::Panic(&["zeros", "dimension 18446744073709551615"]),
    || {
        jnp::zeros(&[usize::MAX, 0], None);
        Ok(())
    }
);

case!(zeros_zero_size_with_huge_dimension, Expect::Ok, || {
    let x = jnp::zeros(&[0, I64_MAX], Some(DType::U8));
    assert_eq!(x.shape(), [0, I64_MAX]);
    Ok(())
});

case!(
    from_slice_wrapping_count,
    Expect::Err(&["Array::from_slice", "[9223372036854775808, 2]"]),
    || Array::from_slice::<f32>(&[], &[1 << 63, 2]).map(|_| ())
);

case!(
    from_slice_dimension_beyond_i64,
    Expect::Err(&["Array::from_slice", "dimension 9223372036854775808"]),
    || Array::from_slice::<f32>(&[], &[1 << 63, 0]).map(|_| ())
);

case!(from_slice_zero_size_at_limit, Expect::Ok, || {
    let x = Array::from_slice::<u8>(&[], &[0, I64_MAX])?;
    assert_eq!(x.shape(), [0, I64_MAX]);
    Ok(())
});

case!(
    arange_overflowing,
    Expect::Panic(&["arange", "[9223372036854775808]"]),
    || {
        jnp::arange(0i64, i64::MAX, 1, None);
        Ok(())
    }
);

case!(arange_float_overflowing, Expect::Panic(&["arange"]), || {
    jnp::arange(0.0, 1e30, 1.0, None);
    Ok(())
});

case!(
    linspace_overflowing,
    Expect::Panic(&["linspace", "[18446744073709551615]"]),
    || {
        jnp::linspace(0.0, 1.0, usize::MAX, true, None);
        Ok(())
    }
);

case!(
    eye_overflowing,
    Expect::Panic(&["eye", "[4294967296, 4294967296]"]),
    || {
        jnp::eye(1 << 32, None, 0, None);
        Ok(())
    }
);

case!(
    iota_overflowing,
    Expect::Panic(&["iota", "[4611686018427387904]"]),
    || { trace(|_| lax::broadcasted_iota(DType::F32, &[HUGE], 0)) }
);

case!(iota_bytes_at_limit, Expect::Ok, || {
    trace(|_| lax::broadcasted_iota(DType::U8, &[I64_MAX], 0))
});

case!(
    reshape_wrapping,
    Expect::Panic(&["reshape", "[9223372036854775807, 2]"]),
    || {
        jnp::reshape(jnp::zeros(&[2], None), &[isize::MAX, 2]);
        Ok(())
    }
);

case!(
    reshape_inferred_wrapping,
    Expect::Panic(&["reshape", "[-1, 9223372036854775807, 4]"]),
    || {
        jnp::reshape(jnp::zeros(&[4], None), &[-1, isize::MAX, 4]);
        Ok(())
    }
);

case!(
    lax_reshape_wrapping,
    Expect::Panic(&["reshape", "[9223372036854775808, 2]"]),
    || {
        lax::reshape(jnp::zeros(&[0], None), &[1 << 63, 2]);
        Ok(())
    }
);

case!(
    broadcast_overflowing,
    Expect::Panic(&["broadcast_in_dim", HUGE_TEXT]),
    || {
        jnp::broadcast_to(Array::scalar(1.0f32), &[HUGE, 8]);
        Ok(())
    }
);

case!(
    repeat_count_overflowing,
    Expect::Panic(&["repeat", "18446744073709551615"]),
    || {
        jnp::repeat(jnp::zeros(&[2], None), &[usize::MAX], Some(0));
        Ok(())
    }
);

case!(
    repeat_counts_summing_past_i64,
    Expect::Panic(&[
        "repeat",
        "the total repeat count",
        "[4611686018427387904, 4611686018427387904]"
    ]),
    || {
        jnp::repeat(jnp::zeros(&[2], None), &[HUGE, HUGE], Some(0));
        Ok(())
    }
);

case!(
    tile_overflowing,
    Expect::Panic(&["tile", "a tiled dimension"]),
    || {
        jnp::tile(jnp::zeros(&[4], None), &[usize::MAX]);
        Ok(())
    }
);

case!(
    tile_too_many_bytes,
    Expect::Panic(&["tile", "[9223372036854775804]"]),
    || {
        jnp::tile(jnp::zeros(&[4], None), &[(1 << 61) - 1]);
        Ok(())
    }
);

case!(
    pad_overflowing,
    Expect::Panic(&["pad", "a padded dimension"]),
    || {
        jnp::pad(
            jnp::zeros(&[4], None),
            (usize::MAX, 1),
            &PadMode::constant(0.0),
        );
        Ok(())
    }
);

case!(
    pad_wrap_too_large,
    Expect::Panic(&["pad", "[4611686018427387908]"]),
    || {
        jnp::pad(jnp::zeros(&[4], None), (HUGE, 0), &PadMode::Wrap);
        Ok(())
    }
);

case!(
    lax_pad_overflowing,
    Expect::Panic(&["pad", "signed 64-bit"]),
    || {
        let x = jnp::zeros(&[4], None);
        lax::pad(&x, Array::scalar(0.0f32), &[(i64::MAX, i64::MAX, 0)]);
        Ok(())
    }
);

case!(
    concatenate_overflowing,
    Expect::Panic(&["concatenate", "the joined dimension"]),
    || trace(|x| {
        let half = jnp::broadcast_to(&x, &[I64_MAX]);
        lax::concatenate([&half, &half], 0)
    })
);

case!(
    random_uniform_overflowing,
    Expect::Panic(&["rjax::random::uniform", HUGE_TEXT]),
    || {
        random::uniform(random::key(0), &[HUGE, 8], DType::F32);
        Ok(())
    }
);

case!(
    random_split_overflowing,
    Expect::Panic(&["rjax::random::split", HUGE_TEXT]),
    || {
        random::split_shape(random::key(0), &[HUGE, 8]);
        Ok(())
    }
);

case!(random_normal_zero_size, Expect::Ok, || {
    let x = random::normal(random::key(0), &[0, 3], DType::F32);
    assert_eq!(x.shape(), [0, 3]);
    assert_eq!(x.to_vec::<f32>()?, Vec::<f32>::new());
    Ok(())
});

case!(
    device_out_of_memory_is_an_err,
    Expect::Err(&[
        "PJRT_LoadedExecutable_Execute",
        "ResourceExhausted",
        "Out of memory"
    ]),
    || {
        // 2^40 f32 elements (4 TiB): a valid shape that no CPU can hold.
        let f = jit(|x: Array| &jnp::zeros(&[1 << 40], None) + &x);
        f.call(Array::scalar(1.0f32)).map(|_| ())
    }
);

case!(
    eager_out_of_memory_panics_with_pjrt_message,
    Expect::Panic(&["ResourceExhausted", "Out of memory"]),
    || {
        // Eagerly, a run-time failure panics with PJRT's message (the crate's error policy).
        jnp::zeros(&[1 << 40], None);
        Ok(())
    }
);
