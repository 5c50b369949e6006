//! The training items of `bench_rjax`: `examples/train_mlp`'s jitted step (its own `model`
//! and `digits` modules), as `scripts/train_mlp_jax.py` writes it in JAX + Optax.

use anyhow::Result;
use rjax::Array;

use super::{Item, ready};

#[path = "../train_mlp/digits.rs"]
mod digits;
// The example's evaluation is not timed here.
#[allow(dead_code)]
#[path = "../train_mlp/model.rs"]
mod model;

use digits::{BATCH, minibatches};
use model::Mlp;

/// `train/jit_mlp_step/digits_b128_f32`: a training step on epoch 0's first batch (resident
/// on the device), the parameters and optimizer state carried from call to call; the check
/// is the loss of the first call.
pub fn timed_step() -> Result<Item> {
    let (train, _) = digits::load_split(&digits::csv_path()?)?;
    let rows = &minibatches(0, train.len())?[0];
    let (x, y) = train.select(rows).arrays()?;
    x.device()?;
    y.device()?;
    let opt = model::optimizer(train.len() / BATCH);
    let params = Mlp::init(1);
    let state = opt.init(&params)?;
    let step = model::training_step(opt);
    let mut carried = Some((params, state));
    Ok(Item::Timed(Box::new(move || {
        let (params, state) = carried.take().expect("the previous step succeeded");
        let (params, state, loss) = step.call((params, state, x.clone(), y.clone()))?;
        carried = Some((params, state));
        ready(loss)
    })))
}

/// What `startup-train` times from process start: read and split the data, build the model,
/// the optimizer and the step, and train one epoch. Returns its last loss.
pub fn first_epoch() -> Result<Array> {
    let (train, _) = digits::load_split(&digits::csv_path()?)?;
    let opt = model::optimizer(train.len() / BATCH);
    let mut params = Mlp::init(1);
    let mut state = opt.init(&params)?;
    let step = model::training_step(opt);
    let mut last = None;
    for rows in minibatches(0, train.len())? {
        let (x, y) = train.select(&rows).arrays()?;
        let (new_params, new_state, loss) = step.call((params, state, x, y))?;
        (params, state, last) = (new_params, new_state, Some(loss));
    }
    ready(last.expect("an epoch has batches"))
}
