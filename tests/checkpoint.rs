//! `checkpoint` (`remat`) and its policies, as JAX's `jax.checkpoint`:
//! - derivatives are unchanged: `grad(checkpoint(f))` against closed forms, against `grad(f)`
//!   and against central finite differences in f64 (MLP layers, `sin∘sin∘...`, scan and
//!   fori_loop bodies, nesting, second derivatives);
//! - recomputation really happens: the residuals `linearize` keeps and the primitives in the
//!   backward pass's jaxpr under each policy (JAX's `test_remat_*` count `sin` and `cos`);
//! - it composes with `jit` (and lowers behind `stablehlo.optimization_barrier` exactly when
//!   differentiated with `prevent_cse`), `jvp`, `vmap`, `scan`, `fori_loop`;
//! - `checkpoint_name` under every transformation, `checkpoint_static`, and the printing.
//!
//! Every test runs in x64 mode (process-wide in this test binary).

use rjax::checkpoint_policies::{
    custom, dots_saveable, dots_with_no_batch_dims_saveable, everything_saveable, nothing_saveable,
    save_any_names_but_these, save_from_both_policies, save_only_these_names,
};
use rjax::control_flow::{fori_loop, scan};
use rjax::{
    Argnum, Array, CheckpointOptions, Policy, checkpoint, checkpoint_name, checkpoint_static,
    checkpoint_with, custom_jvp, custom_vjp, grad, jit, jvp, linearize, make_jaxpr, remat,
    value_and_grad, vjp, vmap,
};

type R<T> = rjax::Result<T>;

fn x64() {
    rjax::config::enable_x64(true);
}

/// Deterministic f64 test data of `shape`, in (-1, 1).
fn data(shape: &[usize], seed: f64) -> Array {
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n)
        .map(|i| ((i as f64 + 1.0 + seed) * 0.737).sin() * 0.9)
        .collect();
    Array::from_slice(&values, shape).unwrap()
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("concrete f64 values")
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g}, want {w}"
        );
    }
}

/// The central finite-difference gradient of the scalar `f` at `x` (f64), step 1e-6.
fn finite_difference(f: impl Fn(Array) -> R<Array>, x: &Array) -> R<Vec<f64>> {
    let base = values(x);
    let h = 1e-6;
    let mut gradient = Vec::with_capacity(base.len());
    for i in 0..base.len() {
        let mut plus = base.clone();
        let mut minus = base.clone();
        plus[i] += h;
        minus[i] -= h;
        let up = f(Array::from_slice(&plus, x.shape())?)?.item::<f64>()?;
        let down = f(Array::from_slice(&minus, x.shape())?)?.item::<f64>()?;
        gradient.push((up - down) / (2.0 * h));
    }
    Ok(gradient)
}

/// How many equations apply `primitive` in the printed jaxpr, nested jaxprs included.
fn count(jaxpr_text: &str, primitive: &str) -> usize {
    let with_params = format!("{primitive}[");
    jaxpr_text
        .split_whitespace()
        .filter(|token| *token == primitive || token.starts_with(&with_params))
        .count()
}

fn with_policy(policy: Policy) -> CheckpointOptions {
    CheckpointOptions::new().policy(policy)
}

fn sin_sin(x: Array) -> Array {
    x.sin().sin()
}

// --- derivatives are unchanged ----------------------------------------------------------------

#[test]
fn grad_of_checkpointed_sin_sin_is_the_chain_rule() -> R<()> {
    x64();
    let f = checkpoint(sin_sin);
    for x in [2.0f64, -0.7, 0.25] {
        // Eagerly, the checkpoint is the function.
        assert_close(
            "eager",
            &[f(Array::from(x))?.item::<f64>()?],
            &[x.sin().sin()],
            1e-14,
        );
        let (value, g) = value_and_grad(|x: Array| f(x))(Array::from(x))?;
        assert_close("value", &[value.item::<f64>()?], &[x.sin().sin()], 1e-14);
        let want = x.sin().cos() * x.cos();
        assert_close("grad", &[g.item::<f64>()?], &[want], 1e-14);
        // remat is the same function.
        let g = grad(remat(sin_sin))(Array::from(x))?;
        assert_close("remat grad", &[g.item::<f64>()?], &[want], 1e-14);
    }
    Ok(())
}

