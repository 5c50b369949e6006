//! Effects, as small as rjax needs them: whether an equation must run even when nothing uses
//! its outputs (JAX's effects on `io_callback` and `debug_callback`, and on every call whose
//! body has one), so that dead-code elimination keeps it.

use super::Jaxpr;
use crate::core::Primitive;

impl Primitive {
    /// Whether this primitive has a side effect: a side-effecting host callback, or a
    /// higher-order primitive (a call, a loop, a branch, ...) whose body contains one.
    pub(crate) fn has_side_effect(&self) -> bool {
        match self {
            Primitive::HostCallback(op) => op.has_side_effect(),
            _ => self.inner_jaxprs().into_iter().any(Jaxpr::has_side_effect),
        }
    }
}

impl Jaxpr {
    /// Whether any equation of this jaxpr has a side effect.
    pub(crate) fn has_side_effect(&self) -> bool {
        self.eqns.iter().any(|eqn| eqn.primitive.has_side_effect())
    }
}
