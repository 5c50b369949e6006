//! The PRNG implementations a key can belong to (JAX's `PRNGImpl`s): `threefry2x32`, `rbg`
//! and `unsafe_rbg`, and the choice of the default one (`jax_default_prng_impl`).

use std::fmt;
use std::str::FromStr;

/// A PRNG implementation, as JAX names them (`jax.random.key_impl`,
/// `jax_default_prng_impl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrngImpl {
    /// `threefry2x32`: the Threefry-2x32 counter-based hash (JAX's default); keys are two
    /// `uint32` words. Bit for bit with JAX on every platform.
    Threefry2x32,
    /// `rbg`: random bits from XLA's `RngBitGenerator`, with keys of four `uint32` words that
    /// are seeded, split and folded by threefry on each half.
    Rbg,
    /// `unsafe_rbg`: as `rbg`, but keys are split and folded by `RngBitGenerator` too
    /// (cheaper, with weaker guarantees).
    UnsafeRbg,
}

impl PrngImpl {
    /// Every implementation.
    pub const ALL: [PrngImpl; 3] = [PrngImpl::Threefry2x32, PrngImpl::Rbg, PrngImpl::UnsafeRbg];

    /// JAX's name: `threefry2x32`, `rbg` or `unsafe_rbg`.
    pub const fn name(self) -> &'static str {
        match self {
            PrngImpl::Threefry2x32 => "threefry2x32",
            PrngImpl::Rbg => "rbg",
            PrngImpl::UnsafeRbg => "unsafe_rbg",
        }
    }

    /// JAX's short tag, as jaxprs print it in `random_wrap[impl=fry]`: `fry`, `rbg`, `urbg`.
    pub const fn tag(self) -> &'static str {
        match self {
            PrngImpl::Threefry2x32 => "fry",
            PrngImpl::Rbg => "rbg",
            PrngImpl::UnsafeRbg => "urbg",
        }
    }

    /// The key dtype's name as JAX prints it: `key<fry>`, `key<rbg>` or `key<urbg>`.
    pub const fn key_dtype_name(self) -> &'static str {
        match self {
            PrngImpl::Threefry2x32 => "key<fry>",
            PrngImpl::Rbg => "key<rbg>",
            PrngImpl::UnsafeRbg => "key<urbg>",
        }
    }

    /// How many `uint32` words one key holds (JAX's `key_shape`): 2 for threefry, 4 for the
    /// rbg implementations.
    pub const fn key_words(self) -> usize {
        match self {
            PrngImpl::Threefry2x32 => 2,
            PrngImpl::Rbg | PrngImpl::UnsafeRbg => 4,
        }
    }
}

impl fmt::Display for PrngImpl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PrngImpl {
    type Err = String;

    /// Parses JAX's name of an implementation; anything else is an error listing the names.
    fn from_str(name: &str) -> Result<Self, String> {
        PrngImpl::ALL
            .into_iter()
            .find(|prng| prng.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown PRNG implementation {name:?} (expected one of threefry2x32, rbg, \
                     unsafe_rbg)"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::PrngImpl;

    #[test]
    fn names_parse_back_and_unknown_names_are_errors() {
        for prng in PrngImpl::ALL {
            assert_eq!(prng.name().parse::<PrngImpl>(), Ok(prng));
        }
        let message = "philox".parse::<PrngImpl>().unwrap_err();
        assert!(message.contains("\"philox\"") && message.contains("unsafe_rbg"));
    }
}
