//! `dot_general`: tensor contraction with batch dimensions (JAX's `lax.dot_general`).

use std::fmt;

use crate::abstract_value::ShapedArray;
use crate::lowering::FunctionBuilder;
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
        (0..aval.ndim())
            .filter(|d| !contracting.contains(d) && !batch.contains(d))
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

pub(crate) fn dot_general_lower(
    numbers: &DotDimensionNumbers,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    out: &ShapedArray,
) -> String {
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
        ("lhs_batching_dimensions", &numbers.lhs_batch),
        ("rhs_batching_dimensions", &numbers.rhs_batch),
        ("lhs_contracting_dimensions", &numbers.lhs_contracting),
        ("rhs_contracting_dimensions", &numbers.rhs_contracting),
    ] {
        if !dims.is_empty() {
            fields.push(format!("{name} = {}", list(dims)));
        }
    }
    let attributes = format!(
        "dot_dimension_numbers = #stablehlo.dot<{}>",
        fields.join(", ")
    );
    f.op(
        "stablehlo.dot_general",
        args,
        avals_in,
        std::slice::from_ref(out),
        &attributes,
    )
}
