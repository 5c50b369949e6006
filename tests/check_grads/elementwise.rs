//! check_grads on elementwise.

use super::*;

#[test]
fn unary_primitives() {
    x64();
    let mut rng = Rng::new(1);
    type Unary = fn(&Array) -> Array;
    // Each operation with the interval its inputs are drawn from.
    let ops: [(&str, Unary, f64, f64); 29] = [
        ("neg", |x| lax::neg(x), -2.0, 2.0),
        ("sign", |x| lax::sign(x), -2.0, 2.0),
        ("floor", |x| lax::floor(x), -2.0, 2.0),
        ("ceil", |x| lax::ceil(x), -2.0, 2.0),
        ("round", |x| lax::round(x), -2.0, 2.0),
        ("exp", |x| lax::exp(x), -2.0, 2.0),
        ("exp2", |x| lax::exp2(x), -2.0, 2.0),
        ("log", |x| lax::log(x), 0.5, 2.0),
        ("log1p", |x| lax::log1p(x), -0.5, 2.0),
        ("expm1", |x| lax::expm1(x), -2.0, 2.0),
        ("sqrt", |x| lax::sqrt(x), 0.5, 2.0),
        ("rsqrt", |x| lax::rsqrt(x), 0.5, 2.0),
        ("sin", |x| lax::sin(x), -3.0, 3.0),
        ("cos", |x| lax::cos(x), -3.0, 3.0),
        ("tan", |x| lax::tan(x), -1.0, 1.0),
        ("asin", |x| lax::asin(x), -0.8, 0.8),
        ("acos", |x| lax::acos(x), -0.8, 0.8),
        ("atan", |x| lax::atan(x), -2.0, 2.0),
        ("sinh", |x| lax::sinh(x), -2.0, 2.0),
        ("cosh", |x| lax::cosh(x), -2.0, 2.0),
        ("tanh", |x| lax::tanh(x), -2.0, 2.0),
        ("asinh", |x| lax::asinh(x), -2.0, 2.0),
        ("acosh", |x| lax::acosh(x), 1.5, 3.0),
        ("atanh", |x| lax::atanh(x), -0.8, 0.8),
        ("logistic", |x| lax::logistic(x), -3.0, 3.0),
        ("erf", |x| lax::erf(x), -1.5, 1.5),
        ("erfc", |x| lax::erfc(x), -1.5, 1.5),
        ("erf_inv", |x| lax::erf_inv(x), -0.8, 0.8),
        ("copy", |x| lax::copy(x), -2.0, 2.0),
    ];
    let mut cases: Vec<Case> = ops
        .iter()
        .map(|&(name, op, low, high)| {
            case1(
                name,
                vec![uniform(&mut rng, &SHAPE, low, high)],
                move |xs| op(&xs[0]),
            )
        })
        .collect();
    // Away from their kinks and singularities at zero.
    cases.push(case1("abs", vec![signed(&mut rng, &SHAPE)], |xs| {
        lax::abs(&xs[0])
    }));
    cases.push(case1("cbrt", vec![signed(&mut rng, &SHAPE)], |xs| {
        lax::cbrt(&xs[0])
    }));
    cases.push(case1(
        "lgamma",
        vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
        |xs| lax::lgamma(&xs[0]),
    ));
    cases.push(case1(
        "digamma",
        vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
        |xs| lax::digamma(&xs[0]),
    ));
    run(cases);
}

#[test]
fn binary_primitives() {
    x64();
    let mut rng = Rng::new(2);
    type Binary = fn(&Array, &Array) -> Array;
    /// The interval inputs are drawn from.
    type Interval = (f64, f64);
    let any = (-2.0, 2.0);
    let ops: [(&str, Binary, Interval, Interval); 9] = [
        ("add", |x, y| lax::add(x, y), any, any),
        ("sub", |x, y| lax::sub(x, y), any, any),
        ("mul", |x, y| lax::mul(x, y), any, any),
        ("div", |x, y| lax::div(x, y), any, (0.5, 2.0)),
        ("rem", |x, y| lax::rem(x, y), (-3.0, 3.0), (0.6, 1.4)),
        ("pow", |x, y| lax::pow(x, y), (0.5, 2.0), (-1.5, 1.5)),
        ("max", |x, y| lax::max(x, y), any, any),
        ("min", |x, y| lax::min(x, y), any, any),
        ("atan2", |x, y| lax::atan2(x, y), any, any),
    ];
    let mut cases: Vec<Case> = ops
        .iter()
        .map(|&(name, op, (xl, xh), (yl, yh))| {
            let args = vec![
                uniform(&mut rng, &SHAPE, xl, xh),
                uniform(&mut rng, &SHAPE, yl, yh),
            ];
            case1(name, args, move |xs| op(&xs[0], &xs[1]))
        })
        .collect();
    // The order m is not differentiable (as in JAX): a constant.
    for m in [0.0, 1.0, 2.0] {
        let order = Array::from_slice(&[m; 6], &SHAPE).unwrap();
        cases.push(case1(
            &format!("polygamma m={m}"),
            vec![uniform(&mut rng, &SHAPE, 0.5, 3.0)],
            move |xs| lax::polygamma(&order, &xs[0]),
        ));
    }
    run(cases);
}