#[test]
fn deep_sin_chain_gradient_under_every_policy() -> R<()> {
    x64();
    let chain = |x: Array| (0..6).fold(x, |y, _| y.sin()).sum();
    let x = data(&[5], 0.3);
    let plain = values(&grad(chain)(x.clone())?);
    // d/dx sin^6(x), worked out elementwise.
    let closed: Vec<f64> = values(&x)
        .iter()
        .map(|&x0| {
            let mut y = x0;
            let mut d = 1.0;
            for _ in 0..6 {
                d *= y.cos();
                y = y.sin();
            }
            d
        })
        .collect();
    assert_close("grad(f)", &plain, &closed, 1e-13);
    for policy in [
        nothing_saveable(),
        everything_saveable(),
        dots_saveable(),
        save_only_these_names(&["none"]),
    ] {
        let f = checkpoint_with(chain, with_policy(policy.clone()));
        let g = values(&grad(|x: Array| f(x))(x.clone())?);
        assert_close(&format!("{policy:?}"), &g, &closed, 1e-13);
    }
    Ok(())
}

/// Two tanh layers of an MLP, summed.
fn mlp((w1, w2, x): (Array, Array, Array)) -> Array {
    let h = w1.matmul(&x).tanh();
    w2.matmul(&h).tanh().sum()
}

#[test]
fn mlp_gradients_match_grad_and_finite_differences() -> R<()> {
    x64();
    let (w1, w2, x) = (data(&[4, 3], 0.1), data(&[2, 4], 1.7), data(&[3], 2.9));
    let want = grad(mlp)((w1.clone(), w2.clone(), x.clone()))?;
    let fd_w1 = finite_difference(|w| Ok(mlp((w, w2.clone(), x.clone()))), &w1)?;
    let fd_w2 = finite_difference(|w| Ok(mlp((w1.clone(), w, x.clone()))), &w2)?;
    let fd_x = finite_difference(|x| Ok(mlp((w1.clone(), w2.clone(), x))), &x)?;
    assert_close("grad(f) w1 vs fd", &values(&want.0), &fd_w1, 1e-8);
    for policy in [
        nothing_saveable(),
        everything_saveable(),
        dots_saveable(),
        dots_with_no_batch_dims_saveable(),
    ] {
        let f = checkpoint_with(mlp, with_policy(policy.clone()));
        let (g1, g2, gx) = grad(&f)((w1.clone(), w2.clone(), x.clone()))?;
        let what = format!("{policy:?}");
        assert_close(&what, &values(&g1), &values(&want.0), 1e-13);
        assert_close(&what, &values(&g2), &values(&want.1), 1e-13);
        assert_close(&what, &values(&gx), &values(&want.2), 1e-13);
        assert_close(&what, &values(&g1), &fd_w1, 1e-8);
        assert_close(&what, &values(&g2), &fd_w2, 1e-8);
        assert_close(&what, &values(&gx), &fd_x, 1e-8);
    }
    Ok(())
}

#[test]
fn per_layer_checkpoints_and_closed_over_weights() -> R<()> {
    x64();
    let (w1, w2, x) = (data(&[4, 3], 0.4), data(&[2, 4], 2.2), data(&[3], 0.8));
    // Each layer checkpointed, the weights closed over (they become operands of the
    // checkpoint, and their derivatives still flow).
    let loss = |(w1, w2, x): (Array, Array, Array)| -> R<Array> {
        let layer1 = checkpoint(|x: Array| w1.matmul(&x).tanh());
        let layer2 = checkpoint(|h: Array| w2.matmul(&h).tanh());
        Ok(layer2(layer1(x)?)?.sum())
    };
    let got = grad(loss)((w1.clone(), w2.clone(), x.clone()))?;
    let want = grad(mlp)((w1, w2, x))?;
    assert_close("w1", &values(&got.0), &values(&want.0), 1e-13);
    assert_close("w2", &values(&got.1), &values(&want.1), 1e-13);
    assert_close("x", &values(&got.2), &values(&want.2), 1e-13);
    Ok(())
}

