//! The axes a reduction runs over (JAX's `axis=` and `keepdims=` keywords), as one argument.
//!
//! Every reduction of [`crate::numpy`] takes `axes: impl Into<Axes>`, so the common cases are
//! short and the rare ones read as JAX's keywords:
//!
//! ```
//! use rjax::numpy::{self as jnp, Axes};
//! let x = jnp::arange(0.0, 6.0, 1.0, None).reshape(&[2, 3]);
//! let total = jnp::sum(&x, ..); //                      jnp.sum(x)
//! let columns = jnp::sum(&x, 0); //                     jnp.sum(x, axis=0)
//! let both = jnp::sum(&x, [0, 1]); //                   jnp.sum(x, axis=(0, 1))
//! let rows = jnp::mean(&x, Axes::from(1).keepdims(true)); // jnp.mean(x, axis=1, keepdims=True)
//! assert_eq!(total.item::<f32>()?, 15.0);
//! assert_eq!(columns.to_vec::<f32>()?, [3.0, 5.0, 7.0]);
//! assert_eq!(both.item::<f32>()?, 15.0);
//! assert_eq!(rows.shape(), [2, 1]);
//! # Ok::<(), rjax::Error>(())
//! ```

use std::ops::RangeFull;

/// Which axes a reduction runs over (`..`: all of them; negative axes count from the end) and
/// whether the reduced axes stay as size-1 dimensions (JAX's `keepdims`, off by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Axes {
    axes: Option<Vec<isize>>,
    keepdims: bool,
}

impl Axes {
    /// Every axis (JAX's `axis=None`), the same as `..`.
    pub fn all() -> Axes {
        Axes::default()
    }

    /// The same axes, kept as size-1 dimensions in the result when `keep` (JAX's
    /// `keepdims=True`).
    pub fn keepdims(self, keep: bool) -> Axes {
        Axes {
            keepdims: keep,
            ..self
        }
    }

    /// The axes as given, or `None` for every axis.
    pub fn list(&self) -> Option<&[isize]> {
        self.axes.as_deref()
    }

    /// Whether the reduced axes are kept.
    pub fn keeps_dims(&self) -> bool {
        self.keepdims
    }
}

impl From<RangeFull> for Axes {
    fn from(_: RangeFull) -> Axes {
        Axes::all()
    }
}

impl From<isize> for Axes {
    fn from(axis: isize) -> Axes {
        Axes {
            axes: Some(vec![axis]),
            keepdims: false,
        }
    }
}

impl<const N: usize> From<[isize; N]> for Axes {
    fn from(axes: [isize; N]) -> Axes {
        Axes::from(axes.to_vec())
    }
}

impl<const N: usize> From<&[isize; N]> for Axes {
    fn from(axes: &[isize; N]) -> Axes {
        Axes::from(axes.to_vec())
    }
}

impl From<&[isize]> for Axes {
    fn from(axes: &[isize]) -> Axes {
        Axes::from(axes.to_vec())
    }
}

impl From<Vec<isize>> for Axes {
    fn from(axes: Vec<isize>) -> Axes {
        Axes {
            axes: Some(axes),
            keepdims: false,
        }
    }
}

/// `None` is every axis, `Some(axes)` those axes: the form a caller holding JAX's `axis`
/// argument as an option passes on.
impl From<Option<&[isize]>> for Axes {
    fn from(axes: Option<&[isize]>) -> Axes {
        axes.map_or_else(Axes::all, Axes::from)
    }
}

/// `None` is every axis, `Some(axis)` that one (JAX's `argmax(x, axis=None)` as an option).
impl From<Option<isize>> for Axes {
    fn from(axis: Option<isize>) -> Axes {
        axis.map_or_else(Axes::all, Axes::from)
    }
}

impl From<&Vec<isize>> for Axes {
    fn from(axes: &Vec<isize>) -> Axes {
        Axes::from(axes.clone())
    }
}

impl From<&Axes> for Axes {
    fn from(axes: &Axes) -> Axes {
        axes.clone()
    }
}
