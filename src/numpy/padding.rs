//! Padding, as in `jax.numpy`: `pad` with the modes `constant` (per-side values), `edge`,
//! `reflect` and `symmetric` (even or odd) and `wrap`, built on `lax::pad`, slices, `rev` and
//! concatenation, so that it differentiates (with respect to the constants too) and batches.

use super::{repeat, scalar_like};
use crate::lax::{self, unwrap_at_caller};
use crate::shape_check::{assert_shape, sum_dims};
use crate::{Array, IntoArray};

/// Something given for both sides of every axis in NumPy's forms: one value for all, one
/// `(before, after)` pair for every axis, or a pair per axis. [`PadWidth`] counts elements;
/// [`PadMode::Constant`] holds values.
#[derive(Debug, Clone)]
pub enum Sides<T> {
    /// The same before and after every axis (NumPy's `n`).
    All(T),
    /// `before` and `after` on every axis (NumPy's `(before, after)`).
    Both(T, T),
    /// One `(before, after)` pair per axis (NumPy's `((b0, a0), (b1, a1), ...)`); a single
    /// pair applies to every axis.
    PerAxis(Vec<(T, T)>),
}

/// How many elements [`pad`] adds before and after each axis.
pub type PadWidth = Sides<usize>;

impl From<usize> for PadWidth {
    fn from(n: usize) -> Self {
        Sides::All(n)
    }
}

impl From<(usize, usize)> for PadWidth {
    fn from((before, after): (usize, usize)) -> Self {
        Sides::Both(before, after)
    }
}

impl From<Vec<(usize, usize)>> for PadWidth {
    fn from(pairs: Vec<(usize, usize)>) -> Self {
        Sides::PerAxis(pairs)
    }
}

impl From<&[(usize, usize)]> for PadWidth {
    fn from(pairs: &[(usize, usize)]) -> Self {
        Sides::PerAxis(pairs.to_vec())
    }
}

impl<T: Clone> Sides<T> {
    /// One `(before, after)` pair for each of `ndim` axes.
    #[track_caller]
    fn per_axis(&self, what: &str, x: &Array) -> Vec<(T, T)> {
        let ndim = x.ndim();
        match self {
            Sides::All(v) => vec![(v.clone(), v.clone()); ndim],
            Sides::Both(before, after) => vec![(before.clone(), after.clone()); ndim],
            Sides::PerAxis(pairs) if pairs.len() == 1 => vec![pairs[0].clone(); ndim],
            Sides::PerAxis(pairs) => {
                assert!(
                    pairs.len() == ndim,
                    "pad: {} {what} pairs given for an array of rank {ndim} ({})",
                    pairs.len(),
                    x.aval()
                );
                pairs.clone()
            }
        }
    }
}

/// Whether [`PadMode::Reflect`] and [`PadMode::Symmetric`] mirror the values themselves
/// (`Even`, NumPy's default `reflect_type`) or their differences from the edge (`Odd`:
/// `2 * edge - mirrored`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReflectType {
    /// The mirrored values.
    #[default]
    Even,
    /// The mirrored values reflected through the edge value.
    Odd,
}

/// What [`pad`] fills with (NumPy's `mode`).
#[derive(Debug, Clone)]
pub enum PadMode {
    /// Constant values (scalars, converted to the array's dtype) per side of each axis;
    /// [`PadMode::constant`] gives one value everywhere.
    Constant(Sides<Array>),
    /// The edge value repeated.
    Edge,
    /// The values mirrored about the edge, without repeating it: `[1, 2, 3]` padded by 2 before
    /// is `[3, 2, 1, 2, 3]`.
    Reflect(ReflectType),
    /// The values mirrored about the edge, repeating it: `[1, 2, 3]` padded by 2 before is
    /// `[2, 1, 1, 2, 3]`.
    Symmetric(ReflectType),
    /// The values of the other end, as if the axis were periodic.
    Wrap,
}

impl PadMode {
    /// Constant padding with `value` on every side (NumPy's `constant_values=value`).
    pub fn constant(value: impl IntoArray) -> PadMode {
        PadMode::Constant(Sides::All(value.into_array()))
    }
}

impl Default for PadMode {
    /// NumPy's default: constant zeros.
    fn default() -> Self {
        PadMode::constant(0)
    }
}

/// `x[start..stop]` along `dim`.
fn slice_in_dim(x: &Array, start: usize, stop: usize, dim: usize) -> Array {
    let mut starts = vec![0; x.ndim()];
    let mut limits = x.shape().to_vec();
    starts[dim] = start;
    limits[dim] = stop;
    lax::slice(x, &starts, &limits, None)
}

/// How a non-constant mode extends one axis: `(x, dim, before, after) -> padded`.
type Extend = Box<dyn Fn(&Array, usize, usize, usize) -> Array>;

