//! Forward-mode differentiation (JAX's `ad.JVPTrace`): each tracer carries a primal value and
//! its tangent; each primitive's JVP rule maps input pairs to output pairs.
//!
//! Tangents are symbolic where they are known to be zero ([`Tangent::Zero`]): a value from
//! outside the transformation, an integer input, or anything computed only from such values.
//! Zeros are materialised only when a rule needs an array, and an equation whose inputs all
//! have zero tangents runs on the parent trace without any differentiation at all.

use std::rc::Rc;

use crate::abstract_value::ShapedArray;
use crate::core::trace::{LiveTag, Trace, TraceTag, current_trace, with_trace};
use crate::core::tracer::{Tracer, TracerPayload};
use crate::core::{Primitive, bind, bind1};
use crate::scalar::Scalar;
use crate::{Array, DType, Result};

/// A tangent (or cotangent): an array, or a symbolic zero of a known type.
#[derive(Debug, Clone)]
pub(crate) enum Tangent {
    /// Zero, not materialised.
    Zero(ShapedArray),
    /// A value.
    Value(Array),
}

/// The type of the tangents of values of type `aval`: the same shape and dtype, never weak.
pub(crate) fn tangent_aval(aval: &ShapedArray) -> ShapedArray {
    ShapedArray::new(aval.shape.clone(), aval.dtype)
}

/// An array of zeros of type `aval`.
pub(crate) fn zeros(aval: &ShapedArray) -> Result<Array> {
    if let DType::Key(prng) = aval.dtype {
        // Keys have no tangent space (JAX's float0); a zero stands in as all-zero key data.
        return Ok(crate::random::random_wrap(&zeros(&aval.physical())?, prng));
    }
    let zero = Array::weak(Scalar::Int(0));
    let zero = crate::array::convert(&zero, aval.dtype, aval.weak_type)?;
    if aval.shape.is_empty() {
        return Ok(zero);
    }
    bind1(
        Primitive::BroadcastInDim {
            shape: aval.shape.clone(),
            broadcast_dimensions: Vec::new(),
        },
        &[zero],
    )
}

impl Tangent {
    /// The zero tangent of a primal of type `aval`.
    pub(crate) fn zero_for(aval: &ShapedArray) -> Tangent {
        Tangent::Zero(tangent_aval(aval))
    }

    /// Whether the tangent is a symbolic zero.
    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Tangent::Zero(_))
    }

    /// The tangent as an array, materialising a zero.
    pub(crate) fn instantiate(&self) -> Result<Array> {
        match self {
            Tangent::Zero(aval) => zeros(aval),
            Tangent::Value(value) => Ok(value.clone()),
        }
    }

    /// `f` of the tangent, for a linear `f`: zero stays zero (of type `out`).
    pub(crate) fn map_linear(
        &self,
        out: ShapedArray,
        f: impl FnOnce(&Array) -> Result<Array>,
    ) -> Result<Tangent> {
        match self {
            Tangent::Zero(_) => Ok(Tangent::Zero(out)),
            Tangent::Value(value) => Ok(Tangent::Value(f(value)?)),
        }
    }

    /// The sum of two tangents of one type.
    pub(crate) fn add(self, other: Tangent) -> Result<Tangent> {
        match (self, other) {
            (Tangent::Zero(_), other) => Ok(other),
            (this, Tangent::Zero(_)) => Ok(this),
            (Tangent::Value(a), Tangent::Value(b)) => Ok(Tangent::Value(bind1(
                Primitive::Binary(crate::lax::BinaryOp::Add),
                &[a, b],
            )?)),
        }
    }
}

/// The JVP trace: values are (primal, tangent) pairs.
pub(crate) struct JvpTrace {
    live: LiveTag,
    parent: Rc<dyn Trace>,
}

impl JvpTrace {
    fn tracer(&self, primal: Array, tangent: Tangent) -> Array {
        Array::from_tracer(Tracer {
            tag: self.live.tag(),
            aval: primal.aval().clone(),
            payload: TracerPayload::Jvp { primal, tangent },
        })
    }

    /// `x` as a (primal, tangent) pair of this trace: another trace's value has a zero tangent.
    fn split(&self, x: &Array) -> (Array, Tangent) {
        match x.tracer() {
            Some(Tracer {
                tag,
                payload: TracerPayload::Jvp { primal, tangent },
                ..
            }) if *tag == self.live.tag() => (primal.clone(), tangent.clone()),
            _ => (x.clone(), Tangent::zero_for(x.aval())),
        }
    }
}

impl Trace for JvpTrace {
    fn tag(&self) -> Option<TraceTag> {
        Some(self.live.tag())
    }

    fn process_primitive(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
        let (primals, tangents): (Vec<Array>, Vec<Tangent>) =
            args.iter().map(|arg| self.split(arg)).unzip();
        if tangents.iter().all(Tangent::is_zero) {
            return with_trace(self.parent.clone(), || bind(primitive.clone(), &primals));
        }
        let (out_primals, out_tangents) =
            with_trace(self.parent.clone(), || primitive.jvp(&primals, &tangents))?;
        Ok(out_primals
            .into_iter()
            .zip(out_tangents)
            .map(|(primal, tangent)| self.tracer(primal, tangent))
            .collect())
    }
}

/// Runs `f` on `primals` with `tangents` under a new JVP trace; returns the output primals and
/// tangents.
pub(crate) fn jvp_flat(
    f: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
    primals: Vec<Array>,
    tangents: Vec<Tangent>,
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let trace = Rc::new(JvpTrace {
        live: LiveTag::new(),
        parent: current_trace(),
    });
    let args: Vec<Array> = primals
        .into_iter()
        .zip(tangents)
        .map(|(primal, tangent)| trace.tracer(primal, tangent))
        .collect();
    let outputs = with_trace(trace.clone(), || f(args))?;
    Ok(outputs.iter().map(|out| trace.split(out)).unzip())
}

/// Whether tangents of `dtype` exist (floating point and complex); others are always zero,
/// JAX's `float0`.
pub(crate) fn is_differentiable(dtype: DType) -> bool {
    dtype.is_inexact()
}
