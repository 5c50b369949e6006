//! `vmap` against its definition: for every primitive family, `vmap(f)(xs)` equals `f` applied
//! to each slice of `xs` and stacked, with mapped axes 0, 1, -1 and unmapped inputs mixed in,
//! eagerly and under `jit`. Also: the jaxpr of a vmapped matrix-vector product, nested vmap,
//! per-example gradients, `grad` through `vmap`, `out_axes`/`axis_size`, and the errors. Every
//! test here runs in x64 mode (process-wide in this test binary).

use anyhow::ensure;
use rjax::lax::{
    self, GatherDimensionNumbers, GatherOptions, GatherScatterMode, ScatterDimensionNumbers,
};
use rjax::{Array, DType, InAxes, Scalar, grad, jit, vmap, vmap_with};

fn x64() {
    rjax::config::enable_x64(true);
}

/// Deterministic f64 test data of `shape`.
fn data(shape: &[usize], seed: f64) -> Array {
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n)
        .map(|i| ((i as f64 + 1.0 + seed) * 0.737).sin() * 2.0)
        .collect();
    Array::from_slice(&values, shape).unwrap()
}

/// An i32 array of `shape` holding `values`.
fn ints(values: &[i32], shape: &[usize]) -> Array {
    Array::from_slice(values, shape).unwrap()
}

/// Slice `i` of `x` along `axis`, the axis removed.
fn take(x: &Array, axis: usize, i: usize) -> Array {
    let mut start = vec![0; x.ndim()];
    let mut limit = x.shape().to_vec();
    start[axis] = i;
    limit[axis] = i + 1;
    lax::squeeze(lax::slice(x, &start, &limit, None), &[axis])
}

/// `ys` stacked along a new leading axis.
fn stack(ys: &[Array]) -> Array {
    let expanded: Vec<Array> = ys.iter().map(|y| lax::expand_dims(y, &[0])).collect();
    let refs: Vec<&Array> = expanded.iter().collect();
    lax::concatenate(&refs, 0)
}

fn host(x: &Array) -> Vec<f64> {
    x.astype(DType::F64).to_vec::<f64>().unwrap()
}

fn assert_same(got: &Array, want: &Array, what: &str) -> anyhow::Result<()> {
    ensure!(
        got.shape() == want.shape() && got.dtype() == want.dtype(),
        "{what}: got {:?}, want {:?}",
        got.aval(),
        want.aval()
    );
    let (g, w) = (host(got), host(want));
    for (a, b) in g.iter().zip(&w) {
        ensure!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: got {g:?}, want {w:?}"
        );
    }
    Ok(())
}

/// Checks `vmap(f)` with `axes` against `f` mapped over slices, eagerly and under `jit`.
fn check<F>(name: &str, f: F, inputs: &[Array], axes: &[Option<isize>]) -> anyhow::Result<()>
where
    F: Fn(&[Array]) -> Vec<Array> + Clone + 'static,
{
    let mapped: Vec<Option<usize>> = inputs
        .iter()
        .zip(axes)
        .map(|(x, a)| {
            a.map(|a| {
                if a < 0 {
                    (a + x.ndim() as isize) as usize
                } else {
                    a as usize
                }
            })
        })
        .collect();
    let size = inputs
        .iter()
        .zip(&mapped)
        .find_map(|(x, a)| a.map(|a| x.shape()[a]))
        .expect("a mapped input");
    let per_example: Vec<Vec<Array>> = (0..size)
        .map(|i| {
            let args: Vec<Array> = inputs
                .iter()
                .zip(&mapped)
                .map(|(x, a)| a.map_or_else(|| x.clone(), |a| take(x, a, i)))
                .collect();
            f(&args)
        })
        .collect();
    let g = move |xs: Vec<Array>| f(&xs);
    let in_axes = InAxes::per_leaf(axes.to_vec());
    let eager: Vec<Array> = vmap(g.clone(), in_axes.clone())(inputs.to_vec())?;
    let staged: Vec<Array> = jit(vmap(g, in_axes)).call(inputs.to_vec())?;
    ensure!(eager.len() == per_example[0].len(), "{name}: output count");
    for k in 0..eager.len() {
        let want = stack(&per_example.iter().map(|o| o[k].clone()).collect::<Vec<_>>());
        assert_same(
            &eager[k],
            &want,
            &format!("{name} {axes:?} output {k} (eager)"),
        )?;
        assert_same(
            &staged[k],
            &want,
            &format!("{name} {axes:?} output {k} (jit)"),
        )?;
    }
    Ok(())
}

