//! NumPy's `.npy` files (header parsed and written by `npyz`): one array, any rjax dtype but
//! `bfloat16` and key dtypes.
//!
//! NumPy has no native bfloat16 (ml_dtypes' `bfloat16` is saved by `np.save` as the opaque
//! void type `V2`, which loses the type), so a `bfloat16` array is refused with an error that
//! suggests `astype(F32)` or safetensors. Reading accepts what NumPy writes: either byte order
//! (big-endian data is swapped) and C or Fortran order (Fortran data is transposed to rjax's
//! row-major layout). Structured, string, object (pickled) and datetime arrays are refused.

use crate::IntoArray;
use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

use npyz::{Endianness, NpyHeader, Order, TypeChar, TypeStr, WriteOptions, WriterBuilder};

use super::tensors::{IN_MEMORY, RawTensor, leaf_bytes, read_file, write_file};
use crate::{Array, DType, Error, Result};

/// NumPy's type string of `dtype` (little-endian), or `None` when NumPy has no such type.
fn type_string(dtype: DType) -> Option<&'static str> {
    Some(match dtype {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::C128 => "<c16",
        DType::BF16 | DType::Key(_) => return None,
    })
}

/// The rjax dtype of a NumPy type string, if rjax has one.
fn dtype_of(type_str: &TypeStr) -> Option<DType> {
    let size = type_str.size_field();
    Some(match (type_str.type_char(), size) {
        (TypeChar::Bool, 1) => DType::Bool,
        (TypeChar::Int, 1) => DType::I8,
        (TypeChar::Int, 2) => DType::I16,
        (TypeChar::Int, 4) => DType::I32,
        (TypeChar::Int, 8) => DType::I64,
        (TypeChar::Uint, 1) => DType::U8,
        (TypeChar::Uint, 2) => DType::U16,
        (TypeChar::Uint, 4) => DType::U32,
        (TypeChar::Uint, 8) => DType::U64,
        (TypeChar::Float, 2) => DType::F16,
        (TypeChar::Float, 4) => DType::F32,
        (TypeChar::Float, 8) => DType::F64,
        (TypeChar::Complex, 8) => DType::C64,
        (TypeChar::Complex, 16) => DType::C128,
        _ => return None,
    })
}

/// The `.npy` file of `array`, in memory.
pub fn npy_bytes(array: impl IntoArray) -> Result<Vec<u8>> {
    let array = &array.into_array();
    encode(Path::new(IN_MEMORY), "", array)
}

/// The `.npy` file of `array`, whose errors name `path` and `name`.
pub(crate) fn encode(path: &Path, name: &str, array: &Array) -> Result<Vec<u8>> {
    let tensor = (!name.is_empty()).then_some(name);
    let bytes = leaf_bytes(path, name, array)?;
    let type_str = type_string(array.dtype()).ok_or_else(|| {
        let hint = if array.dtype() == DType::BF16 {
            " (NumPy has no bfloat16: convert with astype(DType::F32), or use safetensors)"
        } else {
            ""
        };
        Error::checkpoint(
            path,
            tensor,
            format!(
                "a .npy file cannot hold {} (the array is {}){hint}",
                array.dtype(),
                array.aval()
            ),
        )
    })?;
    let type_str: TypeStr = type_str.parse().expect("a valid NumPy type string");
    let shape: Vec<u64> = array.shape().iter().map(|&d| d as u64).collect();
    let mut out = Vec::with_capacity(128 + bytes.len());
    WriteOptions::new_header_only()
        .dtype(npyz::DType::Plain(type_str))
        .shape(&shape)
        .writer(&mut out)
        .write_header_only()
        .map_err(|error| Error::checkpoint(path, tensor, error))?;
    out.extend_from_slice(bytes);
    Ok(out)
}

/// Reads the array of the `.npy` file `bytes` (whose errors name `path` and `name`) as a
/// [`RawTensor`] in rjax's layout: little-endian, row-major.
pub(crate) fn decode<'a>(
    path: &Path,
    name: Option<&str>,
    bytes: &'a [u8],
) -> Result<RawTensor<'a>> {
    let fail = |message: String| Error::checkpoint(path, name, message);
    let mut reader = Cursor::new(bytes);
    let header = NpyHeader::from_reader(&mut reader)
        .map_err(|error| fail(format!("not a valid .npy file: {error}")))?;
    let npyz::DType::Plain(type_str) = header.dtype() else {
        return Err(fail(format!(
            "structured arrays are not supported (dtype {})",
            header.dtype().descr()
        )));
    };
    let dtype = dtype_of(&type_str)
        .ok_or_else(|| fail(format!("rjax has no dtype for NumPy's {type_str}")))?;
    let shape = header
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<Vec<usize>, _>>()
        .map_err(|_| fail(format!("the shape {:?} is too large", header.shape())))?;
    let needed = crate::shape_check::check_shape("load", &shape, dtype)
        .map_err(|error| fail(error.to_string()))?
        * dtype.size_in_bytes();
    let data = &bytes[reader.position() as usize..];
    if data.len() != needed {
        return Err(fail(format!(
            "{dtype}{shape:?} needs {needed} bytes of data, the file has {}",
            data.len()
        )));
    }
    let mut data = Cow::Borrowed(data);
    if type_str.endianness() == Endianness::Big {
        // Complex numbers swap each part.
        let part = if dtype.is_complex() {
            dtype.size_in_bytes() / 2
        } else {
            dtype.size_in_bytes()
        };
        data.to_mut()
            .chunks_exact_mut(part)
            .for_each(<[u8]>::reverse);
    }
    if header.order() == Order::Fortran && shape.len() > 1 {
        data = Cow::Owned(fortran_to_c(&data, &shape, dtype.size_in_bytes()));
    }
    Ok(RawTensor {
        dtype,
        shape,
        bytes: data,
    })
}

/// The row-major layout of elements of `width` bytes stored column-major with `shape`.
fn fortran_to_c(data: &[u8], shape: &[usize], width: usize) -> Vec<u8> {
    // Column-major strides, in elements.
    let mut strides = vec![1usize; shape.len()];
    for axis in 1..shape.len() {
        strides[axis] = strides[axis - 1] * shape[axis - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    for _ in 0..data.len() / width {
        let offset: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        out.extend_from_slice(&data[offset * width..(offset + 1) * width]);
        // Advance the row-major index: the last axis fastest.
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    out
}

/// Saves `array` to the `.npy` file `path`, as `np.save` does (little-endian, C order).
pub fn save_npy(path: impl AsRef<Path>, array: impl IntoArray) -> Result<()> {
    let array = &array.into_array();
    let path = path.as_ref();
    write_file(path, &encode(path, "", array)?)
}

/// Loads the array of the `.npy` file `path` (as `np.load`); malformed files are errors
/// naming it.
pub fn load_npy(path: impl AsRef<Path>) -> Result<Array> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    decode(path, None, &bytes)?.into_array(path, None)
}

/// [`load_npy`] from the bytes of a file.
pub fn load_npy_from_bytes(bytes: &[u8]) -> Result<Array> {
    let path = Path::new(IN_MEMORY);
    decode(path, None, bytes)?.into_array(path, None)
}
