//! The layout of JAX's export container (`jax/_src/export/serialization.fbs`): the field slot
//! of every table and the codes of every enum, as JAX 0.10–0.12 write them.
//!
//! A FlatBuffer table field with slot `n` sits at vtable offset `4 + 2 n`; [`voffset`] turns the
//! slot ids below into the offsets `flatbuffers::Table::get` takes. Readers ignore slots they do
//! not know, so artifacts from later JAX versions (new fields appended) still load.
//!
//! Serialization versions (JAX's `_SERIALIZATION_VERSION`): 1 (first), 2 (`float0`), 3
//! (namedtuple and custom pytree nodes), 4 (PRNG key dtypes), 5 (aval memory space, 32-bit
//! `nr_devices`), 6 (named shardings with the abstract mesh), 8 (the mesh's abstract device),
//! 9 (no more `HloSharding`), 10 (tables of unique avals, meshes and shardings referenced by
//! index), 11 (`AbstractDevice.platform`). JAX 0.10–0.12 write layout 11 but still store 3 in
//! the `serialization_version` field, for the sake of older readers: the layout is recognized
//! from the fields present, never from that number.

/// The vtable offset of the field in slot `slot`.
pub(crate) const fn voffset(slot: u16) -> u16 {
    4 + 2 * slot
}

/// The `serialization_version` JAX 0.10–0.12 store (the layout itself is version 11).
pub(crate) const STORED_SERIALIZATION_VERSION: u16 = 3;

/// The calling convention versions JAX 0.10–0.12 accept (`minimum_supported_calling_convention_version`
/// and `maximum_supported_calling_convention_version` in `jax/_src/export/_export.py`).
pub(crate) const MIN_CALLING_CONVENTION: u16 = 9;
/// See [`MIN_CALLING_CONVENTION`].
pub(crate) const MAX_CALLING_CONVENTION: u16 = 10;

/// Slots of the root table `Exported`.
pub(crate) mod exported {
    /// `serialization_version: uint16`.
    pub const SERIALIZATION_VERSION: u16 = 0;
    /// `function_name: string`.
    pub const FUNCTION_NAME: u16 = 1;
    /// `in_tree: PyTreeDef`.
    pub const IN_TREE: u16 = 2;
    /// `in_avals: [AbstractValue]` (full avals; kept beside the indices of layout 10).
    pub const IN_AVALS: u16 = 3;
    /// `out_tree: PyTreeDef`.
    pub const OUT_TREE: u16 = 4;
    /// `out_avals: [AbstractValue]`.
    pub const OUT_AVALS: u16 = 5;
    /// `nr_devices_short: int16` (before layout 5; read when `nr_devices` is 0).
    pub const NR_DEVICES_SHORT: u16 = 6;
    /// `in_shardings: [Sharding]`.
    pub const IN_SHARDINGS: u16 = 7;
    /// `out_shardings: [Sharding]`.
    pub const OUT_SHARDINGS: u16 = 8;
    /// `platforms: [string]`.
    pub const PLATFORMS: u16 = 9;
    /// `ordered_effects: [Effect]`.
    pub const ORDERED_EFFECTS: u16 = 10;
    /// `unordered_effects: [Effect]`.
    pub const UNORDERED_EFFECTS: u16 = 11;
    /// `disabled_checks: [DisabledSafetyCheck]`.
    pub const DISABLED_CHECKS: u16 = 12;
    /// `mlir_module_serialized: [byte]`.
    pub const MLIR_MODULE_SERIALIZED: u16 = 13;
    /// `calling_convention_version: uint16`.
    pub const CALLING_CONVENTION_VERSION: u16 = 14;
    /// `module_kept_var_idx: [uint16]`.
    pub const MODULE_KEPT_VAR_IDX: u16 = 15;
    /// `uses_global_constants: bool`.
    pub const USES_GLOBAL_CONSTANTS: u16 = 16;
    /// `vjp: Exported`.
    pub const VJP: u16 = 17;
    /// `nr_devices: uint32` (layout 5 on).
    pub const NR_DEVICES: u16 = 18;
    /// `unique_avals: [AbstractValue]` (layout 10 on).
    pub const UNIQUE_AVALS: u16 = 19;
    /// `unique_abstract_meshes: [AbstractMesh]` (layout 10 on).
    pub const UNIQUE_ABSTRACT_MESHES: u16 = 20;
    /// `unique_named_shardings: [NamedSharding]` (layout 10 on).
    pub const UNIQUE_NAMED_SHARDINGS: u16 = 21;
    /// `in_avals_idxs: [uint32]`, indices into `unique_avals`.
    pub const IN_AVALS_IDXS: u16 = 22;
    /// `out_avals_idxs: [uint32]`.
    pub const OUT_AVALS_IDXS: u16 = 23;
    /// `in_shardings_idxs: [uint32]`: 0 for none, else 1 + an index into
    /// `unique_named_shardings`.
    pub const IN_SHARDINGS_IDXS: u16 = 24;
    /// `out_shardings_idxs: [uint32]`.
    pub const OUT_SHARDINGS_IDXS: u16 = 25;
}

