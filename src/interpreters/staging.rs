//! Staging a function into a jaxpr (JAX's `DynamicJaxprTrace` and `make_jaxpr`), and partial
//! evaluation (JAX's `pe.JaxprTrace`), which is the same trace given a parent.
//!
//! Without a parent (omnistaging, for `jit`), every `bind` while the trace is current becomes
//! an equation, even on concrete operands. With a parent (for `linearize`), an equation none
//! of whose operands is this trace's tracer is *known* and runs on the parent instead; only
//! equations that touch an unknown value are staged, and the known values they read become
//! the jaxpr's constants: the residuals. Operands that are not its own tracers are *hoisted*:
//! concrete arrays and other traces' tracers become constant variables (deduplicated by
//! identity), so a closure over a large matrix passes it as an executable parameter instead of
//! embedding its data in the program. Host scalars (Rust numbers) become literals.
//!
//! When partially evaluating, the control-flow primitives (`cond`, `scan`, `while`) with both
//! known and unknown operands are split by their partial-evaluation rules
//! (`control_flow::rules`) instead of being staged whole.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::abstract_value::ShapedArray;
use crate::array::Concrete;
use crate::core::Primitive;
use crate::core::trace::{LiveTag, Trace, TraceTag, with_trace};
use crate::core::tracer::{Tracer, TracerPayload};
use crate::jaxpr::{Atom, ClosedJaxpr, Eqn, Jaxpr, Literal, Var, dce_jaxpr, typecheck_jaxpr};
use crate::{Array, Result};

/// The trace that records equations.
pub(crate) struct StagingTrace {
    live: LiveTag,
    builder: RefCell<Builder>,
    /// Where known equations run, when partially evaluating.
    parent: Option<Rc<dyn Trace>>,
}

#[derive(Default)]
struct Builder {
    eqns: Vec<Eqn>,
    constvars: Vec<Var>,
    consts: Vec<Array>,
    /// Constant variables by the identity of the array they stand for.
    hoisted: HashMap<usize, Var>,
}

impl StagingTrace {
    /// A trace that stages everything (`parent` `None`) or only what depends on its own
    /// tracers, running the rest on `parent`.
    pub(crate) fn new(parent: Option<Rc<dyn Trace>>) -> StagingTrace {
        StagingTrace {
            live: LiveTag::new(),
            builder: RefCell::new(Builder::default()),
            parent,
        }
    }

    /// A new input variable and its tracer.
    pub(crate) fn new_input(&self, aval: ShapedArray) -> (Var, Array) {
        let var = Var::fresh(aval);
        (var.clone(), self.tracer(var))
    }

    fn tracer(&self, var: Var) -> Array {
        Array::from_tracer(Tracer {
            tag: self.live.tag(),
            aval: var.aval.clone(),
            payload: TracerPayload::Staged { var },
        })
    }

    /// Whether `x` is one of this trace's tracers (an unknown value).
    pub(crate) fn owns(&self, x: &Array) -> bool {
        x.tracer().is_some_and(|t| t.tag == self.live.tag())
    }

    /// The operand `x` as this jaxpr sees it.
    pub(crate) fn atom(&self, x: &Array) -> Atom {
        if let Some(Tracer {
            tag,
            payload: TracerPayload::Staged { var },
            ..
        }) = x.tracer()
            && *tag == self.live.tag()
        {
            return Atom::Var(var.clone());
        }
        if let Some(bytes) = x
            .concrete()
            .and_then(Concrete::host_bytes_if_known)
            .filter(|_| x.ndim() == 0 && !x.dtype().is_key())
        {
            return Atom::Literal(Literal {
                aval: x.aval().clone(),
                bytes: bytes.to_vec(),
            });
        }
        let mut builder = self.builder.borrow_mut();
        if let Some(var) = builder.hoisted.get(&x.identity()) {
            return Atom::Var(var.clone());
        }
        let var = Var::fresh(x.aval().clone());
        builder.hoisted.insert(x.identity(), var.clone());
        builder.constvars.push(var.clone());
        builder.consts.push(x.clone());
        Atom::Var(var)
    }
}

