//! `jax.export` artifacts that call jaxlib's LAPACK FFI targets (`lapack_dgetrf_ffi` and its
//! kin, what `jnp.linalg` lowers to on the CPU) run on rjax's CPU plugins, whose FFI layer
//! serves those targets with rjax's kernels.
//!
//! Real JAX exports each case at test time (tests/export_support/export_linalg.py) and records
//! what it computes with the same artifact. The algorithms differ (faer and nalgebra against
//! LAPACK), so values are compared to round-off, the tolerance scaled by the inputs' condition
//! number; where LAPACK's contract leaves a choice (eigenvector and singular vector signs or
//! phases, the order of a general matrix's eigenvalues, the real Schur form's 2 × 2 blocks)
//! the test checks the invariants instead: residuals, orthonormality, and the same vectors up
//! to a phase.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use rjax::export::Exported;
use rjax::kernels::c64;
use rjax::{Array, Complex, DType, grad, jit};
use serde_json::Value;

/// The directory of the artifacts, exported once per test binary.
fn artifacts() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/export_support/export_linalg.py");
        let code = std::fs::read_to_string(&script).expect("read the export script");
        let out = common::python::run_python(&code, &[dir.to_str().unwrap()]);
        assert_eq!(out.trim(), "ok", "the export script printed {out}");
        dir
    })
}

/// An array as the test compares it: every element as a complex f64.
#[derive(Debug, Clone)]
struct Tensor {
    dtype: DType,
    shape: Vec<usize>,
    data: Vec<c64>,
}

impl Tensor {
    /// The number of `rows × cols` matrices and the matrices' shape.
    fn matrices(&self) -> (usize, usize, usize) {
        let r = self.shape.len();
        assert!(r >= 2, "{:?} is not a batch of matrices", self.shape);
        let (rows, cols) = (self.shape[r - 2], self.shape[r - 1]);
        (self.shape[..r - 2].iter().product(), rows, cols)
    }

    /// Matrix `b` of the batch.
    fn matrix(&self, b: usize) -> Matrix {
        let (_, rows, cols) = self.matrices();
        Matrix {
            rows,
            cols,
            data: self.data[b * rows * cols..(b + 1) * rows * cols].to_vec(),
        }
    }

    /// Vector `b` of a batch of vectors.
    fn vector(&self, b: usize) -> Vec<c64> {
        let n = *self.shape.last().unwrap();
        self.data[b * n..(b + 1) * n].to_vec()
    }
}

fn dtype_named(name: &str) -> DType {
    match name {
        "float32" => DType::F32,
        "float64" => DType::F64,
        "complex64" => DType::C64,
        "complex128" => DType::C128,
        "int32" => DType::I32,
        other => panic!("dtype {other}"),
    }
}

/// A recorded array: dtype, shape and the bit patterns of its parts.
fn decode(v: &Value) -> Tensor {
    let dtype = dtype_named(v["dtype"].as_str().unwrap());
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let bits: Vec<u64> = v["bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap())
        .collect();
    let data = match dtype {
        DType::F32 => bits
            .iter()
            .map(|&b| c64::new(f32::from_bits(b as u32).into(), 0.0))
            .collect(),
        DType::F64 => bits
            .iter()
            .map(|&b| c64::new(f64::from_bits(b), 0.0))
            .collect(),
        DType::C64 => bits
            .chunks(2)
            .map(|p| {
                c64::new(
                    f32::from_bits(p[0] as u32).into(),
                    f32::from_bits(p[1] as u32).into(),
                )
            })
            .collect(),
        DType::C128 => bits
            .chunks(2)
            .map(|p| c64::new(f64::from_bits(p[0]), f64::from_bits(p[1])))
            .collect(),
        DType::I32 => bits
            .iter()
            .map(|&b| c64::new(f64::from(b as u32 as i32), 0.0))
            .collect(),
        other => panic!("dtype {other}"),
    };
    Tensor { dtype, shape, data }
}

/// A tensor as an rjax array of its dtype.
fn to_array(t: &Tensor) -> Array {
    let d = &t.data;
    match t.dtype {
        DType::F32 => {
            Array::from_slice(&d.iter().map(|z| z.re as f32).collect::<Vec<_>>(), &t.shape)
        }
        DType::F64 => Array::from_slice(&d.iter().map(|z| z.re).collect::<Vec<_>>(), &t.shape),
        DType::C64 => Array::from_slice(
            &d.iter()
                .map(|z| Complex::new(z.re as f32, z.im as f32))
                .collect::<Vec<_>>(),
            &t.shape,
        ),
        DType::C128 => Array::from_slice(
            &d.iter()
                .map(|z| Complex::new(z.re, z.im))
                .collect::<Vec<_>>(),
            &t.shape,
        ),
        other => panic!("dtype {other}"),
    }
    .unwrap()
}

/// An rjax result as a tensor.
fn from_array(a: &Array) -> Tensor {
    let data = match a.dtype() {
        DType::F32 => a
            .to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|&x| c64::new(x.into(), 0.0))
            .collect(),
        DType::F64 => a
            .to_vec::<f64>()
            .unwrap()
            .iter()
            .map(|&x| c64::new(x, 0.0))
            .collect(),
        DType::C64 => a
            .to_vec::<Complex<f32>>()
            .unwrap()
            .iter()
            .map(|z| c64::new(z.re.into(), z.im.into()))
            .collect(),
        DType::C128 => a
            .to_vec::<Complex<f64>>()
            .unwrap()
            .iter()
            .map(|z| c64::new(z.re, z.im))
            .collect(),
        DType::I32 => a
            .to_vec::<i32>()
            .unwrap()
            .iter()
            .map(|&x| c64::new(x.into(), 0.0))
            .collect(),
        other => panic!("dtype {other}"),
    };
    Tensor {
        dtype: a.dtype(),
        shape: a.shape().to_vec(),
        data,
    }
}

