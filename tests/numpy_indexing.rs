//! NumPy indexing (`Array::index`) and JAX's functional updates (`Array::at`) against JAX:
//! every case of `tests/golden/numpy_indexing.txt` (written by
//! `tests/golden/numpy_indexing.py`) eagerly, a selection under `jit` with the index arrays
//! traced, batched under `vmap`, derivatives through `check_grads` and closed forms, the
//! primitives each kind of index lowers to, and the panics of bad indices.

mod common;

use common::golden::{Golden, values};
use common::panic_message;

use anyhow::{Result, ensure};
use rjax::lax::GatherScatterMode;
use rjax::numpy::{Index, Slice};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, Scalar, grad, idx, jit, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/numpy_indexing.txt"));

/// Asserts that `x` matches the golden case `name`.
fn check(name: &str, x: &Array) -> Result<()> {
    GOLDEN.check(name, x)
}

/// The inputs of `tests/golden/numpy_indexing.py`.
struct Inputs {
    x: Array,
    v: Array,
    i: Array,
    mask: Array,
    rows: Array,
}

fn inputs() -> Inputs {
    rjax::config::enable_x64(true);
    let x: Vec<f64> = (0..24).map(|k| f64::from(k) * 0.5 - 3.0).collect();
    let v: Vec<f64> = (0..10).map(|k| f64::from(k) * 1.25 - 3.0).collect();
    let i: Vec<i64> = (0..12).map(|k| k - 5).collect();
    let mask: Vec<bool> = (0..12).map(|k| k % 3 == 0).collect();
    Inputs {
        x: Array::from_slice(&x, &[2, 3, 4]).expect("sizes match"),
        v: Array::from_vec(v),
        i: Array::from_slice(&i, &[3, 4]).expect("sizes match"),
        mask: Array::from_slice(&mask, &[3, 4]).expect("sizes match"),
        rows: Array::from([[2i64, 0, 2], [1, 1, -1]]),
    }
}

fn ints(values: &[i64]) -> Array {
    Array::from_vec(values.to_vec())
}

#[test]
fn basic_indexing() -> Result<()> {
    let Inputs { x, v, .. } = inputs();
    check("idx_int", &x.index(&idx![1]))?;
    check("idx_int_neg", &x.index(&idx![-2]))?;
    check("idx_int_int", &x.index(&idx![1, -2]))?;
    check("idx_scalar", &x.index(&idx![0, 1, 2]))?;
    check("idx_slice", &v.index(&idx![2..7]))?;
    check("idx_slice_step", &v.index(&idx![1..9;3]))?;
    check("idx_reverse", &v.index(&idx![..;-1]))?;
    check("idx_neg_step", &v.index(&idx![8..1;-3]))?;
    check("idx_neg_start", &v.index(&idx![-3..]))?;
    check("idx_wide_bounds", &v.index(&idx![-20..50]))?;
    check("idx_empty_slice", &v.index(&idx![5..2]))?;
    check("idx_empty_neg_step", &v.index(&idx![2..5;-1]))?;
    check("idx_inclusive", &v.index(&idx![2..=4]))?;
    check("idx_reverse", &v.index(&idx![..=-1;-1]))?;
    check("idx_mixed", &x.index(&idx![.., 1..3, ..;-2]))?;
    check("idx_newaxis", &x.index(&idx![NewAxis, 0, .., NewAxis]))?;
    check("idx_ellipsis", &x.index(&idx![..., 1]))?;
    check("idx_ellipsis_mid", &x.index(&idx![1, ..., ..;2]))?;
    check("idx_ellipsis_newaxis", &x.index(&idx![..., NewAxis]))?;
    // Index values built by hand, and an empty index list.
    let by_hand = [
        Index::Int(1),
        Index::Slice(Slice::new(None, None, Some(-2))),
    ];
    ensure!(values(&x.index(&by_hand))? == values(&x.index(&idx![1, ..;-2]))?);
    ensure!(values(&x.index(&[]))? == values(&x)?);
    Ok(())
}

