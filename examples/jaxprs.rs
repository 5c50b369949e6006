//! rjax's jaxprs for the notebook's differentiated functions, at small sizes, to compare with
//! JAX's `jax.make_jaxpr` (`scripts/jax_jaxprs.py`; `scripts/compare-jaxprs.sh` runs both).
//!
//! Run it with `cargo run --example jaxprs`. Each function is printed under a header line
//! `=== name` (the same names as the JAX script), followed by the jaxpr `jit` stages for it
//! (the same as `rjax::make_jaxpr`'s). Only shapes and dtypes matter to a jaxpr, so the inputs
//! are zeros. x64 is on, as in the notebook: everything is float64.
//!
//! `--compile` also compiles each function with rjax's plugin (set
//! `XLA_FLAGS=--xla_dump_to=DIR` to see the optimised HLO); `--stablehlo DIR` writes each
//! lowered module to `DIR/<name>.mlir` (the script compiles those with JAX's XLA, to compare
//! what one compiler makes of both programs).
//!
//! - `f(x, A, b) = ||Ax - b||²` with n = m = 4: `grad` w.r.t. x and w.r.t. A, `hessian`,
//!   `jacfwd` and `jacrev` w.r.t. x, and `jacrev(jacrev(f))`;
//! - `fvec(x, A, b) = softmax(Ax + b)` with (m, n) = (4, 3): `jacfwd` and `jacrev` w.r.t. x;
//! - `hvp(x, z, A, b) = jvp(grad(f(·, A, b)), (x,), (z,))[1]` with n = m = 4.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rjax::{
    Argnum, Array, FnOutput, Pytree, grad, grad_argnums, hessian_argnums, jacfwd_argnums,
    jacrev_argnums, jit, jvp,
};

/// The notebook's objective `||Ax - b||²`.
fn f((x, a, b): (Array, Array, Array)) -> Array {
    let res = a.matmul(&x) - &b;
    res.matmul(&res)
}

/// The notebook's `fvec`: `exp(y - max(y)) / sum(exp(y - max(y)))` with `y = Ax + b`, with
/// `exp(y - max(y))` computed once (as `scripts/jax_jaxprs.py` does; the notebook's Python
/// spells it twice, and neither JAX nor rjax merges the copies).
fn fvec((x, a, b): (Array, Array, Array)) -> Array {
    let y = a.matmul(&x) + &b;
    let e = (&y - y.max()).exp();
    &e / e.sum()
}

/// The Hessian-vector product of `f` in x along `z`, forward over reverse.
fn hvp((x, z, a, b): (Array, Array, Array, Array)) -> rjax::Result<Array> {
    let g = grad(move |x: Array| f((x, a.clone(), b.clone())));
    let (_, tangent): (Array, Array) = jvp(g, x, z)?;
    Ok(tangent)
}

fn zeros(shape: &[usize]) -> Array {
    Array::from_slice(&vec![0.0f64; shape.iter().product()], shape).expect("a valid shape")
}

/// What to do beside printing each jaxpr.
#[derive(Default)]
struct Options {
    /// Compile each function with rjax's plugin (`--compile`).
    compile: bool,
    /// Write each function's StableHLO module to `DIR/<name>.mlir` (`--stablehlo DIR`).
    stablehlo: Option<PathBuf>,
}

/// Prints the jaxpr `jit(f)` stages for `args` under `=== name`. With `--compile`, also
/// lowers and compiles it with rjax's plugin (with `XLA_FLAGS=--xla_dump_to=DIR`, XLA writes
/// the optimised HLO of module `jit_<name>` there); with `--stablehlo DIR`, writes the
/// lowered module to `DIR/<name>.mlir`.
fn show<In, F, R>(name: &str, f: F, args: &In, options: &Options) -> Result<()>
where
    In: Pytree,
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
{
    let jitted = jit(f).with_name(format!("jit_{name}"));
    println!("=== {name}");
    println!("{}\n", jitted.make_jaxpr::<In, Array, R>(args)?);
    if options.compile || options.stablehlo.is_some() {
        let lowered = jitted.lower::<In, Array, R>(args)?;
        if let Some(dir) = &options.stablehlo {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("{name}.mlir")), lowered.as_text())?;
        }
        if options.compile {
            lowered.compile()?;
        }
    }
    Ok(())
}

fn main() -> Result<()> {
    let mut options = Options::default();
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--compile" => options.compile = true,
            "--stablehlo" => {
                options.stablehlo =
                    Some(arguments.next().context("--stablehlo needs a DIR")?.into())
            }
            other => bail!("unknown argument {other}; expected --compile or --stablehlo DIR"),
        }
    }
    let options = &options;
    rjax::config::enable_x64(true);
    let (n, m) = (4, 4);
    let args = (zeros(&[n]), zeros(&[m, n]), zeros(&[m]));
    show("f", f, &args, options)?;
    show("grad_f_x", grad_argnums(f, Argnum::<0>), &args, options)?;
    show("grad_f_A", grad_argnums(f, Argnum::<1>), &args, options)?;
    show(
        "hessian_f_x",
        hessian_argnums(f, Argnum::<0>),
        &args,
        options,
    )?;
    show("jacfwd_f_x", jacfwd_argnums(f, Argnum::<0>), &args, options)?;
    show("jacrev_f_x", jacrev_argnums(f, Argnum::<0>), &args, options)?;
    show(
        "jacrev_jacrev_f_x",
        jacrev_argnums(
            |args: (Array, Array, Array)| -> rjax::Result<Array> {
                jacrev_argnums(f, Argnum::<0>)(args)
            },
            Argnum::<0>,
        ),
        &args,
        options,
    )?;

    let (n, m) = (3, 4);
    let vec_args = (zeros(&[n]), zeros(&[m, n]), zeros(&[m]));
    show("fvec", fvec, &vec_args, options)?;
    show(
        "jacfwd_fvec_x",
        jacfwd_argnums(fvec, Argnum::<0>),
        &vec_args,
        options,
    )?;
    show(
        "jacrev_fvec_x",
        jacrev_argnums(fvec, Argnum::<0>),
        &vec_args,
        options,
    )?;

    let (n, m) = (4, 4);
    let hvp_args = (zeros(&[n]), zeros(&[n]), zeros(&[m, n]), zeros(&[m]));
    show("hvp", hvp, &hvp_args, options)?;
    Ok(())
}
