//! Jaxprs: rjax's typed, first-order intermediate representation (JAX's `core.Jaxpr`), with its
//! pretty-printer, type checker and dead-code elimination.

mod dce;
mod effects;
mod eval;
mod ir;
mod pretty;
mod typecheck;

pub(crate) use dce::dce_jaxpr;
pub(crate) use eval::eval_jaxpr;
pub use ir::{Atom, ClosedJaxpr, Eqn, Jaxpr, JaxprRef, Literal, Var};
pub(crate) use typecheck::typecheck_jaxpr;
