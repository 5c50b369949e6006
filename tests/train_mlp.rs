//! `examples/train_mlp` against JAX + Optax: `scripts/train_mlp_jax.py`, run at test time,
//! trains the same MLP on the same digits. Checked: the split and each epoch's minibatches are
//! JAX's exactly; the first training step gives Optax's loss and parameters; and a whole
//! training gives, after every epoch, the loss and accuracy JAX + Optax reach on both sets,
//! ending at least 97% accurate on the test set.

mod common;
#[path = "../examples/train_mlp/digits.rs"]
mod digits;
#[path = "../examples/train_mlp/model.rs"]
mod model;

use anyhow::Result;
use common::python::run_python;
use digits::{BATCH, Examples, minibatches};
use model::{EPOCHS, Mlp};
use rjax::Pytree;

/// Imports `scripts/train_mlp_jax.py` as `t` and reads the data from `sys.argv[1]`.
const PRELUDE: &str = r#"
import os, sys
sys.path.insert(0, os.path.join(sys.argv[2], "scripts"))
import numpy as np
import train_mlp_jax as t
data = t.load_split(sys.argv[1])
"#;

/// Runs `code` after [`PRELUDE`]; its printed lines, each split into numbers.
fn jax(code: &str) -> Vec<Vec<f64>> {
    let csv = digits::csv_path().expect("the digits data set");
    let out = run_python(
        &format!("{PRELUDE}{code}"),
        &[csv.to_str().unwrap(), env!("CARGO_MANIFEST_DIR")],
    );
    out.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect()
}

fn load() -> Result<(Examples, Examples)> {
    digits::load_split(&digits::csv_path()?)
}

#[test]
fn the_split_and_the_minibatches_are_jaxs() -> Result<()> {
    let (train, test) = load()?;
    let want = jax(r#"
print(*data[1]); print(*data[3])
print(*(data[0][:5].ravel() * 16)); print(*(data[2][-5:].ravel() * 16))
for epoch in (0, 7):
    print(*np.concatenate(t.epoch_batches(epoch, len(data[1]))))
"#);
    let f64s = |v: &[i32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
    let pixels = |v: &[f32]| v.iter().map(|&p| f64::from(p * 16.0)).collect::<Vec<_>>();
    assert_eq!((train.len(), test.len()), (1437, 360));
    assert_eq!(f64s(&train.labels), want[0]);
    assert_eq!(f64s(&test.labels), want[1]);
    assert_eq!(pixels(&train.pixels[..5 * 64]), want[2]);
    assert_eq!(pixels(&test.pixels[test.pixels.len() - 5 * 64..]), want[3]);
    for (epoch, want) in [0, 7].into_iter().zip(&want[4..]) {
        let rows: Vec<i32> = minibatches(epoch, train.len())?.concat();
        assert_eq!(rows.len(), 11 * BATCH);
        assert_eq!(&f64s(&rows), want, "epoch {epoch}");
    }
    Ok(())
}

#[test]
fn the_first_step_gives_optaxs_loss_and_parameters() -> Result<()> {
    let (train, _) = load()?;
    let rows = &minibatches(0, train.len())?[0];
    let (x, y) = train.select(rows).arrays()?;
    let opt = model::optimizer(train.len() / BATCH);
    let params = Mlp::init(1);
    let state = opt.init(&params)?;
    // The schedule's first learning rate is 0: take two steps so that the parameters move.
    let step = model::training_step(opt);
    let (params, state, first) = step.call((params, state, x.clone(), y.clone()))?;
    let (params, _, second) = step.call((params, state, x, y))?;
    let want = jax(r#"
batch = t.epoch_batches(0, len(data[1]))[0]
x, y = data[0][batch], data[1][batch]
optimizer = t.make_optimizer(len(data[1]))
step = t.make_step(optimizer)
params = t.init_mlp(1)
state = optimizer.init(params)
params, state, first = step(params, state, x, y)
params, state, second = step(params, state, x, y)
print(float(first), float(second))
for layer in params["layers"]:
    print(*np.asarray(layer["w"]).ravel()); print(*np.asarray(layer["b"]))
"#);
    let losses = [first.item::<f32>()?, second.item::<f32>()?];
    for (got, want) in losses.iter().zip(&want[0]) {
        assert!(
            (f64::from(*got) - want).abs() <= 1e-6 * want,
            "{got} vs {want}"
        );
    }
    let leaves: Vec<Vec<f32>> = params
        .tree_flatten()
        .0
        .iter()
        .map(|leaf| leaf.to_vec::<f32>())
        .collect::<rjax::Result<_>>()?;
    assert_eq!(leaves.len(), want.len() - 1);
    for (index, (got, want)) in leaves.iter().zip(&want[1..]).enumerate() {
        assert_eq!(got.len(), want.len());
        let worst = got
            .iter()
            .zip(want)
            .map(|(g, w)| (f64::from(*g) - w).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-6, "leaf {index}: off by {worst}");
    }
    Ok(())
}

#[test]
fn training_reaches_jax_and_optaxs_loss_and_accuracy_every_epoch() -> Result<()> {
    let (train, test) = load()?;
    let ((x_train, y_train), (x_test, y_test)) = (train.arrays()?, test.arrays()?);
    let opt = model::optimizer(train.len() / BATCH);
    let mut params = Mlp::init(1);
    let mut state = opt.init(&params)?;
    let step = model::training_step(opt);
    let evaluate = model::evaluator();
    let mut got = Vec::new();
    for epoch in 0..EPOCHS {
        for rows in minibatches(epoch, train.len())? {
            let (x, y) = train.select(&rows).arrays()?;
            (params, state, _) = step.call((params, state, x, y))?;
        }
        let (train_loss, train_accuracy) =
            evaluate.call((params.clone(), x_train.clone(), y_train.clone()))?;
        let (test_loss, test_accuracy) =
            evaluate.call((params.clone(), x_test.clone(), y_test.clone()))?;
        got.push(
            [train_loss, train_accuracy, test_loss, test_accuracy]
                .iter()
                .map(|v| v.item::<f32>().map(f64::from))
                .collect::<rjax::Result<Vec<f64>>>()?,
        );
    }
    let want = jax("t.train(data, report=lambda epoch, *figures: print(*figures))");
    assert_eq!(want.len(), EPOCHS);
    for (epoch, (got, want)) in got.iter().zip(&want).enumerate() {
        // Losses to 0.1% (XLA may sum in another order); accuracies to one example.
        for (which, (g, w)) in ["train loss", "test loss"]
            .iter()
            .zip([(got[0], want[0]), (got[2], want[2])])
        {
            assert!(
                (g - w).abs() <= 1e-3 * w,
                "epoch {epoch} {which}: {g} vs {w}"
            );
        }
        assert!(
            (got[1] - want[1]).abs() <= 1.01 / train.len() as f64,
            "epoch {epoch}"
        );
        assert!(
            (got[3] - want[3]).abs() <= 1.01 / test.len() as f64,
            "epoch {epoch}"
        );
    }
    let last = got.last().unwrap();
    assert!(last[3] >= 0.97, "test accuracy {}", last[3]);
    Ok(())
}
