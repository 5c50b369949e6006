//! The JVP, partial-evaluation, transpose and batching rules of `shard_map` (JAX's
//! `_shard_map_jvp`, `_shard_map_partial_eval`, `_shard_map_transpose` and batcher).
//!
//! Each makes a new `shard_map` whose body is the transformed body, traced at block shapes.
//! Reverse mode splits the body into a known `shard_map` (run at once, returning the
//! residuals: each device's own values stacked along a new leading axis split over every mesh
//! axis) and a linear one, staged. Its transpose runs the body's transpose on every device and
//! accounts for replication, which makes the gradients JAX's:
//! - an output an `out_spec` replicates along some mesh axes is one value seen by every device
//!   along them, so each device's cotangent is the output's divided by their number;
//! - an input an `in_spec` replicates along some mesh axes feeds every device along them, so
//!   its cotangent is the `psum` of the devices' cotangents over those axes.
//!
//! With these, `psum` transposes to `psum` (`collectives::rules`).

use std::rc::Rc;

use super::ShardMapParams;
use crate::abstract_value::ShapedArray;
use crate::control_flow::rules::{backward_jaxpr, known_value, unknown_outputs};
use crate::control_flow::trace_closed;
use crate::core::trace::{Trace, current_trace, with_trace};
use crate::core::{Primitive, bind, bind1};
use crate::interpreters::batching::{Batched, batch_flat, move_axis};
use crate::interpreters::jvp::{Tangent, jvp_flat, tangent_aval};
use crate::interpreters::staging::StagingTrace;
use crate::interpreters::transpose::LinearInput;
use crate::jaxpr::{Jaxpr, JaxprRef, eval_jaxpr};
use crate::sharding::collectives::{CollectiveKind, CollectiveOp};
use crate::sharding::{Mesh, PartitionSpec};
use crate::{Array, Result};

fn bind_shard_map(
    body: std::sync::Arc<Jaxpr>,
    mesh: &Mesh,
    in_specs: Vec<PartitionSpec>,
    out_specs: Vec<PartitionSpec>,
    args: &[Array],
) -> Result<Vec<Array>> {
    let params = ShardMapParams {
        body: JaxprRef(body),
        mesh: mesh.clone(),
        in_specs,
        out_specs,
    };
    bind(Primitive::ShardMap(params), args)
}

/// `n` replicated specs followed by `rest`.
fn after_replicated(n: usize, rest: impl IntoIterator<Item = PartitionSpec>) -> Vec<PartitionSpec> {
    let mut specs = vec![PartitionSpec::replicated(); n];
    specs.extend(rest);
    specs
}

/// The mesh axes `spec` leaves out (along which the value is replicated).
fn replicated_axes(mesh: &Mesh, spec: &PartitionSpec) -> Vec<String> {
    mesh.axis_names()
        .iter()
        .filter(|a| !spec.used_axes().any(|u| u == *a))
        .cloned()
        .collect()
}

/// The JVP: one `shard_map` of the body's JVP, over the primals and the nonzero tangents.
pub(crate) fn jvp(
    params: &ShardMapParams,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let body = params.body.0.clone();
    let block_avals = body.in_avals();
    let nonzero: Vec<bool> = tangents.iter().map(|t| !t.is_zero()).collect();
    let mut avals = block_avals.clone();
    avals.extend(
        block_avals
            .iter()
            .zip(&nonzero)
            .filter(|(_, nz)| **nz)
            .map(|(a, _)| tangent_aval(a)),
    );
    let n = primals.len();
    let (jvp_body, consts) = trace_closed(&avals, |args| {
        let (blocks, tangent_blocks) = args.split_at(n);
        let mut given = tangent_blocks.iter();
        let tangents_in = nonzero
            .iter()
            .zip(&block_avals)
            .map(|(nz, aval)| match nz {
                true => Tangent::Value(given.next().expect("one per nonzero").clone()),
                false => Tangent::zero_for(aval),
            })
            .collect();
        let (outs, out_tangents) =
            jvp_flat(|a| eval_jaxpr(&body, &a), blocks.to_vec(), tangents_in)?;
        let mut results = outs;
        for t in out_tangents {
            results.push(t.instantiate()?);
        }
        Ok(results)
    })?;
    let in_specs = after_replicated(
        consts.len(),
        params.in_specs.iter().cloned().chain(
            params
                .in_specs
                .iter()
                .zip(&nonzero)
                .filter(|(_, nz)| **nz)
                .map(|(s, _)| s.clone()),
        ),
    );
    let mut out_specs = params.out_specs.clone();
    out_specs.extend(params.out_specs.iter().cloned());
    let mut args = consts;
    args.extend(primals.iter().cloned());
    for t in tangents.iter().filter(|t| !t.is_zero()) {
        args.push(t.instantiate()?);
    }
    let mut outs = bind_shard_map(jvp_body, &params.mesh, in_specs, out_specs, &args)?;
    let out_tangents = outs.split_off(params.out_specs.len());
    Ok((outs, out_tangents.into_iter().map(Tangent::Value).collect()))
}

