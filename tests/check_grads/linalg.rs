//! check_grads on linear algebra.

use super::*;

/// `(a + aᵀ) / 2` over the last two axes.
fn symmetrize(a: &Array) -> Array {
    let n = a.ndim();
    let mut permutation: Vec<usize> = (0..n).collect();
    permutation.swap(n - 1, n - 2);
    (a + &lax::transpose(a, &permutation)) * 0.5
}

/// A batch of symmetric positive-definite matrices `M·Mᵀ + n·I`.
fn spd(rng: &mut Rng, batch: usize, n: usize) -> Array {
    let mut values = Vec::new();
    for _ in 0..batch {
        let m = rng.normal_vec(n * n);
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum();
                values.push(dot + if i == j { n as f64 } else { 0.0 });
            }
        }
    }
    Array::from_slice(&values, &[batch, n, n]).unwrap()
}

/// A matrix whose triangles are well conditioned: a dominant diagonal of random sign.
fn dominant(rng: &mut Rng, n: usize) -> Array {
    let mut values = rng.uniform_vec(n * n, -0.5, 0.5);
    for i in 0..n {
        values[i * n + i] = if i % 2 == 0 { 2.0 } else { -2.5 } + rng.uniform(0.0, 0.5);
    }
    Array::from_slice(&values, &[n, n]).unwrap()
}

#[test]
fn cholesky_and_triangular_solve() {
    x64();
    let mut rng = Rng::new(8);
    let mut cases = vec![case1(
        "cholesky (batched, symmetrized input)",
        vec![spd(&mut rng, 2, 3)],
        |xs| {
            lax::cholesky_with(
                symmetrize(&xs[0]),
                lax::CholeskyOptions::default().symmetrize_input(false),
            )
        },
    )];
    for left_side in [true, false] {
        for lower in [true, false] {
            for transpose_a in [false, true] {
                for unit_diagonal in [false, true] {
                    let b_shape = if left_side { [3, 2] } else { [2, 3] };
                    cases.push(case1(
                        &format!(
                            "triangular_solve left_side={left_side} lower={lower} \
                             transpose_a={transpose_a} unit_diagonal={unit_diagonal}"
                        ),
                        vec![dominant(&mut rng, 3), normal(&mut rng, &b_shape)],
                        move |xs| {
                            lax::triangular_solve_with(
                                &xs[0],
                                &xs[1],
                                lax::TriangularSolveOptions::default()
                                    .left_side(left_side)
                                    .lower(lower)
                                    .transpose_a(transpose_a)
                                    .unit_diagonal(unit_diagonal),
                            )
                        },
                    ));
                }
            }
        }
    }
    cases.push(case1(
        "triangular_solve (vector right-hand side)",
        vec![dominant(&mut rng, 3), normal(&mut rng, &[3])],
        |xs| {
            lax::triangular_solve_with(
                &xs[0],
                &xs[1],
                lax::TriangularSolveOptions::default()
                    .left_side(true)
                    .lower(true),
            )
        },
    ));
    run(cases);
}

#[test]
fn qr_and_eigh() {
    x64();
    let mut rng = Rng::new(9);
    let sign_probe = Array::from_slice(&[0.3, -0.7, 1.1, 0.9], &[4, 1]).unwrap();
    let cases = vec![
        case("qr reduced (tall)", vec![normal(&mut rng, &[4, 3])], |xs| {
            let (q, r) = lax::qr_with(&xs[0], lax::QrOptions::default().full_matrices(false));
            vec![q, r]
        }),
        case(
            "qr full (square, batched)",
            vec![normal(&mut rng, &[2, 3, 3])],
            |xs| {
                let (q, r) = lax::qr(&xs[0]);
                vec![q, r]
            },
        ),
        case("qr reduced (wide)", vec![normal(&mut rng, &[2, 4])], |xs| {
            let (q, r) = lax::qr_with(&xs[0], lax::QrOptions::default().full_matrices(false));
            vec![q, r]
        }),
        case1(
            "eigh eigenvalues (symmetrized input)",
            vec![normal(&mut rng, &[2, 4, 4])],
            |xs| {
                lax::eigh_with(
                    symmetrize(&xs[0]),
                    lax::EighOptions::default().symmetrize_input(false),
                )
                .1
            },
        ),
        case1(
            "eigh eigenvalues (upper)",
            vec![normal(&mut rng, &[4, 4])],
            |xs| {
                lax::eigh_with(
                    symmetrize(&xs[0]),
                    lax::EighOptions::default()
                        .symmetrize_input(false)
                        .lower(false),
                )
                .1
            },
        ),
        // Each eigenvector's sign fixed by its inner product with a generic vector.
        case(
            "eigh eigenvectors (sign-fixed)",
            vec![normal(&mut rng, &[4, 4])],
            move |xs| {
                let (v, w) = lax::eigh_with(
                    symmetrize(&xs[0]),
                    lax::EighOptions::default().symmetrize_input(false),
                );
                let signs = lax::sign(lax::reduce_sum(&(&v * &sign_probe), &[0]));
                vec![&v * &signs, w]
            },
        ),
    ];
    run(cases);
}
