//! The key-value store of a multi-process client: the `kv_get`, `kv_try_get` and `kv_put`
//! callbacks of `PJRT_Client_Create`, implemented over a Rust [`KeyValueStore`].
//!
//! A plugin whose client spans processes (the CUDA plugin with `num_nodes > 1`, libtpu on a
//! pod slice) exchanges its local topology and its collective ids through a store that every
//! process reaches. The plugin calls the callbacks from its own threads, at creation and later
//! (the CUDA plugin shares NCCL ids when a collective first runs), so the store lives as long
//! as the client. [`crate::distributed`] provides one served by process 0.
//!
//! The contract, from `pjrt_c_api.h`: the callbacks are thread-safe and `get` blocks; a value
//! returned to the plugin is freed by the plugin through the `value_deleter_callback` set next
//! to it; errors are `PJRT_Error`s made by the plugin's own `callback_error` constructor
//! (`NOT_FOUND` from `try_get`, `DEADLINE_EXCEEDED` from a `get` that timed out). A panic in the
//! store is caught and reported as an `INTERNAL` error: it never unwinds into the plugin.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::any::Any;
use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::null_mut;
use std::sync::Arc;
use std::time::Duration;

use xla_sys as sys;

use crate::Result;

/// A key-value store shared by all processes of a multi-process client (PJRT's
/// `KeyValueStoreInterface`). Implementations must be thread-safe; `get` blocks.
pub trait KeyValueStore: Send + Sync {
    /// The value of `key`, waiting up to `timeout` for some process to put it; `None` if it did
    /// not appear in time.
    fn get(&self, key: &str, timeout: Duration) -> Result<Option<Vec<u8>>>;

    /// The value of `key` if it is there now, without waiting.
    fn try_get(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Stores `value` under `key`, replacing an earlier value, and wakes the processes waiting
    /// for it.
    fn put(&self, key: &str, value: &[u8]) -> Result<()>;
}

/// A [`KeyValueStore`] as `ClientOptions` hold it: shared, and compared by identity.
#[derive(Clone)]
pub(crate) struct SharedStore(pub(crate) Arc<dyn KeyValueStore>);

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyValueStore { .. }")
    }
}

impl PartialEq for SharedStore {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The callbacks' user argument: the store behind one thin pointer. A client keeps it until
/// the plugin's client is destroyed, since the plugin may call the callbacks until then.
pub(crate) struct KeyValueCallbacks {
    store: Box<Arc<dyn KeyValueStore>>,
}

// A store is only ever called through the callbacks, which catch a panic and report it as an
// error, asserting unwind safety there; holding one must not make clients, buffers and arrays
// lose `UnwindSafe`.
impl std::panic::UnwindSafe for SharedStore {}
impl std::panic::RefUnwindSafe for SharedStore {}
impl std::panic::UnwindSafe for KeyValueCallbacks {}
impl std::panic::RefUnwindSafe for KeyValueCallbacks {}

impl KeyValueCallbacks {
    pub(crate) fn new(store: &SharedStore) -> Self {
        KeyValueCallbacks {
            store: Box::new(store.0.clone()),
        }
    }

