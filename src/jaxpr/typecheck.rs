//! The jaxpr type checker (JAX's `typecheck_jaxpr`): every variable is bound once before use,
//! and every equation's output types are what abstract evaluation gives for its inputs. Run on
//! every jaxpr built in debug builds and tests.

use std::collections::HashSet;

use super::{Atom, Jaxpr, Var};
use crate::{Error, Result};

/// Checks `jaxpr`; the error names the equation and what is wrong.
pub(crate) fn typecheck_jaxpr(jaxpr: &Jaxpr) -> Result<()> {
    let mut bound: HashSet<usize> = HashSet::new();
    for var in jaxpr.constvars.iter().chain(&jaxpr.invars) {
        define(&mut bound, var, "an input")?;
    }
    for (at, eqn) in jaxpr.eqns.iter().enumerate() {
        for input in &eqn.inputs {
            check_bound(&bound, input, at)?;
        }
        let avals: Vec<_> = eqn.inputs.iter().map(|atom| atom.aval().clone()).collect();
        let expected = eqn.primitive.abstract_eval(&avals)?;
        let actual: Vec<_> = eqn.outputs.iter().map(|var| var.aval.clone()).collect();
        if expected != actual {
            return Err(Error::invalid(
                "typecheck_jaxpr",
                format!(
                    "equation {at} ({}) has outputs of types {actual:?}, but its inputs give {expected:?}",
                    eqn.primitive
                ),
            ));
        }
        for output in &eqn.outputs {
            define(&mut bound, output, "an equation")?;
        }
    }
    for output in &jaxpr.outvars {
        check_bound(&bound, output, jaxpr.eqns.len())?;
    }
    Ok(())
}

fn define(bound: &mut HashSet<usize>, var: &Var, what: &str) -> Result<()> {
    if bound.insert(var.id) {
        Ok(())
    } else {
        Err(Error::invalid(
            "typecheck_jaxpr",
            format!("{what} binds a variable of type {} a second time", var.aval),
        ))
    }
}

fn check_bound(bound: &HashSet<usize>, atom: &Atom, at: usize) -> Result<()> {
    match atom {
        Atom::Var(var) if !bound.contains(&var.id) => Err(Error::invalid(
            "typecheck_jaxpr",
            format!(
                "equation {at} reads a variable of type {} that is not bound",
                var.aval
            ),
        )),
        _ => Ok(()),
    }
}
