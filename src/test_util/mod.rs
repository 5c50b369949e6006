//! Numerical checks of derivatives (JAX's `jax.test_util.check_grads`), for rjax's own tests
//! and for users who write differentiable functions or new rules.
//!
//! [`check_grads`] (or the [`CheckGrads`] builder) checks a function's automatic derivatives
//! against independent values at a point:
//!
//! - **forward mode** ([`Mode::Fwd`]): [`jvp`] along a random direction `v` against the central
//!   finite difference `(f(x + εv) - f(x - εv)) / 2ε`, evaluated in the input's own precision
//!   (f64 inputs in x64 mode give f64 differences);
//! - **reverse mode** ([`Mode::Rev`]): [`vjp`] through the inner-product identity
//!   `<v, vjp(u)> = <u, jvp(v)>` for random `v` and `u`, once with the finite-difference JVP
//!   (as JAX does, which makes the check independent of the JVP rules) and, when forward mode
//!   is checked too, once with the JVP of [`jvp`] (which pins the transpose rules to the JVP
//!   rules). Reverse mode alone works for functions without a JVP, such as those of
//!   [`custom_vjp`](crate::custom_vjp);
//! - **higher orders**: at `order` `n > 1`, the same checks run on the JVP function
//!   `(x, v) ↦ (f(x), jvp(v))` and on the VJP function `x ↦ vjp(f(x))`, recursively, so order 2
//!   checks the derivatives of the derivative rules themselves.
//!
//! Random directions come from [`Rng`], a small deterministic generator, so a failing check
//! fails the same way every time. Every mismatch is returned as an [`Error::InvalidArgument`](crate::Error::InvalidArgument)
//! whose message names the check (`JVP of VJP tangent`, say), the output or input leaf, the
//! worst element and the tolerance.
//!
//! ```
//! use rjax::Array;
//! use rjax::test_util::{CheckGrads, Mode, check_grads};
//!
//! let f = |x: Array| (x.sin() * &x).sum();
//! let x = Array::from([0.5f32, -1.25, 2.0]);
//! check_grads(f, x.clone(), 2, &[Mode::Fwd, Mode::Rev], None, None, None)?;
//!
//! // The builder: only reverse mode, explicit tolerances.
//! CheckGrads::new(1).modes(&[Mode::Rev]).atol(1e-2).rtol(1e-2).check(f, x)?;
//!
//! // A wrong derivative is reported, not panicked on: floor has derivative zero, so its
//! // finite differences across a jump disagree with its JVP.
//! let floor = |x: Array| x.floor();
//! let err = check_grads(floor, Array::from([1.0f32]), 1, &[Mode::Fwd], None, None, None)
//!     .unwrap_err();
//! assert!(err.to_string().contains("JVP tangent"), "{err}");
//! # Ok::<(), rjax::Error>(())
//! ```

mod host;
mod rng;

use std::fmt;

use host::{
    HostLeaf, check_types, from_host, host_all, inner_product, mismatch, random_like, show, types,
    unravel,
};
pub use rng::Rng;

use crate::tree::{FnOutput, Pytree};
use crate::{Array, DType, Result, jvp, vjp};

/// JAX's default finite-difference step (`jax.test_util.EPS`).
pub const EPS: f64 = 1e-4;

/// A differentiation mode that [`check_grads`] exercises (JAX's `modes=("fwd", "rev")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Forward mode: [`jvp`] against finite differences.
    Fwd,
    /// Reverse mode: [`vjp`] against the JVP through the inner-product identity.
    Rev,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Fwd => "fwd",
            Mode::Rev => "rev",
        })
    }
}

/// JAX's default tolerance of gradient checks for `dtype`, used for both `atol` and `rtol`
/// when none is given: 1e-1 for bfloat16, 1e-2 for float16, 2e-3 for float32, 1e-3 for
/// complex64, 1e-5 for float64 and complex128, and 0 (exact) for integers and booleans.
pub fn default_gradient_tolerance(dtype: DType) -> f64 {
    match dtype {
        DType::BF16 => 1e-1,
        DType::F16 => 1e-2,
        DType::F32 => 2e-3,
        DType::C64 => 1e-3,
        DType::F64 | DType::C128 => 1e-5,
        _ => 0.0,
    }
}

