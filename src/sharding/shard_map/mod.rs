//! `shard_map` (JAX's `jax.shard_map`): a function written for one device's block, run on
//! every device of a mesh, with explicit collectives between them; and `pmap` built on it.
//!
//! The body is traced once at the block shapes, with the mesh's axis names in scope for the
//! collectives. It lowers as JAX lowers it for XLA's SPMD partitioner: each input is annotated
//! with its sharding and converted to its per-device block (`SPMDFullToShardShape`), the body
//! runs manually partitioned, and each output is converted back to a global array
//! (`SPMDShardToFullShape`) with the sharding its `out_specs` give.

pub(crate) mod rules;

use super::spmd::call_impl;
use super::{Mesh, NamedSharding, PartitionSpec, axis_env, device_put, one_per_leaf};
use crate::abstract_value::ShapedArray;
use crate::control_flow::trace_closed;
use crate::core::{Primitive, bind};
use crate::jaxpr::JaxprRef;
use crate::lowering::{FunctionBuilder, lower_function};
use crate::random::{self, PrngImpl};
use crate::tree::{FnOutput, Pytree};
use crate::{Array, DType, Error, Result, dispatch};

/// The parameters of a `shard_map` call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShardMapParams {
    /// The per-device function, at block shapes, closed over nothing.
    pub body: JaxprRef,
    /// The mesh it runs on.
    pub mesh: Mesh,
    /// How each input is split into blocks.
    pub in_specs: Vec<PartitionSpec>,
    /// How the blocks of each output form the global output.
    pub out_specs: Vec<PartitionSpec>,
}

/// Runs `f` on every device of `mesh`, each on its block of the inputs (JAX's
/// `jax.shard_map`). `in_specs` gives, for each flattened input leaf, how it is split into
/// blocks; `out_specs`, for each flattened output leaf, how the blocks form the output (a mesh
/// axis an output spec leaves out asserts the value is the same on every device along it). A
/// single spec stands for every leaf, as a JAX spec is a prefix of its tree.
/// Inside `f`, the collectives in [`crate::sharding`] ([`psum`](super::psum),
/// [`all_gather`](super::all_gather), ...) name the mesh's axes.
///
/// ```
/// use rjax::sharding::{Mesh, psum, shard_map};
/// use rjax::{Array, pspec};
///
/// let mesh = Mesh::from_default_devices(&[1], &["i"])?;
/// let total = shard_map(|x: Array| psum(&x.sum(), &["i"]), &mesh, vec![pspec!["i"]], vec![pspec![]]);
/// let y: Array = total(Array::from([1.0f32, 2.0, 3.0]))?;
/// assert_eq!(y.to_vec::<f32>()?, vec![6.0]);
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn shard_map<F, In, Out, R>(
    f: F,
    mesh: &Mesh,
    in_specs: Vec<PartitionSpec>,
    out_specs: Vec<PartitionSpec>,
) -> impl Fn(In) -> Result<Out> + use<F, In, Out, R>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let mesh = mesh.clone();
    move |input: In| {
        let (leaves, tree) = input.tree_flatten();
        // Key arrays cross the boundary as their data (the key words a trailing, unsplit
        // dimension, which a spec never names), and are keys again on either side.
        let key_impls: Vec<Option<PrngImpl>> = leaves.iter().map(key_impl_of).collect();
        let leaves: Vec<Array> = leaves.iter().map(unwrap_key).collect();
        let n = leaves.len();
        let in_specs = one_per_leaf(
            "shard_map",
            "in_specs",
            &in_specs,
            n,
            &format!("{n} leaves"),
        )?;
        let block_avals = leaves
            .iter()
            .zip(&in_specs)
            .map(|(x, spec)| block_aval(&mesh, spec, x.aval(), "shard_map in_specs"))
            .collect::<Result<Vec<_>>>()?;
        let mut out_tree = None;
        let mut out_key_impls = Vec::new();
        let (body, consts) = axis_env::with_mesh(&mesh, || {
            trace_closed(&block_avals, |blocks| {
                let blocks = blocks.iter().zip(&key_impls).map(|(b, k)| wrap_key(b, *k));
                let input = In::tree_unflatten(&tree, blocks.collect())?;
                let (outputs, tree) = f(input).into_result()?.tree_flatten();
                out_tree = Some(tree);
                out_key_impls = outputs.iter().map(key_impl_of).collect();
                Ok(outputs.iter().map(unwrap_key).collect())
            })
        })?;
        let out_tree = out_tree.expect("the body ran");
        let n = body.outvars.len();
        let out_specs = one_per_leaf(
            "shard_map",
            "out_specs",
            &out_specs,
            n,
            &format!("{n} leaves"),
        )?;
        let mut specs = vec![PartitionSpec::replicated(); consts.len()];
        specs.extend(in_specs.iter().cloned());
        let params = ShardMapParams {
            body: JaxprRef(body),
            mesh: mesh.clone(),
            in_specs: specs,
            out_specs,
        };
        let args: Vec<Array> = consts.into_iter().chain(leaves).collect();
        let outputs = bind(Primitive::ShardMap(params), &args)?;
        let outputs = outputs
            .iter()
            .zip(&out_key_impls)
            .map(|(o, k)| wrap_key(o, *k));
        Out::tree_unflatten(&out_tree, outputs.collect())
    }
}

