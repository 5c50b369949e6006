//! Misuse of the transformations (`jit`, `grad`, `vmap`, `jvp`, `vjp`, `linearize`,
//! `jacfwd`, control flow, custom derivatives, escaped tracers) and of pytrees.

use std::cell::RefCell;
use std::collections::BTreeMap;

use rjax::control_flow::{cond, fori_loop, scan, switch, while_loop};
use rjax::{
    Array, DType, InAxes, Pytree, TreeDef, custom_jvp, grad, jacfwd, jit, jvp, linearize,
    make_jaxpr, value_and_grad, vjp, vmap, vmap_with,
};

use crate::case;
use crate::cases::{Case, bools, f32s, i32s, ones};

fn sum(x: Array) -> Array {
    x.sum()
}

fn double(x: Array) -> Array {
    x * 2.0
}

fn pair_sum((a, b): (Array, Array)) -> Array {
    &a + &b
}

fn vjp_with(cotangent: Array) -> rjax::Result<Array> {
    let (_, pullback) = vjp(double, f32s(&[3]))?;
    pullback(cotangent)
}

fn vjp_list(cotangents: Vec<Array>) -> rjax::Result<Vec<Array>> {
    let (_, pullback) = vjp(|xs: Vec<Array>| xs, vec![f32s(&[3]), f32s(&[2])])?;
    pullback(cotangents)
}

fn linearize_list(tangents: Vec<Array>) -> rjax::Result<Array> {
    let (_, f_jvp) = linearize(|xs: Vec<Array>| xs[0].sum(), vec![f32s(&[3])])?;
    f_jvp(tangents)
}

/// A tracer kept after `jit` finished, then used.
fn escaped_tracer() -> rjax::Result<Array> {
    let leaked = RefCell::new(None);
    let f = jit(|x: Array| {
        *leaked.borrow_mut() = Some(x.clone());
        x
    });
    let _: Array = f.call(f32s(&[2]))?;
    let tracer = leaked.borrow_mut().take().expect("stored");
    Ok(tracer * 2.0)
}

/// A tracer kept after `grad` finished, then used under another `grad`.
fn escaped_grad_tracer() -> rjax::Result<Array> {
    let leaked = RefCell::new(None);
    grad(|x: Array| {
        *leaked.borrow_mut() = Some(x.clone());
        x.sum()
    })(f32s(&[2]))?;
    let tracer = leaked.borrow_mut().take().expect("stored");
    grad(move |x: Array| (&x * &tracer).sum())(f32s(&[2]))
}