/// The options of a gradient check (JAX's `check_grads` keyword arguments), as a builder;
/// [`CheckGrads::check`] runs it.
///
/// ```
/// use rjax::Array;
/// use rjax::test_util::{CheckGrads, Mode};
/// CheckGrads::new(2)
///     .modes(&[Mode::Fwd])
///     .eps(1e-3)
///     .check(|x: Array| x.exp(), Array::from([0.25f32, 1.0]))?;
/// # Ok::<(), rjax::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CheckGrads {
    order: usize,
    modes: Vec<Mode>,
    atol: Option<f64>,
    rtol: Option<f64>,
    eps: f64,
    seed: u64,
}

impl CheckGrads {
    /// A check up to derivatives of `order` (at least 1), in both modes, with the default
    /// tolerances of the dtypes involved ([`default_gradient_tolerance`]), step [`EPS`] and
    /// seed 0.
    pub fn new(order: usize) -> Self {
        CheckGrads {
            order,
            modes: vec![Mode::Fwd, Mode::Rev],
            atol: None,
            rtol: None,
            eps: EPS,
            seed: 0,
        }
    }

    /// The modes to check (JAX's `modes`).
    pub fn modes(mut self, modes: &[Mode]) -> Self {
        self.modes = modes.to_vec();
        self
    }

    /// The absolute tolerance, instead of the dtypes' defaults.
    pub fn atol(mut self, atol: f64) -> Self {
        self.atol = Some(atol);
        self
    }

    /// The relative tolerance, instead of the dtypes' defaults.
    pub fn rtol(mut self, rtol: f64) -> Self {
        self.rtol = Some(rtol);
        self
    }

    /// The finite-difference step (default [`EPS`]).
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The seed of the random directions (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the derivatives of `f` at `args` (any [`Pytree`] of arrays). Inputs and
    /// outputs that are not floating point or complex are not perturbed and have no tangents
    /// checked (their primal values still are, exactly).
    ///
    /// Values agree when `|got - expected| <= atol + rtol·|expected|` elementwise (NumPy's
    /// `allclose`; NaNs agree with NaNs). Without explicit tolerances, each comparison uses the
    /// loosest [`default_gradient_tolerance`] of the dtypes involved: the two outputs compared,
    /// and for finite-difference tangents also the inputs, whose precision the perturbed
    /// points have. The inner products of reverse mode get the tolerance these elementwise
    /// ones imply, `atol·Σ|u| + rtol·Σ|jvp(v)·u|`.
    ///
    /// Returns `Ok(())` when every check passes; [`Error::InvalidArgument`](crate::Error::InvalidArgument) (operation
    /// `check_grads`) describing the first mismatch, or for an order of 0, no modes or a step
    /// that is not positive and finite; and the error of `f` or of a transformation (a
    /// primitive without a differentiation rule under `jit`, say) as it is.
    ///
    /// # Panics
    /// Only where `f` panics: `rjax::lax` functions panic on misuse, and, evaluated eagerly
    /// under a transformation, when a primitive has no differentiation rule.
    pub fn check<F, In, Out, R>(&self, f: F, args: In) -> Result<()>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        if self.order == 0 {
            return Err(mismatch("the order must be at least 1".to_string()));
        }
        if self.modes.is_empty() {
            return Err(mismatch("no modes to check".to_string()));
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(mismatch(format!(
                "the step eps must be positive and finite, got {}",
                self.eps
            )));
        }
        let (leaves, in_tree) = args.tree_flatten();
        let flat = |leaves: Vec<Array>| -> Result<Vec<Array>> {
            let input = In::tree_unflatten(&in_tree, leaves)?;
            Ok(f(input).into_result()?.tree_flatten().0)
        };
        self.check_flat(&flat, &leaves, self.order, "")
    }

