//! Typed PRNG keys and the PRNG implementations (`threefry2x32`, `rbg`, `unsafe_rbg`) against
//! JAX 0.10.2 (`tests/golden/random_keys.py`): keys, `key_data`/`wrap_key_data` round trips,
//! splits, fold-ins and samplers of typed keys equal to the raw ones, shape operations on key
//! arrays, keys through `jit`, `vmap`, `scan`, `fori_loop` and `grad`, the new primitives under
//! every transformation, and misuse errors.
//!
//! The default PRNG implementation is process-wide, so every test holds [`CONFIG`] and sets the
//! implementation it needs. Everything runs with x64 off, as the golden file.

mod common;

use std::sync::{Mutex, MutexGuard};

use anyhow::{Result, ensure};
use common::golden::{Golden, values};
use common::panic_message;
use rjax::numpy as jnp;
use rjax::random::{self, PRNGKey, PrngImpl};
use rjax::{Array, DType, config, grad_argnums, jit, lax, make_jaxpr, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/random_keys.txt"));

static CONFIG: Mutex<()> = Mutex::new(());

/// Holds the process-wide configuration with `prng` as the default implementation.
fn with_default(prng: PrngImpl) -> MutexGuard<'static, ()> {
    let guard = CONFIG.lock().unwrap_or_else(|poison| poison.into_inner());
    config::enable_x64(false);
    config::set_threefry_partitionable(true);
    config::set_default_prng_impl(prng);
    guard
}

/// `x`'s values as numbers: a key array's data, small unsigned integers widened.
fn host(x: &Array) -> Result<(String, Vec<usize>, Vec<f64>)> {
    let x = if x.dtype().is_key() {
        random::key_data(x)
    } else {
        x.clone()
    };
    let numbers = match x.dtype() {
        DType::U8 => x.to_vec::<u8>()?.into_iter().map(f64::from).collect(),
        DType::U16 => x.to_vec::<u16>()?.into_iter().map(f64::from).collect(),
        _ => values(&x)?,
    };
    Ok((x.dtype().name().to_string(), x.shape().to_vec(), numbers))
}

/// Asserts that `x` (a key array by its data) is the golden case `name` within `tol`.
fn check_tol(name: &str, x: &Array, tol: f64) -> Result<()> {
    let (dtype, shape, got) = host(x)?;
    let (want_dtype, want_shape, want) = GOLDEN.case(name)?;
    ensure!(dtype == want_dtype, "{name}: dtype {dtype} != {want_dtype}");
    ensure!(
        shape == want_shape,
        "{name}: shape {shape:?} != {want_shape:?}"
    );
    ensure!(
        common::golden::close(&got, &want, tol),
        "{name}: {got:?} != {want:?}"
    );
    Ok(())
}

/// [`check_tol`], bit for bit.
fn check(name: &str, x: &Array) -> Result<()> {
    check_tol(name, x, 0.0)
}

/// JAX's `repr` of the key array `name`.
fn golden_repr(name: &str) -> String {
    let prefix = format!("repr|{name}|");
    let line = GOLDEN
        .0
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no golden repr of {name}"));
    line.replace("\\n", "\n")
}

/// The `uint32` data of `keys` as a vector.
fn words(keys: &Array) -> Vec<u32> {
    random::key_data(keys).to_vec::<u32>().unwrap()
}