/// The implementation of a key array, `None` for other arrays.
fn key_impl_of(x: &Array) -> Option<PrngImpl> {
    match x.dtype() {
        DType::Key(prng) => Some(prng),
        _ => None,
    }
}

/// A key array's data, or the array itself.
fn unwrap_key(x: &Array) -> Array {
    match key_impl_of(x) {
        Some(_) => random::key_data(x),
        None => x.clone(),
    }
}

/// `data` as keys of `prng`, or itself.
fn wrap_key(data: &Array, prng: Option<PrngImpl>) -> Array {
    match prng {
        Some(prng) => random::wrap_key_data(data, prng),
        None => data.clone(),
    }
}

/// Maps `f` over the leading axis of every input leaf, one index per device (JAX's
/// `jax.pmap`), with `axis_name` naming that axis for the collectives. The leading axis must
/// not exceed the device count; the outputs gain it back, laid out one index per device. Built
/// on [`shard_map`] over a one-axis mesh, as JAX's modern `pmap` is.
pub fn pmap<F, In, Out, R>(f: F, axis_name: &str) -> impl Fn(In) -> Result<Out> + use<F, In, Out, R>
where
    F: Fn(In) -> R + Clone,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    let axis_name = axis_name.to_string();
    move |input: In| {
        let (leaves, tree) = input.tree_flatten();
        let size = match leaves.first() {
            Some(leaf) if leaf.ndim() > 0 => leaf.shape()[0],
            _ => {
                return Err(Error::invalid(
                    "pmap",
                    "needs at least one input with a leading axis to map over",
                ));
            }
        };
        if let Some(leaf) = leaves.iter().find(|l| l.shape().first() != Some(&size)) {
            return Err(Error::invalid(
                "pmap",
                format!(
                    "every input needs the leading axis size {size}; one is {}",
                    leaf.aval()
                ),
            ));
        }
        let mesh = Mesh::from_default_devices(&[size], &[axis_name.as_str()])?;
        let spec = PartitionSpec::new([axis_name.as_str()]);
        let f = f.clone();
        let per_device = move |blocks: In| -> Result<Out> {
            let (blocks, tree) = blocks.tree_flatten();
            let squeezed = blocks
                .iter()
                .map(|b| crate::lax::squeeze(b, &[0]))
                .collect();
            let (outputs, out_tree) = f(In::tree_unflatten(&tree, squeezed)?)
                .into_result()?
                .tree_flatten();
            let expanded = outputs
                .iter()
                .map(|o| crate::lax::expand_dims(o, &[0]))
                .collect();
            Out::tree_unflatten(&out_tree, expanded)
        };
        let mapped = shard_map(per_device, &mesh, vec![spec.clone()], vec![spec]);
        mapped(In::tree_unflatten(&tree, leaves)?)
    }
}

/// The type of the block of an array of type `aval` that `spec` gives each device.
fn block_aval(
    mesh: &Mesh,
    spec: &PartitionSpec,
    aval: &ShapedArray,
    op: &str,
) -> Result<ShapedArray> {
    let sharding = NamedSharding::new(mesh, spec.clone())?;
    sharding.check_shape(op, &aval.shape)?;
    Ok(aval.with_shape(sharding.shard_shape(&aval.shape)))
}

/// The type of the global array whose blocks, laid out by `spec`, have type `block`.
fn global_aval(mesh: &Mesh, spec: &PartitionSpec, block: &ShapedArray) -> Result<ShapedArray> {
    let sharding = NamedSharding::new(mesh, spec.clone())?;
    if spec.dims().len() > block.ndim() {
        return Err(Error::invalid(
            "shard_map",
            format!(
                "out_specs entry {spec} is longer than the rank of the output {block}; a scalar \
                 that differs between devices needs a leading axis of size 1"
            ),
        ));
    }
    let tiles = sharding.tiles_per_dim(block.ndim());
    Ok(block.with_shape(
        block
            .shape
            .iter()
            .zip(tiles)
            .map(|(size, tiles)| size * tiles)
            .collect::<Vec<_>>(),
    ))
}

