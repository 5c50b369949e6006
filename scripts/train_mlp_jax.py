"""examples/train_mlp in JAX + Optax: the same data, split, model, initialisation, optimizer,
schedule, minibatches and dtype, so that its test accuracy and step time are what rjax's are
compared with (scripts/bench-vs-jax.sh times `make_step`'s step through scripts/jax_bench.py).

- Data: the 1,797 8x8 digits of scikit-learn's wheel (scripts/fetch-digits.sh prints the CSV's
  path), pixels / 16 in float32; `jax.random.permutation(PRNGKey(0), 1797)` puts the first
  1,437 (80%) in the training set and the other 360 in the test set.
- Model: 64 -> 128 -> 128 -> 10, relu, weights from `jax.nn.initializers.he_normal()` with the
  keys `jax.random.split(PRNGKey(1), 3)` (one a layer), zero biases.
- Training: `optax.adamw` (weight decay 1e-4) under `optax.warmup_cosine_decay_schedule`
  (0 -> 3e-3 over the first epoch, cosine to 3e-5 at the last step), mean
  `softmax_cross_entropy_with_integer_labels`, one `jax.jit` of the whole step; each epoch's
  batches of 128 are `jax.random.permutation(fold_in(PRNGKey(2), epoch), 1437)` cut in 11 (the
  last 29 examples sit out that epoch).

Run: "$(scripts/python-env.sh)" scripts/train_mlp_jax.py [--seeds N]
(prints each epoch, the final test accuracy and the median step time; with --seeds N, the
test accuracy of N different initialisations, PRNGKey(1) .. PRNGKey(N)).
"""
import argparse
import functools
import os
import statistics
import subprocess
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

SIZES = (64, 128, 128, 10)
BATCH = 128
EPOCHS = 30
PEAK_LR = 3e-3
END_LR = 3e-5
WEIGHT_DECAY = 1e-4


