//! The decompositions that run on rjax's CPU kernels only: `eig`, `lu`, `hessenberg`,
//! `schur`, `householder_product`, checked against closed forms and reconstructions.

use rjax::numpy::linalg;
use rjax::{Array, DType, lax};

fn x64() {
    rjax::config::enable_x64(true);
}

#[test]
fn eig_of_a_rotation_is_plus_and_minus_i() -> anyhow::Result<()> {
    x64();
    let a = Array::from([[0.0, -1.0], [1.0, 0.0]]);
    let (w, v) = linalg::eig(&a);
    assert_eq!((w.dtype(), v.dtype()), (DType::C128, DType::C128));
    let w = w.to_vec::<rjax::Complex<f64>>()?;
    let mut imag: Vec<f64> = w.iter().map(|z| z.im).collect();
    imag.sort_by(f64::total_cmp);
    assert!(w.iter().all(|z| z.re.abs() < 1e-14));
    assert!((imag[0] + 1.0).abs() < 1e-14 && (imag[1] - 1.0).abs() < 1e-14);
    // A·v = λ·v for each column.
    let v = v.to_vec::<rjax::Complex<f64>>()?;
    for j in 0..2 {
        let (v0, v1) = (v[j], v[2 + j]);
        // A·v = (-v1, v0).
        let (av0, av1) = ((-v1.re, -v1.im), (v0.re, v0.im));
        let lv0 = (
            w[j].re * v0.re - w[j].im * v0.im,
            w[j].re * v0.im + w[j].im * v0.re,
        );
        let lv1 = (
            w[j].re * v1.re - w[j].im * v1.im,
            w[j].re * v1.im + w[j].im * v1.re,
        );
        assert!((av0.0 - lv0.0).abs() + (av0.1 - lv0.1).abs() < 1e-14);
        assert!((av1.0 - lv1.0).abs() + (av1.1 - lv1.1).abs() < 1e-14);
    }
    let values = linalg::eigvals(Array::from([[2.0f32, 0.0], [0.0, 3.0]]));
    assert_eq!(values.dtype(), DType::C64);
    Ok(())
}

#[test]
fn lu_reconstructs_the_permuted_matrix() -> anyhow::Result<()> {
    x64();
    let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.5, 7.0, 8.0, 10.0];
    let a = Array::from_slice(&data, &[3, 3])?;
    let (lu, pivots, perm) = lax::lu(&a)?;
    let (lu, perm) = (lu.to_vec::<f64>()?, perm.to_vec::<i32>()?);
    assert_eq!(pivots.dtype(), DType::I32);
    // The first pivot is the largest entry of column 0: row 2.
    assert_eq!(pivots.to_vec::<i32>()?[0], 2);
    for i in 0..3 {
        for j in 0..3 {
            let mut x = 0.0;
            for k in 0..3 {
                let l = if k < i {
                    lu[i * 3 + k]
                } else if k == i {
                    1.0
                } else {
                    0.0
                };
                let u = if k <= j { lu[k * 3 + j] } else { 0.0 };
                x += l * u;
            }
            let pa = data[perm[i] as usize * 3 + j];
            assert!((x - pa).abs() < 1e-12, "(P·A - L·U)[{i},{j}] = {}", x - pa);
        }
    }
    Ok(())
}

#[test]
fn householder_product_of_one_reflector() -> anyhow::Result<()> {
    x64();
    // v = [1, 0.5], tau = 2/(vᵀv) = 1.6: H = I - 1.6·v·vᵀ, first column [-0.6, -0.8].
    let a = Array::from([[9.0], [0.5]]);
    let q = lax::householder_product(&a, Array::from([1.6]))?;
    let q = q.to_vec::<f64>()?;
    assert!(
        (q[0] + 0.6).abs() < 1e-15 && (q[1] + 0.8).abs() < 1e-15,
        "{q:?}"
    );
    Ok(())
}

