//! Trains a multilayer perceptron (64 → 128 → 128 → 10, relu) to read handwritten digits: the
//! 1,797 8×8 images that ship inside scikit-learn's wheel (fetched once and cached by
//! `scripts/fetch-digits.sh`), 80% to train on, 20% to test. Parameters are a
//! `#[derive(Pytree)]` struct; `adamw` under a warmup-cosine schedule; the whole step is one
//! `jit`; minibatches of 128 are shuffled by `rjax::random` each epoch. It shows a progress
//! bar, prints the test accuracy, saves a safetensors checkpoint and checks that it reloads
//! with identical predictions, and plots the learning curves.
//!
//! Run with `cargo run --release --example train_mlp --features safetensors`.
//! `scripts/train_mlp_jax.py` is the same program in JAX + Optax.

mod digits;
mod model;
mod plot;

use std::time::Instant;

use anyhow::{Result, ensure};
use indicatif::{ProgressBar, ProgressStyle};

use digits::{BATCH, minibatches};
use model::{EPOCHS, Mlp};
use plot::EpochMetrics;

fn main() -> Result<()> {
    let (train, test) = digits::load_split(&digits::csv_path()?)?;
    let ((x_train, y_train), (x_test, y_test)) = (train.arrays()?, test.arrays()?);
    println!("{} training and {} test images", train.len(), test.len());

    let mut params = Mlp::init(1);
    let steps_per_epoch = train.len() / BATCH;
    let opt = model::optimizer(steps_per_epoch);
    let mut state = opt.init(&params)?;
    let step = model::training_step(opt);
    let evaluate = model::evaluator();

    let bar = ProgressBar::new((EPOCHS * steps_per_epoch) as u64).with_style(
        ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} steps, {msg}")?,
    );
    let mut history = Vec::new();
    let start = Instant::now();
    for epoch in 0..EPOCHS {
        bar.set_prefix(format!("epoch {:2}/{EPOCHS}", epoch + 1));
        for rows in minibatches(epoch, train.len())? {
            let (x, y) = train.select(&rows).arrays()?;
            let (new_params, new_state, loss) = step.call((params, state, x, y))?;
            (params, state) = (new_params, new_state);
            bar.inc(1);
            let images_per_second =
                (bar.position() as usize * BATCH) as f64 / start.elapsed().as_secs_f64();
            bar.set_message(format!(
                "loss {:.4}, {images_per_second:.0} images/s",
                loss.item::<f32>()?
            ));
        }
        let (train_loss, train_accuracy) =
            evaluate.call((params.clone(), x_train.clone(), y_train.clone()))?;
        let (test_loss, test_accuracy) =
            evaluate.call((params.clone(), x_test.clone(), y_test.clone()))?;
        let metrics = EpochMetrics {
            train_loss: train_loss.item::<f32>()?.into(),
            train_accuracy: train_accuracy.item::<f32>()?.into(),
            test_loss: test_loss.item::<f32>()?.into(),
            test_accuracy: test_accuracy.item::<f32>()?.into(),
        };
        bar.suspend(|| println!("epoch {:2}  {metrics}", epoch + 1));
        history.push(metrics);
    }
    bar.finish_and_clear();
    let last = history.last().expect("at least one epoch");
    println!(
        "trained {EPOCHS} epochs in {:.2?}: test accuracy {:.2}%, test loss {:.4}",
        start.elapsed(),
        last.test_accuracy * 100.0,
        last.test_loss
    );
    ensure!(last.test_accuracy >= 0.97, "the test accuracy is below 97%");

    // A checkpoint, reloaded into a freshly initialised model: the same predictions.
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/train_mlp");
    std::fs::create_dir_all(&out)?;
    let checkpoint = out.join("mlp.safetensors");
    rjax::io::save_safetensors(&checkpoint, &params)?;
    let restored: Mlp = rjax::io::load_safetensors(&checkpoint, &Mlp::init(0))?;
    let before = params.logits(&x_test).to_vec::<f32>()?;
    let after = restored.logits(&x_test).to_vec::<f32>()?;
    ensure!(before == after, "the reloaded model predicts differently");
    println!(
        "checkpoint: {} (reloaded: identical predictions)",
        checkpoint.display()
    );

    let figure = out.join("curves.svg");
    plot::plot_curves(&figure, &history)?;
    println!("learning curves: {}", figure.display());
    Ok(())
}
