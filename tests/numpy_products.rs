//! The products of `rjax::numpy` against NumPy: `einsum` (40 subscript cases), `tensordot`,
//! `kron`, `cross` and `matmul` against `tests/golden/numpy_products.txt` (written by
//! `tests/golden/numpy_products.py`), eagerly and under `jit`; `einsum`'s jaxpr, `vmap` of
//! `einsum` against a loop, gradients through `check_grads`, and the panics on bad input.

mod common;

use common::golden::{Golden, close, values};
use common::panic_message;

use anyhow::{Result, ensure};
use rjax::numpy as jnp;
use rjax::test_util::{Mode, check_grads};
use rjax::{Array, DType, jit, make_jaxpr, vmap};

const GOLDEN: Golden = Golden(include_str!("golden/numpy_products.txt"));

/// `sin(k * scale + phase)` over the row-major index `k`, as `wave` in the Python script.
fn wave(shape: &[usize], scale: f64, phase: f64) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<f64> = (0..n).map(|k| (k as f64 * scale + phase).sin()).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// An int64 array of `shape` with `f(k)` at row-major index `k`.
fn ints(shape: &[usize], f: impl Fn(i64) -> i64) -> Array {
    let n: usize = shape.iter().product();
    let data: Vec<i64> = (0..n as i64).map(f).collect();
    Array::from_slice(&data, shape).expect("sizes match")
}

/// The inputs of `tests/golden/numpy_products.py`, by the names it gives them.
struct Inputs {
    m: Array,
    n: Array,
    p: Array,
    r: Array,
    s: Array,
    v: Array,
    w: Array,
    a: Array,
    b: Array,
    t: Array,
    c: Array,
    d: Array,
    x: Array,
    y: Array,
    col: Array,
    g: Array,
    h: Array,
    u: Array,
    ut: Array,
    u2: Array,
    i: Array,
    j: Array,
    k: Array,
}

fn inputs() -> Inputs {
    rjax::config::enable_x64(true);
    Inputs {
        m: wave(&[3, 4], 0.7, 0.3),
        n: wave(&[4, 5], 0.9, 1.0),
        p: wave(&[5, 2], 0.4, -0.5),
        r: wave(&[2, 3], 1.7, 0.2),
        s: wave(&[3, 3], 0.4, 1.0),
        v: wave(&[4], 1.1, 0.0),
        w: wave(&[3], 0.6, 2.0),
        a: wave(&[2, 3, 4], 1.3, 0.0),
        b: wave(&[2, 4, 5], 0.5, 0.7),
        t: wave(&[2, 3, 3], 0.8, 0.1),
        c: wave(&[3, 3, 3], 0.35, -1.0),
        d: wave(&[3, 3, 4], 0.55, 0.4),
        x: wave(&[2, 1, 3, 4], 0.45, 0.9),
        y: wave(&[5, 4, 2], 0.65, -0.2),
        col: wave(&[3, 1], 1.2, 0.5),
        g: wave(&[4, 3, 2], 0.75, 0.6),
        h: wave(&[3, 4, 5], 0.25, -0.3),
        u: wave(&[4, 3], 0.95, 1.4),
        ut: wave(&[3, 4], 0.85, -0.7),
        u2: wave(&[4, 2], 1.05, 0.3),
        i: ints(&[3, 4], |k| k - 5),
        j: ints(&[4, 5], |k| k % 7 - 3),
        k: ints(&[3, 3], |k| k * 3 % 7 - 2),
    }
}

/// `x` as float32.
fn f32(x: &Array) -> Array {
    x.astype(DType::F32)
}

