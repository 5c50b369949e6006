//! Eigendecomposition of general matrices, as LAPACK's `geev` and `jax.lax.linalg.eig`.

use faer::complex::Complex;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{ComputeEigenvectors, evd_cplx, evd_real, evd_scratch};
use faer::prelude::Reborrow;
use faer::traits::math_utils::{imag, nan, real, recip, sqrt, zero};
use faer::{Col, ColMut, ColRef, Mat, MatMut, MatRef, Par};

use super::{Batch, Element, KernelError, all_finite, chunks, chunks_mut, view, view_mut};
use crate::kernels::{ComplexOf, RealElement, check_len, in_pool, par_for};

const KERNEL: &str = "eig";

/// The flags of [`eig`], with `jax.lax.linalg.eig`'s names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EigOptions {
    /// Compute the left eigenvectors `vl` (`uᴴ·A = λ·uᴴ`); `vl` must be empty otherwise.
    pub compute_left: bool,
    /// Compute the right eigenvectors `vr` (`A·v = λ·v`); `vr` must be empty otherwise.
    pub compute_right: bool,
}

/// The eigenvalues and eigenvectors of each general `n × n` matrix of `a` (`[batch, n, n]`,
/// `shape`), real or complex: `w` (`[batch, n]`) receives the eigenvalues, `vl` and `vr`
/// (`[batch, n, n]`, when asked for) the left and right eigenvectors as columns, all complex.
/// Column `j` of `vl` and `vr` belongs to `w[j]`; each is normalized to unit 2-norm with its
/// largest component real, as `geev` does. For real input the eigenvalues are real or come
/// in exactly conjugate pairs, positive imaginary part first. The order of the eigenvalues
/// is faer's (LAPACK specifies none either).
///
/// Non-finite input gives NaN in all outputs for that batch element. (faer's general
/// eigensolver reports no other failure: its Schur iteration's convergence is not checked.)
pub fn eig<T: Element>(
    a: &[T],
    w: &mut [ComplexOf<T>],
    vl: &mut [ComplexOf<T>],
    vr: &mut [ComplexOf<T>],
    shape: Batch,
    options: EigOptions,
) -> Result<(), KernelError> {
    shape.check_square(KERNEL)?;
    let n = shape.rows;
    let dim = |wanted: bool| if wanted { n } else { 0 };
    shape.check(KERNEL, "a", a.len())?;
    shape.check_vectors(KERNEL, "w", n, w.len())?;
    let (nl, nr) = (dim(options.compute_left), dim(options.compute_right));
    check_len(KERNEL, "vl", &[shape.batch, nl, nl], vl.len())?;
    check_len(KERNEL, "vr", &[shape.batch, nr, nr], vr.len())?;
    let mut solver = Solver::<T>::new(n, options);
    let inputs = chunks(a, n * n, shape.batch).zip(chunks_mut(w, n, shape.batch));
    let vectors = chunks_mut(vl, nl * nl, shape.batch).zip(chunks_mut(vr, nr * nr, shape.batch));
    in_pool(solver.par, || {
        for ((a, w), (vl, vr)) in inputs.zip(vectors) {
            let a = view(a, n, n);
            let solved = all_finite(a) && solver.solve(a, w, vl, vr);
            if solved {
                normalize(view_mut(vl, nl, nl), w, T::IS_REAL);
                normalize(view_mut(vr, nr, nr), w, T::IS_REAL);
            } else {
                for out in [w, vl, vr] {
                    out.fill(Complex::new(nan(), nan()));
                }
            }
        }
    });
    Ok(())
}

/// faer's general eigensolver and its buffers for one matrix size.
struct Solver<T: Element> {
    n: usize,
    options: EigOptions,
    par: Par,
    stack: MemBuffer,
    /// The input as faer's real or complex type (only the one for `T` is allocated).
    real_input: Mat<T::Real>,
    complex_input: Mat<ComplexOf<T>>,
    /// The real path's eigenvalues (real and imaginary parts) and eigenvectors, in LAPACK's
    /// real form: a conjugate pair's vector `x ± i·y` is stored as the columns `x`, `y`.
    re: Col<T::Real>,
    im: Col<T::Real>,
    left: Mat<T::Real>,
    right: Mat<T::Real>,
}

impl<T: Element> Solver<T> {
    fn new(n: usize, options: EigOptions) -> Self {
        let par = par_for(n);
        let want = |wanted| {
            if wanted {
                ComputeEigenvectors::Yes
            } else {
                ComputeEigenvectors::No
            }
        };
        let (left, right) = (want(options.compute_left), want(options.compute_right));
        let scratch = evd_scratch::<T>(n, left, right, par, Default::default());
        // Only real input needs the real-form buffers.
        let dim = |wanted: bool| if wanted && T::IS_REAL { n } else { 0 };
        let complex_dim = if T::IS_REAL { 0 } else { n };
        Solver {
            n,
            options,
            par,
            stack: MemBuffer::new(scratch),
            real_input: Mat::zeros(dim(true), dim(true)),
            complex_input: Mat::zeros(complex_dim, complex_dim),
            re: Col::zeros(dim(true)),
            im: Col::zeros(dim(true)),
            left: Mat::zeros(dim(options.compute_left), dim(options.compute_left)),
            right: Mat::zeros(dim(options.compute_right), dim(options.compute_right)),
        }
    }

