//! The sorting and searching functions of `rjax::numpy` (`sort`, `argsort`, `lexsort`,
//! `searchsorted`, `unique`) against the same golden file, with the inputs and checks of
//! `numpy_shape.rs`.

use super::*;

#[test]
fn sorting_and_searching() -> Result<()> {
    check_cases(&[
        ("sort_axis", |x| jnp::sort_with(&x.a, SortOptions::along(1))),
        ("sort_flat", |x| {
            jnp::sort_with(&x.m, SortOptions::flattened())
        }),
        ("sort_int", |x| {
            let signs = ints(&[1, -1, 1, -1], &[4]);
            jnp::sort_with(&(&x.i * &signs), SortOptions::along(0).unstable())
        }),
        ("sort_desc", |x| {
            jnp::sort_with(&x.a, SortOptions::default().descending())
        }),
        ("sort_nan", |x| jnp::sort(&x.nans)),
        ("argsort_axis", |x| {
            jnp::argsort_with(&x.a, SortOptions::along(0))
        }),
        ("argsort_flat", |x| {
            jnp::argsort_with(&x.m, SortOptions::flattened())
        }),
        ("argsort_dup", |x| jnp::argsort(&x.dup)),
        ("argsort_desc", |x| {
            jnp::argsort_with(&x.dup, SortOptions::default().descending())
        }),
        ("argsort_nan", |x| jnp::argsort(&x.nans)),
        ("lexsort", |x| jnp::lexsort(&[&x.dup, &(&x.dup % 2)], -1)),
        ("lexsort_2d", |x| {
            jnp::lexsort(&[&(&x.i % 3), &(&x.i % 2)], 0)
        }),
        ("searchsorted_left", |x| {
            jnp::searchsorted(&x.sorted, &x.m * 5, Side::Left)
        }),
        ("searchsorted_right", |x| {
            jnp::searchsorted(&x.sorted, &x.m * 5, Side::Right)
        }),
        ("searchsorted_ties_l", |x| {
            jnp::searchsorted(&x.sorted, floats(&[1.0, 0.0, 7.0, 2.0]), Side::Left)
        }),
        ("searchsorted_ties_r", |x| {
            jnp::searchsorted(&x.sorted, floats(&[1.0, 0.0, 7.0, 2.0]), Side::Right)
        }),
        ("searchsorted_nan_l", |x| {
            jnp::searchsorted(&x.sorted_nan, &x.query, Side::Left)
        }),
        ("searchsorted_nan_r", |x| {
            jnp::searchsorted(&x.sorted_nan, &x.query, Side::Right)
        }),
        ("searchsorted_int", |_| {
            let a = ints(&[1, 3, 3, 5], &[4]);
            jnp::searchsorted(&a, ints(&[0, 3, 6, 5], &[2, 2]), Side::default())
        }),
        ("searchsorted_scalar", |x| {
            jnp::searchsorted(&x.sorted, 1.5, Side::Left)
        }),
    ])?;
    let x = Inputs::new();
    let empty = jnp::searchsorted(jnp::zeros(&[0], None), &x.v, Side::Left);
    ensure!(empty.to_vec::<i32>()? == vec![0; 4]);
    ensure!(
        jnp::lexsort(&[&Array::scalar(1.0f64)], 0)
            .shape()
            .is_empty()
    );
    Ok(())
}

/// Every output of `unique` with all the options, against the golden case `name`.
fn check_unique(name: &str, u: &jnp::Unique) -> Result<()> {
    let parts = [
        ("values", Some(&u.values)),
        ("index", u.indices.as_ref()),
        ("inverse", u.inverse.as_ref()),
        ("counts", u.counts.as_ref()),
    ];
    for (part, array) in parts {
        let array = array.with_context(|| format!("{name}: no {part}"))?;
        GOLDEN.check(&format!("{name}_{part}"), array)?;
    }
    Ok(())
}

fn all_outputs(axis: Option<isize>, size: Option<usize>, fill: Option<i64>) -> UniqueOptions {
    UniqueOptions {
        return_index: true,
        return_inverse: true,
        return_counts: true,
        axis,
        size,
        fill_value: fill.map(Array::scalar),
        ..UniqueOptions::default()
    }
}

#[test]
fn unique() -> Result<()> {
    let x = Inputs::new();
    let rows = ints(&[1, 2, 2, 3, 1, 2, 0, 5, 2, 3, 1, 2], &[6, 2]);
    let float_values = floats(&[2.0, f64::NAN, 1.0, f64::NAN, 2.0, -0.5]);
    let cases: Vec<(&str, Array, UniqueOptions)> = vec![
        ("unique_int", x.dup.clone(), all_outputs(None, None, None)),
        ("unique_float", float_values, all_outputs(None, None, None)),
        ("unique_2d", &x.i % 4, all_outputs(None, None, None)),
        (
            "unique_rows",
            rows.clone(),
            all_outputs(Some(0), None, None),
        ),
        (
            "unique_cols",
            jnp::transpose(&rows, None),
            all_outputs(Some(-1), None, None),
        ),
        (
            "unique_size",
            x.dup.clone(),
            all_outputs(None, Some(6), Some(-1)),
        ),
        (
            "unique_size_nofill",
            x.dup.clone(),
            all_outputs(None, Some(6), None),
        ),
        (
            "unique_size_short",
            x.dup.clone(),
            all_outputs(None, Some(2), None),
        ),
    ];
    for (name, input, options) in &cases {
        check_unique(name, &jnp::unique(input, options)).context("eager")?;
        if options.size.is_some() {
            let traced = jit(|input: Array| {
                let u = jnp::unique(&input, options);
                vec![
                    u.values,
                    u.indices.expect("asked for"),
                    u.inverse.expect("asked for"),
                    u.counts.expect("asked for"),
                ]
            });
            let out: Vec<Array> = traced.call(input.clone())?;
            let [values, indices, inverse, counts]: [Array; 4] =
                out.try_into().expect("four outputs");
            let u = jnp::Unique {
                values,
                indices: Some(indices),
                inverse: Some(inverse),
                counts: Some(counts),
            };
            check_unique(name, &u).context("under jit")?;
        }
    }
    // Only the values unless asked; empty inputs.
    let plain = jnp::unique(&x.dup, &UniqueOptions::default());
    ensure!(plain.indices.is_none() && plain.inverse.is_none() && plain.counts.is_none());
    ensure!(plain.values.to_vec::<i64>()? == vec![0, 1, 2, 3]);
    let empty = jnp::unique(jnp::zeros(&[0], None), &all_outputs(None, None, None));
    ensure!(empty.values.shape() == [0] && empty.counts.expect("asked").shape() == [0]);
    let options = UniqueOptions {
        size: Some(2),
        fill_value: Some(Array::scalar(9.0f64)),
        ..UniqueOptions::default()
    };
    let padded = jnp::unique(jnp::zeros(&[0], None), &options).values;
    ensure!(padded.to_vec::<f64>()? == vec![9.0, 9.0]);
    Ok(())
}
