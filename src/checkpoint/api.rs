//! The public entry points: [`checkpoint`] (alias [`remat`]), [`checkpoint_with`] and its
//! [`CheckpointOptions`], and [`checkpoint_static`] for JAX's `static_argnums`.

use super::params::CheckpointParams;
use super::policies::Policy;
use crate::argnums::Argnums;
use crate::control_flow::trace_closed;
use crate::core::{Primitive, bind};
use crate::jaxpr::JaxprRef;
use crate::tree::{FnOutput, Pytree};
use crate::{Array, Result};

/// How a checkpointed function is differentiated (JAX's keyword arguments of
/// `jax.checkpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckpointOptions {
    prevent_cse: bool,
    policy: Policy,
}

impl Default for CheckpointOptions {
    /// JAX's defaults: `prevent_cse=True`, `policy=None` (save nothing).
    fn default() -> Self {
        CheckpointOptions {
            prevent_cse: true,
            policy: Policy::NothingSaveable,
        }
    }
}

impl CheckpointOptions {
    /// The defaults: `prevent_cse` on, nothing saveable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to stop XLA from merging the recomputation in the backward pass with the
    /// forward computation (JAX's `prevent_cse`, default true): the differentiated
    /// computation's operands pass through an optimization barrier. Inside a `scan` body the
    /// loop already keeps them apart, and `false` saves the barrier.
    pub fn prevent_cse(mut self, prevent_cse: bool) -> Self {
        self.prevent_cse = prevent_cse;
        self
    }

    /// Which intermediate values the forward pass may save (JAX's `policy`); see
    /// [`checkpoint_policies`](crate::checkpoint_policies).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
}

/// `f`, rematerialized when differentiated (JAX's `jax.checkpoint`): under `grad`, `vjp` or
/// `linearize`, the forward pass saves only `f`'s inputs, and the backward pass recomputes
/// from them every intermediate value it needs, trading computation for memory. Values and
/// derivatives are those of `f`. It composes with `jit`, `jvp`, `vmap`, `scan` bodies and
/// itself.
///
/// `f` is traced once per call (as JAX traces it), so it sees tracers: read values only of
/// what it closes over, or use [`checkpoint_static`] (JAX's `static_argnums`), or put a
/// [`Static`](crate::Static) in its input.
///
/// ```
/// use rjax::{Array, checkpoint, grad};
/// let f = checkpoint(|x: Array| x.sin().sin());
/// let g = grad(|x: Array| f(x))(Array::from(2.0f32))?;
/// let want = 2.0f32.sin().cos() * 2.0f32.cos();
/// assert!((g.item::<f32>()? - want).abs() < 1e-6);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn checkpoint<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    checkpoint_with(f, CheckpointOptions::default())
}

/// JAX's alias of [`checkpoint`].
pub fn remat<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    checkpoint(f)
}

/// [`checkpoint`] with options: a policy saying which values may be saved, and
/// `prevent_cse`.
///
/// ```
/// use rjax::checkpoint_policies::dots_saveable;
/// use rjax::{Array, CheckpointOptions, checkpoint_with, grad};
/// let layer = checkpoint_with(
///     |(w, x): (Array, Array)| w.matmul(&x).tanh(),
///     CheckpointOptions::new().policy(dots_saveable()),
/// );
/// let w = Array::from([[0.5f32, -0.25], [0.125, 1.0]]);
/// let g = grad(|x: Array| layer((w.clone(), x)).map(|y| y.sum()))(Array::from([1.0f32, 2.0]))?;
/// assert_eq!(g.shape(), [2]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn checkpoint_with<F, In, Out, R>(
    f: F,
    options: CheckpointOptions,
) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    move |input: In| checkpoint_call(&f, &options, input)
}

/// [`checkpoint_with`] whose arguments at `static_argnums` are static (JAX's
/// `static_argnums`): `f` receives them as they were passed, not traced, so it can read their
/// values (for Rust control flow, say), and they are not inputs of the checkpointed
/// computation. Static arguments that are arrays of an enclosing transformation still carry
/// its derivatives, as values `f` closes over do.
///
/// Rust closures give the same by capture: `checkpoint(|x| g(x, n))` with `n` in scope; and a
/// [`Static`](crate::Static) argument is part of the input's structure.
///
/// ```
/// use rjax::{Argnum, Array, CheckpointOptions, checkpoint_static, grad};
/// // `n` is read on the host: it must be static.
/// let f = checkpoint_static(
///     |(x, n): (Array, Array)| {
///         let n = n.item::<i32>().expect("a concrete count");
///         (0..n).fold(x, |y, _| y.sin())
///     },
///     Argnum::<1>,
///     CheckpointOptions::new(),
/// );
/// let g = grad(|x: Array| f((x, Array::from(2i32))))(Array::from(0.5f32))?;
/// let want = 0.5f32.sin().cos() * 0.5f32.cos();
/// assert!((g.item::<f32>()? - want).abs() < 1e-6);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn checkpoint_static<F, In, Out, R, S>(
    f: F,
    _static_argnums: S,
    options: CheckpointOptions,
) -> impl Fn(In) -> Result<Out>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
    S: Argnums<In>,
{
    move |input: In| {
        let statics = S::select(&input);
        checkpoint_call(
            |traced: In| f(S::replace(&traced, statics)),
            &options,
            input,
        )
    }
}

/// Traces `f` at `input` and binds the checkpoint primitive on the result (JAX's
/// `fun_remat`): the values `f` closes over become the leading operands.
fn checkpoint_call<In, Out, R>(
    f: impl FnOnce(In) -> R,
    options: &CheckpointOptions,
    input: In,
) -> Result<Out>
where
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let (leaves, in_tree) = input.tree_flatten();
    let avals: Vec<_> = leaves.iter().map(|leaf| leaf.aval().clone()).collect();
    let mut out_tree = None;
    let (jaxpr, consts) = trace_closed(&avals, |tracers| {
        let input = In::tree_unflatten(&in_tree, tracers)?;
        let (outputs, tree) = f(input).into_result()?.tree_flatten();
        out_tree = Some(tree);
        Ok(outputs)
    })?;
    let mut args: Vec<Array> = consts;
    args.extend(leaves);
    let params = CheckpointParams {
        jaxpr: JaxprRef(jaxpr),
        prevent_cse: options.prevent_cse,
        differentiated: false,
        policy: options.policy.clone(),
    };
    let outputs = bind(Primitive::Checkpoint(params), &args)?;
    Out::tree_unflatten(&out_tree.expect("the function ran"), outputs)
}
