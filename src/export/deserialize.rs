//! [`Exported::deserialize`]: reading JAX's export container (layouts 1 to 11, as JAX 0.10–0.12
//! write them) without Python. Fields this reader does not know are ignored.

use std::path::Path;

use crate::Result;

use super::exported::{
    Dim, DisabledSafetyCheck, Exported, ExportedAval, ExportedMesh, ExportedNamedSharding,
    ExportedSharding, ExportedTree, MemorySpace, dtype_from_code,
};
use super::flatbuf::{Table, malformed};
use super::schema::{self, exported as ex};

/// Deeper pytrees or VJP chains than this are refused (they would only come from a crafted
/// file, and recursion must not overflow the stack).
const MAX_DEPTH: usize = 256;

/// The first bytes of MLIR bytecode.
const BYTECODE_MAGIC: &[u8] = b"ML\xefR";

impl Exported {
    /// Reads an artifact written by `jax.export.Exported.serialize` (or by rjax), with its
    /// nested VJPs.
    ///
    /// Malformed input (truncated, corrupted, not an export) returns an error naming what could
    /// not be read; it never panics. As JAX says, the artifact must be trusted: running it runs
    /// whatever its module does.
    pub fn deserialize(bytes: &[u8]) -> Result<Exported> {
        let root = Table::root(bytes, "Exported")?;
        read_exported(root, 0)
    }

    /// Reads the artifact in the file at `path` (see [`Exported::deserialize`]).
    pub fn read(path: impl AsRef<Path>) -> Result<Exported> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            crate::Error::msg(format!("rjax::export: cannot read {}: {e}", path.display()))
        })?;
        Exported::deserialize(&bytes)
            .map_err(|e| crate::Error::msg(format!("rjax::export: {}: {e}", path.display())))
    }
}