#[test]
fn nested_and_recursive_checkpoints() -> R<()> {
    x64();
    let x = data(&[3], 0.5);
    let want = values(&grad(|x: Array| sin_sin(sin_sin(x)).sum())(x.clone())?);
    // checkpoint(checkpoint(f)), and JAX's recursive checkpointing of a chain.
    let inner = checkpoint(sin_sin);
    let outer = checkpoint(|x: Array| -> R<Array> { Ok(sin_sin(inner(x)?)) });
    let g = grad(|x: Array| outer(x).map(|y| y.sum()))(x.clone())?;
    assert_close("nested", &values(&g), &want, 1e-13);
    let twice = checkpoint(|x: Array| checkpoint(sin_sin)(x));
    let g = grad(|x: Array| -> R<Array> { Ok(sin_sin(twice(x)?).sum()) })(x.clone())?;
    assert_close("checkpoint of checkpoint", &values(&g), &want, 1e-13);
    Ok(())
}

#[test]
fn second_derivatives_through_a_checkpoint() -> R<()> {
    x64();
    let f = checkpoint(sin_sin);
    let df = grad(|x: Array| f(x));
    let ddf = grad(|x: Array| df(x));
    for x in [0.3f64, 1.1, -2.0] {
        // d²/dx² sin(sin x) = -sin(sin x) cos²x - cos(sin x) sin x.
        let want = -x.sin().sin() * x.cos().powi(2) - x.sin().cos() * x.sin();
        assert_close(
            "grad∘grad",
            &[ddf(Array::from(x))?.item::<f64>()?],
            &[want],
            1e-13,
        );
        // Forward over reverse.
        let (_, fwd): (Array, Array) = jvp(&df, Array::from(x), Array::from(1.0))?;
        assert_close("jvp∘grad", &[fwd.item::<f64>()?], &[want], 1e-13);
    }
    Ok(())
}

// --- recomputation really happens --------------------------------------------------------------

/// The residuals `linearize` keeps for `f` at `x`: the constants of its linear map's jaxpr.
fn residuals(f: impl Fn(Array) -> R<Array>, x: &Array) -> R<Vec<Vec<f64>>> {
    let (_, f_jvp) = linearize(f, x.clone())?;
    let linear = make_jaxpr(|t: Array| f_jvp(t))(x)?;
    Ok(linear.consts().iter().map(values).collect())
}

/// The jaxpr of the backward pass of `f` at `x`.
fn backward_jaxpr(f: impl Fn(Array) -> R<Array>, x: &Array) -> R<String> {
    let (y, pullback) = vjp(f, x.clone())?;
    Ok(make_jaxpr(|ct: Array| pullback(ct))(&y)?.to_string())
}

#[test]
fn nothing_saveable_recomputes_sin_in_the_backward_pass() -> R<()> {
    x64();
    let x = data(&[3], 0.2);
    let f = checkpoint(sin_sin);
    // JAX's test_remat_basic: the linearized function calls sin once and cos twice.
    let (_, f_jvp) = linearize(&f, x.clone())?;
    let linear = make_jaxpr(|t: Array| f_jvp(t))(&x)?.to_string();
    assert_eq!(
        (count(&linear, "sin"), count(&linear, "cos")),
        (1, 2),
        "{linear}"
    );
    // Only the input is saved.
    assert_eq!(residuals(&f, &x)?, vec![values(&x)]);
    let backward = backward_jaxpr(&f, &x)?;
    assert_eq!(
        (count(&backward, "sin"), count(&backward, "cos")),
        (1, 2),
        "{backward}"
    );
    // Without the checkpoint, the backward pass computes no sine or cosine: it reads the
    // saved cosines.
    let plain = backward_jaxpr(|x: Array| Ok(sin_sin(x)), &x)?;
    assert_eq!(
        (count(&plain, "sin"), count(&plain, "cos")),
        (0, 0),
        "{plain}"
    );
    Ok(())
}

#[test]
fn everything_saveable_saves_the_cosines() -> R<()> {
    x64();
    let x = data(&[3], 0.9);
    let f = checkpoint_with(sin_sin, with_policy(everything_saveable()));
    let backward = backward_jaxpr(&f, &x)?;
    assert_eq!(
        (count(&backward, "sin"), count(&backward, "cos")),
        (0, 0),
        "{backward}"
    );
    let mut saved = residuals(&f, &x)?;
    saved.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let xs = values(&x);
    let mut want = vec![
        xs.iter().map(|x| x.cos()).collect::<Vec<_>>(),
        xs.iter().map(|x| x.sin().cos()).collect(),
    ];
    want.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(saved.len(), 2);
    for (s, w) in saved.iter().zip(&want) {
        assert_close("saved cosine", s, w, 1e-15);
    }
    Ok(())
}

