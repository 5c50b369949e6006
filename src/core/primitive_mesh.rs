//! What the SPMD machinery asks of every primitive, by exhaustive `match`: the mesh it runs
//! on (if any), the jaxprs nested in it, and the layout it states for its outputs.

use super::Primitive;
use crate::jaxpr::Jaxpr;
use crate::sharding::{Mesh, NamedSharding};

impl Primitive {
    /// The mesh this primitive itself names: a sharding constraint's.
    pub(crate) fn mesh(&self) -> Option<&Mesh> {
        match self {
            Primitive::ShardingConstraint { sharding } => Some(sharding.mesh()),
            Primitive::ShardMap(params) => Some(&params.mesh),
            Primitive::Collective(op) => Some(&op.mesh),
            _ => None,
        }
    }

    /// The layout this primitive states for its `k`-th output, if it states one.
    pub(crate) fn output_sharding(&self, k: usize) -> Option<NamedSharding> {
        match self {
            Primitive::ShardingConstraint { sharding } => Some(sharding.clone()),
            Primitive::ShardMap(params) => params.out_sharding(k),
            _ => None,
        }
    }

    /// The jaxprs this primitive calls.
    pub(crate) fn inner_jaxprs(&self) -> Vec<&Jaxpr> {
        match self {
            Primitive::Call { jaxpr, .. } => vec![&jaxpr.0],
            Primitive::CustomJvpCall { call, .. } | Primitive::CustomVjpCall { call, .. } => {
                vec![&call.0]
            }
            Primitive::Cond { branches } => branches.iter().map(|b| &*b.0).collect(),
            Primitive::While { cond, body, .. } => vec![&cond.0, &body.0],
            Primitive::Scan { body, .. } => vec![&body.0],
            Primitive::ShardMap(params) => vec![&params.body.0],
            Primitive::Checkpoint(params) => vec![&params.jaxpr.0],
            Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::IsFinite
            | Primitive::Complex(_)
            | Primitive::SelectN
            | Primitive::Clamp
            | Primitive::IntegerPow { .. }
            | Primitive::ConvertElementType { .. }
            | Primitive::BitcastConvertType { .. }
            | Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Squeeze { .. }
            | Primitive::ExpandDims { .. }
            | Primitive::Iota { .. }
            | Primitive::Slice { .. }
            | Primitive::Concatenate { .. }
            | Primitive::Reduce { .. }
            | Primitive::DotGeneral { .. }
            | Primitive::Copy
            | Primitive::Indexing(_)
            | Primitive::Ordering(_)
            | Primitive::Linalg(_)
            | Primitive::FfiCall(_)
            | Primitive::HostCallback(_)
            | Primitive::ExportedCall(_)
            | Primitive::StopGradient
            | Primitive::CustomLin { .. }
            | Primitive::ShardingConstraint { .. }
            | Primitive::Collective(_)
            | Primitive::CheckpointName { .. }
            | Primitive::Random(_) => Vec::new(),
        }
    }
}
