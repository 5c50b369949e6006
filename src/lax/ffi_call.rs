//! `ffi_call`: a call of one of rjax's XLA FFI handlers inside a program, as JAX's
//! `jax.ffi.ffi_call` (a `stablehlo.custom_call @target {api_version = 4}` whose results have
//! the declared types).
//!
//! As in JAX, the primitive has no derivative rule of its own (differentiating through it is
//! an error naming it; callers wrap it in [`crate::custom_jvp`], as rjax's linear algebra
//! does), is not linear, and batches according to its [`VmapMethod`].

use super::call_batching::{expanded_operands, sequential, with_leading_batch};
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::Batched;
use crate::lowering::FunctionBuilder;
use crate::{Array, Error, Result};

/// How `vmap` treats an `ffi_call` (JAX's `vmap_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VmapMethod {
    /// One call per example, in sequence.
    Sequential,
    /// The handler takes leading batch dimensions: batched operands get the batch axis in
    /// front, unbatched ones a leading axis of size 1.
    ExpandDims,
    /// As `ExpandDims`, but unbatched operands are broadcast to the batch size.
    BroadcastAll,
}

impl VmapMethod {
    pub(crate) fn name(self) -> &'static str {
        match self {
            VmapMethod::Sequential => "sequential",
            VmapMethod::ExpandDims => "expand_dims",
            VmapMethod::BroadcastAll => "broadcast_all",
        }
    }
}

/// The parameters of an `ffi_call`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FfiCallOp {
    /// The handler's target name.
    pub target: &'static str,
    /// Integer attributes passed to the handler, sorted by name.
    pub attributes: Vec<(&'static str, i64)>,
    /// The result types.
    pub results: Vec<ShapedArray>,
    /// How `vmap` batches the call.
    pub vmap_method: VmapMethod,
}

impl FfiCallOp {
    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        let attributes: Vec<String> = self
            .attributes
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        vec![
            format!("target_name={}", self.target),
            format!("attributes=({})", attributes.join(", ")),
            format!("vmap_method={}", self.vmap_method.name()),
        ]
    }

    /// The declared result types.
    pub(crate) fn abstract_eval(&self) -> Vec<ShapedArray> {
        self.results.clone()
    }

    /// `stablehlo.custom_call @target` with the typed-FFI API version, the attributes as its
    /// backend config, and row-major layouts (the handlers read row-major buffers).
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
    ) -> Vec<String> {
        let attributes = custom_call_attributes(
            self.target,
            &self.attributes,
            false,
            avals_in,
            &self.results,
        );
        f.op_with_regions(
            "stablehlo.custom_call",
            args,
            avals_in,
            &self.results,
            &attributes,
            &[],
        )
    }

    /// The error of differentiating through the call.
    pub(crate) fn no_derivative(&self) -> Error {
        Error::invalid(
            "ffi_call",
            format!(
                "differentiation rule for the FFI call `{}` is not implemented: wrap the call \
                 in custom_jvp or custom_vjp",
                self.target
            ),
        )
    }

    /// The batching rule, by the call's [`VmapMethod`] ([`super::call_batching`]).
    pub(crate) fn batch(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
    ) -> Result<Batched> {
        match self.vmap_method {
            VmapMethod::Sequential => sequential(size, values, dims, &self.results, |args| {
                bind(Primitive::FfiCall(self.clone()), args)
            }),
            VmapMethod::ExpandDims | VmapMethod::BroadcastAll => {
                let broadcast = self.vmap_method == VmapMethod::BroadcastAll;
                let args = expanded_operands(size, values, dims, broadcast)?;
                let batched = FfiCallOp {
                    results: with_leading_batch(&self.results, size),
                    ..self.clone()
                };
                let outputs = bind(Primitive::FfiCall(batched), &args)?;
                let out_dims = vec![Some(0); outputs.len()];
                Ok((outputs, out_dims))
            }
        }
    }
}

/// `[dense<[r-1, ..., 0]> : tensor<rxindex>, ...]`: the default (row-major) layout of each.
fn row_major_layouts(avals: &[ShapedArray]) -> String {
    let layouts: Vec<String> = avals
        .iter()
        .map(|aval| {
            let rank = aval.ndim();
            let minor_to_major: Vec<String> = (0..rank).rev().map(|d| d.to_string()).collect();
            format!(
                "dense<[{}]> : tensor<{rank}xindex>",
                minor_to_major.join(", ")
            )
        })
        .collect();
    format!("[{}]", layouts.join(", "))
}

/// Whether the default client runs rjax's FFI kernels, so programs may call them.
pub(crate) fn kernels_available() -> bool {
    crate::dispatch::default_client().is_ok_and(|client| client.ffi_available())
}

/// An error naming `op` unless the default client runs rjax's FFI handlers.
pub(crate) fn require_kernels(op: &str) -> Result<()> {
    if kernels_available() {
        return Ok(());
    }
    let client = crate::dispatch::default_client()?;
    Err(Error::invalid(
        op,
        format!(
            "runs inside compiled programs only where rjax's FFI handlers run (the CPU), and \
             the default client's platform `{}` does not ({:?})",
            client.platform_name(),
            client.ffi_support()
        ),
    ))
}

/// The attributes of a typed-FFI `stablehlo.custom_call @target`: the API version, `config`
/// as its backend config (integers), `has_side_effect` when set, and row-major layouts (the
/// handlers read row-major buffers).
pub(crate) fn custom_call_attributes(
    target: &str,
    config: &[(&str, i64)],
    has_side_effect: bool,
    avals_in: &[ShapedArray],
    avals_out: &[ShapedArray],
) -> String {
    let config: Vec<String> = config
        .iter()
        .map(|(name, value)| format!("{name} = {value} : i64"))
        .collect();
    format!(
        "call_target_name = \"{target}\", api_version = 4 : i32, has_side_effect = \
         {has_side_effect}, backend_config = {{{}}}, operand_layouts = {}, result_layouts = {}",
        config.join(", "),
        row_major_layouts(avals_in),
        row_major_layouts(avals_out),
    )
}

/// Binds an `ffi_call` of `target` on `args` with `results` types.
pub(crate) fn ffi_call(
    target: &'static str,
    args: &[&Array],
    results: Vec<ShapedArray>,
    attributes: Vec<(&'static str, i64)>,
    vmap_method: VmapMethod,
) -> Result<Vec<Array>> {
    let mut attributes = attributes;
    attributes.sort();
    let op = FfiCallOp {
        target,
        attributes,
        results,
        vmap_method,
    };
    let args: Vec<Array> = args.iter().map(|a| (*a).clone()).collect();
    bind(Primitive::FfiCall(op), &args)
}
