//! Decoupled weight decay (Optax's `add_decayed_weights`), optionally masked.

use std::fmt;
use std::sync::Arc;

use crate::{Array, Error, Result};

use super::transform::GradientTransformation;

/// Which parameters a transformation applies to, one flag per leaf of the parameters in
/// flattening order (Optax's `mask`: a pytree of booleans, or a function of the parameters).
#[derive(Clone)]
pub struct Mask(Arc<MaskFn>);

/// A mask's function: one flag per parameter leaf.
type MaskFn = dyn Fn(&[Array]) -> Vec<bool> + Send + Sync;

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mask")
    }
}

impl Mask {
    /// One flag per leaf, in flattening order (`(true, false)` for a `(W, b)` tuple).
    pub fn leaves(flags: Vec<bool>) -> Self {
        Mask(Arc::new(move |_| flags.clone()))
    }

    /// A flag from each parameter leaf (`|p| p.ndim() >= 2`: matrices only).
    pub fn by_leaf(predicate: impl Fn(&Array) -> bool + Send + Sync + 'static) -> Self {
        Mask(Arc::new(move |params| {
            params.iter().map(&predicate).collect()
        }))
    }

    /// The flags for `params`, checked to be one per leaf.
    pub(crate) fn flags(&self, op: &str, params: &[Array]) -> Result<Vec<bool>> {
        let flags = (self.0)(params);
        if flags.len() != params.len() {
            return Err(Error::invalid(
                op,
                format!(
                    "the mask has {} flags for {} parameter leaves",
                    flags.len(),
                    params.len()
                ),
            ));
        }
        Ok(flags)
    }
}

/// `g + weight_decay * p` for each update `g` and parameter `p` (Optax's
/// `add_decayed_weights`); leaves the mask turns off pass through unchanged. Stateless; its
/// `update` needs the parameters.
pub fn add_decayed_weights(weight_decay: f64, mask: Option<Mask>) -> GradientTransformation {
    GradientTransformation::stateless(move |updates, params| {
        let op = "add_decayed_weights";
        let params = params.ok_or_else(|| {
            Error::invalid(
                op,
                "this transformation needs the parameters: pass Some(&params)",
            )
        })?;
        let flags = match &mask {
            Some(mask) => mask.flags(op, params)?,
            None => vec![true; params.len()],
        };
        Ok(updates
            .leaves
            .iter()
            .zip(params)
            .zip(flags)
            .map(|((g, p), on)| if on { g + p * weight_decay } else { g.clone() })
            .collect())
    })
}
