//! Jacobians and Hessians (JAX's `jax.jacfwd`, `jax.jacrev`, `jax.jacobian`, `jax.hessian`),
//! built as JAX builds them from `vmap` and the differentiation primitives:
//!
//! - `jacfwd` pushes the standard basis of the input tangent space forward: `vmap` of `jvp`
//!   over the basis, one column of the Jacobian per basis vector.
//! - `jacrev` pulls the standard basis of the output cotangent space back: `vmap` of the `vjp`
//!   pullback over the basis, one row per basis vector.
//!
//! The Jacobian of an output leaf of shape `out` with respect to an input leaf of shape `in`
//! has shape `out + in`. For pytrees, the result has the output's structure with each leaf
//! replaced by the input's structure (JAX's layout): for an `Array` input it is shaped like the
//! output, for an `Array` output like the input. [`JacobianOf`] spells that layout as a type,
//! so the result type is inferred.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hash;

use crate::core::{Primitive, bind1};
use crate::interpreters::batching::vmap_flat;
use crate::lax::Comparison;
use crate::lax::rules::{add, compare, convert, reshape};
use crate::tree::{FnOutput, Pytree, Static, TreeDef};
use crate::{Array, DType, Error, Result, jvp, vjp};

/// A function on flat lists of leaves.
type FlatFn<'a> = dyn Fn(Vec<Array>) -> Result<Vec<Array>> + 'a;

/// `tree` with each leaf replaced by `inner` (JAX's `tree_transpose` layout of Jacobians).
fn nest(tree: &TreeDef, inner: &TreeDef) -> TreeDef {
    match tree {
        TreeDef::Leaf => inner.clone(),
        TreeDef::Empty | TreeDef::Static(_) => tree.clone(),
        TreeDef::Tuple(children) => {
            TreeDef::Tuple(children.iter().map(|c| nest(c, inner)).collect())
        }
        TreeDef::List(children) => TreeDef::List(children.iter().map(|c| nest(c, inner)).collect()),
        TreeDef::Some(child) => TreeDef::Some(Box::new(nest(child, inner))),
        TreeDef::Node(node) => TreeDef::Node(crate::tree::NodeDef {
            fields: node
                .fields
                .iter()
                .map(|(label, child)| (*label, nest(child, inner)))
                .collect(),
            ..node.clone()
        }),
        TreeDef::Map(entries) => TreeDef::Map(
            entries
                .iter()
                .map(|(key, child)| (key.clone(), nest(child, inner)))
                .collect(),
        ),
    }
}

/// The type of the Jacobian of an output of type `Self` with respect to an input of type
/// `In`: `Self`'s structure with each array leaf replaced by `In` (the type-level form of the
/// nesting JAX's `jacfwd`/`jacrev` do). It lets [`jacfwd`], [`jacrev`], [`jacobian`] and
/// [`hessian`] infer their result: an `Array` output and an `Array` input give an `Array`,
/// a scalar loss of a `(w, b)` pair gives a `(w, b)`-shaped pair, a tuple of outputs a tuple
/// of Jacobians.
///
/// Implemented for every container rjax flattens: `Array`, `()`, tuples, `Vec`, arrays,
/// `Option`, `BTreeMap<String, _>` and [`Static`] (whose value is carried over), and by
/// `#[derive(Pytree)]` for structs and enums, by this rule: the Jacobian of a derived type is
/// the same type with each *leaf type parameter* replaced by that parameter's Jacobian, and
/// every other field must be its own Jacobian. A leaf type parameter is one that appears in
/// a dynamic field, in no `#[pytree(static)]` field, and never as the head of a path
/// (`T::Output`). Static fields are carried over. So:
///
/// - A type whose fields are arrays (or containers of them), such as
///   `struct Params { w: Array, b: Array }`, is its own Jacobian with respect to an `Array`
///   input (JAX's layout: each leaf replaced by the input's structure, an array). Its
///   Jacobian with respect to another input, say a pair, would hold pairs where the fields
///   hold arrays: a different type, which Rust can only name if the type is generic.
/// - A generic type such as `struct Mlp<T> { w: T, b: T }` has the Jacobian
///   `Mlp<<T as JacobianOf<In>>::Jacobian>` with respect to any input `In`: `Mlp<Array>`'s
///   Jacobian with respect to an `Mlp<Array>` is an `Mlp<Mlp<Array>>`, and its Hessian with
///   respect to an `Array` an `Mlp<Array>`.
///
/// ```
/// use rjax::{Array, Pytree, jacfwd};
///
/// #[derive(Pytree)]
/// struct Params {
///     w: Array,
///     b: Array,
/// }
///
/// let j: Params = jacfwd(|x: Array| Params { w: x.sin(), b: &x * &x })(Array::from(0.0f32))?;
/// assert_eq!((j.w.to_vec::<f32>()?, j.b.to_vec::<f32>()?), (vec![1.0], vec![0.0]));
/// # Ok::<(), rjax::Error>(())
/// ```
pub trait JacobianOf<In: Pytree>: Pytree {
    /// The Jacobian's type.
    type Jacobian: Pytree;
}

