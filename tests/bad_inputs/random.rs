//! `jax.random` misuse: values that are not keys, key batches where one key is needed, dtypes
//! a sampler does not produce, parameters of the wrong shape, impossible draws.

use rjax::random::{self, ChoiceSpec, PrngImpl};
use rjax::{Array, DType};

use crate::case;
use crate::cases::{Case, f32s, i32s, ones};

fn key() -> Array {
    random::PRNGKey(0)
}

fn keys() -> Array {
    random::split(key(), 3)
}

/// The samplers and key functions.
pub fn cases() -> Vec<Case> {
    vec![
        case!("normal", random::normal(f32s(&[3]), &[2], DType::F32)),
        case!("normal", random::normal(keys(), &[2], DType::F32)),
        case!("normal", random::normal(key(), &[2], DType::I32)),
        case!("uniform", random::uniform(key(), &[2], DType::I32)),
        case!("uniform", random::uniform(i32s(&[2]), &[2], DType::F32)),
        case!(
            "uniform",
            random::uniform_with(key(), &[2], DType::F32, f32s(&[3]), 1.0)
        ),
        case!("randint", random::randint(key(), &[2], 0, 5, DType::F32)),
        case!(
            "bernoulli",
            random::bernoulli(key(), f32s(&[3]), Some(&[2]))
        ),
        case!("split", random::split(f32s(&[3]), 2)),
        case!("split", random::split(ones(&[3], DType::U32), 2)),
        case!("fold_in", random::fold_in(key(), f32s(&[2]))),
        case!("fold_in", random::fold_in(f32s(&[2]), 1)),
        case!("bits", random::bits(key(), &[2], DType::F32)),
        case!("random_bits", random::random_bits(key(), 12, &[2])),
        case!("exponential", random::exponential(key(), &[2], DType::I32)),
        case!("laplace", random::laplace(keys(), &[2], DType::F32)),
        case!("logistic", random::logistic(key(), &[2], DType::Bool)),
        case!("cauchy", random::cauchy(f32s(&[2]), &[2], DType::F32)),
        case!("gumbel", random::gumbel(key(), &[2], DType::I32)),
        case!("rademacher", random::rademacher(key(), &[2], DType::Bool)),
        case!("categorical", random::categorical(key(), i32s(&[4]))),
        case!(
            "categorical",
            random::categorical_with(key(), f32s(&[4]), random::CategoricalOptions::along(1))
        ),
        case!(
            "categorical",
            random::categorical_with(
                key(),
                f32s(&[2, 4]),
                random::CategoricalOptions::default().shape(&[3])
            )
        ),
        case!(
            "categorical",
            random::categorical_with(
                key(),
                f32s(&[4]),
                random::CategoricalOptions::default()
                    .shape(&[5])
                    .replace(false)
            )
        ),
        case!(
            "choice",
            random::choice(key(), 3, ChoiceSpec::new(&[5]).replace(false))
        ),
        case!("choice", random::choice(key(), 0, ChoiceSpec::new(&[1]))),
        case!(
            "choice",
            random::choice(key(), 3, ChoiceSpec::new(&[2]).p(&f32s(&[4])))
        ),
        case!(
            "choice",
            random::choice_of(key(), f32s(&[]), ChoiceSpec::new(&[1]), 0)
        ),
        case!(
            "permutation",
            random::permutation_of(key(), f32s(&[]), 0, false)
        ),
        case!(
            "permutation",
            random::permutation_of(key(), f32s(&[2, 3]), 2, false)
        ),
        case!(
            "gamma",
            random::gamma(key(), f32s(&[3]), Some(&[2]), DType::F32)
        ),
        case!("gamma", random::gamma(key(), 1.0f32, None, DType::I32)),
        case!(
            "beta",
            random::beta(key(), f32s(&[3]), f32s(&[4]), None, DType::F32)
        ),
        case!(
            "dirichlet",
            random::dirichlet(key(), f32s(&[]), None, DType::F32)
        ),
        case!("poisson", random::poisson(key(), 1.0f32, None, DType::F32)),
        case!("t", random::t(key(), f32s(&[3]), Some(&[4]), DType::F32)),
        case!(
            "multivariate_normal",
            random::multivariate_normal_with(
                key(),
                f32s(&[3]),
                f32s(&[2, 2]),
                random::MultivariateNormalOptions::default().dtype(DType::F32)
            )
        ),
        case!(
            "orthogonal",
            random::orthogonal(key(), 3, &[], DType::I32, None)
        ),
        case!("ball", random::ball(key(), 3, &[], DType::I32)),
        case!("key_data", random::key_data(f32s(&[2]))),
        case!(
            "wrap_key_data",
            random::wrap_key_data(f32s(&[2]), PrngImpl::Threefry2x32)
        ),
        case!(
            "wrap_key_data",
            random::wrap_key_data(ones(&[3], DType::U32), PrngImpl::Threefry2x32)
        ),
        case!("key_impl", random::key_impl(f32s(&[2]))),
        case!(
            "threefry2x32",
            random::threefry2x32(f32s(&[2]), f32s(&[2]), f32s(&[2]), f32s(&[2]))
        ),
        case!(
            "rng_bit_generator",
            random::rng_bit_generator(f32s(&[4]), &[2], DType::U32)
        ),
    ]
}
