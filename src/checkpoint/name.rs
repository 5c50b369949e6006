//! `checkpoint_name` (JAX's `jax.ad_checkpoint.checkpoint_name` and its primitive `name`): the
//! identity, tagging a value with a name that checkpoint policies
//! ([`save_only_these_names`](super::policies::save_only_these_names),
//! [`save_any_names_but_these`](super::policies::save_any_names_but_these)) select.
//!
//! Its rules: the output type is the operand's; the JVP names the primal and passes the
//! tangent through unnamed (as JAX does); the transpose passes the cotangent through; the
//! batching rule names the batched value, keeping its batch axis; the lowering is nothing.

use crate::abstract_value::ShapedArray;
use crate::core::trace::current_trace;
use crate::core::{Primitive, bind1};
use crate::interpreters::batching::Batched;
use crate::interpreters::jvp::Tangent;
use crate::tree::Pytree;
use crate::{Array, Error, Result};

/// `x`, named `name` for the checkpoint policies (JAX's `checkpoint_name`). Outside any
/// transformation it is `x` itself.
///
/// ```
/// use rjax::{Array, checkpoint_name, make_jaxpr};
/// let jaxpr = make_jaxpr(|x: Array| checkpoint_name(&x.sin(), "s"))(&Array::from(1.0f32))?;
/// assert_eq!(
///     jaxpr.to_string(),
///     "{ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = name[name=s] b in (c,) }"
/// );
/// # Ok::<(), rjax::Error>(())
/// ```
#[track_caller]
pub fn checkpoint_name(x: &Array, name: &str) -> Array {
    if current_trace().tag().is_none() && x.concrete().is_some() {
        return x.clone();
    }
    crate::lax::apply(
        Primitive::CheckpointName {
            name: name.to_string(),
        },
        &[x],
    )
}

/// [`checkpoint_name`] of every leaf of a pytree.
#[track_caller]
pub fn checkpoint_name_tree<T: Pytree>(tree: &T, name: &str) -> T {
    let (leaves, def) = tree.tree_flatten();
    let named = leaves.iter().map(|x| checkpoint_name(x, name)).collect();
    T::tree_unflatten(&def, named).expect("the structure is unchanged")
}

/// The output type: the one operand's.
pub(crate) fn name_abstract_eval(avals: &[ShapedArray]) -> Result<ShapedArray> {
    match avals {
        [aval] => Ok(aval.clone()),
        _ => Err(Error::invalid(
            "name",
            format!(
                "checkpoint_name takes one operand, but was given {}",
                avals.len()
            ),
        )),
    }
}

/// The JVP: the primal named, the tangent unnamed.
pub(crate) fn name_jvp(name: &str, primal: &Array, tangent: &Tangent) -> Result<(Array, Tangent)> {
    let named = bind1(
        Primitive::CheckpointName {
            name: name.to_string(),
        },
        std::slice::from_ref(primal),
    )?;
    Ok((named, tangent.clone()))
}

/// The transpose of the identity: the cotangent itself.
pub(crate) fn name_transpose(ct: &Array) -> Vec<Option<Tangent>> {
    vec![Some(Tangent::Value(ct.clone()))]
}

/// The batching rule: the batched value named, its batch axis unchanged.
pub(crate) fn name_batch(name: &str, value: &Array, dim: Option<usize>) -> Result<Batched> {
    let named = bind1(
        Primitive::CheckpointName {
            name: name.to_string(),
        },
        std::slice::from_ref(value),
    )?;
    Ok((vec![named], vec![dim]))
}
