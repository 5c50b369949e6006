//! Partial evaluation of a checkpoint (JAX's `remat_partial_eval`): under `linearize`, a
//! checkpoint (of a JVP) with known primals and unknown tangents runs its forward part at once
//! and stages a *differentiated* checkpoint that recomputes what the policy did not save.
//!
//! 1. The body is partially evaluated inside a staged function of the known operands, with
//!    every rule the partial evaluator has (control flow included): the staged function is
//!    the known jaxpr, returning the known outputs and the known values the unknown part
//!    reads; the unknown part is a jaxpr whose constants are those values.
//! 2. [`split_by_policy`] decides which of those values are saved and which are recomputed.
//! 3. The forward computation runs on the parent trace (it computes the known outputs and the
//!    saved values), and a checkpoint marked `differentiated` is staged on the unknown
//!    operands: it takes the saved values, the known operands it reads and the unknown ones,
//!    repeats the recomputed equations, then computes the unknown outputs.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::params::CheckpointParams;
use super::residuals::{Split, split_by_policy, substitute};
use crate::control_flow::trace_closed;
use crate::core::Primitive;
use crate::core::trace::{Trace, current_trace, with_trace};
use crate::interpreters::staging::StagingTrace;
use crate::jaxpr::{Eqn, Jaxpr, JaxprRef, eval_jaxpr};
use crate::{Array, Result};

/// The outputs of the checkpoint `params` applied to `args`, some of them `trace`'s unknown
/// tracers: the known outputs computed on `parent`, the unknown ones staged.
pub(crate) fn checkpoint_partial_eval(
    trace: &StagingTrace,
    parent: &Rc<dyn Trace>,
    params: &CheckpointParams,
    args: &[Array],
) -> Result<Vec<Array>> {
    let body = &params.jaxpr.0;
    let unknown: Vec<bool> = args.iter().map(|a| trace.owns(a)).collect();
    let known_args: Vec<Array> = args
        .iter()
        .zip(&unknown)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.clone())
        .collect();
    let known_avals: Vec<_> = known_args.iter().map(|a| a.aval().clone()).collect();
    // Step 1: the known jaxpr (staged) and the unknown one (captured on the side).
    let mut unknown_part = None;
    let (known_jaxpr, known_consts) = trace_closed(&known_avals, |kargs| {
        let partial = Rc::new(StagingTrace::new(Some(current_trace())));
        let mut unknown_vars = Vec::new();
        let mut kargs = kargs.into_iter();
        let full: Vec<Array> = body
            .invars
            .iter()
            .zip(&unknown)
            .map(|(var, u)| match u {
                true => {
                    let (v, tracer) = partial.new_input(var.aval.clone());
                    unknown_vars.push(v);
                    tracer
                }
                false => kargs.next().expect("one per known operand"),
            })
            .collect();
        let outs = with_trace(partial.clone(), || eval_jaxpr(body, &full))?;
        let out_unknown: Vec<bool> = outs.iter().map(|o| partial.owns(o)).collect();
        let (unknown_outs, mut known_outs): (Vec<Array>, Vec<Array>) =
            outs.into_iter().partition(|o| partial.owns(o));
        let lin = partial.finish(unknown_vars, &unknown_outs)?;
        known_outs.extend(lin.consts.iter().cloned());
        unknown_part = Some((lin.jaxpr, out_unknown));
        Ok(known_outs)
    })?;
    let (unknown_jaxpr, out_unknown) = unknown_part.expect("traced");
    let num_known_outs = out_unknown.iter().filter(|u| !**u).count();
    // Step 2: what is saved, what is recomputed.
    let split = split_by_policy(&known_jaxpr, num_known_outs, &params.policy);
    // Step 3: the forward computation, on the parent.
    let mut known_inputs = known_consts;
    known_inputs.extend(known_args);
    let forward_outs = with_trace(parent.clone(), || eval_jaxpr(&split.forward, &known_inputs))?;
    let (known_outs, saved) = forward_outs.split_at(num_known_outs);
    debug_assert_eq!(saved.len(), split.num_saved);
    let mut unknown_outs = Vec::new().into_iter();
    if out_unknown.iter().any(|u| *u) {
        let backward = backward_jaxpr(&known_jaxpr, num_known_outs, &unknown_jaxpr, &split);
        let mut staged_args = saved.to_vec();
        staged_args.extend(split.inputs_read.iter().map(|&i| known_inputs[i].clone()));
        staged_args.extend(
            args.iter()
                .zip(&unknown)
                .filter(|(_, u)| **u)
                .map(|(a, _)| a.clone()),
        );
        let staged = Primitive::Checkpoint(params.differentiated(JaxprRef(Arc::new(backward))));
        unknown_outs = trace.stage(&staged, &staged_args)?.into_iter();
    }
    let mut known_outs = known_outs.iter();
    Ok(out_unknown
        .iter()
        .map(|u| match u {
            true => unknown_outs.next().expect("one per unknown output"),
            false => known_outs.next().expect("one per known output").clone(),
        })
        .collect())
}

/// The differentiated checkpoint's body: (saved values, known inputs read, unknown inputs) to
/// the unknown outputs, repeating the recomputed equations before the unknown part, whose
/// constants (the values it reads) become the known jaxpr's variables they stand for.
fn backward_jaxpr(known: &Jaxpr, num_known_outs: usize, unknown: &Jaxpr, split: &Split) -> Jaxpr {
    let substitution: HashMap<usize, _> = unknown
        .constvars
        .iter()
        .zip(&known.outvars[num_known_outs..])
        .map(|(var, atom)| (var.id, atom.clone()))
        .collect();
    let mut eqns = split.recomputed.clone();
    eqns.extend(unknown.eqns.iter().map(|eqn| {
        Eqn {
            primitive: eqn.primitive.clone(),
            inputs: eqn
                .inputs
                .iter()
                .map(|a| substitute(a, &substitution))
                .collect(),
            outputs: eqn.outputs.clone(),
        }
    }));
    let mut invars = split.backward_invars.clone();
    invars.extend(unknown.invars.iter().cloned());
    Jaxpr {
        constvars: Vec::new(),
        invars,
        eqns,
        outvars: unknown
            .outvars
            .iter()
            .map(|a| substitute(a, &substitution))
            .collect(),
    }
}
