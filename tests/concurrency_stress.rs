//! Many threads at once, for a fixed time budget: eager operations, one shared `jit`-ed
//! function (two input shapes), `grad`, `vmap`, `rjax::random`, and arrays handed between
//! threads through a channel while their computation may still be running. Every result is
//! compared bit for bit with a single-threaded reference computed first, and the process's
//! PJRT buffers and executables are back to their count before the stress when it ends.
//!
//! The budget is 3 seconds; `RJAX_STRESS_SECONDS` sets another (say, 600 for a soak run).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use rjax::runtime::live_objects;
use rjax::{Array, DType, InAxes, grad, jit, random, vmap};

const THREADS: usize = 6;
/// Different inputs each kind of work is run on.
const INPUTS: usize = 6;

/// The kinds of work, each a function of an input index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Work {
    Eager,
    SharedJit,
    Grad,
    Vmap,
    Random,
    /// Produced on one thread, finished on whichever takes it from the channel.
    Handoff,
}

const WORK: [Work; 6] = [
    Work::Eager,
    Work::SharedJit,
    Work::Grad,
    Work::Vmap,
    Work::Random,
    Work::Handoff,
];

/// An `n × n` float32 matrix that depends on `index`, with entries in [-1, 1).
fn matrix(index: usize, n: usize) -> Array {
    let data: Vec<f32> = (0..n * n)
        .map(|j| ((index * 7 + j * 3) % 17) as f32 / 8.5 - 1.0)
        .collect();
    Array::from_slice(&data, &[n, n]).expect("n × n values")
}

/// The bits of a float32 result.
fn bits(array: &Array) -> anyhow::Result<Vec<u32>> {
    Ok(array.to_vec::<f32>()?.iter().map(|x| x.to_bits()).collect())
}

/// The first half of [`Work::Handoff`]: an eager chain whose result is not awaited.
fn produce(index: usize) -> Array {
    let a = matrix(index, 48);
    a.matmul(&a).tanh().matmul(&a)
}

/// The second half of [`Work::Handoff`].
fn finish(in_flight: Array) -> anyhow::Result<Vec<u32>> {
    bits(&(in_flight * 3.0 + 1.0).sum_axes([1]))
}

/// Runs one piece of work, with `shared` the one `jit`-ed function every thread calls.
fn run<F: Fn(Array) -> Array>(
    work: Work,
    index: usize,
    shared: &rjax::Jitted<F>,
) -> anyhow::Result<Vec<u32>> {
    let x = matrix(index, 4 + 4 * (index % 2));
    match work {
        Work::Eager => bits(&((x.sin() * 2.0 + x.exp()).matmul(&x) - x.cos().sum())),
        Work::SharedJit => bits(&shared.call(x)?),
        Work::Grad => {
            let loss = |x: Array| (x.sin() * &x).sum() + x.matmul(&x).tanh().sum();
            bits(&grad(loss)(x)?)
        }
        Work::Vmap => {
            let softmax = |row: Array| {
                let e = row.exp();
                &e / e.sum()
            };
            bits(&vmap(softmax, InAxes::leading())(x)?)
        }
        Work::Random => {
            let key = random::key(index as i64);
            let normal = random::normal(random::fold_in(&key, 1), &[16], DType::F32);
            let uniform =
                random::uniform_with(random::fold_in(&key, 2), &[8], DType::F32, -1.0, 3.0);
            let mut out = bits(&normal)?;
            out.extend(bits(&uniform)?);
            out.extend(random::key_data(random::split(&key, 3)).to_vec::<u32>()?);
            Ok(out)
        }
        Work::Handoff => finish(produce(index)),
    }
}

/// The budget: `RJAX_STRESS_SECONDS`, else 3 seconds.
fn budget() -> anyhow::Result<Duration> {
    let seconds = match std::env::var("RJAX_STRESS_SECONDS") {
        Ok(text) => text
            .parse::<f64>()
            .with_context(|| format!("RJAX_STRESS_SECONDS={text:?}"))?,
        Err(_) => 3.0,
    };
    Ok(Duration::from_secs_f64(seconds))
}

