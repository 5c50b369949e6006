//! `norm`: vector and matrix norms, as `jnp.linalg.norm`.

use super::super::{
    abs_, axes, axis as one_axis, max_or_identity, maximum, min, moveaxis, sum, to_inexact,
};
use super::svd::singular_values;
use crate::Array;
use crate::IntoArray;
use crate::lax;
use crate::numpy::Axes;

/// Which norm [`norm`] computes (NumPy's `ord`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NormOrd {
    /// `ord=None`: the 2-norm of a vector, the Frobenius norm of a matrix (and of the
    /// flattened array, for `axis=None` on any rank).
    Default,
    /// `ord='fro'`: the Frobenius norm of a matrix.
    Fro,
    /// `ord='nuc'`: the nuclear norm of a matrix, the sum of its singular values.
    Nuc,
    /// `ord=1`: the sum of magnitudes of a vector; the largest column sum of a matrix.
    One,
    /// `ord=-1`: the harmonic sum `(Σ|x|⁻¹)⁻¹` of a vector; the smallest column sum of a matrix.
    NegOne,
    /// `ord=2`: the Euclidean norm of a vector; the largest singular value of a matrix.
    Two,
    /// `ord=-2`: `(Σ|x|⁻²)^(-1/2)` of a vector; the smallest singular value of a matrix.
    NegTwo,
    /// `ord=inf`: the largest magnitude of a vector; the largest row sum of a matrix.
    Inf,
    /// `ord=-inf`: the smallest magnitude of a vector; the smallest row sum of a matrix.
    NegInf,
    /// `ord=0`: the number of nonzero elements of a vector (as a float).
    Zero,
    /// Any other `ord=p` of a vector: `(Σ|x|ᵖ)^(1/p)` (a `p` with a variant of its own acts as
    /// that variant).
    P(f64),
}

impl NormOrd {
    /// `P(p)` for a `p` that has its own variant, as that variant.
    fn canonical(self) -> Self {
        match self {
            NormOrd::P(0.0) => NormOrd::Zero,
            NormOrd::P(1.0) => NormOrd::One,
            NormOrd::P(-1.0) => NormOrd::NegOne,
            NormOrd::P(2.0) => NormOrd::Two,
            NormOrd::P(-2.0) => NormOrd::NegTwo,
            NormOrd::P(p) if p == f64::INFINITY => NormOrd::Inf,
            NormOrd::P(p) if p == f64::NEG_INFINITY => NormOrd::NegInf,
            other => other,
        }
    }
}

/// JAX's keywords of `jnp.linalg.norm` for [`norm_with`]: the order `ord`, and the axes with
/// `keepdims` as one [`Axes`] (by default `ord=None`, `axis=None`, `keepdims=False`).
///
/// ```
/// use rjax::numpy::linalg::{self, NormOptions, NormOrd};
/// let x = rjax::Array::from([[3.0f32, -4.0], [0.0, 1.0]]);
/// let rows = linalg::norm_with(&x, NormOptions::ord(NormOrd::One).axes(1)); // ord=1, axis=1
/// assert_eq!(rows.to_vec::<f32>()?, [7.0, 1.0]);
/// let kept = linalg::norm_with(&x, NormOptions::default().axes(0).keepdims(true));
/// assert_eq!(kept.shape(), [1, 2]);
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NormOptions {
    /// Which norm (NumPy's `ord`, default [`NormOrd::Default`]).
    pub ord: NormOrd,
    /// One axis (a vector norm), two (a matrix norm, rows then columns) or every axis
    /// (`axis=None`, the default), and whether they stay as size-1 dimensions (`keepdims`).
    pub axes: Axes,
}

impl Default for NormOptions {
    fn default() -> NormOptions {
        NormOptions {
            ord: NormOrd::Default,
            axes: Axes::all(),
        }
    }
}

impl NormOptions {
    /// The norm `ord` over the default axes.
    pub fn ord(ord: NormOrd) -> NormOptions {
        NormOptions {
            ord,
            ..NormOptions::default()
        }
    }

    /// The same norm over `axes` (JAX's `axis`; an [`Axes`] with `keepdims` also sets it).
    pub fn axes(self, axes: impl Into<Axes>) -> NormOptions {
        NormOptions {
            axes: axes.into(),
            ..self
        }
    }

    /// The same, keeping the reduced axes as size-1 dimensions when `keep` (`keepdims`).
    pub fn keepdims(self, keep: bool) -> NormOptions {
        NormOptions {
            axes: self.axes.keepdims(keep),
            ..self
        }
    }
}

/// An order alone is the options with that order and the default axes.
impl From<NormOrd> for NormOptions {
    fn from(ord: NormOrd) -> NormOptions {
        NormOptions::ord(ord)
    }
}

/// The norm of `x` with JAX's defaults (`jnp.linalg.norm(x)`): the 2-norm of a vector, the
/// Frobenius norm of a matrix, and the 2-norm of the flattened array for any other rank. See
/// [`norm_with`] for the other orders and axes.
#[track_caller]
pub fn norm(x: impl IntoArray) -> Array {
    norm_with(x, NormOptions::default())
}

