//! Eager operators reuse the buffer of an operand given up by value (`x * 2.0` with `x: Array`)
//! when nothing else holds it, and leave shared or borrowed operands intact. Alone in its test
//! binary, and its tests one at a time, because one counts the process's live PJRT buffers.

use std::sync::{Mutex, MutexGuard};

use rjax::runtime::live_objects;
use rjax::{Array, DType};

/// Held by each test while it runs.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// `values` on the device, so that its buffer exists before an operator runs.
fn on_device(values: &[f32]) -> anyhow::Result<Array> {
    let x = Array::from_vec(values.to_vec());
    x.device()?;
    Ok(x)
}

#[test]
fn an_operand_given_up_lends_its_buffer_to_the_result() -> anyhow::Result<()> {
    let _serial = one_at_a_time();
    let x = on_device(&[1.0, -2.0, 3.5])?;
    let address = x.unsafe_buffer_pointer()?;
    let y = x * 2.0;
    assert_eq!(y.unsafe_buffer_pointer()?, address);
    assert_eq!(y.to_vec::<f32>()?, [2.0, -4.0, 7.0]);

    // The number on the left, the array on the right.
    let z: Array = 10.0 - y;
    assert_eq!(z.unsafe_buffer_pointer()?, address);
    assert_eq!(z.to_vec::<f32>()?, [8.0, 14.0, 3.0]);

    let w = -(z / 4.0);
    assert_eq!(w.unsafe_buffer_pointer()?, address);
    assert_eq!(w.to_vec::<f32>()?, [-2.0, -3.5, -0.75]);
    Ok(())
}

#[test]
fn numpy_and_lax_functions_reuse_an_array_given_by_value() -> anyhow::Result<()> {
    let _serial = one_at_a_time();
    let x = on_device(&[0.0, 0.5, -1.0])?;
    let address = x.unsafe_buffer_pointer()?;
    let expected: Vec<f32> = [0.0f32, 0.5, -1.0].iter().map(|v| v.tanh() + 1.0).collect();
    let y = rjax::numpy::add(rjax::numpy::tanh(x), 1.0);
    assert_eq!(y.unsafe_buffer_pointer()?, address);
    let y_values = y.to_vec::<f32>()?;
    let close = y_values
        .iter()
        .zip(&expected)
        .all(|(a, b)| (a - b).abs() < 1e-6);
    assert!(close, "{y_values:?} against {expected:?}");

    // -y bounded below by -1.2, which cuts only the middle value (-1.46).
    let z = rjax::lax::max(rjax::lax::neg(y), -1.2);
    assert_eq!(z.unsafe_buffer_pointer()?, address);
    let bounded: Vec<f32> = y_values.iter().map(|v| (-v).max(-1.2)).collect();
    assert_eq!(z.to_vec::<f32>()?, bounded);
    Ok(())
}

#[test]
fn shared_and_borrowed_operands_stay_intact() -> anyhow::Result<()> {
    let _serial = one_at_a_time();
    let x = on_device(&[1.0, 2.0, 3.0])?;
    let address = x.unsafe_buffer_pointer()?;

    let borrowed = &x + 1.0;
    assert_ne!(borrowed.unsafe_buffer_pointer()?, address);

    let kept = x.clone();
    let shared = x * 3.0;
    assert_ne!(shared.unsafe_buffer_pointer()?, address);
    assert_eq!(kept.unsafe_buffer_pointer()?, address);

    assert_eq!(borrowed.to_vec::<f32>()?, [2.0, 3.0, 4.0]);
    assert_eq!(shared.to_vec::<f32>()?, [3.0, 6.0, 9.0]);
    assert_eq!(kept.to_vec::<f32>()?, [1.0, 2.0, 3.0]);
    Ok(())
}

#[test]
fn results_of_another_shape_or_dtype_get_their_own_buffer() -> anyhow::Result<()> {
    let _serial = one_at_a_time();
    // Broadcast: the row is given up, but the result is 2 × 3.
    let row = on_device(&[1.0, 2.0, 3.0])?;
    let row_address = row.unsafe_buffer_pointer()?;
    let grid = on_device(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0])?.reshape(&[2, 3]);
    let sum = row + &grid;
    assert_ne!(sum.unsafe_buffer_pointer()?, row_address);
    assert_eq!(sum.to_vec::<f32>()?, [11.0, 22.0, 33.0, 41.0, 52.0, 63.0]);

    // True division of integers gives a float result, of another dtype than the operand.
    let counts = Array::from_vec(vec![1i32, 2, 3]);
    counts.device()?;
    let halves = counts / 2;
    assert_eq!(halves.dtype(), DType::F32);
    assert_eq!(halves.to_vec::<f32>()?, [0.5, 1.0, 1.5]);

    // A transposed matrix scaled, as in the notebook's `2 * A.T`.
    let a = on_device(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?.reshape(&[2, 3]);
    let scaled = a.t() * 2.0;
    assert_eq!(scaled.shape(), [3, 2]);
    assert_eq!(scaled.to_vec::<f32>()?, [2.0, 8.0, 4.0, 10.0, 6.0, 12.0]);
    Ok(())
}

#[test]
fn an_eager_update_loop_keeps_one_buffer() -> anyhow::Result<()> {
    let _serial = one_at_a_time();
    let mut x = on_device(&[1.0; 1000])?;
    let address = x.unsafe_buffer_pointer()?;
    let before = live_objects().buffers;
    for _ in 0..200 {
        x = x * 0.5 + 0.5;
    }
    assert_eq!(x.unsafe_buffer_pointer()?, address);
    assert_eq!(live_objects().buffers, before);
    assert!(x.to_vec::<f32>()?.iter().all(|&v| v == 1.0));
    Ok(())
}
