"""Golden data for rjax's indexing primitives (src/lax/indexing.rs, src/lax/gather_scatter.rs).

Run `python3 tests/golden/indexing.py > tests/golden/indexing.txt`.

The expected values come from NumPy: a direct transcription of XLA's gather and scatter
semantics (loops over the output or the updates, `ref_gather` and `ref_scatter`), of pad
(dilate, then pad or crop the edges) and of the dynamic slices (negative starts count from the
end as in `lax.dynamic_slice`, then starts are clamped so the slice fits). Wherever a NumPy
idiom computes the same thing (`x[idx]`, `x[:, idx]`, `x[i, j]`, `np.take_along_axis`,
`np.add.at`, `np.minimum.at`, `np.flip`, ...), the script asserts that it agrees. Every case is
then run through `jax.lax` (x64 off: the cases are int32, float32 and bool), and the script
fails if JAX disagrees. All the operations are exact (the float sums add small integers), so
the comparisons are exact, NaN equal to NaN.

Out-of-bounds indices follow JAX's modes: `clip` clamps the start so the slice or window is in
bounds; `fill` gathers a whole slice of the fill value (JAX's default: NaN for floats, the
lowest int32, True) when any start is out of bounds, and `fill` scatters drop such a window;
`promise` (PromiseInBounds) gathers clamp, as XLA's gather does. Scatters with repeated indices
are only tested with combiners that make the order irrelevant (add, mul, min, max).

One case per line, tab-separated:

    <op>  <label>  <params>  <inputs>  <expected>

- `op`: the JAX primitive name (`rev`, `pad`, `dynamic_slice`, `dynamic_update_slice`,
  `gather`, `scatter`, `scatter-add`, `scatter-mul`, `scatter-min`, `scatter-max`).
- `label`: what the case is (`x[idx]`, `take_along_axis`, ...), for failure messages.
- `params`: `-`, or space-separated `key=value` pairs, lists comma-separated (empty for an
  empty list). Keys: `dimensions` (rev); `low`, `high`, `interior` (pad); `slice_sizes`
  (dynamic_slice, gather); `offset_dims`, `collapsed_slice_dims`, `start_index_map`,
  `operand_batching_dims`, `start_indices_batching_dims` (gather); `update_window_dims`,
  `inserted_window_dims`, `scatter_dims_to_operand_dims`, `operand_batching_dims`,
  `scatter_indices_batching_dims`, `unique_indices` (0 or 1) (scatters); `mode` (`clip`,
  `fill`, `promise`).
- `inputs`: space-separated arrays in the primitive's operand order (pad: operand, then the
  padding value; dynamic_slice: operand, then one scalar per start index; dynamic_update_slice:
  operand, update, then the starts; gather: operand, indices; scatters: operand, indices,
  updates). `expected`: one array.
- An array is `<dtype>[<dims, comma-separated>]:<values, comma-separated, row-major>`, e.g.
  `float32[2,2]:1.0,-0.0,nan,-inf`, `int32[]:7`, `float32[0,3]:`. Floats are Python `repr`s
  (exact for float32 values); bools are 0 and 1.
"""

import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

F32, I32, BOOL = np.float32, np.int32, np.bool_

CASES = []


def add_case(op, label, params, inputs, expected):
    CASES.append((op, label, dict(params), [np.asarray(x) for x in inputs], np.asarray(expected)))


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def check_idiom(got, idiom, what):
    assert same(got, idiom), f"{what}: reference {got!r} but NumPy idiom {idiom!r}"


# --- NumPy references ---------------------------------------------------------------------