#[test]
fn advanced_indexing() -> Result<()> {
    let Inputs { x, v, i, mask, .. } = inputs();
    check("idx_fancy", &v.index(&idx![[1, 3, -1, 3]]))?;
    check("idx_fancy_2d", &v.index(&idx![[[0, 1], [2, 3]]]))?;
    check("idx_fancy_axis1", &x.index(&idx![.., [2, 0]]))?;
    check("idx_fancy_pair", &x.index(&idx![.., [0, 2], [1, 3]]))?;
    check(
        "idx_fancy_broadcast",
        &x.index(&idx![[[0], [1]], .., [0, 3, 1]]),
    )?;
    check("idx_fancy_separated", &x.index(&idx![[0, 1], .., [1, 2]]))?;
    check(
        "idx_fancy_int_adjacent",
        &x.index(&idx![0, [[0], [2]], [1, 3]]),
    )?;
    check("idx_fancy_int_separated", &x.index(&idx![1, .., [0, 2]]))?;
    check(
        "idx_fancy_separated_later",
        &x.index(&idx![.., [0, 2], NewAxis, [1, 3]]),
    )?;
    check(
        "idx_fancy_int_separated_later",
        &x.index(&idx![.., 1, NewAxis, [0, 3]]),
    )?;
    check("idx_fancy_newaxis", &x.index(&idx![NewAxis, [1, 0], 1..]))?;
    check("idx_fancy_neg_step", &x.index(&idx![[1, 0], ..;-1, 1]))?;
    check("idx_fancy_strided", &x.index(&idx![.., ..;2, [3, 0]]))?;
    check("idx_fancy_clamped", &v.index(&idx![[12, -20]]))?;
    check("idx_fancy_empty", &v.index(&idx![ints(&[])]))?;
    check("idx_fancy_int_dtype", &i.index(&idx![ints(&[2, 0]), 1..3]))?;
    check("idx_scalar_array", &x.index(&idx![Array::scalar(1i64)]))?;
    check(
        "idx_scalar_array_slice",
        &x.index(&idx![Array::scalar(-1i32), 1.., 2]),
    )?;
    check("idx_mask", &v.index(&idx![v.gt(4.5)]))?;
    check("idx_mask_2d", &x.index(&idx![0]).index(&idx![&mask]))?;
    check("idx_mask_axis1", &x.index(&idx![.., [true, false, true]]))?;
    check("idx_mask_int", &x.index(&idx![1, vec![true, false, true]]))?;
    check("idx_mask_none", &v.index(&idx![vec![false; 10]]))?;
    check("idx_mask_3d", &x.index(&idx![x.gt(5.0)]))?;
    Ok(())
}

#[test]
fn get_with_modes() -> Result<()> {
    let Inputs { x, v, .. } = inputs();
    check("get_default", &x.at(&idx![1, ..;-1]).get())?;
    let fill = v.at(&idx![[1, 12]]).mode(GatherScatterMode::FillOrDrop);
    check("get_fill", &fill.get())?;
    let minus_one = v
        .at(&idx![[1, 12, -11]])
        .mode(GatherScatterMode::FillOrDrop)
        .fill_value(Scalar::Float(-1.0));
    check("get_fill_value", &minus_one.get())?;
    check(
        "get_clip",
        &v.at(&idx![12]).mode(GatherScatterMode::Clip).get(),
    )?;
    Ok(())
}

