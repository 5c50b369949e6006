//! Trains a small MLP (two hidden layers of 32 `tanh` units) on a synthetic regression task,
//! `y = sin(3 x0) cos(2 x1)` on 512 points drawn with `rjax::random`, with Optax's recipe in
//! `rjax::optim`: `clip_by_global_norm(1.0)` then `adamw` under a
//! `warmup_cosine_decay_schedule`. The whole step (loss, gradient, optimizer, update) is one
//! `jit`.
//!
//! Run with `cargo run --example train_mlp`.

use rjax::optim::{self, AdamOptions, Mask, OptState};
use rjax::random::{PRNGKey, fold_in, normal, uniform};
use rjax::{Array, DType, jit, value_and_grad};

/// Weights and biases of each layer: (W1, b1, W2, b2, W3, b3).
type Params = (Array, Array, Array, Array, Array, Array);

const STEPS: usize = 600;
const WIDTH: usize = 32;

/// A layer's weights, scaled by 1/sqrt(fan-in) (LeCun's normal initialisation), and zero
/// biases.
fn layer(seed: i64, fan_in: usize, fan_out: usize) -> (Array, Array) {
    let key = fold_in(&PRNGKey(0), seed);
    let w = normal(&key, &[fan_in, fan_out], DType::F32) * (1.0 / (fan_in as f64).sqrt());
    (w, rjax::numpy::zeros(&[fan_out], Some(DType::F32)))
}

fn predict(params: &Params, x: &Array) -> Array {
    let (w1, b1, w2, b2, w3, b3) = params;
    let h = (x.matmul(w1) + b1).tanh();
    let h = (h.matmul(w2) + b2).tanh();
    h.matmul(w3) + b3
}

fn mean_squared_error(params: &Params, x: &Array, y: &Array) -> Array {
    let r = predict(params, x) - y;
    (&r * &r).sum() / r.size() as f64
}

fn main() -> rjax::Result<()> {
    let key = PRNGKey(42);
    let x = uniform(&key, &[512, 2], DType::F32, -1.0, 1.0);
    let column = |j: usize| x.index(&rjax::idx![.., j..j + 1]);
    let y = (column(0) * 3.0).sin() * (column(1) * 2.0).cos();

    let (w1, b1) = layer(1, 2, WIDTH);
    let (w2, b2) = layer(2, WIDTH, WIDTH);
    let (w3, b3) = layer(3, WIDTH, 1);
    let mut params: Params = (w1, b1, w2, b2, w3, b3);

    let schedule = optim::warmup_cosine_decay_schedule(0.0, 0.02, 50, STEPS as i64, 1e-4, 1.0);
    let opt = optim::chain(vec![
        optim::clip_by_global_norm(1.0),
        // Weight decay on the matrices only, as usual.
        optim::adamw(
            schedule,
            AdamOptions::default(),
            1e-4,
            Some(Mask::by_leaf(|p| p.ndim() == 2)),
        ),
    ]);
    let mut state = opt.init(&params)?;

    let step = jit(|(params, state): (Params, OptState)| {
        let (loss, grads) =
            value_and_grad(|p: Params| mean_squared_error(&p, &x, &y))(params.clone())?;
        let (updates, state) = opt.update(grads, state, Some(&params))?;
        Ok::<_, rjax::Error>((optim::apply_updates(&params, &updates)?, state, loss))
    });

    let start = std::time::Instant::now();
    let first = mean_squared_error(&params, &x, &y).item::<f32>()?;
    println!("initial loss {first:.5}");
    for i in 1..=STEPS {
        let (p, s, loss) = step.call((params, state))?;
        (params, state) = (p, s);
        if i % 100 == 0 {
            println!("step {i:4}  loss {:.5}", loss.item::<f32>()?);
        }
    }
    let last = mean_squared_error(&params, &x, &y).item::<f32>()?;
    println!(
        "final loss {last:.5} after {STEPS} steps in {:.2?}",
        start.elapsed()
    );
    assert!(last < first / 10.0, "training did not reduce the loss");
    Ok(())
}
