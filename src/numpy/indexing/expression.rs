//! Index expressions, the Rust spelling of what goes between NumPy's brackets: [`Index`] (one
//! entry of `x[a, b, c]`), [`Slice`] (`start:stop:step`), the conversions that let integers,
//! ranges and arrays stand for them, and the [`idx!`](crate::idx) macro that writes a whole
//! index list.

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use crate::{Array, Element, Error, NestedArray, Result};

/// A NumPy slice `start:stop:step`; `None` is an omitted bound (the whole dimension in the
/// direction of the step) and an omitted step is 1. Negative bounds count from the end.
///
/// Rust ranges convert into slices: `1..3` is `1:3`, `..` is `:`, `2..` is `2:`, `..=-1` is
/// `:` (up to and including the last element); [`Slice::step`] adds a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Slice {
    /// The first index (`None`: the start of the dimension, or its end for negative steps).
    pub start: Option<i64>,
    /// The index one past the last (`None`: the end of the dimension, or past its start for
    /// negative steps).
    pub stop: Option<i64>,
    /// The step (`None`: 1); never 0.
    pub step: Option<i64>,
}

impl Slice {
    /// The slice `start:stop:step`.
    pub fn new(start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Slice {
        Slice { start, stop, step }
    }

    /// This slice with step `step` (negative steps walk backwards, as `x[::-1]`).
    pub fn step(self, step: i64) -> Slice {
        Slice {
            step: Some(step),
            ..self
        }
    }

    /// Python's `slice.indices(size)` and `len(range(...))`: the normalised, clamped
    /// `(start, stop, step)` and the number of elements selected in a dimension of `size`.
    pub(super) fn resolve(&self, op: &str, size: usize) -> Result<(i64, i64, i64, usize)> {
        let step = self.step.unwrap_or(1);
        if step == 0 {
            return Err(Error::invalid(op, "slice step cannot be zero"));
        }
        let size = size as i64;
        let (lower, upper) = if step > 0 { (0, size) } else { (-1, size - 1) };
        let clamp = |bound: Option<i64>, default: i64| match bound {
            None => default,
            Some(i) if i < 0 => (i + size).max(lower),
            Some(i) => i.min(upper),
        };
        let (start, stop) = if step > 0 {
            (clamp(self.start, lower), clamp(self.stop, upper))
        } else {
            (clamp(self.start, upper), clamp(self.stop, lower))
        };
        let count = if step > 0 {
            (stop - start + step - 1).div_euclid(step)
        } else {
            (start - stop - step - 1).div_euclid(-step)
        };
        Ok((start, stop, step, count.max(0) as usize))
    }
}

/// One entry of a NumPy index expression `x[a, b, ...]`.
///
/// Integers (`i32`, `i64`, `isize`, `usize`), ranges, [`Slice`]s, arrays and nested Rust
/// arrays or vectors (`[1, 3]`, `vec![true, false]`) convert into it, so the [`idx!`](crate::idx)
/// macro and `Index::from` accept them directly.
#[derive(Debug, Clone)]
pub enum Index {
    /// A single position (negative counts from the end); the dimension is removed.
    Int(i64),
    /// A strided range of positions; the dimension is kept.
    Slice(Slice),
    /// NumPy's `None` / `np.newaxis`: a new dimension of size 1.
    NewAxis,
    /// `...`: as many full slices as the dimensions not otherwise indexed.
    Ellipsis,
    /// An integer array (advanced or "fancy" indexing, through a gather; a scalar integer
    /// array may be a tracer and becomes a dynamic slice) or a boolean mask, which must be
    /// concrete since the shape of the result depends on its values.
    Array(Array),
}

macro_rules! integer_indices {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Index {
            /// A single position.
            fn from(i: $ty) -> Index {
                Index::Int(i as i64)
            }
        }

        impl From<Range<$ty>> for Slice {
            /// `start..stop` is `start:stop`.
            fn from(r: Range<$ty>) -> Slice {
                Slice::new(Some(r.start as i64), Some(r.end as i64), None)
            }
        }

        impl From<RangeFrom<$ty>> for Slice {
            /// `start..` is `start:`.
            fn from(r: RangeFrom<$ty>) -> Slice {
                Slice::new(Some(r.start as i64), None, None)
            }
        }

        impl From<RangeTo<$ty>> for Slice {
            /// `..stop` is `:stop`.
            fn from(r: RangeTo<$ty>) -> Slice {
                Slice::new(None, Some(r.end as i64), None)
            }
        }

        impl From<RangeInclusive<$ty>> for Slice {
            /// `start..=last` is `start:last + 1` (`start:` when `last` is -1).
            fn from(r: RangeInclusive<$ty>) -> Slice {
                Slice::new(Some(*r.start() as i64), inclusive_stop(*r.end() as i64), None)
            }
        }

        impl From<RangeToInclusive<$ty>> for Slice {
            /// `..=last` is `:last + 1` (`:` when `last` is -1).
            fn from(r: RangeToInclusive<$ty>) -> Slice {
                Slice::new(None, inclusive_stop(r.end as i64), None)
            }
        }

        impl From<Range<$ty>> for Index {
            /// The slice `start:stop`.
            fn from(r: Range<$ty>) -> Index {
                Index::Slice(r.into())
            }
        }

        impl From<RangeFrom<$ty>> for Index {
            /// The slice `start:`.
            fn from(r: RangeFrom<$ty>) -> Index {
                Index::Slice(r.into())
            }
        }

        impl From<RangeTo<$ty>> for Index {
            /// The slice `:stop`.
            fn from(r: RangeTo<$ty>) -> Index {
                Index::Slice(r.into())
            }
        }

        impl From<RangeInclusive<$ty>> for Index {
            /// The slice `start:last + 1`.
            fn from(r: RangeInclusive<$ty>) -> Index {
                Index::Slice(r.into())
            }
        }

        impl From<RangeToInclusive<$ty>> for Index {
            /// The slice `:last + 1`.
            fn from(r: RangeToInclusive<$ty>) -> Index {
                Index::Slice(r.into())
            }
        }
    )*};
}

