//! rjax::optim against Optax 0.2.6: 20-step trajectories of every optimizer on a small
//! quadratic problem (f64 within 1e-12, f32 within 1e-6), final states, schedules, `jit`
//! against eager, the state as a pytree, `chain`'s order and the errors for mismatched trees.
//! Goldens: tests/golden/optim.{py,txt}.

mod common;

use anyhow::{Context, Result, ensure};
use common::golden::{Golden, values};
use rjax::optim::{self, AdamOptions, GradientTransformation, LionOptions, Mask, OptState};
use rjax::optim::{RmsPropOptions, Schedule};
use rjax::{Array, DType, Pytree, jit, value_and_grad};

const GOLDEN: Golden = Golden(include_str!("golden/optim.txt"));
const STEPS: usize = 20;

fn setup() {
    rjax::config::enable_x64(true);
}

type Params = (Array, Array);

/// The data and initial parameters of tests/golden/optim.py, in `dtype`.
fn problem(dtype: DType) -> Result<(Params, Array, Array)> {
    let sin = |n: usize, a: f64, b: f64| (0..n).map(move |i| (i as f64 * a + b).sin());
    let x: Vec<f64> = sin(15, 0.7, 0.1).collect();
    let y: Vec<f64> = (0..10).map(|i| (i as f64 * 0.3).cos()).collect();
    let w: Vec<f64> = sin(6, 1.1, 0.5).collect();
    let array = |data: &[f64], shape: &[usize]| -> Result<Array> {
        Ok(Array::from_slice(data, shape)?.astype(dtype))
    };
    let params = (array(&w, &[3, 2])?, array(&[0.3, -0.2], &[2])?);
    Ok((params, array(&x, &[5, 3])?, array(&y, &[5, 2])?))
}

fn loss((w, b): &Params, x: &Array, y: &Array) -> Array {
    let r = x.matmul(w) + b - y;
    (&r * &r).sum() * 0.1 + (w * w * w * w).sum() * 0.01
}

fn warmup_cosine() -> Schedule {
    optim::warmup_cosine_decay_schedule(0.0, 0.1, 5, 20, 0.01, 1.0)
}

fn exponential() -> Schedule {
    optim::exponential_decay(0.05, 3, 0.7, 2, true, None)
}

fn adam_default(lr: impl Into<optim::LearningRate>) -> GradientTransformation {
    optim::adam(lr, AdamOptions::default())
}

/// The optimizer of each run in tests/golden/optim.py's RUNS.
fn optimizer(name: &str) -> GradientTransformation {
    let rms = RmsPropOptions::default();
    match name.trim_end_matches("_f32") {
        "sgd" => optim::sgd(0.1, None, false),
        "sgd_momentum" => optim::sgd(0.1, Some(0.9), false),
        "sgd_nesterov" => optim::sgd(0.1, Some(0.9), true),
        "sgd_warmup_cosine" => optim::sgd(warmup_cosine(), Some(0.5), false),
        "adam" => adam_default(0.05),
        "adam_nesterov" => optim::adam(
            0.05,
            AdamOptions {
                b1: 0.8,
                b2: 0.95,
                eps_root: 1e-8,
                nesterov: true,
                ..AdamOptions::default()
            },
        ),
        "adam_mu_dtype" => optim::adam(
            0.05,
            AdamOptions {
                mu_dtype: Some(DType::F32),
                ..AdamOptions::default()
            },
        ),
        "adam_exponential" => adam_default(exponential()),
        "adamw" => optim::adamw(0.05, AdamOptions::default(), 0.1, None),
        "adamw_mask" => optim::adamw(
            0.05,
            AdamOptions::default(),
            0.1,
            Some(Mask::leaves(vec![true, false])),
        ),
        "rmsprop" => optim::rmsprop(0.01, rms),
        "rmsprop_centered" => optim::rmsprop(
            0.01,
            RmsPropOptions {
                centered: true,
                momentum: Some(0.9),
                ..rms
            },
        ),
        "rmsprop_options" => optim::rmsprop(
            0.01,
            RmsPropOptions {
                decay: 0.8,
                initial_scale: 0.1,
                eps_in_sqrt: false,
                momentum: Some(0.5),
                nesterov: true,
                bias_correction: true,
                ..rms
            },
        ),
        "adagrad" => optim::adagrad(0.1, 0.1, 1e-7),
        "lion" => optim::lion(0.01, LionOptions::default()),
        "lion_options" => optim::lion(
            0.02,
            LionOptions {
                b1: 0.8,
                b2: 0.9,
                weight_decay: 0.05,
                ..LionOptions::default()
            },
        ),
        "clip_global_norm_adam" => {
            optim::chain(vec![optim::clip_by_global_norm(0.5), adam_default(0.05)])
        }
        "clip_sgd" => optim::chain(vec![optim::clip(0.2), optim::sgd(0.1, None, false)]),
        "decay_then_sgd" => optim::chain(vec![
            optim::add_decayed_weights(0.5, None),
            optim::sgd(0.1, Some(0.9), false),
        ]),
        "sgd_then_decay" => optim::chain(vec![
            optim::sgd(0.1, Some(0.9), false),
            optim::add_decayed_weights(0.5, None),
        ]),
        "scale_schedule" => optim::chain(vec![
            optim::scale_by_adam(AdamOptions::default()),
            optim::scale_by_schedule(exponential()),
            optim::scale(-1.0),
        ]),
        "adamw_clip_warmup" => optim::chain(vec![
            optim::clip_by_global_norm(0.5),
            optim::adamw(warmup_cosine(), AdamOptions::default(), 0.1, None),
        ]),
        other => panic!("no run {other}"),
    }
}

