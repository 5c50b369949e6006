//! Order-dependent primitives: argmax, argmin, the cumulative reductions (cumsum, cumprod,
//! cummax, cummin), sort and top_k (its rules in `top_k.rs`), with JAX's names, parameters, semantics and lowerings
//! (`jax/_src/lax/lax.py` and `jax/_src/lax/control_flow/loops.py`).

use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::lax::elementwise::{Comparison, compare_lower};
use crate::lax::ordering_options::{CumulativeOptions, SortOptions, dimension_index};
use crate::lax::{apply_owned, arrays, unwrap_at_caller};
use crate::lowering::{FunctionBuilder, dense_scalar, i64_array};
use crate::scalar::Scalar;
use crate::{Array, DType, Error, IntoArray, Result};

/// The monoid of a cumulative reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CumulativeOp {
    /// Running sum (`cumsum`).
    Sum,
    /// Running product (`cumprod`).
    Prod,
    /// Running maximum (`cummax`).
    Max,
    /// Running minimum (`cummin`).
    Min,
}

impl CumulativeOp {
    /// JAX's name of the primitive.
    pub fn name(self) -> &'static str {
        match self {
            CumulativeOp::Sum => "cumsum",
            CumulativeOp::Prod => "cumprod",
            CumulativeOp::Max => "cummax",
            CumulativeOp::Min => "cummin",
        }
    }
}

/// The primitives of this family, with their parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderingOp {
    /// `argmax`: the index of the first maximum along `axis` (a NaN counts as the maximum, the
    /// first NaN winning); the axis is removed.
    Argmax {
        /// The axis reduced.
        axis: usize,
        /// The integer dtype of the indices.
        index_dtype: DType,
    },
    /// `argmin`: the index of the first minimum along `axis` (a NaN counts as the minimum, the
    /// first NaN winning); the axis is removed.
    Argmin {
        /// The axis reduced.
        axis: usize,
        /// The integer dtype of the indices.
        index_dtype: DType,
    },
    /// `cumsum`, `cumprod`, `cummax`, `cummin`: inclusive running reductions along `axis`.
    Cumulative {
        /// The monoid.
        op: CumulativeOp,
        /// The axis scanned.
        axis: usize,
        /// Whether the scan runs from the end of the axis to its start.
        reverse: bool,
    },
    /// `sort`: sorts every operand along `dimension` by the permutation that orders the first
    /// `num_keys` operands lexicographically (floats: -0.0 equals 0.0, NaNs last).
    Sort {
        /// The dimension sorted.
        dimension: usize,
        /// Whether equal keys keep their input order.
        is_stable: bool,
        /// How many leading operands are keys.
        num_keys: usize,
    },
    /// `top_k`: the `k` largest entries along `axis`, descending, and their int32 indices
    /// (see [`top_k`](crate::lax::top_k())).
    TopK {
        /// How many entries.
        k: usize,
        /// The axis searched.
        axis: usize,
    },
}

/// JAX's spelling of a Python bool.
fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

