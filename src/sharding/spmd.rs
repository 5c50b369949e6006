//! Running a staged function over a mesh (JAX's `pjit` with shardings): choosing the layout of
//! every input and output, lowering with XLA's sharding annotations, compiling with one SPMD
//! partition per mesh device, and executing on all of them.
//!
//! The mesh comes from the explicit `in_shardings`/`out_shardings`, the sharded inputs, or
//! the `with_sharding_constraint` and `shard_map` calls in the function; they must agree.
//! Inputs without an explicit sharding keep their own (or are replicated), and are resharded
//! when it differs from the one requested. Outputs without an explicit sharding take the
//! layout their last operation states (a sharding constraint, a `shard_map`'s `out_specs`, or
//! an input passed through), else the one XLA's sharding propagation chooses, read back from
//! the optimized program.

use std::sync::{Arc, Mutex, OnceLock};

use super::{Mesh, NamedSharding, array::from_shards, device_put, propagated};
use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::cache::BoundedCache;
use crate::core::Primitive;
use crate::jaxpr::{Atom, Jaxpr, Var};
use crate::lowering::{MainOptions, lower_jaxpr_to_module};
use crate::runtime::{Buffer, CompileOptions, LoadedExecutable};
use crate::{Array, Error, Result};

/// How a staged function's inputs (constants first) and outputs lie on a mesh.
#[derive(Clone, Debug)]
pub(crate) struct SpmdLayout {
    pub(crate) mesh: Mesh,
    pub(crate) in_shardings: Vec<NamedSharding>,
    /// The layout asked for each output; `None` lets XLA's propagation choose.
    pub(crate) out_shardings: Vec<Option<NamedSharding>>,
}

/// A program compiled for a mesh, with the layout of each output.
pub(crate) struct SpmdExecutable {
    pub(crate) executable: Arc<LoadedExecutable>,
    pub(crate) out_shardings: Vec<NamedSharding>,
}

