//! Pytrees (JAX's `tree_util`): nested containers of arrays that transformations flatten into
//! a list of leaves and a structure ([`TreeDef`]), and rebuild afterwards.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::{Array, Error, Result};

mod paths;
pub use paths::{KeyEntry, KeyPath, tree_flatten_with_path, tree_leaves_with_path};

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
    /// A `#[derive(Pytree)]` struct or enum variant with its fields' subtrees.
    Node(NodeDef),
}

/// The structure of a `#[derive(Pytree)]` value: its type's name, its enum variant (empty for
/// a struct) and each field's name (its index for tuple fields) with the field's subtree, in
/// declaration order. The derived code builds and reads it; two types never share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeDef {
    /// The type's name, e.g. `Linear`.
    pub type_name: &'static str,
    /// The enum variant, or `""` for a struct.
    pub variant: &'static str,
    /// Each field's name and subtree.
    pub fields: Vec<(&'static str, TreeDef)>,
}

impl NodeDef {
    /// The fields' subtrees of `def`, which must be a node of `type_name`'s `variant` with
    /// the fields `labels` (used by the derived `unflatten`).
    pub fn fields_of<'a>(
        def: &'a TreeDef,
        type_name: &str,
        variant: &str,
        labels: &[&str],
    ) -> Result<&'a [(&'static str, TreeDef)]> {
        match def {
            TreeDef::Node(node)
                if node.type_name == type_name
                    && node.variant == variant
                    && node
                        .fields
                        .iter()
                        .map(|(label, _)| *label)
                        .eq(labels.iter().copied()) =>
            {
                Ok(&node.fields)
            }
            _ => Err(mismatch(def, &node_name(type_name, variant))),
        }
    }

    /// The variant `def` holds, which must be a node of the enum `type_name` (used by the
    /// derived `unflatten`).
    pub fn variant_of(def: &TreeDef, type_name: &str) -> Result<&'static str> {
        match def {
            TreeDef::Node(node) if node.type_name == type_name => Ok(node.variant),
            _ => Err(mismatch(def, &format!("the enum {type_name}"))),
        }
    }

    /// The error for a variant `variant` that the enum `type_name` does not have.
    pub fn unknown_variant(def: &TreeDef, type_name: &str, variant: &str) -> Error {
        mismatch(
            def,
            &format!("the enum {type_name}, which has no variant {variant}"),
        )
    }
}

/// `Type` or `Type::Variant`.
fn node_name(type_name: &str, variant: &str) -> String {
    if variant.is_empty() {
        type_name.to_string()
    } else {
        format!("{type_name}::{variant}")
    }
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
            TreeDef::Node(node) => node
                .fields
                .iter()
                .map(|(_, child)| child.num_leaves())
                .sum(),
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

/// The leaves of `tree`, in flattening order (JAX's `jax.tree.leaves`).
pub fn tree_leaves<T: Pytree>(tree: &T) -> Vec<Array> {
    tree.tree_flatten().0
}

/// The structure of `tree` (JAX's `jax.tree.structure`).
pub fn tree_structure<T: Pytree>(tree: &T) -> TreeDef {
    tree.tree_flatten().1
}

/// `tree` with `f` applied to every leaf (JAX's `jax.tree.map` of one tree); static fields and
/// the structure are kept.
///
/// ```
/// use rjax::{Array, tree_map};
/// let params = (Array::from([1.0f32, 2.0]), vec![Array::from(3.0f32)]);
/// let doubled = tree_map(&params, |x| x * 2.0);
/// assert_eq!(doubled.1[0].to_vec::<f32>()?, [6.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn tree_map<T: Pytree>(tree: &T, f: impl FnMut(&Array) -> Array) -> T {
    let (leaves, def) = tree.tree_flatten();
    let mapped = leaves.iter().map(f).collect();
    T::tree_unflatten(&def, mapped).expect("one leaf out for each leaf in")
}

/// `f` applied to the corresponding leaves of two trees of one structure (JAX's `jax.tree.map`
/// of two trees, e.g. parameters and their gradients). Trees of different structures are an
/// error naming both.
pub fn tree_map2<T: Pytree>(a: &T, b: &T, mut f: impl FnMut(&Array, &Array) -> Array) -> Result<T> {
    let (left, def) = a.tree_flatten();
    let (right, other) = b.tree_flatten();
    if def != other {
        return Err(Error::invalid(
            "tree_map2",
            format!("the trees have different structures: {def:?} and {other:?}"),
        ));
    }
    let mapped = left.iter().zip(&right).map(|(x, y)| f(x, y)).collect();
    T::tree_unflatten(&def, mapped)
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