impl Trace for StagingTrace {
    fn tag(&self) -> Option<TraceTag> {
        Some(self.live.tag())
    }

    fn process_primitive(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
        if let Some(parent) = &self.parent {
            if !args.iter().any(|arg| self.owns(arg)) {
                return with_trace(parent.clone(), || {
                    crate::core::bind(primitive.clone(), args)
                });
            }
            // Higher-order primitives with some known operands are split into a known part,
            // run on the parent, and a staged unknown part (JAX's `partial_eval_rules`).
            if !args.iter().all(|arg| self.owns(arg)) {
                match primitive {
                    Primitive::Scan { .. } => {
                        return crate::control_flow::rules::scan_partial_eval(
                            self, parent, primitive, args,
                        );
                    }
                    Primitive::Cond { branches } => {
                        return crate::control_flow::rules::cond_partial_eval(
                            self, parent, branches, args,
                        );
                    }
                    Primitive::ShardMap(params) => {
                        return crate::sharding::shard_map::rules::partial_eval(
                            self, parent, params, args,
                        );
                    }
                    Primitive::While { .. } => {
                        return crate::control_flow::rules::while_partial_eval(
                            self, parent, primitive, args,
                        );
                    }
                    Primitive::Checkpoint(params) => {
                        return crate::checkpoint::checkpoint_partial_eval(
                            self, parent, params, args,
                        );
                    }
                    _ => {}
                }
            }
        }
        self.stage(primitive, args)
    }
}

impl StagingTrace {
    /// Records `primitive` applied to `args` as an equation, whatever its operands.
    pub(crate) fn stage(&self, primitive: &Primitive, args: &[Array]) -> Result<Vec<Array>> {
        let inputs: Vec<Atom> = args.iter().map(|arg| self.atom(arg)).collect();
        let avals: Vec<ShapedArray> = inputs.iter().map(|atom| atom.aval().clone()).collect();
        let outputs: Vec<Var> = primitive
            .abstract_eval(&avals)?
            .into_iter()
            .map(Var::fresh)
            .collect();
        let results = outputs.iter().map(|var| self.tracer(var.clone())).collect();
        self.builder.borrow_mut().eqns.push(Eqn {
            primitive: primitive.clone(),
            inputs,
            outputs,
        });
        Ok(results)
    }
}

/// Stages `f` applied to arguments of types `in_avals` into a closed jaxpr (dead code removed,
/// type-checked in debug builds). `f` receives tracers and returns the outputs.
pub(crate) fn make_jaxpr_flat(
    in_avals: &[ShapedArray],
    f: impl FnOnce(Vec<Array>) -> Result<Vec<Array>>,
) -> Result<ClosedJaxpr> {
    let trace = Rc::new(StagingTrace::new(None));
    let (invars, args): (Vec<Var>, Vec<Array>) = in_avals
        .iter()
        .map(|aval| trace.new_input(aval.clone()))
        .unzip();
    let outputs = with_trace(trace.clone(), || f(args))?;
    trace.finish(invars, &outputs)
}

impl StagingTrace {
    /// The closed jaxpr with inputs `invars` and outputs `outputs` (dead code removed,
    /// type-checked in debug builds). The trace's tracers die with it afterwards.
    pub(crate) fn finish(&self, invars: Vec<Var>, outputs: &[Array]) -> Result<ClosedJaxpr> {
        let outvars: Vec<Atom> = outputs.iter().map(|out| self.atom(out)).collect();
        let builder = self.builder.take();
        let jaxpr = Jaxpr {
            constvars: builder.constvars,
            invars,
            eqns: builder.eqns,
            outvars,
        };
        let (jaxpr, consts) = dce_jaxpr(jaxpr, builder.consts);
        if cfg!(debug_assertions) {
            typecheck_jaxpr(&jaxpr)?;
        }
        Ok(ClosedJaxpr {
            jaxpr: std::sync::Arc::new(jaxpr),
            consts,
        })
    }
}
