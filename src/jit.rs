//! `jit` (JAX's `pjit`): stage a function into a jaxpr once per input signature, compile it
//! with XLA, and call the compiled program; and the call primitive that nests staged jaxprs.
//!
//! Each [`Jitted`] owns its cache, keyed by the input pytree's structure and each leaf's shape,
//! dtype and weak type (and the x64 mode, and the threefry layout and default PRNG
//! implementation of `rjax::random`). A signature seen before runs straight from the cache:
//! no re-trace, no lowering, no compilation. A cap on entries catches functions whose
//! signature keeps changing. Inside another transformation (an
//! outer `jit`, say), the staged jaxpr is bound as [`Primitive::Call`], so nesting composes.

use lru::LruCache;
use std::sync::{Arc, Mutex, OnceLock};

use crate::abstract_value::ShapedArray;
use crate::cache::BoundedCache;
use crate::core::trace::current_trace;
use crate::core::{Primitive, bind};
use crate::interpreters::staging::make_jaxpr_flat;
use crate::jaxpr::{ClosedJaxpr, JaxprRef};
use crate::lowering::{FunctionBuilder, MainOptions, lower_function, lower_jaxpr_to_module};
use crate::runtime::LoadedExecutable;
use crate::sharding::NamedSharding;
use crate::sharding::spmd::{self, SpmdExecutable, SpmdLayout};
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, Error, Result, config, dispatch};

/// The most signatures one jitted function traces before `call` reports an error.
pub const DEFAULT_MAX_CACHE_ENTRIES: usize = 32;

/// Compiles `f` with XLA on first call per input signature (JAX's `jax.jit`).
///
/// `f` takes a pytree of arrays (an `Array`, a tuple, a `Vec`, ...; [`Static`](crate::Static)
/// values for compile-time constants) and returns a pytree, or a `Result` of one. Arrays it
/// captures are passed to the compiled program as parameters.
pub fn jit<F>(f: F) -> Jitted<F> {
    Jitted {
        f,
        name: "jit_fn".to_string(),
        max_cache_entries: DEFAULT_MAX_CACHE_ENTRIES,
        donate_argnums: Vec::new(),
        in_shardings: Vec::new(),
        out_shardings: Vec::new(),
        evict_oldest: false,
        cache: Arc::new(Mutex::new(LruCache::unbounded())),
    }
}

/// A function compiled by [`jit`].
pub struct Jitted<F> {
    f: F,
    name: String,
    max_cache_entries: usize,
    donate_argnums: Vec<usize>,
    in_shardings: Vec<Option<NamedSharding>>,
    out_shardings: Vec<Option<NamedSharding>>,
    /// Past `max_cache_entries`, drop the least recently used signature instead of failing
    /// (rjax's own staged functions, such as the random samplers, whose shapes are the user's).
    evict_oldest: bool,
    cache: Arc<Mutex<LruCache<Signature, Arc<Traced>>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Signature {
    tree: TreeDef,
    avals: Vec<ShapedArray>,
    /// The layout of each sharded input leaf.
    shardings: Vec<Option<NamedSharding>>,
    x64: bool,
    /// `config::threefry_partitionable()`: `rjax::random` traces differently under each.
    threefry_partitionable: bool,
    /// `config::default_prng_impl()`: raw keys and new keys belong to it.
    default_prng_impl: crate::random::PrngImpl,
    /// `config::default_matmul_precision()`: dots traced without a precision take it.
    default_matmul_precision: Option<crate::lax::Precision>,
}

/// One signature's staged function and, once run eagerly, its executable.
struct Traced {
    name: String,
    jaxpr: JaxprRef,
    consts: Vec<Array>,
    out_tree: TreeDef,
    out_avals: Vec<ShapedArray>,
    /// Which input leaves are donated.
    donated: Vec<bool>,
    /// How the inputs and outputs lie on a mesh, when the function runs on one.
    spmd: Option<SpmdLayout>,
    /// The lowered module, made once (by `lower()` or the first compilation).
    module: OnceLock<String>,
    executable: OnceLock<Arc<LoadedExecutable>>,
    /// The executable and output layouts, when the function runs on a mesh.
    spmd_executable: OnceLock<SpmdExecutable>,
}

impl Traced {
    fn module(&self) -> Result<&str> {
        if let Some(module) = self.module.get() {
            return Ok(module);
        }
        let module = match &self.spmd {
            Some(layout) => spmd::lower(&self.jaxpr.0, &self.name, layout, &layout.out_shardings)?,
            None => {
                let options = MainOptions {
                    donated: &self.donated,
                    ..MainOptions::default()
                };
                lower_jaxpr_to_module(&self.jaxpr.0, &self.name, &options)?
            }
        };
        Ok(self.module.get_or_init(|| module))
    }

