//! `dot_general`: tensor contraction with batch dimensions (JAX's `lax.dot_general`).

use std::fmt;

use super::dot_precision::{OperandPrecision, Precision, precision_attribute};
use crate::abstract_value::ShapedArray;
use crate::core::Primitive;
use crate::lowering::{FunctionBuilder, i64_array};
use crate::{DType, Error, Result};

/// Which dimensions of a `dot_general` contract and which are batch dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DotDimensionNumbers {
    /// Contracted dimensions of the left operand.
    pub lhs_contracting: Vec<usize>,
    /// Contracted dimensions of the right operand, paired with `lhs_contracting`.
    pub rhs_contracting: Vec<usize>,
    /// Batch dimensions of the left operand.
    pub lhs_batch: Vec<usize>,
    /// Batch dimensions of the right operand, paired with `lhs_batch`.
    pub rhs_batch: Vec<usize>,
}

impl fmt::Display for DotDimensionNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[usize]| {
            let items: Vec<String> = v.iter().map(usize::to_string).collect();
            format!("[{}]", items.join(", "))
        };
        write!(
            f,
            "(({}, {}), ({}, {}))",
            list(&self.lhs_contracting),
            list(&self.rhs_contracting),
            list(&self.lhs_batch),
            list(&self.rhs_batch)
        )
    }
}

/// JAX's keywords of `lax.dot_general` ([`dot_general_with`](crate::lax::dot_general_with)):
/// by default the result has the operands' dtype and the backend's default precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DotOptions {
    /// The dtype of the result and of the accumulation (JAX's `preferred_element_type`,
    /// default `None`: the operands' dtype).
    pub preferred_element_type: Option<DType>,
    /// The precision of the left and right operands (JAX's `precision`, default `None`: the
    /// backend's default, or [`config::default_matmul_precision`](crate::config::default_matmul_precision)
    /// when that is set).
    pub precision: OperandPrecision,
}

impl DotOptions {
    /// The same, accumulating and returning `dtype` (or the operands' dtype for `None`).
    pub fn preferred_element_type(self, dtype: impl Into<Option<DType>>) -> DotOptions {
        DotOptions {
            preferred_element_type: dtype.into(),
            ..self
        }
    }

    /// The same, with `precision` for both operands (JAX's `precision=Precision.HIGHEST`), or
    /// the default for `None`.
    pub fn precision(self, precision: impl Into<Option<Precision>>) -> DotOptions {
        DotOptions {
            precision: precision.into().map(|p| (p, p)),
            ..self
        }
    }

    /// The same, with one precision per operand (JAX's `precision=(lhs, rhs)`).
    pub fn precision_pair(self, lhs: Precision, rhs: Precision) -> DotOptions {
        DotOptions {
            precision: Some((lhs, rhs)),
            ..self
        }
    }

    /// The same, with [`config::default_matmul_precision`](crate::config::default_matmul_precision)
    /// for a `None` precision (JAX's `canonicalize_precision`).
    pub(crate) fn or_default_precision(self) -> DotOptions {
        DotOptions {
            precision: self
                .precision
                .or_else(|| crate::config::default_matmul_precision().map(|p| (p, p))),
            ..self
        }
    }

    /// The `dot_general` primitive with these options.
    pub(crate) fn primitive(self, dimension_numbers: DotDimensionNumbers) -> Primitive {
        Primitive::DotGeneral {
            dimension_numbers,
            preferred_element_type: self.preferred_element_type,
            precision: self.precision,
        }
    }
}

/// Only a precision for both operands (`jnp::matmul_with(&a, &b, Precision::Highest)`).
impl From<Precision> for DotOptions {
    fn from(precision: Precision) -> DotOptions {
        DotOptions::default().precision(precision)
    }
}

/// Only a preferred element type (`jnp::einsum_with(.., DType::F64)`).
impl From<DType> for DotOptions {
    fn from(dtype: DType) -> DotOptions {
        DotOptions::default().preferred_element_type(dtype)
    }
}

/// Only a preferred element type, or none (`jnp::einsum_with(.., None)`).
impl From<Option<DType>> for DotOptions {
    fn from(dtype: Option<DType>) -> DotOptions {
        DotOptions::default().preferred_element_type(dtype)
    }
}