#[test]
fn save_only_these_names_saves_exactly_the_named_values() -> R<()> {
    x64();
    let x = data(&[3], 1.3);
    let named = |x: Array| checkpoint_name(&x.sin(), "a").sin();
    let f = checkpoint_with(named, with_policy(save_only_these_names(&["a"])));
    let mut saved = residuals(&f, &x)?;
    saved.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let xs = values(&x);
    let mut want = vec![xs.clone(), xs.iter().map(|x| x.sin()).collect::<Vec<_>>()];
    want.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(saved, want, "the input and the value named `a`");
    // sin(x) is not recomputed; both cosines are.
    let backward = backward_jaxpr(&f, &x)?;
    assert_eq!(
        (count(&backward, "sin"), count(&backward, "cos")),
        (0, 2),
        "{backward}"
    );
    // Another name saves nothing but the input, and so does save_any_names_but_these(a).
    for policy in [
        save_only_these_names(&["b"]),
        save_any_names_but_these(&["a"]),
    ] {
        let f = checkpoint_with(named, with_policy(policy));
        assert_eq!(residuals(&f, &x)?, vec![xs.clone()]);
    }
    let f = checkpoint_with(named, with_policy(save_any_names_but_these(&["b"])));
    assert_eq!(residuals(&f, &x)?.len(), 2);
    let g = grad(|x: Array| f(x).map(|y| y.sum()))(x.clone())?;
    let want: Vec<f64> = xs.iter().map(|x| x.sin().cos() * x.cos()).collect();
    assert_close("grad", &values(&g), &want, 1e-14);
    Ok(())
}

#[test]
fn custom_policies_and_their_union() -> R<()> {
    x64();
    let x = data(&[3], 0.35);
    let xs = values(&x);
    let sorted = |mut v: Vec<Vec<f64>>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    };
    // Save the cosines only: what everything_saveable saves for sin∘sin.
    let cosines = custom("cosines", |p: &rjax::Primitive, _: &[rjax::ShapedArray]| {
        p.name() == "cos"
    });
    let f = checkpoint_with(sin_sin, with_policy(cosines.clone()));
    let want = sorted(vec![
        xs.iter().map(|x| x.cos()).collect(),
        xs.iter().map(|x| x.sin().cos()).collect(),
    ]);
    let saved = sorted(residuals(&f, &x)?);
    assert_eq!(saved.len(), 2);
    for (s, w) in saved.iter().zip(&want) {
        assert_close("saved cosine", s, w, 1e-15);
    }
    let backward = backward_jaxpr(&f, &x)?;
    assert_eq!(
        (count(&backward, "sin"), count(&backward, "cos")),
        (0, 0),
        "{backward}"
    );
    // The union with a names policy saves what either saves.
    let named = |x: Array| checkpoint_name(&x.sin(), "a").sin();
    let either = save_from_both_policies(save_only_these_names(&["a"]), cosines);
    let f = checkpoint_with(named, with_policy(either));
    let saved = sorted(residuals(&f, &x)?);
    let want = sorted(vec![
        xs.iter().map(|x| x.cos()).collect(),
        xs.iter().map(|x| x.sin().cos()).collect(),
    ]);
    assert_eq!(
        saved.len(),
        2,
        "the cosines make the named value unnecessary"
    );
    for (s, w) in saved.iter().zip(&want) {
        assert_close("saved", s, w, 1e-15);
    }
    let g = grad(|x: Array| f(x).map(|y| y.sum()))(x)?;
    let want: Vec<f64> = xs.iter().map(|x| x.sin().cos() * x.cos()).collect();
    assert_close("grad", &values(&g), &want, 1e-14);
    Ok(())
}