/// One exported case: the artifact, JAX's record, rjax's results and the tolerance.
struct Case {
    name: String,
    exported: Exported,
    record: Value,
    inputs: Vec<Tensor>,
    jax: Vec<Tensor>,
    rjax: Vec<Tensor>,
    /// Round-off tolerance, relative: a multiple of the precision's epsilon times the inputs'
    /// condition number.
    tol: f64,
}

/// Loads case `name`, runs it with rjax and checks the results' dtypes and shapes.
fn run(name: &str) -> Case {
    rjax::config::enable_x64(true);
    let dir = artifacts();
    let exported =
        Exported::read(dir.join(format!("{name}.bin"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
    let record: Value = serde_json::from_str(&text).unwrap();
    let inputs: Vec<Tensor> = record["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode)
        .collect();
    let jax: Vec<Tensor> = record["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode)
        .collect();
    let args: Vec<Array> = inputs.iter().map(to_array).collect();
    let rjax: Vec<Tensor> = exported
        .call(&args)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .iter()
        .map(from_array)
        .collect();
    assert_eq!(rjax.len(), jax.len(), "{name}: number of results");
    for (i, (r, j)) in rjax.iter().zip(&jax).enumerate() {
        assert_eq!(
            (r.dtype, &r.shape),
            (j.dtype, &j.shape),
            "{name}[{i}]: dtype and shape"
        );
    }
    let eps = match inputs[0].dtype {
        DType::F32 | DType::C64 => f64::from(f32::EPSILON),
        _ => f64::EPSILON,
    };
    let tol = 100.0 * eps * record["cond"].as_f64().unwrap();
    Case {
        name: name.to_string(),
        exported,
        record,
        inputs,
        jax,
        rjax,
        tol,
    }
}

fn max_abs(values: &[c64]) -> f64 {
    values.iter().map(|z| z.norm()).fold(0.0, f64::max)
}

/// `got` equals `want` to `tol` relative to `want`'s largest magnitude (at least 1).
fn assert_close(what: &str, got: &[c64], want: &[c64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = max_abs(want).max(1.0);
    let err = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).norm())
        .fold(0.0, f64::max);
    assert!(
        err <= tol * scale,
        "{what}: rjax differs from JAX by {err:e} (tolerance {:e})\nrjax {got:?}\nJAX  {want:?}",
        tol * scale
    );
}

/// A dense complex matrix, row-major, for the invariants.
#[derive(Debug, Clone)]
struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<c64>,
}

impl Matrix {
    fn at(&self, i: usize, j: usize) -> c64 {
        self.data[i * self.cols + j]
    }

    fn matmul(&self, other: &Matrix) -> Matrix {
        assert_eq!(self.cols, other.rows);
        let mut data = vec![c64::new(0.0, 0.0); self.rows * other.cols];
        for i in 0..self.rows {
            for k in 0..self.cols {
                for j in 0..other.cols {
                    data[i * other.cols + j] += self.at(i, k) * other.at(k, j);
                }
            }
        }
        Matrix {
            rows: self.rows,
            cols: other.cols,
            data,
        }
    }

    fn adjoint(&self) -> Matrix {
        let mut data = Vec::with_capacity(self.data.len());
        for j in 0..self.cols {
            data.extend((0..self.rows).map(|i| self.at(i, j).conj()));
        }
        Matrix {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }

    /// `self` with column `j` scaled by `d[j]`.
    fn scale_columns(&self, d: &[c64]) -> Matrix {
        let mut out = self.clone();
        for row in out.data.chunks_exact_mut(self.cols) {
            row.iter_mut().zip(d).for_each(|(x, s)| *x *= s);
        }
        out
    }

    fn identity(n: usize) -> Matrix {
        let mut data = vec![c64::new(0.0, 0.0); n * n];
        (0..n).for_each(|i| data[i * n + i] = c64::new(1.0, 0.0));
        Matrix {
            rows: n,
            cols: n,
            data,
        }
    }

    fn column(&self, j: usize) -> Vec<c64> {
        (0..self.rows).map(|i| self.at(i, j)).collect()
    }
}

fn assert_matrix_close(what: &str, got: &Matrix, want: &Matrix, tol: f64) {
    assert_eq!((got.rows, got.cols), (want.rows, want.cols), "{what}");
    assert_close(what, &got.data, &want.data, tol);
}

/// `|⟨a, b⟩| = 1` for unit vectors: the same vector up to a phase.
fn assert_same_up_to_phase(what: &str, a: &[c64], b: &[c64], tol: f64) {
    let inner: c64 = a.iter().zip(b).map(|(x, y)| x.conj() * y).sum();
    assert!(
        (inner.norm() - 1.0).abs() <= tol,
        "{what}: |⟨rjax, JAX⟩| = {} (tolerance {tol:e})",
        inner.norm()
    );
}

/// Pairs each of JAX's eigenvalues with the nearest unused one of rjax's (the orders differ)
/// and checks they agree; returns rjax's index for each of JAX's.
fn match_eigenvalues(what: &str, got: &[c64], want: &[c64], tol: f64) -> Vec<usize> {
    let scale = max_abs(want).max(1.0);
    let mut used = vec![false; got.len()];
    want.iter()
        .map(|w| {
            let (best, distance) = got
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, g)| (i, (g - w).norm()))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            assert!(
                distance <= tol * scale,
                "{what}: JAX's eigenvalue {w} has no match in rjax's {got:?}"
            );
            used[best] = true;
            best
        })
        .collect()
}

/// The cases named `{op}_{dtype}` for the four dtypes.
fn each_dtype(op: &str) -> Vec<Case> {
    ["f32", "f64", "c64", "c128"]
        .iter()
        .map(|dtype| run(&format!("{op}_{dtype}")))
        .collect()
}

/// Every result matches JAX's to round-off.
fn assert_all_close(case: &Case) {
    for (i, (r, j)) in case.rjax.iter().zip(&case.jax).enumerate() {
        assert_close(&format!("{}[{i}]", case.name), &r.data, &j.data, case.tol);
    }
}

#[test]
fn cholesky_matches_jax() {
    each_dtype("cholesky").iter().for_each(assert_all_close);
}

#[test]
fn lu_matches_jax_with_the_same_pivots() {
    for op in ["lu", "lu_wide"] {
        for case in each_dtype(op) {
            assert_all_close(&case);
            // Pivots and permutation exactly.
            assert_eq!(case.rjax[1].data, case.jax[1].data, "{} pivots", case.name);
            assert_eq!(
                case.rjax[2].data, case.jax[2].data,
                "{} permutation",
                case.name
            );
        }
    }
}

#[test]
fn solve_inv_det_and_slogdet_match_jax() {
    each_dtype("solve").iter().for_each(assert_all_close);
}

#[test]
fn triangular_solves_match_jax() {
    each_dtype("trsm").iter().for_each(assert_all_close);
}

#[test]
fn qr_matches_jax_in_lapack_convention() {
    // The reflectors follow LAPACK's convention (a real diagonal of R for complex input too),
    // so Q and R themselves match.
    for op in ["qr", "qr_complete"] {
        each_dtype(op).iter().for_each(assert_all_close);
    }
}

#[test]
fn hessenberg_matches_jax_in_lapack_convention() {
    each_dtype("hessenberg").iter().for_each(assert_all_close);
}

#[test]
fn eigh_matches_jax_up_to_eigenvector_phases() {
    for case in each_dtype("eigvalsh") {
        assert_all_close(&case);
    }
    for case in each_dtype("eigh") {
        let name = &case.name;
        let (values, vectors) = (&case.rjax[0], &case.rjax[1]);
        assert_close(
            &format!("{name} w"),
            &values.data,
            &case.jax[0].data,
            case.tol,
        );
        let (batch, n, _) = vectors.matrices();
        for b in 0..batch {
            let a = case.inputs[0].matrix(b);
            let v = vectors.matrix(b);
            let w = values.vector(b);
            let scale = max_abs(&a.data).max(1.0);
            let av = a.matmul(&v);
            let vw = v.scale_columns(&w);
            assert_close(
                &format!("{name} A·V = V·Λ"),
                &av.data,
                &vw.data,
                case.tol * scale,
            );
            let gram = v.adjoint().matmul(&v);
            assert_matrix_close(
                &format!("{name} VᴴV"),
                &gram,
                &Matrix::identity(n),
                case.tol,
            );
            let jax_v = case.jax[1].matrix(b);
            for j in 0..n {
                assert_same_up_to_phase(
                    &format!("{name}[{b}] eigenvector {j}"),
                    &v.column(j),
                    &jax_v.column(j),
                    case.tol,
                );
            }
        }
    }
}

#[test]
fn svd_matches_jax_up_to_singular_vector_phases() {
    for case in each_dtype("svdvals") {
        assert_all_close(&case);
    }
    for op in ["svd", "svd_full"] {
        for case in each_dtype(op) {
            let name = &case.name;
            let (u, s, vt) = (&case.rjax[0], &case.rjax[1], &case.rjax[2]);
            assert_close(&format!("{name} s"), &s.data, &case.jax[1].data, case.tol);
            let (batch, m, ku) = u.matrices();
            let (_, kv, n) = vt.matrices();
            let k = m.min(n);
            for b in 0..batch {
                let (u, vt) = (u.matrix(b), vt.matrix(b));
                let a = case.inputs[0].matrix(b);
                let mut sigma = s.vector(b);
                sigma.resize(ku, c64::new(0.0, 0.0));
                // U·diag(s)·Vᴴ over the first k singular triples.
                let us = u.scale_columns(&sigma);
                let mut vt_k = vt.clone();
                vt_k.data.truncate(k * n);
                vt_k.rows = k;
                let mut us_k = Matrix {
                    rows: m,
                    cols: k,
                    data: Vec::with_capacity(m * k),
                };
                for i in 0..m {
                    us_k.data.extend((0..k).map(|j| us.at(i, j)));
                }
                let scale = max_abs(&a.data).max(1.0);
                assert_close(
                    &format!("{name} U·S·Vᴴ = A"),
                    &us_k.matmul(&vt_k).data,
                    &a.data,
                    case.tol * scale,
                );
                let uu = u.adjoint().matmul(&u);
                assert_matrix_close(&format!("{name} UᴴU"), &uu, &Matrix::identity(ku), case.tol);
                let vv = vt.matmul(&vt.adjoint());
                assert_matrix_close(&format!("{name} VᴴV"), &vv, &Matrix::identity(kv), case.tol);
                let (jax_u, jax_vt) = (case.jax[0].matrix(b), case.jax[2].matrix(b));
                for j in 0..k {
                    assert_same_up_to_phase(
                        &format!("{name}[{b}] left singular vector {j}"),
                        &u.column(j),
                        &jax_u.column(j),
                        case.tol,
                    );
                    assert_same_up_to_phase(
                        &format!("{name}[{b}] right singular vector {j}"),
                        &vt.adjoint().column(j),
                        &jax_vt.adjoint().column(j),
                        case.tol,
                    );
                }
            }
        }
    }
}

#[test]
fn eig_matches_jax_up_to_order_and_normalized_as_lapack() {
    for case in each_dtype("eigvals") {
        for b in 0..case.rjax[0].shape[0] {
            match_eigenvalues(
                &format!("{}[{b}]", case.name),
                &case.rjax[0].vector(b),
                &case.jax[0].vector(b),
                case.tol,
            );
        }
    }
    for case in each_dtype("eig") {
        let name = &case.name;
        let real_input = matches!(case.inputs[0].dtype, DType::F32 | DType::F64);
        let (values, vectors) = (&case.rjax[0], &case.rjax[1]);
        let (batch, n, _) = vectors.matrices();
        for b in 0..batch {
            let (w, v) = (values.vector(b), vectors.matrix(b));
            let jax_w = case.jax[0].vector(b);
            let order = match_eigenvalues(&format!("{name}[{b}]"), &w, &jax_w, case.tol);
            let a = case.inputs[0].matrix(b);
            let scale = max_abs(&a.data).max(1.0);
            let av = a.matmul(&v);
            let vw = v.scale_columns(&w);
            assert_close(
                &format!("{name} A·V = V·Λ"),
                &av.data,
                &vw.data,
                case.tol * scale,
            );
            let jax_v = case.jax[1].matrix(b);
            for (j_jax, &j) in order.iter().enumerate() {
                let column = v.column(j);
                let norm: f64 = column.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
                assert!((norm - 1.0).abs() <= case.tol, "{name}: ‖v{j}‖ = {norm}");
                // geev's normalization: the largest component is real (for complex input,
                // also positive, which fixes the vector; for real input the sign is free).
                let largest = column
                    .iter()
                    .max_by(|x, y| x.norm().total_cmp(&y.norm()))
                    .unwrap();
                assert_eq!(
                    largest.im, 0.0,
                    "{name}: v{j}'s largest component {largest}"
                );
                let want = jax_v.column(j_jax);
                let flipped: Vec<c64> = column.iter().map(|z| -z).collect();
                let same = (0..n).all(|i| (column[i] - want[i]).norm() <= case.tol);
                let opposite = (0..n).all(|i| (flipped[i] - want[i]).norm() <= case.tol);
                assert!(
                    same || (real_input && opposite),
                    "{name}[{b}]: eigenvector {j} {column:?} is not JAX's {want:?}"
                );
            }
        }
    }
}

#[test]
fn schur_reconstructs_the_input() {
    for case in each_dtype("schur") {
        let name = &case.name;
        let complex = matches!(case.inputs[0].dtype, DType::C64 | DType::C128);
        let (t, z) = (case.rjax[0].matrix(0), case.rjax[1].matrix(0));
        let a = case.inputs[0].matrix(0);
        let n = a.rows;
        let scale = max_abs(&a.data).max(1.0);
        let reconstructed = z.matmul(&t).matmul(&z.adjoint());
        assert_close(
            &format!("{name} Z·T·Zᴴ = A"),
            &reconstructed.data,
            &a.data,
            case.tol * scale,
        );
        let zz = z.adjoint().matmul(&z);
        assert_matrix_close(&format!("{name} ZᴴZ"), &zz, &Matrix::identity(n), case.tol);
        // Upper triangular (complex), or quasi-triangular with 1 × 1 and 2 × 2 blocks (real).
        for i in 0..n {
            for j in 0..i {
                let allowed = !complex && i == j + 1;
                if !allowed {
                    assert_eq!(t.at(i, j).norm(), 0.0, "{name}: T[{i}, {j}]");
                }
            }
        }
        for i in 1..n.saturating_sub(1) {
            assert!(
                t.at(i, i - 1).norm() == 0.0 || t.at(i + 1, i).norm() == 0.0,
                "{name}: overlapping 2 × 2 blocks at {i}"
            );
        }
        if complex {
            // The eigenvalues on the diagonal are JAX's, in some order.
            let diag = |m: &Matrix| (0..n).map(|i| m.at(i, i)).collect::<Vec<_>>();
            match_eigenvalues(name, &diag(&t), &diag(&case.jax[0].matrix(0)), case.tol);
        }
    }
}

/// JAX's gradient of the sum of the first output, through the exported VJP, and rjax's (also
/// under `jit`).
fn assert_grads_match(case: &Case) -> Result<()> {
    let want: Vec<Tensor> = case.record["grads"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode)
        .collect();
    let exported = &case.exported;
    let loss = |args: Vec<Array>| -> rjax::Result<Array> { Ok(exported.call(&args)?[0].sum()) };
    let args: Vec<Array> = case.inputs.iter().map(to_array).collect();
    for (how, grads) in [
        ("grad", grad(&loss)(args.clone())?),
        ("jit(grad)", jit(grad(&loss)).call(args)?),
    ] {
        assert_eq!(grads.len(), want.len(), "{} {how}", case.name);
        for (i, (g, w)) in grads.iter().zip(&want).enumerate() {
            let g = from_array(g);
            assert_eq!(g.shape, w.shape, "{} {how}[{i}] shape", case.name);
            assert_close(
                &format!("{} {how}[{i}]", case.name),
                &g.data,
                &w.data,
                case.tol,
            );
        }
    }
    Ok(())
}

#[test]
fn a_gaussian_process_model_runs_and_differentiates_end_to_end() -> Result<()> {
    for name in ["gp_f32", "gp_f64"] {
        let case = run(name);
        assert_all_close(&case);
        assert_grads_match(&case)?;
    }
    Ok(())
}

#[test]
fn least_squares_and_log_determinant_differentiate_through_their_vjps() -> Result<()> {
    for name in ["lstsq_f64", "logdet_f64"] {
        let case = run(name);
        assert_all_close(&case);
        assert_grads_match(&case)?;
    }
    Ok(())
}

/// A program calling jaxlib's `potrf` target by hand, as JAX lowers `cholesky` (column-major
/// layouts, `uplo` as a character), on a 2 × 2 f32 matrix given row-major.
fn potrf_program(target: &str, dtype: &str, uplo: u8) -> String {
    format!(
        r#"func.func @main(%x: tensor<2x2xf32>) -> (tensor<2x2x{dtype}>, tensor<i32>) {{
  %c = stablehlo.convert %x : (tensor<2x2xf32>) -> tensor<2x2x{dtype}>
  %y:2 = stablehlo.custom_call @{target}(%c) {{api_version = 4 : i32, backend_config = {{uplo = {uplo} : ui8}}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<> : tensor<0xindex>]}} : (tensor<2x2x{dtype}>) -> (tensor<2x2x{dtype}>, tensor<i32>)
  return %y#0, %y#1 : tensor<2x2x{dtype}>, tensor<i32>
}}"#
    )
}

