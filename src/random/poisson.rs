//! `poisson`, JAX 0.10.2's algorithm (TensorFlow's and NumPy's): Knuth's multiplication of
//! uniforms below `lam = 10`, Hörmann's transformed rejection (PTRS) above, each a
//! `while_loop` over the whole sample that runs until every element is done; both run on the
//! same key and the result picks one per element. The rate is float32, as in JAX.

use super::continuous::uniform_from;
use super::distributions::{broadcast_to, float_constant, int_constant};
use super::gamma::{check_real, split_keys};
use super::threefry::full;
use super::{Params, check_key, int_or_default, staged};
use crate::array::broadcast_shapes;
use crate::control_flow::while_loop;
use crate::lax::{self, unwrap_at_caller};
use crate::{Array, DType, IntoArray};

/// Whether any element of a bool array is set.
fn any(x: &Array) -> Array {
    let axes: Vec<usize> = (0..x.ndim()).collect();
    lax::reduce_or(x, &axes)
}

/// The largest value of an integer dtype (NumPy's `iinfo(dtype).max`), JAX's iteration cap.
fn int_max(dtype: DType) -> i128 {
    let bits = 8 * dtype.size_in_bytes() as u32;
    if dtype.is_signed_int() {
        (1i128 << (bits - 1)) - 1
    } else {
        (1i128 << bits) - 1
    }
}

/// A float32 of `value` filled into `shape`.
fn f32_filled(value: f64, shape: &[usize]) -> Array {
    full(&float_constant(value, DType::F32), shape)
}

/// JAX's `_poisson_knuth`: count the uniforms whose running product stays above `e^-lam`.
fn poisson_knuth(key: &Array, lam: &Array, dtype: DType) -> Array {
    let shape = lam.shape().to_vec();
    let max_iters = int_constant(int_max(dtype), dtype);
    let body_lam = lam.clone();
    let body_shape = shape.clone();
    let body = move |(i, k, key, log_prod): (Array, Array, Array, Array)| {
        let [key, subkey]: [Array; 2] = split_keys(&key, 2).try_into().expect("2 keys");
        let shape = &body_shape;
        let above = lax::gt(&log_prod, lax::neg(&body_lam));
        let one = full(&int_constant(1, dtype), shape);
        let k = lax::select_n(&above, [&k, &lax::add(&k, &one)]);
        let u = uniform_from(&subkey, 0.0, shape, DType::F32);
        let one = int_constant(1, dtype);
        (
            lax::add(&i, &one),
            k,
            key,
            lax::add(&log_prod, lax::log(&u)),
        )
    };
    let cond_lam = lam.clone();
    let cond = move |(i, _, _, log_prod): (Array, Array, Array, Array)| {
        let going = any(&lax::gt(&log_prod, lax::neg(&cond_lam)));
        lax::bitwise_and(&going, lax::lt(&i, &max_iters))
    };
    let init = (
        int_constant(0, dtype),
        full(&int_constant(0, dtype), &shape),
        key.clone(),
        f32_filled(0.0, &shape),
    );
    let (_, k, _, _) = unwrap_at_caller(while_loop(cond, body, init));
    lax::sub(&k, full(&int_constant(1, dtype), &shape))
}