impl OrderingOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match self {
            OrderingOp::Argmax { .. } => "argmax",
            OrderingOp::Argmin { .. } => "argmin",
            OrderingOp::Cumulative { op, .. } => op.name(),
            OrderingOp::Sort { .. } => "sort",
            OrderingOp::TopK { .. } => "top_k",
        }
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        match self {
            OrderingOp::Argmax { axis, index_dtype } | OrderingOp::Argmin { axis, index_dtype } => {
                vec![
                    format!("axes=({axis},)"),
                    format!("index_dtype={}", index_dtype.name()),
                ]
            }
            OrderingOp::Cumulative { axis, reverse, .. } => vec![
                format!("axis={axis}"),
                format!("reverse={}", py_bool(*reverse)),
            ],
            OrderingOp::Sort {
                dimension,
                is_stable,
                num_keys,
            } => vec![
                format!("dimension={dimension}"),
                format!("is_stable={}", py_bool(*is_stable)),
                format!("num_keys={num_keys}"),
            ],
            OrderingOp::TopK { k, axis } => vec![format!("axis={axis}"), format!("k={k}")],
        }
    }

    /// The output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let name = self.name();
        match self {
            OrderingOp::Argmax { axis, index_dtype } | OrderingOp::Argmin { axis, index_dtype } => {
                let x = single_operand(name, avals)?;
                check_axis(name, "axis", *axis, x)?;
                if x.shape[*axis] == 0 {
                    return Err(Error::invalid(
                        name,
                        format!("requires a non-empty reduced dimension, got axis {axis} of {x}"),
                    ));
                }
                if x.dtype.is_complex() {
                    return Err(Error::invalid(
                        name,
                        format!("requires a boolean, integer or floating-point operand, got {x}"),
                    ));
                }
                if !index_dtype.is_int() {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "index_dtype must be an integer type, got {} (operand {x})",
                            index_dtype.name()
                        ),
                    ));
                }
                let mut shape = x.shape.clone();
                shape.remove(*axis);
                Ok(vec![ShapedArray::new(shape, *index_dtype)])
            }
            OrderingOp::Cumulative { axis, .. } => {
                let x = single_operand(name, avals)?;
                check_axis(name, "axis", *axis, x)?;
                if x.dtype == DType::Bool {
                    return Err(Error::invalid(
                        name,
                        format!("requires a numeric operand, got {x}"),
                    ));
                }
                Ok(vec![x.clone()])
            }
            OrderingOp::Sort {
                dimension,
                num_keys,
                ..
            } => {
                let Some(first) = avals.first() else {
                    return Err(Error::invalid(name, "requires at least one operand"));
                };
                if !(1..=avals.len()).contains(num_keys) {
                    return Err(Error::invalid(
                        name,
                        format!(
                            "num_keys={num_keys} must be between 1 and the number of operands ({})",
                            avals.len()
                        ),
                    ));
                }
                if let Some(other) = avals.iter().find(|a| a.shape != first.shape) {
                    let all: Vec<String> = avals.iter().map(ToString::to_string).collect();
                    return Err(Error::invalid(
                        name,
                        format!(
                            "operands must have equal shapes, got {} ({other} differs from {first})",
                            all.join(", ")
                        ),
                    ));
                }
                check_axis(name, "dimension", *dimension, first)?;
                Ok(avals.to_vec())
            }
            OrderingOp::TopK { k, axis } => super::top_k::abstract_eval(*k, *axis, avals),
        }
    }

    /// Emits the StableHLO for this primitive.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        match self {
            OrderingOp::Argmax { axis, .. } => {
                argminmax_lower(true, *axis, f, &args[0], &avals_in[0], &avals_out[0])
            }
            OrderingOp::Argmin { axis, .. } => {
                argminmax_lower(false, *axis, f, &args[0], &avals_in[0], &avals_out[0])
            }
            OrderingOp::Cumulative { op, axis, reverse } => {
                cumulative_lower(*op, *axis, *reverse, f, &args[0], &avals_in[0])
            }
            OrderingOp::Sort {
                dimension,
                is_stable,
                num_keys,
            } => sort_lower(*dimension, *is_stable, *num_keys, f, args, avals_in),
            OrderingOp::TopK { k, axis } => {
                super::top_k::lower(*k, *axis, f, &args[0], &avals_in[0], avals_out)
            }
        }
    }
}

fn single_operand<'a>(name: &str, avals: &'a [ShapedArray]) -> Result<&'a ShapedArray> {
    match avals {
        [x] => Ok(x),
        _ => Err(Error::invalid(
            name,
            format!("takes 1 operand, got {}", avals.len()),
        )),
    }
}

fn check_axis(name: &str, what: &str, axis: usize, x: &ShapedArray) -> Result<()> {
    if axis < x.ndim() {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            format!(
                "{what} {axis} is out of bounds for an operand of shape {:?} ({x})",
                x.shape
            ),
        ))
    }
}

