//! Writing an [`Exported`] as JAX's FlatBuffer container (`jax/_src/export/serialization.fbs`),
//! the bytes `jax.export.deserialize` reads.
//!
//! The layout is the one JAX 0.10–0.12 write (layout 11, with 3 stored as the
//! `serialization_version`, as JAX stores it): the avals and shardings both as full tables
//! (`in_avals`, `in_shardings`, read by older JAX) and as indices into tables of unique ones
//! (`unique_avals`, `in_avals_idxs`, ..., read by newer JAX), and `nr_devices` in both its
//! 32-bit and its older 16-bit field. Artifacts whose shardings are `HloSharding` protocol
//! buffers (from JAX before named shardings) are written in the older layout only, since the
//! index tables hold named shardings alone.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;

use flatbuffers::{FlatBufferBuilder, ForwardsUOffset, TableFinishedWIPOffset, Vector, WIPOffset};

use super::exported::{
    DisabledSafetyCheck, Exported, ExportedAval, ExportedMesh, ExportedNamedSharding,
    ExportedSharding, ExportedTree, MemorySpace, dtype_code,
};
use super::schema::{
    self, abstract_device, abstract_mesh, aval, aval_kind, disabled_check, disabled_check_kind,
    effect, exported, named_sharding, partition_spec, partition_spec_one_axis, pytree, pytree_kind,
    sharding, sharding_kind, voffset,
};
use crate::{Error, Result};

/// A finished table.
type Table = WIPOffset<TableFinishedWIPOffset>;
/// A vector of tables.
type TableVector<'a> = WIPOffset<Vector<'a, ForwardsUOffset<TableFinishedWIPOffset>>>;
/// A vector of strings.
type StringVector<'a> = WIPOffset<Vector<'a, ForwardsUOffset<&'a str>>>;

impl Exported {
    /// The artifact's bytes: JAX's FlatBuffer container, which `jax.export.deserialize` (JAX
    /// 0.10–0.12) reads, with the VJP nested to the depth it was exported to.
    ///
    /// Fails only when a count exceeds the container's integer fields (more than 65 535
    /// arguments kept, more than 2³² avals).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let mut builder =
            FlatBufferBuilder::with_capacity(self.mlir_module_serialized.len() + 4096);
        let root = write_exported(&mut builder, self)?;
        builder.finish(root, None);
        Ok(builder.finished_data().to_vec())
    }

    /// Writes [`Exported::serialize`]'s bytes to `path` (JAX's artifacts are usually named
    /// `*.jax_exported` or `*.bin`).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.serialize()?).map_err(|e| {
            Error::msg(format!(
                "rjax::export: cannot write the exported function `{}` to {}: {e}",
                self.function_name,
                path.display()
            ))
        })
    }
}