/// One training step, as the golden script takes it.
fn step(
    opt: &GradientTransformation,
    params: Params,
    state: OptState,
    x: &Array,
    y: &Array,
) -> rjax::Result<(Params, OptState, Array)> {
    let (value, grads) = value_and_grad(|p: Params| loss(&p, x, y))(params.clone())?;
    let (updates, state) = opt.update(grads, state, Some(&params))?;
    Ok((optim::apply_updates(&params, &updates)?, state, value))
}

/// Whether `got` is within `tol` of `want`: relative to `|want|`, floored at a thousandth of
/// the largest magnitude in `want` for float64 (so that elements crossing zero are judged on
/// the array's scale), and relative to that largest magnitude for float32, whose roundings
/// differ between XLA builds and compound over a trajectory (JAX's own jitted and op-by-op
/// float32 trajectories differ by 1e-5 of an element near zero). NaNs agree with NaNs.
fn check_close(name: &str, got: &Array, want_name: &str, tol: f64) -> Result<()> {
    let (dtype, _, _) = GOLDEN.case(want_name)?;
    let (got, want) = GOLDEN
        .expect_like(want_name, got)
        .with_context(|| name.to_string())?;
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let floor = if dtype == "float32" {
        scale
    } else {
        scale * 1e-3
    };
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let bound = tol * w.abs().max(floor).max(1e-300);
        ensure!(
            (g.is_nan() && w.is_nan()) || (g - w).abs() <= bound,
            "{name}[{i}]: {g} != {w} (error {:e}, bound {bound:e})",
            (g - w).abs()
        );
    }
    Ok(())
}

/// The leaves of `state` with Optax's paths (`0/mu/1`: chain index, field, leaf index).
fn state_paths(state: &OptState, prefix: &str, out: &mut Vec<(String, Array)>) {
    let join = |part: &str| {
        if prefix.is_empty() {
            part.to_string()
        } else {
            format!("{prefix}/{part}")
        }
    };
    match state {
        OptState::Empty => {}
        OptState::Array(array) => out.push((prefix.to_string(), array.clone())),
        OptState::Like(_, leaves) => {
            for (i, leaf) in leaves.iter().enumerate() {
                out.push((join(&i.to_string()), leaf.clone()));
            }
        }
        OptState::Named(fields) => {
            for (name, value) in fields {
                state_paths(value, &join(name), out);
            }
        }
        OptState::Chain(states) => {
            for (i, value) in states.iter().enumerate() {
                state_paths(value, &join(&i.to_string()), out);
            }
        }
    }
}

