//! Reduction to upper Hessenberg form, as LAPACK's `gehrd` and `jax.lax.linalg.hessenberg`.

use faer::Mat;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::hessenberg::{hessenberg_in_place, hessenberg_in_place_scratch};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::prelude::Reborrow;

use super::householder::lapack_taus;
use super::{Batch, Element, KernelError, chunks, chunks_mut, view, view_mut};
use crate::kernels::{in_pool, par_for};

const KERNEL: &str = "hessenberg";

/// LAPACK's `gehrd` for each `n × n` matrix of `a` (`[batch, n, n]`, `shape`): `A = Q·H·Qᴴ`
/// with `H` upper Hessenberg and `Q = H₀⋯H_{n−2}`, `H_i = I − taus[i]·v_i·v_iᴴ`. `packed`
/// (`[batch, n, n]`) receives `H` on and above the first subdiagonal and `v_i` below it in
/// column `i` (its leading one, at row `i + 1`, implicit); `taus` is `[batch, n − 1]`
/// (empty for `n = 0`). `householder_product` of `packed[1.., ..n−1]` and `taus` gives `Q`'s
/// trailing block.
///
/// The reflectors are faer's: for real types they are LAPACK's, for complex ones the
/// subdiagonal of `H` may be complex where `zgehrd` makes it real.
pub fn hessenberg<T: Element>(
    a: &[T],
    packed: &mut [T],
    taus: &mut [T],
    shape: Batch,
) -> Result<(), KernelError> {
    shape.check_square(KERNEL)?;
    shape.check(KERNEL, "a", a.len())?;
    shape.check(KERNEL, "packed", packed.len())?;
    let n = shape.rows;
    let k = n.saturating_sub(1);
    shape.check_vectors(KERNEL, "taus", k, taus.len())?;
    let par = par_for(n);
    let bs = recommended_block_size::<T>(k, k);
    let scratch = hessenberg_in_place_scratch::<T>(n, bs, par, Default::default());
    let mut buffer = MemBuffer::new(scratch);
    let mut h = Mat::<T>::zeros(n, n);
    let mut factor = Mat::<T>::zeros(bs, k);
    let outputs = chunks_mut(packed, n * n, shape.batch).zip(chunks_mut(taus, k, shape.batch));
    in_pool(par, || {
        for (a, (packed, taus)) in chunks(a, n * n, shape.batch).zip(outputs) {
            h.copy_from(view(a, n, n));
            let stack = MemStack::new(&mut buffer);
            hessenberg_in_place(h.as_mut(), factor.as_mut(), par, stack, Default::default());
            view_mut(packed, n, n).copy_from(h.rb());
            lapack_taus(factor.rb(), taus);
        }
    });
    Ok(())
}
