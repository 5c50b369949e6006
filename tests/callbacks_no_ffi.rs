//! Where the client does not run rjax's FFI handlers (a GPU or TPU; here the CPU with
//! `RJAX_FFI_KERNELS=0`), a callback inside a compiled program is a clear error naming the
//! callback and the platform, while eager calls still run. Its own test binary: the setting is
//! read once, when the default client starts.

use anyhow::{Result, ensure};
use rjax::callback::{Callback, pure_callback};
use rjax::{Array, DType, ShapedArray, jit};

#[test]
fn callbacks_in_programs_need_the_ffi_handler() -> Result<()> {
    // SAFETY: set before any other thread exists or reads the environment.
    unsafe { std::env::set_var("RJAX_FFI_KERNELS", "0") };
    let cb = Callback::named("host_double", |args: &[Array]| Ok(vec![&args[0] * 2.0]));
    let spec = [ShapedArray::new(vec![2], DType::F32)];
    let x = Array::from([1.0f32, 2.0]);
    let eager = pure_callback(&cb, &spec, &[&x], None)?.remove(0);
    ensure!(eager.to_vec::<f32>()? == vec![2.0, 4.0]);
    let f = jit(move |x: Array| -> rjax::Result<Array> {
        Ok(pure_callback(&cb, &spec, &[&x], None)?.remove(0))
    });
    let error = f.call(x).map(drop).unwrap_err().to_string();
    ensure!(
        error.contains("host_double") && error.contains("platform `cpu`"),
        "{error}"
    );
    Ok(())
}