def ref_pad(x, value, low, high, interior):
    for axis, (lo, hi, it) in enumerate(zip(low, high, interior)):
        n = x.shape[axis]
        shape = list(x.shape)
        shape[axis] = n + max(n - 1, 0) * it
        dilated = np.full(shape, value, x.dtype)
        index = [slice(None)] * x.ndim
        index[axis] = slice(None, None, it + 1)
        dilated[tuple(index)] = x
        widths = [(0, 0)] * x.ndim
        widths[axis] = (max(lo, 0), max(hi, 0))
        padded = np.pad(dilated, widths, constant_values=value)
        index = [slice(None)] * x.ndim
        index[axis] = slice(max(-lo, 0), padded.shape[axis] + min(hi, 0))
        x = padded[tuple(index)]
    return x


def start_of(index, size, slice_size):
    """lax.dynamic_slice's start: negative counts from the end, then clamped to fit."""
    index = int(index)
    if index < 0:
        index += size
    return min(max(index, 0), size - slice_size)


def ref_dynamic_slice(x, starts, sizes):
    begin = [start_of(i, d, s) for i, d, s in zip(starts, x.shape, sizes)]
    return x[tuple(slice(b, b + s) for b, s in zip(begin, sizes))]


def ref_dynamic_update_slice(x, update, starts):
    begin = [start_of(i, d, s) for i, d, s in zip(starts, x.shape, update.shape)]
    out = x.copy()
    out[tuple(slice(b, b + s) for b, s in zip(begin, update.shape))] = update
    return out


GATHER_KEYS = ("offset_dims", "collapsed_slice_dims", "start_index_map", "operand_batching_dims",
               "start_indices_batching_dims")
SCATTER_KEYS = ("update_window_dims", "inserted_window_dims", "scatter_dims_to_operand_dims",
                "operand_batching_dims", "scatter_indices_batching_dims")


def default_fill(dtype):
    if dtype == BOOL:
        return True
    if np.issubdtype(dtype, np.integer):
        return np.iinfo(dtype).min
    return np.nan


def ref_gather(x, idx, p):
    """XLA's gather, one output element at a time."""
    offset, collapsed, start_map, obatch, ibatch = (p[k] for k in GATHER_KEYS)
    sizes, mode = p["slice_sizes"], p["mode"]
    window = [d for d in range(x.ndim) if d not in collapsed and d not in obatch]
    batch_shape = iter(idx.shape[:-1])
    window_sizes = iter(sizes[d] for d in window)
    out_rank = len(offset) + idx.ndim - 1
    shape = [next(window_sizes) if d in offset else next(batch_shape) for d in range(out_rank)]
    batch_dims = [d for d in range(out_rank) if d not in offset]
    out = np.empty(shape, x.dtype)
    for o in np.ndindex(*shape):
        g = tuple(o[d] for d in batch_dims)
        start = [0] * x.ndim
        for k, d in enumerate(start_map):
            start[d] = int(idx[g][k])
        for i, d in enumerate(obatch):
            start[d] = g[ibatch[i]]
        if any(not 0 <= start[d] <= x.shape[d] - sizes[d] for d in start_map):
            if mode == "fill":
                out[o] = default_fill(x.dtype)
                continue
            start = [min(max(s, 0), x.shape[d] - sizes[d]) for d, s in enumerate(start)]
        full = list(start)
        for k, d in enumerate(window):
            full[d] += o[offset[k]]
        out[o] = x[tuple(full)]
    return out


COMBINE = {
    "scatter": lambda old, new: new,
    "scatter-add": lambda old, new: old + new,
    "scatter-mul": lambda old, new: old * new,
    "scatter-min": np.minimum,
    "scatter-max": np.maximum,
}


