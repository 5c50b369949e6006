//! `shard_map`, `pmap` and the collectives on 8 CPU devices, against hand-computed results:
//! global sums, gathers, a ring shift, all-to-all, scatters; their gradients against closed
//! forms; a data-parallel MLP step against the single-device step; vmap inside and outside.

mod common;

use common::iota_f32 as iota;

use anyhow::Result;
use common::panic_message;
use rjax::sharding::{
    Mesh, all_gather, all_to_all, axis_index, pmap, pmax, pmean, pmin, ppermute, psum,
    psum_scatter, shard_map,
};
use rjax::{Array, grad, jit, pspec, vmap};

fn close(got: &[f32], want: &[f32]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() <= 1e-4 * (1.0 + w.abs()))
}

#[test]
fn psum_computes_a_global_sum() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    let total = shard_map(
        |b: Array| psum(&b.sum(), &["i"]),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec![]],
    );
    let y: Array = total(iota(&[16])?)?;
    assert_eq!(y.to_vec::<f32>()?, vec![120.0]);
    // Under jit: the same program, with the manual partitioning in the module.
    let jitted = jit(total);
    let y: Array = jitted.call(iota(&[16])?)?;
    assert_eq!(y.to_vec::<f32>()?, vec![120.0]);
    let text = jitted.lower(&iota(&[16])?)?.as_text().to_string();
    assert!(text.contains("SPMDFullToShardShape") && text.contains("stablehlo.all_reduce"));
    Ok(())
}

#[test]
fn psum_over_one_axis_of_a_two_dimensional_mesh() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[4, 2], &["x", "y"])? else {
        return Ok(());
    };
    let f = shard_map(
        |b: Array| psum(&b, &["x"]),
        &mesh,
        vec![pspec!["x", "y"]],
        vec![pspec![None, "y"]],
    );
    let y: Array = f(iota(&[8, 4])?)?;
    assert_eq!(y.shape(), [2, 4]);
    // out[r, c] = sum over the 4 row blocks i of x[2i + r, c].
    let want: Vec<f32> = (0..2)
        .flat_map(|r| (0..4).map(move |c| (0..4).map(|i| ((2 * i + r) * 4 + c) as f32).sum()))
        .collect();
    assert_eq!(y.to_vec::<f32>()?, want);
    Ok(())
}

#[test]
fn gathers_shifts_and_exchanges() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    let x = iota(&[16])?;
    let all = x.to_vec::<f32>()?;
    let gathered = shard_map(
        |b: Array| all_gather(&b, &["i"], 0, true),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec![]],
    );
    let g: Array = gathered(x.clone())?;
    assert_eq!(g.to_vec::<f32>()?, all);
    let stacked = shard_map(
        |b: Array| all_gather(&b, &["i"], 0, false),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec![]],
    );
    let s: Array = stacked(x.clone())?;
    assert_eq!(s.shape(), [8, 2]);
    assert_eq!(s.to_vec::<f32>()?, all);
    // A ring shift: device i's block goes to device i + 1.
    let ring: Vec<(usize, usize)> = (0..8).map(|i| (i, (i + 1) % 8)).collect();
    let shifted = shard_map(
        move |b: Array| ppermute(&b, &["i"], &ring),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec!["i"]],
    );
    let r: Array = shifted(x.clone())?;
    let want: Vec<f32> = (0..16).map(|k| ((k + 14) % 16) as f32).collect();
    assert_eq!(r.to_vec::<f32>()?, want);
    // all_to_all turns a row-sharded matrix into a column-sharded one.
    let m = iota(&[8, 8])?;
    let exchanged = shard_map(
        |b: Array| all_to_all(&b, &["i"], 1, 0),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec![None, "i"]],
    );
    let e: Array = exchanged(m.clone())?;
    assert_eq!(e.to_vec::<f32>()?, m.to_vec::<f32>()?);
    // Positions, scatters, extrema.
    let positions = shard_map(
        |_: Array| rjax::lax::expand_dims(axis_index("i"), &[0]),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec!["i"]],
    );
    let p: Array = positions(x.clone())?;
    assert_eq!(p.to_vec::<i32>()?, (0..8).collect::<Vec<i32>>());
    let scattered = shard_map(
        |b: Array| psum_scatter(&b, &["i"], 0, true),
        &mesh,
        vec![pspec![]],
        vec![pspec!["i"]],
    );
    let v = iota(&[8])?;
    let sc: Array = scattered(v.clone())?;
    let want: Vec<f32> = (0..8).map(|k| 8.0 * k as f32).collect();
    assert_eq!(sc.to_vec::<f32>()?, want);
    let extremes = shard_map(
        |b: Array| (pmax(&b, &["i"]), pmin(&b, &["i"]), pmean(&b, &["i"])),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec![]],
    );
    let (hi, lo, mean): (Array, Array, Array) = extremes(iota(&[16])?)?;
    assert_eq!(hi.to_vec::<f32>()?, vec![14.0, 15.0]);
    assert_eq!(lo.to_vec::<f32>()?, vec![0.0, 1.0]);
    assert_eq!(mean.to_vec::<f32>()?, vec![7.0, 8.0]);
    Ok(())
}

