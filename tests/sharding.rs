//! Sharded arrays and `jit` with shardings on 8 CPU devices: layouts against hand-computed
//! blocks, a sharded matmul against the host product, sharding constraints, gradients and
//! vmap through them, and the errors for bad meshes and specs.

mod common;

use common::iota_f32 as iota;

use anyhow::Result;
use rjax::sharding::{Mesh, NamedSharding, device_put, with_sharding_constraint};
use rjax::{Array, grad, jit, pspec, vmap};

#[test]
fn device_put_gives_each_device_its_block() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[4, 2], &["x", "y"])? else {
        return Ok(());
    };
    let sharding = NamedSharding::new(&mesh, pspec!["x", "y"])?;
    let x = device_put(&iota(&[8, 6])?, &sharding)?;
    assert_eq!(x.sharding(), Some(&sharding));
    let shards = x.addressable_shards()?;
    assert_eq!(shards.len(), 8);
    for (m, shard) in shards.iter().enumerate() {
        // Mesh position m = 2 * i + j holds rows 2i..2i+2 and columns 3j..3j+3.
        let (i, j) = (m / 2, m % 2);
        assert_eq!(shard.index, vec![2 * i..2 * i + 2, 3 * j..3 * j + 3]);
        assert_eq!(shard.device.id(), mesh.devices()[m].id());
        assert_eq!(shard.data.device()?.id(), mesh.devices()[m].id());
        let want: Vec<f32> = (2 * i..2 * i + 2)
            .flat_map(|r| (3 * j..3 * j + 3).map(move |c| (r * 6 + c) as f32))
            .collect();
        assert_eq!(shard.data.to_vec::<f32>()?, want, "block of device {m}");
    }
    assert_eq!(x.to_vec::<f32>()?, iota(&[8, 6])?.to_vec::<f32>()?);
    // Replicated along y: the two devices of each row of the mesh hold the same block.
    let rows = device_put(&iota(&[8, 6])?, &NamedSharding::new(&mesh, pspec!["x"])?)?;
    let shards = rows.addressable_shards()?;
    assert_eq!(shards[2].index, vec![2..4, 0..6]);
    assert_eq!(
        shards[2].data.to_vec::<f32>()?,
        shards[3].data.to_vec::<f32>()?
    );
    // Two mesh axes on one dimension, major first.
    let both = device_put(
        &iota(&[8])?,
        &NamedSharding::new(&mesh, pspec![["y", "x"]])?,
    )?;
    let shards = both.addressable_shards()?;
    // Device (x=1, y=1) is position 3: block index y * 4 + x = 5.
    assert_eq!(shards[3].index, vec![5..6]);
    assert_eq!(both.to_vec::<f32>()?, iota(&[8])?.to_vec::<f32>()?);
    // Resharding on the same mesh (rows to columns): each device ends up with its new block.
    let square = device_put(&iota(&[8, 8])?, &NamedSharding::new(&mesh, pspec!["x"])?)?;
    let cols = NamedSharding::new(&mesh, pspec![None, ["x", "y"]])?;
    let moved = device_put(&square, &cols)?;
    assert_eq!(moved.sharding(), Some(&cols));
    for (m, shard) in moved.addressable_shards()?.iter().enumerate() {
        let want: Vec<f32> = (0..8).map(|r| (r * 8 + m) as f32).collect();
        assert_eq!(shard.data.to_vec::<f32>()?, want, "column {m}");
        assert_eq!(shard.data.device()?.id(), mesh.devices()[m].id());
    }
    Ok(())
}