#[test]
fn hessenberg_is_similar_to_its_input() -> anyhow::Result<()> {
    x64();
    let data = [
        4.0, 1.0, -2.0, 2.0, 1.0, 2.0, 0.0, 1.0, -2.0, 0.0, 3.0, -2.0, 2.0, 1.0, -2.0, -1.0,
    ];
    let a = Array::from_slice(&data, &[4, 4])?;
    let (packed, taus) = lax::hessenberg(&a)?;
    assert_eq!(taus.shape(), &[3]);
    let packed = packed.to_vec::<f64>()?;
    // H: the packed matrix on and above the first subdiagonal.
    let h: Vec<f64> = (0..16)
        .map(|index| {
            if index / 4 > index % 4 + 1 {
                0.0
            } else {
                packed[index]
            }
        })
        .collect();
    let trace = |m: &[f64]| (0..4).map(|i| m[i * 5]).sum::<f64>();
    assert!((trace(&h) - trace(&data)).abs() < 1e-12);
    let eig_a = sorted(linalg::eigvals(&a))?;
    let eig_h = sorted(linalg::eigvals(&Array::from_slice(&h, &[4, 4])?))?;
    for (x, y) in eig_a.iter().zip(&eig_h) {
        assert!(
            (x.0 - y.0).abs() < 1e-10 && (x.1 - y.1).abs() < 1e-10,
            "{eig_a:?} {eig_h:?}"
        );
    }
    Ok(())
}

/// The eigenvalues of a real quasi-triangular (or triangular) `n × n` Schur form `t`, from
/// its 1 × 1 and 2 × 2 diagonal blocks, sorted.
fn block_eigenvalues(t: &[f64], n: usize) -> Vec<(f64, f64)> {
    let mut w = Vec::new();
    let mut i = 0;
    while i < n {
        if i + 1 < n && t[(i + 1) * n + i] != 0.0 {
            let (a, b, c, d) = (
                t[i * n + i],
                t[i * n + i + 1],
                t[(i + 1) * n + i],
                t[(i + 1) * n + i + 1],
            );
            let (mean, half) = ((a + d) / 2.0, (a - d) / 2.0);
            let im = (-(half * half + b * c)).sqrt();
            w.extend([(mean, -im), (mean, im)]);
            i += 2;
        } else {
            w.push((t[i * n + i], 0.0));
            i += 1;
        }
    }
    w.sort_by(|x, y| x.partial_cmp(y).expect("finite"));
    w
}

#[test]
fn schur_reconstructs_and_keeps_the_eigenvalues() -> anyhow::Result<()> {
    x64();
    // A batch of two matrices; the first has two complex pairs of eigenvalues (two 2 × 2 blocks).
    let data = [
        1.0, 2.0, 0.0, 1.0, -3.0, 1.0, 1.0, 0.0, 0.0, 1.0, 2.0, -1.0, 1.0, 0.0, 1.0, 3.0, //
        4.0, 1.0, -2.0, 2.0, 1.0, 2.0, 0.0, 1.0, -2.0, 0.0, 3.0, -2.0, 2.0, 1.0, -2.0, -1.0,
    ];
    let a = Array::from_slice(&data, &[2, 4, 4])?;
    let (t, z) = lax::schur(&a)?;
    let z = z.expect("asked for Z");
    assert_eq!((t.shape(), z.shape()), (&[2, 4, 4][..], &[2, 4, 4][..]));
    let (t, z) = (t.to_vec::<f64>()?, z.to_vec::<f64>()?);
    for b in 0..2 {
        let (a, t, z) = (
            &data[b * 16..][..16],
            &t[b * 16..][..16],
            &z[b * 16..][..16],
        );
        // A = Z·T·Zᵀ.
        for (i, j) in (0..4).flat_map(|i| (0..4).map(move |j| (i, j))) {
            let ztz: f64 = (0..4)
                .flat_map(|k| (0..4).map(move |l| (k, l)))
                .map(|(k, l)| z[i * 4 + k] * t[k * 4 + l] * z[j * 4 + l])
                .sum();
            assert!(
                (ztz - a[i * 4 + j]).abs() < 1e-12,
                "batch {b}: {ztz} vs {}",
                a[i * 4 + j]
            );
        }
        let w = sorted(linalg::eigvals(&Array::from_slice(a, &[4, 4])?))?;
        let blocks = block_eigenvalues(t, 4);
        if b == 0 {
            let complex = blocks.iter().filter(|w| w.1 != 0.0).count();
            assert_eq!(complex, 4, "{blocks:?}");
        }
        for (x, y) in w.iter().zip(&blocks) {
            assert!(
                (x.0 - y.0).abs() < 1e-10 && (x.1 - y.1).abs() < 1e-10,
                "{w:?} {blocks:?}"
            );
        }
    }
    // Without the vectors, T alone.
    let (t_alone, none) = lax::schur_with(
        &a,
        lax::SchurOptions::default().compute_schur_vectors(false),
    )?;
    assert!(none.is_none());
    assert_eq!(t_alone.to_vec::<f64>()?, t);
    Ok(())
}