#[test]
fn functional_updates() -> Result<()> {
    let Inputs { x, v, i, .. } = inputs();
    check("at_set_int", &v.at(&idx![3]).set(-1.0))?;
    check("at_set_column", &x.at(&idx![.., 1]).set(7.0))?;
    let column = Array::from([1.0f64, 2.0, 3.0]);
    check("at_set_broadcast", &x.at(&idx![.., .., 0]).set(&column))?;
    let five: Array = Array::from([0.0f64, 1.0, 2.0, 3.0, 4.0]);
    check("at_set_reverse", &v.at(&idx![..;-2]).set(&five))?;
    let tens = Array::from([10.0f64, 20.0, 30.0]);
    check("at_set_fancy", &v.at(&idx![[0, 2, 4]]).set(&tens))?;
    check("at_set_mask", &v.at(&idx![v.gt(6.0)]).set(0.0))?;
    let counting: Vec<f64> = (0..12).map(f64::from).collect();
    let block = Array::from_slice(&counting, &[1, 3, 4])?;
    check("at_set_newaxis", &x.at(&idx![NewAxis, 0]).set(&block))?;
    check("at_set_int_dtype", &i.at(&idx![1]).set(2.7))?;
    check("at_set_oob_int", &v.at(&idx![12]).set(5.0))?;
    check("at_add_repeated", &v.at(&idx![[1, 1, 3, 1]]).add(1.0))?;
    let ones = Array::from([[1.0f64; 3]; 2]);
    check(
        "at_add_separated",
        &x.at(&idx![[0, 1], .., [1, 2]]).add(&ones),
    )?;
    check("at_add_oob", &v.at(&idx![[2, 10, -11]]).add(100.0))?;
    check("at_add_ellipsis", &x.at(&idx![..., -1]).add(100.0))?;
    check("at_subtract", &v.at(&idx![[0, 0]]).subtract(1.0))?;
    check("at_multiply", &x.at(&idx![1, 1..]).multiply(2.0))?;
    check("at_mul_repeated", &v.at(&idx![[2, 2]]).mul(3.0))?;
    check("at_divide", &v.at(&idx![1..4]).divide(4.0))?;
    check("at_divide_int", &i.at(&idx![0]).divide(2))?;
    check("at_power", &v.at(&idx![[1, 2]]).power(2.0))?;
    let mins = Array::from([1.0f64, -2.0, 7.0]);
    check("at_min", &v.at(&idx![[3, 3, 5]]).min(&mins))?;
    check("at_max", &x.at(&idx![0, .., [1, 2]]).max(5.0))?;
    let clip = v.at(&idx![[12, -20]]).mode(GatherScatterMode::Clip);
    check("at_clip", &clip.set(9.0))?;
    // The result keeps x's dtype and weak type.
    let f32s = Array::from([1.0f32, 2.0]);
    ensure!(f32s.at(&idx![0]).set(Array::scalar(0.5f64)).dtype() == rjax::DType::F32);
    Ok(())
}

#[test]
fn under_jit_with_traced_indices() -> Result<()> {
    let Inputs { x, v, .. } = inputs();
    let column = jit(|(x, i): (Array, Array)| x.index(&idx![.., i]));
    check("idx_fancy_axis1", &column.call((x.clone(), ints(&[2, 0])))?)?;
    let separated = jit(|(x, i, j): (Array, Array, Array)| x.index(&idx![i, .., j]));
    let args = (x.clone(), ints(&[0, 1]), ints(&[1, 2]));
    check("idx_fancy_separated", &separated.call(args)?)?;
    let scalar = jit(|(x, i): (Array, Array)| x.index(&idx![i, 1.., 2]));
    let args = (x.clone(), Array::scalar(-1i64));
    check("idx_scalar_array_slice", &scalar.call(args)?)?;
    let add = jit(|(v, i): (Array, Array)| v.at(&idx![i]).add(1.0));
    check(
        "at_add_repeated",
        &add.call((v.clone(), ints(&[1, 1, 3, 1])))?,
    )?;
    let oob = jit(|(v, i, u): (Array, Array, Array)| v.at(&idx![i]).add(u));
    let args = (v.clone(), ints(&[2, 10, -11]), Array::scalar(100.0f64));
    check("at_add_oob", &oob.call(args)?)?;
    let clamped = jit(|(v, i): (Array, Array)| v.index(&idx![i]));
    check(
        "idx_fancy_clamped",
        &clamped.call((v.clone(), ints(&[12, -20])))?,
    )?;
    let scalar_set = jit(|(v, i, u): (Array, Array, Array)| v.at(&idx![i]).set(u));
    let args = (v.clone(), Array::scalar(3i32), Array::scalar(-1.0f64));
    check("at_set_int", &scalar_set.call(args)?)?;
    let static_part = jit(|x: Array| x.index(&idx![.., 1..3, ..;-2]));
    check("idx_mixed", &static_part.call(x.clone())?)?;
    // A concrete mask closed over is fine under jit.
    let mask = v.gt(6.0);
    let masked = jit(move |v: Array| v.at(&idx![&mask]).set(0.0));
    check("at_set_mask", &masked.call(v.clone())?)?;
    Ok(())
}

