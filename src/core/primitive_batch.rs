//! The batching rule of every primitive (JAX's `primitive_batchers`), by exhaustive `match`:
//! given operands batched along `dims` (`None`: not mapped), one batched operation whose
//! results carry their own batch axes. The rules themselves sit beside each family in
//! `lax/*_batch.rs`.

use super::Primitive;
use crate::control_flow::rules as control_flow;
use crate::interpreters::batching::Batched;
use crate::lax::{
    complex, dot_batch, elementwise_batch, indexing_batch, linalg_batch, ordering_batch,
    reduction_batch, structural_batch,
};
use crate::{Array, Result, checkpoint, core::bind, custom_derivatives};

impl Primitive {
    /// The results of this primitive applied to `values` batched along `dims` (at least one
    /// mapped, each of size `axis_size`), and the results' batch axes. Runs under the batch
    /// trace's parent.
    pub(crate) fn batch(
        &self,
        axis_size: usize,
        values: &[Array],
        dims: &[Option<usize>],
    ) -> Result<Batched> {
        if dims.iter().all(Option::is_none) {
            return self.unbatched(values);
        }
        match self {
            Primitive::Unary(_)
            | Primitive::IsFinite
            | Primitive::IntegerPow { .. }
            | Primitive::ConvertElementType { .. }
            | Primitive::Copy
            | Primitive::StopGradient => elementwise_batch::unary(self, values, dims),
            Primitive::Complex(op) => complex::batch(*op, self, axis_size, values, dims),
            Primitive::Binary(_) | Primitive::Compare(_) => {
                elementwise_batch::nary(self, axis_size, values, dims, &[true, true])
            }
            Primitive::SelectN => {
                let mut scalar_ok = vec![false; values.len()];
                scalar_ok[0] = true;
                elementwise_batch::nary(self, axis_size, values, dims, &scalar_ok)
            }
            Primitive::Clamp => {
                elementwise_batch::nary(self, axis_size, values, dims, &[true, false, true])
            }
            Primitive::BitcastConvertType { new_dtype } => {
                elementwise_batch::bitcast_convert_type(*new_dtype, values, dims)
            }
            Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Squeeze { .. }
            | Primitive::ExpandDims { .. }
            | Primitive::Slice { .. } => structural_batch::one_operand(self, values, dims),
            // No operands, so never batched.
            Primitive::Iota { .. } => self.unbatched(values),
            Primitive::Concatenate { dimension } => {
                structural_batch::concatenate(*dimension, axis_size, values, dims)
            }
            Primitive::Reduce { op, axes } => reduction_batch::reduce(*op, axes, values, dims),
            Primitive::DotGeneral {
                dimension_numbers,
                preferred_element_type,
                precision,
            } => dot_batch::dot_general(
                dimension_numbers,
                crate::lax::DotOptions {
                    preferred_element_type: *preferred_element_type,
                    precision: *precision,
                },
                values,
                dims,
            ),
            Primitive::Indexing(op) => indexing_batch::batch(op, axis_size, values, dims),
            Primitive::Ordering(op) => ordering_batch::batch(op, axis_size, values, dims),
            Primitive::Linalg(op) => linalg_batch::batch(op, axis_size, values, dims),
            Primitive::FfiCall(op) => op.batch(axis_size, values, dims),
            Primitive::HostCallback(op) => op.batch(axis_size, values, dims),
            Primitive::ExportedCall(op) => op.batch(axis_size, values, dims),
            // A call stays a call: its body is batched into a new staged jaxpr.
            Primitive::Call { jaxpr, name } => {
                crate::jit::call_batch(jaxpr, name, axis_size, values, dims)
            }
            // Batched as JAX batches them: the function is batched into a new jaxpr and the
            // rules are wrapped to run batched, so the result is again a custom call.
            Primitive::CustomJvpCall {
                call,
                jvp,
                num_consts,
            } => custom_derivatives::custom_jvp_call_batch(
                call,
                jvp,
                *num_consts,
                axis_size,
                values,
                dims,
            ),
            Primitive::CustomVjpCall {
                call,
                fwd,
                bwd,
                num_consts,
            } => custom_derivatives::custom_vjp_call_batch(
                call,
                fwd,
                bwd,
                *num_consts,
                axis_size,
                values,
                dims,
            ),
            Primitive::CustomLin { .. } => Err(custom_derivatives::forward_mode_error()),
            Primitive::Cond { branches } => {
                control_flow::cond_batch(branches, axis_size, values, dims)
            }
            Primitive::While {
                cond,
                body,
                cond_nconsts,
                body_nconsts,
            } => control_flow::while_batch(
                cond,
                body,
                *cond_nconsts,
                *body_nconsts,
                axis_size,
                values,
                dims,
            ),
            Primitive::Scan { .. } => control_flow::scan_batch(self, axis_size, values, dims),
            Primitive::ShardingConstraint { sharding } => {
                crate::sharding::constraint::batch(sharding, values, dims)
            }
            Primitive::ShardMap(params) => {
                crate::sharding::shard_map::rules::batch(params, axis_size, values, dims)
            }
            Primitive::Collective(op) => {
                crate::sharding::collectives::rules::batch(op, values, dims)
            }
            Primitive::Checkpoint(params) => {
                checkpoint::checkpoint_batch(params, axis_size, values, dims)
            }
            Primitive::CheckpointName { name } => checkpoint::name_batch(name, &values[0], dims[0]),
            Primitive::Random(op) => op.batch(values, dims),
        }
    }

    /// The primitive applied as it is, to operands none of which is batched.
    fn unbatched(&self, values: &[Array]) -> Result<Batched> {
        let outputs = bind(self.clone(), values)?;
        let none = vec![None; outputs.len()];
        Ok((outputs, none))
    }
}
