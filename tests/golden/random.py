"""Golden data for rjax::random (src/random/), computed with JAX's own `jax.random`.

Run `python3 tests/golden/random.py > tests/golden/random.txt`.

The outputs are JAX's, with its defaults: the `threefry2x32` PRNG with
`jax_threefry_partitionable` on (checked below), legacy `uint32[2]` keys from `PRNGKey`, and
x64 mode on, as `tests/random.rs` runs every test with x64 on. Each case marked invariant (keys
from non-negative seeds, 8/16/32-bit paths) is also computed with x64 off; the two must agree
bit for bit, or the script fails.

One case per line, tab-separated:

    <case>  <result>

- `case`: the call, spelt as in Python (`uniform(PRNGKey(0),(3,),float32)`), which
  `tests/random.rs` maps to the same call in Rust.
- `result`: `<dtype>[<dims, comma-separated>]:<values>`. Values are the bit patterns of the
  elements as lower-case hex, two digits per byte (floats by their bits, bools as 00/01),
  comma-separated in row-major order; arrays of more than 64 elements (1000 for `normal` and
  `truncated_normal`) instead give `fnv1a64=<hash>;head=<first 8>;tail=<last 8>`, the hash
  being FNV-1a (64 bits) of the elements' little-endian bytes.

`normal` and `truncated_normal` go through XLA's `erf_inv` (and `erf`), whose float32 code
differs by an ulp or two for a few inputs between XLA builds: jaxlib 0.10.2's CPU backend here,
and the `xla-cpu-pjrt` 0.0.1 plugin rjax embeds (JAX itself run on that plugin gives rjax's
bits). Their values are therefore written out in full, for `tests/random.rs` to compare within
2 ulp; every other case is compared bit for bit.
"""

import sys

import jax
import jax.extend.random
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
assert jax.config.jax_threefry_partitionable, "expected JAX's default threefry_partitionable"
assert jax.config.jax_default_prng_impl == "threefry2x32"

R = jax.random
K = R.PRNGKey
F16, BF16, F32, F64 = jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64

CASES = []


def case(name, fn, invariant=False):
    CASES.append((name, fn, invariant))


# --- keys -------------------------------------------------------------------------------------
for seed in (0, 42, 7 * 2**20 + 3):
    case(f"PRNGKey({seed})", lambda s=seed: K(s), invariant=True)
case("PRNGKey(-1)", lambda: K(-1))
case("PRNGKey(1099511627781)", lambda: K(2**40 + 5))
case("key_from_seed(int32(-1))", lambda: K(np.int32(-1)), invariant=True)
case("key_from_seed(uint32(7))", lambda: K(np.uint32(7)), invariant=True)
case("key_from_seed(int64(1099511627781))", lambda: K(np.int64(2**40 + 5)))
case("split(PRNGKey(0),2)", lambda: R.split(K(0)), invariant=True)
case("split(PRNGKey(0),3)", lambda: R.split(K(0), 3), invariant=True)
case("split(PRNGKey(42),5)", lambda: R.split(K(42), 5), invariant=True)
case("split(PRNGKey(0),(2,3))", lambda: R.split(K(0), (2, 3)), invariant=True)
case("split(PRNGKey(0),0)", lambda: R.split(K(0), 0), invariant=True)
case("fold_in(PRNGKey(0),1)", lambda: R.fold_in(K(0), 1), invariant=True)
case("fold_in(PRNGKey(42),0)", lambda: R.fold_in(K(42), 0), invariant=True)
case("fold_in(PRNGKey(0),4294967295)", lambda: R.fold_in(K(0), np.uint32(2**32 - 1)),
     invariant=True)
case("fold_in(split(PRNGKey(0),2)[1],7)", lambda: R.fold_in(R.split(K(0))[1], 7), invariant=True)
case("threefry_2x32(PRNGKey(3),arange(5,uint32))",
     lambda: jax.extend.random.threefry_2x32(K(3), jnp.arange(5, dtype=jnp.uint32)), invariant=True)

