//! JAX's type promotion (`jax._src.dtypes`): the promotion lattice, weak types included, and
//! `jax.numpy.result_type`.
//!
//! An operand is a [`DType`] and JAX's `weak_type` flag: a weakly typed value came from a
//! Python scalar and sits on the lattice as its kind (`i*`, `f*`, `c*`) below the concrete
//! types, so `f16 + 1.0` stays `f16`. A weak `bool` is just `bool`.
//!
//! With x64 off, 64-bit dtypes do not exist: every input is canonicalized to 32 bits first
//! (`i64` is `i32`, ...), as JAX does to explicitly requested dtypes, and so is the result.
//! (JAX keeps the 64-bit dtype of an array created while x64 was on; rjax does not.)

// Used by the core layer, being written.
#![allow(dead_code)]

use crate::DType;

/// The broad class of a dtype, which picks its weak lattice node and its default dtype.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    Complex,
}

fn kind(dtype: DType) -> Kind {
    match dtype {
        DType::Bool => Kind::Bool,
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => Kind::Int,
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => Kind::Uint,
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => Kind::Float,
        DType::C64 | DType::C128 => Kind::Complex,
        DType::Key(_) => unreachable!("result_type handles key dtypes before the lattice"),
    }
}

/// A node of JAX's (standard, non-strict) promotion lattice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Node {
    /// A concrete dtype.
    Strong(DType),
    /// `i*`: a Python `int`.
    WeakInt,
    /// `f*`: a Python `float`.
    WeakFloat,
    /// `c*`: a Python `complex`.
    WeakComplex,
}

use Node::{Strong, WeakComplex, WeakFloat, WeakInt};

impl Node {
    /// The node of an operand: weak values are their kind, except that a weak bool is `bool`.
    fn of(dtype: DType, weak: bool) -> Node {
        match (weak, kind(dtype)) {
            (false, _) | (true, Kind::Bool) => Strong(dtype),
            (true, Kind::Int | Kind::Uint) => WeakInt,
            (true, Kind::Float) => WeakFloat,
            (true, Kind::Complex) => WeakComplex,
        }
    }

    /// Every node.
    fn all() -> impl Iterator<Item = Node> {
        DType::ALL
            .into_iter()
            .map(Strong)
            .chain([WeakInt, WeakFloat, WeakComplex])
    }

    /// The node as a one-bit set of nodes.
    fn bit(self) -> u32 {
        let n = DType::ALL.len() as u32;
        1 << match self {
            Strong(dtype) => DType::ALL
                .iter()
                .position(|&d| d == dtype)
                .expect("key dtypes are not on the lattice") as u32,
            WeakInt => n,
            WeakFloat => n + 1,
            WeakComplex => n + 2,
        }
    }

    /// The nodes immediately above this one (`_type_promotion_lattice(strict=False, x64)`).
    fn parents(self, x64: bool) -> &'static [Node] {
        use DType::*;
        match self {
            Strong(Bool) => &[WeakInt],
            WeakInt => &[Strong(U8), Strong(I8)],
            Strong(U8) => &[Strong(I16), Strong(U16)],
            Strong(U16) => &[Strong(I32), Strong(U32)],
            // Without x64, JAX keeps u32 ⊔ i32 from forming i64: it is i32.
            Strong(U32) if x64 => &[Strong(I64), Strong(U64)],
            Strong(U32) => &[Strong(I32), Strong(U64)],
            Strong(U64) | Strong(I64) => &[WeakFloat],
            Strong(I8) => &[Strong(I16)],
            Strong(I16) => &[Strong(I32)],
            Strong(I32) => &[Strong(I64)],
            WeakFloat => &[Strong(BF16), Strong(F16), WeakComplex],
            Strong(BF16) | Strong(F16) => &[Strong(F32)],
            Strong(F32) => &[Strong(F64), Strong(C64)],
            Strong(F64) => &[Strong(C128)],
            WeakComplex => &[Strong(C64)],
            Strong(C64) => &[Strong(C128)],
            Strong(C128) => &[],
            Strong(Key(_)) => unreachable!("key dtypes are not on the lattice"),
        }
    }

    /// The set of nodes at or above this one.
    fn upper_bounds(self, x64: bool) -> u32 {
        self.parents(x64)
            .iter()
            .fold(self.bit(), |set, parent| set | parent.upper_bounds(x64))
    }
}

/// The least upper bound of `nodes` (JAX's `_least_upper_bound`): the common upper bound
/// that every other common upper bound is above. `nodes` must not be empty.
fn least_upper_bound(nodes: impl Iterator<Item = Node>, x64: bool) -> Node {
    let common = nodes.fold(!0, |set, node| set & node.upper_bounds(x64));
    Node::all()
        .find(|c| common & c.bit() != 0 && common & !c.upper_bounds(x64) == 0)
        .expect("complex128 is above every node, so the lattice has a least upper bound")
}

