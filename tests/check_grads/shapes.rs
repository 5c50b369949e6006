//! check_grads on shapes, reductions, contractions.

use super::*;

#[test]
fn shape_primitives() {
    x64();
    let mut rng = Rng::new(4);
    let cases = vec![
        case1("broadcast_in_dim", vec![normal(&mut rng, &[3])], |xs| {
            lax::broadcast_in_dim(&xs[0], &[2, 3, 4], &[1])
        }),
        case1(
            "broadcast_in_dim of a scalar",
            vec![normal(&mut rng, &[])],
            |xs| lax::broadcast_in_dim(&xs[0], &[2, 2], &[]),
        ),
        case1("reshape", vec![normal(&mut rng, &[2, 3, 2])], |xs| {
            lax::reshape(&xs[0], &[3, 4])
        }),
        case1("transpose", vec![normal(&mut rng, &[2, 3, 4])], |xs| {
            lax::transpose(&xs[0], &[2, 0, 1])
        }),
        case1("squeeze", vec![normal(&mut rng, &[2, 1, 3, 1])], |xs| {
            lax::squeeze(&xs[0], &[1, 3])
        }),
        case1("expand_dims", vec![normal(&mut rng, &SHAPE)], |xs| {
            lax::expand_dims(&xs[0], &[0, 2])
        }),
        case1("slice", vec![normal(&mut rng, &[4, 5])], |xs| {
            lax::slice(&xs[0], &[1, 0], &[4, 4], None)
        }),
        case1(
            "slice with strides",
            vec![normal(&mut rng, &[4, 5])],
            |xs| lax::slice(&xs[0], &[0, 1], &[4, 5], Some(&[2, 3])),
        ),
        case1(
            "concatenate",
            vec![
                normal(&mut rng, &[2, 1]),
                normal(&mut rng, &[2, 3]),
                normal(&mut rng, &[2, 2]),
            ],
            |xs| lax::concatenate([&xs[0], &xs[1], &xs[2]], 1),
        ),
        case1("rev", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::rev(&xs[0], &[0, 1])
        }),
        case1(
            "pad (low, high, interior)",
            vec![normal(&mut rng, &[2, 3]), normal(&mut rng, &[])],
            |xs| lax::pad(&xs[0], &xs[1], &[(1, 2, 1), (0, 1, 0)]),
        ),
        case1(
            "pad (negative edges)",
            vec![normal(&mut rng, &[4, 3]), normal(&mut rng, &[])],
            |xs| lax::pad(&xs[0], &xs[1], &[(-1, 1, 0), (1, -2, 1)]),
        ),
    ];
    run(cases);
}

#[test]
fn reductions() {
    x64();
    let mut rng = Rng::new(5);
    let cases = vec![
        case1("reduce_sum axis 1", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::reduce_sum(&xs[0], &[1])
        }),
        case1("reduce_sum all", vec![normal(&mut rng, &[2, 3, 2])], |xs| {
            lax::reduce_sum(&xs[0], &[0, 1, 2])
        }),
        case1(
            "reduce_prod axis 0",
            vec![signed(&mut rng, &[3, 4])],
            |xs| lax::reduce_prod(&xs[0], &[0]),
        ),
        case1("reduce_prod all", vec![signed(&mut rng, &[2, 3])], |xs| {
            lax::reduce_prod(&xs[0], &[0, 1])
        }),
        case1("reduce_max axis 1", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::reduce_max(&xs[0], &[1])
        }),
        case1(
            "reduce_min axes 0, 2",
            vec![normal(&mut rng, &[2, 3, 2])],
            |xs| lax::reduce_min(&xs[0], &[0, 2]),
        ),
    ];
    run(cases);
}