    fn executable(&self) -> Result<&Arc<LoadedExecutable>> {
        if self.spmd.is_some() {
            return Ok(&self.spmd_executable()?.executable);
        }
        if let Some(executable) = self.executable.get() {
            return Ok(executable);
        }
        let executable = dispatch::compile_cached(self.module()?)?;
        Ok(self.executable.get_or_init(|| executable))
    }

    /// The program compiled for its mesh, with its outputs' layouts.
    fn spmd_executable(&self) -> Result<&SpmdExecutable> {
        if let Some(compiled) = self.spmd_executable.get() {
            return Ok(compiled);
        }
        let layout = self.spmd.as_ref().expect("called for a function on a mesh");
        let compiled = spmd::compile(&self.jaxpr.0, &self.name, layout)?;
        Ok(self.spmd_executable.get_or_init(|| compiled))
    }

    /// Runs the function on `leaves`: the compiled program when they are concrete and no
    /// transformation is active, otherwise a call primitive for the current trace.
    fn run<Out: Pytree>(&self, leaves: Vec<Array>) -> Result<Out> {
        let eager =
            current_trace().tag().is_none() && leaves.iter().all(|leaf| leaf.concrete().is_some());
        let outputs = if eager {
            if let Some(layout) = &self.spmd {
                let args: Vec<Array> = self.consts.iter().cloned().chain(leaves).collect();
                let outputs =
                    spmd::execute(self.spmd_executable()?, layout, &args, &self.out_avals)?;
                return Out::tree_unflatten(&self.out_tree, outputs);
            }
            let executable = self.executable()?;
            dispatch::execute_donating(
                executable,
                &self.consts,
                leaves,
                &self.donated,
                &self.out_avals,
            )?
        } else {
            // On a mesh, the layouts become sharding constraints around the call, so that
            // transformations of this function keep them.
            let n_consts = self.consts.len();
            let layout = self.spmd.as_ref();
            let mut args: Vec<Array> = self.consts.clone();
            for (i, leaf) in leaves.into_iter().enumerate() {
                args.push(constrain(
                    leaf,
                    layout.map(|l| &l.in_shardings[n_consts + i]),
                )?);
            }
            let outputs = bind(
                Primitive::Call {
                    jaxpr: self.jaxpr.clone(),
                    name: self.name.clone(),
                },
                &args,
            )?;
            outputs
                .into_iter()
                .enumerate()
                .map(|(j, out)| constrain(out, layout.and_then(|l| l.out_shardings[j].as_ref())))
                .collect::<Result<Vec<_>>>()?
        };
        Out::tree_unflatten(&self.out_tree, outputs)
    }
}

/// `x` constrained to `sharding` when it splits anything.
fn constrain(x: Array, sharding: Option<&NamedSharding>) -> Result<Array> {
    match sharding {
        Some(sharding) if !sharding.is_fully_replicated() => crate::core::bind1(
            Primitive::ShardingConstraint {
                sharding: sharding.clone(),
            },
            &[x],
        ),
        _ => Ok(x),
    }
}

impl<F> Jitted<F> {
    /// Names the function in jaxprs and lowered modules.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets how many signatures may be traced before `call` fails.
    pub fn with_max_cache_entries(mut self, entries: usize) -> Self {
        self.max_cache_entries = entries;
        self
    }

    /// Past the entry limit, forget the least recently used signature instead of failing:
    /// for rjax's own staged functions, whose signatures follow the user's shapes.
    pub(crate) fn evicting_oldest(mut self) -> Self {
        self.evict_oldest = true;
        self
    }

    /// Donates arguments (JAX's `donate_argnums`): when the input is a tuple, the leaves of
    /// its elements at these positions; otherwise position 0 is the whole input. XLA may reuse
    /// a donated buffer for an output. An argument is donated only when the call holds its
    /// last handle (it was moved in, not cloned); otherwise it is left intact. A position
    /// beyond the arguments makes every call return `Err` naming it and the argument count,
    /// as JAX raises.
    pub fn with_donate_argnums(mut self, positions: &[usize]) -> Self {
        self.donate_argnums = positions.to_vec();
        self
    }

