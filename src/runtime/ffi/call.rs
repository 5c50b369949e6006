//! One invocation of a Rust handler: the call frame XLA passes, checked and decoded into safe
//! views ([`Call`]), and the `extern "C"` trampoline that answers XLA's metadata query, runs
//! the handler behind `catch_unwind`, and turns its error into an `XLA_FFI_Error`.

use std::any::Any;
use std::ffi::{CString, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::c_api::{self, XLA_FFI_CallFrame, XLA_FFI_Error, data_type};
use crate::DType;

/// The FFI API version rjax's handlers claim: 0.1, which every plugin in use accepts (the
/// official CPU plugin rejects 0.3).
const CLAIMED_API_VERSION: (i32, i32) = (0, 1);

/// A typed XLA FFI handler written in Rust: the target name its custom calls use, and the
/// work. Errors are messages; [`trampoline`] hands them to XLA, which fails the execution.
pub(crate) trait Handler {
    /// The `call_target_name` of the custom calls this handler serves.
    const TARGET: &'static str;

    /// Runs one call.
    fn call(call: &mut Call<'_>) -> Result<(), String>;
}

/// The entry point XLA calls for handler `H`.
///
/// # Safety
/// `frame` must be a call frame XLA passes to a registered handler: valid for the duration
/// of the call, with argument and result buffers as its lists describe.
pub(crate) unsafe extern "C" fn trampoline<H: Handler>(
    frame: *mut XLA_FFI_CallFrame,
) -> *mut XLA_FFI_Error {
    // SAFETY: XLA passes a valid frame (the caller's contract); the query and the call
    // decode it only after checking its size.
    unsafe {
        if answer_metadata_query(frame) {
            return std::ptr::null_mut();
        }
        let outcome = super::float_env::with_gradual_underflow(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut call = Call::decode(frame)?;
                H::call(&mut call)
            }))
        })
        .unwrap_or_else(|panic| Err(panic_message(panic.as_ref())));
        match outcome {
            Ok(()) => std::ptr::null_mut(),
            Err(message) => create_error(frame, &format!("{}: {message}", H::TARGET)),
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    format!("the handler panicked: {text}")
}

/// If `frame` is XLA's registration-time metadata query, fills in the claimed API version
/// and no traits, and returns true.
///
/// # Safety
/// `frame` must point at a call frame.
unsafe fn answer_metadata_query(frame: *mut XLA_FFI_CallFrame) -> bool {
    // SAFETY: every frame starts with `struct_size` and `extension_start`.
    let extension = unsafe { (*frame).extension_start };
    if extension.is_null() {
        return false;
    }
    // SAFETY: a non-null extension starts with an `XLA_FFI_Extension_Base`.
    let base = unsafe { &*extension };
    if base.kind != c_api::XLA_FFI_EXTENSION_METADATA
        || base.struct_size < std::mem::size_of::<c_api::XLA_FFI_Metadata_Extension>()
    {
        return false;
    }
    // SAFETY: the extension is the metadata extension, checked by type and size.
    let metadata = unsafe { (*extension.cast::<c_api::XLA_FFI_Metadata_Extension>()).metadata };
    if !metadata.is_null() {
        // SAFETY: XLA lends a metadata struct to fill in; only the version and the traits are
        // written, as the plugins read nothing else.
        unsafe {
            (*metadata).api_version.major_version = CLAIMED_API_VERSION.0;
            (*metadata).api_version.minor_version = CLAIMED_API_VERSION.1;
            (*metadata).traits = 0;
        }
    }
    true
}

