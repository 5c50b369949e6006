//! The checkpoint loaders on malformed input: every truncated prefix and thousands of
//! deterministic bit flips of valid safetensors, `.npy` and `.npz` files (and of a serialized
//! array, feature `serde`) must give an error or a valid result, never a panic.

#![cfg(all(feature = "safetensors", feature = "npy"))]

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::raw_arrays::{from_bytes, random_bytes, to_bytes};
use rjax::io::{
    load_npy_from_bytes, load_npz_from_bytes, load_safetensors_arrays_from_bytes,
    load_safetensors_from_bytes, npy_bytes, npz_bytes, safetensors_bytes,
};
use rjax::{Array, DType};

/// A small tree of several dtypes and ranks.
fn tree() -> BTreeMap<String, Array> {
    [
        (DType::F32, vec![2, 3]),
        (DType::Bool, vec![4]),
        (DType::I16, vec![]),
        (DType::C64, vec![1, 2, 1]),
        (DType::U8, vec![0, 5]),
    ]
    .into_iter()
    .enumerate()
    .map(|(seed, (dtype, shape))| {
        let count = shape.iter().product();
        let array = from_bytes(dtype, &shape, &random_bytes(dtype, count, seed as u64));
        (format!("layers.{seed}.w"), array)
    })
    .collect()
}

/// Every element of every array can be read back: a valid result.
fn check_valid(arrays: &BTreeMap<String, Array>) {
    for array in arrays.values() {
        assert_eq!(
            to_bytes(array).len(),
            array.size() * array.dtype().size_in_bytes()
        );
    }
}

/// Deterministic positions for the bit flips.
struct Flips(u64);

impl Iterator for Flips {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Some(((self.0 >> 8) as usize, 1 << (self.0 % 8)))
    }
}

/// Runs `load` on every prefix of `valid` and on `flips` copies with one to three flipped
/// bits; returns how many cases were accepted (`Ok`) and rejected (`Err`).
fn fuzz(
    valid: &[u8],
    flips: usize,
    load: impl Fn(&[u8]) -> Result<(), rjax::Error>,
) -> (usize, usize) {
    let mut cases: Vec<Vec<u8>> = (0..valid.len()).map(|n| valid[..n].to_vec()).collect();
    let mut positions = Flips(0x5eed ^ valid.len() as u64);
    for case in 0..flips {
        let mut bytes = valid.to_vec();
        for _ in 0..1 + case % 3 {
            let (position, bit) = positions.next().unwrap();
            bytes[position % valid.len()] ^= bit;
        }
        cases.push(bytes);
    }
    let (mut accepted, mut rejected) = (0, 0);
    for (index, bytes) in cases.iter().enumerate() {
        match catch_unwind(AssertUnwindSafe(|| load(bytes))) {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(_)) => rejected += 1,
            Err(_) => panic!(
                "the loader panicked on case {index} ({} bytes)",
                bytes.len()
            ),
        }
    }
    assert!(
        rejected > valid.len() / 2,
        "the corrupted files were accepted"
    );
    (accepted, rejected)
}

#[test]
fn safetensors_loaders_never_panic() {
    let tree = tree();
    let valid = safetensors_bytes(&tree, None).unwrap();
    fuzz(&valid, 1500, |bytes| {
        check_valid(&load_safetensors_arrays_from_bytes(bytes)?);
        check_valid(&load_safetensors_from_bytes(bytes, &tree)?);
        Ok(())
    });
}

#[test]
fn npy_loader_never_panics() {
    let tree = tree();
    for array in tree.values() {
        let valid = npy_bytes(array).unwrap();
        fuzz(&valid, 300, |bytes| {
            let loaded = load_npy_from_bytes(bytes)?;
            check_valid(&BTreeMap::from([(String::new(), loaded)]));
            Ok(())
        });
    }
}

#[test]
fn npz_loader_never_panics() {
    let tree = tree();
    for compressed in [false, true] {
        let valid = npz_bytes(&tree, compressed).unwrap();
        fuzz(&valid, 1500, |bytes| {
            check_valid(&load_npz_from_bytes(bytes)?);
            Ok(())
        });
    }
}

#[cfg(feature = "serde")]
#[test]
fn array_deserialization_never_panics() {
    let mut valid = Vec::new();
    ciborium::into_writer(&tree()["layers.0.w"], &mut valid).unwrap();
    fuzz(&valid, 1000, |bytes| {
        let array: Array = ciborium::from_reader(bytes).map_err(rjax::Error::msg)?;
        check_valid(&BTreeMap::from([(String::new(), array)]));
        Ok(())
    });
}