/// The default integer dtype: `int32`, or `int64` with x64.
pub(crate) fn default_int(x64: bool) -> DType {
    if x64 { DType::I64 } else { DType::I32 }
}

/// The default unsigned integer dtype: `uint32`, or `uint64` with x64.
pub(crate) fn default_uint(x64: bool) -> DType {
    if x64 { DType::U64 } else { DType::U32 }
}

/// The default floating-point dtype: `float32`, or `float64` with x64.
pub(crate) fn default_float(x64: bool) -> DType {
    if x64 { DType::F64 } else { DType::F32 }
}

/// The inexact dtype JAX's inexact functions (`true_divide`, `sqrt`, `mean`, ...) compute a
/// non-inexact `dtype` in (`jax.dtypes.to_inexact_dtype`): booleans and integers of up to 32
/// bits become `float32` and 64-bit integers `float64`, whatever x64 says (an `int32` array
/// divided by one gives `float32` with x64 too); inexact dtypes stay. As JAX's
/// `promote_dtypes_inexact`, `dtype` is canonicalized for the mode first.
pub(crate) fn to_inexact_dtype(dtype: DType, x64: bool) -> DType {
    use DType::*;
    match canonicalize(dtype, x64) {
        Bool | I8 | I16 | I32 | U8 | U16 | U32 => F32,
        I64 | U64 => F64,
        inexact @ (F16 | BF16 | F32 | F64 | C64 | C128 | Key(_)) => inexact,
    }
}

/// The default complex dtype: `complex64`, or `complex128` with x64.
pub(crate) fn default_complex(x64: bool) -> DType {
    if x64 { DType::C128 } else { DType::C64 }
}

/// The dtype that `dtype` stands for (`jax.dtypes.canonicalize_dtype`): itself with x64, and
/// its 32-bit counterpart without (`int64` → `int32`, `uint64` → `uint32`, `float64` →
/// `float32`, `complex128` → `complex64`).
pub(crate) fn canonicalize(dtype: DType, x64: bool) -> DType {
    match dtype {
        DType::I64 if !x64 => DType::I32,
        DType::U64 if !x64 => DType::U32,
        DType::F64 if !x64 => DType::F32,
        DType::C128 if !x64 => DType::C64,
        DType::Bool
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U8
        | DType::U16
        | DType::U32
        | DType::U64
        | DType::F16
        | DType::BF16
        | DType::F32
        | DType::F64
        | DType::C64
        | DType::C128
        | DType::Key(_) => dtype,
    }
}

/// The dtype and weak flag of the result of an operation on `operands`, each a dtype and its
/// weak flag (`jax.dtypes.result_type(*operands, return_weak_type_flag=True)`).
///
/// Inputs are canonicalized first. If some operand is strong, the result is the least upper
/// bound of the operands' lattice nodes; when that is a weak kind, the result is weak and of
/// the kind's default dtype (`i32 + 1.0` is a weak `f32`, or a weak `f64` with x64). If every
/// operand is weak, JAX takes the bound of their dtypes as if strong, and the result is weak
/// and of the default dtype of that bound's kind (a lone weak `u8` gives a weak `u32`).
/// Because of that rule this is not a fold of [`promote_types`]: with x64, weak `u64` and
/// weak `i64` give a weak `f64`, but together with a strong `i8` they give `i8`.
/// A result of dtype `bool` is never weak. Key dtypes promote only with themselves.
///
/// # Panics
/// If `operands` is empty (JAX raises a `ValueError`), or mixes a key dtype with another.
#[track_caller]
pub(crate) fn result_type(operands: &[(DType, bool)], x64: bool) -> (DType, bool) {
    assert!(
        !operands.is_empty(),
        "result_type needs at least one operand"
    );
    if let Some(&(key, _)) = operands.iter().find(|(dtype, _)| dtype.is_key()) {
        let names: Vec<&str> = operands.iter().map(|(dtype, _)| dtype.name()).collect();
        assert!(
            operands.iter().all(|&(dtype, _)| dtype == key),
            "result_type: key dtypes do not promote with other dtypes, got {}",
            names.join(", ")
        );
        return (key, false);
    }
    let all_weak = operands.iter().all(|&(_, weak)| weak);
    let nodes = operands
        .iter()
        .map(|&(dtype, weak)| Node::of(canonicalize(dtype, x64), weak && !all_weak));
    let bound = least_upper_bound(nodes, x64);
    let (dtype, weak) = match bound {
        Strong(dtype) if all_weak => match kind(dtype) {
            Kind::Bool => (DType::Bool, false),
            Kind::Int => (default_int(x64), true),
            Kind::Uint => (default_uint(x64), true),
            Kind::Float => (default_float(x64), true),
            Kind::Complex => (default_complex(x64), true),
        },
        Strong(dtype) => (dtype, false),
        WeakInt => (default_int(x64), true),
        WeakFloat => (default_float(x64), true),
        WeakComplex => (default_complex(x64), true),
    };
    (canonicalize(dtype, x64), weak)
}

