//! Shape primitives (JAX's `lax` structural ops): broadcast_in_dim, reshape, transpose,
//! squeeze, expand_dims, iota, slice, concatenate, and bitcast_convert_type (which reinterprets
//! bytes and so may add or remove a trailing dimension).

use crate::abstract_value::ShapedArray;
use crate::lowering::{FunctionBuilder, i64_array};
use crate::{DType, Error, Result};

fn one_operand<'a>(name: &str, avals: &'a [ShapedArray]) -> Result<&'a ShapedArray> {
    match avals {
        [x] => Ok(x),
        _ => Err(Error::invalid(
            name,
            format!("takes 1 operand, got {}", avals.len()),
        )),
    }
}

/// Whether `values` are distinct and each below `bound`.
fn distinct_below(values: &[usize], bound: usize) -> bool {
    let mut seen = vec![false; bound];
    values
        .iter()
        .all(|&v| v < bound && !std::mem::replace(&mut seen[v], true))
}

pub(crate) fn broadcast_in_dim_abstract_eval(
    shape: &[usize],
    broadcast_dimensions: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("broadcast_in_dim", avals)?;
    let fits = broadcast_dimensions.len() == x.ndim()
        && distinct_below(broadcast_dimensions, shape.len())
        && broadcast_dimensions.windows(2).all(|w| w[0] < w[1])
        && x.shape
            .iter()
            .zip(broadcast_dimensions)
            .all(|(&size, &d)| size == 1 || size == shape[d]);
    if !fits {
        return Err(Error::invalid(
            "broadcast_in_dim",
            format!(
                "cannot broadcast an operand of type {x} to shape {shape:?} with broadcast_dimensions {broadcast_dimensions:?}"
            ),
        ));
    }
    Ok(x.with_shape(shape))
}

pub(crate) fn broadcast_in_dim_lower(
    f: &mut FunctionBuilder<'_>,
    x: &str,
    from: &ShapedArray,
    to: &ShapedArray,
    broadcast_dimensions: &[usize],
) -> String {
    f.op(
        "stablehlo.broadcast_in_dim",
        &[x.to_string()],
        std::slice::from_ref(from),
        std::slice::from_ref(to),
        &format!("broadcast_dimensions = {}", i64_array(broadcast_dimensions)),
    )
}

pub(crate) fn reshape_abstract_eval(
    new_sizes: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("reshape", avals)?;
    if crate::shape_check::element_count(new_sizes) != Some(x.size()) {
        return Err(Error::invalid(
            "reshape",
            format!(
                "cannot reshape an array of type {x} ({} elements) to shape {new_sizes:?}",
                x.size()
            ),
        ));
    }
    Ok(x.with_shape(new_sizes))
}

pub(crate) fn transpose_abstract_eval(
    permutation: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("transpose", avals)?;
    if permutation.len() != x.ndim() || !distinct_below(permutation, x.ndim()) {
        return Err(Error::invalid(
            "transpose",
            format!("permutation {permutation:?} is not a permutation of the axes of {x}"),
        ));
    }
    Ok(x.with_shape(permutation.iter().map(|&d| x.shape[d]).collect::<Vec<_>>()))
}

pub(crate) fn squeeze_abstract_eval(
    dimensions: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("squeeze", avals)?;
    if !distinct_below(dimensions, x.ndim()) || dimensions.iter().any(|&d| x.shape[d] != 1) {
        return Err(Error::invalid(
            "squeeze",
            format!("dimensions {dimensions:?} are not distinct axes of size 1 of {x}"),
        ));
    }
    let shape: Vec<usize> = (0..x.ndim())
        .filter(|d| !dimensions.contains(d))
        .map(|d| x.shape[d])
        .collect();
    Ok(x.with_shape(shape))
}

pub(crate) fn expand_dims_abstract_eval(
    dimensions: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("expand_dims", avals)?;
    let rank = x.ndim() + dimensions.len();
    if !distinct_below(dimensions, rank) {
        return Err(Error::invalid(
            "expand_dims",
            format!(
                "dimensions {dimensions:?} are not distinct positions in a rank-{rank} result for {x}"
            ),
        ));
    }
    let mut sizes = x.shape.iter();
    let shape: Vec<usize> = (0..rank)
        .map(|d| {
            if dimensions.contains(&d) {
                1
            } else {
                *sizes.next().expect("counted")
            }
        })
        .collect();
    Ok(x.with_shape(shape))
}

pub(crate) fn iota_abstract_eval(
    dtype: DType,
    shape: &[usize],
    dimension: usize,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    if !avals.is_empty() || dimension >= shape.len() || dtype == DType::Bool {
        return Err(Error::invalid(
            "iota",
            format!(
                "needs no operands, a numeric dtype and a dimension of shape {shape:?}; got dimension {dimension}, dtype {dtype}"
            ),
        ));
    }
    Ok(ShapedArray::new(shape, dtype))
}

pub(crate) fn slice_abstract_eval(
    start_indices: &[usize],
    limit_indices: &[usize],
    strides: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("slice", avals)?;
    let rank = x.ndim();
    let valid = start_indices.len() == rank
        && limit_indices.len() == rank
        && strides.len() == rank
        && (0..rank).all(|d| {
            start_indices[d] <= limit_indices[d] && limit_indices[d] <= x.shape[d] && strides[d] > 0
        });
    if !valid {
        return Err(Error::invalid(
            "slice",
            format!(
                "start {start_indices:?}, limit {limit_indices:?} and strides {strides:?} do not fit an operand of type {x}"
            ),
        ));
    }
    let shape: Vec<usize> = (0..rank)
        .map(|d| (limit_indices[d] - start_indices[d]).div_ceil(strides[d]))
        .collect();
    Ok(x.with_shape(shape))
}

pub(crate) fn concatenate_abstract_eval(
    dimension: usize,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let Some(first) = avals.first() else {
        return Err(Error::invalid("concatenate", "needs at least one operand"));
    };
    let compatible = |aval: &ShapedArray| {
        aval.dtype == first.dtype
            && aval.ndim() == first.ndim()
            && (0..first.ndim()).all(|d| d == dimension || aval.shape[d] == first.shape[d])
    };
    if dimension >= first.ndim() || !avals.iter().all(compatible) {
        let types: Vec<String> = avals.iter().map(ShapedArray::to_string).collect();
        return Err(Error::invalid(
            "concatenate",
            format!(
                "cannot join operands of types [{}] along dimension {dimension}",
                types.join(", ")
            ),
        ));
    }
    let mut shape = first.shape.clone();
    let sizes: Vec<usize> = avals.iter().map(|aval| aval.shape[dimension]).collect();
    shape[dimension] = crate::shape_check::sum_dims("concatenate", "the joined dimension", &sizes)?;
    Ok(ShapedArray {
        shape,
        dtype: first.dtype,
        weak_type: avals.iter().all(|aval| aval.weak_type),
    })
}

pub(crate) fn bitcast_convert_type_abstract_eval(
    new_dtype: DType,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let x = one_operand("bitcast_convert_type", avals)?;
    let (from, to) = (x.dtype.size_in_bytes(), new_dtype.size_in_bytes());
    let mut shape = x.shape.clone();
    if to < from {
        shape.push(from / to);
    } else if to > from {
        if shape.last() != Some(&(to / from)) {
            return Err(Error::invalid(
                "bitcast_convert_type",
                format!(
                    "converting {x} to the wider {new_dtype} needs a last dimension of size {}",
                    to / from
                ),
            ));
        }
        shape.pop();
    }
    Ok(ShapedArray::new(shape, new_dtype))
}
