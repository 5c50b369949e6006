//! Partial evaluation of `scan` (JAX's `_scan_partial_eval`): a known scan computing primals and residuals, and a linear one.

use super::*;

/// Which outputs of `jaxpr` depend on the inputs flagged in `unknown`, as the partial
/// evaluator splits it: control-flow equations with some known operands keep the outputs
/// that depend only on those known.
pub(crate) fn unknown_outputs(jaxpr: &Jaxpr, unknown: &[bool]) -> Vec<bool> {
    let mut vars: std::collections::HashSet<usize> = jaxpr
        .invars
        .iter()
        .zip(unknown)
        .filter(|(_, u)| **u)
        .map(|(v, _)| v.id)
        .collect();
    let is_unknown = |vars: &std::collections::HashSet<usize>, atom: &crate::jaxpr::Atom| matches!(atom, crate::jaxpr::Atom::Var(v) if vars.contains(&v.id));
    for eqn in &jaxpr.eqns {
        let in_unknown: Vec<bool> = eqn.inputs.iter().map(|a| is_unknown(&vars, a)).collect();
        if !in_unknown.iter().any(|u| *u) {
            continue;
        }
        let out_unknown = eqn_unknown_outputs(&eqn.primitive, &in_unknown, eqn.outputs.len());
        for (v, u) in eqn.outputs.iter().zip(out_unknown) {
            if u {
                vars.insert(v.id);
            }
        }
    }
    jaxpr.outvars.iter().map(|a| is_unknown(&vars, a)).collect()
}

/// The unknown outputs of one equation with some unknown operands (matching the partial
/// evaluation rules of `cond`, `scan` and `while`; everything else is staged whole).
pub(super) fn eqn_unknown_outputs(
    primitive: &Primitive,
    in_unknown: &[bool],
    n_out: usize,
) -> Vec<bool> {
    if in_unknown.iter().all(|u| *u) {
        return vec![true; n_out];
    }
    match primitive {
        Primitive::Cond { branches } if !in_unknown[0] => {
            let mut out = vec![false; n_out];
            for branch in branches {
                for (u, b) in out
                    .iter_mut()
                    .zip(unknown_outputs(&branch.0, &in_unknown[1..]))
                {
                    *u |= b;
                }
            }
            out
        }
        Primitive::Scan {
            body,
            num_consts,
            num_carry,
            ..
        } => scan_unknowns(&body.0, *num_consts, *num_carry, in_unknown).1,
        Primitive::While {
            cond,
            body,
            cond_nconsts,
            body_nconsts,
        } => {
            let (ncc, nbc) = (*cond_nconsts, *body_nconsts);
            let carry = while_carry_unknowns(&body.0, ncc, nbc, in_unknown);
            let mut cond_mask = in_unknown[..ncc].to_vec();
            cond_mask.extend(carry.iter().copied());
            if unknown_outputs(&cond.0, &cond_mask)[0] || carry.iter().all(|u| *u) {
                vec![true; n_out]
            } else {
                carry
            }
        }
        Primitive::ShardMap(params) => unknown_outputs(&params.body.0, in_unknown),
        Primitive::Checkpoint(params) => unknown_outputs(&params.jaxpr.0, in_unknown),
        _ => vec![true; n_out],
    }
}

/// The unknown inputs (with the carries made unknown by the body, to a fixed point) and the
/// unknown outputs of a scan whose operands are unknown as flagged.
pub(super) fn scan_unknowns(
    body: &Jaxpr,
    nc: usize,
    ncar: usize,
    in_unknown: &[bool],
) -> (Vec<bool>, Vec<bool>) {
    let mut unknown = in_unknown.to_vec();
    loop {
        let mut out = unknown_outputs(body, &unknown);
        let mut changed = false;
        for i in 0..ncar {
            if out[i] && !unknown[nc + i] {
                unknown[nc + i] = true;
                changed = true;
            }
            // A carry unknown on entry is unknown on exit, even if the body makes it known.
            out[i] = unknown[nc + i];
        }
        if !changed {
            return (unknown, out);
        }
    }
}

/// The unknown carries of a while loop, to a fixed point through the body.
pub(super) fn while_carry_unknowns(
    body: &Jaxpr,
    ncc: usize,
    nbc: usize,
    in_unknown: &[bool],
) -> Vec<bool> {
    let consts = ncc + nbc;
    let mut carry = in_unknown[consts..].to_vec();
    loop {
        let mut mask = in_unknown[ncc..consts].to_vec();
        mask.extend(carry.iter().copied());
        let out = unknown_outputs(body, &mask);
        let mut changed = false;
        for (c, o) in carry.iter_mut().zip(out) {
            if o && !*c {
                *c = true;
                changed = true;
            }
        }
        if !changed {
            return carry;
        }
    }
}

/// A residual of the known scan: loop-invariant (passed to the unknown scan as a constant) or
/// computed per iteration (stacked by the known scan, scanned over by the unknown one).
pub(super) enum Residual {
    Invariant(Array),
    Stacked,
}

