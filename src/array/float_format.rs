//! Decimal text of floating-point numbers, as NumPy writes it: the digits of its Dragon4
//! (shortest round-trip, or rounded at a cutoff), the `FloatingFormat` that aligns all the
//! elements of an array, the `str` of a NumPy float scalar, and ml_dtypes' text of a `bfloat16`.
//!
//! Values arrive as `f64`s that hold the element exactly; a [`FloatKind`] says which format
//! they came from, which decides the digits (a decimal must read back as the same `f32`, say)
//! and NumPy's thresholds for scientific notation.

use half::f16;

/// NumPy's default `precision` print option: at most this many fractional digits.
const PRECISION: usize = 8;

/// The binary format of a float value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FloatKind {
    /// IEEE half precision.
    F16,
    /// IEEE single precision.
    F32,
    /// IEEE double precision.
    F64,
}

impl FloatKind {
    /// Whether the decimal `text` reads back as `v` (IEEE rounding, ties to even).
    fn reads_back(self, text: &str, v: f64) -> bool {
        match self {
            FloatKind::F16 => text.parse().is_ok_and(|p| f16::from_f64(p).to_f64() == v),
            FloatKind::F32 => text.parse::<f32>().is_ok_and(|p| f64::from(p) == v),
            FloatKind::F64 => text.parse::<f64>().is_ok_and(|p| p == v),
        }
    }

    /// `x` rounded to this format: NumPy compares and divides in the array's dtype.
    fn round(self, x: f64) -> f64 {
        match self {
            FloatKind::F16 => f16::from_f64(x).to_f64(),
            FloatKind::F32 => f64::from(x as f32),
            FloatKind::F64 => x,
        }
    }

    /// Arrays use scientific notation from `10**min(8, finfo(dtype).precision)` up.
    fn array_sci_cutoff(self) -> f64 {
        match self {
            FloatKind::F16 => 1e3,
            FloatKind::F32 => 1e6,
            FloatKind::F64 => 1e8,
        }
    }

    /// Scalars use scientific notation from this magnitude up.
    fn scalar_sci_cutoff(self) -> f64 {
        match self {
            FloatKind::F16 => 1e3,
            FloatKind::F32 => 1e6,
            FloatKind::F64 => 1e16,
        }
    }
}

/// The decimal `m × 10^e` of a finite magnitude, with `m` written out in `digits` (ASCII,
/// no leading zeros except for zero itself).
#[derive(Debug, Clone, PartialEq)]
struct Digits {
    digits: Vec<u8>,
    /// The exponent of the first digit: the value is `d₁.d₂d₃… × 10^exp`.
    exp: i32,
}

impl Digits {
    fn zero() -> Digits {
        Digits {
            digits: vec![b'0'],
            exp: 0,
        }
    }

    /// The integer `m` whose last digit has exponent `last`.
    fn from_int(m: u64, last: i32) -> Digits {
        let digits = m.to_string().into_bytes();
        Digits {
            exp: last + digits.len() as i32 - 1,
            digits,
        }
    }

    /// `v` correctly rounded (ties to even) to `n` significant digits.
    fn nearest(v: f64, n: usize) -> Digits {
        let text = format!("{:.*e}", n - 1, v);
        let (mantissa, exp) = text.split_once('e').expect("`{:e}` writes an exponent");
        Digits {
            digits: mantissa.bytes().filter(u8::is_ascii_digit).collect(),
            exp: exp.parse().expect("`{:e}` writes an integer exponent"),
        }
    }

    /// The exponent of the last digit.
    fn last(&self) -> i32 {
        self.exp + 1 - self.digits.len() as i32
    }

    /// Rust-parsable text of the value, such as `15e-1`.
    fn text(&self) -> String {
        format!("{}e{}", String::from_utf8_lossy(&self.digits), self.last())
    }

    /// Without trailing zeros (keeping one digit).
    fn trimmed(mut self) -> Digits {
        while self.digits.len() > 1 && self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        self
    }

    /// The digits left of the decimal point in positional notation (at least `0`).
    fn whole(&self) -> String {
        if self.exp < 0 {
            return "0".into();
        }
        (0..=self.exp as usize)
            .map(|i| char::from(*self.digits.get(i).unwrap_or(&b'0')))
            .collect()
    }

