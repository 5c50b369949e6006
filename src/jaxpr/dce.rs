//! Dead-code elimination (JAX's `dce_jaxpr`): equations none of whose outputs are used, and
//! constants nothing reads, are dropped; equations with a side effect (`effects`) are kept.

use std::collections::HashSet;

use super::{Atom, Jaxpr, Var};
use crate::Array;

/// `jaxpr` without dead equations and unused constants (with `consts` filtered to match).
/// Inputs are kept, so the signature does not change.
pub(crate) fn dce_jaxpr(jaxpr: Jaxpr, consts: Vec<Array>) -> (Jaxpr, Vec<Array>) {
    let mut live: HashSet<Var> = jaxpr
        .outvars
        .iter()
        .filter_map(|atom| match atom {
            Atom::Var(var) => Some(var.clone()),
            Atom::Literal(_) => None,
        })
        .collect();
    let mut eqns = Vec::with_capacity(jaxpr.eqns.len());
    for eqn in jaxpr.eqns.into_iter().rev() {
        if eqn.outputs.iter().any(|out| live.contains(out)) || eqn.primitive.has_side_effect() {
            for input in &eqn.inputs {
                if let Atom::Var(var) = input {
                    live.insert(var.clone());
                }
            }
            eqns.push(eqn);
        }
    }
    eqns.reverse();
    let (constvars, consts): (Vec<Var>, Vec<Array>) = jaxpr
        .constvars
        .into_iter()
        .zip(consts)
        .filter(|(var, _)| live.contains(var))
        .unzip();
    let jaxpr = Jaxpr {
        constvars,
        invars: jaxpr.invars,
        eqns,
        outvars: jaxpr.outvars,
    };
    (jaxpr, consts)
}
