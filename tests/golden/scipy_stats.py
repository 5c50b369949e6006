"""Expected values for tests/scipy_stats.rs: jax.scipy.stats' norm, t, gamma, beta, poisson,
bernoulli and multivariate_normal functions and their derivatives, computed by JAX 0.10.2 in
x64 mode on the CPU, with the values checked against SciPy's (scipy.stats) where SciPy
defines the same thing.

Run `python3 -P tests/golden/scipy_stats.py > tests/golden/scipy_stats.txt`. Each line:
`<name>|<dtype>|<dims, comma-separated>|<values, comma-separated>`. `d<arg>_<dist>_<f>` is
the derivative of an elementwise function in one argument at each point
(`vmap(grad)` over the broadcast inputs); `d<arg>_mvn_logpdf` is the gradient of the summed
multivariate log density. The inputs are rebuilt identically in tests/scipy_stats.rs.

Tolerances. tests/scipy_stats.rs compares float64 values and derivatives to 1e-12 relative
(rjax runs JAX's formulas on the same XLA operations; only the last bits of transcendental
functions and reductions may differ), float32 to 2e-6 (a few ulps). Against SciPy, which
uses other algorithms (Boost, Cephes, exact sums), this script asks 1e-9 relative (1e-15
absolute), except in `LOOSE`: `poisson.entropy` (1e-5: JAX truncates the sum below mu = 100
and uses an asymptotic formula above, dropping terms of order 1/mu^2) and `norm.isf` (1e-8:
JAX forms 1 - q, which rounds q = 1e-10). Where JAX's conventions differ from SciPy's, the
points are left out of the comparison (`SCIPY_DIFFERS`: JAX's support test is false at a NaN
`x` or `k` of `gamma` and `poisson`, giving -inf and 0 where SciPy gives NaN, and
`bernoulli.ppf(0)` is 0 in JAX, -1 in SciPy), or the cases are JAX's alone (`JAX_ONLY`: a
non-integer `k` of the Bernoulli mass, which JAX does not reject; a covariance that is not
positive definite, NaN in JAX).
"""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import jax.scipy.stats as jst  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats as st  # noqa: E402

INF, NAN = np.inf, np.nan
# norm: both tails, the asymptotic series of log_ndtr below -20, infinities and NaN.
X = np.array([-INF, -40.0, -3.0, -1.0, 0.0, 0.5, 2.0, 10.0, 40.0, INF, NAN])
XD = np.array([-30.0, -3.0, -1.0, 0.0, 0.5, 2.0, 10.0])
Q = np.array([0.0, 1e-10, 0.1, 0.5, 0.9, 1.0, -0.1, 1.1, NAN])
QD = np.array([1e-10, 0.1, 0.5, 0.9])
# t: three degrees of freedom against every x.
DF = np.array([[1.0], [2.5], [30.0]])
# gamma: below the support, its edge, inside, infinity, NaN; shapes below, at and above 1.
XG = np.array([-1.0, 0.0, 0.5, 1.0, 2.5, 10.0, INF, NAN])
XGD = np.array([0.5, 1.0, 2.5, 10.0])
AG = np.array([[0.5], [1.0], [3.0]])
# beta: outside, on the edges, inside; (a, b) pairs below and above 1, and invalid ones.
XB = np.array([-0.5, 0.0, 0.2, 0.5, 0.9, 1.0, 1.5, NAN])
XBD = np.array([0.2, 0.5, 0.9])
AB = np.array([[0.5], [2.0], [1.0], [5.0]])
BB = np.array([[0.5], [3.0], [1.0], [1.5]])
AB_BAD = np.array([[-1.0], [2.0], [2.0]])
BB_BAD = np.array([[2.0], [0.0], [2.0]])
SCALE_BAD = np.array([[1.0], [1.0], [-1.0]])
# poisson: negative, integer and non-integer k; mu = 0 too.
KP = np.array([-1.0, 0.0, 1.0, 2.5, 3.0, 10.0, 50.0, NAN])
MUP = np.array([[0.0], [0.5], [4.0], [30.0]])
KPD = np.array([0.0, 1.0, 3.0, 10.0])
MUPD = np.array([0.5, 4.0, 30.0, 7.0])
MU_ENTROPY = np.array([0.0, 0.5, 4.0, 9.9, 10.0, 50.0, 99.0, 100.0, 500.0])
# bernoulli.
KB = np.array([-1.0, 0.0, 1.0, 2.0, NAN])
KB_HALF = np.array([0.5])
PB = np.array([[0.0], [0.3], [1.0]])
PB_BAD = np.array([[-0.1], [1.5], [NAN]])
QB = np.array([0.0, 0.3, 0.7, 1.0, -0.1, 1.1, NAN])
PBQ = np.array([[0.3], [0.7], [1.2]])
# multivariate_normal: an SPD covariance, a batch of x, a batch of covariances.
MEAN = np.array([0.5, -1.0, 2.0])
T = np.array([[2.0, 0.5, -1.0], [0.3, 3.0, 0.7], [-0.4, 1.1, 1.5]])
COV = T @ T.T + np.eye(3)
XM = np.sin(np.arange(12.0)).reshape(4, 3) * 2.0
COVS = np.stack([COV, COV * 0.5 + np.eye(3)]).reshape(2, 1, 3, 3)
COV_BAD = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
XS = np.array([-1.0, 0.0, 0.5, 3.0])


