//! The persistent compilation cache across processes: a second process running the same jitted
//! function loads the executable from the cache directory instead of compiling it.

use std::process::Command;

use rjax::{Array, compilation_cache, jit};

const CHILD: &str = "RJAX_CACHE_TEST_CHILD";

/// In a child process (when `RJAX_CACHE_TEST_CHILD` is set): runs a jitted function and prints
/// the cache statistics and the result. Otherwise it does nothing.
#[test]
fn child_process_entry() -> anyhow::Result<()> {
    if std::env::var_os(CHILD).is_none() {
        return Ok(());
    }
    let f = jit(|x: Array| (x.sin() * 3.0 + 0.25).sum());
    let y: Array = f.call(Array::from([0.5f32, 1.5, -2.0]))?;
    let stats = compilation_cache::stats();
    println!(
        "RESULT hits={} misses={} value={}",
        stats.hits,
        stats.misses,
        y.item::<f32>()?
    );
    Ok(())
}

fn run_child(dir: &std::path::Path) -> anyhow::Result<(usize, usize, f32)> {
    let output = Command::new(std::env::current_exe()?)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, "1")
        .env("RJAX_COMPILATION_CACHE_DIR", dir)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.split_once("RESULT ").map(|(_, rest)| rest))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no result from the child: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let field = |name: &str| -> String {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .expect("field present")
            .to_string()
    };
    Ok((
        field("hits").parse()?,
        field("misses").parse()?,
        field("value").parse()?,
    ))
}

#[test]
fn a_second_process_loads_instead_of_compiling() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("rjax-compilation-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let expected: f32 = [0.5f32, 1.5, -2.0]
        .iter()
        .map(|x| x.sin() * 3.0 + 0.25)
        .sum();

    let (hits, misses, value) = run_child(&dir)?;
    assert_eq!(hits, 0, "the cache starts empty");
    assert!(misses >= 1, "the first process compiles");
    assert!((value - expected).abs() < 1e-5);
    let entries = std::fs::read_dir(&dir)?.count();
    assert!(entries >= 1, "an entry file per program; found {entries}");

    let (hits, misses, value) = run_child(&dir)?;
    assert_eq!(misses, 0, "the second process compiles nothing");
    assert!(hits >= 1);
    assert!((value - expected).abs() < 1e-5);

    // A corrupted entry is a miss, not a failure.
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rjaxexe") {
            std::fs::write(&path, b"not an executable")?;
        }
    }
    let (_, misses, value) = run_child(&dir)?;
    assert!(misses >= 1);
    assert!((value - expected).abs() < 1e-5);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