/// The layout of `jaxpr` (whose first `consts.len()` inputs are `consts`, then `leaves`), or
/// `None` when nothing about the call involves a mesh (it then runs on one device).
pub(crate) fn layout(
    jaxpr: &Jaxpr,
    consts: &[Array],
    leaf_shardings: &[Option<NamedSharding>],
    explicit_in: &[Option<NamedSharding>],
    explicit_out: &[Option<NamedSharding>],
) -> Result<Option<SpmdLayout>> {
    let mut meshes: Vec<Mesh> = Vec::new();
    let mut note = |mesh: &Mesh| {
        if !meshes.contains(mesh) {
            meshes.push(mesh.clone());
        }
    };
    explicit_in
        .iter()
        .chain(explicit_out)
        .chain(leaf_shardings)
        .flatten()
        .for_each(|s| note(s.mesh()));
    consts
        .iter()
        .filter_map(Array::sharding)
        .for_each(|s| note(s.mesh()));
    visit_meshes(jaxpr, &mut note);
    let mesh = match meshes.as_slice() {
        [] => return Ok(None),
        [mesh] => mesh.clone(),
        several => {
            return Err(Error::invalid(
                "jit",
                format!(
                    "the inputs, shardings and sharding constraints use different meshes \
                     ({several:?}); a jitted function runs on one mesh"
                ),
            ));
        }
    };
    let n_consts = consts.len();
    // One sharding per flattened leaf, or a single one for all of them (JAX's prefix rule).
    // One sharding per flattened leaf, or a single one for all of them.
    let per_leaf = |what: &str, explicit: &[Option<NamedSharding>], n: usize, leaves: &str| {
        if explicit.is_empty() {
            return Ok(vec![None; n]);
        }
        let target = format!("a function with {n} flattened {leaves}");
        super::one_per_leaf("jit", what, explicit, n, &target)
    };
    let explicit_in = per_leaf("in_shardings", explicit_in, leaf_shardings.len(), "inputs")?;
    let explicit_out = per_leaf(
        "out_shardings",
        explicit_out,
        jaxpr.outvars.len(),
        "outputs",
    )?;
    let in_avals = jaxpr.in_avals();
    let mut in_shardings = Vec::with_capacity(in_avals.len());
    for (i, aval) in in_avals.iter().enumerate() {
        let own = if i < n_consts {
            consts[i].sharding().cloned()
        } else {
            leaf_shardings[i - n_consts].clone()
        };
        let explicit = (i >= n_consts)
            .then(|| explicit_in[i - n_consts].clone())
            .flatten();
        let sharding = explicit
            .or(own)
            .unwrap_or_else(|| NamedSharding::replicated(&mesh));
        sharding.check_shape("jit", &aval.shape)?;
        in_shardings.push(sharding);
    }
    let out_shardings = jaxpr
        .outvars
        .iter()
        .enumerate()
        .map(|(j, atom)| {
            let sharding = explicit_out[j]
                .clone()
                .or_else(|| stated_sharding(jaxpr, atom, &in_shardings));
            if let Some(sharding) = &sharding {
                sharding.check_shape("jit", &atom.aval().shape)?;
            }
            Ok(sharding)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(SpmdLayout {
        mesh,
        in_shardings,
        out_shardings,
    }))
}

/// Calls `note` with the mesh of every sharding constraint and `shard_map` in `jaxpr` and the
/// jaxprs nested in it.
fn visit_meshes(jaxpr: &Jaxpr, note: &mut impl FnMut(&Mesh)) {
    for eqn in &jaxpr.eqns {
        if let Some(mesh) = eqn.primitive.mesh() {
            note(mesh);
        }
        for inner in eqn.primitive.inner_jaxprs() {
            visit_meshes(inner, note);
        }
    }
}

/// The layout the operation producing `atom` states for it, if any.
fn stated_sharding(
    jaxpr: &Jaxpr,
    atom: &Atom,
    in_shardings: &[NamedSharding],
) -> Option<NamedSharding> {
    let Atom::Var(var) = atom else { return None };
    if let Some(i) = jaxpr
        .constvars
        .iter()
        .chain(&jaxpr.invars)
        .position(|v| v.id == var.id)
    {
        return Some(in_shardings[i].clone());
    }
    let eqn = jaxpr
        .eqns
        .iter()
        .find(|eqn| eqn.outputs.iter().any(|o| o.id == var.id))?;
    let k = eqn.outputs.iter().position(|o| o.id == var.id)?;
    eqn.primitive.output_sharding(k)
}

/// The module `name` computing `jaxpr` with `layout`'s input annotations and `outputs`'
/// (none where XLA is to choose).
pub(crate) fn lower(
    jaxpr: &Jaxpr,
    name: &str,
    layout: &SpmdLayout,
    outputs: &[Option<NamedSharding>],
) -> Result<String> {
    let options = MainOptions {
        donated: &[],
        arg_shardings: layout
            .in_shardings
            .iter()
            .zip(jaxpr.in_avals())
            .map(|(s, aval)| Some(s.hlo_sharding(aval.ndim())))
            .collect(),
        result_shardings: outputs
            .iter()
            .zip(jaxpr.out_avals())
            .map(|(s, aval)| s.as_ref().map(|s| s.hlo_sharding(aval.ndim())))
            .collect(),
        num_partitions: layout.mesh.size(),
    };
    lower_jaxpr_to_module(jaxpr, name, &options)
}

/// `jaxpr` lowered and compiled for `layout`'s mesh, with every output's layout settled: the
/// one asked for, else the one XLA's propagation chose (read from the optimized program);
/// where that is not a `NamedSharding` of the mesh, the output is compiled replicated.
pub(crate) fn compile(jaxpr: &Jaxpr, name: &str, layout: &SpmdLayout) -> Result<SpmdExecutable> {
    let ndims: Vec<usize> = jaxpr.out_avals().iter().map(ShapedArray::ndim).collect();
    let mut asked = layout.out_shardings.clone();
    loop {
        let module = lower(jaxpr, name, layout, &asked)?;
        let propagate: Vec<bool> = asked.iter().map(Option::is_none).collect();
        let executable = compile_module(&module, &layout.mesh, &propagate)?;
        let chosen = if propagate.contains(&true) {
            propagated::output_shardings(&executable.optimized_program()?, &layout.mesh, &ndims)
        } else {
            vec![None; ndims.len()]
        };
        let settled: Vec<Option<NamedSharding>> = asked
            .iter()
            .zip(chosen)
            .map(|(asked, chosen)| asked.clone().or(chosen))
            .collect();
        if settled.iter().all(Option::is_some) {
            return Ok(SpmdExecutable {
                executable,
                out_shardings: settled.into_iter().flatten().collect(),
            });
        }
        asked = settled
            .into_iter()
            .map(|s| s.or_else(|| Some(NamedSharding::replicated(&layout.mesh))))
            .collect();
    }
}

/// `module` compiled for `mesh`: one SPMD partition per device, partition `i` on the mesh's
/// `i`-th device, XLA choosing the layout of the outputs flagged in `propagate`. Cached by
/// module text and devices.
fn compile_module(module: &str, mesh: &Mesh, propagate: &[bool]) -> Result<Arc<LoadedExecutable>> {
    type Key = (String, Vec<i64>);
    static CACHE: OnceLock<Mutex<BoundedCache<Key, Arc<LoadedExecutable>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (module.to_string(), mesh.device_ids());
    if let Some(executable) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(executable);
    }
    let options = CompileOptions {
        num_partitions: mesh.size(),
        use_spmd_partitioning: true,
        device_assignment: Some(mesh.device_ids()),
        propagate_output_shardings: propagate.to_vec(),
        ..CompileOptions::default()
    };
    let client = mesh.devices()[0].client();
    let executable = Arc::new(client.compile(module, &options)?);
    let bytes = crate::dispatch::program_bytes(module, &executable);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, executable.clone(), bytes);
    Ok(executable)
}

