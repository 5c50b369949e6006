//! [`Exported`]: a function serialized by `jax.export` (or by [`rjax::export`](crate::export)),
//! with everything a caller needs to check, call and differentiate it.

use std::fmt;

use crate::random::PrngImpl;
use crate::{DType, Error, Result, ShapedArray};

/// One dimension of an exported aval: a known size, or a symbolic expression of a
/// shape-polymorphic export (JAX's `"b"`, `"2*b + 1"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    /// A concrete size.
    Known(usize),
    /// A symbolic dimension, as JAX printed it.
    Symbolic(String),
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Symbolic(s) => f.write_str(s),
        }
    }
}

/// The element type of an exported aval: an rjax [`DType`], or one of JAX's dtypes rjax has no
/// arrays of (`float0`, the 4- and 8-bit floats, `int4`, ...), kept by its schema name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportedDType {
    /// A dtype rjax arrays have.
    Supported(DType),
    /// `float0`: the dtype of cotangents of integer and boolean inputs (no data).
    Float0,
    /// Another dtype of JAX's schema (`f8_e4m3fn`, `i4`, ...), by its schema code; it prints
    /// as its schema name.
    Unsupported(i8),
}

impl fmt::Display for ExportedDType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportedDType::Supported(dtype) => write!(f, "{dtype}"),
            ExportedDType::Float0 => f.write_str("float0"),
            ExportedDType::Unsupported(code) => {
                let name = super::schema::dtype_code::name(*code);
                write!(f, "{}", name.unwrap_or("<unknown dtype>"))
            }
        }
    }
}

/// Where an exported value lives (JAX's `core.MemorySpace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemorySpace {
    /// Device memory (also what artifacts older than the field mean).
    #[default]
    Device,
    /// Pinned host memory.
    Host,
    /// Any memory space.
    Any,
}

/// An input or output type of an exported function (JAX's `ShapedArray` or token).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExportedAval {
    /// The dimensions; symbolic ones for shape-polymorphic exports.
    pub shape: Vec<Dim>,
    /// The element type.
    pub dtype: ExportedDType,
    /// The memory space.
    pub memory_space: MemorySpace,
    /// Whether this is a token (`AbstractToken`) rather than an array.
    pub is_token: bool,
}

impl ExportedAval {
    /// The aval of a concrete array type, in device memory.
    pub fn from_shaped(aval: &ShapedArray) -> Self {
        ExportedAval {
            shape: aval.shape.iter().map(|&d| Dim::Known(d)).collect(),
            dtype: ExportedDType::Supported(aval.dtype),
            memory_space: MemorySpace::Device,
            is_token: false,
        }
    }

    /// Whether some dimension is symbolic.
    pub fn is_shape_polymorphic(&self) -> bool {
        self.shape.iter().any(|d| matches!(d, Dim::Symbolic(_)))
    }

    /// The concrete, strongly typed [`ShapedArray`]; an error naming the workaround for symbolic
    /// dimensions, tokens and dtypes rjax has no arrays of.
    pub fn shaped_array(&self) -> Result<ShapedArray> {
        if self.is_token {
            return Err(Error::invalid(
                "rjax::export",
                "a token aval has no array type (tokens come with ordered effects, which rjax \
                 does not run)",
            ));
        }
        let dtype = match self.dtype {
            ExportedDType::Supported(dtype) => dtype,
            other => {
                return Err(Error::invalid(
                    "rjax::export",
                    format!("the aval {self} has dtype {other}, which rjax arrays cannot hold"),
                ));
            }
        };
        let shape = self
            .shape
            .iter()
            .map(|d| match d {
                Dim::Known(n) => Ok(*n),
                Dim::Symbolic(_) => Err(Error::invalid(
                    "rjax::export",
                    format!(
                        "the aval {self} is shape-polymorphic; export with concrete shapes \
                         (jax.export.export(jax.jit(f))(jax.ShapeDtypeStruct((3, 4), ...))), \
                         or refine the module's shapes before exporting"
                    ),
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ShapedArray::new(shape, dtype))
    }
}

impl fmt::Display for ExportedAval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_token {
            return f.write_str("token");
        }
        let dims: Vec<String> = self.shape.iter().map(Dim::to_string).collect();
        write!(f, "{}[{}]", self.dtype, dims.join(","))
    }
}

/// A pytree structure as JAX's export container records it (`PyTreeDef`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExportedTree {
    /// One array.
    Leaf,
    /// Python's `None` (no leaves).
    None,
    /// A tuple.
    Tuple(Vec<ExportedTree>),
    /// A list.
    List(Vec<ExportedTree>),
    /// A dict with string keys, in JAX's (sorted) key order.
    Dict(Vec<(String, ExportedTree)>),
    /// A node type registered for serialization in JAX (a namedtuple, a dataclass, ...).
    Custom {
        /// The name it was registered under.
        name: String,
        /// Its serialized auxiliary data, opaque to rjax.
        auxdata: Vec<u8>,
        /// Its children.
        children: Vec<ExportedTree>,
    },
}

