//! The linear-algebra items of `bench_rjax`: jitted `rjax::numpy::linalg` calls in float64 at
//! 500×500 and 1000×1000 and in float32 at 500×500, and a jitted float64 matmul, as
//! `scripts/jax_bench_linalg.py` writes them in JAX (which also times NumPy's matmul, on the
//! JAX side only).
//!
//! Every item's data is `rjax::random::normal(&PRNGKey(0), shape, dtype)`, bit-identical to
//! JAX's: made symmetric as `a + aᵀ` for `eigh` and `eigvalsh`, positive definite as
//! `a·aᵀ + n·I` for `cholesky`, and scaled by `√(e/n)` for `det` so that the determinant is of
//! order 1 (unscaled, it overflows). `solve`'s right-hand side is a vector of `n` and `lstsq`'s
//! matrix is `2n × n` with a vector of `2n` (both from `PRNGKey(0)`); matmul's second factor is
//! from `PRNGKey(1)`. A timed call waits for every output; the first output of each function
//! is the checked one (values, not vectors, whose signs are free; `R` of `qr`, whose norm is
//! `A`'s).

use std::f64::consts::E;

use anyhow::{Result, anyhow, bail};
use rjax::numpy::eye;
use rjax::numpy::linalg::{self, SvdOptions};
use rjax::random::{PRNGKey, normal};
use rjax::{Array, DType, Pytree, jit};

use super::{Item, ready};

/// The parts of an item name: `linalg/jit_svd_values/500x500_f32` is
/// `("svd_values", 500, 500, DType::F32)`.
fn parse(name: &str) -> Option<(&str, usize, usize, DType)> {
    let mut parts = name.split('/').skip(1);
    let op = parts.next()?.strip_prefix("jit_")?;
    let (shape, dtype) = parts.next()?.split_once('_')?;
    let (rows, cols) = shape.split_once('x')?;
    let dtype = match dtype {
        "f64" => DType::F64,
        "f32" => DType::F32,
        _ => return None,
    };
    Some((op, rows.parse().ok()?, cols.parse().ok()?, dtype))
}

/// `rjax::random::normal(&PRNGKey(seed), shape, dtype)`, resident.
fn normal_from(seed: i64, shape: &[usize], dtype: DType) -> Result<Array> {
    ready(normal(PRNGKey(seed), shape, dtype))
}

/// A timed item: `f` jitted and called on `args`, waiting for every output; the first output
/// is returned for the check.
fn timed<In, F>(f: F, args: In) -> Item
where
    F: Fn(In) -> Vec<Array> + 'static,
    In: Pytree + Clone + 'static,
{
    let jitted = jit(f);
    Item::Timed(Box::new(move || {
        let outputs: Vec<Array> = jitted.call(args.clone())?;
        for output in &outputs {
            output.block_until_ready()?;
        }
        Ok(outputs[0].clone())
    }))
}

/// Builds the linalg item `name`.
pub fn setup(name: &str) -> Result<Item> {
    let (op, rows, cols, dtype) =
        parse(name).ok_or_else(|| anyhow!("cannot read the item name {name}"))?;
    let a = normal_from(0, &[rows, cols], dtype)?;
    let item = match op {
        "eigh" => timed(
            |a: Array| {
                let (w, v) = linalg::eigh(&a);
                vec![w, v]
            },
            ready(&a + a.t())?,
        ),
        "eigvalsh" => timed(|a: Array| vec![linalg::eigvalsh(&a)], ready(&a + a.t())?),
        "svd" | "svd_values" => {
            // `jnp.linalg.svd(a)` and `jnp.linalg.svd(a, compute_uv=False)`.
            let compute_uv = op == "svd";
            timed(
                move |a: Array| {
                    let svd = linalg::svd_with(&a, SvdOptions::default().compute_uv(compute_uv));
                    [Some(svd.s), svd.u, svd.vh].into_iter().flatten().collect()
                },
                a,
            )
        }
        "qr" => timed(
            |a: Array| {
                let (q, r) = linalg::qr(&a);
                vec![r, q]
            },
            a,
        ),
        "cholesky" => timed(
            |a: Array| vec![linalg::cholesky(&a)],
            ready(a.matmul(&a.t()) + eye(rows, None, 0, Some(dtype)) * rows as f64)?,
        ),
        "solve" => timed(
            |(a, b): (Array, Array)| vec![linalg::solve(&a, &b)],
            (a, normal_from(0, &[rows], dtype)?),
        ),
        "inv" => timed(|a: Array| vec![linalg::inv(&a)], a),
        "det" => timed(
            |a: Array| vec![linalg::det(&a)],
            ready(&a * (E / rows as f64).sqrt())?,
        ),
        "lstsq" => timed(
            |(a, b): (Array, Array)| {
                let (x, residuals, rank, s) = linalg::lstsq(&a, &b);
                vec![x, residuals, rank, s]
            },
            (a, normal_from(0, &[rows], dtype)?),
        ),
        "matmul" => timed(
            |(a, b): (Array, Array)| vec![a.matmul(&b)],
            (a, normal_from(1, &[rows, cols], dtype)?),
        ),
        _ => bail!("no item {name}"),
    };
    Ok(item)
}