    /// Points the key-value fields of `args` at the callbacks and at this store, which must
    /// outlive the client created from `args`.
    pub(crate) fn install(&self, args: &mut sys::PJRT_Client_Create_Args) {
        let user_arg: *const Arc<dyn KeyValueStore> = &*self.store;
        let user_arg = user_arg.cast_mut().cast::<c_void>();
        args.kv_get_callback = Some(kv_get);
        args.kv_get_user_arg = user_arg;
        args.kv_try_get_callback = Some(kv_try_get);
        args.kv_try_get_user_arg = user_arg;
        args.kv_put_callback = Some(kv_put);
        args.kv_put_user_arg = user_arg;
    }
}

/// A failed request, to be turned into a `PJRT_Error` by the plugin's constructor.
struct Failure {
    code: sys::PJRT_Error_Code,
    message: String,
}

/// `PJRT_KeyValueGetCallback`: a blocking get.
unsafe extern "C" fn kv_get(args: *mut sys::PJRT_KeyValueGetCallback_Args) -> *mut sys::PJRT_Error {
    // SAFETY: the plugin passes its args struct, valid and exclusively ours for the call.
    let Some(args) = (unsafe { args.as_mut() }) else {
        return null_mut();
    };
    let timeout = Duration::from_millis(u64::try_from(args.timeout_in_ms).unwrap_or(0));
    // SAFETY: the key and user argument come from the plugin as the header specifies; the user
    // argument is the one `KeyValueCallbacks::install` set.
    let outcome = unsafe {
        serve(args.user_arg, args.key, args.key_size, |store, key| {
            store.get(key, timeout)?.ok_or_else(|| Failure {
                code: sys::PJRT_Error_Code_DEADLINE_EXCEEDED,
                message: format!(
                    "key `{key}` not found in the key-value store within {} ms",
                    timeout.as_millis()
                ),
            })
        })
    };
    args.value_deleter_callback = Some(free_value);
    // SAFETY: `callback_error` is the plugin's constructor, valid for the call.
    let (value, error) = unsafe { reply(outcome, args.callback_error) };
    (args.value, args.value_size) = value;
    error
}

/// `PJRT_KeyValueTryGetCallback`: a get that does not wait.
unsafe extern "C" fn kv_try_get(
    args: *mut sys::PJRT_KeyValueTryGetCallback_Args,
) -> *mut sys::PJRT_Error {
    // SAFETY: the plugin passes its args struct, valid and exclusively ours for the call.
    let Some(args) = (unsafe { args.as_mut() }) else {
        return null_mut();
    };
    // SAFETY: as in `kv_get`.
    let outcome = unsafe {
        serve(args.user_arg, args.key, args.key_size, |store, key| {
            store.try_get(key)?.ok_or_else(|| Failure {
                code: sys::PJRT_Error_Code_NOT_FOUND,
                message: format!("key `{key}` not found in the key-value store"),
            })
        })
    };
    args.value_deleter_callback = Some(free_value);
    // SAFETY: `callback_error` is the plugin's constructor, valid for the call.
    let (value, error) = unsafe { reply(outcome, args.callback_error) };
    (args.value, args.value_size) = value;
    error
}

/// `PJRT_KeyValuePutCallback`.
unsafe extern "C" fn kv_put(args: *mut sys::PJRT_KeyValuePutCallback_Args) -> *mut sys::PJRT_Error {
    // SAFETY: the plugin passes its args struct, valid for the call.
    let Some(args) = (unsafe { args.as_ref() }) else {
        return null_mut();
    };
    // SAFETY: the value lives for the call (the header); it is copied before returning.
    let value = unsafe { bytes(args.value, args.value_size) };
    // SAFETY: as in `kv_get`.
    let outcome = unsafe {
        serve(args.user_arg, args.key, args.key_size, |store, key| {
            Ok(store.put(key, value)?)
        })
    };
    match outcome {
        Ok(()) => null_mut(),
        // SAFETY: `callback_error` is the plugin's constructor, valid for the call.
        Err(failure) => unsafe { make_error(args.callback_error, failure) }.unwrap_or(null_mut()),
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Self {
        Failure {
            code: sys::PJRT_Error_Code_UNAVAILABLE,
            message: error.to_string(),
        }
    }
}

/// Runs `request` on the store named by `user_arg` with the key at `key`, catching panics.
///
/// # Safety
/// `user_arg` must be null or the pointer [`KeyValueCallbacks::install`] set, still alive;
/// `key` must be null or point at `key_size` readable bytes.
unsafe fn serve<T>(
    user_arg: *mut c_void,
    key: *const c_char,
    key_size: usize,
    request: impl FnOnce(&dyn KeyValueStore, &str) -> Result<T, Failure>,
) -> Result<T, Failure> {
    // SAFETY: the caller's contract: a live `Arc<dyn KeyValueStore>` or null.
    let store = unsafe { user_arg.cast::<Arc<dyn KeyValueStore>>().as_ref() };
    let Some(store) = store else {
        return Err(Failure {
            code: sys::PJRT_Error_Code_INTERNAL,
            message: "the key-value callback got no store".into(),
        });
    };
    // SAFETY: the caller's contract on `key`.
    let key = String::from_utf8_lossy(unsafe { bytes(key, key_size) });
    catch_unwind(AssertUnwindSafe(|| request(store.as_ref(), &key))).unwrap_or_else(|panic| {
        Err(Failure {
            code: sys::PJRT_Error_Code_INTERNAL,
            message: format!("the key-value store panicked: {}", panic_message(&*panic)),
        })
    })
}

/// The value to hand back (pointer and size) and the error to return for `outcome`. A failure
/// with no error constructor to report it gives an empty value, so the plugin still reads a
/// valid one.
///
/// # Safety
/// `callback_error` must be null or point at the plugin's error constructor.
unsafe fn reply(
    outcome: Result<Vec<u8>, Failure>,
    callback_error: *mut sys::PJRT_CallbackError,
) -> ((*mut c_char, usize), *mut sys::PJRT_Error) {
    match outcome {
        Ok(value) => ((export(&value), value.len()), null_mut()),
        // SAFETY: the caller's contract on `callback_error`.
        Err(failure) => match unsafe { make_error(callback_error, failure) } {
            Some(error) => ((null_mut(), 0), error),
            None => ((export(&[]), 0), null_mut()),
        },
    }
}

/// A `PJRT_Error` made by the plugin's `callback_error` constructor, which copies the message;
/// `None` (and the failure written to stderr) if the plugin gave no constructor.
///
/// # Safety
/// `callback_error` must be null or point at the plugin's error constructor.
unsafe fn make_error(
    callback_error: *mut sys::PJRT_CallbackError,
    failure: Failure,
) -> Option<*mut sys::PJRT_Error> {
    // SAFETY: the caller's contract on `callback_error`.
    let constructor = unsafe { callback_error.as_ref() }.copied().flatten();
    let Some(constructor) = constructor else {
        eprintln!(
            "rjax: the PJRT plugin gave the key-value callback no error constructor; \
             unreported error: {}",
            failure.message
        );
        return None;
    };
    // SAFETY: the constructor copies the message, which lives through the call.
    let error = unsafe {
        constructor(
            failure.code,
            failure.message.as_ptr().cast::<c_char>(),
            failure.message.len(),
        )
    };
    Some(error)
}

/// The bytes at `data`; empty for null.
///
/// # Safety
/// `data` must be null or point at `len` bytes readable for `'a`.
unsafe fn bytes<'a>(data: *const c_char, len: usize) -> &'a [u8] {
    if data.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(a non-string panic payload)")
}

/// Values handed to the plugin carry their length just before their first byte, so that
/// [`free_value`], which gets only the pointer, can rebuild the allocation's layout.
const HEADER: usize = size_of::<usize>();

fn value_layout(len: usize) -> Layout {
    Layout::from_size_align(HEADER + len, align_of::<usize>())
        .expect("a key-value store value too large to allocate")
}

/// A copy of `value` owned by the plugin until it calls [`free_value`].
fn export(value: &[u8]) -> *mut c_char {
    let layout = value_layout(value.len());
    // SAFETY: the layout is at least `HEADER` bytes, never zero-sized.
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: `base` is valid for `HEADER + value.len()` bytes and aligned for `usize`.
    unsafe {
        base.cast::<usize>().write(value.len());
        let data = base.add(HEADER);
        std::ptr::copy_nonoverlapping(value.as_ptr(), data, value.len());
        data.cast::<c_char>()
    }
}

/// The `value_deleter_callback`: frees a value made by [`export`].
unsafe extern "C" fn free_value(value: *mut c_char) {
    if value.is_null() {
        return;
    }
    // SAFETY: `value` came from `export`, so the `HEADER` bytes before it hold its length and
    // start the allocation.
    unsafe {
        let base = value.cast::<u8>().sub(HEADER);
        let len = base.cast::<usize>().read();
        dealloc(base, value_layout(len));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    /// A store in one process's memory.
    #[derive(Default)]
    struct MemoryStore(Mutex<HashMap<String, Vec<u8>>>);

    impl KeyValueStore for MemoryStore {
        fn get(&self, key: &str, _timeout: Duration) -> Result<Option<Vec<u8>>> {
            self.try_get(key)
        }
        fn try_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
            if key == "panic" {
                panic!("asked to");
            }
            Ok(self.0.lock().unwrap().get(key).cloned())
        }
        fn put(&self, key: &str, value: &[u8]) -> Result<()> {
            self.0.lock().unwrap().insert(key.into(), value.into());
            Ok(())
        }
    }

    /// What the fake error constructor records; the `PJRT_Error*` it returns points at one.
    type FakeError = (sys::PJRT_Error_Code, String);

    unsafe extern "C" fn fake_error(
        code: sys::PJRT_Error_Code,
        message: *const c_char,
        size: usize,
    ) -> *mut sys::PJRT_Error {
        // SAFETY: the callbacks pass a message of `size` bytes.
        let message = String::from_utf8_lossy(unsafe { bytes(message, size) }).into_owned();
        Box::into_raw(Box::new((code, message))).cast()
    }

    fn take_error(error: *mut sys::PJRT_Error) -> Option<FakeError> {
        // SAFETY: a non-null error here was made by `fake_error`.
        (!error.is_null()).then(|| *unsafe { Box::from_raw(error.cast::<FakeError>()) })
    }

    fn create_args(store: &KeyValueCallbacks) -> sys::PJRT_Client_Create_Args {
        use xla_sys::PjrtStruct;
        let mut args = sys::PJRT_Client_Create_Args::zeroed_sized();
        store.install(&mut args);
        args
    }

    fn get(
        args: &sys::PJRT_Client_Create_Args,
        key: &str,
        constructor: &mut sys::PJRT_CallbackError,
    ) -> Result<Vec<u8>, FakeError> {
        use xla_sys::PjrtStruct;
        let mut get = sys::PJRT_KeyValueGetCallback_Args::zeroed_sized();
        get.key = key.as_ptr().cast();
        get.key_size = key.len();
        get.timeout_in_ms = 5;
        get.callback_error = constructor;
        get.user_arg = args.kv_get_user_arg;
        // SAFETY: the args are complete and the user argument is alive.
        let error = unsafe { args.kv_get_callback.unwrap()(&mut get) };
        if let Some(error) = take_error(error) {
            return Err(error);
        }
        // SAFETY: on success the callback returned `value_size` bytes and a deleter.
        let value = unsafe { bytes(get.value, get.value_size) }.to_vec();
        // SAFETY: the value is freed once, by the deleter given with it.
        unsafe { get.value_deleter_callback.unwrap()(get.value) };
        Ok(value)
    }

    #[test]
    fn the_callbacks_copy_values_in_and_out_and_report_errors_through_the_plugin() {
        let callbacks = KeyValueCallbacks::new(&SharedStore(Arc::new(MemoryStore::default())));
        let args = create_args(&callbacks);
        let mut constructor: sys::PJRT_CallbackError = Some(fake_error);
        let (key, value) = ("gpu:topology/0", b"\x00bytes\xff".as_slice());
        let mut put = <sys::PJRT_KeyValuePutCallback_Args as xla_sys::PjrtStruct>::zeroed_sized();
        put.key = key.as_ptr().cast();
        put.key_size = key.len();
        put.value = value.as_ptr().cast();
        put.value_size = value.len();
        put.callback_error = &mut constructor;
        put.user_arg = args.kv_put_user_arg;
        // SAFETY: the args are complete and the user argument is alive.
        assert!(unsafe { args.kv_put_callback.unwrap()(&mut put) }.is_null());
        assert_eq!(get(&args, key, &mut constructor).unwrap(), value);

        let missing = get(&args, "absent", &mut constructor).unwrap_err();
        assert_eq!(missing.0, sys::PJRT_Error_Code_DEADLINE_EXCEEDED);
        assert!(missing.1.contains("`absent` not found"), "{}", missing.1);

        let mut try_get =
            <sys::PJRT_KeyValueTryGetCallback_Args as xla_sys::PjrtStruct>::zeroed_sized();
        try_get.key = "absent".as_ptr().cast();
        try_get.key_size = 6;
        try_get.callback_error = &mut constructor;
        try_get.user_arg = args.kv_try_get_user_arg;
        // SAFETY: the args are complete and the user argument is alive.
        let error = unsafe { args.kv_try_get_callback.unwrap()(&mut try_get) };
        assert_eq!(take_error(error).unwrap().0, sys::PJRT_Error_Code_NOT_FOUND);

        let panicked = get(&args, "panic", &mut constructor).unwrap_err();
        assert_eq!(panicked.0, sys::PJRT_Error_Code_INTERNAL);
        assert!(panicked.1.contains("panicked: asked to"), "{}", panicked.1);

        // A plugin that gives no error constructor still reads a valid (empty) value.
        let mut no_constructor: sys::PJRT_CallbackError = None;
        assert_eq!(get(&args, "absent", &mut no_constructor).unwrap(), b"");
    }

    #[test]
    fn exported_values_of_every_size_are_freed_by_the_deleter() {
        for len in [0, 1, 7, 8, 9, 4096] {
            let value: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let data = export(&value);
            // SAFETY: `export` wrote `len` bytes at `data`.
            assert_eq!(unsafe { bytes(data, len) }, value);
            // SAFETY: freed once, by its deleter.
            unsafe { free_value(data) };
        }
    }
}