def d(f, *xs, argnum=0):
    """The elementwise derivative of `f` in argument `argnum`, over broadcast inputs."""
    xs = np.broadcast_arrays(*xs)
    shape = xs[0].shape
    flat = [x.ravel() for x in xs]
    return jax.vmap(jax.grad(f, argnums=argnum))(*flat).reshape(shape)


def mvn_scalar_mean(x):
    return st.norm.logpdf(x, 0.5, np.sqrt(2.0))


# SciPy's values of the same functions, and how each golden case is computed.
REFERENCE = {
    "norm_logpdf": (st.norm.logpdf(X), jst.norm.logpdf(X)),
    "norm_pdf": (st.norm.pdf(X), jst.norm.pdf(X)),
    "norm_cdf": (st.norm.cdf(X), jst.norm.cdf(X)),
    "norm_logcdf": (st.norm.logcdf(X), jst.norm.logcdf(X)),
    "norm_sf": (st.norm.sf(X), jst.norm.sf(X)),
    "norm_logsf": (st.norm.logsf(X), jst.norm.logsf(X)),
    "norm_logpdf_loc_scale": (st.norm.logpdf(X, 0.5, 2.0), jst.norm.logpdf(X, 0.5, 2.0)),
    "norm_cdf_loc_scale": (st.norm.cdf(X, 0.5, 2.0), jst.norm.cdf(X, 0.5, 2.0)),
    "norm_logsf_loc_scale": (st.norm.logsf(X, 0.5, 2.0), jst.norm.logsf(X, 0.5, 2.0)),
    "norm_ppf": (st.norm.ppf(Q, 0.5, 2.0), jst.norm.ppf(Q, 0.5, 2.0)),
    "norm_isf": (st.norm.isf(Q, 0.5, 2.0), jst.norm.isf(Q, 0.5, 2.0)),
    "t_logpdf": (st.t.logpdf(X, DF, 0.5, 2.0), jst.t.logpdf(X, DF, 0.5, 2.0)),
    "t_pdf": (st.t.pdf(X, DF), jst.t.pdf(X, DF)),
    "gamma_logpdf": (st.gamma.logpdf(XG, AG), jst.gamma.logpdf(XG, AG)),
    "gamma_pdf": (st.gamma.pdf(XG, AG, -0.5, 2.0), jst.gamma.pdf(XG, AG, -0.5, 2.0)),
    "gamma_logpdf_loc_scale": (st.gamma.logpdf(XG, AG, -0.5, 2.0),
                               jst.gamma.logpdf(XG, AG, -0.5, 2.0)),
    "gamma_cdf": (st.gamma.cdf(XG, AG, -0.5, 2.0), jst.gamma.cdf(XG, AG, -0.5, 2.0)),
    "gamma_logcdf": (st.gamma.logcdf(XG, AG), jst.gamma.logcdf(XG, AG)),
    "gamma_sf": (st.gamma.sf(XG, AG, -0.5, 2.0), jst.gamma.sf(XG, AG, -0.5, 2.0)),
    "gamma_logsf": (st.gamma.logsf(XG, AG), jst.gamma.logsf(XG, AG)),
    "beta_logpdf": (st.beta.logpdf(XB, AB, BB), jst.beta.logpdf(XB, AB, BB)),
    "beta_pdf": (st.beta.pdf(XB, AB, BB), jst.beta.pdf(XB, AB, BB)),
    "beta_logpdf_loc_scale": (st.beta.logpdf(XB, AB, BB, -1.0, 3.0),
                              jst.beta.logpdf(XB, AB, BB, -1.0, 3.0)),
    "beta_logpdf_bad": (st.beta.logpdf(0.5, AB_BAD, BB_BAD, 0.0, SCALE_BAD),
                        jst.beta.logpdf(0.5, AB_BAD, BB_BAD, 0.0, SCALE_BAD)),
    "beta_cdf": (st.beta.cdf(XB, AB, BB, -1.0, 3.0), jst.beta.cdf(XB, AB, BB, -1.0, 3.0)),
    "beta_logcdf": (st.beta.logcdf(XB, AB, BB), jst.beta.logcdf(XB, AB, BB)),
    "beta_sf": (st.beta.sf(XB, AB, BB), jst.beta.sf(XB, AB, BB)),
    "beta_logsf": (st.beta.logsf(XB, AB, BB, -1.0, 3.0), jst.beta.logsf(XB, AB, BB, -1.0, 3.0)),
    "poisson_logpmf": (st.poisson.logpmf(KP, MUP), jst.poisson.logpmf(KP, MUP)),
    "poisson_pmf_loc": (st.poisson.pmf(KP, MUP, 1.0), jst.poisson.pmf(KP, MUP, 1.0)),
    "poisson_cdf": (st.poisson.cdf(KP, MUP), jst.poisson.cdf(KP, MUP)),
    "poisson_cdf_loc": (st.poisson.cdf(KP, MUP, 1.0), jst.poisson.cdf(KP, MUP, 1.0)),
    "poisson_entropy": (st.poisson.entropy(MU_ENTROPY), jst.poisson.entropy(MU_ENTROPY)),
    "bernoulli_logpmf": (st.bernoulli.logpmf(KB, PB), jst.bernoulli.logpmf(KB, PB)),
    "bernoulli_pmf_loc": (st.bernoulli.pmf(KB, PB, 1.0), jst.bernoulli.pmf(KB, PB, 1.0)),
    "bernoulli_cdf": (st.bernoulli.cdf(KB, PB), jst.bernoulli.cdf(KB, PB)),
    "bernoulli_cdf_bad": (st.bernoulli.cdf(KB, PB_BAD), jst.bernoulli.cdf(KB, PB_BAD)),
    "bernoulli_ppf": (st.bernoulli.ppf(QB, PBQ), jst.bernoulli.ppf(QB, PBQ)),
    "mvn_logpdf": (st.multivariate_normal.logpdf(XM, MEAN, COV),
                   jst.multivariate_normal.logpdf(XM, MEAN, COV)),
    "mvn_pdf": (st.multivariate_normal.pdf(XM, MEAN, COV),
                jst.multivariate_normal.pdf(XM, MEAN, COV)),
    "mvn_logpdf_batch_cov": (
        np.stack([st.multivariate_normal.logpdf(XM, MEAN, c) for c in COVS.reshape(2, 3, 3)]),
        jst.multivariate_normal.logpdf(XM, MEAN, COVS)),
    "mvn_logpdf_scalar_cov": (st.multivariate_normal.logpdf(XM, MEAN, 2.0),
                              jst.multivariate_normal.logpdf(XM, MEAN, 2.0)),
    "mvn_logpdf_scalar_mean": (mvn_scalar_mean(XS),
                               jst.multivariate_normal.logpdf(XS, 0.5, 2.0)),
}
# JAX's values where SciPy has other conventions (checked for being what JAX's formula gives).
JAX_ONLY = {
    "bernoulli_logpmf_half": jst.bernoulli.logpmf(KB_HALF, PB),
    "mvn_logpdf_not_spd": jst.multivariate_normal.logpdf(XM, MEAN, COV_BAD),
}
LOOSE = {"poisson_entropy": 1e-5, "norm_isf": 1e-8}
# Where SciPy's conventions differ (see the docstring): the points left out, by their inputs.
SCIPY_DIFFERS = {
    "gamma_logpdf": np.isnan(XG) & (AG > 0),
    "gamma_pdf": np.isnan(XG) & (AG > 0),
    "gamma_logpdf_loc_scale": np.isnan(XG) & (AG > 0),
    "poisson_logpmf": np.isnan(KP) & (MUP >= 0),
    "poisson_pmf_loc": np.isnan(KP) & (MUP >= 0),
    "bernoulli_ppf": (QB == 0) & (PBQ <= 1),
}


