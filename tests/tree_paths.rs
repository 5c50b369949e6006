//! Key paths of pytree leaves (`tree_flatten_with_path`), compared with JAX's
//! `keystr(path, simple=True, separator='.')` on the equivalent Python structure (dataclasses
//! for derived structs, lists for `Vec`s, tuples, dicts for maps, `None` for `Option`).

mod common;

use std::collections::BTreeMap;

use rjax::{Array, KeyEntry, Pytree, Static, tree_flatten_with_path, tree_leaves_with_path};

#[derive(Pytree, Clone)]
struct Layer {
    w: Array,
    b: Array,
    #[pytree(static)]
    activation: String,
}

#[derive(Pytree, Clone)]
struct Model {
    layers: Vec<Layer>,
    head: (Array, Option<Array>, Option<Array>),
    extra: BTreeMap<String, Array>,
    pair: Pair,
}

#[derive(Pytree, Clone)]
struct Pair(Array, Array);

fn model() -> Model {
    let x = || Array::from(1.0f32);
    let layer = || Layer {
        w: x(),
        b: x(),
        activation: "relu".into(),
    };
    Model {
        layers: vec![layer(), layer()],
        head: (x(), None, Some(x())),
        extra: BTreeMap::from([("zeta".to_string(), x()), ("alpha".to_string(), x())]),
        pair: Pair(x(), x()),
    }
}

const JAX_PATHS: &str = r#"
import dataclasses, jax

@jax.tree_util.register_dataclass
@dataclasses.dataclass
class Layer:
    w: object
    b: object
    activation: str = dataclasses.field(metadata=dict(static=True))

@jax.tree_util.register_dataclass
@dataclasses.dataclass
class Model:
    layers: object
    head: object
    extra: object
    pair: object

layer = lambda: Layer(1.0, 1.0, "relu")
model = Model([layer(), layer()], (1.0, None, 1.0), {"zeta": 1.0, "alpha": 1.0}, (1.0, 1.0))
for path, _ in jax.tree_util.tree_flatten_with_path(model)[0]:
    print(jax.tree_util.keystr(path, simple=True, separator="."))
"#;

#[test]
fn paths_match_jax_keystr() {
    let expected: Vec<String> = common::python::run_python(JAX_PATHS, &[])
        .lines()
        .map(str::to_string)
        .collect();
    let (leaves, def) = tree_flatten_with_path(&model());
    let got: Vec<String> = leaves.iter().map(|(path, _)| path.to_string()).collect();
    assert_eq!(got, expected);
    assert_eq!(def.leaf_paths().len(), def.num_leaves());
}

#[test]
fn entries_name_fields_indices_and_keys() {
    let leaves = tree_leaves_with_path(&model());
    assert_eq!(
        leaves[0].0.entries(),
        [
            KeyEntry::Field("layers"),
            KeyEntry::Index(0),
            KeyEntry::Field("w")
        ]
    );
    assert_eq!(
        leaves[6].0.entries(),
        [KeyEntry::Field("extra"), KeyEntry::Key("alpha".into())]
    );
    // The pair's fields are positions, as a tuple's.
    assert_eq!(
        leaves[8].0.entries(),
        [KeyEntry::Field("pair"), KeyEntry::Index(0)]
    );
}

#[test]
fn a_lone_array_has_the_empty_path_and_statics_have_none() {
    let leaves = tree_leaves_with_path(&Array::from(1.0f32));
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].0.to_string(), "");
    let with_static = (Static(3), Array::from(2.0f32));
    let names: Vec<String> = tree_leaves_with_path(&with_static)
        .iter()
        .map(|(path, _)| path.to_string())
        .collect();
    assert_eq!(names, ["1"]);
}
