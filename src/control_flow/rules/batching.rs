//! Batching rules of the control-flow primitives.

use super::*;

pub(super) fn all_at_front(
    outs: Vec<Array>,
    dims: Vec<Option<usize>>,
    size: usize,
) -> Result<Vec<Array>> {
    outs.iter()
        .zip(dims)
        .map(|(o, d)| bdim_at_front(o, d, size))
        .collect()
}

/// `cond` batched: with a batched index, both branches run and `select_n` picks (as JAX);
/// otherwise a `cond` of the batched branches.
pub(crate) fn cond_batch(
    branches: &[JaxprRef],
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let operands = &values[1..];
    let operand_dims = &dims[1..];
    let run_batched = |branch: &JaxprRef| -> Result<Vec<Array>> {
        let (outs, out_dims) = batch_flat(
            |args| eval_jaxpr(&branch.0, &args),
            operands.to_vec(),
            operand_dims,
            axis_size,
        )?;
        all_at_front(outs, out_dims, axis_size)
    };
    if let Some(index_dim) = dims[0] {
        let index = move_axis(&values[0], index_dim, 0)?;
        let cases = branches
            .iter()
            .map(run_batched)
            .collect::<Result<Vec<_>>>()?;
        let mut outs = Vec::new();
        for k in 0..cases[0].len() {
            let shape = cases[0][k].shape().to_vec();
            let which = lax_rules::broadcast_in_dim(&index, &shape, &[0])?;
            let options: Vec<Array> = cases.iter().map(|c| c[k].clone()).collect();
            outs.push(lax_rules::select_n(&which, &options)?);
        }
        let n = outs.len();
        return Ok((outs, vec![Some(0); n]));
    }
    let traced = branches
        .iter()
        .map(|branch| trace_closed(&[], |_| run_batched(branch)))
        .collect::<Result<Vec<_>>>()?;
    let (jaxprs, consts) = join_consts(traced);
    let mut args = vec![values[0].clone()];
    args.extend(consts);
    let outs = bind(Primitive::Cond { branches: jaxprs }, &args)?;
    let n = outs.len();
    Ok((outs, vec![Some(0); n]))
}

/// `while` batched: every carry is batched; a batched predicate runs the loop while any
/// example needs it, and the finished examples keep their values (JAX's `_while_loop_batching_rule`).
pub(crate) fn while_batch(
    cond: &JaxprRef,
    body: &JaxprRef,
    cond_nconsts: usize,
    body_nconsts: usize,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let consts = cond_nconsts + body_nconsts;
    let init = values[consts..]
        .iter()
        .zip(&dims[consts..])
        .map(|(v, d)| bdim_at_front(v, *d, axis_size))
        .collect::<Result<Vec<_>>>()?;
    let n = init.len();
    let cond_consts = &values[..cond_nconsts];
    let cond_dims = &dims[..cond_nconsts];
    let body_consts = &values[cond_nconsts..consts];
    let body_dims = &dims[cond_nconsts..consts];
    let batched_pred = |carry: &[Array]| -> Result<(Array, Option<usize>)> {
        let mut args = cond_consts.to_vec();
        args.extend(carry.iter().cloned());
        let mut in_dims = cond_dims.to_vec();
        in_dims.extend(std::iter::repeat_n(Some(0), n));
        let (outs, out_dims) = batch_flat(|a| eval_jaxpr(&cond.0, &a), args, &in_dims, axis_size)?;
        Ok((outs[0].clone(), out_dims[0]))
    };
    let batched_body = |carry: &[Array]| -> Result<Vec<Array>> {
        let mut args = body_consts.to_vec();
        args.extend(carry.iter().cloned());
        let mut in_dims = body_dims.to_vec();
        in_dims.extend(std::iter::repeat_n(Some(0), n));
        let (outs, out_dims) = batch_flat(|a| eval_jaxpr(&body.0, &a), args, &in_dims, axis_size)?;
        all_at_front(outs, out_dims, axis_size)
    };
    let avals: Vec<ShapedArray> = init.iter().map(|x| x.aval().clone()).collect();
    let mut pred_batched = false;
    let probe = make_jaxpr_flat(&avals, |carry| {
        let (pred, dim) = batched_pred(&carry)?;
        pred_batched = dim.is_some();
        Ok(vec![pred])
    });
    probe?;
    let outs = if pred_batched {
        while_flat(
            |carry| {
                let (pred, dim) = batched_pred(&carry)?;
                let pred = bdim_at_front(&pred, dim, axis_size)?;
                bind1(
                    Primitive::Reduce {
                        op: ReduceOp::Or,
                        axes: vec![0],
                    },
                    &[pred],
                )
            },
            |carry| {
                let (pred, dim) = batched_pred(&carry)?;
                let pred = bdim_at_front(&pred, dim, axis_size)?;
                let new = batched_body(&carry)?;
                carry
                    .iter()
                    .zip(new)
                    .map(|(old, new)| {
                        let which = lax_rules::broadcast_in_dim(&pred, old.shape(), &[0])?;
                        lax_rules::select_n(&which, &[old.clone(), new])
                    })
                    .collect()
            },
            init,
        )?
    } else {
        while_flat(
            |carry| Ok(batched_pred(&carry)?.0),
            |carry| batched_body(&carry),
            init,
        )?
    };
    Ok((outs, vec![Some(0); n]))
}

