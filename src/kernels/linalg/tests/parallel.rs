//! One matrix above the size from which faer runs on rayon's threads, per kernel (f64 only,
//! to keep the debug-mode suite fast): the thresholds are lowered below `N` first.

use super::*;
use crate::kernels::linalg::{
    Batch, EigOptions, SvdOptions, TriangularSolveOptions, cholesky, eig, eigh, lu, qr, svd,
    triangular_solve,
};

const N: usize = 130;

/// Puts every kernel on rayon's threads from `N` on (other tests may run threaded too, which
/// only changes their speed).
fn threaded() {
    crate::kernels::parallel_from(N);
}

fn tolerance() -> f64 {
    20.0 * N as f64
}

#[test]
fn factorizations() {
    threaded();
    let a = M::random(N, N, false, 42);
    let spd = a.hpd();
    let mut l = vec![0.0f64; N * N];
    cholesky(&spd.to::<f64>(), &mut l, Batch::square(1, N), true).unwrap();
    let l = M::of(N, N, &l);
    assert_small::<f64>(
        "cholesky",
        spd.sub(&l.mul(&l.adjoint())).norm(),
        spd.norm(),
        tolerance(),
    );

    let (mut packed, mut pivots, mut perm) = (vec![0.0f64; N * N], vec![0; N], vec![0; N]);
    lu(
        &a.to::<f64>(),
        &mut packed,
        &mut pivots,
        &mut perm,
        Batch::square(1, N),
    )
    .unwrap();
    let packed = M::of(N, N, &packed);
    let lower = M::from_fn(N, N, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Greater => packed.at(i, j),
        std::cmp::Ordering::Equal => c64::new(1.0, 0.0),
        std::cmp::Ordering::Less => c64::new(0.0, 0.0),
    });
    let upper = M::from_fn(N, N, |i, j| {
        if i <= j {
            packed.at(i, j)
        } else {
            c64::new(0.0, 0.0)
        }
    });
    let pa = M::from_fn(N, N, |i, j| a.at(perm[i] as usize, j));
    assert_small::<f64>(
        "lu",
        pa.sub(&lower.mul(&upper)).norm(),
        a.norm(),
        tolerance(),
    );

    let (mut q, mut r) = (vec![0.0f64; N * N], vec![0.0f64; N * N]);
    qr(&a.to::<f64>(), &mut q, &mut r, Batch::square(1, N), false).unwrap();
    let (q, r) = (M::of(N, N, &q), M::of(N, N, &r));
    assert_small::<f64>("qr", a.sub(&q.mul(&r)).norm(), a.norm(), tolerance());

    let b = M::random(N, 3, false, 43);
    let mut x = vec![0.0f64; N * 3];
    let options = TriangularSolveOptions {
        left_side: true,
        lower: false,
        ..Default::default()
    };
    let diagonal = upper.add(&M::diag(&[4.0; N]));
    triangular_solve(
        &diagonal.to::<f64>(),
        &b.to::<f64>(),
        &mut x,
        Batch::new(1, N, 3),
        options,
    )
    .unwrap();
    let x = M::of(N, 3, &x);
    let scale = diagonal.norm() * x.norm();
    assert_small::<f64>(
        "triangular_solve",
        diagonal.mul(&x).sub(&b).norm(),
        scale,
        tolerance(),
    );
}

#[test]
fn decompositions() {
    threaded();
    let a = M::random(N, N, false, 44);
    let h = a.hermitian();
    let (mut v, mut w) = (vec![0.0f64; N * N], vec![0.0f64; N]);
    eigh(&h.to::<f64>(), &mut v, &mut w, Batch::square(1, N), true).unwrap();
    let v = M::of(N, N, &v);
    let lambda: Vec<c64> = w.iter().map(|&x| c64::new(x, 0.0)).collect();
    assert_small::<f64>(
        "eigh",
        h.mul(&v).sub(&v.scale_cols(&lambda)).norm(),
        h.norm(),
        tolerance(),
    );

    let (mut s, mut u, mut vt) = (vec![0.0f64; N], vec![0.0f64; N * N], vec![0.0f64; N * N]);
    let options = SvdOptions {
        full_matrices: false,
        compute_uv: true,
    };
    svd(
        &a.to::<f64>(),
        &mut s,
        &mut u,
        &mut vt,
        Batch::square(1, N),
        options,
    )
    .unwrap();
    let sigma: Vec<c64> = s.iter().map(|&x| c64::new(x, 0.0)).collect();
    let usv = M::of(N, N, &u).scale_cols(&sigma).mul(&M::of(N, N, &vt));
    assert_small::<f64>("svd", a.sub(&usv).norm(), a.norm(), tolerance());

    let zero = c64::new(0.0, 0.0);
    let (mut w, mut vr) = (vec![zero; N], vec![zero; N * N]);
    let options = EigOptions {
        compute_left: false,
        compute_right: true,
    };
    eig(
        &a.to::<f64>(),
        &mut w,
        &mut [],
        &mut vr,
        Batch::square(1, N),
        options,
    )
    .unwrap();
    let vr = M {
        rows: N,
        cols: N,
        data: vr,
    };
    assert_small::<f64>(
        "eig",
        a.mul(&vr).sub(&vr.scale_cols(&w)).norm(),
        a.norm(),
        tolerance(),
    );
}