def cases():
    out = {name: got for name, (_, got) in REFERENCE.items()}
    out.update(JAX_ONLY)
    n, t, g, b = jst.norm, jst.t, jst.gamma, jst.beta
    out["dx_norm_logpdf"] = d(lambda x: n.logpdf(x, 0.5, 2.0), XD)
    out["dloc_norm_logpdf"] = d(lambda x, loc: n.logpdf(x, loc, 2.0), XD, 0.5, argnum=1)
    out["dscale_norm_logpdf"] = d(lambda x, s: n.logpdf(x, 0.5, s), XD, 2.0, argnum=1)
    out["dx_norm_cdf"] = d(lambda x: n.cdf(x, 0.5, 2.0), XD)
    out["dx_norm_logcdf"] = d(n.logcdf, XD)
    out["dx_norm_logsf"] = d(n.logsf, XD)
    out["dscale_norm_logsf"] = d(lambda x, s: n.logsf(x, 0.5, s), XD, 2.0, argnum=1)
    out["dq_norm_ppf"] = d(lambda q: n.ppf(q, 0.5, 2.0), QD)
    out["dx_t_logpdf"] = d(lambda x, df: t.logpdf(x, df, 0.5, 2.0), XD, DF)
    out["ddf_t_logpdf"] = d(lambda x, df: t.logpdf(x, df, 0.5, 2.0), XD, DF, argnum=1)
    out["dscale_t_pdf"] = d(lambda x, df, s: t.pdf(x, df, 0.5, s), XD, DF, 2.0, argnum=2)
    out["dx_gamma_logpdf"] = d(lambda x, a: g.logpdf(x, a, -0.5, 2.0), XGD, AG)
    out["da_gamma_logpdf"] = d(lambda x, a: g.logpdf(x, a, -0.5, 2.0), XGD, AG, argnum=1)
    out["dscale_gamma_logpdf"] = d(lambda x, a, s: g.logpdf(x, a, 0.0, s), XGD, AG, 2.0,
                                   argnum=2)
    out["dx_gamma_cdf"] = d(lambda x, a: g.cdf(x, a, -0.5, 2.0), XGD, AG)
    out["da_gamma_cdf"] = d(g.cdf, XGD, AG, argnum=1)
    out["dx_gamma_logsf"] = d(g.logsf, XGD, AG)
    out["dx_beta_logpdf"] = d(lambda x, a, bb: b.logpdf(x, a, bb, -1.0, 3.0), XBD, AB, BB)
    out["da_beta_logpdf"] = d(b.logpdf, XBD, AB, BB, argnum=1)
    out["db_beta_logpdf"] = d(b.logpdf, XBD, AB, BB, argnum=2)
    out["dx_beta_cdf"] = d(b.cdf, XBD, AB, BB)
    out["dx_beta_logsf"] = d(lambda x, a, bb: b.logsf(x, a, bb, -1.0, 3.0), XBD, AB, BB)
    out["dmu_poisson_logpmf"] = d(jst.poisson.logpmf, KPD, MUPD, argnum=1)
    out["dmu_poisson_pmf"] = d(jst.poisson.pmf, KPD, MUPD, argnum=1)
    out["dmu_poisson_cdf"] = d(jst.poisson.cdf, KPD, MUPD, argnum=1)
    out["dp_bernoulli_logpmf"] = d(jst.bernoulli.logpmf, np.array([0.0, 1.0, 0.0, 1.0]),
                                   np.array([0.3, 0.3, 0.9, 0.0]), argnum=1)
    out["dp_bernoulli_cdf"] = d(jst.bernoulli.cdf, np.array([-1.0, 0.0, 0.5, 1.0]), 0.3,
                                argnum=1)
    mvn = jst.multivariate_normal.logpdf
    out["dx_mvn_logpdf"] = jax.grad(lambda x: mvn(x, MEAN, COV).sum())(XM)
    out["dmean_mvn_logpdf"] = jax.grad(lambda m: mvn(XM, m, COV).sum())(MEAN)
    out["dcov_mvn_logpdf"] = jax.grad(lambda c: mvn(XM, MEAN, c).sum())(COV)
    out["dcov_mvn_logpdf_scalar"] = jax.grad(lambda c: mvn(XM, MEAN, c).sum())(2.0)
    # float32.
    f32 = np.float32
    out["norm_logcdf_f32"] = n.logcdf(X.astype(f32))
    out["norm_ppf_f32"] = n.ppf(Q.astype(f32))
    out["gamma_cdf_f32"] = g.cdf(XG.astype(f32), AG.astype(f32))
    out["beta_logpdf_f32"] = b.logpdf(XB.astype(f32), AB.astype(f32), BB.astype(f32))
    out["mvn_logpdf_f32"] = mvn(XM.astype(f32), MEAN.astype(f32), COV.astype(f32))
    # Integers become the default float.
    out["norm_logpdf_int"] = n.logpdf(np.array([-2, 0, 3]), 1, 2)
    out["poisson_pmf_int"] = jst.poisson.pmf(np.array([0, 1, 2, 5]), 2)
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
    for name, (want, got) in REFERENCE.items():
        got, want = np.asarray(got), np.asarray(want)
        compared = ~SCIPY_DIFFERS.get(name, np.zeros(got.shape, bool))
        rtol = LOOSE.get(name, 1e-9)
        assert np.allclose(got[compared], want[compared], rtol=rtol, atol=1e-15,
                           equal_nan=True), (name, got, want)
    print(f"# jax {jax.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    for name, value in cases().items():
        emit(name, value)
