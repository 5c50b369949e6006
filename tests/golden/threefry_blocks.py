"""JAX's blocking of long outputs in the original (non-partitionable) threefry layout, at a
small block size so that the blocks can be checked: `_threefry_random_bits_original` hashes
at most 2^32 - 1 words with one key and cuts longer outputs into blocks, each hashed by one of
`threefry_split(key, nblocks + 1)`. This script runs those lines of JAX 0.10.2 with the block
size as a parameter (JAX's own primitives: threefry_split, threefry_2x32, vmap, concatenate)
and prints the words for PRNGKey(7) and PRNGKey(0) for several counts with block 5.

Run `"$(scripts/python-env.sh)" -P tests/golden/threefry_blocks.py > tests/golden/threefry_blocks.txt`.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax._src.random import threefry2x32 as prng

jax.config.update("jax_threefry_partitionable", False)
BLOCK = 5


def words(key, count):
    nblocks, rem = divmod(count, BLOCK)
    if not nblocks:
        return prng.threefry_2x32(key, lax.iota(np.uint32, rem))
    keys = prng.threefry_split(key, (nblocks + 1,))
    subkeys, last_key = keys[:-1], keys[-1]
    blocks = jax.vmap(prng.threefry_2x32, in_axes=(0, None))(subkeys, lax.iota(np.uint32, BLOCK))
    last = prng.threefry_2x32(last_key, lax.iota(np.uint32, rem))
    return lax.concatenate([blocks.ravel(), last], 0)


print(f"# jax {jax.__version__}, numpy {np.__version__}; block {BLOCK}")
for seed in (7, 0):
    key = jax.random.key_data(jax.random.PRNGKey(seed))
    for count in (3, 5, 13, 15):
        got = np.asarray(words(key, count))
        print(seed, count, " ".join(str(int(w)) for w in got))
