"""Golden data for the samplers of rjax::random beyond the basic ones (src/random/continuous.rs,
discrete.rs, multivariate.rs, gamma.rs, gamma_family.rs, poisson.rs), computed with JAX's own
`jax.random`, and `jax.grad` of the gamma family in its shape parameters.

Run `python3 -P tests/golden/random_distributions.py > tests/golden/random_distributions.txt`
(`-P`: the scripts beside this one, `numpy.py` and `random.py`, must not shadow those modules).

The format, the settings (x64 on, `jax_threefry_partitionable` on, cases marked invariant
recomputed with x64 off and required to agree bit for bit) and the hashing of large arrays are
those of `tests/golden/random.py`. `tests/golden/random_legacy.py` computes the same cases with
`jax_threefry_partitionable` off.

How `tests/random_distributions.rs` compares them:
- bit for bit, except
- cases whose values pass through a transcendental XLA function (`exponential`, `laplace`,
  `logistic`, `cauchy`, `gumbel`: log, log1p, tan; the normals of `multivariate_normal`
  and `orthogonal`; `gamma`, `loggamma`, `beta`, `dirichlet`, `t`, `chisquare`, `ball`: log,
  exp, pow, sqrt), whose float32 code may differ by an ulp or two between XLA builds (jaxlib
  0.10.2's CPU backend here and the `xla-cpu-pjrt` plugin rjax embeds): within 2 ulp;
- `grad_...` (derivatives through series and continued fractions): relative to
  1 + |value|, within 1e-5 (float32) or 1e-10 (float64);
- `multivariate_normal` and `orthogonal`, which factor a matrix (Cholesky, eigh, SVD, QR) with
  LAPACK in jaxlib and with rjax's own kernels: relative to 1 + |value|, within 1e-5 (float32)
  or 1e-12 (float64). `orthogonal` fixes the signs of QR's columns by `R`'s diagonal, so the
  values agree; `multivariate_normal` is here only with its Cholesky factor (see below).
"""

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

R = jax.random
K = R.PRNGKey
F16, BF16, F32, F64 = jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64

CASES = []


def case(name, fn, invariant=False):
    CASES.append((name, fn, invariant))


def sh(shape):
    return str(shape).replace(" ", "")


# --- continuous samplers on uniform bits -------------------------------------------------------
DTYPES = ((F32, "float32", True), (F64, "float64", False), (F16, "float16", True),
          (BF16, "bfloat16", True))
for fn_name in ("exponential", "laplace", "logistic", "cauchy"):
    fn = getattr(R, fn_name)
    for dtype, name, invariant in DTYPES:
        for shape in ((5,), (2, 3)):
            case(f"{fn_name}(PRNGKey(0),{sh(shape)},{name})",
                 lambda f=fn, s=shape, d=dtype: f(K(0), s, d), invariant)
    case(f"{fn_name}(PRNGKey(7),(1000,),float32)", lambda f=fn: f(K(7), (1000,), F32), True)
for dtype, name, invariant in DTYPES:
    for mode in ("low", "high"):
        case(f"gumbel(PRNGKey(1),(6,),{name},{mode})",
             lambda d=dtype, m=mode: R.gumbel(K(1), (6,), d, mode=m), invariant)
case("gumbel(PRNGKey(2),(1000,),float32,low)", lambda: R.gumbel(K(2), (1000,), F32), True)

# --- discrete samplers -------------------------------------------------------------------------
case("rademacher(PRNGKey(0),(10,),int32)", lambda: R.rademacher(K(0), (10,), jnp.int32))
case("rademacher(PRNGKey(3),(2,3),int64)", lambda: R.rademacher(K(3), (2, 3), jnp.int64))
case("rademacher(PRNGKey(3),(4,),float32)", lambda: R.rademacher(K(3), (4,), F32))
# Roughly log([[0.1, 0.2, 0.3, 0.4, 0], [0.5, 0.1, 0.1, 0.2, 0.1]]), spelt exactly; -inf is a
# category never drawn.
LOGITS = np.array([[-2.3, -1.6, -1.2, -0.9, -np.inf], [-0.7, -2.3, -2.3, -1.6, -2.3]],
                  np.float32)
case("categorical(PRNGKey(0),[0,1,2,3],-1,None,True)",
     lambda: R.categorical(K(0), jnp.array([0.0, 1.0, 2.0, 3.0], F32)))