/// Slots of `PyTreeDef`.
pub(crate) mod pytree {
    /// `kind: PyTreeDefKind (byte)`.
    pub const KIND: u16 = 0;
    /// `children: [PyTreeDef]`.
    pub const CHILDREN: u16 = 1;
    /// `children_names: [string]` (dict keys).
    pub const CHILDREN_NAMES: u16 = 2;
    /// `custom_name: string` (layout 3 on).
    pub const CUSTOM_NAME: u16 = 3;
    /// `custom_auxdata: [byte]` (layout 3 on).
    pub const CUSTOM_AUXDATA: u16 = 4;
}

/// `PyTreeDefKind` codes.
pub(crate) mod pytree_kind {
    /// A leaf.
    pub const LEAF: i8 = 0;
    /// `None`.
    pub const NONE: i8 = 1;
    /// A tuple.
    pub const TUPLE: i8 = 2;
    /// A list.
    pub const LIST: i8 = 3;
    /// A dict with string keys.
    pub const DICT: i8 = 4;
    /// A node registered with `register_pytree_node_serialization` (or a namedtuple).
    pub const CUSTOM: i8 = 5;
}

/// Slots of `AbstractValue`.
pub(crate) mod aval {
    /// `kind: AbstractValueKind (byte)`.
    pub const KIND: u16 = 0;
    /// `shape: [string]`, each dimension an integer or a symbolic expression.
    pub const SHAPE: u16 = 1;
    /// `dtype: DType (byte)`.
    pub const DTYPE: u16 = 2;
    /// `memory_space: MemorySpace (byte)` (layout 5 on).
    pub const MEMORY_SPACE: u16 = 3;
}

/// `AbstractValueKind` codes.
pub(crate) mod aval_kind {
    /// `ShapedArray`.
    pub const SHAPED_ARRAY: i8 = 0;
    /// `AbstractToken`.
    pub const ABSTRACT_TOKEN: i8 = 1;
}

/// `DType` codes, in schema order (codes 15–21 and 23–26 are the 4- and 8-bit types rjax has
/// no arrays of; [`name`] names them).
pub(crate) mod dtype_code {
    pub const BOOL: i8 = 0;
    pub const I8: i8 = 1;
    pub const I16: i8 = 2;
    pub const I32: i8 = 3;
    pub const I64: i8 = 4;
    pub const U8: i8 = 5;
    pub const U16: i8 = 6;
    pub const U32: i8 = 7;
    pub const U64: i8 = 8;
    pub const F16: i8 = 9;
    pub const F32: i8 = 10;
    pub const F64: i8 = 11;
    pub const C64: i8 = 12;
    pub const C128: i8 = 13;
    pub const BF16: i8 = 14;
    /// `float0`, the dtype of cotangents of integer inputs.
    pub const F0: i8 = 22;
    /// `key<fry>` (layout 4 on).
    pub const KEY_FRY: i8 = 27;
    /// `key<rbg>`.
    pub const KEY_RBG: i8 = 28;
    /// `key<unsafe_rbg>`.
    pub const KEY_UNSAFE_RBG: i8 = 29;

    /// The schema's name of a code (for error messages); `None` for unknown codes.
    pub fn name(code: i8) -> Option<&'static str> {
        const NAMES: [&str; 30] = [
            "bool",
            "i8",
            "i16",
            "i32",
            "i64",
            "ui8",
            "ui16",
            "ui32",
            "ui64",
            "f16",
            "f32",
            "f64",
            "c64",
            "c128",
            "bf16",
            "i4",
            "ui4",
            "f8_e4m3b11fnuz",
            "f8_e4m3fn",
            "f8_e4m3fnuz",
            "f8_e5m2",
            "f8_e5m2fnuz",
            "f0",
            "f8_e4m3",
            "f8_e3m4",
            "f8_e8m0fnu",
            "f4_e2m1fn",
            "key<fry>",
            "key<rbg>",
            "key<unsafe_rbg>",
        ];
        usize::try_from(code)
            .ok()
            .and_then(|i| NAMES.get(i).copied())
    }
}

