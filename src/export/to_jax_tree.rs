//! rjax's pytree structures as JAX's: the kinds an exported signature records, and the order
//! JAX flattens leaves in.
//!
//! | rjax | JAX |
//! |---|---|
//! | `Array` | a leaf |
//! | `()`, `None` | `None` |
//! | a tuple | a tuple |
//! | a `Vec` or array | a list |
//! | `Some(x)` | `x` |
//! | a `BTreeMap<String, _>` | a dict |
//! | a `#[derive(Pytree)]` struct | a dict keyed by field name (tuple structs: `"0"`, `"1"`, ...) |
//!
//! JAX flattens a dict in sorted key order, so a struct's leaves can come in another order
//! than rjax's (its declaration order); each converted structure carries, for each JAX leaf,
//! the index of the rjax leaf it is. Structs become dicts, which JAX reads without any class
//! registered; `Static` values and enum variants have no counterpart and are refused.

use super::exported::ExportedTree;
use crate::tree::TreeDef;
use crate::{Error, Result};

/// A structure in JAX's terms, with its leaves in JAX's order.
pub(crate) struct JaxTree {
    /// The structure as the container records it.
    pub(crate) tree: ExportedTree,
    /// For each leaf in JAX's order, the index of the same leaf in rjax's order.
    pub(crate) leaf_order: Vec<usize>,
    /// For each leaf in JAX's order, its path as JAX's `keystr` writes it (`[0]['w']`).
    pub(crate) paths: Vec<String>,
}

/// The arguments' structure: a tuple input is the positional arguments, anything else is the
/// one positional argument, `()` is none; JAX records `(args, kwargs)`, with no kwargs.
pub(crate) fn jax_arguments(def: &TreeDef) -> Result<JaxTree> {
    let args: Vec<&TreeDef> = match def {
        TreeDef::Tuple(children) => children.iter().collect(),
        TreeDef::Empty => Vec::new(),
        other => vec![other],
    };
    let mut next = 0;
    let mut leaves = Vec::new();
    let mut trees = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        trees.push(convert(
            arg,
            &mut next,
            format!("[{i}]"),
            &mut leaves,
            "argument",
        )?);
    }
    let tree = ExportedTree::Tuple(vec![
        ExportedTree::Tuple(trees),
        ExportedTree::Dict(Vec::new()),
    ]);
    Ok(JaxTree::new(tree, leaves))
}

/// The results' structure; paths start with `result`, as in JAX's `jax.result_info`.
pub(crate) fn jax_results(def: &TreeDef) -> Result<JaxTree> {
    let mut leaves = Vec::new();
    let tree = convert(def, &mut 0, "result".to_string(), &mut leaves, "result")?;
    Ok(JaxTree::new(tree, leaves))
}

impl JaxTree {
    fn new(tree: ExportedTree, leaves: Vec<(usize, String)>) -> Self {
        let (leaf_order, paths) = leaves.into_iter().unzip();
        JaxTree {
            tree,
            leaf_order,
            paths,
        }
    }
}

/// Converts `def`, numbering its leaves in rjax's order from `*next` and appending them to
/// `leaves` in JAX's order with their paths.
fn convert(
    def: &TreeDef,
    next: &mut usize,
    path: String,
    leaves: &mut Vec<(usize, String)>,
    side: &str,
) -> Result<ExportedTree> {
    let mut sequence = |children: &[TreeDef], leaves: &mut Vec<(usize, String)>| {
        children
            .iter()
            .enumerate()
            .map(|(i, child)| convert(child, next, format!("{path}[{i}]"), leaves, side))
            .collect::<Result<Vec<_>>>()
    };
    Ok(match def {
        TreeDef::Leaf => {
            leaves.push((*next, path));
            *next += 1;
            ExportedTree::Leaf
        }
        TreeDef::Empty => ExportedTree::None,
        TreeDef::Tuple(children) => ExportedTree::Tuple(sequence(children, leaves)?),
        TreeDef::List(children) => ExportedTree::List(sequence(children, leaves)?),
        TreeDef::Some(child) => convert(child, next, path, leaves, side)?,
        TreeDef::Map(entries) => {
            let entries: Vec<(&str, &TreeDef)> =
                entries.iter().map(|(k, c)| (k.as_str(), c)).collect();
            dict(&entries, next, &path, leaves, side)?
        }
        TreeDef::Node(node) if node.variant.is_empty() => {
            let entries: Vec<(&str, &TreeDef)> = node.fields.iter().map(|(k, c)| (*k, c)).collect();
            dict(&entries, next, &path, leaves, side)?
        }
        TreeDef::Node(node) => {
            return Err(Error::invalid(
                "rjax::export",
                format!(
                    "the {side} at `{path}` is the enum variant {}::{}, which has no JAX pytree \
                     kind; pass its fields (a struct, a tuple or a map) instead",
                    node.type_name, node.variant
                ),
            ));
        }
        TreeDef::Static(value) => {
            return Err(Error::invalid(
                "rjax::export",
                format!(
                    "the {side} at `{path}` is the Static value {value:?}, which an exported \
                     signature cannot hold; capture it in the closure instead"
                ),
            ));
        }
    })
}

/// A dict: children converted in rjax's order, then laid out in JAX's sorted key order.
fn dict(
    entries: &[(&str, &TreeDef)],
    next: &mut usize,
    path: &str,
    leaves: &mut Vec<(usize, String)>,
    side: &str,
) -> Result<ExportedTree> {
    let mut converted = Vec::new();
    for (key, child) in entries {
        let mut child_leaves = Vec::new();
        let child_path = format!("{path}['{key}']");
        let tree = convert(child, next, child_path, &mut child_leaves, side)?;
        converted.push((key.to_string(), tree, child_leaves));
    }
    converted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut children = Vec::new();
    for (key, tree, child_leaves) in converted {
        leaves.extend(child_leaves);
        children.push((key, tree));
    }
    Ok(ExportedTree::Dict(children))
}
