//! Reductions with a monoid over a set of axes (JAX's `reduce_sum`, `reduce_max`, ...).

use crate::abstract_value::ShapedArray;
use crate::lowering::{FunctionBuilder, dense_scalar, i64_array};
use crate::scalar::Scalar;
use crate::{DType, Error, Result};

/// The monoid of a reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum, from 0.
    Sum,
    /// Product, from 1.
    Prod,
    /// Maximum, from the dtype's lowest value.
    Max,
    /// Minimum, from the dtype's highest value.
    Min,
    /// Logical/bitwise and, from all ones.
    And,
    /// Logical/bitwise or, from zero.
    Or,
}

impl ReduceOp {
    /// JAX's name of the primitive.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
            ReduceOp::And => "reduce_and",
            ReduceOp::Or => "reduce_or",
        }
    }

    pub(crate) fn combiner(self) -> &'static str {
        match self {
            ReduceOp::Sum => "stablehlo.add",
            ReduceOp::Prod => "stablehlo.multiply",
            ReduceOp::Max => "stablehlo.maximum",
            ReduceOp::Min => "stablehlo.minimum",
            ReduceOp::And => "stablehlo.and",
            ReduceOp::Or => "stablehlo.or",
        }
    }

    /// The monoid's identity element in `dtype`.
    fn identity(self, dtype: DType) -> Vec<u8> {
        let extreme = |highest: bool| -> Scalar {
            match dtype {
                DType::Bool => Scalar::Bool(highest),
                DType::I8 => Scalar::Int(if highest {
                    i8::MAX.into()
                } else {
                    i8::MIN.into()
                }),
                DType::I16 => Scalar::Int(if highest {
                    i16::MAX.into()
                } else {
                    i16::MIN.into()
                }),
                DType::I32 => Scalar::Int(if highest {
                    i32::MAX.into()
                } else {
                    i32::MIN.into()
                }),
                DType::I64 => Scalar::Int(if highest { i64::MAX } else { i64::MIN }),
                DType::U8 | DType::U16 | DType::U32 | DType::U64 => Scalar::UInt(if highest {
                    u64::MAX >> (64 - 8 * dtype.size_in_bytes())
                } else {
                    0
                }),
                _ => Scalar::Float(if highest {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }),
            }
        };
        let value = match self {
            ReduceOp::Sum | ReduceOp::Or => Scalar::Int(0),
            ReduceOp::Prod => Scalar::Int(1),
            ReduceOp::Max => extreme(false),
            ReduceOp::Min => extreme(true),
            ReduceOp::And => match dtype {
                DType::Bool => Scalar::Bool(true),
                _ => Scalar::Int(-1),
            },
        };
        value.to_bytes(dtype)
    }

    fn accepts(self, dtype: DType) -> bool {
        match self {
            ReduceOp::Sum | ReduceOp::Prod => dtype != DType::Bool,
            ReduceOp::Max | ReduceOp::Min => !dtype.is_complex(),
            ReduceOp::And | ReduceOp::Or => dtype == DType::Bool || dtype.is_int(),
        }
    }
}

pub(crate) fn reduce_abstract_eval(
    op: ReduceOp,
    axes: &[usize],
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let [x] = avals else {
        return Err(Error::invalid(
            op.name(),
            format!("takes 1 operand, got {}", avals.len()),
        ));
    };
    let mut seen = vec![false; x.ndim()];
    if axes
        .iter()
        .any(|&a| a >= x.ndim() || std::mem::replace(&mut seen[a], true))
    {
        return Err(Error::invalid(
            op.name(),
            format!("axes {axes:?} are not distinct axes of {x}"),
        ));
    }
    if !op.accepts(x.dtype) {
        return Err(Error::invalid(op.name(), format!("does not accept {x}")));
    }
    let shape: Vec<usize> = (0..x.ndim())
        .filter(|d| !axes.contains(d))
        .map(|d| x.shape[d])
        .collect();
    Ok(x.with_shape(shape))
}

pub(crate) fn reduce_lower(
    op: ReduceOp,
    axes: &[usize],
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> Result<String> {
    let dtype = avals_in[0].dtype;
    let scalar = ShapedArray::new(Vec::new(), dtype);
    let init = f.constant(&scalar, &dense_scalar(dtype, &op.identity(dtype)));
    let pair = [scalar.clone(), scalar.clone()];
    let body = f.region(&pair, |f, args| {
        let combined = f.op(
            op.combiner(),
            args,
            &pair,
            std::slice::from_ref(&scalar),
            "",
        );
        Ok(vec![(combined, scalar.clone())])
    })?;
    let mut sorted_axes = axes.to_vec();
    sorted_axes.sort_unstable();
    Ok(f.op_with_regions(
        "stablehlo.reduce",
        &[args[0].clone(), init],
        &[avals_in[0].clone(), scalar.clone()],
        std::slice::from_ref(out),
        &format!("dimensions = {}", i64_array(&sorted_axes)),
        &[body],
    )
    .swap_remove(0))
}
