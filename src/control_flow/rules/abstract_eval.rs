//! Abstract evaluation of the control-flow primitives.

use super::*;

pub(crate) fn cond_abstract_eval(
    branches: &[JaxprRef],
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    let Some((index, operands)) = avals.split_first() else {
        return Err(Error::invalid("cond", "needs an index operand"));
    };
    if index.dtype != DType::I32 || !index.shape.is_empty() {
        return Err(Error::invalid(
            "cond",
            format!("the index must be an int32 scalar, got {index}"),
        ));
    }
    let Some(first) = branches.first() else {
        return Err(Error::invalid("cond", "needs at least one branch"));
    };
    let out = first.0.out_avals();
    for (b, branch) in branches.iter().enumerate() {
        check_inputs("cond", &format!("branch {b}"), &branch.0, operands)?;
        let other = branch.0.out_avals();
        if other.len() != out.len() || !other.iter().zip(&out).all(|(a, b)| typematch(a, b)) {
            return Err(Error::invalid(
                "cond",
                format!(
                    "branch 0 and branch {b} outputs must have identical types, got {} and {}",
                    show(&out),
                    show(&other)
                ),
            ));
        }
    }
    Ok(out)
}

pub(crate) fn while_abstract_eval(
    cond: &JaxprRef,
    body: &JaxprRef,
    cond_nconsts: usize,
    body_nconsts: usize,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    if avals.len() < cond_nconsts + body_nconsts {
        return Err(Error::invalid("while", "too few operands"));
    }
    let carry = &avals[cond_nconsts + body_nconsts..];
    let cond_in: Vec<ShapedArray> = avals[..cond_nconsts].iter().chain(carry).cloned().collect();
    check_inputs("while", "cond_fun", &cond.0, &cond_in)?;
    let body_in: Vec<ShapedArray> = avals[cond_nconsts..].to_vec();
    check_inputs("while", "body_fun", &body.0, &body_in)?;
    let out = body.0.out_avals();
    if out.len() != carry.len() || !out.iter().zip(carry).all(|(a, b)| typematch(a, b)) {
        return Err(Error::invalid(
            "while",
            format!(
                "body_fun output and input must have identical types, got {} and {}",
                show(&out),
                show(carry)
            ),
        ));
    }
    Ok(carry.to_vec())
}

pub(crate) fn scan_abstract_eval(
    body: &JaxprRef,
    length: usize,
    num_consts: usize,
    num_carry: usize,
    avals: &[ShapedArray],
) -> Result<Vec<ShapedArray>> {
    if avals.len() < num_consts + num_carry {
        return Err(Error::invalid("scan", "too few operands"));
    }
    let carry = &avals[num_consts..num_consts + num_carry];
    let xs = &avals[num_consts + num_carry..];
    if let Some(x) = xs.iter().find(|x| x.shape.first() != Some(&length)) {
        return Err(Error::invalid(
            "scan",
            format!("a scanned operand of type {x} does not have leading axis {length}"),
        ));
    }
    let mut body_in: Vec<ShapedArray> = avals[..num_consts + num_carry].to_vec();
    body_in.extend(xs.iter().map(slice_aval));
    check_inputs("scan", "the body", &body.0, &body_in)?;
    let out = body.0.out_avals();
    if out.len() < num_carry || !out.iter().zip(carry).all(|(a, b)| typematch(a, b)) {
        return Err(Error::invalid(
            "scan",
            format!(
                "the body's carry output must have the carry's types {}, got {}",
                show(carry),
                show(&out)
            ),
        ));
    }
    let mut result = carry.to_vec();
    result.extend(out[num_carry..].iter().map(|y| {
        let mut shape = vec![length];
        shape.extend(&y.shape);
        y.with_shape(shape)
    }));
    Ok(result)
}
