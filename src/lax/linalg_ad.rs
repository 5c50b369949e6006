//! Differentiation rules of the linear-algebra primitives, after JAX's rules in
//! `jax/_src/lax/linalg.py` (real dtypes only):
//!
//! - `cholesky` (`_cholesky_jvp_rule`, from Murray, arXiv:1602.07527):
//!   `L̇ = L·φ(L⁻¹·Σ̇·L⁻ᵀ)`, where `φ` keeps the lower triangle and halves the diagonal.
//! - `triangular_solve`: linear in `b` (its tangent is solved like `b`, and its transpose
//!   solves with `op(A)ᵀ`, JAX's `_triangular_solve_transpose_rule`); in `a`,
//!   `_triangular_solve_jvp_rule_a`: `Ẋ = -op(A)⁻¹·op(Ȧ)·X` (or `-X·op(Ȧ)·op(A)⁻¹`), with `Ȧ`
//!   restricted to the triangle that is read.
//! - `qr` (`qr_jvp_rule`, after j-towns.github.io/papers/qr-derivative.pdf), including wide
//!   matrices and `full_matrices` for tall ones (arXiv:2409.13374); the one general solve
//!   that case needs (JAX uses an LU factorization) is done here with a QR factorization.
//! - `eigh` (`_eigh_jvp_rule`, non-degenerate perturbation theory): with `F_ij = 1/(w_j - w_i)`
//!   off the diagonal and 0 on it, `V̇ = V·(F ∘ (Vᵀ·Ȧ·V))` and `ẇ = diag(Vᵀ·Ȧ·V)`.
//!
//! As in JAX, the rules of `cholesky` and `eigh` take the tangent as a perturbation of the
//! whole (symmetric) matrix, although the primitives read one triangle only: the derivative
//! is right for symmetric perturbations, and gradients come out symmetric (`½·A⁻¹` for
//! `½·log det A`).
//!
//! Every rule runs under the JVP trace's parent and is built from primitives, batched over
//! the leading dimensions. Tangents enter only operations linear in them (products with
//! primal values, sums, solves with a primal matrix, transposes, slices, masks selected by
//! known predicates), so reverse mode transposes what they stage.

use super::rules::{
    add, broadcast_in_dim, compare, convert, div, mul, neg, reduce_sum, scalar_like, scale,
    select_n, sub, transpose as permute,
};
use super::{Comparison, DotDimensionNumbers, LinalgOp};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::jvp::{Tangent, tangent_aval, zeros};
use crate::interpreters::transpose::LinearInput;
use crate::{Array, DType, Error, Result};

/// The JVP of a linear-algebra primitive: its outputs and their tangents.
pub(crate) fn jvp(
    op: &LinalgOp,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    check_real(op, primals)?;
    match op {
        LinalgOp::Cholesky => cholesky_jvp(&primals[0], &tangents[0]),
        LinalgOp::TriangularSolve { .. } => {
            triangular_solve_jvp(op, &primals[0], &primals[1], &tangents[0], &tangents[1])
        }
        LinalgOp::Qr { full_matrices } => qr_jvp(*full_matrices, &primals[0], &tangents[0]),
        LinalgOp::Eigh { .. } => eigh_jvp(op, &primals[0], &tangents[0]),
    }
}

/// The transpose of a linear-algebra primitive in its linear operands: only
/// `triangular_solve` is linear, in `b`, and transposes to the solve with `op(A)ᵀ`.
pub(crate) fn transpose(
    op: &LinalgOp,
    ct: &Array,
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    match (op, inputs) {
        (
            LinalgOp::TriangularSolve {
                left_side,
                lower,
                transpose_a,
                conjugate_a,
                unit_diagonal,
            },
            [LinearInput::Known(a), LinearInput::Undefined(b)],
        ) => {
            let flipped = LinalgOp::TriangularSolve {
                left_side: *left_side,
                lower: *lower,
                transpose_a: !*transpose_a,
                conjugate_a: *conjugate_a,
                unit_diagonal: *unit_diagonal,
            };
            let ct_b = linalg1(&flipped, &[a.clone(), ct.clone()])?;
            debug_assert_eq!(ct_b.shape(), b.shape.as_slice());
            Ok(vec![None, Some(Tangent::Value(ct_b))])
        }
        _ => Err(super::elementwise_ad::not_linear(&Primitive::Linalg(
            op.clone(),
        ))),
    }
}