case("categorical(PRNGKey(1),logits,-1,None,True)", lambda: R.categorical(K(1), LOGITS))
case("categorical(PRNGKey(1),logits,0,None,True)", lambda: R.categorical(K(1), LOGITS, 0))
case("categorical(PRNGKey(2),logits,-1,(20,2),True)",
     lambda: R.categorical(K(2), LOGITS, -1, (20, 2)))
case("categorical(PRNGKey(2),logits,-1,(3,2),False)",
     lambda: R.categorical(K(2), LOGITS, -1, (3, 2), replace=False))
case("categorical(PRNGKey(4),logits64,1,None,True)",
     lambda: R.categorical(K(4), LOGITS.astype(np.float64), 1))
P = np.array([0.1, 0.2, 0.3, 0.4, 0.0], np.float32)
A = np.arange(12, dtype=np.float32).reshape(3, 4)
case("choice(PRNGKey(0),5,(3,),True,None)", lambda: R.choice(K(0), 5, (3,)))
case("choice(PRNGKey(0),5,(),True,None)", lambda: R.choice(K(0), 5))
case("choice(PRNGKey(1),5,(2,2),False,None)", lambda: R.choice(K(1), 5, (2, 2), False))
case("choice(PRNGKey(2),5,(8,),True,p)", lambda: R.choice(K(2), 5, (8,), True, P))
case("choice(PRNGKey(3),5,(3,),False,p)", lambda: R.choice(K(3), 5, (3,), False, P))
case("choice(PRNGKey(3),5,(3,),False,p64)",
     lambda: R.choice(K(3), 5, (3,), False, P.astype(np.float64)))
case("choice_of(PRNGKey(4),A,(2,),True,None,1)", lambda: R.choice(K(4), A, (2,), axis=1))
case("choice_of(PRNGKey(4),A,(2,),False,None,0)", lambda: R.choice(K(4), A, (2,), False))
case("choice_of(PRNGKey(5),A,(5,),True,p,1)",
     lambda: R.choice(K(5), A, (5,), True, P[:4], 1))
case("choice_of(PRNGKey(5),A,(3,),False,p,1)",
     lambda: R.choice(K(5), A, (3,), False, P[:4], 1))
case("choice_of(PRNGKey(6),A,(0,),True,None,0)", lambda: R.choice(K(6), A, (0,)))

# --- multivariate ------------------------------------------------------------------------------
MEAN = np.array([1.0, -2.0, 0.5])
COV = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.7]])
# Only "cholesky": the factors of "eigh" and "svd" carry the signs the eigen- and singular
# vectors happen to get (LAPACK's here, rjax's kernels there), and so do the samples;
# tests/random_distributions.rs checks those methods by sign-free properties instead.
case("multivariate_normal(PRNGKey(0),mean,cov,(4,),float64,cholesky)",
     lambda: R.multivariate_normal(K(0), MEAN, COV, (4,), F64))
case("multivariate_normal(PRNGKey(1),mean32,cov32,None,float32,cholesky)",
     lambda: R.multivariate_normal(K(1), MEAN.astype(np.float32), COV.astype(np.float32), None,
                                   F32))
case("multivariate_normal(PRNGKey(2),mean[2,3],cov,None,float64,cholesky)",
     lambda: R.multivariate_normal(K(2), np.stack([MEAN, -MEAN]), COV))
case("orthogonal(PRNGKey(0),3,(),float32,None)", lambda: R.orthogonal(K(0), 3, (), F32))
case("orthogonal(PRNGKey(1),3,(2,),float64,None)", lambda: R.orthogonal(K(1), 3, (2,), F64))
case("orthogonal(PRNGKey(2),2,(),float64,4)", lambda: R.orthogonal(K(2), 2, (), F64, 4))
case("orthogonal(PRNGKey(2),4,(),float64,2)", lambda: R.orthogonal(K(2), 4, (), F64, 2))


# --- the gamma family, poisson, ball ------------------------------------------------------------
# Each case also runs inside an outer `jax.jit` ("jit:<case>"): XLA fuses the rejection loops'
# bodies differently there, so the last bits of a few samples differ from the eager call's
# (JAX's and rjax's alike); tests/random_distributions.rs compares rjax's jitted results with
# these.


