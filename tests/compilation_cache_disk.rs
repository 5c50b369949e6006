//! The persistent compilation cache on disk: damaged entries (truncated, bit-flipped, of another
//! magic or version, for another program, refused by PJRT) are logged, recompiled and written
//! again, never used; an unwritable directory only costs a compilation; and two processes
//! hammering one directory with the same and different programs all get right results and
//! leave only valid entries.
//!
//! The entries are checked against the layout documented in `rjax::compilation_cache`, read
//! here independently of rjax's own reader. The multi-process test runs this binary again:
//! the ignored test `hammer_worker` does the work of one child.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use anyhow::{Context, ensure};
use rjax::compilation_cache::{self, CacheStats};
use rjax::runtime::{Client, ClientOptions, CompileOptions, live_objects};

const MAGIC: &[u8; 8] = b"RJAXEXE\0";
const HEADER_LEN: usize = 28;
const INPUT: [f32; 4] = [1.0, -2.0, 0.5, 3.0];
/// Set in a child process of the multi-process test: which child it is.
const WORKER_VAR: &str = "RJAX_CACHE_DISK_WORKER";

/// The counters and the captured warnings are process-wide: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());
/// The warnings rjax logged, captured by [`WarningLog`].
static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A logger that keeps every warning.
struct WarningLog;

impl log::Log for WarningLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            WARNINGS.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

/// Takes the warnings logged so far.
fn take_warnings() -> Vec<String> {
    std::mem::take(&mut *WARNINGS.lock().unwrap())
}

/// Runs `test` alone, with warnings captured, a fresh cache directory and a fresh client, and
/// checks that every PJRT object it made was destroyed.
fn isolated(test: impl FnOnce(&Client, &Path) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    static LOGGER: WarningLog = WarningLog;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
    take_warnings();
    let dir = scratch_dir("case");
    let before = live_objects();
    {
        let client = Client::for_platform("cpu", &ClientOptions::new())?;
        test(&client, &dir)?;
    }
    assert_eq!(live_objects(), before, "the test leaked PJRT objects");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// A new, empty directory under the system's temporary directory.
fn scratch_dir(what: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("rjax-cache-disk-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The program `x * k + 1` on four floats: every `k` a different program, exact in f32.
fn program(k: i32) -> String {
    format!(
        r#"
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {{
  %k = stablehlo.constant dense<{k}.0> : tensor<4xf32>
  %one = stablehlo.constant dense<1.0> : tensor<4xf32>
  %y = stablehlo.multiply %x, %k : tensor<4xf32>
  %z = stablehlo.add %y, %one : tensor<4xf32>
  return %z : tensor<4xf32>
}}"#
    )
}

/// Compiles `program(k)` through the cache in `dir`, runs it on [`INPUT`] and checks the
/// result against `x * k + 1` computed here.
fn run_checked(client: &Client, dir: &Path, k: i32) -> anyhow::Result<()> {
    let executable =
        compilation_cache::compile(dir, client, &program(k), &CompileOptions::default())?;
    let device = client.device(0).context("a device")?;
    let input = client.buffer_from_host(&INPUT, &[4], &device)?;
    let got = executable.execute(&[&input])?[0].to_vec::<f32>()?;
    let want: Vec<f32> = INPUT.iter().map(|x| x * k as f32 + 1.0).collect();
    ensure!(got == want, "program {k}: got {got:?}, want {want:?}");
    Ok(())
}

/// The entry files in `dir` (temporary files excluded).
fn entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rjaxexe") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The one entry in `dir`.
fn only_entry(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut found = entries(dir)?;
    ensure!(found.len() == 1, "expected one entry in {dir:?}: {found:?}");
    Ok(found.remove(0))
}

/// Checks `bytes` against the documented layout and returns its key and payload ranges.
fn check_entry(bytes: &[u8]) -> anyhow::Result<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    ensure!(bytes.len() >= HEADER_LEN, "{} bytes", bytes.len());
    ensure!(&bytes[..8] == MAGIC, "magic {:?}", &bytes[..8]);
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    ensure!(word(8) == 1, "version {}", word(8));
    let key_len = word(16) as usize;
    let payload_len = u64::from_le_bytes(bytes[20..28].try_into().unwrap()) as usize;
    ensure!(
        bytes.len() == HEADER_LEN + key_len + payload_len,
        "length {} for a {key_len}-byte key and a {payload_len}-byte payload",
        bytes.len()
    );
    ensure!(word(12) == crc32fast::hash(&bytes[16..]), "checksum");
    ensure!(payload_len > 0, "an empty executable");
    let key_end = HEADER_LEN + key_len;
    Ok((HEADER_LEN..key_end, key_end..bytes.len()))
}

/// Checks that the entry at `path` is valid, and that its key ends with `program(k)`.
fn assert_valid_entry_for(path: &Path, k: i32) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)?;
    let (key, _) = check_entry(&bytes).with_context(|| format!("{path:?} is not valid"))?;
    let key = &bytes[key];
    ensure!(
        key.ends_with(program(k).as_bytes()),
        "{path:?} holds another program than {k}"
    );
    // The host's instruction sets are part of the key: a shared directory never hands one
    // CPU's program to another.
    let key = String::from_utf8_lossy(key);
    let cpu = key
        .lines()
        .find(|line| line.starts_with("cpu="))
        .context("no cpu= line")?;
    #[cfg(target_arch = "x86_64")]
    ensure!(
        cpu.contains("sse4.2") == std::arch::is_x86_feature_detected!("sse4.2")
            && cpu.contains("avx2") == std::arch::is_x86_feature_detected!("avx2"),
        "{cpu}"
    );
    Ok(())
}

