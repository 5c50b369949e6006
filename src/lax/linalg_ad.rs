//! Differentiation rules of the linear-algebra primitives.

use super::LinalgOp;
use crate::interpreters::jvp::Tangent;
use crate::interpreters::transpose::LinearInput;
use crate::{Array, Error, Result};

/// The JVP of a linear-algebra primitive.
pub(crate) fn jvp(op: &LinalgOp, _primals: &[Array], _tangents: &[Tangent]) -> Result<(Vec<Array>, Vec<Tangent>)> {
    Err(Error::invalid(op.name(), "differentiation of this primitive is being written"))
}

/// The transpose of a linear-algebra primitive in its linear operands.
pub(crate) fn transpose(op: &LinalgOp, _ct: &Array, _inputs: &[LinearInput]) -> Result<Vec<Option<Tangent>>> {
    Err(Error::invalid(op.name(), "differentiation of this primitive is being written"))
}
