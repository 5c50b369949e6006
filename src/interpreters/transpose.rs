//! Transposition of linear jaxprs (JAX's `backward_pass`): the jaxpr runs backwards from the
//! cotangents of its outputs to those of its inputs, each equation through its primitive's
//! transpose rule.
//!
//! The jaxprs transposed here come from linearization, where every equation reads at least
//! one linear value: inputs and equation outputs are linear ([`LinearInput::Undefined`]),
//! constants (the residuals) and literals are known. Cotangents accumulate per variable by
//! addition; a missing cotangent is a symbolic zero, and equations whose outputs all have zero
//! cotangents are skipped.

use std::collections::HashMap;

use super::jvp::Tangent;
use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::jaxpr::{Atom, Jaxpr};
use crate::{Array, Result};

/// An operand of an equation being transposed.
#[derive(Debug, Clone)]
pub(crate) enum LinearInput {
    /// A value the equation is linear in, whose cotangent is wanted.
    Undefined(ShapedArray),
    /// A known value (a residual or a literal).
    Known(Array),
}

impl LinearInput {
    /// The operand's type.
    pub(crate) fn aval(&self) -> &ShapedArray {
        match self {
            LinearInput::Undefined(aval) => aval,
            LinearInput::Known(value) => value.aval(),
        }
    }
}

/// The cotangents of `jaxpr`'s inputs given `cotangents` of its outputs; `consts` are the values
/// of its constant variables.
pub(crate) fn backward_pass(
    jaxpr: &Jaxpr,
    consts: &[Array],
    cotangents: Vec<Tangent>,
) -> Result<Vec<Tangent>> {
    let known: HashMap<usize, &Array> = jaxpr.constvars.iter().map(|v| v.id).zip(consts).collect();
    let mut accumulated: HashMap<usize, Tangent> = HashMap::new();
    let accumulate =
        |accumulated: &mut HashMap<usize, Tangent>, id: usize, ct: Tangent| -> Result<()> {
            let total = match accumulated.remove(&id) {
                Some(existing) => existing.add(ct)?,
                None => ct,
            };
            accumulated.insert(id, total);
            Ok(())
        };
    for (atom, ct) in jaxpr.outvars.iter().zip(cotangents) {
        if let Atom::Var(var) = atom
            && !known.contains_key(&var.id)
        {
            accumulate(&mut accumulated, var.id, ct)?;
        }
    }
    for eqn in jaxpr.eqns.iter().rev() {
        let cts: Vec<Tangent> = eqn
            .outputs
            .iter()
            .map(|var| {
                accumulated
                    .remove(&var.id)
                    .unwrap_or_else(|| Tangent::Zero(var.aval.clone()))
            })
            .collect();
        if cts.iter().all(Tangent::is_zero) {
            continue;
        }
        let inputs: Vec<LinearInput> = eqn
            .inputs
            .iter()
            .map(|atom| match atom {
                Atom::Var(var) => match known.get(&var.id) {
                    Some(value) => LinearInput::Known((*value).clone()),
                    None => LinearInput::Undefined(var.aval.clone()),
                },
                Atom::Literal(literal) => LinearInput::Known(Array::from_concrete(
                    Concrete::from_host(literal.aval.clone(), literal.bytes.clone()),
                )),
            })
            .collect();
        let input_cts = eqn.primitive.transpose(&cts, &inputs)?;
        for (atom, ct) in eqn.inputs.iter().zip(input_cts) {
            if let (Atom::Var(var), Some(ct)) = (atom, ct)
                && !known.contains_key(&var.id)
                && !ct.is_zero()
            {
                accumulate(&mut accumulated, var.id, ct)?;
            }
        }
    }
    Ok(jaxpr
        .invars
        .iter()
        .map(|var| {
            accumulated
                .remove(&var.id)
                .unwrap_or_else(|| Tangent::Zero(var.aval.clone()))
        })
        .collect())
}