#[test]
fn dots_saveable_saves_products_and_recomputes_elementwise_ops() -> R<()> {
    x64();
    let (w1, w2) = (data(&[4, 3], 0.7), data(&[2, 4], 1.1));
    let x = data(&[3], 0.6);
    let model = move |x: Array| mlp((w1.clone(), w2.clone(), x));
    let counts = |policy: Policy| -> R<(usize, usize)> {
        let f = checkpoint_with(model.clone(), with_policy(policy));
        let text = backward_jaxpr(f, &x)?;
        Ok((count(&text, "dot_general"), count(&text, "tanh")))
    };
    let (dots_nothing, tanh_nothing) = counts(nothing_saveable())?;
    let (dots_saved, tanh_dots) = counts(dots_saveable())?;
    let (dots_everything, tanh_everything) = counts(everything_saveable())?;
    // Both forward products are recomputed under nothing_saveable, neither under
    // dots_saveable; the tanh of both layers is recomputed under either.
    assert_eq!(dots_nothing, dots_saved + 2);
    assert_eq!(dots_saved, dots_everything);
    assert_eq!((tanh_nothing, tanh_dots, tanh_everything), (2, 2, 0));
    // Without batch dimensions, dots_with_no_batch_dims_saveable is dots_saveable.
    assert_eq!(
        counts(dots_with_no_batch_dims_saveable())?,
        (dots_saved, tanh_dots)
    );
    Ok(())
}

#[test]
fn dots_with_batch_dimensions_are_recomputed_by_the_no_batch_dims_policy() -> R<()> {
    x64();
    let w = data(&[2, 3, 3], 0.2);
    let x = data(&[2, 3], 0.9);
    // A batched matrix-vector product: batch dimension 0 on both sides.
    let model = move |x: Array| -> R<Array> {
        let wx = rjax::lax::dot_general(
            &w,
            &x,
            rjax::lax::DotDimensionNumbers {
                lhs_contracting: vec![2],
                rhs_contracting: vec![1],
                lhs_batch: vec![0],
                rhs_batch: vec![0],
            },
        );
        Ok(wx.tanh().sum())
    };
    let forward_dots = |policy: Policy| -> R<usize> {
        let f = checkpoint_with(model.clone(), with_policy(policy));
        Ok(count(&backward_jaxpr(f, &x)?, "dot_general"))
    };
    assert_eq!(
        forward_dots(dots_with_no_batch_dims_saveable())?,
        forward_dots(dots_saveable())? + 1
    );
    Ok(())
}

// --- composition --------------------------------------------------------------------------------

#[test]
fn jit_of_grad_lowers_an_optimization_barrier_when_preventing_cse() -> R<()> {
    x64();
    let x = data(&[3], 0.4);
    let want: Vec<f64> = values(&x).iter().map(|x| x.sin().cos() * x.cos()).collect();
    for prevent_cse in [true, false] {
        let f = checkpoint_with(sin_sin, CheckpointOptions::new().prevent_cse(prevent_cse));
        let df = jit(|x: Array| grad(|x: Array| f(x).map(|y| y.sum()))(x));
        let g: Array = df.call(x.clone())?;
        assert_close("jit(grad)", &values(&g), &want, 1e-14);
        let text = df.lower(&x)?.as_text().to_string();
        assert_eq!(
            text.contains("stablehlo.optimization_barrier"),
            prevent_cse,
            "{text}"
        );
        // Not differentiated: no barrier.
        let primal = jit(|x: Array| f(x));
        assert!(!primal.lower(&x)?.as_text().contains("optimization_barrier"));
        let y: Array = primal.call(x.clone())?;
        let want: Vec<f64> = values(&x).iter().map(|x| x.sin().sin()).collect();
        assert_close("jit", &values(&y), &want, 1e-14);
    }
    Ok(())
}

#[test]
fn grad_through_a_jitted_checkpoint_and_a_checkpointed_jit() -> R<()> {
    x64();
    let x = data(&[3], 1.9);
    let want: Vec<f64> = values(&x).iter().map(|x| x.sin().cos() * x.cos()).collect();
    let jitted = jit(checkpoint(sin_sin));
    let g = grad(|x: Array| jitted.call(x).map(|y: Array| y.sum()))(x.clone())?;
    assert_close("grad(jit(checkpoint))", &values(&g), &want, 1e-14);
    let inner = jit(sin_sin);
    let f = checkpoint(|x: Array| inner.call(x));
    let g = grad(|x: Array| f(x).map(|y: Array| y.sum()))(x)?;
    assert_close("grad(checkpoint(jit))", &values(&g), &want, 1e-14);
    Ok(())
}

