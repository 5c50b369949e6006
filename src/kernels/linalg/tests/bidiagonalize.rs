//! The bidiagonalization `A = Q·B·Pᴴ` and its factors: `Q` and `P` formed by applying them to
//! the identity, checked against `A`, for unitarity, and against plain products of the
//! reflectors as [`Bidiagonal`] documents them; square and tall shapes on both sides of the
//! panel width, and reflectors that are the identity.

use faer::traits::math_utils::abs;
use faer::{Mat, MatRef, Par};

use super::*;
use crate::kernels::in_pool;
use crate::kernels::linalg::bidiagonalize::{Bidiagonal, bidiagonal_magnitudes, bidiagonalize};

/// `a` as a column-major matrix of `T`.
fn to_faer<T: TestElement>(a: &M) -> Mat<T> {
    Mat::from_fn(a.rows, a.cols, |i, j| T::from_c64(a.at(i, j)))
}

fn from_faer<T: TestElement>(a: MatRef<'_, T>) -> M {
    M::from_fn(a.nrows(), a.ncols(), |i, j| a[(i, j)].to_c64())
}

/// `H_0⋯H_{k−1}·x` for `H_i = I − taus[i]·w_i·w_iᴴ` (`w_i` the columns of `w`), one
/// reflector at a time.
fn reflect_all(w: &M, taus: &[f64], mut x: M) -> M {
    for (i, &tau) in taus.iter().enumerate().rev() {
        let column = M::from_fn(w.rows, 1, |r, _| w.at(r, i));
        let projection = column.adjoint().mul(&x);
        let update = column.mul(&projection);
        x = M::from_fn(x.rows, x.cols, |r, c| x.at(r, c) - update.at(r, c) * tau);
    }
    x
}

/// Bidiagonalizes `a` in `T` with `par` and checks, in c64 against the matrix `T` holds:
/// `‖A − Q·B·Pᴴ‖`, `‖QᴴQ − I‖`, `‖PᴴP − I‖` within `50·eps·max(m, 1)` (relative to `‖A‖`
/// for the first), `Q` and `P` against the documented reflectors, thin applications against
/// the full ones, and `bidiagonal_magnitudes` against `B`'s entries.
#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, par: Par) {
    let (m, n) = (a.rows, a.cols);
    let tolerance = 50.0 * m.max(1) as f64;
    let mut packed = to_faer::<T>(a);
    let b: Bidiagonal<T> = in_pool(par, || bidiagonalize(packed.as_mut(), par));
    assert_eq!(
        (b.diag.len(), b.left_taus.len()),
        (n, n),
        "{name}: diagonal"
    );
    let k = n.saturating_sub(1);
    assert_eq!(
        (b.superdiag.len(), b.right_taus.len()),
        (k, k),
        "{name}: superdiagonal"
    );
    let apply = |rows: usize, cols: usize, left: bool| {
        let mut x = Mat::<T>::identity(rows, cols);
        in_pool(par, || {
            if left {
                b.apply_q(packed.as_ref(), x.as_mut(), par);
            } else {
                b.apply_p(packed.as_ref(), x.as_mut(), par);
            }
        });
        from_faer(x.as_ref())
    };
    let (q, p) = (apply(m, m, true), apply(n, n, false));
    let entry = |x: T| x.to_c64();
    let bidiagonal = M::from_fn(n, n, |i, j| match j.checked_sub(i) {
        Some(0) => entry(b.diag[i]),
        Some(1) => entry(b.superdiag[i]),
        _ => c64::new(0.0, 0.0),
    });
    let a = a.rounded::<T>();
    let qbp = q.block(m, n).mul(&bidiagonal).mul(&p.adjoint());
    assert_small::<T>(
        &format!("{name}: A = Q·B·Pᴴ"),
        a.sub(&qbp).norm(),
        a.norm(),
        tolerance,
    );
    for (what, x) in [("QᴴQ = I", &q), ("PᴴP = I", &p)] {
        let gram = x.adjoint().mul(x);
        let residual = gram.sub(&M::identity(x.rows)).norm();
        assert_small::<T>(&format!("{name}: {what}"), residual, 1.0, tolerance);
    }
    // The documented layout: u_j below the diagonal, v_jᴴ right of the superdiagonal.
    let stored = from_faer(packed.as_ref());
    let one = c64::new(1.0, 0.0);
    let zero = c64::new(0.0, 0.0);
    let u = M::from_fn(m, n, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Less => zero,
        std::cmp::Ordering::Equal => one,
        std::cmp::Ordering::Greater => stored.at(i, j),
    });
    let v = M::from_fn(n, k, |i, j| match i.cmp(&(j + 1)) {
        std::cmp::Ordering::Less => zero,
        std::cmp::Ordering::Equal => one,
        std::cmp::Ordering::Greater => stored.at(j, i).conj(),
    });
    let taus = |t: &[T::Real]| t.iter().map(|&t| t.into()).collect::<Vec<f64>>();
    for (what, want, got) in [
        (
            "Q",
            reflect_all(&u, &taus(&b.left_taus), M::identity(m)),
            &q,
        ),
        (
            "P",
            reflect_all(&v, &taus(&b.right_taus), M::identity(n)),
            &p,
        ),
    ] {
        let residual = want.sub(got).norm();
        assert_small::<T>(
            &format!("{name}: {what} as documented"),
            residual,
            1.0,
            tolerance,
        );
    }
    for i in 0..n {
        assert_eq!(stored.at(i, i), entry(b.diag[i]), "{name}: packed diagonal");
        if i + 1 < n {
            let e = entry(b.superdiag[i]);
            assert_eq!(stored.at(i, i + 1), e, "{name}: packed superdiagonal");
        }
    }
    // Thin targets: Q's first n columns, P applied to fewer columns than it has.
    for (what, got, want) in [
        ("Q applied to m × n", apply(m, n, true), q.block(m, n)),
        (
            "P applied to n × n/2",
            apply(n, n / 2, false),
            p.block(n, n / 2),
        ),
    ] {
        let residual = got.sub(&want).norm();
        assert_small::<T>(&format!("{name}: {what}"), residual, 1.0, tolerance);
    }
    // The magnitudes are those of B's entries, from the same computation.
    let mut again = to_faer::<T>(&a);
    let (d, e) = in_pool(par, || bidiagonal_magnitudes(again.as_mut(), par));
    let magnitudes = |x: &[T]| x.iter().map(abs).collect::<Vec<T::Real>>();
    assert_eq!(d, magnitudes(&b.diag), "{name}: diagonal magnitudes");
    assert_eq!(
        e,
        magnitudes(&b.superdiag),
        "{name}: superdiagonal magnitudes"
    );
}

