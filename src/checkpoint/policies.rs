//! Checkpoint policies (JAX's `jax.checkpoint_policies`): which values a [`checkpoint`]ed
//! function may save for its backward pass. Everything else the backward pass needs is
//! recomputed from the saved values and the function's inputs.
//!
//! A policy looks at one equation of the forward computation at a time (its primitive and
//! its operands' types) and says whether its outputs are saveable, as JAX's policies do.
//!
//! ```
//! use rjax::checkpoint_policies::{dots_saveable, save_only_these_names};
//! use rjax::{Array, CheckpointOptions, checkpoint_name, checkpoint_with, grad};
//!
//! let layer = |(w, x): (Array, Array)| checkpoint_name(&w.matmul(&x).tanh(), "hidden");
//! let saving_dots = checkpoint_with(layer, CheckpointOptions::new().policy(dots_saveable()));
//! let saving_hidden = checkpoint_with(
//!     layer,
//!     CheckpointOptions::new().policy(save_only_these_names(&["hidden"])),
//! );
//! let w = Array::from([[1.0f32, 2.0], [3.0, 4.0]]) * 0.1;
//! let x = Array::from([0.5f32, -1.0]);
//! let a = grad(|x: Array| saving_dots((w.clone(), x)).map(|y| y.sum()))(x.clone())?;
//! let b = grad(|x: Array| saving_hidden((w.clone(), x)).map(|y| y.sum()))(x)?;
//! assert_eq!(a.to_vec::<f32>()?, b.to_vec::<f32>()?);
//! # Ok::<(), rjax::Error>(())
//! ```
//!
//! [`checkpoint`]: crate::checkpoint

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::abstract_value::ShapedArray;
use crate::core::Primitive;

/// The signature of a user-defined policy: whether the outputs of `primitive` applied to
/// operands of types `avals` may be saved.
pub type PolicyFn = dyn Fn(&Primitive, &[ShapedArray]) -> bool + Send + Sync;

/// What a checkpointed function may save for its backward pass (JAX's `policy=`).
#[derive(Clone, Default)]
pub enum Policy {
    /// Save nothing but the inputs: recompute everything (the default, JAX's `policy=None`
    /// and `nothing_saveable`).
    #[default]
    NothingSaveable,
    /// Save everything, as if there were no checkpoint (JAX's `everything_saveable`).
    EverythingSaveable,
    /// Save the results of matrix products: `dot_general` (JAX's `dots_saveable`), or only
    /// those without batch dimensions (`dots_with_no_batch_dims_saveable`).
    DotsSaveable {
        /// Whether a `dot_general` with batch dimensions is recomputed instead.
        only_if_no_batch_dims: bool,
    },
    /// Save only the values named by [`checkpoint_name`](crate::checkpoint_name) with one of
    /// these names (JAX's `save_only_these_names`).
    SaveOnlyTheseNames(BTreeSet<String>),
    /// Save the named values except those with one of these names (JAX's
    /// `save_any_names_but_these`).
    SaveAnyNamesButThese(BTreeSet<String>),
    /// Save what either policy saves (JAX's `save_from_both_policies`).
    Either(Arc<(Policy, Policy)>),
    /// A policy of the user's (see [`custom`]).
    Custom(CustomPolicy),
}

/// A user-defined policy: a named closure, equal only to itself.
#[derive(Clone)]
pub struct CustomPolicy {
    name: Arc<str>,
    saveable: Arc<PolicyFn>,
}

impl Policy {
    /// Whether the outputs of `primitive`, applied to operands of types `avals`, may be saved.
    pub fn saveable(&self, primitive: &Primitive, avals: &[ShapedArray]) -> bool {
        match self {
            Policy::NothingSaveable => false,
            Policy::EverythingSaveable => true,
            Policy::DotsSaveable {
                only_if_no_batch_dims,
            } => match primitive {
                Primitive::DotGeneral {
                    dimension_numbers, ..
                } => {
                    !only_if_no_batch_dims
                        || (dimension_numbers.lhs_batch.is_empty()
                            && dimension_numbers.rhs_batch.is_empty())
                }
                _ => false,
            },
            Policy::SaveOnlyTheseNames(names) => {
                matches!(primitive, Primitive::CheckpointName { name } if names.contains(name))
            }
            Policy::SaveAnyNamesButThese(names) => {
                matches!(primitive, Primitive::CheckpointName { name } if !names.contains(name))
            }
            Policy::Either(both) => {
                both.0.saveable(primitive, avals) || both.1.saveable(primitive, avals)
            }
            Policy::Custom(custom) => (custom.saveable)(primitive, avals),
        }
    }