#[test]
fn jvp_and_vmap_of_a_checkpoint() -> R<()> {
    x64();
    let f = checkpoint(sin_sin);
    let x = data(&[4], 0.1);
    let t = data(&[4], 3.3);
    let (y, y_dot): (Array, Array) = jvp(&f, x.clone(), t.clone())?;
    let xs = values(&x);
    let ts = values(&t);
    let want_y: Vec<f64> = xs.iter().map(|x| x.sin().sin()).collect();
    let want_dot: Vec<f64> = xs
        .iter()
        .zip(&ts)
        .map(|(x, t)| x.sin().cos() * x.cos() * t)
        .collect();
    assert_close("jvp primal", &values(&y), &want_y, 1e-14);
    assert_close("jvp tangent", &values(&y_dot), &want_dot, 1e-14);
    // vmap of the checkpoint, and per-example gradients through it.
    let batched = data(&[3, 2], 0.8);
    let ys: Array = vmap(|x: Array| f(x).map(|y| y.sum()), 0)(batched.clone())?;
    let bs = values(&batched);
    let want: Vec<f64> = bs
        .chunks(2)
        .map(|row| row.iter().map(|x| x.sin().sin()).sum())
        .collect();
    assert_close("vmap", &values(&ys), &want, 1e-14);
    let per_example: Array = vmap(grad(|x: Array| f(x).map(|y| y.sum())), 0)(batched.clone())?;
    let want: Vec<f64> = bs.iter().map(|x| x.sin().cos() * x.cos()).collect();
    assert_close("vmap(grad)", &values(&per_example), &want, 1e-14);
    // grad of a vmapped checkpoint.
    let g = grad(|x: Array| vmap(&f, 0)(x).map(|y: Array| y.sum()))(batched)?;
    assert_close("grad(vmap)", &values(&g), &want, 1e-14);
    Ok(())
}

/// `tanh(W_i h)` over the layers `ws`, from `h0`, summed at the end.
fn scan_network(body: impl Fn((Array, Array)) -> R<Array>) -> impl Fn((Array, Array)) -> R<Array> {
    move |(ws, h0): (Array, Array)| {
        let (h, ()): (Array, ()) = scan(|h: Array, w: Array| Ok((body((w, h))?, ())), h0, ws)?;
        Ok(h.sum())
    }
}

fn layer((w, h): (Array, Array)) -> R<Array> {
    Ok(w.matmul(&h).tanh())
}

#[test]
fn scan_with_a_checkpointed_body() -> R<()> {
    x64();
    let ws = data(&[5, 3, 3], 0.3);
    let h0 = data(&[3], 1.4);
    let plain = scan_network(layer);
    let (want_ws, want_h0) = grad(&plain)((ws.clone(), h0.clone()))?;
    let fd_h0 = finite_difference(|h| plain((ws.clone(), h)), &h0)?;
    let fd_ws = finite_difference(|w| plain((w, h0.clone())), &ws)?;
    assert_close("grad(f) vs fd", &values(&want_h0), &fd_h0, 1e-8);
    for options in [
        CheckpointOptions::new(),
        CheckpointOptions::new().prevent_cse(false),
        with_policy(dots_saveable()),
    ] {
        let network = scan_network(checkpoint_with(layer, options.clone()));
        let (g_ws, g_h0) = grad(&network)((ws.clone(), h0.clone()))?;
        let what = format!("{options:?}");
        assert_close(&what, &values(&g_ws), &values(&want_ws), 1e-13);
        assert_close(&what, &values(&g_h0), &values(&want_h0), 1e-13);
        assert_close(&what, &values(&g_ws), &fd_ws, 1e-8);
        assert_close(&what, &values(&g_h0), &fd_h0, 1e-8);
        // Under jit too.
        let jitted = jit(grad(&network));
        let (j_ws, j_h0): (Array, Array) = jitted.call((ws.clone(), h0.clone()))?;
        assert_close(&what, &values(&j_ws), &values(&want_ws), 1e-13);
        assert_close(&what, &values(&j_h0), &values(&want_h0), 1e-13);
    }
    // The backward scan recomputes tanh only with the checkpoint.
    let backward = |f: &dyn Fn((Array, Array)) -> R<Array>| -> R<String> {
        let (y, pullback) = vjp(f, (ws.clone(), h0.clone()))?;
        Ok(make_jaxpr(|ct: Array| pullback(ct))(&y)?.to_string())
    };
    let network = scan_network(checkpoint(layer));
    assert_eq!(count(&backward(&plain)?, "tanh"), 0);
    assert_eq!(count(&backward(&network)?, "tanh"), 1);
    Ok(())
}

