//! `precision` of `dot_general` (JAX's `lax.Precision`): the jaxprs of a product with a
//! precision, of its `jvp`, `grad` and `vmap`, and their lowered StableHLO are compared with
//! what JAX 0.10.2 prints for the same functions, run at test time; the `jax.numpy` products'
//! options forms and `config::set_default_matmul_precision` likewise. On the CPU the values
//! do not change: integer-valued products are checked exactly against closed forms.
//!
//! The default precision is process-wide, so every test here holds [`CONFIG`].

mod common;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rjax::lax::{self, DotDimensionNumbers, DotOptions, Precision};
use rjax::numpy as jnp;
use rjax::{Array, DType, InAxes, grad, jit, jvp, make_jaxpr, vmap};

/// Held by every test: one of them changes the process's default matmul precision.
static CONFIG: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    CONFIG
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// JAX's side: each section's text after a `### name` line.
const JAX: &str = r#"
import jax, jax.numpy as jnp
from jax import lax
P = lax.Precision
x = jnp.arange(6.0, dtype=jnp.float32).reshape(2, 3)
y = jnp.arange(12.0, dtype=jnp.float32).reshape(3, 4)
xs = jnp.arange(30.0, dtype=jnp.float32).reshape(5, 2, 3)
dn = (((1,), (0,)), ((), ()))
f = lambda a, b: lax.dot_general(a, b, dn, precision=(P.HIGH, P.HIGHEST))
def generic(fn, *args):
    return jax.jit(fn).lower(*args).compiler_ir('stablehlo').operation.get_asm(
        print_generic_op_form=True)
cases = {
    'dot': (f, (x, y)),
    'jvp': (lambda a, b, ta, tb: jax.jvp(f, (a, b), (ta, tb)), (x, y, x, y)),
    'grad': (jax.grad(lambda a, b: f(a, b).sum(), argnums=(0, 1)), (x, y)),
    'vmap': (jax.vmap(f, in_axes=(0, None)), (xs, y)),
}
for name, (fn, args) in cases.items():
    print('### jaxpr_' + name)
    print(jax.make_jaxpr(fn)(*args))
    print('### hlo_' + name)
    print(generic(fn, *args))
v = jnp.arange(3.0, dtype=jnp.float32)
products = {
    'matmul': lambda: jnp.matmul(x, y, precision='highest'),
    'dot': lambda: jnp.dot(x, y, precision=P.HIGH),
    'vdot': lambda: jnp.vdot(v, v, precision=(P.HIGHEST, P.DEFAULT)),
    'inner': lambda: jnp.inner(x, x, precision='tensorfloat32'),
    'tensordot': lambda: jnp.tensordot(x, y, 1, precision='float32'),
    'einsum': lambda: jnp.einsum('ij,jk,kl->il', x, y, y.T, precision=P.HIGHEST),
}
for name, fn in products.items():
    print('### product_' + name)
    print(jax.make_jaxpr(fn)())
print('### config_default')
with jax.default_matmul_precision('tensorfloat32'):
    print(jax.make_jaxpr(lambda a, b: lax.dot_general(a, b, dn) @ b.T)(x, y))
spd = jnp.array([[4.0, 1.0], [1.0, 3.0]], jnp.float32)
print('### jaxpr_cholesky_jvp')
print(jax.make_jaxpr(lambda a, t: jax.jvp(lax.linalg.cholesky, (a,), (t,)))(spd, spd))
"#;

/// JAX's output, by section name (run once per test binary).
fn jax(section: &str) -> &'static str {
    static SECTIONS: OnceLock<HashMap<String, String>> = OnceLock::new();
    let sections = SECTIONS.get_or_init(|| {
        let out = common::python::run_python(JAX, &[]);
        out.split("### ")
            .skip(1)
            .map(|part| {
                let (name, text) = part.split_once('\n').expect("a section name line");
                (name.to_string(), text.trim_end().to_string())
            })
            .collect()
    });
    sections
        .get(section)
        .unwrap_or_else(|| panic!("no section {section} in JAX's output"))
}

