//! `with_sharding_constraint`: the identity, annotated with the sharding XLA should give its
//! result (a `Sharding` custom call), so the SPMD partitioner lays the value out that way.

use super::NamedSharding;
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::Batched;
use crate::interpreters::jvp::Tangent;
use crate::lax::unwrap_at_caller;
use crate::lowering::FunctionBuilder;
use crate::{Array, Result};

/// `x`, constrained to have `sharding` (JAX's `jax.lax.with_sharding_constraint`). Inside
/// `jit`, XLA partitions the program so that the value has this layout (inserting the
/// communication needed); the jitted function then runs on the sharding's mesh. On a concrete
/// array it is [`device_put`](super::device_put).
#[track_caller]
pub fn with_sharding_constraint(x: &Array, sharding: &NamedSharding) -> Array {
    unwrap_at_caller(bind1(
        Primitive::ShardingConstraint {
            sharding: sharding.clone(),
        },
        std::slice::from_ref(x),
    ))
}

/// The identity's type, once the shape is checked against the sharding.
pub(crate) fn abstract_eval(
    sharding: &NamedSharding,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    sharding.check_shape("with_sharding_constraint", &avals[0].shape)?;
    Ok(avals[0].clone())
}

/// `stablehlo.custom_call @Sharding` with the annotation.
pub(crate) fn lower(
    sharding: &NamedSharding,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
) -> String {
    f.op(
        "stablehlo.custom_call",
        args,
        avals_in,
        avals_in,
        &format!(
            "call_target_name = \"Sharding\", mhlo.sharding = \"{}\"",
            sharding.hlo_sharding(avals_in[0].ndim())
        ),
    )
}

/// The cotangent takes the same layout.
pub(crate) fn transpose(sharding: &NamedSharding, ct: &Array) -> Result<Vec<Option<Tangent>>> {
    let out = bind1(
        Primitive::ShardingConstraint {
            sharding: sharding.clone(),
        },
        std::slice::from_ref(ct),
    )?;
    Ok(vec![Some(Tangent::Value(out))])
}

/// The batch axis is not split: the constraint gains an unsplit dimension there.
pub(crate) fn batch(
    sharding: &NamedSharding,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let dim = dims[0].expect("batched");
    let batched = NamedSharding::new(sharding.mesh(), sharding.spec().insert_dim(dim))?;
    let out = bind1(Primitive::ShardingConstraint { sharding: batched }, values)?;
    Ok((vec![out], vec![Some(dim)]))
}
