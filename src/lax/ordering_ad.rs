//! Differentiation rules of the ordering primitives: argmax and argmin have zero tangents
//! (integer outputs), `cumsum` is linear and transposes to the cumulative sum in the other
//! direction.

use super::{CumulativeOp, OrderingOp};
use crate::core::{Primitive, bind};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::interpreters::transpose::LinearInput;
use crate::{Array, Error, Result};

pub(crate) fn jvp(
    op: &OrderingOp,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let primitive = Primitive::Ordering(op.clone());
    match op {
        OrderingOp::Argmax { .. } | OrderingOp::Argmin { .. } => {
            let answers = bind(primitive, primals)?;
            let zeros = answers
                .iter()
                .map(|a| Tangent::Zero(tangent_aval(a.aval())))
                .collect();
            Ok((answers, zeros))
        }
        OrderingOp::Cumulative {
            op: CumulativeOp::Sum,
            ..
        } => super::structural_ad::linear_jvp(&primitive, primals, tangents),
        OrderingOp::Cumulative { .. } | OrderingOp::Sort { .. } => Err(Error::invalid(
            op.name(),
            "differentiation of this primitive is not implemented yet (it needs gather)",
        )),
    }
}

pub(crate) fn transpose(
    op: &OrderingOp,
    ct: &Array,
    _inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    match op {
        OrderingOp::Cumulative {
            op: CumulativeOp::Sum,
            axis,
            reverse,
        } => {
            let flipped = Primitive::Ordering(OrderingOp::Cumulative {
                op: CumulativeOp::Sum,
                axis: *axis,
                reverse: !reverse,
            });
            Ok(vec![Some(Tangent::Value(crate::core::bind1(
                flipped,
                std::slice::from_ref(ct),
            )?))])
        }
        _ => Err(super::elementwise_ad::not_linear(&Primitive::Ordering(
            op.clone(),
        ))),
    }
}