/// Rewrites the checksum of an entry so it matches its bytes again.
fn reseal(bytes: &mut [u8]) {
    let checksum = crc32fast::hash(&bytes[16..]);
    bytes[12..16].copy_from_slice(&checksum.to_le_bytes());
}

/// Stores program `k`'s entry, replaces it by `damage(entry)` and runs program `k` again:
/// the result must be right, the entry rejected with a warning naming the file and
/// containing `reason`, the file valid again afterwards, and a third run a cache hit.
fn check_recovers(
    client: &Client,
    dir: &Path,
    k: i32,
    reason: &str,
    damage: impl FnOnce(Vec<u8>) -> Vec<u8>,
) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    run_checked(client, dir, k)?;
    let path = only_entry(dir)?;
    assert_valid_entry_for(&path, k)?;
    std::fs::write(&path, damage(std::fs::read(&path)?))?;
    take_warnings();
    let before = compilation_cache::stats();
    run_checked(client, dir, k)?;
    let after = compilation_cache::stats();
    let change = |f: fn(&CacheStats) -> usize| f(&after) - f(&before);
    ensure!(
        (
            change(|s| s.rejected),
            change(|s| s.misses),
            change(|s| s.hits)
        ) == (1, 1, 0),
        "{reason}: the damaged entry is rejected and the program compiled: {before:?} -> {after:?}"
    );
    let warnings = take_warnings();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ensure!(
        warnings.len() == 1 && warnings[0].contains(&name) && warnings[0].contains(reason),
        "expected one warning naming {name} and `{reason}`: {warnings:?}"
    );
    assert_valid_entry_for(&only_entry(dir)?, k)?;
    let before = compilation_cache::stats();
    run_checked(client, dir, k)?;
    ensure!(
        compilation_cache::stats().hits == before.hits + 1,
        "{reason}: the rewritten entry loads"
    );
    Ok(())
}

#[test]
fn truncated_entries_are_recompiled_and_rewritten() -> anyhow::Result<()> {
    isolated(|client, dir| {
        let full = {
            run_checked(client, dir, 2)?;
            std::fs::read(only_entry(dir)?)?.len()
        };
        let key_len = u32::from_le_bytes(std::fs::read(only_entry(dir)?)?[16..20].try_into()?);
        let mid_key = HEADER_LEN + key_len as usize / 2;
        for len in [0, 1, 8, 16, HEADER_LEN - 1, HEADER_LEN, mid_key, full - 1] {
            let reason = if len < HEADER_LEN {
                "truncated: "
            } else {
                "truncated or padded"
            };
            check_recovers(client, dir, 2, reason, |mut bytes| {
                bytes.truncate(len);
                bytes
            })
            .with_context(|| format!("truncated to {len} bytes"))?;
        }
        check_recovers(client, dir, 2, "truncated or padded", |mut bytes| {
            bytes.push(0);
            bytes
        })
    })
}