    /// The digits right of the decimal point in positional notation (possibly none).
    fn fraction(&self) -> String {
        let zeros = "0".repeat((-self.exp - 1).max(0) as usize);
        let skip = (self.exp + 1).max(0) as usize;
        zeros + &String::from_utf8_lossy(self.digits.get(skip..).unwrap_or_default())
    }
}

/// Dragon4's `n` significant digits of the magnitude `v`: the nearest `n`-digit decimal, unless
/// only the one on the other side of `v` reads back as `v`.
fn rounded(v: f64, kind: FloatKind, n: usize) -> Digits {
    if v == 0.0 {
        return Digits::zero();
    }
    let near = Digits::nearest(v, n);
    if kind.reads_back(&near.text(), v) {
        return near;
    }
    let m: u64 = String::from_utf8_lossy(&near.digits)
        .parse()
        .expect("at most 17 digits");
    let above = near.text().parse::<f64>().is_ok_and(|p| p > v);
    let mut other = match above {
        // Rounding carried into the next decade: step down in `v`'s own decade.
        true if m == 10u64.pow(n as u32 - 1) => Digits::from_int(m * 10 - 1, near.last() - 1),
        true => Digits::from_int(m - 1, near.last()),
        false => Digits::from_int(m + 1, near.last()),
    };
    other.digits.truncate(n); // 99…9 + 1 = 100…0 carries into the next decade
    if kind.reads_back(&other.text(), v) {
        other
    } else {
        near
    }
}

/// The fewest digits of the magnitude `v` that read back as `v`, the closest such if several.
fn shortest(v: f64, kind: FloatKind) -> Digits {
    let (mut lo, mut hi) = (1, 17);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if kind.reads_back(&rounded(v, kind, mid).text(), v) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    rounded(v, kind, lo).trimmed()
}

/// The shortest digits, cut (and rounded) after [`PRECISION`] fractional digits.
fn positional_digits(v: f64, kind: FloatKind) -> Digits {
    let digits = shortest(v, kind);
    if -digits.last() <= PRECISION as i32 {
        return digits;
    }
    rounded(v, kind, (digits.exp + 1 + PRECISION as i32).max(1) as usize).trimmed()
}

/// The shortest digits, cut (and rounded) after [`PRECISION`] digits behind the first.
fn scientific_digits(v: f64, kind: FloatKind) -> Digits {
    let digits = shortest(v, kind);
    if digits.digits.len() <= PRECISION + 1 {
        return digits;
    }
    rounded(v, kind, PRECISION + 1).trimmed()
}

/// The sign NumPy writes before a number.
fn sign(v: f64, plus: bool) -> &'static str {
    match v.is_sign_negative() {
        true => "-",
        false if plus => "+",
        false => "",
    }
}

/// The exponent of scientific notation: `e`, its sign, and at least `width` digits.
fn exponent(exp: i32, width: usize) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:0width$}", exp.unsigned_abs())
}

/// NumPy's `FloatingFormat` with its default options (`floatmode='maxprec'`, `precision=8`,
/// `suppress=False`): one notation and one width for every element of an array.
#[derive(Debug, Clone)]
pub(super) struct FloatFormat {
    kind: FloatKind,
    /// Write `+` before non-negative numbers (the imaginary parts of complex numbers).
    plus: bool,
    /// Scientific notation: the fractional digits of every mantissa and the exponent digits.
    scientific: Option<(usize, usize)>,
    /// Characters left of the decimal point.
    pad_left: usize,
    /// Characters right of the decimal point.
    pad_right: usize,
}

