//! The closed set of primitives. Every rule (abstract evaluation, lowering, and later JVP,
//! transpose and batching) is an exhaustive `match` over [`Primitive`], so adding a primitive
//! makes the compiler list every rule it still lacks.
//!
//! Parameters sit inline in the variants (JAX's `bind(prim, *args, **params)`): arrays are
//! arguments, static metadata (axes, shapes, dtypes) are parameters.

use std::fmt;

use crate::abstract_value::ShapedArray;
use crate::callback::CallbackOp;
use crate::checkpoint::{self, CheckpointParams};
use crate::control_flow::rules as control_flow;
use crate::custom_derivatives::{self, BwdFn, FwdFn, JvpFn, Rule};
use crate::export::ExportedCallOp;
use crate::jaxpr::JaxprRef;
use crate::lax::{
    BinaryOp, Comparison, ComplexOp, DotDimensionNumbers, FfiCallOp, IndexingOp, LinalgOp,
    OrderingOp, ReduceOp, UnaryOp, complex, dot, elementwise, reduction, structural,
};
use crate::lowering::FunctionBuilder;
use crate::random::RandomOp;
use crate::sharding::{self, CollectiveOp, NamedSharding, ShardMapParams};
use crate::tree::TreeDef;
use crate::{DType, Result};