def ref_scatter(op, x, idx, updates, p):
    """XLA's scatter, one update element at a time; out-of-bounds windows are dropped."""
    window_dims, inserted, to_operand, obatch, ibatch = (p[k] for k in SCATTER_KEYS)
    mode = p["mode"]
    window = [d for d in range(x.ndim) if d not in inserted and d not in obatch]
    size = [1] * x.ndim
    for k, d in enumerate(window):
        size[d] = updates.shape[window_dims[k]]
    scatter_dims = [d for d in range(updates.ndim) if d not in window_dims]
    out = x.copy()
    for u in np.ndindex(*updates.shape):
        g = tuple(u[d] for d in scatter_dims)
        start = [0] * x.ndim
        for k, d in enumerate(to_operand):
            start[d] = int(idx[g][k])
            if mode == "clip":
                start[d] = min(max(start[d], 0), x.shape[d] - size[d])
        for i, d in enumerate(obatch):
            start[d] = g[ibatch[i]]
        if any(not 0 <= start[d] <= x.shape[d] - size[d] for d in range(x.ndim)):
            continue
        full = list(start)
        for k, d in enumerate(window):
            full[d] += u[window_dims[k]]
        full = tuple(full)
        out[full] = COMBINE[op](out[full], updates[u])
    return out


# --- the cases ----------------------------------------------------------------------------

def arange(shape, dtype, start=0):
    n = int(np.prod(shape))
    if dtype == BOOL:
        return (np.arange(n) % 3 == 0).reshape(shape)
    return (np.arange(n) + start).astype(dtype).reshape(shape)


def rev_cases():
    for shape, dims, dtype in [
        ((), (), F32), ((5,), (0,), F32), ((3, 4), (1,), I32), ((3, 4), (0, 1), BOOL),
        ((2, 3, 4), (0, 2), F32), ((2, 3, 4), (), I32),
    ]:
        x = arange(shape, dtype)
        expected = np.flip(x, dims) if dims else x.copy()
        add_case("rev", f"rank{len(shape)}", {"dimensions": dims}, [x], expected)


def pad_cases():
    for label, shape, config, dtype, value in [
        ("rank0", (), [], F32, 7.0),
        ("edges", (4,), [(2, 1, 0)], F32, -1.0),
        ("interior", (3,), [(0, 0, 2)], I32, 9),
        ("negative edges", (6,), [(-2, -1, 0)], F32, 0.0),
        ("negative with interior", (3,), [(1, -2, 1)], I32, -5),
        ("crop into interior", (4,), [(-1, -3, 2)], F32, 0.5),
        ("rank2", (2, 3), [(1, 0, 1), (-1, 2, 0)], F32, 0.25),
        ("bool", (2, 2), [(0, 1, 1), (1, 0, 0)], BOOL, True),
        ("rank3", (2, 2, 3), [(0, 0, 0), (1, 1, 0), (0, -1, 1)], I32, 0),
        ("empty", (0, 2), [(1, 1, 3), (0, 0, 0)], F32, 3.0),
    ]:
        x = arange(shape, dtype, start=1)
        low, high, interior = zip(*config) if config else ((), (), ())
        expected = ref_pad(x, value, low, high, interior)
        if config and all(lo >= 0 and hi >= 0 and it == 0 for lo, hi, it in config):
            check_idiom(expected, np.pad(x, list(zip(low, high)), constant_values=value), label)
        add_case("pad", label, {"low": low, "high": high, "interior": interior},
                 [x, np.asarray(value, dtype)], expected)


def dynamic_slice_cases():
    for label, shape, starts, sizes, dtype in [
        ("rank0", (), [], [], F32),
        ("in range", (6,), [2], [3], F32),
        ("clamped high", (6,), [5], [3], I32),
        ("negative counts from the end", (6,), [-2], [2], F32),
        ("negative clamped low", (6,), [-9], [2], F32),
        ("rank2", (4, 5), [1, 3], [2, 2], I32),
        ("rank2 clamped", (4, 5), [7, -1], [3, 2], BOOL),
        ("rank3", (2, 3, 4), [1, 0, 2], [1, 2, 2], F32),
        ("full size", (3, 2), [1, 1], [3, 2], F32),
    ]:
        x = arange(shape, dtype)
        starts = [np.asarray(s, I32) for s in starts]
        expected = ref_dynamic_slice(x, starts, sizes)
        add_case("dynamic_slice", label, {"slice_sizes": sizes}, [x, *starts], expected)