#[test]
fn select_n_clamp_integer_pow_and_convert() {
    x64();
    let mut rng = Rng::new(3);
    let which = Array::from_slice(&[true, false, true, false, false, true], &SHAPE).unwrap();
    let which3 = ints(&[0, 1, 2, 2, 1, 0], &SHAPE);
    let mut cases = vec![
        case1(
            "select_n (bool)",
            vec![normal(&mut rng, &SHAPE), normal(&mut rng, &SHAPE)],
            move |xs| lax::select_n(&which, [&xs[0], &xs[1]]),
        ),
        case1(
            "select_n (int32, three cases)",
            vec![
                normal(&mut rng, &SHAPE),
                normal(&mut rng, &SHAPE),
                normal(&mut rng, &SHAPE),
            ],
            move |xs| lax::select_n(&which3, [&xs[0], &xs[1], &xs[2]]),
        ),
        // A data-dependent selection: comparisons inside a differentiable function.
        case1(
            "select_n of lt",
            vec![normal(&mut rng, &SHAPE), normal(&mut rng, &SHAPE)],
            |xs| lax::select_n(lax::lt(&xs[0], &xs[1]), [&xs[0], &xs[1]]),
        ),
        case1(
            "clamp",
            vec![
                uniform(&mut rng, &SHAPE, -1.0, -0.5),
                uniform(&mut rng, &SHAPE, -2.0, 2.0),
                uniform(&mut rng, &SHAPE, 0.5, 1.0),
            ],
            |xs| lax::clamp(&xs[0], &xs[1], &xs[2]),
        ),
    ];
    for y in [0, 1, 2, 3, -1, -3] {
        cases.push(case1(
            &format!("integer_pow y={y}"),
            vec![signed(&mut rng, &SHAPE)],
            move |xs| lax::integer_pow(&xs[0], y),
        ));
    }
    // At order 2 the VJP function maps f64 to f64 through f32 (the cotangent is rounded to
    // f32 and back): its finite differences have f32's precision.
    cases.push(
        case1(
            "convert_element_type f64 -> f32",
            vec![normal(&mut rng, &SHAPE)],
            |xs| lax::convert_element_type(&xs[0], DType::F32),
        )
        .with(CheckGrads::new(2).atol(2e-3).rtol(2e-3)),
    );
    let x32 = Array::from_slice(&[0.25f32, -1.5, 2.0, 0.75, -0.125, 1.25], &SHAPE).unwrap();
    cases.push(case1("convert_element_type f32 -> f64", vec![x32], |xs| {
        lax::convert_element_type(&xs[0], DType::F64)
    }));
    cases.push(case1(
        "convert_element_type f64 -> f64",
        vec![normal(&mut rng, &SHAPE)],
        |xs| lax::convert_element_type(&xs[0], DType::F64),
    ));
    // An integer output has a zero tangent; its primal is still checked.
    cases.push(case(
        "convert_element_type f64 -> i32 beside a float output",
        vec![uniform(&mut rng, &SHAPE, -3.0, 3.0)],
        |xs| {
            vec![
                lax::convert_element_type(&xs[0], DType::I32),
                lax::sin(&xs[0]),
            ]
        },
    ));
    cases.push(case(
        "argmax, argmin and is_finite beside a float output",
        vec![normal(&mut rng, &[3, 4])],
        |xs| {
            vec![
                lax::argmax(&xs[0], 1, DType::I32),
                lax::argmin(&xs[0], 0, DType::I32),
                lax::is_finite(&xs[0]),
                lax::exp(&xs[0]),
            ]
        },
    ));
    run(cases);
}
