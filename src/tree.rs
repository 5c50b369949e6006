//! Pytrees (JAX's `tree_util`): nested containers of arrays that transformations flatten into
//! a list of leaves and a structure ([`TreeDef`]), and rebuild afterwards.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::{Array, Error, Result};

/// The structure of a pytree with its leaves taken out. Part of every `jit` cache key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TreeDef {
    /// One array.
    Leaf,
    /// `()`, or `None` of an `Option`.
    Empty,
    /// A tuple of subtrees.
    Tuple(Vec<TreeDef>),
    /// A `Vec` or fixed-size array of subtrees.
    List(Vec<TreeDef>),
    /// `Some` of an `Option`.
    Some(Box<TreeDef>),
    /// An ordered map from names to subtrees.
    Map(Vec<(String, TreeDef)>),
    /// A [`Static`] value: part of the structure, so of the `jit` cache key, with no leaves.
    Static(StaticValue),
}

/// A value passed to a jitted function as a compile-time constant, JAX's `static_argnums`: it
/// is not traced, and each distinct value (by `Eq` and `Hash`) has its own cache entry.
///
/// ```
/// use rjax::{Array, Static, jit};
/// let power = jit(|(x, Static(n)): (Array, Static<i32>)| rjax::lax::integer_pow(&x, n));
/// let y: Array = power.call((Array::from([2.0f32, 3.0]), Static(3)))?;
/// assert_eq!(y.to_vec::<f32>()?, [8.0, 27.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Static<T>(pub T);

/// A static value inside a [`TreeDef`], compared and hashed through its own `Eq` and `Hash`.
#[derive(Clone)]
pub struct StaticValue(Arc<dyn StaticKey>);

trait StaticKey: Any + Send + Sync + fmt::Debug {
    fn equals(&self, other: &dyn Any) -> bool;
    fn hash_into(&self, state: &mut dyn Hasher);
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + Send + Sync + fmt::Debug + Eq + Hash> StaticKey for T {
    fn equals(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>() == Some(self)
    }

    fn hash_into(&self, mut state: &mut dyn Hasher) {
        TypeId::of::<T>().hash(&mut state);
        self.hash(&mut state);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl PartialEq for StaticValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.equals(other.0.as_any())
    }
}

impl Eq for StaticValue {}

impl Hash for StaticValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash_into(state);
    }
}

impl fmt::Debug for StaticValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Static({:?})", self.0)
    }
}

impl<T: Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static> Pytree for Static<T> {
    fn flatten(&self, _leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::Static(StaticValue(Arc::new(self.0.clone())))
    }

    fn unflatten(def: &TreeDef, _leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::Static(value) => value
                .0
                .as_any()
                .downcast_ref::<T>()
                .map(|value| Static(value.clone()))
                .ok_or_else(|| mismatch(def, std::any::type_name::<T>())),
            _ => Err(mismatch(def, "a Static value")),
        }
    }
}

impl TreeDef {
    /// The number of leaves.
    pub fn num_leaves(&self) -> usize {
        match self {
            TreeDef::Leaf => 1,
            TreeDef::Empty | TreeDef::Static(_) => 0,
            TreeDef::Tuple(children) | TreeDef::List(children) => {
                children.iter().map(TreeDef::num_leaves).sum()
            }
            TreeDef::Some(child) => child.num_leaves(),
            TreeDef::Map(entries) => entries.iter().map(|(_, child)| child.num_leaves()).sum(),
        }
    }
}

/// A container of arrays that transformations can take apart and rebuild.
pub trait Pytree: Sized {
    /// Appends the leaves to `leaves` in order and returns the structure.
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef;

    /// Rebuilds a value of structure `def` from `leaves`, consuming as many as it holds.
    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self>;

    /// The leaves and the structure.
    fn tree_flatten(&self) -> (Vec<Array>, TreeDef) {
        let mut leaves = Vec::new();
        let def = self.flatten(&mut leaves);
        (leaves, def)
    }

    /// Rebuilds a value from its structure and leaves; the leaf count must match.
    fn tree_unflatten(def: &TreeDef, leaves: Vec<Array>) -> Result<Self> {
        let count = leaves.len();
        if count != def.num_leaves() {
            return Err(mismatch(def, &format!("{count} leaves")));
        }
        Self::unflatten(def, &mut leaves.into_iter())
    }
}

fn mismatch(def: &TreeDef, what: &str) -> Error {
    Error::invalid(
        "tree_unflatten",
        format!("the structure {def:?} does not fit {what}"),
    )
}