def dynamic_update_slice_cases():
    for label, shape, update_shape, starts, dtype in [
        ("rank0", (), (), [], F32),
        ("in range", (6,), (2,), [1], F32),
        ("clamped high", (6,), (3,), [5], I32),
        ("negative", (6,), (2,), [-1], F32),
        ("rank2", (4, 5), (2, 3), [1, 1], I32),
        ("rank2 clamped", (4, 5), (2, 2), [-7, 9], BOOL),
        ("rank3", (2, 3, 4), (1, 2, 2), [1, 2, 1], F32),
    ]:
        x = arange(shape, dtype)
        update = (-arange(update_shape, dtype, start=1) if dtype != BOOL
                  else ~arange(update_shape, dtype))
        starts = [np.asarray(s, I32) for s in starts]
        expected = ref_dynamic_update_slice(x, update, starts)
        add_case("dynamic_update_slice", label, {}, [x, update, *starts], expected)


def gather_params(offset, collapsed, start_map, sizes, mode, obatch=(), ibatch=()):
    return {"offset_dims": offset, "collapsed_slice_dims": collapsed,
            "start_index_map": start_map, "operand_batching_dims": obatch,
            "start_indices_batching_dims": ibatch, "slice_sizes": sizes, "mode": mode}


def gather_case(label, x, idx, params, idiom=None):
    expected = ref_gather(x, idx, params)
    if idiom is not None:
        check_idiom(expected, idiom, label)
    add_case("gather", f"{label} {params['mode']}", params, [x, idx], expected)


