//! The indexing primitives (`rev`, `pad`, `dynamic_slice`, `dynamic_update_slice`, `gather`
//! and the scatters), eagerly and under `jit`, against NumPy's results
//! (`tests/golden/indexing.py`, cross-checked there against JAX 0.10.2); the jaxprs they stage,
//! as JAX prints them; and their errors.

mod common;

use common::panic_message;
use std::collections::HashMap;

use anyhow::{Context, bail, ensure};
use rjax::lax::{
    self, GatherDimensionNumbers, GatherOptions, GatherScatterMode, ScatterDimensionNumbers,
    ScatterOptions,
};
use rjax::{Array, DType, Scalar, jit};

const GOLDEN: &str = include_str!("golden/indexing.txt");

/// Host values of one of the dtypes the golden data uses.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    F32(Vec<f32>),
    I32(Vec<i32>),
    U8(Vec<u8>),
    Bool(Vec<bool>),
}

/// An array as the golden file writes it.
#[derive(Debug, Clone)]
struct Host {
    shape: Vec<usize>,
    values: Values,
}

impl Host {
    fn parse(text: &str) -> anyhow::Result<Host> {
        let (ty, values) = text.split_once(':').context("no ':' in an array")?;
        let (dtype, dims) = ty
            .trim_end_matches(']')
            .split_once('[')
            .context("no shape")?;
        let shape = list(dims)?;
        let items: Vec<&str> = values.split(',').filter(|v| !v.is_empty()).collect();
        let values = match dtype {
            "float32" => Values::F32(items.iter().map(|v| v.parse()).collect::<Result<_, _>>()?),
            "int32" => Values::I32(items.iter().map(|v| v.parse()).collect::<Result<_, _>>()?),
            "uint8" => Values::U8(items.iter().map(|v| v.parse()).collect::<Result<_, _>>()?),
            "bool" => Values::Bool(items.iter().map(|&v| v == "1").collect()),
            other => bail!("unexpected dtype {other}"),
        };
        Ok(Host { shape, values })
    }

    fn to_array(&self) -> anyhow::Result<Array> {
        Ok(match &self.values {
            Values::F32(v) => Array::from_slice(v, &self.shape)?,
            Values::I32(v) => Array::from_slice(v, &self.shape)?,
            Values::U8(v) => Array::from_slice(v, &self.shape)?,
            Values::Bool(v) => Array::from_slice(v, &self.shape)?,
        })
    }

    /// Whether `array` holds exactly these values (NaN equal to NaN).
    fn matches(&self, array: &Array) -> anyhow::Result<bool> {
        if array.shape() != self.shape.as_slice() {
            return Ok(false);
        }
        Ok(match &self.values {
            Values::F32(want) => {
                ensure!(array.dtype() == DType::F32, "got {}", array.dtype());
                let got = array.to_vec::<f32>()?;
                got.iter()
                    .zip(want)
                    .all(|(g, w)| g == w || (g.is_nan() && w.is_nan()))
            }
            Values::I32(want) => array.dtype() == DType::I32 && &array.to_vec::<i32>()? == want,
            Values::U8(want) => array.dtype() == DType::U8 && &array.to_vec::<u8>()? == want,
            Values::Bool(want) => array.dtype() == DType::Bool && &array.to_vec::<bool>()? == want,
        })
    }
}

/// A comma-separated list of integers (empty for none).
fn list<T: std::str::FromStr>(text: &str) -> anyhow::Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.split(',')
        .filter(|v| !v.is_empty())
        .map(|v| Ok(v.parse()?))
        .collect()
}

/// One golden case.
struct Case {
    line: usize,
    op: String,
    label: String,
    params: HashMap<String, String>,
    inputs: Vec<Host>,
    expected: Host,
}

