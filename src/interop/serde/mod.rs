//! `Serialize` and `Deserialize` for [`Array`](crate::Array) and
//! [`TreeDef`](crate::TreeDef) (feature `serde`), and through them for
//! [`OptState`](crate::optim::OptState) and `#[derive(Pytree, Serialize, Deserialize)]` structs.
//!
//! An array is a struct `Array { dtype, shape, data }`: `dtype` is JAX's name (`float32`,
//! `bfloat16`, `complex64`, `bool`, ...) and `shape` a list of dimensions. `data` depends on
//! the format:
//!
//! - **Binary formats** (CBOR, bincode, postcard, MessagePack, ...: those whose serializer is
//!   not human-readable) get the row-major little-endian bytes, so every value round-trips bit
//!   for bit, NaN payloads and `-0.0` included.
//! - **Human-readable formats** (JSON, YAML, TOML, ...) get a list of the elements in
//!   row-major order: `true`/`false`, integers, floating-point numbers widened exactly to
//!   `f64` (so every value reads back exactly where the format parses floats exactly, as
//!   `serde_json` does with its `float_roundtrip` feature), complex numbers
//!   as `[re, im]`; non-finite floats, which JSON cannot hold, are the strings `"nan"`,
//!   `"inf"` and `"-inf"` (a NaN's sign and payload are not kept).
//!
//! Deserialization checks the dtype name, the element count against the shape and each value
//! against the dtype (an integer out of range, a float for an integer dtype), with errors
//! naming what is wrong; a hand-written real number is rounded to a float dtype, as NumPy's
//! `astype` does. Outside x64 mode a 64-bit array becomes 32-bit, as `jnp.asarray`
//! does. Tracers and PRNG key arrays cannot be serialized (store
//! `rjax::random::key_data(&keys)`); weak types are not kept.
//!
//! A [`TreeDef`](crate::TreeDef) (inside an optimizer state's parameter-shaped moments) is
//! serialized with its structure, type, variant and field names; one holding a
//! [`Static`](crate::Static) value (a `#[pytree(static)]` field) cannot be, since a static
//! value's type is not known when reading it back: such a serialization fails with an error
//! that says so. The type and field names read back are interned (allocated once per distinct
//! name for the life of the process).

mod array;
mod readable;
mod tree_def;
