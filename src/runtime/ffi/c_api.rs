//! The XLA FFI C ABI as the plugins rjax loads implement it, declared by hand.
//!
//! Only what rjax's handlers touch is declared: the call frame a handler receives, its
//! argument, result and attribute lists, the metadata extension of the registration-time
//! query, and the error constructor of the API table. Field offsets were checked against the
//! three CPU plugins rjax ships with (PJRT C API 0.81, 0.106 and 0.115, FFI API 0.1–0.4):
//! the call frame is 168 bytes up to `attrs` (newer ones append a `future` pointer, which rjax
//! neither reads nor writes), a buffer is 48 bytes, the metadata struct 36 bytes.
//!
//! Every struct begins with its own `struct_size`, which the reader checks before it trusts
//! any field past the first two.

#![allow(non_camel_case_types)] // The C names, so the declarations can be checked by eye.

use std::ffi::{c_char, c_int, c_void};

/// `XLA_FFI_Extension_Base`: a node of an extension list.
#[repr(C)]
pub(crate) struct XLA_FFI_Extension_Base {
    pub struct_size: usize,
    pub kind: c_int,
    pub next: *mut XLA_FFI_Extension_Base,
}

/// The extension type of the metadata query.
pub(crate) const XLA_FFI_EXTENSION_METADATA: c_int = 1;

/// `XLA_FFI_Api_Version`.
#[repr(C)]
pub(crate) struct XLA_FFI_Api_Version {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub major_version: c_int,
    pub minor_version: c_int,
}

/// `XLA_FFI_Metadata`: what a handler reports about itself when XLA asks at registration.
#[repr(C)]
pub(crate) struct XLA_FFI_Metadata {
    pub struct_size: usize,
    pub api_version: XLA_FFI_Api_Version,
    pub traits: u32,
}

/// `XLA_FFI_Metadata_Extension`: the extension a metadata query carries in the call frame.
#[repr(C)]
pub(crate) struct XLA_FFI_Metadata_Extension {
    pub extension_base: XLA_FFI_Extension_Base,
    pub metadata: *mut XLA_FFI_Metadata,
}

/// An opaque error object, owned by whoever receives it.
#[repr(C)]
pub(crate) struct XLA_FFI_Error {
    _opaque: [u8; 0],
}

/// `XLA_FFI_Error_Create_Args`.
#[repr(C)]
pub(crate) struct XLA_FFI_Error_Create_Args {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub message: *const c_char,
    pub errc: c_int,
}

/// `XLA_FFI_Error_Code_INTERNAL`.
pub(crate) const XLA_FFI_ERROR_CODE_INTERNAL: c_int = 13;

/// `XLA_FFI_Error_Create`.
pub(crate) type XLA_FFI_Error_Create =
    unsafe extern "C" fn(args: *mut XLA_FFI_Error_Create_Args) -> *mut XLA_FFI_Error;

/// The head of `XLA_FFI_Api`, up to the error constructor (the rest is not used).
#[repr(C)]
pub(crate) struct XLA_FFI_Api {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub api_version: XLA_FFI_Api_Version,
    pub internal_api: *mut c_void,
    pub error_create: Option<XLA_FFI_Error_Create>,
}

/// `XLA_FFI_Buffer`: one array argument or result.
#[repr(C)]
pub(crate) struct XLA_FFI_Buffer {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub dtype: c_int,
    pub data: *mut c_void,
    pub rank: i64,
    pub dims: *const i64,
}

/// `XLA_FFI_ArgType_BUFFER` and `XLA_FFI_RetType_BUFFER`.
pub(crate) const XLA_FFI_BUFFER: c_int = 1;

/// `XLA_FFI_Args` and `XLA_FFI_Rets` share this shape: a list of typed pointers.
#[repr(C)]
pub(crate) struct XLA_FFI_List {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub size: i64,
    pub types: *const c_int,
    pub items: *const *mut c_void,
}

/// `XLA_FFI_ByteSpan`: a string that need not end in NUL.
#[repr(C)]
pub(crate) struct XLA_FFI_ByteSpan {
    pub ptr: *const c_char,
    pub len: usize,
}

/// `XLA_FFI_Scalar`.
#[repr(C)]
pub(crate) struct XLA_FFI_Scalar {
    pub dtype: c_int,
    pub value: *const c_void,
}

