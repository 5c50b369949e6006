//! Differentiation rules of `associative_scan`, the cumulative reductions, `sort` and the
//! scatters, checked against central finite differences (h = 1e-6, f64), the identity
//! <vjp(u), t> = <u, jvp(t)>, eager against `jit(grad(...))`, and at ties, zeros and repeated
//! indices against the values JAX 0.10 gives (computed with `jax.grad` in x64 mode on the CPU).

mod common;

use common::panic_message;
use rjax::lax::{self, GatherScatterMode, ScatterDimensionNumbers, ScatterOptions};
use rjax::runtime::CompileOptions;
use rjax::{Array, DType, grad, jit, jvp, vjp};

fn x64() {
    rjax::config::enable_x64(true);
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("f64 values")
}

/// An f64 array of `shape` holding `data`.
fn array(data: &[f64], shape: &[usize]) -> Array {
    Array::from_vec(data.to_vec()).reshape(shape)
}

/// Deterministic values in [-1, 1).
fn pseudo_random(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tolerance * w.abs().max(1.0),
            "{what}: got {got:?}, want {want:?}"
        );
    }
}

/// A function of several f64 arrays giving one array.
type Function<'a> = &'a dyn Fn(&[Array]) -> Array;

/// The weights `1, 2, ..., n` in the shape of `y`: the cotangent of every check.
fn weights(y: &Array) -> Array {
    let n = y.size();
    array(&(1..=n).map(|k| k as f64).collect::<Vec<_>>(), y.shape())
}

/// `inputs` moved by `step` times `directions`.
fn shifted(inputs: &[Array], directions: &[Array], step: f64) -> Vec<Array> {
    inputs
        .iter()
        .zip(directions)
        .map(|(x, d)| {
            let moved: Vec<f64> = values(x)
                .iter()
                .zip(values(d))
                .map(|(x, d)| x + step * d)
                .collect();
            array(&moved, x.shape())
        })
        .collect()
}

/// Checks `f` at `inputs`: the JVP's primal against `f`, the inner-product identity, and the
/// gradient of `<w, f>` (w = 1, 2, ...) eagerly, from the VJP and under `jit(grad)`, all
/// alike. Where `smooth`, also the JVP along a pseudo-random direction and every component of
/// the gradient against central differences. Returns the gradient.
fn check_rule(f: Function<'_>, inputs: &[Array], smooth: bool) -> anyhow::Result<Vec<Vec<f64>>> {
    let h = 1e-6;
    let directions: Vec<Array> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| array(&pseudo_random(i as u64 + 7, x.size()), x.shape()))
        .collect();
    let (y, t): (Array, Array) = jvp(|xs: Vec<Array>| f(&xs), inputs.to_vec(), directions.clone())?;
    let direct = f(inputs);
    assert_eq!(y.shape(), direct.shape());
    assert_close("primal", &values(&y), &values(&direct), 1e-12);
    let w = weights(&y);
    let (_, pullback) = vjp(|xs: Vec<Array>| f(&xs), inputs.to_vec())?;
    let cotangents: Vec<Array> = pullback(w.clone())?;
    let lhs: f64 = cotangents
        .iter()
        .zip(&directions)
        .map(|(ct, d)| dot(&values(ct), &values(d)))
        .sum();
    let rhs = dot(&values(&w), &values(&t));
    assert!(
        (lhs - rhs).abs() <= 1e-10 * rhs.abs().max(1.0),
        "<vjp(u), t> = {lhs} but <u, jvp(t)> = {rhs}"
    );
    let objective = |xs: Vec<Array>| (&f(&xs) * &w).sum();
    let eager: Vec<Array> = grad(objective)(inputs.to_vec())?;
    let staged: Vec<Array> = jit(grad(objective)).call(inputs.to_vec())?;
    for ((e, s), c) in eager.iter().zip(&staged).zip(&cotangents) {
        assert_close("grad against vjp", &values(e), &values(c), 1e-12);
        assert_close("jit(grad) against grad", &values(s), &values(e), 1e-12);
    }
    if smooth {
        let forward = values(&f(&shifted(inputs, &directions, h)));
        let backward = values(&f(&shifted(inputs, &directions, -h)));
        let numeric: Vec<f64> = forward
            .iter()
            .zip(&backward)
            .map(|(a, b)| (a - b) / (2.0 * h))
            .collect();
        assert_close(
            "jvp against central differences",
            &values(&t),
            &numeric,
            1e-6,
        );
        let value = |xs: &[Array]| dot(&values(&f(xs)), &values(&w));
        for (i, (x, g)) in inputs.iter().zip(&eager).enumerate() {
            let g = values(g);
            for k in 0..x.size() {
                let mut e = vec![0.0; x.size()];
                e[k] = 1.0;
                let mut basis: Vec<Array> = inputs
                    .iter()
                    .map(|x| array(&vec![0.0; x.size()], x.shape()))
                    .collect();
                basis[i] = array(&e, x.shape());
                let numeric = (value(&shifted(inputs, &basis, h))
                    - value(&shifted(inputs, &basis, -h)))
                    / (2.0 * h);
                assert!(
                    (g[k] - numeric).abs() <= 1e-6 * numeric.abs().max(1.0),
                    "input {i} component {k}: grad {} vs central difference {numeric}",
                    g[k]
                );
            }
        }
    }
    Ok(eager.iter().map(values).collect())
}