impl ExportedTree {
    /// The number of leaves.
    pub fn num_leaves(&self) -> usize {
        match self {
            ExportedTree::Leaf => 1,
            ExportedTree::None => 0,
            ExportedTree::Tuple(children) | ExportedTree::List(children) => {
                children.iter().map(ExportedTree::num_leaves).sum()
            }
            ExportedTree::Dict(entries) => entries.iter().map(|(_, c)| c.num_leaves()).sum(),
            ExportedTree::Custom { children, .. } => {
                children.iter().map(ExportedTree::num_leaves).sum()
            }
        }
    }

    /// The structure of a flat tuple of `n` arrays.
    pub fn tuple_of_leaves(n: usize) -> Self {
        ExportedTree::Tuple(vec![ExportedTree::Leaf; n])
    }

    /// The calling structure JAX gives an exported function of `n` positional arrays and no
    /// keyword arguments: `((leaf, ...), {})`.
    pub fn args_of_leaves(n: usize) -> Self {
        ExportedTree::Tuple(vec![
            ExportedTree::tuple_of_leaves(n),
            ExportedTree::Dict(Vec::new()),
        ])
    }
}

/// The abstract mesh of a named sharding (JAX's `AbstractMesh`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ExportedMesh {
    /// The size of each axis.
    pub axis_sizes: Vec<u32>,
    /// The name of each axis.
    pub axis_names: Vec<String>,
    /// The type of each axis, as JAX's schema codes (1 auto, 2 explicit, 3 manual).
    pub axis_types: Vec<u8>,
    /// The device kind (`"cpu"`, `"NVIDIA H100"`, ...), when recorded.
    pub device_kind: Option<String>,
    /// The platform of the devices, when recorded.
    pub device_platform: Option<String>,
}

/// A named sharding of an exported input or output (JAX's `NamedSharding`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ExportedNamedSharding {
    /// The abstract mesh.
    pub mesh: ExportedMesh,
    /// For each dimension, the mesh axes it is split over (empty: replicated).
    pub partitions: Vec<Vec<String>>,
    /// Axes the value is reduced over (`PartitionSpec.reduced`).
    pub reduced: Vec<String>,
    /// Axes the value is unreduced over (`PartitionSpec.unreduced`).
    pub unreduced: Vec<String>,
    /// The memory kind, when given.
    pub memory_kind: Option<String>,
}

/// The sharding of an exported input or output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ExportedSharding {
    /// None given: the value may be placed anywhere (all single-device exports).
    #[default]
    Unspecified,
    /// A serialized `xla.OpSharding` protocol buffer (artifacts from before named shardings).
    HloProto(Vec<u8>),
    /// A named sharding over an abstract mesh.
    Named(ExportedNamedSharding),
}

/// A safety check disabled at export time (JAX's `DisabledSafetyCheck`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DisabledSafetyCheck {
    /// The check that the caller's platform is one the function was exported for.
    Platform,
    /// The check that the module's custom calls are on JAX's list of stable targets.
    CustomCall(String),
    /// Shape assertions of shape-polymorphic exports.
    ShapeAssertions,
}