/// A primitive operation with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// A same-type elementwise operation of one operand (`neg`, `sin`, `exp`, ...).
    Unary(UnaryOp),
    /// A same-type elementwise operation of two operands of one shape and dtype.
    Binary(BinaryOp),
    /// An elementwise comparison giving `bool`.
    Compare(Comparison),
    /// `is_finite`: whether each element is neither infinite nor NaN.
    IsFinite,
    /// `real`, `imag`, `conj` or `complex`: the parts of complex numbers.
    Complex(ComplexOp),
    /// `select_n(which, *cases)`: `cases[which]` elementwise (`which` bool or int32).
    SelectN,
    /// `clamp(min, x, max)`.
    Clamp,
    /// `x ** y` for a fixed integer `y`, by repeated multiplication.
    IntegerPow {
        /// The exponent.
        y: i32,
    },
    /// Elementwise conversion to `new_dtype`.
    ConvertElementType {
        /// The target dtype.
        new_dtype: DType,
        /// Whether the result is weakly typed.
        weak_type: bool,
    },
    /// Reinterpretation of the bytes of each element as `new_dtype`; a narrower type adds a
    /// trailing dimension, a wider one consumes it.
    BitcastConvertType {
        /// The target dtype.
        new_dtype: DType,
    },
    /// `broadcast_in_dim`: operand dimension `i` becomes result dimension
    /// `broadcast_dimensions[i]` of `shape`.
    BroadcastInDim {
        /// The result shape.
        shape: Vec<usize>,
        /// Where each operand dimension goes.
        broadcast_dimensions: Vec<usize>,
    },
    /// Row-major reshape to `new_sizes`.
    Reshape {
        /// The result shape.
        new_sizes: Vec<usize>,
    },
    /// Permutation of the dimensions.
    Transpose {
        /// Result dimension `i` is operand dimension `permutation[i]`.
        permutation: Vec<usize>,
    },
    /// Removal of size-1 dimensions.
    Squeeze {
        /// The dimensions removed.
        dimensions: Vec<usize>,
    },
    /// Insertion of size-1 dimensions.
    ExpandDims {
        /// The positions of the new dimensions in the result.
        dimensions: Vec<usize>,
    },
    /// `iota`: the indices along `dimension` of an array of `shape`.
    Iota {
        /// The element type.
        dtype: DType,
        /// The result shape.
        shape: Vec<usize>,
        /// The dimension that counts.
        dimension: usize,
    },
    /// A strided static slice.
    Slice {
        /// The first index in each dimension.
        start_indices: Vec<usize>,
        /// One past the last index in each dimension.
        limit_indices: Vec<usize>,
        /// The step in each dimension.
        strides: Vec<usize>,
    },
    /// Concatenation of operands along `dimension`.
    Concatenate {
        /// The dimension joined.
        dimension: usize,
    },
    /// A reduction over `axes` with a monoid.
    Reduce {
        /// The monoid.
        op: ReduceOp,
        /// The axes reduced.
        axes: Vec<usize>,
    },
    /// `dot_general`: contraction and batch dimensions.
    DotGeneral {
        /// Which dimensions contract and which batch.
        dimension_numbers: DotDimensionNumbers,
        /// The result dtype, when not the operands'.
        preferred_element_type: Option<DType>,
        /// The precision of each operand (JAX's canonical `precision`).
        precision: crate::lax::OperandPrecision,
    },
    /// The identity, as a distinct value.
    Copy,
    /// Indexing: rev, pad, dynamic_slice, dynamic_update_slice, gather, scatter.
    Indexing(IndexingOp),
    /// Order-dependent: argmax, argmin, cumulative reductions, sort.
    Ordering(OrderingOp),
    /// Linear algebra: cholesky, triangular_solve, QR, symmetric eigendecomposition.
    Linalg(LinalgOp),
    /// A call of one of rjax's XLA FFI handlers (JAX's `ffi_call`).
    FfiCall(FfiCallOp),
    /// A host callback: JAX's `pure_callback`, `io_callback` or `debug_callback`.
    HostCallback(CallbackOp),
    /// JAX's `call_exported`: a call of an exported function whose module is MLIR text,
    /// inlined into the program (see `rjax::export`).
    ExportedCall(ExportedCallOp),
    /// A call of a staged jaxpr (what `jit` binds): arguments are the jaxpr's constants, then
    /// its inputs.
    Call {
        /// The called jaxpr.
        jaxpr: JaxprRef,
        /// The name of the traced function, for the lowered module.
        name: String,
    },
    /// JAX's `stop_gradient`: the identity, with a zero derivative.
    StopGradient,
    /// JAX's `custom_jvp_call`: a function with a custom JVP rule. Arguments: the
    /// `num_consts` values the function closes over, then its inputs. Evaluated, lowered and
    /// staged as `call`; differentiated by the rule.
    CustomJvpCall {
        /// The staged function, taking the constants then the inputs.
        call: JaxprRef,
        /// The rule: (primals, tangents) of the inputs to (primals, tangents) of the outputs.
        jvp: Rule<JvpFn>,
        /// How many leading arguments are closed-over constants (never differentiated).
        num_consts: usize,
    },
    /// JAX's `custom_vjp_call`: a function with a custom VJP. Arguments as for
    /// [`Primitive::CustomJvpCall`]. Differentiated by running `fwd` and binding
    /// [`Primitive::CustomLin`], whose transpose runs `bwd`.
    CustomVjpCall {
        /// The staged function, taking the constants then the inputs.
        call: JaxprRef,
        /// The forward rule: inputs to (outputs, residuals).
        fwd: Rule<FwdFn>,
        /// The backward rule: (residuals, output cotangents) to input cotangents.
        bwd: Rule<BwdFn>,
        /// How many leading arguments are closed-over constants (never differentiated).
        num_consts: usize,
    },
    /// JAX's `custom_lin`: the linear map of a custom_vjp function at a point, known only by
    /// its transpose (`bwd`). Arguments: `num_res` residuals, then the input tangents. It
    /// cannot be evaluated: that would be forward-mode differentiation of a custom_vjp
    /// function.
    CustomLin {
        /// The backward rule.
        bwd: Rule<BwdFn>,
        /// The structure of the residuals, for `bwd`.
        res_tree: TreeDef,
        /// How many leading arguments are residuals.
        num_res: usize,
        /// The types of the output tangents.
        out_avals: Vec<ShapedArray>,
    },
    /// JAX's `cond`: `branches[index](operands)`. Arguments: the int32 index (clamped by
    /// `switch`), then the operands every branch takes (hoisted constants first).
    Cond {
        /// The branches, closed-converted, all of one type.
        branches: Vec<JaxprRef>,
    },
    /// JAX's `while`: arguments are `cond`'s hoisted constants, `body`'s, then the carry.
    While {
        /// The predicate: (its constants, carry) to a bool scalar.
        cond: JaxprRef,
        /// The body: (its constants, carry) to the next carry.
        body: JaxprRef,
        /// How many leading arguments are the predicate's constants.
        cond_nconsts: usize,
        /// How many arguments after those are the body's constants.
        body_nconsts: usize,
    },
    /// JAX's `scan`: arguments are `num_consts` constants, `num_carry` initial carries, then
    /// the scanned inputs (leading axis `length`). The body maps (constants, carry, slices)
    /// to (carry, outputs); the results are the final carry, then the outputs stacked.
    Scan {
        /// The body, closed-converted.
        body: JaxprRef,
        /// The number of iterations.
        length: usize,
        /// Whether to iterate from the end.
        reverse: bool,
        /// How many leading arguments are constants.
        num_consts: usize,
        /// How many arguments after those are the carry.
        num_carry: usize,
        /// JAX's `unroll`: how many body steps each iteration of the lowered loop runs.
        unroll: usize,
    },
    /// JAX's `sharding_constraint`: the identity, with the layout XLA should give the value.
    ShardingConstraint {
        /// The layout.
        sharding: NamedSharding,
    },
    /// JAX's `shard_map`: a per-device body run on every device of a mesh, each on its block
    /// of the operands.
    ShardMap(ShardMapParams),
    /// A collective over named mesh axes, inside a `shard_map` body.
    Collective(CollectiveOp),
    /// JAX's `remat2` (`jax.checkpoint`): a call of a closed jaxpr whose derivative recomputes
    /// the values its policy does not save. Arguments: the jaxpr's inputs.
    Checkpoint(CheckpointParams),
    /// JAX's `name` (`checkpoint_name`): the identity, naming a value for checkpoint policies.
    CheckpointName {
        /// The name.
        name: String,
    },
    /// `rjax::random`'s primitives: `random_wrap`, `random_unwrap`, `rng_bit_generator`.
    Random(RandomOp),
}

