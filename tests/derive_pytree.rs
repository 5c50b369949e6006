//! `#[derive(Pytree)]`: structs with named and tuple fields, generic structs and enums become
//! pytrees, with `#[pytree(static)]` fields in the structure. Checked: flatten/unflatten round
//! trips and their structures; `jit` taking and returning derived types, retracing exactly
//! when a static field changes; `grad` giving a gradient of the parameters' own type (against
//! closed forms); `vmap` with per-field axes; enums through `jit`; and clear errors when a
//! structure does not fit the type.

use std::cell::Cell;
use std::rc::Rc;

use anyhow::Result;
use rjax::{Array, InAxes, Pytree, Static, TreeDef, grad, jit, vmap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Activation {
    Tanh,
    Identity,
}

/// A dense layer whose activation is part of the structure, not a leaf.
#[derive(Pytree, Clone, Debug)]
struct Linear {
    w: Array,
    b: Array,
    #[pytree(static)]
    activation: Activation,
}

impl Linear {
    fn apply(&self, x: &Array) -> Array {
        let y = x.matmul(&self.w) + &self.b;
        match self.activation {
            Activation::Tanh => y.tanh(),
            Activation::Identity => y,
        }
    }
}

/// A generic pair of subtrees.
#[derive(Pytree, Clone, Debug)]
struct Pair<T>(T, T);

/// A model of layers (a `Vec` of derived structs) and a static size.
#[derive(Pytree, Clone, Debug)]
struct Mlp {
    layers: Vec<Linear>,
    #[pytree(static)]
    width: usize,
}

/// An enum with every kind of variant.
#[derive(Pytree, Clone, Debug)]
enum Shape {
    Point,
    Circle(Array),
    Box { low: Array, high: Array },
}

fn f64s(values: &[f64], shape: &[usize]) -> Array {
    Array::from_slice(values, shape).expect("the values fill the shape")
}

fn layer(activation: Activation) -> Linear {
    rjax::config::enable_x64(true);
    Linear {
        w: f64s(&[0.5, -1.0, 0.25, 2.0], &[2, 2]),
        b: f64s(&[0.1, -0.2], &[2]),
        activation,
    }
}

#[test]
fn structures_name_the_type_the_variant_and_the_fields() -> Result<()> {
    let linear = layer(Activation::Tanh);
    let (leaves, def) = linear.tree_flatten();
    assert_eq!(leaves.len(), 2);
    let TreeDef::Node(node) = &def else {
        panic!("a derived struct flattens to a node: {def:?}")
    };
    assert_eq!((node.type_name, node.variant), ("Linear", ""));
    let labels: Vec<&str> = node.fields.iter().map(|(label, _)| *label).collect();
    assert_eq!(labels, ["w", "b", "activation"]);
    let back = Linear::tree_unflatten(&def, leaves)?;
    assert_eq!(back.activation, Activation::Tanh);
    assert_eq!(back.w.to_vec::<f64>()?, linear.w.to_vec::<f64>()?);

    let pair = Pair(Array::from(1.0f32), Array::from(2.0f32));
    let (leaves, def) = pair.tree_flatten();
    let TreeDef::Node(node) = &def else {
        panic!("{def:?}")
    };
    assert_eq!(node.fields[1].0, "1");
    let back = Pair::<Array>::tree_unflatten(&def, leaves)?;
    assert_eq!(back.1.to_vec::<f32>()?, [2.0]);

    for shape in [
        Shape::Point,
        Shape::Circle(Array::from(3.0f32)),
        Shape::Box {
            low: Array::from([0.0f32, 0.0]),
            high: Array::from([1.0f32, 2.0]),
        },
    ] {
        let (leaves, def) = shape.tree_flatten();
        let back = Shape::tree_unflatten(&def, leaves)?;
        assert_eq!(back.tree_flatten().1, def);
    }
    let (_, circle) = Shape::Circle(Array::from(1.0f32)).tree_flatten();
    let TreeDef::Node(node) = &circle else {
        panic!("{circle:?}")
    };
    assert_eq!((node.type_name, node.variant), ("Shape", "Circle"));
    Ok(())
}

#[test]
fn a_structure_of_another_type_is_a_clear_error() {
    let (leaves, def) = Pair(Array::from(1.0f32), Array::from(2.0f32)).tree_flatten();
    let error = Linear::tree_unflatten(&def, leaves)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("Linear") && error.contains("Pair"),
        "{error}"
    );
    let (leaves, def) = (Array::from(1.0f32),).tree_flatten();
    let error = Shape::tree_unflatten(&def, leaves).unwrap_err().to_string();
    assert!(error.contains("enum Shape"), "{error}");
}

