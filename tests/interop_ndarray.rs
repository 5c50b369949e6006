//! Conversions between `Array` and `ndarray` for every element type, standard and
//! non-standard layouts (transposed, strided, reversed views), fixed ranks and errors.

#![cfg(feature = "ndarray")]

use half::{bf16, f16};
use ndarray::{Array2, ArrayD, Ix2, Ix3, IxDyn, ShapeBuilder, s};
use rjax::{Array, Complex, Element};

/// `Array` ⇄ `ArrayD<T>` of shape `(2, 3, 4)` holding `value(i)` at flat position `i`.
fn round_trip<T: Element + PartialEq>(value: impl Fn(usize) -> T) {
    let elements: Vec<T> = (0..24).map(&value).collect();
    let nd = ArrayD::from_shape_vec(IxDyn(&[2, 3, 4]), elements.clone()).unwrap();
    let array = Array::from(&nd);
    assert_eq!(array.dtype(), T::DTYPE);
    assert_eq!(array.shape(), [2, 3, 4]);
    assert_eq!(array.to_vec::<T>().unwrap(), elements, "{}", T::DTYPE);
    assert_eq!(array.to_ndarray::<T>().unwrap(), nd, "{}", T::DTYPE);
    // By value, and through a fixed-rank view.
    assert_eq!(Array::from(nd.clone()).to_vec::<T>().unwrap(), elements);
    let fixed = nd.clone().into_dimensionality::<Ix3>().unwrap();
    assert_eq!(Array::from(&fixed.view()).to_vec::<T>().unwrap(), elements);
    assert_eq!(array.to_ndarray_dim::<T, Ix3>().unwrap(), fixed);
}

#[test]
fn every_element_type_round_trips() {
    rjax::config::enable_x64(true);
    round_trip(|i| i % 3 == 0);
    round_trip(|i| i as i8 - 12);
    round_trip(|i| i as i16 * -300);
    round_trip(|i| i as i32 * -70_000);
    round_trip(|i| i as i64 * -(1 << 40));
    round_trip(|i| i as u8 * 10);
    round_trip(|i| i as u16 * 2_000);
    round_trip(|i| i as u32 * 100_000);
    round_trip(|i| i as u64 * (1 << 50));
    round_trip(|i| f16::from_f32(i as f32 / 8.0));
    round_trip(|i| bf16::from_f32(-(i as f32) / 4.0));
    round_trip(|i| i as f32 * 0.1);
    round_trip(|i| i as f64 * -0.3);
    round_trip(|i| Complex::new(i as f32, -(i as f32)));
    round_trip(|i| Complex::new(i as f64 / 3.0, 1.0));
}

#[test]
fn non_standard_layouts_keep_the_logical_order() {
    let m = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f32);
    // A transpose: element (j, i) of the result is m[i, j].
    let t = Array::from(&m.t());
    assert_eq!(t.shape(), [4, 3]);
    let expected: Vec<f32> = (0..4)
        .flat_map(|j| (0..3).map(move |i| (10 * i + j) as f32))
        .collect();
    assert_eq!(t.to_vec::<f32>().unwrap(), expected);
    // Every other column, reversed rows (a negative stride).
    let strided = Array::from(&m.slice(s![..;-1, ..;2]));
    assert_eq!(strided.shape(), [3, 2]);
    assert_eq!(
        strided.to_vec::<f32>().unwrap(),
        [20.0, 22.0, 10.0, 12.0, 0.0, 2.0]
    );
    // A column-major (Fortran-order) owned array.
    let f = Array2::from_shape_vec((2, 3).f(), vec![1i32, 4, 2, 5, 3, 6]).unwrap();
    assert_eq!(Array::from(f).to_vec::<i32>().unwrap(), [1, 2, 3, 4, 5, 6]);
    // A scalar.
    let scalar = ndarray::arr0(2.5f32);
    let x = Array::from(&scalar);
    assert_eq!((x.shape(), x.item::<f32>().unwrap()), (&[][..], 2.5));
}

#[test]
fn rank_and_dtype_mismatches_are_errors() {
    let x = Array::from([[1.0f32, 2.0], [3.0, 4.0]]);
    let m = x.to_ndarray_dim::<f32, Ix2>().unwrap();
    assert_eq!(m[[1, 0]], 3.0);
    let message = x.to_ndarray_dim::<f32, Ix3>().unwrap_err().to_string();
    assert!(message.contains("not rank 3"), "{message}");
    let message = x.to_ndarray::<i32>().unwrap_err().to_string();
    assert!(message.contains("not int32"), "{message}");
}
