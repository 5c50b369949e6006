//! Running a staged function over a mesh (JAX's `pjit` with shardings): choosing the layout of
//! every input and output, lowering with XLA's sharding annotations, compiling with one SPMD
//! partition per mesh device, and executing on all of them.
//!
//! The mesh comes from the explicit `in_shardings`/`out_shardings`, the sharded inputs, or
//! the `with_sharding_constraint` and `shard_map` calls in the function; they must agree.
//! Inputs without an explicit sharding keep their own (or are replicated), and are resharded
//! when it differs from the one requested. Outputs without an explicit sharding take the
//! layout their last operation states (a sharding constraint, a `shard_map`'s `out_specs`, or
//! an input passed through) and are otherwise replicated: PJRT's C API does not report the
//! layout XLA's propagation would choose, so rjax asks for one it knows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Mesh, NamedSharding, array::from_shards, device_put};
use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::jaxpr::{Atom, Jaxpr};
use crate::lowering::{MainOptions, lower_jaxpr_to_module};
use crate::runtime::{Buffer, CompileOptions, LoadedExecutable};
use crate::{Array, Error, Result};

/// How a staged function's inputs (constants first) and outputs lie on a mesh.
#[derive(Clone, Debug)]
pub(crate) struct SpmdLayout {
    pub(crate) mesh: Mesh,
    pub(crate) in_shardings: Vec<NamedSharding>,
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
    let check = |what: &str, explicit: &[Option<NamedSharding>], n: usize| {
        if !explicit.is_empty() && explicit.len() != n {
            return Err(Error::invalid(
                "jit",
                format!(
                    "{} {what} given for a function with {n} flattened {what_kind}",
                    explicit.len(),
                    what_kind = if what == "in_shardings" {
                        "inputs"
                    } else {
                        "outputs"
                    }
                ),
            ));
        }
        Ok(())
    };
    check("in_shardings", explicit_in, leaf_shardings.len())?;
    check("out_shardings", explicit_out, jaxpr.outvars.len())?;
    let in_avals = jaxpr.in_avals();
    let mut in_shardings = Vec::with_capacity(in_avals.len());
    for (i, aval) in in_avals.iter().enumerate() {
        let own = if i < n_consts {
            consts[i].sharding().cloned()
        } else {
            leaf_shardings[i - n_consts].clone()
        };
        let explicit = (i >= n_consts)
            .then(|| explicit_in.get(i - n_consts).cloned().flatten())
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
            let sharding = explicit_out
                .get(j)
                .cloned()
                .flatten()
                .or_else(|| stated_sharding(jaxpr, atom, &in_shardings))
                .unwrap_or_else(|| NamedSharding::replicated(&mesh));
            sharding.check_shape("jit", &atom.aval().shape)?;
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

/// The module `name` computing `jaxpr` with `layout`'s annotations.
pub(crate) fn lower(jaxpr: &Jaxpr, name: &str, layout: &SpmdLayout) -> Result<String> {
    let annotate = |shardings: &[NamedSharding], avals: Vec<ShapedArray>| -> Vec<String> {
        shardings
            .iter()
            .zip(avals)
            .map(|(s, aval)| s.hlo_sharding(aval.ndim()))
            .collect()
    };
    let options = MainOptions {
        donated: &[],
        arg_shardings: annotate(&layout.in_shardings, jaxpr.in_avals()),
        result_shardings: annotate(&layout.out_shardings, jaxpr.out_avals()),
        num_partitions: layout.mesh.size(),
    };
    lower_jaxpr_to_module(jaxpr, name, &options)
}

/// `module` compiled for `mesh`: one SPMD partition per device, partition `i` on the mesh's
/// `i`-th device. Cached by module text and devices.
pub(crate) fn compile(module: &str, mesh: &Mesh) -> Result<Arc<LoadedExecutable>> {
    type Key = (String, Vec<i64>);
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<LoadedExecutable>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (module.to_string(), mesh.device_ids());
    if let Some(executable) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(executable.clone());
    }
    let options = CompileOptions {
        num_partitions: mesh.size(),
        use_spmd_partitioning: true,
        device_assignment: Some(mesh.device_ids()),
        ..CompileOptions::default()
    };
    let client = mesh.devices()[0].client();
    let executable = Arc::new(client.compile(module, &options)?);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    Ok(cache.entry(key).or_insert(executable).clone())
}

/// Runs `executable` (compiled for `layout`) on `args` (constants, then inputs): each is laid
/// out as `layout` asks (resharding it if needed), each device runs its partition on its
/// blocks, and the outputs come back as sharded arrays of types `out_avals`.
pub(crate) fn execute(
    executable: &LoadedExecutable,
    layout: &SpmdLayout,
    args: &[Array],
    out_avals: &[ShapedArray],
) -> Result<Vec<Array>> {
    let placed = args
        .iter()
        .zip(&layout.in_shardings)
        .map(|(arg, sharding)| device_put(arg, sharding))
        .collect::<Result<Vec<Array>>>()?;
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
    let blocks = |m: usize| -> Result<Vec<&Buffer>> {
        placed
            .iter()
            .map(|arg| {
                let sharded = arg
                    .concrete()
                    .and_then(Concrete::sharded)
                    .expect("device_put gives a sharded array");
                sharded.shards[m].require_concrete("jit")?.buffer()
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
                shape: layout.out_shardings[j].shard_shape(&out_avals[j].shape),
                ..out_avals[j].clone()
            };
            outputs[j][m] = Some(Array::from_concrete(Concrete::from_buffer(block, buffer)));
        }
    }
    Ok(outputs
        .into_iter()
        .zip(out_avals)
        .zip(&layout.out_shardings)
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
    let module = lower(&jaxpr.0, name, &layout)?;
    let executable = compile(&module, &layout.mesh)?;
    execute(&executable, &layout, args, &jaxpr.0.out_avals())
}

/// Whether running `jaxpr` involves a mesh (a sharding constraint or `shard_map` inside).
pub(crate) fn uses_mesh(jaxpr: &Jaxpr) -> bool {
    let mut found = false;
    visit_meshes(jaxpr, &mut |_| found = true);
    found
}
