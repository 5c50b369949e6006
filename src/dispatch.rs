//! Eager dispatch (JAX's `dispatch.py`): the default client, uploading host values, running one
//! primitive as a compiled program, and the executable caches.
//!
//! Each primitive applied to concrete arrays runs as a one-primitive executable, compiled once
//! per (primitive, parameters, input types) and kept in a bounded cache (see
//! [`crate::cache`]); like everything else it runs asynchronously.

use std::sync::{Arc, Mutex, OnceLock};

use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::cache::{BoundedCache, ProgramIndex};
use crate::core::Primitive;
use crate::jaxpr::{Atom, Eqn, Jaxpr, Var};
use crate::lowering::{MainOptions, lower_jaxpr_to_module};
use crate::runtime::{Argument, Buffer, Client, CompileOptions, Device, LoadedExecutable};
use crate::{Array, Error, Result, compilation_cache};

/// The process's default client: the platform the environment selects (an accelerator if one
/// is installed, else the CPU), created on first use.
pub fn default_client() -> Result<&'static Client> {
    static CREATING: Mutex<()> = Mutex::new(());
    if let Some(client) = DEFAULT_CLIENT.get() {
        return Ok(client);
    }
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|poison| poison.into_inner());
    if let Some(client) = DEFAULT_CLIENT.get() {
        return Ok(client);
    }
    // A multi-process run (rjax::distributed) adds its key-value store and process options.
    let mut options = crate::distributed::default_client_options();
    if let Some(count) = crate::config::cpu_device_count()? {
        options = options.cpu_device_count(count);
    }
    let client = Client::from_env(&options)?;
    Ok(DEFAULT_CLIENT.get_or_init(|| client))
}

static DEFAULT_CLIENT: OnceLock<Client> = OnceLock::new();

/// Whether the default client exists already.
pub(crate) fn default_client_started() -> bool {
    DEFAULT_CLIENT.get().is_some()
}

/// The device arrays go to by default: the default client's first device.
pub(crate) fn default_device() -> Result<Device> {
    default_client()?
        .device(0)
        .ok_or_else(|| Error::invalid("default_device", "the default client has no devices"))
}

/// Copies `bytes`, the contents of an array of type `aval`, to the default device.
pub(crate) fn upload(bytes: &[u8], aval: &ShapedArray) -> Result<Buffer> {
    let device = default_device()?;
    let physical = aval.physical();
    device
        .client()
        .buffer_from_bytes(bytes, physical.dtype, &physical.shape, &device)
}

/// Compiled programs by module text, shared by eager dispatch and `jit`: the most recently
/// used ones held in a [`BoundedCache`], every live one found again through a
/// [`ProgramIndex`] (so a program some `Jitted` still holds is not compiled twice); backed by
/// the persistent [`compilation_cache`] when one is configured.
pub(crate) fn compile_cached(module: &str) -> Result<Arc<LoadedExecutable>> {
    struct Programs {
        recent: BoundedCache<String, Arc<LoadedExecutable>>,
        live: ProgramIndex<LoadedExecutable>,
    }
    static PROGRAMS: OnceLock<Mutex<Programs>> = OnceLock::new();
    let programs = PROGRAMS.get_or_init(|| {
        Mutex::new(Programs {
            recent: BoundedCache::new(),
            live: ProgramIndex::new(),
        })
    });
    let lock = || programs.lock().unwrap_or_else(|p| p.into_inner());
    {
        let mut programs = lock();
        let key = module.to_string();
        if let Some(executable) = programs.recent.get(&key) {
            return Ok(executable);
        }
        if let Some(executable) = programs.live.get(module) {
            let bytes = program_bytes(module, &executable);
            programs.recent.insert(key, executable.clone(), bytes);
            return Ok(executable);
        }
    }
    let client = default_client()?;
    let options = CompileOptions::default();
    let executable = Arc::new(match compilation_cache::dir() {
        Some(dir) => compilation_cache::compile(&dir, client, module, &options)?,
        None => client.compile(module, &options)?,
    });
    let bytes = program_bytes(module, &executable);
    let mut programs = lock();
    let executable = programs.live.insert(module, executable);
    programs
        .recent
        .insert(module.to_string(), executable.clone(), bytes);
    Ok(executable)
}