/// Asserts that the gradients are JAX's.
fn assert_jax(what: &str, got: &[Vec<f64>], want: &[&[f64]]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert_close(what, g, w, 1e-12);
    }
}

// --- associative_scan ---------------------------------------------------------------------------

/// Batched 2x2 matrix products along axis 0: a non-commutative associative operation.
fn matmul_batched(a: Array, b: Array) -> Array {
    lax::dot_general(
        &a,
        &b,
        lax::DotDimensionNumbers {
            lhs_contracting: vec![2],
            rhs_contracting: vec![1],
            lhs_batch: vec![0],
            rhs_batch: vec![0],
        },
    )
}

/// The product of 2x2 matrices stored row-major in `m`, left to right.
fn product(ms: &[&[f64]]) -> Vec<f64> {
    ms.iter().skip(1).fold(ms[0].to_vec(), |p, m| {
        vec![
            p[0] * m[0] + p[1] * m[2],
            p[0] * m[1] + p[1] * m[3],
            p[2] * m[0] + p[3] * m[2],
            p[2] * m[1] + p[3] * m[3],
        ]
    })
}

#[test]
fn associative_scan_matches_sequential_scans() -> anyhow::Result<()> {
    x64();
    let add = |a: Array, b: Array| a + b;
    let ints = Array::from([0i32, 1, 2, 3]);
    let sums = lax::associative_scan(add, ints.clone())?;
    assert_eq!(sums.to_vec::<i32>()?, [0, 1, 3, 6]);
    let sums = lax::associative_scan_with(
        add,
        ints,
        lax::AssociativeScanOptions::along(0).reverse(true),
    )?;
    assert_eq!(sums.to_vec::<i32>()?, [6, 6, 5, 3]);
    // Products of matrices keep their order: [a, ab, abc, ...] and, reversed, [..., zyx, zy, z].
    for n in 0..=9 {
        let data = pseudo_random(n as u64, 4 * n);
        let mats: Vec<&[f64]> = data.chunks(4).collect();
        let elems = array(&data, &[n, 2, 2]);
        let forward = values(&lax::associative_scan(matmul_batched, elems.clone())?);
        let backward = values(&lax::associative_scan_with(
            matmul_batched,
            elems,
            lax::AssociativeScanOptions::along(0).reverse(true),
        )?);
        for k in 0..n {
            let (got, prefix) = (&forward[4 * k..4 * k + 4], mats[..=k].to_vec());
            assert_close("forward", got, &product(&prefix), 1e-12);
            let (got, suffix) = (&backward[4 * k..4 * k + 4], mats[k..].to_vec());
            let suffix: Vec<&[f64]> = suffix.into_iter().rev().collect();
            assert_close("reverse", got, &product(&suffix), 1e-12);
        }
    }
    // A pytree along axis 1: the recurrence x_k = a_k x_{k-1} + b_k as pairs (a, b).
    let (a, b) = (pseudo_random(1, 14), pseudo_random(2, 14));
    let recurrence =
        |(a1, b1): (Array, Array), (a2, b2): (Array, Array)| (&a1 * &a2, &b1 * &a2 + &b2);
    let (_, x) = lax::associative_scan_with(
        recurrence,
        (array(&a, &[2, 7]), array(&b, &[2, 7])),
        lax::AssociativeScanOptions::along(1),
    )?;
    let mut want = Vec::new();
    for row in 0..2 {
        let mut state = 0.0;
        for k in 0..7 {
            state = a[7 * row + k] * state + b[7 * row + k];
            want.push(state);
        }
    }
    assert_close("recurrence", &values(&x), &want, 1e-12);
    // Booleans interleave with `or`.
    let flags = Array::from([false, false, true, false, false]);
    let any = lax::associative_scan(|a: Array, b: Array| lax::bitwise_or(&a, &b), flags)?;
    assert_eq!(any.to_vec::<bool>()?, [false, false, true, true, true]);
    // Under jit.
    let scan = jit(|x: Array| {
        lax::associative_scan_with(
            |a: Array, b: Array| a * b,
            x,
            lax::AssociativeScanOptions::default().reverse(true),
        )
    });
    let y: Array = scan.call(Array::from([1.0f64, 2.0, 3.0, 4.0, 5.0]))?;
    assert_eq!(values(&y), [120.0, 120.0, 60.0, 20.0, 5.0]);
    Ok(())
}

