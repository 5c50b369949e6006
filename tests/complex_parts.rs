//! The complex-number primitives `real`, `imag`, `conj`, `complex` (and `abs` of a complex
//! number) eagerly, under `jit`, `jvp`, `vjp`, `grad` and `vmap`, against JAX 0.10.2 run at
//! test time (float64); `jnp.angle`, `jnp.real`/`imag`/`conj` of real arrays, `eigh`'s default
//! (`lax::eigh`) symmetrization of complex matrices, and unitary `random::orthogonal`.

mod common;

use std::collections::HashMap;

use anyhow::Result;
use common::python::run_python;
use rjax::numpy as jnp;
use rjax::{Array, Complex, DType, InAxes, grad, jit, jvp, lax, random, vjp, vmap};

/// Prints `name v1 v2 ...`, complex values as real and imaginary parts.
const JAX: &str = r#"
import jax, jax.numpy as jnp, numpy as np
from jax import lax
jax.config.update("jax_enable_x64", True)
def show(name, value):
    v = np.asarray(value).ravel()
    if np.iscomplexobj(v):
        v = np.stack([v.real, v.imag], -1).ravel()
    print(name, " ".join(repr(float(x)) for x in v))
z, t = 1.5 - 0.5j, 0.25 + 2j
show("parts", [jnp.real(z), jnp.imag(z), jnp.abs(z)])
show("conj", lax.conj(z))
show("conj_real", lax.conj(2.0))
show("complex", lax.complex(1.5, -0.5))
show("jvp_abs", jax.jvp(jnp.abs, (z,), (t,))[1])
show("jvp_square_real", jax.jvp(lambda z: jnp.real(z * z), (z,), (t,))[1])
show("vjp_real_square", jax.vjp(lambda z: jnp.real(z * z), z)[1](1.0)[0])
show("vjp_abs", jax.vjp(jnp.abs, z)[1](1.0)[0])
show("vjp_imag_conj", jax.vjp(lambda z: jnp.imag(jnp.conj(z) * z * z), z)[1](1.0)[0])
show("vjp_conj_of_real", jax.vjp(lax.conj, 2.0)[1](3.0 + 4.0j)[0])
show("vjp_complex", jax.vjp(lax.complex, 0.7, -1.3)[1](0.5 - 2.0j))
show("grad_square_imag", jax.grad(lambda x, y: jnp.imag(lax.complex(x, y) ** 2), (0, 1))(0.7, -1.3))
show("grad_abs", jax.grad(lambda x, y: jnp.abs(lax.complex(x, y)), (0, 1))(0.6, -0.8))
show("grad_abs_zero", jax.grad(lambda x, y: jnp.abs(lax.complex(x, y)), (0, 1))(0.0, 0.0))
show("vmap_complex", jax.vmap(lambda x: lax.complex(x, 2.0))(jnp.arange(3.0)))
zs = jnp.array([1 + 2j, -3 + 0.5j, -0.0 - 1j])
show("angle", jnp.angle(zs))
show("angle_int", jnp.angle(jnp.array([1, -2, 0])))
show("angle_scalar", jnp.angle(-2.0))
a = jnp.array([[2.0, 1 - 1j, 0.5j], [3 + 1j, 1.0, 2.0], [0.25, -1j, 4.0]])
show("eigh_symmetrized", lax.linalg.eigh(a)[1])
show("orthogonal", jax.random.orthogonal(jax.random.key(0), 3, dtype=jnp.complex128))
"#;

fn expected() -> HashMap<String, Vec<f64>> {
    run_python(JAX, &[])
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(name, values)| {
            let values = values
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect();
            (name.to_string(), values)
        })
        .collect()
}

/// The values of `x` (complex ones as real and imaginary parts).
fn flat(x: &Array) -> Result<Vec<f64>> {
    Ok(match x.dtype() {
        DType::C128 => x
            .to_vec::<Complex<f64>>()?
            .iter()
            .flat_map(|c| [c.re, c.im])
            .collect(),
        DType::F64 => x.to_vec::<f64>()?,
        other => anyhow::bail!("unexpected dtype {other}"),
    })
}

