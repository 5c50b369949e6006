//! serde for arrays, derived pytrees and optimizer states: round trips through JSON (the
//! readable form) and CBOR (a binary format: raw bytes, bit for bit), every dtype with random
//! bit patterns, a whole training state `(params, opt_state, step)`, and validation errors.

#![cfg(feature = "serde")]

mod common;

use common::raw_arrays::{from_bytes, random_bytes, to_bytes};
use rjax::optim::{self, AdamOptions, OptState};
use rjax::{Array, DType, Pytree, Static, tree_leaves, value_and_grad};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

fn json<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn cbor<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    ciborium::from_reader(bytes.as_slice()).unwrap()
}

/// Whether two arrays hold the same bits, or (`nan_equal`) differ only in NaNs' bits.
fn same(a: &Array, b: &Array, nan_equal: bool) -> bool {
    if (a.dtype(), a.shape()) != (b.dtype(), b.shape()) {
        return false;
    }
    let (x, y) = (to_bytes(a), to_bytes(b));
    if x == y {
        return true;
    }
    // Compare part by part (complex numbers have two), NaN matching NaN.
    let part = if a.dtype().is_complex() {
        a.dtype().size_in_bytes() / 2
    } else {
        a.dtype().size_in_bytes()
    };
    let is_nan = |bits: &[u8]| match part {
        2 if a.dtype() == DType::F16 => half::f16::from_le_bytes([bits[0], bits[1]]).is_nan(),
        2 => half::bf16::from_le_bytes([bits[0], bits[1]]).is_nan(),
        4 => f32::from_le_bytes(bits.try_into().unwrap()).is_nan(),
        8 => f64::from_le_bytes(bits.try_into().unwrap()).is_nan(),
        _ => false,
    };
    nan_equal
        && a.dtype().is_inexact()
        && x.chunks(part)
            .zip(y.chunks(part))
            .all(|(p, q)| p == q || (is_nan(p) && is_nan(q)))
}

fn every_dtype() -> Vec<Array> {
    DType::ALL
        .iter()
        .enumerate()
        .map(|(seed, &dtype)| from_bytes(dtype, &[4, 8], &random_bytes(dtype, 32, seed as u64)))
        .collect()
}

#[test]
fn every_dtype_round_trips() {
    rjax::config::enable_x64(true);
    for array in every_dtype() {
        assert!(same(&cbor(&array), &array, false), "cbor {}", array.dtype());
        assert!(same(&json(&array), &array, true), "json {}", array.dtype());
    }
    // Scalars and empty arrays.
    for array in [
        Array::from(-0.0f64),
        Array::from_slice::<u64>(&[], &[0, 3]).unwrap(),
    ] {
        assert!(same(&cbor(&array), &array, false));
        assert!(same(&json(&array), &array, false));
    }
}

#[test]
fn binary_keeps_nan_payloads_and_negative_zero() {
    rjax::config::enable_x64(true);
    let values = [
        f32::from_bits(0x7fc0_1234),
        f32::from_bits(0xffa0_0001),
        -0.0,
        f32::INFINITY,
    ];
    let array = Array::from_slice(&values, &[2, 2]).unwrap();
    let back: Vec<u32> = cbor(&array)
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    assert_eq!(back, values.map(f32::to_bits));
    // JSON keeps -0.0 and the infinities; NaNs come back as NaNs.
    let back = json(&array).to_vec::<f32>().unwrap();
    assert!(back[0].is_nan() && back[1].is_nan());
    assert_eq!(back[2].to_bits(), (-0.0f32).to_bits());
    assert_eq!(back[3], f32::INFINITY);
}

#[test]
fn the_json_form_is_readable() {
    let x = Array::from_slice(&[1.5f32, f32::NAN, -0.0, 0.1], &[2, 2]).unwrap();
    assert_eq!(
        serde_json::to_string(&x).unwrap(),
        r#"{"dtype":"float32","shape":[2,2],"data":[1.5,"nan",-0.0,0.10000000149011612]}"#
    );
    let z = Array::from_slice(&[rjax::Complex::new(1.0f32, -2.0)], &[1]).unwrap();
    assert_eq!(
        serde_json::to_string(&z).unwrap(),
        r#"{"dtype":"complex64","shape":[1],"data":[[1.0,-2.0]]}"#
    );
    let b = Array::from([true, false]);
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        r#"{"dtype":"bool","shape":[2],"data":[true,false]}"#
    );
    // Hand-written: integers for a float dtype, a rounded decimal.
    let y: Array =
        serde_json::from_str(r#"{"dtype":"float32","shape":[2],"data":[2, 0.1]}"#).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), [2.0, 0.1]);
}

