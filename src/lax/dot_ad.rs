//! Differentiation rules of `dot_general`: it is bilinear, so its JVP is
//! `dot(tx, y) + dot(x, ty)`, and it transposes in either operand (JAX's
//! `_dot_general_transpose_lhs`/`_rhs`): the cotangent contracts with the other operand over
//! the dimensions that operand kept, and the result is permuted back into the operand's order.
//! Every product they build has the original's options: its dtype and, as JAX's rules pass
//! `precision` on, its precision.

use super::rules::transpose;
use super::{DotDimensionNumbers, DotOptions};
use crate::DType;
use crate::core::bind1;
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::interpreters::transpose::LinearInput;
use crate::{Array, Result};

fn dot(x: &Array, y: &Array, numbers: &DotDimensionNumbers, options: DotOptions) -> Result<Array> {
    bind1(options.primitive(numbers.clone()), &[x.clone(), y.clone()])
}

pub(crate) fn dot_general_jvp(
    numbers: &DotDimensionNumbers,
    options: DotOptions,
    x: &Array,
    y: &Array,
    tx: &Tangent,
    ty: &Tangent,
) -> Result<(Array, Tangent)> {
    let ans = dot(x, y, numbers, options)?;
    let out = tangent_aval(ans.aval());
    let from_x = tx.map_linear(out.clone(), |tx| dot(tx, y, numbers, options))?;
    let from_y = ty.map_linear(out, |ty| dot(x, ty, numbers, options))?;
    Ok((ans, from_x.add(from_y)?))
}

/// The dimensions of a rank-`rank` operand that are neither contracted nor batch dimensions.
fn kept(rank: usize, contracting: &[usize], batch: &[usize]) -> Vec<usize> {
    (0..rank)
        .filter(|d| !contracting.contains(d) && !batch.contains(d))
        .collect()
}

/// The cotangent of the left operand `x` (of type `x_aval`), given the output's `ct` and the
/// right operand `y`. With `swap_ans`, the output's free dimensions are (y's, x's), which is
/// how the right operand's rule reuses this one.
fn transpose_lhs(
    ct: &Array,
    x_shape: &[usize],
    y: &Array,
    numbers: &DotDimensionNumbers,
    options: DotOptions,
    swap_ans: bool,
) -> Result<Array> {
    let (x_contract, y_contract) = (&numbers.lhs_contracting, &numbers.rhs_contracting);
    let (x_batch, y_batch) = (&numbers.lhs_batch, &numbers.rhs_batch);
    let x_kept = kept(x_shape.len(), x_contract, x_batch);
    let y_kept = kept(y.ndim(), y_contract, y_batch);
    // The output's dimensions: batch, then the free ones of (x, y), or (y, x) when swapped.
    let ans_batch: Vec<usize> = (0..x_batch.len()).collect();
    let first_free = x_batch.len();
    let ans_y: Vec<usize> = if swap_ans {
        (first_free..first_free + y_kept.len()).collect()
    } else {
        let start = first_free + x_kept.len();
        (start..start + y_kept.len()).collect()
    };
    let contraction = DotDimensionNumbers {
        lhs_contracting: ans_y,
        rhs_contracting: y_kept,
        lhs_batch: ans_batch,
        rhs_batch: y_batch.clone(),
    };
    let product = dot(ct, y, &contraction, options)?;
    // `product` has x's dimensions in the order (batch, kept, contracted sorted by y's order).
    let mut by_y: Vec<(usize, usize)> = y_contract
        .iter()
        .copied()
        .zip(x_contract.iter().copied())
        .collect();
    by_y.sort_unstable();
    let order: Vec<usize> = x_batch
        .iter()
        .copied()
        .chain(x_kept)
        .chain(by_y.into_iter().map(|(_, x_dim)| x_dim))
        .collect();
    let mut inverse = vec![0; order.len()];
    for (position, &dimension) in order.iter().enumerate() {
        inverse[dimension] = position;
    }
    let result = transpose(&product, &inverse)?;
    debug_assert_eq!(result.shape(), x_shape);
    Ok(result)
}

pub(crate) fn dot_general_transpose(
    numbers: &DotDimensionNumbers,
    options: DotOptions,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    match inputs {
        [LinearInput::Undefined(x), LinearInput::Known(y)] => {
            let x_bar = transpose_lhs(ct, &x.shape, y, numbers, options, false)?;
            Ok(vec![Some(Tangent::Value(cast_to(&x_bar, x.dtype)?)), None])
        }
        [LinearInput::Known(x), LinearInput::Undefined(y)] => {
            let swapped = DotDimensionNumbers {
                lhs_contracting: numbers.rhs_contracting.clone(),
                rhs_contracting: numbers.lhs_contracting.clone(),
                lhs_batch: numbers.rhs_batch.clone(),
                rhs_batch: numbers.lhs_batch.clone(),
            };
            let y_bar = transpose_lhs(ct, &y.shape, x, &swapped, options, true)?;
            Ok(vec![None, Some(Tangent::Value(cast_to(&y_bar, y.dtype)?))])
        }
        _ => Err(super::elementwise_ad::not_linear(
            &options.primitive(numbers.clone()),
        )),
    }
}

/// `x` converted to `dtype` if it is not already (a preferred element type changes the
/// product's dtype).
fn cast_to(x: &Array, dtype: DType) -> Result<Array> {
    if x.dtype() == dtype {
        Ok(x.clone())
    } else {
        super::rules::convert(x, dtype)
    }
}
