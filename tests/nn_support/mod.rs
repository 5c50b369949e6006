//! Shared helpers of the `rjax::nn` tests (`nn_initializers`, `nn_dropout`, `nn_losses`): the
//! message and location of a panic, and the loop over the initializers' golden cases.

use std::cell::RefCell;
use std::panic::{self, UnwindSafe};
use std::sync::Once;

use rjax::nn::initializers::Initializer;
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, jit};

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

/// Draws every golden case of the initializer tests from `key(42)` and `PRNGKey(42)`: for each
/// `(name, initializer, shapes)` of `inits`, each shape and each `(dtype name, dtype)`, the
/// sample named `{prefix}/{name}/{dtype name}/{dims joined by x}/{typed|raw}`, eagerly or under
/// `jit` (the key an argument), handed to `check(case, name, sample)`. Returns the count.
#[allow(dead_code)] // the dropout and loss tests include this module too
pub fn for_each_initializer_case(
    prefix: &str,
    inits: Vec<(&'static str, Initializer, Vec<Vec<usize>>)>,
    dtypes: &[(&str, DType)],
    jitted: bool,
    mut check: impl FnMut(&str, &str, &Array),
) -> usize {
    let mut count = 0;
    for (name, initializer, shapes) in inits {
        for shape in &shapes {
            for &(dtype_name, dtype) in dtypes {
                for (key_kind, key) in [("typed", random::key(42)), ("raw", PRNGKey(42))] {
                    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
                    let case =
                        format!("{prefix}/{name}/{dtype_name}/{}/{key_kind}", dims.join("x"));
                    let x = if jitted {
                        jit(|k: Array| initializer.init(&k, shape, dtype))
                            .call(key)
                            .unwrap()
                    } else {
                        initializer.init(&key, shape, dtype)
                    };
                    check(&case, name, &x);
                    count += 1;
                }
            }
        }
    }
    count
}
