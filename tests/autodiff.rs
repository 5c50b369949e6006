//! Automatic differentiation against independent values: closed forms, central finite
//! differences in f64, and the identity <vjp(ct), t> = <ct, jvp(t)>. Every test here runs in
//! x64 mode (process-wide in this test binary).

use rjax::{Array, grad, jit, jvp, linearize, value_and_grad, vjp};

fn x64() {
    rjax::config::enable_x64(true);
}

fn scalar(x: f64) -> Array {
    Array::from(x)
}

fn values(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().expect("f64 values")
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tolerance * w.abs().max(1.0),
            "got {got:?}, want {want:?}"
        );
    }
}

/// A smooth function of a vector mixing many primitives.
fn mixed(x: &Array) -> Array {
    let a = x.sin() * x.exp() + (x * x + 1.0).sqrt();
    let b = (x.tanh() / (x.cos() + 3.0)).pow(2.0);
    let m = Array::from([[1.0f64, -0.5, 2.0], [0.25, 3.0, -1.0], [0.5, 0.5, 0.5]]);
    (m.matmul(&(&a + &b)).maximum(-10.0) * 0.5).sum() + rjax::lax::log1p(&(x * x)).sum()
}

fn central_difference(f: &dyn Fn(&Array) -> Array, x: &[f64], direction: &[f64]) -> f64 {
    let h = 1e-6;
    let shifted = |sign: f64| {
        let point: Vec<f64> = x
            .iter()
            .zip(direction)
            .map(|(x, d)| x + sign * h * d)
            .collect();
        f(&Array::from_vec(point)).item::<f64>().unwrap()
    };
    (shifted(1.0) - shifted(-1.0)) / (2.0 * h)
}

#[test]
fn derivatives_of_sin_in_closed_form() -> anyhow::Result<()> {
    x64();
    let d = grad(|x: Array| x.sin());
    assert_close(&values(&d(scalar(1.0))?), &[1.0f64.cos()], 1e-14);
    let d2 = grad(|x: Array| grad(|y: Array| y.sin())(x));
    assert_close(&values(&d2(scalar(1.0))?), &[-(1.0f64.sin())], 1e-14);
    let d3 = grad(|x: Array| grad(|y: Array| grad(|z: Array| z.sin())(y))(x));
    assert_close(&values(&d3(scalar(1.0))?), &[-(1.0f64.cos())], 1e-14);
    Ok(())
}

#[test]
fn least_squares_gradients_match_the_closed_form() -> anyhow::Result<()> {
    x64();
    let a = Array::from([[1.0f64, 2.0], [3.0, -1.0], [0.5, 4.0]]);
    let b = Array::from([1.0f64, -2.0, 0.5]);
    let x = Array::from([0.3f64, -0.7]);
    let objective = |x: &Array, a: &Array| {
        let r = a.matmul(x) - &b;
        (&r * &r).sum()
    };
    // With respect to x: 2 Aᵀ (A x - b); with respect to A: 2 (A x - b) xᵀ.
    let dx = grad(|x: Array| objective(&x, &a))(x.clone())?;
    let da = grad(|a: Array| objective(&x, &a))(a.clone())?;
    let (av, xv, bv) = (values(&a), values(&x), values(&b));
    let r: Vec<f64> = (0..3)
        .map(|i| av[2 * i] * xv[0] + av[2 * i + 1] * xv[1] - bv[i])
        .collect();
    let want_dx: Vec<f64> = (0..2)
        .map(|j| 2.0 * (0..3).map(|i| av[2 * i + j] * r[i]).sum::<f64>())
        .collect();
    let want_da: Vec<f64> = (0..6).map(|k| 2.0 * r[k / 2] * xv[k % 2]).collect();
    assert_close(&values(&dx), &want_dx, 1e-12);
    assert_close(&values(&da), &want_da, 1e-12);
    assert_eq!(da.shape(), [3, 2]);
    Ok(())
}

#[test]
fn grad_of_max_splits_ties_as_jax_does() -> anyhow::Result<()> {
    x64();
    let g = grad(|x: Array| x.max())(Array::from([1.0f64, 1.0, 0.0]))?;
    assert_eq!(values(&g), [0.5, 0.5, 0.0]);
    let g = grad(|x: Array| x.maximum(0.0).sum())(Array::from([-1.0f64, 0.0, 2.0]))?;
    assert_eq!(values(&g), [0.0, 0.5, 1.0], "relu at 0 is the balanced 1/2");
    let g = grad(|x: Array| x.abs().sum())(Array::from([-2.0f64, 0.0, 3.0]))?;
    assert_eq!(
        values(&g),
        [-1.0, 1.0, 1.0],
        "abs at 0 takes the positive side's slope"
    );
    Ok(())
}