/// Items numbered in order of first appearance (JAX's `_SerializedUniques`).
struct Uniques<T> {
    items: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: Clone + Eq + Hash> Uniques<T> {
    fn new() -> Self {
        Uniques {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn add(&mut self, item: &T) -> Result<u32> {
        if let Some(&i) = self.index.get(item) {
            return Ok(i);
        }
        let i = count_u32(self.items.len(), "unique items")?;
        self.items.push(item.clone());
        self.index.insert(item.clone(), i);
        Ok(i)
    }
}

fn count_u32(n: usize, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::invalid(
            "Exported::serialize",
            format!("{n} {what} exceed the container's 32-bit counts"),
        )
    })
}

fn write_exported<'a>(b: &mut FlatBufferBuilder<'a>, exp: &Exported) -> Result<Table> {
    let legacy_only = exp
        .in_shardings
        .iter()
        .chain(&exp.out_shardings)
        .any(|s| matches!(s, ExportedSharding::HloProto(_)));

    // The unique avals, meshes and named shardings, numbered as JAX numbers them.
    let mut avals = Uniques::new();
    let in_aval_idxs = exp
        .in_avals
        .iter()
        .map(|a| avals.add(a))
        .collect::<Result<Vec<_>>>()?;
    let out_aval_idxs = exp
        .out_avals
        .iter()
        .map(|a| avals.add(a))
        .collect::<Result<Vec<_>>>()?;
    let mut meshes = Uniques::new();
    let mut shardings = Uniques::new();
    let mut sharding_idx = |s: &ExportedSharding| -> Result<u32> {
        match s {
            ExportedSharding::Named(named) => {
                meshes.add(&named.mesh)?;
                Ok(1 + shardings.add(named)?)
            }
            _ => Ok(0),
        }
    };
    let in_sharding_idxs = exp
        .in_shardings
        .iter()
        .map(&mut sharding_idx)
        .collect::<Result<Vec<_>>>()?;
    let out_sharding_idxs = exp
        .out_shardings
        .iter()
        .map(&mut sharding_idx)
        .collect::<Result<Vec<_>>>()?;

    // Children first: a table's fields must exist before the table starts.
    let function_name = b.create_string(&exp.function_name);
    let in_tree = write_tree(b, &exp.in_tree);
    let in_avals = write_tables(b, &exp.in_avals, write_aval);
    let out_tree = write_tree(b, &exp.out_tree);
    let out_avals = write_tables(b, &exp.out_avals, write_aval);
    let in_shardings = write_tables(b, &exp.in_shardings, |b, s| {
        write_sharding(b, s, &meshes.index)
    });
    let out_shardings = write_tables(b, &exp.out_shardings, |b, s| {
        write_sharding(b, s, &meshes.index)
    });
    let platforms = write_strings(b, &exp.platforms);
    let ordered_effects = write_tables(b, &exp.ordered_effects, |b, e| write_effect(b, e));
    let unordered_effects = write_tables(b, &exp.unordered_effects, |b, e| write_effect(b, e));
    let disabled_checks = write_tables(b, &exp.disabled_checks, write_disabled_check);
    let module = b.create_vector(&exp.mlir_module_serialized);
    let kept = b.create_vector(&exp.module_kept_var_idx);
    let vjp = exp
        .vjp
        .as_deref()
        .map(|vjp| write_exported(b, vjp))
        .transpose()?;
    let modern = if legacy_only {
        None
    } else {
        let unique_avals = write_tables(b, &avals.items, write_aval);
        let unique_meshes = write_tables(b, &meshes.items, write_mesh);
        let unique_shardings = write_tables(b, &shardings.items, |b, s| {
            write_named_sharding(b, s, &meshes.index)
        });
        Some([
            (exported::UNIQUE_AVALS, unique_avals.as_union_value()),
            (
                exported::UNIQUE_ABSTRACT_MESHES,
                unique_meshes.as_union_value(),
            ),
            (
                exported::UNIQUE_NAMED_SHARDINGS,
                unique_shardings.as_union_value(),
            ),
            (
                exported::IN_AVALS_IDXS,
                b.create_vector(&in_aval_idxs).as_union_value(),
            ),
            (
                exported::OUT_AVALS_IDXS,
                b.create_vector(&out_aval_idxs).as_union_value(),
            ),
            (
                exported::IN_SHARDINGS_IDXS,
                b.create_vector(&in_sharding_idxs).as_union_value(),
            ),
            (
                exported::OUT_SHARDINGS_IDXS,
                b.create_vector(&out_sharding_idxs).as_union_value(),
            ),
        ])
    };

    let start = b.start_table();
    b.push_slot(
        voffset(exported::SERIALIZATION_VERSION),
        exp.serialization_version,
        0,
    );
    b.push_slot_always(voffset(exported::FUNCTION_NAME), function_name);
    b.push_slot_always(voffset(exported::IN_TREE), in_tree);
    b.push_slot_always(voffset(exported::IN_AVALS), in_avals);
    b.push_slot_always(voffset(exported::OUT_TREE), out_tree);
    b.push_slot_always(voffset(exported::OUT_AVALS), out_avals);
    b.push_slot(voffset(exported::NR_DEVICES), exp.nr_devices, 0);
    // Readers from before the 32-bit field take the 16-bit one.
    if let Ok(short) = i16::try_from(exp.nr_devices) {
        b.push_slot(voffset(exported::NR_DEVICES_SHORT), short, 0);
    }
    b.push_slot_always(voffset(exported::IN_SHARDINGS), in_shardings);
    b.push_slot_always(voffset(exported::OUT_SHARDINGS), out_shardings);
    b.push_slot_always(voffset(exported::PLATFORMS), platforms);
    b.push_slot_always(voffset(exported::ORDERED_EFFECTS), ordered_effects);
    b.push_slot_always(voffset(exported::UNORDERED_EFFECTS), unordered_effects);
    b.push_slot_always(voffset(exported::DISABLED_CHECKS), disabled_checks);
    b.push_slot_always(voffset(exported::MLIR_MODULE_SERIALIZED), module);
    b.push_slot(
        voffset(exported::CALLING_CONVENTION_VERSION),
        exp.calling_convention_version,
        0,
    );
    b.push_slot_always(voffset(exported::MODULE_KEPT_VAR_IDX), kept);
    b.push_slot(
        voffset(exported::USES_GLOBAL_CONSTANTS),
        exp.uses_global_constants,
        false,
    );
    if let Some(vjp) = vjp {
        b.push_slot_always(voffset(exported::VJP), vjp);
    }
    for (slot, offset) in modern.into_iter().flatten() {
        b.push_slot_always(voffset(slot), offset);
    }
    Ok(b.end_table(start))
}