#[test]
fn lowerings() -> Result<()> {
    let Inputs { x, .. } = inputs();
    let jaxpr =
        |f: fn(Array) -> Array| -> Result<String> { Ok(jit(f).make_jaxpr(&x)?.to_string()) };
    // Static indices are slices, not gathers.
    let text = jaxpr(|x| x.index(&idx![1, 1..3, ..;-2]))?;
    ensure!(
        text.contains("slice[") && text.contains("rev[") && !text.contains("gather"),
        "{text}"
    );
    // A traced scalar index is a dynamic slice.
    let text = jit(|(x, i): (Array, Array)| x.index(&idx![.., i]))
        .make_jaxpr(&(x.clone(), Array::scalar(1i32)))?
        .to_string();
    ensure!(
        text.contains("dynamic_slice") && !text.contains("gather"),
        "{text}"
    );
    // Index arrays gather; updates scatter.
    let text = jaxpr(|x| x.index(&idx![.., [0, 2]]))?;
    ensure!(text.contains("gather["), "{text}");
    let text = jaxpr(|x| x.at(&idx![.., [0, 2]]).add(1.0))?;
    ensure!(text.contains("scatter-add["), "{text}");
    let text = jaxpr(|x| x.at(&idx![0]).max(1.0))?;
    ensure!(text.contains("scatter-max["), "{text}");
    Ok(())
}