// --- lowering helpers --------------------------------------------------------------------------

/// A scalar constant of `dtype` holding `value`.
fn scalar_constant(f: &mut FunctionBuilder<'_>, dtype: DType, value: Scalar) -> String {
    let scalar = ShapedArray::new(Vec::new(), dtype);
    f.constant(&scalar, &dense_scalar(dtype, &value.to_bytes(dtype)))
}

/// The lowest (`highest == false`) or highest value of `dtype`: ∓inf for inexact dtypes (real
/// part, imaginary part 0), the integer extremes, `false`/`true` (JAX's `_get_max_identity`
/// and `_get_min_identity`).
fn extreme(dtype: DType, highest: bool) -> Scalar {
    let bits = 8 * dtype.size_in_bytes() as u32;
    match dtype {
        DType::Bool => Scalar::Bool(highest),
        _ if dtype.is_signed_int() => {
            let max = i64::MAX >> (64 - bits);
            Scalar::Int(if highest { max } else { -max - 1 })
        }
        _ if dtype.is_unsigned_int() => {
            Scalar::UInt(if highest { u64::MAX >> (64 - bits) } else { 0 })
        }
        _ => Scalar::Float(if highest {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        }),
    }
}

/// `stablehlo.compare` of two scalars of one dtype, with StableHLO's default comparison type
/// for the dtype.
fn compare(f: &mut FunctionBuilder<'_>, op: Comparison, x: &str, y: &str, dtype: DType) -> String {
    let scalar = ShapedArray::new(Vec::new(), dtype);
    compare_lower(
        op,
        f,
        &[x.to_string(), y.to_string()],
        &[scalar.clone(), scalar],
        &ShapedArray::new(Vec::new(), DType::Bool),
    )
}

/// A scalar op of operands of types `ins` giving a scalar of `out`.
fn scalar_op(
    f: &mut FunctionBuilder<'_>,
    name: &str,
    operands: &[&str],
    ins: &[DType],
    out: DType,
) -> String {
    let operands: Vec<String> = operands.iter().map(|s| s.to_string()).collect();
    let ins: Vec<ShapedArray> = ins
        .iter()
        .map(|&d| ShapedArray::new(Vec::new(), d))
        .collect();
    f.op(
        name,
        &operands,
        &ins,
        &[ShapedArray::new(Vec::new(), out)],
        "",
    )
}

fn select(
    f: &mut FunctionBuilder<'_>,
    pred: &str,
    on_true: &str,
    on_false: &str,
    dtype: DType,
) -> String {
    scalar_op(
        f,
        "stablehlo.select",
        &[pred, on_true, on_false],
        &[DType::Bool, dtype, dtype],
        dtype,
    )
}

fn bool_op(f: &mut FunctionBuilder<'_>, name: &str, x: &str, y: &str) -> String {
    scalar_op(f, name, &[x, y], &[DType::Bool, DType::Bool], DType::Bool)
}

// --- argmax, argmin ----------------------------------------------------------------------------