/// JAX's `_poisson_rejection`: Hörmann's transformed rejection with squeeze, for `lam >= 10`.
fn poisson_rejection(key: &Array, lam: &Array, dtype: DType) -> Array {
    let shape = lam.shape().to_vec();
    let of = |value: f64| f32_filled(value, &shape);
    let log_lam = lax::log(lam);
    let b = lax::add(of(0.931), lax::mul(of(2.53), lax::sqrt(lam)));
    let a = lax::add(of(-0.059), lax::mul(of(0.02483), &b));
    let inv_alpha = lax::add(of(1.1239), lax::div(of(1.1328), lax::sub(&b, of(3.4))));
    let v_r = lax::sub(of(0.9277), lax::div(of(3.6224), lax::sub(&b, of(2.0))));
    let max_iters = int_constant(int_max(dtype), dtype);
    let lam = lam.clone();
    let body_shape = shape.clone();
    let body = move |(i, k_out, accepted, key): (Array, Array, Array, Array)| {
        let of = |value: f64| f32_filled(value, &body_shape);
        let [key, key_u, key_v]: [Array; 3] = split_keys(&key, 3).try_into().expect("3 keys");
        let u = lax::sub(uniform_from(&key_u, 0.0, &body_shape, DType::F32), of(0.5));
        let v = uniform_from(&key_v, 0.0, &body_shape, DType::F32);
        let u_shifted = lax::sub(of(0.5), lax::abs(&u));
        let slope = lax::add(lax::div(lax::mul(of(2.0), &a), &u_shifted), &b);
        let k = lax::floor(lax::add(lax::add(lax::mul(&slope, &u), &lam), of(0.43)));
        let hat = lax::add(lax::div(&a, lax::mul(&u_shifted, &u_shifted)), &b);
        let s = lax::log(lax::div(lax::mul(&v, &inv_alpha), &hat));
        let t = lax::sub(
            lax::add(lax::neg(&lam), lax::mul(&k, &log_lam)),
            lax::lgamma(lax::add(&k, of(1.0))),
        );
        let accept1 = lax::bitwise_and(lax::ge(&u_shifted, of(0.07)), lax::le(&v, &v_r));
        let reject = lax::bitwise_or(
            lax::lt(&k, of(0.0)),
            lax::bitwise_and(lax::lt(&u_shifted, of(0.013)), lax::gt(&v, &u_shifted)),
        );
        let accept2 = lax::le(&s, &t);
        let accept = lax::bitwise_or(&accept1, lax::bitwise_and(lax::not(&reject), &accept2));
        let k_out = lax::select_n(&accept, [&k_out, &k]);
        let accepted = lax::bitwise_or(&accepted, &accept);
        let one = int_constant(1, dtype);
        (lax::add(&i, &one), k_out, accepted, key)
    };
    let cond = move |(i, _, accepted, _): (Array, Array, Array, Array)| {
        let going = any(&lax::not(&accepted));
        lax::bitwise_and(&going, lax::lt(&i, &max_iters))
    };
    let init = (
        int_constant(0, dtype),
        f32_filled(-1.0, &shape),
        full(&Array::from(false), &shape),
        key.clone(),
    );
    let (_, k, _, _) = unwrap_at_caller(while_loop(cond, body, init));
    lax::convert_element_type(&k, dtype)
}

/// JAX's `_poisson`: `lam` is float32 of the sample's shape.
fn poisson_impl(key: &Array, lam: &Array, dtype: DType) -> Array {
    let shape = lam.shape().to_vec();
    let is_nan = lax::ne(lam, lam);
    let use_knuth = lax::bitwise_or(&is_nan, lax::lt(lam, f32_filled(10.0, &shape)));
    let lam_knuth = lax::select_n(&use_knuth, [&f32_filled(0.0, &shape), lam]);
    // The rejection method's acceptance tends to 89% as lam grows: any large rate will do.
    let lam_rejection = lax::select_n(&use_knuth, [lam, &f32_filled(1e5, &shape)]);
    let knuth = poisson_knuth(key, &lam_knuth, dtype);
    let rejection = poisson_rejection(key, &lam_rejection, dtype);
    let result = lax::select_n(&use_knuth, [&rejection, &knuth]);
    let zeros = full(&int_constant(0, dtype), &shape);
    let lam_is_zero = lax::eq(lam, f32_filled(0.0, &shape));
    lax::select_n(&lam_is_zero, [&result, &zeros])
}

/// Poisson integers with rate `lam >= 0` (a number or an array, sampled in float32 as JAX
/// does) of the integer `dtype` (`None`: the default integer type, JAX's default), of `shape` or
/// without one `lam`'s shape (JAX's `jax.random.poisson`): Knuth's algorithm for `lam < 10`,
/// transformed rejection above; `lam = 0` gives 0. Panics unless `lam` broadcasts to `shape`
/// and `dtype` is an integer dtype.
#[track_caller]
pub fn poisson(
    key: impl IntoArray,
    lam: impl IntoArray,
    shape: Option<&[usize]>,
    dtype: impl Into<Option<DType>>,
) -> Array {
    let key = &key.into_array();
    check_key("poisson", key);
    let dtype = int_or_default(dtype.into());
    if !dtype.is_int() {
        panic!("rjax::random::poisson: dtype must be an integer dtype, got {dtype}");
    }
    let lam = lam.into_array();
    check_real("poisson", "lam", &lam);
    let shape = shape.map_or_else(|| lam.shape().to_vec(), <[usize]>::to_vec);
    if broadcast_shapes(&[&shape, lam.shape()]).as_deref() != Some(&shape[..]) {
        panic!(
            "rjax::random::poisson: the rate's shape {:?} does not broadcast to the shape \
             argument {shape:?}",
            lam.shape()
        );
    }
    let params = Params {
        shape,
        dtype: Some(dtype),
        ..Params::default()
    };
    staged(
        "_poisson",
        |args, p| {
            let lam = broadcast_to(&lax::convert_element_type(&args[1], DType::F32), &p.shape);
            poisson_impl(&args[0], &lam, p.dtype.expect("a dtype"))
        },
        vec![key.clone(), lam],
        params,
    )
}