# --- bits -------------------------------------------------------------------------------------
for shape in ((), (3,), (2, 3), (1000,), (0,)):
    case(f"bits(PRNGKey(0),{shape},uint32)".replace(" ", ""),
         lambda s=shape: R.bits(K(0), s, jnp.uint32), invariant=True)
case("bits(PRNGKey(1),(5,),uint8)", lambda: R.bits(K(1), (5,), jnp.uint8), invariant=True)
case("bits(PRNGKey(1),(5,),uint16)", lambda: R.bits(K(1), (5,), jnp.uint16), invariant=True)
case("bits(PRNGKey(1),(2,3),uint64)", lambda: R.bits(K(1), (2, 3), jnp.uint64))

# --- uniform and normal -----------------------------------------------------------------------
for dtype, name, invariant in ((F32, "float32", True), (F64, "float64", False)):
    for shape in ((3,), (2, 3), (1000,)):
        sh = str(shape).replace(" ", "")
        case(f"uniform(PRNGKey(0),{sh},{name})",
             lambda s=shape, d=dtype: R.uniform(K(0), s, d), invariant)
        case(f"normal(PRNGKey(0),{sh},{name})",
             lambda s=shape, d=dtype: R.normal(K(0), s, d), invariant)
    case(f"uniform(PRNGKey(1),(2,3),{name},-2,5)",
         lambda d=dtype: R.uniform(K(1), (2, 3), d, -2.0, 5.0), invariant)
    case(f"uniform(PRNGKey(3),(2,3),{name},[0,1,2],10)",
         lambda d=dtype: R.uniform(K(3), (2, 3), d, np.array([0.0, 1.0, 2.0], d), 10.0),
         invariant)
    case(f"normal(PRNGKey(5),(),{name})", lambda d=dtype: R.normal(K(5), (), d), invariant)
    case(f"truncated_normal(PRNGKey(0),-1,2,(5,),{name})",
         lambda d=dtype: R.truncated_normal(K(0), -1.0, 2.0, (5,), d), invariant)
    case(f"truncated_normal(PRNGKey(2),[-3,0,1],[-2,0.5,4],None,{name})",
         lambda d=dtype: R.truncated_normal(K(2), np.array([-3.0, 0.0, 1.0], d),
                                            np.array([-2.0, 0.5, 4.0], d), None, d), invariant)
case("normal(PRNGKey(0),(1000,1000),float64)", lambda: R.normal(K(0), (1000, 1000), F64))
case("uniform(PRNGKey(0),(1000,1000),float32)", lambda: R.uniform(K(0), (1000, 1000), F32),
     invariant=True)
for dtype, name in ((F16, "float16"), (BF16, "bfloat16")):
    case(f"uniform(PRNGKey(0),(5,),{name})", lambda d=dtype: R.uniform(K(0), (5,), d), True)
    case(f"normal(PRNGKey(0),(5,),{name})", lambda d=dtype: R.normal(K(0), (5,), d), True)

# --- randint, bernoulli, permutation ------------------------------------------------------------
case("randint(PRNGKey(0),(10,),0,10,int32)", lambda: R.randint(K(0), (10,), 0, 10, jnp.int32),
     invariant=True)
case("randint(PRNGKey(1),(2,5),-5,5,int32)", lambda: R.randint(K(1), (2, 5), -5, 5, jnp.int32),
     invariant=True)
case("randint(PRNGKey(0),(1000,),-1000000,1000000,int32)",
     lambda: R.randint(K(0), (1000,), -1000000, 1000000, jnp.int32), invariant=True)
case("randint(PRNGKey(0),(8,),0,256,uint8)", lambda: R.randint(K(0), (8,), 0, 256, jnp.uint8),
     invariant=True)
case("randint(PRNGKey(0),(8,),-128,128,int8)",
     lambda: R.randint(K(0), (8,), -128, 128, jnp.int8), invariant=True)
case("randint(PRNGKey(2),(6,),-1000,1000,int16)",
     lambda: R.randint(K(2), (6,), -1000, 1000, jnp.int16), invariant=True)
case("randint(PRNGKey(0),(5,),3,3,int32)", lambda: R.randint(K(0), (5,), 3, 3, jnp.int32),
     invariant=True)
