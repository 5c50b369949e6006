//! `rjax::nn::losses` against Optax 0.2.6's `optax.losses` (`tests/golden/nn_losses.py`): values
//! and `grad` of the mean, in float64, at ordinary points and edge points (huge logits, `-inf`
//! logits, zero targets, Huber's kink), eagerly and under `jit`; `vmap` over examples; and the
//! panics on misuse.

mod common;
mod nn_support;

use anyhow::Result;
use common::golden::Golden;
use nn_support::{assert_messages_contain, panic_message, panic_site};
use rjax::nn::losses::{self, Reduction};
use rjax::numpy as jnp;
use rjax::{Array, InAxes, grad, jit, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/nn_losses.txt"));

/// A loss of its float inputs.
type Loss = Box<dyn Fn(&[Array]) -> Array>;

/// The golden input `name` (the script's constants, read back bit for bit).
fn input(name: &str) -> Array {
    let (_, shape, values) = GOLDEN.case(&format!("input/{name}")).unwrap();
    Array::from_slice(&values, &shape).unwrap()
}

/// An int32 array.
fn ints(values: &[i32], shape: &[usize]) -> Array {
    Array::from_slice(values, shape).unwrap()
}

/// The table `CASES` of the golden script: name, loss, the names of its float inputs.
fn cases() -> Vec<(&'static str, Loss, Vec<&'static str>)> {
    let probs = input("PROBS");
    let one_hot = input("ONE_HOT");
    let bin_labels = input("BIN_LABELS");
    let signs = input("SIGNS");
    let int_labels = ints(&[2, 0, 3], &[3]);
    let cube_labels = ints(&[5, 11], &[2]);
    let axis0_labels = ints(&[1, 0, 2, 1], &[4]);
    let mask = Array::from_slice(
        &[
            true, true, false, true, true, false, true, true, false, true, true, true,
        ],
        &[3, 4],
    )
    .unwrap();
    let row_mask = Array::from_slice(&[true, false, true], &[3]).unwrap();
    let logits = input("LOGITS");
    let pred = input("PRED");

    let (p1, p2, p3, p4, p5) = (
        probs.clone(),
        probs.clone(),
        probs.clone(),
        probs.clone(),
        probs,
    );
    let (l1, l2, l3, l4, l5) = (
        int_labels.clone(),
        int_labels.clone(),
        int_labels.clone(),
        int_labels.clone(),
        int_labels,
    );
    let (m1, m2, m3) = (mask.clone(), mask.clone(), mask);
    let positive = pred.gt(0.0);
    vec![
        (
            "sce",
            Box::new(move |x: &[Array]| losses::softmax_cross_entropy(&x[0], &p1)),
            vec!["LOGITS"],
        ),
        (
            "sce_labels",
            Box::new(move |x: &[Array]| losses::softmax_cross_entropy(&logits, &x[0])),
            vec!["PROBS"],
        ),
        (
            "sce_one_hot",
            Box::new(move |x: &[Array]| losses::softmax_cross_entropy(&x[0], &one_hot)),
            vec!["LOGITS"],
        ),
        (
            "sce_huge",
            Box::new(move |x: &[Array]| losses::softmax_cross_entropy(&x[0], &p2)),
            vec!["HUGE"],
        ),
        (
            "sce_axis0",
            Box::new(move |x: &[Array]| {
                losses::softmax_cross_entropy_with(&x[0], &p3, &Reduction::axes(&[0]))
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_all_axes",
            Box::new(move |x: &[Array]| {
                losses::softmax_cross_entropy_with(&x[0], &(&p4 / 3.0), &Reduction::all_axes())
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_where",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::default().with_where(&m1);
                losses::softmax_cross_entropy_with(&x[0], &p5, &reduction)
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_int",
            Box::new(move |x: &[Array]| {
                losses::softmax_cross_entropy_with_integer_labels(&x[0], &l1)
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_int_huge",
            Box::new(move |x: &[Array]| {
                losses::softmax_cross_entropy_with_integer_labels(&x[0], &l2)
            }),
            vec!["HUGE"],
        ),
        (
            "sce_int_neg_inf",
            Box::new(move |x: &[Array]| {
                losses::softmax_cross_entropy_with_integer_labels(&x[0], &l3)
            }),
            vec!["NEG_INF"],
        ),
        (
            "sce_int_where",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::default().with_where(&m2);
                losses::softmax_cross_entropy_with_integer_labels_with(&x[0], &l4, &reduction)
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_int_row_where",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::default().with_where(&row_mask);
                losses::softmax_cross_entropy_with_integer_labels_with(&x[0], &l5, &reduction)
            }),
            vec!["LOGITS"],
        ),
        (
            "sce_int_axes",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::axes(&[1, 2]);
                losses::softmax_cross_entropy_with_integer_labels_with(
                    &x[0],
                    &cube_labels,
                    &reduction,
                )
            }),
            vec!["CUBE"],
        ),
        (
            "sce_int_axis0",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::axes(&[0]);
                losses::softmax_cross_entropy_with_integer_labels_with(
                    &x[0],
                    &axis0_labels,
                    &reduction,
                )
            }),
            vec!["LOGITS"],
        ),
        (
            "safe_sce",
            {
                let probs = input("PROBS");
                Box::new(move |x: &[Array]| losses::safe_softmax_cross_entropy(&x[0], &probs))
            },
            vec!["LOGITS"],
        ),
        (
            "safe_sce_neg_inf",
            Box::new(|x: &[Array]| losses::safe_softmax_cross_entropy(&x[0], &x[1])),
            vec!["NEG_INF", "SAFE_LABELS"],
        ),
        (
            "sigmoid_bce",
            {
                let labels = bin_labels.clone();
                Box::new(move |x: &[Array]| losses::sigmoid_binary_cross_entropy(&x[0], &labels))
            },
            vec!["LOGITS"],
        ),
        (
            "sigmoid_bce_huge",
            Box::new(move |x: &[Array]| losses::sigmoid_binary_cross_entropy(&x[0], &bin_labels)),
            vec!["HUGE"],
        ),
        (
            "squared_error",
            Box::new(|x: &[Array]| losses::squared_error(&x[0], Some(&x[1]))),
            vec!["PRED", "TARGET"],
        ),
        (
            "squared_error_no_targets",
            Box::new(|x: &[Array]| losses::squared_error(&x[0], None)),
            vec!["PRED"],
        ),
        (
            "l2_loss",
            Box::new(|x: &[Array]| losses::l2_loss(&x[0], Some(&x[1]))),
            vec!["PRED", "TARGET"],
        ),
        (
            "huber",
            Box::new(|x: &[Array]| losses::huber_loss(&x[0], Some(&x[1]), 1.0)),
            vec!["PRED", "TARGET"],
        ),
        (
            "huber_delta",
            Box::new(|x: &[Array]| losses::huber_loss(&x[0], Some(&x[1]), 0.3)),
            vec!["PRED", "TARGET"],
        ),
        (
            "huber_ties",
            Box::new(|x: &[Array]| losses::huber_loss(&x[0], Some(&x[1]), 1.0)),
            vec!["TIES", "TIES_T"],
        ),
        (
            "log_cosh",
            Box::new(|x: &[Array]| losses::log_cosh(&x[0], Some(&x[1]))),
            vec!["PRED", "TARGET"],
        ),
        (
            "log_cosh_huge",
            Box::new(|x: &[Array]| losses::log_cosh(&x[0], None)),
            vec!["HUGE"],
        ),
        (
            "hinge",
            Box::new(move |x: &[Array]| losses::hinge_loss(&x[0], &signs)),
            vec!["HINGE_OUT"],
        ),
        (
            "cosine_similarity",
            Box::new(|x: &[Array]| losses::cosine_similarity(&x[0], &x[1], 0.0)),
            vec!["PRED", "TARGET"],
        ),
        (
            "cosine_similarity_eps",
            Box::new(|x: &[Array]| losses::cosine_similarity(&(&x[0] * 0.1), &x[1], 0.5)),
            vec!["PRED", "TARGET"],
        ),
        (
            "cosine_similarity_axis0",
            Box::new(|x: &[Array]| {
                losses::cosine_similarity_with(&x[0], &x[1], 0.0, &Reduction::axes(&[0]))
            }),
            vec!["PRED", "TARGET"],
        ),
        (
            "cosine_similarity_where",
            Box::new(move |x: &[Array]| {
                let reduction = Reduction::default().with_where(&positive);
                losses::cosine_similarity_with(&x[0], &x[1], 0.0, &reduction)
            }),
            vec!["PRED", "TARGET"],
        ),
        (
            "cosine_distance",
            Box::new(|x: &[Array]| losses::cosine_distance(&x[0], &x[1], 0.0)),
            vec!["PRED", "TARGET"],
        ),
        (
            "kl",
            Box::new(|x: &[Array]| losses::kl_divergence(&x[0], &x[1])),
            vec!["LOG_PRED", "TARGET_P"],
        ),
        (
            "kl_all_axes",
            Box::new(|x: &[Array]| {
                losses::kl_divergence_with(&x[0], &(&x[1] / 3.0), &Reduction::all_axes())
            }),
            vec!["LOG_PRED", "TARGET_P"],
        ),
        (
            "kl_where",
            Box::new(move |x: &[Array]| {
                losses::kl_divergence_with(&x[0], &x[1], &Reduction::default().with_where(&m3))
            }),
            vec!["LOG_PRED", "TARGET_P"],
        ),
    ]
}

/// The tolerance, relative to `1 + |expected|`: float64 rounding of a few operations.
const TOL: f64 = 1e-12;

#[test]
fn losses_and_gradients_equal_optax() -> Result<()> {
    rjax::config::enable_x64(true);
    let cases = cases();
    assert_eq!(cases.len(), 35, "every case of the golden script");
    for (name, loss, input_names) in &cases {
        let inputs: Vec<Array> = input_names.iter().map(|n| input(n)).collect();
        GOLDEN.check_tol(&format!("{name}/value"), &loss(&inputs), TOL)?;
        for i in 0..inputs.len() {
            let g = grad(|x: Array| {
                let mut args = inputs.clone();
                args[i] = x;
                jnp::mean(loss(&args), ..)
            })(inputs[i].clone())?;
            GOLDEN.check_tol(&format!("{name}/grad{i}"), &g, TOL)?;
        }
    }
    Ok(())
}

#[test]
fn jitted_losses_and_gradients_equal_optax() -> Result<()> {
    rjax::config::enable_x64(true);
    for (name, loss, input_names) in &cases() {
        let inputs: Vec<Array> = input_names.iter().map(|n| input(n)).collect();
        let value: Array = jit(|x: Vec<Array>| loss(&x)).call(inputs.clone())?;
        GOLDEN.check_tol(&format!("{name}/value"), &value, TOL)?;
        let g: Array = jit(|x: Array| {
            grad(|x: Array| {
                let mut args = inputs.clone();
                args[0] = x;
                jnp::mean(loss(&args), ..)
            })(x)
        })
        .call(inputs[0].clone())?;
        GOLDEN.check_tol(&format!("{name}/grad0"), &g, TOL)?;
    }
    Ok(())
}

#[test]
fn per_example_losses_under_vmap_equal_the_batch() -> Result<()> {
    rjax::config::enable_x64(true);
    let logits = input("LOGITS");
    let labels = ints(&[2, 0, 3], &[3]);
    let probs = input("PROBS");
    let batched: Array = vmap(
        |(x, y): (Array, Array)| losses::softmax_cross_entropy_with_integer_labels(&x, &y),
        InAxes::leading(),
    )((logits.clone(), labels.clone()))?;
    GOLDEN.check_tol("sce_int/value", &batched, TOL)?;
    let batched: Array = vmap(
        |(x, p): (Array, Array)| losses::softmax_cross_entropy(&x, &p),
        InAxes::leading(),
    )((logits, probs))?;
    GOLDEN.check_tol("sce/value", &batched, TOL)?;
    let (pred, target) = (input("PRED"), input("TARGET"));
    let batched: Array = vmap(
        |(p, t): (Array, Array)| losses::cosine_similarity(&p, &t, 0.0),
        InAxes::leading(),
    )((pred.clone(), target.clone()))?;
    GOLDEN.check_tol("cosine_similarity/value", &batched, TOL)?;
    let batched: Array = vmap(
        |(p, t): (Array, Array)| losses::huber_loss(&p, Some(&t), 1.0),
        InAxes::leading(),
    )((pred, target))?;
    GOLDEN.check_tol("huber/value", &batched, TOL)?;
    Ok(())
}

#[test]
fn float32_losses_stay_float32() {
    let logits = Array::from([[1.0f32, 2.0, 0.5]]);
    let out = losses::softmax_cross_entropy_with_integer_labels(&logits, ints(&[1], &[1]));
    assert_eq!(out.dtype(), rjax::DType::F32);
    // log(e + e² + e^0.5) - 2 in float64.
    let want = (1f64.exp() + 2f64.exp() + 0.5f64.exp()).ln() - 2.0;
    assert!((f64::from(out.to_vec::<f32>().unwrap()[0]) - want).abs() < 1e-6);
    let out = losses::log_cosh(Array::from([0.5f32]), None);
    assert_eq!(out.dtype(), rjax::DType::F32);
    assert!((f64::from(out.to_vec::<f32>().unwrap()[0]) - 0.5f64.cosh().ln()).abs() < 1e-6);
}

#[test]
fn misuse_panics_naming_the_loss() {
    let logits = Array::from([[1.0f32, 2.0, 0.5]]);
    let cases = [
        (
            panic_message(|| {
                losses::softmax_cross_entropy_with_integer_labels(
                    Array::from([[1i32, 2]]),
                    ints(&[0], &[1]),
                );
            }),
            "rjax::nn::losses::softmax_cross_entropy_with_integer_labels: logits must have a \
             float dtype, got i32[1,2]",
        ),
        (
            panic_message(|| {
                losses::softmax_cross_entropy_with_integer_labels(&logits, Array::from([0.0f32]));
            }),
            "labels must have an integer dtype",
        ),
        (
            panic_message(|| {
                losses::softmax_cross_entropy_with_integer_labels(&logits, ints(&[0, 1], &[2]));
            }),
            "must have the shape [1] of the logits",
        ),
        (
            panic_message(|| {
                losses::softmax_cross_entropy_with_integer_labels_with(
                    &logits,
                    ints(&[0], &[1]),
                    &Reduction::all_axes(),
                );
            }),
            "the reduction must name its axes",
        ),
        (
            panic_message(|| {
                losses::squared_error(Array::from([1.0f32, 2.0]), Some(&Array::from([1.0f32])));
            }),
            "rjax::nn::losses::squared_error: predictions f32[2] and targets f32[1] must \
             have the same shape",
        ),
        (
            panic_message(|| {
                losses::huber_loss(Array::from([1i32]), None, 1.0);
            }),
            "rjax::nn::losses::huber_loss: predictions must have a float dtype",
        ),
    ];
    assert_messages_contain(&cases);
}

#[test]
fn misuse_panics_at_the_callers_line() {
    let logits = Array::from([[1.0f32, 2.0, 0.5]]);
    let line = line!() + 2;
    let (_, location) = panic_site(|| {
        losses::softmax_cross_entropy_with_integer_labels(&logits, ints(&[0, 1], &[2]));
    });
    assert_eq!(location, Some((file!().to_string(), line)));
    let line = line!() + 3;
    let (_, location) = panic_site(|| {
        let reduction = Reduction::axes(&[0, 5]);
        losses::softmax_cross_entropy_with_integer_labels_with(
            &logits,
            ints(&[0], &[1]),
            &reduction,
        );
    });
    assert_eq!(location, Some((file!().to_string(), line)));
}
