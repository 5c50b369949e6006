//! The `call_exported` primitive (JAX's name): an exported function whose module is MLIR
//! text, called from a traced program by inlining the module.
//!
//! [`Exported::call`](super::Exported::call) binds it on traced arguments when the artifact's
//! module is text (rjax's artifacts, also read back from bytes; JAX writes bytecode, which keeps
//! the separate-executable path) and [`ModuleFunctions`] can read it. Its rules:
//! - abstract evaluation: the exported result types, after checking the argument types;
//! - lowering: the module's functions become private functions of the enclosing module under
//!   unique names (once per module being lowered, however often it is called), and the call
//!   is a `func.call` of its `main` on the kept arguments, after the platform index as a
//!   constant for multi-platform modules, so XLA optimises across the boundary;
//! - batching: one call per batch element, stacked (JAX's `vmap_method="sequential"`, as for
//!   modules run as their own executable): the module has fixed shapes;
//! - derivatives: none of its own. The primitive is only bound inside the
//!   [`custom_vjp`](crate::custom_vjp) that `Exported::call` builds, whose rule pulls
//!   cotangents back through the serialized VJP; forward mode is `custom_vjp`'s error, as in
//!   JAX, and the primitive is not linear.
//!
//! Eager evaluation (never needed by `Exported::call`, which runs concrete arguments directly)
//! compiles the one-call program like any primitive.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::module_functions::ModuleFunctions;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::Batched;
use crate::lax::call_batching::sequential;
use crate::lowering::{FunctionBuilder, dense_scalar};
use crate::{Array, DType, Error, Result, ShapedArray};

/// The parameters of `call_exported`: an exported module (MLIR text) and how to call it.
/// Compared and hashed by identity, as the jaxprs of call primitives are.
#[derive(Clone)]
pub struct ExportedCallOp(Arc<InlineModule>);

/// What lowering and abstract evaluation need.
struct InlineModule {
    function_name: String,
    functions: ModuleFunctions,
    in_avals: Vec<ShapedArray>,
    out_avals: Vec<ShapedArray>,
    /// The arguments `main` takes, by index into the flat arguments.
    kept: Vec<usize>,
    /// The platform index argument and its type, for multi-platform modules.
    platform_index: Option<(i32, DType)>,
}

impl ExportedCallOp {
    /// The op for a module whose text is `text`, or `None` when the text is not a module of
    /// functions that can be inlined.
    pub(crate) fn new(
        function_name: &str,
        text: &str,
        in_avals: &[ShapedArray],
        out_avals: &[ShapedArray],
        kept: &[usize],
        platform_index: Option<i32>,
    ) -> Option<ExportedCallOp> {
        let functions = ModuleFunctions::parse(text)?;
        let platform_index = platform_index.map(|index| {
            let dtype = if functions.main_first_param_is_i64() {
                DType::I64
            } else {
                DType::I32
            };
            (index, dtype)
        });
        Some(ExportedCallOp(Arc::new(InlineModule {
            function_name: function_name.to_string(),
            functions,
            in_avals: in_avals.to_vec(),
            out_avals: out_avals.to_vec(),
            kept: kept.to_vec(),
            platform_index,
        })))
    }

    /// Binds the call on `args` (one per exported input) under the current trace.
    pub(crate) fn bind(&self, args: &[Array]) -> Result<Vec<Array>> {
        bind(Primitive::ExportedCall(self.clone()), args)
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        vec![format!("function_name={}", self.0.function_name)]
    }

    /// The exported result types, once the arguments are checked against the exported ones.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let m = &self.0;
        if avals.len() != m.in_avals.len()
            || avals
                .iter()
                .zip(&m.in_avals)
                .any(|(got, want)| got.shape != want.shape || got.dtype != want.dtype)
        {
            let list = |avals: &[ShapedArray]| {
                avals
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(Error::invalid(
                "call_exported",
                format!(
                    "`{}` takes ({}) as exported, got ({})",
                    m.function_name,
                    list(&m.in_avals),
                    list(avals)
                ),
            ));
        }
        Ok(m.out_avals.clone())
    }

    /// The module's functions, added to the enclosing module once, and a `func.call` of its
    /// `main` on the platform index (if any) and the kept arguments.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        let m = &self.0;
        let key = Arc::as_ptr(&self.0) as usize;
        let callee = f
            .module
            .private_function(key, &m.function_name, |_, callee| {
                Ok(m.functions.renamed(callee))
            })?;
        let mut operands = Vec::with_capacity(m.kept.len() + 1);
        let mut types = Vec::with_capacity(m.kept.len() + 1);
        if let Some((index, dtype)) = m.platform_index {
            let aval = ShapedArray::new(vec![], dtype);
            let bytes = i64::from(index).to_le_bytes();
            operands.push(f.constant(&aval, &dense_scalar(dtype, &bytes[..dtype.size_in_bytes()])));
            types.push(aval);
        }
        for &i in &m.kept {
            operands.push(args[i].clone());
            types.push(avals_in[i].clone());
        }
        Ok(f.op_with_regions(
            "func.call",
            &operands,
            &types,
            avals_out,
            &format!("callee = @{callee}"),
            &[],
        ))
    }

    /// One call per batch element, the results stacked along a new leading axis.
    pub(crate) fn batch(
        &self,
        size: usize,
        values: &[Array],
        dims: &[Option<usize>],
    ) -> Result<Batched> {
        sequential(size, values, dims, &self.0.out_avals, |args| {
            self.bind(args)
        })
    }
}

impl fmt::Debug for ExportedCallOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExportedCallOp({})", self.0.function_name)
    }
}

impl PartialEq for ExportedCallOp {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ExportedCallOp {}

impl Hash for ExportedCallOp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.0).hash(state);
    }
}