#[test]
fn fori_loop_with_a_checkpointed_body() -> R<()> {
    x64();
    let body = checkpoint(|x: Array| (x.sin() * 1.5).cos());
    let looped = |x: Array| -> R<Array> {
        let y = fori_loop(0, 4, |_, x: Array| body(x), x)?;
        Ok(y.sum())
    };
    let x = data(&[3], 0.7);
    let g = grad(looped)(x.clone())?;
    let fd = finite_difference(looped, &x)?;
    assert_close("fori_loop", &values(&g), &fd, 1e-8);
    Ok(())
}

/// A scan of sines, then a cond on the sign of their sum.
fn scan_then_cond(x: Array) -> R<Array> {
    let (y, ()): (Array, ()) = scan(
        |c: Array, _: Array| Ok((c.sin(), ())),
        x,
        Array::from([0.0f64; 3]),
    )?;
    let positive = y.sum().gt(0.0);
    let z: Array = rjax::control_flow::cond(&positive, |y: Array| y.cos(), |y: Array| &y * &y, y)?;
    Ok(z.sum())
}

#[test]
fn control_flow_inside_a_checkpoint() -> R<()> {
    x64();
    let f = checkpoint(scan_then_cond);
    // Both branches: the sum of the sines is positive, then negative.
    for x in [data(&[2], 0.15), -data(&[2], 0.15)] {
        let g = grad(&f)(x.clone())?;
        let fd = finite_difference(scan_then_cond, &x)?;
        assert_close("grad", &values(&g), &fd, 1e-8);
    }
    // The scan of sines (a control-flow equation, recomputed whole) runs again in the
    // backward pass; plain differentiation saves its results instead.
    let x = data(&[2], 0.15);
    let backward = backward_jaxpr(&f, &x)?;
    assert!(count(&backward, "sin") >= 1, "{backward}");
    let plain = backward_jaxpr(scan_then_cond, &x)?;
    assert_eq!(count(&plain, "sin"), 0, "{plain}");
    Ok(())
}

#[test]
fn custom_derivatives_inside_a_checkpoint() -> R<()> {
    x64();
    // sin with its VJP written by hand (residual: cos x), and a custom JVP (exp's).
    let sin_vjp = custom_vjp(
        |x: Array| x.sin(),
        |x: Array| (x.sin(), x.cos()),
        |cos: Array, g: Array| &g * &cos,
    );
    let exp_jvp = custom_jvp(
        |x: Array| x.exp(),
        |x: Array, t: Array| {
            let y = x.exp();
            (y.clone(), &y * &t)
        },
    );
    let f = checkpoint(|x: Array| -> R<Array> { Ok(exp_jvp(sin_vjp(x)?)?.sum()) });
    let x = data(&[3], 0.45);
    let g = grad(&f)(x.clone())?;
    let want: Vec<f64> = values(&x).iter().map(|x| x.sin().exp() * x.cos()).collect();
    assert_close("grad", &values(&g), &want, 1e-14);
    let g: Array = jit(grad(&f)).call(x)?;
    assert_close("jit(grad)", &values(&g), &want, 1e-14);
    Ok(())
}

// --- checkpoint_name, static arguments, printing, errors ---------------------------------------