/// `x`, an example of shape `shape`, batched (3 examples) along `axis` or unmapped.
fn batched(shape: &[usize], axis: Option<isize>, seed: f64) -> Array {
    match axis {
        None => data(shape, seed),
        Some(a) => {
            let mut full = shape.to_vec();
            let a = if a < 0 {
                (a + shape.len() as isize + 1) as usize
            } else {
                a as usize
            };
            full.insert(a, 3);
            data(&full, seed)
        }
    }
}

const AXES: [Option<isize>; 4] = [Some(0), Some(1), Some(-1), None];

#[test]
fn elementwise_unary_and_binary() -> anyhow::Result<()> {
    x64();
    for axis in [Some(0), Some(1), Some(-1)] {
        let x = batched(&[4, 5], axis, 0.0);
        check(
            "unary",
            |a| {
                vec![
                    a[0].sin().exp(),
                    lax::integer_pow(&a[0], 3),
                    lax::is_finite(&a[0]),
                    lax::copy(&a[0]),
                    a[0].astype(DType::F32),
                ]
            },
            &[x],
            &[axis],
        )?;
    }
    for ax in AXES {
        for ay in AXES {
            if ax.is_none() && ay.is_none() {
                continue;
            }
            let (x, y) = (batched(&[4, 5], ax, 0.0), batched(&[4, 5], ay, 1.0));
            let f = |a: &[Array]| vec![&a[0] * &a[1] + 1.0, a[0].lt(&a[1]), lax::max(&a[0], &a[1])];
            check("binary", f, &[x, y], &[ax, ay])?;
        }
    }
    // Rank-0 examples with vectors, batched or not, and NumPy broadcasting of a row.
    let f = |a: &[Array]| vec![&a[0] * &a[1], &a[1] - &a[0]];
    check(
        "scalar*vector",
        f,
        &[data(&[3], 0.0), data(&[4], 1.0)],
        &[Some(0), None],
    )?;
    check(
        "scalar*vector",
        f,
        &[data(&[3], 0.0), data(&[3, 4], 1.0)],
        &[Some(0), Some(0)],
    )?;
    check(
        "scalar*vector",
        f,
        &[data(&[], 0.0), data(&[4, 3], 1.0)],
        &[None, Some(1)],
    )?;
    check(
        "row+matrix",
        f,
        &[data(&[5, 3], 0.0), data(&[4, 5], 1.0)],
        &[Some(1), None],
    )?;
    Ok(())
}

#[test]
fn elementwise_select_clamp_and_bitcast() -> anyhow::Result<()> {
    x64();
    let f = |a: &[Array]| {
        vec![
            lax::select_n(a[0].gt(0.0), [&a[0], &a[1]]),
            lax::clamp(&a[2], &a[0], &a[3]),
        ]
    };
    for (ax, ay, alo) in [
        (Some(0), None, None),
        (None, Some(1), Some(0)),
        (Some(-1), Some(0), Some(0)),
    ] {
        let x = batched(&[4], ax, 0.0);
        let y = batched(&[4], ay, 1.0);
        let lo = batched(&[], alo, 2.0) - 1.0;
        check(
            "select/clamp",
            f,
            &[x, y, lo, data(&[], 3.0).abs()],
            &[ax, ay, alo, None],
        )?;
    }
    // A rank-0 batched selector with vector cases.
    let g = |a: &[Array]| vec![lax::select_n(a[0].gt(0.0), [&a[1], &a[2]])];
    check(
        "select scalar",
        g,
        &[data(&[3], 0.0), data(&[3, 4], 1.0), data(&[4], 2.0)],
        &[Some(0), Some(0), None],
    )?;
    // bitcast: a narrower type adds a trailing dimension; a wider one consumes it, even when
    // the batch axis is last.
    let pairs = lax::bitcast_convert_type(data(&[3], 0.0), DType::I32);
    let h = |a: &[Array]| vec![lax::bitcast_convert_type(&a[0], DType::F64)];
    check(
        "bitcast wide",
        h,
        &[lax::transpose(&pairs, &[1, 0])],
        &[Some(-1)],
    )?;
    check("bitcast wide", h, std::slice::from_ref(&pairs), &[Some(0)])?;
    let n = |a: &[Array]| vec![lax::bitcast_convert_type(&a[0], DType::I32)];
    check("bitcast narrow", n, &[data(&[4, 3], 0.0)], &[Some(-1)])?;
    Ok(())
}

