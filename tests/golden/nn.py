"""Expected values for tests/nn.rs: jax.nn's functions and their derivatives, computed by JAX
in x64 mode, with the values checked against SciPy's and NumPy's where they have the function.

Run `python3 -P tests/golden/nn.py > tests/golden/nn.txt`. Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. `d_<f>` is the derivative
of `f` at each element of X (`vmap(grad(f))`), `dd_<f>` the second derivative; X holds the
special points (0, ±1, ±3, 6). The inputs are rebuilt identically in tests/nn.rs.
"""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.special as sp  # noqa: E402
import scipy.stats as st  # noqa: E402

X = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])
XF = X.astype(np.float32)
A = np.sin(np.arange(24) * 1.3).reshape(2, 3, 4)
M = np.sin(np.arange(12) * 0.7 + 0.3).reshape(3, 4)
K = np.array([0, 2, -1, 3, 1])
K2 = np.array([[0, 1], [2, 3]])
L = np.array([-np.inf, 0.0, -np.inf, 1.0])

ACTIVATIONS = {
    "relu": jax.nn.relu,
    "relu6": jax.nn.relu6,
    "sigmoid": jax.nn.sigmoid,
    "log_sigmoid": jax.nn.log_sigmoid,
    "softplus": jax.nn.softplus,
    "silu": jax.nn.silu,
    "mish": jax.nn.mish,
    "gelu": lambda x: jax.nn.gelu(x, approximate=True),
    "gelu_exact": lambda x: jax.nn.gelu(x, approximate=False),
    "elu": jax.nn.elu,
    "elu_alpha": lambda x: jax.nn.elu(x, 0.5),
    "selu": jax.nn.selu,
    "celu": lambda x: jax.nn.celu(x, 2.0),
    "leaky_relu": jax.nn.leaky_relu,
    "leaky_relu_slope": lambda x: jax.nn.leaky_relu(x, 0.2),
    "hard_tanh": jax.nn.hard_tanh,
    "hard_sigmoid": jax.nn.hard_sigmoid,
    "hard_silu": jax.nn.hard_silu,
}
SECOND_DERIVATIVES = ["sigmoid", "softplus", "silu", "gelu", "gelu_exact", "elu", "selu"]

# SciPy's and NumPy's values of the same functions.
REFERENCE = {
    "sigmoid": sp.expit(X),
    "log_sigmoid": sp.log_expit(X),
    "softplus": np.logaddexp(X, 0),
    "silu": X * sp.expit(X),
    "gelu_exact": X * st.norm.cdf(X),
    "relu": np.maximum(X, 0),
    "relu6": np.clip(X, 0, 6),
    "leaky_relu": np.where(X >= 0, X, 0.01 * X),
    "softmax": sp.softmax(M, axis=-1),
    "softmax_axes": sp.softmax(A, axis=(0, 2)),
    "log_softmax": sp.log_softmax(M, axis=-1),
    "logsumexp": sp.logsumexp(A),
    "logsumexp_axis": sp.logsumexp(A * 100, axis=1),
    "logsumexp_keep": sp.logsumexp(M, axis=-1, keepdims=True),
    "logsumexp_axes": sp.logsumexp(A, axis=(0, 2)),
    "logsumexp_inf": sp.logsumexp(L),
    "one_hot": np.eye(3)[np.where((K >= 0) & (K < 3), K, 0)] * ((K >= 0) & (K < 3))[:, None],
}


def cases():
    out = {}
    for name, f in ACTIVATIONS.items():
        out[name] = f(X)
        out["d_" + name] = jax.vmap(jax.grad(f))(X)
    for name in SECOND_DERIVATIVES:
        out["dd_" + name] = jax.vmap(jax.grad(jax.grad(ACTIVATIONS[name])))(X)
    out["relu_int"] = jax.nn.relu(K)
    out["log_sigmoid_int"] = jax.nn.log_sigmoid(K)
    out["sigmoid_f32"] = jax.nn.sigmoid(XF)
    out["gelu_f32"] = jax.nn.gelu(XF)
    out["softplus_big"] = jax.nn.softplus(np.array([-1000.0, 1000.0, 0.0]))
    out["softmax"] = jax.nn.softmax(M)
    out["softmax_axis0"] = jax.nn.softmax(A * 50, axis=0)
    out["softmax_axes"] = jax.nn.softmax(A, axis=(0, 2))
    out["softmax_f32"] = jax.nn.softmax(M.astype(np.float32))
    out["log_softmax"] = jax.nn.log_softmax(M)
    out["log_softmax_axis"] = jax.nn.log_softmax(A * 100, axis=1)
    out["logsumexp"] = jax.nn.logsumexp(A)
    out["logsumexp_axis"] = jax.nn.logsumexp(A * 100, axis=1)
    out["logsumexp_keep"] = jax.nn.logsumexp(M, axis=-1, keepdims=True)
    out["logsumexp_axes"] = jax.nn.logsumexp(A, axis=(0, 2))
    out["logsumexp_inf"] = jax.nn.logsumexp(L)
    out["one_hot"] = jax.nn.one_hot(K, 3)
    out["one_hot_axis0"] = jax.nn.one_hot(K, 4, axis=0)
    out["one_hot_int"] = jax.nn.one_hot(K2, 3, dtype=jnp.int32, axis=1)
    out["standardize"] = jax.nn.standardize(M)
    out["standardize_axes"] = jax.nn.standardize(A, axis=(0, 2))
    out["standardize_given"] = jax.nn.standardize(M, mean=0.5, variance=2.0)
    weights = jnp.cos(jnp.arange(12.0)).reshape(3, 4)
    out["d_softmax"] = jax.grad(lambda m: (jax.nn.softmax(m) * weights).sum())(M)
    out["d_log_softmax"] = jax.grad(lambda m: (jax.nn.log_softmax(m, axis=0) * weights).sum())(M)
    out["d_logsumexp"] = jax.grad(lambda a: jax.nn.logsumexp(a, axis=(0, 2)).sum())(A)
    out["d_logsumexp_inf"] = jax.grad(jax.nn.logsumexp)(L)
    out["d_standardize"] = jax.grad(lambda m: (jax.nn.standardize(m) * weights).sum())(M)
    return out


def emit(name, value):
    a = np.asarray(value)
    if a.dtype == np.bool_:
        values = ["1" if v else "0" for v in a.ravel()]
    elif a.dtype.kind == "f":
        values = [repr(float(v)) for v in a.ravel()]
    else:
        values = [str(int(v)) for v in a.ravel()]
    dims = ",".join(str(d) for d in a.shape)
    print(f"{name}|{a.dtype}|{dims}|{','.join(values)}")


if __name__ == "__main__":
    got = cases()
    for name, want in REFERENCE.items():
        assert np.allclose(np.asarray(got[name]), want, rtol=1e-12, atol=1e-12), name
    print(f"# jax {jax.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    for name, value in got.items():
        emit(name, value)