fn shapes<T: TestElement>() {
    let c = T::COMPLEX;
    let sizes = [1, 2, 3, 16, 17, 33, 40];
    for (seed, &n) in sizes.iter().enumerate() {
        let seed = seed as u64;
        check::<T>(
            &format!("{n} × {n}"),
            &M::random(n, n, c, 30 + seed),
            Par::Seq,
        );
        let m = n + 7;
        check::<T>(
            &format!("{m} × {n}"),
            &M::random(m, n, c, 40 + seed),
            Par::Seq,
        );
    }
    check::<T>("50 × 17", &M::random(50, 17, c, 50), Par::Seq);
    check::<T>("80 × 40", &M::random(80, 40, c, 51), Par::rayon(2));
}

#[test]
fn factors_reproduce_square_and_tall_matrices_across_panels() {
    for_each_dtype!(shapes);
}

fn identity_reflectors<T: TestElement>() {
    let c = T::COMPLEX;
    // Zero and already bidiagonal matrices: every reflector is the identity (τ = 0).
    let zero = M::from_fn(20, 18, |_, _| c64::new(0.0, 0.0));
    let bidiagonal = M::random(19, 19, c, 60);
    let bidiagonal = M::from_fn(19, 19, |i, j| {
        if j == i || j == i + 1 {
            bidiagonal.at(i, j)
        } else {
            c64::new(0.0, 0.0)
        }
    });
    // A zero column and a zero row in the middle of a panel, and rank one.
    let mut holes = M::random(24, 20, c, 61);
    for i in 0..24 {
        holes.data[i * 20 + 5] = c64::new(0.0, 0.0);
    }
    for j in 0..20 {
        holes.data[9 * 20 + j] = c64::new(0.0, 0.0);
    }
    let rank_one = M::random(30, 1, c, 62).mul(&M::random(1, 18, c, 63));
    for (name, a) in [
        ("zero", zero),
        ("bidiagonal", bidiagonal),
        ("zero row and column", holes),
        ("rank one", rank_one),
    ] {
        check::<T>(name, &a, Par::Seq);
    }
    let mut packed = to_faer::<T>(&M::from_fn(20, 18, |_, _| c64::new(0.0, 0.0)));
    let b = bidiagonalize(packed.as_mut(), Par::Seq);
    let zero = faer::traits::math_utils::zero::<T::Real>();
    assert!(b.left_taus.iter().chain(&b.right_taus).all(|&t| t == zero));
}

#[test]
fn identity_reflectors_have_zero_tau() {
    for_each_dtype!(identity_reflectors);
}
