//! The mapping between [`DType`] and PJRT's `PJRT_Buffer_Type`.

use xla_sys as sys;

use crate::{DType, Error, Result};

/// PJRT's element type for `dtype`.
pub(crate) fn to_pjrt(dtype: DType) -> sys::PJRT_Buffer_Type {
    match dtype {
        DType::Bool => sys::PJRT_Buffer_Type_PRED,
        DType::I8 => sys::PJRT_Buffer_Type_S8,
        DType::I16 => sys::PJRT_Buffer_Type_S16,
        DType::I32 => sys::PJRT_Buffer_Type_S32,
        DType::I64 => sys::PJRT_Buffer_Type_S64,
        DType::U8 => sys::PJRT_Buffer_Type_U8,
        DType::U16 => sys::PJRT_Buffer_Type_U16,
        DType::U32 => sys::PJRT_Buffer_Type_U32,
        DType::U64 => sys::PJRT_Buffer_Type_U64,
        DType::F16 => sys::PJRT_Buffer_Type_F16,
        DType::BF16 => sys::PJRT_Buffer_Type_BF16,
        DType::F32 => sys::PJRT_Buffer_Type_F32,
        DType::F64 => sys::PJRT_Buffer_Type_F64,
        DType::C64 => sys::PJRT_Buffer_Type_C64,
        DType::C128 => sys::PJRT_Buffer_Type_C128,
        // Key arrays live in buffers of their physical type, `uint32` words.
        DType::Key(_) => sys::PJRT_Buffer_Type_U32,
    }
}

/// The dtype of a PJRT element type; types rjax has no dtype for (fp8, int4, tokens) are errors.
pub(crate) fn from_pjrt(element_type: sys::PJRT_Buffer_Type) -> Result<DType> {
    DType::ALL
        .into_iter()
        .find(|&dtype| to_pjrt(dtype) == element_type)
        .ok_or_else(|| {
            Error::invalid(
                "PJRT_Buffer_ElementType",
                format!(
                    "the buffer has PJRT element type {element_type}, which rjax does not support"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dtype_maps_to_a_distinct_pjrt_type_and_back() {
        for dtype in DType::ALL {
            assert_eq!(from_pjrt(to_pjrt(dtype)).unwrap(), dtype);
        }
        assert!(from_pjrt(sys::PJRT_Buffer_Type_F8E5M2).is_err());
    }
}