/// The transformations.
pub fn cases() -> Vec<Case> {
    vec![
        case!("jvp", jvp(double, f32s(&[3]), i32s(&[3]))),
        case!("jvp", jvp(double, f32s(&[3]), f32s(&[4]))),
        case!("jvp", jvp(double, f32s(&[3]), ones(&[3], DType::F16))),
        case!("jvp", jvp(double, i32s(&[3]), f32s(&[3]))),
        case!(
            "jvp",
            jvp(
                |xs: Vec<Array>| xs,
                vec![f32s(&[3])],
                vec![f32s(&[3]), f32s(&[3])]
            )
        ),
        case!(
            "jvp",
            jvp(
                pair_sum,
                (f32s(&[3]), f32s(&[3])),
                (f32s(&[3]), bools(&[3]))
            )
        ),
        case!("vjp", vjp_with(i32s(&[3]))),
        case!("vjp", vjp_with(f32s(&[4]))),
        case!("vjp", vjp_with(f32s(&[]))),
        case!("vjp", vjp_list(vec![f32s(&[3])])),
        case!("vjp", vjp_list(vec![f32s(&[3]), f32s(&[3])])),
        case!("linearize", linearize_list(vec![f32s(&[3]), f32s(&[3])])),
        case!("grad", grad(double)(f32s(&[3]))),
        case!("grad", grad(sum)(i32s(&[3]))),
        case!(
            "grad",
            grad(|x: Array| x.astype(DType::I32).sum())(f32s(&[3]))
        ),
        case!(
            "grad",
            grad(|x: Array| x.astype(DType::C64).sum())(f32s(&[3]))
        ),
        case!("grad", value_and_grad(double)(f32s(&[2]))),
        case!(
            "grad",
            rjax::grad_with_aux(|x: Array| (double(x.clone()), x))(f32s(&[2]))
        ),
        case!("grad", grad(pair_sum)((f32s(&[]), bools(&[])))),
        case!("jacfwd", jacfwd(double)(i32s(&[3]))),
        case!(
            "vmap",
            vmap(pair_sum, InAxes::leading())((f32s(&[3]), f32s(&[4])))
        ),
        case!("vmap", vmap(sum, InAxes::leading())(f32s(&[]))),
        case!("vmap", vmap(sum, InAxes::every(Some(2)))(f32s(&[2, 3]))),
        case!("vmap", vmap(sum, InAxes::every(Some(-3)))(f32s(&[2, 3]))),
        case!("vmap", vmap(sum, InAxes::every(None))(f32s(&[2, 3]))),
        case!(
            "vmap",
            vmap(pair_sum, InAxes::per_leaf(vec![Some(0)]))((f32s(&[3]), f32s(&[3])))
        ),
        case!(
            "vmap",
            vmap_with(double, InAxes::leading(), InAxes::every(Some(3)), None)(f32s(&[2, 3]))
        ),
        case!(
            "vmap",
            vmap_with(sum, InAxes::leading(), InAxes::leading(), Some(5))(f32s(&[2, 3]))
        ),
        case!(
            "donate_argnums",
            jit(pair_sum)
                .with_donate_argnums(&[5])
                .call((f32s(&[2]), f32s(&[2])))
        ),
        case!(
            "Compiled::call",
            jit(double)
                .lower(&f32s(&[2]))
                .and_then(|l| l.compile())
                .and_then(|c| c.call::<Array, Array>(f32s(&[3])))
        ),
        case!("add", jit(pair_sum).call((f32s(&[2]), f32s(&[3])))),
        case!("add", make_jaxpr(pair_sum)(&(f32s(&[2]), f32s(&[3])))),
        case!("unexpected tracer", escaped_tracer()),
        case!("unexpected tracer", escaped_grad_tracer()),
        case!(
            "item",
            jit(|x: Array| x.item::<f32>().map(Array::from)).call(f32s(&[]))
        ),
        case!(
            "to_vec",
            jit(|x: Array| x.to_vec::<f32>().map(Array::from_vec)).call(f32s(&[2]))
        ),
        case!("cond", cond(&f32s(&[2]), double, double, f32s(&[2]))),
        case!(
            "true_fun",
            cond(
                &bools(&[]),
                double,
                |x: Array| x.astype(DType::I32),
                f32s(&[2])
            )
        ),
        case!(
            "true_fun",
            cond(&bools(&[]), double, |x: Array| x.sum(), f32s(&[2]))
        ),
        case!(
            "switch",
            switch::<Array, Array, Array>(&i32s(&[]), &[], f32s(&[2]))
        ),
        case!(
            "switch",
            switch(
                &f32s(&[]),
                &[&double as &dyn Fn(Array) -> Array],
                f32s(&[2])
            )
        ),
        case!(
            "while_loop",
            while_loop(|x: Array| x.sum(), double, f32s(&[2]))
        ),
        case!(
            "while_loop",
            while_loop(
                |x: Array| x.lt(1.0),
                |x: Array| x.astype(DType::I32),
                f32s(&[2])
            )
        ),
        case!("scan", fori_loop(0, 3, |_, x: Array| x.sum(), f32s(&[2]))),
        case!(
            "scan",
            scan(
                |c: Array, x: Array| (c.astype(DType::I32), x),
                f32s(&[]),
                f32s(&[3])
            )
        ),
        case!(
            "scan",
            scan(|c: Array, x: Array| (c, x), f32s(&[]), f32s(&[]))
        ),
        case!(
            "scan",
            scan(
                |c: Array, (x, y): (Array, Array)| (c, &x + &y),
                f32s(&[]),
                (f32s(&[3]), f32s(&[4]))
            )
        ),
        case!(
            "custom_jvp",
            jvp(
                custom_jvp(double, |x: Array, t: Array| (
                    double(x),
                    t.astype(DType::I32)
                )),
                f32s(&[2]),
                f32s(&[2])
            )
        ),
        case!(
            "custom_jvp",
            jvp(
                custom_jvp(double, |x: Array, t: Array| (double(x), t.sum())),
                f32s(&[2]),
                f32s(&[2])
            )
        ),
    ]
}

fn pair_def() -> TreeDef {
    TreeDef::Tuple(vec![TreeDef::Leaf, TreeDef::Leaf])
}