#[test]
fn checkpoint_name_under_every_transformation() -> R<()> {
    x64();
    let x = data(&[3], 0.5);
    let named = |x: Array| checkpoint_name(&(&x * &x), "square");
    // Eagerly and under jit: the identity.
    assert_eq!(values(&named(x.clone())), values(&(&x * &x)));
    let y: Array = jit(named).call(x.clone())?;
    assert_eq!(values(&y), values(&(&x * &x)));
    let text = jit(named).lower(&x)?.as_text().to_string();
    assert!(!text.contains("name"), "lowers to nothing: {text}");
    // grad: d/dx sum(x²) = 2x; the transpose of the identity under vjp.
    let g = grad(|x: Array| named(x).sum())(x.clone())?;
    assert_close("grad", &values(&g), &values(&(&x * 2.0)), 1e-15);
    let (_, pullback) = vjp(|x: Array| checkpoint_name(&x, "id"), x.clone())?;
    assert_eq!(values(&pullback(x.clone())?), values(&x));
    // vmap keeps the batch axis; in a jaxpr it prints as JAX's `name`.
    let m = data(&[2, 3], 0.1);
    let ys: Array = vmap(named, 1)(m.clone())?;
    let want: Vec<f64> = {
        let v = values(&m);
        (0..3)
            .flat_map(|j| (0..2).map(move |i| (i, j)))
            .map(|(i, j)| v[i * 3 + j].powi(2))
            .collect()
    };
    assert_close("vmap", &values(&ys), &want, 1e-15);
    let jaxpr = make_jaxpr(named)(&Array::from(1.0f32))?.to_string();
    // As JAX 0.10.2 prints it.
    assert_eq!(
        jaxpr,
        "{ lambda ; a:f32[]. let\n    b:f32[] = mul a a\n    c:f32[] = name[name=square] b\n  in (c,) }"
    );
    Ok(())
}

#[test]
fn static_arguments_are_not_traced() -> R<()> {
    x64();
    // The repetition count is read on the host, as JAX's static_argnums allows.
    let f = checkpoint_static(
        |(x, n): (Array, Array)| -> R<Array> {
            let n = n.item::<i32>()?;
            Ok((0..n).fold(x, |y, _| y.sin()))
        },
        Argnum::<1>,
        CheckpointOptions::new(),
    );
    for n in [1, 3] {
        let g = grad(|x: Array| f((x, Array::from(n))))(Array::from(0.8))?;
        let (mut y, mut d) = (0.8f64, 1.0);
        for _ in 0..n {
            d *= y.cos();
            y = y.sin();
        }
        assert_close("static count", &[g.item::<f64>()?], &[d], 1e-14);
    }
    // Traced, the same count cannot be read: the error says so.
    let traced = checkpoint(|(x, n): (Array, Array)| -> R<Array> {
        let n = n.item::<i32>()?;
        Ok((0..n).fold(x, |y, _| y.sin()))
    });
    assert!(grad(|x: Array| traced((x, Array::from(2))))(Array::from(0.8)).is_err());
    Ok(())
}

#[test]
fn jaxpr_prints_as_jax_remat2() -> R<()> {
    // JAX 0.10.2 prints make_jaxpr(jax.checkpoint(lambda x: sin(sin(x))))(1.0) as below, with
    // the nested jaxpr naming its variables from `a` as rjax's printer does.
    let jaxpr = make_jaxpr(checkpoint(|x: Array| x.sin().sin()))(&Array::from(1.0f32))?;
    assert_eq!(
        jaxpr.to_string(),
        "{ lambda ; a:f32[]. let
    b:f32[] = remat2[
      differentiated=False
      jaxpr={ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = sin b in (c,) }
      policy=None
      prevent_cse=True
    ] a
  in (b,) }"
    );
    let named = checkpoint_with(
        |x: Array| checkpoint_name(&x.sin(), "a").sin(),
        with_policy(save_only_these_names(&["a"])),
    );
    let text = make_jaxpr(named)(&Array::from(1.0f32))?.to_string();
    assert!(
        text.contains("policy=SaveOnlyTheseNames(saveable_names=frozenset({'a'}))"),
        "{text}"
    );
    // The backward pass holds a differentiated checkpoint.
    let f = checkpoint(sin_sin);
    let text = make_jaxpr(grad(|x: Array| f(x)))(&Array::from(1.0f32))?.to_string();
    assert_eq!(count(&text, "remat2"), 1, "{text}");
    assert!(text.contains("differentiated=True"), "{text}");
    Ok(())
}

#[test]
fn errors_inside_the_function_reach_the_caller() {
    let f = checkpoint(|x: Array| -> R<Array> {
        Err(rjax::Error::InvalidArgument {
            op: "user".into(),
            message: format!("bad input of shape {:?}", x.shape()),
        })
    });
    let error = f(Array::from([1.0f32, 2.0])).unwrap_err().to_string();
    assert!(error.contains("bad input of shape [2]"), "{error}");
}