#[test]
fn structural() -> anyhow::Result<()> {
    x64();
    for axis in [Some(0), Some(1), Some(2), Some(-1)] {
        let x = batched(&[4, 6], axis, 0.0);
        let f = |a: &[Array]| {
            vec![
                lax::broadcast_in_dim(&a[0], &[2, 4, 5, 6], &[1, 3]),
                lax::broadcast_in_dim(&a[0], &[4, 6, 2], &[0, 1]),
                lax::reshape(&a[0], &[6, 4]),
                lax::reshape(&a[0], &[24]),
                a[0].t(),
                lax::expand_dims(&a[0], &[0, 2]),
                lax::expand_dims(&a[0], &[2]),
                lax::slice(&a[0], &[1, 0], &[4, 5], Some(&[2, 2])),
                lax::rev(&a[0], &[1]),
                &a[0] + lax::broadcasted_iota(DType::F64, &[4, 6], 1),
            ]
        };
        check("structural", f, &[x], &[axis])?;
    }
    // Rank 3 and 4 examples: transpose and squeeze around every batch position.
    for axis in [Some(0), Some(1), Some(2), Some(3), Some(-1)] {
        let x = batched(&[2, 1, 4], axis, 0.0);
        let f = |a: &[Array]| {
            vec![
                lax::transpose(&a[0], &[2, 0, 1]),
                lax::squeeze(&a[0], &[1]),
                lax::squeeze(lax::expand_dims(&a[0], &[0]), &[0, 2]),
                lax::broadcast_in_dim(&a[0], &[3, 2, 5, 4], &[1, 2, 3]),
            ]
        };
        check("transpose/squeeze", f, &[x], &[axis])?;
    }
    // Concatenation of batched and unmapped operands; an output that is not mapped.
    for (ax, ay) in [
        (Some(0), None),
        (None, Some(1)),
        (Some(1), Some(0)),
        (Some(-1), Some(-1)),
    ] {
        let (x, y) = (batched(&[2, 3], ax, 0.0), batched(&[4, 3], ay, 1.0));
        let f = |a: &[Array]| {
            vec![
                lax::concatenate([&a[0], &a[1], &a[0]], 0),
                lax::broadcasted_iota(DType::I32, &[2], 0),
            ]
        };
        check("concatenate", f, &[x, y], &[ax, ay])?;
    }
    // pad, with the padding value unmapped or batched.
    for (ax, av) in [(Some(1), None), (Some(0), Some(0)), (None, Some(0))] {
        let (x, v) = (batched(&[3, 2], ax, 0.0), batched(&[], av, 1.0));
        let f = |a: &[Array]| vec![lax::pad(&a[0], &a[1], &[(1, 2, 1), (-1, 1, 0)])];
        check("pad", f, &[x, v], &[ax, av])?;
    }
    Ok(())
}

#[test]
fn reductions_and_ordering() -> anyhow::Result<()> {
    x64();
    for axis in [Some(0), Some(1), Some(2), Some(-1)] {
        let x = batched(&[4, 5], axis, 0.0);
        let f = |a: &[Array]| {
            vec![
                a[0].sum(),
                a[0].sum_axes([1]),
                lax::reduce_max(&a[0], &[0]),
                lax::reduce_min(&a[0], &[0, 1]),
                lax::argmax(&a[0], 1, DType::I32),
                lax::argmin(&a[0], 0, DType::I32),
                lax::cumsum_with(&a[0], lax::CumulativeOptions::along(1)),
                lax::cummax_with(&a[0], lax::CumulativeOptions::along(0).reverse(true)),
            ]
        };
        check("reductions", f, &[x], &[axis])?;
    }
    for (ak, av) in [(Some(0), Some(1)), (Some(1), None), (None, Some(0))] {
        let (k, v) = (batched(&[4, 5], ak, 0.0), batched(&[4, 5], av, 1.0));
        let f = |a: &[Array]| lax::sort_with([&a[0], &a[1]], lax::SortOptions::along(1));
        check("sort", f, &[k, v], &[ak, av])?;
    }
    Ok(())
}