/// Runs `name` for STEPS steps, each step eagerly or as one `jit`, and compares the trajectory
/// and the final state with Optax's (JAX's jitted trajectory for a jitted run).
fn check_run(name: &str, jitted: bool) -> Result<()> {
    let (dtype, tol) = if name.ends_with("_f32") {
        (DType::F32, 1e-6)
    } else {
        (DType::F64, 1e-12)
    };
    let opt = optimizer(name);
    let (mut params, x, y) = problem(dtype)?;
    let mut state = opt.init(&params)?;
    let (mut ws, mut bs, mut losses) = (Vec::new(), Vec::new(), Vec::new());
    let compiled = jit(|(params, state): (Params, OptState)| step(&opt, params, state, &x, &y));
    for _ in 0..STEPS {
        let (p, s, value) = if jitted {
            compiled.call((params, state))?
        } else {
            step(&opt, params, state, &x, &y)?
        };
        (params, state) = (p, s);
        ws.push(params.0.clone());
        bs.push(params.1.clone());
        losses.push(value);
    }
    let stack = |xs: &[Array]| rjax::numpy::stack(&xs.iter().collect::<Vec<_>>(), 0);
    let kind = if jitted { "traj_jit" } else { "traj" };
    for (field, got) in [
        ("w", stack(&ws)),
        ("b", stack(&bs)),
        ("loss", stack(&losses)),
    ] {
        let case = format!("{kind}/{name}/{field}");
        check_close(&case, &got, &case, tol)?;
    }
    if jitted {
        return Ok(());
    }
    let mut leaves = Vec::new();
    state_paths(&state, "", &mut leaves);
    let prefix = format!("state/{name}/");
    let want: Vec<&str> = GOLDEN
        .0
        .lines()
        .filter_map(|line| line.split('|').next()?.strip_prefix(&prefix))
        .collect();
    let got: Vec<&str> = leaves.iter().map(|(path, _)| path.as_str()).collect();
    ensure!(
        got == want,
        "{name}: state leaves {got:?}, Optax's {want:?}"
    );
    for (path, leaf) in &leaves {
        let case = format!("{prefix}{path}");
        check_close(&case, leaf, &case, tol)?;
    }
    Ok(())
}

const RUNS: [&str; 24] = [
    "sgd",
    "sgd_momentum",
    "sgd_nesterov",
    "sgd_warmup_cosine",
    "adam",
    "adam_nesterov",
    "adam_mu_dtype",
    "adam_exponential",
    "adamw",
    "adamw_mask",
    "rmsprop",
    "rmsprop_centered",
    "rmsprop_options",
    "adagrad",
    "lion",
    "lion_options",
    "clip_global_norm_adam",
    "clip_sgd",
    "decay_then_sgd",
    "sgd_then_decay",
    "scale_schedule",
    "adam_f32",
    "sgd_momentum_f32",
    "adamw_clip_warmup_f32",
];

#[test]
fn trajectories_match_optax() -> Result<()> {
    setup();
    let golden_runs = GOLDEN
        .0
        .lines()
        .filter(|line| line.starts_with("traj/") && line.contains("/loss|"))
        .count();
    ensure!(
        golden_runs == RUNS.len(),
        "{golden_runs} runs in the golden file"
    );
    for name in RUNS {
        check_run(name, false).with_context(|| format!("run {name}"))?;
    }
    Ok(())
}

#[test]
fn jitted_trajectories_match_optax_under_jax_jit() -> Result<()> {
    setup();
    for name in RUNS {
        check_run(name, true).with_context(|| format!("jitted run {name}"))?;
    }
    Ok(())
}

#[test]
fn chain_order_matters() -> Result<()> {
    setup();
    // Both orders match Optax's (checked above); here they must also differ from each other.
    let (first, _, _) = GOLDEN.case("traj/decay_then_sgd/w")?;
    let (second, _, _) = GOLDEN.case("traj/sgd_then_decay/w")?;
    assert_eq!(first, second); // same dtype
    let (params, x, y) = problem(DType::F64)?;
    let run = |opt: GradientTransformation| -> Result<Vec<f64>> {
        let state = opt.init(&params)?;
        let (p, _, _) = step(&opt, params.clone(), state, &x, &y)?;
        let (p, _, _) = step(&opt, p, opt.init(&params)?, &x, &y)?;
        values(&p.0)
    };
    let a = run(optimizer("decay_then_sgd"))?;
    let b = run(optimizer("sgd_then_decay"))?;
    ensure!(a != b, "the two orders gave the same parameters");
    Ok(())
}

