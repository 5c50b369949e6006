//! RMSProp (Optax's `scale_by_rms`, `scale_by_stddev`, `rmsprop`).

use crate::{Array, lax};

use super::moments::{bias_correction, update_moment};
use super::scale::scale_by_learning_rate;
use super::schedules::LearningRate;
use super::sgd::trace;
use super::transform::{
    GradientTransformation, OptState, chain, identity, safe_increment, zero_count,
};

/// RMSProp's hyperparameters, with Optax's defaults (`RmsPropOptions::default()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropOptions {
    /// The decay of the moving averages (0.9).
    pub decay: f64,
    /// Added to the denominator (1e-8).
    pub eps: f64,
    /// The initial second moment (0).
    pub initial_scale: f64,
    /// `rsqrt(nu + eps)` when true (the default), else `1 / (sqrt(nu) + eps)`.
    pub eps_in_sqrt: bool,
    /// Divide by the standard deviation (the second moment less the squared first) (false).
    pub centered: bool,
    /// Momentum applied after scaling, as [`trace`] (`None`).
    pub momentum: Option<f64>,
    /// Nesterov momentum (false).
    pub nesterov: bool,
    /// Bias-correct the moments, as Adam (false); adds a `count` to the state.
    pub bias_correction: bool,
}

impl Default for RmsPropOptions {
    fn default() -> Self {
        RmsPropOptions {
            decay: 0.9,
            eps: 1e-8,
            initial_scale: 0.0,
            eps_in_sqrt: true,
            centered: false,
            momentum: None,
            nesterov: false,
            bias_correction: false,
        }
    }
}

/// `g / sqrt(second moment)` (Optax's `scale_by_rms`); `decay`, `eps`, `initial_scale`,
/// `eps_in_sqrt` and `bias_correction` are taken from `options`. The state is `{nu}`, or
/// `{count, nu}` with bias correction.
pub fn scale_by_rms(options: RmsPropOptions) -> GradientTransformation {
    scale_by_moments("scale_by_rms", options, false)
}

/// `g / sqrt(second moment - first moment²)` (Optax's `scale_by_stddev`), the centered
/// RMSProp. The state is `{mu, nu}`, or `{count, mu, nu}` with bias correction.
pub fn scale_by_stddev(options: RmsPropOptions) -> GradientTransformation {
    scale_by_moments("scale_by_stddev", options, true)
}

/// The state's field names: an optional count, the first moment when centered, then `nu`.
fn field_names(centered: bool, with_count: bool) -> Vec<&'static str> {
    let mut names = Vec::new();
    if with_count {
        names.push("count");
    }
    if centered {
        names.push("mu");
    }
    names.push("nu");
    names
}

fn scale_by_moments(
    op: &'static str,
    options: RmsPropOptions,
    centered: bool,
) -> GradientTransformation {
    let RmsPropOptions {
        decay,
        eps,
        initial_scale,
        eps_in_sqrt,
        bias_correction: correct,
        ..
    } = options;
    let names = field_names(centered, correct);
    let names_for_init = names.clone();
    GradientTransformation::new(
        move |params| {
            let fields = names_for_init
                .iter()
                .map(|&name| {
                    let value = match name {
                        "count" => zero_count(),
                        "mu" => params.like(|p| crate::numpy::zeros_like(p, None)),
                        _ => params.like(|p| crate::numpy::full_like(p, initial_scale, None)),
                    };
                    (name.to_string(), value)
                })
                .collect();
            Ok(OptState::Named(fields))
        },
        move |updates, state, _| {
            let OptState::Named(fields) = state else {
                return Err(crate::Error::invalid(op, "expected a named state"));
            };
            let got: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
            if got != names {
                return Err(crate::Error::invalid(
                    op,
                    format!("expected a state with the fields {names:?}, got {got:?}"),
                ));
            }
            let mut fields = fields.into_iter().map(|(_, value)| value);
            let count = if correct {
                Some(safe_increment(
                    &fields.next().expect("checked").into_array(op)?,
                ))
            } else {
                None
            };
            let mu = match centered {
                true => Some(fields.next().expect("checked").into_like(op, &updates)?),
                false => None,
            };
            let nu = fields.next().expect("checked").into_like(op, &updates)?;
            let correct_for = |x: &Array| match &count {
                Some(count) => bias_correction(x, decay, count),
                None => x.clone(),
            };
            let mut leaves = Vec::new();
            let (mut new_mu, mut new_nu) = (Vec::new(), Vec::new());
            for (index, g) in updates.leaves.iter().enumerate() {
                let v = update_moment(g, &nu[index], decay, 2);
                let mut denominator = correct_for(&v);
                if let Some(mu) = &mu {
                    let m = update_moment(g, &mu[index], decay, 1);
                    let m_hat = correct_for(&m);
                    denominator = denominator - &m_hat * &m_hat;
                    new_mu.push(m);
                }
                let scaling = if eps_in_sqrt {
                    lax::rsqrt(&(denominator + eps))
                } else {
                    1.0 / (denominator.sqrt() + eps)
                };
                leaves.push(scaling * g);
                new_nu.push(v);
            }
            let def = updates.def.clone();
            let mut state = Vec::new();
            if let Some(count) = count {
                state.push(("count".to_string(), OptState::Array(count)));
            }
            if centered {
                state.push(("mu".to_string(), OptState::Like(def.clone(), new_mu)));
            }
            state.push(("nu".to_string(), OptState::Like(def, new_nu)));
            Ok((leaves, OptState::Named(state)))
        },
    )
}

/// RMSProp (Optax's `rmsprop`): `chain(scale_by_rms or scale_by_stddev (centered),
/// scale_by_learning_rate(lr), trace(momentum, nesterov) or identity())`.
pub fn rmsprop(
    learning_rate: impl Into<LearningRate>,
    options: RmsPropOptions,
) -> GradientTransformation {
    let scaling = if options.centered {
        scale_by_stddev(options)
    } else {
        scale_by_rms(options)
    };
    let momentum = match options.momentum {
        Some(decay) => trace(decay, options.nesterov, None),
        None => identity(),
    };
    chain(vec![
        scaling,
        scale_by_learning_rate(learning_rate, true),
        momentum,
    ])
}