/// JAX's `_compute_argminmax`: a two-operand `stablehlo.reduce` over `(x, iota)` whose reducer
/// keeps the greater (lesser) value, a NaN, or on ties the lower index.
fn argminmax_lower(
    is_max: bool,
    axis: usize,
    f: &mut FunctionBuilder<'_>,
    x: &str,
    x_aval: &ShapedArray,
    out: &ShapedArray,
) -> Result<Vec<String>> {
    let (dtype, index_dtype) = (x_aval.dtype, out.dtype);
    let indices_aval = ShapedArray::new(x_aval.shape.clone(), index_dtype);
    let indices = f.op(
        "stablehlo.iota",
        &[],
        &[],
        std::slice::from_ref(&indices_aval),
        &format!("iota_dimension = {axis} : i64"),
    );
    let init_value = scalar_constant(f, dtype, extreme(dtype, !is_max));
    let init_index = scalar_constant(f, index_dtype, Scalar::Int(0));
    let value = ShapedArray::new(Vec::new(), dtype);
    let index = ShapedArray::new(Vec::new(), index_dtype);
    let region_types = [value.clone(), index.clone(), value.clone(), index.clone()];
    let body = f.region(&region_types, |f, a| {
        let (op_val, op_index, acc_val, acc_index) = (&a[0], &a[1], &a[2], &a[3]);
        let direction = if is_max {
            Comparison::Gt
        } else {
            Comparison::Lt
        };
        let better = compare(f, direction, op_val, acc_val, dtype);
        let is_nan = compare(f, Comparison::Ne, op_val, op_val, dtype);
        let pick_value = bool_op(f, "stablehlo.or", &better, &is_nan);
        let equal = compare(f, Comparison::Eq, op_val, acc_val, dtype);
        let earlier = compare(f, Comparison::Lt, op_index, acc_index, index_dtype);
        let tie = bool_op(f, "stablehlo.and", &equal, &earlier);
        let pick_index = bool_op(f, "stablehlo.or", &pick_value, &tie);
        let new_value = select(f, &pick_value, op_val, acc_val, dtype);
        let new_index = select(f, &pick_index, op_index, acc_index, index_dtype);
        Ok(vec![(new_value, value.clone()), (new_index, index.clone())])
    })?;
    let values_out = ShapedArray::new(out.shape.clone(), dtype);
    let results = f.op_with_regions(
        "stablehlo.reduce",
        &[x.to_string(), indices, init_value, init_index],
        &[x_aval.clone(), indices_aval, value.clone(), index.clone()],
        &[values_out, out.clone()],
        &format!("dimensions = {}", i64_array(&[axis])),
        &[body],
    );
    Ok(vec![results[1].clone()])
}

// --- cumulative reductions ---------------------------------------------------------------------

/// JAX's `cumred_reduce_window_impl`: a `stablehlo.reduce_window` whose window spans the whole
/// axis, padded by `n - 1` before it (after it when `reverse`) with the monoid's identity.
fn cumulative_lower(
    op: CumulativeOp,
    axis: usize,
    reverse: bool,
    f: &mut FunctionBuilder<'_>,
    x: &str,
    aval: &ShapedArray,
) -> Result<Vec<String>> {
    let n = aval.shape[axis];
    if n == 0 {
        return Ok(vec![x.to_string()]);
    }
    let dtype = aval.dtype;
    let identity = match op {
        CumulativeOp::Sum => Scalar::Int(0),
        CumulativeOp::Prod => Scalar::Int(1),
        CumulativeOp::Max => extreme(dtype, false),
        CumulativeOp::Min => extreme(dtype, true),
    };
    let init = scalar_constant(f, dtype, identity);
    let scalar = ShapedArray::new(Vec::new(), dtype);
    let pair = [scalar.clone(), scalar.clone()];
    let body = f.region(&pair, |f, a| {
        let combined = match op {
            CumulativeOp::Sum => scalar_op(f, "stablehlo.add", &[&a[0], &a[1]], &[dtype; 2], dtype),
            CumulativeOp::Prod => {
                scalar_op(f, "stablehlo.multiply", &[&a[0], &a[1]], &[dtype; 2], dtype)
            }
            CumulativeOp::Max | CumulativeOp::Min if dtype.is_complex() => {
                complex_choose(f, op == CumulativeOp::Max, &a[0], &a[1], dtype)
            }
            CumulativeOp::Max => {
                scalar_op(f, "stablehlo.maximum", &[&a[0], &a[1]], &[dtype; 2], dtype)
            }
            CumulativeOp::Min => {
                scalar_op(f, "stablehlo.minimum", &[&a[0], &a[1]], &[dtype; 2], dtype)
            }
        };
        Ok(vec![(combined, scalar.clone())])
    })?;
    let rank = aval.ndim();
    let mut window = vec![1; rank];
    window[axis] = n;
    let padding: Vec<String> = (0..rank)
        .map(|d| match (d == axis, reverse) {
            (false, _) => "[0, 0]".to_string(),
            (true, false) => format!("[{}, 0]", n - 1),
            (true, true) => format!("[0, {}]", n - 1),
        })
        .collect();
    let ones = i64_array(&vec![1; rank]);
    let attributes = format!(
        "window_dimensions = {}, window_strides = {ones}, base_dilations = {ones}, \
         window_dilations = {ones}, padding = dense<[{}]> : tensor<{rank}x2xi64>",
        i64_array(&window),
        padding.join(", ")
    );
    Ok(f.op_with_regions(
        "stablehlo.reduce_window",
        &[x.to_string(), init],
        &[aval.clone(), scalar],
        std::slice::from_ref(aval),
        &attributes,
        &[body],
    ))
}

