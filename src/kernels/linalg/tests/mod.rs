//! Tests of the linear algebra kernels: residual identities computed in plain f64 loops,
//! independently of faer, for every dtype.

mod bidiagonal_svd;
mod bidiagonalize;
mod cholesky;
mod divide_and_conquer;
mod dqds;
mod eig;
mod eigh;
mod hessenberg;
mod lu;
mod parallel;
mod qr;
mod schur;
mod svd;
mod triangular_solve;

use crate::kernels::{Element, c32, c64};

/// Runs a generic check for f32, f64, complex64 and complex128.
macro_rules! for_each_dtype {
    ($check:ident) => {{
        $check::<f32>();
        $check::<f64>();
        $check::<crate::kernels::c32>();
        $check::<crate::kernels::c64>();
    }};
}
pub(super) use for_each_dtype;

/// What the tests need of an element type beyond [`Element`].
pub(super) trait TestElement: Element<Real: Into<f64>> {
    /// Machine epsilon of the type's precision.
    const EPS: f64;
    /// Whether the type is complex.
    const COMPLEX: bool;
    /// Converts from c64 (the imaginary part must be zero for real types).
    fn from_c64(z: c64) -> Self;
    /// Converts to c64.
    fn to_c64(self) -> c64;
}

impl TestElement for f32 {
    const EPS: f64 = f32::EPSILON as f64;
    const COMPLEX: bool = false;
    fn from_c64(z: c64) -> Self {
        assert_eq!(z.im, 0.0);
        z.re as f32
    }
    fn to_c64(self) -> c64 {
        c64::new(self.into(), 0.0)
    }
}

impl TestElement for f64 {
    const EPS: f64 = f64::EPSILON;
    const COMPLEX: bool = false;
    fn from_c64(z: c64) -> Self {
        assert_eq!(z.im, 0.0);
        z.re
    }
    fn to_c64(self) -> c64 {
        c64::new(self, 0.0)
    }
}

impl TestElement for c32 {
    const EPS: f64 = f32::EPSILON as f64;
    const COMPLEX: bool = true;
    fn from_c64(z: c64) -> Self {
        c32::new(z.re as f32, z.im as f32)
    }
    fn to_c64(self) -> c64 {
        c64::new(self.re.into(), self.im.into())
    }
}

impl TestElement for c64 {
    const EPS: f64 = f64::EPSILON;
    const COMPLEX: bool = true;
    fn from_c64(z: c64) -> Self {
        z
    }
    fn to_c64(self) -> c64 {
        self
    }
}

/// A dense row-major matrix in c64, the tests' reference arithmetic.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct M {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<c64>,
}