/// A vector of the tables `write` makes of `items`.
fn write_tables<'a, T>(
    b: &mut FlatBufferBuilder<'a>,
    items: &[T],
    mut write: impl FnMut(&mut FlatBufferBuilder<'a>, &T) -> Table,
) -> TableVector<'a> {
    let tables: Vec<Table> = items.iter().map(|item| write(b, item)).collect();
    b.create_vector(&tables)
}

/// A vector of strings.
fn write_strings<'a>(b: &mut FlatBufferBuilder<'a>, items: &[String]) -> StringVector<'a> {
    let strings: Vec<WIPOffset<&str>> = items.iter().map(|s| b.create_string(s)).collect();
    b.create_vector(&strings)
}

fn write_tree(b: &mut FlatBufferBuilder<'_>, tree: &ExportedTree) -> Table {
    let (kind, children, names, custom) = match tree {
        ExportedTree::Leaf => (pytree_kind::LEAF, &[][..], None, None),
        ExportedTree::None => (pytree_kind::NONE, &[][..], None, None),
        ExportedTree::Tuple(children) => (pytree_kind::TUPLE, &children[..], None, None),
        ExportedTree::List(children) => (pytree_kind::LIST, &children[..], None, None),
        ExportedTree::Dict(entries) => {
            let children: Vec<ExportedTree> = entries.iter().map(|(_, c)| c.clone()).collect();
            let names: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
            let children = write_tables(b, &children, write_tree);
            let names = write_strings(b, &names);
            return finish_tree(b, pytree_kind::DICT, Some(children), Some(names), None);
        }
        ExportedTree::Custom {
            name,
            auxdata,
            children,
        } => (
            pytree_kind::CUSTOM,
            &children[..],
            None,
            Some((name, auxdata)),
        ),
    };
    let children = (!children.is_empty()).then(|| write_tables(b, children, write_tree));
    let custom = custom.map(|(name, auxdata)| (b.create_string(name), b.create_vector(auxdata)));
    finish_tree(b, kind, children, names, custom)
}

fn finish_tree<'a>(
    b: &mut FlatBufferBuilder<'a>,
    kind: i8,
    children: Option<TableVector<'a>>,
    names: Option<StringVector<'a>>,
    custom: Option<(WIPOffset<&'a str>, WIPOffset<Vector<'a, u8>>)>,
) -> Table {
    let start = b.start_table();
    b.push_slot(voffset(pytree::KIND), kind, 0);
    if let Some(children) = children {
        b.push_slot_always(voffset(pytree::CHILDREN), children);
    }
    if let Some(names) = names {
        b.push_slot_always(voffset(pytree::CHILDREN_NAMES), names);
    }
    if let Some((name, auxdata)) = custom {
        b.push_slot_always(voffset(pytree::CUSTOM_NAME), name);
        b.push_slot_always(voffset(pytree::CUSTOM_AUXDATA), auxdata);
    }
    b.end_table(start)
}

fn write_aval(b: &mut FlatBufferBuilder<'_>, a: &ExportedAval) -> Table {
    if a.is_token {
        let start = b.start_table();
        b.push_slot(voffset(aval::KIND), aval_kind::ABSTRACT_TOKEN, 0);
        return b.end_table(start);
    }
    let dims: Vec<String> = a.shape.iter().map(ToString::to_string).collect();
    let shape = write_strings(b, &dims);
    let start = b.start_table();
    b.push_slot(voffset(aval::KIND), aval_kind::SHAPED_ARRAY, 0);
    b.push_slot_always(voffset(aval::SHAPE), shape);
    b.push_slot(voffset(aval::DTYPE), dtype_code(a.dtype), 0);
    let memory_space = match a.memory_space {
        MemorySpace::Device => schema::memory_space::DEVICE,
        MemorySpace::Host => schema::memory_space::HOST,
        MemorySpace::Any => schema::memory_space::ANY,
    };
    b.push_slot(voffset(aval::MEMORY_SPACE), memory_space, 0);
    b.end_table(start)
}

