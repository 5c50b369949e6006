//! The differentiation rules of every primitive, by exhaustive `match`: the JVP (forward mode)
//! and, for primitives linear in some operands, the transpose (reverse mode). The rules
//! themselves sit beside each family in `lax/*_ad.rs`.

use super::Primitive;
use crate::control_flow::rules as control_flow;
use crate::interpreters::jvp::{Tangent, jvp_flat, tangent_aval};
use crate::interpreters::transpose::LinearInput;
use crate::jaxpr::eval_jaxpr;
use crate::lax::{
    complex, dot_ad, elementwise_ad, indexing_ad, linalg_ad, ordering_ad, reduction_ad,
    structural_ad,
};
use crate::{Array, Result, checkpoint, core::bind, custom_derivatives};

/// One output's (primal, tangent) as the pair of vectors the JVP returns.
fn one((primal, tangent): (Array, Tangent)) -> (Vec<Array>, Vec<Tangent>) {
    (vec![primal], vec![tangent])
}

impl Primitive {
    /// The outputs and their tangents, for inputs `primals` with tangents `tangents` (at least
    /// one nonzero). Runs under the JVP trace's parent.
    pub(crate) fn jvp(
        &self,
        primals: &[Array],
        tangents: &[Tangent],
    ) -> Result<(Vec<Array>, Vec<Tangent>)> {
        match self {
            Primitive::Unary(op) => Ok(one(elementwise_ad::unary_jvp(
                *op,
                &primals[0],
                &tangents[0],
            )?)),
            Primitive::Binary(op) => Ok(one(elementwise_ad::binary_jvp(
                *op,
                &primals[0],
                &primals[1],
                &tangents[0],
                &tangents[1],
            )?)),
            Primitive::Compare(_)
            | Primitive::IsFinite
            | Primitive::Iota { .. }
            | Primitive::BitcastConvertType { .. } => {
                let answers = bind(self.clone(), primals)?;
                let zeros = answers
                    .iter()
                    .map(|a| Tangent::Zero(tangent_aval(a.aval())))
                    .collect();
                Ok((answers, zeros))
            }
            Primitive::SelectN => Ok(one(elementwise_ad::select_n_jvp(primals, tangents)?)),
            Primitive::Clamp => Ok(one(elementwise_ad::clamp_jvp(primals, tangents)?)),
            Primitive::IntegerPow { y } => Ok(one(elementwise_ad::integer_pow_jvp(
                *y,
                &primals[0],
                &tangents[0],
            )?)),
            Primitive::ConvertElementType {
                new_dtype,
                weak_type,
            } => Ok(one(elementwise_ad::convert_jvp(
                *new_dtype,
                *weak_type,
                &primals[0],
                &tangents[0],
            )?)),
            Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Squeeze { .. }
            | Primitive::ExpandDims { .. }
            | Primitive::Slice { .. }
            | Primitive::Concatenate { .. }
            | Primitive::Copy
            | Primitive::Complex(_)
            | Primitive::ShardingConstraint { .. } => {
                structural_ad::linear_jvp(self, primals, tangents)
            }
            Primitive::Reduce { op, axes } => Ok(one(reduction_ad::reduce_jvp(
                *op,
                axes,
                &primals[0],
                &tangents[0],
            )?)),
            Primitive::DotGeneral {
                dimension_numbers,
                preferred_element_type,
                precision,
            } => Ok(one(dot_ad::dot_general_jvp(
                dimension_numbers,
                crate::lax::DotOptions {
                    preferred_element_type: *preferred_element_type,
                    precision: *precision,
                },
                &primals[0],
                &primals[1],
                &tangents[0],
                &tangents[1],
            )?)),
            // A call is differentiated by differentiating its body, inline: under `linearize`
            // that keeps known and unknown computations apart, equation by equation.
            Primitive::Call { jaxpr, .. } => {
                let body = jaxpr.0.clone();
                jvp_flat(
                    |args| eval_jaxpr(&body, &args),
                    primals.to_vec(),
                    tangents.to_vec(),
                )
            }
            Primitive::Ordering(op) => ordering_ad::jvp(op, primals, tangents),
            Primitive::ShardMap(params) => {
                crate::sharding::shard_map::rules::jvp(params, primals, tangents)
            }
            Primitive::Collective(op) => {
                crate::sharding::collectives::rules::jvp(op, primals, tangents)
            }
            Primitive::Indexing(op) => indexing_ad::jvp(op, primals, tangents),
            Primitive::Linalg(op) => linalg_ad::jvp(op, primals, tangents),
            Primitive::FfiCall(op) => Err(op.no_derivative()),
            Primitive::HostCallback(op) => op.jvp(primals),
            // Only bound inside the custom_vjp of `Exported::call`, which differentiates it.
            Primitive::ExportedCall(_) => Err(custom_derivatives::forward_mode_error()),
            Primitive::StopGradient => {
                let answers = bind(self.clone(), primals)?;
                let zeros = answers
                    .iter()
                    .map(|a| Tangent::zero_for(a.aval()))
                    .collect();
                Ok((answers, zeros))
            }
            Primitive::CustomJvpCall {
                jvp, num_consts, ..
            } => custom_derivatives::custom_jvp_call_jvp(jvp, *num_consts, primals, tangents),
            Primitive::CustomVjpCall {
                fwd,
                bwd,
                num_consts,
                ..
            } => custom_derivatives::custom_vjp_call_jvp(fwd, bwd, *num_consts, primals, tangents),
            Primitive::CustomLin { .. } => Err(custom_derivatives::forward_mode_error()),
            Primitive::Cond { branches } => control_flow::cond_jvp(branches, primals, tangents),
            Primitive::While {
                cond_nconsts,
                body_nconsts,
                ..
            } => control_flow::while_jvp(self, *cond_nconsts, *body_nconsts, primals, tangents),
            Primitive::Scan { .. } => control_flow::scan_jvp(self, primals, tangents),
            Primitive::Checkpoint(params) => checkpoint::checkpoint_jvp(params, primals, tangents),
            Primitive::CheckpointName { name } => {
                Ok(one(checkpoint::name_jvp(name, &primals[0], &tangents[0])?))
            }
            Primitive::Random(op) => op.jvp(primals),
        }
    }

