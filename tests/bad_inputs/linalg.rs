//! `lax` primitives, `jax.numpy.linalg` and `jax.scipy.linalg`, `jax.nn` and `jax.scipy`
//! misuse.

use rjax::lax::{self, DotDimensionNumbers};
use rjax::numpy::linalg::{self, NormOrd};
use rjax::scipy::linalg::Trans;
use rjax::{DType, nn, scipy};

use crate::case;
use crate::cases::{Case, bools, c64s, f32s, i32s};

/// The `lax` primitives.
pub fn lax_cases() -> Vec<Case> {
    let contract = |lhs: usize, rhs: usize| DotDimensionNumbers {
        lhs_contracting: vec![lhs],
        rhs_contracting: vec![rhs],
        ..Default::default()
    };
    vec![
        case!("add", lax::add(f32s(&[2, 3]), f32s(&[3]))),
        case!("mul", lax::mul(f32s(&[3]), i32s(&[3]))),
        case!("sin", lax::sin(i32s(&[3]))),
        case!("not", lax::not(f32s(&[3]))),
        case!("shift_left", lax::shift_left(f32s(&[2]), f32s(&[2]))),
        case!("lt", lax::lt(f32s(&[2]), f32s(&[3]))),
        case!("reshape", lax::reshape(f32s(&[2, 3]), &[5])),
        case!("transpose", lax::transpose(f32s(&[2, 3]), &[1])),
        case!("squeeze", lax::squeeze(f32s(&[2, 3]), &[0])),
        case!("expand_dims", lax::expand_dims(f32s(&[2]), &[3])),
        case!(
            "broadcast_in_dim",
            lax::broadcast_in_dim(f32s(&[3]), &[2, 4], &[1])
        ),
        case!("iota", lax::broadcasted_iota(DType::F32, &[2, 3], 2)),
        case!("slice", lax::slice(f32s(&[4]), &[3], &[1], None)),
        case!("slice", lax::slice(f32s(&[4]), &[0], &[4], Some(&[0]))),
        case!(
            "concatenate",
            lax::concatenate([&f32s(&[2]), &i32s(&[2])], 0)
        ),
        case!("concatenate", lax::concatenate([&f32s(&[2])], 1)),
        case!(
            "dot_general",
            lax::dot_general(f32s(&[2, 3]), f32s(&[4, 5]), contract(1, 0))
        ),
        case!(
            "dot_general",
            lax::dot_general(f32s(&[2, 3]), f32s(&[3, 5]), contract(2, 0))
        ),
        case!(
            "select_n",
            lax::select_n(f32s(&[3]), [&f32s(&[3]), &f32s(&[3])])
        ),
        case!(
            "select_n",
            lax::select_n(bools(&[3]), Vec::<rjax::Array>::new())
        ),
        case!("clamp", lax::clamp(f32s(&[2]), f32s(&[3]), f32s(&[2]))),
        case!("integer_pow", lax::integer_pow(bools(&[2]), 2)),
        case!(
            "bitcast_convert_type",
            lax::bitcast_convert_type(f32s(&[2, 3]), DType::F64)
        ),
        case!("argmax", lax::argmax(f32s(&[2, 3]), 2, DType::I32)),
        case!("argmax", lax::argmax(f32s(&[2, 3]), 0, DType::F32)),
        case!(
            "cumsum",
            lax::cumsum_with(f32s(&[2, 3]), lax::CumulativeOptions::along(2))
        ),
        case!(
            "cummax",
            lax::cummax_with(bools(&[2]), lax::CumulativeOptions::along(1))
        ),
        case!(
            "sort",
            lax::sort_with([&f32s(&[2, 3]), &f32s(&[4, 5])], lax::SortOptions::along(0))
        ),
        case!(
            "sort",
            lax::sort_with([&f32s(&[2, 3])], lax::SortOptions::along(0).num_keys(2))
        ),
        case!("rev", lax::rev(f32s(&[2, 3]), &[2])),
        case!("pad", lax::pad(f32s(&[2]), f32s(&[2]), &[(1, 1, 0)])),
        case!("pad", lax::pad(f32s(&[2]), f32s(&[]), &[(-3, 0, 0)])),
        case!(
            "dynamic_slice",
            lax::dynamic_slice(f32s(&[2, 3]), [&i32s(&[])], &[1, 1])
        ),
        case!(
            "dynamic_slice",
            lax::dynamic_slice(f32s(&[2, 3]), [&i32s(&[]), &i32s(&[])], &[3, 1])
        ),
        case!(
            "dynamic_update_slice",
            lax::dynamic_update_slice(f32s(&[2]), f32s(&[3]), [&i32s(&[])])
        ),
        case!("top_k", lax::top_k(f32s(&[3]), 4)),
        case!("top_k", lax::top_k(f32s(&[]), 1)),
        case!(
            "cholesky",
            lax::cholesky_with(
                f32s(&[2, 3]),
                lax::CholeskyOptions::default().symmetrize_input(false)
            )
        ),
        case!(
            "eigh",
            lax::eigh_with(
                i32s(&[3, 3]),
                lax::EighOptions::default().symmetrize_input(false)
            )
        ),
        case!(
            "qr",
            lax::qr_with(f32s(&[3]), lax::QrOptions::default().full_matrices(false))
        ),
        case!("lu", lax::lu(f32s(&[3]))),
        case!(
            "triangular_solve",
            lax::triangular_solve_with(
                f32s(&[3, 3]),
                f32s(&[2, 3]),
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .lower(true)
            )
        ),
    ]
}

