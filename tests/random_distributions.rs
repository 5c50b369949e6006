//! The samplers of `rjax::random` beyond the basic ones (`exponential`, `laplace`, `logistic`,
//! `cauchy`, `gumbel`, `rademacher`, `categorical`, `choice`, `multivariate_normal`,
//! `orthogonal`; the gamma family `gamma`, `loggamma`, `beta`, `dirichlet`, `t`, `chisquare`
//! and its derivatives; `poisson`, `ball`) against JAX 0.10.2's `jax.random`
//! (`tests/golden/random_distributions.py`), eagerly and under `jit` (against JAX's jitted
//! results where the golden file has them); `vmap` over keys against the per-key results; the
//! gamma derivative against central differences of the CDF; misuse errors.
//!
//! As in `tests/random.rs`, every test turns x64 on (the golden file's setting) and asks for
//! 32-bit dtypes explicitly; the layout is JAX's default, `jax_threefry_partitionable` on.

mod common;
mod random_support;

use common::panic_message;
use random_support::{
    check_against_golden, check_vmap_over_keys, check_vmap_over_keys_within, distribution_cases,
};
use rjax::random::{self, ChoiceSpec, CovarianceFactor, GumbelMode, PRNGKey};
use rjax::{Array, DType};

const GOLDEN: &str = include_str!("golden/random_distributions.txt");

fn x64() {
    rjax::config::enable_x64(true);
}

#[test]
fn eager_results_equal_jax() {
    x64();
    check_against_golden(GOLDEN, distribution_cases::cases(), false);
}

#[test]
fn jitted_results_equal_jax() {
    x64();
    check_against_golden(GOLDEN, distribution_cases::cases(), true);
}

