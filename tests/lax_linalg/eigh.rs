//! `lax::eigh` eagerly and under `jit`, in float32 and float64, batched, with repeated
//! eigenvalues and both triangles: checked by `A·V = V·diag(w)`, `VᵀV = I` and ascending `w`
//! (the helpers and conventions of `lax_linalg.rs`).

use super::*;

/// Checks `A·V = V·diag(w)` to `residual_tol`, `VᵀV = I` and ascending `w` to `tol`.
fn check_eigh(what: &str, a: &[f64], v: &[f64], w: &[f64], n: usize, tol: f64, residual_tol: f64) {
    for b in 0..w.len() / n {
        let a = &a[b * n * n..(b + 1) * n * n];
        let v = &v[b * n * n..(b + 1) * n * n];
        let w = &w[b * n..(b + 1) * n];
        assert!(
            w.windows(2).all(|pair| pair[0] <= pair[1]),
            "{what}: eigenvalues of {b} not ascending: {w:?}"
        );
        let vtv = matmul(&transpose(v, n, n), v, n, n, n);
        assert_close(&format!("{what}: VᵀV of {b}"), &vtv, &identity(n), tol);
        let av = matmul(a, v, n, n, n);
        let mut v_w = v.to_vec();
        for i in 0..n {
            for j in 0..n {
                v_w[i * n + j] *= w[j];
            }
        }
        assert_close(&format!("{what}: A·V of {b}"), &av, &v_w, residual_tol);
    }
}

/// `Q·diag(spectrum)·Qᵀ` for a random orthogonal `Q`.
fn with_spectrum(rng: &mut Lcg, spectrum: &[f64]) -> Vec<f64> {
    let n = spectrum.len();
    let q = orthogonal(rng, n);
    let mut qd = q.clone();
    for i in 0..n {
        for j in 0..n {
            qd[i * n + j] *= spectrum[j];
        }
    }
    let mut a = matmul(&qd, &transpose(&q, n, n), n, n, n);
    // Exactly symmetric.
    for i in 0..n {
        for j in 0..i {
            a[j * n + i] = a[i * n + j];
        }
    }
    a
}

fn eigh_case(dtype: DType, batch_shape: &[usize], n: usize, lower: bool) -> anyhow::Result<()> {
    let mut rng = Lcg(1000 + n as u64);
    let batch: usize = batch_shape.iter().product();
    let mut spectra = Vec::new();
    let mut data = Vec::new();
    let mut stored = Vec::new();
    for _ in 0..batch {
        // Well-separated eigenvalues in [-3, 3), in no particular order.
        let mut spectrum: Vec<f64> = (0..n)
            .map(|i| (i as f64) * 0.75 - 3.0 + 0.1 * rng.next())
            .collect();
        spectrum.reverse();
        let a = with_spectrum(&mut rng, &spectrum);
        // Garbage in the triangle that must not be read.
        let mut s = a.clone();
        for i in 0..n {
            for j in 0..n {
                if (lower && j > i) || (!lower && j < i) {
                    s[i * n + j] = 50.0;
                }
            }
        }
        spectrum.sort_by(f64::total_cmp);
        spectra.extend(spectrum);
        data.extend(a);
        stored.extend(s);
    }
    let mut shape = batch_shape.to_vec();
    shape.extend([n, n]);
    let a = array(&stored, &shape, dtype)?;
    let eager = eigh_with(
        &a,
        EighOptions::default().symmetrize_input(false).lower(lower),
    );
    let jitted: (Array, Array) = jit(move |a: Array| {
        eigh_with(
            &a,
            EighOptions::default().symmetrize_input(false).lower(lower),
        )
    })
    .call(a.clone())?;
    let case = format!("{dtype} {shape:?} lower={lower}");
    // XLA's Jacobi expansion skips rotations below a float32-sized threshold, which bounds the
    // float64 residual near 1e-8·|A| (documented on `eigh`); the rest is at full precision.
    let residual_tol = if dtype == DType::F64 { 1e-7 } else { F32_TOL };
    for (v, w) in [eager, jitted] {
        assert_eq!(v.shape(), shape.as_slice(), "{case}: v");
        assert_eq!(w.shape(), &shape[..shape.len() - 1], "{case}: w");
        assert_eq!((v.dtype(), w.dtype()), (dtype, dtype));
        let (v, w) = (values(&v)?, values(&w)?);
        check_eigh(&case, &data, &v, &w, n, tol(dtype), residual_tol);
        assert_close(&format!("{case}: eigenvalues"), &w, &spectra, tol(dtype));
    }
    Ok(())
}

#[test]
fn eigh_decomposes_f32() -> anyhow::Result<()> {
    x64();
    eigh_case(DType::F32, &[], 4, true)?;
    eigh_case(DType::F32, &[], 5, false)?;
    eigh_case(DType::F32, &[3], 4, true)?;
    eigh_case(DType::F32, &[2, 2], 3, false)?;
    eigh_case(DType::F32, &[], 1, true)
}

#[test]
fn eigh_decomposes_f64() -> anyhow::Result<()> {
    x64();
    eigh_case(DType::F64, &[], 6, true)?;
    eigh_case(DType::F64, &[3], 4, false)
}

#[test]
fn eigh_with_repeated_eigenvalues() -> anyhow::Result<()> {
    x64();
    let mut rng = Lcg(5);
    let n = 5;
    let a = with_spectrum(&mut rng, &[2.0, -1.0, 2.0, 0.5, 2.0]);
    let (v, w) = eigh_with(
        &array(&a, &[n, n], DType::F32)?,
        EighOptions::default().symmetrize_input(false),
    );
    let (v, w) = (values(&v)?, values(&w)?);
    check_eigh("repeated", &a, &v, &w, n, F32_TOL, F32_TOL);
    assert_close("repeated: w", &w, &[-1.0, 0.5, 2.0, 2.0, 2.0], F32_TOL);
    Ok(())
}

#[test]
fn eigh_of_both_triangles_in_one_program() -> anyhow::Result<()> {
    // XLA caches the expansion of its `Eigh` custom call by shape alone; the lowering must keep
    // `lower=True` and `lower=False` on one shape apart.
    x64();
    let mut rng = Lcg(9);
    let n = 4;
    let a = with_spectrum(&mut rng, &[1.0, 2.0, 3.0, 4.0]);
    let mut upper = a.clone();
    let mut lower = a.clone();
    for i in 0..n {
        for j in 0..n {
            if j > i {
                lower[i * n + j] = 9.0;
            }
            if j < i {
                upper[i * n + j] = -9.0;
            }
        }
    }
    let f = jit(|(x, y): (Array, Array)| {
        let (_, w_lower) = eigh_with(&x, EighOptions::default().symmetrize_input(false));
        let (_, w_upper) = eigh_with(
            &y,
            EighOptions::default().symmetrize_input(false).lower(false),
        );
        (w_lower, w_upper)
    });
    let (w_lower, w_upper): (Array, Array) = f.call((
        array(&lower, &[n, n], DType::F32)?,
        array(&upper, &[n, n], DType::F32)?,
    ))?;
    assert_close("lower", &values(&w_lower)?, &[1.0, 2.0, 3.0, 4.0], F32_TOL);
    assert_close("upper", &values(&w_upper)?, &[1.0, 2.0, 3.0, 4.0], F32_TOL);
    Ok(())
}