/// A function exported by `jax.export` (or by rjax): its StableHLO module and the types,
/// structures, platforms and effects needed to call it, with its VJP when one was exported.
///
/// Read one with [`Exported::deserialize`] or [`Exported::read`], call it with
/// [`Exported::call`], inside `jit`, under `grad`/`vjp` (through the serialized VJP) and under
/// `vmap` (one call per batch element).
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The `serialization_version` field as stored (JAX 0.10–0.12 store 3).
    pub(crate) serialization_version: u16,
    /// The exported function's name.
    pub(crate) function_name: String,
    /// The structure of the arguments, `(args, kwargs)`.
    pub(crate) in_tree: ExportedTree,
    /// One aval per flattened argument.
    pub(crate) in_avals: Vec<ExportedAval>,
    /// The structure of the results.
    pub(crate) out_tree: ExportedTree,
    /// One aval per flattened result.
    pub(crate) out_avals: Vec<ExportedAval>,
    /// One sharding per flattened argument.
    pub(crate) in_shardings: Vec<ExportedSharding>,
    /// One sharding per flattened result.
    pub(crate) out_shardings: Vec<ExportedSharding>,
    /// The number of devices the module was lowered for.
    pub(crate) nr_devices: u32,
    /// The lowering platforms (`"cpu"`, `"cuda"`, `"rocm"`, `"tpu"`), in the order of the
    /// platform index argument.
    pub(crate) platforms: Vec<String>,
    /// Ordered effects, by Python type name.
    pub(crate) ordered_effects: Vec<String>,
    /// Unordered effects, by Python type name.
    pub(crate) unordered_effects: Vec<String>,
    /// Safety checks disabled at export time.
    pub(crate) disabled_checks: Vec<DisabledSafetyCheck>,
    /// The module: a StableHLO portable artifact (MLIR bytecode), or MLIR text.
    pub(crate) mlir_module_serialized: Vec<u8>,
    /// The module's text, when known (rjax-exported modules have it; JAX artifacts do not).
    pub(crate) module_text: Option<String>,
    /// The calling convention version (9 or 10 for JAX 0.10–0.12).
    pub(crate) calling_convention_version: u16,
    /// The indices of the arguments the module keeps (the others were dead and dropped).
    pub(crate) module_kept_var_idx: Vec<u16>,
    /// Whether the module uses global constants for dimension variables.
    pub(crate) uses_global_constants: bool,
    /// The exported VJP, a function of the primal arguments and the output cotangents.
    pub(crate) vjp: Option<Box<Exported>>,
}

impl Exported {
    /// The exported function's name.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The `serialization_version` field as stored in the artifact.
    pub fn serialization_version(&self) -> u16 {
        self.serialization_version
    }

    /// The structure of the arguments, JAX's `(args, kwargs)` pair.
    pub fn in_tree(&self) -> &ExportedTree {
        &self.in_tree
    }

    /// The types of the flattened arguments.
    pub fn in_avals(&self) -> &[ExportedAval] {
        &self.in_avals
    }

    /// The structure of the results.
    pub fn out_tree(&self) -> &ExportedTree {
        &self.out_tree
    }

    /// The types of the flattened results.
    pub fn out_avals(&self) -> &[ExportedAval] {
        &self.out_avals
    }

    /// The shardings of the flattened arguments.
    pub fn in_shardings(&self) -> &[ExportedSharding] {
        &self.in_shardings
    }

    /// The shardings of the flattened results.
    pub fn out_shardings(&self) -> &[ExportedSharding] {
        &self.out_shardings
    }

    /// The number of devices the module was lowered for.
    pub fn nr_devices(&self) -> u32 {
        self.nr_devices
    }

    /// The platforms the module was lowered for.
    pub fn platforms(&self) -> &[String] {
        &self.platforms
    }

    /// The ordered effects, by Python type name.
    pub fn ordered_effects(&self) -> &[String] {
        &self.ordered_effects
    }

    /// The unordered effects, by Python type name.
    pub fn unordered_effects(&self) -> &[String] {
        &self.unordered_effects
    }

    /// The safety checks disabled at export time.
    pub fn disabled_checks(&self) -> &[DisabledSafetyCheck] {
        &self.disabled_checks
    }

