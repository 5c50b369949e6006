//! Indexing primitives (JAX's `lax.slicing`): rev, pad, dynamic_slice, dynamic_update_slice, gather and scatter.

use crate::Result;
use crate::abstract_value::ShapedArray;
use crate::lowering::FunctionBuilder;

/// The primitives of this family, with their parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexingOp {}

impl IndexingOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match *self {}
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        match *self {}
    }

    /// The output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, _avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        match *self {}
    }

    /// Emits the StableHLO for this primitive.
    pub(crate) fn lower(
        &self,
        _f: &mut FunctionBuilder<'_>,
        _args: &[String],
        _avals_in: &[ShapedArray],
        _avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        match *self {}
    }
}
