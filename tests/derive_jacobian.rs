//! `jacfwd`, `jacrev` and `hessian` of functions that return (and take) `#[derive(Pytree)]`
//! types, whose Jacobian types the derive spells (`JacobianOf`): a non-generic struct of
//! arrays is its own Jacobian with respect to an array; a generic struct's leaf parameters
//! become Jacobians, for any input; enums, tuple structs, `Vec` fields and static fields too.
//! Values against closed forms, and one function against central finite differences, all in
//! f64 (x64 mode, process-wide in this test binary).

use anyhow::ensure;
use rjax::{
    Argnum, Array, DType, Pytree, hessian, jacfwd, jacfwd_argnums, jacrev, jacrev_argnums, jit,
};

fn x64() {
    rjax::config::enable_x64(true);
}

fn host(x: &Array) -> Vec<f64> {
    x.to_vec::<f64>().unwrap()
}

fn assert_close(got: &Array, shape: &[usize], want: &[f64], what: &str) -> anyhow::Result<()> {
    ensure!(
        got.shape() == shape && got.dtype() == DType::F64,
        "{what}: got {:?}, want shape {shape:?}",
        got.aval()
    );
    let g = host(got);
    ensure!(g.len() == want.len(), "{what}: got {g:?}, want {want:?}");
    for (a, b) in g.iter().zip(want) {
        ensure!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: got {g:?}, want {want:?}"
        );
    }
    Ok(())
}

/// The `n x n` matrix with `diagonal` on its diagonal, row-major.
fn diag(diagonal: &[f64]) -> Vec<f64> {
    let n = diagonal.len();
    (0..n * n)
        .map(|k| if k / n == k % n { diagonal[k / n] } else { 0.0 })
        .collect()
}

/// A non-generic struct of arrays: its own Jacobian with respect to an array.
#[derive(Pytree, Debug)]
struct Params {
    w: Array,
    b: Array,
}

/// `Params { w: 2 sin(x), b: sum(x²) }`.
fn params_of(x: Array) -> Params {
    Params {
        w: x.sin() * 2.0,
        b: (&x * &x).sum(),
    }
}

const X: [f64; 3] = [0.3, -1.2, 2.0];

#[test]
fn struct_output_of_an_array_in_both_modes() -> anyhow::Result<()> {
    x64();
    let x = Array::from(X);
    let dw = diag(&X.map(|v| 2.0 * v.cos()));
    let db = X.map(|v| 2.0 * v);
    let forward: Params = jacfwd(params_of)(x.clone())?;
    let reverse: Params = jacrev(params_of)(x.clone())?;
    let compiled: Params = jit(jacrev(params_of)).call(x)?;
    for (j, mode) in [
        (forward, "jacfwd"),
        (reverse, "jacrev"),
        (compiled, "jit(jacrev)"),
    ] {
        assert_close(&j.w, &[3, 3], &dw, &format!("{mode} w"))?;
        assert_close(&j.b, &[3], &db, &format!("{mode} b"))?;
    }
    Ok(())
}

#[test]
fn hessian_of_a_struct_output() -> anyhow::Result<()> {
    x64();
    let h: Params = hessian(params_of)(Array::from(X))?;
    // d²(2 sin x_i)/dx_j dx_k = -2 sin x_i where i = j = k.
    let mut hw = vec![0.0; 27];
    for (i, v) in X.iter().enumerate() {
        hw[i * 9 + i * 3 + i] = -2.0 * v.sin();
    }
    assert_close(&h.w, &[3, 3, 3], &hw, "hessian w")?;
    assert_close(&h.b, &[3, 3], &diag(&[2.0; 3]), "hessian b")
}

#[test]
fn struct_input_with_array_output() -> anyhow::Result<()> {
    x64();
    // loss = sum(w² b) for w, b of shape [2]: its gradient is shaped like the input.
    let loss = |p: Params| (&p.w * &p.w * &p.b).sum();
    let p = || Params {
        w: Array::from([1.5f64, -0.5]),
        b: Array::from([2.0f64, 3.0]),
    };
    for (g, mode) in [
        (jacrev(loss)(p())?, "jacrev"),
        (jacfwd(loss)(p())?, "jacfwd"),
    ] {
        assert_close(&g.w, &[2], &[6.0, -3.0], &format!("{mode} w"))?;
        assert_close(&g.b, &[2], &[2.25, 0.25], &format!("{mode} b"))?;
    }
    Ok(())
}

/// A generic struct whose parameter is its leaf type, with a static field carried over.
#[derive(Pytree, Debug)]
struct Mlp<T> {
    w: T,
    b: T,
    #[pytree(static)]
    name: &'static str,
}

const W: [f64; 2] = [0.7, -1.1];
const B: [f64; 2] = [1.3, 0.4];

