//! The text JAX prints for an array: `repr` (`Array([0.5, 0. ], dtype=float32)`) and `str`
//! (`[0.5 0. ]`), which are NumPy's `array2string` with its default print options (line width
//! 75, summaries with `...` above 1000 elements, 3 edge items), laid out from the array's raw
//! host bytes. The text of float elements comes from [`float_format`].

// A child of this module, kept in its own file next to this one.

use super::float_format::{FloatFormat, FloatKind, bfloat16_text, complex_scalar_str, scalar_str};
use crate::DType;

/// NumPy's `linewidth`.
const LINE_WIDTH: usize = 75;
/// Arrays with more elements than this are summarized.
const THRESHOLD: usize = 1000;
/// A summarized axis shows this many items at each end.
const EDGE_ITEMS: usize = 3;

/// What `repr(x)` prints for a JAX array `x` with these row-major little-endian `bytes`:
/// `Array([[1, 2],\n       [3, 4]], dtype=int32)`, `Array(1., dtype=float32, weak_type=True)`.
///
/// Panics if `bytes` does not hold exactly the elements of `shape`.
pub(crate) fn array_repr(bytes: &[u8], dtype: DType, shape: &[usize], weak_type: bool) -> String {
    if let DType::Key(prng) = dtype {
        return key_array_repr(bytes, prng, shape);
    }
    let size = checked_size(bytes, dtype, shape);
    let dtype_str = match weak_type {
        true => format!("dtype={dtype}, weak_type=True"),
        false => format!("dtype={dtype}"),
    };
    let body = match size {
        0 => format!("[], shape={}", shape_tuple(shape)),
        _ => array2string(
            bytes,
            dtype,
            shape,
            ", ",
            "Array(".len(),
            LINE_WIDTH - ",".len(),
        ),
    };
    // JAX's test, quirks included: it counts the last line 2 too long, and when the dtype does
    // not fit it indents it by `len("Array(")` spaces on the same line.
    let last_line_len = body.len() - body.rfind('\n').map_or(0, |i| i + 1) + 2;
    let sep = if last_line_len + dtype_str.len() + 2 > LINE_WIDTH {
        "      "
    } else {
        " "
    };
    format!("Array({body},{sep}{dtype_str})")
}

/// What `str(x)` (and `print(x)`) prints for a JAX array: `[0.5 0.5 0. ]`, and NumPy's scalar
/// text (`1.0`, `(1+2j)`, `True`) for rank 0.
///
/// Panics if `bytes` does not hold exactly the elements of `shape`.
pub(crate) fn array_str(bytes: &[u8], dtype: DType, shape: &[usize]) -> String {
    if let DType::Key(prng) = dtype {
        return key_array_repr(bytes, prng, shape);
    }
    match checked_size(bytes, dtype, shape) {
        _ if shape.is_empty() => match read(bytes, dtype, 0) {
            Scalar::Bool(b) => python_bool(b).into(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(v, kind) => scalar_str(v, kind),
            Scalar::BFloat16(x) => bfloat16_text(x),
            Scalar::Complex(re, im, kind) => complex_scalar_str(re, im, kind),
        },
        0 => "[]".into(),
        _ => array2string(bytes, dtype, shape, " ", 0, LINE_WIDTH),
    }
}

/// The number of elements, after checking that `bytes` holds exactly them.
fn checked_size(bytes: &[u8], dtype: DType, shape: &[usize]) -> usize {
    let size = shape.iter().product::<usize>();
    assert_eq!(
        bytes.len(),
        size * dtype.size_in_bytes(),
        "{dtype} array of shape {shape:?}"
    );
    size
}

/// A shape as Python writes a tuple: `()`, `(0,)`, `(0, 4)`.
fn shape_tuple(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    }
}

fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// One element, decoded; floats are held exactly as `f64`s of their [`FloatKind`].
#[derive(Debug, Clone, Copy)]
enum Scalar {
    Bool(bool),
    Int(i128),
    Float(f64, FloatKind),
    /// `bfloat16` is no NumPy float: NumPy prints each element's own `repr`, unaligned.
    BFloat16(f32),
    Complex(f64, f64, FloatKind),
}

