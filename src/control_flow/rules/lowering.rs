//! Lowering of the control-flow primitives to StableHLO (`case`, `while`, and scan as a while loop).

use super::*;
use crate::cache::BoundedCache;
use crate::lax::IndexingOp;

/// `stablehlo.case` with one region per branch, each calling the branch's function.
pub(crate) fn cond_lower(
    branches: &[JaxprRef],
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    avals_out: &[ShapedArray],
) -> Result<Vec<String>> {
    let mut regions = Vec::new();
    for (b, branch) in branches.iter().enumerate() {
        regions.push(f.region(&[], |f, _| {
            let outs = crate::jit::call_lower(
                branch,
                &format!("branch_{b}"),
                f,
                &args[1..],
                &avals_in[1..],
                avals_out,
            )?;
            Ok(outs.into_iter().zip(avals_out.iter().cloned()).collect())
        })?);
    }
    Ok(f.op_with_regions(
        "stablehlo.case",
        &args[..1],
        &avals_in[..1],
        avals_out,
        "",
        &regions,
    ))
}

/// `stablehlo.while` carrying the constants of both functions and the carry (as JAX lowers
/// it); the regions call the functions.
pub(crate) fn while_lower(
    cond: &JaxprRef,
    body: &JaxprRef,
    cond_nconsts: usize,
    body_nconsts: usize,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
) -> Result<Vec<String>> {
    let consts = cond_nconsts + body_nconsts;
    let cond_region = f.region(avals_in, |f, vals| {
        let cond_args: Vec<String> = vals[..cond_nconsts]
            .iter()
            .chain(&vals[consts..])
            .cloned()
            .collect();
        let cond_avals: Vec<ShapedArray> = avals_in[..cond_nconsts]
            .iter()
            .chain(&avals_in[consts..])
            .cloned()
            .collect();
        let out_avals = cond.0.out_avals();
        let outs =
            crate::jit::call_lower(cond, "while_cond", f, &cond_args, &cond_avals, &out_avals)?;
        Ok(outs.into_iter().zip(out_avals).collect())
    })?;
    let body_region = f.region(avals_in, |f, vals| {
        let carry_avals = avals_in[consts..].to_vec();
        let outs = crate::jit::call_lower(
            body,
            "while_body",
            f,
            &vals[cond_nconsts..],
            &avals_in[cond_nconsts..],
            &carry_avals,
        )?;
        Ok(vals[..consts]
            .iter()
            .cloned()
            .chain(outs)
            .zip(avals_in.iter().cloned())
            .collect())
    })?;
    let outs = f.op_with_regions(
        "stablehlo.while",
        args,
        avals_in,
        avals_in,
        "",
        &[cond_region, body_region],
    );
    Ok(outs[consts..].to_vec())
}

pub(super) type ScanLoweringKey = (Primitive, Vec<ShapedArray>);

/// A scan lowered as JAX's `_scan_impl` does: a while loop over a counter that slices each
/// step's inputs with `dynamic_slice` and writes its outputs with `dynamic_update_slice`.
/// The loop is staged into a jaxpr (kept in a bounded cache, so that lowering the same scan
/// again reuses its function) and lowered as a call.
pub(crate) fn scan_lower(
    primitive: &Primitive,
    f: &mut FunctionBuilder<'_>,
    args: &[String],
    avals_in: &[ShapedArray],
    avals_out: &[ShapedArray],
) -> Result<Vec<String>> {
    static CACHE: OnceLock<Mutex<BoundedCache<ScanLoweringKey, JaxprRef>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (primitive.clone(), avals_in.to_vec());
    let cached = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key);
    let jaxpr = match cached {
        Some(jaxpr) => jaxpr,
        None => {
            let closed = make_jaxpr_flat(avals_in, |args| scan_impl(primitive, args))?;
            if !closed.consts.is_empty() {
                return Err(Error::invalid(
                    "scan",
                    "lowering the loop captured constants",
                ));
            }
            let bytes = crate::cache::staged_bytes(&closed.jaxpr, &[]);
            let jaxpr = JaxprRef(closed.jaxpr);
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, jaxpr.clone(), bytes);
            jaxpr
        }
    };
    crate::jit::call_lower(&jaxpr, "scan", f, args, avals_in, avals_out)
}