/// Where a residual of the known `shard_map` comes from.
enum Residual {
    /// A known operand, passed again with its spec.
    KnownInput(usize),
    /// A value from outside the body (a constant), replicated.
    Outside(Array),
    /// A per-device value the known `shard_map` returns, stacked along a new leading axis.
    Computed,
}

/// Partial evaluation with some known operands: the known `shard_map` runs on `parent`,
/// returning the known outputs and the residuals; the unknown one is staged on `trace`.
pub(crate) fn partial_eval(
    trace: &StagingTrace,
    parent: &Rc<dyn Trace>,
    params: &ShardMapParams,
    args: &[Array],
) -> Result<Vec<Array>> {
    let body = &params.body.0;
    let mesh = &params.mesh;
    let unknown: Vec<bool> = args.iter().map(|a| trace.owns(a)).collect();
    let out_unknown = unknown_outputs(body, &unknown);
    let block_avals = body.in_avals();
    let known_positions: Vec<usize> = (0..args.len()).filter(|&i| !unknown[i]).collect();
    let known_avals: Vec<ShapedArray> = known_positions
        .iter()
        .map(|&i| block_avals[i].clone())
        .collect();
    let mut residuals: Vec<Residual> = Vec::new();
    let mut linear = None;
    let (known_body, known_consts) = trace_closed(&known_avals, |known_blocks| {
        let known_tag = current_trace().tag();
        let partial = Rc::new(StagingTrace::new(Some(current_trace())));
        let mut unknown_vars = Vec::new();
        let mut blocks = Vec::with_capacity(args.len());
        let mut given = known_blocks.iter();
        for (var, u) in body.invars.iter().zip(&unknown) {
            if *u {
                let (v, tracer) = partial.new_input(var.aval.clone());
                unknown_vars.push(v);
                blocks.push(tracer);
            } else {
                blocks.push(given.next().expect("one per known input").clone());
            }
        }
        let outs = with_trace(partial.clone(), || eval_jaxpr(body, &blocks))?;
        let (unknown_outs, known_outs): (Vec<_>, Vec<_>) =
            outs.into_iter().zip(&out_unknown).partition(|(_, u)| **u);
        let unknown_outs: Vec<Array> = unknown_outs.into_iter().map(|(o, _)| o).collect();
        let lin = partial.finish(unknown_vars, &unknown_outs)?;
        let mut results: Vec<Array> = known_outs.into_iter().map(|(o, _)| o).collect();
        for r in &lin.consts {
            let as_input = known_blocks
                .iter()
                .position(|k| k.identity() == r.identity());
            let outside = r.tracer().is_none_or(|t| Some(t.tag) != known_tag);
            residuals.push(match (as_input, outside) {
                (Some(j), _) => Residual::KnownInput(known_positions[j]),
                (None, true) => Residual::Outside(r.clone()),
                (None, false) => {
                    results.push(crate::lax::expand_dims(r, &[0]));
                    Residual::Computed
                }
            });
        }
        linear = Some(lin.jaxpr);
        Ok(results)
    })?;
    let linear = linear.expect("traced");
    let stacked = PartitionSpec::new([mesh
        .axis_names()
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()]);
    // The known shard_map.
    let num_known_outs = out_unknown.iter().filter(|u| !**u).count();
    let known_out_specs: Vec<PartitionSpec> = params
        .out_specs
        .iter()
        .zip(&out_unknown)
        .filter(|(_, u)| !**u)
        .map(|(s, _)| s.clone())
        .chain(
            residuals
                .iter()
                .filter(|r| matches!(r, Residual::Computed))
                .map(|_| stacked.clone()),
        )
        .collect();
    let known_in_specs = after_replicated(
        known_consts.len(),
        known_positions.iter().map(|&i| params.in_specs[i].clone()),
    );
    let mut known_args = known_consts;
    known_args.extend(known_positions.iter().map(|&i| args[i].clone()));
    let known_results = with_trace(parent.clone(), || {
        bind_shard_map(
            known_body,
            mesh,
            known_in_specs,
            known_out_specs,
            &known_args,
        )
    })?;
    let (known_outs, mut computed) = {
        let mut all = known_results;
        let computed = all.split_off(num_known_outs);
        (all, computed.into_iter())
    };
    // The unknown shard_map: residuals, then the unknown operands.
    let mut residual_values = Vec::new();
    let mut residual_specs = Vec::new();
    let mut residual_avals = Vec::new();
    for (var, r) in linear.constvars.iter().zip(&residuals) {
        let (value, spec, aval) = match r {
            Residual::KnownInput(i) => (
                args[*i].clone(),
                params.in_specs[*i].clone(),
                var.aval.clone(),
            ),
            Residual::Outside(value) => {
                (value.clone(), PartitionSpec::replicated(), var.aval.clone())
            }
            Residual::Computed => {
                let mut shape = var.aval.shape.clone();
                shape.insert(0, 1);
                (
                    computed.next().expect("one per computed residual"),
                    stacked.clone(),
                    var.aval.with_shape(shape),
                )
            }
        };
        residual_values.push(value);
        residual_specs.push(spec);
        residual_avals.push(aval);
    }
    let unknown_positions: Vec<usize> = (0..args.len()).filter(|&i| unknown[i]).collect();
    let mut avals = residual_avals;
    avals.extend(unknown_positions.iter().map(|&i| block_avals[i].clone()));
    let computed_flags: Vec<bool> = residuals
        .iter()
        .map(|r| matches!(r, Residual::Computed))
        .collect();
    let n_res = computed_flags.len();
    let (unknown_body, unknown_consts) = trace_closed(&avals, |blocks| {
        let mut inputs: Vec<Array> = blocks[..n_res]
            .iter()
            .zip(&computed_flags)
            .map(|(b, c)| match c {
                true => crate::lax::squeeze(b, &[0]),
                false => b.clone(),
            })
            .collect();
        inputs.extend(blocks[n_res..].iter().cloned());
        let flat = Jaxpr {
            constvars: Vec::new(),
            invars: linear
                .constvars
                .iter()
                .chain(&linear.invars)
                .cloned()
                .collect(),
            eqns: linear.eqns.clone(),
            outvars: linear.outvars.clone(),
        };
        eval_jaxpr(&flat, &inputs)
    })?;
    let unknown_in_specs = after_replicated(
        unknown_consts.len(),
        residual_specs.into_iter().chain(
            unknown_positions
                .iter()
                .map(|&i| params.in_specs[i].clone()),
        ),
    );
    let unknown_out_specs: Vec<PartitionSpec> = params
        .out_specs
        .iter()
        .zip(&out_unknown)
        .filter(|(_, u)| **u)
        .map(|(s, _)| s.clone())
        .collect();
    let mut staged_args = unknown_consts;
    staged_args.extend(residual_values);
    staged_args.extend(unknown_positions.iter().map(|&i| args[i].clone()));
    let unknown_params = ShardMapParams {
        body: JaxprRef(unknown_body),
        mesh: mesh.clone(),
        in_specs: unknown_in_specs,
        out_specs: unknown_out_specs,
    };
    let unknown_outs = trace.stage(&Primitive::ShardMap(unknown_params), &staged_args)?;
    let mut unknown_outs = unknown_outs.into_iter();
    let mut known_outs = known_outs.into_iter();
    Ok(out_unknown
        .iter()
        .map(|u| match u {
            true => unknown_outs.next().expect("one per unknown output"),
            false => known_outs.next().expect("one per known output"),
        })
        .collect())
}