def gather_cases():
    # x[idx]: integer array indexing along axis 0, in bounds, under every mode and dtype.
    for dtype in (F32, I32, BOOL):
        x = arange((5, 3), dtype)
        idx = np.array([4, 0, 2, 2], I32)
        for mode in ("clip", "fill", "promise"):
            gather_case("x[idx]", x, idx[:, None], gather_params((1,), (0,), (0,), (1, 3), mode),
                        x[idx])
    # x[idx] out of bounds: clip and promise clamp, fill fills the whole row.
    for dtype in (F32, I32, BOOL):
        x = arange((4, 2), dtype)
        idx = np.array([-1, 4, 1, 9, 3], I32)
        clipped = x[np.clip(idx, 0, 3)]
        valid = ((idx >= 0) & (idx < 4))[:, None]
        filled = np.where(valid, clipped, np.asarray(default_fill(dtype)).astype(dtype))
        for mode, idiom in (("clip", clipped), ("promise", clipped), ("fill", filled)):
            gather_case("x[idx] out of bounds", x, idx[:, None],
                        gather_params((1,), (0,), (0,), (1, 2), mode), idiom)
    # x[:, idx]
    x = arange((3, 5), F32)
    idx = np.array([1, 4, 0, 1], I32)
    for mode in ("clip", "fill"):
        gather_case("x[:, idx]", x, idx[:, None], gather_params((0,), (1,), (1,), (3, 1), mode),
                    x[:, idx])
    # x[idx0, idx1]: pairs of indices, including an out-of-bounds pair.
    x = arange((4, 5), I32)
    pairs = np.array([[0, 4], [3, 1], [2, 2]], I32)
    for mode in ("clip", "fill", "promise"):
        gather_case("x[i, j]", x, pairs, gather_params((), (0, 1), (0, 1), (1, 1), mode),
                    x[pairs[:, 0], pairs[:, 1]])
    bad = np.array([[0, 5], [3, 1], [-1, 0]], I32)
    gather_case("x[i, j] out of bounds", x, bad, gather_params((), (0, 1), (0, 1), (1, 1), "fill"),
                np.array([np.iinfo(I32).min, x[3, 1], np.iinfo(I32).min], I32))
    # Index vectors in a rank-3 index array: x[idx[..., 0], idx[..., 1]].
    x = arange((3, 4), F32)
    idx = np.array([[[0, 0], [2, 3]], [[1, 2], [2, 0]]], I32)
    gather_case("x[idx[...,0], idx[...,1]]", x, idx,
                gather_params((), (0, 1), (0, 1), (1, 1), "clip"), x[idx[..., 0], idx[..., 1]])
    # take_along_axis along axis 1, through batching dimensions.
    x = arange((3, 4), F32)
    idx = np.array([[3, 0], [1, 1], [0, 2]], I32)
    for mode in ("clip", "fill"):
        gather_case("take_along_axis", x, idx[..., None],
                    gather_params((), (1,), (1,), (1, 1), mode, (0,), (0,)),
                    np.take_along_axis(x, idx, axis=1))
    # Batched row gather: out[b, j, :] = x[b, idx[b, j], :], with one out-of-bounds index.
    x = arange((2, 3, 4), I32)
    idx = np.array([[2, 0, 1], [1, 1, 7]], I32)
    for mode in ("clip", "fill"):
        clipped = np.stack([x[b][np.clip(idx[b], 0, 2)] for b in range(2)])
        valid = ((idx >= 0) & (idx < 3))[..., None]
        idiom = clipped if mode == "clip" else np.where(valid, clipped, np.iinfo(I32).min)
        gather_case("batched rows", x, idx[..., None],
                    gather_params((2,), (1,), (1,), (1, 1, 4), mode, (0,), (0,)), idiom)
    # Windows of 3 from a vector (not collapsed): a start past 3 is out of bounds.
    x = arange((6,), F32, start=10)
    starts = np.array([0, 2, 5, -2], I32)
    for mode in ("clip", "fill", "promise"):
        windows = [x[s:s + 3] if 0 <= s <= 3 else
                   (np.full(3, np.nan, F32) if mode == "fill" else x[min(max(s, 0), 3):][:3])
                   for s in starts]
        gather_case("windows", x, starts[:, None], gather_params((1,), (), (0,), (3,), mode),
                    np.stack(windows))
    # A 2-D window from a rank-3 operand, with the index vector mapped to dims (2, 0).
    x = arange((3, 4, 5), F32)
    idx = np.array([[1, 2], [4, 0], [0, 1]], I32)
    gather_case("rank3 window", x, idx, gather_params((1, 2), (0,), (2, 0), (1, 4, 2), "clip"),
                np.stack([x[s0, :, min(s2, 3):min(s2, 3) + 2] for s2, s0 in idx]))
    # A scalar result: x[2] from a vector, with a rank-1 index array.
    x = arange((5,), I32, start=3)
    gather_case("scalar", x, np.array([2], I32), gather_params((), (0,), (0,), (1,), "clip"),
                x[2])
    # uint8 indices.
    x = arange((4,), F32)
    idx = np.array([[3], [0], [200]], np.uint8)
    gather_case("uint8 indices", x, idx, gather_params((), (0,), (0,), (1,), "fill"),
                np.array([3.0, 0.0, np.nan], F32))


def scatter_params(window, inserted, to_operand, mode, unique=False, obatch=(), ibatch=()):
    return {"update_window_dims": window, "inserted_window_dims": inserted,
            "scatter_dims_to_operand_dims": to_operand, "operand_batching_dims": obatch,
            "scatter_indices_batching_dims": ibatch, "unique_indices": int(unique), "mode": mode}


def scatter_case(op, label, x, idx, updates, params, idiom=None):
    expected = ref_scatter(op, x, idx, updates, params)
    if idiom is not None:
        check_idiom(expected, idiom, label)
    add_case(op, f"{label} {params['mode']}", params, [x, idx, updates], expected)


def at(ufunc, x, index, updates):
    out = x.copy()
    ufunc.at(out, index, updates)
    return out


