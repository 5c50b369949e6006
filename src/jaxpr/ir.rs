//! The jaxpr data types: variables, literals, equations, jaxprs, and closed jaxprs.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Array;
use crate::abstract_value::ShapedArray;
use crate::core::Primitive;

/// A variable of a jaxpr: a unique id and its type. Equal only to itself.
#[derive(Debug, Clone)]
pub struct Var {
    pub(crate) id: usize,
    pub(crate) aval: ShapedArray,
}

impl Var {
    /// A variable never seen before, of type `aval`.
    pub(crate) fn fresh(aval: ShapedArray) -> Var {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        Var {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            aval,
        }
    }

    /// The variable's type.
    pub fn aval(&self) -> &ShapedArray {
        &self.aval
    }
}

impl PartialEq for Var {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Var {}

impl Hash for Var {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// A scalar constant written into the jaxpr itself (from a Rust number).
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub(crate) aval: ShapedArray,
    /// The little-endian bytes of the one element.
    pub(crate) bytes: Vec<u8>,
}

/// An operand of an equation: a variable or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    /// A variable.
    Var(Var),
    /// A literal scalar.
    Literal(Literal),
}

impl Atom {
    /// The operand's type.
    pub fn aval(&self) -> &ShapedArray {
        match self {
            Atom::Var(var) => &var.aval,
            Atom::Literal(literal) => &literal.aval,
        }
    }
}

/// One equation: `outputs = primitive[params] inputs`.
#[derive(Debug, Clone)]
pub struct Eqn {
    pub(crate) primitive: Primitive,
    pub(crate) inputs: Vec<Atom>,
    pub(crate) outputs: Vec<Var>,
}

/// A jaxpr: constants' variables, input variables, equations in order, and outputs.
#[derive(Debug, Clone, Default)]
pub struct Jaxpr {
    pub(crate) constvars: Vec<Var>,
    pub(crate) invars: Vec<Var>,
    pub(crate) eqns: Vec<Eqn>,
    pub(crate) outvars: Vec<Atom>,
}

impl Jaxpr {
    /// The types of the inputs, constants' variables first.
    pub(crate) fn in_avals(&self) -> Vec<ShapedArray> {
        self.constvars
            .iter()
            .chain(&self.invars)
            .map(|v| v.aval.clone())
            .collect()
    }

    /// The types of the outputs.
    pub fn out_avals(&self) -> Vec<ShapedArray> {
        self.outvars
            .iter()
            .map(|atom| atom.aval().clone())
            .collect()
    }

    /// The equations.
    pub fn eqns(&self) -> &[Eqn] {
        &self.eqns
    }
}

/// A jaxpr with the values of its constants.
#[derive(Debug, Clone)]
pub struct ClosedJaxpr {
    pub(crate) jaxpr: Arc<Jaxpr>,
    pub(crate) consts: Vec<Array>,
}

impl ClosedJaxpr {
    /// The jaxpr.
    pub fn jaxpr(&self) -> &Jaxpr {
        &self.jaxpr
    }

    /// The constants, in the order of the jaxpr's constant variables.
    pub fn consts(&self) -> &[Array] {
        &self.consts
    }
}

impl fmt::Display for ClosedJaxpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.jaxpr, f)
    }
}

/// A shared jaxpr compared and hashed by identity: the parameter of call primitives, and the
/// key of the caches that hold their lowered and compiled forms.
#[derive(Debug, Clone)]
pub struct JaxprRef(pub(crate) Arc<Jaxpr>);

impl JaxprRef {
    /// An address that identifies the jaxpr while it lives.
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl PartialEq for JaxprRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for JaxprRef {}

impl Hash for JaxprRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}