impl ShardMapParams {
    /// The global output types for inputs of types `avals`.
    pub(crate) fn abstract_eval(&self, avals: &[ShapedArray]) -> Result<Vec<ShapedArray>> {
        let expected = self.body.0.in_avals();
        if avals.len() != expected.len() {
            return Err(Error::invalid(
                "shard_map",
                format!(
                    "{} operands for a body of {} inputs",
                    avals.len(),
                    expected.len()
                ),
            ));
        }
        for ((aval, spec), want) in avals.iter().zip(&self.in_specs).zip(&expected) {
            let block = block_aval(&self.mesh, spec, aval, "shard_map")?;
            if block.shape != want.shape || block.dtype != want.dtype {
                return Err(Error::invalid(
                    "shard_map",
                    format!(
                        "the operand {aval} split by {spec} is {block}, but the body takes {want}"
                    ),
                ));
            }
        }
        self.body
            .0
            .out_avals()
            .iter()
            .zip(&self.out_specs)
            .map(|(block, spec)| global_aval(&self.mesh, spec, block))
            .collect()
    }

    /// The manual-partitioning lowering described in the module documentation.
    pub(crate) fn lower(
        &self,
        f: &mut FunctionBuilder<'_>,
        args: &[String],
        avals_in: &[ShapedArray],
        avals_out: &[ShapedArray],
    ) -> Result<Vec<String>> {
        let annotate = |spec: &PartitionSpec, ndim: usize| -> Result<String> {
            Ok(NamedSharding::new(&self.mesh, spec.clone())?.hlo_sharding(ndim))
        };
        let custom_call = |f: &mut FunctionBuilder<'_>,
                           target: &str,
                           value: String,
                           from: &ShapedArray,
                           to: &ShapedArray,
                           sharding: &str| {
            f.op(
                "stablehlo.custom_call",
                &[value],
                std::slice::from_ref(from),
                std::slice::from_ref(to),
                &format!("call_target_name = \"{target}\", mhlo.sharding = \"{sharding}\""),
            )
        };
        let block_avals = self.body.0.in_avals();
        let mut blocks = Vec::with_capacity(args.len());
        for (((arg, aval), spec), block) in args
            .iter()
            .zip(avals_in)
            .zip(&self.in_specs)
            .zip(&block_avals)
        {
            let sharding = annotate(spec, aval.ndim())?;
            let annotated = custom_call(f, "Sharding", arg.clone(), aval, aval, &sharding);
            blocks.push(custom_call(
                f,
                "SPMDFullToShardShape",
                annotated,
                aval,
                block,
                "{manual}",
            ));
        }
        let callee = f
            .module
            .private_function(self.body.key(), "shmap_body", |module, name| {
                lower_function(module, &self.body.0, name)
            })?;
        let out_blocks = self.body.0.out_avals();
        let results = f.op_with_regions(
            "func.call",
            &blocks,
            &block_avals,
            &out_blocks,
            &format!("callee = @{callee}"),
            &[],
        );
        results
            .into_iter()
            .zip(&out_blocks)
            .zip(avals_out)
            .zip(&self.out_specs)
            .map(|(((value, block), aval), spec)| {
                let manual = custom_call(f, "Sharding", value, block, block, "{manual}");
                let sharding = annotate(spec, aval.ndim())?;
                Ok(custom_call(
                    f,
                    "SPMDShardToFullShape",
                    manual,
                    block,
                    aval,
                    &sharding,
                ))
            })
            .collect()
    }

    /// The sharding of output `k`.
    pub(crate) fn out_sharding(&self, k: usize) -> Option<NamedSharding> {
        NamedSharding::new(&self.mesh, self.out_specs[k].clone()).ok()
    }
}

/// Runs a `shard_map` on concrete arrays: each laid out by its spec, then the one-equation
/// program over the mesh.
pub(crate) fn shard_map_impl(params: &ShardMapParams, args: &[Array]) -> Result<Vec<Array>> {
    let placed = args
        .iter()
        .zip(&params.in_specs)
        .map(|(arg, spec)| device_put(arg, &NamedSharding::new(&params.mesh, spec.clone())?))
        .collect::<Result<Vec<_>>>()?;
    let avals: Vec<ShapedArray> = placed.iter().map(|a| a.aval().clone()).collect();
    let primitive = Primitive::ShardMap(params.clone());
    let (jaxpr, _) = dispatch::one_equation_jaxpr(&primitive, &avals)?;
    call_impl(&JaxprRef(std::sync::Arc::new(jaxpr)), "shard_map", &placed)
}