#[test]
fn gradients_match_central_differences() -> anyhow::Result<()> {
    x64();
    let x = [0.3f64, -1.1, 0.8];
    let g = values(&grad(|x: Array| mixed(&x))(Array::from(x))?);
    for axis in 0..3 {
        let mut direction = [0.0; 3];
        direction[axis] = 1.0;
        let numeric = central_difference(&mixed, &x, &direction);
        assert!(
            (g[axis] - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
            "axis {axis}: {} vs {numeric}",
            g[axis]
        );
    }
    Ok(())
}

#[test]
fn jvp_and_vjp_satisfy_the_inner_product_identity() -> anyhow::Result<()> {
    x64();
    let f = |x: Array| {
        let m = Array::from([[2.0f64, 1.0, 0.0], [-1.0, 0.5, 3.0]]);
        m.matmul(&(x.sin() * &x)) + x.slice_sum()
    };
    let x = Array::from([0.2f64, 1.3, -0.4]);
    let t = Array::from([1.0f64, -2.0, 0.5]);
    let ct = Array::from([0.7f64, -1.5]);
    let (_, tangent_out): (Array, Array) = jvp(f, x.clone(), t.clone())?;
    let (_, pullback) = vjp(f, x)?;
    let ct_in = pullback(ct.clone())?;
    let lhs: f64 = values(&ct_in)
        .iter()
        .zip(values(&t))
        .map(|(a, b)| a * b)
        .sum();
    let rhs: f64 = values(&ct)
        .iter()
        .zip(values(&tangent_out))
        .map(|(a, b)| a * b)
        .sum();
    assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
    Ok(())
}

trait SliceSum {
    fn slice_sum(&self) -> Array;
}

impl SliceSum for Array {
    /// x[0] + x[1], through slice, reshape and concatenate-free structural primitives.
    fn slice_sum(&self) -> Array {
        let first = rjax::lax::slice(self, &[0], &[1], None);
        let second = rjax::lax::slice(self, &[1], &[3], Some(&[2]));
        (first + second).reshape(&[]).reshape(&[1]).sum()
    }
}

#[test]
fn jvp_matches_central_differences_along_a_direction() -> anyhow::Result<()> {
    x64();
    let x = [0.5f64, 0.1, -0.9];
    let direction = [0.3f64, -1.0, 2.0];
    let (value, derivative): (Array, Array) =
        jvp(|x: Array| mixed(&x), Array::from(x), Array::from(direction))?;
    assert_close(
        &values(&value),
        &[mixed(&Array::from(x)).item::<f64>()?],
        1e-14,
    );
    let numeric = central_difference(&mixed, &x, &direction);
    assert_close(&values(&derivative), &[numeric], 1e-6);
    Ok(())
}

#[test]
fn linearize_gives_the_jvp_without_rerunning() -> anyhow::Result<()> {
    x64();
    let x = Array::from([0.5f64, 0.1, -0.9]);
    let (value, f_jvp) = linearize(|x: Array| mixed(&x), x.clone())?;
    let value: Array = value;
    let t = Array::from([1.0f64, 0.0, -1.0]);
    let (_, expected): (Array, Array) = jvp(|x: Array| mixed(&x), x.clone(), t.clone())?;
    assert_close(&values(&f_jvp(t)?), &values(&expected), 1e-12);
    assert_close(&values(&value), &values(&mixed(&x)), 1e-14);
    Ok(())
}

#[test]
fn grad_composes_with_jit_both_ways() -> anyhow::Result<()> {
    x64();
    let f = |x: Array| (x.sin() * x.exp()).sum();
    let x = Array::from([0.1f64, 0.2, 0.3]);
    let eager = grad(f)(x.clone())?;
    let jit_of_grad = jit(grad(f));
    let staged: Array = jit_of_grad.call(x.clone())?;
    let inner = jit(f);
    let grad_of_jit = grad(|x: Array| inner.call(x))(x.clone())?;
    let want: Vec<f64> = values(&x)
        .iter()
        .map(|x| x.exp() * (x.sin() + x.cos()))
        .collect();
    assert_close(&values(&eager), &want, 1e-14);
    assert_close(&values(&staged), &want, 1e-14);
    assert_close(&values(&grad_of_jit), &want, 1e-14);
    // The jaxpr of jit(grad(f)) holds the whole backward pass.
    let text = jit_of_grad.make_jaxpr(&x)?.to_string();
    assert!(
        text.contains("cos") && text.contains("exp") && text.contains("mul"),
        "{text}"
    );
    Ok(())
}

#[test]
fn value_and_grad_and_pytrees() -> anyhow::Result<()> {
    x64();
    let loss = |(w, b): (Array, Array)| {
        let x = Array::from([1.0f64, 2.0]);
        let y = (&w * &x).sum() + &b;
        &y * &y
    };
    let (value, (dw, db)) = value_and_grad(loss)((Array::from([0.5f64, -0.25]), scalar(0.1)))?;
    // y = 0.5 - 0.5 + 0.1 = 0.1; dL/dw = 2 y x; dL/db = 2 y.
    assert_close(&values(&value), &[0.01], 1e-14);
    assert_close(&values(&dw), &[0.2, 0.4], 1e-14);
    assert_close(&values(&db), &[0.2], 1e-14);
    Ok(())
}

#[test]
fn grad_of_a_vector_valued_function_is_a_clear_error() {
    x64();
    let error = grad(|x: Array| x.sin())(Array::from_vec(vec![0.0f64; 1000])).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(
            "Gradient only defined for scalar-output functions. Output had shape: (1000,)"
        ),
        "{message}"
    );
    assert!(message.contains("jacobian"), "{message}");
    let error =
        grad(|x: Array| x.astype(rjax::DType::F64).sum())(Array::from([1i32, 2])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("grad requires real- or complex-valued inputs"),
        "{error}"
    );
}