#[test]
fn pmap_maps_the_leading_axis_over_devices() -> Result<()> {
    if common::cpu_mesh(&[8], &["i"])?.is_none() {
        return Ok(());
    }
    let f = pmap(|row: Array| &row * 2.0 + psum(&row, &["i"]), "i");
    let x = iota(&[8, 3])?;
    let y: Array = f(x.clone())?;
    let data = x.to_vec::<f32>()?;
    let column = |c: usize| (0..8).map(|r| data[r * 3 + c]).sum::<f32>();
    let want: Vec<f32> = (0..24).map(|k| 2.0 * data[k] + column(k % 3)).collect();
    assert_eq!(y.to_vec::<f32>()?, want);
    assert_eq!(y.addressable_shards()?.len(), 8);
    Ok(())
}

#[test]
fn gradients_through_collectives_match_closed_forms() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    let x = iota(&[16])?;
    let xs = x.to_vec::<f32>()?;
    let s: f32 = xs.iter().sum();
    // sum of squares through psum: 2x.
    let m = mesh.clone();
    let squares = move |x: Array| -> rjax::Result<Array> {
        shard_map(
            |b: Array| psum(&(&b * &b).sum(), &["i"]),
            &m,
            vec![pspec!["i"]],
            vec![pspec![]],
        )(x)
    };
    let g: Array = grad(squares)(x.clone())?;
    assert!(close(
        &g.to_vec::<f32>()?,
        &xs.iter().map(|v| 2.0 * v).collect::<Vec<_>>()
    ));
    // A psum used per device: sum_i S * x_i = S^2, gradient 2S everywhere.
    let m = mesh.clone();
    let reused = move |x: Array| -> rjax::Result<Array> {
        let z: Array = shard_map(
            |b: Array| psum(&b.sum(), &["i"]) * &b,
            &m,
            vec![pspec!["i"]],
            vec![pspec!["i"]],
        )(x)?;
        Ok(z.sum())
    };
    let g: Array = jit(grad(reused)).call(x.clone())?;
    assert!(close(&g.to_vec::<f32>()?, &[2.0 * s; 16]));
    // JAX 0.10.2 (grad of sum(shard_map(lambda b: psum(sum(b) * b, "i"), out_specs=P())) on
    // 4 devices over arange(8)) gives [2, 2, 10, 10, 18, 18, 26, 26]: twice each block's sum.
    let m4 = Mesh::new(mesh.devices()[..4].to_vec(), &[4], &["i"])?;
    let weighted = move |x: Array| -> rjax::Result<Array> {
        let out: Array = shard_map(
            |b: Array| psum(&(b.sum() * &b), &["i"]),
            &m4,
            vec![pspec!["i"]],
            vec![pspec![]],
        )(x)?;
        Ok(out.sum())
    };
    let g: Array = grad(weighted)(iota(&[8])?)?;
    assert!(close(
        &g.to_vec::<f32>()?,
        &[2.0, 2.0, 10.0, 10.0, 18.0, 18.0, 26.0, 26.0]
    ));
    // all_gather to a replicated output, then weighted: the gradient is the weights.
    let c: Vec<f32> = (0..16).map(|k| (k as f32 * 0.3).sin()).collect();
    let weights = Array::from_vec(c.clone());
    let m = mesh.clone();
    let w = weights.clone();
    let gathered = move |x: Array| -> rjax::Result<Array> {
        let full: Array = shard_map(
            |b: Array| all_gather(&b, &["i"], 0, true),
            &m,
            vec![pspec!["i"]],
            vec![pspec![]],
        )(x)?;
        Ok((full * &w).sum())
    };
    let g: Array = grad(gathered)(x.clone())?;
    assert!(close(&g.to_vec::<f32>()?, &c));
    // The ring shift's gradient shifts back.
    let ring: Vec<(usize, usize)> = (0..8).map(|i| (i, (i + 1) % 8)).collect();
    let m = mesh.clone();
    let w = weights.clone();
    let shifted = move |x: Array| -> rjax::Result<Array> {
        let r = ring.clone();
        let out: Array = shard_map(
            move |b: Array| ppermute(&b, &["i"], &r),
            &m,
            vec![pspec!["i"]],
            vec![pspec!["i"]],
        )(x)?;
        Ok((out * &w).sum())
    };
    let g: Array = grad(shifted)(x.clone())?;
    let want: Vec<f32> = (0..16).map(|k| c[(k + 2) % 16]).collect();
    assert!(close(&g.to_vec::<f32>()?, &want));
    // psum_scatter of a replicated input: out = 8x, so the gradient is 8c (the transpose is an
    // all_gather, summed over the devices the input was replicated on).
    let m = mesh.clone();
    let w8 = Array::from_vec(c[..8].to_vec());
    let scattered = move |v: Array| -> rjax::Result<Array> {
        let out: Array = shard_map(
            |b: Array| psum_scatter(&b, &["i"], 0, true),
            &m,
            vec![pspec![]],
            vec![pspec!["i"]],
        )(v)?;
        Ok((out * &w8).sum())
    };
    let g: Array = grad(scattered)(iota(&[8])?)?;
    assert!(close(
        &g.to_vec::<f32>()?,
        &c[..8].iter().map(|v| 8.0 * v).collect::<Vec<_>>()
    ));
    // all_to_all's layout change is the identity on values: the gradient is the weights.
    let m = mesh.clone();
    let w64 = Array::from_slice(
        &(0..64).map(|k| (k as f32 * 0.1).cos()).collect::<Vec<_>>(),
        &[8, 8],
    )?;
    let w = w64.clone();
    let exchanged = move |x: Array| -> rjax::Result<Array> {
        let out: Array = shard_map(
            |b: Array| all_to_all(&b, &["i"], 1, 0),
            &m,
            vec![pspec!["i"]],
            vec![pspec![None, "i"]],
        )(x)?;
        Ok((out * &w).sum())
    };
    let g: Array = grad(exchanged)(iota(&[8, 8])?)?;
    assert!(close(&g.to_vec::<f32>()?, &w64.to_vec::<f32>()?));
    Ok(())
}