/// The transpose of a `shard_map` linear in its undefined operands (see the module docs).
pub(crate) fn transpose(
    params: &ShardMapParams,
    cts: &[Tangent],
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let body = params.body.0.clone();
    let mesh = &params.mesh;
    let block_avals = body.in_avals();
    let known: Vec<Option<Array>> = inputs.iter().map(known_value).collect();
    let known_positions: Vec<usize> = (0..inputs.len()).filter(|&i| known[i].is_some()).collect();
    let undefined: Vec<usize> = (0..inputs.len()).filter(|&i| known[i].is_none()).collect();
    let mut avals: Vec<ShapedArray> = known_positions
        .iter()
        .map(|&i| block_avals[i].clone())
        .collect();
    avals.extend(body.out_avals().iter().map(tangent_aval));
    let n_known = known_positions.len();
    let (transposed, consts) = trace_closed(&avals, |blocks| {
        let mut given = blocks[..n_known].iter();
        let known_blocks: Vec<Option<Array>> = known
            .iter()
            .map(|k| {
                k.as_ref()
                    .map(|_| given.next().expect("one per known").clone())
            })
            .collect();
        let cts = blocks[n_known..]
            .iter()
            .cloned()
            .map(Tangent::Value)
            .collect();
        let in_cts = backward_jaxpr(&body, &known_blocks, cts)?;
        undefined
            .iter()
            .zip(in_cts)
            .map(|(&i, ct)| {
                let ct = ct.instantiate()?;
                let axes = replicated_axes(mesh, &params.in_specs[i]);
                if axes.is_empty() {
                    return Ok(ct);
                }
                let op = CollectiveOp {
                    kind: CollectiveKind::Psum,
                    mesh: mesh.clone(),
                    axes,
                };
                bind1(Primitive::Collective(op), &[ct])
            })
            .collect()
    })?;
    let mut args = consts.clone();
    args.extend(
        known_positions
            .iter()
            .map(|&i| known[i].clone().expect("known")),
    );
    for (ct, spec) in cts.iter().zip(&params.out_specs) {
        let ct = ct.instantiate()?;
        let copies: usize = replicated_axes(mesh, spec)
            .iter()
            .map(|a| mesh.axis_size(a).expect("a mesh axis"))
            .product();
        args.push(if copies > 1 { ct / copies as f64 } else { ct });
    }
    let in_specs = after_replicated(
        consts.len(),
        known_positions
            .iter()
            .map(|&i| params.in_specs[i].clone())
            .chain(params.out_specs.iter().cloned()),
    );
    let out_specs = undefined
        .iter()
        .map(|&i| params.in_specs[i].clone())
        .collect();
    let results = bind_shard_map(transposed, mesh, in_specs, out_specs, &args)?;
    let mut results = results.into_iter();
    Ok(known
        .iter()
        .map(|k| match k {
            Some(_) => None,
            None => Some(Tangent::Value(results.next().expect("one per undefined"))),
        })
        .collect())
}

