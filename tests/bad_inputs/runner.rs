//! Running the catalogue: the child side (run a family's cases, one report line each) and the
//! parent side (spawn the children, restart after an abort, count and judge the outcomes).

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process::Command;

use crate::cases::{Case, Family};

/// The environment variable naming the family a child runs.
const FAMILY: &str = "RJAX_BAD_INPUTS_FAMILY";
/// The environment variable giving the first case a child runs (after an abort).
const FROM: &str = "RJAX_BAD_INPUTS_FROM";
/// The environment variable naming the one case (with its own environment) a child runs.
const ONLY: &str = "RJAX_BAD_INPUTS_ONLY";
/// The prefix of the child's report lines, among the test harness's own output.
const PREFIX: &str = "@@bad-input";

/// Whether this process is a child running one family.
pub fn in_child() -> bool {
    std::env::var_os(FAMILY).is_some()
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// An `Err` from a fallible call.
    Err,
    /// A panic at trace time.
    Panic,
    /// The process died (or a child stopped reporting) in the case.
    Abort,
    /// The call returned a value.
    Succeeded,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Err => "Err",
            Outcome::Panic => "panic",
            Outcome::Abort => "abort",
            Outcome::Succeeded => "wrongly succeeded",
        }
    }

    fn parse(label: &str) -> Outcome {
        match label {
            "Err" => Outcome::Err,
            "panic" => Outcome::Panic,
            "wrongly succeeded" => Outcome::Succeeded,
            _ => Outcome::Abort,
        }
    }
}

fn env_index(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect("an index"))
}

/// The child: runs the cases of the family `RJAX_BAD_INPUTS_FAMILY` names, from
/// `RJAX_BAD_INPUTS_FROM` (or only `RJAX_BAD_INPUTS_ONLY`), printing a line before and after
/// each. Does nothing in the parent.
pub fn run_family_from_env(families: &[Family]) {
    let Ok(family) = std::env::var(FAMILY) else {
        return;
    };
    let (_, cases) = families
        .iter()
        .find(|(name, _)| *name == family)
        .expect("a known family");
    let cases = cases();
    panic::set_hook(Box::new(|_| {}));
    let only = env_index(ONLY);
    let from = env_index(FROM).unwrap_or(0);
    let mut out = std::io::stdout();
    for (index, case) in cases.iter().enumerate().skip(from) {
        let selected = match only {
            Some(only) => index == only,
            None => case.env.is_empty(),
        };
        if !selected {
            continue;
        }
        writeln!(out, "{PREFIX}\tstart\t{index}").unwrap();
        out.flush().unwrap();
        let (outcome, message) = match panic::catch_unwind(AssertUnwindSafe(|| (case.run)())) {
            Ok(Ok(())) => (Outcome::Succeeded, String::new()),
            Ok(Err(message)) => (Outcome::Err, message),
            Err(payload) => (Outcome::Panic, panic_text(payload.as_ref())),
        };
        let message = message.replace(['\n', '\t'], " ");
        writeln!(
            out,
            "{PREFIX}\tend\t{index}\t{}\t{message}",
            outcome.label()
        )
        .unwrap();
        out.flush().unwrap();
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "<a panic without a message>".to_string())
}

/// What a child reported: per case index, its outcome and message; and how it exited.
struct ChildReport {
    ended: BTreeMap<usize, (Outcome, String)>,
    /// The case it started and never finished.
    unfinished: Option<usize>,
    status: String,
}

fn run_child(family: &str, from: usize, only: Option<&Case>, index: usize) -> ChildReport {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["--exact", "run_family", "--nocapture", "--test-threads=1"])
        .env(FAMILY, family)
        .env(FROM, from.to_string());
    if let Some(case) = only {
        command.env(ONLY, index.to_string());
        for (name, value) in case.env {
            command.env(name, value);
        }
    }
    let output = command.output().expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut ended = BTreeMap::new();
    let mut unfinished = None;
    for line in stdout.lines().filter_map(|l| l.strip_prefix(PREFIX)) {
        let fields: Vec<&str> = line.trim_start_matches('\t').splitn(4, '\t').collect();
        let index: usize = fields[1].parse().expect("an index");
        match fields[0] {
            "start" => unfinished = Some(index),
            _ => {
                unfinished = None;
                let message = fields.get(3).unwrap_or(&"").to_string();
                ended.insert(index, (Outcome::parse(fields[2]), message));
            }
        }
    }
    let status = format!(
        "{} ({})",
        output.status,
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    ChildReport {
        ended,
        unfinished,
        status,
    }
}

/// Every case of `family` run in children: outcome and message per index.
fn run_family(family: &str, cases: &[Case]) -> BTreeMap<usize, (Outcome, String)> {
    let mut results = BTreeMap::new();
    for (index, case) in cases.iter().enumerate().filter(|(_, c)| !c.env.is_empty()) {
        let report = run_child(family, 0, Some(case), index);
        let result = report
            .ended
            .get(&index)
            .cloned()
            .unwrap_or((Outcome::Abort, report.status));
        results.insert(index, result);
    }
    let mut from = 0;
    while cases[from..].iter().any(|c| c.env.is_empty()) {
        let report = run_child(family, from, None, 0);
        results.extend(report.ended.clone());
        match report.unfinished {
            Some(died) => {
                results.insert(died, (Outcome::Abort, report.status));
                from = died + 1;
            }
            None => {
                for (index, case) in cases.iter().enumerate().skip(from) {
                    if case.env.is_empty() && !results.contains_key(&index) {
                        results.insert(index, (Outcome::Abort, report.status.clone()));
                    }
                }
                break;
            }
        }
        if from >= cases.len() {
            break;
        }
    }
    results
}

/// The parent: runs every family, prints the counts by outcome, and fails on any abort, any
/// success and any message that does not name the operation.
pub fn run_catalogue(families: &[Family]) {
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut total = 0;
    for (family, cases) in families {
        let cases = cases();
        let results = run_family(family, &cases);
        let mut family_counts: BTreeMap<Outcome, usize> = BTreeMap::new();
        for (index, case) in cases.iter().enumerate() {
            total += 1;
            let name = format!("{} {:?}", case.name, case.env);
            assert!(names.insert(name), "the case {} is listed twice", case.name);
            let (outcome, message) = results[&index].clone();
            *counts.entry(outcome).or_default() += 1;
            *family_counts.entry(outcome).or_default() += 1;
            match outcome {
                Outcome::Abort | Outcome::Succeeded => problems.push(format!(
                    "{family}: {} -> {} {message}",
                    case.name,
                    outcome.label()
                )),
                _ if !message.contains(case.op) => problems.push(format!(
                    "{family}: {} -> {}: the message does not name {:?}: {message}",
                    case.name,
                    outcome.label(),
                    case.op
                )),
                _ => {}
            }
        }
        println!(
            "{family:>14}: {} cases, {}",
            cases.len(),
            summary(&family_counts)
        );
    }
    println!("{:>14}: {total} cases, {}", "all", summary(&counts));
    assert!(total >= 200, "the catalogue has only {total} cases");
    assert!(
        problems.is_empty(),
        "{} bad outcomes:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn summary(counts: &BTreeMap<Outcome, usize>) -> String {
    [
        Outcome::Err,
        Outcome::Panic,
        Outcome::Abort,
        Outcome::Succeeded,
    ]
    .iter()
    .map(|o| format!("{} {}", counts.get(o).copied().unwrap_or(0), o.label()))
    .collect::<Vec<_>>()
    .join(", ")
}
