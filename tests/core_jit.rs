//! `jit`: signature caching, pytrees, hoisting of captured arrays, nesting, the jaxprs it
//! stages (printed in JAX's syntax, checked against what JAX 0.10.2 prints for the same
//! functions), and its errors.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rjax::lax::{self, DotDimensionNumbers};
use rjax::{Array, DType, Error, Static, jit};

fn assert_close(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-5 * w.abs().max(1.0),
            "got {got:?}, want {want:?}"
        );
    }
}

#[test]
fn traces_once_per_signature() -> anyhow::Result<()> {
    let traces = AtomicUsize::new(0);
    let f = jit(|x: Array| {
        traces.fetch_add(1, Ordering::SeqCst);
        x.sin() * 2.0
    });
    let a = Array::from([0.5f32, 1.0, 1.5]);
    let first: Array = f.call(a.clone())?;
    let second: Array = f.call(Array::from([3.0f32, 2.0, 1.0]))?;
    assert_eq!(
        traces.load(Ordering::SeqCst),
        1,
        "the same signature must not re-trace"
    );
    assert_close(
        &first.to_vec()?,
        &[0.5f32.sin() * 2.0, 1.0f32.sin() * 2.0, 1.5f32.sin() * 2.0],
    );
    assert_close(
        &second.to_vec()?,
        &[3.0f32.sin() * 2.0, 2.0f32.sin() * 2.0, 1.0f32.sin() * 2.0],
    );
    let _: Array = f.call(Array::from([1.0f32, 2.0]))?;
    assert_eq!(traces.load(Ordering::SeqCst), 2, "a new shape traces again");
    let _: Array = f.call(Array::from([1.0f32, 2.0]).astype(DType::F16))?;
    assert_eq!(traces.load(Ordering::SeqCst), 3, "a new dtype traces again");
    let _: Array = f.call(Array::from([4.0f32, 5.0]))?;
    assert_eq!(traces.load(Ordering::SeqCst), 3);
    Ok(())
}

#[test]
fn weak_scalars_keep_the_array_dtype() -> anyhow::Result<()> {
    let f = jit(|x: Array| x * 2.0 + 1);
    let y: Array = f.call(Array::from([1.5f32, -2.0]).astype(DType::BF16))?;
    assert_eq!(y.dtype(), DType::BF16);
    assert!(!y.weak_type());
    let y: Array = f.call(Array::from([1.0f32, 2.0]))?;
    assert_eq!(y.dtype(), DType::F32);
    assert_eq!(y.to_vec::<f32>()?, [3.0, 5.0]);
    Ok(())
}

#[test]
fn pytrees_in_and_out() -> anyhow::Result<()> {
    let f = jit(|(x, ys): (Array, Vec<Array>)| {
        let total = ys.iter().fold(x.clone(), |acc, y| acc + y);
        (total.clone(), Some(total * &x))
    });
    let x = Array::from([1.0f32, 2.0]);
    let ys = vec![Array::from([10.0f32, 20.0]), Array::from([100.0f32, 200.0])];
    let (total, product): (Array, Option<Array>) = f.call((x, ys))?;
    assert_eq!(total.to_vec::<f32>()?, [111.0, 222.0]);
    assert_eq!(product.unwrap().to_vec::<f32>()?, [111.0, 444.0]);
    Ok(())
}

#[test]
fn captured_arrays_become_parameters_not_constants() -> anyhow::Result<()> {
    let n = 1000;
    let data: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 - 3.0).collect();
    let matrix = Array::from_slice(&data, &[n, n])?;
    let f = jit(|x: Array| matrix.matmul(&x));
    let x = Array::from_vec((0..n).map(|i| (i % 5) as f32).collect::<Vec<_>>());
    let lowered = f.lower(&x)?;
    let module = lowered.as_text();
    assert!(
        module.len() < 2_000,
        "the module embeds data: {} bytes",
        module.len()
    );
    assert!(module.contains("%arg0: tensor<1000x1000xf32>"), "{module}");
    let jaxpr = f.make_jaxpr(&x)?;
    assert_eq!(jaxpr.consts().len(), 1);
    let y: Array = f.call(x)?;
    let host: Vec<f32> = (0..n)
        .map(|row| {
            (0..n)
                .map(|col| data[row * n + col] * (col % 5) as f32)
                .sum()
        })
        .collect();
    assert_close(&y.to_vec()?, &host);
    Ok(())
}

#[test]
fn nested_jit_calls_compose() -> anyhow::Result<()> {
    let inner = jit(|x: Array| x * 2.0).with_name("double");
    let outer = jit(|x: Array| -> rjax::Result<Array> {
        let doubled: Array = inner.call(x)?;
        Ok(doubled.sin() + 1.0)
    });
    let x = Array::from([0.25f32, 0.5]);
    let y: Array = outer.call(x.clone())?;
    assert_close(&y.to_vec()?, &[0.5f32.sin() + 1.0, 1.0f32.sin() + 1.0]);
    let text = outer.make_jaxpr(&x)?.to_string();
    assert!(text.contains("= jit["), "{text}");
    assert!(text.contains("name=double"), "{text}");
    // The inner function also runs on its own, and eagerly inside no transformation.
    let direct: Array = inner.call(x)?;
    assert_eq!(direct.to_vec::<f32>()?, [0.5, 1.0]);
    Ok(())
}

