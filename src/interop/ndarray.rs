//! Conversions between [`Array`] and `ndarray`'s arrays (feature `ndarray`), for every
//! [`Element`] type (`bool`, the integers, `half::f16`, `half::bf16`, `f32`, `f64`, and
//! [`Complex`](crate::Complex)`<f32>`/`<f64>`, which has `num_complex`'s layout).
//!
//! - `Array::from(&ndarray)` / `Array::from(ndarray)` (any storage and dimension, views
//!   included): a standard-layout (row-major contiguous) input is copied once, straight into
//!   the array's host buffer, which the device then receives (that host→device transfer is
//!   the one copy no layout avoids); a transposed or strided input is gathered in logical
//!   order into that buffer, still one copy. Outside x64 mode 64-bit elements become 32-bit,
//!   as `jnp.asarray` does.
//! - [`Array::to_ndarray`] (`ArrayD<T>`) and [`Array::to_ndarray_dim`] (a fixed rank such as
//!   `Array2<T>`, checked): the device→host download lands in the vector the `ndarray` array
//!   then owns, with no further copy. `T` must be the array's dtype.

use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};

use crate::runtime::bytes_of;
use crate::{Array, Element, Error, Result};

/// The array holding `array`'s elements in logical (row-major) order.
fn from_ndarray<T: Element, S: Data<Elem = T>, D: Dimension>(array: &ArrayBase<S, D>) -> Array {
    let shape = array.shape().to_vec();
    match array.as_slice() {
        Some(contiguous) => Array::from_host_bytes(bytes_of(contiguous), T::DTYPE, shape, false),
        None => {
            let gathered: Vec<T> = array.iter().copied().collect();
            Array::from_host_bytes(bytes_of(&gathered), T::DTYPE, shape, false)
        }
    }
}

impl<T: Element, S: Data<Elem = T>, D: Dimension> From<&ArrayBase<S, D>> for Array {
    /// The array of `array`'s elements and shape (any layout, views included).
    fn from(array: &ArrayBase<S, D>) -> Array {
        from_ndarray(array)
    }
}

impl<T: Element, D: Dimension> From<ndarray::Array<T, D>> for Array {
    /// The array of `array`'s elements and shape.
    fn from(array: ndarray::Array<T, D>) -> Array {
        from_ndarray(&array)
    }
}

impl Array {
    /// The elements as an `ndarray::ArrayD<T>` of the same shape, waiting for them to be
    /// computed. `T` must be the array's dtype; tracers are errors.
    ///
    /// ```
    /// use rjax::Array;
    /// let x = Array::from([[1.0f32, 2.0], [3.0, 4.0]]);
    /// let a = x.to_ndarray::<f32>()?;
    /// assert_eq!(a[[1, 0]], 3.0);
    /// assert_eq!(Array::from(&a.t()).to_vec::<f32>()?, [1.0, 3.0, 2.0, 4.0]);
    /// # Ok::<(), rjax::Error>(())
    /// ```
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        let elements = self.to_vec::<T>()?;
        ArrayD::from_shape_vec(IxDyn(self.shape()), elements)
            .map_err(|error| Error::invalid("to_ndarray", format!("{}: {error}", self.aval())))
    }

    /// The elements as an `ndarray` array of dimension `D` (`Ix2` for `Array2<T>`, ...). The
    /// array's rank must be `D`'s and `T` its dtype.
    pub fn to_ndarray_dim<T: Element, D: Dimension>(&self) -> Result<ndarray::Array<T, D>> {
        if let Some(rank) = D::NDIM.filter(|&rank| rank != self.ndim()) {
            return Err(Error::invalid(
                "to_ndarray_dim",
                format!(
                    "the array is {} of rank {}, not rank {rank}",
                    self.aval(),
                    self.ndim()
                ),
            ));
        }
        self.to_ndarray::<T>()?
            .into_dimensionality::<D>()
            .map_err(|error| Error::invalid("to_ndarray_dim", format!("{}: {error}", self.aval())))
    }
}