/// The bounds of a `#[pytree(static)]` field (those of [`Static`]), named with the Jacobian's
/// input so that the `JacobianOf` impl that `#[derive(Pytree)]` writes can require them
/// without repeating a bound its `Pytree` impl already checks. Implemented for every type
/// with those bounds; not meant to be named elsewhere.
#[doc(hidden)]
pub trait StaticFieldOf<In>: Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static {}

impl<In, T: Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static> StaticFieldOf<In> for T {}

impl<In: Pytree> JacobianOf<In> for Array {
    type Jacobian = In;
}

impl<In: Pytree> JacobianOf<In> for () {
    type Jacobian = ();
}

impl<In: Pytree, T: Clone + Eq + Hash + fmt::Debug + Send + Sync + 'static> JacobianOf<In>
    for Static<T>
{
    type Jacobian = Static<T>;
}

impl<In: Pytree, T: JacobianOf<In>> JacobianOf<In> for Vec<T> {
    type Jacobian = Vec<T::Jacobian>;
}

impl<In: Pytree, T: JacobianOf<In>, const N: usize> JacobianOf<In> for [T; N] {
    type Jacobian = [T::Jacobian; N];
}

impl<In: Pytree, T: JacobianOf<In>> JacobianOf<In> for Option<T> {
    type Jacobian = Option<T::Jacobian>;
}

impl<In: Pytree, T: JacobianOf<In>> JacobianOf<In> for BTreeMap<String, T> {
    type Jacobian = BTreeMap<String, T::Jacobian>;
}

macro_rules! tuple_jacobian {
    ($($name:ident),+) => {
        impl<In: Pytree, $($name: JacobianOf<In>),+> JacobianOf<In> for ($($name,)+) {
            type Jacobian = ($($name::Jacobian,)+);
        }
    };
}

tuple_jacobian!(A);
tuple_jacobian!(A, B);
tuple_jacobian!(A, B, C);
tuple_jacobian!(A, B, C, D);
tuple_jacobian!(A, B, C, D, E);
tuple_jacobian!(A, B, C, D, E, F);
tuple_jacobian!(A, B, C, D, E, F, G);
tuple_jacobian!(A, B, C, D, E, F, G, H);

/// The type of `f`'s Hessian: the Jacobian of the Jacobian.
pub(crate) type HessianOf<Out, In> =
    <<Out as JacobianOf<In>>::Jacobian as JacobianOf<In>>::Jacobian;

/// Checks that every leaf is real floating point, as JAX's `_check_input_dtype_jacfwd` and
/// `_check_output_dtype_jacrev` do.
fn check_real(name: &str, what: &str, leaves: &[Array]) -> Result<()> {
    match leaves.iter().find(|leaf| !leaf.dtype().is_float()) {
        None => Ok(()),
        Some(bad) => Err(Error::invalid(
            name,
            format!(
                "{name} requires real-valued {what}s ({what} dtype that is a sub-dtype of \
                 np.floating), but got {}. For differentiation of functions with integer or \
                 complex {what}s, use jax.{} directly",
                bad.dtype(),
                if name == "jacfwd" { "jvp" } else { "vjp" }
            ),
        )),
    }
}

