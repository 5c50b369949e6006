//! The handlers rjax registers, and the self-test that proves a plugin runs them.

use super::c_api::{XLA_FFI_CallFrame, XLA_FFI_Error, XLA_FFI_Handler};
use super::call::{Call, Handler, trampoline};
use super::linalg;
use super::register::run_f32;
use crate::runtime::Client;

/// The self-test: `y = x + offset` on a float32 vector, exercising an argument, a result and
/// an attribute.
struct SelfTest;

impl Handler for SelfTest {
    const TARGET: &'static str = "rjax_ffi_self_test";

    fn call(call: &mut Call<'_>) -> Result<(), String> {
        call.expect_counts(1, 1)?;
        let offset = call.attr_i64("offset")? as f32;
        let x = call.args[0].slice::<f32>()?.to_vec();
        let y = call.results[0].slice_mut::<f32>()?;
        for (out, value) in y.iter_mut().zip(x) {
            *out = value + offset;
        }
        Ok(())
    }
}

/// `trampoline::<H>` as the handler pointer type XLA takes.
pub(super) const fn entry<H: Handler>() -> (&'static str, XLA_FFI_Handler) {
    (
        H::TARGET,
        trampoline::<H> as unsafe extern "C" fn(*mut XLA_FFI_CallFrame) -> *mut XLA_FFI_Error,
    )
}

/// Every handler rjax registers, by target name.
pub(super) const HANDLERS: &[(&str, XLA_FFI_Handler)] = &[
    entry::<SelfTest>(),
    entry::<super::host_callback::HostCallback>(),
    entry::<linalg::Cholesky>(),
    entry::<linalg::TriangularSolve>(),
    entry::<linalg::Lu>(),
    entry::<linalg::Qr>(),
    entry::<linalg::Geqrf>(),
    entry::<linalg::HouseholderProduct>(),
    entry::<linalg::Eigh>(),
    entry::<linalg::Svd>(),
    entry::<linalg::Eig>(),
    entry::<linalg::Hessenberg>(),
    entry::<linalg::Schur>(),
];

/// Compiles and runs a program calling the self-test handler, and checks its output.
pub(super) fn self_test(client: &Client) -> Result<(), String> {
    let program = format!(
        r#"func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {{
  %y = stablehlo.custom_call @{}(%x) {{api_version = 4 : i32, backend_config = {{offset = 1 : i64}}}} : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}}"#,
        SelfTest::TARGET
    );
    let output = run_f32(client, &program, &[1.0, 2.0]).map_err(|e| e.to_string())?;
    if output == [2.0, 3.0] {
        Ok(())
    } else {
        Err(format!("it computed {output:?} for [2.0, 3.0]"))
    }
}