#[test]
fn dot_general() -> anyhow::Result<()> {
    x64();
    let matvec = |a: &[Array]| vec![a[0].matmul(&a[1]), a[1].matmul(&a[0].t())];
    for (am, av) in [
        (None, Some(0)),
        (Some(0), None),
        (Some(1), Some(0)),
        (Some(2), Some(-1)),
    ] {
        let (m, v) = (batched(&[4, 5], am, 0.0), batched(&[5], av, 1.0));
        check("matvec", matvec, &[m, v], &[am, av])?;
    }
    let numbers = rjax::lax::DotDimensionNumbers {
        lhs_contracting: vec![2],
        rhs_contracting: vec![1],
        lhs_batch: vec![0],
        rhs_batch: vec![0],
    };
    for (al, ar) in [
        (Some(0), None),
        (None, Some(2)),
        (Some(1), Some(1)),
        (Some(-1), Some(0)),
        (None, Some(-1)),
        (Some(-1), None),
        (Some(1), None),
    ] {
        let (l, r) = (batched(&[2, 3, 4], al, 0.0), batched(&[2, 4, 5], ar, 1.0));
        let n = numbers.clone();
        let f = move |a: &[Array]| vec![lax::dot_general(&a[0], &a[1], n.clone())];
        check("dot_general", f, &[l, r], &[al, ar])?;
    }
    Ok(())
}

#[test]
fn vmapped_matvec_is_one_matmul() -> anyhow::Result<()> {
    x64();
    let m = data(&[4, 5], 0.0);
    let mm = m.clone();
    let f = jit(vmap(move |x: Array| mm.matmul(&x), InAxes::leading()));
    let xs = data(&[7, 5], 1.0);
    let text = f.make_jaxpr(&xs)?.to_string();
    ensure!(text.matches("dot_general").count() == 1, "{text}");
    ensure!(!text.contains("broadcast_in_dim"), "{text}");
    let y: Array = f.call(xs.clone())?;
    assert_same(&y, &xs.matmul(&m.t()), "matvec")?;
    Ok(())
}

#[test]
fn indexing() -> anyhow::Result<()> {
    x64();
    // dynamic_slice / dynamic_update_slice with batched or unmapped starts (clamped, negative).
    let starts = ints(&[0, 4, -1], &[3]);
    let starts2 = ints(&[1, -5, 2], &[3]);
    for (ax, ai, aj) in [
        (Some(0), None, None),
        (None, Some(0), None),
        (Some(2), Some(0), Some(0)),
    ] {
        let x = batched(&[5, 4], ax, 0.0);
        let u = batched(&[2, 2], ax.map(|_| 0), 1.0);
        let i = if ai.is_some() {
            starts.clone()
        } else {
            ints(&[3], &[])
        };
        let j = if aj.is_some() {
            starts2.clone()
        } else {
            ints(&[1], &[])
        };
        let f = |a: &[Array]| {
            vec![
                lax::dynamic_slice(&a[0], [&a[1], &a[2]], &[2, 3]),
                lax::dynamic_update_slice(&a[0], &a[3], [&a[1], &a[2]]),
            ]
        };
        let au = ax.map(|_| 0);
        check("dynamic slicing", f, &[x, i, j, u], &[ax, ai, aj, au])?;
    }
    // gather rows and scatter-add into rows, every operand batched or not.
    let gather_dn = GatherDimensionNumbers {
        offset_dims: vec![1],
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0],
        ..Default::default()
    };
    let scatter_dn = ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    };
    let indices = ints(&[4, 1, 0, 0, 2, 7, 3, 1, 4], &[3, 3, 1]);
    for (ao, ai, au) in [
        (Some(0), None, None),
        (None, Some(0), Some(1)),
        (Some(1), Some(0), None),
        (None, None, Some(0)),
    ] {
        let operand = batched(&[5, 3], ao, 0.0);
        let idx = if ai.is_some() {
            indices.clone()
        } else {
            ints(&[7, 0, 2], &[3, 1])
        };
        let updates = batched(&[3, 3], au, 1.0);
        let (g, s) = (gather_dn.clone(), scatter_dn.clone());
        let fill = GatherOptions {
            fill_value: Some(Scalar::Float(-7.0)),
            ..GatherScatterMode::FillOrDrop.into()
        };
        let f = move |a: &[Array]| {
            vec![
                lax::gather(
                    &a[0],
                    &a[1],
                    g.clone(),
                    &[1, 3],
                    GatherScatterMode::PromiseInBounds,
                ),
                lax::gather(&a[0], &a[1], g.clone(), &[1, 3], fill),
                lax::scatter_add(
                    &a[0],
                    &a[1],
                    &a[2],
                    s.clone(),
                    GatherScatterMode::FillOrDrop,
                ),
                lax::scatter(&a[0], &a[1], &a[2], s.clone(), GatherScatterMode::Clip),
            ]
        };
        check("gather/scatter", f, &[operand, idx, updates], &[ao, ai, au])?;
    }
    Ok(())
}