/// The einsum cases of the golden file: name (without `einsum_`), subscripts, operands.
fn einsum_cases(x: &Inputs) -> Vec<(&'static str, &'static str, Vec<Array>)> {
    let cl = |arrays: &[&Array]| arrays.iter().map(|&a| a.clone()).collect::<Vec<_>>();
    vec![
        ("matmul", "ij,jk->ik", cl(&[&x.m, &x.n])),
        ("matmul_implicit", "ij,jk", cl(&[&x.m, &x.n])),
        ("matmul_swapped", "ij,jk->ki", cl(&[&x.m, &x.n])),
        ("batched", "bij,bjk->bik", cl(&[&x.a, &x.b])),
        ("outer", "i,j->ij", cl(&[&x.v, &x.w])),
        ("trace", "ii", cl(&[&x.s])),
        ("diag", "ii->i", cl(&[&x.s])),
        ("sum", "ij->", cl(&[&x.m])),
        ("transpose", "ij->ji", cl(&[&x.m])),
        ("implicit_transpose", "ji", cl(&[&x.m])),
        ("row_sum", "ij->i", cl(&[&x.m])),
        ("dot", "i,i", cl(&[&x.v, &x.v])),
        ("matvec", "ij,j->i", cl(&[&x.m, &x.v])),
        ("batched_trace", "bii->b", cl(&[&x.t])),
        ("batched_diag", "bii->bi", cl(&[&x.t])),
        ("triple_diag", "iii->i", cl(&[&x.c])),
        ("diag_then_contract", "iij,jk->ik", cl(&[&x.d, &x.n])),
        ("ellipsis_both", "...ij,...jk->...ik", cl(&[&x.x, &x.y])),
        ("ellipsis_left", "...i,i->...", cl(&[&x.a, &x.v])),
        ("ellipsis_implicit", "...ij,jk", cl(&[&x.a, &x.n])),
        ("ellipsis_middle", "i...j->j...i", cl(&[&x.a])),
        ("ellipsis_sum", "i...->...", cl(&[&x.a])),
        ("three", "ij,jk,kl->il", cl(&[&x.m, &x.n, &x.p])),
        ("four", "ij,jk,kl,lm->im", cl(&[&x.m, &x.n, &x.p, &x.r])),
        ("shared_by_three", "ij,ik,il->jkl", cl(&[&x.m, &x.m, &x.s])),
        ("hadamard_three", "ij,ij,ij->ij", cl(&[&x.m, &x.m, &x.m])),
        ("hadamard", "ij,ij->ij", cl(&[&x.m, &x.m])),
        ("outer_three", "i,j,k->ijk", cl(&[&x.v, &x.w, &x.v])),
        ("sum_unique", "ij,kl->jk", cl(&[&x.m, &x.n])),
        (
            "size_one_broadcast",
            "ij,jk->ik",
            vec![x.col.clone(), wave(&[1, 5], 0.3, 0.0)],
        ),
        ("scalar", ",i->i", vec![Array::from(2.5f64), x.v.clone()]),
        ("uppercase", "Ab,bC->CA", cl(&[&x.m, &x.n])),
        ("spaces", " ij , jk -> ik ", cl(&[&x.m, &x.n])),
        ("int_matmul", "ij,jk->ik", cl(&[&x.i, &x.j])),
        ("int_trace", "ii", cl(&[&x.k])),
        ("int_three", "ij,jk,kl->li", cl(&[&x.k, &x.i, &x.j])),
        ("mixed", "ij,jk->ik", cl(&[&x.i, &x.n])),
        ("bool", "ij,jk->ik", vec![x.m.gt(0), x.n.gt(0)]),
        ("f32_batched", "bij,bjk->bik", vec![f32(&x.a), f32(&x.b)]),
        (
            "f32_four",
            "ij,jk,kl,lm->im",
            vec![f32(&x.m), f32(&x.n), f32(&x.p), f32(&x.r)],
        ),
    ]
}

/// Checks `got` against the golden case `name`, at f32's tolerance for f32 results.
fn check(name: &str, got: &Array) -> Result<()> {
    let tol = if got.dtype() == DType::F32 {
        1e-5
    } else {
        1e-10
    };
    GOLDEN.check_tol(name, got, tol)
}

/// The operands as the slice of references `einsum` takes.
fn refs(operands: &[Array]) -> Vec<&Array> {
    operands.iter().collect()
}

#[test]
fn einsum_against_numpy() -> Result<()> {
    let x = inputs();
    let cases = einsum_cases(&x);
    ensure!(cases.len() >= 25);
    for (name, spec, operands) in cases {
        let name = format!("einsum_{name}");
        check(&name, &jnp::einsum(spec, &refs(&operands)))?;
        let jitted = jit(move |ops: Vec<Array>| jnp::einsum(spec, &refs(&ops)));
        check(&name, &jitted.call(operands)?)?;
    }
    // preferred_element_type: int64 operands accumulated and returned as float64.
    let preferred = jnp::einsum_with("ij,jk->ik", &[&x.i, &x.j], Some(DType::F64));
    check("einsum_preferred", &preferred)?;
    let wide = jnp::einsum_with("ij,jk->ik", &[&f32(&x.m), &f32(&x.n)], Some(DType::F64));
    ensure!(wide.dtype() == DType::F64, "{wide:?}");
    GOLDEN.check_tol("einsum_matmul", &wide, 1e-6)?;
    Ok(())
}