#[test]
fn associative_scan_is_differentiable() -> anyhow::Result<()> {
    x64();
    let f = |xs: &[Array]| lax::associative_scan(matmul_batched, xs[0].clone()).expect("scan");
    check_rule(&f, &[array(&pseudo_random(3, 28), &[7, 2, 2])], true)?;
    Ok(())
}

/// Asserts that `result` is an error whose message contains `needle`.
fn assert_error<T>(result: rjax::Result<T>, needle: &str) {
    match result {
        Ok(_) => panic!("expected an error containing {needle:?}"),
        Err(error) => assert!(error.to_string().contains(needle), "{error}"),
    }
}

#[test]
fn associative_scan_rejects_bad_elems() {
    x64();
    let add = |a: Vec<Array>, b: Vec<Array>| vec![&a[0] + &b[0], &a[1] + &b[1]];
    let uneven = vec![Array::from([1.0f64, 2.0]), Array::from([1.0f64, 2.0, 3.0])];
    let scan = lax::associative_scan(add, uneven);
    assert_error(scan, "same size along axis 0");
    let scan = lax::associative_scan_with(
        |a: Array, _: Array| a,
        Array::from([1.0f64]),
        lax::AssociativeScanOptions::along(1),
    );
    assert_error(scan, "out of bounds");
    let wrong = |a: Array, _: Array| lax::convert_element_type(&a, DType::I32);
    let scan = lax::associative_scan(wrong, Array::from([1.0f64, 2.0]));
    assert_error(scan, "leaves like its inputs");
}

// --- cumulative reductions ----------------------------------------------------------------------

#[test]
fn cumulative_reductions_match_central_differences() -> anyhow::Result<()> {
    x64();
    type Cumulative = fn(&Array, lax::CumulativeOptions) -> Array;
    let ops: [(&str, Cumulative); 3] = [
        ("cumprod", |x, o| lax::cumprod_with(x, o)),
        ("cummax", |x, o| lax::cummax_with(x, o)),
        ("cummin", |x, o| lax::cummin_with(x, o)),
    ];
    let x = array(&pseudo_random(11, 15), &[3, 5]);
    for (name, op) in ops {
        for axis in 0..2 {
            for reverse in [false, true] {
                let options = lax::CumulativeOptions::along(axis).reverse(reverse);
                let f = |xs: &[Array]| op(&xs[0], options);
                check_rule(&f, std::slice::from_ref(&x), true)
                    .map_err(|e| anyhow::anyhow!("{name} axis {axis} reverse {reverse}: {e}"))?;
            }
        }
    }
    // A single element, and one of size 2.
    for n in [1, 2] {
        let x = array(&pseudo_random(5, n), &[n]);
        check_rule(&|xs: &[Array]| lax::cumprod(&xs[0]), &[x], true)?;
    }
    Ok(())
}

