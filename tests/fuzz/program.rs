//! Random small programs: a chain of steps from a menu of operations (elementwise unary and
//! binary with broadcasting, reductions with axes, reshape, transpose, slice, concatenate,
//! dot/matmul, where, cumsum, sort), each chosen among those valid for the current shape and
//! dtype, so that every program is well-typed; and bad programs, which end with a step that is
//! not.

use rjax::numpy as jnp;
use rjax::numpy::{Axes, SortOptions};
use rjax::{Array, DType, lax};

/// One operation of a program.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Sin,
    Tanh,
    Neg,
    Square,
    Abs,
    /// `x + c`, with `c` a weakly typed scalar.
    AddScalar(i32),
    /// `x + reverse(x)` along every axis.
    AddReversed,
    /// `x * sum(x, Axes::from(axis).keepdims(keepdims))`: a binary operation that broadcasts.
    MulByReduced(usize),
    Sum(Option<usize>, bool),
    Max(usize, bool),
    Mean(Option<usize>),
    /// To one dimension, or a vector to a row.
    Reshape,
    /// The axes rotated by one.
    Transpose,
    Slice {
        axis: usize,
        start: usize,
        stop: usize,
    },
    /// `x` joined to its reverse along `axis`.
    ConcatReversed(usize),
    /// `x · xᵀ` (batched for rank 3, the inner product for vectors).
    MatmulTransposed,
    /// `where(x > 0, x, x * 0.5)` (`-x` for integers).
    Where,
    Cumsum(usize),
    Sort(usize),
}

/// A program: its input's shape and dtype, and its steps.
#[derive(Debug, Clone)]
pub struct Program {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub steps: Vec<Step>,
}

/// The step `code` chooses among those valid for an array of `shape` and `dtype`.
pub fn choose(code: (u8, u32), shape: &[usize], dtype: DType) -> Step {
    let rank = shape.len();
    let float = dtype.is_float();
    let p = code.1 as usize;
    let mut menu = vec![
        Step::Neg,
        Step::Square,
        Step::Abs,
        Step::AddScalar(p as i32 % 5 - 2),
    ];
    menu.push(Step::AddReversed);
    menu.push(Step::Where);
    menu.push(Step::Sum(None, p.is_multiple_of(2)));
    menu.push(Step::Reshape);
    if float {
        menu.extend([Step::Sin, Step::Tanh, Step::Mean(None)]);
    }
    if rank > 0 {
        let axis = p % rank;
        let d = shape[axis];
        let start = (p / 7) % (d + 1);
        let stop = start + (p / 11) % (d - start + 1);
        menu.extend([
            Step::MulByReduced(axis),
            Step::Sum(Some(axis), p.is_multiple_of(3)),
            Step::Slice { axis, start, stop },
            Step::Cumsum(axis),
            Step::Sort(axis),
        ]);
        if shape[axis] > 0 {
            menu.push(Step::Max(axis, p % 2 == 1));
        }
        if float {
            menu.push(Step::Mean(Some(axis)));
        }
        if shape.iter().product::<usize>() <= 64 {
            menu.push(Step::ConcatReversed(axis));
        }
    }
    if (1..=3).contains(&rank) {
        menu.push(Step::MatmulTransposed);
    }
    if rank >= 2 {
        menu.push(Step::Transpose);
    }
    menu[code.0 as usize % menu.len()].clone()
}

/// The program that `codes` choose for an input of `shape` and `dtype`.
pub fn build(shape: &[usize], dtype: DType, codes: &[(u8, u32)]) -> Program {
    let mut steps = Vec::new();
    let mut current = rjax::ShapedArray::new(shape.to_vec(), dtype);
    for &code in codes {
        let step = choose(code, &current.shape, current.dtype);
        let probe = jnp::zeros(&current.shape, Some(current.dtype));
        let out = apply(&step, &probe);
        current = rjax::ShapedArray::new(out.shape().to_vec(), out.dtype());
        steps.push(step);
    }
    Program {
        shape: shape.to_vec(),
        dtype,
        steps,
    }
}

