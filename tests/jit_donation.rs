//! Buffer donation in `jit` (JAX's `donate_argnums`). Alone in its test binary, because it
//! counts the process's live PJRT buffers.

use rjax::runtime::live_objects;
use rjax::{Array, jit};

#[test]
fn donated_arguments_are_consumed_and_shared_ones_kept() -> anyhow::Result<()> {
    let step = jit(|(x, y): (Array, Array)| &x + &y * 2.0).with_donate_argnums(&[0]);
    let y = Array::from([1.0f32, 1.0, 1.0]);
    let lowered = step.lower(&(Array::from([0.0f32; 3]), y.clone()))?;
    assert!(
        lowered
            .as_text()
            .contains("%arg0: tensor<3xf32> {jax.buffer_donor = true}"),
        "{}",
        lowered.as_text()
    );
    assert!(
        !lowered.as_text().contains("%arg1: tensor<3xf32> {"),
        "only argument 0 is donated"
    );

    let x = Array::from([10.0f32, 20.0, 30.0]);
    // Both inputs on the device before counting.
    x.device()?;
    y.device()?;
    let before = live_objects().buffers;
    let out: Array = step.call((x, y.clone()))?;
    // The donated input's buffer is gone; the output's is new: the count is unchanged.
    assert_eq!(live_objects().buffers, before);
    assert_eq!(out.to_vec::<f32>()?, [12.0, 22.0, 32.0]);

    // A clone still held by the caller cannot be donated: it stays readable.
    let shared = Array::from([1.0f32, 2.0, 3.0]);
    let out: Array = step.call((shared.clone(), y))?;
    assert_eq!(out.to_vec::<f32>()?, [3.0, 4.0, 5.0]);
    assert_eq!(shared.to_vec::<f32>()?, [1.0, 2.0, 3.0]);
    Ok(())
}
