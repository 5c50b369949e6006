//! Shape manipulation, as in `jax.numpy`: `reshape` (with `-1`), `ravel`, `transpose`,
//! `swapaxes`, `moveaxis`, `squeeze`, `expand_dims`, `broadcast_to`, `flip`, `flipud`,
//! `fliplr`, `rot90`, and the elementwise selections `where` and `clip`. Joining and splitting
//! are in `joining`.

use super::{axes, axis as one_axis, broadcast_array, promote, promote_and_broadcast};
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, IntoArray};

/// `x` with a new shape of the same size (`jnp.reshape`); one entry may be `-1`, inferred.
#[track_caller]
pub fn reshape(x: impl IntoArray, shape: &[isize]) -> Array {
    let x = &x.into_array();
    let inferred = shape.iter().filter(|&&d| d < 0).count();
    assert!(
        inferred <= 1 && shape.iter().all(|&d| d >= -1),
        "reshape: at most one dimension may be -1, got {shape:?}"
    );
    let known_dims: Vec<usize> = shape
        .iter()
        .filter(|&&d| d >= 0)
        .map(|&d| d as usize)
        .collect();
    // A product that overflows cannot divide x's size: report it as a mismatch below.
    let known = crate::shape_check::element_count(&known_dims).unwrap_or(0);
    if inferred == 1 {
        assert!(
            known != 0 && x.size().is_multiple_of(known),
            "reshape: cannot reshape {} into {shape:?}",
            x.aval()
        );
    }
    let sizes: Vec<usize> = shape
        .iter()
        .map(|&d| if d >= 0 { d as usize } else { x.size() / known })
        .collect();
    assert!(
        crate::shape_check::element_count(&sizes) == Some(x.size()),
        "reshape: cannot reshape {} into {shape:?}",
        x.aval()
    );
    lax::reshape(x, &sizes)
}

/// `x` flattened to one dimension (`jnp.ravel`).
#[track_caller]
pub fn ravel(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    lax::reshape(x, &[x.size()])
}

/// `x` with its axes permuted (`jnp.transpose`); `None` reverses them.
#[track_caller]
pub fn transpose(x: impl IntoArray, axes: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let permutation: Vec<usize> = match axes {
        None => (0..x.ndim()).rev().collect(),
        Some(list) => {
            let p: Vec<usize> = list
                .iter()
                .map(|&a| unwrap_at_caller(one_axis("transpose", a, x.ndim())))
                .collect();
            let mut sorted = p.clone();
            sorted.sort_unstable();
            assert!(
                sorted == (0..x.ndim()).collect::<Vec<_>>(),
                "transpose: {list:?} is not a permutation of the axes of {}",
                x.aval()
            );
            p
        }
    };
    lax::transpose(x, &permutation)
}

/// `x` with axes `axis1` and `axis2` interchanged (`jnp.swapaxes`).
#[track_caller]
pub fn swapaxes(x: impl IntoArray, axis1: isize, axis2: isize) -> Array {
    let x = &x.into_array();
    let a = unwrap_at_caller(one_axis("swapaxes", axis1, x.ndim()));
    let b = unwrap_at_caller(one_axis("swapaxes", axis2, x.ndim()));
    let mut p: Vec<usize> = (0..x.ndim()).collect();
    p.swap(a, b);
    lax::transpose(x, &p)
}

/// `x` with the axes `source` moved to positions `destination` (`jnp.moveaxis`).
#[track_caller]
pub fn moveaxis(x: impl IntoArray, source: &[isize], destination: &[isize]) -> Array {
    let x = &x.into_array();
    assert_eq!(
        source.len(),
        destination.len(),
        "moveaxis: source and destination must have the same length"
    );
    let n = x.ndim();
    let normalized = |list: &[isize]| -> crate::Result<Vec<usize>> {
        list.iter().map(|&a| one_axis("moveaxis", a, n)).collect()
    };
    let src = unwrap_at_caller(normalized(source));
    let dst = unwrap_at_caller(normalized(destination));
    let mut rest = (0..n).filter(|a| !src.contains(a));
    let mut placed: Vec<(usize, usize)> = dst.iter().copied().zip(src.iter().copied()).collect();
    placed.sort_unstable();
    let mut p = Vec::with_capacity(n);
    let mut next = placed.into_iter().peekable();
    for position in 0..n {
        match next.peek() {
            Some(&(d, s)) if d == position => {
                p.push(s);
                next.next();
            }
            _ => p.push(rest.next().expect("moveaxis: repeated axis")),
        }
    }
    lax::transpose(x, &p)
}

/// `x` without the size-1 `axis` dimensions (`None`: all size-1 dimensions) (`jnp.squeeze`).
#[track_caller]
pub fn squeeze(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let dims: Vec<usize> = match axis {
        None => (0..x.ndim()).filter(|&i| x.shape()[i] == 1).collect(),
        Some(_) => {
            let dims = unwrap_at_caller(axes("squeeze", axis, x.ndim()));
            for &d in &dims {
                assert!(
                    x.shape()[d] == 1,
                    "squeeze: axis {d} of {} does not have size 1",
                    x.aval()
                );
            }
            dims
        }
    };
    lax::squeeze(x, &dims)
}