    /// The cotangents of the operands (`None` for known ones), given the cotangents of the
    /// outputs. Only primitives linear in their undefined operands have a transpose.
    pub(crate) fn transpose(
        &self,
        cts: &[Tangent],
        inputs: &[LinearInput],
    ) -> Result<Vec<Option<Tangent>>> {
        if let Primitive::CustomLin {
            bwd,
            res_tree,
            num_res,
            ..
        } = self
        {
            return custom_derivatives::custom_lin_transpose(bwd, res_tree, *num_res, cts, inputs);
        }
        match self {
            Primitive::Cond { branches } => {
                return control_flow::cond_transpose(branches, cts, inputs);
            }
            Primitive::Scan { .. } => return control_flow::scan_transpose(self, cts, inputs),
            Primitive::While { .. } => return Err(control_flow::while_transpose_error()),
            Primitive::ShardMap(params) => {
                return crate::sharding::shard_map::rules::transpose(params, cts, inputs);
            }
            Primitive::HostCallback(op) => return Err(op.error("callbacks cannot be transposed")),
            Primitive::Checkpoint(params) => {
                return checkpoint::checkpoint_transpose(params, cts, inputs);
            }
            _ => {}
        }
        let ct = cts[0].instantiate()?;
        match self {
            Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Copy
            | Primitive::ConvertElementType { .. }
            | Primitive::SelectN => elementwise_ad::transpose(self, &ct, inputs),
            Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Squeeze { .. }
            | Primitive::ExpandDims { .. }
            | Primitive::Slice { .. }
            | Primitive::Concatenate { .. }
            | Primitive::Reduce { .. } => structural_ad::transpose_rule(self, &ct, inputs),
            Primitive::DotGeneral {
                dimension_numbers,
                preferred_element_type,
                precision,
            } => dot_ad::dot_general_transpose(
                dimension_numbers,
                crate::lax::DotOptions {
                    preferred_element_type: *preferred_element_type,
                    precision: *precision,
                },
                &ct,
                inputs,
            ),
            Primitive::Ordering(op) => ordering_ad::transpose(op, &ct, inputs),
            Primitive::Indexing(op) => indexing_ad::transpose(op, &ct, inputs),
            Primitive::Linalg(op) => linalg_ad::transpose(op, &ct, inputs),
            Primitive::ShardingConstraint { sharding } => {
                crate::sharding::constraint::transpose(sharding, &ct)
            }
            Primitive::Collective(op) => crate::sharding::collectives::rules::transpose(op, &ct),
            Primitive::CheckpointName { .. } => Ok(checkpoint::name_transpose(&ct)),
            Primitive::Complex(op) => complex::transpose(*op, &ct, inputs),
            Primitive::Compare(_)
            | Primitive::IsFinite
            | Primitive::BitcastConvertType { .. }
            | Primitive::Clamp
            | Primitive::IntegerPow { .. }
            | Primitive::Iota { .. }
            | Primitive::Call { .. }
            | Primitive::StopGradient
            | Primitive::CustomJvpCall { .. }
            | Primitive::CustomVjpCall { .. }
            | Primitive::FfiCall(_)
            | Primitive::ExportedCall(_)
            | Primitive::Random(_) => Err(elementwise_ad::not_linear(self)),
            Primitive::CustomLin { .. }
            | Primitive::Cond { .. }
            | Primitive::While { .. }
            | Primitive::Scan { .. }
            | Primitive::ShardMap(_)
            | Primitive::HostCallback(_)
            | Primitive::Checkpoint(_) => unreachable!("transposed above"),
        }
    }
}