fn mlp() -> Mlp<Array> {
    Mlp {
        w: Array::from(W),
        b: Array::from(B),
        name: "layer",
    }
}

/// `Mlp { w: w * b, b: exp(w) }`.
fn mlp_map(p: Mlp<Array>) -> Mlp<Array> {
    Mlp {
        w: &p.w * &p.b,
        b: p.w.exp(),
        name: p.name,
    }
}

#[test]
fn generic_struct_to_itself_in_both_modes() -> anyhow::Result<()> {
    x64();
    let forward: Mlp<Mlp<Array>> = jacfwd(mlp_map)(mlp())?;
    let reverse: Mlp<Mlp<Array>> = jacrev(mlp_map)(mlp())?;
    for (j, mode) in [(forward, "jacfwd"), (reverse, "jacrev")] {
        ensure!(j.name == "layer" && j.w.name == "layer" && j.b.name == "layer");
        assert_close(&j.w.w, &[2, 2], &diag(&B), &format!("{mode} d(wb)/dw"))?;
        assert_close(&j.w.b, &[2, 2], &diag(&W), &format!("{mode} d(wb)/db"))?;
        assert_close(
            &j.b.w,
            &[2, 2],
            &diag(&W.map(f64::exp)),
            &format!("{mode} de^w/dw"),
        )?;
        assert_close(&j.b.b, &[2, 2], &[0.0; 4], &format!("{mode} de^w/db"))?;
    }
    Ok(())
}