/// Only real matrices are differentiated (the primitives accept nothing else today).
fn check_real(op: &LinalgOp, primals: &[Array]) -> Result<()> {
    match primals
        .iter()
        .find(|x| !matches!(x.dtype(), DType::F32 | DType::F64))
    {
        Some(bad) => Err(Error::invalid(
            op.name(),
            format!(
                "differentiation is implemented for real matrices only, got {}",
                bad.aval()
            ),
        )),
        None => Ok(()),
    }
}

// ----- building blocks ---------------------------------------------------------------------

/// Binds a linear-algebra primitive.
fn linalg(op: &LinalgOp, args: &[Array]) -> Result<Vec<Array>> {
    bind(Primitive::Linalg(op.clone()), args)
}

/// Binds a one-output linear-algebra primitive.
fn linalg1(op: &LinalgOp, args: &[Array]) -> Result<Array> {
    bind1(Primitive::Linalg(op.clone()), args)
}

/// Binds a two-output linear-algebra primitive.
fn linalg2(op: &LinalgOp, a: &Array) -> Result<(Array, Array)> {
    let mut outputs = linalg(op, std::slice::from_ref(a))?.into_iter();
    match (outputs.next(), outputs.next()) {
        (Some(first), Some(second)) => Ok((first, second)),
        _ => Err(Error::invalid(op.name(), "expected two outputs")),
    }
}

/// `op(A)⁻¹·B` (`left_side`) or `B·op(A)⁻¹`, for a triangular `a`; linear in `b`.
fn solve(
    a: &Array,
    b: &Array,
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
) -> Result<Array> {
    let op = LinalgOp::TriangularSolve {
        left_side,
        lower,
        transpose_a,
        conjugate_a: false,
        unit_diagonal,
    };
    linalg1(&op, &[a.clone(), b.clone()])
}

/// The batched matrix product `x·y` of `[..., m, k]` and `[..., k, n]` with one batch shape,
/// at `Precision::Highest`, as JAX's linear-algebra rules multiply (`lax.batch_matmul(...,
/// precision=HIGHEST)`): no reduced-precision passes on a GPU or TPU.
fn matmul(x: &Array, y: &Array) -> Result<Array> {
    let rank = x.ndim();
    let batch: Vec<usize> = (0..rank - 2).collect();
    let numbers = DotDimensionNumbers {
        lhs_contracting: vec![rank - 1],
        rhs_contracting: vec![rank - 2],
        lhs_batch: batch.clone(),
        rhs_batch: batch,
    };
    bind1(
        super::DotOptions::default()
            .precision(super::Precision::Highest)
            .primitive(numbers),
        &[x.clone(), y.clone()],
    )
}

/// `x` with its last two dimensions swapped (`_T`).
fn mt(x: &Array) -> Result<Array> {
    let rank = x.ndim();
    let mut permutation: Vec<usize> = (0..rank).collect();
    permutation.swap(rank - 2, rank - 1);
    permute(x, &permutation)
}

/// A `bool` array of `shape` (`[..., rows, cols]`) holding `row <cmp> column`: `Ge` is the
/// lower triangle with the diagonal, `Gt` the strict one, `Eq` the diagonal.
fn triangle_mask(shape: &[usize], cmp: Comparison) -> Result<Array> {
    let rank = shape.len();
    let matrix = shape[rank - 2..].to_vec();
    let iota = |dimension| {
        bind1(
            Primitive::Iota {
                dtype: DType::I32,
                shape: matrix.clone(),
                dimension,
            },
            &[],
        )
    };
    let mask = compare(cmp, &iota(0)?, &iota(1)?)?;
    if rank == 2 {
        return Ok(mask);
    }
    broadcast_in_dim(&mask, shape, &[rank - 2, rank - 1])
}