impl FloatFormat {
    /// The format of the (shown) elements `values`.
    pub(super) fn new(values: &[f64], kind: FloatKind, plus: bool) -> FloatFormat {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .filter(|v| **v != 0.0)
            .map(|v| v.abs())
            .collect();
        let min = nonzero.iter().copied().reduce(f64::min);
        let max = nonzero.iter().copied().reduce(f64::max);
        let use_scientific = match (min, max) {
            (Some(min), Some(max)) => {
                max >= kind.array_sci_cutoff()
                    || min < kind.round(1e-4)
                    || kind.round(max / min) > 1000.0
            }
            _ => false,
        };
        let sign_len = |v: f64| sign(v, plus).len();
        let (mut pad_left, mut pad_right, mut scientific) = (0, 0, None);
        if use_scientific {
            let (mut precision, mut exp_size) = (0, 2);
            for v in &finite {
                let digits = scientific_digits(v.abs(), kind);
                precision = precision.max(digits.digits.len() - 1);
                exp_size = exp_size.max(exponent(digits.exp, 2).len() - "e+".len());
                pad_left = pad_left.max(1 + sign_len(*v));
            }
            pad_right = exp_size + 2 + precision;
            scientific = Some((precision, exp_size));
        } else {
            for v in &finite {
                let digits = positional_digits(v.abs(), kind);
                pad_left = pad_left.max(sign_len(*v) + digits.whole().len());
                pad_right = pad_right.max(digits.fraction().len());
            }
        }
        if finite.len() != values.len() {
            let neg_inf = plus || values.contains(&f64::NEG_INFINITY);
            let widest = "inf".len() + usize::from(neg_inf);
            pad_left = pad_left.max(widest.saturating_sub(pad_right + 1));
        }
        FloatFormat {
            kind,
            plus,
            scientific,
            pad_left,
            pad_right,
        }
    }

    /// One element, padded to the common width.
    pub(super) fn format(&self, v: f64) -> String {
        let sign = sign(v, self.plus);
        if !v.is_finite() {
            let text = match v.is_nan() {
                true if self.plus => "+nan".to_string(),
                true => "nan".to_string(),
                false => format!("{}inf", if v < 0.0 { "-" } else { sign }),
            };
            return format!("{text:>width$}", width = self.pad_left + self.pad_right + 1);
        }
        let (body, left) = match self.scientific {
            Some((precision, exp_size)) => {
                let digits = rounded(v.abs(), self.kind, precision + 1);
                let mantissa = String::from_utf8_lossy(&digits.digits).into_owned();
                let (first, rest) = mantissa.split_at(1);
                let body = format!(
                    "{first}.{rest:0<precision$}{}",
                    exponent(digits.exp, exp_size)
                );
                (body, 1)
            }
            None => {
                let digits = positional_digits(v.abs(), self.kind);
                let (whole, fraction) = (digits.whole(), digits.fraction());
                (
                    format!("{whole}.{fraction:<width$}", width = self.pad_right),
                    whole.len(),
                )
            }
        };
        let pad = " ".repeat(self.pad_left.saturating_sub(left + sign.len()));
        format!("{pad}{sign}{body}")
    }
}

/// NumPy's text for a float scalar in positional or scientific notation, whichever its
/// magnitude calls for: `1.0` or `1` (`one_zero` picks), `1e-05`, `1.5e+16`, `nan`, `-inf`.
fn scalar_text(v: f64, kind: FloatKind, one_zero: bool, plus: bool) -> String {
    let sign = sign(v, plus);
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let a = v.abs();
    let digits = shortest(a, kind);
    if a == 0.0 || (a < kind.scalar_sci_cutoff() && a >= 1e-4) {
        let fraction = digits.fraction();
        match (fraction.is_empty(), one_zero) {
            (false, _) => format!("{sign}{}.{fraction}", digits.whole()),
            (true, true) => format!("{sign}{}.0", digits.whole()),
            (true, false) => format!("{sign}{}", digits.whole()),
        }
    } else {
        let mantissa = String::from_utf8_lossy(&digits.digits).into_owned();
        let (first, rest) = mantissa.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{sign}{first}{dot}{rest}{}", exponent(digits.exp, 2))
    }
}

/// `str()` of a NumPy float scalar (`np.float32(1)` prints `1.0`).
pub(super) fn scalar_str(v: f64, kind: FloatKind) -> String {
    scalar_text(v, kind, true, false)
}

/// `str()` of a NumPy complex scalar: `(1+2j)`, `2j` (for a real part of +0), `(nan+infj)`.
pub(super) fn complex_scalar_str(re: f64, im: f64, kind: FloatKind) -> String {
    if re == 0.0 && re.is_sign_positive() {
        return format!("{}j", scalar_text(im, kind, false, false));
    }
    let re = scalar_text(re, kind, false, false);
    let im = match im.is_nan() {
        true => "+nan".to_string(),
        false => scalar_text(im, kind, false, true),
    };
    format!("({re}{im}j)")
}