fn read_exported(t: Table<'_>, depth: usize) -> Result<Exported> {
    if depth > MAX_DEPTH {
        return Err(malformed("VJPs nested too deeply"));
    }
    let unique_avals = t
        .vector(ex::UNIQUE_AVALS, 4, "unique_avals")?
        .tables("AbstractValue")?
        .into_iter()
        .map(read_aval)
        .collect::<Result<Vec<_>>>()?;
    let unique_meshes = t
        .vector(ex::UNIQUE_ABSTRACT_MESHES, 4, "unique_abstract_meshes")?
        .tables("AbstractMesh")?
        .into_iter()
        .map(read_mesh)
        .collect::<Result<Vec<_>>>()?;
    let unique_shardings = t
        .vector(ex::UNIQUE_NAMED_SHARDINGS, 4, "unique_named_shardings")?
        .tables("NamedSharding")?
        .into_iter()
        .map(|s| read_named_sharding(s, &unique_meshes))
        .collect::<Result<Vec<_>>>()?;

    let avals = |idx_slot, full_slot, what| -> Result<Vec<ExportedAval>> {
        let idxs = t.vector(idx_slot, 4, what)?;
        if idxs.len() > 0 {
            return idxs
                .u32s()
                .into_iter()
                .map(|i| {
                    unique_avals.get(i as usize).cloned().ok_or_else(|| {
                        malformed(format!(
                            "{what} refers to aval {i} of {}",
                            unique_avals.len()
                        ))
                    })
                })
                .collect();
        }
        t.vector(full_slot, 4, what)?
            .tables("AbstractValue")?
            .into_iter()
            .map(read_aval)
            .collect()
    };
    let in_avals = avals(ex::IN_AVALS_IDXS, ex::IN_AVALS, "in_avals")?;
    let out_avals = avals(ex::OUT_AVALS_IDXS, ex::OUT_AVALS, "out_avals")?;

    let shardings = |idx_slot, full_slot, what| -> Result<Vec<ExportedSharding>> {
        let idxs = t.vector(idx_slot, 4, what)?;
        if idxs.len() > 0 {
            return idxs
                .u32s()
                .into_iter()
                .map(|i| match i {
                    0 => Ok(ExportedSharding::Unspecified),
                    i => unique_shardings
                        .get(i as usize - 1)
                        .cloned()
                        .map(ExportedSharding::Named)
                        .ok_or_else(|| {
                            malformed(format!(
                                "{what} refers to sharding {} of {}",
                                i - 1,
                                unique_shardings.len()
                            ))
                        }),
                })
                .collect();
        }
        t.vector(full_slot, 4, what)?
            .tables("Sharding")?
            .into_iter()
            .map(|s| read_sharding(s, &unique_meshes))
            .collect()
    };
    let in_shardings = shardings(ex::IN_SHARDINGS_IDXS, ex::IN_SHARDINGS, "in_shardings")?;
    let out_shardings = shardings(ex::OUT_SHARDINGS_IDXS, ex::OUT_SHARDINGS, "out_shardings")?;

    let tree = |slot, what| -> Result<ExportedTree> {
        match t.table(slot, "PyTreeDef")? {
            Some(tree) => read_tree(tree, 0),
            None => Err(malformed(format!("{what} is missing"))),
        }
    };
    let in_tree = tree(ex::IN_TREE, "in_tree")?;
    let out_tree = tree(ex::OUT_TREE, "out_tree")?;

    let nr_devices = match t.u32(ex::NR_DEVICES)? {
        Some(n) if n > 0 => n,
        _ => u32::try_from(t.i16(ex::NR_DEVICES_SHORT, 0)?)
            .map_err(|_| malformed("nr_devices_short is negative"))?,
    };
    let effects = |slot, what| -> Result<Vec<String>> {
        t.vector(slot, 4, what)?
            .tables("Effect")?
            .into_iter()
            .map(|e| {
                e.string(schema::effect::TYPE_NAME, "an effect's type name")?
                    .map(str::to_string)
                    .ok_or_else(|| malformed(format!("an effect of {what} has no type name")))
            })
            .collect()
    };
    let mlir_module_serialized = t
        .vector(ex::MLIR_MODULE_SERIALIZED, 1, "mlir_module_serialized")?
        .bytes()
        .to_vec();
    let module_text = (!mlir_module_serialized.starts_with(BYTECODE_MAGIC))
        .then(|| {
            std::str::from_utf8(&mlir_module_serialized)
                .ok()
                .map(str::to_string)
        })
        .flatten();
    let vjp = match t.table(ex::VJP, "Exported")? {
        Some(vjp) => Some(Box::new(read_exported(vjp, depth + 1)?)),
        None => None,
    };

    let exported = Exported {
        serialization_version: t.u16(ex::SERIALIZATION_VERSION, 0)?,
        function_name: t
            .string(ex::FUNCTION_NAME, "function_name")?
            .unwrap_or("")
            .to_string(),
        in_tree,
        in_avals,
        out_tree,
        out_avals,
        in_shardings,
        out_shardings,
        nr_devices,
        platforms: t.vector(ex::PLATFORMS, 4, "platforms")?.strings()?,
        ordered_effects: effects(ex::ORDERED_EFFECTS, "ordered_effects")?,
        unordered_effects: effects(ex::UNORDERED_EFFECTS, "unordered_effects")?,
        disabled_checks: t
            .vector(ex::DISABLED_CHECKS, 4, "disabled_checks")?
            .tables("DisabledSafetyCheck")?
            .into_iter()
            .map(read_disabled_check)
            .collect::<Result<Vec<_>>>()?,
        mlir_module_serialized,
        module_text,
        calling_convention_version: t.u16(ex::CALLING_CONVENTION_VERSION, 0)?,
        module_kept_var_idx: t
            .vector(ex::MODULE_KEPT_VAR_IDX, 2, "module_kept_var_idx")?
            .u16s(),
        uses_global_constants: t.u8(ex::USES_GLOBAL_CONSTANTS, 0)? != 0,
        vjp,
    };
    check_consistent(&exported)?;
    Ok(exported)
}

