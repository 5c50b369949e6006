//! [`export`]: rjax functions as artifacts JAX loads (`jax.export.deserialize`), runs, `jit`s,
//! differentiates and nests in its own exports.
//!
//! The function is traced once for the example arguments' types, in JAX's leaf order (see
//! the pytree mapping in [`to_jax_tree`](super::to_jax_tree)), and lowered to a StableHLO
//! module with JAX's calling convention 10 ([`module_text`](super::module_text)). Its VJP
//! is traced from it with rjax's own `vjp`, to the order asked for, each order a nested
//! [`Exported`] with JAX's VJP calling convention: the flat primal arguments, then one
//! cotangent per flat result, returning one cotangent per flat argument.

use super::exported::{Exported, ExportedAval, ExportedSharding, ExportedTree};
use super::module_text::exported_module;
use super::schema::{MAX_CALLING_CONVENTION, STORED_SERIALIZATION_VERSION};
use super::to_jax_tree::{jax_arguments, jax_results};
use crate::interpreters::staging::make_jaxpr_flat;
use crate::jaxpr::{ClosedJaxpr, eval_jaxpr};
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, Error, Result, ShapedArray, vjp};

/// The platform names JAX gives its built-in backends.
const JAX_PLATFORMS: [&str; 4] = ["cpu", "cuda", "rocm", "tpu"];

/// Exports `f` for JAX (JAX's `jax.export.export(jax.jit(f))`): configure the platforms and
/// the VJP order, then [`trace`](Exporter::trace) it on example arguments (or
/// [`trace_abstract`](Exporter::trace_abstract) on types) to get an [`Exported`], whose
/// [`serialize`](Exported::serialize)d bytes `jax.export.deserialize` reads.
///
/// A tuple input becomes the positional arguments (`|(x, a, b)|` is called `exp.call(x, a, b)`
/// from Python); any other input is the one argument. Structs (`#[derive(Pytree)]`) become
/// dicts keyed by field name.
///
/// ```no_run
/// use rjax::Array;
/// let f = |(x, w): (Array, Array)| (x.matmul(&w)).tanh().sum();
/// let example = (Array::from([[1.0f32, 2.0]]), Array::from([[0.5f32], [0.25]]));
/// let exported = rjax::export::export(f)
///     .with_name("f")
///     .platforms(&["cpu"])
///     .vjp_order(1)
///     .trace(&example)?;
/// exported.write("f.jax_exported")?; // jax.export.deserialize(open(..., "rb").read())
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn export<F>(f: F) -> Exporter<F> {
    Exporter {
        f,
        name: "rjax_export".to_string(),
        platforms: None,
        vjp_order: 0,
    }
}

/// A function being exported: see [`export`].
pub struct Exporter<F> {
    f: F,
    name: String,
    platforms: Option<Vec<String>>,
    vjp_order: usize,
}

impl<F> Exporter<F> {
    /// Names the function (JAX's `fun_name`; also the module's name). Characters other than
    /// ASCII letters, digits and `_` become `_`. Default: `rjax_export`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The platforms to export for, among JAX's `cpu`, `cuda`, `rocm` and `tpu` (JAX's
    /// `platforms=`). Default: the platform of rjax's default client. With several, the module
    /// takes JAX's platform index argument (rjax's lowering is the same on every platform).
    pub fn platforms(mut self, platforms: &[&str]) -> Self {
        self.platforms = Some(platforms.iter().map(|p| p.to_string()).collect());
        self
    }

    /// Exports the VJP too, and its VJP, to `order` levels (JAX's `vjp_order` of
    /// `Exported.serialize`): 1 lets JAX take `grad` of the function, 2 `grad(grad(...))`.
    /// Every argument and result must then be floating point or complex.
    pub fn vjp_order(mut self, order: usize) -> Self {
        self.vjp_order = order;
        self
    }

    /// Traces `f` for arguments with `example`'s structure, shapes and dtypes (its values are
    /// not used) and exports it.
    pub fn trace<In, Out, R>(&self, example: &In) -> Result<Exported>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = example.tree_flatten();
        let avals: Vec<ShapedArray> = leaves.iter().map(|leaf| leaf.aval().clone()).collect();
        self.trace_abstract::<In, Out, R>(&tree, &avals)
    }

    /// Traces `f` for arguments of structure `in_tree` whose leaves have the types `in_avals`
    /// (JAX's export on `ShapeDtypeStruct`s) and exports it.
    pub fn trace_abstract<In, Out, R>(
        &self,
        in_tree: &TreeDef,
        in_avals: &[ShapedArray],
    ) -> Result<Exported>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        if in_tree.num_leaves() != in_avals.len() {
            return Err(Error::invalid(
                "rjax::export",
                format!(
                    "the input structure has {} leaves but {} types were given",
                    in_tree.num_leaves(),
                    in_avals.len()
                ),
            ));
        }
        let platforms = self.chosen_platforms()?;
        let name = crate::lowering::symbol_name(&self.name, "rjax_export");
        let args = jax_arguments(in_tree)?;
        let jax_avals: Vec<ShapedArray> = args
            .leaf_order
            .iter()
            .map(|&i| in_avals[i].clone())
            .collect();
        let mut results = None;
        let closed = make_jaxpr_flat(&jax_avals, |tracers| {
            let mut leaves: Vec<Option<Array>> = vec![None; tracers.len()];
            for (tracer, &i) in tracers.into_iter().zip(&args.leaf_order) {
                leaves[i] = Some(tracer);
            }
            let leaves = leaves
                .into_iter()
                .map(|l| l.expect("a permutation"))
                .collect();
            let output = (self.f)(In::tree_unflatten(in_tree, leaves)?).into_result()?;
            let (outputs, out_tree) = output.tree_flatten();
            let converted = jax_results(&out_tree)?;
            let ordered = converted
                .leaf_order
                .iter()
                .map(|&i| outputs[i].clone())
                .collect();
            results = Some(converted);
            Ok(ordered)
        })?;
        let results = results.expect("the traced function ran");
        let function = Function {
            closed,
            name,
            in_tree: args.tree,
            out_tree: results.tree,
            result_info: results.paths,
        };
        function.export(&platforms, self.vjp_order)
    }

    /// The platforms asked for, checked, or the default client's.
    fn chosen_platforms(&self) -> Result<Vec<String>> {
        let platforms = match &self.platforms {
            Some(platforms) => platforms.clone(),
            None => vec![crate::default_client()?.platform_name().to_lowercase()],
        };
        if platforms.is_empty() {
            return Err(Error::invalid(
                "rjax::export",
                "no platform given; name at least one of cpu, cuda, rocm, tpu",
            ));
        }
        for (i, platform) in platforms.iter().enumerate() {
            if !JAX_PLATFORMS.contains(&platform.as_str()) {
                return Err(Error::invalid(
                    "rjax::export",
                    format!(
                        "unknown platform `{platform}`; JAX's platforms are {}",
                        JAX_PLATFORMS.join(", ")
                    ),
                ));
            }
            if platforms[..i].contains(platform) {
                return Err(Error::invalid(
                    "rjax::export",
                    format!("the platform `{platform}` is given twice"),
                ));
            }
        }
        Ok(platforms)
    }
}