    /// The identity the policy compares and hashes by: its kind, its names, and for custom
    /// policies the closure's address.
    fn key(&self) -> PolicyKey<'_> {
        match self {
            Policy::NothingSaveable => PolicyKey::Nothing,
            Policy::EverythingSaveable => PolicyKey::Everything,
            Policy::DotsSaveable {
                only_if_no_batch_dims,
            } => PolicyKey::Dots(*only_if_no_batch_dims),
            Policy::SaveOnlyTheseNames(names) => PolicyKey::Only(names),
            Policy::SaveAnyNamesButThese(names) => PolicyKey::AllBut(names),
            Policy::Either(both) => PolicyKey::Either(Box::new((both.0.key(), both.1.key()))),
            Policy::Custom(custom) => {
                PolicyKey::Custom(Arc::as_ptr(&custom.saveable) as *const () as usize)
            }
        }
    }
}

/// [`Policy`]'s identity, derived structurally.
#[derive(PartialEq, Eq, Hash)]
enum PolicyKey<'a> {
    Nothing,
    Everything,
    Dots(bool),
    Only(&'a BTreeSet<String>),
    AllBut(&'a BTreeSet<String>),
    Either(Box<(PolicyKey<'a>, PolicyKey<'a>)>),
    Custom(usize),
}

impl PartialEq for Policy {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Policy {}

impl Hash for Policy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// A set of names as Python prints a frozenset: `frozenset({'a', 'b'})`.
fn frozenset(names: &BTreeSet<String>) -> String {
    let items: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("frozenset({{{}}})", items.join(", "))
}

/// As jaxprs print the `policy` parameter (JAX's reprs: `None` for the default,
/// `SaveOnlyTheseNames(saveable_names=frozenset({'a'}))`, ...).
impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::NothingSaveable => f.write_str("None"),
            Policy::EverythingSaveable => f.write_str("everything_saveable"),
            Policy::DotsSaveable {
                only_if_no_batch_dims,
            } => {
                let only = if *only_if_no_batch_dims {
                    "True"
                } else {
                    "False"
                };
                write!(f, "DotsSaveable(only_if_no_batch_dims={only})")
            }
            Policy::SaveOnlyTheseNames(names) => {
                write!(f, "SaveOnlyTheseNames(saveable_names={})", frozenset(names))
            }
            Policy::SaveAnyNamesButThese(names) => {
                write!(f, "SaveAnyNamesButThese(names={})", frozenset(names))
            }
            Policy::Either(both) => {
                write!(f, "save_from_both_policies({:?}, {:?})", both.0, both.1)
            }
            Policy::Custom(custom) => f.write_str(&custom.name),
        }
    }
}

impl fmt::Debug for CustomPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Save nothing but the inputs (JAX's `nothing_saveable`; the default).
pub fn nothing_saveable() -> Policy {
    Policy::NothingSaveable
}

/// Save everything (JAX's `everything_saveable`): differentiation as without a checkpoint.
pub fn everything_saveable() -> Policy {
    Policy::EverythingSaveable
}

/// Save the results of every `dot_general` (JAX's `dots_saveable`).
pub fn dots_saveable() -> Policy {
    Policy::DotsSaveable {
        only_if_no_batch_dims: false,
    }
}

/// JAX's alias of [`dots_saveable`].
pub fn checkpoint_dots() -> Policy {
    dots_saveable()
}

/// Save the results of `dot_general`s without batch dimensions (JAX's
/// `dots_with_no_batch_dims_saveable`).
pub fn dots_with_no_batch_dims_saveable() -> Policy {
    Policy::DotsSaveable {
        only_if_no_batch_dims: true,
    }
}

/// JAX's alias of [`dots_with_no_batch_dims_saveable`].
pub fn checkpoint_dots_with_no_batch_dims() -> Policy {
    dots_with_no_batch_dims_saveable()
}

/// Save only the values [`checkpoint_name`](crate::checkpoint_name)d with one of `names`
/// (JAX's `save_only_these_names`).
pub fn save_only_these_names(names: &[&str]) -> Policy {
    Policy::SaveOnlyTheseNames(names.iter().map(|n| n.to_string()).collect())
}

/// Save every named value except those named one of `names` (JAX's
/// `save_any_names_but_these`).
pub fn save_any_names_but_these(names: &[&str]) -> Policy {
    Policy::SaveAnyNamesButThese(names.iter().map(|n| n.to_string()).collect())
}

/// Save what either policy saves (JAX's `save_from_both_policies`).
pub fn save_from_both_policies(first: Policy, second: Policy) -> Policy {
    Policy::Either(Arc::new((first, second)))
}

/// A policy of the user's: `saveable(primitive, operand types)` says whether the outputs of
/// an equation may be saved; `name` is how jaxprs print it.
///
/// ```
/// use rjax::{Primitive, checkpoint_policies::custom};
/// let save_big = custom("save_big", |_: &Primitive, avals: &[rjax::ShapedArray]| {
///     avals.iter().any(|a| a.shape.iter().product::<usize>() > 1000)
/// });
/// # let _ = save_big;
/// ```
pub fn custom(
    name: &str,
    saveable: impl Fn(&Primitive, &[ShapedArray]) -> bool + Send + Sync + 'static,
) -> Policy {
    Policy::Custom(CustomPolicy {
        name: name.into(),
        saveable: Arc::new(saveable),
    })
}