/// The cross-field invariants JAX's own writer guarantees.
fn check_consistent(e: &Exported) -> Result<()> {
    if e.mlir_module_serialized.is_empty() {
        return Err(malformed("mlir_module_serialized is empty"));
    }
    for (tree, avals, what) in [
        (&e.in_tree, e.in_avals.len(), "in"),
        (&e.out_tree, e.out_avals.len(), "out"),
    ] {
        if tree.num_leaves() != avals {
            return Err(malformed(format!(
                "{what}_tree has {} leaves but there are {avals} {what}_avals",
                tree.num_leaves()
            )));
        }
    }
    for (shardings, avals, what) in [
        (e.in_shardings.len(), e.in_avals.len(), "in"),
        (e.out_shardings.len(), e.out_avals.len(), "out"),
    ] {
        if shardings != 0 && shardings != avals {
            return Err(malformed(format!(
                "{shardings} {what}_shardings for {avals} {what}_avals"
            )));
        }
    }
    let kept = &e.module_kept_var_idx;
    if kept.windows(2).any(|w| w[0] >= w[1])
        || kept.iter().any(|&i| usize::from(i) >= e.in_avals.len())
    {
        return Err(malformed(format!(
            "module_kept_var_idx {kept:?} is not an increasing list of argument indices below {}",
            e.in_avals.len()
        )));
    }
    Ok(())
}

fn read_aval(t: Table<'_>) -> Result<ExportedAval> {
    use schema::{aval, aval_kind, memory_space};
    let is_token = match t.i8(aval::KIND, aval_kind::SHAPED_ARRAY)? {
        aval_kind::SHAPED_ARRAY => false,
        aval_kind::ABSTRACT_TOKEN => true,
        other => return Err(malformed(format!("unknown abstract value kind {other}"))),
    };
    let code = t.i8(aval::DTYPE, 0)?;
    let dtype = dtype_from_code(code).ok_or_else(|| {
        malformed(format!(
            "unknown dtype code {code} (written by a JAX newer than rjax knows?)"
        ))
    })?;
    let shape = t
        .vector(aval::SHAPE, 4, "an aval's shape")?
        .strings()?
        .into_iter()
        .map(|d| match d.trim().parse::<usize>() {
            Ok(n) => Dim::Known(n),
            Err(_) => Dim::Symbolic(d),
        })
        .collect();
    let memory_space = match t.i8(aval::MEMORY_SPACE, memory_space::MISSING)? {
        memory_space::MISSING | memory_space::DEVICE => MemorySpace::Device,
        memory_space::HOST => MemorySpace::Host,
        memory_space::ANY => MemorySpace::Any,
        other => return Err(malformed(format!("unknown memory space {other}"))),
    };
    Ok(ExportedAval {
        shape,
        dtype,
        memory_space,
        is_token,
    })
}

fn read_tree(t: Table<'_>, depth: usize) -> Result<ExportedTree> {
    use schema::{pytree, pytree_kind as kind};
    if depth > MAX_DEPTH {
        return Err(malformed("a pytree is nested too deeply"));
    }
    let children = t
        .vector(pytree::CHILDREN, 4, "a pytree's children")?
        .tables("PyTreeDef")?
        .into_iter()
        .map(|c| read_tree(c, depth + 1))
        .collect::<Result<Vec<_>>>()?;
    Ok(match t.i8(pytree::KIND, kind::LEAF)? {
        kind::LEAF => ExportedTree::Leaf,
        kind::NONE => ExportedTree::None,
        kind::TUPLE => ExportedTree::Tuple(children),
        kind::LIST => ExportedTree::List(children),
        kind::DICT => {
            let names = t
                .vector(pytree::CHILDREN_NAMES, 4, "a dict's keys")?
                .strings()?;
            if names.len() != children.len() {
                return Err(malformed(format!(
                    "a dict node has {} keys for {} children",
                    names.len(),
                    children.len()
                )));
            }
            ExportedTree::Dict(names.into_iter().zip(children).collect())
        }
        kind::CUSTOM => ExportedTree::Custom {
            name: t
                .string(pytree::CUSTOM_NAME, "a custom node's name")?
                .unwrap_or("")
                .to_string(),
            auxdata: t
                .vector(pytree::CUSTOM_AUXDATA, 1, "a custom node's auxdata")?
                .bytes()
                .to_vec(),
            children,
        },
        other => return Err(malformed(format!("unknown pytree node kind {other}"))),
    })
}