/// The standard basis of the space of `leaves`, split like them: for `n` elements in all,
/// leaf `j` of shape `s` gets a basis array of shape `[n, *s]` of its dtype, whose row `k` is
/// one at the `k`-th element overall and zero elsewhere (JAX's `_std_basis`).
fn std_basis(leaves: &[Array]) -> Result<Vec<Array>> {
    let n: usize = leaves.iter().map(Array::size).sum();
    let mut offset = 0;
    leaves
        .iter()
        .map(|leaf| {
            // Built in the trace, as JAX's `jnp.eye` is, so that under `jit` XLA sees an
            // identity it can fuse instead of an n x n parameter: row == offset + column.
            let shape = [n, leaf.size()];
            let iota = |dimension| {
                bind1(
                    Primitive::Iota {
                        dtype: DType::I32,
                        shape: shape.to_vec(),
                        dimension,
                    },
                    &[],
                )
            };
            let column = add(&iota(1)?, &Array::scalar(offset as i32))?;
            let ones = convert(&compare(Comparison::Eq, &iota(0)?, &column)?, leaf.dtype())?;
            offset += leaf.size();
            let mut full = vec![n];
            full.extend_from_slice(leaf.shape());
            reshape(&ones, &full)
        })
        .collect()
}

/// `x[start..start + len]` along `axis`.
fn slice_axis(x: &Array, axis: usize, start: usize, len: usize) -> Result<Array> {
    if start == 0 && len == x.shape()[axis] {
        return Ok(x.clone());
    }
    let mut start_indices = vec![0; x.ndim()];
    let mut limit_indices = x.shape().to_vec();
    start_indices[axis] = start;
    limit_indices[axis] = start + len;
    bind1(
        Primitive::Slice {
            start_indices,
            limit_indices,
            strides: vec![1; x.ndim()],
        },
        std::slice::from_ref(x),
    )
}

/// `a`'s shape followed by `b`'s.
fn concat_shapes(a: &[usize], b: &[usize]) -> Vec<usize> {
    a.iter().chain(b).copied().collect()
}

/// Forward mode: the Jacobian blocks of `f` at `x`, output-major (block `(i, j)`, of shape
/// `out_i + in_j`, at `i * x.len() + j`).
fn jacfwd_flat(f: &FlatFn<'_>, x: Vec<Array>) -> Result<Vec<Array>> {
    check_real("jacfwd", "input", &x)?;
    let basis = std_basis(&x)?;
    let n = basis.first().map_or(0, |b| b.shape()[0]);
    let primals = x.clone();
    // Each output's tangents, with the basis index as the last axis.
    let pushed = vmap_flat(
        |tangents| Ok(jvp(|xs: Vec<Array>| f(xs), primals, tangents)?.1),
        basis,
        &vec![Some(0); x.len()],
        n,
        |ranks| Ok(ranks.iter().map(|&r| Some(r)).collect()),
    )?;
    let mut blocks = Vec::with_capacity(pushed.len() * x.len());
    for out in &pushed {
        let out_shape = &out.shape()[..out.ndim() - 1];
        let mut offset = 0;
        for leaf in &x {
            let block = slice_axis(out, out.ndim() - 1, offset, leaf.size())?;
            blocks.push(reshape(&block, &concat_shapes(out_shape, leaf.shape()))?);
            offset += leaf.size();
        }
    }
    Ok(blocks)
}

/// Reverse mode: the Jacobian blocks of `f` at `x`, output-major like [`jacfwd_flat`].
fn jacrev_flat(f: &FlatFn<'_>, x: Vec<Array>) -> Result<Vec<Array>> {
    check_real("jacrev", "input", &x)?;
    let (y, pullback) = vjp(|xs: Vec<Array>| f(xs), x)?;
    check_real("jacrev", "output", &y)?;
    let basis = std_basis(&y)?;
    let m = basis.first().map_or(0, |b| b.shape()[0]);
    // Each input's cotangents, with the basis index as the first axis.
    let pulled = vmap_flat(pullback, basis, &vec![Some(0); y.len()], m, |ranks| {
        Ok(vec![Some(0); ranks.len()])
    })?;
    let mut blocks = Vec::with_capacity(y.len() * pulled.len());
    let mut offset = 0;
    for out in &y {
        for ct in &pulled {
            let block = slice_axis(ct, 0, offset, out.size())?;
            blocks.push(reshape(
                &block,
                &concat_shapes(out.shape(), &ct.shape()[1..]),
            )?);
        }
        offset += out.size();
    }
    Ok(blocks)
}