#[test]
fn typed_keys_hold_their_data_and_print_as_jax() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let key = random::key(0);
    assert_eq!(key.dtype(), DType::Key(PrngImpl::Threefry2x32));
    assert_eq!(key.dtype().name(), "key<fry>");
    assert_eq!(key.shape(), &[] as &[usize]);
    assert_eq!(key.aval().to_string(), "key<fry>[]");
    for seed in [0, 42, -1] {
        check(&format!("key({seed})"), &random::key(seed))?;
    }
    assert_eq!(format!("{key:?}"), golden_repr("key(0)"));
    assert_eq!(format!("{key}"), golden_repr("key(0)"));
    let keys = random::split(&key, 2);
    assert_eq!(format!("{keys:?}"), golden_repr("split(key(0),2)"));
    // key_data and wrap_key_data are inverse, and the data of a raw key is itself.
    let data = random::key_data(&keys);
    assert_eq!(data.shape(), [2, 2]);
    let back = random::wrap_key_data(&data, PrngImpl::Threefry2x32);
    assert_eq!(back.dtype(), keys.dtype());
    assert_eq!(back.shape(), [2]);
    assert_eq!(words(&back), words(&keys));
    assert_eq!(words(&PRNGKey(3)), [0, 3]);
    assert_eq!(random::key_impl(&keys), PrngImpl::Threefry2x32);
    assert_eq!(random::key_impl(PRNGKey(3)), PrngImpl::Threefry2x32);
    let rbg = random::key_with_impl(0, PrngImpl::Rbg);
    assert_eq!(random::key_impl(&rbg), PrngImpl::Rbg);
    assert_eq!(format!("{rbg:?}"), golden_repr("key(0,rbg)"));
    let urbg = random::key_with_impl(0, PrngImpl::UnsafeRbg);
    assert_eq!(format!("{urbg:?}"), golden_repr("key(0,unsafe_rbg)"));
    Ok(())
}

#[test]
fn splits_and_fold_ins_of_typed_keys_equal_raw_ones() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let key = random::key(0);
    let typed = random::split(&key, 3);
    assert_eq!(typed.dtype(), key.dtype());
    check("split(key(0),3)", &typed)?;
    check("split(PRNGKey(0),3)", &random::split(PRNGKey(0), 3))?;
    check("split(key(0),(2,3))", &random::split_shape(&key, &[2, 3]))?;
    let folded = random::fold_in(&key, 7);
    assert_eq!(folded.dtype(), key.dtype());
    check("fold_in(key(0),7)", &folded)?;
    assert_eq!(
        words(&folded),
        random::fold_in(PRNGKey(0), 7).to_vec::<u32>()?
    );
    Ok(())
}

#[test]
fn samplers_take_typed_keys_and_give_the_raw_keys_results() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let (typed, raw) = (random::key(0), PRNGKey(0));
    let bits = random::bits(&typed, &[5], DType::U32);
    check("bits(key(0),(5,))", &bits)?;
    assert_eq!(
        bits.to_vec::<u32>()?,
        random::bits(&raw, &[5], DType::U32).to_vec::<u32>()?
    );
    check(
        "bits(key(0),(5,),uint8)",
        &random::bits(&typed, &[5], DType::U8),
    )?;
    let uniform = random::uniform(&typed, &[4], DType::F32);
    check("uniform(key(0),(4,))", &uniform)?;
    let normal = random::normal(random::key(1), &[4], DType::F32);
    // XLA's float32 erf_inv differs by an ulp between builds (see `rjax::random`).
    check_tol("normal(key(1),(4,))", &normal, 1e-6)?;
    assert_eq!(
        normal.to_vec::<f32>()?,
        random::normal(PRNGKey(1), &[4], DType::F32).to_vec::<f32>()?
    );
    let randint = random::randint(random::key(3), &[6], 0, 10, DType::I32);
    check("randint(key(3),(6,),0,10)", &randint)?;
    check(
        "permutation(key(2),6)",
        &random::permutation(random::key(2), 6),
    )?;
    Ok(())
}