/// `x` where `row <cmp> column` holds, zero elsewhere (`_tril`/`_triu`); linear in `x`.
fn keep_triangle(x: &Array, cmp: Comparison) -> Result<Array> {
    let mask = triangle_mask(x.shape(), cmp)?;
    let zero = zeros(&tangent_aval(x.aval()))?;
    select_n(&mask, &[zero, x.clone()])
}

/// The identity matrices of `shape` (`[..., n, n]`) in `dtype`.
fn eye(shape: &[usize], dtype: DType) -> Result<Array> {
    convert(&triangle_mask(shape, Comparison::Eq)?, dtype)
}

/// The block `x[..., rows, cols]` of a batch of matrices.
fn block(x: &Array, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) -> Result<Array> {
    let rank = x.ndim();
    let mut start = vec![0; rank];
    let mut limit = x.shape().to_vec();
    (start[rank - 2], limit[rank - 2]) = (rows.start, rows.end);
    (start[rank - 1], limit[rank - 1]) = (cols.start, cols.end);
    if start.iter().all(|&s| s == 0) && limit.as_slice() == x.shape() {
        return Ok(x.clone());
    }
    bind1(
        Primitive::Slice {
            start_indices: start,
            limit_indices: limit,
            strides: vec![1; rank],
        },
        std::slice::from_ref(x),
    )
}

/// `parts` joined along `dimension`.
fn concatenate(parts: &[Array], dimension: usize) -> Result<Array> {
    bind1(Primitive::Concatenate { dimension }, parts)
}

/// The solution `X` of the general square system `M·X = B` (for known `m`, `b`): through the
/// QR factorization `M = Q·R`, `X = R⁻¹·(Qᵀ·B)`.
fn general_solve(m: &Array, b: &Array) -> Result<Array> {
    let (q, r) = linalg2(
        &LinalgOp::Qr {
            full_matrices: false,
        },
        m,
    )?;
    solve(&r, &matmul(&mt(&q)?, b)?, true, false, false, false)
}

// ----- cholesky ----------------------------------------------------------------------------

/// `_cholesky_jvp_rule`: `L̇ = L·φ(L⁻¹·Σ̇·L⁻ᵀ)`.
fn cholesky_jvp(x: &Array, t: &Tangent) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let l = linalg1(&LinalgOp::Cholesky, std::slice::from_ref(x))?;
    let out = tangent_aval(l.aval());
    let tangent = t.map_linear(out, |sigma_dot| {
        // Σ̇·L⁻ᵀ, then L⁻¹·(Σ̇·L⁻ᵀ).
        let right = solve(&l, sigma_dot, false, true, true, false)?;
        let inner = solve(&l, &right, true, true, false, false)?;
        // φ: the lower triangle with the diagonal halved.
        let eye = eye(inner.shape(), inner.dtype())?;
        let weights = add(&scale(&eye, -0.5)?, &scalar_like(&eye, 1.0)?)?;
        let phi = mul(&keep_triangle(&inner, Comparison::Ge)?, &weights)?;
        matmul(&l, &phi)
    })?;
    Ok((vec![l], vec![tangent]))
}

// ----- triangular_solve --------------------------------------------------------------------