fn check(expected: &HashMap<String, Vec<f64>>, name: &str, got: &[f64]) {
    let want = &expected[name];
    assert_eq!(
        want.len(),
        got.len(),
        "{name}: {got:?} against JAX's {want:?}"
    );
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{name}: {got:?} against JAX's {want:?}"
        );
    }
}

fn c(re: f64, im: f64) -> Array {
    lax::complex(re, im)
}

#[test]
fn complex_parts_eagerly_under_jit_and_vmap() -> Result<()> {
    rjax::config::enable_x64(true);
    let jax = expected();
    let z = c(1.5, -0.5);
    let parts = jnp::stack(&[&lax::real(&z), &lax::imag(&z), &jnp::abs(&z)], 0);
    check(&jax, "parts", &flat(&parts)?);
    assert_eq!(jnp::abs(&z).dtype(), DType::F64, "|z| is real");
    check(&jax, "conj", &flat(&lax::conj(&z))?);
    check(&jax, "conj_real", &flat(&lax::conj(Array::scalar(2.0f64)))?);
    check(&jax, "complex", &flat(&z)?);

    let jitted = jit(|z: Array| vec![lax::real(&z), lax::imag(&z), jnp::abs(&z)]);
    let parts: Vec<Array> = jitted.call(z.clone())?;
    check(
        &jax,
        "parts",
        &flat(&jnp::stack(&parts.iter().collect::<Vec<_>>(), 0))?,
    );
    let conj: Array = jit(|z: Array| lax::conj(z)).call(z.clone())?;
    check(&jax, "conj", &flat(&conj)?);

    let batched =
        vmap(|x: Array| lax::complex(x, 2.0), InAxes::leading())(Array::from([0.0f64, 1.0, 2.0]))?;
    check(&jax, "vmap_complex", &flat(&batched)?);
    let unbatched = vmap(|z: Array| lax::real(z), InAxes::leading())(batched.clone())?;
    assert_eq!(unbatched.to_vec::<f64>()?, [0.0, 1.0, 2.0]);
    let imag = vmap(|z: Array| lax::imag(lax::conj(z)), InAxes::leading())(batched)?;
    assert_eq!(imag.to_vec::<f64>()?, [-2.0, -2.0, -2.0]);
    Ok(())
}

#[test]
fn complex_parts_differentiate_as_jax() -> Result<()> {
    rjax::config::enable_x64(true);
    let jax = expected();
    let (z, t) = (c(1.5, -0.5), c(0.25, 2.0));
    let (_, tangent) = jvp(|z: Array| jnp::abs(z), z.clone(), t.clone())?;
    check(&jax, "jvp_abs", &flat(&tangent)?);
    let (_, tangent) = jvp(|z: Array| jnp::real(&z * &z), z.clone(), t)?;
    check(&jax, "jvp_square_real", &flat(&tangent)?);

    let one = Array::scalar(1.0f64);
    let (_, pullback) = vjp(|z: Array| jnp::real(&z * &z), z.clone())?;
    check(&jax, "vjp_real_square", &flat(&pullback(one.clone())?)?);
    let (_, pullback) = vjp(|z: Array| jnp::abs(z), z.clone())?;
    check(&jax, "vjp_abs", &flat(&pullback(one.clone())?)?);
    let (_, pullback) = vjp(|z: Array| jnp::imag(jnp::conj(&z) * &z * &z), z)?;
    check(&jax, "vjp_imag_conj", &flat(&pullback(one)?)?);
    let (_, pullback) = vjp(|x: Array| lax::conj(x), Array::scalar(2.0f64))?;
    check(&jax, "vjp_conj_of_real", &flat(&pullback(c(3.0, 4.0))?)?);
    let (_, pullback) = vjp(
        |(x, y): (Array, Array)| lax::complex(x, y),
        (Array::scalar(0.7f64), Array::scalar(-1.3f64)),
    )?;
    let (dx, dy) = pullback(c(0.5, -2.0))?;
    check(&jax, "vjp_complex", &[flat(&dx)?, flat(&dy)?].concat());

    let pair = |x: f64, y: f64| (Array::scalar(x), Array::scalar(y));
    let square_imag = |(x, y): (Array, Array)| {
        let w = lax::complex(x, y);
        jnp::imag(&w * &w)
    };
    let (dx, dy) = grad(square_imag)(pair(0.7, -1.3))?;
    check(&jax, "grad_square_imag", &[flat(&dx)?, flat(&dy)?].concat());
    let modulus = |(x, y): (Array, Array)| jnp::abs(lax::complex(x, y));
    let (dx, dy) = grad(modulus)(pair(0.6, -0.8))?;
    check(&jax, "grad_abs", &[flat(&dx)?, flat(&dy)?].concat());
    let (dx, dy) = grad(modulus)(pair(0.0, 0.0))?;
    check(&jax, "grad_abs_zero", &[flat(&dx)?, flat(&dy)?].concat());
    Ok(())
}