def scatter_cases():
    # Rows with a repeated index: x.at[idx].add / mul / min / max (repeats combine).
    idx = np.array([1, 3, 1, 0], I32)
    for dtype in (F32, I32):
        x = arange((5, 3), dtype, start=-4)
        updates = ((np.arange(12) * 7) % 11 - 5).astype(dtype).reshape(4, 3)
        for op, ufunc in (("scatter-add", np.add), ("scatter-mul", np.multiply),
                          ("scatter-min", np.minimum), ("scatter-max", np.maximum)):
            scatter_case(op, "x.at[idx] repeated", x, idx[:, None], updates,
                         scatter_params((1,), (0,), (0,), "fill"), at(ufunc, x, idx, updates))
    # Set with unique indices, every dtype.
    idx = np.array([3, 0, 1], I32)
    for dtype in (F32, I32, BOOL):
        x = arange((4, 2), dtype)
        updates = (arange((3, 2), dtype, start=20) if dtype != BOOL else ~arange((3, 2), dtype))
        expected = x.copy()
        expected[idx] = updates
        for mode in ("fill", "clip", "promise"):
            scatter_case("scatter", "x.at[idx].set", x, idx[:, None], updates,
                         scatter_params((1,), (0,), (0,), mode, unique=True), expected)
    # Out-of-bounds rows: fill drops them, clip clamps them onto the edge rows.
    x = arange((4, 2), F32)
    idx = np.array([-1, 2, 4, 2, 9], I32)
    updates = arange((5, 2), F32, start=100)
    keep = (idx >= 0) & (idx < 4)
    scatter_case("scatter-add", "x.at[idx] out of bounds", x, idx[:, None], updates,
                 scatter_params((1,), (0,), (0,), "fill"), at(np.add, x, idx[keep], updates[keep]))
    scatter_case("scatter-add", "x.at[idx] out of bounds", x, idx[:, None], updates,
                 scatter_params((1,), (0,), (0,), "clip"),
                 at(np.add, x, np.clip(idx, 0, 3), updates))
    x = arange((6,), I32)
    idx = np.array([5, -3, 6, 0], I32)
    keep = (idx >= 0) & (idx < 6)
    scatter_case("scatter", "x.at[idx].set out of bounds", x, idx[:, None],
                 np.array([50, 51, 52, 53], I32), scatter_params((), (0,), (0,), "fill", True),
                 np.where(np.isin(np.arange(6), idx[keep]), 0, x) + np.bincount(
                     idx[keep], np.array([50, 51, 52, 53])[keep], 6).astype(I32))
    # Pairs x.at[i, j].add with a repeat, and a scalar update.
    x = arange((3, 4), F32)
    pairs = np.array([[0, 1], [2, 3], [0, 1]], I32)
    scatter_case("scatter-add", "x.at[i, j]", x, pairs, np.array([1.0, 2.0, 4.0], F32),
                 scatter_params((), (0, 1), (0, 1), "fill"),
                 at(np.add, x, (pairs[:, 0], pairs[:, 1]), np.array([1.0, 2.0, 4.0], F32)))
    x = arange((5,), F32)
    scatter_case("scatter", "scalar update", x, np.array([3], I32), np.asarray(-1.0, F32),
                 scatter_params((), (0,), (0,), "fill"), np.where(np.arange(5) == 3, -1.0, x).astype(F32))
    # put_along_axis / add along axis 1, through batching dimensions.
    x = arange((3, 4), I32)
    idx = np.array([[3, 0], [1, 1], [0, 2]], I32)
    updates = np.array([[10, 20], [30, 40], [50, 60]], I32)
    expected = x.copy()
    for b in range(3):
        np.add.at(expected[b], idx[b], updates[b])
    scatter_case("scatter-add", "add along axis", x, idx[..., None], updates,
                 scatter_params((), (1,), (1,), "fill", obatch=(0,), ibatch=(0,)), expected)
    # Windows of 3 into a vector: a window starting past 3 is dropped (fill) or clamped (clip).
    x = np.zeros(6, F32)
    starts = np.array([[0], [5], [2]], I32)
    updates = np.array([[1, 2, 3], [10, 20, 30], [100, 200, 300]], F32)
    for mode, first in (("fill", [0, 2]), ("clip", [0, 3, 2])):
        idiom = x.copy()
        rows = [0, 2] if mode == "fill" else [0, 1, 2]
        for s, r in zip(first, rows):
            idiom[s:s + 3] += updates[r]
        scatter_case("scatter-add", "windows", x, starts, updates,
                     scatter_params((1,), (), (0,), mode), idiom)
    # Rank-3 operand, 2-D windows, index vectors mapped to dims (2, 0).
    x = arange((3, 4, 5), F32)
    idx = np.array([[1, 2], [3, 0]], I32)
    updates = arange((2, 4, 2), F32, start=1000)
    expected = x.copy()
    for k, (s2, s0) in enumerate(idx):
        expected[s0, :, s2:s2 + 2] = updates[k]
    scatter_case("scatter", "rank3 windows", x, idx, updates,
                 scatter_params((1, 2), (0,), (2, 0), "promise", True), expected)