#[test]
fn shape_operations_work_on_key_arrays() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let keys = random::split(random::key(0), 6);
    let fry = keys.dtype();
    let index = keys.index(&rjax::idx![2]);
    assert_eq!((index.dtype(), index.ndim()), (fry, 0));
    check("index(split(key(0),6),2)", &index)?;
    check(
        "slice(split(key(0),6),1,4)",
        &lax::slice(&keys, &[1], &[4], None),
    )?;
    check("slice(split(key(0),6),1,4)", &keys.index(&rjax::idx![1..4]))?;
    let grid = keys.reshape(&[2, 3]);
    check("reshape(split(key(0),6),(2,3))", &grid)?;
    check("transpose(reshape(split(key(0),6),(2,3)))", &grid.t())?;
    let joined = jnp::concatenate(
        &[
            &random::split(random::key(0), 2),
            &random::split(random::key(1), 1),
        ],
        0,
    );
    check("concatenate(split(key(0),2),split(key(1),1))", &joined)?;
    let chosen = jnp::where_(
        Array::from([true, false, true]),
        random::split(random::key(0), 3),
        random::split(random::key(1), 3),
    );
    assert_eq!(chosen.dtype(), fry);
    check("where([1,0,1],split(key(0),3),split(key(1),3))", &chosen)?;
    check(
        "broadcast_to(key(5),(2,))",
        &jnp::broadcast_to(random::key(5), &[2]),
    )?;
    let start = Array::scalar(4i32);
    let sliced = lax::dynamic_slice(&keys, [&start], &[1]).reshape(&[]);
    check("dynamic_index(split(key(0),6),4)", &sliced)?;
    // Gather (NumPy indexing with an integer array), reversal and dynamic_update_slice, against
    // the rows taken one by one.
    let row = |i: usize| words(&keys.index(&rjax::idx![i]));
    let picked = keys.index(&rjax::idx![Array::from([4i32, 1])]);
    assert_eq!((picked.dtype(), picked.shape()), (fry, &[2usize][..]));
    assert_eq!(words(&picked), [row(4), row(1)].concat());
    let reversed = lax::rev(&keys, &[0]);
    assert_eq!(
        words(&reversed),
        (0..6).rev().flat_map(row).collect::<Vec<_>>()
    );
    let new = random::split(random::key(1), 1);
    let updated = lax::dynamic_update_slice(&keys, &new, [&Array::scalar(2i32)]);
    let mut want: Vec<u32> = (0..6).flat_map(row).collect();
    want.splice(4..6, words(&new));
    assert_eq!(words(&updated), want);
    let jitted_update = jit(|(keys, new): (Array, Array)| {
        lax::dynamic_update_slice(&keys, &new, [&Array::scalar(2i32)])
    });
    assert_eq!(words(&jitted_update.call((keys.clone(), new))?), want);
    // Scatter (`keys.at[i].set(key)`, as JAX allows), eagerly and under jit, against the rows
    // spliced by hand; the combining scatters are arithmetic, refused as JAX does.
    let five = random::key(5);
    let set = keys.at(&rjax::idx![Array::from([1i32, 4])]).set(&five);
    assert_eq!(set.dtype(), fry);
    let mut want: Vec<u32> = (0..6).flat_map(row).collect();
    for i in [1, 4] {
        want.splice(2 * i..2 * i + 2, words(&five));
    }
    assert_eq!(words(&set), want);
    let jitted_set = jit(|(keys, new): (Array, Array)| keys.at(&rjax::idx![1..5;3]).set(&new));
    assert_eq!(words(&jitted_set.call((keys.clone(), five.clone()))?), want);
    let message = panic_message(|| drop(keys.at(&rjax::idx![0]).add(&five)));
    assert!(
        message.contains("scatter-add") && message.contains("key<fry>"),
        "{message}"
    );
    // Padding with a constant would convert a number to a key, which JAX refuses too; edge
    // padding only moves keys.
    let message = panic_message(|| drop(jnp::pad(&keys, 1usize, &jnp::PadMode::constant(0))));
    assert!(message.contains("key<fry>"), "{message}");
    let edged = jnp::pad(&keys, 1usize, &jnp::PadMode::Edge);
    let edge_want: Vec<u32> = [0]
        .into_iter()
        .chain(0..6)
        .chain([5])
        .flat_map(row)
        .collect();
    assert_eq!(words(&edged), edge_want);
    // The same under jit.
    let jitted =
        jit(|(keys, i): (Array, Array)| lax::dynamic_slice(&keys, [&i], &[1]).reshape(&[]));
    check(
        "dynamic_index(split(key(0),6),4)",
        &jitted.call((keys, start))?,
    )?;
    Ok(())
}