/// `x` padded by `pad_width` elements before and after each axis, filled as `mode` says
/// (`jnp.pad`). Modes other than `Constant` need a non-empty axis wherever they pad.
#[track_caller]
pub fn pad(x: impl IntoArray, pad_width: impl Into<PadWidth>, mode: &PadMode) -> Array {
    let x = &x.into_array();
    let widths = pad_width.into().per_axis("pad width", x);
    let padded = x
        .shape()
        .iter()
        .zip(&widths)
        .map(|(&n, &(before, after))| sum_dims("pad", "a padded dimension", &[n, before, after]))
        .collect::<crate::Result<Vec<usize>>>();
    assert_shape("pad", &unwrap_at_caller(padded), x.dtype());
    let extend: Extend = match mode {
        PadMode::Constant(values) => {
            return pad_constant(x, &widths, &values.per_axis("constant value", x));
        }
        PadMode::Edge => Box::new(pad_edge),
        PadMode::Wrap => Box::new(pad_wrap),
        &PadMode::Reflect(kind) => Box::new(move |x, d, b, a| pad_mirror(x, d, b, a, 1, kind)),
        &PadMode::Symmetric(kind) => Box::new(move |x, d, b, a| pad_mirror(x, d, b, a, 0, kind)),
    };
    let mut out = x.clone();
    for (dim, &(before, after)) in widths.iter().enumerate() {
        if before == 0 && after == 0 {
            continue;
        }
        assert!(
            x.shape()[dim] > 0,
            "pad: cannot extend the empty axis {dim} of {} using a mode other than constant \
             ({mode:?})",
            x.aval()
        );
        out = extend(&out, dim, before, after);
    }
    out
}

/// Constant padding: one `lax::pad` per side of each axis.
#[track_caller]
fn pad_constant(x: &Array, widths: &[(usize, usize)], values: &[(Array, Array)]) -> Array {
    let mut out = x.clone();
    for (dim, (&(before, after), (low, high))) in widths.iter().zip(values).enumerate() {
        for (count, value, side) in [(before, low, 0), (after, high, 1)] {
            assert!(
                value.ndim() == 0,
                "pad: constant values must be scalars, got {} for {}",
                value.aval(),
                x.aval()
            );
            if count == 0 {
                continue;
            }
            let mut config = vec![(0i64, 0i64, 0usize); x.ndim()];
            if side == 0 {
                config[dim].0 = count as i64;
            } else {
                config[dim].1 = count as i64;
            }
            out = lax::pad(&out, scalar_like(value, x), &config);
        }
    }
    out
}

/// Edge padding of axis `dim`: the first and last slices repeated.
fn pad_edge(x: &Array, dim: usize, before: usize, after: usize) -> Array {
    let n = x.shape()[dim];
    let axis = Some(dim as isize);
    let first = repeat(slice_in_dim(x, 0, 1, dim), &[before], axis);
    let last = repeat(slice_in_dim(x, n - 1, n, dim), &[after], axis);
    lax::concatenate([&first, x, &last], dim)
}

/// Periodic padding of axis `dim`: whole copies of `x`, with partial copies at the ends.
fn pad_wrap(x: &Array, dim: usize, before: usize, after: usize) -> Array {
    let n = x.shape()[dim];
    let copies = before / n + after / n + 1;
    let mut parts = vec![slice_in_dim(x, n - before % n, n, dim)];
    parts.extend(std::iter::repeat_n(x.clone(), copies));
    parts.push(slice_in_dim(x, 0, after % n, dim));
    let refs: Vec<&Array> = parts.iter().collect();
    lax::concatenate(&refs, dim)
}

/// Mirror padding of axis `dim` (JAX's `_pad_symmetric_or_reflect`): `offset` 1 reflects
/// without repeating the edge, 0 repeats it. Pads longer than the axis mirror the growing
/// result again, as NumPy does.
fn pad_mirror(
    x: &Array,
    dim: usize,
    before: usize,
    after: usize,
    offset: usize,
    kind: ReflectType,
) -> Array {
    let size = x.shape()[dim];
    let offset = if size == 1 { 0 } else { offset };
    let mut out = x.clone();
    for (mut remaining, at_start) in [(before, true), (after, false)] {
        let mut edge = if at_start {
            slice_in_dim(&out, 0, 1, dim)
        } else {
            let n = out.shape()[dim];
            slice_in_dim(&out, n - 1, n, dim)
        };
        while remaining > 0 {
            let count = remaining.min(size - offset);
            remaining -= count;
            let n = out.shape()[dim];
            let part = if at_start {
                slice_in_dim(&out, offset, offset + count, dim)
            } else {
                slice_in_dim(&out, n - count - offset, n - offset, dim)
            };
            let mut part = lax::rev(&part, &[dim]);
            if kind == ReflectType::Odd {
                part = &edge * 2 - &part;
                if size > 1 {
                    let m = part.shape()[dim];
                    edge = if at_start {
                        slice_in_dim(&part, 0, 1, dim)
                    } else {
                        slice_in_dim(&part, m - 1, m, dim)
                    };
                }
            }
            out = if at_start {
                lax::concatenate([&part, &out], dim)
            } else {
                lax::concatenate([&out, &part], dim)
            };
        }
    }
    out
}
