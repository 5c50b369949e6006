//! Arrays as raw little-endian bytes, for the checkpoint and interop tests that compare
//! values bit for bit with what NumPy and safetensors wrote or read: built only from rjax's
//! public typed API (`from_slice`, `to_vec`), so they check the loaders independently.

use half::{bf16, f16};
use rjax::{Array, Complex, DType};

/// The elements of `bytes` (little-endian) as values of `T`, `width` bytes each.
fn elements<T>(bytes: &[u8], width: usize, from: impl Fn(&[u8]) -> T) -> Vec<T> {
    bytes.chunks_exact(width).map(from).collect()
}

/// The array of `dtype` and `shape` whose row-major little-endian contents are `bytes`.
pub fn from_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Array {
    macro_rules! typed {
        ($ty:ty) => {{
            let values = elements(bytes, std::mem::size_of::<$ty>(), |b| {
                <$ty>::from_le_bytes(b.try_into().unwrap())
            });
            Array::from_slice(&values, shape).unwrap()
        }};
    }
    let c64 = |b: &[u8]| {
        let part = |r: &[u8]| f32::from_le_bytes(r.try_into().unwrap());
        Complex::new(part(&b[..4]), part(&b[4..]))
    };
    let c128 = |b: &[u8]| {
        let part = |r: &[u8]| f64::from_le_bytes(r.try_into().unwrap());
        Complex::new(part(&b[..8]), part(&b[8..]))
    };
    match dtype {
        DType::Bool => Array::from_slice(&elements(bytes, 1, |b| b[0] != 0), shape).unwrap(),
        DType::I8 => typed!(i8),
        DType::I16 => typed!(i16),
        DType::I32 => typed!(i32),
        DType::I64 => typed!(i64),
        DType::U8 => typed!(u8),
        DType::U16 => typed!(u16),
        DType::U32 => typed!(u32),
        DType::U64 => typed!(u64),
        DType::F16 => typed!(f16),
        DType::BF16 => typed!(bf16),
        DType::F32 => typed!(f32),
        DType::F64 => typed!(f64),
        DType::C64 => Array::from_slice(&elements(bytes, 8, c64), shape).unwrap(),
        DType::C128 => Array::from_slice(&elements(bytes, 16, c128), shape).unwrap(),
        DType::Key(_) => panic!("no key arrays here"),
    }
}

/// The row-major little-endian contents of `array`.
pub fn to_bytes(array: &Array) -> Vec<u8> {
    macro_rules! typed {
        ($ty:ty) => {
            array
                .to_vec::<$ty>()
                .unwrap()
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect()
        };
    }
    match array.dtype() {
        DType::Bool => array
            .to_vec::<bool>()
            .unwrap()
            .iter()
            .map(|&b| u8::from(b))
            .collect(),
        DType::I8 => typed!(i8),
        DType::I16 => typed!(i16),
        DType::I32 => typed!(i32),
        DType::I64 => typed!(i64),
        DType::U8 => typed!(u8),
        DType::U16 => typed!(u16),
        DType::U32 => typed!(u32),
        DType::U64 => typed!(u64),
        DType::F16 => typed!(f16),
        DType::BF16 => typed!(bf16),
        DType::F32 => typed!(f32),
        DType::F64 => typed!(f64),
        DType::C64 => array
            .to_vec::<Complex<f32>>()
            .unwrap()
            .iter()
            .flat_map(|c| [c.re.to_le_bytes(), c.im.to_le_bytes()].concat())
            .collect(),
        DType::C128 => array
            .to_vec::<Complex<f64>>()
            .unwrap()
            .iter()
            .flat_map(|c| [c.re.to_le_bytes(), c.im.to_le_bytes()].concat())
            .collect(),
        DType::Key(_) => panic!("no key arrays here"),
    }
}

/// `count` elements of `dtype` of pseudo-random bits (every bit pattern: NaNs with payloads,
/// infinities, subnormals, `-0.0`), as little-endian bytes; `bool`s are 0 or 1.
pub fn random_bytes(dtype: DType, count: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    };
    let len = count * dtype.size_in_bytes();
    (0..len)
        .map(|_| {
            let byte = next();
            if dtype == DType::Bool { byte & 1 } else { byte }
        })
        .collect()
}

/// `bytes` in hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes written in hexadecimal by `text`.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// An array Python printed as one `name dtype shape hex` line (shape dimensions joined by
/// commas, empty for a scalar; `-` for no bytes).
pub struct PrintedArray {
    /// Its name (a tensor's, a file's, `archive/name`).
    pub name: String,
    /// NumPy's name of its dtype.
    pub dtype: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its bytes, little-endian, row-major.
    pub bytes: Vec<u8>,
}

/// The arrays of Python's `name dtype shape hex` lines.
pub fn parse_printed_arrays(output: &str) -> Vec<PrintedArray> {
    output
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            PrintedArray {
                name: fields[0].to_string(),
                dtype: fields[1].to_string(),
                shape: fields[2]
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(|d| d.parse().unwrap())
                    .collect(),
                bytes: if fields[3] == "-" {
                    Vec::new()
                } else {
                    unhex(fields[3])
                },
            }
        })
        .collect()
}