/// An `XLA_FFI_Error` with `message`, made by the frame's own API table.
///
/// # Safety
/// `frame` must point at a call frame whose `api` is null or valid.
unsafe fn create_error(frame: *mut XLA_FFI_CallFrame, message: &str) -> *mut XLA_FFI_Error {
    // SAFETY: the frame is valid (the caller's contract); its size is checked before `api`.
    let api = unsafe {
        if (*frame).struct_size < std::mem::offset_of!(XLA_FFI_CallFrame, ctx) {
            return std::ptr::null_mut();
        }
        (*frame).api
    };
    // SAFETY: a non-null `api` is XLA's table, which lives as long as the plugin.
    let Some(api) = (unsafe { api.as_ref() }) else {
        return std::ptr::null_mut();
    };
    let needed = std::mem::offset_of!(c_api::XLA_FFI_Api, error_create)
        + std::mem::size_of::<Option<c_api::XLA_FFI_Error_Create>>();
    let Some(error_create) = api.error_create.filter(|_| api.struct_size >= needed) else {
        return std::ptr::null_mut();
    };
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    let mut args = c_api::XLA_FFI_Error_Create_Args {
        struct_size: std::mem::size_of::<c_api::XLA_FFI_Error_Create_Args>(),
        extension_start: std::ptr::null_mut(),
        message: text.as_ptr(),
        errc: c_api::XLA_FFI_ERROR_CODE_INTERNAL,
    };
    // SAFETY: `args` is complete; XLA copies the message into the status it creates.
    unsafe { error_create(&mut args) }
}

/// A scalar element type a handler can view a buffer as.
pub(crate) trait FfiElement: Copy + 'static {
    /// The dtype of buffers of this element.
    const DTYPE: DType;
}

macro_rules! ffi_elements {
    ($($rust:ty => $dtype:ident),* $(,)?) => {
        $(impl FfiElement for $rust {
            const DTYPE: DType = DType::$dtype;
        })*
    };
}
ffi_elements!(
    f32 => F32, f64 => F64, i32 => I32, i64 => I64, u8 => U8, u32 => U32,
    faer::c32 => C64, faer::c64 => C128,
);

fn dtype_of(code: i32) -> Option<DType> {
    Some(match code {
        data_type::PRED => DType::Bool,
        data_type::S8 => DType::I8,
        data_type::S16 => DType::I16,
        data_type::S32 => DType::I32,
        data_type::S64 => DType::I64,
        data_type::U8 => DType::U8,
        data_type::U16 => DType::U16,
        data_type::U32 => DType::U32,
        data_type::U64 => DType::U64,
        data_type::F16 => DType::F16,
        data_type::BF16 => DType::BF16,
        data_type::F32 => DType::F32,
        data_type::F64 => DType::F64,
        data_type::C64 => DType::C64,
        data_type::C128 => DType::C128,
        _ => return None,
    })
}

/// One argument or result buffer of a call: its type, shape and memory, valid for the call.
pub(crate) struct FfiBuffer<'call> {
    dtype: DType,
    dims: Vec<usize>,
    data: *mut c_void,
    _call: std::marker::PhantomData<&'call mut [u8]>,
}

impl FfiBuffer<'_> {
    /// The element type.
    pub(crate) fn dtype(&self) -> DType {
        self.dtype
    }

    /// The dimensions, outermost first.
    pub(crate) fn dims(&self) -> &[usize] {
        &self.dims
    }

    fn len(&self) -> usize {
        self.dims.iter().product()
    }

    fn check<T: FfiElement>(&self) -> Result<(), String> {
        if self.dtype == T::DTYPE {
            Ok(())
        } else {
            Err(format!(
                "a {} buffer was read as {}",
                self.dtype.name(),
                T::DTYPE.name()
            ))
        }
    }

    /// The elements, if they are of type `T`.
    pub(crate) fn slice<T: FfiElement>(&self) -> Result<&[T], String> {
        self.check::<T>()?;
        if self.len() == 0 {
            return Ok(&[]);
        }
        // SAFETY: XLA's buffer holds `len` elements of its dtype, which is `T`'s (checked),
        // and stays valid while the call, which `'call` bounds, runs.
        Ok(unsafe { std::slice::from_raw_parts(self.data.cast::<T>(), self.len()) })
    }

    /// The elements for writing, if they are of type `T` (results only: see [`Call`]).
    pub(crate) fn slice_mut<T: FfiElement>(&mut self) -> Result<&mut [T], String> {
        self.check::<T>()?;
        if self.len() == 0 {
            return Ok(&mut []);
        }
        // SAFETY: as in `slice`; no argument view of this memory is alive (rjax's custom calls
        // declare no aliasing; the jaxlib adapters, whose results may alias an operand, consume
        // the operand's view before viewing results), and `&mut self` makes this view unique.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.data.cast::<T>(), self.len()) })
    }

    /// The raw bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        let len = self.len() * self.dtype.size_in_bytes();
        if len == 0 {
            return &[];
        }
        // SAFETY: the buffer holds `len` bytes for the duration of the call.
        unsafe { std::slice::from_raw_parts(self.data.cast::<u8>(), len) }
    }

    /// The raw bytes for writing (results only).
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.len() * self.dtype.size_in_bytes();
        if len == 0 {
            return &mut [];
        }
        // SAFETY: as in `slice_mut`.
        unsafe { std::slice::from_raw_parts_mut(self.data.cast::<u8>(), len) }
    }
}