#[test]
fn complex_schur_form_is_triangular() -> anyhow::Result<()> {
    x64();
    let a = Array::from([[0.0, -1.0], [1.0, 0.0]]).astype(DType::C128);
    let (t, _) = lax::schur_with(
        &a,
        lax::SchurOptions::default().compute_schur_vectors(false),
    )?;
    let t = t.to_vec::<rjax::Complex<f64>>()?;
    assert_eq!(t[2], rjax::Complex::new(0.0, 0.0));
    let mut w = [(t[0].re, t[0].im), (t[3].re, t[3].im)];
    w.sort_by(|x, y| x.partial_cmp(y).expect("finite"));
    let expected = sorted(linalg::eigvals(&a))?;
    for (x, y) in w.iter().zip(&expected) {
        assert!(
            (x.0 - y.0).abs() < 1e-14 && (x.1 - y.1).abs() < 1e-14,
            "{w:?} {expected:?}"
        );
    }
    Ok(())
}

fn sorted(w: Array) -> anyhow::Result<Vec<(f64, f64)>> {
    let mut w: Vec<(f64, f64)> = w
        .to_vec::<rjax::Complex<f64>>()?
        .iter()
        .map(|z| (z.re, z.im))
        .collect();
    w.sort_by(|x, y| x.partial_cmp(y).expect("finite"));
    Ok(w)
}

#[test]
fn misuse_is_a_clear_error() {
    let error = lax::eig_with(
        Array::from([1.0f32, 2.0]),
        lax::EigOptions::default().compute_left_eigenvectors(false),
    )
    .unwrap_err();
    assert!(error.to_string().contains("eig"), "{error}");
    let error = lax::hessenberg(Array::from([[1.0f32, 2.0, 3.0]])).unwrap_err();
    assert!(error.to_string().contains("square"), "{error}");
    let error = lax::schur(Array::from([[1.0f32, 2.0, 3.0]])).unwrap_err();
    assert!(error.to_string().contains("schur"), "{error}");
}