fn write_sharding(
    b: &mut FlatBufferBuilder<'_>,
    s: &ExportedSharding,
    mesh_index: &HashMap<ExportedMesh, u32>,
) -> Table {
    match s {
        ExportedSharding::Unspecified => {
            let start = b.start_table();
            b.push_slot(voffset(sharding::KIND), sharding_kind::UNSPECIFIED, 0);
            b.end_table(start)
        }
        ExportedSharding::HloProto(proto) => {
            let proto = b.create_vector(proto);
            let start = b.start_table();
            b.push_slot(voffset(sharding::KIND), sharding_kind::HLO_SHARDING, 0);
            b.push_slot_always(voffset(sharding::HLO_SHARDING_PROTO), proto);
            b.end_table(start)
        }
        ExportedSharding::Named(named) => {
            let named = write_named_sharding(b, named, mesh_index);
            let start = b.start_table();
            b.push_slot(voffset(sharding::KIND), sharding_kind::NAMED_SHARDING, 0);
            b.push_slot_always(voffset(sharding::NAMED_SHARDING), named);
            b.end_table(start)
        }
    }
}

fn write_named_sharding(
    b: &mut FlatBufferBuilder<'_>,
    s: &ExportedNamedSharding,
    mesh_index: &HashMap<ExportedMesh, u32>,
) -> Table {
    let mesh = write_mesh(b, &s.mesh);
    let partitions = write_tables(b, &s.partitions, |b, axes| {
        let axes = write_strings(b, axes);
        let start = b.start_table();
        b.push_slot_always(voffset(partition_spec_one_axis::AXES), axes);
        b.end_table(start)
    });
    let reduced = write_strings(b, &s.reduced);
    let unreduced = write_strings(b, &s.unreduced);
    let spec_start = b.start_table();
    b.push_slot_always(voffset(partition_spec::PARTITIONS), partitions);
    b.push_slot_always(voffset(partition_spec::REDUCED), reduced);
    b.push_slot_always(voffset(partition_spec::UNREDUCED), unreduced);
    let spec = b.end_table(spec_start);
    let memory_kind = s.memory_kind.as_ref().map(|kind| b.create_string(kind));
    let start = b.start_table();
    b.push_slot_always(voffset(named_sharding::MESH), mesh);
    b.push_slot_always(voffset(named_sharding::SPEC), spec);
    if let Some(kind) = memory_kind {
        b.push_slot_always(voffset(named_sharding::MEMORY_KIND), kind);
    }
    let index = mesh_index.get(&s.mesh).copied().unwrap_or(0);
    b.push_slot(voffset(named_sharding::ABSTRACT_MESH_IDX), index, 0);
    b.end_table(start)
}

fn write_mesh(b: &mut FlatBufferBuilder<'_>, m: &ExportedMesh) -> Table {
    let sizes = b.create_vector(&m.axis_sizes);
    let names = write_strings(b, &m.axis_names);
    let types = b.create_vector(&m.axis_types);
    let device = m.device_kind.as_ref().map(|kind| {
        let kind = b.create_string(kind);
        let platform = m.device_platform.as_ref().map(|p| b.create_string(p));
        let start = b.start_table();
        b.push_slot_always(voffset(abstract_device::DEVICE_KIND), kind);
        if let Some(platform) = platform {
            b.push_slot_always(voffset(abstract_device::PLATFORM), platform);
        }
        b.end_table(start)
    });
    let start = b.start_table();
    b.push_slot_always(voffset(abstract_mesh::AXIS_SIZES), sizes);
    b.push_slot_always(voffset(abstract_mesh::AXIS_NAMES), names);
    b.push_slot_always(voffset(abstract_mesh::AXIS_TYPES), types);
    if let Some(device) = device {
        b.push_slot_always(voffset(abstract_mesh::ABSTRACT_DEVICE), device);
    }
    b.end_table(start)
}

fn write_effect(b: &mut FlatBufferBuilder<'_>, type_name: &str) -> Table {
    let name = b.create_string(type_name);
    let start = b.start_table();
    b.push_slot_always(voffset(effect::TYPE_NAME), name);
    b.end_table(start)
}

fn write_disabled_check(b: &mut FlatBufferBuilder<'_>, check: &DisabledSafetyCheck) -> Table {
    let (kind, target) = match check {
        DisabledSafetyCheck::Platform => (disabled_check_kind::PLATFORM, None),
        DisabledSafetyCheck::CustomCall(target) => (
            disabled_check_kind::CUSTOM_CALL,
            Some(b.create_string(target)),
        ),
        DisabledSafetyCheck::ShapeAssertions => (disabled_check_kind::SHAPE_ASSERTIONS, None),
    };
    let start = b.start_table();
    b.push_slot(voffset(disabled_check::KIND), kind, 0);
    if let Some(target) = target {
        b.push_slot_always(voffset(disabled_check::CUSTOM_CALL_TARGET), target);
    }
    b.end_table(start)
}
