//! The primitives behind typed keys and the rbg implementations, with every rule: JAX's
//! `random_wrap` (key data to keys), `random_unwrap` (keys to key data) and
//! `lax.rng_bit_generator` (XLA's `RngBitGenerator`).
//!
//! `random_wrap` and `random_unwrap` only change the type: a key array's data *is* its
//! physical value (`key<fry>[3]` lowers to `tensor<3x2xui32>`), so both lower to nothing.
//! None of the three has a derivative (their outputs are keys or integers, whose tangents are
//! symbolic zeros) and none is linear.

use super::PrngImpl;
use crate::IntoArray;
use crate::abstract_value::ShapedArray;
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::batching::{Batched, move_axis};
use crate::interpreters::jvp::{Tangent, tangent_aval};
use crate::lax::{self, unwrap_at_caller};
use crate::lowering::FunctionBuilder;
use crate::{Array, DType, Error, Result};

/// The primitives of `rjax::random` (a [`Primitive::Random`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RandomOp {
    /// `random_wrap`: `uint32[*s, words]` key data as keys `key<...>[*s]` of `prng`.
    Wrap {
        /// The implementation of the keys.
        prng: PrngImpl,
    },
    /// `random_unwrap`: keys `key<...>[*s]` as their data, `uint32[*s, words]`.
    Unwrap,
    /// `rng_bit_generator(key)`: XLA's `RngBitGenerator` with the default algorithm, from a
    /// `uint32[4]` key to (the next key, bits of `dtype` and `shape`).
    RngBitGenerator {
        /// The shape of the bits.
        shape: Vec<usize>,
        /// The unsigned integer dtype of the bits.
        dtype: DType,
    },
}

impl RandomOp {
    /// JAX's name of the primitive.
    pub fn name(&self) -> &'static str {
        match self {
            RandomOp::Wrap { .. } => "random_wrap",
            RandomOp::Unwrap => "random_unwrap",
            RandomOp::RngBitGenerator { .. } => "rng_bit_generator",
        }
    }

    /// The parameters as jaxprs print them.
    pub(crate) fn params_text(&self) -> Vec<String> {
        match self {
            RandomOp::Wrap { prng } => vec![format!("impl={}", prng.tag())],
            RandomOp::Unwrap => vec![],
            RandomOp::RngBitGenerator { shape, dtype } => vec![
                "algorithm=RNG_DEFAULT".to_string(),
                format!("dtype={dtype}"),
                "out_sharding=None".to_string(),
                format!("shape={}", python_tuple(shape)),
            ],
        }
    }

    /// The output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let [x] = avals else {
            return Err(Error::invalid(
                self.name(),
                format!("expected one operand, got {}", avals.len()),
            ));
        };
        match self {
            RandomOp::Wrap { prng } => {
                let words = prng.key_words();
                if x.dtype != DType::U32 || x.shape.last() != Some(&words) {
                    return Err(Error::invalid(
                        "random_wrap",
                        format!(
                            "expected uint32 key data whose shape ends with ({words},) for \
                             {prng}, got {x}"
                        ),
                    ));
                }
                let shape = &x.shape[..x.ndim() - 1];
                Ok(vec![ShapedArray::new(shape, DType::Key(*prng))])
            }
            RandomOp::Unwrap => {
                if !x.dtype.is_key() {
                    return Err(Error::invalid(
                        "random_unwrap",
                        format!("expected a key array, got {x}"),
                    ));
                }
                Ok(vec![x.physical()])
            }
            RandomOp::RngBitGenerator { shape, dtype } => {
                if x.dtype != DType::U32 || x.shape != [4] {
                    return Err(Error::invalid(
                        "rng_bit_generator",
                        format!("expected a uint32[4] key, got {x}"),
                    ));
                }
                if !dtype.is_unsigned_int() {
                    return Err(Error::invalid(
                        "rng_bit_generator",
                        format!("unsupported dtype {dtype}: expected an unsigned integer dtype"),
                    ));
                }
                Ok(vec![x.clone(), ShapedArray::new(shape.clone(), *dtype)])
            }
        }
    }

    /// Emits the StableHLO: nothing for wrap and unwrap, `stablehlo.rng_bit_generator` (on the
    /// key as `uint64[2]`, as JAX lowers it) for the generator.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_out: &[ShapedArray],
    ) -> Vec<String> {
        match self {
            RandomOp::Wrap { .. } | RandomOp::Unwrap => vec![args[0].clone()],
            RandomOp::RngBitGenerator { .. } => {
                let words = ShapedArray::new([4], DType::U32);
                let pairs = ShapedArray::new([2, 2], DType::U32);
                let wide = ShapedArray::new([2], DType::U64);
                let op = |f: &mut FunctionBuilder<'_>, name, arg: &String, from, to| {
                    f.op(name, std::slice::from_ref(arg), &[from], &[to], "")
                };
                let paired = op(
                    f,
                    "stablehlo.reshape",
                    &args[0],
                    words.clone(),
                    pairs.clone(),
                );
                let key = op(
                    f,
                    "stablehlo.bitcast_convert",
                    &paired,
                    pairs.clone(),
                    wide.clone(),
                );
                let outputs = f.op_with_regions(
                    "stablehlo.rng_bit_generator",
                    &[key],
                    std::slice::from_ref(&wide),
                    &[wide.clone(), avals_out[1].clone()],
                    "rng_algorithm = #stablehlo<rng_algorithm DEFAULT>",
                    &[],
                );
                let paired = op(
                    f,
                    "stablehlo.bitcast_convert",
                    &outputs[0],
                    wide,
                    pairs.clone(),
                );
                let next_key = op(f, "stablehlo.reshape", &paired, pairs, words);
                vec![next_key, outputs[1].clone()]
            }
        }
    }

    /// The JVP: the outputs, with zero tangents (keys and integers are not differentiable).
    pub(crate) fn jvp(&self, primals: &[Array]) -> Result<(Vec<Array>, Vec<Tangent>)> {
        let outputs = bind(Primitive::Random(self.clone()), primals)?;
        let zeros = outputs
            .iter()
            .map(|out| Tangent::Zero(tangent_aval(out.aval())))
            .collect();
        Ok((outputs, zeros))
    }

    /// The batching rule, for an operand batched along `dims[0]`.
    pub(crate) fn batch(&self, values: &[Array], dims: &[Option<usize>]) -> Result<Batched> {
        let (x, dim) = (&values[0], dims[0].expect("batched"));
        let primitive = Primitive::Random(self.clone());
        match self {
            // The key words must stay the last dimension.
            RandomOp::Wrap { .. } => {
                let (x, dim) = if dim + 1 == x.ndim() {
                    (move_axis(x, dim, 0)?, 0)
                } else {
                    (x.clone(), dim)
                };
                Ok((vec![bind1(primitive, &[x])?], vec![Some(dim)]))
            }
            RandomOp::Unwrap => Ok((vec![bind1(primitive, values)?], vec![Some(dim)])),
            // JAX's rule: one generator call, from the first key, makes the bits of the whole
            // batch; that key's successor replaces the first key.
            RandomOp::RngBitGenerator { shape, dtype } => {
                let keys = move_axis(x, dim, 0)?;
                let size = keys.shape()[0];
                let first = lax::reshape(lax::slice(&keys, &[0, 0], &[1, 4], None), &[4]);
                let batched = RandomOp::RngBitGenerator {
                    shape: [&[size], &shape[..]].concat(),
                    dtype: *dtype,
                };
                let outputs = bind(Primitive::Random(batched), &[first])?;
                let next = lax::reshape(&outputs[0], &[1, 4]);
                let rest = lax::slice(&keys, &[1, 0], &[size, 4], None);
                let keys = lax::concatenate([&next, &rest], 0);
                Ok((vec![keys, outputs[1].clone()], vec![Some(0), Some(0)]))
            }
        }
    }
}

