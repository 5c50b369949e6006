//! `top_k`: the `k` largest entries along an axis and their indices, with JAX's semantics and
//! rules (`jax/_src/lax/lax.py`): ties go to the lower index, the indices are int32, the
//! tangent of the values is the operand's tangent gathered at the indices (so tied entries do
//! not share a tangent, unlike `max`), and the lowering moves `axis` last for `chlo.top_k`.

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::{Batched, full_dim};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::lax::OrderingOp;
use crate::lax::dot::in_order;
use crate::lax::ordering_ad::gather_along;
use crate::lax::ordering_options::dimension_index;
use crate::lax::unwrap_at_caller;
use crate::lowering::FunctionBuilder;
use crate::{Array, DType, Error, IntoArray, Result};

/// The output types of `top_k` along `axis` of `x`: the values (`x`'s dtype, `k` along
/// `axis`) and their int32 indices.
pub(crate) fn abstract_eval(
    k: usize,
    axis: usize,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    let x = match avals {
        [x] => x,
        _ => {
            return Err(Error::invalid(
                "top_k",
                format!("takes 1 operand, got {}", avals.len()),
            ));
        }
    };
    if x.dtype.is_complex() {
        return Err(Error::invalid(
            "top_k",
            format!("does not accept complex operands, got {x}"),
        ));
    }
    if axis >= x.ndim() {
        return Err(Error::invalid(
            "top_k",
            format!(
                "axis {axis} is out of bounds for an operand of shape {:?} ({x})",
                x.shape
            ),
        ));
    }
    if x.shape[axis] < k {
        return Err(Error::invalid(
            "top_k",
            format!(
                "k={k} is larger than the size {} of axis {axis} of {x}",
                x.shape[axis]
            ),
        ));
    }
    if x.shape[axis] > i32::MAX as usize + 1 {
        return Err(Error::invalid(
            "top_k",
            format!("returns int32 indices, which overflow for axis {axis} of {x}"),
        ));
    }
    let mut shape = x.shape.clone();
    shape[axis] = k;
    Ok(vec![
        x.with_shape(shape.clone()),
        ShapedArray::new(shape, DType::I32),
    ])
}

/// `chlo.top_k` along the last dimension, with `axis` swapped to the end and back.
pub(crate) fn lower(
    k: usize,
    axis: usize,
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
    avals_out: &[ShapedArray],
) -> Result<Vec<String>> {
    let last = aval.ndim() - 1;
    let mut order: Vec<usize> = (0..aval.ndim()).collect();
    order.swap(axis, last);
    let (x, aval) = in_order(f, x, aval, &order);
    let results: Vec<ShapedArray> = avals_out
        .iter()
        .map(|out| out.with_shape(order.iter().map(|&d| out.shape[d]).collect::<Vec<_>>()))
        .collect();
    let outputs = f.op_with_regions(
        "chlo.top_k",
        &[x],
        &[aval],
        &results,
        &format!("k = {k} : i64"),
        &[],
    );
    // Swapping two dimensions is its own inverse.
    Ok(outputs
        .iter()
        .zip(&results)
        .map(|(value, aval)| in_order(f, value, aval, &order).0)
        .collect())
}

/// JAX's `_top_k_jvp`: the values' tangent is the operand's gathered at the indices; the
/// indices have a zero tangent.
pub(crate) fn jvp(
    k: usize,
    axis: usize,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let outputs = bind(Primitive::Ordering(OrderingOp::TopK { k, axis }), primals)?;
    let values_tangent = tangents[0].map_linear(tangent_aval(outputs[0].aval()), |t| {
        gather_along(t, &outputs[1], axis)
    })?;
    let indices_tangent = Tangent::Zero(tangent_aval(outputs[1].aval()));
    Ok((outputs, vec![values_tangent, indices_tangent]))
}

/// JAX's `_top_k_batch_rule`: the axis shifts past the batch dimension, which both outputs
/// keep.
pub(crate) fn batch(
    k: usize,
    axis: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let d = dims[0].expect("the operand is batched");
    let op = OrderingOp::TopK {
        k,
        axis: full_dim(axis, d),
    };
    let outputs = bind(Primitive::Ordering(op), &values[..1])?;
    Ok((outputs, vec![Some(d), Some(d)]))
}

/// The `k` largest entries of `x` along its last axis, in descending order, and their indices
/// (int32), as `jax.lax.top_k(x, k)`; of equal entries the one with the lower index comes
/// first. NaNs count as larger than every number. Panics (at the caller) when `k` exceeds the
/// last axis, `x` is a scalar or complex.
#[track_caller]
pub fn top_k(x: impl IntoArray, k: usize) -> (Array, Array) {
    top_k_along(x, k, -1)
}

/// [`top_k`] along `axis`, negative from the end (`jax.lax.top_k(x, k, axis=axis)`, JAX's one
/// keyword).
#[track_caller]
pub fn top_k_along(x: impl IntoArray, k: usize, axis: isize) -> (Array, Array) {
    let x = x.into_array();
    if x.ndim() == 0 {
        unwrap_at_caller::<()>(Err(Error::invalid(
            "top_k",
            format!("requires an operand of rank 1 or more, got {}", x.aval()),
        )));
    }
    let axis = dimension_index("top_k", axis, x.ndim());
    let mut outputs = unwrap_at_caller(bind(
        Primitive::Ordering(OrderingOp::TopK { k, axis }),
        std::slice::from_ref(&x),
    ))
    .into_iter();
    let values = outputs.next().expect("top_k has two outputs");
    let indices = outputs.next().expect("top_k has two outputs");
    (values, indices)
}
