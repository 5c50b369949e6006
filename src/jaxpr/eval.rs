//! Evaluating a jaxpr by binding its equations (JAX's `eval_jaxpr`). Because it goes through
//! `bind`, evaluation is itself traceable: under a JVP trace it differentiates the jaxpr.

use std::collections::HashMap;

use super::{Atom, Jaxpr};
use crate::array::Concrete;
use crate::core::bind;
use crate::{Array, Result};

/// The outputs of `jaxpr` applied to `args` (its constants' values first, then its inputs).
pub(crate) fn eval_jaxpr(jaxpr: &Jaxpr, args: &[Array]) -> Result<Vec<Array>> {
    let mut env: HashMap<usize, Array> = jaxpr
        .constvars
        .iter()
        .chain(&jaxpr.invars)
        .map(|var| var.id)
        .zip(args.iter().cloned())
        .collect();
    let read = |env: &HashMap<usize, Array>, atom: &Atom| match atom {
        Atom::Var(var) => env[&var.id].clone(),
        Atom::Literal(literal) => Array::from_concrete(Concrete::from_host(
            literal.aval.clone(),
            literal.bytes.clone(),
        )),
    };
    for eqn in &jaxpr.eqns {
        let inputs: Vec<Array> = eqn.inputs.iter().map(|atom| read(&env, atom)).collect();
        let outputs = bind(eqn.primitive.clone(), &inputs)?;
        for (var, value) in eqn.outputs.iter().zip(outputs) {
            env.insert(var.id, value);
        }
    }
    Ok(jaxpr.outvars.iter().map(|atom| read(&env, atom)).collect())
}