impl Pytree for Array {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        leaves.push(self.clone());
        TreeDef::Leaf
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::Leaf => leaves
                .next()
                .ok_or_else(|| mismatch(def, "the leaves left")),
            _ => Err(mismatch(def, "an Array")),
        }
    }
}

impl Pytree for () {
    fn flatten(&self, _leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::Empty
    }

    fn unflatten(def: &TreeDef, _leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::Empty => Ok(()),
            _ => Err(mismatch(def, "()")),
        }
    }
}

macro_rules! tuple_pytree {
    ($($name:ident . $index:tt),+) => {
        impl<$($name: Pytree),+> Pytree for ($($name,)+) {
            fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
                TreeDef::Tuple(vec![$(self.$index.flatten(leaves)),+])
            }

            fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
                match def {
                    TreeDef::Tuple(children) if children.len() == [$($index),+].len() => {
                        Ok(($($name::unflatten(&children[$index], leaves)?,)+))
                    }
                    _ => Err(mismatch(def, "a tuple")),
                }
            }
        }
    };
}

tuple_pytree!(A.0);
tuple_pytree!(A.0, B.1);
tuple_pytree!(A.0, B.1, C.2);
tuple_pytree!(A.0, B.1, C.2, D.3);
tuple_pytree!(A.0, B.1, C.2, D.3, E.4);
tuple_pytree!(A.0, B.1, C.2, D.3, E.4, F.5);
tuple_pytree!(A.0, B.1, C.2, D.3, E.4, F.5, G.6);
tuple_pytree!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7);

impl<T: Pytree> Pytree for Vec<T> {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::List(self.iter().map(|item| item.flatten(leaves)).collect())
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::List(children) => children
                .iter()
                .map(|child| T::unflatten(child, leaves))
                .collect(),
            _ => Err(mismatch(def, "a Vec")),
        }
    }
}

impl<T: Pytree, const N: usize> Pytree for [T; N] {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::List(self.iter().map(|item| item.flatten(leaves)).collect())
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        let items = Vec::<T>::unflatten(def, leaves)?;
        items
            .try_into()
            .map_err(|_| mismatch(def, &format!("an array of {N}")))
    }
}

impl<T: Pytree> Pytree for Option<T> {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        match self {
            Some(value) => TreeDef::Some(Box::new(value.flatten(leaves))),
            None => TreeDef::Empty,
        }
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::Some(child) => Ok(Some(T::unflatten(child, leaves)?)),
            TreeDef::Empty => Ok(None),
            _ => Err(mismatch(def, "an Option")),
        }
    }
}

impl<T: Pytree> Pytree for BTreeMap<String, T> {
    fn flatten(&self, leaves: &mut Vec<Array>) -> TreeDef {
        TreeDef::Map(
            self.iter()
                .map(|(key, value)| (key.clone(), value.flatten(leaves)))
                .collect(),
        )
    }

    fn unflatten(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Result<Self> {
        match def {
            TreeDef::Map(entries) => entries
                .iter()
                .map(|(key, child)| Ok((key.clone(), T::unflatten(child, leaves)?)))
                .collect(),
            _ => Err(mismatch(def, "a map")),
        }
    }
}

/// What a traced function may return: a pytree, or a `Result` of one. The pytree's type is
/// an associated type, so a transformation's result type follows from the function's (no
/// annotation needed on `jit(f).call(x)`, `grad(f)`, ...).
pub trait FnOutput {
    /// The pytree the function returns.
    type Output: Pytree;

    /// The output as a `Result`.
    fn into_result(self) -> Result<Self::Output>;
}

impl<T: Pytree> FnOutput for T {
    type Output = T;

    fn into_result(self) -> Result<T> {
        Ok(self)
    }
}

impl<T: Pytree> FnOutput for Result<T> {
    type Output = T;

    fn into_result(self) -> Result<T> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_structures_round_trip() {
        let a = Array::scalar(1.0f32);
        let b = Array::scalar(2i32);
        let mut map = BTreeMap::new();
        map.insert("w".to_string(), vec![a.clone(), b.clone()]);
        let value = (a.clone(), Some(map), [b.clone(), a.clone()], ());
        let (leaves, def) = value.tree_flatten();
        assert_eq!(leaves.len(), 5);
        assert_eq!(def.num_leaves(), 5);
        type T = (Array, Option<BTreeMap<String, Vec<Array>>>, [Array; 2], ());
        let rebuilt = T::tree_unflatten(&def, leaves).unwrap();
        assert_eq!(rebuilt.1.unwrap()["w"].len(), 2);
        assert!(T::tree_unflatten(&def, vec![a]).is_err());
        assert!(<(Array, Array)>::tree_unflatten(&TreeDef::Leaf, vec![b]).is_err());
    }
}