#[test]
fn arithmetic_on_keys_and_bad_key_data_are_errors() {
    let _config = with_default(PrngImpl::Threefry2x32);
    let key = random::key(0);
    let message = panic_message(|| drop(&key + &key));
    assert!(
        message.contains("add") && message.contains("key<fry>"),
        "{message}"
    );
    let message = panic_message(|| drop(&key + 1));
    assert!(
        message.contains("add") && message.contains("key<fry>"),
        "{message}"
    );
    let message = panic_message(|| drop(lax::neg(&key)));
    assert!(
        message.contains("neg") && message.contains("key<fry>"),
        "{message}"
    );
    let message = panic_message(|| drop(random::split(&key, 3).sum()));
    assert!(
        message.contains("reduce_sum") && message.contains("key<fry>"),
        "{message}"
    );
    let message = panic_message(|| drop(key.astype(DType::U32)));
    assert!(message.contains("convert_element_type"), "{message}");
    let message = panic_message(|| drop(PRNGKey(0).astype(key.dtype())));
    assert!(message.contains("convert_element_type"), "{message}");
    // Under jit the same.
    let message = panic_message(|| drop(jit(|k: Array| lax::neg(&k)).call(key.clone())));
    assert!(
        message.contains("neg") && message.contains("key<fry>"),
        "{message}"
    );
    // Wrong key data.
    let bad = Array::from([1u32, 2, 3]);
    let message = panic_message(|| drop(random::wrap_key_data(&bad, PrngImpl::Threefry2x32)));
    assert!(
        message.contains("wrap_key_data") && message.contains("(2,)") && message.contains("u32[3]"),
        "{message}"
    );
    let floats = Array::from([1.0f32, 2.0]);
    let message = panic_message(|| drop(random::wrap_key_data(&floats, PrngImpl::Threefry2x32)));
    assert!(message.contains("wrap_key_data"), "{message}");
    let message = panic_message(|| drop(random::wrap_key_data(PRNGKey(0), PrngImpl::Rbg)));
    assert!(message.contains("(4,)"), "{message}");
    // Mixing implementations, and keys with raw data.
    let rbg = random::split(random::key_with_impl(0, PrngImpl::Rbg), 2);
    let fry = random::split(&key, 2);
    let message = panic_message(|| drop(lax::concatenate([&fry, &rbg], 0)));
    assert!(
        message.contains("concatenate") && message.contains("key<rbg>"),
        "{message}"
    );
    let raw = random::split(PRNGKey(0), 2);
    let message = panic_message(|| drop(lax::select_n(Array::scalar(true), [&fry, &raw])));
    assert!(message.contains("select_n"), "{message}");
    // Batches of keys and raw keys of the wrong size are refused by the samplers.
    let message = panic_message(|| drop(random::normal(&fry, &[2], DType::F32)));
    assert!(message.contains("single key"), "{message}");
    let message = panic_message(|| {
        drop(random::split(
            random::prng_key_with_impl(0, PrngImpl::Rbg),
            2,
        ))
    });
    assert!(
        message.contains("uint32[2]") || message.contains("u32[4]"),
        "{message}"
    );
}

#[test]
fn typed_keys_pass_through_jit() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let split = jit(|key: Array| random::split(&key, 2));
    let keys = split.call(random::key(0))?;
    assert_eq!(keys.dtype(), DType::Key(PrngImpl::Threefry2x32));
    check("jit(split)(key(0))", &keys)?;
    // Keys as results of a jitted function that makes them from a traced seed.
    let from_seed = jit(|seed: Array| random::typed_key_from_seed(&seed));
    check(
        "typed_key_from_seed(int32(9))",
        &from_seed.call(Array::scalar(9i32))?,
    )?;
    // key_data and wrap_key_data (random_unwrap, random_wrap) under jit.
    let round_trip =
        jit(|keys: Array| random::wrap_key_data(random::key_data(&keys), PrngImpl::Threefry2x32));
    check(
        "split(key(0),3)",
        &round_trip.call(random::split(random::key(0), 3))?,
    )?;
    // A jitted sampler's result is the eager one.
    let normal = jit(|key: Array| random::normal(&key, &[4], DType::F32));
    check_tol("normal(key(1),(4,))", &normal.call(random::key(1))?, 1e-6)?;
    let jaxpr =
        make_jaxpr(|keys: Array| random::key_data(&keys))(&random::split(random::key(0), 3))?;
    let text = jaxpr.to_string();
    assert!(
        text.contains("a:key<fry>[3]") && text.contains("u32[3,2] = random_unwrap a"),
        "{text}"
    );
    // JAX: `{ lambda ; a:u32[3,2]. let b:key<fry>[3] = random_wrap[impl=fry] a in (b,) }`.
    let wrap = |data: Array| random::wrap_key_data(&data, PrngImpl::Threefry2x32);
    let text = make_jaxpr(wrap)(&Array::from_slice(&[0u32; 6], &[3, 2])?)?.to_string();
    assert!(
        text.contains("b:key<fry>[3] = random_wrap[impl=fry] a"),
        "{text}"
    );
    Ok(())
}

