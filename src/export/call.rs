//! [`Exported::call`]: running an exported function on arrays, eagerly and inside `jit`,
//! `grad`/`vjp` and `vmap`.
//!
//! The call is a [`custom_vjp`] (as JAX wraps exported calls) whose function runs the module:
//! directly as its own executable on concrete arguments; on traced ones, inlined into the
//! traced program when the module is MLIR text (rjax's artifacts: the `call_exported`
//! primitive of [`inline`](super::inline)), else as its own executable through a sequential
//! [`pure_callback`] (JAX's artifacts: their module is bytecode, and PJRT cannot turn bytecode
//! back into text to splice it into rjax's module). So `jit` compiles the call into its
//! program or calls the executable from it, `vmap` loops over the batch (JAX's
//! `vmap_method="sequential"`) and `grad`/`vjp` pull cotangents back through the serialized
//! VJP, itself an [`Exported`] called the same way (so second order works when the artifact
//! has a second-order VJP). Forward mode is `custom_vjp`'s error, as in JAX.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::cache::BoundedCache;
use crate::callback::{Callback, pure_callback};
use crate::lax::VmapMethod;
use crate::runtime::{Client, CompileOptions, LoadedExecutable};
use crate::{Array, Error, Result, ShapedArray, custom_vjp, default_client};

use super::exported::{DisabledSafetyCheck, Exported, ExportedDType};
use super::inline::ExportedCallOp;
use super::schema::{MAX_CALLING_CONVENTION, MIN_CALLING_CONVENTION};
use super::version::{StablehloVersion, producer_version};

const OP: &str = "rjax::export::Exported::call";

/// An artifact checked against the default client, ready to run.
struct Prepared {
    module: Arc<[u8]>,
    function_name: String,
    in_avals: Vec<ShapedArray>,
    out_avals: Vec<ShapedArray>,
    kept: Vec<usize>,
    /// The platform index argument, for multi-platform modules.
    platform_index: Option<i32>,
    vjp: Option<Exported>,
    /// The call to bind on traced arguments when the module is text that can be inlined.
    inline: Option<ExportedCallOp>,
}

impl Exported {
    /// Calls the exported function on `args`, one array per flattened input (in the order of
    /// [`Exported::in_avals`]), and returns one array per flattened output.
    ///
    /// Works on concrete arrays and under every transformation: inside `jit` the module is
    /// inlined into the compiled program when it is MLIR text (rjax's artifacts, also read back
    /// from bytes), and otherwise (JAX's bytecode) runs as its own executable called from the
    /// program (a host callback: the CPU client); under `grad`/`vjp` cotangents flow through
    /// the serialized VJP, called the same way (an error names
    /// the workaround when none was exported), under `vmap` it runs once per batch element in
    /// order, and forward mode (`jvp`) is an error, as in JAX.
    ///
    /// Refused with an error naming the workaround: arguments of the wrong number, shape or
    /// dtype (naming the argument and the exported type), shape-polymorphic exports, ordered
    /// effects, more devices than the client has, a platform the artifact was not exported
    /// for and a StableHLO version the plugin does not support.
    pub fn call(&self, args: &[Array]) -> Result<Vec<Array>> {
        let prepared = Arc::new(Prepared::new(self)?);
        prepared.check_args(args)?;
        let primal = {
            let prepared = prepared.clone();
            move |args: Vec<Array>| prepared.run(args)
        };
        let fwd = {
            let prepared = prepared.clone();
            move |args: Vec<Array>| -> Result<(Vec<Array>, Vec<Array>)> {
                Ok((prepared.run(args.clone())?, args))
            }
        };
        let bwd = move |primals: Vec<Array>, cts: Vec<Array>| prepared.pull_back(primals, cts);
        custom_vjp(primal, fwd, bwd)(args.to_vec())
    }
}