/// The norm of a vector or matrix (`jnp.linalg.norm(x, ord, axis, keepdims)`), with NumPy's
/// `ord` as [`NormOrd`]; `options` is a [`NormOptions`] or just a [`NormOrd`].
///
/// The axes name one axis (a vector norm) or two (a matrix norm, rows then columns); every
/// axis (the default) takes the whole array as a vector for 1-D input and as a matrix for 2-D
/// input; for other ranks only [`NormOrd::Default`] is allowed and gives the 2-norm of the
/// flattened array. With `keepdims`, the reduced axes stay as size-1 dimensions.
///
/// # Panics
/// If an axis is out of bounds or repeated, if `ord` does not apply to a vector (`Fro`,
/// `Nuc`) or to a matrix (`Zero`, `P`), or if the axes are every axis of an input of rank
/// above 2 with another `ord` than `Default`.
#[track_caller]
pub fn norm_with(x: impl IntoArray, options: impl Into<NormOptions>) -> Array {
    let options = options.into();
    let (axis, keepdims) = (options.axes.list(), options.axes.keeps_dims());
    let x = &x.into_array();
    let x = to_inexact(x);
    let ord = options.ord.canonical();
    let ndim = x.ndim();
    let dims = lax::unwrap_at_caller(axes("norm", axis, ndim));
    if axis.is_none() {
        if ord == NormOrd::Default {
            return sum(&(&x * &x), Axes::all().keepdims(keepdims)).sqrt();
        }
        assert!(
            ndim == 1 || ndim == 2,
            "norm: Improper number of dimensions to norm: ord={ord:?} needs a vector or a \
             matrix, got {}",
            x.aval()
        );
    }
    let axes: Vec<isize> = match axis {
        Some(list) => list.to_vec(),
        None => (0..ndim as isize).collect(),
    };
    match dims.len() {
        1 => vector_norm(&x, ord, &axes, keepdims),
        2 => {
            let row = lax::unwrap_at_caller(one_axis("norm", axes[0], ndim));
            let col = lax::unwrap_at_caller(one_axis("norm", axes[1], ndim));
            matrix_norm(&x, ord, row, col, keepdims)
        }
        n => panic!("norm: Improper number of axes for norm: {n} (one or two)"),
    }
}

/// A vector norm along `axis` (one axis).
#[track_caller]
fn vector_norm(x: &Array, ord: NormOrd, axis: &[isize], keepdims: bool) -> Array {
    let a = abs_(x);
    match ord {
        NormOrd::Default | NormOrd::Two => {
            sum(&(x * x), Axes::from(axis).keepdims(keepdims)).sqrt()
        }
        NormOrd::One => sum(&a, Axes::from(axis).keepdims(keepdims)),
        NormOrd::Inf => max_or_zero(&a, axis, keepdims),
        NormOrd::NegInf => min(&a, Axes::from(axis).keepdims(keepdims)),
        NormOrd::Zero => {
            let nonzero = lax::convert_element_type(x.ne(0.0), x.dtype());
            sum(&nonzero, Axes::from(axis).keepdims(keepdims))
        }
        NormOrd::NegOne => power_norm(&a, -1.0, axis, keepdims),
        NormOrd::NegTwo => power_norm(&a, -2.0, axis, keepdims),
        NormOrd::P(p) => power_norm(&a, p, axis, keepdims),
        NormOrd::Fro | NormOrd::Nuc => {
            panic!("norm: Invalid norm order {ord:?} for vectors")
        }
    }
}

/// The largest element of `a` (non-negative) along `axes`, or 0 where that is larger or the
/// axes are empty: JAX's `amax(a, axis, initial=0)`, whose derivative splits a tie with the
/// initial 0 (a zero vector's largest magnitude) as `maximum` does.
fn max_or_zero(a: &Array, axes: &[isize], keepdims: bool) -> Array {
    maximum(max_or_identity(a, Some(axes), keepdims), 0.0)
}

/// `(Σ|x|ᵖ)^(1/p)` along `axis`, from `a = |x|`.
fn power_norm(a: &Array, p: f64, axis: &[isize], keepdims: bool) -> Array {
    sum(a.pow(p), Axes::from(axis).keepdims(keepdims)).pow(1.0 / p)
}

/// A matrix norm over the `row` and `col` axes.
#[track_caller]
fn matrix_norm(x: &Array, ord: NormOrd, row: usize, col: usize, keepdims: bool) -> Array {
    assert!(row != col, "norm: Duplicate axes given");
    let (r, c) = (row as isize, col as isize);
    let a = abs_(x);
    // ord=±1: extreme column sums (a sum over rows); ord=±inf: extreme row sums.
    let extreme_sum = |summed: isize, over: isize, largest: bool| {
        let sums = sum(&a, Axes::from(summed).keepdims(true));
        if largest {
            max_or_zero(&sums, &[over], true)
        } else {
            min(&sums, Axes::from(over).keepdims(true))
        }
    };
    let kept = match ord {
        NormOrd::Default | NormOrd::Fro => sum(&(x * x), Axes::from([r, c]).keepdims(true)).sqrt(),
        NormOrd::One => extreme_sum(r, c, true),
        NormOrd::NegOne => extreme_sum(r, c, false),
        NormOrd::Inf => extreme_sum(c, r, true),
        NormOrd::NegInf => extreme_sum(c, r, false),
        NormOrd::Two | NormOrd::NegTwo | NormOrd::Nuc => {
            let s = singular_values(&moveaxis(x, &[r, c], &[-2, -1]));
            let value = match ord {
                NormOrd::Two => max_or_zero(&s, &[-1], false),
                NormOrd::NegTwo => min(&s, -1),
                _ => s.sum_axes([-1]),
            };
            let mut both = [row, col];
            both.sort_unstable();
            lax::expand_dims(&value, &both)
        }
        NormOrd::Zero | NormOrd::P(_) => {
            panic!("norm: Invalid norm order {ord:?} for matrices")
        }
    };
    if keepdims {
        kept
    } else {
        let mut both = [row, col];
        both.sort_unstable();
        lax::squeeze(&kept, &both)
    }
}
