//! What the criterion benches share: they time the items of examples/bench_rjax.rs, the rjax
//! side of scripts/bench-vs-jax.sh, so that both measure the same computations.

#[path = "../../examples/bench_rjax.rs"]
#[allow(dead_code)]
mod bench_rjax;

use std::time::Duration;

use bench_rjax::Item;
use criterion::{Criterion, SamplingMode};

/// Benchmarks every item of examples/bench_rjax.rs whose name starts with `prefix`, as
/// `group/rest-of-name`; a first-call item gives one benchmark per figure (`total`,
/// `trace+lower`, `compile`), each a fresh function per iteration.
pub fn bench_items(c: &mut Criterion, prefix: &str, heavy: bool) {
    for (name, x64) in bench_rjax::ITEMS
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
    {
        rjax::config::enable_x64(*x64);
        let (group_name, id) = name.split_once('/').expect("group/item");
        let mut group = c.benchmark_group(group_name);
        if heavy {
            group.sample_size(10);
        }
        match bench_rjax::setup(name).expect("sets up") {
            Item::Timed(mut body) => {
                group.bench_function(id, |b| b.iter(|| body().expect("runs")));
            }
            Item::FirstCall(mut first) => {
                group
                    .sampling_mode(SamplingMode::Flat)
                    .warm_up_time(Duration::from_millis(500))
                    .measurement_time(Duration::from_secs(1));
                for figure in ["total", "trace+lower", "compile"] {
                    group.bench_function(format!("{id}/{figure}"), |b| {
                        b.iter_custom(|iterations| {
                            let mut sum = 0.0;
                            for _ in 0..iterations {
                                sum += match figure {
                                    "total" => first.total(),
                                    _ => first.ahead_of_time(figure == "compile").map(|figures| {
                                        figures
                                            .iter()
                                            .find(|(key, _)| *key == figure)
                                            .expect("figure")
                                            .1
                                    }),
                                }
                                .expect("runs");
                            }
                            Duration::from_secs_f64(sum)
                        })
                    });
                }
            }
        }
        group.finish();
    }
}