#[test]
fn flipped_bits_in_the_header_key_and_payload_are_detected() -> anyhow::Result<()> {
    isolated(|client, dir| {
        run_checked(client, dir, 3)?;
        let len = std::fs::read(only_entry(dir)?)?.len();
        let flips = [
            (0, "wrong magic"),
            (7 * 8 + 3, "wrong magic"),
            (8 * 8, "format version"),
            (11 * 8 + 7, "format version"),
            (12 * 8 + 1, "checksum mismatch"),
            (15 * 8 + 6, "checksum mismatch"),
            (16 * 8, "truncated or padded"),
            (20 * 8 + 2, "truncated or padded"),
            (27 * 8 + 7, "truncated or padded"),
            (HEADER_LEN * 8 + 5, "checksum mismatch"),
            (len / 2 * 8 + 4, "checksum mismatch"),
            ((len - 1) * 8 + 7, "checksum mismatch"),
        ];
        for (bit, reason) in flips {
            check_recovers(client, dir, 3, reason, |mut bytes| {
                bytes[bit / 8] ^= 1 << (bit % 8);
                bytes
            })
            .with_context(|| format!("bit {bit} flipped"))?;
        }
        Ok(())
    })
}

#[test]
fn another_magic_or_format_version_is_rejected() -> anyhow::Result<()> {
    isolated(|client, dir| {
        check_recovers(client, dir, 4, "wrong magic", |mut bytes| {
            bytes[..8].copy_from_slice(b"NOTRJAX\0");
            bytes
        })?;
        for version in [0u32, 2, u32::MAX] {
            check_recovers(client, dir, 4, "format version", |mut bytes| {
                bytes[8..12].copy_from_slice(&version.to_le_bytes());
                bytes
            })
            .with_context(|| format!("version {version}"))?;
        }
        // Bytes without the header (a bare serialized executable, say) are no entry.
        check_recovers(client, dir, 4, "wrong magic", |bytes| {
            bytes[HEADER_LEN..].to_vec()
        })
    })
}

#[test]
fn an_intact_entry_of_another_program_under_the_name_is_not_used() -> anyhow::Result<()> {
    isolated(|client, dir| {
        let other_dir = dir.join("other");
        run_checked(client, &other_dir, 6)?;
        let other = std::fs::read(only_entry(&other_dir)?)?;
        std::fs::remove_dir_all(&other_dir)?;
        check_recovers(client, dir, 5, "another program", |_| other)
    })
}

#[test]
fn an_intact_entry_that_pjrt_cannot_load_is_recompiled() -> anyhow::Result<()> {
    isolated(|client, dir| {
        check_recovers(client, dir, 7, "PJRT could not load", |bytes| {
            let (key, _) = check_entry(&bytes).expect("a valid entry");
            let payload = b"not an executable";
            let mut forged = bytes[..HEADER_LEN].to_vec();
            forged.extend_from_slice(&bytes[key]);
            forged.extend_from_slice(payload);
            forged[20..28].copy_from_slice(&(payload.len() as u64).to_le_bytes());
            reseal(&mut forged);
            forged
        })
    })
}

#[test]
fn an_unwritable_cache_directory_only_costs_a_compilation() -> anyhow::Result<()> {
    isolated(|client, dir| {
        std::fs::create_dir_all(dir)?;
        let not_a_dir = dir.join("a-file");
        std::fs::write(&not_a_dir, b"")?;
        let before = compilation_cache::stats();
        run_checked(client, &not_a_dir, 8)?;
        let after = compilation_cache::stats();
        ensure!(after.write_failures == before.write_failures + 1);
        ensure!(after.misses == before.misses + 1);
        let warnings = take_warnings();
        ensure!(
            warnings.len() == 1 && warnings[0].contains("could not write"),
            "{warnings:?}"
        );
        Ok(())
    })
}

#[test]
fn stale_temporary_files_of_crashed_writers_are_swept() -> anyhow::Result<()> {
    isolated(|client, dir| {
        std::fs::create_dir_all(dir)?;
        let temporary = |name: &str, age_s: u64| -> anyhow::Result<PathBuf> {
            let path = dir.join(name);
            std::fs::write(&path, b"partial entry")?;
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_s);
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(when)?;
            Ok(path)
        };
        // A crashed writer's file from two hours ago, one a live writer may still be filling,
        // and an old hidden file that is not a temporary of the cache.
        let stale = temporary(".0123456789abcdef.rjaxexe.999-1-0.tmp", 2 * 3600)?;
        let fresh = temporary(".0123456789abcdef.rjaxexe.999-1-1.tmp", 60)?;
        let other = temporary(".keep-me", 2 * 3600)?;
        run_checked(client, dir, 13)?;
        ensure!(!stale.exists(), "the stale temporary file was not removed");
        ensure!(
            fresh.exists() && other.exists(),
            "a file that is not stale was removed"
        );
        ensure!(entries(dir)?.len() == 1, "{:?}", entries(dir)?);
        Ok(())
    })
}