/// An attribute value: integers (any width, and booleans) read as `i64`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AttrValue {
    /// An integer or boolean scalar.
    Int(i64),
    /// A floating-point scalar.
    Float(f64),
    /// A string.
    Str(String),
}

/// A decoded call: argument buffers, result buffers and attributes.
pub(crate) struct Call<'call> {
    /// The operands, in order.
    pub args: Vec<FfiBuffer<'call>>,
    /// The results, in order, to be written.
    pub results: Vec<FfiBuffer<'call>>,
    attrs: Vec<(String, AttrValue)>,
}

impl Call<'_> {
    /// Decodes `frame`, checking every struct's size and every buffer's dtype code.
    ///
    /// # Safety
    /// `frame` must be a call frame XLA passes to a handler.
    unsafe fn decode(frame: *mut XLA_FFI_CallFrame) -> Result<Self, String> {
        // SAFETY: the frame is valid (the caller's contract).
        let frame = unsafe { &*frame };
        if frame.struct_size < std::mem::size_of::<XLA_FFI_CallFrame>() {
            return Err(format!(
                "the call frame is {} bytes, older than this handler reads ({})",
                frame.struct_size,
                std::mem::size_of::<XLA_FFI_CallFrame>()
            ));
        }
        if frame.stage != c_api::XLA_FFI_STAGE_EXECUTE {
            return Err(format!("called at execution stage {}", frame.stage));
        }
        // SAFETY: the lists are XLA's, valid for the call.
        let args = unsafe { buffers(&frame.args, "argument") }?;
        // SAFETY: as above.
        let results = unsafe { buffers(&frame.rets, "result") }?;
        // SAFETY: as above.
        let attrs = unsafe { attributes(&frame.attrs) }?;
        Ok(Call {
            args,
            results,
            attrs,
        })
    }

    fn attr(&self, name: &str) -> Result<&AttrValue, String> {
        self.attrs
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value))
            .ok_or_else(|| format!("the attribute `{name}` is missing"))
    }

    /// The integer attribute `name`.
    pub(crate) fn attr_i64(&self, name: &str) -> Result<i64, String> {
        match self.attr(name)? {
            AttrValue::Int(value) => Ok(*value),
            other => Err(format!(
                "the attribute `{name}` is {other:?}, not an integer"
            )),
        }
    }

    /// The boolean attribute `name` (an integer, nonzero meaning true).
    pub(crate) fn attr_bool(&self, name: &str) -> Result<bool, String> {
        self.attr_i64(name).map(|value| value != 0)
    }

    /// Checks the counts of arguments and results.
    pub(crate) fn expect_counts(&self, args: usize, results: usize) -> Result<(), String> {
        if self.args.len() == args && self.results.len() == results {
            Ok(())
        } else {
            Err(format!(
                "expected {args} operand(s) and {results} result(s), got {} and {}",
                self.args.len(),
                self.results.len()
            ))
        }
    }
}