impl Case {
    fn parse(line: usize, text: &str) -> anyhow::Result<Case> {
        let fields: Vec<&str> = text.split('\t').collect();
        let [op, label, params, inputs, expected] = fields[..] else {
            bail!("line {line}: expected 5 tab-separated fields");
        };
        let params = match params {
            "-" => HashMap::new(),
            _ => params
                .split(' ')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').context("no '=' in a parameter")?;
                    Ok((k.to_string(), v.to_string()))
                })
                .collect::<anyhow::Result<_>>()?,
        };
        Ok(Case {
            line,
            op: op.to_string(),
            label: label.to_string(),
            params,
            inputs: inputs
                .split(' ')
                .map(Host::parse)
                .collect::<Result<_, _>>()?,
            expected: Host::parse(expected)?,
        })
    }

    fn dims(&self, key: &str) -> Vec<usize> {
        list(&self.params[key]).expect("integer list")
    }

    fn mode(&self) -> GatherScatterMode {
        match self.params["mode"].as_str() {
            "clip" => GatherScatterMode::Clip,
            "fill" => GatherScatterMode::FillOrDrop,
            "promise" => GatherScatterMode::PromiseInBounds,
            other => panic!("unknown mode {other}"),
        }
    }

    /// The case's primitive applied to `args` through `rjax::lax`.
    fn apply(&self, args: &[Array]) -> Array {
        match self.op.as_str() {
            "rev" => lax::rev(&args[0], &self.dims("dimensions")),
            "pad" => {
                let low: Vec<i64> = list(&self.params["low"]).expect("low");
                let high: Vec<i64> = list(&self.params["high"]).expect("high");
                let interior = self.dims("interior");
                let config: Vec<(i64, i64, usize)> = (0..low.len())
                    .map(|d| (low[d], high[d], interior[d]))
                    .collect();
                lax::pad(&args[0], &args[1], &config)
            }
            "dynamic_slice" => {
                let starts: Vec<&Array> = args[1..].iter().collect();
                lax::dynamic_slice(&args[0], &starts, &self.dims("slice_sizes"))
            }
            "dynamic_update_slice" => {
                let starts: Vec<&Array> = args[2..].iter().collect();
                lax::dynamic_update_slice(&args[0], &args[1], &starts)
            }
            "gather" => {
                let numbers = GatherDimensionNumbers {
                    offset_dims: self.dims("offset_dims"),
                    collapsed_slice_dims: self.dims("collapsed_slice_dims"),
                    start_index_map: self.dims("start_index_map"),
                    operand_batching_dims: self.dims("operand_batching_dims"),
                    start_indices_batching_dims: self.dims("start_indices_batching_dims"),
                };
                let sizes = self.dims("slice_sizes");
                lax::gather(&args[0], &args[1], numbers, &sizes, self.mode())
            }
            op => {
                let numbers = ScatterDimensionNumbers {
                    update_window_dims: self.dims("update_window_dims"),
                    inserted_window_dims: self.dims("inserted_window_dims"),
                    scatter_dims_to_operand_dims: self.dims("scatter_dims_to_operand_dims"),
                    operand_batching_dims: self.dims("operand_batching_dims"),
                    scatter_indices_batching_dims: self.dims("scatter_indices_batching_dims"),
                };
                let options = ScatterOptions {
                    unique_indices: self.params["unique_indices"] == "1",
                    ..self.mode().into()
                };
                let scatter = match op {
                    "scatter" => lax::scatter,
                    "scatter-add" => lax::scatter_add,
                    "scatter-mul" => lax::scatter_mul,
                    "scatter-min" => lax::scatter_min,
                    "scatter-max" => lax::scatter_max,
                    other => panic!("unknown op {other}"),
                };
                scatter(&args[0], &args[1], &args[2], numbers, options)
            }
        }
    }
}

fn golden_cases() -> anyhow::Result<Vec<Case>> {
    GOLDEN
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#'))
        .map(|(i, line)| Case::parse(i + 1, line))
        .collect()
}