def kcase(name, fn, invariant=False):
    """A case of a function of the key `PRNGKey(<seed>)` named in `name`, and its jitted twin."""
    seed = int(name.split("PRNGKey(")[1].split(")")[0])
    case(name, lambda: fn(K(seed)), invariant)
    case("jit:" + name, lambda: jax.jit(fn)(K(seed)), invariant)


ALPHAS = np.array([0.5, 1.0, 2.5, 10.0])
SMALL_ALPHAS = np.array([0.01, 0.5, 1.0, 3.0])
for dtype, name, invariant in ((F32, "float32", True), (F64, "float64", False)):
    kcase(f"gamma(PRNGKey(0),[0.5,1,2.5,10],None,{name})",
         lambda k, d=dtype: R.gamma(k, ALPHAS.astype(d), None, d), invariant)
    kcase(f"loggamma(PRNGKey(0),[0.01,0.5,1,3],None,{name})",
         lambda k, d=dtype: R.loggamma(k, SMALL_ALPHAS.astype(d), None, d), invariant)
    kcase(f"beta(PRNGKey(0),2,3,(5,),{name})", lambda k, d=dtype: R.beta(k, 2.0, 3.0, (5,), d),
          invariant)
    kcase(f"dirichlet(PRNGKey(0),[1,2,3],None,{name})",
         lambda k, d=dtype: R.dirichlet(k, np.array([1.0, 2.0, 3.0], d), None, d), invariant)
    kcase(f"t(PRNGKey(0),3,(5,),{name})", lambda k, d=dtype: R.t(k, 3.0, (5,), d), invariant)
    kcase(f"chisquare(PRNGKey(0),2,(5,),{name})", lambda k, d=dtype: R.chisquare(k, 2.0, (5,), d),
          invariant)
    # Not invariant: rademacher's bernoulli(0.5) samples in the default float type.
    kcase(f"ball(PRNGKey(0),3,2,(4,),{name})", lambda k, d=dtype: R.ball(k, 3, 2.0, (4,), d))
kcase("gamma(PRNGKey(1),1.5,(3,2),float64)", lambda k: R.gamma(k, 1.5, (3, 2), F64))
kcase("gamma(PRNGKey(2),[[0.3],[4]],(2,3),float32)",
      lambda k: R.gamma(k, np.array([[0.3], [4.0]], np.float32), (2, 3), F32), True)
kcase("gamma(PRNGKey(3),2,(4,),float16)", lambda k: R.gamma(k, 2.0, (4,), F16), True)
kcase("gamma(PRNGKey(3),0.5,(4,),bfloat16)", lambda k: R.gamma(k, 0.5, (4,), BF16), True)
kcase("gamma(PRNGKey(5),0.7,(200,),float32)", lambda k: R.gamma(k, 0.7, (200,), F32), True)
kcase("loggamma(PRNGKey(4),0.1,(5,),float32)", lambda k: R.loggamma(k, 0.1, (5,), F32), True)
kcase("beta(PRNGKey(1),[0.5,2],[[1],[3]],None,float64)",
      lambda k: R.beta(k, np.array([0.5, 2.0]), np.array([[1.0], [3.0]]), None, F64))
kcase("dirichlet(PRNGKey(1),[[0.5,0.5],[2,5]],(3,2),float64)",
      lambda k: R.dirichlet(k, np.array([[0.5, 0.5], [2.0, 5.0]]), (3, 2), F64))
kcase("t(PRNGKey(1),[1,5,30],None,float64)", lambda k: R.t(k, np.array([1.0, 5.0, 30.0]), None, F64))
kcase("chisquare(PRNGKey(1),[0.5,3,10],None,float64)",
      lambda k: R.chisquare(k, np.array([0.5, 3.0, 10.0]), None, F64))
kcase("ball(PRNGKey(1),2,1.5,(),float64)", lambda k: R.ball(k, 2, 1.5, (), F64))
kcase("ball(PRNGKey(2),4,1,(2,3),float32)", lambda k: R.ball(k, 4, 1.0, (2, 3), F32))
# Poisson: Knuth's algorithm below lam = 10, transformed rejection above; lam = 0 gives 0.
kcase("poisson(PRNGKey(0),3,(10,),int32)", lambda k: R.poisson(k, 3.0, (10,), jnp.int32), True)
kcase("poisson(PRNGKey(1),[0.5,5,20,100,0],None,int64)",
      lambda k: R.poisson(k, np.array([0.5, 5.0, 20.0, 100.0, 0.0]), None, jnp.int64))