/// JAX's `repr` (and `str`) of a key array: its shape and key dtype, then its key data,
/// `Array((), dtype=key<fry>) overlaying:\n[0 0]`.
fn key_array_repr(bytes: &[u8], prng: crate::random::PrngImpl, shape: &[usize]) -> String {
    let physical = [shape, &[prng.key_words()]].concat();
    format!(
        "Array({}, dtype={}) overlaying:\n{}",
        shape_tuple(shape),
        prng.key_dtype_name(),
        array_str(bytes, DType::U32, &physical)
    )
}

/// Element `i` of the little-endian `bytes`.
fn read(bytes: &[u8], dtype: DType, i: usize) -> Scalar {
    let size = dtype.size_in_bytes();
    let b = &bytes[i * size..(i + 1) * size];
    let le2 = || [b[0], b[1]];
    let le4 = |at: usize| [b[at], b[at + 1], b[at + 2], b[at + 3]];
    let le8 = |at: usize| std::array::from_fn(|k| b[at + k]);
    match dtype {
        DType::Key(_) => unreachable!("key arrays are printed as their key data"),
        DType::Bool => Scalar::Bool(b[0] != 0),
        DType::I8 => Scalar::Int(i8::from_le_bytes([b[0]]).into()),
        DType::I16 => Scalar::Int(i16::from_le_bytes(le2()).into()),
        DType::I32 => Scalar::Int(i32::from_le_bytes(le4(0)).into()),
        DType::I64 => Scalar::Int(i64::from_le_bytes(le8(0)).into()),
        DType::U8 => Scalar::Int(b[0].into()),
        DType::U16 => Scalar::Int(u16::from_le_bytes(le2()).into()),
        DType::U32 => Scalar::Int(u32::from_le_bytes(le4(0)).into()),
        DType::U64 => Scalar::Int(u64::from_le_bytes(le8(0)).into()),
        DType::F16 => Scalar::Float(half::f16::from_le_bytes(le2()).into(), FloatKind::F16),
        DType::BF16 => Scalar::BFloat16(half::bf16::from_le_bytes(le2()).into()),
        DType::F32 => Scalar::Float(f32::from_le_bytes(le4(0)).into(), FloatKind::F32),
        DType::F64 => Scalar::Float(f64::from_le_bytes(le8(0)), FloatKind::F64),
        DType::C64 => Scalar::Complex(
            f32::from_le_bytes(le4(0)).into(),
            f32::from_le_bytes(le4(4)).into(),
            FloatKind::F32,
        ),
        DType::C128 => Scalar::Complex(
            f64::from_le_bytes(le8(0)),
            f64::from_le_bytes(le8(8)),
            FloatKind::F64,
        ),
    }
}

/// How each element of one array is written, fixed from all the elements shown.
enum ElementFormat {
    /// ` True` and `False` line up, except in a scalar.
    Bool {
        rank0: bool,
    },
    /// Right-aligned to the widest.
    Int {
        width: usize,
    },
    Float(FloatFormat),
    BFloat16,
    /// The real and imaginary parts are aligned separately: `1. +2.j`.
    Complex {
        re: FloatFormat,
        im: FloatFormat,
    },
}

impl ElementFormat {
    fn new(shown: &[Scalar], rank0: bool) -> ElementFormat {
        let floats = |f: fn(&Scalar) -> f64| shown.iter().map(f).collect::<Vec<f64>>();
        match shown.first() {
            Some(Scalar::Int(_)) => {
                let ints = shown
                    .iter()
                    .map(|s| if let Scalar::Int(i) = s { *i } else { 0 });
                let width = ints.map(|i| i.to_string().len()).max().unwrap_or(0);
                ElementFormat::Int { width }
            }
            Some(Scalar::Float(_, kind)) => {
                let values = floats(|s| if let Scalar::Float(v, _) = s { *v } else { 0.0 });
                ElementFormat::Float(FloatFormat::new(&values, *kind, false))
            }
            Some(Scalar::Complex(_, _, kind)) => {
                let re = floats(|s| {
                    if let Scalar::Complex(re, _, _) = s {
                        *re
                    } else {
                        0.0
                    }
                });
                let im = floats(|s| {
                    if let Scalar::Complex(_, im, _) = s {
                        *im
                    } else {
                        0.0
                    }
                });
                let re = FloatFormat::new(&re, *kind, false);
                ElementFormat::Complex {
                    re,
                    im: FloatFormat::new(&im, *kind, true),
                }
            }
            Some(Scalar::BFloat16(_)) => ElementFormat::BFloat16,
            Some(Scalar::Bool(_)) | None => ElementFormat::Bool { rank0 },
        }
    }