fn read_mesh(t: Table<'_>) -> Result<ExportedMesh> {
    use schema::{abstract_device, abstract_mesh as m};
    let device = t.table(m::ABSTRACT_DEVICE, "AbstractDevice")?;
    let device_string = |slot, what| -> Result<Option<String>> {
        Ok(match device {
            Some(d) => d.string(slot, what)?.map(str::to_string),
            None => None,
        })
    };
    let axis_types = t
        .vector(m::AXIS_TYPES, 1, "a mesh's axis types")?
        .bytes()
        .to_vec();
    if let Some(code) = axis_types.iter().find(|&&code| {
        use schema::axis_type::{AUTO, EXPLICIT, MANUAL, MISSING};
        !matches!(code, MISSING | AUTO | EXPLICIT | MANUAL)
    }) {
        return Err(malformed(format!("unknown mesh axis type {code}")));
    }
    Ok(ExportedMesh {
        axis_sizes: t.vector(m::AXIS_SIZES, 4, "a mesh's axis sizes")?.u32s(),
        axis_names: t
            .vector(m::AXIS_NAMES, 4, "a mesh's axis names")?
            .strings()?,
        axis_types,
        device_kind: device_string(abstract_device::DEVICE_KIND, "a device kind")?,
        device_platform: device_string(abstract_device::PLATFORM, "a device platform")?,
    })
}

fn read_named_sharding(t: Table<'_>, meshes: &[ExportedMesh]) -> Result<ExportedNamedSharding> {
    use schema::{named_sharding as ns, partition_spec as ps, partition_spec_one_axis};
    let mesh = if meshes.is_empty() {
        match t.table(ns::MESH, "AbstractMesh")? {
            Some(mesh) => read_mesh(mesh)?,
            None => ExportedMesh::default(),
        }
    } else {
        let idx = t.u32(ns::ABSTRACT_MESH_IDX)?.unwrap_or(0) as usize;
        meshes.get(idx).cloned().ok_or_else(|| {
            malformed(format!(
                "a sharding refers to mesh {idx} of {}",
                meshes.len()
            ))
        })?
    };
    let mut sharding = ExportedNamedSharding {
        mesh,
        memory_kind: t
            .string(ns::MEMORY_KIND, "a memory kind")?
            .map(str::to_string),
        ..ExportedNamedSharding::default()
    };
    if let Some(spec) = t.table(ns::SPEC, "PartitionSpec")? {
        sharding.partitions = spec
            .vector(ps::PARTITIONS, 4, "a partition spec")?
            .tables("PartitionSpecOneAxis")?
            .into_iter()
            .map(|axis| {
                axis.vector(partition_spec_one_axis::AXES, 4, "a partition's axes")?
                    .strings()
            })
            .collect::<Result<Vec<_>>>()?;
        sharding.reduced = spec.vector(ps::REDUCED, 4, "reduced axes")?.strings()?;
        sharding.unreduced = spec.vector(ps::UNREDUCED, 4, "unreduced axes")?.strings()?;
    }
    Ok(sharding)
}

fn read_sharding(t: Table<'_>, meshes: &[ExportedMesh]) -> Result<ExportedSharding> {
    use schema::sharding as s;
    if let Some(named) = t.table(s::NAMED_SHARDING, "NamedSharding")? {
        return read_named_sharding(named, meshes).map(ExportedSharding::Named);
    }
    let proto = t.vector(s::HLO_SHARDING_PROTO, 1, "an HLO sharding")?;
    if proto.len() > 0 {
        return Ok(ExportedSharding::HloProto(proto.bytes().to_vec()));
    }
    Ok(ExportedSharding::Unspecified)
}

fn read_disabled_check(t: Table<'_>) -> Result<DisabledSafetyCheck> {
    use schema::{disabled_check, disabled_check_kind as kind};
    Ok(match t.i8(disabled_check::KIND, kind::PLATFORM)? {
        kind::PLATFORM => DisabledSafetyCheck::Platform,
        kind::SHAPE_ASSERTIONS => DisabledSafetyCheck::ShapeAssertions,
        kind::CUSTOM_CALL => DisabledSafetyCheck::CustomCall(
            t.string(disabled_check::CUSTOM_CALL_TARGET, "a custom call target")?
                .unwrap_or("")
                .to_string(),
        ),
        other => {
            return Err(malformed(format!(
                "unknown disabled safety check kind {other}"
            )));
        }
    })
}