#[test]
fn sharded_matmul_under_jit_equals_the_host_product() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[4, 2], &["x", "y"])? else {
        return Ok(());
    };
    let (m, k, n) = (8, 4, 6);
    let a_host: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
    let b_host: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.11).cos()).collect();
    let a = Array::from_slice(
        &a_host.iter().map(|&v| v as f32).collect::<Vec<_>>(),
        &[m, k],
    )?;
    let b = Array::from_slice(
        &b_host.iter().map(|&v| v as f32).collect::<Vec<_>>(),
        &[k, n],
    )?;
    let out_sharding = NamedSharding::new(&mesh, pspec!["x", "y"])?;
    let f = jit(|(a, b): (Array, Array)| a.matmul(&b))
        .with_in_shardings(vec![
            Some(NamedSharding::new(&mesh, pspec!["x", None])?),
            Some(NamedSharding::new(&mesh, pspec![None, "y"])?),
        ])
        .with_out_shardings(vec![Some(out_sharding.clone())]);
    let c: Array = f.call((a.clone(), b.clone()))?;
    let want = common::matmul(&a_host, &b_host, m, k, n);
    let got = c.to_vec::<f32>()?;
    for (g, w) in got.iter().zip(&want) {
        assert!((f64::from(*g) - w).abs() < 1e-5, "{g} vs {w}");
    }
    // The result lives on all 8 devices, each holding its 2x3 block.
    assert_eq!(c.sharding(), Some(&out_sharding));
    let shards = c.addressable_shards()?;
    assert_eq!(shards.len(), 8);
    for (position, shard) in shards.iter().enumerate() {
        assert_eq!(shard.data.shape(), [2, 3]);
        assert_eq!(shard.data.device()?.id(), mesh.devices()[position].id());
    }
    // Without out_shardings, the output takes the layout XLA's propagation chooses, as in
    // JAX 0.10.2 (whose compiled output_shardings are P('x', 'y') for these inputs).
    let a_rows = device_put(&a, &NamedSharding::new(&mesh, pspec!["x", None])?)?;
    let b_cols = device_put(&b, &NamedSharding::new(&mesh, pspec![None, "y"])?)?;
    let propagated: Array = jit(|(a, b): (Array, Array)| a.matmul(&b)).call((a_rows, b_cols))?;
    assert_eq!(propagated.sharding(), Some(&out_sharding));
    // The module carries the annotations and runs as 8 partitions.
    let text = f.lower(&(a, b))?.as_text().to_string();
    assert!(text.contains("mhlo.num_partitions = 8"), "{text}");
    assert!(
        text.contains(
            "mhlo.sharding = \"{devices=[4,1,2]0,1,2,3,4,5,6,7 last_tile_dim_replicate}\""
        ),
        "{text}"
    );
    Ok(())
}

#[test]
fn sharded_inputs_choose_the_mesh_and_are_resharded_when_asked() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["d"])? else {
        return Ok(());
    };
    let rows = NamedSharding::new(&mesh, pspec!["d"])?;
    let cols = NamedSharding::new(&mesh, pspec![None, "d"])?;
    let x = device_put(&iota(&[8, 8])?, &rows)?;
    // No shardings given: the input's own layout is kept and passed through to the output.
    let y: Array = jit(|x: Array| &x + 1.0).call(x.clone())?;
    let want: Vec<f32> = (0..64).map(|i| i as f32 + 1.0).collect();
    assert_eq!(y.to_vec::<f32>()?, want);
    // XLA's propagation keeps the rows split, and rjax reads its choice back.
    assert_eq!(y.sharding(), Some(&rows));
    // Eager operations on a sharded array run on its mesh and stay sharded, as in JAX.
    let doubled = &x * 2.0;
    assert_eq!(doubled.sharding(), Some(&rows));
    let want: Vec<f32> = (0..64).map(|i| 2.0 * i as f32).collect();
    assert_eq!(doubled.to_vec::<f32>()?, want);
    let total = x.sum();
    assert_eq!(total.to_vec::<f32>()?, vec![2016.0]);
    // One sharding stands for every input leaf, as a JAX prefix.
    let sum: Array = jit(|(a, b): (Array, Array)| &a + &b)
        .with_in_shardings(vec![Some(rows.clone())])
        .call((iota(&[8, 8])?, iota(&[8, 8])?))?;
    assert_eq!(sum.sharding(), Some(&rows));
    let want: Vec<f32> = (0..64).map(|i| 2.0 * i as f32).collect();
    assert_eq!(sum.to_vec::<f32>()?, want);
    // Asked for columns: the row-sharded input is resharded first.
    let z: Array = jit(|x: Array| x.t())
        .with_in_shardings(vec![Some(cols.clone())])
        .call(x)?;
    let want: Vec<f32> = (0..64).map(|i| ((i % 8) * 8 + i / 8) as f32).collect();
    assert_eq!(z.to_vec::<f32>()?, want);
    Ok(())
}

#[test]
fn with_sharding_constraint_sets_the_output_layout() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[4, 2], &["x", "y"])? else {
        return Ok(());
    };
    let constraint = NamedSharding::new(&mesh, pspec![None, "x"])?;
    let c = constraint.clone();
    let f = jit(move |x: Array| with_sharding_constraint(&(&x * 2.0), &c));
    let y: Array = f.call(iota(&[8, 4])?)?;
    assert_eq!(y.sharding(), Some(&constraint));
    let want: Vec<f32> = (0..32).map(|i| 2.0 * i as f32).collect();
    assert_eq!(y.to_vec::<f32>()?, want);
    let shards = y.addressable_shards()?;
    assert_eq!(shards[0].data.shape(), [8, 1]);
    let text = f.lower(&iota(&[8, 4])?)?.as_text().to_string();
    assert!(text.contains("call_target_name = \"Sharding\""), "{text}");
    // Eagerly, it is device_put.
    let eager = with_sharding_constraint(&iota(&[8, 4])?, &constraint);
    assert_eq!(eager.sharding(), Some(&constraint));
    Ok(())
}

