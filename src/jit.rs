//! `jit` (JAX's `pjit`): stage a function into a jaxpr once per input signature, compile it
//! with XLA, and call the compiled program; and the call primitive that nests staged jaxprs.
//!
//! Each [`Jitted`] owns its cache, keyed by the input pytree's structure and each leaf's shape,
//! dtype and weak type (and the x64 mode). A signature seen before runs straight from the cache:
//! no re-trace, no lowering, no compilation. A cap on entries catches functions whose
//! signature keeps changing. Inside another transformation (an outer `jit`, say), the staged
//! jaxpr is bound as [`Primitive::Call`], so nesting composes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::abstract_value::ShapedArray;
use crate::core::trace::current_trace;
use crate::core::{Primitive, bind};
use crate::interpreters::staging::make_jaxpr_flat;
use crate::jaxpr::{ClosedJaxpr, JaxprRef};
use crate::lowering::{FunctionBuilder, lower_function, lower_jaxpr_to_module};
use crate::runtime::LoadedExecutable;
use crate::tree::{FnOutput, Pytree, TreeDef};
use crate::{Array, Error, Result, config, dispatch};

/// The most signatures one jitted function traces before `call` reports an error.
pub const DEFAULT_MAX_CACHE_ENTRIES: usize = 32;

/// Compiles `f` with XLA on first call per input signature (JAX's `jax.jit`).
///
/// `f` takes a pytree of arrays (an `Array`, a tuple, a `Vec`, ...) and returns a pytree, or a
/// `Result` of one. Arrays it captures are passed to the compiled program as parameters.
pub fn jit<F>(f: F) -> Jitted<F> {
    Jitted {
        f,
        name: "jit_fn".to_string(),
        max_cache_entries: DEFAULT_MAX_CACHE_ENTRIES,
        cache: Arc::new(Mutex::new(HashMap::new())),
    }
}

/// A function compiled by [`jit`].
pub struct Jitted<F> {
    f: F,
    name: String,
    max_cache_entries: usize,
    cache: Arc<Mutex<HashMap<Signature, Arc<Traced>>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Signature {
    tree: TreeDef,
    avals: Vec<ShapedArray>,
    x64: bool,
}

/// One signature's staged function and, once run eagerly, its executable.
struct Traced {
    jaxpr: JaxprRef,
    consts: Vec<Array>,
    out_tree: TreeDef,
    out_avals: Vec<ShapedArray>,
    executable: OnceLock<Arc<LoadedExecutable>>,
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

    /// Calls the compiled function. The first call with a new signature traces and compiles.
    pub fn call<In, Out, R>(&self, input: In) -> Result<Out>
    where
        F: Fn(In) -> R,
        R: FnOutput<Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = input.tree_flatten();
        let traced = self.traced::<In, Out, R>(tree, &leaves)?;
        let eager =
            current_trace().tag().is_none() && leaves.iter().all(|leaf| leaf.concrete().is_some());
        let outputs = if eager {
            let executable = match traced.executable.get() {
                Some(executable) => executable,
                None => {
                    let module = lower_jaxpr_to_module(&traced.jaxpr.0, &self.name)?;
                    let executable = dispatch::compile_cached(&module)?;
                    traced.executable.get_or_init(|| executable)
                }
            };
            let args: Vec<Array> = traced.consts.iter().cloned().chain(leaves).collect();
            dispatch::execute(executable, &args, &traced.out_avals)?
        } else {
            let args: Vec<Array> = traced.consts.iter().cloned().chain(leaves).collect();
            bind(
                Primitive::Call {
                    jaxpr: traced.jaxpr.clone(),
                    name: self.name.clone(),
                },
                &args,
            )?
        };
        Out::tree_unflatten(&traced.out_tree, outputs)
    }

    /// The jaxpr `f` stages to for `input`'s signature (JAX's `jax.make_jaxpr`).
    pub fn make_jaxpr<In, Out, R>(&self, input: &In) -> Result<ClosedJaxpr>
    where
        F: Fn(In) -> R,
        R: FnOutput<Out>,
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

    /// The StableHLO text of the program `input`'s signature compiles to (JAX's `.lower()`).
    pub fn lower<In, Out, R>(&self, input: &In) -> Result<String>
    where
        F: Fn(In) -> R,
        R: FnOutput<Out>,
        In: Pytree,
        Out: Pytree,
    {
        let (leaves, tree) = input.tree_flatten();
        let traced = self.traced::<In, Out, R>(tree, &leaves)?;
        lower_jaxpr_to_module(&traced.jaxpr.0, &self.name)
    }

    /// The cache entry for this signature, tracing `f` on a miss.
    fn traced<In, Out, R>(&self, tree: TreeDef, leaves: &[Array]) -> Result<Arc<Traced>>
    where
        F: Fn(In) -> R,
        R: FnOutput<Out>,
        In: Pytree,
        Out: Pytree,
    {
        let signature = Signature {
            tree,
            avals: leaves.iter().map(|leaf| leaf.aval().clone()).collect(),
            x64: config::x64_enabled(),
        };
        if let Some(traced) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&signature)
        {
            return Ok(traced.clone());
        }
        let entries = self.cache.lock().unwrap_or_else(|p| p.into_inner()).len();
        if entries >= self.max_cache_entries {
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
        let traced = Arc::new(Traced {
            out_avals: closed.jaxpr.out_avals(),
            jaxpr: JaxprRef(closed.jaxpr),
            consts: closed.consts,
            out_tree: out_tree.expect("the traced function ran"),
            executable: OnceLock::new(),
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        Ok(cache.entry(signature).or_insert(traced).clone())
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
            lower_function(module, &jaxpr.0, "private", callee)
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

/// Runs a call eagerly: compiled once per jaxpr (held alive by the cache) and executed.
pub(crate) fn call_impl(jaxpr: &JaxprRef, name: &str, args: &[Array]) -> Result<Vec<Array>> {
    static CACHE: OnceLock<Mutex<HashMap<JaxprRef, Arc<LoadedExecutable>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let cached = cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(jaxpr)
        .cloned();
    let executable = match cached {
        Some(executable) => executable,
        None => {
            let executable = dispatch::compile_cached(&lower_jaxpr_to_module(&jaxpr.0, name)?)?;
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(jaxpr.clone(), executable.clone());
            executable
        }
    };
    dispatch::execute(&executable, args, &jaxpr.0.out_avals())
}