/// `XLA_FFI_AttrType_SCALAR`.
pub(crate) const XLA_FFI_ATTR_SCALAR: c_int = 3;
/// `XLA_FFI_AttrType_STRING`.
pub(crate) const XLA_FFI_ATTR_STRING: c_int = 4;

/// `XLA_FFI_Attrs`: attributes sorted by name.
#[repr(C)]
pub(crate) struct XLA_FFI_Attrs {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub size: i64,
    pub types: *const c_int,
    pub names: *const *const XLA_FFI_ByteSpan,
    pub attrs: *const *const c_void,
}

/// `XLA_FFI_ExecutionStage_EXECUTE`.
pub(crate) const XLA_FFI_STAGE_EXECUTE: c_int = 3;

/// `XLA_FFI_CallFrame`, up to `attrs` (the size every plugin in use reports at least).
#[repr(C)]
pub(crate) struct XLA_FFI_CallFrame {
    pub struct_size: usize,
    pub extension_start: *mut XLA_FFI_Extension_Base,
    pub api: *const XLA_FFI_Api,
    pub ctx: *mut c_void,
    pub stage: c_int,
    pub args: XLA_FFI_List,
    pub rets: XLA_FFI_List,
    pub attrs: XLA_FFI_Attrs,
}

/// An XLA FFI handler: what a typed custom call invokes.
pub(crate) type XLA_FFI_Handler =
    unsafe extern "C" fn(frame: *mut XLA_FFI_CallFrame) -> *mut XLA_FFI_Error;

/// `XLA_FFI_DataType` codes (XLA's `PrimitiveType` numbers).
pub(crate) mod data_type {
    use std::ffi::c_int;
    pub const PRED: c_int = 1;
    pub const S8: c_int = 2;
    pub const S16: c_int = 3;
    pub const S32: c_int = 4;
    pub const S64: c_int = 5;
    pub const U8: c_int = 6;
    pub const U16: c_int = 7;
    pub const U32: c_int = 8;
    pub const U64: c_int = 9;
    pub const F16: c_int = 10;
    pub const F32: c_int = 11;
    pub const F64: c_int = 12;
    pub const C64: c_int = 15;
    pub const BF16: c_int = 16;
    pub const C128: c_int = 18;
}

/// `PJRT_FFI_Register_Handler_Args` as the plugins in the version table read it: 52 bytes,
/// with no `api_version` field (header copies that have one make the official plugin abort).
#[repr(C)]
pub(crate) struct PJRT_FFI_Register_Handler_Args {
    pub struct_size: usize,
    pub target_name: *const c_char,
    pub target_name_size: usize,
    pub handler: *mut c_void,
    pub platform_name: *const c_char,
    pub platform_name_size: usize,
    pub traits: c_int,
}

/// The size the plugins check: up to and including `traits`.
pub(crate) const PJRT_FFI_REGISTER_HANDLER_ARGS_SIZE: usize = 52;

/// `PJRT_FFI_Register_Handler`.
pub(crate) type PJRT_FFI_Register_Handler =
    unsafe extern "C" fn(args: *mut PJRT_FFI_Register_Handler_Args) -> *mut xla_sys::PJRT_Error;

/// `PJRT_FFI_Extension`: the PJRT extension (type 5) through which handlers are registered.
#[repr(C)]
pub(crate) struct PJRT_FFI_Extension {
    pub base: xla_sys::PJRT_Extension_Base,
    pub type_id_register: *mut c_void,
    pub user_data_add: *mut c_void,
    pub register_handler: Option<PJRT_FFI_Register_Handler>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts_match_the_plugins() {
        assert_eq!(
            offset_of!(XLA_FFI_CallFrame, attrs) + size_of::<XLA_FFI_Attrs>(),
            168
        );
        assert_eq!(size_of::<XLA_FFI_Buffer>(), 48);
        assert_eq!(offset_of!(XLA_FFI_Metadata, traits) + 4, 36);
        assert_eq!(offset_of!(XLA_FFI_Api, error_create), 48);
        assert_eq!(offset_of!(PJRT_FFI_Register_Handler_Args, traits) + 4, 52);
        assert_eq!(size_of::<PJRT_FFI_Extension>(), 48);
        assert_eq!(offset_of!(XLA_FFI_Metadata_Extension, metadata), 24);
    }
}
