//! The linear-algebra primitives on complex128 matrices, through rjax's CPU kernels:
//! `cholesky`, `triangular_solve` (every transpose/conjugate combination), `qr` and `eigh`,
//! eagerly and under `jit`, checked by reconstruction with host arithmetic.

use rjax::lax::{
    CholeskyOptions, EighOptions, QrOptions, TriangularSolveOptions, cholesky_with, eigh_with,
    qr_with, triangular_solve_with,
};
use rjax::{Array, Complex, DType, jit};

type C = (f64, f64);

fn mul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn conj(a: C) -> C {
    (a.0, -a.1)
}

/// A row-major complex matrix on the host.
#[derive(Clone, Debug)]
struct M {
    rows: usize,
    cols: usize,
    data: Vec<C>,
}

impl M {
    fn at(&self, i: usize, j: usize) -> C {
        self.data[i * self.cols + j]
    }

    fn matmul(&self, other: &M) -> M {
        let mut data = vec![(0.0, 0.0); self.rows * other.cols];
        for i in 0..self.rows {
            for j in 0..other.cols {
                let mut sum = (0.0, 0.0);
                for k in 0..self.cols {
                    let p = mul(self.at(i, k), other.at(k, j));
                    sum = (sum.0 + p.0, sum.1 + p.1);
                }
                data[i * other.cols + j] = sum;
            }
        }
        M {
            rows: self.rows,
            cols: other.cols,
            data,
        }
    }

    /// The conjugate transpose (`adjoint`), the transpose, or the conjugate.
    fn op(&self, transpose: bool, conjugate: bool) -> M {
        let (rows, cols) = if transpose {
            (self.cols, self.rows)
        } else {
            (self.rows, self.cols)
        };
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                let x = if transpose {
                    self.at(j, i)
                } else {
                    self.at(i, j)
                };
                data.push(if conjugate { conj(x) } else { x });
            }
        }
        M { rows, cols, data }
    }

    fn distance(&self, other: &M) -> f64 {
        self.data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
            .fold(0.0, f64::max)
    }

    fn array(&self) -> anyhow::Result<Array> {
        let host: Vec<Complex<f64>> = self
            .data
            .iter()
            .map(|&(re, im)| Complex::new(re, im))
            .collect();
        Ok(Array::from_slice(&host, &[self.rows, self.cols])?)
    }

    fn from_array(x: &Array) -> anyhow::Result<M> {
        let shape = x.shape();
        let data = x
            .to_vec::<Complex<f64>>()?
            .iter()
            .map(|z| (z.re, z.im))
            .collect();
        Ok(M {
            rows: shape[0],
            cols: shape[1],
            data,
        })
    }
}

/// A deterministic complex matrix.
fn general(rows: usize, cols: usize, seed: f64) -> M {
    let data = (0..rows * cols)
        .map(|k| {
            let t = k as f64 + seed;
            ((t * 0.7).sin(), (t * 1.3).cos() * 0.5)
        })
        .collect();
    M { rows, cols, data }
}

/// `B·Bᴴ + n·I`: Hermitian positive definite.
fn hermitian(n: usize) -> M {
    let b = general(n, n, 0.3);
    let mut a = b.matmul(&b.op(true, true));
    for i in 0..n {
        a.data[i * n + i].0 += n as f64;
    }
    a
}

fn eye(n: usize) -> M {
    let data = (0..n * n)
        .map(|k| {
            if k / n == k % n {
                (1.0, 0.0)
            } else {
                (0.0, 0.0)
            }
        })
        .collect();
    M {
        rows: n,
        cols: n,
        data,
    }
}

const TOL: f64 = 1e-12;