kcase("poisson(PRNGKey(2),50,(6,),int32)", lambda k: R.poisson(k, 50.0, (6,), jnp.int32), True)
kcase("poisson(PRNGKey(3),[[1],[15]],(2,4),int32)",
      lambda k: R.poisson(k, np.array([[1.0], [15.0]], np.float32), (2, 4), jnp.int32), True)
kcase("poisson(PRNGKey(4),4,(300,),int32)", lambda k: R.poisson(k, 4.0, (300,), jnp.int32), True)

# Derivatives in the shape parameters (implicit reparameterization): jax.grad of a weighted sum.
W = np.array([1.0, -2.0, 3.0])
kcase("grad_gamma(PRNGKey(0),[0.5,1,2.5,10],float64)",
      lambda k: jax.grad(lambda a: R.gamma(k, a, None, F64).sum())(ALPHAS))
kcase("grad_gamma(PRNGKey(0),[0.5,1,2.5,10],float32)",
      lambda k: jax.grad(lambda a: R.gamma(k, a, None, F32).sum())(ALPHAS.astype(np.float32)))
kcase("grad_loggamma(PRNGKey(0),[0.01,0.5,1,3],float64)",
      lambda k: jax.grad(lambda a: R.loggamma(k, a, None, F64).sum())(SMALL_ALPHAS))
kcase("grad_beta(PRNGKey(1),[0.5,2,5],2,float64)",
      lambda k: jax.grad(lambda a: R.beta(k, a, 2.0, None, F64).sum())(np.array([0.5, 2.0, 5.0])))
kcase("grad_dirichlet(PRNGKey(2),[0.5,2,5],float64)",
      lambda k: jax.grad(lambda a: (R.dirichlet(k, a, None, F64) * W).sum())(
         np.array([0.5, 2.0, 5.0])))
kcase("grad_t(PRNGKey(3),[3,10],float64)",
      lambda k: jax.grad(lambda df: R.t(k, df, None, F64).sum())(np.array([3.0, 10.0])))
kcase("grad_chisquare(PRNGKey(4),[0.5,4],float64)",
      lambda k: jax.grad(lambda df: R.chisquare(k, df, None, F64).sum())(np.array([0.5, 4.0])))


# Cases compared within a tolerance (see above) are written out in full, however long.
TOLERANT = ("exponential(", "laplace(", "logistic(", "cauchy(", "gumbel(", "multivariate_normal(",
            "orthogonal(", "gamma(", "loggamma(", "beta(", "dirichlet(", "t(", "chisquare(", "ball(",
            "grad_")


def load_golden_script(file_name, module_name):
    """A script beside this one as a module (`random.py` is not importable by name: `random` is
    the standard library's); `random.py`'s formatting also writes the tolerant cases in full."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).with_name(file_name)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module_name == "random_golden":
        base_transcendental = module.transcendental
        module.transcendental = lambda name: (base_transcendental(name)
                                              or name.removeprefix("jit:").startswith(TOLERANT))
    return module


def results(cases):
    """Every case's result with x64 on; invariant cases are checked with x64 off."""
    out = {name: np.asarray(fn()) for name, fn, _ in cases}
    jax.config.update("jax_enable_x64", False)
    for name, fn, invariant in cases:
        if invariant:
            again = np.asarray(fn())
            if again.dtype != out[name].dtype or again.tobytes() != out[name].tobytes():
                raise SystemExit(f"{name}: differs with x64 off ({again!r} vs {out[name]!r})")
    jax.config.update("jax_enable_x64", True)
    return out


def main():
    base = load_golden_script("random.py", "random_golden")
    assert jax.config.jax_threefry_partitionable
    values = results(CASES)
    print(f"# Generated by `python3 -P tests/golden/random_distributions.py > "
          f"tests/golden/random_distributions.txt` with JAX {jax.__version__}, NumPy "
          f"{np.__version__}; x64 on, threefry_partitionable on.")
    print("# <case>\t<result> (the format: random.py)")
    for name, _, _ in CASES:
        print(f"{name}\t{base.fmt(name, values[name])}")


if __name__ == "__main__":
    main()
