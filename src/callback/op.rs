//! The callback primitive's parameters ([`CallbackOp`]), its abstract evaluation and its
//! lowering to a `stablehlo.custom_call @rjax_host_callback`, which the FFI handler
//! (`runtime::ffi::host_callback`) serves by running the registered closure.

use std::fmt;

use super::Callback;
use crate::abstract_value::ShapedArray;
use crate::lax::VmapMethod;
use crate::lowering::FunctionBuilder;
use crate::{DType, Error, Result};

/// The custom-call target of every host callback.
pub(crate) const TARGET: &str = "rjax_host_callback";

/// Which of JAX's callback primitives a [`CallbackOp`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    /// `pure_callback`: no side effects, so it may be removed, duplicated or reordered.
    Pure {
        /// How `vmap` batches it; `None` makes batching an error, as in JAX.
        vmap_method: Option<VmapMethod>,
    },
    /// `io_callback`: side-effecting, never removed.
    Io {
        /// Whether calls run in program order (a token operand and result thread them).
        ordered: bool,
    },
    /// `debug_callback`: side-effecting, no results, transparent to differentiation.
    Debug,
}

/// The parameters of a host callback.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallbackOp {
    /// The host function.
    pub callback: Callback,
    /// Which callback primitive.
    pub kind: CallbackKind,
    /// The declared result types (without the ordering token).
    pub results: Vec<ShapedArray>,
}

/// The type of the ordering token an ordered `io_callback` takes and returns.
pub(crate) fn token_aval() -> ShapedArray {
    ShapedArray::new(Vec::new(), DType::U8)
}

impl CallbackOp {
    /// JAX's name of the primitive.
    pub(crate) fn name(&self) -> &'static str {
        match self.kind {
            CallbackKind::Pure { .. } => "pure_callback",
            CallbackKind::Io { .. } => "io_callback",
            CallbackKind::Debug => "debug_callback",
        }
    }

    /// Whether the call takes and returns an ordering token (last operand and result).
    pub(crate) fn ordered(&self) -> bool {
        matches!(self.kind, CallbackKind::Io { ordered: true })
    }

    /// Whether the call must run even when its results are unused.
    pub(crate) fn has_side_effect(&self) -> bool {
        !matches!(self.kind, CallbackKind::Pure { .. })
    }

    /// An error about this call: `primitive `name`: message`.
    pub(crate) fn error(&self, message: impl fmt::Display) -> Error {
        Error::invalid(
            self.name(),
            format!("callback `{}`: {message}", self.callback.name()),
        )
    }

    /// The output types: the declared results, then the token if ordered.
    pub(crate) fn abstract_eval(&self) -> Vec<ShapedArray> {
        let mut avals = self.results.clone();
        if self.ordered() {
            avals.push(token_aval());
        }
        avals
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        let results: Vec<String> = self.results.iter().map(ToString::to_string).collect();
        let mut params = vec![
            format!("callback={}", self.callback.name()),
            format!("result_avals=({})", results.join(", ")),
        ];
        match self.kind {
            CallbackKind::Pure { vmap_method } => params.push(format!(
                "vmap_method={}",
                vmap_method.map_or("None", VmapMethod::name)
            )),
            CallbackKind::Io { ordered } => params.push(format!(
                "ordered={}",
                if ordered { "True" } else { "False" }
            )),
            CallbackKind::Debug => {}
        }
        params
    }

    /// `stablehlo.custom_call @rjax_host_callback` with the callback's id (registering it),
    /// `has_side_effect` for io and debug callbacks, and row-major layouts. An error if the
    /// default client does not run rjax's handlers (a GPU or TPU).
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        crate::lax::ffi_call::require_kernels(&format!(
            "{} `{}` (call it outside jit, or select the CPU with RJAX_PLATFORMS=cpu)",
            self.name(),
            self.callback.name()
        ))?;
        self.callback.register();
        let config = [
            ("callback", self.callback.id()),
            ("ordered", i64::from(self.ordered())),
        ];
        // Layouts of the operands as the program holds them: a key array as its key data.
        let physical_in: Vec<ShapedArray> = avals_in.iter().map(ShapedArray::physical).collect();
        let attributes = crate::lax::ffi_call::custom_call_attributes(
            TARGET,
            &config,
            self.has_side_effect(),
            &physical_in,
            avals_out,
        );
        Ok(f.op_with_regions(
            "stablehlo.custom_call",
            args,
            avals_in,
            avals_out,
            &attributes,
            &[],
        ))
    }
}
