//! Shared helpers of the `rjax::nn` tests (`nn_initializers`, `nn_dropout`, `nn_losses`): the
//! message and location of a panic.

use std::cell::RefCell;
use std::panic::{self, UnwindSafe};
use std::sync::Once;

thread_local! {
    /// The location (file, line) of the last panic on this thread.
    static LAST_PANIC: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// The panic message and location (file, line) of `f`, which must panic.
pub fn panic_site(f: impl FnOnce() + UnwindSafe) -> (String, Option<(String, u32)>) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default_hook = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| (l.file().to_string(), l.line()));
            LAST_PANIC.with(|last| *last.borrow_mut() = location);
            default_hook(info);
        }))
    });
    let error = panic::catch_unwind(f).expect_err("expected a panic");
    let message = error
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| error.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    (message, LAST_PANIC.with(|last| last.borrow_mut().take()))
}

/// The panic message of `f`, which must panic.
pub fn panic_message(f: impl FnOnce() + UnwindSafe) -> String {
    panic_site(f).0
}

/// Asserts that each panic message contains its expected part.
pub fn assert_messages_contain(cases: &[(String, &str)]) {
    for (message, want) in cases {
        assert!(
            message.contains(want),
            "{message:?} does not contain {want:?}"
        );
    }
}
