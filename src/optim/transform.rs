//! Optax's model: a [`GradientTransformation`] is a pair of pure functions, `init` (the state
//! for some parameters) and `update` (new updates and state from gradients), over pytrees;
//! [`chain`] composes them and [`apply_updates`] adds the result to the parameters.

use std::sync::Arc;

use crate::tree::{Pytree, TreeDef};
use crate::{Array, DType, Error, Result};

/// The state of a [`GradientTransformation`]: a pytree of arrays (so a whole training step can
/// be one `jit`), shaped like Optax's state `NamedTuple`s.
///
/// As a pytree, [`OptState::Empty`] is `()`, [`OptState::Array`] a leaf, [`OptState::Like`] a
/// `Some` around the parameters' structure, [`OptState::Named`] a map and [`OptState::Chain`]
/// a tuple, so `tree_flatten` and `tree_unflatten` round-trip it.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum OptState {
    /// No state (Optax's `EmptyState`).
    Empty,
    /// One array, such as a step count (an `int32` scalar).
    Array(Array),
    /// A tree shaped like the parameters (a moment): their structure and one leaf per leaf.
    Like(TreeDef, Vec<Array>),
    /// Named fields, in Optax's order (`count`, `mu`, `nu`, ...).
    Named(Vec<(String, OptState)>),
    /// The states of a [`chain`]'s transformations, in order.
    Chain(Vec<OptState>),
}

impl OptState {
    /// The field `name` of a [`OptState::Named`] state (`state.get("mu")`).
    pub fn get(&self, name: &str) -> Option<&OptState> {
        match self {
            OptState::Named(fields) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The `index`-th state of a [`OptState::Chain`].
    pub fn chained(&self, index: usize) -> Option<&OptState> {
        match self {
            OptState::Chain(states) => states.get(index),
            _ => None,
        }
    }

    /// The array of an [`OptState::Array`] state.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            OptState::Array(array) => Some(array),
            _ => None,
        }
    }

    /// A parameter-shaped state ([`OptState::Like`]) rebuilt as the parameters' type `P`.
    pub fn to_params<P: Pytree>(&self) -> Result<P> {
        match self {
            OptState::Like(def, leaves) => P::tree_unflatten(def, leaves.clone()),
            other => Err(Error::invalid(
                "OptState::to_params",
                format!(
                    "the state {} is not shaped like the parameters",
                    other.kind()
                ),
            )),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            OptState::Empty => "Empty",
            OptState::Array(_) => "Array",
            OptState::Like(..) => "Like",
            OptState::Named(_) => "Named",
            OptState::Chain(_) => "Chain",
        }
    }

    /// The fields `names` of a [`OptState::Named`] state, in that order.
    pub(crate) fn into_fields<const N: usize>(
        self,
        op: &str,
        names: [&str; N],
    ) -> Result<[OptState; N]> {
        let mismatch = |got: String| {
            Error::invalid(
                op,
                format!("expected a state with the fields {names:?}, got {got}"),
            )
        };
        let OptState::Named(fields) = self else {
            return Err(mismatch(format!("an {} state", self.kind())));
        };
        let got: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        if got != names {
            return Err(mismatch(format!("the fields {got:?}")));
        }
        let values: Vec<OptState> = fields.into_iter().map(|(_, value)| value).collect();
        Ok(values.try_into().expect("the field count was checked"))
    }

    /// The array of an [`OptState::Array`] state.
    pub(crate) fn into_array(self, op: &str) -> Result<Array> {
        match self {
            OptState::Array(array) => Ok(array),
            other => Err(Error::invalid(
                op,
                format!(
                    "expected an array in the state, got an {} state",
                    other.kind()
                ),
            )),
        }
    }

    /// The leaves of a parameter-shaped state, checked against the updates it must match.
    pub(crate) fn into_like(self, op: &str, updates: &Tree) -> Result<Vec<Array>> {
        let OptState::Like(def, leaves) = self else {
            return Err(Error::invalid(
                op,
                format!(
                    "expected a state shaped like the parameters, got an {} state",
                    self.kind()
                ),
            ));
        };
        if &def != updates.def {
            return Err(Error::invalid(
                op,
                format!(
                    "the updates have the structure {:?}, but the state was initialised for {def:?}",
                    updates.def
                ),
            ));
        }
        for (index, (moment, update)) in leaves.iter().zip(updates.leaves).enumerate() {
            if moment.shape() != update.shape() {
                return Err(Error::invalid(
                    op,
                    format!(
                        "leaf {index} of the updates has shape {:?}, but the state's has {:?}",
                        update.shape(),
                        moment.shape()
                    ),
                ));
            }
        }
        Ok(leaves)
    }
}

