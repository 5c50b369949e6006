//! `PJRT_NamedValue`: the typed key-value pairs of plugin attributes and client options.

use std::ffi::c_char;

use xla_sys as sys;
use xla_sys::PjrtStruct;

use super::plugin::copy_string;

/// A value of a PJRT named value: a plugin attribute or a client creation option.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedValue {
    /// A string.
    String(String),
    /// A 64-bit integer (`cpu_device_count` must be sent as one).
    Int64(i64),
    /// A list of 64-bit integers (versions come as `[major, minor, patch]`).
    Int64List(Vec<i64>),
    /// A 32-bit float.
    Float(f32),
    /// A boolean.
    Bool(bool),
}

impl NamedValue {
    /// The integer, if this is an `Int64`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            NamedValue::Int64(value) => Some(*value),
            _ => None,
        }
    }

    /// The `[major, minor, patch]` triple, if this is a three-element `Int64List`.
    pub fn as_version(&self) -> Option<[i64; 3]> {
        match self {
            NamedValue::Int64List(list) => list.as_slice().try_into().ok(),
            _ => None,
        }
    }

    /// Copies `len` named values that a plugin lends at `list`.
    ///
    /// # Safety
    /// `list` must be null or point at `len` initialised `PJRT_NamedValue`s whose pointers are
    /// valid for their stated sizes.
    pub(crate) unsafe fn read_list(
        list: *const sys::PJRT_NamedValue,
        len: usize,
    ) -> Vec<(String, NamedValue)> {
        if list.is_null() {
            return Vec::new();
        }
        // SAFETY: the caller guarantees `len` initialised values at `list`.
        let raw = unsafe { std::slice::from_raw_parts(list, len) };
        raw.iter()
            .map(|value| {
                // SAFETY: each field is read according to `type_`, as the header specifies;
                // strings and lists are valid for `value_size` elements.
                unsafe {
                    let name = copy_string(value.name, value.name_size);
                    let data = &value.__bindgen_anon_1;
                    let parsed = match value.type_ {
                        sys::PJRT_NamedValue_kString => {
                            NamedValue::String(copy_string(data.string_value, value.value_size))
                        }
                        sys::PJRT_NamedValue_kInt64 => NamedValue::Int64(data.int64_value),
                        sys::PJRT_NamedValue_kInt64List => NamedValue::Int64List(
                            std::slice::from_raw_parts(data.int64_array_value, value.value_size)
                                .to_vec(),
                        ),
                        sys::PJRT_NamedValue_kFloat => NamedValue::Float(data.float_value),
                        sys::PJRT_NamedValue_kBool => NamedValue::Bool(data.bool_value),
                        other => NamedValue::String(format!("<unknown named value type {other}>")),
                    };
                    (name, parsed)
                }
            })
            .collect()
    }

    /// A `PJRT_NamedValue` that borrows `name` and this value; it is valid while both live.
    pub(crate) fn to_raw(&self, name: &str) -> sys::PJRT_NamedValue {
        let mut raw = sys::PJRT_NamedValue::zeroed_sized();
        raw.name = name.as_ptr().cast::<c_char>();
        raw.name_size = name.len();
        match self {
            NamedValue::String(text) => {
                raw.type_ = sys::PJRT_NamedValue_kString;
                raw.__bindgen_anon_1.string_value = text.as_ptr().cast::<c_char>();
                raw.value_size = text.len();
            }
            NamedValue::Int64(value) => {
                raw.type_ = sys::PJRT_NamedValue_kInt64;
                raw.__bindgen_anon_1.int64_value = *value;
                raw.value_size = 1;
            }
            NamedValue::Int64List(list) => {
                raw.type_ = sys::PJRT_NamedValue_kInt64List;
                raw.__bindgen_anon_1.int64_array_value = list.as_ptr();
                raw.value_size = list.len();
            }
            NamedValue::Float(value) => {
                raw.type_ = sys::PJRT_NamedValue_kFloat;
                raw.__bindgen_anon_1.float_value = *value;
                raw.value_size = 1;
            }
            NamedValue::Bool(value) => {
                raw.type_ = sys::PJRT_NamedValue_kBool;
                raw.__bindgen_anon_1.bool_value = *value;
                raw.value_size = 1;
            }
        }
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_values_survive_a_round_trip_through_the_c_layout() {
        let values = [
            ("s", NamedValue::String("text".into())),
            ("i", NamedValue::Int64(-8)),
            ("l", NamedValue::Int64List(vec![1, 2, 3])),
            ("f", NamedValue::Float(0.5)),
            ("b", NamedValue::Bool(true)),
        ];
        let raw: Vec<_> = values
            .iter()
            .map(|(name, value)| value.to_raw(name))
            .collect();
        // SAFETY: `raw` borrows `values`, which is alive.
        let back = unsafe { NamedValue::read_list(raw.as_ptr(), raw.len()) };
        let expected: Vec<_> = values
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        assert_eq!(back, expected);
        assert_eq!(back[2].1.as_version(), Some([1, 2, 3]));
        assert_eq!(back[1].1.as_int(), Some(-8));
    }
}