/// Pytrees that do not match their definitions.
pub fn pytree_cases() -> Vec<Case> {
    vec![
        case!(
            "tree_unflatten",
            <(Array, Array)>::tree_unflatten(&TreeDef::Leaf, vec![f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <(Array, Array)>::tree_unflatten(&pair_def(), vec![f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            Array::tree_unflatten(&TreeDef::Leaf, vec![])
        ),
        case!(
            "tree_unflatten",
            Array::tree_unflatten(&TreeDef::Leaf, vec![f32s(&[1]), f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <[Array; 3]>::tree_unflatten(&TreeDef::List(vec![TreeDef::Leaf]), vec![f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <Vec<Array>>::tree_unflatten(&pair_def(), vec![f32s(&[1]), f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <Option<Array>>::tree_unflatten(&TreeDef::Empty, vec![f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <BTreeMap<String, Array>>::tree_unflatten(&TreeDef::Leaf, vec![f32s(&[1])])
        ),
        case!(
            "tree_unflatten",
            <()>::tree_unflatten(&TreeDef::Leaf, vec![f32s(&[1])])
        ),
        case!(
            "jvp",
            jvp(
                |m: BTreeMap<String, Array>| m,
                BTreeMap::from([("a".to_string(), f32s(&[1]))]),
                BTreeMap::from([("b".to_string(), f32s(&[1]))])
            )
        ),
        case!("jvp", jvp(|x: Option<Array>| x, Some(f32s(&[1])), None)),
        case!(
            "vjp",
            vjp(|x: Option<Array>| x, Some(f32s(&[1]))).and_then(|(_, pullback)| pullback(None))
        ),
        case!(
            "vmap",
            vmap(
                |xs: Vec<Array>| xs,
                InAxes::per_leaf(vec![Some(0), Some(0), Some(0)])
            )(vec![f32s(&[2]), f32s(&[2])])
        ),
        case!(
            "true_fun",
            cond(
                &bools(&[]),
                |x: Vec<Array>| x,
                |x: Vec<Array>| vec![x[0].clone()],
                vec![f32s(&[1]), f32s(&[1])]
            )
        ),
        case!(
            "scan",
            scan(
                |c: Vec<Array>, x: Array| (vec![c[0].clone()], x),
                vec![f32s(&[]), f32s(&[])],
                f32s(&[3])
            )
        ),
    ]
}

/// The message of a case's error or panic, which must occur.
fn message_of(case: &Case) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (case.run)())) {
        Ok(Ok(())) => panic!("{} succeeded", case.name),
        Ok(Err(message)) => message,
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| payload.downcast_ref::<&str>().unwrap_or(&"").to_string()),
    }
}

/// Asserts that the message of `case` mentions every one of `needles`.
fn assert_mentions(case: Case, needles: &[&str]) {
    let message = message_of(&case);
    for needle in needles {
        assert!(
            message.contains(needle),
            "{}: the message {message:?} does not mention {needle:?}",
            case.name
        );
    }
}

/// Beyond naming the operation, transform-level and shape errors give the facts: the
/// transformation, the argument, the types and sizes involved.
#[test]
fn messages_give_the_transform_the_argument_and_the_types() {
    if crate::runner::in_child() {
        return;
    }
    assert_mentions(
        case!("jvp", jvp(double, f32s(&[3]), i32s(&[3]))),
        &["jvp", "input leaf 0", "float32", "int32"],
    );
    assert_mentions(
        case!("jvp", jvp(double, f32s(&[3]), f32s(&[4]))),
        &["jvp", "input leaf 0", "f32[3]", "f32[4]"],
    );
    assert_mentions(
        case!("jvp", jvp(double, i32s(&[3]), f32s(&[3]))),
        &["jvp", "int32", "float0", "float32"],
    );
    assert_mentions(
        case!("vjp", vjp_list(vec![f32s(&[3]), ones(&[2], DType::F16)])),
        &["vjp", "output leaf 1", "float32", "float16"],
    );
    assert_mentions(
        case!("grad", grad(double)(f32s(&[3]))),
        &["grad", "scalar", "(3,)"],
    );
    assert_mentions(case!("grad", grad(sum)(i32s(&[3]))), &["grad", "int32"]);
    assert_mentions(
        case!(
            "vmap",
            vmap(pair_sum, InAxes::leading())((f32s(&[3]), f32s(&[4])))
        ),
        &[
            "vmap",
            "size 3",
            "size 4",
            "argument leaf 0",
            "argument leaf 1",
        ],
    );
    let escaped = message_of(&case!("unexpected tracer", escaped_tracer()));
    assert!(escaped.contains("escaped the function"), "{escaped}");
    assert!(!escaped.contains("already finished"), "{escaped}");
    assert_mentions(
        case!(
            "where",
            rjax::numpy::where_(bools(&[3]), f32s(&[2, 3]), f32s(&[4, 5]))
        ),
        &["where", "bool[3]", "f32[2,3]", "f32[4,5]"],
    );
    assert_mentions(
        case!(
            "matmul",
            rjax::numpy::matmul(f32s(&[2, 2, 3]), f32s(&[3, 3, 2]))
        ),
        &["matmul", "f32[2,2,3]", "f32[3,3,2]"],
    );
    assert_mentions(
        case!("matmul", f32s(&[2, 3]).matmul(&f32s(&[4, 5]))),
        &["matmul", "f32[2,3]", "f32[4,5]"],
    );
}
