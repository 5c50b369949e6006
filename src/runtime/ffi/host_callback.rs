//! The handler behind every host callback (`pure_callback`, `io_callback`, `debug.print`):
//! a program's `stablehlo.custom_call @rjax_host_callback {callback = id, ordered = 0|1}`
//! comes here on an XLA thread, which copies the operands into host arrays, runs the
//! registered closure ([`crate::callback`]), and copies its checked results into the result
//! buffers. An ordered call's last operand and result are its ordering token, which the
//! closure never sees.

use super::call::{Call, Handler};
use crate::abstract_value::ShapedArray;
use crate::callback::{TARGET, host};

/// Runs a registered host callback.
pub(super) struct HostCallback;

impl Handler for HostCallback {
    const TARGET: &'static str = TARGET;

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        let id = call.attr_i64("callback")?;
        let tokens = usize::from(call.attr_bool("ordered")?);
        if call.args.len() < tokens || call.results.len() < tokens {
            return Err("an ordered callback without its token".to_string());
        }
        let args: Vec<_> = call.args[..call.args.len() - tokens]
            .iter()
            .map(|buffer| host::array_from_buffer(buffer.dtype(), buffer.dims(), buffer.bytes()))
            .collect();
        let declared: Vec<ShapedArray> = call.results[..call.results.len() - tokens]
            .iter()
            .map(|buffer| ShapedArray::new(buffer.dims().to_vec(), buffer.dtype()))
            .collect();
        let outputs = host::run_registered(id, &args, &declared).map_err(|e| e.to_string())?;
        for (buffer, output) in call.results.iter_mut().zip(&outputs) {
            let bytes = output
                .concrete()
                .and_then(|concrete| concrete.host_bytes_if_known())
                .ok_or("a result is not on the host")?;
            buffer.bytes_mut().copy_from_slice(bytes);
        }
        if let Some(token) = call.results.get_mut(outputs.len()) {
            token.bytes_mut().fill(0);
        }
        Ok(())
    }
}