/// `x` after one step.
pub fn apply(step: &Step, x: &Array) -> Array {
    let rank = x.ndim();
    let all: Vec<usize> = (0..rank).collect();
    let signed = |a: usize| a as isize;
    match *step {
        Step::Sin => x.sin(),
        Step::Tanh => x.tanh(),
        Step::Neg => -x,
        Step::Square => x * x,
        Step::Abs => x.abs(),
        Step::AddScalar(c) => x + c,
        Step::AddReversed => x + lax::rev(x, &all),
        Step::MulByReduced(axis) => x * jnp::sum(x, Axes::from(signed(axis)).keepdims(true)),
        Step::Sum(axis, keepdims) => {
            let axes = axis.map(|a| vec![signed(a)]);
            jnp::sum(x, Axes::from(axes.as_deref()).keepdims(keepdims))
        }
        Step::Max(axis, keepdims) => jnp::max(x, Axes::from(signed(axis)).keepdims(keepdims)),
        Step::Mean(axis) => {
            let axes = axis.map(|a| vec![signed(a)]);
            jnp::mean(x, axes.as_deref())
        }
        Step::Reshape if rank == 1 => jnp::reshape(x, &[1, -1]),
        Step::Reshape => jnp::reshape(x, &[-1]),
        Step::Transpose => {
            let rotated: Vec<isize> = (1..rank).chain([0]).map(signed).collect();
            jnp::transpose(x, Some(&rotated))
        }
        Step::Slice { axis, start, stop } => {
            let mut starts = vec![0; rank];
            let mut limits = x.shape().to_vec();
            starts[axis] = start;
            limits[axis] = stop;
            lax::slice(x, &starts, &limits, None)
        }
        Step::ConcatReversed(axis) => jnp::concatenate(&[x, &lax::rev(x, &[axis])], signed(axis)),
        Step::MatmulTransposed if rank == 1 => jnp::dot(x, x),
        Step::MatmulTransposed => jnp::matmul(x, jnp::swapaxes(x, -1, -2)),
        Step::Where if x.dtype().is_float() => jnp::where_(x.gt(0), x, x * 0.5),
        Step::Where => jnp::where_(x.gt(0), x, -x),
        Step::Cumsum(axis) => jnp::cumsum(x, Some(signed(axis)), None),
        Step::Sort(axis) => jnp::sort_with(x, SortOptions::along(signed(axis))),
    }
}

/// The program run on `x`.
pub fn run(program: &Program, x: Array) -> Array {
    program.steps.iter().fold(x, |x, step| apply(step, &x))
}

/// A step that is invalid for an array of `shape`, as `code` chooses: an axis out of range, a
/// shape that does not broadcast, contract, reshape or join, an empty reduction without an
/// identity.
pub fn bad_step(code: (u8, u32), x: &Array) -> Array {
    let rank = x.ndim();
    let p = code.1 as usize;
    let beyond = (rank + p % 3) as isize;
    let ones = |shape: &[usize]| jnp::ones(shape, Some(x.dtype()));
    // Longer than any axis of x, so it neither contracts nor broadcasts with x.
    let longest = x.shape().iter().copied().max().unwrap_or(0);
    let other = ones(&[longest + 3 + p % 3, 2]);
    // lax's binary operations broadcast scalars but not size-1 dimensions: a vector stands in
    // for a scalar, and a first dimension one longer does not match.
    let vector = jnp::atleast_1d(x);
    let mut bigger = vector.shape().to_vec();
    bigger[0] += 1;
    match code.0 % 12 {
        0 => jnp::sum(x, beyond),
        1 => jnp::reshape(x, &[(x.size() + 1 + p % 5) as isize]),
        2 => lax::add(&vector, ones(&bigger)),
        3 => jnp::matmul(x, &other),
        4 => jnp::concatenate(&[x, &ones(&vec![1; rank + 1])], 0),
        5 => jnp::sort_with(x, SortOptions::along(beyond)),
        6 => jnp::cumsum(x, Some(-beyond - 1), None),
        7 => jnp::transpose(x, Some(&vec![0; rank + 1])),
        8 => jnp::max(ones(&[0, 1 + p % 3]), 0),
        9 => jnp::where_(jnp::ones(&[longest + 3], Some(DType::Bool)), x, &other),
        10 => lax::slice(x, &vec![0; rank + 1], &vec![1; rank + 1], None),
        _ => jnp::swapaxes(x, 0, beyond),
    }
}
