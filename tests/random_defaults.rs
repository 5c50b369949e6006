//! The samplers' plain forms against JAX 0.10.2's defaults (`dtype=float`, `dtype=int`,
//! `minval=0, maxval=1`, `mode="low"`, `p=2`, `axis=-1`, ...), and their `_with` forms against
//! the same keywords in JAX, run at test time without x64: dtypes and values.

mod common;

use std::collections::HashMap;

use common::python::run_python;
use rjax::random::{self, CategoricalOptions, GumbelMode, MultivariateNormalOptions};
use rjax::{Array, DType};

/// Prints `name|dtype|shape|values` of each sample (floats in `repr`, exact for float32).
const JAX: &str = r#"
import jax, jax.numpy as jnp, numpy as np
R = jax.random
k = R.key(0)
logits = jnp.array([[0., 1., 2., 3.], [3., 2., 1., 0.]])
mean = jnp.array([1., -1.])
cov = jnp.array([[2., .5], [.5, 1.]])
def show(name, x):
    values = " ".join(repr(v.item()) for v in np.ravel(np.asarray(x)))
    print("%s|%s|%s|%s" % (name, x.dtype, ",".join(map(str, x.shape)), values))
show("uniform", R.uniform(k, (3,)))
show("uniform_with", R.uniform(k, (3,), minval=-2., maxval=5.))
show("normal", R.normal(k, (3,)))
show("gumbel", R.gumbel(k, (3,)))
show("gumbel_high", R.gumbel(k, (3,), mode="high"))
show("exponential", R.exponential(k, (3,)))
show("randint", R.randint(k, (4,), 0, 10))
show("rademacher", R.rademacher(k, (4,)))
show("poisson", R.poisson(k, 3., (4,)))
show("bits", R.bits(k, (2,)))
show("truncated_normal", R.truncated_normal(k, -1., 1., (3,)))
show("gamma", R.gamma(k, 2., (3,)))
show("categorical", R.categorical(k, logits))
show("categorical_with", R.categorical(k, logits, axis=0, shape=(3, 4)))
show("categorical_no_replace", R.categorical(k, logits, shape=(3, 2), replace=False))
show("multivariate_normal", R.multivariate_normal(k, mean, cov))
show("multivariate_normal_with", R.multivariate_normal(k, mean, cov, shape=(3,), method="svd"))
show("ball", R.ball(k, 3, shape=(2,)))
show("ball_with", R.ball(k, 3, p=1., shape=(2,)))
show("orthogonal", R.orthogonal(k, 2))
"#;

/// JAX's `(dtype, shape, values)` by name.
fn jax_samples() -> HashMap<String, (String, Vec<usize>, Vec<f64>)> {
    run_python(JAX, &[])
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('|').collect();
            let [name, dtype, shape, values] = fields[..] else {
                return None;
            };
            let shape = shape
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| d.parse().expect("a dimension"))
                .collect();
            let values = values
                .split(' ')
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().expect("a number"))
                .collect();
            Some((name.to_string(), (dtype.to_string(), shape, values)))
        })
        .collect()
}

#[test]
fn plain_forms_have_jaxs_defaults_and_with_forms_its_keywords() {
    let jax = jax_samples();
    // Exact, except where XLA's float32 transcendental functions may differ by an ulp or two
    // between builds (see the `rjax::random` documentation).
    let check = |name: &str, got: &Array, relative: f64| {
        let (dtype, shape, want) = jax
            .get(name)
            .unwrap_or_else(|| panic!("no JAX sample {name}"));
        assert_eq!(got.dtype().name(), dtype, "{name}: dtype");
        assert_eq!(got.shape(), shape.as_slice(), "{name}: shape");
        let got = rjax::lax::convert_element_type(got, DType::F64)
            .to_vec::<f64>()
            .expect("values");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= relative * w.abs(),
                "{name}[{i}]: rjax {g}, JAX {w}"
            );
        }
    };
    let k = || random::key(0);
    let logits = || Array::from([[0.0f32, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]]);
    let (mean, cov) = (
        || Array::from([1.0f32, -1.0]),
        || Array::from([[2.0f32, 0.5], [0.5, 1.0]]),
    );
    const ULPS: f64 = 1e-6;

    check("uniform", &random::uniform(k(), &[3], None), 0.0);
    check(
        "uniform_with",
        &random::uniform_with(k(), &[3], None, -2.0, 5.0),
        0.0,
    );
    check("normal", &random::normal(k(), &[3], None), ULPS);
    check("gumbel", &random::gumbel(k(), &[3], None), ULPS);
    check(
        "gumbel_high",
        &random::gumbel_with(k(), &[3], None, GumbelMode::High),
        ULPS,
    );
    check("exponential", &random::exponential(k(), &[3], None), ULPS);
    check("randint", &random::randint(k(), &[4], 0, 10, None), 0.0);
    check("rademacher", &random::rademacher(k(), &[4], None), 0.0);
    check("poisson", &random::poisson(k(), 3.0, Some(&[4]), None), 0.0);
    check("bits", &random::bits(k(), &[2], None), 0.0);
    check(
        "truncated_normal",
        &random::truncated_normal(k(), -1.0, 1.0, Some(&[3]), None),
        ULPS,
    );
    check("gamma", &random::gamma(k(), 2.0, Some(&[3]), None), ULPS);
    check("categorical", &random::categorical(k(), logits()), 0.0);
    let along_rows = CategoricalOptions::along(0).shape(&[3, 4]);
    check(
        "categorical_with",
        &random::categorical_with(k(), logits(), along_rows),
        0.0,
    );
    let without = CategoricalOptions::default().shape(&[3, 2]).replace(false);
    check(
        "categorical_no_replace",
        &random::categorical_with(k(), logits(), without),
        0.0,
    );
    check(
        "multivariate_normal",
        &random::multivariate_normal(k(), mean(), cov()),
        1e-5,
    );
    // The SVD's vectors have arbitrary signs, so only the shape and dtype are JAX's there;
    // the values are checked for the Cholesky factor above.
    let svd = MultivariateNormalOptions::default()
        .shape(&[3])
        .method(random::CovarianceFactor::Svd);
    let sample = random::multivariate_normal_with(k(), mean(), cov(), svd);
    let (dtype, shape, _) = &jax["multivariate_normal_with"];
    assert_eq!(
        (sample.dtype().name(), sample.shape()),
        (dtype.as_str(), &shape[..])
    );
    check("ball", &random::ball(k(), 3, &[2], None), 1e-5);
    check(
        "ball_with",
        &random::ball_with(k(), 3, 1.0, &[2], None),
        1e-5,
    );
    check(
        "orthogonal",
        &random::orthogonal(k(), 2, &[], None, None),
        1e-5,
    );
}