#[test]
fn cumprod_with_zeros_matches_jax() -> anyhow::Result<()> {
    x64();
    let cumprod = |reverse: bool| {
        move |xs: &[Array]| {
            lax::cumprod_with(&xs[0], lax::CumulativeOptions::along(0).reverse(reverse))
        }
    };
    let x = Array::from([2.0f64, 0.0, 3.0, 0.5, 4.0]);
    let g = check_rule(&cumprod(false), std::slice::from_ref(&x), true)?;
    assert_jax("cumprod", &g, &[&[1.0, 94.0, 0.0, 0.0, 0.0]]);
    let g = check_rule(&cumprod(true), std::slice::from_ref(&x), true)?;
    assert_jax("reverse cumprod", &g, &[&[0.0, 24.0, 6.0, 52.0, 11.5]]);
    let two_zeros = Array::from([2.0f64, 0.0, 3.0, 0.0, 4.0]);
    let g = check_rule(&cumprod(false), &[two_zeros], true)?;
    assert_jax("cumprod, two zeros", &g, &[&[1.0, 22.0, 0.0, 0.0, 0.0]]);
    let x = array(&[1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 2.0, 5.0], &[2, 4]);
    let g = check_rule(
        &|xs: &[Array]| lax::cumprod_with(&xs[0], lax::CumulativeOptions::along(1).reverse(true)),
        &[x],
        true,
    )?;
    assert_jax(
        "cumprod along axis 1",
        &g,
        &[&[0.0, 18.0, 9.0, 10.0, 0.0, 60.0, 35.0, 22.0]],
    );
    Ok(())
}

#[test]
fn cummax_and_cummin_split_ties_as_jax_does() -> anyhow::Result<()> {
    x64();
    let cummax = |reverse: bool| {
        move |xs: &[Array]| {
            lax::cummax_with(&xs[0], lax::CumulativeOptions::along(0).reverse(reverse))
        }
    };
    let cummin = |reverse: bool| {
        move |xs: &[Array]| {
            lax::cummin_with(&xs[0], lax::CumulativeOptions::along(0).reverse(reverse))
        }
    };
    let x = Array::from([1.0f64, 1.0, 1.0, 0.0, 1.0, 1.0]);
    let g = check_rule(&cummax(false), std::slice::from_ref(&x), false)?;
    assert_jax("cummax", &g, &[&[5.125, 4.125, 6.25, 0.0, 4.0, 1.5]]);
    let g = check_rule(&cummax(true), std::slice::from_ref(&x), false)?;
    assert_jax(
        "reverse cummax",
        &g,
        &[&[0.25, 1.25, 2.25, 0.0, 5.625, 11.625]],
    );
    let threes = Array::from([3.0f64; 9]);
    let g = check_rule(&cummax(false), std::slice::from_ref(&threes), false)?;
    let want = [
        7.125, 6.125, 5.875, 4.375, 6.4375, 3.9375, 5.0625, 1.5625, 4.5,
    ];
    assert_jax("cummax of nine equal values", &g, &[&want]);
    let g = check_rule(&cummax(true), &[threes], false)?;
    let want = [
        0.5, 0.3125, 1.8125, 1.6875, 4.1875, 3.125, 6.625, 8.875, 17.875,
    ];
    assert_jax("reverse cummax of nine equal values", &g, &[&want]);
    let x = Array::from([2.0f64, 2.0, 3.0, 2.0, 1.0, 1.0, 1.0]);
    let g = check_rule(&cummin(false), std::slice::from_ref(&x), false)?;
    assert_jax("cummin", &g, &[&[4.5, 3.5, 0.0, 2.0, 9.75, 4.75, 3.5]]);
    let g = check_rule(&cummin(true), &[x], false)?;
    assert_jax(
        "reverse cummin",
        &g,
        &[&[0.0, 0.0, 0.0, 0.0, 7.5, 6.75, 13.75]],
    );
    let x = array(&[1.0, 1.0, 1.0, 2.0, 0.0, 3.0, 0.0, 0.0], &[2, 4]);
    let g = check_rule(
        &|xs: &[Array]| lax::cummin_with(&xs[0], lax::CumulativeOptions::along(1)),
        &[x],
        false,
    )?;
    assert_jax(
        "cummin along axis 1",
        &g,
        &[&[3.75, 2.75, 3.5, 0.0, 18.5, 0.0, 5.5, 2.0]],
    );
    Ok(())
}

