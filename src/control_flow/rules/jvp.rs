//! JVP rules of the control-flow primitives, and the partial-evaluation rules of `cond` and `while`.

use super::*;

pub(super) fn instantiate_all(tangents: &[Tangent]) -> Result<Vec<Array>> {
    tangents.iter().map(Tangent::instantiate).collect()
}

/// The JVP of `cond` (JAX's `_cond_jvp`): one `cond` whose branches are the JVPs of the
/// branches, returning the primal outputs then the tangents of the differentiable ones. Under
/// `linearize` the partial evaluator splits it ([`cond_partial_eval`]).
pub(crate) fn cond_jvp(
    branches: &[JaxprRef],
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let out_avals = branches[0].0.out_avals();
    let differentiable: Vec<bool> = out_avals
        .iter()
        .map(|o| is_differentiable(o.dtype))
        .collect();
    let operands = &primals[1..];
    let operand_tangents = &tangents[1..];
    let traced = branches
        .iter()
        .map(|branch| {
            trace_closed(&[], |_| {
                let (mut outs, out_tangents) = jvp_flat(
                    |args| eval_jaxpr(&branch.0, &args),
                    operands.to_vec(),
                    operand_tangents.to_vec(),
                )?;
                for (t, d) in out_tangents.iter().zip(&differentiable) {
                    if *d {
                        outs.push(t.instantiate()?);
                    }
                }
                Ok(outs)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (jaxprs, consts) = join_consts(traced);
    let mut args = vec![primals[0].clone()];
    args.extend(consts);
    let outs = bind(Primitive::Cond { branches: jaxprs }, &args)?;
    let n = out_avals.len();
    let mut out_tangents = outs[n..].iter();
    let tangents = out_avals
        .iter()
        .zip(&differentiable)
        .map(|(aval, d)| match d {
            true => Tangent::Value(out_tangents.next().expect("one per output").clone()),
            false => Tangent::zero_for(aval),
        })
        .collect();
    Ok((outs[..n].to_vec(), tangents))
}

/// Partial evaluation of `cond` with a known index (JAX's `_cond_partial_eval`): a known
/// `cond` computes the known outputs and every branch's residuals (each branch fills the
/// others' with zeros, JAX's `_join_jaxpr_res`), and an unknown `cond` on the same index,
/// staged, computes the outputs that are unknown in any branch.
pub(crate) fn cond_partial_eval(
    trace: &StagingTrace,
    parent: &Rc<dyn crate::core::trace::Trace>,
    branches: &[JaxprRef],
    args: &[Array],
) -> Result<Vec<Array>> {
    let unknown: Vec<bool> = args.iter().map(|a| trace.owns(a)).collect();
    if unknown[0] {
        return trace.stage(
            &Primitive::Cond {
                branches: branches.to_vec(),
            },
            args,
        );
    }
    let ops_unknown = &unknown[1..];
    let n_out = branches[0].0.outvars.len();
    let mut out_unknown = vec![false; n_out];
    for branch in branches {
        for (u, b) in out_unknown
            .iter_mut()
            .zip(unknown_outputs(&branch.0, ops_unknown))
        {
            *u |= b;
        }
    }
    let operands = &args[1..];
    let known_ops: Vec<Array> = operands
        .iter()
        .zip(ops_unknown)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.clone())
        .collect();
    let known_avals: Vec<ShapedArray> = known_ops.iter().map(|a| a.aval().clone()).collect();
    // Per branch: the known part (known outputs, then residuals) and the unknown jaxpr
    // (residuals as constant variables).
    let mut parts = Vec::new();
    for branch in branches {
        let mut unknown_jaxpr = None;
        let known = trace_closed(&known_avals, |kops| {
            let partial = Rc::new(StagingTrace::new(Some(current_trace())));
            let mut uvars = Vec::new();
            let mut full = Vec::new();
            let mut kops = kops.iter();
            for (var, u) in branch.0.invars.iter().zip(ops_unknown) {
                if *u {
                    let (v, t) = partial.new_input(var.aval.clone());
                    uvars.push(v);
                    full.push(t);
                } else {
                    full.push(kops.next().expect("one per known operand").clone());
                }
            }
            let outs = with_trace(partial.clone(), || eval_jaxpr(&branch.0, &full))?;
            let (unknown_outs, known_outs): (Vec<_>, Vec<_>) =
                outs.into_iter().zip(&out_unknown).partition(|(_, u)| **u);
            let unknown_outs: Vec<Array> = unknown_outs.into_iter().map(|(o, _)| o).collect();
            let lin = partial.finish(uvars, &unknown_outs)?;
            let mut result: Vec<Array> = known_outs.into_iter().map(|(o, _)| o).collect();
            result.extend(lin.consts.iter().cloned());
            unknown_jaxpr = Some(lin.jaxpr);
            Ok(result)
        })?;
        parts.push((known, unknown_jaxpr.expect("traced")));
    }
    // Residual slots: branch b's residuals, in branch order.
    let n_known_out = out_unknown.iter().filter(|u| !**u).count();
    let res_avals: Vec<Vec<ShapedArray>> = parts
        .iter()
        .map(|(_, u)| u.constvars.iter().map(|v| v.aval.clone()).collect())
        .collect();
    let mut known_branches = Vec::new();
    for (b, ((jaxpr, hoisted), _)) in parts.iter().enumerate() {
        let num_hoisted = hoisted.len();
        let padded = trace_closed(&jaxpr.in_avals()[num_hoisted..], |kops| {
            let mut all = hoisted.clone();
            all.extend(kops);
            let outs = eval_jaxpr(jaxpr, &all)?;
            let mut result = outs[..n_known_out].to_vec();
            for (other, avals) in res_avals.iter().enumerate() {
                if other == b {
                    result.extend(outs[n_known_out..].iter().cloned());
                } else {
                    for aval in avals {
                        result.push(zeros(aval)?);
                    }
                }
            }
            Ok(result)
        })?;
        known_branches.push(padded);
    }
    let (known_jaxprs, known_consts) = join_consts(known_branches);
    let mut known_args = vec![args[0].clone()];
    known_args.extend(known_consts);
    known_args.extend(known_ops);
    let known_outs = with_trace(parent.clone(), || {
        bind(
            Primitive::Cond {
                branches: known_jaxprs,
            },
            &known_args,
        )
    })?;
    let residuals = known_outs[n_known_out..].to_vec();
    // The unknown cond: every branch takes all residual slots, then the unknown operands.
    let unknown_branches: Vec<JaxprRef> = parts
        .iter()
        .enumerate()
        .map(|(b, (_, jaxpr))| {
            let mut invars = Vec::new();
            for (other, avals) in res_avals.iter().enumerate() {
                if other == b {
                    invars.extend(jaxpr.constvars.iter().cloned());
                } else {
                    invars.extend(avals.iter().map(|a| crate::jaxpr::Var::fresh(a.clone())));
                }
            }
            invars.extend(jaxpr.invars.iter().cloned());
            JaxprRef(std::sync::Arc::new(Jaxpr {
                constvars: Vec::new(),
                invars,
                eqns: jaxpr.eqns.clone(),
                outvars: jaxpr.outvars.clone(),
            }))
        })
        .collect();
    let mut staged_args = vec![args[0].clone()];
    staged_args.extend(residuals);
    staged_args.extend(
        operands
            .iter()
            .zip(ops_unknown)
            .filter(|(_, u)| **u)
            .map(|(a, _)| a.clone()),
    );
    let unknown_outs = trace.stage(
        &Primitive::Cond {
            branches: unknown_branches,
        },
        &staged_args,
    )?;
    let mut unknown_outs = unknown_outs.into_iter();
    let mut known_outs = known_outs[..n_known_out].iter();
    Ok(out_unknown
        .iter()
        .map(|u| match u {
            true => unknown_outs.next().expect("one per unknown output"),
            false => known_outs.next().expect("one per known output").clone(),
        })
        .collect())
}

/// The JVP of `while` (JAX's `_while_loop_jvp`): one loop carrying the primals and the
/// tangents of the differentiable carries together. Under `linearize` the partial evaluator
/// splits off the known primal loop ([`while_partial_eval`]).
pub(crate) fn while_jvp(
    primitive: &Primitive,
    cond_nconsts: usize,
    body_nconsts: usize,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let Primitive::While { cond, body, .. } = primitive else {
        unreachable!("while_jvp of a while")
    };
    let consts = cond_nconsts + body_nconsts;
    if tangents[cond_nconsts..].iter().all(Tangent::is_zero) {
        let outs = bind(primitive.clone(), primals)?;
        let zeros = outs.iter().map(|o| Tangent::zero_for(o.aval())).collect();
        return Ok((outs, zeros));
    }
    let cond_consts = &primals[..cond_nconsts];
    let body_consts = &primals[cond_nconsts..consts];
    let body_const_tangents = &tangents[cond_nconsts..consts];
    let init = &primals[consts..];
    let n = init.len();
    // Which carries get a tangent: the differentiable ones.
    let tangent_of: Vec<bool> = init.iter().map(|x| is_differentiable(x.dtype())).collect();
    let mut carry = init.to_vec();
    for (x, (t, d)) in init.iter().zip(tangents[consts..].iter().zip(&tangent_of)) {
        if *d {
            carry.push(match t {
                Tangent::Zero(_) => zeros(&tangent_aval(x.aval()))?,
                Tangent::Value(v) => v.clone(),
            });
        }
    }
    let tangent_pack = |carry: &[Array]| -> Vec<Tangent> {
        let mut ts = carry[n..].iter();
        carry[..n]
            .iter()
            .zip(&tangent_of)
            .map(|(x, d)| match d {
                true => Tangent::Value(ts.next().expect("one per carry").clone()),
                false => Tangent::zero_for(x.aval()),
            })
            .collect()
    };
    let outs = while_flat(
        |carry| {
            let mut args = cond_consts.to_vec();
            args.extend(carry[..n].iter().cloned());
            Ok(eval_jaxpr(&cond.0, &args)?.swap_remove(0))
        },
        |carry| {
            let mut args = body_consts.to_vec();
            args.extend(carry[..n].iter().cloned());
            let mut arg_tangents = body_const_tangents.to_vec();
            arg_tangents.extend(tangent_pack(&carry));
            let (p, t) = jvp_flat(|a| eval_jaxpr(&body.0, &a), args, arg_tangents)?;
            let mut next = p;
            for (t, d) in t.iter().zip(&tangent_of) {
                if *d {
                    next.push(t.instantiate()?);
                }
            }
            Ok(next)
        },
        carry,
    )?;
    let out_tangents = tangent_pack(&outs);
    Ok((outs[..n].to_vec(), out_tangents))
}

/// Partial evaluation of `while` (JAX's `_while_partial_eval`): when the predicate and some
/// carries are known, those carries are computed by a known loop on `parent`; the whole loop
/// is staged for the unknown ones (recomputing the known part, as JAX does).
pub(crate) fn while_partial_eval(
    trace: &StagingTrace,
    parent: &Rc<dyn crate::core::trace::Trace>,
    primitive: &Primitive,
    args: &[Array],
) -> Result<Vec<Array>> {
    let Primitive::While {
        cond,
        body,
        cond_nconsts,
        body_nconsts,
    } = primitive
    else {
        unreachable!("while_partial_eval of a while")
    };
    let (ncc, nbc) = (*cond_nconsts, *body_nconsts);
    let consts = ncc + nbc;
    let unknown: Vec<bool> = args.iter().map(|a| trace.owns(a)).collect();
    let carry_unknown = while_carry_unknowns(&body.0, ncc, nbc, &unknown);
    let mut cond_mask = unknown[..ncc].to_vec();
    cond_mask.extend(carry_unknown.iter().copied());
    let cond_unknown = unknown_outputs(&cond.0, &cond_mask)[0];
    let staged = trace.stage(primitive, args)?;
    if cond_unknown || carry_unknown.iter().all(|u| *u) {
        return Ok(staged);
    }
    // The known loop, on the known carries; unknown values are replaced by zeros, on which
    // nothing it computes depends.
    let fill = |values: &[Array], known: &[Array], mask: &[bool]| -> Result<Vec<Array>> {
        let mut known = known.iter();
        values
            .iter()
            .zip(mask)
            .map(|(v, u)| match u {
                true => zeros(v.aval()),
                false => Ok(known.next().expect("one per known value").clone()),
            })
            .collect()
    };
    let mask_zeros = |values: &[Array], mask: &[bool]| -> Result<Vec<Array>> {
        values
            .iter()
            .zip(mask)
            .map(|(v, u)| match u {
                true => zeros(v.aval()),
                false => Ok(v.clone()),
            })
            .collect()
    };
    let carry_init = &args[consts..];
    let known_init: Vec<Array> = carry_init
        .iter()
        .zip(&carry_unknown)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.clone())
        .collect();
    let known_outs = with_trace(parent.clone(), || {
        while_flat(
            |kc| {
                let mut cargs = mask_zeros(&args[..ncc], &unknown[..ncc])?;
                cargs.extend(fill(carry_init, &kc, &carry_unknown)?);
                Ok(eval_jaxpr(&cond.0, &cargs)?.swap_remove(0))
            },
            |kc| {
                let mut bargs = mask_zeros(&args[ncc..consts], &unknown[ncc..consts])?;
                bargs.extend(fill(carry_init, &kc, &carry_unknown)?);
                let outs = eval_jaxpr(&body.0, &bargs)?;
                Ok(outs
                    .into_iter()
                    .zip(&carry_unknown)
                    .filter(|(_, u)| !**u)
                    .map(|(o, _)| o)
                    .collect())
            },
            known_init,
        )
    })?;
    let mut known_outs = known_outs.into_iter();
    Ok(staged
        .into_iter()
        .zip(&carry_unknown)
        .map(|(s, u)| match u {
            true => s,
            false => known_outs.next().expect("one per known carry"),
        })
        .collect())
}

/// The JVP of `scan` (JAX's `_scan_jvp`): one scan whose body is the JVP of the body,
/// carrying the primal and the (differentiable) tangent carries together. Under `linearize`
/// the partial evaluator splits it ([`scan_partial_eval`]).
pub(crate) fn scan_jvp(
    primitive: &Primitive,
    primals: &[Array],
    tangents: &[Tangent],
) -> Result<(Vec<Array>, Vec<Tangent>)> {
    let Primitive::Scan {
        body,
        length,
        reverse,
        unroll,
        num_consts,
        num_carry,
    } = primitive
    else {
        unreachable!("scan_jvp of a scan")
    };
    let (length, reverse, nc, ncar) = (*length, *reverse, *num_consts, *num_carry);
    let consts_p = &primals[..nc];
    let init_p = &primals[nc..nc + ncar];
    let xs_p = &primals[nc + ncar..];
    let const_tangents = &tangents[..nc];
    let x_tangents = &tangents[nc + ncar..];
    let carry_d: Vec<bool> = init_p
        .iter()
        .map(|x| is_differentiable(x.dtype()))
        .collect();
    let out_d: Vec<bool> = body.0.out_avals()[ncar..]
        .iter()
        .map(|y| is_differentiable(y.dtype))
        .collect();
    let mut carry = init_p.to_vec();
    for ((x, t), d) in init_p.iter().zip(&tangents[nc..nc + ncar]).zip(&carry_d) {
        if *d {
            carry.push(match t {
                Tangent::Zero(_) => zeros(&tangent_aval(x.aval()))?,
                Tangent::Value(v) => v.clone(),
            });
        }
    }
    let nt = carry.len() - ncar;
    let mut xs = xs_p.to_vec();
    xs.extend(x_tangents.iter().filter_map(|t| match t {
        Tangent::Value(v) => Some(v.clone()),
        Tangent::Zero(_) => None,
    }));
    let nx = xs_p.len();
    let mut avals: Vec<ShapedArray> = carry.iter().map(|c| c.aval().clone()).collect();
    avals.extend(xs.iter().map(|x| slice_aval(x.aval())));
    let (joint, hoisted) = trace_closed(&avals, |args| {
        let carry_p = &args[..ncar];
        let mut carry_t = args[ncar..ncar + nt].iter();
        let x_p = &args[ncar + nt..ncar + nt + nx];
        let mut x_t = args[ncar + nt + nx..].iter();
        let mut body_primals = consts_p.to_vec();
        body_primals.extend(carry_p.iter().cloned());
        body_primals.extend(x_p.iter().cloned());
        let mut body_tangents = const_tangents.to_vec();
        for (c, d) in carry_p.iter().zip(&carry_d) {
            body_tangents.push(match d {
                true => Tangent::Value(carry_t.next().expect("one per carry").clone()),
                false => Tangent::zero_for(c.aval()),
            });
        }
        for t in x_tangents {
            body_tangents.push(match t {
                Tangent::Value(_) => Tangent::Value(x_t.next().expect("one per tangent").clone()),
                Tangent::Zero(aval) => Tangent::Zero(slice_aval(aval)),
            });
        }
        let (out_p, out_t) = jvp_flat(|a| eval_jaxpr(&body.0, &a), body_primals, body_tangents)?;
        let mut result: Vec<Array> = out_p[..ncar].to_vec();
        for (t, d) in out_t[..ncar].iter().zip(&carry_d) {
            if *d {
                result.push(t.instantiate()?);
            }
        }
        result.extend(out_p[ncar..].iter().cloned());
        for (t, d) in out_t[ncar..].iter().zip(&out_d) {
            if *d {
                result.push(t.instantiate()?);
            }
        }
        Ok(result)
    })?;
    let mut args = hoisted.clone();
    args.extend(carry);
    args.extend(xs);
    let outs = bind(
        Primitive::Scan {
            body: JaxprRef(joint),
            length,
            reverse,
            num_consts: hoisted.len(),
            num_carry: ncar + nt,
            unroll: *unroll,
        },
        &args,
    )?;
    let ny = out_d.len();
    let mut primal_outs: Vec<Array> = outs[..ncar].to_vec();
    primal_outs.extend(outs[ncar + nt..ncar + nt + ny].iter().cloned());
    let mut carry_t = outs[ncar..ncar + nt].iter();
    let mut ys_t = outs[ncar + nt + ny..].iter();
    let mut out_tangents = Vec::new();
    for (o, d) in primal_outs[..ncar].iter().zip(&carry_d) {
        out_tangents.push(match d {
            true => Tangent::Value(carry_t.next().expect("one per carry").clone()),
            false => Tangent::zero_for(o.aval()),
        });
    }
    for (o, d) in primal_outs[ncar..].iter().zip(&out_d) {
        out_tangents.push(match d {
            true => Tangent::Value(ys_t.next().expect("one per output").clone()),
            false => Tangent::zero_for(o.aval()),
        });
    }
    Ok((primal_outs, out_tangents))
}