impl M {
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> c64) -> M {
        let data = (0..rows * cols)
            .map(|k| f(k / cols.max(1), k % cols.max(1)))
            .collect();
        M { rows, cols, data }
    }

    pub fn real(rows: usize, cols: usize, values: &[f64]) -> M {
        assert_eq!(values.len(), rows * cols);
        M {
            rows,
            cols,
            data: values.iter().map(|&x| c64::new(x, 0.0)).collect(),
        }
    }

    pub fn identity(n: usize) -> M {
        M::from_fn(n, n, |i, j| c64::new(if i == j { 1.0 } else { 0.0 }, 0.0))
    }

    /// Entries in [-1, 1) from a fixed xorshift stream; complex when `complex`.
    pub fn random(rows: usize, cols: usize, complex: bool, seed: u64) -> M {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        M::from_fn(rows, cols, |_, _| {
            let re = next();
            c64::new(re, if complex { next() } else { 0.0 })
        })
    }

    pub fn hilbert(n: usize) -> M {
        M::from_fn(n, n, |i, j| c64::new(1.0 / (i + j + 1) as f64, 0.0))
    }

    pub fn diag(values: &[f64]) -> M {
        let n = values.len();
        M::from_fn(n, n, |i, j| {
            c64::new(if i == j { values[i] } else { 0.0 }, 0.0)
        })
    }

    pub fn at(&self, i: usize, j: usize) -> c64 {
        self.data[i * self.cols + j]
    }

    pub fn adjoint(&self) -> M {
        M::from_fn(self.cols, self.rows, |i, j| self.at(j, i).conj())
    }

    pub fn transpose(&self) -> M {
        M::from_fn(self.cols, self.rows, |i, j| self.at(j, i))
    }

    pub fn conj(&self) -> M {
        M::from_fn(self.rows, self.cols, |i, j| self.at(i, j).conj())
    }

    pub fn mul(&self, other: &M) -> M {
        assert_eq!(self.cols, other.rows);
        M::from_fn(self.rows, other.cols, |i, j| {
            (0..self.cols).map(|k| self.at(i, k) * other.at(k, j)).sum()
        })
    }

    pub fn sub(&self, other: &M) -> M {
        assert_eq!((self.rows, self.cols), (other.rows, other.cols));
        M::from_fn(self.rows, self.cols, |i, j| self.at(i, j) - other.at(i, j))
    }

    pub fn add(&self, other: &M) -> M {
        assert_eq!((self.rows, self.cols), (other.rows, other.cols));
        M::from_fn(self.rows, self.cols, |i, j| self.at(i, j) + other.at(i, j))
    }

    pub fn scale_cols(&self, d: &[c64]) -> M {
        M::from_fn(self.rows, self.cols, |i, j| self.at(i, j) * d[j])
    }

    pub fn norm(&self) -> f64 {
        self.data.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt()
    }

    /// The leading `rows × cols` block.
    pub fn block(&self, rows: usize, cols: usize) -> M {
        M::from_fn(rows, cols, |i, j| self.at(i, j))
    }

    /// The Hermitian positive definite `A·Aᴴ + n·I`.
    pub fn hpd(&self) -> M {
        let n = self.rows;
        self.mul(&self.adjoint())
            .add(&M::identity(n).scale_cols(&vec![c64::new(n as f64, 0.0); n]))
    }

    /// The Hermitian `(A + Aᴴ)/2`.
    pub fn hermitian(&self) -> M {
        let h = self.add(&self.adjoint());
        M::from_fn(self.rows, self.cols, |i, j| h.at(i, j) * 0.5)
    }

    pub fn is_finite(&self) -> bool {
        self.data
            .iter()
            .all(|z| z.re.is_finite() && z.im.is_finite())
    }

    pub fn all_nan(&self) -> bool {
        self.data.iter().all(|z| z.re.is_nan() || z.im.is_nan())
    }

    /// Whether this is the failed triangular factor JAX returns: NaN throughout the lower
    /// (`lower`) or upper triangle, exact zeros in the other.
    pub fn nan_factor(&self, lower: bool) -> bool {
        (0..self.rows).all(|i| {
            (0..self.cols).all(|j| {
                let z = self.at(i, j);
                if i == j || (j < i) == lower {
                    z.re.is_nan() || z.im.is_nan()
                } else {
                    z == c64::new(0.0, 0.0)
                }
            })
        })
    }

    /// The entries as `T`, rounded to its precision.
    pub fn to<T: TestElement>(&self) -> Vec<T> {
        self.data.iter().map(|&z| T::from_c64(z)).collect()
    }

    /// This matrix as `T` and back: what the kernel actually sees.
    pub fn rounded<T: TestElement>(&self) -> M {
        M::of(self.rows, self.cols, &self.to::<T>())
    }

    pub fn of<T: TestElement>(rows: usize, cols: usize, data: &[T]) -> M {
        assert_eq!(data.len(), rows * cols);
        M {
            rows,
            cols,
            data: data.iter().map(|&x| x.to_c64()).collect(),
        }
    }
}

/// A buffer of `len` zeros of `T`'s real type, for real outputs.
pub(super) fn real_zeros<T: TestElement>(len: usize) -> Vec<T::Real> {
    vec![faer::traits::math_utils::zero(); len]
}

/// `len` zeros of `T`, for outputs.
pub(super) fn zeros<T: TestElement>(len: usize) -> Vec<T> {
    vec![T::from_c64(c64::new(0.0, 0.0)); len]
}

/// Concatenates matrices of one shape into a batched buffer.
pub(super) fn batch<T: TestElement>(matrices: &[M]) -> Vec<T> {
    matrices.iter().flat_map(|m| m.to::<T>()).collect()
}