#[test]
fn grad_and_vmap_go_through_sharding_constraints() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["d"])? else {
        return Ok(());
    };
    let rows = NamedSharding::new(&mesh, pspec!["d"])?;
    let r = rows.clone();
    // f(x) = sum(constrain(x)^2 * 3): df/dx = 6x.
    let f = move |x: Array| (with_sharding_constraint(&x, &r).pow(2.0) * 3.0).sum();
    let x = device_put(&iota(&[16])?, &rows)?;
    let g: Array = jit(grad(f.clone())).call(x.clone())?;
    let want: Vec<f32> = (0..16).map(|i| 6.0 * i as f32).collect();
    assert_eq!(g.to_vec::<f32>()?, want);
    // The batch dimension is not split: the constraint gains a leading unsplit dimension.
    let r = rows.clone();
    let batched: Array = jit(vmap(
        move |x: Array| with_sharding_constraint(&(&x + 1.0), &r),
        0,
    ))
    .call(iota(&[3, 8])?)?;
    assert_eq!(
        batched.sharding().map(|s| s.spec().clone()),
        Some(pspec![None, "d"])
    );
    let want: Vec<f32> = (0..24).map(|i| i as f32 + 1.0).collect();
    assert_eq!(batched.to_vec::<f32>()?, want);
    Ok(())
}

#[test]
fn transformations_of_a_jitted_function_keep_its_layouts() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[8], &["d"])? else {
        return Ok(());
    };
    let rows = NamedSharding::new(&mesh, pspec!["d"])?;
    let cube = jit(|x: Array| &x * &x * &x)
        .with_in_shardings(vec![Some(rows.clone())])
        .with_out_shardings(vec![Some(rows.clone())]);
    // d/dx sum(x³) = 3x², through the jitted function, with its layouts as constraints.
    let g: Array = grad(|x: Array| -> rjax::Result<Array> {
        let y: Array = cube.call(x)?;
        Ok(y.sum())
    })(iota(&[16])?)?;
    let want: Vec<f32> = (0..16).map(|i| 3.0 * (i * i) as f32).collect();
    assert_eq!(g.to_vec::<f32>()?, want);
    let jaxpr =
        rjax::make_jaxpr(|x: Array| -> rjax::Result<Array> { cube.call(x) })(&iota(&[16])?)?;
    assert_eq!(
        jaxpr.to_string().matches("sharding_constraint").count(),
        2,
        "{jaxpr}"
    );
    Ok(())
}

#[test]
fn bad_meshes_and_specs_are_clear_errors() -> Result<()> {
    let Some(mesh) = common::cpu_mesh(&[4, 2], &["x", "y"])? else {
        return Ok(());
    };
    let missing = NamedSharding::new(&mesh, pspec!["z"])
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("\"z\"") && missing.contains("does not have"),
        "{missing}"
    );
    let twice = NamedSharding::new(&mesh, pspec!["x", "x"])
        .unwrap_err()
        .to_string();
    assert!(twice.contains("twice"), "{twice}");
    let sharding = NamedSharding::new(&mesh, pspec!["x"])?;
    let uneven = device_put(&iota(&[6, 2])?, &sharding)
        .unwrap_err()
        .to_string();
    assert!(
        uneven.contains("not divisible by 4") && uneven.contains("[6, 2]"),
        "{uneven}"
    );
    let too_big = Mesh::from_default_devices(&[4, 4], &["x", "y"])
        .unwrap_err()
        .to_string();
    assert!(too_big.contains("needs 16 devices"), "{too_big}");
    let counted = jit(|x: Array| x)
        .with_in_shardings(vec![Some(sharding.clone()), None])
        .call(iota(&[8])?)
        .unwrap_err()
        .to_string();
    assert!(
        counted.contains("2 in_shardings given for a function with 1 flattened inputs"),
        "{counted}"
    );
    let long = device_put(&iota(&[8])?, &NamedSharding::new(&mesh, pspec!["x", "y"])?)
        .unwrap_err()
        .to_string();
    assert!(long.contains("more than the rank"), "{long}");
    Ok(())
}
