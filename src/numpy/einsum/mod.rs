//! `einsum` (`jnp.einsum`): NumPy's subscript language lowered to `dot_general`.
//!
//! Each operand first loses its repeated indices (diagonals, through iota-equality masks and
//! sums) and its size-1 axes that broadcast against larger ones. The operands are then
//! contracted two at a time in opt_einsum's greedy order: indices that no later operand and
//! not the output need are summed away first, shared indices still needed become batch
//! dimensions of one `dot_general`, the other shared ones its contracting dimensions. A final
//! transpose puts the result in the output's order, and is skipped when swapping the last
//! pair's operands already gives that order (as JAX does), so `bij,bjk->bik` is a single
//! `dot_general`.

mod parse;
mod path;

use std::collections::HashMap;

use parse::{Label, Subscripts, parse};

use super::{astype, promote, zeros_like};
use crate::array::convert;
use crate::lax::{self, DotDimensionNumbers, DotOptions, unwrap_at_caller};
use crate::{Array, DType, Error, Result};

/// An array during the contraction, with the label of each of its axes.
struct Operand {
    array: Array,
    labels: Vec<Label>,
}

/// The Einstein summation of `operands` as `subscripts` say (`jnp.einsum`), with NumPy's
/// language: a comma-separated term of ASCII letters per operand, `...` for broadcast
/// dimensions, and after `->` the output's indices (without `->`, the broadcast dimensions
/// then the indices used once, alphabetically). Indices repeated within an operand take its
/// diagonal; indices absent from the output are summed. Operands are promoted together as
/// JAX does.
///
/// Panics, naming `einsum`, the subscripts and the operand shapes, when the subscripts are
/// malformed, name a different number of operands, name an output index absent from the
/// inputs, or give one index sizes that differ (other than 1, which broadcasts).
///
/// ```
/// use rjax::numpy as jnp;
/// use rjax::Array;
///
/// let a = jnp::reshape(&jnp::arange(0.0, 6.0, 1.0, None), &[2, 3]);
/// let b = jnp::ones(&[3, 2], None);
/// let c = jnp::einsum("ij,jk->ik", &[&a, &b]);
/// assert_eq!(c.to_vec::<f32>()?, vec![3.0, 3.0, 12.0, 12.0]);
/// let trace = jnp::einsum("ii", &[&jnp::eye(3, None, 0, None)]);
/// assert_eq!(trace.to_vec::<f32>()?, vec![3.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
#[track_caller]
pub fn einsum(subscripts: &str, operands: &[&Array]) -> Array {
    einsum_with(subscripts, operands, DotOptions::default())
}

/// [`einsum`] with JAX's keywords as a [`DotOptions`] or what converts into one:
/// `preferred_element_type`, the dtype the contractions accumulate in and the result has
/// (`DType::F64`, or `None` for the operands' promoted dtype), and `precision`, that of every
/// contraction (`lax::Precision::Highest`).
#[track_caller]
pub fn einsum_with(subscripts: &str, operands: &[&Array], options: impl Into<DotOptions>) -> Array {
    unwrap_at_caller(einsum_impl(subscripts, operands, options.into()))
}

fn einsum_impl(subscripts: &str, operands: &[&Array], options: DotOptions) -> Result<Array> {
    let preferred = options.preferred_element_type;
    let shapes: Vec<&[usize]> = operands.iter().map(|a| a.shape()).collect();
    let fail = |why: String| {
        Error::invalid(
            "einsum",
            format!("{why}; subscripts '{subscripts}', operand shapes {shapes:?}"),
        )
    };
    let ranks: Vec<usize> = shapes.iter().map(|s| s.len()).collect();
    let Subscripts { inputs, output } = parse(subscripts, &ranks).map_err(fail)?;
    let sizes = index_sizes(&inputs, &shapes).map_err(fail)?;
    let owned: Vec<Array> = operands.iter().map(|&a| a.clone()).collect();
    let promoted = promote(&owned)?;
    let (dtype, weak) = (promoted[0].dtype(), promoted[0].weak_type());
    // Booleans contract as counts, nonzero where NumPy's "or of ands" is true.
    let boolean = dtype == DType::Bool;
    let mut terms: Vec<Operand> = promoted
        .into_iter()
        .zip(inputs)
        .map(|(array, labels)| {
            let array = if boolean {
                astype(&array, DType::I32)
            } else {
                array
            };
            prepare(Operand { array, labels }, &sizes)
        })
        .collect();
    while terms.len() > 1 {
        let labels: Vec<Vec<Label>> = terms.iter().map(|t| t.labels.clone()).collect();
        let (i, j) = path::next_pair(&labels, &output, |l| sizes[&l]);
        let b = terms.remove(j);
        let a = terms.remove(i);
        let others: Vec<&[Label]> = terms.iter().map(|t| t.labels.as_slice()).collect();
        let keep = path::kept(&a.labels, &b.labels, &others, &output);
        let last = terms.is_empty().then_some(output.as_slice());
        terms.push(contract(a, b, &keep, last, options)?);
    }
    let result = terms.pop().expect("at least one operand");
    let result = sum_out(result, |l| output.contains(&l));
    let permutation: Vec<usize> = output
        .iter()
        .map(|l| {
            result
                .labels
                .iter()
                .position(|m| m == l)
                .expect("an output index")
        })
        .collect();
    let array = if permutation.iter().copied().eq(0..permutation.len()) {
        result.array
    } else {
        lax::transpose(&result.array, &permutation)
    };
    Ok(match preferred {
        Some(p) => astype(&array, p),
        None if boolean => array.ne(0),
        None => convert(&array, dtype, weak)?,
    })
}