fn sched_case(name: &str) -> Schedule {
    match name {
        "constant" => optim::constant_schedule(0.3),
        "linear" => optim::linear_schedule(0.1, 0.6, 10, 0),
        "linear_begin" => optim::linear_schedule(1.0, 0.1, 7, 3),
        "polynomial" => optim::polynomial_schedule(1.0, 0.2, 2.5, 15, 2),
        "exponential" => optim::exponential_decay(0.1, 4, 0.5, 0, false, None),
        "exponential_staircase" => exponential(),
        "exponential_end" => optim::exponential_decay(0.1, 2, 0.6, 0, false, Some(0.02)),
        "exponential_growth_end" => optim::exponential_decay(0.1, 3, 1.5, 0, false, Some(0.5)),
        "cosine" => optim::cosine_decay_schedule(0.2, 20, 0.0, 1.0),
        "cosine_alpha" => optim::cosine_decay_schedule(0.2, 15, 0.1, 2.0),
        "warmup_cosine" => warmup_cosine(),
        "warmup_cosine_exponent" => {
            optim::warmup_cosine_decay_schedule(0.01, 1.0, 4, 25, 0.05, 1.5)
        }
        "piecewise" => optim::piecewise_constant_schedule(0.5, &[(10, 0.1), (3, 0.5), (20, 2.0)]),
        other => panic!("no schedule {other}"),
    }
}

const SCHEDULE_STEPS: [i32; 20] = [
    0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 15, 19, 20, 21, 25, 30, 100, 1000,
];

#[test]
fn schedules_match_optax_eagerly_and_under_jit() -> Result<()> {
    setup();
    let names = [
        "constant",
        "linear",
        "linear_begin",
        "polynomial",
        "exponential",
        "exponential_staircase",
        "exponential_end",
        "exponential_growth_end",
        "cosine",
        "cosine_alpha",
        "warmup_cosine",
        "warmup_cosine_exponent",
        "piecewise",
    ];
    for name in names {
        let schedule = sched_case(name);
        let traced = jit(|count: Array| schedule.at(&count));
        let mut eager = Vec::new();
        let mut jitted = Vec::new();
        for step in SCHEDULE_STEPS {
            let count = Array::scalar(step);
            eager.push(schedule.at(&count));
            jitted.push(traced.call(count)?);
        }
        for (kind, got) in [("sched", eager), ("sched_jit", jitted)] {
            let got: Vec<Array> = got.iter().map(|v| v.reshape(&[1])).collect();
            let got = rjax::numpy::concatenate(&got.iter().collect::<Vec<_>>(), 0);
            let case = format!("{kind}/{name}");
            check_close(&case, &got, &case, 1e-12)?;
        }
    }
    Ok(())
}

#[test]
fn jitted_step_equals_eager() -> Result<()> {
    setup();
    // A constant learning rate: schedules computed in float32 round differently under jit (in
    // JAX too), see tests/golden/optim.py.
    let opt = optimizer("clip_global_norm_adam");
    let (params, x, y) = problem(DType::F64)?;
    let jitted = jit(|(params, state): (Params, OptState)| step(&opt, params, state, &x, &y));
    let (mut eager, mut eager_state) = (params.clone(), opt.init(&params)?);
    let (mut traced, mut traced_state) = (params.clone(), opt.init(&params)?);
    for _ in 0..8 {
        let (p, s, _) = step(&opt, eager, eager_state, &x, &y)?;
        (eager, eager_state) = (p, s);
        let (p, s, _) = jitted.call((traced, traced_state))?;
        (traced, traced_state) = (p, s);
    }
    let (e, _) = (eager.clone(), ()).tree_flatten();
    let (t, _) = (traced.clone(), ()).tree_flatten();
    let (es, es_def) = eager_state.tree_flatten();
    let (ts, ts_def) = traced_state.tree_flatten();
    ensure!(es_def == ts_def, "the jitted state has another structure");
    for (a, b) in e.iter().chain(&es).zip(t.iter().chain(&ts)) {
        let (a, b) = (values(a)?, values(b)?);
        for (u, v) in a.iter().zip(&b) {
            ensure!(
                (u - v).abs() <= 1e-12 * (1.0 + u.abs()),
                "eager {u} != jit {v}"
            );
        }
    }
    let count = traced_state
        .chained(1)
        .and_then(|s| s.chained(0))
        .and_then(|s| s.get("count"))
        .and_then(OptState::as_array)
        .context("count")?;
    assert_eq!(count.item::<i32>()?, 8);
    Ok(())
}