/// The JVP of `triangular_solve` in both operands: `b`'s tangent is solved as `b` is, and
/// `a`'s follows `_triangular_solve_jvp_rule_a`.
fn triangular_solve_jvp(
    op: &LinalgOp,
    a: &Array,
    b: &Array,
    ta: &Tangent,
    tb: &Tangent,
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let &LinalgOp::TriangularSolve {
        left_side,
        lower,
        transpose_a,
        unit_diagonal,
        ..
    } = op
    else {
        unreachable!("called for triangular_solve only");
    };
    let ans = linalg1(op, &[a.clone(), b.clone()])?;
    let out = tangent_aval(ans.aval());
    let a_inverse = |rhs: &Array| solve(a, rhs, left_side, lower, transpose_a, unit_diagonal);
    let from_b = tb.map_linear(out.clone(), |tb| a_inverse(tb))?;
    let from_a = ta.map_linear(out, |ta| {
        // The triangle that is read (without the diagonal if it is taken to be ones), negated.
        let cmp = match (lower, unit_diagonal) {
            (true, false) => Comparison::Ge,
            (true, true) => Comparison::Gt,
            (false, false) => Comparison::Le,
            (false, true) => Comparison::Lt,
        };
        let mut g = neg(&keep_triangle(ta, cmp)?)?;
        if transpose_a {
            g = mt(&g)?;
        }
        let rank = b.ndim();
        let (m, n) = (b.shape()[rank - 2], b.shape()[rank - 1]);
        // Whichever order is cheaper, as JAX chooses.
        match (left_side, m > n, m < n) {
            (true, true, _) => a_inverse(&matmul(&g, &ans)?),
            (true, false, _) => matmul(&a_inverse(&g)?, &ans),
            (false, _, true) => a_inverse(&matmul(&ans, &g)?),
            (false, _, false) => matmul(&ans, &a_inverse(&g)?),
        }
    })?;
    Ok((vec![ans], vec![from_a.add(from_b)?]))
}

// ----- qr ----------------------------------------------------------------------------------

/// `_thin_qr_jvp`: the tangents `(Q̇, Ṙ)` of the QR decomposition `X = Q·R` of `[..., m, n]`
/// matrices with `m ≥ n` (`q` is `[..., m, n]`, `r` is `[..., n, n]`), linear in `dx`.
fn thin_qr_jvp(q: &Array, r: &Array, dx: &Array) -> Result<(Array, Array)> {
    // Ẋ·R⁻¹ (a right-side solve with the upper-triangular R).
    let dx_rinv = solve(r, dx, false, false, false, false)?;
    let qt_dx_rinv = matmul(&mt(q)?, &dx_rinv)?;
    let lower = keep_triangle(&qt_dx_rinv, Comparison::Gt)?;
    // Skew-symmetric.
    let omega = sub(&lower, &mt(&lower)?)?;
    let dq = add(&matmul(q, &sub(&omega, &qt_dx_rinv)?)?, &dx_rinv)?;
    let dr = matmul(&sub(&qt_dx_rinv, &omega)?, r)?;
    Ok((dq, dr))
}

/// `qr_jvp_rule`: the outputs `(Q, R)` of the QR decomposition of `x` and their tangents.
fn qr_jvp(full_matrices: bool, x: &Array, t: &Tangent) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let (q, r) = linalg2(&LinalgOp::Qr { full_matrices }, x)?;
    let Tangent::Value(dx) = t else {
        let zeros = vec![Tangent::zero_for(q.aval()), Tangent::zero_for(r.aval())];
        return Ok((vec![q, r], zeros));
    };
    let rank = x.ndim();
    let (m, n) = (x.shape()[rank - 2], x.shape()[rank - 1]);
    let (dq, dr) = if m < n {
        // Wide: X = Q·[R₁ R₂] splits into the square X₁ = Q·R₁ and R₂ = Qᵀ·X₂, so
        // Ṙ₂ = Q̇ᵀ·X₂ + Qᵀ·Ẋ₂.
        let r1 = block(&r, 0..m, 0..m)?;
        let (dx1, dx2) = (block(dx, 0..m, 0..m)?, block(dx, 0..m, m..n)?);
        let x2 = block(x, 0..m, m..n)?;
        let (dq, dr1) = thin_qr_jvp(&q, &r1, &dx1)?;
        let dr2 = add(&matmul(&mt(&dq)?, &x2)?, &matmul(&mt(&q)?, &dx2)?)?;
        (dq, concatenate(&[dr1, dr2], rank - 1)?)
    } else {
        let q_mn = block(&q, 0..m, 0..n)?;
        let r_nn = block(&r, 0..n, 0..n)?;
        let (dq_mn, dr_nn) = thin_qr_jvp(&q_mn, &r_nn, dx)?;
        if !full_matrices || m == n {
            (dq_mn, dr_nn)
        } else {
            full_qr_completion(&q, &q_mn, &dq_mn, &dr_nn, m, n)?
        }
    };
    Ok((vec![q, r], vec![Tangent::Value(dq), Tangent::Value(dr)]))
}

