//! Host ↔ device transfers of every dtype, and the buffer queries.

mod common;

use common::{leak_checked, test_client};
use half::{bf16, f16};
use rjax::runtime::Client;
use rjax::{Complex, DType, Element};

/// Sends `values` with shape `dims`, reads them back, and checks dtype, shape and contents,
/// both on the buffer made from the host and on a device-side copy (whose dtype and shape come
/// from the plugin rather than from the upload).
fn round_trip<T: Element + PartialEq>(
    client: &Client,
    values: &[T],
    dims: &[usize],
) -> anyhow::Result<()> {
    let device = client.device(0).unwrap();
    let buffer = client.buffer_from_host(values, dims, &device)?;
    assert_eq!(buffer.dtype()?, T::DTYPE);
    assert_eq!(buffer.dims()?, dims);
    assert_eq!(buffer.to_vec::<T>()?, values, "{} {dims:?}", T::DTYPE);
    let target = client.devices().pop().unwrap();
    let copy = buffer.copy_to_device(&target)?;
    assert_eq!(copy.dtype()?, T::DTYPE);
    assert_eq!(copy.dims()?, dims);
    assert_eq!(copy.device()?, target);
    assert_eq!(copy.to_vec::<T>()?, values);
    let bytes: Vec<u8> = copy.to_bytes()?;
    assert_eq!(bytes.len(), values.len() * T::DTYPE.size_in_bytes());
    Ok(())
}

/// Round trips of a 2x3 array, a scalar and an empty array of one dtype.
fn all_shapes<T: Element + PartialEq>(client: &Client, six: [T; 6]) -> anyhow::Result<()> {
    round_trip(client, &six, &[2, 3])?;
    round_trip(client, &six[..1], &[])?;
    round_trip(client, &six[..0], &[0, 4])?;
    Ok(())
}

#[test]
fn every_dtype_round_trips_in_every_shape() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(2)?;
        all_shapes(&client, [true, false, false, true, true, false])?;
        all_shapes(&client, [i8::MIN, -1, 0, 1, 2, i8::MAX])?;
        all_shapes(&client, [i16::MIN, -1, 0, 1, 2, i16::MAX])?;
        all_shapes(&client, [i32::MIN, -1, 0, 1, 2, i32::MAX])?;
        all_shapes(&client, [i64::MIN, -1, 0, 1, 2, i64::MAX])?;
        all_shapes(&client, [0u8, 1, 2, 3, 254, u8::MAX])?;
        all_shapes(&client, [0u16, 1, 2, 3, 4, u16::MAX])?;
        all_shapes(&client, [0u32, 1, 2, 3, 4, u32::MAX])?;
        all_shapes(&client, [0u64, 1, 2, 3, 4, u64::MAX])?;
        let halves = [-2.5f32, -0.0, 0.0, 1.0, 65504.0, f32::INFINITY];
        all_shapes(&client, halves.map(f16::from_f32))?;
        all_shapes(&client, halves.map(bf16::from_f32))?;
        all_shapes(
            &client,
            [-2.5f32, -0.0, 1e-30, 1.0, f32::MAX, f32::NEG_INFINITY],
        )?;
        all_shapes(
            &client,
            [-2.5f64, -0.0, 1e-300, 1.0, f64::MAX, f64::MIN_POSITIVE],
        )?;
        all_shapes(
            &client,
            [0.5f32, 1.0, -2.0, 3.0, 4.0, 5.0].map(|x| Complex::new(x, -x)),
        )?;
        all_shapes(
            &client,
            [0.5f64, 1.0, -2.0, 3.0, 4.0, 5.0].map(|x| Complex::new(x, 2.0 * x)),
        )?;
        Ok(())
    })
}

#[test]
fn nan_payloads_survive_bit_for_bit() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let nan = f32::from_bits(0x7fc0_1234);
        let buffer = client.buffer_from_host(&[nan], &[1], &device)?;
        assert_eq!(buffer.to_vec::<f32>()?[0].to_bits(), 0x7fc0_1234);
        Ok(())
    })
}

#[test]
fn bytes_upload_matches_typed_upload() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let values = [1.5f64, -2.25, 3.0];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let buffer = client.buffer_from_bytes(&bytes, DType::F64, &[3], &device)?;
        assert_eq!(buffer.to_vec::<f64>()?, values);
        assert!(buffer.on_device_size_in_bytes()? >= 24);
        Ok(())
    })
}

#[test]
fn host_data_of_the_wrong_length_is_an_error_not_a_read_past_the_end() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let error = client
            .buffer_from_host(&[1.0f32, 2.0, 3.0], &[2, 2], &device)
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("buffer_from_host"), "{message}");
        assert!(
            message.contains("3 elements of float32") && message.contains("[2, 2]"),
            "{message}"
        );
        let error = client
            .buffer_from_bytes(&[0u8; 7], DType::F32, &[2], &device)
            .unwrap_err();
        assert!(error.to_string().contains("7 bytes"), "{error}");
        let error = client
            .buffer_from_host(&[1u8], &[usize::MAX, 2], &device)
            .unwrap_err();
        assert!(
            error.to_string().contains("more than usize::MAX"),
            "{error}"
        );
        Ok(())
    })
}

#[test]
fn reading_as_the_wrong_type_is_an_error() -> anyhow::Result<()> {
    leak_checked(|| {
        let client = test_client(1)?;
        let device = client.device(0).unwrap();
        let buffer = client.buffer_from_host(&[1i32, 2], &[2], &device)?;
        let error = buffer.to_vec::<f32>().unwrap_err();
        assert!(
            error.to_string().contains("int32[2], not float32"),
            "{error}"
        );
        Ok(())
    })
}

#[test]
fn devices_of_another_client_are_rejected() -> anyhow::Result<()> {
    leak_checked(|| {
        let first = test_client(1)?;
        let second = test_client(1)?;
        let foreign = second.device(0).unwrap();
        let error = first
            .buffer_from_host(&[1.0f32], &[1], &foreign)
            .unwrap_err();
        assert!(
            error.to_string().contains("belongs to another client"),
            "{error}"
        );
        let buffer = first.buffer_from_host(&[1.0f32], &[1], &first.device(0).unwrap())?;
        assert!(buffer.copy_to_device(&foreign).is_err());
        Ok(())
    })
}