    /// Lays the inputs out as `shardings` (one per flattened input leaf, or one for all of
    /// them; `None` keeps the leaf's own layout), as JAX's `in_shardings`: the function then
    /// runs on their mesh, one SPMD partition per device, and inputs laid out differently are
    /// resharded first.
    pub fn with_in_shardings(mut self, shardings: Vec<Option<NamedSharding>>) -> Self {
        self.in_shardings = shardings;
        self
    }

    /// Lays the outputs out as `shardings` (one per flattened output leaf, or one for all of
    /// them; `None` lets XLA's propagation choose), as JAX's `out_shardings`.
    pub fn with_out_shardings(mut self, shardings: Vec<Option<NamedSharding>>) -> Self {
        self.out_shardings = shardings;
        self
    }

    /// Calls the compiled function. The first call with a new signature traces and compiles.
    pub fn call<In, Out, R>(&self, input: In) -> Result<Out>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = input.tree_flatten();
        drop(input);
        self.traced::<In, Out, R>(tree, &leaves)?.run(leaves)
    }

    /// The jaxpr `f` stages to for `input`'s signature (JAX's `jax.make_jaxpr`).
    pub fn make_jaxpr<In, Out, R>(&self, input: &In) -> Result<ClosedJaxpr>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = input.tree_flatten();
        let traced = self.traced::<In, Out, R>(tree, &leaves)?;
        Ok(ClosedJaxpr {
            jaxpr: traced.jaxpr.0.clone(),
            consts: traced.consts.clone(),
        })
    }

    /// Stages and lowers `f` for `input`'s signature, ahead of time (JAX's `.lower()`); the
    /// result shows the StableHLO and compiles.
    pub fn lower<In, Out, R>(&self, input: &In) -> Result<Lowered>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = input.tree_flatten();
        let traced = self.traced::<In, Out, R>(tree.clone(), &leaves)?;
        Ok(Lowered {
            text: traced.module()?.to_string(),
            signature: signature(tree, &leaves),
            traced,
        })
    }

    /// The cache entry for this signature, tracing `f` on a miss.
    fn traced<In, Out, R>(&self, tree: TreeDef, leaves: &[Array]) -> Result<Arc<Traced>>
    where
        F: Fn(In) -> R,
        R: FnOutput<Output = Out>,
        In: Pytree,
        Out: Pytree,
    {
        let signature = signature(tree, leaves);
        if let Some(traced) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&signature)
        {
            return Ok(traced.clone());
        }
        let entries = self.cache.lock().unwrap_or_else(|p| p.into_inner()).len();
        if entries >= self.max_cache_entries && !self.evict_oldest {
            let types: Vec<String> = signature.avals.iter().map(ShapedArray::to_string).collect();
            return Err(Error::invalid(
                "jit",
                format!(
                    "`{}` has been traced for {entries} different input signatures, the limit; the \
                     signature keeps changing (the latest is ({})). Keep shapes and dtypes stable, or \
                     raise the limit with with_max_cache_entries",
                    self.name,
                    types.join(", ")
                ),
            ));
        }
        let mut out_tree = None;
        let closed = make_jaxpr_flat(&signature.avals, |tracers| {
            let input = In::tree_unflatten(&signature.tree, tracers)?;
            let output = (self.f)(input).into_result()?;
            let (outputs, tree) = output.tree_flatten();
            out_tree = Some(tree);
            Ok(outputs)
        })?;
        let spmd = spmd::layout(
            &closed.jaxpr,
            &closed.consts,
            &signature.shardings,
            &self.in_shardings,
            &self.out_shardings,
        )?;
        let traced = Arc::new(Traced {
            spmd,
            name: self.name.clone(),
            out_avals: closed.jaxpr.out_avals(),
            jaxpr: JaxprRef(closed.jaxpr),
            consts: closed.consts,
            out_tree: out_tree.expect("the traced function ran"),
            donated: donated_leaves(&self.name, &signature.tree, &self.donate_argnums)?,
            module: OnceLock::new(),
            executable: OnceLock::new(),
            spmd_executable: OnceLock::new(),
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        while cache.len() >= self.max_cache_entries.max(1) && !cache.contains(&signature) {
            cache.pop_lru();
        }
        Ok(cache.get_or_insert(signature, || traced).clone())
    }
}