#[test]
fn vmap_over_keys_equals_each_key() {
    x64();
    use DType::*;
    check_vmap_over_keys("exponential", |k| random::exponential(k, &[5], F32));
    check_vmap_over_keys("laplace", |k| random::laplace(k, &[2, 3], F64));
    check_vmap_over_keys("logistic", |k| random::logistic(k, &[4], F32));
    check_vmap_over_keys("cauchy", |k| random::cauchy(k, &[4], F64));
    check_vmap_over_keys("gumbel low", |k| random::gumbel(k, &[6], F32));
    check_vmap_over_keys("gumbel high", |k| {
        random::gumbel_with(k, &[6], F64, GumbelMode::High)
    });
    check_vmap_over_keys("rademacher", |k| random::rademacher(k, &[7], I32));
    let logits = || Array::from([[0.0f32, 1.0, 2.0], [2.0, 1.0, 0.0]]);
    check_vmap_over_keys("categorical", move |k| {
        random::categorical_with(
            k,
            logits(),
            random::CategoricalOptions::default().shape(&[4, 2]),
        )
    });
    check_vmap_over_keys("categorical without replacement", move |k| {
        random::categorical_with(
            k,
            logits(),
            random::CategoricalOptions::along(1)
                .shape(&[2, 2])
                .replace(false),
        )
    });
    check_vmap_over_keys("choice", |k| random::choice(k, 10, ChoiceSpec::new(&[4])));
    check_vmap_over_keys("choice without replacement", |k| {
        random::choice(k, 10, ChoiceSpec::new(&[4]).replace(false))
    });
    check_vmap_over_keys("choice with p", |k| {
        let p = Array::from([0.5f32, 0.25, 0.25]);
        random::choice(k, 3, ChoiceSpec::new(&[6]).p(&p))
    });
    check_vmap_over_keys("choice_of with p, without replacement", |k| {
        let p = Array::from([0.5f32, 0.25, 0.25]);
        let a = Array::from([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        random::choice_of(k, &a, ChoiceSpec::new(&[2]).replace(false).p(&p), 1)
    });
    check_vmap_over_keys_within(
        "multivariate_normal",
        |k| {
            let cov = Array::from([[2.0f64, 0.5], [0.5, 1.0]]);
            let mean = Array::from([1.0f64, -1.0]);
            random::multivariate_normal_with(
                k,
                &mean,
                &cov,
                random::MultivariateNormalOptions::default().shape(&[3]),
            )
        },
        1e-14,
    );
    check_vmap_over_keys_within(
        "orthogonal",
        |k| random::orthogonal(k, 3, &[], F64, None),
        1e-14,
    );
}

/// `cov⁻¹` of a small symmetric positive definite matrix, on the host (Gauss–Jordan).
fn inverse(a: &[f64], n: usize) -> Vec<f64> {
    let mut m: Vec<f64> = Vec::with_capacity(n * 2 * n);
    for i in 0..n {
        m.extend_from_slice(&a[i * n..(i + 1) * n]);
        m.extend((0..n).map(|j| f64::from(u8::from(i == j))));
    }
    let w = 2 * n;
    for col in 0..n {
        let pivot = m[col * w + col];
        for j in 0..w {
            m[col * w + j] /= pivot;
        }
        for row in (0..n).filter(|&r| r != col) {
            let factor = m[row * w + col];
            for j in 0..w {
                m[row * w + j] -= factor * m[col * w + j];
            }
        }
    }
    (0..n)
        .flat_map(|i| m[i * w + n..(i + 1) * w].to_vec())
        .collect()
}

/// Every factor `F` of `cov = F Fᵀ` gives samples `x = mean + F z` whose Mahalanobis norm
/// `(x - mean)ᵀ cov⁻¹ (x - mean)` is `|z|²`, whatever the signs of `F`'s columns (the
/// eigenvectors' and singular vectors' signs differ between LAPACK and rjax's kernels, so
/// `eigh` and `svd` samples are not compared with JAX's values). `z` is JAX's
/// `normal(key, shape + [n])`, which the golden files check bit for bit.
#[test]
fn every_covariance_factor_reproduces_the_normals_norms() {
    x64();
    let (mean, cov) = (distribution_cases::mean(), distribution_cases::cov());
    let inv = inverse(&cov.to_vec::<f64>().unwrap(), 3);
    let key = PRNGKey(9);
    let z = random::normal(&key, &[50, 3], DType::F64)
        .to_vec::<f64>()
        .unwrap();
    let mu = mean.to_vec::<f64>().unwrap();
    for method in [
        CovarianceFactor::Cholesky,
        CovarianceFactor::Eigh,
        CovarianceFactor::Svd,
    ] {
        let x = random::multivariate_normal_with(
            &key,
            &mean,
            &cov,
            random::MultivariateNormalOptions::default()
                .shape(&[50])
                .method(method),
        );
        assert_eq!(x.shape(), [50, 3]);
        let x = x.to_vec::<f64>().unwrap();
        for i in 0..50 {
            let d: Vec<f64> = (0..3).map(|j| x[3 * i + j] - mu[j]).collect();
            let norm: f64 = (0..3)
                .map(|r| d[r] * (0..3).map(|c| inv[3 * r + c] * d[c]).sum::<f64>())
                .sum();
            let want: f64 = z[3 * i..3 * i + 3].iter().map(|v| v * v).sum();
            assert!(
                (norm - want).abs() <= 1e-10 * (1.0 + want),
                "{method:?}, sample {i}: {norm} != {want}"
            );
        }
    }
}

#[test]
fn samples_have_the_expected_statistics() {
    x64();
    let key = PRNGKey(21);
    let n = 100_000;
    let mean_of = |x: Array| {
        let v = x.to_vec::<f64>().unwrap();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!((mean_of(random::exponential(&key, &[n], DType::F64)) - 1.0).abs() < 0.02);
    assert!(mean_of(random::laplace(&key, &[n], DType::F64)).abs() < 0.02);
    assert!(mean_of(random::logistic(&key, &[n], DType::F64)).abs() < 0.03);
    let euler_gamma = 0.577_215_664_901_532_9;
    for mode in [GumbelMode::Low, GumbelMode::High] {
        let m = mean_of(random::gumbel_with(&key, &[n], DType::F64, mode));
        assert!((m - euler_gamma).abs() < 0.02, "{mode:?}: {m}");
    }
    // The Cauchy median is 0: half the samples on each side.
    let c = random::cauchy(&key, &[n], DType::F64)
        .to_vec::<f64>()
        .unwrap();
    let negative = c.iter().filter(|&&v| v < 0.0).count() as f64 / n as f64;
    assert!((negative - 0.5).abs() < 0.01, "{negative}");
    let r = random::rademacher(&key, &[n], DType::I64)
        .to_vec::<i64>()
        .unwrap();
    assert!(r.iter().all(|&v| v == 1 || v == -1));
    let ones = r.iter().filter(|&&v| v == 1).count() as f64 / n as f64;
    assert!((ones - 0.5).abs() < 0.01, "{ones}");
    // Category frequencies follow softmax(logits).
    let p = [0.1, 0.2, 0.3, 0.4];
    let logits = Array::from(p.map(f64::ln));
    let draws = random::categorical_with(
        &key,
        &logits,
        random::CategoricalOptions::default().shape(&[n]),
    );
    let draws = draws.to_vec::<i64>().unwrap();
    for (i, want) in p.iter().enumerate() {
        let got = draws.iter().filter(|&&d| d == i as i64).count() as f64 / n as f64;
        assert!((got - want).abs() < 0.01, "category {i}: {got} vs {want}");
    }
    // Draws with p follow p; draws without replacement are distinct.
    let weights = Array::from(p);
    let draws = random::choice(&key, 4, ChoiceSpec::new(&[n]).p(&weights));
    let draws = draws.to_vec::<i64>().unwrap();
    for (i, want) in p.iter().enumerate() {
        let got = draws.iter().filter(|&&d| d == i as i64).count() as f64 / n as f64;
        assert!((got - want).abs() < 0.01, "choice {i}: {got} vs {want}");
    }
    for seed in 0..20 {
        let spec = ChoiceSpec::new(&[4]).replace(false).p(&weights);
        let mut picked = random::choice(PRNGKey(seed), 4, spec)
            .to_vec::<i64>()
            .unwrap();
        picked.sort_unstable();
        assert_eq!(picked, [0, 1, 2, 3]);
    }
    // Orthogonal matrices: Q Qᵀ = I.
    let q = random::orthogonal(&key, 4, &[], DType::F64, None)
        .to_vec::<f64>()
        .unwrap();
    for i in 0..4 {
        for j in 0..4 {
            let dot: f64 = (0..4).map(|k| q[4 * i + k] * q[4 * j + k]).sum();
            assert!((dot - f64::from(u8::from(i == j))).abs() < 1e-12);
        }
    }
}

#[test]
fn misuse_panics_with_clear_messages() {
    x64();
    let key = PRNGKey(0);
    let check = |f: &dyn Fn(), needles: &[&str]| {
        let message = panic_message(f);
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
        }
    };
    check(
        &|| {
            random::exponential(&key, &[3], DType::I32);
        },
        &["rjax::random::exponential", "float dtype", "int32"],
    );
    check(
        &|| {
            random::gumbel(random::split(&key, 2), &[3], DType::F32);
        },
        &["rjax::random::gumbel", "u32[2,2]"],
    );
    check(
        &|| {
            random::rademacher(&key, &[3], DType::U8);
        },
        &["rjax::random::rademacher", "uint8"],
    );
    let logits = Array::from([[0.0f32, 1.0, 2.0], [2.0, 1.0, 0.0]]);
    check(
        &|| {
            random::categorical_with(&key, &logits, random::CategoricalOptions::along(2));
        },
        &["rjax::random::categorical", "axis 2", "rank 2"],
    );
    check(
        &|| {
            random::categorical_with(
                &key,
                &logits,
                random::CategoricalOptions::default().shape(&[3]),
            );
        },
        &["batch shape [2]", "[3]"],
    );
    check(
        &|| {
            random::categorical_with(
                &key,
                &logits,
                random::CategoricalOptions::default()
                    .shape(&[4, 2])
                    .replace(false),
            );
        },
        &["without replacement (4)", "categories (3)"],
    );
    check(
        &|| {
            random::categorical(&key, Array::from([1i32, 2]));
        },
        &["float dtype", "i32[2]"],
    );
    check(
        &|| {
            random::choice(&key, 3, ChoiceSpec::new(&[4]).replace(false));
        },
        &[
            "rjax::random::choice",
            "larger sample (size 4)",
            "population (size 3)",
        ],
    );
    check(
        &|| {
            random::choice(&key, 0, ChoiceSpec::new(&[2]));
        },
        &["a must be greater than 0"],
    );
    check(
        &|| {
            let p = Array::from([0.5f32, 0.5]);
            random::choice(&key, 3, ChoiceSpec::new(&[2]).p(&p));
        },
        &["p has shape [2]", "a.shape[axis] is 3"],
    );
    check(
        &|| {
            random::choice_of(&key, Array::scalar(3.0f32), ChoiceSpec::new(&[2]), 0);
        },
        &["rjax::random::choice_of", "at least one dimension"],
    );
    check(
        &|| {
            random::choice_of(&key, &logits, ChoiceSpec::new(&[2]), -3);
        },
        &["axis -3", "rank 2"],
    );
    let mean = distribution_cases::mean();
    check(
        &|| {
            let cov = Array::from([[1.0f64, 0.0], [0.0, 1.0]]);
            random::multivariate_normal(&key, &mean, &cov);
        },
        &[
            "rjax::random::multivariate_normal",
            "cov.shape == (..., n, n)",
            "n=3",
        ],
    );
    check(
        &|| {
            let cov = distribution_cases::cov();
            let mean = Array::from([[0.0f64; 3]; 2]);
            random::multivariate_normal_with(
                &key,
                &mean,
                &cov,
                random::MultivariateNormalOptions::default().shape(&[5]),
            );
        },
        &[
            "batch shapes of mean [2] and cov []",
            "shape argument Some([5])",
        ],
    );
    check(
        &|| {
            random::multivariate_normal(&key, Array::scalar(1.0f64), distribution_cases::cov());
        },
        &["mean.ndim >= 1"],
    );
    check(
        &|| {
            random::orthogonal(&key, 3, &[], DType::I64, None);
        },
        &["rjax::random::orthogonal", "float dtype"],
    );
}

#[test]
fn gamma_family_vmap_over_keys_equals_each_key() {
    x64();
    use DType::*;
    // Float samples within 1e-6 of 1 + |value|: `jit(vmap(...))` compiles the rejection loops
    // into one program, where XLA fuses their bodies differently than in the per-key call (JAX
    // gives such last-bit differences too; see tests/golden/random_distributions.py).
    let tol = 1e-6;
    let alphas = || Array::from([0.3f64, 1.0, 4.0]);
    check_vmap_over_keys_within("gamma", move |k| random::gamma(k, alphas(), None, F64), tol);
    check_vmap_over_keys_within("gamma f32", |k| random::gamma(k, 0.7, Some(&[5]), F32), tol);
    check_vmap_over_keys_within(
        "loggamma",
        move |k| random::loggamma(k, alphas(), None, F64),
        tol,
    );
    check_vmap_over_keys_within("beta", |k| random::beta(k, 0.5, 2.0, Some(&[4]), F64), tol);
    check_vmap_over_keys_within(
        "dirichlet",
        move |k| random::dirichlet(k, alphas(), Some(&[2]), F64),
        tol,
    );
    check_vmap_over_keys_within("t", |k| random::t(k, 4.0, Some(&[4]), F32), tol);
    check_vmap_over_keys_within(
        "chisquare",
        |k| random::chisquare(k, 3.0, Some(&[4]), F64),
        tol,
    );
    check_vmap_over_keys_within("ball", |k| random::ball_with(k, 3, 1.5, &[2], F64), tol);
    check_vmap_over_keys("poisson", |k| {
        random::poisson(k, Array::from([0.5f32, 4.0, 30.0, 0.0]), None, I32)
    });
}

/// The derivative of a gamma sample in its shape parameter is the implicit one: along a fixed
/// quantile of the regularized incomplete gamma function `F(a, x)`, `dx/da = -F_a / F_x`,
/// checked with central differences of `gammainc` (in float64) at JAX's samples.
#[test]
fn gamma_derivative_is_the_implicit_derivative_of_the_cdf() {
    x64();
    let a_values = [0.3f64, 0.9, 1.0, 2.5, 7.0, 30.0];
    let a = Array::from(a_values);
    let key = PRNGKey(13);
    let x = random::gamma(&key, &a, None, DType::F64)
        .to_vec::<f64>()
        .unwrap();
    let dx_da = rjax::grad(|a: Array| random::gamma(&key, &a, None, DType::F64).sum())(a.clone())
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    let log_dx_da =
        rjax::grad(|a: Array| random::loggamma(&key, &a, None, DType::F64).sum())(a.clone())
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
    let cdf = |a: f64, x: f64| rjax::scipy::special::gammainc(a, x).item::<f64>().unwrap();
    for (i, &ai) in a_values.iter().enumerate() {
        let (h_a, h_x) = (1e-5 * ai, 1e-5 * x[i]);
        let f_a = (cdf(ai + h_a, x[i]) - cdf(ai - h_a, x[i])) / (2.0 * h_a);
        let f_x = (cdf(ai, x[i] + h_x) - cdf(ai, x[i] - h_x)) / (2.0 * h_x);
        let want = -f_a / f_x;
        assert!(
            (dx_da[i] - want).abs() <= 1e-6 * (1.0 + want.abs()),
            "a = {ai}, x = {}: dx/da = {} vs {want}",
            x[i],
            dx_da[i]
        );
        // loggamma's samples are the logs of gamma's, so d log x / da = (dx/da) / x.
        let want_log = want / x[i];
        assert!(
            (log_dx_da[i] - want_log).abs() <= 1e-6 * (1.0 + want_log.abs()),
            "a = {ai}: d log x/da = {} vs {want_log}",
            log_dx_da[i]
        );
    }
}

#[test]
fn gamma_family_samples_have_the_expected_statistics() {
    x64();
    let n = 20_000;
    let key = PRNGKey(31);
    let values = |x: Array| {
        rjax::lax::convert_element_type(&x, DType::F64)
            .to_vec::<f64>()
            .unwrap()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for a in [0.2, 1.0, 3.5] {
        let x = values(random::gamma(&key, a, Some(&[n]), DType::F64));
        assert!(x.iter().all(|&v| v >= 0.0));
        assert!(
            (mean(&x) - a).abs() < 4.0 * (a / n as f64).sqrt(),
            "gamma({a})"
        );
        let logs = values(random::loggamma(&key, a, Some(&[n]), DType::F64));
        let exps: Vec<f64> = logs.iter().map(|v| v.exp()).collect();
        assert!(
            (mean(&exps) - a).abs() < 4.0 * (a / n as f64).sqrt(),
            "loggamma({a})"
        );
    }
    let b = values(random::beta(&key, 2.0, 6.0, Some(&[n]), DType::F64));
    assert!(b.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!((mean(&b) - 0.25).abs() < 0.005, "beta {}", mean(&b));
    let alpha = Array::from([1.0f64, 2.0, 5.0]);
    let d = values(random::dirichlet(&key, &alpha, Some(&[n]), DType::F64));
    for (i, want) in [0.125, 0.25, 0.625].iter().enumerate() {
        let column: Vec<f64> = d.chunks(3).map(|row| row[i]).collect();
        assert!((mean(&column) - want).abs() < 0.005, "dirichlet {i}");
    }
    assert!(
        d.chunks(3)
            .all(|row| (row.iter().sum::<f64>() - 1.0).abs() < 1e-12)
    );
    let c = values(random::chisquare(&key, 3.0, Some(&[n]), DType::F64));
    assert!((mean(&c) - 3.0).abs() < 0.1, "chisquare {}", mean(&c));
    let t = values(random::t(&key, 5.0, Some(&[n]), DType::F64));
    assert!(mean(&t).abs() < 0.05, "t {}", mean(&t));
    for lam in [0.7f64, 6.0, 12.0, 80.0] {
        let k = random::poisson(&key, lam, Some(&[n]), DType::I64)
            .to_vec::<i64>()
            .unwrap();
        assert!(k.iter().all(|&v| v >= 0));
        let m = k.iter().sum::<i64>() as f64 / n as f64;
        assert!(
            (m - lam).abs() < 4.0 * (lam / n as f64).sqrt(),
            "poisson({lam}): {m}"
        );
    }
    for p in [1.0, 2.0, 3.0] {
        let points = values(random::ball_with(&key, 3, p, &[2000], DType::F64));
        let norms: Vec<f64> = points
            .chunks(3)
            .map(|v| v.iter().map(|c| c.abs().powf(p)).sum::<f64>().powf(1.0 / p))
            .collect();
        assert!(norms.iter().all(|&r| r <= 1.0), "ball(p = {p})");
        // The radius of a uniform point in a d-ball has P(r <= 1/2) = 2^-d.
        let inner = norms.iter().filter(|&&r| r <= 0.5).count() as f64 / 2000.0;
        assert!((inner - 0.125).abs() < 0.03, "ball(p = {p}): {inner}");
    }
}

#[test]
fn gamma_family_misuse_panics_with_clear_messages() {
    x64();
    let key = PRNGKey(0);
    let check = |f: &dyn Fn(), needles: &[&str]| {
        let message = panic_message(f);
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
        }
    };
    check(
        &|| {
            random::gamma(&key, 1.0, Some(&[3]), DType::I32);
        },
        &["rjax::random::gamma", "float dtype", "int32"],
    );
    check(
        &|| {
            random::loggamma(&key, Array::from([1.0f64, 2.0]), Some(&[3]), DType::F64);
        },
        &["rjax::random::loggamma", "[3]"],
    );
    check(
        &|| {
            random::beta(&key, Array::from([1.0f64, 2.0]), 1.0, None, DType::F32);
        },
        &[
            "rjax::random::beta",
            "cannot safely cast",
            "f64[2]",
            "float32",
        ],
    );
    check(
        &|| {
            random::dirichlet(&key, 1.0, None, DType::F64);
        },
        &["rjax::random::dirichlet", "alpha.ndim >= 1"],
    );
    check(
        &|| {
            random::dirichlet(
                &key,
                Array::from([[1.0f64, 2.0]; 2]),
                Some(&[3]),
                DType::F64,
            );
        },
        &["batch shape of alpha [2]", "shape argument [3]"],
    );
    check(
        &|| {
            random::t(random::split(&key, 2), 3.0, None, DType::F64);
        },
        &["rjax::random::t", "u32[2,2]"],
    );
    check(
        &|| {
            random::chisquare(&key, Array::from([true]), None, DType::F64);
        },
        &["rjax::random::chisquare", "df must be real"],
    );
    check(
        &|| {
            random::poisson(&key, 3.0, Some(&[2]), DType::F32);
        },
        &["rjax::random::poisson", "integer dtype", "float32"],
    );
    check(
        &|| {
            random::poisson(
                &key,
                Array::from([1.0f32, 2.0, 3.0]),
                Some(&[2]),
                DType::I32,
            );
        },
        &["rate's shape [3]", "shape argument [2]"],
    );
    check(
        &|| {
            random::ball(&key, 3, &[2], DType::I64);
        },
        &["rjax::random::ball", "float dtype"],
    );
}