/// Partial evaluation of `scan` with some known operands (JAX's `_scan_partial_eval`). The
/// carries that are unknown are found by fixed point; the body is split into a known body,
/// run as a scan on `parent` that also returns the residuals, and an unknown body, staged as
/// a scan on `trace` over the residuals.
pub(crate) fn scan_partial_eval(
    trace: &StagingTrace,
    parent: &Rc<dyn crate::core::trace::Trace>,
    primitive: &Primitive,
    args: &[Array],
) -> Result<Vec<Array>> {
    let Primitive::Scan {
        body,
        length,
        reverse,
        unroll,
        num_consts,
        num_carry,
    } = primitive
    else {
        unreachable!("scan_partial_eval of a scan")
    };
    let (length, reverse, nc, ncar) = (*length, *reverse, *num_consts, *num_carry);
    let in_unknown: Vec<bool> = args.iter().map(|a| trace.owns(a)).collect();
    let (unknown, out_unknown) = scan_unknowns(&body.0, nc, ncar, &in_unknown);
    let known_args: Vec<Array> = args
        .iter()
        .zip(&unknown)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.clone())
        .collect();
    let count = |range: std::ops::Range<usize>| range.filter(|&i| !unknown[i]).count();
    let (knc, kncar) = (count(0..nc), count(nc..nc + ncar));
    let body_avals = body.0.in_avals();
    let known_avals: Vec<ShapedArray> = body_avals
        .iter()
        .zip(&unknown)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a.clone())
        .collect();
    let mut unknown_jaxpr = None;
    let mut residuals: Vec<Residual> = Vec::new();
    let (known_body, known_hoisted) = trace_closed(&known_avals, |kargs| {
        let known_tag = current_trace().tag();
        let partial = Rc::new(StagingTrace::new(Some(current_trace())));
        let mut uvars = Vec::new();
        let mut full = Vec::new();
        let mut kargs_iter = kargs.iter();
        for (var, u) in body.0.invars.iter().zip(&unknown) {
            if *u {
                let (v, t) = partial.new_input(var.aval.clone());
                uvars.push(v);
                full.push(t);
            } else {
                full.push(kargs_iter.next().expect("one per known input").clone());
            }
        }
        let outs = with_trace(partial.clone(), || eval_jaxpr(&body.0, &full))?;
        let (unknown_outs, mut known_outs): (Vec<_>, Vec<_>) =
            outs.into_iter().zip(&out_unknown).partition(|(_, u)| **u);
        let unknown_outs: Vec<Array> = unknown_outs.into_iter().map(|(o, _)| o).collect();
        let lin = partial.finish(uvars, &unknown_outs)?;
        let mut stacked = Vec::new();
        for r in &lin.consts {
            let is_known_const = kargs[..knc]
                .iter()
                .position(|k| k.identity() == r.identity());
            let from_outside = r.tracer().is_none_or(|t| Some(t.tag) != known_tag);
            if let Some(j) = is_known_const {
                residuals.push(Residual::Invariant(known_args[j].clone()));
            } else if from_outside {
                residuals.push(Residual::Invariant(r.clone()));
            } else {
                residuals.push(Residual::Stacked);
                stacked.push(r.clone());
            }
        }
        unknown_jaxpr = Some(lin.jaxpr);
        let mut result: Vec<Array> = known_outs.drain(..).map(|(o, _)| o).collect();
        result.extend(stacked);
        Ok(result)
    })?;
    let unknown_jaxpr = unknown_jaxpr.expect("traced");
    // The known scan, on the parent.
    let mut known_call = known_hoisted.clone();
    known_call.extend(known_args.iter().cloned());
    let known_outs = with_trace(parent.clone(), || {
        bind(
            Primitive::Scan {
                body: JaxprRef(known_body),
                length,
                reverse,
                num_consts: known_hoisted.len() + knc,
                num_carry: kncar,
                unroll: *unroll,
            },
            &known_call,
        )
    })?;
    let num_known_outs = out_unknown.iter().filter(|u| !**u).count();
    let mut stacked = known_outs[num_known_outs..].iter();
    let mut known_outs = known_outs[..num_known_outs].iter();
    // The unknown scan: invariant residuals and unknown constants, unknown carries, stacked
    // residuals and unknown inputs.
    let mut invariant_vars = Vec::new();
    let mut invariant_vals = Vec::new();
    let mut stacked_vars = Vec::new();
    let mut stacked_vals = Vec::new();
    for (var, r) in unknown_jaxpr.constvars.iter().zip(residuals) {
        match r {
            Residual::Invariant(value) => {
                invariant_vars.push(var.clone());
                invariant_vals.push(value);
            }
            Residual::Stacked => {
                stacked_vars.push(var.clone());
                stacked_vals.push(stacked.next().expect("one per residual").clone());
            }
        }
    }
    let nuc = (0..nc).filter(|&i| unknown[i]).count();
    let nucar = (nc..nc + ncar).filter(|&i| unknown[i]).count();
    let uvars = &unknown_jaxpr.invars;
    let mut invars = invariant_vars;
    invars.extend(uvars[..nuc + nucar].iter().cloned());
    invars.extend(stacked_vars);
    invars.extend(uvars[nuc + nucar..].iter().cloned());
    let unknown_body = Jaxpr {
        constvars: Vec::new(),
        invars,
        eqns: unknown_jaxpr.eqns.clone(),
        outvars: unknown_jaxpr.outvars.clone(),
    };
    let uargs: Vec<Array> = args
        .iter()
        .zip(&unknown)
        .filter(|(_, u)| **u)
        .map(|(a, _)| a.clone())
        .collect();
    let mut staged_args = invariant_vals.clone();
    staged_args.extend(uargs[..nuc + nucar].iter().cloned());
    staged_args.extend(stacked_vals);
    staged_args.extend(uargs[nuc + nucar..].iter().cloned());
    let unknown_outs = trace.stage(
        &Primitive::Scan {
            body: JaxprRef(std::sync::Arc::new(unknown_body)),
            length,
            reverse,
            num_consts: invariant_vals.len() + nuc,
            num_carry: nucar,
            unroll: *unroll,
        },
        &staged_args,
    )?;
    let mut unknown_outs = unknown_outs.into_iter();
    Ok(out_unknown
        .iter()
        .map(|u| match u {
            true => unknown_outs.next().expect("one per unknown output"),
            false => known_outs.next().expect("one per known output").clone(),
        })
        .collect())
}