#[test]
fn einsum_promotion() -> Result<()> {
    let x = inputs();
    let f32s = Array::from([1.0f32, -2.0, 0.5]);
    let i32s = Array::from([3i32, 1, -4]);
    // Strong operands promote as in jnp: int32 with float32 is float32.
    let mixed = jnp::einsum("i,i", &[&f32s, &i32s]);
    ensure!(
        mixed.dtype() == DType::F32 && values(&mixed)? == [-1.0],
        "{mixed:?}"
    );
    // A weakly typed Rust number keeps the array's dtype.
    let weak = rjax::IntoArray::into_array(2.0);
    let scaled = jnp::einsum(",i->i", &[&weak, &f32s]);
    ensure!(scaled.dtype() == DType::F32 && values(&scaled)? == [2.0, -4.0, 1.0]);
    // Booleans contract to booleans, or count with an integer preferred type.
    let positive = x.m.gt(0);
    let any = jnp::einsum("ij->", &[&positive]);
    ensure!(
        any.dtype() == DType::Bool && values(&any)? == [1.0],
        "{any:?}"
    );
    let count = jnp::einsum_with("ij->", &[&positive], Some(DType::I64));
    let want = values(&x.m)?.iter().filter(|&&v| v > 0.0).count() as f64;
    ensure!(
        count.dtype() == DType::I64 && values(&count)? == [want],
        "{count:?}"
    );
    Ok(())
}

/// The other products' golden cases, each a function of the inputs.
type Case = (&'static str, fn(&[Array]) -> Array, Vec<Array>);

fn product_cases(x: &Inputs) -> Vec<Case> {
    let cl = |arrays: &[&Array]| arrays.iter().map(|&a| a.clone()).collect::<Vec<_>>();
    vec![
        (
            "tensordot_count",
            |o| jnp::tensordot(&o[0], &o[1], 2),
            cl(&[&x.a, &x.h]),
        ),
        (
            "tensordot_pairs",
            |o| jnp::tensordot(&o[0], &o[1], ([1, 0], [1, 2])),
            cl(&[&x.a, &x.g]),
        ),
        (
            "tensordot_zero",
            |o| jnp::tensordot(&o[0], &o[1], 0),
            cl(&[&x.v, &x.w]),
        ),
        (
            "tensordot_one",
            |o| jnp::tensordot(&o[0], &o[1], 1),
            cl(&[&x.m, &x.n]),
        ),
        (
            "tensordot_pair",
            |o| jnp::tensordot(&o[0], &o[1], (-1, 0)),
            cl(&[&x.a, &x.n]),
        ),
        (
            "tensordot_int",
            |o| jnp::tensordot(&o[0], &o[1], 1),
            cl(&[&x.i, &x.j]),
        ),
        ("kron", |o| jnp::kron(&o[0], &o[1]), cl(&[&x.r, &x.m])),
        ("kron_vec", |o| jnp::kron(&o[0], &o[1]), cl(&[&x.v, &x.w])),
        ("kron_ranks", |o| jnp::kron(&o[0], &o[1]), cl(&[&x.w, &x.m])),
        ("kron_3d", |o| jnp::kron(&o[0], &o[1]), cl(&[&x.t, &x.r])),
        ("kron_int", |o| jnp::kron(&o[0], &o[1]), cl(&[&x.k, &x.i])),
        (
            "cross",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            vec![x.w.clone(), wave(&[3], 0.9, -0.4)],
        ),
        (
            "cross_23",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            vec![wave(&[2], 0.9, -0.4), x.w.clone()],
        ),
        (
            "cross_batch",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            cl(&[&x.u, &x.w]),
        ),
        (
            "cross_axes",
            |o| jnp::cross(&o[0], &o[1], 0, 1, 0, None),
            cl(&[&x.ut, &x.u]),
        ),
        (
            "cross_axis",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, Some(0)),
            vec![x.ut.clone(), wave(&[3, 4], 0.15, 0.2)],
        ),
        (
            "cross_int",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            vec![x.k.clone(), jnp::flip(&x.k, Some(&[0]))],
        ),
        (
            "cross_2",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            vec![wave(&[2], 0.9, -0.4), wave(&[2], 1.9, 0.4)],
        ),
        (
            "cross_2_batch",
            |o| jnp::cross(&o[0], &o[1], -1, -1, -1, None),
            vec![x.u2.clone(), jnp::flip(&x.u2, Some(&[0]))],
        ),
        (
            "matmul_vec_batched",
            |o| jnp::matmul(&o[0], &o[1]),
            cl(&[&x.v, &x.b]),
        ),
        (
            "matmul_batched_vec",
            |o| jnp::matmul(&o[0], &o[1]),
            cl(&[&x.a, &x.v]),
        ),
        (
            "matmul_bcast",
            |o| jnp::matmul(&o[0], &o[1]),
            cl(&[&x.x, &x.y]),
        ),
        (
            "matmul_int",
            |o| jnp::matmul(&o[0], &o[1]),
            cl(&[&x.i, &x.j]),
        ),
    ]
}