/// Compares `grad(f)` at `x` with central differences along every coordinate.
fn check_grad_numerically(
    f: impl Fn(&Array) -> Array,
    x: &[f64],
    shape: &[usize],
) -> anyhow::Result<()> {
    let point = Array::from_slice(x, shape)?;
    let analytic = values(&grad(|x: Array| f(&x))(point)?);
    let reshaped = |flat: &Array| f(&flat.reshape(shape));
    for i in 0..x.len() {
        let mut direction = vec![0.0; x.len()];
        direction[i] = 1.0;
        let numeric = central_difference(&reshaped, x, &direction);
        assert!(
            (analytic[i] - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
            "coordinate {i}: {} vs {numeric}",
            analytic[i]
        );
    }
    Ok(())
}

#[test]
fn shape_primitives_transpose_correctly() -> anyhow::Result<()> {
    x64();
    let weights: Vec<f64> = (0..20).map(|i| (i as f64 * 0.37).sin()).collect();
    let f = |x: &Array| {
        let strided = rjax::lax::slice(x, &[0, 1], &[3, 4], Some(&[2, 2]));
        let flipped = rjax::lax::transpose(x, &[1, 0]).reshape(&[12]);
        let joined =
            rjax::lax::concatenate([&strided.reshape(&[4]), &flipped, &x.sum_axes([0])], 0);
        let grown = rjax::lax::broadcast_in_dim(&joined, &[1, 20], &[1]);
        (grown * Array::from_slice(&weights, &[20]).unwrap())
            .sum()
            .sin()
    };
    let x: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.4).collect();
    check_grad_numerically(f, &x, &[3, 4])
}

#[test]
fn products_and_cumulative_sums() -> anyhow::Result<()> {
    x64();
    let g = grad(|x: Array| rjax::lax::reduce_prod(&x, &[0]))(Array::from([2.0f64, 3.0, 4.0]))?;
    assert_eq!(values(&g), [12.0, 8.0, 6.0]);
    let g = grad(|x: Array| rjax::lax::reduce_prod(&x, &[0]))(Array::from([2.0f64, 0.0, 3.0]))?;
    assert_eq!(
        values(&g),
        [0.0, 6.0, 0.0],
        "a zero factor is handled exactly"
    );
    let w = Array::from([1.0f64, 10.0, 100.0]);
    let g = grad(|x: Array| (rjax::lax::cumsum(&x) * &w).sum())(Array::from([0.5f64, 0.5, 0.5]))?;
    assert_eq!(values(&g), [111.0, 110.0, 100.0]);
    let f = |x: &Array| rjax::lax::reduce_prod(&(x.sin() + 1.5), &[1, 2]).sum();
    let x: Vec<f64> = (0..12).map(|i| 0.3 * i as f64 - 1.0).collect();
    check_grad_numerically(f, &x, &[2, 3, 2])
}

