//! Batching rules of the linear-algebra primitives (JAX's `_cholesky_batching_rule`,
//! `_triangular_solve_batching_rule`, ...): these already work on batches of matrices over
//! their leading dimensions, so the batch axis becomes one more leading dimension. An
//! unbatched triangular matrix with batched right-hand sides is solved once, the batch folded
//! into the right-hand sides' columns (or rows).

use super::LinalgOp;
use crate::core::{Primitive, bind};
use crate::interpreters::batching::{Batched, bdim_at_front, move_axis};
use crate::lax::rules::reshape;
use crate::{Array, Result};

/// The batched `op` applied to `values` batched along `dims`.
pub(crate) fn batch(
    op: &LinalgOp,
    size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let primitive = Primitive::Linalg(op.clone());
    match op {
        LinalgOp::Cholesky | LinalgOp::Qr { .. } | LinalgOp::Eigh { .. } => {
            let (x, d) = (&values[0], dims[0].expect("the operand is batched"));
            // A batch axis among the leading dimensions stays; one among the matrix
            // dimensions moves to the front.
            let (x, d) = if d + 2 < x.ndim() {
                (x.clone(), d)
            } else {
                (move_axis(x, d, 0)?, 0)
            };
            let outputs = bind(primitive, &[x])?;
            let out_dims = vec![Some(d); outputs.len()];
            Ok((outputs, out_dims))
        }
        LinalgOp::TriangularSolve { left_side, .. } => {
            let (a, b) = (&values[0], &values[1]);
            match (dims[0], dims[1]) {
                (None, Some(db)) => solve_folded(primitive, *left_side, a, b, db, size),
                (da, db) => {
                    let a = bdim_at_front(a, da, size)?;
                    let b = bdim_at_front(b, db, size)?;
                    Ok((bind(primitive, &[a, b])?, vec![Some(0)]))
                }
            }
        }
    }
}

/// `triangular_solve` of an unbatched `a` with `b` batched at `db`: the batch joins `b`'s
/// columns (left side: `op(A)·X = B` acts on each column) or rows (right side), so one solve
/// covers every example.
fn solve_folded(
    primitive: Primitive,
    left_side: bool,
    a: &Array,
    b: &Array,
    db: usize,
    size: usize,
) -> Result<Batched> {
    // Left side: [..., n, N, k] -> [..., n, N*k]. Right side: [..., N, m, n] -> [..., N*m, n].
    let at = b.ndim() - if left_side { 2 } else { 3 };
    let moved = move_axis(b, db, at)?;
    let unfolded = moved.shape().to_vec();
    let mut folded = unfolded.clone();
    let batch = folded.remove(at);
    debug_assert_eq!(batch, size);
    // The dimension after the batch axis (k, or m) absorbs it, row-major.
    folded[at] *= batch;
    let solved = bind(primitive, &[a.clone(), reshape(&moved, &folded)?])?;
    Ok((vec![reshape(&solved[0], &unfolded)?], vec![Some(at)]))
}
