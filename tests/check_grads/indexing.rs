//! check_grads on indexing.

use super::*;

/// Rows of a `[rows, cols]` operand: `operand[indices[i, 0], :]`.
fn take_rows() -> GatherDimensionNumbers {
    GatherDimensionNumbers {
        offset_dims: vec![1],
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0],
        ..GatherDimensionNumbers::default()
    }
}

/// Rows of a `[rows, cols]` operand, as a scatter: `operand[indices[i, 0], :] op= updates[i]`.
fn scatter_rows() -> ScatterDimensionNumbers {
    ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..ScatterDimensionNumbers::default()
    }
}

#[test]
fn indexing_primitives() {
    x64();
    let mut rng = Rng::new(7);
    let (i1, i2, i9) = (Array::from(1i32), Array::from(2i32), Array::from(9i32));
    let (j1, j2) = (i1.clone(), i2.clone());
    let rows = ints(&[0, 3, 3, 1], &[4, 1]);
    let points = ints(&[0, 2, 1, 1, 2, 0], &[3, 2]);
    let rows_oob = ints(&[4, 7, 0], &[3, 1]);
    let rows_oob2 = rows_oob.clone();
    let rows_oob_fill = rows_oob.clone();
    let rows4 = rows.clone();
    let elements = GatherDimensionNumbers {
        collapsed_slice_dims: vec![0, 1],
        start_index_map: vec![0, 1],
        ..GatherDimensionNumbers::default()
    };
    let cases = vec![
        case1(
            "dynamic_slice",
            vec![normal(&mut rng, &[4, 5])],
            move |xs| lax::dynamic_slice(&xs[0], [&i1, &i2], &[2, 3]),
        ),
        case1(
            "dynamic_slice (start clamped)",
            vec![normal(&mut rng, &[4, 5])],
            move |xs| lax::dynamic_slice(&xs[0], [&i9, &j1], &[2, 2]),
        ),
        case1(
            "dynamic_update_slice",
            vec![normal(&mut rng, &[4, 5]), normal(&mut rng, &[2, 3])],
            move |xs| lax::dynamic_update_slice(&xs[0], &xs[1], [&j2, &j2]),
        ),
        case1(
            "gather rows (repeated)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                lax::gather(
                    &xs[0],
                    &rows,
                    take_rows(),
                    &[1, 3],
                    GatherScatterMode::PromiseInBounds,
                )
            },
        ),
        case1(
            "gather elements (clip)",
            vec![normal(&mut rng, &[3, 3])],
            move |xs| {
                lax::gather(
                    &xs[0],
                    &points,
                    elements.clone(),
                    &[1, 1],
                    GatherScatterMode::Clip,
                )
            },
        ),
        case1(
            "gather rows (fill 0 out of bounds)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                let options = GatherOptions {
                    fill_value: Some(Scalar::Float(0.0)),
                    ..GatherScatterMode::FillOrDrop.into()
                };
                lax::gather(&xs[0], &rows_oob, take_rows(), &[1, 3], options)
            },
        ),
        case1(
            "gather rows (fill 0.5 out of bounds: a constant, whose tangent is 0)",
            vec![normal(&mut rng, &[5, 3])],
            move |xs| {
                let options = GatherOptions {
                    fill_value: Some(Scalar::Float(0.5)),
                    ..GatherScatterMode::FillOrDrop.into()
                };
                lax::gather(&xs[0], &rows_oob_fill, take_rows(), &[1, 3], options)
            },
        ),
        case1(
            "scatter_add (an out-of-bounds window dropped)",
            vec![normal(&mut rng, &[5, 3]), normal(&mut rng, &[3, 3])],
            move |xs| {
                lax::scatter_add(
                    &xs[0],
                    &rows_oob2,
                    &xs[1],
                    scatter_rows(),
                    GatherScatterMode::FillOrDrop,
                )
            },
        ),
        case1(
            "gather of scatter_add",
            vec![normal(&mut rng, &[5, 3]), normal(&mut rng, &[4, 3])],
            move |xs| {
                let scattered = lax::scatter_add(
                    &xs[0],
                    &rows4,
                    &xs[1],
                    scatter_rows(),
                    GatherScatterMode::FillOrDrop,
                );
                lax::gather(
                    lax::sin(&scattered),
                    &rows4,
                    take_rows(),
                    &[1, 3],
                    GatherScatterMode::PromiseInBounds,
                )
            },
        ),
    ];
    run(cases);
}

#[test]
fn scatters() {
    x64();
    let mut rng = Rng::new(14);
    let unique = ints(&[0, 3, 1, 4], &[4, 1]);
    let repeated = ints(&[0, 3, 3, 1], &[4, 1]);
    type Scatter = fn(&Array, &Array, &Array, ScatterDimensionNumbers, ScatterOptions) -> Array;
    let scatters: [(&str, Scatter, &Array, bool); 11] = [
        (
            "scatter_add (repeated indices)",
            |o, i, u, d, opts| lax::scatter_add(o, i, u, d, opts),
            &repeated,
            false,
        ),
        (
            "scatter_sub (repeated indices)",
            |o, i, u, d, opts| lax::scatter_sub(o, i, u, d, opts),
            &repeated,
            false,
        ),
        (
            "scatter",
            |o, i, u, d, opts| lax::scatter(o, i, u, d, opts),
            &unique,
            false,
        ),
        (
            "scatter (unique_indices)",
            |o, i, u, d, opts| lax::scatter(o, i, u, d, opts),
            &unique,
            true,
        ),
        // JAX differentiates scatter-mul only with unique_indices=True.
        (
            "scatter_mul (unique_indices)",
            |o, i, u, d, opts| lax::scatter_mul(o, i, u, d, opts),
            &unique,
            true,
        ),
        (
            "scatter_min",
            |o, i, u, d, opts| lax::scatter_min(o, i, u, d, opts),
            &unique,
            false,
        ),
        (
            "scatter_max",
            |o, i, u, d, opts| lax::scatter_max(o, i, u, d, opts),
            &unique,
            false,
        ),
        (
            "scatter_min (unique_indices)",
            |o, i, u, d, opts| lax::scatter_min(o, i, u, d, opts),
            &unique,
            true,
        ),
        (
            "scatter_max (unique_indices)",
            |o, i, u, d, opts| lax::scatter_max(o, i, u, d, opts),
            &unique,
            true,
        ),
        (
            "scatter_min (repeated indices)",
            |o, i, u, d, opts| lax::scatter_min(o, i, u, d, opts),
            &repeated,
            false,
        ),
        (
            "scatter_max (repeated indices)",
            |o, i, u, d, opts| lax::scatter_max(o, i, u, d, opts),
            &repeated,
            false,
        ),
    ];
    let mut cases = Vec::new();
    for (name, scatter, indices, unique_indices) in scatters {
        let indices = indices.clone();
        let options = ScatterOptions {
            unique_indices,
            ..GatherScatterMode::FillOrDrop.into()
        };
        cases.push(case1(
            name,
            vec![signed(&mut rng, &[5, 3]), signed(&mut rng, &[4, 3])],
            move |xs| scatter(&xs[0], &indices, &xs[1], scatter_rows(), options),
        ));
    }
    run(cases);
}
