//! Trace-time errors of the primitives: misuse panics with a message naming the operation, the
//! shapes and the dtypes, eagerly and under `jit`, and a failed trace leaves nothing behind.

mod common;

use common::panic_message;
use rjax::lax::{self, DotDimensionNumbers};
use rjax::{Array, jit};

fn f32s(shape: &[usize]) -> Array {
    let n = shape.iter().product();
    Array::from_slice(&vec![1.0f32; n], shape).unwrap()
}

/// The message of the panic `f` raises; fails if it does not panic.
fn panic_text<R>(f: impl FnOnce() -> R) -> String {
    panic_message(|| {
        f();
    })
}

/// Asserts that `message` contains every one of `needles`.
fn assert_mentions(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            message.contains(needle),
            "the message {message:?} does not mention {needle:?}"
        );
    }
}

#[test]
fn misuse_panics_naming_the_op_and_the_types() {
    rjax::config::enable_x64(true);
    let message = panic_text(|| lax::add(f32s(&[3]), f32s(&[4])));
    assert_mentions(&message, &["add", "f32[3]", "f32[4]"]);

    let f64s = Array::from_slice(&[1.0f64; 3], &[3]).unwrap();
    let message = panic_text(|| lax::mul(f32s(&[3]), &f64s));
    assert_mentions(&message, &["mul", "f32[3]", "f64[3]"]);

    let message = panic_text(|| lax::reshape(f32s(&[2, 3]), &[4]));
    assert_mentions(&message, &["reshape", "f32[2,3]", "[4]"]);

    let message = panic_text(|| {
        lax::dot_general(
            f32s(&[2, 3]),
            f32s(&[4, 5]),
            DotDimensionNumbers {
                lhs_contracting: vec![1],
                rhs_contracting: vec![0],
                ..Default::default()
            },
        )
    });
    assert_mentions(
        &message,
        &["dot_general", "f32[2,3]", "f32[4,5]", "contracting"],
    );

    let ints = Array::from_slice(&[1i32, 2], &[2]).unwrap();
    let message = panic_text(|| lax::sin(&ints));
    assert_mentions(&message, &["sin", "i32[2]"]);

    let message = panic_text(|| lax::shift_left(f32s(&[2]), f32s(&[2])));
    assert_mentions(&message, &["shift_left", "f32[2]"]);

    let message = panic_text(|| lax::transpose(f32s(&[2, 3]), &[0, 0]));
    assert_mentions(&message, &["transpose", "[0, 0]", "f32[2,3]"]);

    let message = panic_text(|| lax::concatenate([&f32s(&[2, 3]), &f32s(&[3, 3])], 1));
    assert_mentions(&message, &["concatenate", "f32[2,3]", "f32[3,3]"]);

    let message = panic_text(|| lax::broadcast_in_dim(f32s(&[3]), &[2, 4], &[1]));
    assert_mentions(&message, &["broadcast_in_dim", "f32[3]", "[2, 4]"]);

    let message = panic_text(|| lax::slice(f32s(&[4]), &[1], &[5], None));
    assert_mentions(&message, &["slice", "f32[4]"]);

    let message = panic_text(|| lax::reduce_sum(f32s(&[2, 3]), &[2]));
    assert_mentions(&message, &["reduce_sum", "f32[2,3]"]);

    let message = panic_text(|| lax::squeeze(f32s(&[2, 3]), &[0]));
    assert_mentions(&message, &["squeeze", "f32[2,3]"]);

    let message = panic_text(|| lax::integer_pow(&ints, -1));
    assert_mentions(&message, &["integer_pow", "i32[2]"]);

    let which = Array::from_slice(&[true, false], &[2]).unwrap();
    let (a, b, c) = (f32s(&[2]), f32s(&[2]), f32s(&[2]));
    let message = panic_text(|| lax::select_n(&which, [&a, &b, &c]));
    assert_mentions(&message, &["select_n", "3"]);
    let message = panic_text(|| lax::select_n(&which, [&a, &f32s(&[3])]));
    assert_mentions(&message, &["select_n", "f32[2]", "f32[3]"]);

    let message = panic_text(|| lax::clamp(f32s(&[3]), f32s(&[2]), f32s(&[])));
    assert_mentions(&message, &["clamp", "f32[3]", "f32[2]"]);
}

#[test]
fn misuse_under_jit_panics_naming_the_op_and_the_types() {
    rjax::config::enable_x64(true);
    let y = f32s(&[4]);
    let message = panic_text(|| jit(|x: Array| lax::add(&x, &y)).call(f32s(&[3])));
    assert_mentions(&message, &["add", "f32[3]", "f32[4]"]);
    let message = panic_text(|| jit(|x: Array| lax::reshape(&x, &[5])).call(f32s(&[2, 3])));
    assert_mentions(&message, &["reshape", "f32[2,3]", "[5]"]);
    // The failed traces leave nothing behind: the next call works.
    let twice: Array = jit(|x: Array| lax::add(&x, &x)).call(f32s(&[2])).unwrap();
    assert_eq!(twice.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
}

/// User code fails in its own words: `Error::msg` and `?` on the standard library's errors
/// (kept as the source) inside closures that rjax transforms, and the message comes back
/// unchanged from `grad` and `jit`.
#[test]
fn user_code_can_raise_its_own_errors() {
    use std::error::Error as _;

    let loss = |x: Array| -> rjax::Result<Array> {
        if x.size() == 0 {
            return Err(rjax::Error::msg(format!(
                "empty batch of shape {:?}",
                x.shape()
            )));
        }
        Ok((&x * &x).sum())
    };
    let error = rjax::grad(loss)(Array::from_vec(Vec::<f32>::new())).unwrap_err();
    assert_eq!(error.to_string(), "empty batch of shape [0]");
    assert!(matches!(error, rjax::Error::Message(_)));

    let scaled = rjax::jit(|x: Array| -> rjax::Result<Array> {
        let factor: f32 = "2.5x".parse()?;
        Ok(x * factor)
    });
    let error = scaled.call(Array::from(1.0f32)).unwrap_err();
    assert_eq!(error.to_string(), "invalid float literal");
    assert!(
        error.source().is_none(),
        "transparent: the parse error is the error itself"
    );
    assert!(matches!(error, rjax::Error::Other(_)));

    let io = rjax::Error::from(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "no checkpoint",
    ));
    assert_eq!(io.to_string(), "no checkpoint");
    let wrapped = rjax::Error::other(std::fmt::Error);
    assert_eq!(wrapped.to_string(), std::fmt::Error.to_string());
}
