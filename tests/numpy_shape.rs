//! The joining, tiling, padding, take and sorting functions of `rjax::numpy` against NumPy and
//! JAX: every case eagerly and under one `jit` against `tests/golden/numpy_shape.txt` (written
//! by `tests/golden/numpy_shape.py`), some under `vmap` against their axis forms, derivatives
//! through `check_grads`, and the panics of bad input.

mod common;

use common::golden::{Golden, close, values};
use common::panic_message;

use anyhow::{Context, Result, ensure};
use rjax::numpy::{
    self as jnp, PadMode, ReflectType, Side, Sides, SortOptions, Split, TakeMode, UniqueOptions,
};
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, IntoArray, jit, vmap};

/// The sorting, searching and `unique` cases.
#[path = "numpy_shape/sorting.rs"]
mod sorting;

const GOLDEN: Golden = Golden(include_str!("golden/numpy_shape.txt"));

fn host(f: impl Fn(f64) -> f64, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

fn ints(data: &[i64], shape: &[usize]) -> Array {
    Array::from_slice(data, shape).expect("sizes match")
}

fn floats(data: &[f64]) -> Array {
    Array::from_vec(data.to_vec())
}

/// The inputs of `tests/golden/numpy_shape.py`, in one order so that they pass through `jit`
/// as a list.
#[derive(Clone)]
struct Inputs {
    a: Array,
    m: Array,
    v: Array,
    w: Array,
    i: Array,
    f: Array,
    b: Array,
    nans: Array,
    dup: Array,
    sorted: Array,
    sorted_nan: Array,
    query: Array,
}

impl Inputs {
    fn new() -> Inputs {
        rjax::config::enable_x64(true);
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        let f32s: Vec<f32> = (0..6).map(|k| (f64::from(k) * 0.9).cos() as f32).collect();
        let nans: Vec<f32> = vec![3.0, f32::NAN, -1.0, 0.0, -0.0, f32::INFINITY];
        let nans = [nans, vec![f32::NEG_INFINITY, 2.0, f32::NAN, -1.0]].concat();
        let m = host(|k| (k * 0.7 + 0.3).sin(), &[3, 4]);
        Inputs {
            a: host(|k| (k * 1.3).sin(), &[2, 3, 4]),
            b: m.gt(0),
            m,
            v: floats(&[1.5, -2.0, 0.5, 3.0]),
            w: floats(&[7.0, 8.0]),
            i: ints(&(0..12).map(|k| k - 5).collect::<Vec<_>>(), &[3, 4]),
            f: Array::from_slice(&f32s, &[2, 3]).expect("sizes match"),
            nans: Array::from_vec(nans),
            dup: ints(&[3, 1, 2, 1, 3, 0, 2, 1], &[8]),
            sorted: floats(&[0.0, 1.0, 1.0, 2.0, 3.5, 7.0]),
            sorted_nan: floats(&[-inf, 1.0, 2.0, 2.0, inf, nan, nan]),
            query: floats(&[nan, 2.0, -inf, inf, 0.5, 9.0]),
        }
    }

    fn leaves(&self) -> Vec<Array> {
        vec![
            self.a.clone(),
            self.m.clone(),
            self.v.clone(),
            self.w.clone(),
            self.i.clone(),
            self.f.clone(),
            self.b.clone(),
            self.nans.clone(),
            self.dup.clone(),
            self.sorted.clone(),
            self.sorted_nan.clone(),
            self.query.clone(),
        ]
    }

    fn from_leaves(leaves: Vec<Array>) -> Inputs {
        let [a, m, v, w, i, f, b, nans, dup, sorted, sorted_nan, query]: [Array; 12] =
            leaves.try_into().expect("twelve inputs");
        Inputs {
            a,
            m,
            v,
            w,
            i,
            f,
            b,
            nans,
            dup,
            sorted,
            sorted_nan,
            query,
        }
    }
}

/// A golden case: its name and how to compute it from the inputs.
type Case = (&'static str, fn(&Inputs) -> Array);

/// Checks every case eagerly, then all of them again inside one jitted function.
fn check_cases(cases: &[Case]) -> Result<()> {
    let x = Inputs::new();
    for (name, f) in cases {
        GOLDEN.check(name, &f(&x)).context("eager")?;
    }
    let all = jit(|leaves: Vec<Array>| {
        let x = Inputs::from_leaves(leaves);
        cases.iter().map(|(_, f)| f(&x)).collect::<Vec<Array>>()
    });
    let outputs: Vec<Array> = all.call(x.leaves())?;
    for ((name, _), out) in cases.iter().zip(&outputs) {
        GOLDEN.check(name, out).context("under jit")?;
    }
    Ok(())
}

#[test]
fn joining() -> Result<()> {
    let s = |v: f64| Array::scalar(v);
    let two = |x: &Inputs| &x.v * 2;
    check_cases(&[
        ("hstack_1d", |x| jnp::hstack(&[&x.v, &x.w])),
        ("hstack_2d", |x| jnp::hstack(&[&x.m, &x.i])),
        ("hstack_0d", |_| {
            jnp::hstack(&[&Array::scalar(1.0f64), &Array::scalar(2.0f64)])
        }),
        ("vstack_1d", |x| jnp::vstack(&[&x.v, &(&x.v * 2)])),
        ("vstack_mixed", |x| jnp::vstack(&[&x.m, &x.v])),
        ("dstack_2d", |x| jnp::dstack(&[&x.m, &x.i])),
        ("dstack_1d", |x| jnp::dstack(&[&x.v, &x.v])),
        ("column_stack_1d", |x| {
            jnp::column_stack(&[&x.v, &(&x.v * 2)])
        }),
        ("column_stack_mixed", |x| {
            jnp::column_stack(&[&jnp::transpose(&x.m, None), &x.v])
        }),
        ("atleast_1d", |_| jnp::atleast_1d(Array::scalar(2.5f64))),
        ("atleast_2d_0d", |_| jnp::atleast_2d(Array::scalar(2.5f64))),
        ("atleast_2d_1d", |x| jnp::atleast_2d(&x.v)),
        ("atleast_3d_1d", |x| jnp::atleast_3d(&x.v)),
        ("atleast_3d_2d", |x| jnp::atleast_3d(&x.m)),
        ("array_split_3_0", |x| {
            jnp::array_split(&x.a, Split::Sections(3), 2).remove(0)
        }),
        ("array_split_3_1", |x| {
            jnp::array_split(&x.a, Split::Sections(3), 2).remove(1)
        }),
        ("array_split_3_2", |x| {
            jnp::array_split(&x.a, Split::Sections(3), 2).remove(2)
        }),
        ("array_split_5_2", |x| {
            jnp::array_split(&x.m, Split::Sections(5), 0).remove(2)
        }),
        ("array_split_5_4", |x| {
            jnp::array_split(&x.m, Split::Sections(5), 0).remove(4)
        }),
        ("array_split_idx_1", |x| {
            jnp::array_split(&x.i, Split::Indices(vec![3, 1]), -1).remove(1)
        }),
        ("array_split_idx_2", |x| {
            jnp::array_split(&x.i, Split::Indices(vec![3, 1]), -1).remove(2)
        }),
    ])?;
    // Part counts, and the scalar forms keep their values.
    let x = Inputs::new();
    ensure!(jnp::array_split(&x.m, Split::Sections(5), 0).len() == 5);
    ensure!(jnp::array_split(&x.i, Split::Indices(vec![3, 1]), 1).len() == 3);
    ensure!(jnp::atleast_3d(&x.a).shape() == [2, 3, 4]);
    ensure!(jnp::vstack(&[&s(1.0), &s(2.0)]).shape() == [2, 1]);
    ensure!(jnp::stack(&[&x.v, &two(&x)], -1).shape() == [4, 2]);
    // Promotion: int32 with a weak float stays float32... via concatenate's rules.
    let i32s = Array::from([1i32, 2]);
    ensure!(jnp::hstack(&[&i32s, &Array::from([0.5f32])]).dtype() == rjax::DType::F32);
    Ok(())
}

#[test]
fn tiling_and_rotation() -> Result<()> {
    check_cases(&[
        ("tile_1d", |x| jnp::tile(&x.v, &[2])),
        ("tile_grow", |x| jnp::tile(&x.m, &[2, 1, 3])),
        ("tile_short", |x| jnp::tile(&x.i, &[2])),
        ("tile_bool", |x| jnp::tile(&x.b, &[1, 2])),
        ("tile_0d", |_| jnp::tile(Array::scalar(4.0f64), &[2, 2])),
        ("tile_f32", |x| jnp::tile(&x.f, &[2, 1])),
        ("repeat_flat", |x| jnp::repeat(&x.m, &[2], None)),
        ("repeat_each", |x| jnp::repeat(&x.m, &[1, 0, 2], Some(0))),
        ("repeat_last", |x| jnp::repeat(&x.a, &[3], Some(-1))),
        ("repeat_int", |x| jnp::repeat(&x.i, &[2, 0, 1, 3], Some(1))),
        ("repeat_0d", |_| {
            jnp::repeat(Array::scalar(1.5f64), &[3], None)
        }),
        ("roll_1d", |x| jnp::roll(&x.v, &[1], None)),
        ("roll_flat", |x| jnp::roll(&x.m, &[-5], None)),
        ("roll_axes", |x| jnp::roll(&x.a, &[1, -2], Some(&[0, 2]))),
        ("roll_same_axis", |x| jnp::roll(&x.a, &[2, 1], Some(&[1]))),
        ("roll_int", |x| jnp::roll(&x.i, &[3], Some(&[-1]))),
        ("roll_f32", |x| jnp::roll(&x.f, &[1, 7], Some(&[0, 1]))),
        ("rot90_1", |x| jnp::rot90(&x.m, 1, [0, 1])),
        ("rot90_2", |x| jnp::rot90(&x.m, 2, [0, 1])),
        ("rot90_3", |x| jnp::rot90(&x.m, 3, [0, 1])),
        ("rot90_neg", |x| jnp::rot90(&x.m, -1, [0, 1])),
        ("rot90_axes", |x| jnp::rot90(&x.a, 1, [2, 1])),
        ("flipud", |x| jnp::flipud(&x.m)),
        ("fliplr", |x| jnp::fliplr(&x.a)),
    ])?;
    let x = Inputs::new();
    ensure!(jnp::rot90(&x.m, 4, [0, 1]).shape() == [3, 4]);
    ensure!(jnp::tile(&x.m, &[0, 2]).shape() == [0, 8]);
    ensure!(jnp::repeat(&x.m, &[0], Some(1)).shape() == [3, 0]);
    ensure!(jnp::roll(jnp::zeros(&[0, 2], None), &[3], Some(&[0])).shape() == [0, 2]);
    Ok(())
}

fn c(value: f64) -> Array {
    value.into_array()
}

#[test]
fn padding() -> Result<()> {
    use ReflectType::{Even, Odd};
    check_cases(&[
        ("pad_constant", |x| {
            jnp::pad(&x.m, vec![(1, 2), (0, 3)], &PadMode::default())
        }),
        ("pad_constant_values", |x| {
            let values = Sides::PerAxis(vec![(c(-1.0), c(-2.0)), (c(-3.0), c(-4.0))]);
            jnp::pad(&x.m, vec![(1, 2), (2, 1)], &PadMode::Constant(values))
        }),
        ("pad_constant_int", |x| {
            jnp::pad(&x.i, 2, &PadMode::constant(7))
        }),
        ("pad_constant_f32", |x| {
            jnp::pad(&x.f, (1, 0), &PadMode::constant(0.5))
        }),
        ("pad_empty", |_| {
            jnp::pad(jnp::zeros(&[0, 3], None), 1, &PadMode::constant(2.0))
        }),
        ("pad_edge", |x| jnp::pad(&x.m, (2, 3), &PadMode::Edge)),
        ("pad_edge_3d", |x| {
            jnp::pad(&x.a, vec![(0, 1), (1, 0), (2, 2)], &PadMode::Edge)
        }),
        ("pad_reflect", |x| {
            jnp::pad(&x.m, vec![(2, 3), (3, 1)], &PadMode::Reflect(Even))
        }),
        ("pad_reflect_long", |x| {
            jnp::pad(&x.v, (7, 9), &PadMode::Reflect(Even))
        }),
        ("pad_reflect_odd", |x| {
            jnp::pad(&x.v, (5, 6), &PadMode::Reflect(Odd))
        }),
        ("pad_reflect_single", |_| {
            jnp::pad(floats(&[5.0]), 3, &PadMode::Reflect(Even))
        }),
        ("pad_reflect_int", |x| {
            jnp::pad(&x.i, 1, &PadMode::Reflect(Even))
        }),
        ("pad_symmetric", |x| {
            jnp::pad(&x.m, vec![(4, 1), (2, 5)], &PadMode::Symmetric(Even))
        }),
        ("pad_symmetric_odd", |x| {
            jnp::pad(&x.v, (3, 6), &PadMode::Symmetric(Odd))
        }),
        ("pad_wrap", |x| {
            jnp::pad(&x.m, vec![(4, 1), (2, 9)], &PadMode::Wrap)
        }),
        ("pad_wrap_f32", |x| {
            jnp::pad(&x.f, vec![(0, 3), (1, 1)], &PadMode::Wrap)
        }),
    ])?;
    // A rank-0 array has nothing to pad; weak constants keep the array's dtype.
    let x = Inputs::new();
    let scalar = jnp::pad(Array::scalar(3.0f32), 2, &PadMode::Edge);
    ensure!(scalar.shape().is_empty() && scalar.item::<f32>()? == 3.0);
    ensure!(jnp::pad(&x.f, 1, &PadMode::constant(1)).dtype() == rjax::DType::F32);
    Ok(())
}

#[test]
fn taking() -> Result<()> {
    check_cases(&[
        ("take_axis", |x| {
            jnp::take(&x.a, ints(&[2, 0, 1, 3], &[2, 2]), Some(2), TakeMode::Fill)
        }),
        ("take_flat", |x| {
            jnp::take(&x.m, ints(&[0, 5, -1, 11], &[4]), None, TakeMode::Fill)
        }),
        ("take_fill", |x| {
            jnp::take(
                &x.m,
                ints(&[0, 4, -1, -5, 7], &[5]),
                Some(1),
                TakeMode::Fill,
            )
        }),
        ("take_fill_int", |x| {
            jnp::take(&x.i, ints(&[1, 3, -4], &[3]), Some(0), TakeMode::default())
        }),
        ("take_clip", |x| {
            jnp::take(&x.m, ints(&[-3, 1, 9], &[3]), Some(1), TakeMode::Clip)
        }),
        ("take_wrap", |x| {
            jnp::take(&x.m, ints(&[-3, 1, 9], &[3]), Some(1), TakeMode::Wrap)
        }),
        ("take_scalar", |x| {
            jnp::take(&x.m, Array::scalar(2i64), Some(1), TakeMode::Fill)
        }),
        ("take_empty", |x| {
            jnp::take(&x.m, ints(&[], &[0]), Some(0), TakeMode::Fill)
        }),
        ("take_bool", |x| {
            jnp::take(&x.b, ints(&[3, 0], &[2]), Some(1), TakeMode::Fill)
        }),
        ("take_along_sort", |x| {
            let order = jnp::argsort_with(&x.a, SortOptions::along(1));
            jnp::take_along_axis(&x.a, &order, Some(1), TakeMode::Fill)
        }),
        ("take_along_bcast", |x| {
            jnp::take_along_axis(&x.m, ints(&[0, 3, 1], &[1, 3]), Some(1), TakeMode::Fill)
        }),
        ("take_along_arr1", |x| {
            let first = jnp::split(&x.m, Split::Indices(vec![1]), 0).remove(0);
            let indices = ints(&[0, 3, 2, 2, 1, 0], &[3, 2]);
            jnp::take_along_axis(&first, &indices, Some(1), TakeMode::Fill)
        }),
        ("take_along_flat", |x| {
            jnp::take_along_axis(&x.m, ints(&[11, 0, -1, 4], &[4]), None, TakeMode::Fill)
        }),
        ("take_along_fill", |x| {
            jnp::take_along_axis(&x.m, ints(&[0, 4, -5], &[3, 1]), Some(1), TakeMode::Fill)
        }),
        ("take_along_clip", |x| {
            jnp::take_along_axis(&x.m, ints(&[0, 4, -5], &[3, 1]), Some(1), TakeMode::Clip)
        }),
    ])?;
    // Small unsigned and signed index dtypes work too.
    let x = Inputs::new();
    let u8s = Array::from_vec(vec![3u8, 0]);
    let i8s = Array::from_vec(vec![-1i8, 0]);
    let want = values(&jnp::take(&x.v, ints(&[3, 0], &[2]), None, TakeMode::Fill))?;
    ensure!(values(&jnp::take(&x.v, &u8s, None, TakeMode::Fill))? == want);
    ensure!(values(&jnp::take(&x.v, &i8s, None, TakeMode::Fill))? == want);
    Ok(())
}

#[test]
fn under_vmap() -> Result<()> {
    let x = Inputs::new();
    let same = |got: &Array, want: &Array| -> Result<()> {
        ensure!(
            got.shape() == want.shape(),
            "{:?} != {:?}",
            got.shape(),
            want.shape()
        );
        ensure!(
            close(&values(got)?, &values(want)?, 0.0),
            "{got:?} != {want:?}"
        );
        Ok(())
    };
    let got = vmap(
        |row: Array| jnp::sort_with(&row, SortOptions::flattened()),
        0,
    )(x.m.clone())?;
    same(&got, &jnp::sort_with(&x.m, SortOptions::along(1)))?;
    let order = jnp::argsort_with(&x.m, SortOptions::along(1).descending());
    let got = vmap(
        |(row, idx): (Array, Array)| jnp::take_along_axis(&row, &idx, Some(0), TakeMode::Fill),
        0,
    )((x.m.clone(), order.clone()))?;
    same(
        &got,
        &jnp::take_along_axis(&x.m, &order, Some(1), TakeMode::Fill),
    )?;
    // Batched queries, and batched sorted arrays with their queries.
    let queries = &x.m * 5;
    let got = vmap(|q: Array| jnp::searchsorted(&x.sorted, q, Side::Right), 0)(queries.clone())?;
    same(&got, &jnp::searchsorted(&x.sorted, &queries, Side::Right))?;
    let sorted_rows = jnp::sort_with(&x.m, SortOptions::along(1));
    let got = vmap(
        |(a, q): (Array, Array)| jnp::searchsorted(&a, q, Side::Left),
        0,
    )((sorted_rows.clone(), &x.m * 0.5))?;
    for r in 0..3 {
        let pick = |y: &Array| jnp::take(y, Array::scalar(r as i64), Some(0), TakeMode::Fill);
        let want = jnp::searchsorted(pick(&sorted_rows), pick(&(&x.m * 0.5)), Side::Left);
        same(&pick(&got), &want)?;
    }
    let mode = PadMode::Reflect(ReflectType::Even);
    let got = vmap(|row: Array| jnp::pad(&row, (2, 5), &mode), 0)(x.m.clone())?;
    same(&got, &jnp::pad(&x.m, vec![(0, 0), (2, 5)], &mode))?;
    let got = vmap(|row: Array| jnp::roll(&row, &[-3], None), 1)(x.m.clone())?;
    same(
        &got,
        &jnp::transpose(jnp::roll(&x.m, &[-3], Some(&[0])), None),
    )?;
    let got = vmap(
        |row: Array| jnp::take(&row, ints(&[2, -1], &[2]), None, TakeMode::Fill),
        0,
    )(x.a.clone())?;
    same(
        &got,
        &jnp::take(
            jnp::reshape(&x.a, &[2, 12]),
            ints(&[2, 11], &[2]),
            Some(1),
            TakeMode::Fill,
        ),
    )?;
    Ok(())
}

/// A boxed function of one array.
type Unary = Box<dyn Fn(Array) -> Array>;

/// Forward and reverse derivatives against finite differences.
#[test]
fn gradients() -> Result<()> {
    use ReflectType::{Even, Odd};
    let x = Inputs::new();
    let modes = [Mode::Fwd, Mode::Rev];
    let pads = [
        PadMode::constant(1.5),
        PadMode::Edge,
        PadMode::Reflect(Even),
        PadMode::Reflect(Odd),
        PadMode::Symmetric(Even),
        PadMode::Symmetric(Odd),
        PadMode::Wrap,
    ];
    for mode in pads {
        let f = |a: Array| jnp::pad(&a, vec![(2, 1), (0, 5)], &mode);
        check_grads(f, x.m.clone(), 1, &modes, None, None, None)
            .with_context(|| format!("pad {mode:?}"))?;
    }
    // The constant values are differentiable too.
    let with_constant = |(a, value): (Array, Array)| {
        jnp::pad(
            &a,
            1,
            &PadMode::Constant(Sides::Both(value.clone(), &value * 2)),
        )
    };
    check_grads(
        with_constant,
        (x.v.clone(), Array::scalar(0.5f64)),
        1,
        &modes,
        None,
        None,
        None,
    )
    .context("pad constant values")?;
    let index = ints(&[2, 0, 3, 3, 1, 0], &[2, 3]);
    let order = jnp::argsort(&x.a);
    let checks: Vec<(&str, Unary)> = vec![
        ("tile", Box::new(|a| jnp::tile(&a, &[2, 1, 2]))),
        ("repeat", Box::new(|a| jnp::repeat(&a, &[3], Some(1)))),
        (
            "repeat_each",
            Box::new(|a| jnp::repeat(&a, &[2, 0, 1, 1], Some(-1))),
        ),
        ("roll", Box::new(|a| jnp::roll(&a, &[1, -2], Some(&[0, 2])))),
        (
            "take",
            Box::new(move |a| jnp::take(&a, &index, Some(2), TakeMode::Fill)),
        ),
        (
            "take_clip",
            Box::new(|a| jnp::take(&a, ints(&[-2, 5, 1], &[3]), Some(-1), TakeMode::Clip)),
        ),
        (
            "take_wrap",
            Box::new(|a| jnp::take(&a, ints(&[-2, 5, 1], &[3]), None, TakeMode::Wrap)),
        ),
        (
            "take_along_axis",
            Box::new(move |a| jnp::take_along_axis(&a, &order, Some(-1), TakeMode::Fill)),
        ),
        (
            "sort",
            Box::new(|a| jnp::sort_with(&a, SortOptions::along(1))),
        ),
        (
            "sort_flat",
            Box::new(|a| jnp::sort_with(&a, SortOptions::flattened().descending())),
        ),
    ];
    for (name, f) in checks {
        check_grads(|a: Array| f(a), x.a.clone(), 1, &modes, None, None, None)
            .with_context(|| name.to_string())?;
    }
    Ok(())
}

/// A call that must panic.
type Misuse<'a> = Box<dyn Fn() + 'a>;

#[test]
fn errors() -> Result<()> {
    let x = Inputs::new();
    let cases: Vec<(Misuse, &str)> = vec![
        (
            Box::new(|| {
                jnp::concatenate(&[&Array::scalar(1.0f64)], 0);
            }),
            "zero-dimensional arrays cannot be concatenated",
        ),
        (
            Box::new(|| {
                jnp::stack(&[&x.m, &x.v], 0);
            }),
            "stack: all input arrays must have the same shape",
        ),
        (
            Box::new(|| {
                jnp::array_split(&x.m, Split::Sections(0), 0);
            }),
            "array_split: the number of sections must be larger than 0",
        ),
        (
            Box::new(|| {
                jnp::repeat(&x.m, &[1, 2], Some(1));
            }),
            "repeat: 2 repeat counts do not match axis 1 of length 4",
        ),
        (
            Box::new(|| {
                jnp::roll(&x.a, &[1, 2, 3], Some(&[0, 1]));
            }),
            "roll: shift [1, 2, 3] and axis [0, 1] must have the same length",
        ),
        (
            Box::new(|| {
                jnp::rot90(&x.m, 1, [1, -1]);
            }),
            "rot90: the axes must be different",
        ),
        (
            Box::new(|| {
                jnp::pad(jnp::zeros(&[0, 2], None), 1, &PadMode::Edge);
            }),
            "pad: cannot extend the empty axis 0 of f64[0,2]",
        ),
        (
            Box::new(|| {
                jnp::pad(&x.a, vec![(1, 1), (2, 2)], &PadMode::Wrap);
            }),
            "pad: 2 pad width pairs given for an array of rank 3",
        ),
        (
            Box::new(|| {
                jnp::take(&x.m, &x.v, Some(0), TakeMode::Fill);
            }),
            "take: indices must be integers, got f64[4]",
        ),
        (
            Box::new(|| {
                jnp::take(
                    jnp::zeros(&[0], None),
                    ints(&[0], &[1]),
                    None,
                    TakeMode::Fill,
                );
            }),
            "take: cannot take a non-empty selection",
        ),
        (
            Box::new(|| {
                jnp::take_along_axis(&x.a, ints(&[0], &[1]), Some(0), TakeMode::Fill);
            }),
            "take_along_axis: indices and the array must have the same number of dimensions",
        ),
        (
            Box::new(|| {
                jnp::take_along_axis(&x.m, ints(&[0, 0], &[2, 1]), Some(1), TakeMode::Fill);
            }),
            "take_along_axis: the array f64[3,4] and indices i64[2,1] do not broadcast",
        ),
        (
            Box::new(|| {
                jnp::searchsorted(&x.m, 1.0, Side::Left);
            }),
            "searchsorted: the sorted array must be 1-D, got f64[3,4]",
        ),
        (
            Box::new(|| {
                jnp::lexsort(&[&x.v, &x.w], 0);
            }),
            "lexsort: all keys need the same shape",
        ),
        (
            Box::new(|| {
                jnp::sort_with(&x.m, SortOptions::along(2));
            }),
            "sort: axis 2 is out of bounds for an array of rank 2",
        ),
    ];
    for (f, want) in cases {
        let message = panic_message(f);
        ensure!(
            message.contains(want),
            "{message:?} does not contain {want:?}"
        );
    }
    // unique's shape depends on the values: under jit it needs a static size.
    let message = panic_message(|| {
        let traced = jit(|a: Array| jnp::unique(&a, &UniqueOptions::default()).values);
        let _: Result<Array, _> = traced.call(x.dup.clone());
    });
    ensure!(
        message.contains("unique without a static `size`")
            && message.contains("abstract tracer of type i64[8]"),
        "{message}"
    );
    Ok(())
}