/// The greater (`is_max`) or lesser of two complex scalars in lexicographic (real, imaginary)
/// order, as JAX's max/min of complex numbers.
fn complex_choose(
    f: &mut FunctionBuilder<'_>,
    is_max: bool,
    x: &str,
    y: &str,
    dtype: DType,
) -> String {
    let part = dtype.real_part();
    let direction = if is_max {
        Comparison::Gt
    } else {
        Comparison::Lt
    };
    let x_re = scalar_op(f, "stablehlo.real", &[x], &[dtype], part);
    let y_re = scalar_op(f, "stablehlo.real", &[y], &[dtype], part);
    let real_equal = compare(f, Comparison::Eq, &x_re, &y_re, part);
    let real_better = compare(f, direction, &x_re, &y_re, part);
    let x_im = scalar_op(f, "stablehlo.imag", &[x], &[dtype], part);
    let y_im = scalar_op(f, "stablehlo.imag", &[y], &[dtype], part);
    let imag_better = compare(f, direction, &x_im, &y_im, part);
    let pick = select(f, &real_equal, &imag_better, &real_better, DType::Bool);
    select(f, &pick, x, y, dtype)
}

// --- sort --------------------------------------------------------------------------------------

/// JAX's `_canonicalize_float_for_sort`: -0.0 becomes 0.0 and every NaN the canonical NaN, so
/// that the total order treats them as equal.
fn canonicalize_float(f: &mut FunctionBuilder<'_>, x: &str, dtype: DType) -> String {
    let zero = scalar_constant(f, dtype, Scalar::Float(0.0));
    let is_zero = compare(f, Comparison::Eq, x, &zero, dtype);
    let zero = scalar_constant(f, dtype, Scalar::Float(0.0));
    let no_negative_zero = select(f, &is_zero, &zero, x, dtype);
    let is_nan = compare(f, Comparison::Ne, x, x, dtype);
    let nan = scalar_constant(f, dtype, Scalar::Float(f64::NAN));
    select(f, &is_nan, &nan, &no_negative_zero, dtype)
}

/// The comparison keys of one comparator argument (JAX's `_operands_to_keys`): floats
/// canonicalized, complex numbers as canonicalized (real, imaginary) pairs, others as they are.
fn sort_keys(f: &mut FunctionBuilder<'_>, x: &str, dtype: DType) -> Vec<(String, DType)> {
    if dtype.is_complex() {
        let part = dtype.real_part();
        ["stablehlo.real", "stablehlo.imag"]
            .iter()
            .map(|name| {
                let value = scalar_op(f, name, &[x], &[dtype], part);
                (canonicalize_float(f, &value, part), part)
            })
            .collect()
    } else if dtype.is_float() {
        vec![(canonicalize_float(f, x, dtype), dtype)]
    } else {
        vec![(x.to_string(), dtype)]
    }
}

