//! The cases of `tests/golden/random_distributions.py`: the samplers beyond the basic ones.

use super::{Sample, input_key};
use rjax::random::{self, ChoiceSpec, GumbelMode};
use rjax::{Array, DType};

type Sampler = fn(&Array, &[usize], DType) -> Array;

/// A static name built at run time (the tables are built once per test).
fn name(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The golden file's logits (a category of probability 0 in the first row).
fn logits() -> Array {
    Array::from([
        [-2.3f32, -1.6, -1.2, -0.9, f32::NEG_INFINITY],
        [-0.7, -2.3, -2.3, -1.6, -2.3],
    ])
}

fn probabilities() -> Array {
    Array::from([0.1f32, 0.2, 0.3, 0.4, 0.0])
}

/// `arange(12, float32).reshape(3, 4)`.
fn population() -> Array {
    Array::from_vec((0..12).map(|i| i as f32).collect::<Vec<f32>>()).reshape(&[3, 4])
}

pub fn mean() -> Array {
    Array::from([1.0f64, -2.0, 0.5])
}

pub fn cov() -> Array {
    Array::from([[2.0f64, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.7]])
}

fn as_f32(x: &Array) -> Array {
    rjax::lax::convert_element_type(x, DType::F32)
}

/// Every golden case as an input key and the Rust call on it.
pub fn cases() -> Vec<(&'static str, Array, Sample)> {
    use DType::*;
    let dtypes = [
        (F32, "float32"),
        (F64, "float64"),
        (F16, "float16"),
        (BF16, "bfloat16"),
    ];
    let samplers: [(&str, Sampler); 4] = [
        ("exponential", |k, shape, dtype| {
            random::exponential(k, shape, dtype)
        }),
        ("laplace", |k, shape, dtype| {
            random::laplace(k, shape, dtype)
        }),
        ("logistic", |k, shape, dtype| {
            random::logistic(k, shape, dtype)
        }),
        ("cauchy", |k, shape, dtype| random::cauchy(k, shape, dtype)),
    ];
    let mut named: Vec<(&'static str, Sample)> = Vec::new();
    for (fn_name, sampler) in samplers {
        for (dtype, dtype_name) in dtypes {
            for (shape, spelt) in [(&[5][..], "(5,)"), (&[2, 3][..], "(2,3)")] {
                let call = move |k: &Array| sampler(k, shape, dtype);
                named.push((
                    name(format!("{fn_name}(PRNGKey(0),{spelt},{dtype_name})")),
                    Box::new(call),
                ));
            }
        }
        let call = move |k: &Array| sampler(k, &[1000], F32);
        named.push((
            name(format!("{fn_name}(PRNGKey(7),(1000,),float32)")),
            Box::new(call),
        ));
    }
    for (dtype, dtype_name) in dtypes {
        for (mode, mode_name) in [(GumbelMode::Low, "low"), (GumbelMode::High, "high")] {
            let call = move |k: &Array| random::gumbel_with(k, &[6], dtype, mode);
            named.push((
                name(format!("gumbel(PRNGKey(1),(6,),{dtype_name},{mode_name})")),
                Box::new(call),
            ));
        }
    }
    let spec = ChoiceSpec::new;
    named.extend(keyed! {
        "gumbel(PRNGKey(2),(1000,),float32,low)" => |k| random::gumbel(k, &[1000], F32);
        "rademacher(PRNGKey(0),(10,),int32)" => |k| random::rademacher(k, &[10], I32);
        "rademacher(PRNGKey(3),(2,3),int64)" => |k| random::rademacher(k, &[2, 3], I64);
        "rademacher(PRNGKey(3),(4,),float32)" => |k| random::rademacher(k, &[4], F32);
        "categorical(PRNGKey(0),[0,1,2,3],-1,None,True)" => |k| random::categorical(k, Array::from([0.0f32, 1.0, 2.0, 3.0]));
        "categorical(PRNGKey(1),logits,-1,None,True)" => |k| random::categorical(k, logits());
        "categorical(PRNGKey(1),logits,0,None,True)" => |k| random::categorical_with(k, logits(), random::CategoricalOptions::along(0));
        "categorical(PRNGKey(2),logits,-1,(20,2),True)" => |k| random::categorical_with(k, logits(), random::CategoricalOptions::default().shape(&[20, 2]));
        "categorical(PRNGKey(2),logits,-1,(3,2),False)" => |k| random::categorical_with(k, logits(), random::CategoricalOptions::default().shape(&[3, 2]).replace(false));
        "categorical(PRNGKey(4),logits64,1,None,True)" => |k| random::categorical_with(k, rjax::lax::convert_element_type(logits(), F64), random::CategoricalOptions::along(1));
        "choice(PRNGKey(0),5,(3,),True,None)" => |k| random::choice(k, 5, spec(&[3]));
        "choice(PRNGKey(0),5,(),True,None)" => |k| random::choice(k, 5, spec(&[]));
        "choice(PRNGKey(1),5,(2,2),False,None)" => |k| random::choice(k, 5, spec(&[2, 2]).replace(false));
        "choice(PRNGKey(2),5,(8,),True,p)" => |k| random::choice(k, 5, spec(&[8]).p(&probabilities()));
        "choice(PRNGKey(3),5,(3,),False,p)" => |k| random::choice(k, 5, spec(&[3]).replace(false).p(&probabilities()));
        "choice(PRNGKey(3),5,(3,),False,p64)" => |k| random::choice(k, 5, spec(&[3]).replace(false).p(&rjax::lax::convert_element_type(probabilities(), F64)));
        "choice_of(PRNGKey(4),A,(2,),True,None,1)" => |k| random::choice_of(k, population(), spec(&[2]), 1);
        "choice_of(PRNGKey(4),A,(2,),False,None,0)" => |k| random::choice_of(k, population(), spec(&[2]).replace(false), 0);
        "choice_of(PRNGKey(5),A,(5,),True,p,1)" => |k| random::choice_of(k, population(), spec(&[5]).p(&Array::from([0.1f32, 0.2, 0.3, 0.4])), 1);
        "choice_of(PRNGKey(5),A,(3,),False,p,1)" => |k| random::choice_of(k, population(), spec(&[3]).replace(false).p(&Array::from([0.1f32, 0.2, 0.3, 0.4])), 1);
        "choice_of(PRNGKey(6),A,(0,),True,None,0)" => |k| random::choice_of(k, population(), spec(&[0]), 0);
        "multivariate_normal(PRNGKey(2),mean[2,3],cov,None,float64,cholesky)" => |k| random::multivariate_normal(k, rjax::numpy::stack(&[&mean(), &(-&mean())], 0), cov());
        "orthogonal(PRNGKey(0),3,(),float32,None)" => |k| random::orthogonal(k, 3, &[], F32, None);
        "orthogonal(PRNGKey(1),3,(2,),float64,None)" => |k| random::orthogonal(k, 3, &[2], F64, None);
        "orthogonal(PRNGKey(2),2,(),float64,4)" => |k| random::orthogonal(k, 2, &[], F64, Some(4));
        "orthogonal(PRNGKey(2),4,(),float64,2)" => |k| random::orthogonal(k, 4, &[], F64, Some(2));
    });
    named.extend(keyed! {
        "multivariate_normal(PRNGKey(0),mean,cov,(4,),float64,cholesky)" => |k| random::multivariate_normal_with(k, mean(), cov(), random::MultivariateNormalOptions::default().shape(&[4]).dtype(F64));
        "multivariate_normal(PRNGKey(1),mean32,cov32,None,float32,cholesky)" => |k| random::multivariate_normal_with(k, as_f32(&mean()), as_f32(&cov()), random::MultivariateNormalOptions::default().dtype(F32));
    });
    named.extend(gamma_family_cases());
    named
        .into_iter()
        .map(|(name, call)| (name, input_key(name), call))
        .collect()
}

/// A float64 vector.
fn vector(values: &[f64]) -> Array {
    Array::from_vec(values.to_vec())
}

/// `vector(values)` in `dtype`.
fn vector_in(values: &[f64], dtype: DType) -> Array {
    rjax::lax::convert_element_type(vector(values), dtype)
}

/// `jax.grad` of `f`'s sum at `x`.
fn grad_of_sum(f: impl Fn(&Array) -> Array + Copy, x: Array) -> Array {
    rjax::grad(move |x: Array| f(&x).sum())(x).expect("grad")
}

/// The cases of the gamma family, `poisson` and `ball`, and the derivatives in the shape
/// parameters.
fn gamma_family_cases() -> Vec<(&'static str, Sample)> {
    use DType::*;
    const ALPHAS: [f64; 4] = [0.5, 1.0, 2.5, 10.0];
    const SMALL_ALPHAS: [f64; 4] = [0.01, 0.5, 1.0, 3.0];
    let mut named: Vec<(&'static str, Sample)> = Vec::new();
    for (dtype, dtype_name) in [(F32, "float32"), (F64, "float64")] {
        let case = |text: &str| name(format!("{text},{dtype_name})"));
        named.extend([
            (
                case("gamma(PRNGKey(0),[0.5,1,2.5,10],None"),
                Box::new(move |k: &Array| random::gamma(k, vector_in(&ALPHAS, dtype), None, dtype))
                    as Sample,
            ),
            (
                case("loggamma(PRNGKey(0),[0.01,0.5,1,3],None"),
                Box::new(move |k: &Array| {
                    random::loggamma(k, vector_in(&SMALL_ALPHAS, dtype), None, dtype)
                }),
            ),
            (
                case("beta(PRNGKey(0),2,3,(5,)"),
                Box::new(move |k: &Array| random::beta(k, 2.0, 3.0, Some(&[5]), dtype)),
            ),
            (
                case("dirichlet(PRNGKey(0),[1,2,3],None"),
                Box::new(move |k: &Array| {
                    random::dirichlet(k, vector_in(&[1.0, 2.0, 3.0], dtype), None, dtype)
                }),
            ),
            (
                case("t(PRNGKey(0),3,(5,)"),
                Box::new(move |k: &Array| random::t(k, 3.0, Some(&[5]), dtype)),
            ),
            (
                case("chisquare(PRNGKey(0),2,(5,)"),
                Box::new(move |k: &Array| random::chisquare(k, 2.0, Some(&[5]), dtype)),
            ),
            (
                case("ball(PRNGKey(0),3,2,(4,)"),
                Box::new(move |k: &Array| random::ball(k, 3, &[4], dtype)),
            ),
        ]);
    }
    let column = |values: [f64; 2], dtype: DType| vector_in(&values, dtype).reshape(&[2, 1]);
    named.extend(keyed! {
        "gamma(PRNGKey(1),1.5,(3,2),float64)" => |k| random::gamma(k, 1.5, Some(&[3, 2]), F64);
        "gamma(PRNGKey(2),[[0.3],[4]],(2,3),float32)" => |k| random::gamma(k, column([0.3, 4.0], F32), Some(&[2, 3]), F32);
        "gamma(PRNGKey(3),2,(4,),float16)" => |k| random::gamma(k, 2.0, Some(&[4]), F16);
        "gamma(PRNGKey(3),0.5,(4,),bfloat16)" => |k| random::gamma(k, 0.5, Some(&[4]), BF16);
        "gamma(PRNGKey(5),0.7,(200,),float32)" => |k| random::gamma(k, 0.7, Some(&[200]), F32);
        "loggamma(PRNGKey(4),0.1,(5,),float32)" => |k| random::loggamma(k, 0.1, Some(&[5]), F32);
        "beta(PRNGKey(1),[0.5,2],[[1],[3]],None,float64)" => |k| random::beta(k, vector(&[0.5, 2.0]), column([1.0, 3.0], F64), None, F64);
        "dirichlet(PRNGKey(1),[[0.5,0.5],[2,5]],(3,2),float64)" => |k| random::dirichlet(k, vector(&[0.5, 0.5, 2.0, 5.0]).reshape(&[2, 2]), Some(&[3, 2]), F64);
        "t(PRNGKey(1),[1,5,30],None,float64)" => |k| random::t(k, vector(&[1.0, 5.0, 30.0]), None, F64);
        "chisquare(PRNGKey(1),[0.5,3,10],None,float64)" => |k| random::chisquare(k, vector(&[0.5, 3.0, 10.0]), None, F64);
        "ball(PRNGKey(1),2,1.5,(),float64)" => |k| random::ball_with(k, 2, 1.5, &[], F64);
        "ball(PRNGKey(2),4,1,(2,3),float32)" => |k| random::ball_with(k, 4, 1.0, &[2, 3], F32);
        "poisson(PRNGKey(0),3,(10,),int32)" => |k| random::poisson(k, 3.0, Some(&[10]), I32);
        "poisson(PRNGKey(1),[0.5,5,20,100,0],None,int64)" => |k| random::poisson(k, vector(&[0.5, 5.0, 20.0, 100.0, 0.0]), None, I64);
        "poisson(PRNGKey(2),50,(6,),int32)" => |k| random::poisson(k, 50.0, Some(&[6]), I32);
        "poisson(PRNGKey(3),[[1],[15]],(2,4),int32)" => |k| random::poisson(k, column([1.0, 15.0], F32), Some(&[2, 4]), I32);
        "poisson(PRNGKey(4),4,(300,),int32)" => |k| random::poisson(k, 4.0, Some(&[300]), I32);
        "grad_gamma(PRNGKey(0),[0.5,1,2.5,10],float64)" => |k| grad_of_sum(move |a| random::gamma(k, a, None, F64), vector(&ALPHAS));
        "grad_gamma(PRNGKey(0),[0.5,1,2.5,10],float32)" => |k| grad_of_sum(move |a| random::gamma(k, a, None, F32), vector_in(&ALPHAS, F32));
        "grad_loggamma(PRNGKey(0),[0.01,0.5,1,3],float64)" => |k| grad_of_sum(move |a| random::loggamma(k, a, None, F64), vector(&SMALL_ALPHAS));
        "grad_beta(PRNGKey(1),[0.5,2,5],2,float64)" => |k| grad_of_sum(move |a| random::beta(k, a, 2.0, None, F64), vector(&[0.5, 2.0, 5.0]));
        "grad_dirichlet(PRNGKey(2),[0.5,2,5],float64)" => |k| grad_of_sum(move |a| random::dirichlet(k, a, None, F64) * vector(&[1.0, -2.0, 3.0]), vector(&[0.5, 2.0, 5.0]));
        "grad_t(PRNGKey(3),[3,10],float64)" => |k| grad_of_sum(move |df| random::t(k, df, None, F64), vector(&[3.0, 10.0]));
        "grad_chisquare(PRNGKey(4),[0.5,4],float64)" => |k| grad_of_sum(move |df| random::chisquare(k, df, None, F64), vector(&[0.5, 4.0]));
    });
    named
}