    fn format(&self, x: Scalar) -> String {
        match (self, x) {
            (ElementFormat::Bool { rank0: false }, Scalar::Bool(true)) => " True".into(),
            (ElementFormat::Bool { .. }, Scalar::Bool(b)) => python_bool(b).into(),
            (ElementFormat::Int { width }, Scalar::Int(i)) => format!("{i:>width$}"),
            (ElementFormat::Float(format), Scalar::Float(v, _)) => format.format(v),
            (ElementFormat::BFloat16, Scalar::BFloat16(x)) => bfloat16_text(x),
            (ElementFormat::Complex { re, im }, Scalar::Complex(x, y, _)) => {
                // The `j` goes before the imaginary part's padding.
                let im = im.format(y);
                let end = im.trim_end().len();
                format!("{}{}j{}", re.format(x), &im[..end], &im[end..])
            }
            _ => unreachable!("an element format is made from elements of one dtype"),
        }
    }
}

/// The indices shown along an axis of length `len`.
fn shown(len: usize, summarize: bool) -> Vec<usize> {
    match summarize && len > 2 * EDGE_ITEMS {
        true => (0..EDGE_ITEMS).chain(len - EDGE_ITEMS..len).collect(),
        false => (0..len).collect(),
    }
}

/// NumPy's `array2string` of a non-empty array: elements joined by `separator`, lines broken
/// before `line_width` and continued under the first `[`, which follows `prefix_len` characters.
fn array2string(
    bytes: &[u8],
    dtype: DType,
    shape: &[usize],
    separator: &str,
    prefix_len: usize,
    line_width: usize,
) -> String {
    let summarize = shape.iter().product::<usize>() > THRESHOLD;
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    let mut offsets = vec![0];
    for (&len, &stride) in shape.iter().zip(&strides) {
        let along = shown(len, summarize);
        offsets = offsets
            .iter()
            .flat_map(|o| along.iter().map(move |i| o + i * stride))
            .collect();
    }
    let values: Vec<Scalar> = offsets.iter().map(|&i| read(bytes, dtype, i)).collect();
    let layout = Layout {
        bytes,
        dtype,
        shape,
        strides: &strides,
        format: ElementFormat::new(&values, shape.is_empty()),
        separator,
        summarize,
    };
    layout.nest(0, 0, &" ".repeat(1 + prefix_len), line_width)
}

/// The state of NumPy's `_formatArray`.
struct Layout<'a> {
    bytes: &'a [u8],
    dtype: DType,
    shape: &'a [usize],
    strides: &'a [usize],
    format: ElementFormat,
    separator: &'a str,
    summarize: bool,
}

impl Layout<'_> {
    /// The sub-array at `offset` from `axis` on, its continuation lines starting with `indent`,
    /// in `width` columns.
    fn nest(&self, axis: usize, offset: usize, indent: &str, width: usize) -> String {
        if axis == self.shape.len() {
            return self.format.format(read(self.bytes, self.dtype, offset));
        }
        let len = self.shape[axis];
        let item = |i: usize| {
            let offset = offset + i * self.strides[axis];
            self.nest(
                axis + 1,
                offset,
                &format!("{indent} "),
                width.saturating_sub(1),
            )
        };
        let summary = self.summarize && len > 2 * EDGE_ITEMS;
        let (leading, trailing) = if summary {
            (EDGE_ITEMS, EDGE_ITEMS)
        } else {
            (0, len)
        };
        let separator = self.separator;
        let mut s = String::new();
        if axis + 1 == self.shape.len() {
            let width = width.saturating_sub(separator.trim_end().len().max("]".len()));
            let mut line = indent.to_string();
            let words = (0..leading)
                .map(item)
                .chain(summary.then(|| "...".to_string()));
            for word in words.chain((1..trailing).rev().map(|i| item(len - 1 - i))) {
                extend_line(&mut s, &mut line, &word, width, indent);
                line += separator;
            }
            extend_line(&mut s, &mut line, &item(len - 1), width, indent);
            s += &line;
        } else {
            let line_sep =
                separator.trim_end().to_string() + &"\n".repeat(self.shape.len() - axis - 1);
            let rows = (0..leading)
                .map(item)
                .chain(summary.then(|| "...".to_string()));
            for row in rows.chain((1..trailing).rev().map(|i| item(len - 1 - i))) {
                s += indent;
                s += &row;
                s += &line_sep;
            }
            s += indent;
            s += &item(len - 1);
        }
        format!("[{}]", &s[indent.len()..])
    }
}