// --- sort ---------------------------------------------------------------------------------------

#[test]
fn sort_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let x = array(&pseudo_random(21, 12), &[3, 4]);
    for dimension in 0..2 {
        let f = |xs: &[Array]| {
            lax::sort_with([&xs[0]], lax::SortOptions::along(dimension as isize)).remove(0)
        };
        check_rule(&f, std::slice::from_ref(&x), true)?;
    }
    // Keys and values sorted together, both differentiated.
    let values_in = array(&pseudo_random(22, 12), &[3, 4]);
    let f = |xs: &[Array]| {
        let sorted = lax::sort_with(
            [&xs[0], &xs[1]],
            lax::SortOptions::along(1).is_stable(false),
        );
        &sorted[0] * 2.0 + &sorted[1] * &sorted[0]
    };
    check_rule(&f, &[x.clone(), values_in.clone()], true)?;
    // Two keys; an integer operand alongside has no tangent.
    let f = |xs: &[Array]| {
        let ints = lax::broadcasted_iota(DType::I32, &[3, 4], 0);
        let sorted = lax::sort_with(
            [&xs[0], &xs[1], &ints],
            lax::SortOptions::along(0).num_keys(2),
        );
        &sorted[1] - &sorted[0]
    };
    check_rule(&f, &[x, values_in], true)?;
    Ok(())
}

#[test]
fn sort_with_duplicates_matches_jax() -> anyhow::Result<()> {
    x64();
    let x = Array::from([3.0f64, 1.0, 3.0, 2.0, 1.0, 3.0]);
    let f = |xs: &[Array]| lax::sort_with([&xs[0]], lax::SortOptions::along(0)).remove(0);
    let g = check_rule(&f, &[x], false)?;
    assert_jax("sort", &g, &[&[4.0, 1.0, 5.0, 3.0, 2.0, 6.0]]);
    let keys = Array::from([2.0f64, 1.0, 2.0, 0.0, 1.0]);
    let vals = Array::from([0.5f64, -1.0, 2.0, 3.0, 4.0]);
    let f = |xs: &[Array]| {
        let (k, v) = lax::sort_key_val_with(&xs[0], &xs[1], lax::SortOptions::along(0));
        &v * &k
    };
    let g = check_rule(&f, &[keys, vals], false)?;
    assert_jax(
        "sort_key_val",
        &g,
        &[&[2.0, -2.0, 10.0, 3.0, 12.0], &[8.0, 2.0, 10.0, 0.0, 3.0]],
    );
    Ok(())
}

// --- scatters -----------------------------------------------------------------------------------

/// `x.at[idx]` for a vector `x`: scalar updates at single indices.
fn elements() -> ScatterDimensionNumbers {
    ScatterDimensionNumbers {
        update_window_dims: vec![],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    }
}

/// `x.at[idx]` for a matrix `x`: whole rows.
fn rows() -> ScatterDimensionNumbers {
    ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    }
}

fn unique() -> ScatterOptions {
    ScatterOptions {
        unique_indices: true,
        ..GatherScatterMode::FillOrDrop.into()
    }
}

fn indices(data: &[i32]) -> Array {
    Array::from_vec(data.to_vec()).reshape(&[data.len(), 1])
}