#[test]
fn state_is_a_pytree_that_round_trips() -> Result<()> {
    setup();
    let opt = optim::chain(vec![
        optim::clip_by_global_norm(1.0),
        optim::adamw(0.01, AdamOptions::default(), 0.1, None),
        optim::sgd(0.1, Some(0.9), false),
    ]);
    let (params, x, y) = problem(DType::F64)?;
    let state = opt.init(&params)?;
    let (_, state, _) = step(&opt, params.clone(), state, &x, &y)?;
    let (leaves, def) = state.tree_flatten();
    // count, mu (2 leaves), nu (2), adamw's schedule-free lr has no count; trace (2).
    assert_eq!(leaves.len(), 7);
    let rebuilt = OptState::tree_unflatten(&def, leaves.clone())?;
    let (again, def_again) = rebuilt.tree_flatten();
    assert_eq!(def, def_again);
    for (a, b) in leaves.iter().zip(&again) {
        assert_eq!(values(a)?, values(b)?);
    }
    // A moment rebuilt as the parameters' type.
    let mu: Params = rebuilt
        .chained(1)
        .and_then(|s| s.chained(0))
        .and_then(|s| s.get("mu"))
        .context("mu")?
        .to_params()?;
    assert_eq!(mu.0.shape(), [3, 2]);
    // The rebuilt state drives the next step exactly as the original.
    let (p1, _, _) = step(&opt, params.clone(), state, &x, &y)?;
    let (p2, _, _) = step(&opt, params, rebuilt, &x, &y)?;
    assert_eq!(values(&p1.0)?, values(&p2.0)?);
    assert!(OptState::tree_unflatten(&def, leaves[..3].to_vec()).is_err());
    Ok(())
}

#[test]
fn mismatched_trees_are_clear_errors() -> Result<()> {
    setup();
    let (params, _, _) = problem(DType::F64)?;
    let opt = adam_default(0.1);
    let state = opt.init(&params)?;
    // Updates with another structure than the state's.
    let other = (params.0.clone(), params.1.clone(), params.1.clone());
    let err = opt
        .update(other, state.clone(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("scale_by_adam") && err.contains("structure"),
        "{err}"
    );
    // Updates with other shapes.
    let wrong = (Array::from_slice(&[0.0f64; 4], &[2, 2])?, params.1.clone());
    let err = opt
        .update(wrong, state.clone(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("shape") && err.contains("[2, 2]"), "{err}");
    // Parameters that do not match the updates.
    let small = (params.0.clone(), Array::from_slice(&[0.0f64; 3], &[3])?);
    let err = opt
        .update(params.clone(), state.clone(), Some(&small))
        .unwrap_err()
        .to_string();
    assert!(err.contains("update") && err.contains("[3]"), "{err}");
    // A state from another optimizer.
    let sgd_state = optim::sgd(0.1, Some(0.9), false).init(&params)?;
    let err = opt
        .update(params.clone(), sgd_state, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("scale_by_adam") && err.contains("fields"),
        "{err}"
    );
    // Weight decay needs the parameters, and a mask one flag per leaf.
    let adamw = optim::adamw(0.1, AdamOptions::default(), 0.1, None);
    let err = adamw
        .update(params.clone(), adamw.init(&params)?, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("add_decayed_weights") && err.contains("parameters"),
        "{err}"
    );
    let masked = optim::add_decayed_weights(0.1, Some(Mask::leaves(vec![true])));
    let err = masked
        .update(params.clone(), masked.init(&params)?, Some(&params))
        .unwrap_err()
        .to_string();
    assert!(err.contains("mask has 1 flags for 2"), "{err}");
    let err = optim::apply_updates(&params, &small)
        .unwrap_err()
        .to_string();
    assert!(err.contains("apply_updates"), "{err}");
    Ok(())
}

#[test]
#[should_panic(expected = "cosine_decay_schedule requires positive decay_steps, got 0")]
fn cosine_schedule_rejects_zero_steps() {
    optim::cosine_decay_schedule(0.1, 0, 0.0, 1.0);
}

#[test]
#[should_panic(expected = "non-negative scale factors")]
fn piecewise_schedule_rejects_negative_scales() {
    optim::piecewise_constant_schedule(0.1, &[(3, -1.0)]);
}
