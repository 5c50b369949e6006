//! `jax.numpy` misuse: shapes that do not broadcast or contract, axes out of range, dtypes an
//! operation does not accept, impossible reshapes, splits and indices.

use rjax::numpy::SortOptions;
use rjax::numpy::{self as jnp, Side, Split, TakeMode};
use rjax::{Array, DType, idx};

use crate::case;
use crate::cases::{Case, bools, c64s, f32s, i32s};

/// Products, reductions, elementwise math, sorting and creation.
pub fn cases() -> Vec<Case> {
    vec![
        case!("dot_general", jnp::dot(f32s(&[2, 3]), f32s(&[4, 5]))),
        case!("dot_general", jnp::dot(f32s(&[3]), f32s(&[4]))),
        case!("matmul", jnp::matmul(f32s(&[2, 3]), f32s(&[4, 5]))),
        case!("matmul", jnp::matmul(f32s(&[]), f32s(&[3]))),
        case!("matmul", jnp::matmul(f32s(&[2, 2, 3]), f32s(&[3, 3, 2]))),
        case!("dot_general", jnp::vdot(f32s(&[3]), f32s(&[4]))),
        case!("dot_general", jnp::inner(f32s(&[2, 3]), f32s(&[2, 4]))),
        case!("tensordot", jnp::tensordot(f32s(&[2, 3]), f32s(&[4, 5]), 3)),
        case!("tensordot", jnp::tensordot(f32s(&[2, 3]), f32s(&[4, 5]), 1)),
        case!(
            "cross",
            jnp::cross(f32s(&[4]), f32s(&[4]), -1, -1, -1, None)
        ),
        case!("trace", jnp::trace(f32s(&[3]), 0, 0, 1)),
        case!(
            "einsum",
            jnp::einsum("ij,jk->ik", &[&f32s(&[2, 3]), &f32s(&[4, 5])])
        ),
        case!("einsum", jnp::einsum("ij,jk->ik", &[&f32s(&[2, 3])])),
        case!("einsum", jnp::einsum("ijk->ij", &[&f32s(&[2, 3])])),
        case!("einsum", jnp::einsum("ij->iz", &[&f32s(&[2, 3])])),
        case!("einsum", jnp::einsum("i$->i", &[&f32s(&[2, 3])])),
        case!("sum", jnp::sum(f32s(&[2, 3]), 2)),
        case!("sum", jnp::sum(f32s(&[2, 3]), [0, 0])),
        case!("prod", jnp::prod(f32s(&[2, 3]), -3)),
        case!("max", jnp::max(f32s(&[0]), ..)),
        case!("min", jnp::min(f32s(&[2, 0]), 1)),
        case!("mean", jnp::mean(f32s(&[2, 3]), 5)),
        case!("var", jnp::var(f32s(&[2, 3]), 4, 0)),
        case!("argmax", jnp::argmax(f32s(&[0]), ..)),
        case!("argmin", jnp::argmin(f32s(&[2, 3]), 2)),
        case!("argmax", jnp::argmax(f32s(&[3, 0]), 1)),
        case!("all", jnp::all(bools(&[2]), 1)),
        case!("any", jnp::any(bools(&[2]), -2)),
        case!("cumsum", jnp::cumsum(f32s(&[2, 3]), Some(2), None)),
        case!("cumprod", jnp::cumprod(f32s(&[2, 3]), Some(-3), None)),
        case!("median", jnp::median(f32s(&[2, 3]), 3)),
        case!("sum", jnp::nansum(f32s(&[2, 3]), 2)),
        case!("count_nonzero", jnp::count_nonzero(f32s(&[2]), 1)),
        case!(
            "sort",
            jnp::sort_with(f32s(&[2, 3]), SortOptions::along(2).unstable())
        ),
        case!(
            "argsort",
            jnp::argsort_with(f32s(&[2, 3]), SortOptions::along(-3).unstable())
        ),
        case!(
            "searchsorted",
            jnp::searchsorted(f32s(&[2, 3]), 1.0f32, Side::Left)
        ),
        case!("lexsort", jnp::lexsort(&[&f32s(&[3]), &f32s(&[4])], -1)),
        case!("lexsort", jnp::lexsort(&[], -1)),
        case!("sin", jnp::sin(rjax::random::key(0))),
        case!("shift_left", jnp::left_shift(f32s(&[2]), f32s(&[2]))),
        case!("and", jnp::bitwise_and(f32s(&[2]), f32s(&[2]))),
        case!("add", jnp::add(f32s(&[2]), f32s(&[3]))),
        case!("power", jnp::power(f32s(&[2]), f32s(&[3]))),
        case!("floor", jnp::floor(c64s(&[2]))),
        case!("atan2", jnp::arctan2(c64s(&[2]), c64s(&[2]))),
        case!("rem", jnp::remainder(c64s(&[2]), c64s(&[2]))),
        case!("signbit", jnp::signbit(c64s(&[2]))),
        case!(
            "convert_element_type",
            jnp::linspace(
                0.0,
                1.0,
                5,
                true,
                Some(DType::Key(rjax::random::PrngImpl::Threefry2x32))
            )
        ),
        case!("arange", jnp::arange(0, 10, 0, None)),
        case!("eye", jnp::eye(usize::MAX, None, 0, None)),
        case!("broadcast_to", jnp::full(&[2, 2], f32s(&[3]), None)),
        case!("diag", jnp::diag(f32s(&[2, 2, 2]), 0)),
        case!("tril", jnp::tril(f32s(&[3]), 0)),
        case!(
            "meshgrid",
            jnp::meshgrid(&[&f32s(&[2, 2])], jnp::Indexing::Xy)
        ),
        case!(
            "unique",
            jnp::unique(
                f32s(&[2, 3]),
                &jnp::UniqueOptions {
                    axis: Some(3),
                    ..Default::default()
                }
            )
        ),
        case!(
            "quantile",
            jnp::quantile(
                f32s(&[4]),
                Array::from(0.5f32),
                1,
                jnp::QuantileMethod::Linear
            )
        ),
        case!("average", jnp::average(f32s(&[4]), .., Some(&f32s(&[3])))),
    ]
}