impl Prepared {
    fn new(e: &Exported) -> Result<Prepared> {
        let name = &e.function_name;
        if !e.ordered_effects.is_empty() {
            return Err(Error::invalid(
                OP,
                format!(
                    "`{name}` was exported with ordered effects {:?}, which rjax does not run; \
                     export a function without ordered effects (no ordered io_callback or \
                     debug.print with ordered=True)",
                    e.ordered_effects
                ),
            ));
        }
        let convention = e.calling_convention_version;
        if !(MIN_CALLING_CONVENTION..=MAX_CALLING_CONVENTION).contains(&convention) {
            return Err(Error::invalid(
                OP,
                format!(
                    "`{name}` uses calling convention version {convention}; rjax runs versions                      {MIN_CALLING_CONVENTION} to {MAX_CALLING_CONVENTION} (JAX 0.10–0.12's);                      export it with one of those JAX versions"
                ),
            ));
        }
        let in_avals = e
            .in_shaped_arrays()
            .map_err(|err| in_context(name, "input", err))?;
        let out_avals = e
            .out_shaped_arrays()
            .map_err(|err| in_context(name, "output", err))?;
        let client = default_client()?;
        check_devices(e, client)?;
        let platform_index = platform_index(e, client)?;
        let module: Arc<[u8]> = Arc::from(e.mlir_module_serialized.as_slice());
        check_stablehlo_version(e, client, executable(&module, false).err())?;
        let kept: Vec<usize> = e
            .module_kept_var_idx
            .iter()
            .map(|&i| usize::from(i))
            .collect();
        // rjax's artifacts, also read back from bytes, have their text; JAX's modules are
        // bytecode (`deserialize` tells them apart by bytecode's magic number).
        let inline = e.module_text.as_deref().and_then(|text| {
            ExportedCallOp::new(name, text, &in_avals, &out_avals, &kept, platform_index)
        });
        Ok(Prepared {
            module,
            function_name: name.clone(),
            in_avals,
            out_avals,
            kept,
            platform_index,
            vjp: e.vjp.as_deref().cloned(),
            inline,
        })
    }