/// The dtype and weak flag of the result of a binary operation on `a` and `b` (JAX's
/// `jnp.result_type(a, b)` with weak flags): [`result_type`] of the two operands.
pub(crate) fn promote_types(
    a: DType,
    a_weak: bool,
    b: DType,
    b_weak: bool,
    x64: bool,
) -> (DType, bool) {
    result_type(&[(a, a_weak), (b, b_weak)], x64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses an input name of the golden file: a dtype, or a weakly typed Python scalar.
    fn operand(name: &str, x64: bool) -> (DType, bool) {
        match name {
            "weak_int" => (default_int(x64), true),
            "weak_float" => (default_float(x64), true),
            "weak_complex" => (default_complex(x64), true),
            _ => (dtype(name), false),
        }
    }

    fn dtype(name: &str) -> DType {
        DType::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .unwrap_or_else(|| panic!("unknown dtype {name}"))
    }

    #[test]
    fn matches_jax_on_every_pair() {
        let golden = include_str!("../tests/golden/promotion.txt");
        let mut cases = 0;
        for line in golden.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(' ').collect();
            let [x64, a, b, result, weak] = fields[..] else {
                panic!("malformed golden line {line:?}");
            };
            let x64 = x64 == "1";
            let (a, a_weak) = operand(a, x64);
            let (b, b_weak) = operand(b, x64);
            let expected = (dtype(result), weak == "1");
            assert_eq!(promote_types(a, a_weak, b, b_weak, x64), expected, "{line}");
            assert_eq!(result_type(&[(a, a_weak), (b, b_weak)], x64), expected);
            cases += 1;
        }
        assert_eq!(cases, 2 * 18 * 18);
    }

    #[test]
    fn hand_written_cases() {
        use DType::*;
        for x64 in [false, true] {
            // A Python float does not widen a float array, but turns an int array float.
            assert_eq!(promote_types(F32, false, F32, true, x64), (F32, false));
            assert_eq!(promote_types(F16, false, F64, true, x64), (F16, false));
            let weak_float = (default_float(x64), true);
            assert_eq!(promote_types(I32, false, F32, true, x64), weak_float);
            assert_eq!(promote_types(U8, false, I8, false, x64), (I16, false));
            assert_eq!(promote_types(BF16, false, F16, false, x64), (F32, false));
            assert_eq!(promote_types(Bool, true, Bool, true, x64), (Bool, false));
            let weak_int = (default_int(x64), true);
            assert_eq!(promote_types(Bool, false, I8, true, x64), weak_int);
            assert_eq!(result_type(&[(I16, true)], x64), weak_int);
            assert_eq!(result_type(&[(U8, true)], x64), (default_uint(x64), true));
        }
        // u32 ⊔ i32 is i64, or i32 without x64.
        assert_eq!(promote_types(U32, false, I32, false, true), (I64, false));
        assert_eq!(promote_types(U32, false, I32, false, false), (I32, false));
        // u64 ⊔ i64 is the weak kind f*: a weak f64 with x64.
        assert_eq!(promote_types(U64, false, I64, false, true), (F64, true));
        // Without x64, inputs are canonicalized first: this is u32 ⊔ i32.
        assert_eq!(promote_types(U64, false, I64, false, false), (I32, false));
        assert_eq!(promote_types(I64, false, U8, false, false), (I32, false));
        assert_eq!(promote_types(C128, false, F16, false, false), (C64, false));
        // All weak: the bound of the dtypes, as JAX 0.10.2 computes it, not a fold.
        assert_eq!(promote_types(U64, true, I64, true, true), (F64, true));
        let three = [(U64, true), (I64, true), (I8, false)];
        assert_eq!(result_type(&three, true), (I8, false));
    }

    #[test]
    fn canonicalizes_to_32_bits_without_x64() {
        use DType::*;
        let narrowed = [(I64, I32), (U64, U32), (F64, F32), (C128, C64)];
        for dtype in DType::ALL {
            assert_eq!(canonicalize(dtype, true), dtype);
            let expected = narrowed.iter().find(|(wide, _)| *wide == dtype);
            assert_eq!(
                canonicalize(dtype, false),
                expected.map_or(dtype, |&(_, n)| n)
            );
        }
    }

    #[test]
    #[should_panic(expected = "at least one operand")]
    fn result_type_of_nothing_panics() {
        result_type(&[], false);
    }
}