/// Runs `executable` (compiled for `layout`) on `args` (constants, then inputs): each is laid
/// out as `layout` asks (resharding it if needed), each device runs its partition on its
/// blocks, and the outputs come back as sharded arrays of types `out_avals`.
pub(crate) fn execute(
    compiled: &SpmdExecutable,
    layout: &SpmdLayout,
    args: &[Array],
    out_avals: &[ShapedArray],
) -> Result<Vec<Array>> {
    let placed = args
        .iter()
        .zip(&layout.in_shardings)
        .map(|(arg, sharding)| device_put(arg, sharding))
        .collect::<Result<Vec<Array>>>()?;
    let (executable, out_shardings) = (&compiled.executable, &compiled.out_shardings);
    let mesh = &layout.mesh;
    // The executable's devices in its own order, as mesh positions.
    let positions = executable
        .devices()
        .iter()
        .map(|device| {
            mesh.devices()
                .iter()
                .position(|d| d.id() == device.id())
                .ok_or_else(|| {
                    Error::invalid(
                        "jit",
                        format!(
                            "the executable runs on device {}, which is not in the mesh",
                            device.id()
                        ),
                    )
                })
        })
        .collect::<Result<Vec<usize>>>()?;
    // Each device's blocks, checked against the block type of their sharding before the
    // launch: the CPU plugin runs the partitions on its own threads, and one given a buffer of
    // another size crashes there instead of failing.
    let blocks = |m: usize| -> Result<Vec<&Buffer>> {
        placed
            .iter()
            .zip(&layout.in_shardings)
            .enumerate()
            .map(|(i, (arg, sharding))| {
                let sharded = arg
                    .concrete()
                    .and_then(Concrete::sharded)
                    .expect("device_put gives a sharded array");
                let buffer = sharded.shards[m].require_concrete("jit")?.buffer()?;
                let block = arg.aval().with_shape(sharding.shard_shape(arg.shape()));
                let want = block.physical();
                let dims = buffer.dims()?;
                if dims != want.shape.as_slice() {
                    return Err(Error::invalid(
                        "jit",
                        format!(
                            "the block of argument {i} for mesh device {m} has dimensions \
                             {dims:?}; its sharding makes it {block} ({want})"
                        ),
                    ));
                }
                Ok(buffer)
            })
            .collect()
    };
    let arg_lists = positions
        .iter()
        .map(|&m| blocks(m))
        .collect::<Result<Vec<_>>>()?;
    let mut per_device = executable.execute_replicated(&arg_lists)?;
    let mut outputs: Vec<Vec<Option<Array>>> = vec![vec![None; mesh.size()]; out_avals.len()];
    for (k, buffers) in per_device.drain(..).enumerate() {
        let m = positions[k];
        for (j, buffer) in buffers.into_iter().enumerate() {
            let block = ShapedArray {
                shape: out_shardings[j].shard_shape(&out_avals[j].shape),
                ..out_avals[j].clone()
            };
            outputs[j][m] = Some(Array::from_concrete(Concrete::from_buffer(block, buffer)));
        }
    }
    Ok(outputs
        .into_iter()
        .zip(out_avals)
        .zip(out_shardings)
        .map(|((shards, aval), sharding)| {
            let shards = shards
                .into_iter()
                .map(|s| s.expect("every device returns every output"))
                .collect();
            from_shards(aval.clone(), sharding.clone(), shards)
        })
        .collect())
}