#[test]
fn numpy_complex_functions_as_jax() -> Result<()> {
    rjax::config::enable_x64(true);
    let jax = expected();
    let zs = Array::from_slice(
        &[
            Complex::new(1.0, 2.0),
            Complex::new(-3.0, 0.5),
            Complex::new(-0.0, -1.0),
        ],
        &[3],
    )?;
    check(&jax, "angle", &flat(&jnp::angle(&zs))?);
    check(
        &jax,
        "angle_int",
        &flat(&jnp::angle(Array::from_slice(&[1i64, -2, 0], &[3])?))?,
    );
    check(&jax, "angle_scalar", &flat(&jnp::angle(-2.0))?);

    // Real arrays are their own real part and conjugate, with zero imaginary parts.
    let x = Array::from_slice(&[1i32, -2, 3], &[3])?;
    assert_eq!(jnp::real(&x).to_vec::<i32>()?, [1, -2, 3]);
    assert_eq!(jnp::conj(&x).to_vec::<i32>()?, [1, -2, 3]);
    assert_eq!(jnp::imag(&x).to_vec::<i32>()?, [0, 0, 0]);
    assert_eq!(x.imag().dtype(), DType::I32);
    assert_eq!(flat(&zs.conj().imag())?, [-2.0, -0.5, 1.0]);
    assert_eq!(
        jnp::iscomplex(&zs).to_vec::<bool>()?,
        [true, true, true],
        "every element has an imaginary part"
    );
    assert!(jnp::iscomplexobj(&zs) && !jnp::iscomplexobj(&x));
    assert_eq!(jnp::isreal(&x).to_vec::<bool>()?, [true, true, true]);
    Ok(())
}

#[test]
fn eigh_symmetrizes_complex_input_and_orthogonal_draws_unitary_matrices() -> Result<()> {
    rjax::config::enable_x64(true);
    let jax = expected();
    let entries = [
        (2.0, 0.0),
        (1.0, -1.0),
        (0.0, 0.5),
        (3.0, 1.0),
        (1.0, 0.0),
        (2.0, 0.0),
        (0.25, 0.0),
        (0.0, -1.0),
        (4.0, 0.0),
    ];
    let host: Vec<Complex<f64>> = entries.iter().map(|&(r, i)| Complex::new(r, i)).collect();
    let a = Array::from_slice(&host, &[3, 3])?;
    // lax.linalg.eigh symmetrizes by default: the eigenvalues of (A + Aᴴ)/2.
    let (_, w) = lax::eigh(&a); // JAX's order: (v, w)
    check(&jax, "eigh_symmetrized", &flat(&w)?);

    let q = random::orthogonal(random::key(0), 3, &[], DType::C128, None);
    assert_eq!(q.dtype(), DType::C128);
    let gram = jnp::matmul(jnp::conj(q.t()), &q);
    let identity = jnp::eye(3, None, 0, DType::C128);
    let error = jnp::max(jnp::abs(gram - identity), ..).to_vec::<f64>()?[0];
    assert!(error < 1e-13, "QᴴQ = I to {error}");
    // rjax's QR is not LAPACK's: the same matrix to rounding.
    let (got, want) = (flat(&q)?, &jax["orthogonal"]);
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{got:?} against JAX's {want:?}");
    }
    Ok(())
}

#[test]
#[should_panic(expected = "real: requires a complex operand, got f32[2]")]
fn real_of_a_real_array_names_the_op() {
    lax::real(Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap());
}
