//! Viewing host slices of [`Element`]s as bytes and back: the only byte-level reinterpretation
//! in rjax, kept here beside the rest of the `unsafe` code.

use crate::{DType, Element};

/// The bytes of `data`, in memory order (little-endian on every supported host).
pub(crate) fn bytes_of<T: Element>(data: &[T]) -> &[u8] {
    // SAFETY: `Element` types are plain data without padding (sealed; see `crate::dtype`), so
    // every byte of the slice is initialised; the length covers exactly the slice.
    unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data)) }
}

/// The elements whose little-endian bytes are `bytes` (a trailing partial element is ignored).
/// Bytes of a `bool` array are normalised: any nonzero byte is `true`.
pub(crate) fn elements_from_bytes<T: Element>(bytes: &[u8]) -> Vec<T> {
    let count = bytes.len() / std::mem::size_of::<T>();
    let mut values = Vec::<T>::with_capacity(count);
    let normalised: Vec<u8>;
    let source = if T::DTYPE == DType::Bool {
        normalised = bytes.iter().map(|&b| u8::from(b != 0)).collect();
        &normalised[..]
    } else {
        bytes
    };
    // SAFETY: the vector has room for `count` elements, exactly `count * size_of::<T>()` bytes
    // are copied into it, and those bytes form valid values: every bit pattern is valid for
    // the numeric Element types, and bool bytes were normalised to 0 or 1 just above.
    unsafe {
        std::ptr::copy_nonoverlapping(
            source.as_ptr(),
            values.as_mut_ptr().cast::<u8>(),
            count * std::mem::size_of::<T>(),
        );
        values.set_len(count);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_bool_normalisation() {
        let values = [1.5f64, -2.0, 3.25];
        assert_eq!(elements_from_bytes::<f64>(bytes_of(&values)), values);
        assert_eq!(elements_from_bytes::<bool>(&[0, 1, 7]), [false, true, true]);
        assert_eq!(elements_from_bytes::<i16>(&[1, 0, 255, 255, 9]), [1, -1]);
    }
}