/// `scan` batched: carries batched at 0, scanned inputs at 1 (so each slice is batched at 0),
/// stacked outputs at 1.
pub(crate) fn scan_batch(
    primitive: &Primitive,
    axis_size: usize,
    values: &[Array],
    dims: &[Option<usize>],
) -> Result<Batched> {
    let Primitive::Scan {
        body,
        length,
        reverse,
        unroll,
        num_consts,
        num_carry,
    } = primitive
    else {
        unreachable!("scan_batch of a scan")
    };
    let (nc, ncar) = (*num_consts, *num_carry);
    let consts = &values[..nc];
    let const_dims = &dims[..nc];
    let init = values[nc..nc + ncar]
        .iter()
        .zip(&dims[nc..nc + ncar])
        .map(|(v, d)| bdim_at_front(v, *d, axis_size))
        .collect::<Result<Vec<_>>>()?;
    let mut xs = Vec::new();
    let mut slice_dims = Vec::new();
    for (x, d) in values[nc + ncar..].iter().zip(&dims[nc + ncar..]) {
        match d {
            Some(d) => {
                xs.push(move_axis(x, *d, 1)?);
                slice_dims.push(Some(0));
            }
            None => {
                xs.push(x.clone());
                slice_dims.push(None);
            }
        }
    }
    let mut avals: Vec<ShapedArray> = init.iter().map(|x| x.aval().clone()).collect();
    avals.extend(xs.iter().map(|x| slice_aval(x.aval())));
    let (batched, hoisted) = trace_closed(&avals, |args| {
        let mut body_args = consts.to_vec();
        body_args.extend(args);
        let mut in_dims = const_dims.to_vec();
        in_dims.extend(std::iter::repeat_n(Some(0), ncar));
        in_dims.extend(slice_dims.iter().cloned());
        let (outs, out_dims) =
            batch_flat(|a| eval_jaxpr(&body.0, &a), body_args, &in_dims, axis_size)?;
        all_at_front(outs, out_dims, axis_size)
    })?;
    let mut args = hoisted.clone();
    args.extend(init);
    args.extend(xs);
    let outs = bind(
        Primitive::Scan {
            body: JaxprRef(batched),
            length: *length,
            reverse: *reverse,
            num_consts: hoisted.len(),
            num_carry: ncar,
            unroll: *unroll,
        },
        &args,
    )?;
    let out_dims = (0..outs.len())
        .map(|i| Some(if i < ncar { 0 } else { 1 }))
        .collect();
    Ok((outs, out_dims))
}