#[test]
fn the_derivative_of_eigvals_matches_central_differences() -> anyhow::Result<()> {
    x64();
    // Distinct real eigenvalues (near 1, 3, 6, 10), so that the order is stable.
    let data = [
        1.0, 0.3, 0.1, 0.2, 0.2, 3.0, 0.4, 0.1, 0.1, 0.5, 6.0, 0.3, 0.3, 0.2, 0.1, 10.0,
    ];
    let dir = [
        0.5, -1.0, 0.25, 0.0, 1.0, 0.3, -0.2, 0.7, 0.1, 0.9, -0.4, 0.2, -0.6, 0.0, 0.8, 0.3,
    ];
    let a = Array::from_slice(&data, &[4, 4])?;
    let da = Array::from_slice(&dir, &[4, 4])?;
    let (w, dw): (Array, Array) = rjax::jvp(|a: Array| linalg::eigvals(&a), a.clone(), da.clone())?;
    let h = 1e-6;
    let plus = sorted(linalg::eigvals(&(&a + &(&da * h))))?;
    let minus = sorted(linalg::eigvals(&(&a - &(&da * h))))?;
    let mut pairs: Vec<((f64, f64), (f64, f64))> = w
        .to_vec::<rjax::Complex<f64>>()?
        .iter()
        .zip(dw.to_vec::<rjax::Complex<f64>>()?)
        .map(|(w, dw)| ((w.re, w.im), (dw.re, dw.im)))
        .collect();
    pairs.sort_by(|x, y| x.0.partial_cmp(&y.0).expect("finite"));
    for (k, (_, dw)) in pairs.iter().enumerate() {
        let fd = (
            (plus[k].0 - minus[k].0) / (2.0 * h),
            (plus[k].1 - minus[k].1) / (2.0 * h),
        );
        assert!(
            (dw.0 - fd.0).abs() < 1e-7 && (dw.1 - fd.1).abs() < 1e-7,
            "{k}: {dw:?} vs {fd:?}"
        );
    }
    // The eigenvectors are not differentiable, as in JAX.
    let panic = std::panic::catch_unwind(|| {
        let _ = rjax::jvp(|a: Array| linalg::eig(&a).1, a.clone(), da.clone());
    });
    assert!(panic.is_err());
    Ok(())
}

#[test]
fn geqrf_then_householder_product_reconstructs() -> anyhow::Result<()> {
    x64();
    let data = [
        2.0, -1.0, 0.5, 1.0, 3.0, 1.5, -2.0, 0.25, 4.0, 1.0, 1.0, -1.0,
    ];
    let a = Array::from_slice(&data, &[4, 3])?;
    let (packed, taus) = lax::geqrf(&a)?;
    assert_eq!(taus.shape(), &[3]);
    let q = lax::householder_product(&packed, &taus)?.to_vec::<f64>()?;
    let packed = packed.to_vec::<f64>()?;
    for i in 0..4 {
        for j in 0..3 {
            let qr: f64 = (0..=j).map(|k| q[i * 3 + k] * packed[k * 3 + j]).sum();
            assert!((qr - data[i * 3 + j]).abs() < 1e-12, "(Q·R - A)[{i},{j}]");
        }
    }
    Ok(())
}

/// Large decompositions run faer's parallel algorithms on rjax's own thread pool, so rayon
/// tasks of the program's own that hold every thread of rayon's global pool while they wait
/// for linear algebra (here computed on other threads) cannot starve the kernels: every task
/// finishes. With the kernels on the global pool, this waits forever.
#[test]
fn kernels_run_while_every_rayon_task_waits_for_one() -> anyhow::Result<()> {
    x64();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // One task on each thread of the global pool, each blocked on a 300² eigh (past the
        // size from which the kernel goes parallel) that a thread outside the pool computes.
        let smallest: Vec<Result<f64, String>> = rayon::broadcast(|context| {
            let offset = context.index();
            let worker = std::thread::spawn(move || {
                let n = 300;
                let data: Vec<f64> = (0..n * n)
                    .map(|k| ((k / n + k % n + offset) as f64).sin())
                    .collect();
                let w = Array::from_slice(&data, &[n, n])
                    .and_then(|a| linalg::eigvalsh(&a + a.t()).to_vec::<f64>());
                w.map(|w| w[0]).map_err(|e| e.to_string())
            });
            worker
                .join()
                .unwrap_or_else(|_| Err("the worker panicked".into()))
        });
        let _ = sender.send(smallest);
    });
    let smallest = receiver
        .recv_timeout(std::time::Duration::from_secs(120))
        .map_err(|_| anyhow::anyhow!("the rayon tasks were still waiting after two minutes"))?;
    assert_eq!(smallest.len(), rayon::current_num_threads());
    for value in smallest {
        assert!(value.map_err(anyhow::Error::msg)?.is_finite());
    }
    Ok(())
}
