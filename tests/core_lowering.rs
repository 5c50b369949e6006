//! StableHLO lowering: golden text for small functions (written by hand from the StableHLO
//! spec's generic syntax, not captured from rjax), and properties of every module: it
//! compiles, constants are exact, and captured arrays stay parameters.

use rjax::{Array, jit};

#[test]
fn a_small_function_lowers_to_the_expected_module() -> anyhow::Result<()> {
    let f = jit(|x: Array| x.sin() * 2.0).with_name("f");
    let lowered = f.lower(&Array::from([1.0f32, 2.0, 3.0]))?;
    let expected = r#"module @f attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>) {
    %0 = "stablehlo.sine"(%arg0) : (tensor<3xf32>) -> tensor<3xf32>
    %1 = "stablehlo.constant"() {value = dense<0x40000000> : tensor<f32>} : () -> tensor<f32>
    %2 = "stablehlo.broadcast_in_dim"(%1) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<3xf32>
    %3 = "stablehlo.multiply"(%0, %2) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    "func.return"(%3) : (tensor<3xf32>) -> ()
  }
}
"#;
    assert_eq!(lowered.as_text(), expected);
    lowered.compile()?;
    Ok(())
}

#[test]
fn nested_jit_becomes_a_private_function_called_once_per_use() -> anyhow::Result<()> {
    let inner = jit(|x: Array| x.exp()).with_name("inner");
    let outer = jit(|x: Array| -> rjax::Result<Array> {
        let a: Array = inner.call(x.clone())?;
        let b: Array = inner.call(a.clone())?;
        Ok(&a + &b)
    });
    let lowered = outer.lower(&Array::from(0.5f32))?;
    let text = lowered.as_text();
    assert_eq!(
        text.matches("func.func private @inner_0").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("\"func.call\"").count(), 2, "{text}");
    let y: Array = lowered.compile()?.call(Array::from(0.5f32))?;
    let a = 0.5f32.exp();
    assert!((y.item::<f32>()? - (a + a.exp())).abs() < 1e-5);
    Ok(())
}

#[test]
fn special_float_constants_are_exact() -> anyhow::Result<()> {
    let f = jit(|x: Array| {
        let specials = [
            f32::NAN,
            f32::INFINITY,
            -0.0,
            f32::MIN_POSITIVE / 4.0,
            1.0e-30,
        ];
        specials.iter().map(|&c| &x + c).collect::<Vec<_>>()
    });
    let text = f.lower(&Array::from(0.0f32))?.as_text().to_string();
    for bits in [
        "0x7FC00000",
        "0x7F800000",
        "0x80000000",
        "0x00200000",
        "0x0DA24260",
    ] {
        assert!(text.contains(bits), "{bits} missing from {text}");
    }
    let outputs: Vec<Array> = f.call(Array::from(0.0f32))?;
    let values: Vec<f32> = outputs
        .iter()
        .map(|y| y.item::<f32>())
        .collect::<rjax::Result<_>>()?;
    assert!(values[0].is_nan());
    assert_eq!(values[1], f32::INFINITY);
    assert_eq!(values[2].to_bits(), 0.0f32.to_bits(), "0 + -0 is +0");
    // The constant is exact in the module, but XLA's CPU code flushes subnormal results to
    // zero, as JAX on CPU gives (`jit(lambda x: x + float32(2**-128))(0.)` is 0.0 in JAX 0.10.2).
    assert_eq!(values[3], 0.0);
    assert_eq!(values[4], 1.0e-30);
    Ok(())
}

#[test]
fn arrays_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Array>();
    assert_send_sync::<rjax::runtime::Buffer>();
    assert_send_sync::<rjax::runtime::Client>();
    assert_send_sync::<rjax::runtime::LoadedExecutable>();
    // Arrays cross threads: computed on one, read on another.
    let x = Array::from([1.0f32, 2.0]);
    let y = std::thread::spawn(move || x.sin()).join().unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), [1.0f32.sin(), 2.0f32.sin()]);
}
