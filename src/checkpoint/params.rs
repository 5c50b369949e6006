//! The parameters of the checkpoint primitive (JAX's `remat2`), its abstract evaluation, its
//! printing and its lowering.
//!
//! The lowering is JAX's: the body is called in place, and a *differentiated* checkpoint
//! (one that the partial evaluator or the transpose made, which recomputes forward values in
//! the backward pass) with `prevent_cse` first passes its operands through a
//! `stablehlo.optimization_barrier`, so that XLA cannot merge the recomputation with the
//! forward computation it repeats (common-subexpression elimination) and keep the forward
//! values alive after all.

use super::policies::Policy;
use crate::abstract_value::ShapedArray;
use crate::jaxpr::JaxprRef;
use crate::lowering::FunctionBuilder;
use crate::{Error, Result};

/// The parameters of [`Primitive::Checkpoint`](crate::Primitive::Checkpoint).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckpointParams {
    /// The body, closed-converted: the primitive's arguments are its inputs.
    pub(crate) jaxpr: JaxprRef,
    /// Whether the lowering of a differentiated checkpoint puts an optimization barrier on
    /// its operands.
    pub(crate) prevent_cse: bool,
    /// Whether this checkpoint belongs to a derivative (it recomputes forward values).
    pub(crate) differentiated: bool,
    /// Which values the derivative may save.
    pub(crate) policy: Policy,
}

impl CheckpointParams {
    /// These parameters with the body `jaxpr`.
    pub(crate) fn with_jaxpr(&self, jaxpr: JaxprRef) -> CheckpointParams {
        CheckpointParams {
            jaxpr,
            ..self.clone()
        }
    }

    /// These parameters with the body `jaxpr`, marked as part of a derivative.
    pub(crate) fn differentiated(&self, jaxpr: JaxprRef) -> CheckpointParams {
        CheckpointParams {
            jaxpr,
            differentiated: true,
            ..self.clone()
        }
    }

    /// The output types: the body's, once the operands are checked against its inputs.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let expected = self.jaxpr.0.in_avals();
        let matches = expected.len() == avals.len()
            && expected
                .iter()
                .zip(avals)
                .all(|(a, b)| a.shape == b.shape && a.dtype == b.dtype);
        if !matches {
            let show = |avals: &[ShapedArray]| {
                let types: Vec<String> = avals.iter().map(ShapedArray::to_string).collect();
                format!("({})", types.join(", "))
            };
            return Err(Error::invalid(
                "checkpoint",
                format!(
                    "the checkpointed jaxpr takes {} but was given {}",
                    show(&expected),
                    show(avals)
                ),
            ));
        }
        Ok(self.jaxpr.0.out_avals())
    }

    /// The parameters as JAX prints them, in its (alphabetical) order.
    pub(crate) fn params_text(&self) -> Vec<String> {
        let python_bool = |b: bool| if b { "True" } else { "False" };
        vec![
            format!("differentiated={}", python_bool(self.differentiated)),
            format!("jaxpr={}", self.jaxpr.0),
            format!("policy={:?}", self.policy),
            format!("prevent_cse={}", python_bool(self.prevent_cse)),
        ]
    }

    /// The StableHLO: an optimization barrier on the operands of a differentiated checkpoint
    /// with `prevent_cse`, then a call of the body.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        let args = if self.differentiated && self.prevent_cse && !args.is_empty() {
            f.op_with_regions(
                "stablehlo.optimization_barrier",
                args,
                avals_in,
                avals_in,
                "",
                &[],
            )
        } else {
            args.to_vec()
        };
        crate::jit::call_lower(&self.jaxpr, "checkpoint", f, &args, avals_in, avals_out)
    }
}