/// Builds an [`OptState::Named`] state from its fields.
pub(crate) fn named<const N: usize>(fields: [(&str, OptState); N]) -> OptState {
    OptState::Named(
        fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
    )
}

impl Pytree for OptState {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        match self {
            OptState::Empty => TreeDef::Empty,
            OptState::Array(array) => array.flatten(leaves),
            OptState::Like(def, like) => {
                leaves.extend(like.iter().cloned());
                TreeDef::Some(Box::new(def.clone()))
            }
            OptState::Named(fields) => TreeDef::Map(
                fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.flatten(leaves)))
                    .collect(),
            ),
            OptState::Chain(states) => {
                TreeDef::Tuple(states.iter().map(|state| state.flatten(leaves)).collect())
            }
        }
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        Ok(match def {
            TreeDef::Empty => OptState::Empty,
            TreeDef::Leaf => OptState::Array(Array::unflatten(def, leaves)?),
            TreeDef::Some(inner) => {
                let like: Vec<Array> = leaves.take(inner.num_leaves()).collect();
                if like.len() != inner.num_leaves() {
                    return Err(Error::invalid(
                        "tree_unflatten",
                        "too few leaves for an optimizer state",
                    ));
                }
                OptState::Like((**inner).clone(), like)
            }
            TreeDef::Map(fields) => OptState::Named(
                fields
                    .iter()
                    .map(|(name, child)| Ok((name.clone(), OptState::unflatten(child, leaves)?)))
                    .collect::<Result<_>>()?,
            ),
            TreeDef::Tuple(children) => OptState::Chain(
                children
                    .iter()
                    .map(|child| OptState::unflatten(child, leaves))
                    .collect::<Result<_>>()?,
            ),
            other => {
                return Err(Error::invalid(
                    "tree_unflatten",
                    format!("the structure {other:?} is not an optimizer state"),
                ));
            }
        })
    }
}

/// A flattened pytree handed to a transformation: its structure and its leaves.
#[derive(Debug, Clone, Copy)]
pub struct Tree<'a> {
    /// The structure.
    pub def: &'a TreeDef,
    /// The leaves, in order.
    pub leaves: &'a [Array],
}

impl Tree<'_> {
    /// A parameter-shaped state: `fill(leaf)` for each leaf.
    pub fn like(&self, fill: impl Fn(&Array) -> Array) -> OptState {
        OptState::Like(self.def.clone(), self.leaves.iter().map(fill).collect())
    }
}

/// Optax's `init_fn`: the state for the given parameters.
pub type InitFn = dyn Fn(Tree<'_>) -> Result<OptState> + Send + Sync;

/// Optax's `update_fn`: the transformed updates (leaves, in order) and the new state, from
/// the updates, the state and optionally the parameters (leaves of the same structure).
pub type UpdateFn =
    dyn Fn(Tree<'_>, OptState, Option<&[Array]>) -> Result<(Vec<Array>, OptState)> + Send + Sync;

/// Optax's `GradientTransformation`: `init` makes a state from parameters; `update` turns
/// updates (gradients) into new updates and a new state. Both are pure and traceable, so a
/// training step that calls them can be one `jit`. Cloning is cheap (shared functions).
#[derive(Clone)]
pub struct GradientTransformation {
    init: Arc<InitFn>,
    update: Arc<UpdateFn>,
}

impl std::fmt::Debug for GradientTransformation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GradientTransformation")
    }
}

