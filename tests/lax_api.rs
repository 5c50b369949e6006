//! `rjax::lax`'s calling conventions (issue #15): array arguments by value, by reference or as
//! Rust numbers; lists of operands in any list form; the plain functions with JAX's defaults
//! and the `_with` forms with JAX's keywords. The expected values come from JAX 0.10.2 itself
//! (one Python run, at test time) or from closed forms.

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use rjax::lax::{
    self, AssociativeScanOptions, CholeskyOptions, CumulativeOptions, DotDimensionNumbers,
    DotOptions, EigOptions, EighOptions, QrOptions, SchurOptions, SortOptions,
    TriangularSolveOptions,
};
use rjax::{Array, DType};

/// The inputs, shared with the Python script below (as literals in both languages).
const X: [f32; 6] = [3.0, 1.0, 2.0, 0.0, -1.0, 5.0]; // [2, 3]
const KEYS: [f32; 5] = [2.0, 1.0, 2.0, 0.0, 1.0];
const VALUES: [i32; 5] = [4, 3, 2, 1, 0];
const A: [f32; 9] = [4.0, 1.0, -2.0, 3.0, 5.0, 1.0, 0.5, -1.0, 6.0]; // [3, 3], not symmetric
const B: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [3, 2] for qr, [2, 3] for solves

/// The script that computes JAX's results of the calls below.
const JAX_SCRIPT: &str = r#"
import json
import numpy as np
import jax
from jax import lax
from jax.lax import linalg

x = np.array([3, 1, 2, 0, -1, 5], np.float32).reshape(2, 3)
keys = np.array([2, 1, 2, 0, 1], np.float32)
values = np.array([4, 3, 2, 1, 0], np.int32)
a = np.array([4, 1, -2, 3, 5, 1, 0.5, -1, 6], np.float32).reshape(3, 3)
b = np.array([1, 2, 3, 4, 5, 6], np.float32)
spd = a @ a.T + 3 * np.eye(3, dtype=np.float32)
spd_skewed = spd + np.triu(np.ones((3, 3), np.float32), 1)

out = {}
def put(name, value):
    value = np.asarray(value)
    out[name] = [list(value.shape), [float(v) for v in value.ravel()]]

put("sort", lax.sort(x))
put("sort_dim0", lax.sort(x, dimension=0))
k, v = lax.sort((keys, values), num_keys=1)
put("sort_two_keys", k); put("sort_two_values", v)
k, v = lax.sort((keys, values), num_keys=2)
put("sort_num_keys_2", v)
k, v = lax.sort_key_val(x, x * 10)
put("sort_key_val", v)
k, v = lax.sort_key_val(x, x * 10, dimension=0)
put("sort_key_val_dim0", v)
put("cumsum", lax.cumsum(x))
put("cumsum_axis1_reverse", lax.cumsum(x, axis=1, reverse=True))
put("cumprod", lax.cumprod(x))
put("cummax_reverse", lax.cummax(x, reverse=True))
put("cummin_axis1", lax.cummin(x, axis=1))
vals, idx = lax.top_k(x, 2)
put("top_k_values", vals); put("top_k_indices", idx)
vals, idx = lax.top_k(x, 1, axis=0)
put("top_k_axis0_values", vals); put("top_k_axis0_indices", idx)
put("iota", lax.iota(np.int32, 4))
put("broadcasted_iota", lax.broadcasted_iota(np.int32, (2, 3), 1))
ints = np.array([[1, 2], [3, 4]], np.int32)
dn = (((1,), (0,)), ((), ()))
put("dot_general_f32", lax.dot_general(ints, ints, dn, preferred_element_type=np.float32))
q, r = linalg.qr(b.reshape(3, 2))
put("qr_q", q); put("qr_r", r)
q, r = linalg.qr(b.reshape(3, 2), full_matrices=False)
put("qr_reduced_q", q); put("qr_reduced_r", r)
v, w = linalg.eigh(a)
put("eigh_w", w)
v, w = linalg.eigh(a, lower=False, symmetrize_input=False)
put("eigh_upper_w", w)
put("cholesky", linalg.cholesky(spd_skewed))
put("cholesky_lower_only", linalg.cholesky(spd_skewed, symmetrize_input=False))
put("triangular_solve", linalg.triangular_solve(a, b.reshape(2, 3)))
put("triangular_solve_left_lower_t_unit", linalg.triangular_solve(
    a, b.reshape(3, 2), left_side=True, lower=True, transpose_a=True, unit_diagonal=True))
w, vl, vr = linalg.eig(a)
put("eig_w_real_sorted", np.sort(np.real(w)))
print(json.dumps(out))
"#;