/// Runs a program of [`potrf_program`]'s signature on `a`: the factor (f32) and `info`.
fn run_potrf(program: &str, a: [f32; 4]) -> rjax::Result<(Vec<f32>, i32)> {
    use rjax::runtime::{Client, ClientOptions, CompileOptions, FfiSupport};
    let client = Client::for_platform("cpu", &ClientOptions::new())?;
    assert_eq!(client.ffi_support(), FfiSupport::Available);
    let device = client.device(0).expect("a device");
    let executable = client.compile(program, &CompileOptions::default())?;
    let x = client.buffer_from_host(&a, &[2, 2], &device)?;
    let mut out = executable.execute(&[&x])?;
    let info = out.remove(1).to_vec::<i32>()?[0];
    Ok((out.remove(0).to_vec::<f32>()?, info))
}

#[test]
fn a_hand_written_potrf_call_follows_lapacks_contract() -> Result<()> {
    // A = [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]]; LAPACK leaves the strict upper
    // triangle as it was (the input's 2) and reports info = 0.
    let (factor, info) = run_potrf(
        &potrf_program("lapack_spotrf_ffi", "f32", b'L'),
        [4.0, 2.0, 2.0, 3.0],
    )?;
    assert_eq!(info, 0);
    let want = [2.0, 2.0, 1.0, 2f32.sqrt()];
    assert!(
        factor.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6),
        "{factor:?}"
    );
    // Upper: A = Uᵀ·U with U = Lᵀ; the strict lower triangle keeps the input's 2.
    let (factor, _) = run_potrf(
        &potrf_program("lapack_spotrf_ffi", "f32", b'U'),
        [4.0, 2.0, 2.0, 3.0],
    )?;
    let want = [2.0, 1.0, 2.0, 2f32.sqrt()];
    assert!(
        factor.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6),
        "{factor:?}"
    );
    // Not positive definite: a positive info, which JAX turns into NaN.
    let (_, info) = run_potrf(
        &potrf_program("lapack_spotrf_ffi", "f32", b'L'),
        [1.0, 2.0, 2.0, 1.0],
    )?;
    assert!(info > 0, "info {info}");
    Ok(())
}

#[test]
fn a_malformed_jaxlib_call_is_an_error_naming_the_target() {
    let error = run_potrf(
        &potrf_program("lapack_spotrf_ffi", "f32", b'X'),
        [4.0, 2.0, 2.0, 3.0],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("lapack_spotrf_ffi")
            && error.contains("`uplo` is 88, expected one of 'L', 'U'"),
        "{error}"
    );
    // The f64 target called on f32 buffers.
    let error = run_potrf(
        &potrf_program("lapack_dpotrf_ffi", "f32", b'L'),
        [4.0, 2.0, 2.0, 3.0],
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("lapack_dpotrf_ffi")
            && error.contains("operand 0 is float32, but this target takes float64"),
        "{error}"
    );
}
