//! Products with an identity matrix, folded while lowering.
//!
//! `jacfwd` and `jacrev` push the standard basis through the function: the identity matrix
//! built in the trace (`iota`, `iota`, `eq`, `convert_element_type`, as `jnp.eye`) meets the
//! function's first linear map in a `dot_general`, an `n × n × n` product whose result is
//! the map itself. XLA does not simplify it; rjax lowers such a product as a transpose of the
//! other operand, which halves the work of a jitted `hessian` of a quadratic form.
//!
//! The folded result equals XLA's product exactly for finite operands (each element is one
//! product with 1 plus zeros), except that a `-0.0` stays `-0.0`; where the other operand
//! holds an infinity or NaN, the product would spread NaN along its row (`∞ · 0`), while the
//! folded result keeps the operand's values.

use std::collections::HashMap;

use crate::core::Primitive;
use crate::jaxpr::{Atom, Eqn};
use crate::lax::{BinaryOp, Comparison, DotDimensionNumbers};

/// What is known about a variable's value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    /// An `n × n` array whose elements are their index along `dimension`.
    Index { n: usize, dimension: usize },
    /// The `n × n` identity matrix (bool or numeric), possibly with unit dimensions
    /// inserted: the dimensions of size `n` are its two axes (every one when `n` is 1).
    Identity { n: usize },
}

/// Follows the equations of one jaxpr body in order, remembering which variables hold an
/// identity matrix, and folds the products with them.
#[derive(Default)]
pub(super) struct IdentityProducts {
    known: HashMap<usize, Known>,
}

impl IdentityProducts {
    /// Records what `eqn`'s output is, when it is an index array or an identity matrix.
    pub(super) fn observe(&mut self, eqn: &Eqn) {
        let [output] = eqn.outputs.as_slice() else {
            return;
        };
        let known = match (&eqn.primitive, eqn.inputs.as_slice()) {
            (
                Primitive::Iota {
                    shape, dimension, ..
                },
                [],
            ) => match shape.as_slice() {
                [rows, cols] if rows == cols => Some(Known::Index {
                    n: *rows,
                    dimension: *dimension,
                }),
                _ => None,
            },
            // `iota + 0`: `std_basis` adds each leaf's offset.
            (Primitive::Binary(BinaryOp::Add), [x, y]) => match (self.get(x), self.get(y)) {
                (Some(index @ Known::Index { .. }), None) if is_zero(y) => Some(index),
                (None, Some(index @ Known::Index { .. })) if is_zero(x) => Some(index),
                _ => None,
            },
            (Primitive::Compare(Comparison::Eq), [x, y]) => match (self.get(x), self.get(y)) {
                (
                    Some(Known::Index { n, dimension: a }),
                    Some(Known::Index { n: m, dimension: b }),
                ) if n == m && a != b => Some(Known::Identity { n }),
                _ => None,
            },
            (
                Primitive::ConvertElementType { .. }
                | Primitive::Copy
                | Primitive::Transpose { .. },
                [x],
            ) => self.identity(x),
            (Primitive::Reshape { new_sizes }, [x]) => self.identity(x).filter(
                |known| matches!(known, Known::Identity { n } if is_identity_shape(new_sizes, *n)),
            ),
            _ => None,
        };
        if let Some(known) = known {
            self.known.insert(output.id, known);
        }
    }

    /// What to lower in place of `eqn` when it is a `dot_general` with an identity matrix:
    /// the other operand, transposed by [`Folded::permutation`] and reshaped to the result.
    pub(super) fn fold(&self, eqn: &Eqn) -> Option<Folded> {
        let Primitive::DotGeneral {
            dimension_numbers, ..
        } = &eqn.primitive
        else {
            return None;
        };
        let DotDimensionNumbers {
            lhs_contracting,
            rhs_contracting,
            lhs_batch,
            rhs_batch,
        } = dimension_numbers;
        let ([lhs, rhs], [output], [], []) = (
            eqn.inputs.as_slice(),
            eqn.outputs.as_slice(),
            lhs_batch.as_slice(),
            rhs_batch.as_slice(),
        ) else {
            return None;
        };
        // The identity's other axis is indexed like its contracted one, so the result is the
        // other operand with its contracted dimension moved to where that axis goes (first
        // when the identity is on the left, last on the right), up to unit dimensions. A
        // one-element identity multiplies by 1, contracted or not.
        let contracted_axis = |identity: &Atom, contracting: &[usize]| -> Option<Option<usize>> {
            let Known::Identity { n } = self.identity(identity)? else {
                return None;
            };
            match contracting {
                [d] if identity.aval().shape[*d] == n => Some(Some(*d)),
                [] if n == 1 => Some(None),
                _ => None,
            }
        };
        let moved = |rank: usize, contracted: Option<usize>, first: bool| -> Vec<usize> {
            let rest = (0..rank).filter(move |&d| Some(d) != contracted);
            match (contracted, first) {
                (Some(c), true) => [c].into_iter().chain(rest).collect(),
                (Some(c), false) => rest.chain([c]).collect(),
                (None, _) => rest.collect(),
            }
        };
        let (other, permutation) = if contracted_axis(rhs, rhs_contracting).is_some() {
            let lc = lhs_contracting.first().copied();
            (lhs, moved(lhs.aval().shape.len(), lc, false))
        } else if contracted_axis(lhs, lhs_contracting).is_some() {
            let rc = rhs_contracting.first().copied();
            (rhs, moved(rhs.aval().shape.len(), rc, true))
        } else {
            return None;
        };
        let aval = other.aval();
        let size: usize = aval.shape.iter().product();
        let out_size: usize = output.aval.shape.iter().product();
        (aval.dtype == output.aval.dtype && size == out_size).then(|| Folded {
            operand: other.clone(),
            permutation,
        })
    }

    fn get(&self, atom: &Atom) -> Option<Known> {
        match atom {
            Atom::Var(var) => self.known.get(&var.id).copied(),
            Atom::Literal(_) => None,
        }
    }

    /// `Some` when `atom` holds an identity matrix.
    fn identity(&self, atom: &Atom) -> Option<Known> {
        self.get(atom)
            .filter(|known| matches!(known, Known::Identity { .. }))
    }
}

/// A `dot_general` with an identity matrix, as the other operand transposed then reshaped.
pub(super) struct Folded {
    /// The operand that is not the identity.
    pub(super) operand: Atom,
    /// The transpose that brings its dimensions into the result's order.
    pub(super) permutation: Vec<usize>,
}

/// Whether `shape` is an `n × n` matrix with unit dimensions inserted (any number of unit
/// dimensions when `n` is 1).
fn is_identity_shape(shape: &[usize], n: usize) -> bool {
    let axes = shape.iter().filter(|&&d| d == n).count();
    shape.iter().all(|&d| d == n || d == 1) && (n == 1 || axes == 2)
}

/// Whether `atom` is an integer literal zero.
fn is_zero(atom: &Atom) -> bool {
    match atom {
        Atom::Literal(literal) => {
            literal.aval.dtype.is_int() && literal.bytes.iter().all(|&byte| byte == 0)
        }
        Atom::Var(_) => false,
    }
}