/// `x` with size-1 dimensions inserted at `axis` of the result (`jnp.expand_dims`).
#[track_caller]
pub fn expand_dims(x: impl IntoArray, axis: &[isize]) -> Array {
    let x = &x.into_array();
    let dims = unwrap_at_caller(axes("expand_dims", Some(axis), x.ndim() + axis.len()));
    lax::expand_dims(x, &dims)
}

/// `x` broadcast to `shape` by NumPy's rules (`jnp.broadcast_to`).
#[track_caller]
pub fn broadcast_to(x: impl IntoArray, shape: &[usize]) -> Array {
    let x = &x.into_array();
    unwrap_at_caller(broadcast_array(x, shape))
}

/// `x` with the order of elements along `axis` reversed (`None`: all axes) (`jnp.flip`).
#[track_caller]
pub fn flip(x: impl IntoArray, axis: Option<&[isize]>) -> Array {
    let x = &x.into_array();
    let dims = unwrap_at_caller(axes("flip", axis, x.ndim()));
    lax::rev(x, &dims)
}

/// `x` upside down: reversed along axis 0 (`jnp.flipud`); `x` needs at least one dimension.
#[track_caller]
pub fn flipud(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    assert!(
        x.ndim() >= 1,
        "flipud: the input must have at least one dimension, got {}",
        x.aval()
    );
    lax::rev(x, &[0])
}

/// `x` mirrored left to right: reversed along axis 1 (`jnp.fliplr`); `x` needs at least two
/// dimensions.
#[track_caller]
pub fn fliplr(x: impl IntoArray) -> Array {
    let x = &x.into_array();
    assert!(
        x.ndim() >= 2,
        "fliplr: the input must have at least two dimensions, got {}",
        x.aval()
    );
    lax::rev(x, &[1])
}

/// `x` rotated by 90 degrees `k` times in the plane of `axes`, from the first axis toward the
/// second (`jnp.rot90`; NumPy's default `axes` is `[0, 1]`; negative `k` rotates the other
/// way).
#[track_caller]
pub fn rot90(x: impl IntoArray, k: i64, axes: [isize; 2]) -> Array {
    let x = &x.into_array();
    let a = unwrap_at_caller(one_axis("rot90", axes[0], x.ndim()));
    let b = unwrap_at_caller(one_axis("rot90", axes[1], x.ndim()));
    assert!(
        a != b,
        "rot90: the axes must be different, got {axes:?} for {}",
        x.aval()
    );
    let mut swap: Vec<usize> = (0..x.ndim()).collect();
    swap.swap(a, b);
    match k.rem_euclid(4) {
        0 => x.clone(),
        1 => lax::transpose(lax::rev(x, &[b]), &swap),
        2 => lax::rev(x, &[a.min(b), a.max(b)]),
        _ => lax::rev(lax::transpose(x, &swap), &[b]),
    }
}

/// Elements of `x` where `condition` is true, else of `y`, all broadcast together
/// (`jnp.where(condition, x, y)`).
#[track_caller]
pub fn where_(condition: impl IntoArray, x: impl IntoArray, y: impl IntoArray) -> Array {
    let condition = super::astype(&condition.into_array(), crate::DType::Bool);
    let values = unwrap_at_caller(promote(&[x.into_array(), y.into_array()]));
    let all = unwrap_at_caller(
        crate::array::broadcast_shapes(&[condition.shape(), values[0].shape(), values[1].shape()])
            .ok_or_else(|| {
                crate::Error::invalid(
                    "where",
                    format!(
                        "shapes do not broadcast together: condition {}, x {}, y {}",
                        condition.aval(),
                        values[0].aval(),
                        values[1].aval()
                    ),
                )
            }),
    );
    let c = broadcast_to(&condition, &all);
    let a = broadcast_to(&values[0], &all);
    let b = broadcast_to(&values[1], &all);
    lax::select_n(&c, [&b, &a])
}

/// `x` with values limited to `[min, max]` (`jnp.clip`); `None` leaves that side open.
#[track_caller]
pub fn clip<L: IntoArray, H: IntoArray>(
    x: impl IntoArray,
    min: Option<L>,
    max: Option<H>,
) -> Array {
    let x = &x.into_array();
    let mut out = x.clone();
    if let Some(low) = min {
        let args = unwrap_at_caller(promote_and_broadcast("clip", &[out, low.into_array()]));
        out = lax::max(&args[0], &args[1]);
    }
    if let Some(high) = max {
        let args = unwrap_at_caller(promote_and_broadcast("clip", &[out, high.into_array()]));
        out = lax::min(&args[0], &args[1]);
    }
    out
}