/// JAX's results by name: (shape, elements as f64).
type Results = HashMap<String, (Vec<usize>, Vec<f64>)>;

/// JAX's results, computed once per test binary.
fn jax() -> &'static Results {
    static RESULTS: OnceLock<Results> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let text = common::python::run_python(JAX_SCRIPT, &[]);
        serde_json::from_str(text.trim()).expect("the script prints a JSON object")
    })
}

/// Asserts that `got` has the shape and (within `tol`) the values JAX gave for `name`.
#[track_caller]
fn assert_jax(name: &str, got: &Array, tol: f64) {
    let (shape, want) = &jax()[name];
    assert_eq!(got.shape(), &shape[..], "{name}: shape");
    let got = floats(got);
    assert_eq!(got.len(), want.len(), "{name}: size");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{name}[{i}]: got {g}, JAX {w} (all: {got:?} vs {want:?})"
        );
    }
}

/// The elements of `x` as f64, whatever its real dtype.
fn floats(x: &Array) -> Vec<f64> {
    lax::convert_element_type(x, DType::F32)
        .to_vec::<f32>()
        .expect("read back")
        .into_iter()
        .map(f64::from)
        .collect()
}

fn matrix(values: &[f32], shape: &[usize]) -> Array {
    Array::from_slice(values, shape).expect("an array of the given shape")
}

/// `a·aᵀ + 3·I`, and the same with ones added above the diagonal (not symmetric).
fn spd_pair() -> (Array, Array) {
    let a = matrix(&A, &[3, 3]);
    let spd = a.matmul(&lax::transpose(&a, &[1, 0])) + matrix(&eye(3), &[3, 3]) * 3.0;
    let upper_ones: Vec<f32> = (0..9)
        .map(|k| if k % 3 > k / 3 { 1.0 } else { 0.0 })
        .collect();
    let skewed = &spd + matrix(&upper_ones, &[3, 3]);
    (spd, skewed)
}

fn eye(n: usize) -> Vec<f32> {
    (0..n * n)
        .map(|k| if k % n == k / n { 1.0 } else { 0.0 })
        .collect()
}

// --- arguments by value, by reference, as numbers, and lists in any form ------------------------

#[test]
fn array_arguments_are_taken_by_value_by_reference_or_as_numbers() -> anyhow::Result<()> {
    let x = Array::from([1.0f32, 2.0, 3.0]);
    let y = Array::from([10.0f32, 20.0, 30.0]);
    let want = [11.0f32, 22.0, 33.0];
    assert_eq!(lax::add(&x, &y).to_vec::<f32>()?, want);
    assert_eq!(lax::add(x.clone(), &y).to_vec::<f32>()?, want);
    assert_eq!(lax::add(&x, y.clone()).to_vec::<f32>()?, want);
    // A Rust float is a weakly typed scalar that takes x's float32 and broadcasts (as
    // `lax.add(x, 1.0)` in JAX).
    let plus_one = lax::add(&x, 1.0);
    assert_eq!(plus_one.dtype(), DType::F32);
    assert_eq!(plus_one.to_vec::<f32>()?, [2.0, 3.0, 4.0]);
    assert_eq!(lax::exp(0.0f32).to_vec::<f32>()?, [1.0]);
    assert_eq!(lax::max(2, 3).to_vec::<i32>()?, [3]);
    assert_eq!(
        lax::clamp(0.0f32, &y, 15.0f32).to_vec::<f32>()?,
        [10.0, 15.0, 15.0]
    );
    Ok(())
}

#[test]
fn lists_of_operands_take_any_list_form() -> anyhow::Result<()> {
    let a = Array::from([1.0f32, 2.0]);
    let b = Array::from([3.0f32]);
    let want = [1.0f32, 2.0, 3.0];
    assert_eq!(lax::concatenate([&a, &b], 0).to_vec::<f32>()?, want);
    assert_eq!(lax::concatenate([&a, &b], 0).to_vec::<f32>()?, want);
    assert_eq!(
        lax::concatenate(&[a.clone(), b.clone()], 0).to_vec::<f32>()?,
        want
    );
    assert_eq!(
        lax::concatenate(vec![a.clone(), b.clone()], 0).to_vec::<f32>()?,
        want
    );
    let refs: Vec<&Array> = vec![&a, &b];
    assert_eq!(lax::concatenate(&refs, 0).to_vec::<f32>()?, want);
    assert_eq!(
        lax::concatenate([&a, &b].into_iter().rev(), 0).to_vec::<f32>()?,
        [3.0, 1.0, 2.0]
    );
    let which = Array::from([true, false]);
    let picked = lax::select_n(&which, [Array::from([1, 2]), Array::from([3, 4])]);
    assert_eq!(picked.to_vec::<i32>()?, [3, 2]);
    // Start indices as Rust numbers, as arrays, or by reference; -1 counts from the end.
    let m = Array::from_slice(&[0, 1, 2, 3, 4, 5], &[2, 3])?;
    assert_eq!(
        lax::dynamic_slice(&m, [1, -2], &[1, 2]).to_vec::<i32>()?,
        [4, 5]
    );
    let (i, j) = (Array::scalar(0i32), Array::scalar(1i32));
    assert_eq!(
        lax::dynamic_slice(&m, [&i, &j], &[2, 1]).to_vec::<i32>()?,
        [1, 4]
    );
    let updated = lax::dynamic_update_slice(&m, Array::from_slice(&[9, 9], &[1, 2])?, [0, 1]);
    assert_eq!(updated.to_vec::<i32>()?, [0, 9, 9, 3, 4, 5]);
    Ok(())
}