/// `f` on flat leaves of structure `in_tree`; records the output structure in `out_tree`.
fn flat<'a, F, In, Out, R>(
    f: &'a F,
    in_tree: &'a TreeDef,
    out_tree: &'a RefCell<Option<TreeDef>>,
) -> impl Fn(Vec<Array>) -> Result<Vec<Array>> + 'a
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    move |leaves| {
        let (outputs, tree) = f(In::tree_unflatten(in_tree, leaves)?)
            .into_result()?
            .tree_flatten();
        *out_tree.borrow_mut() = Some(tree);
        Ok(outputs)
    }
}

/// The Jacobian of `f` by the given flat transformation, nested `depth` times.
fn jacobian_with<F, In, Out, R, J>(
    f: &F,
    x: In,
    transform: impl FnOnce(&FlatFn<'_>, Vec<Array>) -> Result<Vec<Array>>,
    depth: usize,
) -> Result<J>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
    J: Pytree,
{
    let (leaves, in_tree) = x.tree_flatten();
    let out_tree = RefCell::new(None);
    let blocks = transform(&flat(f, &in_tree, &out_tree), leaves)?;
    let mut tree = out_tree.into_inner().expect("the function ran");
    for _ in 0..depth {
        tree = nest(&tree, &in_tree);
    }
    J::tree_unflatten(&tree, blocks)
}

/// The Jacobian of `f` by forward mode (JAX's `jax.jacfwd`): `vmap` of `jvp` over the standard
/// basis of the input space; efficient for "tall" Jacobians (few inputs).
///
/// The Jacobian of an output of shape `out` with respect to an input of shape `in` has shape
/// `out + in`; for pytrees, the result has the output's structure with each leaf replaced by
/// the input's structure ([`JacobianOf`]), so its type is inferred.
///
/// ```
/// use rjax::{Array, jacfwd};
/// let j = jacfwd(|x: Array| x.sin() * 2.0)(Array::from([0.0f32, 1.0]))?;
/// assert_eq!(j.shape(), [2, 2]);
/// // A scalar of a pair: the Jacobian is a pair shaped like the input.
/// let (dw, db) = jacfwd(|(w, b): (Array, Array)| (&w * &b).sum())((
///     Array::from([1.0f32, 2.0]),
///     Array::from([3.0f32, 4.0]),
/// ))?;
/// assert_eq!((dw.to_vec::<f32>()?, db.to_vec::<f32>()?), (vec![3.0, 4.0], vec![1.0, 2.0]));
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn jacfwd<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<Out::Jacobian>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<In>,
{
    move |x| jacobian_with::<F, In, Out, R, Out::Jacobian>(&f, x, jacfwd_flat, 1)
}

/// The Jacobian of `f` by reverse mode (JAX's `jax.jacrev`): `vmap` of the `vjp` pullback over
/// the standard basis of the output space; efficient for "wide" Jacobians (few outputs). The
/// layout is [`jacfwd`]'s.
///
/// ```
/// use rjax::{Array, jacrev};
/// let j: Array = jacrev(|x: Array| (&x * &x).sum())(Array::from([1.0f32, 2.0]))?;
/// assert_eq!(j.to_vec::<f32>()?, [2.0, 4.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn jacrev<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<Out::Jacobian>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<In>,
{
    move |x| jacobian_with::<F, In, Out, R, Out::Jacobian>(&f, x, jacrev_flat, 1)
}

/// The Jacobian of `f` (JAX's `jax.jacobian`, which is [`jacrev`]).
pub fn jacobian<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<Out::Jacobian>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<In>,
{
    jacrev(f)
}

/// The Hessian of `f` (JAX's `jax.hessian`): `jacfwd(jacrev(f))`. For an output of shape `out`
/// and an input of shape `in`, the shape is `out + in + in`; for pytrees, the output's
/// structure with each leaf replaced by the input's structure, twice.
///
/// ```
/// use rjax::{Array, hessian};
/// let h: Array = hessian(|x: Array| (&x * &x * &x).sum())(Array::from([1.0f32, 2.0]))?;
/// assert_eq!(h.to_vec::<f32>()?, [6.0, 0.0, 0.0, 12.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn hessian<F, In, Out, R>(f: F) -> impl Fn(In) -> Result<HessianOf<Out, In>>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: JacobianOf<In>,
    Out::Jacobian: JacobianOf<In>,
{
    move |x| {
        jacobian_with::<F, In, Out, R, HessianOf<Out, In>>(
            &f,
            x,
            |g, leaves| jacfwd_flat(&|xs| jacrev_flat(g, xs), leaves),
            2,
        )
    }
}