/// vmap of a `shard_map`: the body batched along a new leading axis of every batched
/// operand, which no mesh axis splits; batched outputs come back along axis 0.
pub(crate) fn batch(
    params: &ShardMapParams,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let body = params.body.0.clone();
    let moved = values
        .iter()
        .zip(dims)
        .map(|(v, d)| match d {
            Some(d) => move_axis(v, *d, 0),
            None => Ok(v.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    let in_dims: Vec<Option<usize>> = dims.iter().map(|d| d.map(|_| 0)).collect();
    let avals: Vec<ShapedArray> = body
        .in_avals()
        .iter()
        .zip(&in_dims)
        .map(|(aval, d)| match d {
            Some(_) => {
                let mut shape = aval.shape.clone();
                shape.insert(0, axis_size);
                aval.with_shape(shape)
            }
            None => aval.clone(),
        })
        .collect();
    let mut out_dims = Vec::new();
    let (batched, consts) = trace_closed(&avals, |blocks| {
        let (outs, dims) = batch_flat(|a| eval_jaxpr(&body, &a), blocks, &in_dims, axis_size)?;
        out_dims = dims.iter().map(|d| d.map(|_| 0)).collect();
        outs.iter()
            .zip(dims)
            .map(|(o, d)| match d {
                Some(d) => move_axis(o, d, 0),
                None => Ok(o.clone()),
            })
            .collect()
    })?;
    let in_specs = after_replicated(
        consts.len(),
        params.in_specs.iter().zip(&in_dims).map(|(s, d)| {
            if d.is_some() {
                s.insert_dim(0)
            } else {
                s.clone()
            }
        }),
    );
    let out_specs = params
        .out_specs
        .iter()
        .zip(&out_dims)
        .map(|(s, d): (&PartitionSpec, &Option<usize>)| {
            if d.is_some() {
                s.insert_dim(0)
            } else {
                s.clone()
            }
        })
        .collect();
    let mut args = consts;
    args.extend(moved);
    let outs = bind_shard_map(batched, &params.mesh, in_specs, out_specs, &args)?;
    Ok((outs, out_dims))
}