/// `MemorySpace` codes (layout 5 on; `MISSING` reads as device memory).
pub(crate) mod memory_space {
    pub const MISSING: i8 = 0;
    pub const DEVICE: i8 = 1;
    pub const HOST: i8 = 2;
    pub const ANY: i8 = 3;
}

/// `AxisType` codes of an abstract mesh.
pub(crate) mod axis_type {
    pub const MISSING: u8 = 0;
    pub const AUTO: u8 = 1;
    pub const EXPLICIT: u8 = 2;
    pub const MANUAL: u8 = 3;
}

/// Slots of `Sharding`.
pub(crate) mod sharding {
    /// `kind: ShardingKind (byte)` (before layout 6; later readers look at the fields).
    pub const KIND: u16 = 0;
    /// `hlo_sharding_proto: [byte]`, a serialized `xla.OpSharding` (layouts before 9).
    pub const HLO_SHARDING_PROTO: u16 = 1;
    /// `named_sharding: NamedSharding` (layout 6 on).
    pub const NAMED_SHARDING: u16 = 2;
}

/// `ShardingKind` codes.
pub(crate) mod sharding_kind {
    pub const UNSPECIFIED: i8 = 0;
    pub const HLO_SHARDING: i8 = 1;
    pub const NAMED_SHARDING: i8 = 2;
}

/// Slots of `NamedSharding`.
pub(crate) mod named_sharding {
    /// `mesh: AbstractMesh` (kept beside `abstract_mesh_idx` in layout 10).
    pub const MESH: u16 = 0;
    /// `spec: PartitionSpec`.
    pub const SPEC: u16 = 1;
    /// `memory_kind: string`.
    pub const MEMORY_KIND: u16 = 2;
    /// `abstract_mesh_idx: uint32`, an index into `unique_abstract_meshes` (layout 10 on).
    pub const ABSTRACT_MESH_IDX: u16 = 3;
}

/// Slots of `AbstractMesh`.
pub(crate) mod abstract_mesh {
    /// `axis_sizes: [uint32]`.
    pub const AXIS_SIZES: u16 = 0;
    /// `axis_names: [string]`.
    pub const AXIS_NAMES: u16 = 1;
    /// `axis_types: [AxisType (ubyte)]`.
    pub const AXIS_TYPES: u16 = 2;
    /// `abstract_device: AbstractDevice` (layout 8 on).
    pub const ABSTRACT_DEVICE: u16 = 3;
}

/// Slots of `AbstractDevice`.
pub(crate) mod abstract_device {
    /// `device_kind: string`.
    pub const DEVICE_KIND: u16 = 0;
    // Slot 1, `num_cores: uint32`, is not read.
    /// `platform: string` (layout 11 on).
    pub const PLATFORM: u16 = 2;
}

/// Slots of `PartitionSpec`.
pub(crate) mod partition_spec {
    /// `partitions: [PartitionSpecOneAxis]`.
    pub const PARTITIONS: u16 = 0;
    /// `reduced: [string]`.
    pub const REDUCED: u16 = 1;
    /// `unreduced: [string]`.
    pub const UNREDUCED: u16 = 2;
}

/// Slots of `PartitionSpecOneAxis`.
pub(crate) mod partition_spec_one_axis {
    /// `axes: [string]`: empty for an unsharded dimension.
    pub const AXES: u16 = 0;
}

/// Slots of `Effect`.
pub(crate) mod effect {
    /// `type_name: string`, Python's `str(type(effect))`.
    pub const TYPE_NAME: u16 = 0;
}

/// Slots of `DisabledSafetyCheck`.
pub(crate) mod disabled_check {
    /// `kind: DisabledSafetyCheckKind (byte)`.
    pub const KIND: u16 = 0;
    /// `custom_call_target: string`.
    pub const CUSTOM_CALL_TARGET: u16 = 1;
}

/// `DisabledSafetyCheckKind` codes.
pub(crate) mod disabled_check_kind {
    pub const PLATFORM: i8 = 0;
    pub const CUSTOM_CALL: i8 = 1;
    pub const SHAPE_ASSERTIONS: i8 = 2;
}