/// Programs both children run, and how many each runs of its own.
const SHARED_PROGRAMS: [i32; 3] = [10, 11, 12];
const OWN_PROGRAMS: i32 = 2;
const ROUNDS: usize = 12;

/// One child of the multi-process test: over several rounds, compiles through the shared
/// directory (with two threads) the shared programs and its own, deleting the shared entries
/// every round so that writes keep racing with reads and with the other child's writes; also
/// runs a `jit`-ed function through `RJAX_COMPILATION_CACHE_DIR`. No entry may ever be
/// rejected: a reader never sees a partial file.
#[test]
#[ignore = "a child process of the multi-process test"]
fn hammer_worker() -> anyhow::Result<()> {
    let worker: i32 = std::env::var(WORKER_VAR)
        .context("hammer_worker runs only as a child process")?
        .parse()?;
    let dir = compilation_cache::dir().context("the parent sets the cache directory")?;
    let mut programs = SHARED_PROGRAMS.to_vec();
    programs.extend((0..OWN_PROGRAMS).map(|i| 100 + 10 * worker + i));
    let client = Client::for_platform("cpu", &ClientOptions::new())?;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..2)
            .map(|thread| {
                let (client, dir, programs) = (&client, &dir, &programs);
                scope.spawn(move || -> anyhow::Result<()> {
                    for _ in 0..ROUNDS {
                        if thread == 0 {
                            for path in entries(dir).unwrap_or_default() {
                                let shared = SHARED_PROGRAMS
                                    .iter()
                                    .any(|&k| assert_valid_entry_for(&path, k).is_ok());
                                if shared {
                                    let _ = std::fs::remove_file(&path);
                                }
                            }
                        }
                        for &k in programs.iter().rev().skip(thread) {
                            run_checked(client, dir, k)?;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        threads
            .into_iter()
            .try_for_each(|t| t.join().expect("a worker thread panicked"))
    })?;
    let f = rjax::jit(|x: rjax::Array| x * 3.0 - 0.5);
    let y: rjax::Array = f.call(rjax::Array::from(INPUT))?;
    let want: Vec<f32> = INPUT.iter().map(|x| x * 3.0 - 0.5).collect();
    ensure!(y.to_vec::<f32>()? == want, "jit through the shared cache");
    let stats = compilation_cache::stats();
    println!(
        "REPORT rejected={} write_failures={} hits={} misses={}",
        stats.rejected, stats.write_failures, stats.hits, stats.misses
    );
    ensure!(
        stats.rejected == 0 && stats.write_failures == 0,
        "{stats:?}"
    );
    Ok(())
}

#[test]
fn two_processes_hammering_one_directory_all_succeed() -> anyhow::Result<()> {
    let dir = scratch_dir("shared");
    let children: Vec<_> = (0..2)
        .map(|worker| {
            Command::new(std::env::current_exe()?)
                .args(["hammer_worker", "--exact", "--ignored", "--nocapture"])
                .env(WORKER_VAR, worker.to_string())
                .env("RJAX_COMPILATION_CACHE_DIR", &dir)
                .env("RJAX_PLATFORMS", "cpu")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<std::io::Result<_>>()?;
    for child in children {
        let output = child.wait_with_output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success() && stdout.contains("REPORT rejected=0 write_failures=0"),
            "a child failed: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let report = stdout.lines().find(|line| line.starts_with("REPORT"));
        println!("child: {}", report.unwrap_or_default());
    }
    let found = entries(&dir)?;
    let programs = SHARED_PROGRAMS.len() + 2 * OWN_PROGRAMS as usize + 1;
    ensure!(
        found.len() >= programs,
        "an entry per program ({programs}): {found:?}"
    );
    for path in &found {
        check_entry(&std::fs::read(path)?).with_context(|| format!("{path:?}"))?;
    }
    for k in SHARED_PROGRAMS {
        let matching = found
            .iter()
            .filter(|p| assert_valid_entry_for(p, k).is_ok())
            .count();
        ensure!(matching == 1, "program {k}: {matching} entries");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    ensure!(
        leftovers.len() == found.len(),
        "temporary files left: {leftovers:?}"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
