//! [`io_callback`]: JAX's `jax.experimental.io_callback`, and how ordered calls keep their
//! program order.
//!
//! **Ordering.** JAX threads a runtime token through every ordered effect. rjax threads a
//! data dependency instead: an ordered call takes a one-byte token operand and returns a new
//! token, and each ordered call staged in a trace takes the token the previous one returned
//! (kept per trace, on the tracing thread). XLA cannot run a call before the call whose
//! output it reads, and never removes or merges a call with `has_side_effect`, so the calls
//! of one traced function run in the order they were traced. Eagerly, each call runs the
//! closure at once, so order is program order. Ordered calls in different traced bodies (a
//! nested `jit`, a `scan` body and the code around it) are each ordered within their body,
//! not with one another.

use std::cell::RefCell;
use std::collections::HashMap;

use super::Callback;
use super::op::{CallbackKind, CallbackOp};
use super::pure::declared_results;
use crate::abstract_value::ShapedArray;
use crate::core::trace::{TraceTag, current_trace, is_live};
use crate::core::{Primitive, bind};
use crate::{Array, Result};

thread_local! {
    /// The token the last ordered call of each live trace returned.
    static TOKENS: RefCell<HashMap<TraceTag, Array>> = RefCell::new(HashMap::new());
}

/// Calls `callback` on the host for its side effects, as JAX's
/// `jax.experimental.io_callback`: arguments (typed keys as their key data) and results as in
/// [`pure_callback`](super::pure_callback), but the call is never removed (neither by rjax's
/// dead-code elimination nor by XLA), even when its results are unused.
///
/// With `ordered`, calls run in program order (see the module documentation for how), and
/// `vmap` is an error; unordered calls are batched one call per example. Io callbacks cannot
/// be differentiated.
pub fn io_callback(
    callback: &Callback,
    result_shape_dtypes: &[ShapedArray],
    args: &[&Array],
    ordered: bool,
) -> Result<Vec<Array>> {
    let op = CallbackOp {
        callback: callback.clone(),
        kind: CallbackKind::Io { ordered },
        results: declared_results(callback, "io_callback", result_shape_dtypes)?,
    };
    let mut args: Vec<Array> = args.iter().map(|&arg| arg.clone()).collect();
    if !ordered {
        return bind(Primitive::HostCallback(op), &args);
    }
    let tag = current_trace().tag();
    let previous = tag.and_then(|tag| TOKENS.with(|tokens| tokens.borrow().get(&tag).cloned()));
    args.push(previous.unwrap_or_else(|| Array::scalar(0u8)));
    let mut outputs = bind(Primitive::HostCallback(op), &args)?;
    let token = outputs.pop().expect("an ordered call returns its token");
    if let Some(tag) = tag {
        TOKENS.with(|tokens| {
            let mut tokens = tokens.borrow_mut();
            tokens.retain(|tag, _| is_live(*tag));
            tokens.insert(tag, token);
        });
    }
    Ok(outputs)
}
