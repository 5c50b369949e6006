//! Element types: the [`DType`] enum and the [`Element`] trait that ties Rust types to it
//! (JAX's `dtypes`).

use std::fmt;

use crate::random::PrngImpl;

/// The element type of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// Booleans, one byte each (XLA's `PRED`).
    Bool,
    /// 8-bit signed integers.
    I8,
    /// 16-bit signed integers.
    I16,
    /// 32-bit signed integers.
    I32,
    /// 64-bit signed integers.
    I64,
    /// 8-bit unsigned integers.
    U8,
    /// 16-bit unsigned integers.
    U16,
    /// 32-bit unsigned integers.
    U32,
    /// 64-bit unsigned integers.
    U64,
    /// IEEE half precision.
    F16,
    /// bfloat16.
    BF16,
    /// IEEE single precision.
    F32,
    /// IEEE double precision.
    F64,
    /// Complex numbers of two `f32`s.
    C64,
    /// Complex numbers of two `f64`s.
    C128,
    /// PRNG keys of an implementation (JAX's extended dtype `key<fry>`, ...): each element is
    /// one key, stored as `PrngImpl::key_words` `uint32` words, so an array of keys of shape
    /// `s` is physically `uint32[*s, words]` (see `rjax::random`). Only shape operations accept
    /// key arrays; they are not in [`DType::ALL`], the numeric dtypes.
    Key(PrngImpl),
}

impl DType {
    /// Every numeric dtype, in the order of the enum (key dtypes are not listed).
    pub const ALL: [DType; 15] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// The size of one element in bytes.
    pub const fn size_in_bytes(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
            DType::Key(prng) => 4 * prng.key_words(),
        }
    }

    /// NumPy's name for the dtype, as JAX prints it (`float32`, `bool`, `complex64`).
    pub const fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
            DType::Key(prng) => prng.key_dtype_name(),
        }
    }
}

impl DType {
    /// The real dtype of a complex dtype's parts (`C64` → `F32`, `C128` → `F64`); any other
    /// dtype itself (NumPy's `np.array(0, dtype).real.dtype`).
    pub(crate) const fn real_part(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            other => other,
        }
    }

    /// The complex dtype whose parts have this dtype (`F32`/`C64` → `C64`, `F64`/`C128` →
    /// `C128`), or `None` for other dtypes (JAX's `_complex_dtype` of the float types).
    pub(crate) const fn complex_with_parts(self) -> Option<DType> {
        match self {
            DType::F32 | DType::C64 => Some(DType::C64),
            DType::F64 | DType::C128 => Some(DType::C128),
            _ => None,
        }
    }

    /// The short name used in jaxprs (`f32`, `i32`, `bool`, `bf16`, `c64`).
    pub const fn short_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::C64 => "c64",
            DType::C128 => "c128",
            DType::Key(prng) => prng.key_dtype_name(),
        }
    }

    /// The MLIR element type (`f32`, `i1`, `ui8`, `complex<f32>`).
    pub const fn mlir_name(self) -> &'static str {
        match self {
            DType::Bool => "i1",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "ui8",
            DType::U16 => "ui16",
            DType::U32 => "ui32",
            DType::U64 => "ui64",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::C64 => "complex<f32>",
            DType::C128 => "complex<f64>",
            // The physical element type; the key's words are a trailing dimension.
            DType::Key(_) => "ui32",
        }
    }

    /// Whether the dtype is a floating-point type (real).
    pub const fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// Whether the dtype is complex.
    pub const fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }

    /// Whether the dtype is inexact: floating point or complex.
    pub const fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }

    /// Whether the dtype is a signed integer type.
    pub const fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// Whether the dtype is an unsigned integer type.
    pub const fn is_unsigned_int(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }

    /// Whether the dtype is an integer type, signed or unsigned.
    pub const fn is_int(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }

    /// Whether the dtype is a PRNG key dtype (`key<fry>`, ...).
    pub const fn is_key(self) -> bool {
        matches!(self, DType::Key(_))
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A complex number stored as two consecutive parts, the layout XLA uses for `c64`/`c128`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C)]
pub struct Complex<T> {
    /// The real part.
    pub re: T,
    /// The imaginary part.
    pub im: T,
}

impl<T> Complex<T> {
    /// The complex number `re + im·i`.
    pub const fn new(re: T, im: T) -> Self {
        Complex { re, im }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that is the host representation of one [`DType`].
///
/// Sealed: every implementor is plain data without padding whose bytes are exactly XLA's
/// layout of its dtype, which is what lets the runtime copy slices of them to and from devices.
pub trait Element: sealed::Sealed + Copy + Send + Sync + fmt::Debug + 'static {
    /// The dtype this type represents.
    const DTYPE: DType;
}

macro_rules! elements {
    ($($ty:ty => $dtype:ident),* $(,)?) => {$(
        impl sealed::Sealed for $ty {}
        impl Element for $ty {
            const DTYPE: DType = DType::$dtype;
        }
    )*};
}

elements! {
    bool => Bool,
    i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
    half::f16 => F16, half::bf16 => BF16,
    f32 => F32, f64 => F64,
    Complex<f32> => C64, Complex<f64> => C128,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_sizes_match_their_dtypes() {
        fn check<T: Element>() {
            assert_eq!(
                std::mem::size_of::<T>(),
                T::DTYPE.size_in_bytes(),
                "{}",
                T::DTYPE
            );
        }
        check::<bool>();
        check::<i8>();
        check::<i16>();
        check::<i32>();
        check::<i64>();
        check::<u8>();
        check::<u16>();
        check::<u32>();
        check::<u64>();
        check::<half::f16>();
        check::<half::bf16>();
        check::<f32>();
        check::<f64>();
        check::<Complex<f32>>();
        check::<Complex<f64>>();
    }
}