#[test]
fn golden_cases_match_numpy_eagerly_and_under_jit() -> anyhow::Result<()> {
    let cases = golden_cases()?;
    assert!(cases.len() >= 90, "only {} golden cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<Array> = case
            .inputs
            .iter()
            .map(Host::to_array)
            .collect::<Result<_, _>>()?;
        let eager = case.apply(&args);
        let jitted: Array = jit(|args: Vec<Array>| case.apply(&args)).call(args.clone())?;
        for (how, got) in [("eagerly", &eager), ("under jit", &jitted)] {
            if !case.expected.matches(got)? {
                failures.push(format!(
                    "line {}: {} ({}) {how}: got {got:?}, want {:?}",
                    case.line, case.op, case.label, case.expected
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn every_primitive_and_mode_is_covered() -> anyhow::Result<()> {
    let cases = golden_cases()?;
    for op in [
        "rev",
        "pad",
        "dynamic_slice",
        "dynamic_update_slice",
        "gather",
        "scatter",
        "scatter-add",
        "scatter-mul",
        "scatter-min",
        "scatter-max",
    ] {
        assert!(cases.iter().any(|c| c.op == op), "no case of {op}");
    }
    for mode in ["clip", "fill", "promise"] {
        for op in ["gather", "scatter"] {
            assert!(
                cases
                    .iter()
                    .any(|c| c.op == op && c.params.get("mode").map(String::as_str) == Some(mode)),
                "no {op} case in mode {mode}"
            );
        }
    }
    Ok(())
}

fn rows_gather() -> GatherDimensionNumbers {
    GatherDimensionNumbers {
        offset_dims: vec![1],
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0],
        ..Default::default()
    }
}

fn rows_scatter() -> ScatterDimensionNumbers {
    ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    }
}

#[test]
fn gather_fill_value_and_options() -> anyhow::Result<()> {
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
    let idx = Array::from_slice(&[2i32, 3, -1], &[3, 1])?;
    let options = GatherOptions {
        fill_value: Some(Scalar::Float(-7.5)),
        indices_are_sorted: true,
        ..GatherScatterMode::FillOrDrop.into()
    };
    let want = [5.0f32, 6.0, -7.5, -7.5, -7.5, -7.5];
    let eager = lax::gather(&x, &idx, rows_gather(), &[1, 2], options);
    assert_eq!(eager.to_vec::<f32>()?, want);
    let f = jit(|(x, idx): (Array, Array)| lax::gather(&x, &idx, rows_gather(), &[1, 2], options));
    let jitted: Array = f.call((x.clone(), idx.clone()))?;
    assert_eq!(jitted.to_vec::<f32>()?, want);
    // The default options are JAX's: PromiseInBounds, which clamps.
    let clamped = lax::gather(&x, &idx, rows_gather(), &[1, 2], GatherOptions::default());
    assert_eq!(clamped.to_vec::<f32>()?, [5.0, 6.0, 5.0, 6.0, 1.0, 2.0]);
    Ok(())
}

#[test]
fn empty_gathers_and_scatters() -> anyhow::Result<()> {
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    let idx = Array::from_slice::<i32>(&[], &[0, 1])?;
    for mode in [GatherScatterMode::Clip, GatherScatterMode::FillOrDrop] {
        let y = lax::gather(&x, &idx, rows_gather(), &[1, 2], mode);
        assert_eq!(y.shape(), [0, 2]);
        let f = jit(|x: Array| lax::gather(&x, &idx, rows_gather(), &[1, 2], mode));
        let y: Array = f.call(x.clone())?;
        assert_eq!(y.shape(), [0, 2]);
    }
    let updates = Array::from_slice::<f32>(&[], &[0, 2])?;
    let y = lax::scatter_add(
        &x,
        &idx,
        &updates,
        rows_scatter(),
        ScatterOptions::default(),
    );
    assert_eq!(y.to_vec::<f32>()?, [1.0, 2.0, 3.0, 4.0]);
    Ok(())
}

#[test]
fn dynamic_indices_of_other_integer_dtypes() -> anyhow::Result<()> {
    let x = Array::from([10i32, 11, 12, 13, 14]);
    // Unsigned indices are never negative: 250 clamps to the last start.
    let u = Array::scalar(250u8);
    assert_eq!(
        lax::dynamic_slice(&x, [&u], &[2]).to_vec::<i32>()?,
        [13, 14]
    );
    let s = Array::scalar(-1i8);
    assert_eq!(lax::dynamic_slice(&x, [&s], &[1]).to_vec::<i32>()?, [14]);
    let f = jit(|i: Array| lax::dynamic_update_slice(&x, Array::from([0i32, 0]), [&i]));
    let y: Array = f.call(Array::scalar(-3i16))?;
    assert_eq!(y.to_vec::<i32>()?, [10, 11, 0, 0, 14]);
    Ok(())
}

#[test]
fn jaxprs_print_as_jax_prints_them() -> anyhow::Result<()> {
    // Expected texts are what JAX 0.10.2's `jax.make_jaxpr` prints for the same functions.
    let x = Array::from_slice(&[0.0f32; 12], &[3, 4])?;
    let f = jit(|x: Array| lax::rev(&x, &[0]));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[3,4]. let b:f32[3,4] = rev[dimensions=(0,)] a in (b,) }"
    );
    let f = jit(|x: Array| lax::pad(&x, Array::scalar(0.0f32), &[(1, -1, 2), (0, 0, 0)]));
    assert_eq!(
        f.make_jaxpr(&x)?.to_string(),
        "{ lambda ; a:f32[3,4]. let\n    b:f32[7,4] = pad[padding_config=((1, -1, 2), (0, 0, 0))] a 0.0:f32[]\n  in (b,) }"
    );
    let idx = Array::from_slice(&[0i32, 2], &[2, 1])?;
    let f = jit(|(x, i): (Array, Array)| {
        lax::gather(&x, &i, rows_gather(), &[1, 4], GatherScatterMode::Clip)
    });
    assert_eq!(
        f.make_jaxpr(&(x.clone(), idx.clone()))?.to_string(),
        "{ lambda ; a:f32[3,4] b:i32[2,1]. let
    c:f32[2,4] = gather[
      dimension_numbers=GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,), operand_batching_dims=(), start_indices_batching_dims=())
      fill_value=None
      indices_are_sorted=False
      mode=GatherScatterMode.CLIP
      slice_sizes=(1, 4)
      unique_indices=False
    ] a b
  in (c,) }"
    );
    let f = jit(|(x, i): (Array, Array)| {
        lax::gather(
            &x,
            &i,
            rows_gather(),
            &[1, 4],
            GatherScatterMode::FillOrDrop,
        )
    });
    let text = f.make_jaxpr(&(x.clone(), idx.clone()))?.to_string();
    assert!(text.contains("fill_value=nan\n"), "{text}");
    assert!(
        text.contains("mode=GatherScatterMode.FILL_OR_DROP"),
        "{text}"
    );
    let updates = Array::from_slice(&[0.0f32; 8], &[2, 4])?;
    let f = jit(|(x, i, u): (Array, Array, Array)| {
        lax::scatter(&x, &i, &u, rows_scatter(), GatherScatterMode::Clip)
    });
    assert_eq!(
        f.make_jaxpr(&(x.clone(), idx.clone(), updates.clone()))?.to_string(),
        "{ lambda ; a:f32[3,4] b:i32[2,1] c:f32[2,4]. let
    d:f32[3,4] = scatter[
      dimension_numbers=ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,), operand_batching_dims=(), scatter_indices_batching_dims=())
      indices_are_sorted=False
      mode=GatherScatterMode.CLIP
      unique_indices=False
      update_consts=()
      update_jaxpr=None
    ] a b c
  in (d,) }"
    );
    // JAX names the update jaxpr's variables on from the outer jaxpr's (`e f g`); rjax's
    // printer names every nested jaxpr from `a`.
    let f = jit(|(x, i, u): (Array, Array, Array)| {
        lax::scatter_add(&x, &i, &u, rows_scatter(), ScatterOptions::default())
    });
    let text = f.make_jaxpr(&(x, idx, updates))?.to_string();
    assert!(text.contains("d:f32[3,4] = scatter-add["), "{text}");
    assert!(
        text.contains("update_jaxpr={ lambda ; a:f32[] b:f32[]. let c:f32[] = add a b in (c,) }"),
        "{text}"
    );
    assert!(
        text.contains("mode=GatherScatterMode.FILL_OR_DROP"),
        "{text}"
    );
    Ok(())
}

