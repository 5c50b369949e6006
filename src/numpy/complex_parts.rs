//! The parts of complex numbers (`jnp.real`, `jnp.imag`, `jnp.conj`, `jnp.angle`, ...), as
//! JAX defines them on every dtype: a real array is its own real part and conjugate, with an
//! imaginary part of zeros.

use crate::lax;
use crate::{Array, DType, IntoArray, config};

/// `jnp.real(x)`: the real part (a real array unchanged).
#[track_caller]
pub fn real(x: impl IntoArray) -> Array {
    let x = x.into_array();
    if x.dtype().is_complex() {
        lax::real(x)
    } else {
        x
    }
}

/// `jnp.imag(x)`: the imaginary part (zeros of `x`'s dtype for a real array).
#[track_caller]
pub fn imag(x: impl IntoArray) -> Array {
    let x = x.into_array();
    if x.dtype().is_complex() {
        lax::imag(x)
    } else {
        super::zeros_like(&x, None)
    }
}

/// `jnp.conjugate(x)`: the complex conjugate (a real array unchanged, unlike `lax::conj`).
#[track_caller]
pub fn conjugate(x: impl IntoArray) -> Array {
    let x = x.into_array();
    if x.dtype().is_complex() {
        lax::conj(x)
    } else {
        x
    }
}

/// `jnp.conj(x)`, the same as [`conjugate`].
#[track_caller]
pub fn conj(x: impl IntoArray) -> Array {
    conjugate(x)
}

/// `jnp.angle(z)`: the argument `atan2(imag(z), real(z))` in radians, in the real dtype of
/// `z`'s precision (the default float for integers and booleans, and for a real scalar, as
/// JAX does). `jnp.angle(z, deg=True)` is [`degrees`](super::degrees)`(angle(z))`.
#[track_caller]
pub fn angle(z: impl IntoArray) -> Array {
    let z = z.into_array();
    let (mut re, mut im) = (real(&z), imag(&z));
    let scalar_float = z.dtype().is_float() && z.ndim() == 0;
    if !re.dtype().is_float() || scalar_float {
        let dtype = if config::x64_enabled() {
            DType::F64
        } else {
            DType::F32
        };
        re = lax::convert_element_type(&re, dtype);
        im = lax::convert_element_type(&im, dtype);
    }
    lax::atan2(im, re)
}

/// `jnp.iscomplexobj(x)`: whether `x`'s dtype is complex.
pub fn iscomplexobj(x: &Array) -> bool {
    x.dtype().is_complex()
}

/// `jnp.iscomplex(x)`: elementwise, whether the imaginary part is nonzero.
#[track_caller]
pub fn iscomplex(x: impl IntoArray) -> Array {
    imag(x).ne(0)
}

/// `jnp.isreal(x)`: elementwise, whether the imaginary part is zero.
#[track_caller]
pub fn isreal(x: impl IntoArray) -> Array {
    imag(x).eq(0)
}