integer_indices!(i32, i64, isize, usize);

/// The exclusive stop of an inclusive range ending at `last`.
fn inclusive_stop(last: i64) -> Option<i64> {
    (last != -1).then_some(last + 1)
}

impl From<RangeFull> for Slice {
    /// `..` is `:`.
    fn from(_: RangeFull) -> Slice {
        Slice::default()
    }
}

impl From<RangeFull> for Index {
    /// `..` is the full slice `:`.
    fn from(_: RangeFull) -> Index {
        Index::Slice(Slice::default())
    }
}

impl From<Slice> for Index {
    fn from(s: Slice) -> Index {
        Index::Slice(s)
    }
}

impl From<Array> for Index {
    /// An integer index array or a boolean mask.
    fn from(a: Array) -> Index {
        Index::Array(a)
    }
}

impl From<&Array> for Index {
    /// An integer index array or a boolean mask.
    fn from(a: &Array) -> Index {
        Index::Array(a.clone())
    }
}

impl<A: NestedArray> From<A> for Index {
    /// A nested Rust array of integers or booleans: `[1, 3]`, `[[0, 1], [2, 3]]`.
    fn from(nested: A) -> Index {
        Index::Array(Array::from(nested))
    }
}

impl<T: Element> From<Vec<T>> for Index {
    /// A vector of integers or booleans, as a one-dimensional array.
    fn from(v: Vec<T>) -> Index {
        Index::Array(Array::from_vec(v))
    }
}

/// Builds an index list (`[Index; N]`) for [`Array::index`] and [`Array::at`], as NumPy's
/// brackets do: entries are separated by commas; an integer picks one position; Rust ranges
/// (`a..b`, `a..`, `..b`, `..`, `a..=b`) are slices, and `; step` after a range adds a step
/// (`..;-1` is NumPy's `::-1`); `NewAxis` is `None`/`np.newaxis`; `...` is the ellipsis; an
/// array, `&array`, a nested Rust array or a vector is an integer index array or a boolean mask.
///
/// ```
/// use rjax::numpy::{self as jnp, Index};
/// use rjax::{Array, idx};
///
/// let x = jnp::reshape(&jnp::arange(0, 24, 1, None), &[2, 3, 4]);
/// // x[1, 0:2, ::-1] in NumPy.
/// assert_eq!(x.index(&idx![1, 0..2, ..;-1]).to_vec::<i32>()?, vec![15, 14, 13, 12, 19, 18, 17, 16]);
/// // x[..., None, -1]: the ellipsis stands for the first two dimensions.
/// assert_eq!(x.index(&idx![..., NewAxis, -1]).shape(), [2, 3, 1]);
/// // x[:, [2, 0], 3]: an index array, through a gather.
/// assert_eq!(x.index(&idx![.., [2, 0], 3]).to_vec::<i32>()?, vec![11, 3, 23, 15]);
/// // A functional update, x.at[0, :, 1:3].set(0).
/// let y = x.at(&idx![0, .., 1..3]).set(0);
/// assert_eq!(y.index(&idx![0, 0]).to_vec::<i32>()?, vec![0, 0, 0, 3]);
/// // Entries are `Index` values, so lists can also be built by hand.
/// assert_eq!(x.index(&[Index::Int(0), Index::NewAxis]).shape(), [1, 3, 4]);
/// # Ok::<(), rjax::Error>(())
/// ```
#[macro_export]
macro_rules! idx {
    (@list [$($done:expr),*]) => { [$($done),*] };
    (@list [$($done:expr),*] ... $(, $($rest:tt)*)?) => {
        $crate::idx!(@list [$($done,)* $crate::numpy::Index::Ellipsis] $($($rest)*)?)
    };
    (@list [$($done:expr),*] NewAxis $(, $($rest:tt)*)?) => {
        $crate::idx!(@list [$($done,)* $crate::numpy::Index::NewAxis] $($($rest)*)?)
    };
    (@list [$($done:expr),*] $range:expr ; $step:expr $(, $($rest:tt)*)?) => {
        $crate::idx!(@list [$($done,)* {
            // `8..1;-1` is not an empty range but NumPy's `8:1:-1`.
            #[allow(clippy::reversed_empty_ranges)]
            let slice = $crate::numpy::Slice::from($range).step($step);
            $crate::numpy::Index::Slice(slice)
        }] $($($rest)*)?)
    };
    (@list [$($done:expr),*] $index:expr $(, $($rest:tt)*)?) => {
        $crate::idx!(@list [$($done,)* {
            // `5..2` is NumPy's empty slice `5:2`.
            #[allow(clippy::reversed_empty_ranges)]
            let index = $crate::numpy::Index::from($index);
            index
        }] $($($rest)*)?)
    };
    ($($entries:tt)*) => { $crate::idx!(@list [] $($entries)*) };
}