/// The tangents of the full `[..., m, m]` Q and `[..., m, n]` R of a tall matrix (`m > n`),
/// given those of the thin factors (arXiv:2409.13374, eqs. 32 and 33): with
/// `Z = Q_pn·(Q_nn - I)⁻¹`, `Q̇_mp = Q̇_mn·Zᵀ - (Q_mn + Q_mp·Z)·(Q̇_pn - Z·Q̇_nn)ᵀ`, and the
/// last `m - n` rows of `Ṙ` are zero.
fn full_qr_completion(
    q: &Array,
    q_mn: &Array,
    dq_mn: &Array,
    dr_nn: &Array,
    m: usize,
    n: usize,
) -> Result<(Array, Array)> {
    let rank = q.ndim();
    let q_nn = block(q_mn, 0..n, 0..n)?;
    let q_pn = block(q_mn, n..m, 0..n)?;
    let q_mp = block(q, 0..m, n..m)?;
    let dq_nn = block(dq_mn, 0..n, 0..n)?;
    let dq_pn = block(dq_mn, n..m, 0..n)?;
    // Zᵀ solves (Q_nn - I)ᵀ·Zᵀ = Q_pnᵀ; everything here is a primal value.
    let shifted = sub(&q_nn, &eye(q_nn.shape(), q_nn.dtype())?)?;
    let z_t = general_solve(&mt(&shifted)?, &mt(&q_pn)?)?;
    let z = mt(&z_t)?;
    let left = add(q_mn, &matmul(&q_mp, &z)?)?;
    let right = sub(&dq_pn, &matmul(&z, &dq_nn)?)?;
    let dq_mp = sub(&matmul(dq_mn, &z_t)?, &matmul(&left, &mt(&right)?)?)?;
    let dq = concatenate(&[dq_mn.clone(), dq_mp], rank - 1)?;
    let mut zero_shape = dr_nn.shape().to_vec();
    zero_shape[rank - 2] = m - n;
    let zero_rows = zeros(&tangent_aval(&dr_nn.aval().with_shape(zero_shape)))?;
    let dr = concatenate(&[dr_nn.clone(), zero_rows], rank - 2)?;
    Ok((dq, dr))
}

// ----- eigh --------------------------------------------------------------------------------

/// `_eigh_jvp_rule`: `V̇ = V·(F ∘ (Vᵀ·Ȧ·V))` and `ẇ = diag(Vᵀ·Ȧ·V)`, for distinct eigenvalues.
fn eigh_jvp(op: &LinalgOp, a: &Array, t: &Tangent) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let (v, w) = linalg2(op, a)?;
    let Tangent::Value(a_dot) = t else {
        let zeros = vec![Tangent::zero_for(v.aval()), Tangent::zero_for(w.aval())];
        return Ok((vec![v, w], zeros));
    };
    let shape = v.shape().to_vec();
    let rank = shape.len();
    let batch: Vec<usize> = (0..rank - 2).collect();
    let along = |axis: usize| {
        let dims: Vec<usize> = batch.iter().copied().chain([axis]).collect();
        broadcast_in_dim(&w, &shape, &dims)
    };
    // F = 1 / (I + w_j - w_i) - I: the reciprocal gaps, zero on the diagonal, with no NaNs.
    let eye = eye(&shape, v.dtype())?;
    let gaps = add(&eye, &sub(&along(rank - 1)?, &along(rank - 2)?)?)?;
    let f = sub(&div(&scalar_like(&gaps, 1.0)?, &gaps)?, &eye)?;
    let vt_adot_v = matmul(&matmul(&mt(&v)?, a_dot)?, &v)?;
    let dv = matmul(&v, &mul(&f, &vt_adot_v)?)?;
    let dw = reduce_sum(&mul(&vt_adot_v, &eye)?, &[rank - 1])?;
    Ok((vec![v, w], vec![Tangent::Value(dv), Tangent::Value(dw)]))
}
