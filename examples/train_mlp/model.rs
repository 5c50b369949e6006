//! The model and its training: a multilayer perceptron whose parameters are a
//! `#[derive(Pytree)]` struct, Optax's `adamw` under a warmup-cosine schedule, and the whole
//! training step (loss, gradient, optimizer, update) compiled as one `jit`.
//! `scripts/train_mlp_jax.py` is the same in JAX + Optax.

use rjax::nn::initializers::he_normal;
use rjax::nn::losses::softmax_cross_entropy_with_integer_labels;
use rjax::numpy::{argmax, mean, zeros};
use rjax::optim::{self, AdamOptions, GradientTransformation, OptState};
use rjax::random::{PRNGKey, split};
use rjax::{Array, DType, Jitted, Pytree, idx, jit, value_and_grad};

/// The widths of the layers: 64 pixels in, two hidden layers of 128, 10 classes out.
pub const SIZES: [usize; 4] = [64, 128, 128, 10];
/// Passes over the training set.
pub const EPOCHS: usize = 30;

/// A dense layer, `x @ w + b`.
#[derive(Pytree, Clone)]
pub struct Linear {
    /// Weights, `[fan_in, fan_out]`.
    pub w: Array,
    /// Biases, `[fan_out]`.
    pub b: Array,
}

/// The network: dense layers with `relu` between them. Saved to safetensors, its tensors are
/// named by their paths: `layers.0.w`, `layers.0.b`, `layers.1.w`, ...
#[derive(Pytree, Clone)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Linear>,
}

impl Mlp {
    /// He-normal weights (`jax.nn.initializers.he_normal()`) from the keys
    /// `split(PRNGKey(seed), 3)`, one a layer, and zero biases.
    pub fn init(seed: i64) -> Mlp {
        let keys = split(PRNGKey(seed), SIZES.len() - 1);
        let layers = SIZES
            .windows(2)
            .enumerate()
            .map(|(i, sizes)| Linear {
                w: he_normal().init(&keys.index(&idx![i]), sizes, DType::F32),
                b: zeros(&sizes[1..], Some(DType::F32)),
            })
            .collect();
        Mlp { layers }
    }

    /// The class scores of a batch of images `x` (`[batch, 64]` → `[batch, 10]`).
    pub fn logits(&self, x: &Array) -> Array {
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let h = hidden.iter().fold(x.clone(), |h, layer| {
            rjax::nn::relu(&(h.matmul(&layer.w) + &layer.b))
        });
        h.matmul(&last.w) + &last.b
    }

    /// The mean cross-entropy of the batch `(x, labels)`.
    pub fn loss(&self, x: &Array, labels: &Array) -> Array {
        let losses = softmax_cross_entropy_with_integer_labels(self.logits(x), labels);
        mean(&losses, ..)
    }
}

/// `adamw` (weight decay 1e-4) under a learning rate that warms up from 0 to 3e-3 over the
/// first epoch, then decays along a cosine to 3e-5 at the last step.
pub fn optimizer(steps_per_epoch: usize) -> GradientTransformation {
    let total = (EPOCHS * steps_per_epoch) as i64;
    let schedule =
        optim::warmup_cosine_decay_schedule(0.0, 3e-3, steps_per_epoch as i64, total, 3e-5, 1.0);
    optim::adamw(schedule, AdamOptions::default(), 1e-4, None)
}

/// The arguments of a training step: `(params, state, x, y)`.
pub type StepIn = (Mlp, OptState, Array, Array);
/// `(params, state, loss)` after a step.
pub type StepOut = (Mlp, OptState, Array);

/// One training step on a batch, compiled as a whole: `(params, state, x, y)` →
/// `(params, state, loss)`. The parameters and the optimizer state are donated (JAX's
/// `donate_argnums=(0, 1)`): the step writes the new ones into their buffers.
pub fn training_step(
    opt: GradientTransformation,
) -> Jitted<impl Fn(StepIn) -> rjax::Result<StepOut>> {
    jit(move |(params, state, x, y): StepIn| {
        let (loss, grads) = value_and_grad(|p: Mlp| p.loss(&x, &y))(params.clone())?;
        let (updates, state) = opt.update(grads, state, Some(&params))?;
        Ok((optim::apply_updates(&params, &updates)?, state, loss))
    })
    .with_donate_argnums(&[0, 1])
}

/// The arguments of an evaluation: the model and a whole set `(x, y)`.
pub type EvalIn = (Mlp, Array, Array);

/// `(mean loss, accuracy)` of the model on a whole set, compiled.
pub fn evaluator() -> Jitted<impl Fn(EvalIn) -> (Array, Array)> {
    jit(|(params, x, y): EvalIn| {
        let logits = params.logits(&x);
        let loss = mean(softmax_cross_entropy_with_integer_labels(&logits, &y), ..);
        let correct = argmax(&logits, -1).eq(&y).astype(DType::F32);
        (loss, mean(&correct, ..))
    })
}
