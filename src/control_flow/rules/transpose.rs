//! Transposition of the linear `cond` and `scan`.

use super::*;

/// The cotangents of the unknown inputs (`known[i] == None`) of `jaxpr`, linear in them, given
/// the cotangents of its outputs: the jaxpr is partially evaluated with the known inputs (the
/// known part runs on the current trace) and its linear part is transposed.
pub(crate) fn backward_jaxpr(
    jaxpr: &Jaxpr,
    known: &[Option<Array>],
    cts: Vec<Tangent>,
) -> Result<Vec<Tangent>> {
    let partial = Rc::new(StagingTrace::new(Some(current_trace())));
    let mut vars = Vec::new();
    let mut args = Vec::new();
    for (var, value) in jaxpr.invars.iter().zip(known) {
        match value {
            Some(value) => args.push(value.clone()),
            None => {
                let (var, tracer) = partial.new_input(var.aval.clone());
                vars.push(var);
                args.push(tracer);
            }
        }
    }
    let outs = with_trace(partial.clone(), || eval_jaxpr(jaxpr, &args))?;
    let linear = partial.finish(vars, &outs)?;
    backward_pass(&linear.jaxpr, &linear.consts, cts)
}

pub(crate) fn known_value(input: &LinearInput) -> Option<Array> {
    match input {
        LinearInput::Known(value) => Some(value.clone()),
        LinearInput::Undefined(_) => None,
    }
}

/// The transpose of a `cond` linear in its undefined operands: a `cond` on the same index
/// whose branches are the branches' transposes.
pub(crate) fn cond_transpose(
    branches: &[JaxprRef],
    cts: &[Tangent],
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let LinearInput::Known(index) = &inputs[0] else {
        return Err(Error::invalid(
            "cond",
            "cannot transpose with respect to the branch index",
        ));
    };
    let operands = &inputs[1..];
    let cts = instantiate_all(cts)?;
    let known: Vec<Option<Array>> = operands.iter().map(known_value).collect();
    let traced = branches
        .iter()
        .map(|branch| {
            trace_closed(&[], |_| {
                let cts = cts.iter().cloned().map(Tangent::Value).collect();
                instantiate_all(&backward_jaxpr(&branch.0, &known, cts)?)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (jaxprs, consts) = join_consts(traced);
    let mut args = vec![index.clone()];
    args.extend(consts);
    let mut results = bind(Primitive::Cond { branches: jaxprs }, &args)?.into_iter();
    let mut out = vec![None];
    for operand in operands {
        out.push(match operand {
            LinearInput::Known(_) => None,
            LinearInput::Undefined(_) => {
                Some(Tangent::Value(results.next().expect("one per operand")))
            }
        });
    }
    Ok(out)
}

/// The transpose of a `scan` linear in its carry and its undefined constants and inputs: a
/// scan in the other direction carrying the carry's cotangent and accumulating the constants'.
pub(crate) fn scan_transpose(
    primitive: &Primitive,
    cts: &[Tangent],
    inputs: &[LinearInput],
) -> Result<Vec<Option<Tangent>>> {
    let Primitive::Scan {
        body,
        length,
        reverse,
        unroll,
        num_consts,
        num_carry,
    } = primitive
    else {
        unreachable!("scan_transpose of a scan")
    };
    let (length, reverse, nc, ncar) = (*length, *reverse, *num_consts, *num_carry);
    let consts_in = &inputs[..nc];
    let init_in = &inputs[nc..nc + ncar];
    let xs_in = &inputs[nc + ncar..];
    let ct_carry = instantiate_all(&cts[..ncar])?;
    let ct_ys = instantiate_all(&cts[ncar..])?;
    let undefined_consts: Vec<ShapedArray> = consts_in
        .iter()
        .filter(|i| matches!(i, LinearInput::Undefined(_)))
        .map(|i| tangent_aval(i.aval()))
        .collect();
    let known_xs: Vec<Array> = xs_in.iter().filter_map(known_value).collect();
    let nu = undefined_consts.len();
    let nkx = known_xs.len();
    let mut avals = undefined_consts.clone();
    avals.extend(ct_carry.iter().map(|c| c.aval().clone()));
    avals.extend(known_xs.iter().map(|x| slice_aval(x.aval())));
    avals.extend(ct_ys.iter().map(|y| slice_aval(y.aval())));
    let (transposed, consts) = trace_closed(&avals, |args| {
        let acc = &args[..nu];
        let ctc = &args[nu..nu + ncar];
        let mut kx = args[nu + ncar..nu + ncar + nkx].iter();
        let cty = &args[nu + ncar + nkx..];
        let mut known: Vec<Option<Array>> = consts_in.iter().map(known_value).collect();
        known.extend(std::iter::repeat_n(None, ncar));
        for x in xs_in {
            known.push(match x {
                LinearInput::Known(_) => Some(kx.next().expect("one per known input").clone()),
                LinearInput::Undefined(_) => None,
            });
        }
        let cts: Vec<Tangent> = ctc.iter().chain(cty).cloned().map(Tangent::Value).collect();
        let result = instantiate_all(&backward_jaxpr(&body.0, &known, cts)?)?;
        let mut out = Vec::new();
        for (a, c) in acc.iter().zip(&result[..nu]) {
            out.push(lax_rules::add(a, c)?);
        }
        out.extend(result[nu..].iter().cloned());
        Ok(out)
    })?;
    let mut args = consts.clone();
    for aval in &undefined_consts {
        args.push(zeros(aval)?);
    }
    args.extend(ct_carry);
    args.extend(known_xs);
    args.extend(ct_ys);
    let outs = bind(
        Primitive::Scan {
            body: JaxprRef(transposed),
            length,
            reverse: !reverse,
            num_consts: consts.len(),
            num_carry: nu + ncar,
            unroll: *unroll,
        },
        &args,
    )?;
    let mut const_cts = outs[..nu].iter();
    let carry_cts = &outs[nu..nu + ncar];
    let mut x_cts = outs[nu + ncar..].iter();
    let mut result = Vec::new();
    for c in consts_in {
        result.push(match c {
            LinearInput::Known(_) => None,
            LinearInput::Undefined(_) => Some(Tangent::Value(
                const_cts.next().expect("one per constant").clone(),
            )),
        });
    }
    for (c, ct) in init_in.iter().zip(carry_cts) {
        result.push(match c {
            LinearInput::Known(_) => None,
            LinearInput::Undefined(_) => Some(Tangent::Value(ct.clone())),
        });
    }
    for x in xs_in {
        result.push(match x {
            LinearInput::Known(_) => None,
            LinearInput::Undefined(_) => {
                Some(Tangent::Value(x_cts.next().expect("one per input").clone()))
            }
        });
    }
    Ok(result)
}

/// JAX's error for reverse-mode differentiation of a while loop.
pub(crate) fn while_transpose_error() -> Error {
    Error::invalid(
        "while_loop",
        "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with \
         dynamic start/stop values. Try using lax.scan, or using fori_loop with static \
         start/stop.",
    )
}