/// Shapes, joining and splitting, tiling, padding, taking and indexing.
pub fn shape_cases() -> Vec<Case> {
    vec![
        case!("reshape", jnp::reshape(f32s(&[2, 3]), &[4])),
        case!("reshape", jnp::reshape(f32s(&[2, 3]), &[-1, 4])),
        case!("reshape", jnp::reshape(f32s(&[2, 3]), &[-1, -1])),
        case!("reshape", jnp::reshape(f32s(&[2, 3]), &[-2, 3])),
        case!("reshape", jnp::reshape(f32s(&[0, 3]), &[-1, 0])),
        case!("transpose", jnp::transpose(f32s(&[2, 3]), Some(&[0, 0]))),
        case!("transpose", jnp::transpose(f32s(&[2, 3]), Some(&[0]))),
        case!("swapaxes", jnp::swapaxes(f32s(&[2, 3]), 0, 2)),
        case!("moveaxis", jnp::moveaxis(f32s(&[2, 3]), &[0], &[5])),
        case!("moveaxis", jnp::moveaxis(f32s(&[2, 3]), &[0, 1], &[0])),
        case!("squeeze", jnp::squeeze(f32s(&[2, 3]), Some(&[0]))),
        case!("expand_dims", jnp::expand_dims(f32s(&[2, 3]), &[4])),
        case!("broadcast_to", jnp::broadcast_to(f32s(&[2, 3]), &[4, 3])),
        case!("broadcast_to", jnp::broadcast_to(f32s(&[2, 3]), &[3])),
        case!("flip", jnp::flip(f32s(&[2, 3]), Some(&[2]))),
        case!("fliplr", jnp::fliplr(f32s(&[3]))),
        case!("rot90", jnp::rot90(f32s(&[3]), 1, [0, 1])),
        case!("rot90", jnp::rot90(f32s(&[2, 3]), 1, [0, 0])),
        case!(
            "where",
            jnp::where_(bools(&[3]), f32s(&[2, 3]), f32s(&[4, 5]))
        ),
        case!(
            "clip",
            jnp::clip(f32s(&[2, 3]), Some(&f32s(&[4])), None::<f32>)
        ),
        case!(
            "concatenate",
            jnp::concatenate(&[&f32s(&[2, 3]), &f32s(&[4, 5])], 0)
        ),
        case!("concatenate", jnp::concatenate(&[], 0)),
        case!(
            "concatenate",
            jnp::concatenate(&[&f32s(&[2, 3]), &f32s(&[2, 3])], 2)
        ),
        case!(
            "concatenate",
            jnp::concatenate(&[&f32s(&[]), &f32s(&[])], 0)
        ),
        case!("stack", jnp::stack(&[&f32s(&[2, 3]), &f32s(&[3, 2])], 0)),
        case!("stack", jnp::stack(&[], 0)),
        case!("stack", jnp::stack(&[&f32s(&[2])], 3)),
        case!(
            "concatenate",
            jnp::hstack(&[&f32s(&[2, 3]), &f32s(&[3, 3])])
        ),
        case!(
            "concatenate",
            jnp::vstack(&[&f32s(&[2, 3]), &f32s(&[2, 4])])
        ),
        case!("split", jnp::split(f32s(&[2, 3]), Split::Sections(4), 1)),
        case!("split", jnp::split(f32s(&[2, 3]), Split::Sections(0), 1)),
        case!("split", jnp::split(f32s(&[2, 3]), Split::Sections(1), 2)),
        case!(
            "array_split",
            jnp::array_split(f32s(&[2, 3]), Split::Sections(0), 0)
        ),
        case!("tile", jnp::tile(f32s(&[2, 3]), &[usize::MAX, 2])),
        case!("repeat", jnp::repeat(f32s(&[2, 3]), &[1, 2], Some(1))),
        case!("repeat", jnp::repeat(f32s(&[2, 3]), &[1], Some(2))),
        case!("roll", jnp::roll(f32s(&[2, 3]), &[1, 2], Some(&[0, 1, 1]))),
        case!("roll", jnp::roll(f32s(&[2, 3]), &[1], Some(&[3]))),
        case!(
            "pad",
            jnp::pad(
                f32s(&[2, 3]),
                vec![(1, 1), (1, 1), (1, 1)],
                &jnp::PadMode::Edge
            )
        ),
        case!(
            "pad",
            jnp::pad(
                f32s(&[0]),
                2usize,
                &jnp::PadMode::Reflect(jnp::ReflectType::Even)
            )
        ),
        case!("pad", jnp::pad(f32s(&[0]), 1usize, &jnp::PadMode::Wrap)),
        case!(
            "take",
            jnp::take(f32s(&[2, 3]), f32s(&[1]), None, TakeMode::Fill)
        ),
        case!(
            "take",
            jnp::take(f32s(&[2, 3]), i32s(&[1]), Some(2), TakeMode::Clip)
        ),
        case!(
            "take_along_axis",
            jnp::take_along_axis(f32s(&[2, 3]), i32s(&[2]), Some(0), TakeMode::Fill)
        ),
        case!(
            "take_along_axis",
            jnp::take_along_axis(f32s(&[2, 3]), i32s(&[2, 3]), Some(2), TakeMode::Fill)
        ),
        case!("index", f32s(&[2, 3]).index(&idx![5])),
        case!("index", f32s(&[2, 3]).index(&idx![-3])),
        case!("index", f32s(&[2, 3]).index(&idx![0, 0, 0])),
        case!("index", f32s(&[2, 3]).index(&idx![.., .., ..])),
        case!("index", f32s(&[2, 3]).index(&idx![bools(&[3])])),
        case!("index", f32s(&[2, 3]).index(&idx![f32s(&[1])])),
        case!("at().set", f32s(&[2, 3]).at(&idx![0]).set(f32s(&[5]))),
        case!("at().add", f32s(&[2, 3]).at(&idx![9]).add(f32s(&[2]))),
        case!("diagonal", jnp::diagonal(f32s(&[2, 3]), 0, 0, 0)),
        case!("diagonal", jnp::diagonal(f32s(&[3]), 0, 0, 1)),
    ]
}