# --- output and the cross-check against JAX ------------------------------------------------

def fmt_value(v, dtype):
    if dtype == BOOL:
        return "1" if v else "0"
    if np.issubdtype(dtype, np.integer):
        return str(int(v))
    return repr(float(v))


def fmt_array(a):
    values = ",".join(fmt_value(v, a.dtype) for v in a.reshape(-1))
    return f"{a.dtype.name}[{','.join(str(d) for d in a.shape)}]:{values}"


def fmt_params(params):
    if not params:
        return "-"
    parts = []
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return " ".join(parts)


MODES = {"clip": "clip", "fill": "fill", "promise": "promise_in_bounds"}


def lax_apply(op, p, xs):
    xs = [jnp.asarray(x) for x in xs]
    if op == "rev":
        return lax.rev(xs[0], p["dimensions"])
    if op == "pad":
        return lax.pad(xs[0], xs[1], list(zip(p["low"], p["high"], p["interior"])))
    if op == "dynamic_slice":
        return lax.dynamic_slice(xs[0], xs[1:], p["slice_sizes"])
    if op == "dynamic_update_slice":
        return lax.dynamic_update_slice(xs[0], xs[1], xs[2:])
    if op == "gather":
        dn = lax.GatherDimensionNumbers(*(tuple(p[k]) for k in GATHER_KEYS))
        return lax.gather(xs[0], xs[1], dn, p["slice_sizes"], mode=MODES[p["mode"]])
    dn = lax.ScatterDimensionNumbers(*(tuple(p[k]) for k in SCATTER_KEYS))
    fn = {"scatter": lax.scatter, "scatter-add": lax.scatter_add, "scatter-mul": lax.scatter_mul,
          "scatter-min": lax.scatter_min, "scatter-max": lax.scatter_max}[op]
    return fn(xs[0], xs[1], xs[2], dn, unique_indices=bool(p["unique_indices"]),
              mode=MODES[p["mode"]])


def main():
    rev_cases()
    pad_cases()
    dynamic_slice_cases()
    dynamic_update_slice_cases()
    gather_cases()
    scatter_cases()
    print(f"# Generated by `python3 tests/golden/indexing.py > tests/golden/indexing.txt` "
          f"with NumPy {np.__version__}, JAX {jax.__version__}.")
    print("# <op>\t<label>\t<params>\t<inputs>\t<expected> (the format: indexing.py)")
    disagreements = 0
    for op, label, params, inputs, expected in CASES:
        got = np.asarray(lax_apply(op, params, inputs))
        if not same(got, expected):
            disagreements += 1
            print(f"jax disagrees on {op} {label}:\n  numpy: {fmt_array(expected)}\n"
                  f"  jax:   {fmt_array(got)}", file=sys.stderr)
        print("\t".join([op, label, fmt_params(params), " ".join(fmt_array(x) for x in inputs),
                         fmt_array(expected)]))
    print(f"{len(CASES)} cases, {disagreements} disagreements with jax.lax", file=sys.stderr)
    if disagreements:
        sys.exit(1)


if __name__ == "__main__":
    main()