/// ml_dtypes' `repr` and `str` of a `bfloat16` (held as the `f32` it widens to): C++'s
/// default stream output, `printf("%g")` with 6 significant digits, and `nan` without sign.
pub(super) fn bfloat16_text(x: f32) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() || x == 0.0 {
        return format!(
            "{}{}",
            sign(x.into(), false),
            if x == 0.0 { "0" } else { "inf" }
        );
    }
    let trim = |s: String| match s.contains('.') {
        true => s.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => s,
    };
    let v = f64::from(x);
    let sci = format!("{v:.5e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes an integer exponent");
    if (-4..6).contains(&exp) {
        trim(format!("{v:.*}", (5 - exp) as usize))
    } else {
        format!("{}{}", trim(mantissa.to_string()), exponent(exp, 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_digits_read_back_and_pick_the_closest() {
        let text = |v: f64, kind| shortest(v, kind).text();
        assert_eq!(text(0.1, FloatKind::F64), "1e-1");
        assert_eq!(text(f64::from(0.1f32), FloatKind::F32), "1e-1");
        assert_eq!(text(f16::from_f32(0.1).to_f64(), FloatKind::F16), "1e-1");
        assert_eq!(text(f64::from(16777216f32), FloatKind::F32), "16777216e0");
        // 2^-3 has the exact digits 125; 2^40 in f32 needs 8.
        assert_eq!(text(0.125, FloatKind::F32), "125e-3");
        assert_eq!(text(2f64.powi(40), FloatKind::F32), "10995116e5");
        assert_eq!(text(5e-324, FloatKind::F64), "5e-324");
        assert_eq!(text(65504.0, FloatKind::F16), "655e2");
    }

    #[test]
    fn floating_format_pads_and_switches_notation() {
        let all = |values: &[f64], kind| {
            let format = FloatFormat::new(values, kind, false);
            values
                .iter()
                .map(|v| format.format(*v))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(all(&[0.5, 0.5, 0.0], FloatKind::F32), "0.5,0.5,0. ");
        assert_eq!(
            all(&[-1.5, 10.25, 100.0], FloatKind::F32),
            " -1.5 , 10.25,100.  "
        );
        assert_eq!(all(&[1e-5, 1.0], FloatKind::F64), "1.e-05,1.e+00");
        assert_eq!(
            all(&[f64::NAN, f64::NEG_INFINITY], FloatKind::F64),
            " nan,-inf"
        );
        assert_eq!(all(&[0.1 + 0.2], FloatKind::F64), "0.3");
        let imag = FloatFormat::new(&[2.0, -0.5], FloatKind::F32, true);
        assert_eq!(
            (imag.format(2.0), imag.format(-0.5)),
            ("+2. ".into(), "-0.5".into())
        );
    }

    #[test]
    fn scalars_and_bfloat16() {
        assert_eq!(scalar_str(1.0, FloatKind::F32), "1.0");
        assert_eq!(scalar_str(-0.0, FloatKind::F64), "-0.0");
        assert_eq!(scalar_str(f64::from(1e-4f32), FloatKind::F32), "1e-04");
        assert_eq!(scalar_str(1e15, FloatKind::F64), "1000000000000000.0");
        assert_eq!(scalar_str(1e6, FloatKind::F32), "1e+06");
        assert_eq!(complex_scalar_str(0.0, -2.0, FloatKind::F64), "-2j");
        assert_eq!(complex_scalar_str(1.5, 0.0, FloatKind::F64), "(1.5+0j)");
        assert_eq!(
            complex_scalar_str(1.0, f64::NAN, FloatKind::F64),
            "(1+nanj)"
        );
        assert_eq!(bfloat16_text(1.203125), "1.20312");
        assert_eq!(bfloat16_text(0.100097656), "0.100098");
        assert_eq!(
            bfloat16_text(half::bf16::from_f32(1e-5).to_f32()),
            "1.00136e-05"
        );
        assert_eq!(bfloat16_text(-f32::NAN), "nan");
        assert_eq!(bfloat16_text(-0.0), "-0");
        assert_eq!(bfloat16_text(3.0), "3");
    }
}