/// `jax.numpy.linalg` and `jax.scipy.linalg`.
pub fn cases() -> Vec<Case> {
    vec![
        case!("solve", linalg::solve(f32s(&[2, 3]), f32s(&[3, 3]))),
        case!("solve", linalg::solve(f32s(&[3, 3]), f32s(&[4]))),
        case!("inv", linalg::inv(f32s(&[2, 3]))),
        case!("inv", linalg::inv(f32s(&[3]))),
        case!("det", linalg::det(f32s(&[2, 3]))),
        case!("slogdet", linalg::slogdet(f32s(&[3]))),
        case!("cholesky", linalg::cholesky(f32s(&[2, 3]))),
        case!("eigh", linalg::eigh(f32s(&[2, 3]))),
        case!("eigvalsh", linalg::eigvalsh(f32s(&[3]))),
        case!("svd", linalg::svd(f32s(&[3]))),
        case!("qr", linalg::qr(f32s(&[3]))),
        case!("eig", linalg::eig(f32s(&[2, 3]))),
        case!("eig", linalg::eigvals(f32s(&[3]))),
        case!(
            "norm",
            linalg::norm_with(
                f32s(&[2, 3]),
                linalg::NormOptions::ord(NormOrd::Nuc).axes([0])
            )
        ),
        case!("norm", linalg::norm_with(f32s(&[2, 3, 4]), NormOrd::Fro)),
        case!(
            "norm",
            linalg::norm_with(
                f32s(&[2, 3]),
                linalg::NormOptions::default().axes([0, 1, 2])
            )
        ),
        case!("matrix_power", linalg::matrix_power(f32s(&[2, 3]), 2)),
        case!("pinv", linalg::pinv(f32s(&[3]))),
        case!("lstsq", linalg::lstsq(f32s(&[3, 2]), f32s(&[4]))),
        case!("cond", linalg::cond_with(f32s(&[3]), NormOrd::Two)),
        case!("lu", scipy::linalg::lu(f32s(&[3]))),
        case!("lu_factor", scipy::linalg::lu_factor(f32s(&[2, 3]))),
        case!(
            "lu_solve",
            scipy::linalg::lu_solve((&f32s(&[3, 3]), &i32s(&[3])), f32s(&[2, 3]), Trans::None)
        ),
        case!("expm", scipy::linalg::expm(f32s(&[2, 3]))),
        case!(
            "triangular_solve",
            scipy::linalg::solve_triangular(f32s(&[3, 3]), f32s(&[2]), Trans::None, true, false)
        ),
        case!(
            "triangular_solve",
            scipy::linalg::cho_solve((&f32s(&[3, 3]), true), f32s(&[2]))
        ),
    ]
}

/// `jax.nn` and `jax.scipy.special`/`stats`.
pub fn nn_scipy_cases() -> Vec<Case> {
    vec![
        case!("softmax", nn::softmax(f32s(&[2, 3]), Some(&[2]))),
        case!("log_softmax", nn::log_softmax(f32s(&[2, 3]), Some(&[-3]))),
        case!("logsumexp", nn::logsumexp(f32s(&[2, 3]), Some(&[4]), false)),
        case!(
            "standardize",
            nn::standardize(f32s(&[2, 3]), Some(&[3]), None, None, 1e-5)
        ),
        case!("one_hot", nn::one_hot(i32s(&[2, 3]), 3, None, 5)),
        case!("result_type", nn::relu(rjax::random::key(0))),
        case!("reduce_max", nn::softmax(c64s(&[2]), None)),
        case!(
            "logsumexp",
            scipy::special::logsumexp(f32s(&[2, 3]), Some(&[2]), None, false)
        ),
        case!(
            "logsumexp",
            scipy::special::logsumexp(f32s(&[2, 3]), None, Some(&f32s(&[4])), false)
        ),
        case!("softmax", scipy::special::softmax(f32s(&[2]), Some(&[1]))),
        case!("erf", scipy::special::erf(c64s(&[2]))),
        case!("lgamma", scipy::special::gammaln(c64s(&[2]))),
        case!("xlogy", scipy::special::xlogy(f32s(&[2]), f32s(&[3]))),
        case!(
            "betainc",
            scipy::special::betainc(f32s(&[2]), f32s(&[3]), f32s(&[4]))
        ),
        case!(
            "logpdf",
            scipy::stats::norm::logpdf(f32s(&[2]), f32s(&[3]), 1.0f32)
        ),
        case!(
            "logpdf",
            scipy::stats::multivariate_normal::logpdf(f32s(&[3]), f32s(&[3]), f32s(&[2, 2]))
        ),
    ]
}