pub(crate) fn dot_general_abstract_eval(
    numbers: &DotDimensionNumbers,
    preferred_element_type: Option<DType>,
    avals: &[ShapedArray],
) -> Result<ShapedArray> {
    let [lhs, rhs] = avals else {
        return Err(Error::invalid(
            "dot_general",
            format!("takes 2 operands, got {}", avals.len()),
        ));
    };
    let fail = |why: &str| {
        Err(Error::invalid(
            "dot_general",
            format!("{why}: operands {lhs} and {rhs} with dimension numbers {numbers}"),
        ))
    };
    if lhs.dtype != rhs.dtype {
        return fail("operands must have one dtype");
    }
    if lhs.dtype == DType::Bool && preferred_element_type.is_none() {
        return fail("bool operands need a preferred element type");
    }
    let pairs_fit = |l: &[usize], r: &[usize]| {
        l.len() == r.len()
            && l.iter()
                .zip(r)
                .all(|(&a, &b)| a < lhs.ndim() && b < rhs.ndim() && lhs.shape[a] == rhs.shape[b])
    };
    if !pairs_fit(&numbers.lhs_contracting, &numbers.rhs_contracting) {
        return fail("contracting dimensions must pair up with equal sizes");
    }
    if !pairs_fit(&numbers.lhs_batch, &numbers.rhs_batch) {
        return fail("batch dimensions must pair up with equal sizes");
    }
    let used = |contracting: &[usize], batch: &[usize], rank: usize| {
        let mut seen = vec![false; rank];
        contracting
            .iter()
            .chain(batch)
            .all(|&d| !std::mem::replace(&mut seen[d], true))
    };
    if !used(&numbers.lhs_contracting, &numbers.lhs_batch, lhs.ndim())
        || !used(&numbers.rhs_contracting, &numbers.rhs_batch, rhs.ndim())
    {
        return fail("a dimension is named twice");
    }
    let free = |aval: &ShapedArray, contracting: &[usize], batch: &[usize]| -> Vec<usize> {
        free_dimensions(aval.ndim(), contracting, batch)
            .into_iter()
            .map(|d| aval.shape[d])
            .collect()
    };
    let mut shape: Vec<usize> = numbers.lhs_batch.iter().map(|&d| lhs.shape[d]).collect();
    shape.extend(free(lhs, &numbers.lhs_contracting, &numbers.lhs_batch));
    shape.extend(free(rhs, &numbers.rhs_contracting, &numbers.rhs_batch));
    Ok(ShapedArray {
        shape,
        dtype: preferred_element_type.unwrap_or(lhs.dtype),
        weak_type: preferred_element_type.is_none() && lhs.weak_type && rhs.weak_type,
    })
}

/// Lowers `dot_general` in the form XLA's fast dot paths take (and JAX's own lowering mostly
/// produces): the left operand's dimensions as `[batch..., free..., contracting...]` and the
/// right operand's as `[batch..., contracting..., free...]`. An operand whose dimensions are in
/// another order is transposed first (XLA's CPU dot kernels, YNNPACK's among them, do not take
/// a left operand contracted on a leading dimension); free dimensions keep their relative
/// order, so the result is `[batch, lhs free, rhs free]` as before.
pub(crate) fn dot_general_lower(
    numbers: &DotDimensionNumbers,
    precision: OperandPrecision,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
    let (lhs_aval, rhs_aval) = (&avals_in[0], &avals_in[1]);
    let lhs_free = free_dimensions(
        lhs_aval.ndim(),
        &numbers.lhs_contracting,
        &numbers.lhs_batch,
    );
    let rhs_free = free_dimensions(
        rhs_aval.ndim(),
        &numbers.rhs_contracting,
        &numbers.rhs_batch,
    );
    let lhs_order: Vec<usize> = [&numbers.lhs_batch, &lhs_free, &numbers.lhs_contracting]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let rhs_order: Vec<usize> = [&numbers.rhs_batch, &numbers.rhs_contracting, &rhs_free]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    let (lhs, lhs_aval) = in_order(f, &args[0], lhs_aval, &lhs_order);
    let (rhs, rhs_aval) = in_order(f, &args[1], rhs_aval, &rhs_order);

    let batch = numbers.lhs_batch.len();
    let contracting = numbers.lhs_contracting.len();
    let lhs_contracting_start = batch + lhs_free.len();
    let canonical = DotDimensionNumbers {
        lhs_batch: (0..batch).collect(),
        rhs_batch: (0..batch).collect(),
        lhs_contracting: (lhs_contracting_start..lhs_contracting_start + contracting).collect(),
        rhs_contracting: (batch..batch + contracting).collect(),
    };
    let list = |v: &[usize]| {
        format!(
            "[{}]",
            v.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut fields = Vec::new();
    for (name, dims) in [
        ("lhs_batching_dimensions", &canonical.lhs_batch),
        ("rhs_batching_dimensions", &canonical.rhs_batch),
        ("lhs_contracting_dimensions", &canonical.lhs_contracting),
        ("rhs_contracting_dimensions", &canonical.rhs_contracting),
    ] {
        if !dims.is_empty() {
            fields.push(format!("{name} = {}", list(dims)));
        }
    }
    let mut attributes = format!(
        "dot_dimension_numbers = #stablehlo.dot<{}>",
        fields.join(", ")
    );
    if let Some(precision_config) = precision_attribute(precision) {
        attributes.push_str(", ");
        attributes.push_str(&precision_config);
    }
    f.op(
        "stablehlo.dot_general",
        &[lhs, rhs],
        &[lhs_aval, rhs_aval],
        std::slice::from_ref(out),
        &attributes,
    )
}

/// The dimensions of a rank-`rank` operand that neither contract nor batch, in order.
fn free_dimensions(rank: usize, contracting: &[usize], batch: &[usize]) -> Vec<usize> {
    (0..rank)
        .filter(|d| !contracting.contains(d) && !batch.contains(d))
        .collect()
}

/// `value` with its dimensions in `order` (`order[i]` is the input dimension that becomes
/// dimension `i`), and its type: a `stablehlo.transpose` unless `order` is already the identity.
pub(crate) fn in_order(
    f: &mut FunctionBuilder<'_>,
    value: &str,
    aval: &ShapedArray,
    order: &[usize],
) -> (String, ShapedArray) {
    if order.iter().enumerate().all(|(i, &d)| i == d) {
        return (value.to_string(), aval.clone());
    }
    let transposed = aval.with_shape(order.iter().map(|&d| aval.shape[d]).collect::<Vec<_>>());
    let value = f.op(
        "stablehlo.transpose",
        &[value.to_string()],
        std::slice::from_ref(aval),
        std::slice::from_ref(&transposed),
        &format!("permutation = {}", i64_array(order)),
    );
    (value, transposed)
}
