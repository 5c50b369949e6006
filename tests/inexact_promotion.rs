//! The dtype JAX's inexact functions give booleans and integers (`to_inexact_dtype`: float32
//! up to 32-bit integers, float64 for 64-bit ones, with x64 on as well as off), against
//! `tests/golden/inexact_promotion.txt`, recorded from JAX by the script beside it. One test,
//! so that switching x64 cannot race with another test of this binary.

use anyhow::{Context, Result, ensure};
use rjax::numpy as jnp;
use rjax::{Array, DType, config};

const GOLDEN: &str = include_str!("golden/inexact_promotion.txt");

/// The input JAX's script names: `[1, 2, 3]` of a dtype (canonicalized for the mode, as the
/// script does), or the weakly typed Python int `3`.
fn input(name: &str) -> Result<Array> {
    if name == "weak_int" {
        return Ok(jnp::asarray(3, None));
    }
    let dtype = DType::ALL
        .into_iter()
        .find(|d| d.name() == name)
        .with_context(|| format!("unknown dtype {name}"))?;
    Ok(Array::from([1i32, 2, 3]).astype(dtype))
}

fn apply(function: &str, x: &Array) -> Result<Array> {
    Ok(match function {
        "true_divide" => jnp::true_divide(x, x),
        "sqrt" => jnp::sqrt(x),
        "arctan2" => jnp::arctan2(x, x),
        "mean" => jnp::mean(x, ..),
        "var" => jnp::var(x, .., 0),
        "median" => jnp::median(x, ..),
        other => anyhow::bail!("unknown function {other}"),
    })
}

#[test]
fn inexact_functions_promote_as_jax_does() -> Result<()> {
    let mut checked = 0;
    for line in GOLDEN.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [x64, name, function, dtype, weak] = fields[..] else {
            anyhow::bail!("malformed line {line:?}");
        };
        config::enable_x64(x64 == "1");
        let out = apply(function, &input(name)?)?;
        ensure!(
            out.dtype().name() == dtype && out.weak_type() == (weak == "1"),
            "x64={x64} {function}({name}): got {}{}, JAX gives {dtype}{}",
            out.dtype().name(),
            if out.weak_type() { " (weak)" } else { "" },
            if weak == "1" { " (weak)" } else { "" },
        );
        checked += 1;
    }
    config::enable_x64(false);
    ensure!(checked == 166, "{checked} cases");
    Ok(())
}