/// Appends `word` to `line`, first moving `line` into `s` if `word` would pass `width` (and
/// the line holds more than its `indent`).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, indent: &str) {
    if line.len() + word.len() > width && line.len() > indent.len() {
        *s += line.trim_end();
        *s += "\n";
        *line = indent.to_string();
    }
    *line += word;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON string literal (as Python's `json.dumps` writes ASCII text), decoded.
    fn json_string(text: &str) -> String {
        let inner = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .expect(text);
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            out.push(match c {
                '\\' => match chars.next() {
                    Some('n') => '\n',
                    Some(c @ ('"' | '\\' | '/')) => c,
                    other => panic!("unexpected escape {other:?} in {text}"),
                },
                c => c,
            });
        }
        out
    }

    #[test]
    fn matches_jax_golden_cases() {
        let golden = include_str!("../../tests/golden/format.txt");
        let (mut cases, mut failures) = (0, Vec::new());
        for line in golden.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            let [name, dtype, shape, weak, hex, repr, str] = fields[..] else {
                panic!("malformed golden line {line}");
            };
            let dtype = *DType::ALL.iter().find(|d| d.name() == dtype).expect(dtype);
            let shape: Vec<usize> = match shape {
                "-" => vec![],
                dims => dims.split(',').map(|d| d.parse().unwrap()).collect(),
            };
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let got = (
                array_repr(&bytes, dtype, &shape, weak == "1"),
                array_str(&bytes, dtype, &shape),
            );
            let want = (json_string(repr), json_string(str));
            if got != want {
                failures.push(format!("{name}:\n got {got:?}\nwant {want:?}"));
            }
            cases += 1;
        }
        assert!(cases >= 40, "only {cases} golden cases");
        assert!(
            failures.is_empty(),
            "{} of {cases} cases differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    fn f32_bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn documented_examples() {
        let halves = f32_bytes(&[0.5, 0.5, 0.0]);
        assert_eq!(
            array_repr(&halves, DType::F32, &[3], false),
            "Array([0.5, 0.5, 0. ], dtype=float32)"
        );
        assert_eq!(array_str(&halves, DType::F32, &[3]), "[0.5 0.5 0. ]");
        let one = f32_bytes(&[1.0]);
        assert_eq!(
            array_repr(&one, DType::F32, &[], true),
            "Array(1., dtype=float32, weak_type=True)"
        );
        assert_eq!(
            array_repr(&[1, 0], DType::Bool, &[2], false),
            "Array([ True, False], dtype=bool)"
        );
        let ints: Vec<u8> = [1i32, 2, 3, 4]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let square = "Array([[1, 2],\n       [3, 4]], dtype=int32)";
        assert_eq!(array_repr(&ints, DType::I32, &[2, 2], false), square);
        assert_eq!(
            array_repr(&[], DType::F32, &[0, 4], false),
            "Array([], shape=(0, 4), dtype=float32)"
        );
        assert_eq!(array_str(&[], DType::F32, &[0, 4]), "[]");
    }

    #[test]
    fn complex_bool_and_int_scalars() {
        let c = f32_bytes(&[1.0, 2.0]);
        assert_eq!(
            array_repr(&c, DType::C64, &[], false),
            "Array(1.+2.j, dtype=complex64)"
        );
        assert_eq!(array_str(&c, DType::C64, &[]), "(1+2j)");
        assert_eq!(array_str(&[1], DType::Bool, &[]), "True");
        assert_eq!(
            array_repr(&[0xff], DType::U8, &[], true),
            "Array(255, dtype=uint8, weak_type=True)"
        );
    }

    #[test]
    fn summarizes_above_1000_elements() {
        let bytes: Vec<u8> = (0..1001).map(|i| (i % 7) as u8).collect();
        let repr = array_repr(&bytes, DType::I8, &[1001], false);
        assert_eq!(repr, "Array([0, 1, 2, ..., 4, 5, 6], dtype=int8)");
    }

    #[test]
    #[should_panic(expected = "float32 array of shape [2]")]
    fn rejects_bytes_of_another_size() {
        array_str(&[0; 4], DType::F32, &[2]);
    }
}
