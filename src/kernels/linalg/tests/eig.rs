use super::*;
use crate::kernels::ComplexOf;
use crate::kernels::linalg::{Batch, EigOptions, eig};
use faer::complex::Complex;

struct Eig {
    w: Vec<Vec<c64>>,
    vl: Vec<M>,
    vr: Vec<M>,
}

fn to_c64<R: Into<f64> + Copy>(z: &Complex<R>) -> c64 {
    c64::new(z.re.into(), z.im.into())
}

fn decompose<T: TestElement>(a: &[M], options: EigOptions) -> Eig {
    let (b, n) = (a.len(), a[0].rows);
    let nl = if options.compute_left { n } else { 0 };
    let nr = if options.compute_right { n } else { 0 };
    let zero = ComplexOf::<T>::new(real_zeros::<T>(1)[0], real_zeros::<T>(1)[0]);
    let mut w = vec![zero; b * n];
    let mut vl = vec![zero; b * nl * nl];
    let mut vr = vec![zero; b * nr * nr];
    eig(
        &batch::<T>(a),
        &mut w,
        &mut vl,
        &mut vr,
        Batch::square(b, n),
        options,
    )
    .unwrap();
    let matrices = |v: &[ComplexOf<T>], d: usize| -> Vec<M> {
        (0..b)
            .map(|i| M {
                rows: d,
                cols: d,
                data: v[i * d * d..(i + 1) * d * d].iter().map(to_c64).collect(),
            })
            .collect()
    };
    Eig {
        w: (0..b)
            .map(|i| w[i * n..(i + 1) * n].iter().map(to_c64).collect())
            .collect(),
        vl: matrices(&vl, nl),
        vr: matrices(&vr, nr),
    }
}

/// Checks unit norms with a real largest component, for the columns of `v`.
#[track_caller]
fn check_normalized<T: TestElement>(name: &str, v: &M) {
    for j in 0..v.cols {
        let column: Vec<c64> = (0..v.rows).map(|i| v.at(i, j)).collect();
        let norm = column.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
        assert_small::<T>(
            &format!("{name}: column {j} norm"),
            (norm - 1.0).abs(),
            1.0,
            4.0 * v.rows as f64,
        );
        let largest = column.iter().map(|z| z.norm()).fold(0.0, f64::max);
        let real = column
            .iter()
            .find(|z| z.norm() >= largest * (1.0 - 8.0 * T::EPS));
        assert!(
            real.is_some_and(|z| z.im == 0.0),
            "{name}: column {j} has no real largest component"
        );
    }
}

#[track_caller]
fn check<T: TestElement>(name: &str, a: &M, f: &Eig, b: usize) {
    let n = a.rows;
    let tolerance = 30.0 * n.max(1) as f64;
    let a = a.rounded::<T>();
    let w = &f.w[b];
    if !T::COMPLEX {
        // Real input: real eigenvalues, or exact conjugate pairs with the positive one first.
        let mut j = 0;
        while j < n {
            if w[j].im != 0.0 {
                assert!(
                    w[j].im > 0.0 && w[j + 1] == w[j].conj(),
                    "{name}: pair {j}: {w:?}"
                );
                j += 2;
            } else {
                j += 1;
            }
        }
    }
    if let Some(vr) = f.vr.get(b).filter(|v| v.rows == n && n > 0) {
        let residual = a.mul(vr).sub(&vr.scale_cols(w)).norm();
        assert_small::<T>(
            &format!("{name}: A·vr = vr·Λ"),
            residual,
            a.norm(),
            tolerance,
        );
        check_normalized::<T>(&format!("{name} vr"), vr);
    }
    if let Some(vl) = f.vl.get(b).filter(|v| v.rows == n && n > 0) {
        let residual = vl.adjoint().mul(&a).sub(
            &vl.scale_cols(&w.iter().map(|z| z.conj()).collect::<Vec<_>>())
                .adjoint(),
        );
        assert_small::<T>(
            &format!("{name}: vlᴴ·A = Λ·vlᴴ"),
            residual.norm(),
            a.norm(),
            tolerance,
        );
        check_normalized::<T>(&format!("{name} vl"), vl);
    }
}

fn general<T: TestElement>() {
    let both = EigOptions {
        compute_left: true,
        compute_right: true,
    };
    let mut cases = square_cases::<T>();
    cases.push(("rotation", M::real(2, 2, &[0.0, -1.0, 1.0, 0.0])));
    cases.push(("jordan block", M::real(2, 2, &[2.0, 1.0, 0.0, 2.0])));
    for (name, a) in cases {
        let f = decompose::<T>(std::slice::from_ref(&a), both);
        check::<T>(name, &a, &f, 0);
        // Without vectors, or with one side only, the eigenvalues are the same.
        for (left, right) in [(false, false), (true, false), (false, true)] {
            let g = decompose::<T>(
                std::slice::from_ref(&a),
                EigOptions {
                    compute_left: left,
                    compute_right: right,
                },
            );
            assert_eq!(g.w, f.w, "{name}: left={left} right={right}");
            check::<T>(name, &a, &g, 0);
        }
    }
    let a = batch_of_three::<T>(6, 6);
    let f = decompose::<T>(&a, both);
    for (i, a) in a.iter().enumerate() {
        check::<T>(&format!("batch #{i}"), a, &f, i);
    }
}

#[test]
fn decomposes_general_matrices() {
    for_each_dtype!(general);
}

#[test]
fn closed_form() {
    let both = EigOptions {
        compute_left: true,
        compute_right: true,
    };
    let f = decompose::<f64>(&[M::real(2, 2, &[0.0, -1.0, 1.0, 0.0])], both);
    assert_eq!(f.w[0], [c64::new(0.0, 1.0), c64::new(0.0, -1.0)]);
    let f = decompose::<c32>(&[M::diag(&[1.0, 1.0, 2.0])], both);
    let mut w: Vec<f64> = f.w[0].iter().map(|z| z.re).collect();
    w.sort_by(f64::total_cmp);
    assert_eq!(w, [1.0, 1.0, 2.0]);
    assert!(f.w[0].iter().all(|z| z.im == 0.0));
}

#[test]
fn nan_input_gives_nan() {
    let both = EigOptions {
        compute_left: true,
        compute_right: true,
    };
    for a in [
        M::real(2, 2, &[f64::NAN, 1.0, 1.0, 2.0]),
        M::real(2, 2, &[1.0, 0.0, f64::INFINITY, 2.0]),
    ] {
        let f = decompose::<f32>(std::slice::from_ref(&a), both);
        assert!(f.w[0].iter().all(|z| z.re.is_nan()) && f.vl[0].all_nan() && f.vr[0].all_nan());
        let f = decompose::<c64>(std::slice::from_ref(&a), both);
        assert!(f.w[0].iter().all(|z| z.re.is_nan()) && f.vl[0].all_nan() && f.vr[0].all_nan());
    }
}

#[test]
fn empty_batch_and_bad_shapes() {
    let both = EigOptions {
        compute_left: true,
        compute_right: true,
    };
    eig::<f64>(&[], &mut [], &mut [], &mut [], Batch::square(0, 3), both).unwrap();
    let none = EigOptions {
        compute_left: false,
        compute_right: false,
    };
    let mut vl = [c64::new(0.0, 0.0); 4];
    let err = eig::<f64>(
        &[0.0; 4],
        &mut [c64::new(0.0, 0.0); 2],
        &mut vl,
        &mut [],
        Batch::square(1, 2),
        none,
    );
    assert!(err.unwrap_err().to_string().contains("`vl`"));
}
