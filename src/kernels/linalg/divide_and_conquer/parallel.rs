//! Per-root work of a merge, spread over rjax's pool in chunks, each chunk compiled for and
//! run with the CPU's widest vector instructions (`pulp`'s run-time dispatch: AVX-512 or
//! AVX2 where the CPU has them, baseline SSE2 otherwise).
//!
//! The work goes through traits rather than closures: the dispatched function only gets
//! the wider instructions for code inlined into it, and a trait method marked
//! `#[inline(always)]` is, where a closure called through a reference may not be.

use faer::Par;
use pulp::{Simd, WithSimd};
use rayon::prelude::*;

/// Below this many items a merge's per-root work runs on the calling thread.
const PARALLEL_FROM: usize = 32;

/// Items per chunk handed to a thread.
const CHUNK: usize = 8;

/// The blocks at least this large solve their two halves in parallel.
const PARALLEL_SPLIT_FROM: usize = 96;

/// Work producing one value per index.
pub(super) trait PerIndex: Sync {
    /// The value of one index.
    type Output: Send;
    /// The value of index `i`.
    fn at(&self, i: usize) -> Self::Output;
}

/// Work filling one column (of a column-major matrix) per index.
pub(super) trait PerColumn<T>: Sync {
    /// Fills column `j`.
    fn fill(&self, j: usize, column: &mut [T]);
}

/// Whether `k` items are worth spreading over the pool.
pub(super) fn is_parallel(par: Par, k: usize) -> bool {
    matches!(par, Par::Rayon(_)) && k >= PARALLEL_FROM
}

/// Solves the two halves of a block of `size` rows, in parallel when the block is large
/// enough and `par` allows; both results, then the first error.
pub(super) fn solve_halves<E: Send>(
    par: Par,
    size: usize,
    first: impl FnOnce() -> Result<(), E> + Send,
    second: impl FnOnce() -> Result<(), E> + Send,
) -> Result<(), E> {
    let (r1, r2) = if matches!(par, Par::Rayon(_)) && size >= PARALLEL_SPLIT_FROM {
        rayon::join(first, second)
    } else {
        (first(), second())
    };
    r1.and(r2)
}

/// `job.at(0), …, job.at(k − 1)`.
pub(super) fn map_indices<J: PerIndex>(k: usize, par: Par, job: &J) -> Vec<J::Output> {
    let arch = pulp::Arch::new();
    if is_parallel(par, k) {
        (0..k.div_ceil(CHUNK))
            .into_par_iter()
            .flat_map_iter(|c| {
                arch.dispatch(Indices {
                    job,
                    start: c * CHUNK,
                    end: ((c + 1) * CHUNK).min(k),
                })
            })
            .collect()
    } else {
        arch.dispatch(Indices {
            job,
            start: 0,
            end: k,
        })
    }
}

/// Fills the `k`-row columns of `matrix` (column-major, `k` columns) with `job`.
pub(super) fn fill_columns<T: Send, J: PerColumn<T>>(
    matrix: &mut [T],
    k: usize,
    par: Par,
    job: &J,
) {
    if k == 0 {
        return;
    }
    let arch = pulp::Arch::new();
    if is_parallel(par, k) {
        matrix
            .par_chunks_mut(k * CHUNK)
            .enumerate()
            .for_each(|(c, columns)| {
                arch.dispatch(Columns {
                    job,
                    first: c * CHUNK,
                    columns,
                    k,
                })
            });
    } else {
        arch.dispatch(Columns {
            job,
            first: 0,
            columns: matrix,
            k,
        });
    }
}

/// A chunk of [`map_indices`].
struct Indices<'a, J> {
    job: &'a J,
    start: usize,
    end: usize,
}

impl<J: PerIndex> WithSimd for Indices<'_, J> {
    type Output = Vec<J::Output>;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> Self::Output {
        let mut out = Vec::with_capacity(self.end - self.start);
        for i in self.start..self.end {
            out.push(self.job.at(i));
        }
        out
    }
}

/// A chunk of [`fill_columns`].
struct Columns<'a, T, J> {
    job: &'a J,
    first: usize,
    columns: &'a mut [T],
    k: usize,
}

impl<T, J: PerColumn<T>> WithSimd for Columns<'_, T, J> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for (j, column) in self.columns.chunks_mut(self.k).enumerate() {
            self.job.fill(self.first + j, column);
        }
    }
}