// --- ordering -----------------------------------------------------------------------------------

#[test]
fn sort_defaults_and_keywords_match_jax() {
    let x = matrix(&X, &[2, 3]);
    // JAX's default dimension is -1: the last axis.
    assert_jax("sort", &lax::sort([&x])[0], 0.0);
    assert_jax(
        "sort_dim0",
        &lax::sort_with([&x], SortOptions::along(0))[0],
        0.0,
    );
    let (keys, values) = (Array::from(KEYS), Array::from(VALUES));
    let sorted = lax::sort([&keys, &values]);
    assert_jax("sort_two_keys", &sorted[0], 0.0);
    // Stable by default: equal keys keep their input order.
    assert_jax("sort_two_values", &sorted[1], 0.0);
    let by_both = lax::sort_with([&keys, &values], SortOptions::default().num_keys(2));
    assert_jax("sort_num_keys_2", &by_both[1], 0.0);
    let (_, tens) = lax::sort_key_val(&x, &x * 10.0);
    assert_jax("sort_key_val", &tens, 0.0);
    let (_, tens) = lax::sort_key_val_with(&x, &x * 10.0, SortOptions::along(-2));
    assert_jax("sort_key_val_dim0", &tens, 0.0);
}

#[test]
fn cumulative_defaults_and_keywords_match_jax() {
    let x = matrix(&X, &[2, 3]);
    // JAX's default axis is 0.
    assert_jax("cumsum", &lax::cumsum(&x), 0.0);
    let options = CumulativeOptions::along(1).reverse(true);
    assert_jax("cumsum_axis1_reverse", &lax::cumsum_with(&x, options), 0.0);
    assert_jax("cumprod", &lax::cumprod(x.clone()), 0.0);
    let reverse = CumulativeOptions::default().reverse(true);
    assert_jax("cummax_reverse", &lax::cummax_with(&x, reverse), 0.0);
    let along_rows = CumulativeOptions::along(1);
    assert_jax("cummin_axis1", &lax::cummin_with(&x, along_rows), 0.0);
}

#[test]
fn top_k_and_iota_match_jax() {
    let x = matrix(&X, &[2, 3]);
    let (values, indices) = lax::top_k(&x, 2);
    assert_jax("top_k_values", &values, 0.0);
    assert_jax("top_k_indices", &indices, 0.0);
    let (values, indices) = lax::top_k_along(x, 1, 0);
    assert_jax("top_k_axis0_values", &values, 0.0);
    assert_jax("top_k_axis0_indices", &indices, 0.0);
    assert_jax("iota", &lax::iota(DType::I32, 4), 0.0);
    assert_jax(
        "broadcasted_iota",
        &lax::broadcasted_iota(DType::I32, &[2, 3], 1),
        0.0,
    );
}

#[test]
fn a_negative_dimension_out_of_range_names_the_operation() {
    let x = matrix(&X, &[2, 3]);
    let panic = std::panic::catch_unwind(|| lax::sort_with([&x], SortOptions::along(-3)))
        .expect_err("dimension -3 of a rank-2 operand");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("sort") && text.contains("-3"), "{text}");
}

#[test]
fn associative_scan_defaults_to_the_first_axis_from_the_start() -> anyhow::Result<()> {
    let x = matrix(&X, &[2, 3]);
    let add = |a: Array, b: Array| a + b;
    // Closed forms: running sums down the columns, and along the rows from the end.
    let down = lax::associative_scan(add, x.clone())?;
    assert_eq!(down.to_vec::<f32>()?, [3.0, 1.0, 2.0, 3.0, 0.0, 7.0]);
    let options = AssociativeScanOptions::along(-1).reverse(true);
    let back = lax::associative_scan_with(add, x, options)?;
    assert_eq!(back.to_vec::<f32>()?, [6.0, 3.0, 2.0, 4.0, 4.0, 5.0]);
    Ok(())
}

