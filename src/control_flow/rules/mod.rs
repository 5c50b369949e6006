//! The rules of the control-flow primitives `cond`, `while` and `scan`: abstract evaluation,
//! lowering, JVP, transpose and batching.
//!
//! Reverse mode is JAX's. The JVP of each is one primitive of the same kind whose body is
//! the JVP of the body (primals and tangents together). Under `linearize`, the partial
//! evaluator (the staging trace with a parent) calls the partial-evaluation rules here when
//! such a primitive has both known and unknown operands: `scan` and `cond` are split into a
//! known primitive, run at once, computing the known outputs and the residuals (stacked per
//! iteration for `scan`, loop-invariant ones passed as constants), and an unknown primitive,
//! staged, over the residuals and the tangents (JAX's `_scan_partial_eval` and
//! `_cond_partial_eval`). Their transposes run the body's transpose inside a new primitive:
//! the body is partially evaluated with the known operands and its linear part is transposed
//! with `backward_pass`. `while` is split as JAX's `_while_partial_eval` does (the known
//! carries by a known loop, the whole loop staged for the unknown ones) and has no transpose:
//! JAX's error.

use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use super::{join_consts, slice_aval, trace_closed, typematch, while_flat};
use crate::abstract_value::ShapedArray;
use crate::core::trace::{current_trace, with_trace};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::batching::{Batched, batch_flat, bdim_at_front, move_axis};
use crate::interpreters::jvp::{Tangent, is_differentiable, jvp_flat, tangent_aval, zeros};
use crate::interpreters::staging::{StagingTrace, make_jaxpr_flat};
use crate::interpreters::transpose::{LinearInput, backward_pass};
use crate::jaxpr::{Jaxpr, JaxprRef, eval_jaxpr};
use crate::lax::{Comparison, ReduceOp, rules as lax_rules};
use crate::lowering::FunctionBuilder;
use crate::{Array, DType, Error, Result};

pub(super) fn show(avals: &[ShapedArray]) -> String {
    let types: Vec<String> = avals.iter().map(ShapedArray::to_string).collect();
    format!("({})", types.join(", "))
}

pub(super) fn check_inputs(
    name: &str,
    what: &str,
    jaxpr: &Jaxpr,
    avals: &[ShapedArray],
) -> Result<()> {
    let expected = jaxpr.in_avals();
    if expected.len() != avals.len() || !expected.iter().zip(avals).all(|(a, b)| typematch(a, b)) {
        return Err(Error::invalid(
            name,
            format!(
                "{what} takes {} but was given {}",
                show(&expected),
                show(avals)
            ),
        ));
    }
    Ok(())
}

mod abstract_eval;
mod batching;
mod jvp;
mod lowering;
mod partial_eval;
mod transpose;

pub(crate) use abstract_eval::*;
pub(crate) use batching::*;
pub(crate) use jvp::*;
pub(crate) use lowering::*;
pub(crate) use partial_eval::*;
pub(crate) use transpose::*;