pub(super) fn scan_impl(primitive: &Primitive, args: Vec<Array>) -> Result<Vec<Array>> {
    let Primitive::Scan {
        body,
        length,
        reverse,
        unroll,
        num_consts,
        num_carry,
    } = primitive
    else {
        unreachable!("scan_impl of a scan")
    };
    let (length, reverse, nc, ncar) = (*length, *reverse, *num_consts, *num_carry);
    let unroll = (*unroll).max(1);
    let consts = args[..nc].to_vec();
    let xs = args[nc + ncar..].to_vec();
    let y_avals: Vec<ShapedArray> = body.0.out_avals()[ncar..].to_vec();
    let mut init = args[nc..nc + ncar].to_vec();
    for y in &y_avals {
        let mut shape = vec![length];
        shape.extend(&y.shape);
        init.push(zeros(&ShapedArray::new(shape, y.dtype))?);
    }
    // One body step at iteration `j` (an int32 scalar) on the state (carry, stacked outputs).
    let step = |j: &Array, state: &[Array]| -> Result<Vec<Array>> {
        let index = if reverse {
            lax_rules::sub(&Array::scalar(length as i32 - 1), j)?
        } else {
            j.clone()
        };
        let zero = Array::scalar(0i32);
        let mut body_args = consts.clone();
        body_args.extend(state[..ncar].iter().cloned());
        for x in &xs {
            let mut starts = vec![&index];
            starts.extend(std::iter::repeat_n(&zero, x.ndim() - 1));
            let mut sizes = x.shape().to_vec();
            sizes[0] = 1;
            // The index is in bounds: no negative-index normalisation (JAX's
            // `allow_negative_indices=False`).
            let mut operands = vec![x.clone()];
            operands.extend(starts.into_iter().cloned());
            let slice = bind1(
                Primitive::Indexing(IndexingOp::DynamicSlice { slice_sizes: sizes }),
                &operands,
            )?;
            body_args.push(lax_rules::reshape(&slice, &x.shape()[1..])?);
        }
        let outs = eval_jaxpr(&body.0, &body_args)?;
        let mut next = outs[..ncar].to_vec();
        for (ys, y) in state[ncar..].iter().zip(&outs[ncar..]) {
            let mut shape = vec![1];
            shape.extend(y.shape());
            let y = lax_rules::reshape(y, &shape)?;
            let mut starts = vec![&index];
            starts.extend(std::iter::repeat_n(&zero, y.ndim() - 1));
            let mut operands = vec![ys.clone(), y];
            operands.extend(starts.into_iter().cloned());
            next.push(bind1(
                Primitive::Indexing(IndexingOp::DynamicUpdateSlice),
                &operands,
            )?);
        }
        Ok(next)
    };
    // JAX's `_scan_impl` with `unroll`: a loop running `unroll` steps per iteration over the
    // first `length - length % unroll` steps, then the remaining steps.
    let blocked = length - length % unroll;
    let mut state = init;
    if blocked > 0 {
        let bound = Array::scalar(blocked as i32);
        let mut carry = vec![Array::scalar(0i32)];
        carry.extend(state);
        let outs = while_flat(
            |carry| lax_rules::compare(Comparison::Lt, &carry[0], &bound),
            |carry| {
                let i = &carry[0];
                let mut state = carry[1..].to_vec();
                for k in 0..unroll {
                    let j = if k == 0 {
                        i.clone()
                    } else {
                        lax_rules::add(i, &Array::scalar(k as i32))?
                    };
                    state = step(&j, &state)?;
                }
                let mut next = vec![lax_rules::add(i, &Array::scalar(unroll as i32))?];
                next.extend(state);
                Ok(next)
            },
            carry,
        )?;
        state = outs[1..].to_vec();
    }
    for j in blocked..length {
        state = step(&Array::scalar(j as i32), &state)?;
    }
    Ok(state)
}