/// A flat function (leaves in JAX's order) and its JAX signature, ready to export.
struct Function {
    closed: ClosedJaxpr,
    name: String,
    in_tree: ExportedTree,
    out_tree: ExportedTree,
    result_info: Vec<String>,
}

impl Function {
    fn in_avals(&self) -> Vec<ShapedArray> {
        self.closed
            .jaxpr
            .invars
            .iter()
            .map(|v| v.aval.clone())
            .collect()
    }

    /// The [`Exported`] of this function, with its VJP to `vjp_order` levels.
    fn export(&self, platforms: &[String], vjp_order: usize) -> Result<Exported> {
        let in_avals = self.in_avals();
        let out_avals = self.closed.jaxpr.out_avals();
        let multi_platform = platforms.len() > 1;
        let text = exported_module(&self.closed, &self.name, multi_platform, &self.result_info)?;
        let kept = (0..in_avals.len())
            .map(|i| {
                u16::try_from(i).map_err(|_| {
                    Error::invalid(
                        "rjax::export",
                        format!(
                            "`{}` has {} arguments; JAX's container holds at most 65536",
                            self.name,
                            in_avals.len()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<u16>>>()?;
        let vjp = match vjp_order {
            0 => None,
            order => Some(Box::new(self.vjp()?.export(platforms, order - 1)?)),
        };
        Ok(Exported {
            serialization_version: STORED_SERIALIZATION_VERSION,
            function_name: self.name.clone(),
            in_tree: self.in_tree.clone(),
            in_avals: in_avals.iter().map(ExportedAval::from_shaped).collect(),
            out_tree: self.out_tree.clone(),
            out_avals: out_avals.iter().map(ExportedAval::from_shaped).collect(),
            in_shardings: vec![ExportedSharding::Unspecified; in_avals.len()],
            out_shardings: vec![ExportedSharding::Unspecified; out_avals.len()],
            nr_devices: 1,
            platforms: platforms.to_vec(),
            ordered_effects: Vec::new(),
            unordered_effects: Vec::new(),
            disabled_checks: Vec::new(),
            mlir_module_serialized: text.clone().into_bytes(),
            module_text: Some(text),
            calling_convention_version: MAX_CALLING_CONVENTION,
            module_kept_var_idx: kept,
            uses_global_constants: multi_platform,
            vjp,
        })
    }

    /// The VJP in JAX's calling convention: `(primals..., output cotangents...)` to the
    /// cotangents of the primals.
    fn vjp(&self) -> Result<Function> {
        let in_avals = self.in_avals();
        let out_avals = self.closed.jaxpr.out_avals();
        for (what, aval) in in_avals
            .iter()
            .map(|a| ("argument", a))
            .chain(out_avals.iter().map(|a| ("result", a)))
        {
            if !aval.dtype.is_inexact() {
                return Err(Error::invalid(
                    "rjax::export",
                    format!(
                        "`{}` has the {what} type {aval}; exporting its VJP needs floating-point \
                         or complex arguments and results (JAX would use float0 cotangents); \
                         export with vjp_order(0), or close over the integer values",
                        self.name
                    ),
                ));
            }
        }
        let n_in = in_avals.len();
        let cotangents = out_avals
            .iter()
            .map(|a| ShapedArray::new(a.shape.clone(), a.dtype));
        let avals: Vec<ShapedArray> = in_avals
            .iter()
            .map(|a| ShapedArray::new(a.shape.clone(), a.dtype))
            .chain(cotangents)
            .collect();
        let primal = &self.closed;
        let closed = make_jaxpr_flat(&avals, |mut args| {
            let cts = args.split_off(n_in);
            let f = |xs: Vec<Array>| -> Result<Vec<Array>> {
                let all: Vec<Array> = primal.consts.iter().cloned().chain(xs).collect();
                eval_jaxpr(&primal.jaxpr, &all)
            };
            let (_, pullback) = vjp(f, args)?;
            pullback(cts)
        })?;
        Ok(Function {
            closed,
            name: format!("{}_vjp", self.name),
            in_tree: ExportedTree::args_of_leaves(avals.len()),
            out_tree: ExportedTree::tuple_of_leaves(n_in),
            result_info: (0..n_in).map(|i| format!("result[{i}]")).collect(),
        })
    }
}