/// `x < y` for a comparator: floats in StableHLO's total order, integers and bools as usual.
fn sort_compare(
    f: &mut FunctionBuilder<'_>,
    op: Comparison,
    x: &str,
    y: &str,
    dtype: DType,
) -> String {
    if !dtype.is_float() {
        return compare(f, op, x, y, dtype);
    }
    let scalar = ShapedArray::new(Vec::new(), dtype);
    let direction = if op == Comparison::Lt { "LT" } else { "EQ" };
    f.op(
        "stablehlo.compare",
        &[x.to_string(), y.to_string()],
        &[scalar.clone(), scalar],
        &[ShapedArray::new(Vec::new(), DType::Bool)],
        &format!(
            "comparison_direction = #stablehlo<comparison_direction {direction}>, \
             compare_type = #stablehlo<comparison_type TOTALORDER>"
        ),
    )
}

/// JAX's `_sort_lower`: a `stablehlo.sort` whose comparator is `_sort_lt_comparator`, the
/// lexicographic "less than" over the keys of the first `num_keys` operands.
fn sort_lower(
    dimension: usize,
    is_stable: bool,
    num_keys: usize,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
) -> Result<Vec<String>> {
    let region_types: Vec<ShapedArray> = avals_in
        .iter()
        .flat_map(|aval| {
            let scalar = ShapedArray::new(Vec::new(), aval.dtype);
            [scalar.clone(), scalar]
        })
        .collect();
    let comparator = f.region(&region_types, |f, a| {
        let mut x_keys = Vec::new();
        let mut y_keys = Vec::new();
        for (k, aval) in avals_in.iter().take(num_keys).enumerate() {
            x_keys.extend(sort_keys(f, &a[2 * k], aval.dtype));
            y_keys.extend(sort_keys(f, &a[2 * k + 1], aval.dtype));
        }
        let mut less: Option<String> = None;
        for ((x, dtype), (y, _)) in x_keys.iter().zip(&y_keys).rev() {
            let lt = sort_compare(f, Comparison::Lt, x, y, *dtype);
            less = Some(match less {
                None => lt,
                Some(rest) => {
                    let eq = sort_compare(f, Comparison::Eq, x, y, *dtype);
                    let tie = bool_op(f, "stablehlo.and", &eq, &rest);
                    bool_op(f, "stablehlo.or", &lt, &tie)
                }
            });
        }
        let less = less.expect("sort has at least one key");
        Ok(vec![(less, ShapedArray::new(Vec::new(), DType::Bool))])
    })?;
    Ok(f.op_with_regions(
        "stablehlo.sort",
        args,
        avals_in,
        avals_in,
        &format!("dimension = {dimension} : i64, is_stable = {is_stable}"),
        &[comparator],
    ))
}

// --- the user functions ------------------------------------------------------------------------

/// The index of the maximum of `x` along `axis`, as `index_dtype` (any integer dtype; 64-bit
/// ones become 32-bit without x64). The first maximum wins ties; a NaN counts as the maximum,
/// the first NaN winning. `axis` is removed from the shape and must not be empty.
#[track_caller]
pub fn argmax(x: impl IntoArray, axis: usize, index_dtype: DType) -> Array {
    let index_dtype = crate::promotion::canonicalize(index_dtype, crate::config::x64_enabled());
    apply_owned(
        Primitive::Ordering(OrderingOp::Argmax { axis, index_dtype }),
        [x.into_array()],
    )
}

/// The index of the minimum of `x` along `axis`, as `index_dtype` (any integer dtype; 64-bit
/// ones become 32-bit without x64). The first minimum wins ties; a NaN counts as the minimum,
/// the first NaN winning. `axis` is removed from the shape and must not be empty.
#[track_caller]
pub fn argmin(x: impl IntoArray, axis: usize, index_dtype: DType) -> Array {
    let index_dtype = crate::promotion::canonicalize(index_dtype, crate::config::x64_enabled());
    apply_owned(
        Primitive::Ordering(OrderingOp::Argmin { axis, index_dtype }),
        [x.into_array()],
    )
}

#[track_caller]
fn cumulative(op: CumulativeOp, x: impl IntoArray, options: CumulativeOptions) -> Array {
    let CumulativeOptions { axis, reverse } = options;
    apply_owned(
        Primitive::Ordering(OrderingOp::Cumulative { op, axis, reverse }),
        [x.into_array()],
    )
}

