//! Key paths of pytree leaves (JAX's `tree_flatten_with_path` and `keystr`): where each leaf
//! sits in its tree, as the names checkpoints give their tensors (`layers.0.w`).

use std::fmt;

use super::{Pytree, TreeDef};
use crate::Array;

/// One step of a [`KeyPath`]: a struct field, a position in a tuple or list, or a map key
/// (JAX's `GetAttrKey`, `SequenceKey` and `DictKey`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyEntry {
    /// A named field of a `#[derive(Pytree)]` struct or enum variant.
    Field(&'static str),
    /// A position in a tuple, `Vec`, fixed-size array or tuple struct.
    Index(usize),
    /// A key of a `BTreeMap<String, _>`.
    Key(String),
}

impl fmt::Display for KeyEntry {
    /// The entry as `keystr(simple=True)` writes it: `w`, `0`, `key`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyEntry::Field(name) => f.write_str(name),
            KeyEntry::Index(index) => write!(f, "{index}"),
            KeyEntry::Key(key) => f.write_str(key),
        }
    }
}

/// The path from a pytree's root to one of its leaves. Displays as JAX's
/// `keystr(path, simple=True, separator='.')`: `layers.0.w`; the path of a lone array is
/// empty. `Some` of an `Option` and enum variants add no entry, as in JAX.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(pub Vec<KeyEntry>);

impl KeyPath {
    /// The entries from the root down.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.0
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, entry) in self.0.iter().enumerate() {
            if position > 0 {
                f.write_str(".")?;
            }
            write!(f, "{entry}")?;
        }
        Ok(())
    }
}

impl TreeDef {
    /// The key path of every leaf, in flattening order.
    pub fn leaf_paths(&self) -> Vec<KeyPath> {
        let mut paths = Vec::with_capacity(self.num_leaves());
        collect_paths(self, &mut Vec::new(), &mut paths);
        paths
    }
}

fn collect_paths(def: &TreeDef, prefix: &mut Vec<KeyEntry>, out: &mut Vec<KeyPath>) {
    let mut descend = |entry: KeyEntry, child: &TreeDef, out: &mut Vec<KeyPath>| {
        prefix.push(entry);
        collect_paths(child, prefix, out);
        prefix.pop();
    };
    match def {
        TreeDef::Leaf => out.push(KeyPath(prefix.clone())),
        TreeDef::Empty | TreeDef::Static(_) => {}
        TreeDef::Some(child) => collect_paths(child, prefix, out),
        TreeDef::Tuple(children) | TreeDef::List(children) => {
            for (index, child) in children.iter().enumerate() {
                descend(KeyEntry::Index(index), child, out);
            }
        }
        TreeDef::Map(entries) => {
            for (key, child) in entries {
                descend(KeyEntry::Key(key.clone()), child, out);
            }
        }
        TreeDef::Node(node) => {
            for (label, child) in &node.fields {
                // Tuple structs label their fields by position.
                let entry = match label.parse::<usize>() {
                    Ok(index) => KeyEntry::Index(index),
                    Err(_) => KeyEntry::Field(label),
                };
                descend(entry, child, out);
            }
        }
    }
}

/// The leaves of `tree` with their key paths, and its structure (JAX's
/// `jax.tree_util.tree_flatten_with_path`).
///
/// ```
/// use rjax::{Array, tree_flatten_with_path};
/// let params = vec![(Array::from([1.0f32]), Array::from(0.0f32))];
/// let (leaves, _def) = tree_flatten_with_path(&params);
/// let names: Vec<String> = leaves.iter().map(|(path, _)| path.to_string()).collect();
/// assert_eq!(names, ["0.0", "0.1"]);
/// ```
pub fn tree_flatten_with_path<T: Pytree>(tree: &T) -> (Vec<(KeyPath, Array)>, TreeDef) {
    let (leaves, def) = tree.tree_flatten();
    let with_paths = def.leaf_paths().into_iter().zip(leaves).collect();
    (with_paths, def)
}

/// The leaves of `tree` with their key paths (JAX's `jax.tree_util.tree_leaves_with_path`).
pub fn tree_leaves_with_path<T: Pytree>(tree: &T) -> Vec<(KeyPath, Array)> {
    tree_flatten_with_path(tree).0
}