    /// Checks the arguments against the exported input types.
    fn check_args(&self, args: &[Array]) -> Result<()> {
        let name = &self.function_name;
        if args.len() != self.in_avals.len() {
            return Err(Error::invalid(
                OP,
                format!(
                    "`{name}` takes {} arguments ({}), got {}",
                    self.in_avals.len(),
                    avals_list(&self.in_avals),
                    args.len()
                ),
            ));
        }
        for (i, (arg, aval)) in args.iter().zip(&self.in_avals).enumerate() {
            if arg.shape() != aval.shape.as_slice() || arg.dtype() != aval.dtype {
                return Err(Error::invalid(
                    OP,
                    format!(
                        "argument {i} of `{name}` must be {aval} as exported, got {}",
                        ShapedArray::new(arg.shape().to_vec(), arg.dtype())
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The outputs on `args`: the executable directly on concrete arrays; on traced ones, the
    /// module inlined when it is text, else a host callback.
    fn run(self: &Arc<Self>, args: Vec<Array>) -> Result<Vec<Array>> {
        if !args.iter().any(Array::is_tracer) {
            return self.execute(&args);
        }
        if let Some(inline) = &self.inline {
            return inline.bind(&args);
        }
        let prepared = self.clone();
        let callback = Callback::named(format!("exported `{}`", self.function_name), move |a| {
            prepared.execute_in_callback(a)
        });
        let refs: Vec<&Array> = args.iter().collect();
        pure_callback(
            &callback,
            &self.out_avals,
            &refs,
            Some(VmapMethod::Sequential),
        )
    }

    /// Runs the module on concrete `args`: the kept ones, after the platform index.
    fn execute(&self, args: &[Array]) -> Result<Vec<Array>> {
        self.execute_with(args, false, |executable, module_args| {
            crate::dispatch::execute(executable, module_args, &self.out_avals)
        })
    }

    /// [`Prepared::execute`] from inside a host callback of a compiled program: on the side
    /// client ([`side_client`]), whose own threads run the module while the calling program
    /// waits for the callback. (On the calling program's client, the module's launch queues
    /// behind the program that is waiting for it, and neither ever finishes.)
    fn execute_in_callback(&self, args: &[Array]) -> Result<Vec<Array>> {
        let client = side_client()?;
        let device = client
            .device(0)
            .ok_or_else(|| Error::msg("the side client has no device"))?;
        self.execute_with(args, true, |executable, module_args| {
            let buffers = module_args
                .iter()
                .map(|arg| {
                    let physical = arg.aval().physical();
                    let bytes = arg.require_concrete(OP)?.host_bytes()?;
                    client.buffer_from_bytes(bytes, physical.dtype, &physical.shape, &device)
                })
                .collect::<Result<Vec<_>>>()?;
            let refs: Vec<&crate::runtime::Buffer> = buffers.iter().collect();
            executable
                .execute(&refs)?
                .iter()
                .zip(&self.out_avals)
                .map(|(buffer, aval)| {
                    let concrete =
                        crate::array::Concrete::from_host(aval.clone(), buffer.to_bytes()?);
                    Ok(Array::from_concrete(concrete))
                })
                .collect()
        })
    }

    /// Runs the module compiled for the default client (or, with `side`, the side client) with
    /// `launch`, on the kept `args` after the platform index.
    fn execute_with(
        &self,
        args: &[Array],
        side: bool,
        launch: impl Fn(&LoadedExecutable, &[Array]) -> Result<Vec<Array>>,
    ) -> Result<Vec<Array>> {
        let compiled = executable(&self.module, side)?;
        let kept = self.kept.iter().map(|&i| args[i].clone());
        let Some(index) = self.platform_index else {
            let module_args: Vec<Array> = kept.collect();
            return launch(&compiled.executable, &module_args);
        };
        // The index is `i32`, or `i64` when JAX exported in 64-bit mode; the container does
        // not say which and PJRT does not expose bytecode's parameter types, so the first call
        // tries `i32`, then `i64`, and the executable remembers what worked.
        let run = |wide: bool| {
            let index = if wide {
                Array::from(i64::from(index))
            } else {
                Array::from(index)
            };
            let module_args: Vec<Array> = std::iter::once(index).chain(kept.clone()).collect();
            launch(&compiled.executable, &module_args)
        };
        match compiled.index_width.load(Ordering::Relaxed) {
            INDEX_I32 => run(false),
            INDEX_I64 => run(true),
            _ => match run(false) {
                Ok(outs) => {
                    compiled.index_width.store(INDEX_I32, Ordering::Relaxed);
                    Ok(outs)
                }
                Err(narrow) => {
                    let outs = run(true).map_err(|_| narrow)?;
                    compiled.index_width.store(INDEX_I64, Ordering::Relaxed);
                    Ok(outs)
                }
            },
        }
    }

    /// The input cotangents from the serialized VJP, a function of the primal inputs and the
    /// output cotangents.
    fn pull_back(&self, primals: Vec<Array>, cts: Vec<Array>) -> Result<Vec<Array>> {
        let name = &self.function_name;
        let vjp = self.vjp.as_ref().ok_or_else(|| {
            Error::invalid(
                OP,
                format!(
                    "`{name}` was exported without a VJP, so it cannot be differentiated in \
                     reverse mode; serialize it with `exported.serialize(vjp_order=1)` (or \
                     higher for higher derivatives)"
                ),
            )
        })?;
        if let Some(aval) = vjp
            .in_avals
            .iter()
            .chain(&vjp.out_avals)
            .find(|a| a.dtype == ExportedDType::Float0)
        {
            return Err(Error::invalid(
                OP,
                format!(
                    "the VJP of `{name}` has a float0 cotangent ({aval}), for an integer input or \
                     output, which rjax does not pass; export a function whose inputs and \
                     outputs are all floating point"
                ),
            ));
        }
        let args: Vec<Array> = primals.into_iter().chain(cts).collect();
        vjp.call(&args)
    }
}

/// Adds the function's name to an error about its avals.
fn in_context(name: &str, which: &str, err: Error) -> Error {
    Error::invalid(OP, format!("an {which} of `{name}`: {err}"))
}

fn avals_list(avals: &[ShapedArray]) -> String {
    let items: Vec<String> = avals.iter().map(ToString::to_string).collect();
    items.join(", ")
}

/// Refuses artifacts lowered for more devices than the client has, or for several.
fn check_devices(e: &Exported, client: &Client) -> Result<()> {
    let available = client.devices().len();
    let wanted = e.nr_devices as usize;
    if wanted > available {
        return Err(Error::invalid(
            OP,
            format!(
                "`{}` was exported for {wanted} devices but the {} client has {available}; \
                 export it for at most {available} device(s), or run with more devices \
                 (rjax::config's CPU device count for the CPU)",
                e.function_name,
                client.platform_name()
            ),
        ));
    }
    if wanted > 1 {
        return Err(Error::invalid(
            OP,
            format!(
                "`{}` was exported for {wanted} devices; rjax runs single-device exports \
                 only: export it with one device",
                e.function_name
            ),
        ));
    }
    Ok(())
}

/// JAX's platform name of a client.
fn jax_platform(client: &Client) -> String {
    match client.platform_name().to_lowercase().as_str() {
        "gpu" => "cuda".to_string(),
        other => other.to_string(),
    }
}

/// The platform index argument: `None` for single-platform modules; an error naming both
/// platforms lists when the client's is not one of them (unless the check was disabled).
fn platform_index(e: &Exported, client: &Client) -> Result<Option<i32>> {
    let platform = jax_platform(client);
    let index = e.platforms.iter().position(|p| *p == platform);
    let index = match index {
        Some(i) => i,
        None if e.disabled_checks.contains(&DisabledSafetyCheck::Platform) => 0,
        None => {
            return Err(Error::invalid(
                OP,
                format!(
                    "`{}` was exported for platforms {:?}, not for this client's `{platform}`; \
                     export it with `platforms=[..., \"{platform}\"]`, or run it with a client \
                     of one of those platforms",
                    e.function_name, e.platforms
                ),
            ));
        }
    };
    Ok((e.platforms.len() > 1).then_some(index as i32))
}

/// Refuses a module whose StableHLO is older than the plugin's minimum; when `compile_error`
/// is given (the module did not compile), explains a producer version newer than the plugin's
/// current one. Newer modules that compile are accepted: plugins read most newer artifacts
/// (the official CPU plugin runs JAX 0.10's StableHLO 1.15 modules while reporting 1.13).
fn check_stablehlo_version(
    e: &Exported,
    client: &Client,
    compile_error: Option<Error>,
) -> Result<()> {
    let Some(producer) = producer_version(&e.mlir_module_serialized) else {
        return compile_error.map_or(Ok(()), Err);
    };
    let plugin = client.plugin();
    let minimum = plugin
        .stablehlo_minimum_version()
        .map(StablehloVersion::from);
    let current = plugin
        .stablehlo_current_version()
        .map(StablehloVersion::from);
    if let Some(minimum) = minimum.filter(|m| producer < *m) {
        return Err(Error::invalid(
            OP,
            format!(
                "`{}` is StableHLO {producer}, older than the oldest version the plugin reads \
                 ({minimum}); export it again with a newer JAX",
                e.function_name
            ),
        ));
    }
    match (compile_error, current) {
        (Some(err), Some(current)) if producer > current => Err(Error::invalid(
            OP,
            format!(
                "`{}` is StableHLO {producer}, newer than the plugin supports ({current}), and \
                 it did not compile: {err}; use a plugin built from a newer XLA, or export with \
                 a JAX whose StableHLO is at most {current}",
                e.function_name
            ),
        )),
        (Some(err), _) => Err(err),
        (None, _) => Ok(()),
    }
}

/// A compiled module and the width of its platform index argument, once known.
struct Compiled {
    executable: LoadedExecutable,
    index_width: AtomicU8,
}

const INDEX_I32: u8 = 1;
const INDEX_I64: u8 = 2;

/// A second client of the default platform, with one device, for the modules that host
/// callbacks run (see [`Prepared::execute_in_callback`]).
fn side_client() -> Result<&'static Client> {
    static SIDE: OnceLock<Client> = OnceLock::new();
    if let Some(client) = SIDE.get() {
        return Ok(client);
    }
    let platform = default_client()?.platform_name().to_string();
    let options = crate::runtime::ClientOptions::new().cpu_device_count(1);
    let client = Client::for_platform(&platform, &options)?;
    Ok(SIDE.get_or_init(|| client))
}

/// The executable of `module` on the default client or, with `side`, on [`side_client`], from
/// a bounded cache.
fn executable(module: &Arc<[u8]>, side: bool) -> Result<Arc<Compiled>> {
    type Cache = BoundedCache<(Arc<[u8]>, bool), Arc<Compiled>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BoundedCache::new()));
    let lock = || cache.lock().unwrap_or_else(|p| p.into_inner());
    let key = (module.clone(), side);
    let client = if side {
        side_client()?
    } else {
        default_client()?
    };
    if let Some(compiled) = lock().get(&key) {
        return Ok(compiled);
    }
    let _ = client.ffi_available(); // registers jaxlib's LAPACK targets (runtime::ffi) first
    let executable = client.compile_bytecode(module, &CompileOptions::default())?;
    let code = executable.generated_code_size().ok().flatten().unwrap_or(0);
    let compiled = Arc::new(Compiled {
        executable,
        index_width: AtomicU8::new(0),
    });
    lock().insert(key, compiled.clone(), code + module.len());
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use super::super::exported::{ExportedAval, ExportedTree};
    use super::*;

    /// `f32[] -> f32[]`, refused before its (empty) module is ever compiled.
    fn scalar_function() -> Exported {
        let aval = ExportedAval::from_shaped(&ShapedArray::new([], crate::DType::F32));
        Exported {
            serialization_version: 3,
            function_name: "f".into(),
            in_tree: ExportedTree::args_of_leaves(1),
            in_avals: vec![aval.clone()],
            out_tree: ExportedTree::Leaf,
            out_avals: vec![aval],
            in_shardings: Vec::new(),
            out_shardings: Vec::new(),
            nr_devices: 1,
            platforms: vec!["cpu".into()],
            ordered_effects: Vec::new(),
            unordered_effects: Vec::new(),
            disabled_checks: Vec::new(),
            mlir_module_serialized: Vec::new(),
            module_text: None,
            calling_convention_version: 10,
            module_kept_var_idx: vec![0],
            uses_global_constants: false,
            vjp: None,
        }
    }

    #[test]
    fn ordered_effects_and_unknown_calling_conventions_are_refused() {
        let x = Array::from(1.0f32);
        let mut e = scalar_function();
        e.ordered_effects = vec!["<class 'jax._src.debugging.OrderedDebugEffect'>".into()];
        let msg = e.call(std::slice::from_ref(&x)).unwrap_err().to_string();
        assert!(
            msg.contains("ordered effects") && msg.contains("OrderedDebugEffect"),
            "{msg}"
        );
        let mut e = scalar_function();
        e.calling_convention_version = 8;
        let msg = e.call(std::slice::from_ref(&x)).unwrap_err().to_string();
        assert!(
            msg.contains("calling convention version 8") && msg.contains("9 to 10"),
            "{msg}"
        );
    }
}
