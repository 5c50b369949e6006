//! `argnums`: differentiating with respect to chosen positions of a tuple input, as JAX's
//! `argnums=1` or `argnums=(0, 2)`, chosen at compile time so the result has the chosen
//! arguments' types.
//!
//! ```
//! use rjax::{Argnum, Array, grad_argnums};
//! let f = |(x, a): (Array, Array)| (&x * &a).sum();
//! let da = grad_argnums(f, Argnum::<1>)((Array::from([2.0f32, 3.0]), Array::from([1.0f32, 1.0])))?;
//! assert_eq!(da.to_vec::<f32>()?, [2.0, 3.0]);
//! # Ok::<(), rjax::Error>(())
//! ```

use crate::jacobian::{HessianOf, JacobianOf};
use crate::tree::{FnOutput, Pytree};
use crate::{Array, Result, grad, hessian, jacfwd, jacrev, value_and_grad};

/// The position `I` of a tuple input (JAX's `argnums=I`); a pair `(Argnum<I>, Argnum<J>)`
/// selects two positions (`argnums=(I, J)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Argnum<const I: usize>;

/// A selection of positions of the input `In`: which part is differentiated, and how to put
/// it back into the whole input.
pub trait Argnums<In> {
    /// The selected arguments (one, or a tuple of two).
    type Selected: Pytree;

    /// The selected arguments of `input`.
    fn select(input: &In) -> Self::Selected;

    /// `input` with the selected arguments replaced by `selected`.
    fn replace(input: &In, selected: Self::Selected) -> In;
}

/// The gradient with respect to the arguments `argnums` selects (JAX's `grad(f, argnums=...)`).
pub fn grad_argnums<F, In, R, S>(f: F, _argnums: S) -> impl Fn(In) -> Result<S::Selected>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
    In: Pytree,
    S: Argnums<In>,
{
    move |input: In| grad(|selected| f(S::replace(&input, selected)))(S::select(&input))
}

/// The value and the gradient with respect to the arguments `argnums` selects.
pub fn value_and_grad_argnums<F, In, R, S>(
    f: F,
    _argnums: S,
) -> impl Fn(In) -> Result<(Array, S::Selected)>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Array>,
    In: Pytree,
    S: Argnums<In>,
{
    move |input: In| value_and_grad(|selected| f(S::replace(&input, selected)))(S::select(&input))
}

/// The forward-mode Jacobian with respect to the arguments `argnums` selects.
pub fn jacfwd_argnums<F, In, Out, R, S>(
    f: F,
    _argnums: S,
) -> impl Fn(In) -> Result<<Out as JacobianOf<S::Selected>>::Jacobian>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<S::Selected>,
    S: Argnums<In>,
{
    move |input: In| jacfwd(|selected| f(S::replace(&input, selected)))(S::select(&input))
}

/// The reverse-mode Jacobian with respect to the arguments `argnums` selects.
pub fn jacrev_argnums<F, In, Out, R, S>(
    f: F,
    _argnums: S,
) -> impl Fn(In) -> Result<<Out as JacobianOf<S::Selected>>::Jacobian>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<S::Selected>,
    S: Argnums<In>,
{
    move |input: In| jacrev(|selected| f(S::replace(&input, selected)))(S::select(&input))
}

/// The Hessian with respect to the arguments `argnums` selects.
pub fn hessian_argnums<F, In, Out, R, S>(
    f: F,
    _argnums: S,
) -> impl Fn(In) -> Result<HessianOf<Out, S::Selected>>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<S::Selected>,
    Out::Jacobian: JacobianOf<S::Selected>,
    S: Argnums<In>,
{
    move |input: In| hessian(|selected| f(S::replace(&input, selected)))(S::select(&input))
}

impl<A: Pytree + Clone, B: Pytree + Clone> Argnums<(A, B)> for Argnum<0> {
    type Selected = A;

    fn select(input: &(A, B)) -> A {
        input.0.clone()
    }