#[test]
fn linear_algebra() -> anyhow::Result<()> {
    x64();
    // Symmetric positive definite matrices built inside the function.
    let spd = |x: &Array| {
        x.matmul(&x.t()) + Array::from([[3.0f64, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    };
    let f = move |a: &[Array]| {
        let s = spd(&a[0]);
        let l = lax::cholesky_with(&s, lax::CholeskyOptions::default().symmetrize_input(false));
        let (q, r) = lax::qr_with(&a[0], lax::QrOptions::default().full_matrices(false));
        let (v, w) = lax::eigh_with(&s, lax::EighOptions::default().symmetrize_input(false));
        vec![
            l.clone(),
            lax::triangular_solve_with(
                &l,
                &a[1],
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .lower(true),
            ),
            lax::triangular_solve_with(
                &l,
                a[1].t(),
                lax::TriangularSolveOptions::default()
                    .lower(true)
                    .transpose_a(true),
            ),
            q,
            r,
            w,
            v.abs(),
        ]
    };
    for (aa, ab) in [
        (Some(0), None),
        (None, Some(0)),
        (None, Some(2)),
        (Some(1), Some(1)),
        (Some(-1), Some(-1)),
    ] {
        let (a, b) = (batched(&[3, 3], aa, 0.0), batched(&[3, 2], ab, 1.0));
        check("linalg", f, &[a, b], &[aa, ab])?;
    }
    Ok(())
}

#[test]
fn jitted_calls_inside_vmap() -> anyhow::Result<()> {
    x64();
    let inner = std::sync::Arc::new(jit(|(x, y): (Array, Array)| (x.sin() * &y).sum_axes([0])));
    for (ax, ay) in [(Some(0), None), (Some(1), Some(0)), (None, Some(-1))] {
        let j = inner.clone();
        let f = move |a: &[Array]| vec![j.call((a[0].clone(), a[1].clone())).unwrap()];
        check(
            "call",
            f,
            &[batched(&[4, 2], ax, 0.0), batched(&[4, 2], ay, 1.0)],
            &[ax, ay],
        )?;
    }
    Ok(())
}

#[test]
fn nested_vmap_pairwise_distances() -> anyhow::Result<()> {
    x64();
    let (xs, ys) = (data(&[4, 3], 0.0), data(&[5, 3], 1.0));
    let distance = |(x, y): (Array, Array)| {
        let d = &x - &y;
        (&d * &d).sum().sqrt()
    };
    let row = move |(x, ys): (Array, Array)| {
        vmap(distance, InAxes::per_leaf(vec![None, Some(0)]))((x, ys))
    };
    let pairwise = vmap(row, InAxes::per_leaf(vec![Some(0), None]));
    let got: Array = pairwise((xs.clone(), ys.clone()))?;
    let (hx, hy) = (host(&xs), host(&ys));
    let mut want = Vec::new();
    for i in 0..4 {
        for j in 0..5 {
            let d: f64 = (0..3)
                .map(|k| (hx[i * 3 + k] - hy[j * 3 + k]).powi(2))
                .sum();
            want.push(d.sqrt());
        }
    }
    assert_same(&got, &Array::from_slice(&want, &[4, 5])?, "pairwise")?;
    let staged: Array = jit(pairwise).call((xs, ys))?;
    assert_same(&staged, &got, "pairwise under jit")
}

#[test]
fn per_example_gradients() -> anyhow::Result<()> {
    x64();
    let (xs, ys) = (data(&[6, 3], 0.0), data(&[6], 1.0));
    let (w, b) = (data(&[3], 2.0), data(&[], 3.0));
    let loss = |((w, b), (x, y)): ((Array, Array), (Array, Array))| {
        let r = x.matmul(&w) + &b - &y;
        (&r * &r).sum()
    };
    let example_grad = move |((w, b), (x, y)): ((Array, Array), (Array, Array))| {
        grad(move |params: (Array, Array)| loss((params, (x.clone(), y.clone()))))((w, b))
    };
    let axes = InAxes::per_leaf(vec![None, None, Some(0), Some(0)]);
    let batched = vmap(example_grad, axes.clone());
    let (gw, gb): (Array, Array) = batched(((w.clone(), b.clone()), (xs.clone(), ys.clone())))?;
    let (jw, jb): (Array, Array) =
        jit(vmap(example_grad, axes)).call(((w.clone(), b.clone()), (xs.clone(), ys.clone())))?;
    let mut want_w = Vec::new();
    let mut want_b = Vec::new();
    for i in 0..6 {
        let (dw, db) = example_grad(((w.clone(), b.clone()), (take(&xs, 0, i), take(&ys, 0, i))))?;
        want_w.push(dw);
        want_b.push(db);
    }
    assert_same(&gw, &stack(&want_w), "dw")?;
    assert_same(&gb, &stack(&want_b), "db")?;
    assert_same(&jw, &stack(&want_w), "dw under jit")?;
    assert_same(&jb, &stack(&want_b), "db under jit")
}

#[test]
fn grad_through_vmap() -> anyhow::Result<()> {
    x64();
    let m = data(&[4, 3], 0.0);
    let f = move |x: Array| {
        let mm = m.clone();
        let rows = vmap(
            move |r: Array| (r.matmul(&x.sin())).tanh(),
            InAxes::leading(),
        )(mm)?;
        Ok::<Array, rjax::Error>(rows.sum())
    };
    let x = data(&[3], 1.0);
    let g: Array = grad(f.clone())(x.clone())?;
    // By hand: d/dx sum_i tanh(m_i . sin x) = sum_i (1 - tanh^2) m_i * cos x.
    let (hm, hx) = (host(&data(&[4, 3], 0.0)), host(&x));
    let mut want = [0.0; 3];
    for i in 0..4 {
        let s: f64 = (0..3).map(|k| hm[i * 3 + k] * hx[k].sin()).sum();
        for k in 0..3 {
            want[k] += (1.0 - s.tanh().powi(2)) * hm[i * 3 + k] * hx[k].cos();
        }
    }
    assert_same(&g, &Array::from(want), "grad of vmap")?;
    let staged: Array = jit(grad(f)).call(x)?;
    assert_same(&staged, &Array::from(want), "jit(grad(vmap))")
}

#[test]
fn out_axes_and_axis_size() -> anyhow::Result<()> {
    x64();
    let x = data(&[3, 4], 0.0);
    let f = vmap_with(
        |x: Array| (x.sin(), x.sum()),
        InAxes::leading(),
        InAxes::per_leaf(vec![Some(-1), Some(0)]),
        None,
    );
    let (a, s): (Array, Array) = f(x.clone())?;
    assert_same(&a, &x.sin().t(), "out_axes -1")?;
    assert_same(&s, &x.sum_axes([1]), "out_axes 0")?;
    // No mapped input: axis_size gives the size; unmapped outputs are broadcast.
    let c = vmap_with(|x: Array| x * 2.0, InAxes::every(None), 0, Some(2));
    let y: Array = c(data(&[3], 1.0))?;
    assert_same(
        &y,
        &stack(&[data(&[3], 1.0) * 2.0, data(&[3], 1.0) * 2.0]),
        "axis_size",
    )?;
    let unmapped = vmap_with(|x: Array| x.sum(), 0, InAxes::every(None), None);
    let err = unmapped(x.clone())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        err.contains("vmap has mapped output but out_axes is None"),
        "{err}"
    );
    Ok(())
}

#[test]
fn errors() -> anyhow::Result<()> {
    x64();
    let f = vmap(|(x, y): (Array, Array)| &x + &y.sum(), InAxes::leading());
    let err = f((data(&[3], 0.0), data(&[4, 2], 1.0)))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        err.contains("vmap got inconsistent sizes for array axes to be mapped:"),
        "{err}"
    );
    ensure!(
        err.contains("one axis had size 3") && err.contains("one axis had size 4"),
        "{err}"
    );
    let none = vmap(|x: Array| x.sin(), InAxes::every(None));
    let err = none(data(&[3], 0.0))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        err.contains("vmap must have at least one non-None value in in_axes"),
        "{err}"
    );
    let rank = vmap(|x: Array| x.sin(), 1);
    let err = rank(data(&[3], 0.0))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        err.contains("vmap was requested to map its argument along axis 1"),
        "{err}"
    );
    Ok(())
}