#[test]
fn jit_takes_and_returns_derived_types_and_retraces_on_static_fields() -> Result<()> {
    let traces = Rc::new(Cell::new(0));
    let counter = traces.clone();
    let step = jit(move |(layer, x): (Linear, Array)| {
        counter.set(counter.get() + 1);
        let y = layer.apply(&x);
        // A derived type as the result, its static field carried through.
        Linear {
            b: &layer.b + y.sum_axes([0]),
            ..layer
        }
    });
    let x = f64s(&[1.0, 2.0, -1.0, 0.5], &[2, 2]);
    let out = step.call((layer(Activation::Tanh), x.clone()))?;
    assert_eq!(out.activation, Activation::Tanh);
    let eager = layer(Activation::Tanh).apply(&x).sum_axes([0]) + &layer(Activation::Tanh).b;
    assert_eq!(out.b.to_vec::<f64>()?, eager.to_vec::<f64>()?);
    step.call((layer(Activation::Tanh), x.clone()))?;
    assert_eq!(traces.get(), 1, "same structure and shapes: no retrace");
    let out = step.call((layer(Activation::Identity), x.clone()))?;
    assert_eq!(traces.get(), 2, "a new static value: a new trace");
    assert_eq!(out.activation, Activation::Identity);
    Ok(())
}

#[test]
fn grad_gives_a_gradient_of_the_parameters_type() -> Result<()> {
    let mlp = Mlp {
        layers: vec![layer(Activation::Identity), layer(Activation::Identity)],
        width: 2,
    };
    let x = f64s(&[1.0, 2.0], &[1, 2]);
    // loss = sum(x W1 W2 + b1 W2 + b2): linear in each layer, so the gradients are closed
    // forms: dW2 = (x W1 + b1)ᵀ 1, db2 = 1, dW1 = xᵀ (1 W2ᵀ), db1 = 1 W2ᵀ.
    let loss = |(mlp, x): (Mlp, Array)| {
        let mut h = x;
        for layer in &mlp.layers {
            h = layer.apply(&h);
        }
        h.sum()
    };
    let (g, _) = grad(loss)((mlp.clone(), x.clone()))?;
    assert_eq!(g.width, 2);
    assert_eq!(g.layers.len(), 2);
    assert_eq!(g.layers[0].activation, Activation::Identity);
    let ones = f64s(&[1.0, 1.0], &[1, 2]);
    let w2 = &mlp.layers[1].w;
    let h1 = mlp.layers[0].apply(&x);
    let want_dw2 = h1.t().matmul(&ones);
    let want_db1 = ones.matmul(&w2.t()).reshape(&[2]);
    let want_dw1 = x.t().matmul(&ones.matmul(&w2.t()));
    let close = |a: &Array, b: &Array| -> Result<bool> {
        Ok(a.to_vec::<f64>()?
            .iter()
            .zip(b.to_vec::<f64>()?)
            .all(|(x, y)| (x - y).abs() < 1e-12))
    };
    assert!(close(&g.layers[1].w, &want_dw2)?);
    assert_eq!(g.layers[1].b.to_vec::<f64>()?, [1.0, 1.0]);
    assert!(close(&g.layers[0].b, &want_db1)?);
    assert!(close(&g.layers[0].w, &want_dw1)?);
    Ok(())
}

