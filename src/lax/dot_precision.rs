//! `precision` of `dot_general` (JAX's `lax.Precision`): how accurately an accelerator computes
//! a float32 product. It is a parameter of the primitive, kept by every rule, shown in jaxprs
//! and lowered to StableHLO's `precision_config`; XLA's CPU backend computes at the operands'
//! precision whatever it says.

use std::fmt;
use std::str::FromStr;

/// The accuracy of a matrix product on accelerators (JAX's `lax.Precision`). It only affects
/// float32 operands, never the dtypes: on TPUs `Default` multiplies in one bfloat16 pass,
/// `High` in three and `Highest` in six; on GPUs `Default` and `High` use TensorFloat-32 where
/// the hardware has it and `Highest` full float32. The CPU ignores it.
///
/// It parses from JAX's strings: `"default"`, `"fastest"` and `"bfloat16"` are `Default`;
/// `"high"`, `"tensorfloat32"` and `"bfloat16_3x"` are `High`; `"highest"` and `"float32"`
/// are `Highest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// The fastest and least accurate (JAX's `Precision.DEFAULT`).
    Default,
    /// Slower, more accurate (JAX's `Precision.HIGH`).
    High,
    /// The slowest and most accurate: full float32 (JAX's `Precision.HIGHEST`).
    Highest,
}

impl Precision {
    /// JAX's name of the value, as StableHLO spells it too: `DEFAULT`, `HIGH`, `HIGHEST`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Default => "DEFAULT",
            Precision::High => "HIGH",
            Precision::Highest => "HIGHEST",
        }
    }
}

impl fmt::Display for Precision {
    /// The name, as JAX's `str(Precision.HIGHEST)` prints it: `HIGHEST`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Precision {
    type Err = String;

    /// One of JAX's precision strings (see [`Precision`]).
    fn from_str(text: &str) -> Result<Precision, String> {
        match text {
            "default" | "fastest" | "bfloat16" => Ok(Precision::Default),
            "high" | "tensorfloat32" | "bfloat16_3x" => Ok(Precision::High),
            "highest" | "float32" => Ok(Precision::Highest),
            _ => Err(format!(
                "unknown precision {text:?}: expected one of default, fastest, bfloat16, high, \
                 tensorfloat32, bfloat16_3x, highest, float32"
            )),
        }
    }
}

/// The precision of each operand of a `dot_general` (JAX's canonical precision): `None` is
/// JAX's `precision=None`, the backend's default.
pub type OperandPrecision = Option<(Precision, Precision)>;

/// The jaxpr parameter, as JAX prints it (JAX leaves out `precision=None`).
pub(crate) fn precision_param(precision: OperandPrecision) -> Option<String> {
    precision.map(|(lhs, rhs)| format!("precision=(Precision.{lhs}, Precision.{rhs})"))
}

/// The StableHLO attribute, as JAX lowers it; none for `None` (which XLA reads as `DEFAULT`).
pub(crate) fn precision_attribute(precision: OperandPrecision) -> Option<String> {
    precision.map(|(lhs, rhs)| {
        format!("precision_config = [#stablehlo<precision {lhs}>, #stablehlo<precision {rhs}>]")
    })
}