#[test]
fn products_against_numpy() -> Result<()> {
    let x = inputs();
    for (name, f, operands) in product_cases(&x) {
        check(name, &f(&operands))?;
        let jitted = jit(move |ops: Vec<Array>| f(&ops));
        check(name, &jitted.call(operands)?)?;
    }
    Ok(())
}

/// The primitives of `f`'s jaxpr at `args`, by name, in order: in JAX's printed syntax each
/// equation reads `outs = primitive[params] args`, on one line or several.
fn primitives(f: impl Fn(Vec<Array>) -> Array, args: Vec<Array>) -> Result<Vec<String>> {
    let text = make_jaxpr(f)(&args)?.to_string();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    Ok(tokens
        .windows(2)
        .filter(|pair| pair[0] == "=")
        .map(|pair| pair[1].split('[').next().unwrap_or_default().to_string())
        .collect())
}

#[test]
fn einsum_stages_dot_generals() -> Result<()> {
    let x = inputs();
    let staged = |spec: &'static str, args: &[&Array]| {
        primitives(move |ops| jnp::einsum(spec, &refs(&ops)), refs_owned(args))
    };
    // A batched matmul is exactly one dot_general, with no transpose around it.
    ensure!(staged("bij,bjk->bik", &[&x.a, &x.b])? == ["dot_general"]);
    // A transposed output swaps the operands instead of transposing.
    ensure!(staged("ij,jk->ki", &[&x.m, &x.n])? == ["dot_general"]);
    // Four operands: three pairwise contractions.
    let four = staged("ij,jk,kl,lm->im", &[&x.m, &x.n, &x.p, &x.r])?;
    ensure!(
        four.iter().all(|p| p == "dot_general") && four.len() == 3,
        "{four:?}"
    );
    // A trace: an iota-equality mask, a select and sums; no dot_general.
    let trace = staged("ii", &[&x.s])?;
    ensure!(
        trace.iter().any(|p| p == "select_n") && !trace.iter().any(|p| p == "dot_general"),
        "{trace:?}"
    );
    Ok(())
}

/// Owned copies of `arrays`.
fn refs_owned(arrays: &[&Array]) -> Vec<Array> {
    arrays.iter().map(|&a| a.clone()).collect()
}

/// The slices of `x` along axis 0, built on the host.
fn unstack(x: &Array) -> Result<Vec<Array>> {
    let data = values(x)?;
    let rows = x.shape()[0];
    let shape = &x.shape()[1..];
    let step = data.len() / rows;
    Ok(data
        .chunks(step)
        .map(|chunk| Array::from_slice(chunk, shape).expect("sizes match"))
        .collect())
}