#[test]
fn typed_keys_batch_under_vmap() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let keys = random::split(random::key(0), 4);
    let normals = vmap(|k: Array| random::normal(&k, &[3], DType::F32), 0)(keys.clone())?;
    check_tol("vmap(normal)(split(key(0),4))", &normals, 1e-6)?;
    let bits = vmap(|k: Array| random::bits(&k, &[3], DType::U32), 0)(keys.clone())?;
    check("vmap(bits)(split(key(0),4))", &bits)?;
    let jitted_bits = jit(vmap(|k: Array| random::bits(&k, &[3], DType::U32), 0));
    check("vmap(bits)(split(key(0),4))", &jitted_bits.call(keys)?)?;
    let three = random::split(random::key(0), 3);
    let splits = vmap(|k: Array| random::split(&k, 2), 0)(three.clone())?;
    assert_eq!(splits.dtype(), three.dtype());
    check("vmap(split)(split(key(0),3))", &splits)?;
    let data = Array::from([1u32, 2, 3]);
    let folded = vmap(|(k, d): (Array, Array)| random::fold_in(&k, &d), 0)((three, data))?;
    check("vmap(fold_in)(split(key(0),3),[1,2,3])", &folded)?;
    // random_wrap and random_unwrap batched: along the leading and a middle axis.
    let grid = random::split_shape(random::key(0), &[2, 3]);
    let data = vmap(|k: Array| random::key_data(&k), 1)(grid.clone())?;
    assert_eq!(data.shape(), [3, 2, 2]);
    let rewrapped = vmap(
        |d: Array| random::wrap_key_data(&d, PrngImpl::Threefry2x32),
        0,
    )(data)?;
    check("transpose(reshape(split(key(0),6),(2,3)))", &rewrapped)?;
    Ok(())
}

#[test]
fn typed_keys_are_loop_carries() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let body = |key: Array, _: ()| {
        let keys = random::split(&key, 2);
        let (next, sub) = (keys.index(&rjax::idx![0]), keys.index(&rjax::idx![1]));
        (next, random::bits(&sub, &[2], DType::U32))
    };
    let (carry, ys): (Array, Array) =
        rjax::lax::scan_with(body, random::key(0), (), Some(3), false, 1)?;
    assert_eq!(carry.dtype(), DType::Key(PrngImpl::Threefry2x32));
    check("scan(key(0)).carry", &carry)?;
    check("scan(key(0)).ys", &ys)?;
    let folded = rjax::lax::fori_loop(
        0,
        4,
        |i, key: Array| random::fold_in(&key, &i),
        random::key(0),
    )?;
    check("fori_loop(fold_in)(key(0))", &folded)?;
    Ok(())
}

