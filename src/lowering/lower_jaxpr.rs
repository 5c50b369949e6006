//! Lowering a jaxpr to a StableHLO module (JAX's `lower_jaxpr_to_module` and `jaxpr_subcomp`):
//! `main` is public and takes the constants, then the inputs; literals become
//! `stablehlo.constant`s; each equation is lowered by its primitive's rule.

use std::collections::HashMap;

use super::{FunctionBuilder, ModuleBuilder, dense_scalar};
use crate::Result;
use crate::abstract_value::ShapedArray;
use crate::jaxpr::{Atom, Jaxpr};

/// The StableHLO module `name` whose public `main` computes `jaxpr`. `donated[i]` marks input
/// `i` (after the constants) as a buffer donor: XLA may reuse its memory for an output.
pub(crate) fn lower_jaxpr_to_module(jaxpr: &Jaxpr, name: &str, donated: &[bool]) -> Result<String> {
    let mut module = ModuleBuilder::default();
    let main = lower_function(&mut module, jaxpr, "public", "main", donated)?;
    Ok(module.finish(name, main))
}

/// The text of a function `@name` of `module` that computes `jaxpr`, with the inputs marked
/// in `donated` (after the constants) as buffer donors.
pub(crate) fn lower_function(
    module: &mut ModuleBuilder,
    jaxpr: &Jaxpr,
    visibility: &str,
    name: &str,
    donated: &[bool],
) -> Result<String> {
    let mut f = FunctionBuilder::new(module);
    let num_consts = jaxpr.constvars.len();
    let params: Vec<(String, ShapedArray, bool)> = jaxpr
        .in_avals()
        .into_iter()
        .enumerate()
        .map(|(i, aval)| {
            let donor = i >= num_consts && donated.get(i - num_consts).copied().unwrap_or(false);
            (format!("%arg{i}"), aval, donor)
        })
        .collect();
    let args: Vec<String> = params.iter().map(|(arg, _, _)| arg.clone()).collect();
    let outputs = lower_jaxpr_body(&mut f, jaxpr, &args)?;
    Ok(f.finish(visibility, name, &params, &outputs))
}

/// Emits `jaxpr`'s equations into `f`, with `args` bound to its constants' variables then its
/// inputs; returns its output values and types.
pub(crate) fn lower_jaxpr_body(
    f: &mut FunctionBuilder<'_>,
    jaxpr: &Jaxpr,
    args: &[String],
) -> Result<Vec<(String, ShapedArray)>> {
    let mut env: HashMap<usize, String> = jaxpr
        .constvars
        .iter()
        .chain(&jaxpr.invars)
        .zip(args)
        .map(|(var, arg)| (var.id, arg.clone()))
        .collect();
    let read = |f: &mut FunctionBuilder<'_>, env: &HashMap<usize, String>, atom: &Atom| match atom {
        Atom::Var(var) => env[&var.id].clone(),
        Atom::Literal(literal) => f.constant(
            &literal.aval,
            &dense_scalar(literal.aval.dtype, &literal.bytes),
        ),
    };
    for eqn in &jaxpr.eqns {
        let inputs: Vec<String> = eqn.inputs.iter().map(|atom| read(f, &env, atom)).collect();
        let avals_in: Vec<ShapedArray> =
            eqn.inputs.iter().map(|atom| atom.aval().clone()).collect();
        let avals_out: Vec<ShapedArray> = eqn.outputs.iter().map(|var| var.aval.clone()).collect();
        let outputs = eqn.primitive.lower(f, &inputs, &avals_in, &avals_out)?;
        for (var, value) in eqn.outputs.iter().zip(outputs) {
            env.insert(var.id, value);
        }
    }
    Ok(jaxpr
        .outvars
        .iter()
        .map(|atom| (read(f, &env, atom), atom.aval().clone()))
        .collect())
}
