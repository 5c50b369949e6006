//! Lowering a jaxpr to a StableHLO module (JAX's `lower_jaxpr_to_module` and `jaxpr_subcomp`):
//! `main` is public and takes the constants, then the inputs; literals become
//! `stablehlo.constant`s; each equation is lowered by its primitive's rule, except products
//! with an identity matrix ([`IdentityProducts`]).

use std::collections::{HashMap, HashSet};

use super::identity_products::{Folded, IdentityProducts};
use super::{FunctionBuilder, ModuleBuilder, dense_scalar};
use crate::Result;
use crate::abstract_value::ShapedArray;
use crate::core::Primitive;
use crate::jaxpr::{Atom, Jaxpr};

/// How `main` is laid out over devices and which inputs it donates.
#[derive(Default)]
pub(crate) struct MainOptions<'a> {
    /// `donated[i]` marks input `i` (after the constants) as a buffer donor: XLA may reuse
    /// its memory for an output.
    pub(crate) donated: &'a [bool],
    /// XLA's sharding annotation of each parameter (constants first); missing: none.
    pub(crate) arg_shardings: Vec<Option<String>>,
    /// XLA's sharding annotation of each result; missing: none.
    pub(crate) result_shardings: Vec<Option<String>>,
    /// How many SPMD partitions the program has (0 or 1: one).
    pub(crate) num_partitions: usize,
}

/// The StableHLO module `name` whose public `main` computes `jaxpr`.
pub(crate) fn lower_jaxpr_to_module(
    jaxpr: &Jaxpr,
    name: &str,
    options: &MainOptions<'_>,
) -> Result<String> {
    let mut module = ModuleBuilder::default();
    let mut f = FunctionBuilder::new(&mut module);
    let num_consts = jaxpr.constvars.len();
    let params: Vec<(String, ShapedArray, String)> = jaxpr
        .in_avals()
        .into_iter()
        .enumerate()
        .map(|(i, aval)| {
            let mut attributes = Vec::new();
            if i >= num_consts && options.donated.get(i - num_consts) == Some(&true) {
                attributes.push("jax.buffer_donor = true".to_string());
            }
            if let Some(Some(sharding)) = options.arg_shardings.get(i) {
                attributes.push(format!("mhlo.sharding = \"{sharding}\""));
            }
            (format!("%arg{i}"), aval, attributes.join(", "))
        })
        .collect();
    let args: Vec<String> = params.iter().map(|(arg, _, _)| arg.clone()).collect();
    let outputs = lower_jaxpr_body(&mut f, jaxpr, &args)?;
    let results: Vec<(String, ShapedArray, String)> = outputs
        .into_iter()
        .enumerate()
        .map(|(i, (value, aval))| {
            let attributes = options
                .result_shardings
                .get(i)
                .and_then(Option::as_ref)
                .map(|sharding| format!("mhlo.sharding = \"{sharding}\""))
                .unwrap_or_default();
            (value, aval, attributes)
        })
        .collect();
    let main = f.finish("public", "main", &params, &results);
    Ok(module.finish(name, main, options.num_partitions.max(1)))
}

/// The text of a private function `@name` of `module` that computes `jaxpr`.
pub(crate) fn lower_function(
    module: &mut ModuleBuilder,
    jaxpr: &Jaxpr,
    name: &str,
) -> Result<String> {
    let mut f = FunctionBuilder::new(module);
    let params: Vec<(String, ShapedArray, String)> = jaxpr
        .in_avals()
        .into_iter()
        .enumerate()
        .map(|(i, aval)| (format!("%arg{i}"), aval, String::new()))
        .collect();
    let args: Vec<String> = params.iter().map(|(arg, _, _)| arg.clone()).collect();
    let outputs: Vec<(String, ShapedArray, String)> = lower_jaxpr_body(&mut f, jaxpr, &args)?
        .into_iter()
        .map(|(value, aval)| (value, aval, String::new()))
        .collect();
    Ok(f.finish("private", name, &params, &outputs))
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
    let mut identities = IdentityProducts::default();
    // The variables some `dot_general` reads: a folded product that feeds one is kept from
    // being folded into it (see `lower_folded`).
    let dot_operands: HashSet<usize> = jaxpr
        .eqns
        .iter()
        .filter(|eqn| matches!(eqn.primitive, Primitive::DotGeneral { .. }))
        .flat_map(|eqn| &eqn.inputs)
        .filter_map(|atom| match atom {
            Atom::Var(var) => Some(var.id),
            Atom::Literal(_) => None,
        })
        .collect();
    for eqn in &jaxpr.eqns {
        let avals_out: Vec<ShapedArray> = eqn.outputs.iter().map(|var| var.aval.clone()).collect();
        let outputs = match identities.fold(eqn) {
            Some(folded) => {
                let operand = read(f, &env, &folded.operand);
                let barrier = eqn.outputs.iter().any(|var| dot_operands.contains(&var.id));
                lower_folded(f, &operand, &folded, barrier, &avals_out)?
            }
            None => {
                let inputs: Vec<String> =
                    eqn.inputs.iter().map(|atom| read(f, &env, atom)).collect();
                let avals_in: Vec<ShapedArray> =
                    eqn.inputs.iter().map(|atom| atom.aval().clone()).collect();
                eqn.primitive.lower(f, &inputs, &avals_in, &avals_out)?
            }
        };
        identities.observe(eqn);
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

/// A product with an identity matrix ([`IdentityProducts::fold`]): `operand` transposed,
/// then reshaped to the product's type `avals_out[0]`. With `barrier` (the result feeds a
/// `dot_general`), a real transpose is put behind an optimization barrier: XLA would fold it
/// into that product, whose transposed operand takes a slower path than the product with
/// the identity did (`jit(jacrev(jacrev(f)))` of a quadratic form at n = 1000: 17 ms
/// against 9 ms).
fn lower_folded(
    f: &mut FunctionBuilder<'_>,
    operand: &str,
    folded: &Folded,
    barrier: bool,
    avals_out: &[ShapedArray],
) -> Result<Vec<String>> {
    let aval = folded.operand.aval();
    let out = &avals_out[0];
    let permutation = &folded.permutation;
    let mut value = vec![operand.to_string()];
    let mut current = aval.clone();
    if permutation.iter().enumerate().any(|(i, &d)| i != d) {
        let transposed = ShapedArray {
            shape: permutation.iter().map(|&d| aval.shape[d]).collect(),
            ..aval.clone()
        };
        let transpose = Primitive::Transpose {
            permutation: permutation.clone(),
        };
        value = transpose.lower(
            f,
            &value,
            std::slice::from_ref(&current),
            std::slice::from_ref(&transposed),
        )?;
        if barrier {
            value = f.op_with_regions(
                "stablehlo.optimization_barrier",
                &value,
                std::slice::from_ref(&transposed),
                std::slice::from_ref(&transposed),
                "",
                &[],
            );
        }
        current = transposed;
    }
    if current.shape == out.shape {
        return Ok(value);
    }
    let reshape = Primitive::Reshape {
        new_sizes: out.shape.clone(),
    };
    reshape.lower(f, &value, &[current], avals_out)
}