#[test]
fn gradients_flow_around_keys() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let f = |(x, key): (Array, Array)| (&x * &random::normal(&key, &[3], DType::F32)).sum();
    let x = Array::from([1.0f32, 2.0, 3.0]);
    let dx = grad_argnums(f, rjax::Argnum::<0>)((x.clone(), random::key(0)))?;
    check_tol("grad(sum(x*normal(key(0))))", &dx, 1e-6)?;
    let dx = jit(grad_argnums(f, rjax::Argnum::<0>)).call((x.clone(), random::key(0)))?;
    check_tol("grad(sum(x*normal(key(0))))", &dx, 1e-6)?;
    // A key made, reshaped and unwrapped inside a differentiated function: zero derivative
    // through the key data, the same samples.
    let g = |x: Array| {
        let key = random::wrap_key_data(random::key_data(random::key(0)), PrngImpl::Threefry2x32);
        let key = random::split(&key, 1).reshape(&[]);
        let data = random::key_data(&key).astype(DType::F32);
        (&x * &random::normal(&key, &[3], DType::F32)).sum() + data.sum() * 0.0
    };
    let dx = rjax::grad(g)(x.clone())?;
    let expected = random::normal(
        random::split(random::key(0), 1).reshape(&[]),
        &[3],
        DType::F32,
    );
    assert_eq!(dx.to_vec::<f32>()?, expected.to_vec::<f32>()?);
    // The JVP rules of random_wrap and random_unwrap: key data has a zero tangent through them
    // (JAX's float0), and the key's own tangent is all-zero key data.
    let data = random::key_data(random::split(random::key(0), 3));
    let through = |d: Array| random::key_data(random::wrap_key_data(&d, PrngImpl::Threefry2x32));
    let (out, tangent): (Array, Array) = rjax::jvp(through, data.clone(), data.clone())?;
    assert_eq!(out.to_vec::<u32>()?, data.to_vec::<u32>()?);
    assert_eq!(tangent.to_vec::<u32>()?, [0; 6]);
    let wrap = |d: Array| random::wrap_key_data(&d, PrngImpl::Threefry2x32);
    let (keys, key_tangent): (Array, Array) = rjax::jvp(wrap, data.clone(), data.clone())?;
    assert_eq!(words(&keys), data.to_vec::<u32>()?);
    assert_eq!(key_tangent.dtype(), keys.dtype());
    assert_eq!(words(&key_tangent), [0; 6]);
    // A key as a scan carry under grad.
    let h = |x: Array| {
        let body = |(key, acc): (Array, Array), _: ()| {
            let key = random::fold_in(&key, 1);
            let acc = &acc + &(&x * &random::uniform(&key, &[3], DType::F32)).sum();
            ((key, acc), ())
        };
        let init = (random::key(0), Array::scalar(0.0f32));
        let ((_, acc), ()): ((Array, Array), ()) =
            rjax::lax::scan_with(body, init, (), Some(2), false, 1).unwrap();
        acc
    };
    let dx = rjax::grad(h)(x)?;
    let k1 = random::fold_in(random::key(0), 1);
    let k2 = random::fold_in(&k1, 1);
    let u = |k: &Array| {
        random::uniform(k, &[3], DType::F32)
            .to_vec::<f32>()
            .unwrap()
    };
    let want: Vec<f32> = u(&k1).iter().zip(u(&k2)).map(|(a, b)| a + b).collect();
    assert_eq!(dx.to_vec::<f32>()?, want);
    Ok(())
}

#[test]
fn rbg_keys_splits_and_bits_equal_jax() -> Result<()> {
    for (prng, name) in [(PrngImpl::Rbg, "rbg"), (PrngImpl::UnsafeRbg, "unsafe_rbg")] {
        let _config = with_default(prng);
        let key = random::key(0);
        assert_eq!(key.dtype(), DType::Key(prng));
        check(&format!("key(0,{name})"), &key)?;
        check(&format!("key(42,{name})"), &random::key(42))?;
        check(&format!("PRNGKey(7,{name})"), &PRNGKey(7))?;
        check(&format!("split(key(0,{name}),3)"), &random::split(&key, 3))?;
        check(
            &format!("split(key(0,{name}),3)"),
            &random::split(PRNGKey(0), 3),
        )?;
        check(
            &format!("fold_in(key(0,{name}),5)"),
            &random::fold_in(&key, 5),
        )?;
        check(
            &format!("bits(key(0,{name}),(5,))"),
            &random::bits(&key, &[5], DType::U32),
        )?;
        check(
            &format!("bits(key(0,{name}),(5,),uint8)"),
            &random::bits(&key, &[5], DType::U8),
        )?;
        check(
            &format!("bits(key(0,{name}),(5,),uint16)"),
            &random::bits(&key, &[5], DType::U16),
        )?;
        let second = random::split(&key, 2).index(&rjax::idx![1]);
        check(
            &format!("bits(split(key(0,{name}),2)[1],(4,))"),
            &random::bits(&second, &[4], DType::U32),
        )?;
        let uniform = random::uniform(random::key(1), &[4], DType::F32);
        check(&format!("uniform(key(1,{name}),(4,))"), &uniform)?;
        let batched = vmap(|k: Array| random::bits(&k, &[3], DType::U32), 0);
        check(
            &format!("vmap(bits)(split(key(0,{name}),2))"),
            &batched(random::split(&key, 2))?,
        )?;
        let jitted = jit(|k: Array| random::bits(&k, &[5], DType::U32));
        check(
            &format!("jit(bits)(key(0,{name}))"),
            &jitted.call(key.clone())?,
        )?;
    }
    Ok(())
}