/// Python's spelling of a tuple of sizes: `(3,)`, `(2, 3)`, `()`.
fn python_tuple(values: &[usize]) -> String {
    match values {
        [one] => format!("({one},)"),
        _ => {
            let items: Vec<String> = values.iter().map(usize::to_string).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// `data` (`uint32[*s, words]`) as keys of `prng` (`key<...>[*s]`): JAX's `random_wrap`.
#[track_caller]
pub(crate) fn random_wrap(data: &Array, prng: PrngImpl) -> Array {
    let op = RandomOp::Wrap { prng };
    unwrap_at_caller(bind1(Primitive::Random(op), std::slice::from_ref(data)))
}

/// The data (`uint32[*s, words]`) of the keys `keys` (`key<...>[*s]`): JAX's `random_unwrap`.
#[track_caller]
pub(crate) fn random_unwrap(keys: &Array) -> Array {
    unwrap_at_caller(bind1(
        Primitive::Random(RandomOp::Unwrap),
        std::slice::from_ref(keys),
    ))
}

/// XLA's `RngBitGenerator` with the platform's default algorithm (JAX's
/// `lax.rng_bit_generator(key, shape, dtype)`): from a `uint32[4]` key, the next key and
/// random bits of `shape` and the unsigned integer `dtype`. Under `vmap` it follows JAX's
/// rule: the bits of the whole batch come from the first key of the batch. Panics unless the
/// key is `uint32[4]` and `dtype` unsigned.
#[track_caller]
pub fn rng_bit_generator(key: impl IntoArray, shape: &[usize], dtype: DType) -> (Array, Array) {
    let key = &key.into_array();
    let op = RandomOp::RngBitGenerator {
        shape: shape.to_vec(),
        dtype,
    };
    let mut outputs = unwrap_at_caller(bind(Primitive::Random(op), std::slice::from_ref(key)));
    let bits = outputs.pop().expect("two outputs");
    let next_key = outputs.pop().expect("two outputs");
    (next_key, bits)
}