#[test]
fn vmap_maps_chosen_fields() -> Result<()> {
    // A batch of 3 layers sharing one bias: w mapped along axis 0, b not mapped.
    let w = f64s(&(0..12).map(f64::from).collect::<Vec<_>>(), &[3, 2, 2]);
    let b = f64s(&[0.5, -0.5], &[2]);
    let batched = Linear {
        w: w.clone(),
        b: b.clone(),
        activation: Activation::Identity,
    };
    let x = f64s(&[1.0, -1.0], &[1, 2]);
    let apply = vmap(
        move |layer: Linear| layer.apply(&x),
        InAxes::per_leaf(vec![Some(0), None]),
    );
    let out: Array = apply(batched)?;
    assert_eq!(out.shape(), [3, 1, 2]);
    let values = out.to_vec::<f64>()?;
    for k in 0..3 {
        let single = Linear {
            w: w.index(&rjax::idx![k]),
            b: b.clone(),
            activation: Activation::Identity,
        };
        let want = single.apply(&f64s(&[1.0, -1.0], &[1, 2])).to_vec::<f64>()?;
        assert_eq!(&values[2 * k..2 * k + 2], want.as_slice(), "layer {k}");
    }
    Ok(())
}

#[test]
fn enums_pass_through_jit_one_trace_per_variant() -> Result<()> {
    let traces = Rc::new(Cell::new(0));
    let counter = traces.clone();
    let area = jit(move |shape: Shape| {
        counter.set(counter.get() + 1);
        match shape {
            Shape::Point => Array::from(0.0f32),
            Shape::Circle(r) => &r * &r * std::f32::consts::PI,
            Shape::Box { low, high } => rjax::numpy::prod(&(high - low), ..),
        }
    });
    assert_eq!(area.call(Shape::Point)?.to_vec::<f32>()?, [0.0]);
    let boxed = Shape::Box {
        low: Array::from([1.0f32, 1.0]),
        high: Array::from([3.0f32, 4.0]),
    };
    assert_eq!(area.call(boxed.clone())?.to_vec::<f32>()?, [6.0]);
    area.call(boxed)?;
    let circle = area.call(Shape::Circle(Array::from(2.0f32)))?;
    assert!((circle.to_vec::<f32>()?[0] - 4.0 * std::f32::consts::PI).abs() < 1e-5);
    assert_eq!(traces.get(), 3, "one trace per variant");
    // A static field is part of the structure, as a Static argument is: two values that
    // differ only there have different structures (so different jit cache keys).
    let (_, tanh) = layer(Activation::Tanh).tree_flatten();
    let (_, identity) = layer(Activation::Identity).tree_flatten();
    assert_ne!(tanh, identity);
    let (_, three) = (Static(3usize),).tree_flatten();
    let (_, four) = (Static(4usize),).tree_flatten();
    assert_ne!(three, four);
    Ok(())
}

#[test]
fn tree_functions_work_on_derived_types() -> Result<()> {
    let params = layer(Activation::Tanh);
    assert_eq!(rjax::tree_leaves(&params).len(), 2);
    assert_eq!(rjax::tree_structure(&params), params.tree_flatten().1);
    let halved = rjax::tree_map(&params, |x| x * 0.5);
    assert_eq!(halved.activation, Activation::Tanh);
    assert_eq!(halved.b.to_vec::<f64>()?, [0.05, -0.1]);
    // An SGD step: params - 0.1 * grads, leaf by leaf.
    let step = rjax::tree_map2(&params, &halved, |p, g| p - g * 0.1)?;
    assert_eq!(step.b.to_vec::<f64>()?, [0.1 - 0.005, -0.2 + 0.01]);
    let other = layer(Activation::Identity);
    let error = rjax::tree_map2(&params, &other, |p, _| p.clone()).unwrap_err();
    assert!(
        error.to_string().contains("different structures"),
        "{error}"
    );
    Ok(())
}