#[test]
fn cholesky_of_a_hermitian_matrix() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = hermitian(5);
    let x = a.array()?;
    for l in [
        cholesky_with(&x, CholeskyOptions::default().symmetrize_input(false)),
        jit(|x: Array| cholesky_with(&x, CholeskyOptions::default().symmetrize_input(false)))
            .call(x.clone())?,
    ] {
        assert_eq!(l.dtype(), DType::C128);
        let l = M::from_array(&l)?;
        assert!(l.matmul(&l.op(true, true)).distance(&a) < TOL * 10.0);
        assert!((0..5).all(|i| (i + 1..5).all(|j| l.at(i, j) == (0.0, 0.0))));
    }
    Ok(())
}

#[test]
fn triangular_solve_with_every_transpose_and_conjugate() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let l = M::from_array(&cholesky_with(
        &hermitian(4).array()?,
        CholeskyOptions::default().symmetrize_input(false),
    ))?;
    let b = general(4, 3, 1.1);
    for transpose in [false, true] {
        for conjugate in [false, true] {
            let solve = |a: &Array, b: &Array| {
                triangular_solve_with(
                    a,
                    b,
                    TriangularSolveOptions::default()
                        .left_side(true)
                        .lower(true)
                        .transpose_a(transpose)
                        .conjugate_a(conjugate),
                )
            };
            let eager = solve(&l.array()?, &b.array()?);
            let jitted =
                jit(move |(a, b): (Array, Array)| solve(&a, &b)).call((l.array()?, b.array()?))?;
            for x in [eager, jitted] {
                let x = M::from_array(&x)?;
                let residual = l.op(transpose, conjugate).matmul(&x).distance(&b);
                assert!(
                    residual < TOL,
                    "transpose={transpose} conjugate={conjugate}: {residual}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn qr_of_a_complex_matrix() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = general(5, 3, 2.0);
    for full in [false, true] {
        let (q, r) = qr_with(&a.array()?, QrOptions::default().full_matrices(full));
        let (q, r) = (M::from_array(&q)?, M::from_array(&r)?);
        assert!(q.matmul(&r).distance(&a) < TOL, "full={full}");
        assert!(q.op(true, true).matmul(&q).distance(&eye(q.cols)) < TOL);
    }
    Ok(())
}

#[test]
fn eigh_of_a_hermitian_matrix_has_real_eigenvalues() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let a = hermitian(6);
    let (v, w) = eigh_with(&a.array()?, EighOptions::default().symmetrize_input(false));
    assert_eq!((v.dtype(), w.dtype()), (DType::C128, DType::F64));
    let (v, w) = (M::from_array(&v)?, w.to_vec::<f64>()?);
    assert!(w.windows(2).all(|p| p[0] <= p[1]));
    let lambda = M {
        rows: 6,
        cols: 6,
        data: (0..36)
            .map(|k| {
                if k / 6 == k % 6 {
                    (w[k / 6], 0.0)
                } else {
                    (0.0, 0.0)
                }
            })
            .collect(),
    };
    // The HLO lowering (`RJAX_FFI_KERNELS=0`, or a GPU) is XLA's Jacobi `Eigh` expansion,
    // which stops at a float32-sized threshold (see `lax::eigh`).
    let kernels = rjax::default_client()?.ffi_support().is_available();
    let tol = if kernels { 1e-11 } else { 1e-6 };
    let residual = a.matmul(&v).distance(&v.matmul(&lambda));
    assert!(residual < tol, "{residual}");
    assert!(v.op(true, true).matmul(&v).distance(&eye(6)) < tol);
    Ok(())
}

#[test]
fn differentiating_a_complex_decomposition_is_a_clear_error() {
    rjax::config::enable_x64(true);
    let x = hermitian(3).array().expect("array");
    // The primitive's rule refuses complex input; `lax::cholesky` panics with its message.
    let panic = std::panic::catch_unwind(|| {
        let _: rjax::Result<(Array, Array)> = rjax::jvp(
            |x: Array| cholesky_with(&x, CholeskyOptions::default().symmetrize_input(false)),
            x.clone(),
            x,
        );
    })
    .expect_err("complex JVP");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        text.contains("cholesky") && text.contains("real matrices only"),
        "{text}"
    );
}