/// Runs `jaxpr` on concrete `args` over its mesh, compiling it once per jaxpr (what an eager
/// `shard_map`, or a call whose body has sharding constraints, does).
pub(crate) fn call_impl(
    jaxpr: &crate::jaxpr::JaxprRef,
    name: &str,
    args: &[Array],
) -> Result<Vec<Array>> {
    let shardings: Vec<Option<NamedSharding>> =
        args.iter().map(|a| a.sharding().cloned()).collect();
    let layout = layout(&jaxpr.0, &[], &shardings, &[], &[])?
        .ok_or_else(|| Error::invalid("jit", "a call over a mesh without a mesh"))?;
    let compiled = compile(&jaxpr.0, name, &layout)?;
    execute(&compiled, &layout, args, &jaxpr.0.out_avals())
}

/// Runs one primitive eagerly on operands some of which are sharded, as JAX does: on their
/// mesh, the operands keeping their layouts and the results taking the ones XLA's
/// propagation chooses. Compiled once per primitive, operand types and layouts.
pub(crate) fn apply_sharded(primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
    type Key = (Primitive, Vec<ShapedArray>, Vec<Option<NamedSharding>>);
    type Entry = Arc<(SpmdLayout, SpmdExecutable, Vec<ShapedArray>)>;
    static CACHE: OnceLock<Mutex<BoundedCache<Key, Entry>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let avals: Vec<ShapedArray> = args.iter().map(|a| a.aval().clone()).collect();
    let shardings: Vec<Option<NamedSharding>> =
        args.iter().map(|a| a.sharding().cloned()).collect();
    let key = (primitive.clone(), avals, shardings);
    let cached = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key);
    let entry = match cached {
        Some(entry) => entry,
        None => {
            let (jaxpr, out_avals) = crate::dispatch::one_equation_jaxpr(primitive, &key.1)?;
            let layout =
                layout(&jaxpr, &[], &key.2, &[], &[])?.expect("a sharded operand gives a mesh");
            let compiled = compile(&jaxpr, primitive.name(), &layout)?;
            let bytes = crate::dispatch::program_bytes("", &compiled.executable);
            let entry = Arc::new((layout, compiled, out_avals));
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, entry.clone(), bytes);
            entry
        }
    };
    let (layout, compiled, out_avals) = &*entry;
    execute(compiled, layout, args, out_avals)
}

/// `x`, laid out as `from` on a mesh, laid out as `to` on the same mesh by the identity
/// program with those two annotations: XLA's partitioner moves the blocks between devices
/// (collective permutes, all-to-alls), with no trip through the host.
pub(crate) fn reshard(x: &Array, from: &NamedSharding, to: &NamedSharding) -> Result<Array> {
    let var = Var::fresh(x.aval().clone());
    let identity = Jaxpr {
        constvars: Vec::new(),
        invars: vec![var.clone()],
        eqns: Vec::new(),
        outvars: vec![Atom::Var(var)],
    };
    let layout = SpmdLayout {
        mesh: to.mesh().clone(),
        in_shardings: vec![from.clone()],
        out_shardings: vec![Some(to.clone())],
    };
    let compiled = compile(&identity, "reshard", &layout)?;
    let mut outputs = execute(
        &compiled,
        &layout,
        std::slice::from_ref(x),
        &[x.aval().clone()],
    )?;
    Ok(outputs.remove(0))
}

/// Whether running `jaxpr` involves a mesh (a sharding constraint or `shard_map` inside).
pub(crate) fn uses_mesh(jaxpr: &Jaxpr) -> bool {
    let mut found = false;
    visit_meshes(jaxpr, &mut |_| found = true);
    found
}