macro_rules! cumulative_functions {
    ($($(#[$doc:meta])* $name:ident, $name_with:ident => $op:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[doc = concat!(
            "\n\nAlong the first axis, from the start (`lax.", stringify!($name), "(x)`); see [`",
            stringify!($name_with), "`] for JAX's keywords."
        )]
        #[track_caller]
        pub fn $name(x: impl IntoArray) -> Array {
            cumulative(CumulativeOp::$op, x, CumulativeOptions::default())
        }

        #[doc = concat!(
            "[`", stringify!($name), "`] along `options.axis`, from the end if ",
            "`options.reverse` (`lax.", stringify!($name), "(x, axis, reverse)`)."
        )]
        #[track_caller]
        pub fn $name_with(x: impl IntoArray, options: CumulativeOptions) -> Array {
            cumulative(CumulativeOp::$op, x, options)
        }
    )*};
}

cumulative_functions! {
    /// The running sum of `x`; numeric dtypes only.
    cumsum, cumsum_with => Sum,
    /// The running product of `x`; numeric dtypes only.
    cumprod, cumprod_with => Prod,
    /// The running maximum of `x`, NaN-propagating; numeric dtypes only.
    cummax, cummax_with => Max,
    /// The running minimum of `x`, NaN-propagating; numeric dtypes only.
    cummin, cummin_with => Min,
}

/// Sorts `operands` (any list of arrays of one shape, any dtypes: `[&x, &i]`, `vec![x, i]`)
/// together along their last dimension, stably, ordered by the first operand, as
/// `lax.sort(operands)`. Floats sort with -0.0 equal to 0.0 and NaNs last; complex numbers by
/// (real, imaginary). Returns one sorted array per operand: `lax::sort([&x]).remove(0)` is
/// `x` sorted. See [`sort_with`] for JAX's keywords.
#[track_caller]
pub fn sort(operands: impl IntoIterator<Item = impl IntoArray>) -> Vec<Array> {
    sort_with(operands, SortOptions::default())
}

/// [`sort`] as `options` say (`lax.sort(operands, dimension, is_stable, num_keys)`): along
/// `options.dimension`, lexicographically by the first `options.num_keys` operands, keeping
/// equal keys in input order if `options.is_stable`.
///
/// `argsort` along `d` is
/// `sort_with([&x, &broadcasted_iota(DType::I32, x.shape(), d)], SortOptions::along(d))[1]`.
#[track_caller]
pub fn sort_with(
    operands: impl IntoIterator<Item = impl IntoArray>,
    options: SortOptions,
) -> Vec<Array> {
    let args = arrays(operands);
    let ndim = args.first().map_or(0, Array::ndim);
    unwrap_at_caller(bind(
        Primitive::Ordering(OrderingOp::Sort {
            dimension: dimension_index("sort", options.dimension, ndim),
            is_stable: options.is_stable,
            num_keys: options.num_keys,
        }),
        &args,
    ))
}

/// Sorts `keys` along their last dimension, stably, and applies the same permutation to
/// `values`, as `lax.sort_key_val(keys, values)`. See [`sort_key_val_with`] for JAX's
/// keywords.
#[track_caller]
pub fn sort_key_val(keys: impl IntoArray, values: impl IntoArray) -> (Array, Array) {
    sort_key_val_with(keys, values, SortOptions::default())
}

/// [`sort_key_val`] as `options` say (`lax.sort_key_val(keys, values, dimension,
/// is_stable)`); `options.num_keys = 2` also breaks ties between keys by the values.
#[track_caller]
pub fn sort_key_val_with(
    keys: impl IntoArray,
    values: impl IntoArray,
    options: SortOptions,
) -> (Array, Array) {
    let mut sorted = sort_with([keys.into_array(), values.into_array()], options).into_iter();
    let keys = sorted.next().expect("sort returns one array per operand");
    let values = sorted.next().expect("sort returns one array per operand");
    (keys, values)
}