#[test]
fn generic_struct_against_central_differences() -> anyhow::Result<()> {
    x64();
    // A function that mixes the fields, checked against (f(x + h e_k) - f(x - h e_k)) / 2h.
    let f = |p: Mlp<Array>| Mlp {
        w: (&p.w * &p.b).sin() + p.b.sum(),
        b: (&p.w * &p.w).sum() * p.b.cos(),
        name: p.name,
    };
    let j: Mlp<Mlp<Array>> = jacrev(f)(mlp())?;
    let h = 1e-6;
    let inputs = [W, B];
    for (input, column) in [(0, [&j.w.w, &j.b.w]), (1, [&j.w.b, &j.b.b])] {
        for k in 0..2 {
            let shifted = |sign: f64| -> anyhow::Result<Mlp<Array>> {
                let mut values = inputs;
                values[input][k] += sign * h;
                Ok(f(Mlp {
                    w: Array::from(values[0]),
                    b: Array::from(values[1]),
                    name: "layer",
                }))
            };
            let (plus, minus) = (shifted(1.0)?, shifted(-1.0)?);
            for (block, (p, m)) in column
                .iter()
                .zip([(&plus.w, &minus.w), (&plus.b, &minus.b)])
            {
                let got = host(block);
                for (i, (p, m)) in host(p).iter().zip(host(m)).enumerate() {
                    let want = (p - m) / (2.0 * h);
                    ensure!(
                        (got[i * 2 + k] - want).abs() <= 1e-8,
                        "block of input {input}, element ({i}, {k}): got {}, want {want}",
                        got[i * 2 + k]
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn hessian_with_respect_to_a_generic_struct() -> anyhow::Result<()> {
    x64();
    // sum(w² b): H_ww = diag(2b), H_wb = H_bw = diag(2w), H_bb = 0.
    let h: Mlp<Mlp<Array>> = hessian(|p: Mlp<Array>| (&p.w * &p.w * &p.b).sum())(mlp())?;
    assert_close(&h.w.w, &[2, 2], &diag(&B.map(|b| 2.0 * b)), "H_ww")?;
    assert_close(&h.w.b, &[2, 2], &diag(&W.map(|w| 2.0 * w)), "H_wb")?;
    assert_close(&h.b.w, &[2, 2], &diag(&W.map(|w| 2.0 * w)), "H_bw")?;
    assert_close(&h.b.b, &[2, 2], &[0.0; 4], "H_bb")
}

#[test]
fn generic_struct_of_a_pair_input() -> anyhow::Result<()> {
    x64();
    // Mlp<Array> of (u, v): each field's Jacobian is a pair, one block per input.
    let f = |(u, v): (Array, Array)| Mlp {
        w: &u * &v,
        b: u.exp(),
        name: "pair",
    };
    let u = Array::from(W);
    let v = Array::from(B);
    let j: Mlp<(Array, Array)> = jacfwd(f)((u, v))?;
    ensure!(j.name == "pair");
    assert_close(&j.w.0, &[2, 2], &diag(&B), "dw/du")?;
    assert_close(&j.w.1, &[2, 2], &diag(&W), "dw/dv")?;
    assert_close(&j.b.0, &[2, 2], &diag(&W.map(f64::exp)), "db/du")?;
    assert_close(&j.b.1, &[2, 2], &[0.0; 4], "db/dv")
}

/// An enum with a generic leaf type, and a tuple struct holding a `Vec` of arrays.
#[derive(Pytree, Debug)]
enum Output<T> {
    Pair { first: T, second: T },
    Single(T),
}

#[derive(Pytree, Debug)]
struct Stack(Vec<Array>, #[pytree(static)] usize);

#[test]
fn enums_and_tuple_structs() -> anyhow::Result<()> {
    x64();
    let x = Array::from([0.5f64, 2.0]);
    let pair: Output<Array> = jacrev(|x: Array| Output::Pair {
        first: x.sin(),
        second: (&x * &x).sum(),
    })(x.clone())?;
    let Output::Pair { first, second } = pair else {
        anyhow::bail!("jacrev of a Pair gave {pair:?}");
    };
    assert_close(
        &first,
        &[2, 2],
        &diag(&[0.5f64.cos(), 2.0f64.cos()]),
        "Pair first",
    )?;
    assert_close(&second, &[2], &[1.0, 4.0], "Pair second")?;
    let single: Output<Array> = jacfwd(|x: Array| Output::Single(x.exp()))(x.clone())?;
    let Output::Single(d) = single else {
        anyhow::bail!("jacfwd of a Single gave {single:?}");
    };
    assert_close(&d, &[2, 2], &diag(&[0.5f64.exp(), 2.0f64.exp()]), "Single")?;
    let stack: Stack = jacfwd(|x: Array| Stack(vec![x.clone() * 3.0, x.sum()], 7))(x)?;
    ensure!(stack.1 == 7 && stack.0.len() == 2);
    assert_close(&stack.0[0], &[2, 2], &diag(&[3.0, 3.0]), "Stack 0")?;
    assert_close(&stack.0[1], &[2], &[1.0, 1.0], "Stack 1")
}

#[test]
fn argnums_with_struct_outputs() -> anyhow::Result<()> {
    x64();
    // Differentiate with respect to the second argument only.
    let f = |(a, x): (Array, Array)| Params {
        w: &a * x.sin(),
        b: (&x * &x).sum(),
    };
    let a = Array::from(2.0f64);
    let x = Array::from(X);
    let forward: Params = jacfwd_argnums(f, Argnum::<1>)((a.clone(), x.clone()))?;
    let reverse: Params = jacrev_argnums(f, Argnum::<1>)((a, x))?;
    for (j, mode) in [(forward, "jacfwd_argnums"), (reverse, "jacrev_argnums")] {
        assert_close(&j.w, &[3, 3], &diag(&X.map(|v| 2.0 * v.cos())), mode)?;
        assert_close(&j.b, &[3], &X.map(|v| 2.0 * v), mode)?;
    }
    Ok(())
}

/// A leaf parameter with bounds and a const parameter.
#[derive(Pytree, Debug)]
struct Bounded<T: Clone, const N: usize>
where
    T: std::fmt::Debug,
{
    layers: [T; N],
}

/// A leaf parameter beside a fixed array field (so its Jacobian needs an array input).
#[derive(Pytree, Debug)]
struct Mixed<T> {
    t: T,
    a: Array,
}

/// A parameter of a static field only: carried over, not a leaf parameter.
#[derive(Pytree, Debug)]
struct Tagged<S> {
    w: Array,
    #[pytree(static)]
    tag: S,
}

#[test]
fn bounded_const_mixed_and_static_parameters() -> anyhow::Result<()> {
    x64();
    let x = Array::from([0.5f64, 2.0]);
    let bounded: Bounded<Array, 2> = jacfwd(|x: Array| Bounded {
        layers: [x.clone() * 2.0, x.sum()],
    })(x.clone())?;
    assert_close(&bounded.layers[0], &[2, 2], &diag(&[2.0, 2.0]), "layers[0]")?;
    assert_close(&bounded.layers[1], &[2], &[1.0, 1.0], "layers[1]")?;
    let mixed: Mixed<Array> = jacrev(|x: Array| Mixed {
        t: x.exp(),
        a: (&x * &x).sum(),
    })(x.clone())?;
    assert_close(
        &mixed.t,
        &[2, 2],
        &diag(&[0.5f64.exp(), 2.0f64.exp()]),
        "Mixed t",
    )?;
    assert_close(&mixed.a, &[2], &[1.0, 4.0], "Mixed a")?;
    let tagged: Tagged<&'static str> = hessian(|x: Array| Tagged {
        w: (&x * &x * &x).sum(),
        tag: "cubic",
    })(x)?;
    ensure!(tagged.tag == "cubic");
    assert_close(&tagged.w, &[2, 2], &diag(&[3.0, 12.0]), "Tagged w")
}