/// The jaxpr `f` stages to for inputs like `example` (JAX's `jax.make_jaxpr`): only shapes and
/// dtypes of `example` matter.
///
/// ```
/// use rjax::{Array, make_jaxpr};
/// let jaxpr = make_jaxpr(|x: Array| x.sin().cos())(&Array::from(1.0f32))?;
/// assert_eq!(jaxpr.to_string(), "{ lambda ; a:f32[]. let b:f32[] = sin a; c:f32[] = cos b in (c,) }");
/// # Ok::<(), rjax::Error>(())
/// ```
pub fn make_jaxpr<F, In, Out, R>(f: F) -> impl Fn(&In) -> Result<ClosedJaxpr>
where
    F: Fn(In) -> R,
    R: FnOutput<Output = Out>,
    In: Pytree,
    Out: Pytree,
{
    move |example: &In| {
        let (leaves, tree) = example.tree_flatten();
        let avals: Vec<ShapedArray> = leaves.iter().map(|leaf| leaf.aval().clone()).collect();
        make_jaxpr_flat(&avals, |tracers| {
            let input = In::tree_unflatten(&tree, tracers)?;
            Ok(f(input).into_result()?.tree_flatten().0)
        })
    }
}

fn signature(tree: TreeDef, leaves: &[Array]) -> Signature {
    Signature {
        tree,
        avals: leaves.iter().map(|leaf| leaf.aval().clone()).collect(),
        shardings: leaves.iter().map(|leaf| leaf.sharding().cloned()).collect(),
        x64: config::x64_enabled(),
        threefry_partitionable: config::threefry_partitionable(),
        default_prng_impl: config::default_prng_impl(),
        default_matmul_precision: config::default_matmul_precision(),
    }
}

/// Which leaves of an input of structure `tree` the argument positions `donate` cover, or an
/// error (as JAX raises) when a position is beyond the arguments of the function `name`.
fn donated_leaves(name: &str, tree: &TreeDef, donate: &[usize]) -> Result<Vec<bool>> {
    let arguments = match tree {
        TreeDef::Tuple(children) => children.len(),
        _ => 1,
    };
    if let Some(&position) = donate.iter().find(|&&p| p >= arguments) {
        return Err(Error::invalid(
            &format!("jit({name})"),
            format!(
                "donate_argnums {donate:?} contains {position}, but the function is called \
                 with {arguments} argument(s) (valid positions are 0..{arguments})"
            ),
        ));
    }
    Ok(match tree {
        TreeDef::Tuple(children) => children
            .iter()
            .enumerate()
            .flat_map(|(position, child)| vec![donate.contains(&position); child.num_leaves()])
            .collect(),
        _ => vec![donate.contains(&0); tree.num_leaves()],
    })
}

/// A jitted function staged and lowered for one signature (JAX's `Lowered`).
pub struct Lowered {
    text: String,
    signature: Signature,
    traced: Arc<Traced>,
}

impl Lowered {
    /// The StableHLO module text.
    pub fn as_text(&self) -> &str {
        &self.text
    }

    /// Compiles the module ahead of time (JAX's `.compile()`).
    pub fn compile(&self) -> Result<Compiled> {
        self.traced.executable()?;
        Ok(Compiled {
            signature: self.signature.clone(),
            traced: self.traced.clone(),
        })
    }
}

/// A jitted function compiled for one signature (JAX's `Compiled`): calls with that signature
/// run without any tracing or compilation.
pub struct Compiled {
    signature: Signature,
    traced: Arc<Traced>,
}