#[test]
fn jaxprs_print_as_jax_prints_them() -> anyhow::Result<()> {
    // Expected texts are what JAX 0.10.2 prints for the same functions (`jax.make_jaxpr`).
    let scalar = Array::from(1.0f32);
    let f = jit(|x: Array| x.sin().cos());
    assert_eq!(
        f.make_jaxpr(&scalar)?.to_string(),
        "{ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = cos b in (c,) }"
    );

    let x = Array::from([1.0f32, 2.0, 3.0]);
    let f = jit(|x: Array| (x.sin() * 2.0 + 1.0).sum());
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a\n    c:f32[3] = mul b 2.0:f32[]\n    \
         d:f32[3] = add c 1.0:f32[]\n    e:f32[] = reduce_sum[axes=(0,) out_sharding=None] d\n  in (e,) }"
    );

    let a = Array::from([[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
    let f = jit(|x: Array| {
        let numbers = DotDimensionNumbers {
            lhs_contracting: vec![1],
            rhs_contracting: vec![0],
            ..Default::default()
        };
        lax::dot_general_with(
            &a,
            &x,
            numbers,
            lax::DotOptions::default().preferred_element_type(DType::F32),
        )
    });
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda a:f32[3,3]; b:f32[3]. let\n    c:f32[3] = dot_general[\n      \
         dimension_numbers=(([1], [0]), ([], []))\n      preferred_element_type=float32\n    ] a b\n  in (c,) }"
    );

    let inner = jit(|x: Array| x * 2.0).with_name("<lambda>");
    let f =
        jit(|x: Array| -> rjax::Result<Array> { Ok(inner.call::<Array, Array, Array>(x)? + 1.0) });
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[3]. let\n    b:f32[3] = jit[\n      name=<lambda>\n      \
         jaxpr={ lambda ; a:f32[3]. let b:f32[3] = mul a 2.0:f32[] in (b,) }\n    ] a\n    \
         c:f32[3] = add b 1.0:f32[]\n  in (c,) }"
    );
    Ok(())
}

#[test]
fn a_leaked_tracer_gives_the_escaped_tracer_error() {
    let leaked: Mutex<Option<Array>> = Mutex::new(None);
    let f = jit(|x: Array| {
        *leaked.lock().unwrap() = Some(x.clone());
        x
    });
    let _: Array = f.call(Array::from([1.0f32])).unwrap();
    let tracer = leaked.lock().unwrap().take().unwrap();
    assert!(tracer.is_tracer());
    let panic = std::panic::catch_unwind(|| tracer.sin()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("Encountered an unexpected tracer"),
        "{message}"
    );
    assert!(
        message.contains("f32[1]") && message.contains("`sin`"),
        "{message}"
    );
}

#[test]
fn reading_a_tracer_is_a_concretization_error() {
    let f = jit(|x: Array| -> rjax::Result<Array> {
        let values = x.to_vec::<f32>()?;
        Ok(x * values[0])
    });
    let error = f
        .call::<Array, Array, _>(Array::from([1.0f32]))
        .unwrap_err();
    assert!(matches!(error, Error::Concretization { .. }), "{error:?}");
    assert!(
        error.to_string().contains("to_vec needs a concrete value"),
        "{error}"
    );
}

#[test]
fn a_signature_that_keeps_changing_hits_the_cache_cap() {
    let f = jit(|x: Array| x + 1.0)
        .with_name("grows")
        .with_max_cache_entries(2);
    for n in 1..=2 {
        let _: Array = f.call(Array::from_vec(vec![0.0f32; n])).unwrap();
    }
    let error = f
        .call::<Array, Array, Array>(Array::from_vec(vec![0.0f32; 3]))
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`grows` has been traced for 2 different input signatures"),
        "{message}"
    );
    assert!(message.contains("(f32[3])"), "{message}");
}

#[test]
fn shape_errors_name_the_op_the_types_and_the_line() {
    let x = Array::from([1.0f32, 2.0, 3.0]);
    let y = Array::from([1.0f32, 2.0]);
    let panic = std::panic::catch_unwind(|| &x + &y).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("add: incompatible shapes for broadcasting: f32[3], f32[2]"),
        "{message}"
    );
}

#[test]
fn static_arguments_are_compile_time_constants() -> anyhow::Result<()> {
    let traces = AtomicUsize::new(0);
    let power = jit(|(x, Static(n)): (Array, Static<i32>)| {
        traces.fetch_add(1, Ordering::SeqCst);
        lax::integer_pow(&x, n)
    });
    let x = Array::from([2.0f32, 3.0]);
    let cube: Array = power.call((x.clone(), Static(3)))?;
    assert_eq!(cube.to_vec::<f32>()?, [8.0, 27.0]);
    let square: Array = power.call((x.clone(), Static(2)))?;
    assert_eq!(square.to_vec::<f32>()?, [4.0, 9.0]);
    let again: Array = power.call((x, Static(3)))?;
    assert_eq!(again.to_vec::<f32>()?, [8.0, 27.0]);
    assert_eq!(
        traces.load(Ordering::SeqCst),
        2,
        "one trace per static value"
    );
    Ok(())
}

#[test]
fn ahead_of_time_lowering_and_compilation() -> anyhow::Result<()> {
    let f = jit(|x: Array| x.exp().sum()).with_name("total");
    let x = Array::from([0.0f32, 1.0]);
    let lowered = f.lower(&x)?;
    assert!(
        lowered.as_text().starts_with("module @total"),
        "{}",
        lowered.as_text()
    );
    assert!(lowered.as_text().contains("stablehlo.exponential"));
    let compiled = lowered.compile()?;
    let y: Array = compiled.call(x)?;
    assert!((y.item::<f32>()? - (1.0 + 1.0f32.exp())).abs() < 1e-5);
    let error = compiled
        .call::<Array, Array>(Array::from([1.0f32, 2.0, 3.0]))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("compiled for (f32[2]) but called with (f32[3])"),
        "{error}"
    );
    Ok(())
}
