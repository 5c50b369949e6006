//! Typed PRNG keys through host callbacks, as JAX 0.10.2 passes them (run at test time):
//! `pure_callback` and `io_callback` hand the host the key data (`uint32[..., 2]`), eagerly
//! and under `jit`; `debug.callback` hands it the key array itself eagerly and the key data
//! under `jit`; a callback cannot declare a key result.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::python::run_python;
use rjax::callback::{Callback, io_callback, pure_callback};
use rjax::{Array, DType, ShapedArray, debug, jit, random};

/// Runs each case in JAX and prints `case|dtype|shape|key data` of what the host function
/// received, or `case|error|<exception type>`.
const JAX: &str = r#"
import jax, jax.numpy as jnp, numpy as np
from jax.experimental import io_callback
seen = {}
def describe(x):
    data = jax.random.key_data(x) if jnp.issubdtype(x.dtype, jax.dtypes.prng_key) else x
    return "%s|%s|%s" % (x.dtype, ",".join(map(str, x.shape)), " ".join(map(str, np.ravel(data))))
def recorder(case):
    def host(x):
        seen[case] = describe(x)
        return np.zeros((), np.float32)
    return host
def debug_recorder(case):
    def host(x):
        seen[case] = describe(x)
    return host
out = jax.ShapeDtypeStruct((), jnp.float32)
key, keys = jax.random.key(0), jax.random.split(jax.random.key(0), 3)
jax.pure_callback(recorder("pure_eager"), out, key)
jax.jit(lambda k: jax.pure_callback(recorder("pure_jit"), out, k))(key)
jax.jit(lambda k: jax.pure_callback(recorder("pure_split_jit"), out, k))(keys)
io_callback(recorder("io_eager"), out, key)
jax.jit(lambda k: io_callback(recorder("io_jit"), out, k))(key)
jax.debug.callback(debug_recorder("debug_eager"), key)
jax.jit(lambda k: jax.debug.callback(debug_recorder("debug_jit"), k))(key)
jax.effects_barrier()
for case, what in sorted(seen.items()):
    print(case + "|" + what)
try:
    jax.pure_callback(lambda: key, jax.ShapeDtypeStruct((), key.dtype))
    print("pure_key_result|accepted")
except Exception as e:
    print("pure_key_result|error|" + type(e).__name__)
"#;

/// JAX's line for each case, without the case name.
fn jax_cases() -> HashMap<String, String> {
    run_python(JAX, &[])
        .lines()
        .filter_map(|line| {
            let (case, rest) = line.split_once('|')?;
            Some((case.to_string(), rest.to_string()))
        })
        .collect()
}

/// `dtype|shape|key data` of an array as the host sees it, as the Python side prints it.
fn describe(x: &Array) -> String {
    let data = if x.dtype().is_key() {
        random::key_data(x)
    } else {
        x.clone()
    };
    let shape: Vec<String> = x.shape().iter().map(ToString::to_string).collect();
    let words: Vec<String> = data
        .to_vec::<u32>()
        .expect("key data")
        .iter()
        .map(ToString::to_string)
        .collect();
    format!(
        "{}|{}|{}",
        x.dtype().name(),
        shape.join(","),
        words.join(" ")
    )
}

/// What the host functions saw, by case.
type Seen = Arc<Mutex<HashMap<String, String>>>;

/// A callback that records its argument under `case` and returns a float32 zero.
fn recorder(seen: &Seen, case: &'static str) -> Callback {
    let seen = Arc::clone(seen);
    Callback::new(move |args: &[Array]| {
        seen.lock()
            .unwrap()
            .insert(case.to_string(), describe(&args[0]));
        Ok(vec![Array::from(0.0f32)])
    })
}

fn scalar_f32() -> [ShapedArray; 1] {
    [ShapedArray::new(Vec::new(), DType::F32)]
}

#[test]
fn typed_keys_reach_the_host_as_jax_passes_them() -> anyhow::Result<()> {
    let jax = jax_cases();
    let seen: Seen = Arc::default();
    let key = random::key(0);
    let keys = random::split(random::key(0), 3);

    pure_callback(&recorder(&seen, "pure_eager"), &scalar_f32(), &[&key], None)?;
    let pure = recorder(&seen, "pure_jit");
    jit(move |k: Array| pure_callback(&pure, &scalar_f32(), &[&k], None)).call(key.clone())?;
    let pure = recorder(&seen, "pure_split_jit");
    jit(move |k: Array| pure_callback(&pure, &scalar_f32(), &[&k], None)).call(keys)?;
    io_callback(&recorder(&seen, "io_eager"), &scalar_f32(), &[&key], false)?;
    let io = recorder(&seen, "io_jit");
    jit(move |k: Array| io_callback(&io, &scalar_f32(), &[&k], false)).call(key.clone())?;
    for case in ["debug_eager", "debug_jit"] {
        let seen = Arc::clone(&seen);
        let record = move |args: &[Array]| {
            seen.lock()
                .unwrap()
                .insert(case.to_string(), describe(&args[0]));
            Ok(())
        };
        if case == "debug_eager" {
            debug::callback(record, &[&key])?;
        } else {
            let run = jit(move |k: Array| {
                debug::callback(record.clone(), &[&k])?;
                Ok::<_, rjax::Error>(k)
            });
            run.call(key.clone())?;
        }
    }

    let seen = seen.lock().unwrap();
    for case in [
        "pure_eager",
        "pure_jit",
        "pure_split_jit",
        "io_eager",
        "io_jit",
        "debug_eager",
        "debug_jit",
    ] {
        assert_eq!(
            seen.get(case),
            jax.get(case),
            "{case}: what the host received (rjax, JAX)"
        );
    }
    // The data of a key is what the host gets: not a fixed placeholder.
    assert_ne!(jax["pure_split_jit"], jax["pure_jit"]);
    Ok(())
}

#[test]
fn a_callback_cannot_declare_a_key_result() {
    assert_eq!(
        jax_cases().get("pure_key_result").map(String::as_str),
        Some("error|TypeError"),
        "JAX refuses a key result"
    );
    let key = random::key(0);
    let returns_key = Callback::new(move |_: &[Array]| Ok(vec![random::key(1)]));
    let declared = [ShapedArray::new(Vec::new(), key.dtype())];
    for error in [
        pure_callback(&returns_key, &declared, &[], None).unwrap_err(),
        io_callback(&returns_key, &declared, &[], false).unwrap_err(),
    ] {
        let message = error.to_string();
        assert!(
            message.contains("cannot be a key array") && message.contains("key<fry>"),
            "{message}"
        );
    }
}
