//! The SPMD items of `bench_rjax`: a sharded matmul under `jit` and a data-parallel MLP
//! training step under `shard_map`, on meshes of 1, 2, 4 and 8 CPU devices (the process asks
//! for 8), as `scripts/jax_bench_spmd.py` writes them in JAX.

use anyhow::{Result, anyhow};
use rjax::sharding::{Mesh, NamedSharding, device_put, pmean, shard_map};
use rjax::{Array, grad, jit, pspec};

use super::{Item, data32, ready};

type Params = (Array, Array, Array);

/// The MLP's mean squared error on a batch.
fn loss(params: &Params, x: &Array, y: &Array) -> Array {
    let (w1, b1, w2) = params;
    let hidden = (x.matmul(w1) + b1).tanh();
    let err = hidden.matmul(w2) - y;
    (&err * &err).sum() / (err.size() as f64)
}

/// Builds the SPMD item `name`.
pub fn setup(name: &str) -> Result<Item> {
    let devices: usize = name
        .split('/')
        .nth(2)
        .and_then(|size| size.strip_prefix('d'))
        .and_then(|size| size.split('_').next())
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| anyhow!("no device count in {name}"))?;
    let mesh = Mesh::from_default_devices(&[devices], &["d"])?;
    let rows = NamedSharding::new(&mesh, pspec!["d"])?;
    let replicated = NamedSharding::replicated(&mesh);
    if name.starts_with("spmd/jit_sharded_matmul/") {
        let a = device_put(&data32(1024 * 1024, 1.0, &[1024, 1024])?, &rows)?;
        let b = device_put(&data32(1024 * 1024, 2.0, &[1024, 1024])?, &replicated)?;
        let matmul =
            jit(|(a, b): (Array, Array)| a.matmul(&b)).with_out_shardings(vec![Some(rows)]);
        return Ok(Item::Timed(Box::new(move || {
            ready(matmul.call((a.clone(), b.clone()))?)
        })));
    }
    let params: Params = (
        device_put(&data32(64 * 256, 0.2, &[64, 256])?, &replicated)?,
        device_put(&data32(256, 0.1, &[256])?, &replicated)?,
        device_put(&data32(256, 0.2, &[256, 1])?, &replicated)?,
    );
    let x = device_put(&data32(1024 * 64, 1.0, &[1024, 64])?, &rows)?;
    let y = device_put(&data32(1024, 1.0, &[1024, 1])?, &rows)?;
    let step = jit(shard_map(
        |(p, x, y): (Params, Array, Array)| -> rjax::Result<Params> {
            let g: Params = grad(|p: Params| loss(&p, &x, &y))(p.clone())?;
            let lr = 0.01;
            Ok((
                &p.0 - pmean(&g.0, &["d"]) * lr,
                &p.1 - pmean(&g.1, &["d"]) * lr,
                &p.2 - pmean(&g.2, &["d"]) * lr,
            ))
        },
        &mesh,
        vec![pspec![], pspec![], pspec![], pspec!["d"], pspec!["d"]],
        vec![pspec![]],
    ));
    Ok(Item::Timed(Box::new(move || {
        let (w1, _, _): Params = step.call((params.clone(), x.clone(), y.clone()))?;
        ready(w1)
    })))
}