impl Compiled {
    /// Runs the compiled program; `input` must have the signature it was compiled for.
    pub fn call<In: Pytree, Out: Pytree>(&self, input: In) -> Result<Out> {
        let (leaves, tree) = input.tree_flatten();
        drop(input);
        let given = signature(tree, &leaves);
        if given != self.signature {
            let show = |s: &Signature| {
                s.avals
                    .iter()
                    .map(ShapedArray::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(Error::invalid(
                "Compiled::call",
                format!(
                    "compiled for ({}) but called with ({})",
                    show(&self.signature),
                    show(&given)
                ),
            ));
        }
        self.traced.run(leaves)
    }
}

/// The output types of calling `jaxpr` on arguments of types `avals` (its constants first).
pub(crate) fn call_abstract_eval(
    jaxpr: &JaxprRef,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    let expected = jaxpr.0.in_avals();
    if expected.as_slice() != avals {
        let show = |avals: &[ShapedArray]| {
            avals
                .iter()
                .map(ShapedArray::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::invalid(
            "jit",
            format!(
                "the jaxpr takes ({}) but was given ({})",
                show(&expected),
                show(avals)
            ),
        ));
    }
    Ok(jaxpr.0.out_avals())
}

/// Lowers a call: the jaxpr becomes a private function (once per module) and a `func.call`.
pub(crate) fn call_lower(
    jaxpr: &JaxprRef,
    name: &str,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    avals_out: &[ShapedArray],
) -> Result<Vec<String>> {
    let callee = f
        .module
        .private_function(jaxpr.key(), name, |module, callee| {
            lower_function(module, &jaxpr.0, callee)
        })?;
    Ok(f.op_with_regions(
        "func.call",
        args,
        avals_in,
        avals_out,
        &format!("callee = @{callee}"),
        &[],
    ))
}

/// Runs a call eagerly: compiled once per jaxpr (held by a bounded cache) and executed.
pub(crate) fn call_impl(jaxpr: &JaxprRef, name: &str, args: &[Array]) -> Result<Vec<Array>> {
    if spmd::uses_mesh(&jaxpr.0) || args.iter().any(|a| a.sharding().is_some()) {
        return spmd::call_impl(jaxpr, name, args);
    }
    static CACHE: OnceLock<Mutex<BoundedCache<JaxprRef, Arc<LoadedExecutable>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let cached = cache.lock().unwrap_or_else(|p| p.into_inner()).get(jaxpr);
    let executable = match cached {
        Some(executable) => executable,
        None => {
            let module = lower_jaxpr_to_module(&jaxpr.0, name, &Default::default())?;
            let executable = dispatch::compile_cached(&module)?;
            let bytes = dispatch::program_bytes(&module, &executable);
            cache.lock().unwrap_or_else(|p| p.into_inner()).insert(
                jaxpr.clone(),
                executable.clone(),
                bytes,
            );
            executable
        }
    };
    dispatch::execute(&executable, args, &jaxpr.0.out_avals())
}

/// A batched call: the staged, batched body (inputs and mapped outputs batched along axis
/// 0), its constants, and which outputs are mapped.
type BatchedCall = (JaxprRef, Vec<Array>, Vec<Option<usize>>);

type BatchedCallKey = (JaxprRef, Vec<Option<usize>>, usize, Vec<ShapedArray>);

/// Batches a call as JAX batches `pjit`: the body is batched into a new staged jaxpr (cached
/// per call, batch axes and input types) which is called in turn, so the batched body is still
/// compiled as one program (and computes exactly what its unbatched form does).
pub(crate) fn call_batch(
    jaxpr: &JaxprRef,
    name: &str,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<(Vec<Array>, Vec<Option<usize>>)> {
    static CACHE: OnceLock<Mutex<BoundedCache<BatchedCallKey, BatchedCall>>> = OnceLock::new();
    let moved = values
        .iter()
        .zip(dims)
        .map(|(value, dim)| match dim {
            Some(dim) => crate::interpreters::batching::move_axis(value, *dim, 0),
            None => Ok(value.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    let in_dims: Vec<Option<usize>> = dims.iter().map(|dim| dim.map(|_| 0)).collect();
    let avals: Vec<ShapedArray> = moved.iter().map(|value| value.aval().clone()).collect();
    let key = (jaxpr.clone(), in_dims.clone(), axis_size, avals.clone());
    let cache = CACHE.get_or_init(Default::default);
    let cached = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key);
    let (batched, consts, out_dims) = match cached {
        Some(entry) => entry,
        None => {
            let body = jaxpr.0.clone();
            let mut out_dims = Vec::new();
            let closed = make_jaxpr_flat(&avals, |args| {
                let (outputs, dims) = crate::interpreters::batching::batch_flat(
                    |args| crate::jaxpr::eval_jaxpr(&body, &args),
                    args,
                    &in_dims,
                    axis_size,
                )?;
                out_dims = dims.iter().map(|dim| dim.map(|_| 0)).collect();
                outputs
                    .iter()
                    .zip(dims)
                    .map(|(output, dim)| match dim {
                        Some(dim) => crate::interpreters::batching::move_axis(output, dim, 0),
                        None => Ok(output.clone()),
                    })
                    .collect()
            })?;
            let bytes = crate::cache::staged_bytes(&closed.jaxpr, &closed.consts);
            let entry = (JaxprRef(closed.jaxpr), closed.consts, out_dims);
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, entry.clone(), bytes);
            entry
        }
    };
    let args: Vec<Array> = consts.into_iter().chain(moved).collect();
    let outputs = bind(
        Primitive::Call {
            jaxpr: batched,
            name: name.to_string(),
        },
        &args,
    )?;
    Ok((outputs, out_dims))
}