type Scatter = fn(&Array, &Array, &Array, ScatterDimensionNumbers, ScatterOptions) -> Array;

fn set(x: &Array, i: &Array, u: &Array, n: ScatterDimensionNumbers, o: ScatterOptions) -> Array {
    lax::scatter(x, i, u, n, o)
}

fn mul(x: &Array, i: &Array, u: &Array, n: ScatterDimensionNumbers, o: ScatterOptions) -> Array {
    lax::scatter_mul(x, i, u, n, o)
}

fn max(x: &Array, i: &Array, u: &Array, n: ScatterDimensionNumbers, o: ScatterOptions) -> Array {
    lax::scatter_max(x, i, u, n, o)
}

fn min(x: &Array, i: &Array, u: &Array, n: ScatterDimensionNumbers, o: ScatterOptions) -> Array {
    lax::scatter_min(x, i, u, n, o)
}

fn scatter_fn(
    op: Scatter,
    idx: Array,
    numbers: fn() -> ScatterDimensionNumbers,
    options: ScatterOptions,
) -> impl Fn(&[Array]) -> Array {
    move |xs: &[Array]| op(&xs[0], &idx, &xs[1], numbers(), options)
}

#[test]
fn scatter_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let x = array(&pseudo_random(31, 5), &[5]);
    let u = array(&pseudo_random(32, 3), &[3]);
    // Unique indices: the simple rule, and the transposes of scatter.
    let f = scatter_fn(set, indices(&[4, 0, 2]), elements, unique());
    check_rule(&f, &[x.clone(), u.clone()], true)?;
    // Repeated indices: the rule with ids.
    let f = scatter_fn(
        set,
        indices(&[1, 3, 1]),
        elements,
        ScatterOptions::default(),
    );
    check_rule(&f, &[x, u], true)?;
    // Rows, repeated, one out of bounds (dropped).
    let m = array(&pseudo_random(33, 12), &[4, 3]);
    let rows_in = array(&pseudo_random(34, 9), &[3, 3]);
    let f = scatter_fn(set, indices(&[2, 0, 2]), rows, ScatterOptions::default());
    check_rule(&f, &[m.clone(), rows_in.clone()], true)?;
    let f = scatter_fn(set, indices(&[3, 7, 1]), rows, ScatterOptions::default());
    check_rule(&f, &[m.clone(), rows_in.clone()], true)?;
    let f = scatter_fn(set, indices(&[3, 0, 1]), rows, unique());
    check_rule(&f, &[m, rows_in], true)?;
    Ok(())
}

#[test]
fn scatter_with_repeated_indices_matches_jax() -> anyhow::Result<()> {
    x64();
    let x = Array::from([0.5f64, 1.0, 1.5, 2.0, 2.5]);
    let u = Array::from([10.0f64, 20.0, 30.0, 40.0]);
    let f = scatter_fn(
        set,
        indices(&[1, 3, 1, 0]),
        elements,
        ScatterOptions::default(),
    );
    let g = check_rule(&f, &[x, u], true)?;
    assert_jax(
        "scatter",
        &g,
        &[&[0.0, 0.0, 3.0, 0.0, 5.0], &[0.0, 4.0, 2.0, 1.0]],
    );
    Ok(())
}