case("randint(PRNGKey(0),(3,),[0,10,100],[5,20,1000],int32)",
     lambda: R.randint(K(0), (3,), np.array([0, 10, 100], np.int32),
                       np.array([5, 20, 1000], np.int32), jnp.int32), invariant=True)
case("randint(PRNGKey(4),(6,),0,4294967296,uint32)",
     lambda: R.randint(K(4), (6,), 0, 2**32, jnp.uint32))
case("randint(PRNGKey(4),(6,),0,2147483648,int32)",
     lambda: R.randint(K(4), (6,), 0, 2**31, jnp.int32))
case("randint(PRNGKey(0),(6,),0,1099511627776,int64)",
     lambda: R.randint(K(0), (6,), 0, 2**40, jnp.int64))
case("bernoulli(PRNGKey(0),float32(0.5),(10,))",
     lambda: R.bernoulli(K(0), np.float32(0.5), (10,)), invariant=True)
case("bernoulli(PRNGKey(0),0.3,(10,))", lambda: R.bernoulli(K(0), 0.3, (10,)))
case("bernoulli(PRNGKey(1),float32([0.1,0.5,0.9]),None)",
     lambda: R.bernoulli(K(1), np.array([0.1, 0.5, 0.9], np.float32)), invariant=True)
case("permutation(PRNGKey(0),10)", lambda: R.permutation(K(0), 10))
case("permutation(PRNGKey(0),3000)", lambda: R.permutation(K(0), 3000))
case("permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),1,False)",
     lambda: R.permutation(K(0), jnp.arange(12, dtype=jnp.int32).reshape(3, 4), 1),
     invariant=True)
case("permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),0,True)",
     lambda: R.permutation(K(0), jnp.arange(12, dtype=jnp.int32).reshape(3, 4), 0, True),
     invariant=True)
case("permutation_of(PRNGKey(1),arange(2000,float32),0,False)",
     lambda: R.permutation(K(1), jnp.arange(2000, dtype=jnp.float32)), invariant=True)


# --- formatting --------------------------------------------------------------------------------

def words(a):
    a = np.asarray(a)
    view = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    width = 2 * a.dtype.itemsize
    return [format(int(w), f"0{width}x") for w in a.reshape(-1).view(view)], a


FULL = 64
FULL_TRANSCENDENTAL = 1000


def transcendental(name):
    """Cases whose values pass through erf_inv or erf, where XLA builds may differ by an ulp."""
    return name.startswith(("normal(", "truncated_normal("))


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def fnv1a64_of(a):
    """FNV-1a of the array's little-endian bytes (a plain loop: half a minute for 12 MB)."""
    return fnv1a64(np.ascontiguousarray(a).reshape(-1).view(np.uint8).tobytes())


def fmt(name, a):
    values, a = words(a)
    dims = ",".join(str(d) for d in a.shape)
    head = f"{a.dtype.name}[{dims}]"
    if len(values) <= (FULL_TRANSCENDENTAL if transcendental(name) else FULL):
        return f"{head}:{','.join(values)}"
    digest = fnv1a64_of(a)
    return (f"{head}:fnv1a64={digest:016x};head={','.join(values[:8])};"
            f"tail={','.join(values[-8:])}")


def main():
    results = {name: np.asarray(fn()) for name, fn, _ in CASES}
    jax.config.update("jax_enable_x64", False)
    for name, fn, invariant in CASES:
        if invariant:
            again = np.asarray(fn())
            same = again.dtype == results[name].dtype and again.tobytes() == results[name].tobytes()
            if not same:
                sys.exit(f"{name}: differs with x64 off ({again!r} vs {results[name]!r})")
    print(f"# Generated by `python3 tests/golden/random.py > tests/golden/random.txt` with "
          f"JAX {jax.__version__}, NumPy {np.__version__}; x64 on, threefry_partitionable on.")
    print("# <case>\t<result> (the format: random.py)")
    for name, _, _ in CASES:
        print(f"{name}\t{fmt(name, results[name])}")


if __name__ == "__main__":
    main()