/// The buffers of an argument or result list.
///
/// # Safety
/// `list` must be a list of a live call frame.
unsafe fn buffers<'call>(
    list: &c_api::XLA_FFI_List,
    what: &str,
) -> Result<Vec<FfiBuffer<'call>>, String> {
    let count = usize::try_from(list.size).map_err(|_| format!("{} {what}s", list.size))?;
    (0..count)
        .map(|index| {
            // SAFETY: `types` and `items` hold `size` entries (the caller's contract).
            let (kind, item) = unsafe { (*list.types.add(index), *list.items.add(index)) };
            if kind != c_api::XLA_FFI_BUFFER {
                return Err(format!("{what} {index} is not a buffer (type {kind})"));
            }
            // SAFETY: a buffer entry points at an `XLA_FFI_Buffer`.
            let buffer = unsafe { &*item.cast::<c_api::XLA_FFI_Buffer>() };
            let dtype = dtype_of(buffer.dtype)
                .ok_or_else(|| format!("{what} {index} has unknown dtype code {}", buffer.dtype))?;
            let rank = usize::try_from(buffer.rank).unwrap_or(0);
            let dims = if rank == 0 {
                Vec::new()
            } else {
                // SAFETY: `dims` holds `rank` entries.
                unsafe { std::slice::from_raw_parts(buffer.dims, rank) }
                    .iter()
                    .map(|&d| usize::try_from(d).unwrap_or(0))
                    .collect()
            };
            Ok(FfiBuffer {
                dtype,
                dims,
                data: buffer.data,
                _call: std::marker::PhantomData,
            })
        })
        .collect()
}

/// The scalar and string attributes of a call (other kinds are not used by rjax's calls).
///
/// # Safety
/// `attrs` must be the attribute list of a live call frame.
unsafe fn attributes(attrs: &c_api::XLA_FFI_Attrs) -> Result<Vec<(String, AttrValue)>, String> {
    let count = usize::try_from(attrs.size).unwrap_or(0);
    (0..count)
        .map(|index| {
            // SAFETY: the three arrays hold `size` entries each.
            let (kind, name, value) = unsafe {
                (
                    *attrs.types.add(index),
                    &**attrs.names.add(index),
                    *attrs.attrs.add(index),
                )
            };
            // SAFETY: a byte span points at `len` bytes.
            let name = unsafe { span_text(name) };
            let value = match kind {
                // SAFETY: a scalar attribute points at an `XLA_FFI_Scalar`.
                c_api::XLA_FFI_ATTR_SCALAR => unsafe {
                    scalar(&*value.cast::<c_api::XLA_FFI_Scalar>())
                }
                .ok_or_else(|| format!("the attribute `{name}` has an unsupported scalar type"))?,
                c_api::XLA_FFI_ATTR_STRING => {
                    // SAFETY: a string attribute points at a byte span.
                    let text = unsafe { span_text(&*value.cast::<c_api::XLA_FFI_ByteSpan>()) };
                    AttrValue::Str(text)
                }
                other => {
                    return Err(format!(
                        "the attribute `{name}` has unsupported kind {other}"
                    ));
                }
            };
            Ok((name, value))
        })
        .collect()
}

/// # Safety
/// `span` must point at `len` readable bytes (or be empty).
unsafe fn span_text(span: &c_api::XLA_FFI_ByteSpan) -> String {
    if span.ptr.is_null() || span.len == 0 {
        return String::new();
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(span.ptr.cast::<u8>(), span.len) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// # Safety
/// `scalar.value` must point at one value of `scalar.dtype`.
unsafe fn scalar(scalar: &c_api::XLA_FFI_Scalar) -> Option<AttrValue> {
    let p = scalar.value;
    // SAFETY: the caller's contract: `p` points at a value of the named type.
    unsafe {
        Some(match scalar.dtype {
            data_type::PRED | data_type::U8 => AttrValue::Int(i64::from(*p.cast::<u8>())),
            data_type::S8 => AttrValue::Int(i64::from(*p.cast::<i8>())),
            data_type::S16 => AttrValue::Int(i64::from(*p.cast::<i16>())),
            data_type::U16 => AttrValue::Int(i64::from(*p.cast::<u16>())),
            data_type::S32 => AttrValue::Int(i64::from(*p.cast::<i32>())),
            data_type::U32 => AttrValue::Int(i64::from(*p.cast::<u32>())),
            data_type::S64 => AttrValue::Int(*p.cast::<i64>()),
            data_type::U64 => AttrValue::Int(*p.cast::<u64>() as i64),
            data_type::F32 => AttrValue::Float(f64::from(*p.cast::<f32>())),
            data_type::F64 => AttrValue::Float(*p.cast::<f64>()),
            _ => return None,
        })
    }
}