    fn replace(input: &(A, B), selected: A) -> (A, B) {
        (selected, input.1.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone> Argnums<(A, B)> for Argnum<1> {
    type Selected = B;

    fn select(input: &(A, B)) -> B {
        input.1.clone()
    }

    fn replace(input: &(A, B), selected: B) -> (A, B) {
        (input.0.clone(), selected)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)> for Argnum<0> {
    type Selected = A;

    fn select(input: &(A, B, C)) -> A {
        input.0.clone()
    }

    fn replace(input: &(A, B, C), selected: A) -> (A, B, C) {
        (selected, input.1.clone(), input.2.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)> for Argnum<1> {
    type Selected = B;

    fn select(input: &(A, B, C)) -> B {
        input.1.clone()
    }

    fn replace(input: &(A, B, C), selected: B) -> (A, B, C) {
        (input.0.clone(), selected, input.2.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)> for Argnum<2> {
    type Selected = C;

    fn select(input: &(A, B, C)) -> C {
        input.2.clone()
    }

    fn replace(input: &(A, B, C), selected: C) -> (A, B, C) {
        (input.0.clone(), input.1.clone(), selected)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)>
    for (Argnum<0>, Argnum<1>)
{
    type Selected = (A, B);

    fn select(input: &(A, B, C)) -> (A, B) {
        (input.0.clone(), input.1.clone())
    }

    fn replace(input: &(A, B, C), selected: (A, B)) -> (A, B, C) {
        (selected.0, selected.1, input.2.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)>
    for (Argnum<0>, Argnum<2>)
{
    type Selected = (A, C);

    fn select(input: &(A, B, C)) -> (A, C) {
        (input.0.clone(), input.2.clone())
    }

    fn replace(input: &(A, B, C), selected: (A, C)) -> (A, B, C) {
        (selected.0, input.1.clone(), selected.1)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone> Argnums<(A, B, C)>
    for (Argnum<1>, Argnum<2>)
{
    type Selected = (B, C);

    fn select(input: &(A, B, C)) -> (B, C) {
        (input.1.clone(), input.2.clone())
    }

    fn replace(input: &(A, B, C), selected: (B, C)) -> (A, B, C) {
        (input.0.clone(), selected.0, selected.1)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for Argnum<0>
{
    type Selected = A;

    fn select(input: &(A, B, C, D)) -> A {
        input.0.clone()
    }

    fn replace(input: &(A, B, C, D), selected: A) -> (A, B, C, D) {
        (selected, input.1.clone(), input.2.clone(), input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for Argnum<1>
{
    type Selected = B;

    fn select(input: &(A, B, C, D)) -> B {
        input.1.clone()
    }

    fn replace(input: &(A, B, C, D), selected: B) -> (A, B, C, D) {
        (input.0.clone(), selected, input.2.clone(), input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for Argnum<2>
{
    type Selected = C;

    fn select(input: &(A, B, C, D)) -> C {
        input.2.clone()
    }

    fn replace(input: &(A, B, C, D), selected: C) -> (A, B, C, D) {
        (input.0.clone(), input.1.clone(), selected, input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for Argnum<3>
{
    type Selected = D;

    fn select(input: &(A, B, C, D)) -> D {
        input.3.clone()
    }

    fn replace(input: &(A, B, C, D), selected: D) -> (A, B, C, D) {
        (input.0.clone(), input.1.clone(), input.2.clone(), selected)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<0>, Argnum<1>)
{
    type Selected = (A, B);

    fn select(input: &(A, B, C, D)) -> (A, B) {
        (input.0.clone(), input.1.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (A, B)) -> (A, B, C, D) {
        (selected.0, selected.1, input.2.clone(), input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<0>, Argnum<2>)
{
    type Selected = (A, C);

    fn select(input: &(A, B, C, D)) -> (A, C) {
        (input.0.clone(), input.2.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (A, C)) -> (A, B, C, D) {
        (selected.0, input.1.clone(), selected.1, input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<0>, Argnum<3>)
{
    type Selected = (A, D);

    fn select(input: &(A, B, C, D)) -> (A, D) {
        (input.0.clone(), input.3.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (A, D)) -> (A, B, C, D) {
        (selected.0, input.1.clone(), input.2.clone(), selected.1)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<1>, Argnum<2>)
{
    type Selected = (B, C);

    fn select(input: &(A, B, C, D)) -> (B, C) {
        (input.1.clone(), input.2.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (B, C)) -> (A, B, C, D) {
        (input.0.clone(), selected.0, selected.1, input.3.clone())
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<1>, Argnum<3>)
{
    type Selected = (B, D);

    fn select(input: &(A, B, C, D)) -> (B, D) {
        (input.1.clone(), input.3.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (B, D)) -> (A, B, C, D) {
        (input.0.clone(), selected.0, input.2.clone(), selected.1)
    }
}

impl<A: Pytree + Clone, B: Pytree + Clone, C: Pytree + Clone, D: Pytree + Clone>
    Argnums<(A, B, C, D)> for (Argnum<2>, Argnum<3>)
{
    type Selected = (C, D);

    fn select(input: &(A, B, C, D)) -> (C, D) {
        (input.2.clone(), input.3.clone())
    }

    fn replace(input: &(A, B, C, D), selected: (C, D)) -> (A, B, C, D) {
        (input.0.clone(), input.1.clone(), selected.0, selected.1)
    }
}