#[test]
fn under_vmap() -> Result<()> {
    let Inputs { x, v, rows, .. } = inputs();
    let slice = vmap(|x: Array| x.index(&idx![1..3, ..;-1]), 0)(x.clone())?;
    check("vmap_x_slice", &slice)?;
    let fancy = vmap(|x: Array| x.index(&idx![[2, 0], 1]), 0)(x.clone())?;
    check("vmap_x_fancy", &fancy)?;
    let gathered = vmap(move |i: Array| v.index(&idx![i]), 0)(rows.clone())?;
    check("vmap_rows", &gathered)?;
    let first_two = rows.index(&idx![.., ..2]);
    let both = vmap(|(x, i): (Array, Array)| x.index(&idx![i, ..2]), 0)((x.clone(), first_two))?;
    check("vmap_both", &both)?;
    let scalars = ints(&[2, -1]);
    let scalar = vmap(|(x, i): (Array, Array)| x.index(&idx![i]), 0)((x.clone(), scalars))?;
    check("vmap_scalar", &scalar)?;
    let firsts = x.index(&idx![.., 0]);
    let added = vmap(|(x, i): (Array, Array)| x.at(&idx![i]).add(1.0), 0)((firsts, rows))?;
    check("vmap_at_add", &added)?;
    let updates = Array::from([[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let set = vmap(|(x, u): (Array, Array)| x.at(&idx![.., 1]).set(u), 0)((x, updates))?;
    check("vmap_at_set", &set)?;
    Ok(())
}

#[test]
fn gradients() -> Result<()> {
    let Inputs { x, v, .. } = inputs();
    let both = [Mode::Fwd, Mode::Rev];
    let gathers: [fn(Array) -> Array; 6] = [
        |x| x.index(&idx![[[1], [0]], .., [3, 3, 1]]).sin(),
        |x| x.index(&idx![.., ..;-2, [3, 0]]),
        |x| x.index(&idx![1, ..;-2, 1..]),
        |x| x.index(&idx![Array::scalar(1i64), NewAxis, ..]),
        |x| x.index(&idx![x.gt(1.2)]) * 2.0,
        |x| x.at(&idx![..., [0, 0, 2]]).mul(1.5),
    ];
    for f in gathers {
        check_grads(f, x.clone(), 2, &both, None, None, None)?;
    }
    // Updates, with respect to both the array and the values.
    let updates: [fn((Array, Array)) -> Array; 4] = [
        |(x, u)| x.at(&idx![.., [2, 0]]).set(u.index(&idx![..2]).sin()),
        |(x, u)| x.at(&idx![[1, 1], ..;-1]).add(&u) * &x,
        |(x, u)| x.at(&idx![1..2, ..;2]).divide(u.index(&idx![..2])),
        |(x, u)| {
            let low = x.at(&idx![[0, 1], 2]).min(u.index(&idx![1..3]));
            low + x.at(&idx![0, [1, 0]]).max(u.index(&idx![0]))
        },
    ];
    let matrix = x.index(&idx![0]);
    let u = Array::from([0.3f64, -0.7, 1.1, 2.2]);
    for f in updates {
        check_grads(f, (matrix.clone(), u.clone()), 2, &both, None, None, None)?;
    }
    // Closed forms: d/dv sum(v[i]) counts each index; d/du sum(v.at[i].set(u)) is one per
    // update, and the overwritten elements of v get no gradient.
    let counted = grad(|v: Array| v.index(&idx![[1, 1, 3]]).sum())(v.clone())?;
    ensure!(values(&counted)? == [0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let u = Array::from([5.0f64, 6.0]);
    let du = grad(|u: Array| v.at(&idx![[0, 2]]).set(&u).sum())(u.clone())?;
    ensure!(values(&du)? == [1.0, 1.0]);
    let dv = grad(|v: Array| v.at(&idx![[0, 2]]).set(&u).sum())(v.clone())?;
    ensure!(values(&dv)? == [0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    Ok(())
}

#[test]
fn bad_indices_panic() -> Result<()> {
    let Inputs { x, v, .. } = inputs();
    let message = panic_message(|| {
        x.index(&idx![0, 0, 0, 0]);
    });
    ensure!(
        message.contains("index: too many indices") && message.contains("f64[2,3,4]"),
        "{message}"
    );
    let message = panic_message(|| {
        v.index(&idx![10]);
    });
    ensure!(
        message.contains("index 10 is out of bounds for axis 0 with size 10"),
        "{message}"
    );
    let message = panic_message(|| {
        v.index(&idx![.., vec![1.0f64]]);
    });
    ensure!(
        message.contains("integer or boolean dtype") && message.contains("f64[1]"),
        "{message}"
    );
    let message = panic_message(|| {
        v.index(&idx![vec![true, false]]);
    });
    ensure!(
        message.contains("shape [2]") && message.contains("shape [10]"),
        "{message}"
    );
    let message = panic_message(|| {
        let masked = jit(|(v, m): (Array, Array)| v.index(&idx![m]));
        let _: Result<Array, _> = masked.call((v.clone(), v.gt(0.0)));
    });
    ensure!(
        message.contains("NonConcreteBooleanIndexError") && message.contains("bool[10]"),
        "{message}"
    );
    let message = panic_message(|| {
        v.at(&idx![[0, 1]]).set(Array::from([1.0f64, 2.0, 3.0]));
    });
    ensure!(
        message.contains("at().set: cannot broadcast") && message.contains("f64[3]"),
        "{message}"
    );
    let message = panic_message(|| {
        x.index(&idx![[0, 1], .., [0, 1, 2]]);
    });
    ensure!(
        message.contains("could not be broadcast together"),
        "{message}"
    );
    let message = panic_message(|| {
        x.index(&idx![..., 0, ...]);
    });
    ensure!(message.contains("single ellipsis"), "{message}");
    let message = panic_message(|| {
        v.index(&idx![..;0]);
    });
    ensure!(message.contains("slice step cannot be zero"), "{message}");
    Ok(())
}