impl GradientTransformation {
    /// A transformation from its two functions over flattened trees.
    pub fn new(
        init: impl Fn(Tree<'_>) -> Result<OptState> + Send + Sync + 'static,
        update: impl Fn(Tree<'_>, OptState, Option<&[Array]>) -> Result<(Vec<Array>, OptState)>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        GradientTransformation {
            init: Arc::new(init),
            update: Arc::new(update),
        }
    }

    /// A stateless transformation: `update(updates, params)` maps the leaves.
    pub(crate) fn stateless(
        update: impl Fn(Tree<'_>, Option<&[Array]>) -> Result<Vec<Array>> + Send + Sync + 'static,
    ) -> Self {
        GradientTransformation::new(
            |_| Ok(OptState::Empty),
            move |updates, state, params| Ok((update(updates, params)?, state)),
        )
    }

    /// The initial state for `params` (Optax's `init`).
    pub fn init<P: Pytree>(&self, params: &P) -> Result<OptState> {
        let (leaves, def) = params.tree_flatten();
        (self.init)(Tree {
            def: &def,
            leaves: &leaves,
        })
    }

    /// The transformed updates and the new state (Optax's `update`). `params`, needed by some
    /// transformations (weight decay), must have the structure and shapes of `updates`.
    pub fn update<P: Pytree>(
        &self,
        updates: P,
        state: OptState,
        params: Option<&P>,
    ) -> Result<(P, OptState)> {
        let (leaves, def) = updates.tree_flatten();
        let params = match params {
            Some(params) => Some(check_same_tree("update", &def, &leaves, params)?),
            None => None,
        };
        let tree = Tree {
            def: &def,
            leaves: &leaves,
        };
        let (leaves, state) = self.update_flat(tree, state, params.as_deref())?;
        Ok((P::tree_unflatten(&def, leaves)?, state))
    }

    /// [`GradientTransformation::update`] on a flattened tree, for composing transformations.
    pub fn update_flat(
        &self,
        updates: Tree<'_>,
        state: OptState,
        params: Option<&[Array]>,
    ) -> Result<(Vec<Array>, OptState)> {
        (self.update)(updates, state, params)
    }

    /// [`GradientTransformation::init`] on a flattened tree, for composing transformations.
    pub fn init_flat(&self, params: Tree<'_>) -> Result<OptState> {
        (self.init)(params)
    }
}

/// The leaves of `other`, checked to have the structure and shapes of `(def, leaves)`.
fn check_same_tree<P: Pytree>(
    op: &str,
    def: &TreeDef,
    leaves: &[Array],
    other: &P,
) -> Result<Vec<Array>> {
    let (other_leaves, other_def) = other.tree_flatten();
    if &other_def != def {
        return Err(Error::invalid(
            op,
            format!("the parameters have the structure {other_def:?}, the updates {def:?}"),
        ));
    }
    for (index, (a, b)) in leaves.iter().zip(&other_leaves).enumerate() {
        if a.shape() != b.shape() {
            return Err(Error::invalid(
                op,
                format!(
                    "leaf {index}: the updates have shape {:?}, the parameters {:?}",
                    a.shape(),
                    b.shape()
                ),
            ));
        }
    }
    Ok(other_leaves)
}

/// The transformation that changes nothing (Optax's `identity`), with an empty state.
pub fn identity() -> GradientTransformation {
    GradientTransformation::stateless(|updates, _| Ok(updates.leaves.to_vec()))
}

/// Applies `transformations` one after another (Optax's `chain`); the state is the tuple of
/// their states ([`OptState::Chain`]). Order matters: each sees the previous one's output.
pub fn chain(transformations: Vec<GradientTransformation>) -> GradientTransformation {
    let transformations = Arc::new(transformations);
    let for_init = transformations.clone();
    GradientTransformation::new(
        move |params| {
            let states = for_init
                .iter()
                .map(|t| t.init_flat(params))
                .collect::<Result<_>>()?;
            Ok(OptState::Chain(states))
        },
        move |updates, state, params| {
            let OptState::Chain(states) = state else {
                return Err(Error::invalid("chain", "expected the state of a chain"));
            };
            if states.len() != transformations.len() {
                return Err(Error::invalid(
                    "chain",
                    format!(
                        "the state holds {} states for {} transformations",
                        states.len(),
                        transformations.len()
                    ),
                ));
            }
            let mut leaves = updates.leaves.to_vec();
            let mut new_states = Vec::with_capacity(states.len());
            for (transformation, state) in transformations.iter().zip(states) {
                let tree = Tree {
                    def: updates.def,
                    leaves: &leaves,
                };
                let (next, state) = transformation.update_flat(tree, state, params)?;
                leaves = next;
                new_states.push(state);
            }
            Ok((leaves, OptState::Chain(new_states)))
        },
    )
}

/// `params + updates`, leaf by leaf, in each parameter's dtype (Optax's `apply_updates`).
pub fn apply_updates<P: Pytree>(params: &P, updates: &P) -> Result<P> {
    let (leaves, def) = params.tree_flatten();
    let updates = check_same_tree("apply_updates", &def, &leaves, updates)?;
    let sum = leaves
        .iter()
        .zip(&updates)
        .map(|(p, u)| (p + u).astype(p.dtype()))
        .collect();
    P::tree_unflatten(&def, sum)
}

/// The new step count: `count + 1`, saturating at `i32::MAX` (Optax's `safe_increment`).
pub(crate) fn safe_increment(count: &Array) -> Array {
    crate::numpy::where_(count.lt(i32::MAX), count + 1, Array::scalar(i32::MAX))
}

/// A fresh step count: `int32` zero.
pub(crate) fn zero_count() -> OptState {
    OptState::Array(Array::scalar(0i32))
}

/// `x` in `dtype` if one is given (Optax's `tree.cast`).
pub(crate) fn cast(x: Array, dtype: Option<DType>) -> Array {
    match dtype {
        Some(dtype) if dtype != x.dtype() => x.astype(dtype),
        _ => x,
    }
}