    /// Decomposes `a` into `w`, `vl`, `vr` (unnormalized); false if faer did not converge.
    fn solve(
        &mut self,
        a: MatRef<'_, T>,
        w: &mut [ComplexOf<T>],
        vl: &mut [ComplexOf<T>],
        vr: &mut [ComplexOf<T>],
    ) -> bool {
        let n = self.n;
        let stack = MemStack::new(&mut self.stack);
        if !T::IS_REAL {
            let input = &mut self.complex_input;
            for j in 0..n {
                for i in 0..n {
                    input[(i, j)] = Complex::new(real(&a[(i, j)]), imag(&a[(i, j)]));
                }
            }
            let vl = self.options.compute_left.then(|| view_mut(vl, n, n));
            let vr = self.options.compute_right.then(|| view_mut(vr, n, n));
            let w = ColMut::from_slice_mut(w).as_diagonal_mut();
            return evd_cplx(
                input.as_ref(),
                w,
                vl,
                vr,
                self.par,
                stack,
                Default::default(),
            )
            .is_ok();
        }
        for j in 0..n {
            for i in 0..n {
                self.real_input[(i, j)] = real(&a[(i, j)]);
            }
        }
        let left = self.options.compute_left.then(|| self.left.as_mut());
        let right = self.options.compute_right.then(|| self.right.as_mut());
        let (re, im) = (self.re.as_diagonal_mut(), self.im.as_diagonal_mut());
        if evd_real(
            self.real_input.rb(),
            re,
            im,
            left,
            right,
            self.par,
            stack,
            Default::default(),
        )
        .is_err()
        {
            return false;
        }
        for (j, w) in w.iter_mut().enumerate() {
            *w = Complex::new(self.re[j], self.im[j]);
        }
        if self.options.compute_left {
            expand_real_form(self.left.rb(), self.im.rb(), view_mut(vl, n, n));
        }
        if self.options.compute_right {
            expand_real_form(self.right.rb(), self.im.rb(), view_mut(vr, n, n));
        }
        true
    }
}

/// Complex eigenvectors from LAPACK's real form: a real eigenvalue's vector is its column,
/// and the pair `λ, conj(λ)` at `j, j + 1` (`im[j] ≠ 0`) has the vectors `x ± i·y` from the
/// columns `x`, `y`.
fn expand_real_form<R: RealElement>(
    real_form: MatRef<'_, R>,
    im: ColRef<'_, R>,
    mut out: MatMut<'_, Complex<R>>,
) {
    let n = real_form.nrows();
    let mut j = 0;
    while j < n {
        if im[j] != zero() && j + 1 < n {
            for i in 0..n {
                let (x, y) = (real_form[(i, j)], real_form[(i, j + 1)]);
                out[(i, j)] = Complex::new(x, y);
                out[(i, j + 1)] = Complex::new(x, -y);
            }
            j += 2;
        } else {
            for i in 0..n {
                out[(i, j)] = Complex::new(real_form[(i, j)], zero());
            }
            j += 1;
        }
    }
}

/// Scales each column of `v` to unit 2-norm and turns its first largest-magnitude component
/// real and positive, as `geev` does; a real vector of a real matrix (`real_input`, real
/// eigenvalue) keeps its sign, as in `dgeev`.
fn normalize<R: RealElement>(mut v: MatMut<'_, Complex<R>>, w: &[Complex<R>], real_input: bool) {
    let n = v.nrows();
    for j in 0..v.ncols() {
        let mut norm2 = zero::<R>();
        let mut largest = 0;
        let mut largest2 = zero::<R>();
        for i in 0..n {
            let m2 = v[(i, j)].norm_sqr();
            norm2 += m2;
            if m2 > largest2 {
                largest2 = m2;
                largest = i;
            }
        }
        if norm2 == zero() {
            continue;
        }
        let inv_norm = recip(&sqrt(&norm2));
        let keep_sign = real_input && w[j].im == zero();
        let scale = if keep_sign {
            Complex::new(inv_norm, zero())
        } else {
            v[(largest, j)].conj() * Complex::new(inv_norm * recip(&sqrt(&largest2)), zero())
        };
        for i in 0..n {
            v[(i, j)] *= scale;
        }
        if !keep_sign {
            // Exactly real, as geev sets it, not just up to rounding.
            v[(largest, j)].im = zero();
        }
    }
}