/// The bytes a cached program weighs: its generated code (0 where the plugin does not say)
/// and the text it was compiled from.
pub(crate) fn program_bytes(module: &str, executable: &LoadedExecutable) -> usize {
    let code = executable.generated_code_size().ok().flatten().unwrap_or(0);
    code + module.len()
}

/// A one-primitive executable and the types of its outputs.
struct PrimitiveCallable {
    executable: Arc<LoadedExecutable>,
    out_avals: Vec<ShapedArray>,
    /// What the program weighs in the cache ([`program_bytes`]).
    bytes: usize,
    /// Whether the output takes the buffer of the input the cache key names.
    aliases_donor: bool,
}

/// A primitive, its input types, and the input offered to the output as its buffer, if any.
type PrimitiveKey = (Primitive, Vec<ShapedArray>, Option<usize>);

/// Runs `primitive` on concrete `args` (JAX's `apply_primitive`).
pub(crate) fn apply_primitive(primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
    match primitive {
        Primitive::Call { jaxpr, name } => return crate::jit::call_impl(jaxpr, name, args),
        Primitive::ShardingConstraint { sharding } => {
            return Ok(vec![crate::sharding::device_put(&args[0], sharding)?]);
        }
        Primitive::ShardMap(params) => return crate::sharding::shard_map_impl(params, args),
        Primitive::HostCallback(op) => return op.eval(args),
        _ if args.iter().any(|a| a.sharding().is_some()) => {
            return crate::sharding::spmd::apply_sharded(primitive, args);
        }
        _ => {}
    }
    let avals: Vec<ShapedArray> = args.iter().map(|a| a.aval().clone()).collect();
    let callable = primitive_callable((primitive.clone(), avals, None))?;
    execute(&callable.executable, args, &callable.out_avals)
}

/// [`apply_primitive`] on arguments the caller gives up. An elementwise primitive writes its
/// result into the buffer of an input that nothing else holds and that has the result's shape
/// and dtype (XLA's input/output aliasing), where [`apply_primitive`] would allocate a new one:
/// `(a - b) * 2.0` then allocates one array, not two.
pub(crate) fn apply_primitive_consuming(
    primitive: &Primitive,
    args: Vec<Array>,
) -> Result<Vec<Array>> {
    let Some(donor) = buffer_donor(primitive, &args) else {
        return apply_primitive(primitive, &args);
    };
    let avals: Vec<ShapedArray> = args.iter().map(|a| a.aval().clone()).collect();
    let callable = primitive_callable((primitive.clone(), avals, Some(donor)))?;
    let mut donated = vec![false; args.len()];
    donated[donor] = callable.aliases_donor;
    execute_donating(
        &callable.executable,
        &[],
        args,
        &donated,
        &callable.out_avals,
    )
}

/// The input of `primitive` whose buffer its result can take: the first one of the result's
/// shape that this call alone holds, for the elementwise primitives (whose non-scalar inputs
/// all have the result's shape). Whether the dtypes agree is checked when compiling.
fn buffer_donor(primitive: &Primitive, args: &[Array]) -> Option<usize> {
    let elementwise = matches!(
        primitive,
        Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::IsFinite
            | Primitive::Complex(_)
            | Primitive::SelectN
            | Primitive::Clamp
            | Primitive::IntegerPow { .. }
            | Primitive::ConvertElementType { .. }
    );
    if !elementwise || args.iter().any(|a| a.sharding().is_some()) {
        return None;
    }
    let rank = args.iter().map(Array::ndim).max()?;
    args.iter()
        .position(|a| a.ndim() == rank && a.owns_device_buffer())
}

/// The compiled program for `key`, from the cache of one-primitive programs or compiled now.
fn primitive_callable(key: PrimitiveKey) -> Result<Arc<PrimitiveCallable>> {
    static CACHE: OnceLock<Mutex<BoundedCache<PrimitiveKey, Arc<PrimitiveCallable>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(callable) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(callable);
    }
    let callable = Arc::new(compile_primitive(&key.0, &key.1, key.2)?);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, callable.clone(), callable.bytes);
    Ok(callable)
}