#[test]
fn indexing_primitives_differentiate_and_transpose() -> anyhow::Result<()> {
    use rjax::lax::{GatherDimensionNumbers, GatherScatterMode};
    x64();
    // x[idx] with a repeated index: the gradient accumulates (scatter-add of the cotangent).
    let idx = Array::from_slice(&[2i32, 0, 2], &[3, 1])?;
    let take = |x: &Array| {
        let numbers = GatherDimensionNumbers {
            offset_dims: vec![],
            collapsed_slice_dims: vec![0],
            start_index_map: vec![0],
            operand_batching_dims: vec![],
            start_indices_batching_dims: vec![],
        };
        rjax::lax::gather(x, &idx, numbers, &[1], GatherScatterMode::PromiseInBounds)
    };
    let w = Array::from([1.0f64, 10.0, 100.0]);
    let g = grad(|x: Array| (take(&x) * &w).sum())(Array::from([0.5f64, 1.5, 2.5, 3.5]))?;
    assert_eq!(values(&g), [10.0, 0.0, 101.0, 0.0]);

    let start = Array::scalar(1i32);
    let f = |x: &Array| {
        let padded = rjax::lax::pad(x, Array::from(0.25f64), &[(2, -1, 1), (0, 1, 0)]);
        let window = rjax::lax::dynamic_slice(&padded, [&start, &Array::scalar(0i32)], &[3, 2]);
        let updated = rjax::lax::dynamic_update_slice(
            &padded,
            &(window.sin() * 2.0),
            [&Array::scalar(0i32), &start],
        );
        (rjax::lax::rev(&updated, &[0]) * updated.cos()).sum()
    };
    let x: Vec<f64> = (0..6).map(|i| 0.2 * i as f64 - 0.5).collect();
    check_grad_numerically(f, &x, &[3, 2])?;
    // The padding value's cotangent: every padded position counts.
    let g = grad(|v: Array| rjax::lax::pad(Array::from([1.0f64, 2.0]), &v, &[(1, 2, 1)]).sum())(
        Array::from(0.0f64),
    )?;
    assert_eq!(values(&g), [4.0]);
    Ok(())
}

#[test]
fn auxiliary_outputs_ride_along_undifferentiated() -> anyhow::Result<()> {
    x64();
    let f = |x: Array| {
        let loss = (&x * &x).sum();
        let stats = (x.max(), x.sum());
        (loss, stats)
    };
    let x = Array::from([1.0f64, -2.0, 3.0]);
    let (gradient, (max, total)) = rjax::grad_with_aux(f)(x.clone())?;
    assert_eq!(values(&gradient), [2.0, -4.0, 6.0]);
    assert_eq!(values(&max), [3.0]);
    assert_eq!(values(&total), [2.0]);
    let ((loss, (max, _)), gradient) = rjax::value_and_grad_with_aux(f)(x)?;
    assert_eq!(values(&loss), [14.0]);
    assert_eq!(values(&max), [3.0]);
    assert_eq!(values(&gradient), [2.0, -4.0, 6.0]);
    Ok(())
}

#[test]
fn argnums_select_what_to_differentiate() -> anyhow::Result<()> {
    use rjax::{Argnum, grad_argnums, hessian_argnums, jacrev_argnums, value_and_grad_argnums};
    x64();
    let f = |(x, a, b): (Array, Array, Array)| {
        let r = a.matmul(&x) - &b;
        r.matmul(&r)
    };
    let x = Array::from([1.0f64, -1.0]);
    let a = Array::from([[2.0f64, 0.5], [1.0, 3.0]]);
    let b = Array::from([0.5f64, 1.0]);
    let input = (x.clone(), a.clone(), b.clone());
    // r = A x - b = [1.5 - 0.5, -2 - 1] = [1, -3].
    let dx = grad_argnums(f, Argnum::<0>)(input.clone())?;
    assert_close(
        &values(&dx),
        &[
            2.0 * (2.0 * 1.0 + 1.0 * -3.0),
            2.0 * (0.5 * 1.0 + 3.0 * -3.0),
        ],
        1e-14,
    );
    let da = grad_argnums(f, Argnum::<1>)(input.clone())?;
    assert_eq!(da.shape(), [2, 2]);
    assert_close(&values(&da), &[2.0, -2.0, -6.0, 6.0], 1e-14);
    let (value, (dx2, db)) = value_and_grad_argnums(f, (Argnum::<0>, Argnum::<2>))(input.clone())?;
    assert_close(&values(&value), &[10.0], 1e-14);
    assert_close(&values(&dx2), &values(&dx), 1e-14);
    assert_close(&values(&db), &[-2.0, 6.0], 1e-14);
    let residual = |(x, a, b): (Array, Array, Array)| a.matmul(&x) - &b;
    let jacobian_x: Array = jacrev_argnums(residual, Argnum::<0>)(input.clone())?;
    assert_close(&values(&jacobian_x), &values(&a), 1e-14);
    let hessian_x: Array = hessian_argnums(f, Argnum::<0>)(input)?;
    // 2 Aᵀ A.
    let (av, h) = (values(&a), values(&hessian_x));
    for i in 0..2 {
        for j in 0..2 {
            let want = 2.0 * (av[i] * av[j] + av[2 + i] * av[2 + j]);
            assert!((h[2 * i + j] - want).abs() < 1e-12, "{h:?}");
        }
    }
    Ok(())
}