#[test]
fn scatter_mul_matches_central_differences() -> anyhow::Result<()> {
    x64();
    let x = array(&pseudo_random(41, 5), &[5]);
    let u = array(&pseudo_random(42, 4), &[4]);
    // Repeated indices: differentiable in the operand only, as in JAX.
    let repeated = indices(&[1, 3, 1, 0]);
    let (i, u2) = (repeated.clone(), u.clone());
    let f = move |xs: &[Array]| {
        lax::scatter_mul(&xs[0], &i, &u2, elements(), ScatterOptions::default())
    };
    let g = check_rule(&f, std::slice::from_ref(&x), true)?;
    let want: Vec<f64> = {
        let (u, w) = (values(&u), [1.0, 2.0, 3.0, 4.0, 5.0]);
        vec![w[0] * u[3], w[1] * u[0] * u[2], w[2], w[3] * u[1], w[4]]
    };
    assert_close("scatter_mul", &g[0], &want, 1e-12);
    let f = scatter_fn(mul, repeated, elements, ScatterOptions::default());
    // Lax functions panic on errors at trace time, as JAX raises.
    let message = panic_message(|| {
        let _ = grad(|xs: Vec<Array>| f(&xs).sum())(vec![x.clone(), u.clone()]);
    });
    assert!(message.contains("unique_indices=True"), "{message}");
    // Unique indices: both operands, elements and rows.
    let f = scatter_fn(mul, indices(&[4, 0, 2, 1]), elements, unique());
    check_rule(&f, &[x, u], true)?;
    let m = array(&pseudo_random(43, 12), &[4, 3]);
    let r = array(&pseudo_random(44, 6), &[2, 3]);
    let f = scatter_fn(mul, indices(&[3, 1]), rows, unique());
    check_rule(&f, &[m, r], true)?;
    Ok(())
}

#[test]
fn scatter_min_and_max_match_central_differences() -> anyhow::Result<()> {
    x64();
    let x = array(&pseudo_random(51, 6), &[6]);
    let u = array(&pseudo_random(52, 5), &[5]);
    let m = array(&pseudo_random(53, 12), &[4, 3]);
    let r = array(&pseudo_random(54, 9), &[3, 3]);
    for op in [max as Scatter, min] {
        let f = scatter_fn(
            op,
            indices(&[1, 3, 1, 0, 3]),
            elements,
            ScatterOptions::default(),
        );
        check_rule(&f, &[x.clone(), u.clone()], true)?;
        let f = scatter_fn(op, indices(&[2, 0, 2]), rows, ScatterOptions::default());
        check_rule(&f, &[m.clone(), r.clone()], true)?;
    }
    Ok(())
}

#[test]
fn scatter_min_and_max_average_ties_as_jax_does() -> anyhow::Result<()> {
    x64();
    let idx = indices(&[0, 0, 2, 4, 4, 1]);
    let x = Array::from([1.0f64, 2.0, 3.0, 4.0, 5.0]);
    let want: [&[f64]; 2] = [
        &[1.0 / 3.0, 1.0, 3.0, 4.0, 0.0],
        &[1.0 / 3.0, 1.0 / 3.0, 0.0, 2.5, 2.5, 1.0],
    ];
    let f = scatter_fn(max, idx.clone(), elements, ScatterOptions::default());
    let u = Array::from([1.0f64, 1.0, 0.0, 7.0, 7.0, 2.0]);
    assert_jax(
        "scatter_max",
        &check_rule(&f, &[x.clone(), u], false)?,
        &want,
    );
    let f = scatter_fn(min, idx, elements, ScatterOptions::default());
    let u = Array::from([1.0f64, 1.0, 4.0, 0.0, 0.0, 2.0]);
    assert_jax("scatter_min", &check_rule(&f, &[x, u], false)?, &want);
    Ok(())
}

// --- second order ------------------------------------------------------------------------------

/// Hessian-vector products of `<w, f>`, forward over reverse and reverse over reverse, against
/// central differences of the gradient.
fn check_second_order(f: Function<'_>, x: &Array) -> anyhow::Result<()> {
    let h = 1e-6;
    let v = array(&pseudo_random(99, x.size()), x.shape());
    let w = weights(&f(std::slice::from_ref(x)));
    let objective = |x: Array| (&f(&[x]) * &w).sum();
    let gradient = |x: Array| grad(objective)(x);
    let (_, forward_over_reverse): (Array, Array) = jvp(gradient, x.clone(), v.clone())?;
    let reverse_over_reverse =
        grad(|x: Array| -> rjax::Result<Array> { Ok((&gradient(x)? * &v).sum()) })(x.clone())?;
    let at = |step: f64| -> anyhow::Result<Vec<f64>> {
        Ok(values(&gradient(
            shifted(std::slice::from_ref(x), std::slice::from_ref(&v), step).remove(0),
        )?))
    };
    let numeric: Vec<f64> = at(h)?
        .iter()
        .zip(at(-h)?)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect();
    assert_close(
        "forward over reverse",
        &values(&forward_over_reverse),
        &numeric,
        1e-5,
    );
    // The Hessian is symmetric: reverse over reverse gives H v too.
    assert_close(
        "reverse over reverse",
        &values(&reverse_over_reverse),
        &numeric,
        1e-5,
    );
    Ok(())
}