#[test]
fn einsum_under_vmap() -> Result<()> {
    let x = inputs();
    // Each case maps over axis 0 of every operand: vmap against a loop of einsum calls.
    let cases: [(&'static str, Vec<Array>); 4] = [
        ("ij,jk->ik", refs_owned(&[&x.a, &x.b])),
        ("ii->i", refs_owned(&[&x.t])),
        ("ij,jk,kl->li", refs_owned(&[&x.t, &x.t, &x.t])),
        ("...i,i->...", vec![x.a.clone(), wave(&[2, 4], 0.3, 0.1)]),
    ];
    for (spec, operands) in cases {
        let got = vmap(move |ops: Vec<Array>| jnp::einsum(spec, &refs(&ops)), 0)(operands.clone())?;
        let slices = operands.iter().map(unstack).collect::<Result<Vec<_>>>()?;
        let mut want = Vec::new();
        for b in 0..operands[0].shape()[0] {
            let ops: Vec<&Array> = slices.iter().map(|s| &s[b]).collect();
            want.extend(values(&jnp::einsum(spec, &ops))?);
        }
        ensure!(
            close(&values(&got)?, &want, 1e-12),
            "{spec}: {got:?} != {want:?}"
        );
    }
    Ok(())
}

#[test]
fn gradients() -> Result<()> {
    let x = inputs();
    let modes = [Mode::Fwd, Mode::Rev];
    let einsum_grads = |spec: &'static str, args: &[&Array], order: usize| {
        check_grads(
            move |ops: Vec<Array>| jnp::einsum(spec, &refs(&ops)),
            refs_owned(args),
            order,
            &modes,
            None,
            None,
            None,
        )
    };
    einsum_grads("bij,bjk->bik", &[&x.a, &x.b], 2)?;
    einsum_grads("iij,jk->ik", &[&x.d, &x.n], 1)?;
    einsum_grads("ij,jk,kl->il", &[&x.m, &x.n, &x.p], 1)?;
    einsum_grads("...ij,...jk->...ik", &[&x.x, &x.y], 1)?;
    einsum_grads("ij,jk->ik", &[&x.col, &wave(&[1, 5], 0.3, 0.0)], 1)?;
    let pair = |a: &Array, b: &Array| (a.clone(), b.clone());
    check_grads(
        |(a, b): (Array, Array)| jnp::tensordot(&a, &b, ([1, 0], [1, 2])),
        pair(&x.a, &x.g),
        1,
        &modes,
        None,
        None,
        None,
    )?;
    check_grads(
        |(a, b): (Array, Array)| jnp::kron(&a, &b),
        pair(&x.w, &x.m),
        1,
        &modes,
        None,
        None,
        None,
    )?;
    check_grads(
        |(a, b): (Array, Array)| jnp::cross(&a, &b, 0, 1, 0, None),
        pair(&x.ut, &x.u),
        2,
        &modes,
        None,
        None,
        None,
    )?;
    check_grads(
        |(a, b): (Array, Array)| jnp::cross(&a, &b, -1, -1, -1, None),
        pair(&x.u2, &x.u),
        1,
        &modes,
        None,
        None,
        None,
    )?;
    Ok(())
}

#[test]
fn bad_input_panics() -> Result<()> {
    let x = inputs();
    let einsum_panic = |spec: &str, args: &[&Array]| {
        panic_message(|| {
            jnp::einsum(spec, args);
        })
    };
    let cases: [(&str, Vec<&Array>, &str); 9] = [
        (
            "ij,jk->ik",
            vec![&x.m, &x.m],
            "index 'j' has size 4 in operand 0 but 3 in operand 1",
        ),
        (
            "ij,jk",
            vec![&x.m],
            "the subscripts name 2 operands but 1 were given",
        ),
        (
            "ij->ik",
            vec![&x.m],
            "output index 'k' does not appear in the inputs",
        ),
        ("i1,jk", vec![&x.m, &x.n], "invalid character '1'"),
        ("ij;jk", vec![&x.m, &x.n], "invalid character ';'"),
        (
            "ij->ii",
            vec![&x.m],
            "output index 'i' appears more than once",
        ),
        (
            "ijk",
            vec![&x.m],
            "operand 0 has rank 2 but its term names 3 axes",
        ),
        ("...i->i", vec![&x.a], "the output has none"),
        (
            "ii",
            vec![&x.m],
            "index 'i' repeats in operand 0 with sizes 3 and 4",
        ),
    ];
    for (spec, args, why) in cases {
        let message = einsum_panic(spec, &args);
        let shapes = format!("{:?}", args[0].shape());
        ensure!(
            message.starts_with("einsum: ")
                && message.contains(why)
                && message.contains(&format!("'{spec}'"))
                && message.contains(&shapes),
            "{spec}: {message}"
        );
    }
    let message = panic_message(|| {
        jnp::tensordot(&x.m, &x.m, 1);
    });
    ensure!(
        message.starts_with("tensordot: ") && message.contains("f64[3,4]"),
        "{message}"
    );
    let message = panic_message(|| {
        jnp::cross(&x.m, &x.m, -1, -1, -1, None);
    });
    ensure!(
        message.starts_with("cross: ") && message.contains("2 or 3 components"),
        "{message}"
    );
    Ok(())
}