def digits_csv():
    """The path of digits.csv: $RJAX_DIGITS_CSV, else what scripts/fetch-digits.sh prints."""
    if os.environ.get("RJAX_DIGITS_CSV"):
        return os.environ["RJAX_DIGITS_CSV"]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fetch-digits.sh")
    return subprocess.run([script], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()


def load_split(csv):
    """(x_train, y_train, x_test, y_test) as NumPy arrays: float32 pixels in [0, 1], int32
    labels, split by `jax.random.permutation(PRNGKey(0), n)`."""
    table = np.loadtxt(csv, delimiter=",", dtype=np.int32, ndmin=2)
    x = (table[:, :-1] / 16.0).astype(np.float32)
    y = table[:, -1].astype(np.int32)
    order = np.asarray(jax.random.permutation(jax.random.PRNGKey(0), len(y)))
    n_train = len(y) * 4 // 5
    train, test = order[:n_train], order[n_train:]
    return x[train], y[train], x[test], y[test]


def init_mlp(seed=1):
    """{"layers": [{"w": ..., "b": ...}, ...]}, as rjax's `Mlp { layers: Vec<Linear> }`."""
    keys = jax.random.split(jax.random.PRNGKey(seed), len(SIZES) - 1)
    he_normal = jax.nn.initializers.he_normal()
    return {"layers": [{"w": he_normal(key, (fan_in, fan_out), jnp.float32),
                        "b": jnp.zeros((fan_out,), jnp.float32)}
                       for key, fan_in, fan_out in zip(keys, SIZES[:-1], SIZES[1:])]}


def logits(params, x):
    *hidden, last = params["layers"]
    for layer in hidden:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    return x @ last["w"] + last["b"]


def loss_fn(params, x, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits(params, x), y).mean()


@jax.jit
def evaluate(params, x, y):
    """(mean loss, accuracy) on a whole set."""
    out = logits(params, x)
    loss = optax.softmax_cross_entropy_with_integer_labels(out, y).mean()
    return loss, (jnp.argmax(out, axis=-1) == y).mean()


def steps_per_epoch(n_train):
    return n_train // BATCH


def make_optimizer(n_train):
    total = EPOCHS * steps_per_epoch(n_train)
    schedule = optax.warmup_cosine_decay_schedule(0.0, PEAK_LR, steps_per_epoch(n_train), total,
                                                  END_LR)
    return optax.adamw(schedule, weight_decay=WEIGHT_DECAY)


def make_step(optimizer):
    """The whole training step, one jit: (params, state, x, y) -> (params, state, loss), the
    parameters and the optimizer state donated."""
    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss
    return step


def epoch_batches(epoch, n_train):
    """The index arrays of epoch `epoch`'s minibatches."""
    key = jax.random.fold_in(jax.random.PRNGKey(2), epoch)
    order = np.asarray(jax.random.permutation(key, n_train))
    return [order[i * BATCH:(i + 1) * BATCH] for i in range(steps_per_epoch(n_train))]


def print_epoch(epoch, train_loss, train_accuracy, test_loss, test_accuracy):
    """The line examples/train_mlp prints after each epoch (counting from 0)."""
    print(f"epoch {epoch + 1:2}  train loss {train_loss:.4f} accuracy {train_accuracy:.2%}  "
          f"test loss {test_loss:.4f} accuracy {test_accuracy:.2%}")


def train(data, seed=1, epochs=EPOCHS, report=print_epoch):
    """Trains from `init_mlp(seed)`, calling `report(epoch, train_loss, train_accuracy,
    test_loss, test_accuracy)` after each epoch; returns the parameters and every step's
    seconds."""
    x_train, y_train, x_test, y_test = data
    params = init_mlp(seed)
    optimizer = make_optimizer(len(y_train))
    state = optimizer.init(params)
    step = make_step(optimizer)
    step_times = []
    for epoch in range(epochs):
        for batch in epoch_batches(epoch, len(y_train)):
            start = time.perf_counter()
            params, state, loss = step(params, state, x_train[batch], y_train[batch])
            loss.block_until_ready()
            step_times.append(time.perf_counter() - start)
        train_loss, train_accuracy = evaluate(params, x_train, y_train)
        test_loss, test_accuracy = evaluate(params, x_test, y_test)
        report(epoch, *(float(v) for v in (train_loss, train_accuracy, test_loss, test_accuracy)))
    return params, step_times


def first_epoch(csv):
    """What scripts/bench-vs-jax.sh times from process start: read and split the data, build
    the model, the optimizer and the step, and train one epoch. Returns its last loss."""
    x_train, y_train, _, _ = load_split(csv)
    params = init_mlp()
    optimizer = make_optimizer(len(y_train))
    state = optimizer.init(params)
    step = make_step(optimizer)
    for batch in epoch_batches(0, len(y_train)):
        params, state, loss = step(params, state, x_train[batch], y_train[batch])
    return loss.block_until_ready()


def timed_step(csv):
    """The benchmark's timed call: a training step on epoch 0's first batch (resident on the
    device), the parameters and optimizer state carried from call to call. Returns a function
    that makes one step and returns its loss."""
    x_train, y_train, _, _ = load_split(csv)
    batch = epoch_batches(0, len(y_train))[0]
    x, y = jax.device_put(x_train[batch]), jax.device_put(y_train[batch])
    optimizer = make_optimizer(len(y_train))
    step = make_step(optimizer)
    params = init_mlp()
    carried = [params, optimizer.init(params)]

    def call():
        carried[0], carried[1], loss = step(*carried, x, y)
        return loss.block_until_ready()
    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=0, help="also train from N initialisations")
    options = parser.parse_args()
    data = load_split(digits_csv())
    print(f"train {len(data[1])}, test {len(data[3])}; JAX {jax.__version__}, "
          f"Optax {optax.__version__}, {jax.devices()[0].platform}")
    params, step_times = train(data)
    _, accuracy = evaluate(params, data[2], data[3])
    print(f"test accuracy {float(accuracy):.2%}; median step "
          f"{statistics.median(step_times[1:]) * 1e6:.0f} µs ({len(step_times)} steps)")
    accuracies = [float(evaluate(train(data, seed, report=lambda *_: None)[0], *data[2:])[1])
                  for seed in range(1, options.seeds + 1)]
    if accuracies:
        print(f"test accuracy over seeds 1..{options.seeds}: "
              + ", ".join(f"{a:.2%}" for a in accuracies)
              + f"; mean {statistics.mean(accuracies):.2%}, min {min(accuracies):.2%}")


if __name__ == "__main__":
    main()