/// Compiles the one-equation jaxpr `primitive(args)`, offering input `donor`'s buffer to the
/// output when their types agree.
fn compile_primitive(
    primitive: &Primitive,
    avals: &[ShapedArray],
    donor: Option<usize>,
) -> Result<PrimitiveCallable> {
    let (jaxpr, out_avals) = one_equation_jaxpr(primitive, avals)?;
    let aliases_donor = match (donor, out_avals.as_slice()) {
        (Some(donor), [output]) => {
            let (input, output) = (avals[donor].physical(), output.physical());
            input.shape == output.shape && input.dtype == output.dtype
        }
        _ => false,
    };
    let donated: Vec<bool> = (0..avals.len())
        .map(|i| aliases_donor && donor == Some(i))
        .collect();
    let options = MainOptions {
        donated: &donated,
        ..Default::default()
    };
    let module = lower_jaxpr_to_module(&jaxpr, primitive.name(), &options)?;
    let executable = compile_cached(&module)?;
    Ok(PrimitiveCallable {
        bytes: program_bytes(&module, &executable),
        executable,
        out_avals,
        aliases_donor,
    })
}

/// The jaxpr applying `primitive` to inputs of types `avals`, and its output types.
pub(crate) fn one_equation_jaxpr(
    primitive: &Primitive,
    avals: &[ShapedArray],
) -> Result<(Jaxpr, Vec<ShapedArray>)> {
    let out_avals = primitive.abstract_eval(avals)?;
    let invars: Vec<Var> = avals.iter().map(|aval| Var::fresh(aval.clone())).collect();
    let outputs: Vec<Var> = out_avals
        .iter()
        .map(|aval| Var::fresh(aval.clone()))
        .collect();
    let jaxpr = Jaxpr {
        constvars: Vec::new(),
        invars: invars.clone(),
        eqns: vec![Eqn {
            primitive: primitive.clone(),
            inputs: invars.into_iter().map(Atom::Var).collect(),
            outputs: outputs.clone(),
        }],
        outvars: outputs.into_iter().map(Atom::Var).collect(),
    };
    Ok((jaxpr, out_avals))
}

/// Runs `executable` on `consts` then `leaves`, donating the leaves flagged in `donated` whose
/// buffers the call owns outright (moved in, no other handle); the others stay intact.
pub(crate) fn execute_donating(
    executable: &LoadedExecutable,
    consts: &[Array],
    leaves: Vec<Array>,
    donated: &[bool],
    out_avals: &[ShapedArray],
) -> Result<Vec<Array>> {
    if !donated.contains(&true) {
        let args: Vec<Array> = consts.iter().cloned().chain(leaves).collect();
        return execute(executable, &args, out_avals);
    }
    enum Slot {
        Held(usize),
        Donated(Buffer),
    }
    let mut held: Vec<Array> = consts.to_vec();
    let mut slots: Vec<Slot> = (0..consts.len()).map(Slot::Held).collect();
    for (leaf, &donate) in leaves.into_iter().zip(donated) {
        leaf.require_concrete("execute")?.buffer()?;
        let leaf = if donate {
            match leaf.into_unique_buffer() {
                Ok(buffer) => {
                    slots.push(Slot::Donated(buffer));
                    continue;
                }
                Err(shared) => shared,
            }
        } else {
            leaf
        };
        held.push(leaf);
        slots.push(Slot::Held(held.len() - 1));
    }
    let args = slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Held(index) => Ok(Argument::Borrowed(
                held[index].require_concrete("execute")?.buffer()?,
            )),
            Slot::Donated(buffer) => Ok(Argument::Donated(buffer)),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(wrap_outputs(executable.execute_donating(args)?, out_avals))
}

/// Device buffers as arrays of types `out_avals`.
fn wrap_outputs(outputs: Vec<Buffer>, out_avals: &[ShapedArray]) -> Vec<Array> {
    outputs
        .into_iter()
        .zip(out_avals)
        .map(|(buffer, aval)| Array::from_concrete(Concrete::from_buffer(aval.clone(), buffer)))
        .collect()
}

/// Runs `executable` on the device buffers of concrete `args`; the outputs have `out_avals`.
pub(crate) fn execute(
    executable: &LoadedExecutable,
    args: &[Array],
    out_avals: &[ShapedArray],
) -> Result<Vec<Array>> {
    let buffers = args
        .iter()
        .map(|arg| arg.require_concrete("execute")?.buffer())
        .collect::<Result<Vec<&Buffer>>>()?;
    Ok(wrap_outputs(executable.execute(&buffers)?, out_avals))
}