/// An array in flight from one thread to another, with where and for what it was made.
struct InFlight {
    producer: usize,
    index: usize,
    array: Array,
}

#[test]
fn threads_mixing_every_kind_of_work_match_a_single_threaded_run() -> anyhow::Result<()> {
    let shared = jit(|x: Array| (x.matmul(&x).tanh() * 0.5 + x.sin()).sum_axes([0]));
    let mut reference = HashMap::new();
    for work in WORK {
        for index in 0..INPUTS {
            reference.insert((work, index), run(work, index, &shared)?);
        }
    }
    let baseline = live_objects();
    let deadline = Instant::now() + budget()?;

    // Thread `t` hands its in-flight arrays to thread `t + 1` (mod THREADS).
    let (senders, inboxes): (Vec<_>, Vec<_>) =
        (0..THREADS).map(|_| mpsc::channel::<InFlight>()).unzip();
    let failures = Mutex::new(Vec::<String>::new());
    let counts = Mutex::new(HashMap::<Work, usize>::new());
    let check = |work: Work, index: usize, got: anyhow::Result<Vec<u32>>| {
        let want = &reference[&(work, index)];
        let failure = match got {
            Ok(got) if got == *want => None,
            Ok(got) => Some(format!("{work:?}({index}): {got:x?} != {want:x?}")),
            Err(e) => Some(format!("{work:?}({index}): {e:#}")),
        };
        let ok = failure.is_none();
        failures.lock().unwrap().extend(failure);
        *counts.lock().unwrap().entry(work).or_default() += usize::from(ok);
    };
    let finish_one = |taken: InFlight, consumer: usize| {
        let crossed = taken.producer != consumer;
        let result = finish(taken.array).and_then(|bits| {
            crossed
                .then_some(bits)
                .context("handed to its own producer")
        });
        check(Work::Handoff, taken.index, result);
    };

    let leftovers = std::thread::scope(|scope| {
        let workers: Vec<_> = inboxes
            .into_iter()
            .enumerate()
            .map(|(thread, inbox)| {
                let next = senders[(thread + 1) % THREADS].clone();
                let (shared, check, finish_one) = (&shared, &check, &finish_one);
                scope.spawn(move || {
                    let mut round = 0;
                    while Instant::now() < deadline {
                        // Each thread walks the kinds of work and the inputs in its own order.
                        for (k, work) in WORK.iter().enumerate() {
                            let index = (thread * 5 + round * 3 + k) % INPUTS;
                            if *work != Work::Handoff {
                                check(*work, index, run(*work, index, shared));
                                continue;
                            }
                            let array = produce(index);
                            let producer = thread;
                            let _ = next.send(InFlight {
                                producer,
                                index,
                                array,
                            });
                            for taken in inbox.try_iter() {
                                finish_one(taken, thread);
                            }
                        }
                        round += 1;
                    }
                    (thread, inbox)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker thread panicked"))
            .collect::<Vec<_>>()
    });
    drop(senders);
    for (thread, inbox) in leftovers {
        for taken in inbox.try_iter() {
            finish_one(taken, thread);
        }
    }

    let failures = failures.into_inner().unwrap();
    ensure!(
        failures.is_empty(),
        "{} wrong results: {failures:#?}",
        failures.len()
    );
    let counts = counts.into_inner().unwrap();
    println!("checked results per kind of work: {counts:?}");
    for work in WORK {
        ensure!(
            counts.get(&work).copied().unwrap_or(0) >= THREADS,
            "{work:?} ran: {counts:?}"
        );
    }
    let after = live_objects();
    ensure!(
        (after.buffers, after.executables) == (baseline.buffers, baseline.executables),
        "PJRT objects before the stress: {baseline:?}, after: {after:?}"
    );
    Ok(())
}
