//! Choosing a checkpoint's residuals by its policy (the heart of JAX's
//! `partial_eval_jaxpr_custom` with a `saveable` policy).
//!
//! Partial evaluation splits a checkpoint's body into a *known* jaxpr (the forward
//! computation, on the known inputs) and an *unknown* one that reads some known values: the
//! candidate residuals. Each candidate is an input of the known jaxpr (always saved: the
//! checkpoint's inputs are what it keeps), the output of an equation the policy calls
//! saveable (saved), or the output of one it does not (recomputed: the equation moves into
//! the backward computation, and its own operands become candidates in turn).

use std::collections::{HashMap, HashSet};

use super::policies::Policy;
use crate::abstract_value::ShapedArray;
use crate::jaxpr::{Atom, Eqn, Jaxpr, Var, dce_jaxpr};

/// A known jaxpr split by a policy.
pub(super) struct Split {
    /// The forward computation: the known jaxpr's inputs to its known outputs, then the saved
    /// values.
    pub(super) forward: Jaxpr,
    /// How many saved values `forward` returns after the known outputs.
    pub(super) num_saved: usize,
    /// The inputs of the known jaxpr the backward computation reads, by position.
    pub(super) inputs_read: Vec<usize>,
    /// The backward computation's inputs: the saved values, then the known inputs read (the
    /// variables of the known jaxpr).
    pub(super) backward_invars: Vec<Var>,
    /// The equations the backward computation repeats, in order.
    pub(super) recomputed: Vec<Eqn>,
}

/// Splits `known` (inputs to `num_known_outs` known outputs, then the candidate residuals) by
/// `policy`. Equations with a side effect are never repeated: their outputs are saved.
pub(super) fn split_by_policy(known: &Jaxpr, num_known_outs: usize, policy: &Policy) -> Split {
    let producer: HashMap<usize, usize> = known
        .eqns
        .iter()
        .enumerate()
        .flat_map(|(i, eqn)| eqn.outputs.iter().map(move |v| (v.id, i)))
        .collect();
    let mut recompute = vec![false; known.eqns.len()];
    let mut saved: Vec<Var> = Vec::new();
    let mut read: HashSet<usize> = HashSet::new();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut pending: Vec<Var> = known.outvars[num_known_outs..]
        .iter()
        .filter_map(var_of)
        .collect();
    while let Some(var) = pending.pop() {
        if !seen.insert(var.id) {
            continue;
        }
        let Some(&index) = producer.get(&var.id) else {
            read.insert(var.id);
            continue;
        };
        let eqn = &known.eqns[index];
        let avals: Vec<ShapedArray> = eqn.inputs.iter().map(|a| a.aval().clone()).collect();
        if eqn.primitive.has_side_effect() || policy.saveable(&eqn.primitive, &avals) {
            saved.push(var);
        } else if !recompute[index] {
            recompute[index] = true;
            pending.extend(eqn.inputs.iter().filter_map(var_of));
        }
    }
    // Saved values in the order the forward computation makes them.
    saved.sort_by_key(|v| producer[&v.id]);
    let inputs_read: Vec<usize> = known
        .invars
        .iter()
        .enumerate()
        .filter(|(_, v)| read.contains(&v.id))
        .map(|(i, _)| i)
        .collect();
    let mut backward_invars = saved.clone();
    backward_invars.extend(inputs_read.iter().map(|&i| known.invars[i].clone()));
    let mut outvars = known.outvars[..num_known_outs].to_vec();
    outvars.extend(saved.iter().cloned().map(Atom::Var));
    let (forward, _) = dce_jaxpr(
        Jaxpr {
            constvars: Vec::new(),
            invars: known.invars.clone(),
            eqns: known.eqns.clone(),
            outvars,
        },
        Vec::new(),
    );
    let recomputed = known
        .eqns
        .iter()
        .zip(&recompute)
        .filter(|(_, r)| **r)
        .map(|(eqn, _)| eqn.clone())
        .collect();
    Split {
        forward,
        num_saved: saved.len(),
        inputs_read,
        backward_invars,
        recomputed,
    }
}

fn var_of(atom: &Atom) -> Option<Var> {
    match atom {
        Atom::Var(var) => Some(var.clone()),
        Atom::Literal(_) => None,
    }
}

/// `atom` with the variables in `substitution` replaced.
pub(super) fn substitute(atom: &Atom, substitution: &HashMap<usize, Atom>) -> Atom {
    match atom {
        Atom::Var(var) => substitution.get(&var.id).cloned().unwrap_or(atom.clone()),
        Atom::Literal(_) => atom.clone(),
    }
}