#[test]
fn typed_keys_keep_their_implementation_whatever_the_default() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let rbg = random::key_with_impl(0, PrngImpl::Rbg);
    check("split(key(0,rbg),3)", &random::split(&rbg, 3))?;
    check(
        "bits(key(0,rbg),(5,))",
        &random::bits(&rbg, &[5], DType::U32),
    )?;
    let urbg = random::key_with_impl(0, PrngImpl::UnsafeRbg);
    check("fold_in(key(0,unsafe_rbg),5)", &random::fold_in(&urbg, 5))?;
    check(
        "PRNGKey(7,rbg)",
        &random::prng_key_with_impl(7, PrngImpl::Rbg),
    )?;
    Ok(())
}

#[test]
fn the_default_implementation_is_part_of_the_jit_cache_key() -> Result<()> {
    let guard = with_default(PrngImpl::Threefry2x32);
    let make = jit(|seed: Array| random::key_from_seed(&seed));
    assert_eq!(make.call(Array::scalar(7i32))?.to_vec::<u32>()?, [0, 7]);
    config::set_default_prng_impl(PrngImpl::Rbg);
    assert_eq!(
        make.call(Array::scalar(7i32))?.to_vec::<u32>()?,
        [0, 7, 0, 7]
    );
    let typed = jit(|seed: Array| random::typed_key_from_seed(&seed));
    assert_eq!(
        typed.call(Array::scalar(7i32))?.dtype(),
        DType::Key(PrngImpl::Rbg)
    );
    drop(guard);
    Ok(())
}

#[test]
fn rng_bit_generator_under_jit_vmap_and_grad() -> Result<()> {
    let _config = with_default(PrngImpl::Threefry2x32);
    let key = random::prng_key_with_impl(0, PrngImpl::Rbg);
    let (next, bits) = lax::rng_bit_generator(&key, &[5], DType::U32);
    check("bits(key(0,rbg),(5,))", &bits)?;
    assert_eq!(next.shape(), [4]);
    let jitted = jit(|k: Array| lax::rng_bit_generator(&k, &[5], DType::U32).1);
    check("bits(key(0,rbg),(5,))", &jitted.call(key.clone())?)?;
    // JAX's batching rule: the first key makes the whole batch's bits.
    let keys = random::key_data(random::split(random::key_with_impl(0, PrngImpl::Rbg), 2));
    let batched = vmap(|k: Array| lax::rng_bit_generator(&k, &[3], DType::U32).1, 0)(keys)?;
    check("vmap(bits)(split(key(0,rbg),2))", &batched)?;
    // No derivative flows through the bits; the function's other inputs still have one.
    let f = |x: Array| {
        let bits = lax::rng_bit_generator(&key, &[3], DType::U32).1;
        (&x * &bits.astype(DType::F32)).sum()
    };
    let dx = rjax::grad(f)(Array::from([1.0f32, 2.0, 3.0]))?;
    let bits = lax::rng_bit_generator(&key, &[3], DType::U32).1;
    assert_eq!(
        dx.to_vec::<f32>()?,
        bits.astype(DType::F32).to_vec::<f32>()?
    );
    let message = panic_message(|| drop(lax::rng_bit_generator(PRNGKey(0), &[2], DType::U32)));
    assert!(
        message.contains("rng_bit_generator") && message.contains("u32[2]"),
        "{message}"
    );
    Ok(())
}
