//! StableHLO lowering: golden text for small functions (written by hand from the StableHLO
//! spec's generic syntax, not captured from rjax), and properties of every module: it
//! compiles, constants are exact, captured arrays stay parameters, and dots are in the
//! canonical form XLA's fast paths take.

use rjax::{Argnum, Array, hessian_argnums, jit};

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

/// The notebook's `f(x, A, b) = (A·x − b)ᵀ(A·x − b)`.
fn least_squares((x, a, b): (Array, Array, Array)) -> Array {
    let res = a.matmul(&x) - &b;
    res.matmul(&res)
}

/// The ranks of the operands of a `stablehlo.dot_general` line and its dimension numbers
/// (`lhs_batching_dimensions`, `rhs_batching_dimensions`, `lhs_contracting_dimensions`,
/// `rhs_contracting_dimensions`; absent ones empty).
fn dot_general_shape(line: &str) -> ([usize; 2], [Vec<usize>; 4]) {
    let numbers = [
        "lhs_batching",
        "rhs_batching",
        "lhs_contracting",
        "rhs_contracting",
    ]
    .map(|name| -> Vec<usize> {
        let Some((_, rest)) = line.split_once(&format!("{name}_dimensions = [")) else {
            return Vec::new();
        };
        let list = &rest[..rest.find(']').unwrap()];
        list.split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| item.trim().parse().unwrap())
            .collect()
    });
    // `: (tensor<4x4xf32>, tensor<4xf32>) -> ...`: count the dimensions of each operand type.
    let operands = line.rsplit_once(" : (").unwrap().1;
    let operands = &operands[..operands.find(") ->").unwrap()];
    let ranks: Vec<usize> = operands
        .split(", ")
        .map(|ty| {
            let dims = ty.trim_start_matches("tensor<").split('x');
            dims.filter(|dim| dim.parse::<usize>().is_ok()).count()
        })
        .collect();
    ([ranks[0], ranks[1]], numbers)
}

#[test]
fn the_notebooks_jitted_hessian_has_only_canonical_dots() -> anyhow::Result<()> {
    let n = 4;
    let a_values: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0)
        .collect();
    let a = Array::from_slice(&a_values, &[n, n])?;
    let x = Array::from_slice(&[0.5f32, -1.0, 2.0, 0.25], &[n])?;
    let b = Array::from_slice(&[1.0f32, 0.0, -1.0, 3.0], &[n])?;
    let hessian = jit(hessian_argnums(least_squares, Argnum::<0>));
    let lowered = hessian.lower::<_, Array, _>(&(x.clone(), a.clone(), b.clone()))?;
    let text = lowered.as_text();
    let dots: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("\"stablehlo.dot_general\""))
        .collect();
    assert!(!dots.is_empty(), "{text}");
    for line in dots {
        let ([lhs_rank, _], [lhs_batch, rhs_batch, lhs_contracting, rhs_contracting]) =
            dot_general_shape(line);
        let batch: Vec<usize> = (0..lhs_batch.len()).collect();
        assert_eq!((&lhs_batch, &rhs_batch), (&batch, &batch), "{line}");
        let contracting = lhs_contracting.len();
        let lhs_last: Vec<usize> = (lhs_rank - contracting..lhs_rank).collect();
        assert_eq!(
            lhs_contracting, lhs_last,
            "lhs contracts its last dimensions: {line}"
        );
        let rhs_first: Vec<usize> = (batch.len()..batch.len() + contracting).collect();
        assert_eq!(
            rhs_contracting, rhs_first,
            "rhs contracts its first non-batch ones: {line}"
        );
    }

    // The values: the Hessian of ‖Ax − b‖² is 2AᵀA.
    let h: Array = lowered.compile()?.call((x, a, b))?;
    let got = h.to_vec::<f32>()?;
    for i in 0..n {
        for j in 0..n {
            let want: f32 = (0..n)
                .map(|k| 2.0 * a_values[k * n + i] * a_values[k * n + j])
                .sum();
            let at = i * n + j;
            assert!(
                (got[at] - want).abs() <= 1e-5 * want.abs().max(1.0),
                "H[{i},{j}]"
            );
        }
    }
    Ok(())
}