    /// JAX's `_check_grads`: this order's checks, then the next order's on the derivatives.
    fn check_flat(&self, f: &FlatFn<'_>, args: &[Array], order: usize, of: &str) -> Result<()> {
        let name = |what: &str| {
            if of.is_empty() {
                what.to_string()
            } else {
                format!("{what} of {of}")
            }
        };
        if self.modes.contains(&Mode::Fwd) {
            let name = name("JVP");
            self.check_jvp(f, args, &name)?;
            if order > 1 {
                let n = args.len();
                let f_jvp = |mut leaves: Vec<Array>| -> Result<Vec<Array>> {
                    let tangents = leaves.split_off(n);
                    let (mut out, out_tangents): (Vec<Array>, Vec<Array>) =
                        jvp(|xs: Vec<Array>| f(xs), leaves, tangents)?;
                    out.extend(out_tangents);
                    Ok(out)
                };
                let doubled: Vec<Array> = args.iter().chain(args).cloned().collect();
                self.check_flat(&f_jvp, &doubled, order - 1, &name)?;
            }
        }
        if self.modes.contains(&Mode::Rev) {
            let name = name("VJP");
            self.check_vjp(f, args, &name)?;
            if order > 1 {
                let f_vjp = |leaves: Vec<Array>| -> Result<Vec<Array>> {
                    let (out, pullback) = vjp(|xs: Vec<Array>| f(xs), leaves)?;
                    pullback(out)
                };
                self.check_flat(&f_vjp, args, order - 1, &name)?;
            }
        }
        Ok(())
    }

    /// JAX's `check_jvp`: the primal against `f`, the tangent against finite differences.
    fn check_jvp(&self, f: &FlatFn<'_>, args: &[Array], name: &str) -> Result<()> {
        let mut rng = Rng::new(self.seed);
        let tangents = random_like(&mut rng, args)?;
        let (out, out_tangents): (Vec<Array>, Vec<Array>) =
            jvp(|xs: Vec<Array>| f(xs), args.to_vec(), tangents.clone())?;
        let expected = f(args.to_vec())?;
        let out = host_all(&out)?;
        let expected = host_all(&expected)?;
        self.compare(&format!("{name} primal"), &out, &expected)?;
        let out_tangents = host_all(&out_tangents)?;
        check_types(&format!("{name} tangent"), &out_tangents, &out, "output")?;
        let numerical = self.numerical_jvp(f, args, &tangents, name)?;
        // The finite differences are only as precise as the least precise input.
        let input_dtypes: Vec<DType> = args.iter().map(Array::dtype).collect();
        self.compare_with(
            &format!("{name} tangent"),
            &out_tangents,
            &numerical,
            &input_dtypes,
        )
    }

    /// JAX's `check_vjp`: the primal against `f`, and `<v, vjp(u)>` against `<jvp(v), u>`,
    /// with the finite-difference JVP and, if forward mode is checked too, the JVP of [`jvp`].
    fn check_vjp(&self, f: &FlatFn<'_>, args: &[Array], name: &str) -> Result<()> {
        let mut rng = Rng::new(self.seed);
        let (out, pullback) = vjp(|xs: Vec<Array>| f(xs), args.to_vec())?;
        let expected = host_all(&f(args.to_vec())?)?;
        let out_host = host_all(&out)?;
        self.compare(&format!("{name} primal"), &out_host, &expected)?;
        let tangents = random_like(&mut rng, args)?;
        let numerical = self.numerical_jvp(f, args, &tangents, name)?;
        let cotangents = random_like(&mut rng, &out)?;
        let cotangents_host = host_all(&cotangents)?;
        // JAX's convention for complex values: conj(vjp(conj(u))).
        let conjugated = cotangents_host
            .iter()
            .map(|leaf| leaf.conj().to_array())
            .collect::<Result<Vec<_>>>()?;
        let pulled: Vec<HostLeaf> = host_all(&pullback(conjugated)?)?
            .iter()
            .map(HostLeaf::conj)
            .collect();
        let args_host = host_all(args)?;
        check_types(&format!("{name} cotangent"), &pulled, &args_host, "input")?;
        let tangents_host = host_all(&tangents)?;
        let projected = inner_product(&tangents_host, &pulled);
        let dtypes = args_host.iter().chain(&out_host).map(|leaf| leaf.dtype);
        self.compare_inner_products(
            &format!("{name} cotangent projection"),
            projected,
            inner_product(&numerical, &cotangents_host),
            &cotangents_host,
            dtypes.clone(),
            "the finite-difference JVP",
        )?;
        if !self.modes.contains(&Mode::Fwd) {
            return Ok(());
        }
        let (_, ad_tangents): (Vec<Array>, Vec<Array>) =
            jvp(|xs: Vec<Array>| f(xs), args.to_vec(), tangents)?;
        self.compare_inner_products(
            &format!("{name} transpose"),
            projected,
            inner_product(&host_all(&ad_tangents)?, &cotangents_host),
            &cotangents_host,
            dtypes,
            "jvp",
        )
    }