/// Splits a batched buffer into `count` matrices of `rows × cols`.
pub(super) fn unbatch<T: TestElement>(
    data: &[T],
    count: usize,
    rows: usize,
    cols: usize,
) -> Vec<M> {
    assert_eq!(data.len(), count * rows * cols);
    (0..count)
        .map(|b| M::of(rows, cols, &data[b * rows * cols..(b + 1) * rows * cols]))
        .collect()
}

/// Asserts `residual ≤ tolerance · eps · scale` (`scale` is `max(1, …)` so empty and zero
/// matrices pass on an absolute bound).
#[track_caller]
pub(super) fn assert_small<T: TestElement>(what: &str, residual: f64, scale: f64, tolerance: f64) {
    let bound = tolerance * T::EPS * scale.max(f64::MIN_POSITIVE);
    assert!(
        residual <= bound,
        "{}: {what}: residual {residual:e} exceeds {tolerance} · eps · {scale:e} = {bound:e}",
        std::any::type_name::<T>(),
    );
}

/// The general test matrices of one kind (real or complex): well-conditioned random ones of
/// several sizes, ill-conditioned, singular, with repeated eigenvalues, 1 × 1 and empty.
pub(super) fn square_cases<T: TestElement>() -> Vec<(&'static str, M)> {
    let c = T::COMPLEX;
    let mut singular = M::random(5, 5, c, 7);
    for j in 0..5 {
        let row = singular.at(1, j);
        singular.data[3 * 5 + j] = row * 2.0;
    }
    vec![
        ("random 5 × 5", M::random(5, 5, c, 1)),
        ("random 40 × 40", M::random(40, 40, c, 2)),
        ("hilbert 8 × 8", M::hilbert(8)),
        ("singular 5 × 5", singular),
        ("zero 3 × 3", M::from_fn(3, 3, |_, _| c64::new(0.0, 0.0))),
        ("identity 4 × 4", M::identity(4)),
        ("diag(1, 1, 2)", M::diag(&[1.0, 1.0, 2.0])),
        ("1 × 1", M::real(1, 1, &[-3.0])),
        ("0 × 0", M::identity(0)),
    ]
}

/// Non-square (and square) shapes for the kernels that take any `m × n`.
pub(super) fn rectangular_cases<T: TestElement>() -> Vec<(&'static str, M)> {
    let c = T::COMPLEX;
    let mut rank_one = M::random(6, 4, c, 11);
    let col = rank_one.block(6, 1);
    rank_one = M::from_fn(6, 4, |i, j| col.at(i, 0) * (j + 1) as f64);
    let low_rank = M::random(40, 5, c, 12).mul(&M::random(5, 36, c, 13));
    vec![
        ("rank five 40 × 36", low_rank),
        ("random 7 × 3", M::random(7, 3, c, 3)),
        ("random 3 × 7", M::random(3, 7, c, 4)),
        ("random 40 × 33", M::random(40, 33, c, 5)),
        ("random 33 × 40", M::random(33, 40, c, 6)),
        ("rank one 6 × 4", rank_one),
        (
            "zero column 4 × 3",
            M::from_fn(4, 3, |i, j| {
                c64::new(if j == 1 { 0.0 } else { (i + j) as f64 }, 0.0)
            }),
        ),
        ("1 × 5", M::real(1, 5, &[1.0, -2.0, 3.0, 0.5, 4.0])),
        ("5 × 1", M::real(5, 1, &[1.0, -2.0, 3.0, 0.5, 4.0])),
        ("0 × 3", M::from_fn(0, 3, |_, _| c64::new(0.0, 0.0))),
        ("3 × 0", M::from_fn(3, 0, |_, _| c64::new(0.0, 0.0))),
    ]
    .into_iter()
    .chain(square_cases::<T>())
    .collect()
}

/// Three different matrices of one shape, for the batched tests.
pub(super) fn batch_of_three<T: TestElement>(rows: usize, cols: usize) -> Vec<M> {
    (0..3)
        .map(|s| M::random(rows, cols, T::COMPLEX, 100 + s))
        .collect()
}