/// A two-layer MLP's mean squared error on a batch.
fn mlp_loss(params: &(Array, Array, Array), x: &Array, y: &Array) -> Array {
    let (w1, b1, w2) = params;
    let hidden = (x.matmul(w1) + b1).tanh();
    let err = hidden.matmul(w2) - y;
    (&err * &err).sum() / (err.size() as f64)
}

#[test]
fn data_parallel_training_step_matches_the_single_device_step() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["batch"])? else {
        return Ok(());
    };
    let data = |n: usize, seed: f32, shape: &[usize]| -> Result<Array> {
        let v: Vec<f32> = (0..n).map(|k| ((k as f32 + seed) * 0.731).sin()).collect();
        Ok(Array::from_slice(&v, shape)?)
    };
    let params = (
        data(32, 1.0, &[4, 8])?,
        data(8, 2.0, &[8])?,
        data(8, 3.0, &[8, 1])?,
    );
    let (x, y) = (data(64, 4.0, &[16, 4])?, data(16, 5.0, &[16, 1])?);
    let lr = 0.1;
    let step = move |p: (Array, Array, Array),
                     x: Array,
                     y: Array|
          -> rjax::Result<(Array, Array, Array)> {
        let g: (Array, Array, Array) =
            grad(|p: (Array, Array, Array)| mlp_loss(&p, &x, &y))(p.clone())?;
        Ok((&p.0 - &g.0 * lr, &p.1 - &g.1 * lr, &p.2 - &g.2 * lr))
    };
    let single: (Array, Array, Array) = jit(
        move |(p, x, y): ((Array, Array, Array), Array, Array)| step(p, x, y),
    )
    .call((params.clone(), x.clone(), y.clone()))?;
    // Per-device batches of 2, gradients averaged with pmean.
    let parallel = shard_map(
        move |(p, x, y): ((Array, Array, Array), Array, Array)| -> rjax::Result<(Array, Array, Array)> {
            let g: (Array, Array, Array) =
                grad(|p: (Array, Array, Array)| mlp_loss(&p, &x, &y))(p.clone())?;
            let g = (
                pmean(&g.0, &["batch"]),
                pmean(&g.1, &["batch"]),
                pmean(&g.2, &["batch"]),
            );
            Ok((&p.0 - &g.0 * lr, &p.1 - &g.1 * lr, &p.2 - &g.2 * lr))
        },
        &mesh,
        vec![pspec![], pspec![], pspec![], pspec!["batch"], pspec!["batch"]],
        vec![pspec![]],
    );
    let updated: (Array, Array, Array) = jit(parallel).call((params, x, y))?;
    for (a, b) in [
        (&single.0, &updated.0),
        (&single.1, &updated.1),
        (&single.2, &updated.2),
    ] {
        assert!(
            close(&a.to_vec::<f32>()?, &b.to_vec::<f32>()?),
            "{a:?} vs {b:?}"
        );
    }
    Ok(())
}

