//! Leaves on the host for `check_grads`: values widened to f64 (complex as pairs), conversion
//! back to arrays, random directions, inner products and the text of mismatches.

use half::{bf16, f16};

use super::Rng;
use crate::scalar::Scalar;
use crate::{Array, Complex, DType, Error, Result};

/// A check failure.
pub(super) fn mismatch(message: String) -> Error {
    Error::invalid("check_grads", message)
}

/// The values of one leaf on the host, each as `[re, im]` in f64.
#[derive(Debug, Clone)]
pub(super) struct HostLeaf {
    pub(super) dtype: DType,
    pub(super) shape: Vec<usize>,
    pub(super) weak_type: bool,
    pub(super) values: Vec<[f64; 2]>,
}

impl HostLeaf {
    pub(super) fn conj(&self) -> HostLeaf {
        HostLeaf {
            values: self.values.iter().map(|v| [v[0], -v[1]]).collect(),
            ..self.clone()
        }
    }

    pub(super) fn to_array(&self) -> Result<Array> {
        from_host(&self.values, self.dtype, &self.shape, self.weak_type)
    }

    pub(super) fn type_name(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(usize::to_string).collect();
        format!("{}[{}]", self.dtype.short_name(), dims.join(","))
    }
}

pub(super) fn types(leaves: &[HostLeaf]) -> String {
    let names: Vec<String> = leaves.iter().map(HostLeaf::type_name).collect();
    names.join(", ")
}

/// Reads `x`'s elements as f64 pairs (waiting for them).
pub(super) fn host(x: &Array) -> Result<HostLeaf> {
    pub(super) fn real<T: crate::Element>(
        x: &Array,
        to_f64: impl Fn(T) -> f64,
    ) -> Result<Vec<[f64; 2]>> {
        Ok(x.to_vec::<T>()?
            .into_iter()
            .map(|v| [to_f64(v), 0.0])
            .collect())
    }
    let values = match x.dtype() {
        DType::Key(_) => {
            return Err(crate::Error::invalid(
                "check_grads",
                format!("key arrays ({}) have no numeric values", x.aval()),
            ));
        }
        DType::Bool => real(x, |v: bool| f64::from(u8::from(v)))?,
        DType::I8 => real(x, |v: i8| f64::from(v))?,
        DType::I16 => real(x, |v: i16| f64::from(v))?,
        DType::I32 => real(x, |v: i32| f64::from(v))?,
        DType::I64 => real(x, |v: i64| v as f64)?,
        DType::U8 => real(x, |v: u8| f64::from(v))?,
        DType::U16 => real(x, |v: u16| f64::from(v))?,
        DType::U32 => real(x, |v: u32| f64::from(v))?,
        DType::U64 => real(x, |v: u64| v as f64)?,
        DType::F16 => real(x, f16::to_f64)?,
        DType::BF16 => real(x, bf16::to_f64)?,
        DType::F32 => real(x, |v: f32| f64::from(v))?,
        DType::F64 => real(x, |v: f64| v)?,
        DType::C64 => x
            .to_vec::<Complex<f32>>()?
            .into_iter()
            .map(|v| [f64::from(v.re), f64::from(v.im)])
            .collect(),
        DType::C128 => x
            .to_vec::<Complex<f64>>()?
            .into_iter()
            .map(|v| [v.re, v.im])
            .collect(),
    };
    Ok(HostLeaf {
        dtype: x.dtype(),
        shape: x.shape().to_vec(),
        weak_type: x.weak_type(),
        values,
    })
}

pub(super) fn host_all(xs: &[Array]) -> Result<Vec<HostLeaf>> {
    xs.iter().map(host).collect()
}

/// An array of `dtype` and `shape` holding `values` (rounded to the dtype).
pub(super) fn from_host(
    values: &[[f64; 2]],
    dtype: DType,
    shape: &[usize],
    weak_type: bool,
) -> Result<Array> {
    let count: usize = shape.iter().product();
    if count != values.len() {
        return Err(Error::invalid(
            "test_util",
            format!(
                "{} values given for shape {shape:?}, which holds {count}",
                values.len()
            ),
        ));
    }
    let bytes: Vec<u8> = values
        .iter()
        .flat_map(|&[re, im]| match dtype {
            DType::C64 => [(re as f32).to_le_bytes(), (im as f32).to_le_bytes()].concat(),
            DType::C128 => [re.to_le_bytes(), im.to_le_bytes()].concat(),
            _ => Scalar::Float(re).to_bytes(dtype),
        })
        .collect();
    Ok(Array::from_host_bytes(
        &bytes,
        dtype,
        shape.to_vec(),
        weak_type,
    ))
}

/// Random normal directions like `xs`: zero for leaves that are not inexact.
pub(super) fn random_like(rng: &mut Rng, xs: &[Array]) -> Result<Vec<Array>> {
    xs.iter()
        .map(|x| {
            let values: Vec<[f64; 2]> = (0..x.size())
                .map(|_| match x.dtype() {
                    dtype if dtype.is_complex() => [rng.normal(), rng.normal()],
                    dtype if dtype.is_float() => [rng.normal(), 0.0],
                    _ => [0.0, 0.0],
                })
                .collect();
            from_host(&values, x.dtype(), x.shape(), x.weak_type())
        })
        .collect()
}

/// Checks that tangents or cotangents have their primals' shapes, and dtypes for inexact ones.
pub(super) fn check_types(
    what: &str,
    got: &[HostLeaf],
    primals: &[HostLeaf],
    kind: &str,
) -> Result<()> {
    let fits = got.len() == primals.len()
        && got
            .iter()
            .zip(primals)
            .all(|(g, p)| g.shape == p.shape && (g.dtype == p.dtype || !p.dtype.is_inexact()));
    if fits {
        return Ok(());
    }
    Err(mismatch(format!(
        "{what}: the types ({}) do not match the {kind} types ({})",
        types(got),
        types(primals)
    )))
}

/// `Re Σ conj(xᵢ)·yᵢ` over the inexact leaves, and `Σ |xᵢ|·|yᵢ|`.
pub(super) fn inner_product(xs: &[HostLeaf], ys: &[HostLeaf]) -> (f64, f64) {
    let mut sum = 0.0;
    let mut abs = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        if !(x.dtype.is_inexact() && y.dtype.is_inexact()) {
            continue;
        }
        for (a, b) in x.values.iter().zip(&y.values) {
            sum += a[0] * b[0] + a[1] * b[1];
            abs += a[0].hypot(a[1]) * b[0].hypot(b[1]);
        }
    }
    (sum, abs)
}

/// The multi-index of row-major `flat` in `shape`.
pub(super) fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (i, &size) in shape.iter().enumerate().rev() {
        if size > 0 {
            index[i] = flat % size;
            flat /= size;
        }
    }
    index
}

pub(super) fn show(value: [f64; 2], dtype: DType) -> String {
    if dtype.is_complex() {
        format!("{}{:+}i", value[0], value[1])
    } else {
        format!("{}", value[0])
    }
}