impl Primitive {
    /// JAX's name of the primitive, as jaxprs print it.
    pub fn name(&self) -> &'static str {
        match self {
            Primitive::Unary(op) => op.name(),
            Primitive::Binary(op) => op.name(),
            Primitive::Compare(comparison) => comparison.name(),
            Primitive::IsFinite => "is_finite",
            Primitive::Complex(op) => op.name(),
            Primitive::SelectN => "select_n",
            Primitive::Clamp => "clamp",
            Primitive::IntegerPow { .. } => "integer_pow",
            Primitive::ConvertElementType { .. } => "convert_element_type",
            Primitive::BitcastConvertType { .. } => "bitcast_convert_type",
            Primitive::BroadcastInDim { .. } => "broadcast_in_dim",
            Primitive::Reshape { .. } => "reshape",
            Primitive::Transpose { .. } => "transpose",
            Primitive::Squeeze { .. } => "squeeze",
            Primitive::ExpandDims { .. } => "expand_dims",
            Primitive::Iota { .. } => "iota",
            Primitive::Slice { .. } => "slice",
            Primitive::Concatenate { .. } => "concatenate",
            Primitive::Reduce { op, .. } => op.name(),
            Primitive::DotGeneral { .. } => "dot_general",
            Primitive::Copy => "copy",
            Primitive::Indexing(op) => op.name(),
            Primitive::Ordering(op) => op.name(),
            Primitive::Linalg(op) => op.name(),
            Primitive::FfiCall(_) => "ffi_call",
            Primitive::HostCallback(op) => op.name(),
            Primitive::ExportedCall(_) => "call_exported",
            Primitive::Call { .. } => "jit",
            Primitive::StopGradient => "stop_gradient",
            Primitive::CustomJvpCall { .. } => "custom_jvp_call",
            Primitive::CustomVjpCall { .. } => "custom_vjp_call",
            Primitive::CustomLin { .. } => "custom_lin",
            Primitive::Cond { .. } => "cond",
            Primitive::While { .. } => "while",
            Primitive::Scan { .. } => "scan",
            Primitive::ShardingConstraint { .. } => "sharding_constraint",
            Primitive::ShardMap(_) => "shard_map",
            Primitive::Collective(op) => op.name(),
            Primitive::Checkpoint(_) => "remat2",
            Primitive::CheckpointName { .. } => "name",
            Primitive::Random(op) => op.name(),
        }
    }

    /// The output types for inputs of types `avals`, or an error naming the primitive, the
    /// shapes and the dtypes when the inputs do not fit.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let one = |aval: Result<ShapedArray>| aval.map(|aval| vec![aval]);
        let outputs = match self {
            Primitive::Unary(op) => one(elementwise::unary_abstract_eval(*op, avals)),
            Primitive::Binary(op) => one(elementwise::binary_abstract_eval(*op, avals)),
            Primitive::Compare(comparison) => {
                one(elementwise::compare_abstract_eval(*comparison, avals))
            }
            Primitive::IsFinite => one(elementwise::is_finite_abstract_eval(avals)),
            Primitive::Complex(op) => one(complex::abstract_eval(*op, avals)),
            Primitive::SelectN => one(elementwise::select_n_abstract_eval(avals)),
            Primitive::Clamp => one(elementwise::clamp_abstract_eval(avals)),
            Primitive::IntegerPow { y } => one(elementwise::integer_pow_abstract_eval(*y, avals)),
            Primitive::ConvertElementType {
                new_dtype,
                weak_type,
            } => one(elementwise::convert_abstract_eval(
                *new_dtype, *weak_type, avals,
            )),
            Primitive::BitcastConvertType { new_dtype } => one(
                structural::bitcast_convert_type_abstract_eval(*new_dtype, avals),
            ),
            Primitive::BroadcastInDim {
                shape,
                broadcast_dimensions,
            } => one(structural::broadcast_in_dim_abstract_eval(
                shape,
                broadcast_dimensions,
                avals,
            )),
            Primitive::Reshape { new_sizes } => {
                one(structural::reshape_abstract_eval(new_sizes, avals))
            }
            Primitive::Transpose { permutation } => {
                one(structural::transpose_abstract_eval(permutation, avals))
            }
            Primitive::Squeeze { dimensions } => {
                one(structural::squeeze_abstract_eval(dimensions, avals))
            }
            Primitive::ExpandDims { dimensions } => {
                one(structural::expand_dims_abstract_eval(dimensions, avals))
            }
            Primitive::Iota {
                dtype,
                shape,
                dimension,
            } => one(structural::iota_abstract_eval(
                *dtype, shape, *dimension, avals,
            )),
            Primitive::Slice {
                start_indices,
                limit_indices,
                strides,
            } => one(structural::slice_abstract_eval(
                start_indices,
                limit_indices,
                strides,
                avals,
            )),
            Primitive::Concatenate { dimension } => {
                one(structural::concatenate_abstract_eval(*dimension, avals))
            }
            Primitive::Reduce { op, axes } => {
                one(reduction::reduce_abstract_eval(*op, axes, avals))
            }
            Primitive::DotGeneral {
                dimension_numbers,
                preferred_element_type,
                ..
            } => one(dot::dot_general_abstract_eval(
                dimension_numbers,
                *preferred_element_type,
                avals,
            )),
            Primitive::Copy => one(elementwise::copy_abstract_eval(avals)),
            Primitive::Indexing(op) => op.abstract_eval(avals),
            Primitive::Ordering(op) => op.abstract_eval(avals),
            Primitive::Linalg(op) => op.abstract_eval(avals),
            Primitive::FfiCall(op) => Ok(op.abstract_eval()),
            Primitive::HostCallback(op) => Ok(op.abstract_eval()),
            Primitive::ExportedCall(op) => op.abstract_eval(avals),
            Primitive::Call { jaxpr, .. } => crate::jit::call_abstract_eval(jaxpr, avals),
            Primitive::StopGradient => one(custom_derivatives::stop_gradient_abstract_eval(avals)),
            Primitive::CustomJvpCall { call, .. } | Primitive::CustomVjpCall { call, .. } => {
                custom_derivatives::call_abstract_eval(self.name(), call, avals)
            }
            Primitive::CustomLin { out_avals, .. } => Ok(out_avals.clone()),
            Primitive::Cond { branches } => control_flow::cond_abstract_eval(branches, avals),
            Primitive::While {
                cond,
                body,
                cond_nconsts,
                body_nconsts,
            } => control_flow::while_abstract_eval(cond, body, *cond_nconsts, *body_nconsts, avals),
            Primitive::Scan {
                body,
                length,
                num_consts,
                num_carry,
                ..
            } => control_flow::scan_abstract_eval(body, *length, *num_consts, *num_carry, avals),
            Primitive::ShardingConstraint { sharding } => {
                one(sharding::constraint::abstract_eval(sharding, avals))
            }
            Primitive::ShardMap(params) => params.abstract_eval(avals),
            Primitive::Collective(op) => one(op.abstract_eval(avals)),
            Primitive::Checkpoint(params) => params.abstract_eval(avals),
            Primitive::CheckpointName { .. } => one(checkpoint::name_abstract_eval(avals)),
            Primitive::Random(op) => op.abstract_eval(avals),
        }?;
        // Shapes too large for XLA fail here, naming the primitive, before reaching the plugin.
        for aval in &outputs {
            crate::shape_check::check_aval(self.name(), aval)?;
        }
        Ok(outputs)
    }

    /// Emits the StableHLO for this primitive applied to `args` (SSA values of types
    /// `avals_in`), returning the SSA values of its outputs (of types `avals_out`).
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        match self {
            Primitive::Cond { branches } => {
                return control_flow::cond_lower(branches, f, args, avals_in, avals_out);
            }
            Primitive::While {
                cond,
                body,
                cond_nconsts,
                body_nconsts,
            } => {
                return control_flow::while_lower(
                    cond,
                    body,
                    *cond_nconsts,
                    *body_nconsts,
                    f,
                    args,
                    avals_in,
                );
            }
            Primitive::Scan { .. } => {
                return control_flow::scan_lower(self, f, args, avals_in, avals_out);
            }
            Primitive::ShardMap(params) => return params.lower(f, args, avals_in, avals_out),
            Primitive::HostCallback(op) => return op.lower(f, args, avals_in, avals_out),
            Primitive::ExportedCall(op) => return op.lower(f, args, avals_in, avals_out),
            Primitive::Checkpoint(params) => return params.lower(f, args, avals_in, avals_out),
            Primitive::Random(op) => return Ok(op.lower(f, args, avals_out)),
            _ => {}
        }
        let out = &avals_out[0];
        let one = |value: String| Ok(vec![value]);
        match self {
            Primitive::Unary(op) => one(elementwise::unary_lower(
                *op,
                f,
                &args[0],
                &avals_in[0],
                out,
            )),
            Primitive::Binary(op) => one(elementwise::binary_lower(*op, f, args, avals_in, out)),
            Primitive::Compare(comparison) => one(elementwise::compare_lower(
                *comparison,
                f,
                args,
                avals_in,
                out,
            )),
            Primitive::IsFinite => one(f.op("stablehlo.is_finite", args, avals_in, avals_out, "")),
            Primitive::Complex(op) => one(complex::lower(*op, f, args, avals_in, out)),
            Primitive::SelectN => one(elementwise::select_n_lower(f, args, avals_in, out)),
            Primitive::Clamp => one(f.op("stablehlo.clamp", args, avals_in, avals_out, "")),
            Primitive::IntegerPow { y } => {
                one(elementwise::integer_pow_lower(*y, f, &args[0], out))
            }
            Primitive::ConvertElementType { .. } => {
                one(elementwise::convert_lower(f, &args[0], &avals_in[0], out))
            }
            Primitive::BitcastConvertType { .. } => {
                one(f.op("stablehlo.bitcast_convert", args, avals_in, avals_out, ""))
            }
            Primitive::BroadcastInDim {
                broadcast_dimensions,
                ..
            } => one(structural::broadcast_in_dim_lower(
                f,
                &args[0],
                &avals_in[0],
                out,
                broadcast_dimensions,
            )),
            Primitive::Reshape { .. }
            | Primitive::Squeeze { .. }
            | Primitive::ExpandDims { .. } => {
                one(f.op("stablehlo.reshape", args, avals_in, avals_out, ""))
            }
            Primitive::Transpose { permutation } => one(f.op(
                "stablehlo.transpose",
                args,
                avals_in,
                avals_out,
                &format!("permutation = {}", crate::lowering::i64_array(permutation)),
            )),
            Primitive::Iota { dimension, .. } => one(f.op(
                "stablehlo.iota",
                &[],
                &[],
                avals_out,
                &format!("iota_dimension = {dimension} : i64"),
            )),
            Primitive::Slice {
                start_indices,
                limit_indices,
                strides,
            } => one(f.op(
                "stablehlo.slice",
                args,
                avals_in,
                avals_out,
                &format!(
                    "start_indices = {}, limit_indices = {}, strides = {}",
                    crate::lowering::i64_array(start_indices),
                    crate::lowering::i64_array(limit_indices),
                    crate::lowering::i64_array(strides)
                ),
            )),
            Primitive::Concatenate { dimension } => one(f.op(
                "stablehlo.concatenate",
                args,
                avals_in,
                avals_out,
                &format!("dimension = {dimension} : i64"),
            )),
            Primitive::Reduce { op, axes } => {
                reduction::reduce_lower(*op, axes, f, args, avals_in, out).map(|v| vec![v])
            }
            Primitive::DotGeneral {
                dimension_numbers,
                precision,
                ..
            } => one(dot::dot_general_lower(
                dimension_numbers,
                *precision,
                f,
                args,
                avals_in,
                out,
            )),
            Primitive::Copy => one(args[0].clone()),
            Primitive::Indexing(op) => op.lower(f, args, avals_in, avals_out),
            Primitive::Ordering(op) => op.lower(f, args, avals_in, avals_out),
            Primitive::Linalg(op) => op.lower(f, args, avals_in, avals_out),
            Primitive::FfiCall(op) => Ok(op.lower(f, args, avals_in)),
            Primitive::Call { jaxpr, name } => {
                crate::jit::call_lower(jaxpr, name, f, args, avals_in, avals_out)
            }
            Primitive::StopGradient => one(args[0].clone()),
            Primitive::CustomJvpCall { call, .. } | Primitive::CustomVjpCall { call, .. } => {
                crate::jit::call_lower(call, self.name(), f, args, avals_in, avals_out)
            }
            Primitive::CustomLin { .. } => Err(custom_derivatives::forward_mode_error()),
            Primitive::ShardingConstraint { sharding } => {
                one(sharding::constraint::lower(sharding, f, args, avals_in))
            }
            Primitive::Collective(op) => op.lower(f, args, avals_in, out).map(|v| vec![v]),
            Primitive::CheckpointName { .. } => one(args[0].clone()),
            Primitive::Cond { .. }
            | Primitive::While { .. }
            | Primitive::Scan { .. }
            | Primitive::ShardMap(_)
            | Primitive::HostCallback(_)
            | Primitive::ExportedCall(_)
            | Primitive::Checkpoint(_)
            | Primitive::Random(_) => unreachable!("lowered above"),
        }
    }

    /// The parameters as jaxprs print them, e.g. `["axes=(0,)", "out_sharding=None"]`. A call's
    /// jaxpr is printed by the jaxpr printer itself.
    pub(crate) fn params_text(&self) -> Vec<String> {
        let tuple = |values: &[usize]| match values {
            [one] => format!("({one},)"),
            _ => format!(
                "({})",
                values
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        match self {
            Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::IsFinite
            | Primitive::Complex(_)
            | Primitive::SelectN
            | Primitive::Clamp
            | Primitive::Copy
            | Primitive::StopGradient => vec![],
            Primitive::IntegerPow { y } => vec![format!("y={y}")],
            Primitive::ConvertElementType {
                new_dtype,
                weak_type,
            } => {
                let weak = if *weak_type { "True" } else { "False" };
                vec![
                    format!("new_dtype={}", new_dtype.name()),
                    format!("weak_type={weak}"),
                ]
            }
            Primitive::BitcastConvertType { new_dtype } => {
                vec![format!("new_dtype={}", new_dtype.name())]
            }
            Primitive::BroadcastInDim {
                shape,
                broadcast_dimensions,
            } => vec![
                format!("broadcast_dimensions={}", tuple(broadcast_dimensions)),
                format!("shape={}", tuple(shape)),
            ],
            Primitive::Reshape { new_sizes } => vec![format!("new_sizes={}", tuple(new_sizes))],
            Primitive::Transpose { permutation } => {
                vec![format!("permutation={}", tuple(permutation))]
            }
            Primitive::Squeeze { dimensions } | Primitive::ExpandDims { dimensions } => {
                vec![format!("dimensions={}", tuple(dimensions))]
            }
            Primitive::Iota {
                dtype,
                shape,
                dimension,
            } => vec![
                format!("dimension={dimension}"),
                format!("dtype={}", dtype.name()),
                format!("shape={}", tuple(shape)),
            ],
            Primitive::Slice {
                start_indices,
                limit_indices,
                strides,
            } => vec![
                format!("limit_indices={}", tuple(limit_indices)),
                format!("start_indices={}", tuple(start_indices)),
                format!("strides={}", tuple(strides)),
            ],
            Primitive::Concatenate { dimension } => vec![format!("dimension={dimension}")],
            Primitive::Reduce { axes, .. } => vec![
                format!("axes={}", tuple(axes)),
                "out_sharding=None".to_string(),
            ],
            // JAX leaves out the parameters that are `None`.
            Primitive::DotGeneral {
                dimension_numbers,
                preferred_element_type,
                precision,
            } => std::iter::once(format!("dimension_numbers={dimension_numbers}"))
                .chain(crate::lax::dot_precision::precision_param(*precision))
                .chain(
                    preferred_element_type.map(|t| format!("preferred_element_type={}", t.name())),
                )
                .collect(),
            Primitive::Call { name, .. } => vec![format!("name={name}")],
            Primitive::CustomJvpCall {
                call,
                jvp,
                num_consts,
            } => vec![
                format!("call_jaxpr={}", call.0),
                format!("jvp={jvp:?}"),
                format!("num_consts={num_consts}"),
                "symbolic_zeros=False".to_string(),
            ],
            Primitive::CustomVjpCall {
                call,
                fwd,
                bwd,
                num_consts,
            } => vec![
                format!("call_jaxpr={}", call.0),
                format!("fwd={fwd:?}"),
                format!("bwd={bwd:?}"),
                format!("num_consts={num_consts}"),
                "symbolic_zeros=False".to_string(),
            ],
            Primitive::CustomLin { bwd, num_res, .. } => vec![
                format!("bwd={bwd:?}"),
                format!("num_res={num_res}"),
                "symbolic_zeros=False".to_string(),
            ],
            Primitive::Indexing(op) => op.params_text(),
            Primitive::Ordering(op) => op.params_text(),
            Primitive::Linalg(op) => op.params_text(),
            Primitive::FfiCall(op) => op.params_text(),
            Primitive::HostCallback(op) => op.params_text(),
            Primitive::ExportedCall(op) => op.params_text(),
            Primitive::Cond { branches } => {
                // One branch per line, two columns in from the parameter (the printer indents
                // continuation lines to the parameter's column).
                let texts: Vec<String> = branches
                    .iter()
                    .map(|b| format!("  {}", b.0.to_string().replace('\n', "\n  ")))
                    .collect();
                vec![format!("branches=(\n{}\n)", texts.join("\n"))]
            }
            Primitive::While {
                cond,
                body,
                cond_nconsts,
                body_nconsts,
            } => vec![
                format!("body_jaxpr={}", body.0),
                format!("body_nconsts={body_nconsts}"),
                format!("cond_jaxpr={}", cond.0),
                format!("cond_nconsts={cond_nconsts}"),
            ],
            Primitive::Scan {
                body,
                length,
                reverse,
                num_consts,
                num_carry,
                unroll,
            } => vec![
                format!("jaxpr={}", body.0),
                format!("length={length}"),
                format!("num_carry={num_carry}"),
                format!("num_consts={num_consts}"),
                format!("reverse={}", if *reverse { "True" } else { "False" }),
                format!("unroll={unroll}"),
            ],
            Primitive::ShardingConstraint { sharding } => vec![
                format!("sharding={sharding:?}"),
                "unconstrained_dims=set()".to_string(),
            ],
            Primitive::ShardMap(params) => {
                let specs = |specs: &[sharding::PartitionSpec]| {
                    specs
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                vec![
                    format!("in_specs=({})", specs(&params.in_specs)),
                    format!("jaxpr={}", params.body.0),
                    format!("mesh={:?}", params.mesh),
                    format!("out_specs=({})", specs(&params.out_specs)),
                ]
            }
            Primitive::Collective(op) => op.params_text(),
            Primitive::Checkpoint(params) => params.params_text(),
            Primitive::CheckpointName { name } => vec![format!("name={name}")],
            Primitive::Random(op) => op.params_text(),
        }
    }
}

impl fmt::Display for Primitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