#[test]
fn vmap_inside_and_outside_shard_map() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    // Inside: each device maps over its rows, summing each row's entries across devices.
    let inside = shard_map(
        |b: Array| vmap(|row: Array| psum(&row, &["i"]), 0)(b),
        &mesh,
        vec![pspec![None, "i"]],
        vec![pspec![]],
    );
    let m = iota(&[3, 8])?;
    let r: Array = inside(m.clone())?;
    let data = m.to_vec::<f32>()?;
    let want: Vec<f32> = (0..3)
        .map(|row| (0..8).map(|c| data[row * 8 + c]).sum())
        .collect();
    assert_eq!(r.shape(), [3, 1]);
    assert_eq!(r.to_vec::<f32>()?, want);
    // Outside: vmap of a shard_map adds an unsplit leading axis.
    let m2 = mesh.clone();
    let totals = vmap(
        move |x: Array| -> rjax::Result<Array> {
            shard_map(
                |b: Array| psum(&b.sum(), &["i"]),
                &m2,
                vec![pspec!["i"]],
                vec![pspec![]],
            )(x)
        },
        0,
    );
    let t: Array = totals(iota(&[3, 16])?)?;
    let want: Vec<f32> = (0..3)
        .map(|r| (0..16).map(|c| (r * 16 + c) as f32).sum())
        .collect();
    assert_eq!(t.to_vec::<f32>()?, want);
    Ok(())
}

#[test]
fn misuse_is_a_clear_error() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    let message = panic_message(|| {
        psum(&iota(&[2]).expect("iota"), &["i"]);
    });
    assert!(message.contains("unbound axis name"), "{message}");
    let wrong_axis = shard_map(
        |b: Array| psum(&b, &["j"]),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec!["i"]],
    );
    let message = panic_message(|| {
        let _ = wrong_axis(iota(&[16]).expect("iota"));
    });
    assert!(message.contains("\"j\""), "{message}");
    let uneven = shard_map(|b: Array| b, &mesh, vec![pspec!["i"]], vec![pspec!["i"]]);
    let error = uneven(iota(&[12])?)
        .map(|_: Array| ())
        .unwrap_err()
        .to_string();
    assert!(error.contains("not divisible by 8"), "{error}");
    let counts = shard_map(
        |(a, b): (Array, Array)| a + b,
        &mesh,
        vec![pspec!["i"]; 3],
        vec![pspec!["i"]],
    );
    let error = counts((iota(&[16])?, iota(&[16])?))
        .map(|_: Array| ())
        .unwrap_err()
        .to_string();
    assert!(error.contains("3 in_specs given for 2 leaves"), "{error}");
    Ok(())
}

#[test]
fn typed_keys_cross_shard_map_as_keys() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["i"])? else {
        return Ok(());
    };
    use rjax::DType;
    use rjax::random::{self, key, key_data, split};
    let keys = split(key(0), 8);
    // One draw per device from its own key, against the eager draws key by key.
    let draws = shard_map(
        |k: Array| random::uniform(k.reshape(&[]), &[1], DType::F32),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec!["i"]],
    );
    let want: Vec<f32> = (0..8)
        .map(|i| {
            let one = random::uniform(keys.index(&rjax::idx![i]), &[1], DType::F32);
            one.to_vec::<f32>().map(|v| v[0])
        })
        .collect::<rjax::Result<_>>()?;
    let got: Array = draws(keys.clone())?;
    assert_eq!(got.to_vec::<f32>()?, want);
    let got: Array = jit(draws).call(keys.clone())?;
    assert_eq!(got.to_vec::<f32>()?, want);
    // Keys out: each device splits its key in two; the result is a key array again.
    let splits = shard_map(
        |k: Array| split(k.reshape(&[]), 2),
        &mesh,
        vec![pspec!["i"]],
        vec![pspec!["i"]],
    );
    let got: Array = splits(keys.clone())?;
    assert_eq!((got.dtype(), got.shape()), (keys.dtype(), &[16usize][..]));
    let want: Vec<u32> = (0..8)
        .map(|i| key_data(split(keys.index(&rjax::idx![i]), 2)).to_vec::<u32>())
        .collect::<rjax::Result<Vec<_>>>()?
        .concat();
    assert_eq!(key_data(&got).to_vec::<u32>()?, want);
    Ok(())
}