#[test]
fn second_derivatives_match_central_differences() -> anyhow::Result<()> {
    x64();
    let x = array(&pseudo_random(61, 12), &[3, 4]);
    check_second_order(
        &|xs: &[Array]| lax::cumprod_with(&xs[0], lax::CumulativeOptions::along(1)),
        &x,
    )?;
    check_second_order(
        &|xs: &[Array]| {
            lax::cummax_with(&xs[0], lax::CumulativeOptions::along(0).reverse(true)) * &xs[0]
        },
        &x,
    )?;
    check_second_order(
        &|xs: &[Array]| {
            let s = lax::sort_with([&xs[0]], lax::SortOptions::along(1)).remove(0);
            &s * &s * &s
        },
        &x,
    )?;
    let idx = indices(&[2, 0, 2]);
    let f = move |xs: &[Array]| {
        let m = &xs[0] * &xs[0];
        set(
            &m,
            &idx,
            &(lax::slice(&xs[0], &[0, 0], &[3, 4], None) * 3.0),
            rows(),
            ScatterOptions::default(),
        )
    };
    check_second_order(&f, &x)?;
    Ok(())
}

// --- digamma ------------------------------------------------------------------------------------

/// `chlo.polygamma`, which digamma's JVP needs (JAX: `g * polygamma(1, x)`), compiles and runs
/// on the CPU plugin; rjax has no polygamma primitive yet, so digamma stays undifferentiated.
#[test]
fn chlo_polygamma_compiles() -> anyhow::Result<()> {
    x64();
    let client = rjax::default_client()?;
    let program = r#"
func.func @main(%n: tensor<3xf64>, %x: tensor<3xf64>) -> tensor<3xf64> {
  %y = "chlo.polygamma"(%n, %x) : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  return %y : tensor<3xf64>
}"#;
    let executable = client.compile(program, &CompileOptions::default())?;
    let device = client.device(0).expect("a device");
    let n = client.buffer_from_host(&[1.0f64, 1.0, 2.0], &[3], &device)?;
    let x = client.buffer_from_host(&[0.5f64, 2.0, 3.0], &[3], &device)?;
    let y = executable.execute(&[&n, &x])?.remove(0).to_vec::<f64>()?;
    // ψ'(1/2) = π²/2, ψ'(2) = π²/6 - 1, ψ''(3) = -2ζ(3) + 9/4.
    let pi2 = std::f64::consts::PI.powi(2);
    let zeta3 = 1.202_056_903_159_594_2;
    assert_close(
        "polygamma",
        &y,
        &[pi2 / 2.0, pi2 / 6.0 - 1.0, 2.25 - 2.0 * zeta3],
        1e-12,
    );
    // digamma' = polygamma(1, ·), and polygamma's derivative in x raises the order.
    let g = grad(|x: Array| lax::digamma(&x))(Array::from(0.5f64))?;
    assert_close("digamma'", &g.to_vec::<f64>()?, &[pi2 / 2.0], 1e-12);
    let g = grad(|x: Array| lax::polygamma(Array::from(1.0f64), &x))(Array::from(2.0f64))?;
    // ψ''(2) = -2ζ(3) + 2.
    assert_close(
        "polygamma'",
        &g.to_vec::<f64>()?,
        &[2.0 - 2.0 * zeta3],
        1e-12,
    );
    let message = panic_message(|| {
        let _ = grad(|m: Array| lax::polygamma(&m, Array::from(2.0f64)))(Array::from(1.0f64));
    });
    assert!(
        message.contains("polygamma gradient with respect to m is not supported"),
        "{message}"
    );
    Ok(())
}