#[test]
fn dot_general_takes_preferred_element_type_as_a_keyword() {
    let ints = Array::from_slice(&[1, 2, 3, 4], &[2, 2]).expect("ints");
    let numbers = DotDimensionNumbers {
        lhs_contracting: vec![1],
        rhs_contracting: vec![0],
        ..DotDimensionNumbers::default()
    };
    let plain = lax::dot_general(&ints, &ints, numbers.clone());
    assert_eq!(plain.dtype(), DType::I32);
    let options = DotOptions::default().preferred_element_type(DType::F32);
    let floats = lax::dot_general_with(&ints, &ints, numbers, options);
    assert_eq!(floats.dtype(), DType::F32);
    assert_jax("dot_general_f32", &floats, 0.0);
}

// --- linalg -------------------------------------------------------------------------------------

#[test]
fn qr_is_full_by_default_as_in_jax() {
    let b = matrix(&B, &[3, 2]);
    let (q, r) = lax::qr(&b);
    assert_jax("qr_q", &q, 1e-5);
    assert_jax("qr_r", &r, 1e-5);
    let (q, r) = lax::qr_with(b, QrOptions::default().full_matrices(false));
    assert_jax("qr_reduced_q", &q, 1e-5);
    assert_jax("qr_reduced_r", &r, 1e-5);
}

#[test]
fn eigh_symmetrizes_by_default_as_in_jax() {
    let a = matrix(&A, &[3, 3]);
    let (_, w) = lax::eigh(&a);
    assert_jax("eigh_w", &w, 1e-5);
    let upper = EighOptions::default().lower(false).symmetrize_input(false);
    let (_, w) = lax::eigh_with(&a, upper);
    assert_jax("eigh_upper_w", &w, 1e-5);
}

#[test]
fn cholesky_symmetrizes_by_default_as_in_jax() {
    let (spd, skewed) = spd_pair();
    let l = lax::cholesky(&skewed);
    assert_jax("cholesky", &l, 1e-5);
    let lower_only = CholeskyOptions::default().symmetrize_input(false);
    let l = lax::cholesky_with(&skewed, lower_only);
    assert_jax("cholesky_lower_only", &l, 1e-5);
    // Reading only the lower triangle ignores what was added above the diagonal.
    let exact = lax::cholesky(&spd);
    assert_eq!(floats(&l), floats(&exact));
}

#[test]
fn triangular_solve_defaults_and_keywords_match_jax() {
    let a = matrix(&A, &[3, 3]);
    // JAX's defaults: X·A = B with A's upper triangle.
    assert_jax(
        "triangular_solve",
        &lax::triangular_solve(&a, matrix(&B, &[2, 3])),
        1e-5,
    );
    let options = TriangularSolveOptions::default()
        .left_side(true)
        .lower(true)
        .transpose_a(true)
        .unit_diagonal(true);
    let x = lax::triangular_solve_with(&a, matrix(&B, &[3, 2]), options);
    assert_jax("triangular_solve_left_lower_t_unit", &x, 1e-5);
}

#[test]
fn eig_and_schur_compute_their_vectors_by_default() -> anyhow::Result<()> {
    let a = matrix(&A, &[3, 3]);
    let all = lax::eig(&a)?;
    assert_eq!(all.len(), 3, "eigenvalues, left and right eigenvectors");
    let mut real: Vec<f64> = lax::convert_element_type(&all[0], DType::C64)
        .to_vec::<rjax::Complex<f32>>()?
        .into_iter()
        .map(|z| f64::from(z.re))
        .collect();
    real.sort_by(f64::total_cmp);
    let (_, want) = &jax()["eig_w_real_sorted"];
    for (g, w) in real.iter().zip(want) {
        assert!(
            (g - w).abs() < 1e-4 * (1.0 + w.abs()),
            "{real:?} vs {want:?}"
        );
    }
    let right_only = EigOptions::default().compute_left_eigenvectors(false);
    assert_eq!(lax::eig_with(&a, right_only)?.len(), 2);
    let (t, z) = lax::schur(&a)?;
    let z = z.expect("Schur vectors by default");
    // A = Z·T·Zᵀ.
    let rebuilt = z.matmul(&t).matmul(&lax::transpose(&z, &[1, 0]));
    for (g, w) in floats(&rebuilt).iter().zip(A) {
        assert!((g - f64::from(w)).abs() < 1e-4, "{g} vs {w}");
    }
    let no_vectors = SchurOptions::default().compute_schur_vectors(false);
    assert!(lax::schur_with(&a, no_vectors)?.1.is_none());
    Ok(())
}
