"""Golden data for rjax::nn::losses (src/nn/losses.rs), computed with Optax's own losses.

Run `python3 -P tests/golden/nn_losses.py > tests/golden/nn_losses.txt` in a venv holding
Optax 0.2.6, JAX 0.10.2 and NumPy (`scripts/python-env.sh` prints one); x64 mode is on, as in
tests/nn_losses.rs, and every input is float64.

Each line: `<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`.

- `input/<NAME>`: the float inputs (module constants below), so that the test uses the same
  bits.
- `<case>/value`: the loss (elementwise or per example, as Optax returns it) of the case
  `<case>` of CASES below (rebuilt identically in tests/nn_losses.rs).
- `<case>/grad<i>`: `jax.grad` of the mean of the loss with respect to the i-th float input.
"""

import importlib.metadata

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

L = optax.losses

LOGITS = np.sin(np.arange(12) * 1.3 + 0.2).reshape(3, 4) * 3.0
PROBS = np.abs(np.cos(np.arange(12) * 0.7)).reshape(3, 4)
PROBS = PROBS / PROBS.sum(-1, keepdims=True)
ONE_HOT = np.eye(4)[[2, 0, 3]]
INT_LABELS = np.array([2, 0, 3], np.int32)
HUGE = np.array([[1e4, -1e4, 0.0, 5.0], [800.0, 799.0, -3.0, 1e300], [0.0, 0.0, 0.0, 0.0]])
NEG_INF = np.array([[-np.inf, 1.0, 2.0, 0.5], [3.0, -np.inf, -np.inf, 0.0], [0.1, 0.2, 0.3, 0.4]])
MASK = np.array([[True, True, False, True], [True, False, True, True], [False, True, True, True]])
ROW_MASK = np.array([True, False, True])
CUBE = np.sin(np.arange(24) * 0.9 + 0.4).reshape(2, 3, 4) * 2.0
CUBE_LABELS = np.array([5, 11], np.int32)
PRED = np.sin(np.arange(10) * 0.8 - 0.3).reshape(2, 5) * 2.0
TARGET = np.cos(np.arange(10) * 0.5).reshape(2, 5)
TIES = np.array([1.0, -1.0, 2.5, 0.0, 0.3])
TIES_T = np.array([0.0, 0.0, 0.0, 0.0, 1.3])
SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
HINGE_OUT = np.array([0.5, 1.0, -1.0, 2.0, -0.3])
BIN_LABELS = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.5, 1.0], [1.0, 1.0, 0.0, 0.0]])
LOG_PRED = np.log(PROBS)
SAFE_LABELS = np.array([[0.0, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
TARGET_P = np.array([[0.5, 0.0, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 1.0, 0.0]])

# The float inputs, written to the golden file so that tests/nn_losses.rs reads the same bits.
INPUTS = {
    "LOGITS": LOGITS, "PROBS": PROBS, "ONE_HOT": ONE_HOT, "HUGE": HUGE, "NEG_INF": NEG_INF,
    "CUBE": CUBE, "PRED": PRED, "TARGET": TARGET, "TIES": TIES, "TIES_T": TIES_T,
    "SIGNS": SIGNS, "HINGE_OUT": HINGE_OUT, "BIN_LABELS": BIN_LABELS, "LOG_PRED": LOG_PRED, "SAFE_LABELS": SAFE_LABELS,
    "TARGET_P": TARGET_P,
}

# name: (loss function of the float inputs, float inputs)
CASES = {
    "sce": (lambda x: L.softmax_cross_entropy(x, PROBS), [LOGITS]),
    "sce_labels": (lambda y: L.softmax_cross_entropy(LOGITS, y), [PROBS]),
    "sce_one_hot": (lambda x: L.softmax_cross_entropy(x, ONE_HOT), [LOGITS]),
    "sce_huge": (lambda x: L.softmax_cross_entropy(x, PROBS), [HUGE]),
    "sce_axis0": (lambda x: L.softmax_cross_entropy(x, PROBS, axis=0), [LOGITS]),
    "sce_all_axes": (lambda x: L.softmax_cross_entropy(x, PROBS / 3.0, axis=None), [LOGITS]),
    "sce_where": (lambda x: L.softmax_cross_entropy(x, PROBS, where=MASK), [LOGITS]),
    "sce_int": (lambda x: L.softmax_cross_entropy_with_integer_labels(x, INT_LABELS), [LOGITS]),
    "sce_int_huge": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(x, INT_LABELS), [HUGE]),
    "sce_int_neg_inf": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(x, INT_LABELS), [NEG_INF]),
    "sce_int_where": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(x, INT_LABELS, where=MASK),
        [LOGITS]),
    "sce_int_row_where": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(x, INT_LABELS, where=ROW_MASK),
        [LOGITS]),
    "sce_int_axes": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(x, CUBE_LABELS, axis=(1, 2)),
        [CUBE]),
    "sce_int_axis0": (
        lambda x: L.softmax_cross_entropy_with_integer_labels(
            x, np.array([1, 0, 2, 1], np.int32), axis=0),
        [LOGITS]),
    "safe_sce": (lambda x: L.safe_softmax_cross_entropy(x, PROBS), [LOGITS]),
    "safe_sce_neg_inf": (lambda x, y: L.safe_softmax_cross_entropy(x, y), [NEG_INF, SAFE_LABELS]),
    "sigmoid_bce": (lambda x: L.sigmoid_binary_cross_entropy(x, BIN_LABELS), [LOGITS]),
    "sigmoid_bce_huge": (lambda x: L.sigmoid_binary_cross_entropy(x, BIN_LABELS), [HUGE]),
    "squared_error": (lambda p, t: L.squared_error(p, t), [PRED, TARGET]),
    "squared_error_no_targets": (lambda p: L.squared_error(p), [PRED]),
    "l2_loss": (lambda p, t: L.l2_loss(p, t), [PRED, TARGET]),
    "huber": (lambda p, t: L.huber_loss(p, t), [PRED, TARGET]),
    "huber_delta": (lambda p, t: L.huber_loss(p, t, delta=0.3), [PRED, TARGET]),
    "huber_ties": (lambda p, t: L.huber_loss(p, t, delta=1.0), [TIES, TIES_T]),
    "log_cosh": (lambda p, t: L.log_cosh(p, t), [PRED, TARGET]),
    "log_cosh_huge": (lambda p: L.log_cosh(p), [HUGE]),
    "hinge": (lambda p: L.hinge_loss(p, SIGNS), [HINGE_OUT]),
    "cosine_similarity": (lambda p, t: L.cosine_similarity(p, t), [PRED, TARGET]),
    "cosine_similarity_eps": (
        lambda p, t: L.cosine_similarity(p * 0.1, t, epsilon=0.5), [PRED, TARGET]),
    "cosine_similarity_axis0": (lambda p, t: L.cosine_similarity(p, t, axis=0), [PRED, TARGET]),
    "cosine_similarity_where": (
        lambda p, t: L.cosine_similarity(p, t, where=PRED > 0.0), [PRED, TARGET]),
    "cosine_distance": (lambda p, t: L.cosine_distance(p, t), [PRED, TARGET]),
    "kl": (lambda lp, t: L.kl_divergence(lp, t), [LOG_PRED, TARGET_P]),
    "kl_all_axes": (lambda lp, t: L.kl_divergence(lp, t / 3.0, axis=None), [LOG_PRED, TARGET_P]),
    "kl_where": (lambda lp, t: L.kl_divergence(lp, t, where=MASK), [LOG_PRED, TARGET_P]),
}


def line(name, x):
    x = np.asarray(x)
    dims = ",".join(str(d) for d in x.shape)
    values = ",".join(repr(float(v)) for v in x.ravel())
    print(f"{name}|{x.dtype}|{dims}|{values}")


def main():
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("optax", "jax", "jaxlib", "numpy")
    )
    print(f"# {versions}")
    for name, x in INPUTS.items():
        line(f"input/{name}", x)
    for name, (loss, inputs) in CASES.items():
        inputs = [jnp.asarray(x) for x in inputs]
        line(f"{name}/value", loss(*inputs))
        for i in range(len(inputs)):
            def mean_loss(x, i=i):
                args = list(inputs)
                args[i] = x
                return jnp.mean(loss(*args))
            line(f"{name}/grad{i}", jax.grad(mean_loss)(inputs[i]))


main()