/// The size of every index, checked: equal wherever it appears within one operand, and
/// equal or 1 across operands (size 1 broadcasts, as in NumPy).
fn index_sizes(
    inputs: &[Vec<Label>],
    shapes: &[&[usize]],
) -> std::result::Result<HashMap<Label, usize>, String> {
    let mut sizes: HashMap<Label, (usize, usize)> = HashMap::new();
    for (i, (labels, shape)) in inputs.iter().zip(shapes).enumerate() {
        for (&label, &size) in labels.iter().zip(shape.iter()) {
            let first = labels.iter().position(|&l| l == label).expect("this label");
            if shape[first] != size {
                return Err(format!(
                    "index '{label}' repeats in operand {i} with sizes {} and {size}",
                    shape[first]
                ));
            }
            match sizes.get(&label) {
                Some(&(known, _)) if known == size || size == 1 => {}
                Some(&(1, _)) | None => {
                    sizes.insert(label, (size, i));
                }
                Some(&(known, at)) => {
                    return Err(format!(
                        "index '{label}' has size {known} in operand {at} but {size} in \
                         operand {i}"
                    ));
                }
            }
        }
    }
    Ok(sizes.into_iter().map(|(l, (size, _))| (l, size)).collect())
}

/// `operand` with its repeated indices reduced to diagonals and its size-1 axes that
/// broadcast against a larger size removed.
fn prepare(mut operand: Operand, sizes: &HashMap<Label, usize>) -> Operand {
    while let Some((first, label)) = repeated(&operand.labels) {
        operand = diagonal(operand, first, label);
    }
    let broadcast: Vec<usize> = (0..operand.labels.len())
        .filter(|&k| operand.array.shape()[k] == 1 && sizes[&operand.labels[k]] > 1)
        .collect();
    if broadcast.is_empty() {
        return operand;
    }
    Operand {
        array: lax::squeeze(&operand.array, &broadcast),
        labels: without(&operand.labels, &broadcast),
    }
}

/// The first label that appears more than once, with its first position.
fn repeated(labels: &[Label]) -> Option<(usize, Label)> {
    (0..labels.len())
        .find(|&k| labels[k + 1..].contains(&labels[k]))
        .map(|k| (k, labels[k]))
}

/// The diagonal of `operand` over every axis labelled `label`, kept at axis `first`.
fn diagonal(operand: Operand, first: usize, label: Label) -> Operand {
    let x = &operand.array;
    let repeats: Vec<usize> = (first + 1..operand.labels.len())
        .filter(|&k| operand.labels[k] == label)
        .collect();
    let index = |axis| lax::broadcasted_iota(DType::I32, x.shape(), axis);
    let reference = index(first);
    let mask = repeats
        .iter()
        .map(|&k| lax::eq(&reference, index(k)))
        .reduce(|a, b| lax::bitwise_and(&a, &b))
        .expect("a repeated index");
    let picked = lax::select_n(&mask, [&zeros_like(x, None), x]);
    Operand {
        array: lax::reduce_sum(&picked, &repeats),
        labels: without(&operand.labels, &repeats),
    }
}

/// `labels` without the positions `drop`.
fn without(labels: &[Label], drop: &[usize]) -> Vec<Label> {
    (0..labels.len())
        .filter(|k| !drop.contains(k))
        .map(|k| labels[k])
        .collect()
}

/// `operand` summed over the axes whose label `keep` rejects.
fn sum_out(operand: Operand, keep: impl Fn(Label) -> bool) -> Operand {
    let axes: Vec<usize> = (0..operand.labels.len())
        .filter(|&k| !keep(operand.labels[k]))
        .collect();
    if axes.is_empty() {
        return operand;
    }
    Operand {
        array: lax::reduce_sum(&operand.array, &axes),
        labels: without(&operand.labels, &axes),
    }
}

/// One `dot_general` of `a` and `b`, keeping the indices in `keep`. For the last contraction
/// (`output` given), the operands swap when that yields the output's order directly.
fn contract(
    a: Operand,
    b: Operand,
    keep: &[Label],
    output: Option<&[Label]>,
    options: DotOptions,
) -> Result<Operand> {
    let a = sum_out(a, |l| keep.contains(&l) || b.labels.contains(&l));
    let b = sum_out(b, |l| keep.contains(&l) || a.labels.contains(&l));
    let shared: Vec<Label> = a
        .labels
        .iter()
        .copied()
        .filter(|l| b.labels.contains(l))
        .collect();
    let (batch, contracting): (Vec<Label>, Vec<Label>) =
        shared.iter().copied().partition(|l| keep.contains(l));
    let free = |t: &Operand| -> Vec<Label> {
        t.labels
            .iter()
            .copied()
            .filter(|l| !shared.contains(l))
            .collect()
    };
    let order = |first: &Operand, second: &Operand| -> Vec<Label> {
        batch
            .iter()
            .copied()
            .chain(free(first))
            .chain(free(second))
            .collect()
    };
    let swap = output.is_some_and(|out| order(&a, &b) != out && order(&b, &a) == out);
    let (lhs, rhs) = if swap { (b, a) } else { (a, b) };
    let positions = |t: &Operand, labels: &[Label]| -> Vec<usize> {
        labels
            .iter()
            .map(|l| {
                t.labels
                    .iter()
                    .position(|m| m == l)
                    .expect("a shared index")
            })
            .collect()
    };
    let numbers = DotDimensionNumbers {
        lhs_contracting: positions(&lhs, &contracting),
        rhs_contracting: positions(&rhs, &contracting),
        lhs_batch: positions(&lhs, &batch),
        rhs_batch: positions(&rhs, &batch),
    };
    let args = promote(&[lhs.array.clone(), rhs.array.clone()])?;
    Ok(Operand {
        array: lax::dot_general_with(&args[0], &args[1], numbers, options),
        labels: order(&lhs, &rhs),
    })
}
