//! `bitcast_convert_type` against the host's own reinterpretation of the bytes, eagerly and
//! under `jit`.

use rjax::lax::bitcast_convert_type;
use rjax::{Array, DType, jit};

#[test]
fn same_width_narrower_and_wider_bitcasts() -> anyhow::Result<()> {
    let values = [1.0f32, -2.5, f32::INFINITY];
    let x = Array::from(values);
    let bits: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    for staged in [false, true] {
        let run = |dtype: DType, input: &Array| -> anyhow::Result<Array> {
            if staged {
                Ok(jit(move |x: Array| bitcast_convert_type(&x, dtype)).call(input.clone())?)
            } else {
                Ok(bitcast_convert_type(input, dtype))
            }
        };
        assert_eq!(run(DType::U32, &x)?.to_vec::<u32>()?, bits);
        let as_bytes = run(DType::U8, &x)?;
        assert_eq!(as_bytes.shape(), [3, 4]);
        assert_eq!(as_bytes.to_vec::<u8>()?, bytes);
        let back = run(DType::F32, &as_bytes)?;
        assert_eq!(back.shape(), [3]);
        assert_eq!(back.to_vec::<f32>()?, values);
    }
    Ok(())
}

#[test]
fn a_wider_bitcast_needs_the_matching_last_dimension() {
    let x = Array::from([[1u8, 2, 3], [4, 5, 6]]);
    let panic = std::panic::catch_unwind(|| bitcast_convert_type(&x, DType::F32)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("bitcast_convert_type") && message.contains("u8[2,3]"),
        "{message}"
    );
}
