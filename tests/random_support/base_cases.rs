//! The cases of `tests/golden/random.py`: keys, `split`, `fold_in`, bits and the basic
//! samplers.

use super::{Sample, input_key, row};
use rjax::random::{self, PRNGKey};
use rjax::{Array, DType, lax};

/// Every golden case as an input (a key, or a seed) and the Rust call on it.
pub fn cases() -> Vec<(&'static str, Array, Sample)> {
    use DType::*;
    use random::{bernoulli, bits, fold_in, normal, permutation, permutation_of, randint};
    use random::{split, truncated_normal, uniform, uniform_with};
    let arange_i32 = |n: i32| Array::from_vec((0..n).collect::<Vec<i32>>());
    let keyed: Vec<(&'static str, Sample)> = keyed! {
        "PRNGKey(0)" => |_k| PRNGKey(0);
        "PRNGKey(42)" => |_k| PRNGKey(42);
        "PRNGKey(7340035)" => |_k| PRNGKey(7 * (1 << 20) + 3);
        "PRNGKey(-1)" => |_k| PRNGKey(-1);
        "PRNGKey(1099511627781)" => |_k| PRNGKey((1 << 40) + 5);
        "split(PRNGKey(0),2)" => |k| split(k, 2);
        "split(PRNGKey(0),3)" => |k| split(k, 3);
        "split(PRNGKey(42),5)" => |k| split(k, 5);
        "split(PRNGKey(0),(2,3))" => |k| random::split_shape(k, &[2, 3]);
        "split(PRNGKey(0),0)" => |k| split(k, 0);
        "fold_in(PRNGKey(0),1)" => |k| fold_in(k, 1);
        "fold_in(PRNGKey(42),0)" => |k| fold_in(k, 0);
        "fold_in(PRNGKey(0),4294967295)" => |k| fold_in(k, u32::MAX);
        "fold_in(split(PRNGKey(0),2)[1],7)" => |k| fold_in(row(&split(k, 2), 1), 7);
        "threefry_2x32(PRNGKey(3),arange(5,uint32))" => |k| random::threefry_2x32(k, lax::broadcasted_iota(U32, &[5], 0));
        "bits(PRNGKey(0),(),uint32)" => |k| bits(k, &[], U32);
        "bits(PRNGKey(0),(3,),uint32)" => |k| bits(k, &[3], U32);
        "bits(PRNGKey(0),(2,3),uint32)" => |k| bits(k, &[2, 3], U32);
        "bits(PRNGKey(0),(1000,),uint32)" => |k| random::random_bits(k, 32, &[1000]);
        "bits(PRNGKey(0),(0,),uint32)" => |k| bits(k, &[0], U32);
        "bits(PRNGKey(1),(5,),uint8)" => |k| bits(k, &[5], U8);
        "bits(PRNGKey(1),(5,),uint16)" => |k| bits(k, &[5], U16);
        "bits(PRNGKey(1),(2,3),uint64)" => |k| bits(k, &[2, 3], U64);
        "uniform(PRNGKey(0),(3,),float32)" => |k| uniform(k, &[3], F32);
        "normal(PRNGKey(0),(3,),float32)" => |k| normal(k, &[3], F32);
        "uniform(PRNGKey(0),(2,3),float32)" => |k| uniform(k, &[2, 3], F32);
        "normal(PRNGKey(0),(2,3),float32)" => |k| normal(k, &[2, 3], F32);
        "uniform(PRNGKey(0),(1000,),float32)" => |k| uniform(k, &[1000], F32);
        "normal(PRNGKey(0),(1000,),float32)" => |k| normal(k, &[1000], F32);
        "uniform(PRNGKey(1),(2,3),float32,-2,5)" => |k| uniform_with(k, &[2, 3], F32, -2.0, 5.0);
        "uniform(PRNGKey(3),(2,3),float32,[0,1,2],10)" => |k| uniform_with(k, &[2, 3], F32, Array::from([0.0f32, 1.0, 2.0]), 10.0);
        "normal(PRNGKey(5),(),float32)" => |k| normal(k, &[], F32);
        "truncated_normal(PRNGKey(0),-1,2,(5,),float32)" => |k| truncated_normal(k, -1.0, 2.0, Some(&[5]), F32);
        "truncated_normal(PRNGKey(2),[-3,0,1],[-2,0.5,4],None,float32)" => |k| truncated_normal(k, Array::from([-3.0f32, 0.0, 1.0]), Array::from([-2.0f32, 0.5, 4.0]), None, F32);
        "uniform(PRNGKey(0),(3,),float64)" => |k| uniform(k, &[3], F64);
        "normal(PRNGKey(0),(3,),float64)" => |k| normal(k, &[3], F64);
        "uniform(PRNGKey(0),(2,3),float64)" => |k| uniform(k, &[2, 3], F64);
        "normal(PRNGKey(0),(2,3),float64)" => |k| normal(k, &[2, 3], F64);
        "uniform(PRNGKey(0),(1000,),float64)" => |k| uniform(k, &[1000], F64);
        "normal(PRNGKey(0),(1000,),float64)" => |k| normal(k, &[1000], F64);
        "uniform(PRNGKey(1),(2,3),float64,-2,5)" => |k| uniform_with(k, &[2, 3], F64, -2.0, 5.0);
        "uniform(PRNGKey(3),(2,3),float64,[0,1,2],10)" => |k| uniform_with(k, &[2, 3], F64, Array::from([0.0f64, 1.0, 2.0]), 10.0);
        "normal(PRNGKey(5),(),float64)" => |k| normal(k, &[], F64);
        "truncated_normal(PRNGKey(0),-1,2,(5,),float64)" => |k| truncated_normal(k, -1.0, 2.0, Some(&[5]), F64);
        "truncated_normal(PRNGKey(2),[-3,0,1],[-2,0.5,4],None,float64)" => |k| truncated_normal(k, Array::from([-3.0f64, 0.0, 1.0]), Array::from([-2.0f64, 0.5, 4.0]), None, F64);
        "normal(PRNGKey(0),(1000,1000),float64)" => |k| normal(k, &[1000, 1000], F64);
        "uniform(PRNGKey(0),(1000,1000),float32)" => |k| uniform(k, &[1000, 1000], F32);
        "uniform(PRNGKey(0),(5,),float16)" => |k| uniform(k, &[5], F16);
        "normal(PRNGKey(0),(5,),float16)" => |k| normal(k, &[5], F16);
        "uniform(PRNGKey(0),(5,),bfloat16)" => |k| uniform(k, &[5], BF16);
        "normal(PRNGKey(0),(5,),bfloat16)" => |k| normal(k, &[5], BF16);
        "randint(PRNGKey(0),(10,),0,10,int32)" => |k| randint(k, &[10], 0, 10, I32);
        "randint(PRNGKey(1),(2,5),-5,5,int32)" => |k| randint(k, &[2, 5], -5, 5, I32);
        "randint(PRNGKey(0),(1000,),-1000000,1000000,int32)" => |k| randint(k, &[1000], -1_000_000, 1_000_000, I32);
        "randint(PRNGKey(0),(8,),0,256,uint8)" => |k| randint(k, &[8], 0, 256, U8);
        "randint(PRNGKey(0),(8,),-128,128,int8)" => |k| randint(k, &[8], -128, 128, I8);
        "randint(PRNGKey(2),(6,),-1000,1000,int16)" => |k| randint(k, &[6], -1000, 1000, I16);
        "randint(PRNGKey(0),(5,),3,3,int32)" => |k| randint(k, &[5], 3, 3, I32);
        "randint(PRNGKey(0),(3,),[0,10,100],[5,20,1000],int32)" => |k| randint(k, &[3], Array::from([0i32, 10, 100]), Array::from([5i32, 20, 1000]), I32);
        "randint(PRNGKey(4),(6,),0,4294967296,uint32)" => |k| randint(k, &[6], 0, 1i64 << 32, U32);
        "randint(PRNGKey(4),(6,),0,2147483648,int32)" => |k| randint(k, &[6], 0, 1i64 << 31, I32);
        "randint(PRNGKey(0),(6,),0,1099511627776,int64)" => |k| randint(k, &[6], 0, 1i64 << 40, I64);
        "bernoulli(PRNGKey(0),float32(0.5),(10,))" => |k| bernoulli(k, Array::scalar(0.5f32), Some(&[10]));
        "bernoulli(PRNGKey(0),0.3,(10,))" => |k| bernoulli(k, 0.3, Some(&[10]));
        "bernoulli(PRNGKey(1),float32([0.1,0.5,0.9]),None)" => |k| bernoulli(k, Array::from([0.1f32, 0.5, 0.9]), None);
        "permutation(PRNGKey(0),10)" => |k| permutation(k, 10);
        "permutation(PRNGKey(0),3000)" => |k| permutation(k, 3000);
        "permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),1,False)" => |k| permutation_of(k, arange_i32(12).reshape(&[3, 4]), 1, false);
        "permutation_of(PRNGKey(0),arange(12,int32).reshape(3,4),0,True)" => |k| permutation_of(k, arange_i32(12).reshape(&[3, 4]), 0, true);
        "permutation_of(PRNGKey(1),arange(2000,float32),0,False)" => |k| permutation_of(k, lax::broadcasted_iota(F32, &[2000], 0), 0, false);
    };
    let from_seed = |seed: Array| {
        (
            seed,
            Box::new(|seed: &Array| random::key_from_seed(seed)) as Sample,
        )
    };
    let seeded = [
        ("key_from_seed(int32(-1))", from_seed(Array::scalar(-1i32))),
        ("key_from_seed(uint32(7))", from_seed(Array::scalar(7u32))),
        (
            "key_from_seed(int64(1099511627781))",
            from_seed(Array::scalar((1i64 << 40) + 5)),
        ),
    ];
    let keyed = keyed
        .into_iter()
        .map(|(name, call)| (name, input_key(name), call));
    let seeded = seeded
        .into_iter()
        .map(|(name, (seed, call))| (name, seed, call));
    keyed.chain(seeded).collect()
}
