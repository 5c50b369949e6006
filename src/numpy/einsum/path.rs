//! The order of pairwise contractions: opt_einsum's "greedy" strategy.

use super::parse::Label;

/// The labels of `a` and `b` (in that order, without repeats) that outlive their contraction:
/// those in `output` or in one of the `others`.
pub(super) fn kept(a: &[Label], b: &[Label], others: &[&[Label]], output: &[Label]) -> Vec<Label> {
    let mut labels: Vec<Label> = Vec::new();
    for &l in a.iter().chain(b) {
        let needed = output.contains(&l) || others.iter().any(|o| o.contains(&l));
        if needed && !labels.contains(&l) {
            labels.push(l);
        }
    }
    labels
}

/// The next two operands to contract, as indices `(i, j)` with `i < j` into `terms`.
///
/// Among the pairs that share a label, the one whose result is smallest relative to its
/// operands (opt_einsum's greedy cost: result size minus both operand sizes); when no pair
/// shares a label, the pair with the smallest result (an outer product of the smallest
/// operands). Ties go to the first pair, which keeps the order deterministic.
pub(super) fn next_pair(
    terms: &[Vec<Label>],
    output: &[Label],
    size: impl Fn(Label) -> usize,
) -> (usize, usize) {
    let volume = |labels: &[Label]| labels.iter().map(|&l| size(l) as u128).product::<u128>();
    let mut best: Option<((bool, i128), (usize, usize))> = None;
    for i in 0..terms.len() {
        for j in i + 1..terms.len() {
            let others: Vec<&[Label]> = (0..terms.len())
                .filter(|&k| k != i && k != j)
                .map(|k| terms[k].as_slice())
                .collect();
            let result = volume(&kept(&terms[i], &terms[j], &others, output)) as i128;
            let shares = terms[i].iter().any(|l| terms[j].contains(l));
            let cost = if shares {
                result - volume(&terms[i]) as i128 - volume(&terms[j]) as i128
            } else {
                result
            };
            // Pairs that share a label come first (`false` sorts before `true`).
            let key = (!shares, cost);
            if best.is_none_or(|(b, _)| key < b) {
                best = Some((key, (i, j)));
            }
        }
    }
    best.expect("at least two operands").1
}
