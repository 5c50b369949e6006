//! `lax::top_k` against closed forms (a stable descending sort, computed here on the host):
//! values and int32 indices along the last axis and along another one, ties to the lower
//! index, NaN first, eagerly and under `jit`; `vmap` over every batch position equal to the
//! per-example results; the gradient scattering the cotangent back to the chosen entries; the
//! jaxpr's parameters; and the errors of bad input. Its derivatives at ties against JAX are in
//! `tests/kinks.rs`.

mod common;

use anyhow::Result;
use common::panic_message;
use rjax::{Array, DType, InAxes, grad, jit, lax, make_jaxpr, vmap};

/// The `k` largest of `row` (NaN largest), descending, ties to the lower index, and their
/// indices: the reference, by a stable sort on the host.
fn reference(row: &[f32], k: usize) -> (Vec<f32>, Vec<i32>) {
    let mut order: Vec<usize> = (0..row.len()).collect();
    let key = |x: f32| if x.is_nan() { f32::INFINITY } else { x };
    order.sort_by(|&a, &b| {
        let (x, y) = (row[a], row[b]);
        match (x.is_nan(), y.is_nan()) {
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            _ => key(y).total_cmp(&key(x)),
        }
    });
    order.truncate(k);
    (
        order.iter().map(|&i| row[i]).collect(),
        order.iter().map(|&i| i as i32).collect(),
    )
}

fn data() -> Vec<f32> {
    vec![
        3.0,
        1.0,
        3.0,
        f32::NAN,
        -2.0,
        0.5, //
        -1.0,
        -1.0,
        4.0,
        2.0,
        2.0,
        9.0, //
        0.0,
        -0.0,
        7.0,
        7.0,
        7.0,
        1.0,
    ]
}

#[test]
fn values_and_indices_along_the_last_axis() -> Result<()> {
    let x = Array::from_slice(&data(), &[3, 6])?;
    for k in [0, 1, 3, 6] {
        let (values, indices) = lax::top_k(&x, k);
        assert_eq!(values.shape(), [3, k]);
        assert_eq!(indices.dtype(), DType::I32);
        let staged = jit(move |x: Array| {
            let (v, i) = lax::top_k(&x, k);
            vec![v, i]
        });
        let compiled: Vec<Array> = staged.call(x.clone())?;
        let (mut want_values, mut want_indices) = (Vec::new(), Vec::new());
        for row in data().chunks(6) {
            let (v, i) = reference(row, k);
            want_values.extend(v);
            want_indices.extend(i);
        }
        for (values, indices) in [(&values, &indices), (&compiled[0], &compiled[1])] {
            let got = values.to_vec::<f32>()?;
            assert!(
                got.iter()
                    .zip(&want_values)
                    .all(|(g, w)| g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan())),
                "k={k}: {got:?} != {want_values:?}"
            );
            assert_eq!(indices.to_vec::<i32>()?, want_indices, "k={k}");
        }
    }
    Ok(())
}

#[test]
fn along_another_axis_equals_the_transposed_problem() -> Result<()> {
    let x = Array::from_slice(&data(), &[3, 6])?;
    let (values, indices) = lax::top_k_along(&x, 2, 0);
    assert_eq!(values.shape(), [2, 6]);
    let (t_values, t_indices) = lax::top_k(x.t(), 2);
    assert_eq!(
        values
            .to_vec::<f32>()?
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>(),
        t_values
            .t()
            .to_vec::<f32>()?
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    );
    assert_eq!(indices.to_vec::<i32>()?, t_indices.t().to_vec::<i32>()?);
    Ok(())
}

#[test]
fn vmap_at_every_batch_position_equals_the_rows() -> Result<()> {
    let x = Array::from_slice(&data(), &[3, 6])?;
    let per_row: Vec<(Vec<f32>, Vec<i32>)> =
        data().chunks(6).map(|row| reference(row, 4)).collect();
    for (axis, input) in [(0, x.clone()), (1, x.t())] {
        let batched = vmap(
            |r: Array| {
                let (v, i) = lax::top_k(&r, 4);
                vec![v, i]
            },
            InAxes::from(axis),
        );
        let out: Vec<Array> = batched(input)?;
        let values = out[0].to_vec::<f32>()?;
        let indices = out[1].to_vec::<i32>()?;
        for (b, (v, i)) in per_row.iter().enumerate() {
            let got: Vec<u32> = values[b * 4..b * 4 + 4]
                .iter()
                .map(|x| x.to_bits())
                .collect();
            let want: Vec<u32> = v.iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, want, "in_axes={axis}, row {b}");
            assert_eq!(
                &indices[b * 4..b * 4 + 4],
                i.as_slice(),
                "in_axes={axis}, row {b}"
            );
        }
    }
    Ok(())
}

#[test]
fn gradient_scatters_the_cotangent_to_the_chosen_entries() -> Result<()> {
    rjax::config::enable_x64(true);
    let x = Array::from_vec(vec![0.5f64, 4.0, -1.0, 4.0, 2.0]);
    // d/dx Σ_j w_j top_k(x, 3)_j, w = (1, 10, 100): the chosen entries are x[1], x[3] (tie,
    // lower index first) and x[4].
    let g: Array = grad(|x: Array| {
        let (v, _) = lax::top_k(&x, 3);
        (v * Array::from_vec(vec![1.0f64, 10.0, 100.0])).sum()
    })(x)?;
    assert_eq!(g.to_vec::<f64>()?, [0.0, 1.0, 0.0, 10.0, 100.0]);
    Ok(())
}

#[test]
fn jaxpr_prints_jax_params() -> Result<()> {
    let jaxpr =
        make_jaxpr(|x: Array| lax::top_k(&x, 2).0)(&Array::from_vec(vec![1.0f32, 2.0, 3.0]))?;
    let text = jaxpr.to_string();
    assert!(text.contains("top_k[axis=0 k=2]"), "{text}");
    Ok(())
}

#[test]
fn bad_input_panics_naming_top_k_and_the_types() {
    let x = Array::from_vec(vec![1.0f32, 2.0, 3.0]);
    let message = panic_message(|| {
        lax::top_k(&x, 4);
    });
    assert!(
        message.contains("top_k") && message.contains("k=4") && message.contains("f32[3]"),
        "{message}"
    );
    let message = panic_message(|| {
        lax::top_k(Array::scalar(1.0f32), 1);
    });
    assert!(
        message.contains("top_k") && message.contains("rank"),
        "{message}"
    );
    let message = panic_message(|| {
        lax::top_k_along(&x, 1, 1);
    });
    assert!(
        message.contains("top_k") && message.contains("axis 1"),
        "{message}"
    );
}