    /// `(f(x + εv) - f(x - εv)) / 2ε`, the perturbed inputs in their own dtype, the
    /// difference in f64 (zero for outputs that are not inexact).
    fn numerical_jvp(
        &self,
        f: &FlatFn<'_>,
        args: &[Array],
        tangents: &[Array],
        name: &str,
    ) -> Result<Vec<HostLeaf>> {
        let args_host = host_all(args)?;
        let tangents_host = host_all(tangents)?;
        let shifted = |sign: f64| -> Result<Vec<HostLeaf>> {
            let inputs = args_host
                .iter()
                .zip(&tangents_host)
                .zip(args)
                .map(|((x, t), arg)| {
                    if !x.dtype.is_inexact() {
                        return Ok(arg.clone());
                    }
                    let values: Vec<[f64; 2]> = x
                        .values
                        .iter()
                        .zip(&t.values)
                        .map(|(x, t)| {
                            [x[0] + sign * self.eps * t[0], x[1] + sign * self.eps * t[1]]
                        })
                        .collect();
                    from_host(&values, x.dtype, &x.shape, arg.weak_type())
                })
                .collect::<Result<Vec<_>>>()?;
            host_all(&f(inputs)?)
        };
        let (plus, minus) = (shifted(1.0)?, shifted(-1.0)?);
        if plus.len() != minus.len()
            || plus
                .iter()
                .zip(&minus)
                .any(|(p, m)| p.shape != m.shape || p.dtype != m.dtype)
        {
            return Err(mismatch(format!(
                "{name}: the function returned outputs of different types at the two \
                 perturbed points: ({}) and ({})",
                types(&plus),
                types(&minus)
            )));
        }
        Ok(plus
            .iter()
            .zip(&minus)
            .map(|(p, m)| {
                let values = if p.dtype.is_inexact() {
                    p.values
                        .iter()
                        .zip(&m.values)
                        .map(|(p, m)| {
                            [
                                (p[0] - m[0]) / (2.0 * self.eps),
                                (p[1] - m[1]) / (2.0 * self.eps),
                            ]
                        })
                        .collect()
                } else {
                    vec![[0.0, 0.0]; p.values.len()]
                };
                HostLeaf {
                    dtype: p.dtype,
                    shape: p.shape.clone(),
                    weak_type: p.weak_type,
                    values,
                }
            })
            .collect())
    }

    /// The tolerances for comparing values computed in `dtypes`: the user's, else the
    /// loosest of the dtypes' defaults.
    fn tolerances(&self, dtypes: impl Iterator<Item = DType>) -> (f64, f64) {
        let default = dtypes.map(default_gradient_tolerance).fold(0.0, f64::max);
        (self.atol.unwrap_or(default), self.rtol.unwrap_or(default))
    }

    /// Elementwise `|got - want| <= atol + rtol·|want|` (NaNs equal to NaNs), leaf by leaf,
    /// with the tolerances of the two leaves' dtypes.
    fn compare(&self, what: &str, got: &[HostLeaf], want: &[HostLeaf]) -> Result<()> {
        self.compare_with(what, got, want, &[])
    }

    /// [`CheckGrads::compare`], with the default tolerances also those of `context` dtypes.
    fn compare_with(
        &self,
        what: &str,
        got: &[HostLeaf],
        want: &[HostLeaf],
        context: &[DType],
    ) -> Result<()> {
        if got.len() != want.len() {
            return Err(mismatch(format!(
                "{what}: {} outputs, expected {} ({} vs {})",
                got.len(),
                want.len(),
                types(got),
                types(want)
            )));
        }
        for (index, (g, w)) in got.iter().zip(want).enumerate() {
            if g.shape != w.shape {
                return Err(mismatch(format!(
                    "{what}: output {index} has type {}, expected {}",
                    g.type_name(),
                    w.type_name()
                )));
            }
            let (atol, rtol) = self.tolerances(
                [g.dtype, w.dtype]
                    .into_iter()
                    .chain(context.iter().copied()),
            );
            let mut bad = 0;
            let mut worst: Option<(usize, f64, f64)> = None;
            for (element, (a, b)) in g.values.iter().zip(&w.values).enumerate() {
                // Equal values (infinities included) and NaNs on both sides agree.
                let both_nan = (a[0].is_nan() || a[1].is_nan()) && (b[0].is_nan() || b[1].is_nan());
                if a == b || both_nan {
                    continue;
                }
                let difference = (a[0] - b[0]).hypot(a[1] - b[1]);
                let tolerance = atol + rtol * b[0].hypot(b[1]);
                // False when one side is NaN or infinite.
                let within = difference <= tolerance;
                if !within {
                    bad += 1;
                    let excess = if difference.is_nan() {
                        f64::INFINITY
                    } else {
                        difference - tolerance
                    };
                    if worst.is_none_or(|(_, e, _)| excess > e) {
                        worst = Some((element, excess, difference));
                    }
                }
            }
            if let Some((element, _, difference)) = worst {
                let a = g.values[element];
                let b = w.values[element];
                return Err(mismatch(format!(
                    "{what}: output {index} ({}) differs at {bad} of {} elements; the worst, at \
                     index {:?}, is {} where {} was expected (|difference| {difference:e} > \
                     atol {atol:e} + rtol {rtol:e}·|expected|)",
                    w.type_name(),
                    g.values.len(),
                    unravel(element, &g.shape),
                    show(a, g.dtype),
                    show(b, w.dtype),
                )));
            }
        }
        Ok(())
    }

