//! The StableHLO module of an exported function, laid out as JAX's calling convention (version
//! 10) expects: a public `@main` taking the flat arguments (after a platform index when there
//! are several platforms) and returning the flat results, each tagged with `jax.result_info`;
//! the function's constants inlined as `stablehlo.constant`s; the module attributes
//! `jax.uses_shape_polymorphism`, `mhlo.num_partitions` and `mhlo.num_replicas`.
//!
//! rjax writes no source locations, so no path or host name ends up in the artifact. The text
//! is what `mlir_module_serialized` holds: JAX's reader (`deserialize_portable_artifact`)
//! parses MLIR text as readily as bytecode.

use crate::jaxpr::{ClosedJaxpr, JaxprRef};
use crate::lowering::{FunctionBuilder, ModuleBuilder, dense_scalar, lower_function};
use crate::{Array, DType, Error, Result, ShapedArray};

/// Custom call targets a JAX consumer can run: XLA's own sharding annotations. Every other
/// target rjax emits is served by rjax's FFI handlers (its Rust kernels and host callbacks),
/// which JAX does not have.
const PORTABLE_CUSTOM_CALLS: [&str; 3] =
    ["Sharding", "SPMDFullToShardShape", "SPMDShardToFullShape"];

/// The module text of `closed` (flat inputs and outputs, in JAX's leaf order) named `name`;
/// `result_info[i]` names output `i` (JAX's `"result[0]"`, `"result['w']"`, ...).
pub(crate) fn exported_module(
    closed: &ClosedJaxpr,
    name: &str,
    multi_platform: bool,
    result_info: &[String],
) -> Result<String> {
    let jaxpr = &closed.jaxpr;
    let mut module = ModuleBuilder::default();
    let mut f = FunctionBuilder::new(&mut module);
    let mut params: Vec<(String, ShapedArray, String)> = Vec::new();
    if multi_platform {
        params.push((
            "%arg0".to_string(),
            ShapedArray::new(vec![], DType::I32),
            "jax.global_constant = \"_platform_index\"".to_string(),
        ));
    }
    let first_input = params.len();
    for (i, var) in jaxpr.invars.iter().enumerate() {
        params.push((
            format!("%arg{}", first_input + i),
            var.aval.clone(),
            String::new(),
        ));
    }
    let mut args: Vec<String> = Vec::new();
    for (var, value) in jaxpr.constvars.iter().zip(&closed.consts) {
        args.push(inline_constant(&mut f, &var.aval, value)?);
    }
    args.extend(params[first_input..].iter().map(|(arg, _, _)| arg.clone()));
    let body = JaxprRef(jaxpr.clone());
    let callee = f
        .module
        .private_function(body.key(), name, |module, callee| {
            lower_function(module, jaxpr, callee)
        })?;
    let out_avals = jaxpr.out_avals();
    let outputs = f.op_with_regions(
        "func.call",
        &args,
        &jaxpr.in_avals(),
        &out_avals,
        &format!("callee = @{callee}"),
        &[],
    );
    let results: Vec<(String, ShapedArray, String)> = outputs
        .into_iter()
        .zip(out_avals)
        .zip(result_info)
        .map(|((value, aval), info)| {
            (
                value,
                aval,
                format!("jax.result_info = \"{}\"", escape(info)),
            )
        })
        .collect();
    let main = f.finish("public", "main", &params, &results);
    let text = module.finish(name, main, 1);
    check_custom_calls(&text, name)?;
    // Multi-platform modules take the platform index as a global constant, which callers
    // refine as they refine shape variables (JAX marks such modules the same way).
    let header = format!("jax.uses_shape_polymorphism = {multi_platform}, ");
    Ok(text.replacen("attributes {", &format!("attributes {{{header}"), 1))
}

/// `value` (an array the function closed over) as a constant of `f`, bit for bit.
fn inline_constant(
    f: &mut FunctionBuilder<'_>,
    aval: &ShapedArray,
    value: &Array,
) -> Result<String> {
    let concrete = value.require_concrete("rjax::export")?;
    let bytes = concrete.host_bytes()?;
    let physical = aval.physical();
    if physical.shape.contains(&0) {
        // No elements: any value broadcasts to the empty shape.
        let zero = f.constant(
            &ShapedArray::new(vec![], physical.dtype),
            &dense_scalar(physical.dtype, &vec![0; physical.dtype.size_in_bytes()]),
        );
        return Ok(f.op(
            "stablehlo.broadcast_in_dim",
            &[zero],
            &[ShapedArray::new(vec![], physical.dtype)],
            std::slice::from_ref(&physical),
            "broadcast_dimensions = array<i64>",
        ));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    let literal = format!("dense<\"0x{hex}\">");
    if physical.dtype == DType::Bool {
        // Booleans are one byte each on the host; MLIR's hex form of `i1` is bit-packed, so
        // write bytes and convert (nonzero is true).
        let as_bytes = ShapedArray::new(physical.shape.clone(), DType::U8);
        let raw = f.constant(&as_bytes, &literal);
        return Ok(f.op(
            "stablehlo.convert",
            &[raw],
            &[as_bytes],
            std::slice::from_ref(&physical),
            "",
        ));
    }
    Ok(f.constant(&physical, &literal))
}

/// Refuses custom calls JAX cannot run, naming the target.
fn check_custom_calls(text: &str, name: &str) -> Result<()> {
    const KEY: &str = "call_target_name = \"";
    for line in text
        .lines()
        .filter(|l| l.contains("\"stablehlo.custom_call\""))
    {
        let Some(start) = line.find(KEY).map(|i| i + KEY.len()) else {
            continue;
        };
        let target = &line[start..start + line[start..].find('"').unwrap_or(0)];
        if !PORTABLE_CUSTOM_CALLS.contains(&target) {
            return Err(Error::invalid(
                "rjax::export",
                format!(
                    "`{name}` lowers to a custom call to `{target}`, which rjax serves with its own \
                     handler (a Rust kernel or a host callback) and JAX cannot run; export a \
                     function without it (linear algebra decompositions on the CPU, \
                     pure_callback, io_callback and debug callbacks lower to such calls)"
                ),
            ));
        }
    }
    Ok(())
}

/// `s` as the body of an MLIR string literal.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