    /// The serialized module (a StableHLO portable artifact for JAX's artifacts).
    pub fn mlir_module_serialized(&self) -> &[u8] {
        &self.mlir_module_serialized
    }

    /// The module's text, when known.
    pub fn module_text(&self) -> Option<&str> {
        self.module_text.as_deref()
    }

    /// The calling convention version.
    pub fn calling_convention_version(&self) -> u16 {
        self.calling_convention_version
    }

    /// The indices of the arguments the module takes (the others are unused and dropped).
    pub fn module_kept_var_idx(&self) -> &[u16] {
        &self.module_kept_var_idx
    }

    /// Whether the module uses global constants for dimension variables.
    pub fn uses_global_constants(&self) -> bool {
        self.uses_global_constants
    }

    /// The exported VJP, when one was serialized.
    pub fn vjp(&self) -> Option<&Exported> {
        self.vjp.as_deref()
    }

    /// Whether a VJP was serialized.
    pub fn has_vjp(&self) -> bool {
        self.vjp.is_some()
    }

    /// The concrete types of the arguments; an error for shape-polymorphic exports, tokens and
    /// dtypes rjax has no arrays of.
    pub fn in_shaped_arrays(&self) -> Result<Vec<ShapedArray>> {
        self.in_avals
            .iter()
            .map(ExportedAval::shaped_array)
            .collect()
    }

    /// The concrete types of the results (see [`Exported::in_shaped_arrays`]).
    pub fn out_shaped_arrays(&self) -> Result<Vec<ShapedArray>> {
        self.out_avals
            .iter()
            .map(ExportedAval::shaped_array)
            .collect()
    }
}

/// The rjax dtype of a schema code, or what else it is.
pub(crate) fn dtype_from_code(code: i8) -> Option<ExportedDType> {
    use super::schema::dtype_code as c;
    let dtype = match code {
        c::BOOL => DType::Bool,
        c::I8 => DType::I8,
        c::I16 => DType::I16,
        c::I32 => DType::I32,
        c::I64 => DType::I64,
        c::U8 => DType::U8,
        c::U16 => DType::U16,
        c::U32 => DType::U32,
        c::U64 => DType::U64,
        c::F16 => DType::F16,
        c::F32 => DType::F32,
        c::F64 => DType::F64,
        c::C64 => DType::C64,
        c::C128 => DType::C128,
        c::BF16 => DType::BF16,
        c::KEY_FRY => DType::Key(PrngImpl::Threefry2x32),
        c::KEY_RBG => DType::Key(PrngImpl::Rbg),
        c::KEY_UNSAFE_RBG => DType::Key(PrngImpl::UnsafeRbg),
        c::F0 => return Some(ExportedDType::Float0),
        other => return c::name(other).map(|_| ExportedDType::Unsupported(other)),
    };
    Some(ExportedDType::Supported(dtype))
}

/// The schema code of a dtype (the writer's direction).
pub(crate) fn dtype_code(dtype: ExportedDType) -> i8 {
    use super::schema::dtype_code as c;
    match dtype {
        ExportedDType::Float0 => c::F0,
        ExportedDType::Unsupported(code) => code,
        ExportedDType::Supported(dtype) => match dtype {
            DType::Bool => c::BOOL,
            DType::I8 => c::I8,
            DType::I16 => c::I16,
            DType::I32 => c::I32,
            DType::I64 => c::I64,
            DType::U8 => c::U8,
            DType::U16 => c::U16,
            DType::U32 => c::U32,
            DType::U64 => c::U64,
            DType::F16 => c::F16,
            DType::BF16 => c::BF16,
            DType::F32 => c::F32,
            DType::F64 => c::F64,
            DType::C64 => c::C64,
            DType::C128 => c::C128,
            DType::Key(PrngImpl::Threefry2x32) => c::KEY_FRY,
            DType::Key(PrngImpl::Rbg) => c::KEY_RBG,
            DType::Key(PrngImpl::UnsafeRbg) => c::KEY_UNSAFE_RBG,
        },
    }
}