#[test]
fn cumulative_reductions_and_sort() {
    x64();
    let mut rng = Rng::new(12);
    let cases = vec![
        case1("cumsum axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cumsum(&xs[0])
        }),
        case1(
            "cumsum axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cumsum_with(&xs[0], lax::CumulativeOptions::along(1).reverse(true)),
        ),
        case1("cumprod axis 0", vec![signed(&mut rng, &[4, 3])], |xs| {
            lax::cumprod(&xs[0])
        }),
        case1(
            "cumprod axis 1 reverse",
            vec![signed(&mut rng, &[4, 3])],
            |xs| lax::cumprod_with(&xs[0], lax::CumulativeOptions::along(1).reverse(true)),
        ),
        case1("cummax axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cummax(&xs[0])
        }),
        case1(
            "cummax axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cummax_with(&xs[0], lax::CumulativeOptions::along(1).reverse(true)),
        ),
        case1("cummin axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::cummin(&xs[0])
        }),
        case1(
            "cummin axis 1 reverse",
            vec![normal(&mut rng, &[4, 3])],
            |xs| lax::cummin_with(&xs[0], lax::CumulativeOptions::along(1).reverse(true)),
        ),
        case("sort", vec![normal(&mut rng, &[3, 4])], |xs| {
            lax::sort_with([&xs[0]], lax::SortOptions::along(1))
        }),
        case("sort axis 0", vec![normal(&mut rng, &[4, 3])], |xs| {
            lax::sort_with([&xs[0]], lax::SortOptions::along(0).is_stable(false))
        }),
        case(
            "sort_key_val",
            vec![normal(&mut rng, &[5]), normal(&mut rng, &[5])],
            |xs| {
                let (k, v) = lax::sort_key_val_with(&xs[0], &xs[1], lax::SortOptions::along(0));
                vec![k, v]
            },
        ),
        // Three operands sorted by the first two keys (the first has no ties: the second
        // key does not matter, but its values travel).
        case(
            "sort of three operands, two keys",
            vec![
                normal(&mut rng, &[2, 4]),
                normal(&mut rng, &[2, 4]),
                normal(&mut rng, &[2, 4]),
            ],
            |xs| {
                lax::sort_with(
                    [&xs[0], &xs[1], &xs[2]],
                    lax::SortOptions::along(1).num_keys(2),
                )
            },
        ),
    ];
    run(cases);
}

#[test]
fn dot_general() {
    x64();
    let mut rng = Rng::new(6);
    let matmul = DotDimensionNumbers {
        lhs_contracting: vec![1],
        rhs_contracting: vec![0],
        ..DotDimensionNumbers::default()
    };
    let batched = DotDimensionNumbers {
        lhs_contracting: vec![2],
        rhs_contracting: vec![1],
        lhs_batch: vec![0],
        rhs_batch: vec![0],
    };
    let two_contractions = DotDimensionNumbers {
        lhs_contracting: vec![0, 2],
        rhs_contracting: vec![2, 0],
        ..DotDimensionNumbers::default()
    };
    let outer = DotDimensionNumbers::default();
    let cases = vec![
        case1(
            "dot_general matmul",
            vec![normal(&mut rng, &[2, 3]), normal(&mut rng, &[3, 4])],
            move |xs| lax::dot_general(&xs[0], &xs[1], matmul.clone()),
        ),
        case1(
            "dot_general batched",
            vec![normal(&mut rng, &[2, 3, 4]), normal(&mut rng, &[2, 4, 2])],
            move |xs| {
                lax::dot_general_with(
                    &xs[0],
                    &xs[1],
                    batched.clone(),
                    lax::DotOptions::default().preferred_element_type(DType::F64),
                )
            },
        ),
        case1(
            "dot_general two contractions",
            vec![normal(&mut rng, &[2, 3, 4]), normal(&mut rng, &[4, 5, 2])],
            move |xs| lax::dot_general(&xs[0], &xs[1], two_contractions.clone()),
        ),
        case1(
            "dot_general outer product",
            vec![normal(&mut rng, &[3]), normal(&mut rng, &[2])],
            move |xs| lax::dot_general(&xs[0], &xs[1], outer.clone()),
        ),
    ];
    run(cases);
}