    /// `projected = <v, vjp(u)>` against `expected = <jvp(v), u>`. The tolerance is the bound
    /// the elementwise tolerances of the JVP imply for an inner product with `u`:
    /// `atol·Σ|uᵢ| + rtol·Σ|jvp(v)ᵢ·uᵢ|` (with the larger of the two sides' sums of absolute
    /// products).
    fn compare_inner_products(
        &self,
        what: &str,
        projected: (f64, f64),
        expected: (f64, f64),
        cotangents: &[HostLeaf],
        dtypes: impl Iterator<Item = DType>,
        reference: &str,
    ) -> Result<()> {
        let (atol, rtol) = self.tolerances(dtypes);
        let u_norm: f64 = cotangents
            .iter()
            .filter(|leaf| leaf.dtype.is_inexact())
            .flat_map(|leaf| leaf.values.iter().map(|v| v[0].hypot(v[1])))
            .sum();
        let tolerance = atol * u_norm + rtol * projected.1.max(expected.1);
        let difference = (projected.0 - expected.0).abs();
        if difference <= tolerance {
            return Ok(());
        }
        Err(mismatch(format!(
            "{what}: <v, vjp(u)> = {} but <jvp(v), u> = {} with {reference} (|difference| \
             {difference:e} > tolerance {tolerance:e} = atol {atol:e}·Σ|u| + \
             rtol {rtol:e}·Σ|jvp(v)·u|)",
            projected.0, expected.0
        )))
    }
}

/// Checks the derivatives of `f` at `args` (JAX's `jax.test_util.check_grads`): JVPs against
/// central finite differences in forward mode, VJPs through `<v, vjp(u)> = <u, jvp(v)>` in
/// reverse mode, up to derivatives of `order`. `atol`, `rtol` default to the dtypes'
/// [`default_gradient_tolerance`], `eps` to [`EPS`]. See [`CheckGrads::check`] for what is
/// checked and returned, and the [module documentation](self) for an example.
pub fn check_grads<F, In, Out, R>(
    f: F,
    args: In,
    order: usize,
    modes: &[Mode],
    atol: Option<f64>,
    rtol: Option<f64>,
    eps: Option<f64>,
) -> Result<()>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let check = CheckGrads {
        order,
        modes: modes.to_vec(),
        atol,
        rtol,
        eps: eps.unwrap_or(EPS),
        seed: 0,
    };
    check.check(f, args)
}

/// A function on flat lists of leaves.
type FlatFn<'a> = dyn Fn(Vec<Array>) -> Result<Vec<Array>> + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_roughly_normal() {
        let a = Rng::new(3).normal_vec(4000);
        assert_eq!(a, Rng::new(3).normal_vec(4000));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        let var = a.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / a.len() as f64;
        assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.1, "{mean} {var}");
        let u = Rng::new(5).uniform_vec(1000, -2.0, 3.0);
        assert!(u.iter().all(|&x| (-2.0..3.0).contains(&x)));
    }

    #[test]
    fn unravel_is_row_major() {
        assert_eq!(unravel(5, &[2, 3]), [1, 2]);
        assert_eq!(unravel(0, &[]), Vec::<usize>::new());
    }
}
