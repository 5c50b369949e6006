//! `Serialize` and `Deserialize` for [`TreeDef`], through a mirror enum that has no static
//! values and owns its names.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::tree::{NodeDef, TreeDef};

/// [`TreeDef`] as it is written: the same variants, without [`TreeDef::Static`].
#[derive(Serialize, Deserialize)]
#[serde(rename = "TreeDef")]
enum Repr {
    Leaf,
    Empty,
    Tuple(Vec<Repr>),
    List(Vec<Repr>),
    Some(Box<Repr>),
    Map(Vec<(String, Repr)>),
    Node {
        type_name: String,
        variant: String,
        fields: Vec<(String, Repr)>,
    },
}

/// The written form of `def`; a static value is an error.
fn to_repr(def: &TreeDef) -> Result<Repr, String> {
    let all = |children: &[TreeDef]| children.iter().map(to_repr).collect::<Result<Vec<_>, _>>();
    Ok(match def {
        TreeDef::Leaf => Repr::Leaf,
        TreeDef::Empty => Repr::Empty,
        TreeDef::Tuple(children) => Repr::Tuple(all(children)?),
        TreeDef::List(children) => Repr::List(all(children)?),
        TreeDef::Some(child) => Repr::Some(Box::new(to_repr(child)?)),
        TreeDef::Map(entries) => Repr::Map(
            entries
                .iter()
                .map(|(key, child)| Ok((key.clone(), to_repr(child)?)))
                .collect::<Result<_, String>>()?,
        ),
        TreeDef::Node(node) => Repr::Node {
            type_name: node.type_name.to_string(),
            variant: node.variant.to_string(),
            fields: node
                .fields
                .iter()
                .map(|(label, child)| Ok((label.to_string(), to_repr(child)?)))
                .collect::<Result<_, String>>()?,
        },
        TreeDef::Static(value) => {
            return Err(format!(
                "a TreeDef holding the static value {value:?} (a #[pytree(static)] field or a \
                 Static) cannot be serialized: its type would be unknown when reading it back"
            ));
        }
    })
}

/// `name` as a `&'static str`, allocated once per distinct name for the life of the process.
fn intern(name: String) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&known) = names.get(name.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

fn from_repr(repr: Repr) -> TreeDef {
    let all = |children: Vec<Repr>| children.into_iter().map(from_repr).collect();
    match repr {
        Repr::Leaf => TreeDef::Leaf,
        Repr::Empty => TreeDef::Empty,
        Repr::Tuple(children) => TreeDef::Tuple(all(children)),
        Repr::List(children) => TreeDef::List(all(children)),
        Repr::Some(child) => TreeDef::Some(Box::new(from_repr(*child))),
        Repr::Map(entries) => TreeDef::Map(
            entries
                .into_iter()
                .map(|(key, child)| (key, from_repr(child)))
                .collect(),
        ),
        Repr::Node {
            type_name,
            variant,
            fields,
        } => TreeDef::Node(NodeDef {
            type_name: intern(type_name),
            variant: intern(variant),
            fields: fields
                .into_iter()
                .map(|(label, child)| (intern(label), from_repr(child)))
                .collect(),
        }),
    }
}

impl Serialize for TreeDef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        to_repr(self)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TreeDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Repr::deserialize(deserializer).map(from_repr)
    }
}