#[test]
fn dynamic_slice_stages_the_negative_index_fix_up() -> anyhow::Result<()> {
    let x = Array::from_slice(&[0.0f32; 12], &[3, 4])?;
    let f = jit(|(x, i): (Array, Array)| lax::dynamic_slice(&x, [&i, &i], &[2, 2]));
    let text = f.make_jaxpr(&(x, Array::scalar(1i32)))?.to_string();
    assert!(text.contains("= lt b 0:i32[]"), "{text}");
    assert!(text.contains("= add b 3:i32[]"), "{text}");
    assert!(text.contains("= add b 4:i32[]"), "{text}");
    assert!(
        text.contains("dynamic_slice[slice_sizes=(2, 2)] a"),
        "{text}"
    );
    Ok(())
}

#[test]
fn misuse_panics_naming_the_op_and_the_types() -> anyhow::Result<()> {
    let x = Array::from_slice(&[0.0f32; 15], &[5, 3])?;
    let pairs = Array::from_slice(&[0i32; 8], &[4, 2])?;
    let rows = Array::from_slice(&[0i32; 4], &[4, 1])?;
    let checks: Vec<(String, &[&str])> = vec![
        (
            panic_message(|| {
                lax::rev(&x, &[2]);
            }),
            &["rev", "[2]", "f32[5,3]"],
        ),
        (
            panic_message(|| {
                lax::pad(&x, Array::scalar(0i32), &[(0, 0, 0), (0, 0, 0)]);
            }),
            &["pad", "f32[5,3]", "i32[]"],
        ),
        (
            panic_message(|| {
                lax::pad(&x, Array::scalar(0.0f32), &[(-3, -3, 0), (0, 0, 0)]);
            }),
            &["pad", "negative size", "f32[5,3]"],
        ),
        (
            panic_message(|| {
                let i = Array::scalar(0i32);
                lax::dynamic_slice(&x, [&i, &i], &[6, 1]);
            }),
            &["dynamic_slice", "[6, 1]", "f32[5,3]"],
        ),
        (
            panic_message(|| {
                let i = Array::scalar(0i32);
                lax::dynamic_slice(&x, [&i], &[1, 1]);
            }),
            &["dynamic_slice", "f32[5,3]", "i32[]"],
        ),
        (
            panic_message(|| {
                let (i, j) = (Array::scalar(0i32), Array::scalar(0.0f32));
                lax::dynamic_slice(&x, [&i, &j], &[1, 1]);
            }),
            &["dynamic_slice", "integer", "f32[]"],
        ),
        (
            panic_message(|| {
                let i = Array::scalar(0i32);
                let update = Array::from_slice(&[0.0f32; 4], &[1, 4]).unwrap();
                lax::dynamic_update_slice(&x, &update, [&i, &i]);
            }),
            &["dynamic_update_slice", "f32[1,4]", "f32[5,3]"],
        ),
        (
            panic_message(|| {
                lax::gather(&x, &pairs, rows_gather(), &[1, 3], GatherScatterMode::Clip);
            }),
            &["gather", "start_index_map", "f32[5,3]", "i32[4,2]"],
        ),
        (
            panic_message(|| {
                lax::gather(&x, &rows, rows_gather(), &[1, 4], GatherScatterMode::Clip);
            }),
            &["gather", "slice size", "f32[5,3]", "[1, 4]"],
        ),
        (
            panic_message(|| {
                let float_rows = Array::from_slice(&[0.0f32; 4], &[4, 1]).unwrap();
                lax::gather(
                    &x,
                    &float_rows,
                    rows_gather(),
                    &[1, 3],
                    GatherScatterMode::Clip,
                );
            }),
            &["gather", "integers", "f32[4,1]"],
        ),
        (
            panic_message(|| {
                let updates = Array::from_slice(&[0.0f32; 12], &[3, 4]).unwrap();
                lax::scatter_add(&x, &rows, &updates, rows_scatter(), GatherScatterMode::Clip);
            }),
            &["scatter-add", "f32[5,3]", "i32[4,1]", "f32[3,4]"],
        ),
        (
            panic_message(|| {
                let updates = Array::from_slice(&[0i32; 12], &[4, 3]).unwrap();
                lax::scatter(&x, &rows, &updates, rows_scatter(), GatherScatterMode::Clip);
            }),
            &["scatter", "dtype", "f32[5,3]", "i32[4,3]"],
        ),
        (
            panic_message(|| {
                let flags = Array::from_slice(&[false; 15], &[5, 3]).unwrap();
                let updates = Array::from_slice(&[true; 12], &[4, 3]).unwrap();
                lax::scatter_mul(
                    &flags,
                    &rows,
                    &updates,
                    rows_scatter(),
                    GatherScatterMode::Clip,
                );
            }),
            &["scatter-mul", "does not accept bool"],
        ),
    ];
    for (message, needles) in checks {
        for needle in needles {
            assert!(
                message.contains(needle),
                "{needle:?} is not in the message {message:?}"
            );
        }
    }
    Ok(())
}