#[test]
fn malformed_input_is_a_clear_error() {
    let error = |text: &str| serde_json::from_str::<Array>(text).unwrap_err().to_string();
    let message = error(r#"{"dtype":"float31","shape":[1],"data":[1.0]}"#);
    assert!(message.contains("unknown dtype `float31`"), "{message}");
    let message = error(r#"{"dtype":"float32","shape":[2,2],"data":[1.0]}"#);
    assert!(
        message.contains("1 values given for the shape [2, 2]"),
        "{message}"
    );
    let message = error(r#"{"dtype":"int8","shape":[1],"data":[300]}"#);
    assert!(message.contains("out of range of int8"), "{message}");
    let message = error(r#"{"dtype":"int32","shape":[1],"data":[1.5]}"#);
    assert!(message.contains("not a int32 value"), "{message}");
    let message = error(r#"{"dtype":"bool","shape":[1],"data":[1]}"#);
    assert!(message.contains("not a bool value"), "{message}");
    let message = error(r#"{"dtype":"complex64","shape":[1],"data":[[1.0]]}"#);
    assert!(message.contains("two parts"), "{message}");

    // Binary: a byte count that does not fit the shape.
    #[derive(Serialize)]
    struct Raw {
        dtype: &'static str,
        shape: Vec<usize>,
        #[serde(with = "serde_bytes_shim")]
        data: Vec<u8>,
    }
    mod serde_bytes_shim {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }
    let mut bytes = Vec::new();
    let raw = Raw {
        dtype: "float32",
        shape: vec![3],
        data: vec![0; 8],
    };
    ciborium::into_writer(&raw, &mut bytes).unwrap();
    let message = ciborium::from_reader::<Array, _>(bytes.as_slice())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("8 bytes given for float32[3]"),
        "{message}"
    );

    // Keys are refused when serializing.
    let message = serde_json::to_string(&rjax::random::key(0))
        .unwrap_err()
        .to_string();
    assert!(message.contains("key_data"), "{message}");
}

#[derive(Pytree, Serialize, Deserialize, Clone, Debug)]
struct Linear {
    w: Array,
    b: Array,
}

#[derive(Pytree, Serialize, Deserialize, Clone, Debug)]
struct Mlp {
    layers: Vec<Linear>,
}

#[derive(Pytree, Serialize, Deserialize, Clone, Debug)]
struct WithStatic {
    w: Array,
    #[pytree(static)]
    activation: String,
}

fn loss(params: Mlp) -> Array {
    let x = Array::from([[1.0f64, -2.0], [0.5, 3.0]]);
    let mut h = x;
    for layer in &params.layers {
        h = (h.matmul(&layer.w) + &layer.b).tanh();
    }
    (&h * &h).sum()
}

fn mlp() -> Mlp {
    let layer = |seed: u64| Linear {
        w: Array::from_slice(
            &[0.1 * seed as f64, -0.3, 0.7, 0.2 - 0.05 * seed as f64],
            &[2, 2],
        )
        .unwrap(),
        b: Array::from([0.01f64, -0.02]),
    };
    Mlp {
        layers: vec![layer(1), layer(2)],
    }
}

#[test]
fn a_training_state_round_trips_and_training_continues_identically() -> anyhow::Result<()> {
    rjax::config::enable_x64(true);
    let opt = optim::chain(vec![
        optim::clip_by_global_norm(1.0),
        optim::adamw(1e-2, AdamOptions::default(), 1e-4, None),
    ]);
    let step = |params: Mlp, state: OptState| -> anyhow::Result<(Mlp, OptState)> {
        let (_, grads) = value_and_grad(loss)(params.clone())?;
        let (updates, state) = opt.update(grads, state, Some(&params))?;
        Ok((optim::apply_updates(&params, &updates)?, state))
    };
    let mut params = mlp();
    let mut state = opt.init(&params)?;
    for _ in 0..2 {
        (params, state) = step(params, state)?;
    }
    let training = (params, state, 2u64);
    for (format, restored) in [("json", json(&training)), ("cbor", cbor(&training))] {
        let (original, restored_leaves) = (tree_leaves(&training.0), tree_leaves(&restored.0));
        for (a, b) in original.iter().zip(&restored_leaves) {
            assert!(same(a, b, false), "{format} params");
        }
        for (a, b) in tree_leaves(&training.1)
            .iter()
            .zip(&tree_leaves(&restored.1))
        {
            assert!(same(a, b, false), "{format} state");
        }
        assert_eq!(restored.2, 2);
        // The restored state drives the next step exactly as the original does.
        let (next, _) = step(training.0.clone(), training.1.clone())?;
        let (next_restored, _) = step(restored.0, restored.1)?;
        for (a, b) in tree_leaves(&next).iter().zip(&tree_leaves(&next_restored)) {
            assert!(same(a, b, false), "{format} next step");
        }
    }
    Ok(())
}

#[test]
fn derived_structs_with_static_fields_round_trip_but_their_tree_defs_do_not() {
    let value = WithStatic {
        w: Array::from([1.0f32, 2.0]),
        activation: "gelu".into(),
    };
    let back = json(&value);
    assert_eq!(back.activation, "gelu");
    assert!(same(&back.w, &value.w, false));
    // A state shaped like them holds a static value in its TreeDef: refused, saying why.
    let state = optim::sgd(0.1, Some(0.9), false).init(&value).unwrap();
    let message = serde_json::to_string(&state).unwrap_err().to_string();
    assert!(message.contains("static value"), "{message}");
    // Static alone is a TreeDef-only value: refused the same way.
    let (_, def) = (Static(1), Array::from(1.0f32)).tree_flatten();
    assert!(serde_json::to_string(&def).is_err());
}