/// The `precision=` parameter of each `dot_general` equation of a jaxpr's text, in order
/// (`None` when the equation has none).
fn jaxpr_precisions(text: &str) -> Vec<Option<String>> {
    text.split("dot_general[")
        .skip(1)
        .map(|eqn| {
            let mut depth = 1;
            let end = eqn
                .find(|c| {
                    depth += match c {
                        '[' => 1,
                        ']' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .expect("the parameters' closing bracket");
            let params = &eqn[..end];
            params.split_once("precision=(").map(|(_, rest)| {
                let end = rest.find(')').expect("a closing parenthesis");
                rest[..end].to_string()
            })
        })
        .collect()
}

/// The `precision_config` attribute of each `stablehlo.dot_general` of a module's generic
/// text, in order (`None` when it has none).
fn hlo_precisions(text: &str) -> Vec<Option<String>> {
    text.lines()
        .filter(|line| line.contains("\"stablehlo.dot_general\""))
        .map(|line| {
            line.split_once("precision_config = [").map(|(_, rest)| {
                let end = rest.find(']').expect("a closing bracket");
                rest[..end].to_string()
            })
        })
        .collect()
}

fn x() -> Array {
    Array::from([[0.0f32, 1.0, 2.0], [3.0, 4.0, 5.0]])
}

fn y() -> Array {
    jnp::reshape(jnp::arange(0.0, 12.0, 1.0, DType::F32), &[3, 4])
}

fn contract_1_0() -> DotDimensionNumbers {
    DotDimensionNumbers {
        lhs_contracting: vec![1],
        rhs_contracting: vec![0],
        ..DotDimensionNumbers::default()
    }
}

/// The product of the tests, with one precision per operand as JAX's `f`.
fn f(a: &Array, b: &Array) -> Array {
    let options = DotOptions::default().precision_pair(Precision::High, Precision::Highest);
    lax::dot_general_with(a, b, contract_1_0(), options)
}

/// The exact product of integer-valued row-major matrices `[m, k]` and `[k, n]`.
fn reference_matmul(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
        }
    }
    out
}

#[test]
fn a_dot_with_a_precision_prints_and_lowers_as_jax() -> anyhow::Result<()> {
    let _config = lock();
    let jitted = jit(|(a, b): (Array, Array)| f(&a, &b));
    let input = (x(), y());
    assert_eq!(jitted.make_jaxpr(&input)?.to_string(), jax("jaxpr_dot"));
    let lowered = jitted.lower(&input)?;
    let precisions = hlo_precisions(lowered.as_text());
    assert_eq!(precisions, hlo_precisions(jax("hlo_dot")));
    assert_eq!(
        precisions,
        [Some(
            "#stablehlo<precision HIGH>, #stablehlo<precision HIGHEST>".to_string()
        )]
    );
    lowered.compile()?;
    Ok(())
}

#[test]
fn jvp_keeps_the_precision() -> anyhow::Result<()> {
    let _config = lock();
    let with_tangents = |(a, b, ta, tb): (Array, Array, Array, Array)| {
        jvp(|(a, b): (Array, Array)| f(&a, &b), (a, b), (ta, tb))
    };
    let input = (x(), y(), x(), y());
    let text = make_jaxpr(with_tangents)(&input)?.to_string();
    // rjax names JAX's `add_any` `add` (docs/jaxpr-comparison.md).
    assert_eq!(text, jax("jaxpr_jvp").replace("add_any", "add"));
    let lowered = jit(with_tangents).lower(&input)?;
    assert_eq!(
        hlo_precisions(lowered.as_text()),
        hlo_precisions(jax("hlo_jvp"))
    );
    // d(A·B) = dA·B + A·dB, here 2·A·B.
    let (value, tangent): (Array, Array) = with_tangents(input)?;
    let exact = reference_matmul(&x().to_vec::<f32>()?, &y().to_vec::<f32>()?, 2, 3, 4);
    assert_eq!(value.to_vec::<f32>()?, exact);
    let doubled: Vec<f32> = exact.iter().map(|v| 2.0 * v).collect();
    assert_eq!(tangent.to_vec::<f32>()?, doubled);
    Ok(())
}

#[test]
fn grad_transposes_into_dots_with_the_same_precision() -> anyhow::Result<()> {
    let _config = lock();
    let gradient = grad(|(a, b): (Array, Array)| f(&a, &b).sum());
    let input = (x(), y());
    let text = make_jaxpr(&gradient)(&input)?.to_string();
    let expected = jax("jaxpr_grad");
    // JAX keeps the forward product (unused) in the jaxpr; both transposed products must
    // carry the original pair, in the original order.
    let transposed = |text: &str| {
        let mut all = jaxpr_precisions(text);
        all.sort();
        all.dedup();
        all
    };
    assert_eq!(transposed(&text), transposed(expected), "{text}");
    assert_eq!(
        jaxpr_precisions(&text).len(),
        2,
        "two transposed products: {text}"
    );
    let lowered = jit(&gradient).lower(&input)?;
    assert_eq!(
        hlo_precisions(lowered.as_text()),
        hlo_precisions(jax("hlo_grad"))
    );
    // d sum(A·B)/dA = 1·Bᵀ (row sums of B), d/dB = Aᵀ·1 (column sums of A).
    let (da, db) = gradient(input)?;
    assert_eq!(
        da.to_vec::<f32>()?,
        [6.0, 22.0, 38.0, 6.0, 22.0, 38.0],
        "row sums of B"
    );
    assert_eq!(
        db.to_vec::<f32>()?,
        [3.0, 3.0, 3.0, 3.0, 5.0, 5.0, 5.0, 5.0, 7.0, 7.0, 7.0, 7.0]
    );
    Ok(())
}

#[test]
fn vmap_keeps_the_precision() -> anyhow::Result<()> {
    let _config = lock();
    let batched = vmap(
        |(a, b): (Array, Array)| f(&a, &b),
        InAxes::per_leaf(vec![Some(0), None]),
    );
    let xs = jnp::reshape(jnp::arange(0.0, 30.0, 1.0, DType::F32), &[5, 2, 3]);
    let input = (xs.clone(), y());
    let text = make_jaxpr(&batched)(&input)?.to_string();
    assert_eq!(text, jax("jaxpr_vmap"));
    let lowered = jit(&batched).lower(&input)?;
    assert_eq!(
        hlo_precisions(lowered.as_text()),
        hlo_precisions(jax("hlo_vmap"))
    );
    let out = batched(input)?;
    assert_eq!(out.shape(), [5, 2, 4]);
    let exact = reference_matmul(&xs.to_vec::<f32>()?, &y().to_vec::<f32>()?, 10, 3, 4);
    assert_eq!(out.to_vec::<f32>()?, exact);
    Ok(())
}

#[test]
fn the_default_precision_is_left_out_of_jaxprs_and_modules() -> anyhow::Result<()> {
    let _config = lock();
    let plain = jit(|(a, b): (Array, Array)| lax::dot_general(&a, &b, contract_1_0()));
    let input = (x(), y());
    assert_eq!(
        plain.make_jaxpr(&input)?.to_string(),
        "{ lambda ; a:f32[2,3] b:f32[3,4]. let\n    \
         c:f32[2,4] = dot_general[dimension_numbers=(([1], [0]), ([], []))] a b\n  in (c,) }"
    );
    let text = plain.lower(&input)?.as_text().to_string();
    assert_eq!(hlo_precisions(&text), [None], "{text}");
    let highest = DotOptions::default().precision(Precision::Highest);
    let with =
        jit(move |(a, b): (Array, Array)| lax::dot_general_with(&a, &b, contract_1_0(), highest));
    // The same module but for the attribute.
    let with_text = with.lower(&input)?.as_text().to_string();
    let stripped = with_text.replace(
        ", precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]",
        "",
    );
    assert_ne!(stripped, with_text);
    assert_eq!(stripped, text);
    // `precision(None)` resets to the default.
    assert_eq!(highest.precision(None), DotOptions::default());
    assert_eq!(
        DotOptions::from(Precision::Default),
        DotOptions::default().precision_pair(Precision::Default, Precision::Default)
    );
    Ok(())
}

#[test]
fn precisions_parse_from_jax_strings() {
    for (text, precision) in [
        ("default", Precision::Default),
        ("fastest", Precision::Default),
        ("bfloat16", Precision::Default),
        ("high", Precision::High),
        ("tensorfloat32", Precision::High),
        ("bfloat16_3x", Precision::High),
        ("highest", Precision::Highest),
        ("float32", Precision::Highest),
    ] {
        assert_eq!(text.parse::<Precision>(), Ok(precision), "{text}");
    }
    let message = "HIGHEST".parse::<Precision>().unwrap_err();
    assert!(message.contains("\"HIGHEST\""), "{message}");
    assert_eq!(Precision::Highest.to_string(), "HIGHEST");
}

#[test]
fn the_numpy_products_take_a_precision_as_jax_does() -> anyhow::Result<()> {
    let _config = lock();
    let (a, b) = (x(), y());
    let v = jnp::arange(0.0, 3.0, 1.0, DType::F32);
    let tensorfloat32: Precision = "tensorfloat32".parse().map_err(anyhow::Error::msg)?;
    type Product = Box<dyn Fn(&Array, &Array, &Array) -> Array>;
    let cases: [(&str, Product); 6] = [
        (
            "matmul",
            Box::new(|a, b, _| jnp::matmul_with(a, b, Precision::Highest)),
        ),
        (
            "dot",
            Box::new(|a, b, _| jnp::dot_with(a, b, Precision::High)),
        ),
        (
            "vdot",
            Box::new(|_, _, v| {
                let pair =
                    DotOptions::default().precision_pair(Precision::Highest, Precision::Default);
                jnp::vdot_with(v, v, pair)
            }),
        ),
        (
            "inner",
            Box::new(move |a, _, _| jnp::inner_with(a, a, tensorfloat32)),
        ),
        (
            "tensordot",
            Box::new(|a, b, _| jnp::tensordot_with(a, b, 1, Precision::Highest)),
        ),
        (
            "einsum",
            Box::new(|a, b, _| {
                jnp::einsum_with("ij,jk,kl->il", &[a, b, &b.t()], Precision::Highest)
            }),
        ),
    ];
    for (name, product) in &cases {
        let traced = make_jaxpr(|(a, b, v): (Array, Array, Array)| product(&a, &b, &v))(&(
            a.clone(),
            b.clone(),
            v.clone(),
        ))?
        .to_string();
        let expected = jax(&format!("product_{name}"));
        let precisions = jaxpr_precisions(&traced);
        assert_eq!(precisions, jaxpr_precisions(expected), "{name}: {traced}");
        assert!(precisions.iter().all(Option::is_some), "{name}: {traced}");
    }
    // The values are the plain forms'.
    let exact = reference_matmul(&a.to_vec::<f32>()?, &b.to_vec::<f32>()?, 2, 3, 4);
    assert_eq!(
        jnp::matmul_with(&a, &b, Precision::Highest).to_vec::<f32>()?,
        exact
    );
    assert_eq!(
        jnp::tensordot_with(&a, &b, 1, Precision::High).to_vec::<f32>()?,
        exact
    );
    assert_eq!(
        jnp::dot_with(&a, &b, Precision::Default).to_vec::<f32>()?,
        exact
    );
    assert_eq!(
        jnp::vdot_with(&v, &v, Precision::Highest).to_vec::<f32>()?,
        [5.0]
    );
    assert_eq!(
        jnp::inner_with(&v, &v, Precision::Highest).to_vec::<f32>()?,
        [5.0]
    );
    // Both keywords at once, and a scalar operand (a product) in the preferred dtype.
    let both = DotOptions::default()
        .precision(Precision::Highest)
        .preferred_element_type(DType::F64);
    let wide = jnp::matmul_with(&a, &b, both);
    assert_eq!(wide.dtype(), DType::F64);
    assert_eq!(
        both.precision,
        Some((Precision::Highest, Precision::Highest))
    );
    let scaled = jnp::dot_with(&v, 2.0f32, both);
    assert_eq!(scaled.dtype(), DType::F64);
    // The einsum keeps accepting a dtype alone, or `None`.
    let untyped = jnp::einsum_with("i,i->", &[&v, &v], None);
    assert_eq!(
        (untyped.dtype(), untyped.to_vec::<f32>()?),
        (DType::F32, vec![5.0])
    );
    assert_eq!(
        jnp::einsum_with("i,i->", &[&v, &v], DType::F64).dtype(),
        DType::F64
    );
    Ok(())
}

#[test]
fn the_default_matmul_precision_applies_to_dots_without_their_own() -> anyhow::Result<()> {
    let _config = lock();
    let f = |(a, b): (Array, Array)| {
        let product = lax::dot_general(&a, &b, contract_1_0());
        jnp::matmul(&product, b.t())
    };
    let input = (x(), y());
    let jitted = jit(f);
    let before = jitted.make_jaxpr(&input)?.to_string();
    assert_eq!(jaxpr_precisions(&before), [None, None], "{before}");
    rjax::config::set_default_matmul_precision(Precision::High);
    let during = jitted.make_jaxpr(&input)?.to_string();
    let lowered = jitted.lower(&input)?.as_text().to_string();
    let value = jitted.call(input.clone());
    rjax::config::set_default_matmul_precision(None);
    assert_eq!(
        jaxpr_precisions(&during),
        jaxpr_precisions(jax("config_default")),
        "{during}"
    );
    assert_eq!(
        hlo_precisions(&lowered),
        vec![Some("#stablehlo<precision HIGH>, #stablehlo<precision HIGH>".to_string()); 2]
    );
    let value: Array = value?;
    assert_eq!(value.shape(), [2, 3]);
    // After the reset, the cached trace without precision is used again.
    assert_eq!(jitted.make_jaxpr(&input)?.to_string(), before);
    assert_eq!(rjax::config::default_matmul_precision(), None);
    Ok(())
}

#[test]
fn linear_algebra_rules_multiply_at_the_highest_precision() -> anyhow::Result<()> {
    let _config = lock();
    // JAX's `_cholesky_jvp_rule` multiplies with `lax.batch_matmul(..., precision=HIGHEST)`.
    let spd = Array::from([[4.0f32, 1.0], [1.0, 3.0]]);
    let cholesky_jvp = |(a, t): (Array, Array)| jvp(|a: Array| lax::cholesky(a), a, t);
    let text = make_jaxpr(cholesky_jvp)(&(spd.clone(), spd))?.to_string();
    let highest = Some("Precision.HIGHEST, Precision.HIGHEST".to_string());
    assert_eq!(
        jaxpr_precisions(jax("jaxpr_cholesky_jvp")),
        vec![highest.clone()],
        "JAX's rule"
    );
    assert_eq!(jaxpr_precisions(&text), vec![highest], "{text}");
    Ok(())
}
