//! Which CPU plugin the `cpu` platform runs: the fastest embedded build this CPU can run.
//!
//! rjax embeds up to three builds of XLA's CPU plugin, fetched at build time (`xla-sys/build.rs`)
//! where they exist for the target platform:
//! - [`CpuPluginKind::X86_64V3`], `fastatomstruct-xla-cpu` 2026.6.23: compiled for x86-64-v3
//!   (AVX2, FMA, BMI, ...) with no CPU guard, so it would stop with an illegal instruction on an
//!   older CPU; the fastest (its f64 matrix products are about 3× the official build's);
//! - [`CpuPluginKind::Portable`], `lammps-jax-pjrt-cpu` 0.11.2: XLA of jaxlib 0.11.2 for baseline
//!   x86-64, whose dot kernels (YNNPACK) pick their instruction set at run time;
//! - [`CpuPluginKind::Official`], `xla-cpu-pjrt` 0.0.1, the OpenXLA authors' build for baseline
//!   x86-64, and the only one for aarch64.
//!
//! The choice, made once per process by [`cpu_plugin_choice`]:
//! 1. `RJAX_CPU_PLUGIN`, when set: one of the names `v3`, `portable`, `official`, or the path of
//!    a CPU plugin file. Nothing else is tried, so a wrong value is an error, not a fallback.
//! 2. Otherwise the x86-64-v3 build if the CPU has every x86-64-v3 feature, then the portable
//!    build, then the official one. A build that is not embedded for this platform is skipped,
//!    and one that fails to load gives way to the next.
//!
//! `RJAX_PJRT_PLUGIN` still overrides every platform choice of the default client
//! ([`super::PlatformChoice`]); this choice is what the `cpu` platform means.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::Plugin;
use crate::{Error, Result};

/// The features x86-64-v3 adds to baseline x86-64 (beyond those of x86-64-v2, which every CPU
/// with AVX2 has), by the names `is_x86_feature_detected!` takes.
const X86_64_V3_FEATURES: [&str; 8] = [
    "avx", "avx2", "fma", "bmi1", "bmi2", "lzcnt", "movbe", "f16c",
];

/// One of the CPU plugin builds rjax knows, or a plugin file named by `RJAX_CPU_PLUGIN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuPluginKind {
    /// `fastatomstruct-xla-cpu` 2026.6.23: an unmodified zml/pjrt-artifacts build of XLA's CPU
    /// plugin (PJRT C API 0.106) compiled for x86-64-v3, with no CPU guard. Named `v3`.
    X86_64V3,
    /// `lammps-jax-pjrt-cpu` 0.11.2: XLA's CPU plugin of jaxlib 0.11.2 (PJRT C API 0.115) for
    /// baseline x86-64, its f64 dots through YNNPACK with run-time ISA dispatch. Named
    /// `portable`.
    Portable,
    /// `xla-cpu-pjrt` 0.0.1: the OpenXLA authors' build (PJRT C API 0.81) for baseline x86-64,
    /// or aarch64. Named `official`.
    Official,
    /// A plugin file that `RJAX_CPU_PLUGIN` names.
    File,
}

impl CpuPluginKind {
    /// The builds rjax embeds, fastest first: the order of the automatic choice.
    pub const EMBEDDED: [CpuPluginKind; 3] = [
        CpuPluginKind::X86_64V3,
        CpuPluginKind::Portable,
        CpuPluginKind::Official,
    ];

    /// The name `RJAX_CPU_PLUGIN` takes for this build (`v3`, `portable`, `official`), or
    /// `file`.
    pub fn name(self) -> &'static str {
        match self {
            CpuPluginKind::X86_64V3 => "v3",
            CpuPluginKind::Portable => "portable",
            CpuPluginKind::Official => "official",
            CpuPluginKind::File => "file",
        }
    }

    /// The embedded build called `name` (any case), if there is one.
    pub fn from_name(name: &str) -> Option<CpuPluginKind> {
        Self::EMBEDDED
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The plugin file of this build baked in at build time, or `None` where the build does
    /// not exist for this platform (and for [`CpuPluginKind::File`]).
    pub fn embedded_path(self) -> Option<&'static Path> {
        let path = match self {
            CpuPluginKind::X86_64V3 => env!("RJAX_EMBEDDED_CPU_PLUGIN_V3"),
            CpuPluginKind::Portable => env!("RJAX_EMBEDDED_CPU_PLUGIN_PORTABLE"),
            CpuPluginKind::Official => env!("RJAX_EMBEDDED_CPU_PLUGIN_OFFICIAL"),
            CpuPluginKind::File => "",
        };
        (!path.is_empty()).then(|| Path::new(path))
    }

    /// Why this CPU cannot run this build, or `None` if it can: only the x86-64-v3 build has
    /// requirements, every x86-64-v3 feature.
    pub fn unrunnable_here(self) -> Option<String> {
        match self {
            CpuPluginKind::X86_64V3 => v3_unrunnable(&missing_x86_64_v3_features()),
            _ => None,
        }
    }

    /// What this build is, for reasons and messages.
    fn description(self) -> &'static str {
        match self {
            CpuPluginKind::X86_64V3 => "the x86-64-v3 build (fastatomstruct-xla-cpu 2026.6.23)",
            CpuPluginKind::Portable => "the portable build (lammps-jax-pjrt-cpu 0.11.2)",
            CpuPluginKind::Official => "the official build (xla-cpu-pjrt 0.0.1)",
            CpuPluginKind::File => "the plugin file RJAX_CPU_PLUGIN names",
        }
    }
}

impl fmt::Display for CpuPluginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The CPU plugin this process runs for the `cpu` platform, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuPluginChoice {
    /// Which build.
    pub kind: CpuPluginKind,
    /// Its plugin file.
    pub path: PathBuf,
    /// Why it was chosen, e.g. "the CPU has AVX2, FMA and the other x86-64-v3 features: the
    /// x86-64-v3 build (fastatomstruct-xla-cpu 2026.6.23)".
    pub reason: String,
}

/// The CPU plugin the `cpu` platform runs, chosen once per process as the module documentation
/// describes; the choice is logged at debug level. Choosing loads the plugin (to fall back from
/// one that does not load), as creating a client would.
///
/// `Ok(None)` where rjax embeds no CPU plugin for this platform (macOS, Windows) and
/// `RJAX_CPU_PLUGIN` is not set; an error where `RJAX_CPU_PLUGIN` names a build not embedded
/// here, or is neither a build's name nor a file.
pub fn cpu_plugin_choice() -> Result<Option<&'static CpuPluginChoice>> {
    static CHOICE: OnceLock<std::result::Result<Option<CpuPluginChoice>, String>> = OnceLock::new();
    match CHOICE.get_or_init(|| choose(&ChoiceInputs::of_this_process())) {
        Ok(choice) => Ok(choice.as_ref()),
        Err(message) => Err(Error::invalid("RJAX_CPU_PLUGIN", message.clone())),
    }
}

/// The first candidate that loads (or the last one, whose error then shows when a client is
/// created), logged.
fn choose(inputs: &ChoiceInputs) -> std::result::Result<Option<CpuPluginChoice>, String> {
    let mut candidates = candidates(inputs)?.into_iter().peekable();
    let mut failures = Vec::new();
    while let Some(mut candidate) = candidates.next() {
        candidate.why.append(&mut failures);
        match Plugin::load(&candidate.path) {
            Err(error) if candidates.peek().is_some() => {
                failures.push(format!(
                    "{} did not load ({error})",
                    candidate.kind.description()
                ));
            }
            _ => {
                let choice = candidate.into_choice();
                log::debug!(
                    "rjax: CPU plugin `{}` ({}): {}",
                    choice.kind,
                    choice.path.display(),
                    choice.reason
                );
                return Ok(Some(choice));
            }
        }
    }
    Ok(None)
}

/// Everything the choice depends on: gathered from this process by
/// [`ChoiceInputs::of_this_process`], or written by hand in tests.
#[derive(Debug, Clone)]
struct ChoiceInputs {
    /// The x86-64-v3 features the CPU lacks; `None` for a CPU that is not x86-64.
    missing_v3_features: Option<Vec<&'static str>>,
    /// The embedded builds whose files exist, with their paths.
    available: Vec<(CpuPluginKind, PathBuf)>,
    /// `RJAX_CPU_PLUGIN`, when set and not empty.
    requested: Option<OsString>,
}

impl ChoiceInputs {
    fn of_this_process() -> ChoiceInputs {
        ChoiceInputs {
            missing_v3_features: missing_x86_64_v3_features(),
            available: CpuPluginKind::EMBEDDED
                .into_iter()
                .filter_map(|kind| Some((kind, kind.embedded_path()?.to_path_buf())))
                .filter(|(_, path)| path.is_file())
                .collect(),
            requested: std::env::var_os("RJAX_CPU_PLUGIN").filter(|value| !value.is_empty()),
        }
    }

    fn path_of(&self, kind: CpuPluginKind) -> Option<&PathBuf> {
        self.available
            .iter()
            .find(|(available, _)| *available == kind)
            .map(|(_, path)| path)
    }

    /// Why the x86-64-v3 build cannot run here, if it cannot.
    fn v3_unrunnable(&self) -> Option<String> {
        v3_unrunnable(&self.missing_v3_features)
    }
}

/// Why a CPU lacking `missing_v3_features` (`None`: not x86-64) cannot run the x86-64-v3 build,
/// if it cannot.
fn v3_unrunnable(missing_v3_features: &Option<Vec<&'static str>>) -> Option<String> {
    match missing_v3_features {
        None => Some("the CPU is not x86-64".to_string()),
        Some(missing) if !missing.is_empty() => Some(format!(
            "the CPU lacks {} (of x86-64-v3)",
            missing.join(", ")
        )),
        Some(_) => None,
    }
}

/// A plugin the choice may take, with the clauses of its reason.
#[derive(Debug)]
struct Candidate {
    kind: CpuPluginKind,
    path: PathBuf,
    why: Vec<String>,
}

impl Candidate {
    fn into_choice(self) -> CpuPluginChoice {
        let description = self.kind.description();
        let reason = if self.why.is_empty() {
            description.to_string()
        } else {
            format!("{}: {description}", self.why.join("; "))
        };
        CpuPluginChoice {
            kind: self.kind,
            path: self.path,
            reason,
        }
    }
}

/// The plugins to try, in order: what `RJAX_CPU_PLUGIN` asks for alone, else every embedded
/// build this CPU can run, fastest first. A pure function of its inputs.
fn candidates(inputs: &ChoiceInputs) -> std::result::Result<Vec<Candidate>, String> {
    if let Some(requested) = &inputs.requested {
        return requested_candidate(inputs, requested).map(|candidate| vec![candidate]);
    }
    let mut skipped = Vec::new();
    let mut ranked = Vec::new();
    for kind in CpuPluginKind::EMBEDDED {
        let Some(path) = inputs.path_of(kind) else {
            skipped.push(format!(
                "{} is not embedded for this platform",
                kind.description()
            ));
            continue;
        };
        let mut why = skipped.clone();
        if kind == CpuPluginKind::X86_64V3 {
            if let Some(unrunnable) = inputs.v3_unrunnable() {
                skipped.push(unrunnable);
                continue;
            }
            why.push("the CPU has AVX2, FMA and the other x86-64-v3 features".to_string());
        }
        ranked.push(Candidate {
            kind,
            path: path.clone(),
            why,
        });
    }
    Ok(ranked)
}

/// The one candidate `RJAX_CPU_PLUGIN` asks for: an embedded build by name, or a file.
fn requested_candidate(
    inputs: &ChoiceInputs,
    requested: &OsString,
) -> std::result::Result<Candidate, String> {
    let text = requested.to_string_lossy();
    let names = CpuPluginKind::EMBEDDED.map(CpuPluginKind::name).join(", ");
    let asked = format!("RJAX_CPU_PLUGIN={text} asks for it");
    let Some(kind) = CpuPluginKind::from_name(&text) else {
        let path = PathBuf::from(requested);
        return if path.is_file() {
            Ok(Candidate {
                kind: CpuPluginKind::File,
                path,
                why: vec![asked],
            })
        } else {
            Err(format!(
                "`{text}` is neither the name of an embedded CPU plugin ({names}) nor a file"
            ))
        };
    };
    let Some(path) = inputs.path_of(kind) else {
        let embedded: Vec<&str> = inputs.available.iter().map(|(k, _)| k.name()).collect();
        return Err(format!(
            "`{text}` asks for {}, which is not embedded for this platform (embedded: {})",
            kind.description(),
            if embedded.is_empty() {
                "none".to_string()
            } else {
                embedded.join(", ")
            }
        ));
    };
    let mut why = vec![asked];
    if kind == CpuPluginKind::X86_64V3
        && let Some(unrunnable) = inputs.v3_unrunnable()
    {
        why.push(format!(
            "{unrunnable}, so it may stop with an illegal instruction"
        ));
    }
    Ok(Candidate {
        kind,
        path: path.clone(),
        why,
    })
}

/// The x86-64-v3 features this CPU lacks (empty when it has them all).
#[cfg(target_arch = "x86_64")]
fn missing_x86_64_v3_features() -> Option<Vec<&'static str>> {
    let detected = [
        std::arch::is_x86_feature_detected!("avx"),
        std::arch::is_x86_feature_detected!("avx2"),
        std::arch::is_x86_feature_detected!("fma"),
        std::arch::is_x86_feature_detected!("bmi1"),
        std::arch::is_x86_feature_detected!("bmi2"),
        std::arch::is_x86_feature_detected!("lzcnt"),
        std::arch::is_x86_feature_detected!("movbe"),
        std::arch::is_x86_feature_detected!("f16c"),
    ];
    Some(
        X86_64_V3_FEATURES
            .into_iter()
            .zip(detected)
            .filter(|(_, present)| !present)
            .map(|(name, _)| name)
            .collect(),
    )
}

/// `None`: this CPU is not x86-64.
#[cfg(not(target_arch = "x86_64"))]
fn missing_x86_64_v3_features() -> Option<Vec<&'static str>> {
    None
}

/// Whether `path` is one of the CPU plugin files rjax embeds.
pub(crate) fn is_embedded_cpu_plugin(path: &Path) -> bool {
    CpuPluginKind::EMBEDDED
        .into_iter()
        .any(|kind| kind.embedded_path() == Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_FEATURES: Option<Vec<&str>> = Some(Vec::new());

    fn given(
        missing_v3_features: Option<Vec<&'static str>>,
        available: &[CpuPluginKind],
        requested: Option<&str>,
    ) -> ChoiceInputs {
        ChoiceInputs {
            missing_v3_features,
            available: available
                .iter()
                .map(|&kind| (kind, PathBuf::from(format!("/plugins/{kind}.so"))))
                .collect(),
            requested: requested.map(OsString::from),
        }
    }

    fn ranked(inputs: &ChoiceInputs) -> Vec<CpuPluginKind> {
        candidates(inputs)
            .unwrap()
            .into_iter()
            .map(|candidate| candidate.kind)
            .collect()
    }

    fn first_reason(inputs: &ChoiceInputs) -> String {
        candidates(inputs)
            .unwrap()
            .swap_remove(0)
            .into_choice()
            .reason
    }

    use CpuPluginKind::{File, Official, Portable, X86_64V3};

    #[test]
    fn a_cpu_with_every_x86_64_v3_feature_runs_the_v3_build_then_falls_back_in_order() {
        let inputs = given(ALL_FEATURES, &CpuPluginKind::EMBEDDED, None);
        assert_eq!(ranked(&inputs), [X86_64V3, Portable, Official]);
        let reason = first_reason(&inputs);
        assert_eq!(
            reason,
            "the CPU has AVX2, FMA and the other x86-64-v3 features: \
             the x86-64-v3 build (fastatomstruct-xla-cpu 2026.6.23)"
        );
        assert_eq!(
            candidates(&inputs).unwrap()[0].path,
            Path::new("/plugins/v3.so")
        );
    }

    #[test]
    fn a_cpu_lacking_one_v3_feature_runs_the_portable_build() {
        let inputs = given(Some(vec!["movbe"]), &CpuPluginKind::EMBEDDED, None);
        assert_eq!(ranked(&inputs), [Portable, Official]);
        assert_eq!(
            first_reason(&inputs),
            "the CPU lacks movbe (of x86-64-v3): the portable build (lammps-jax-pjrt-cpu 0.11.2)"
        );
        let inputs = given(Some(vec!["avx2", "fma"]), &[X86_64V3, Official], None);
        assert_eq!(ranked(&inputs), [Official]);
        let reason = first_reason(&inputs);
        assert!(reason.contains("lacks avx2, fma"), "{reason}");
        assert!(reason.contains("portable build"), "{reason}");
    }

    #[test]
    fn a_cpu_that_is_not_x86_64_runs_the_official_build() {
        let inputs = given(None, &[Official], None);
        assert_eq!(ranked(&inputs), [Official]);
        let reason = first_reason(&inputs);
        assert!(
            reason.contains("x86-64-v3 build (fastatomstruct-xla-cpu 2026.6.23) is not embedded"),
            "{reason}"
        );
        assert!(reason.ends_with("the official build (xla-cpu-pjrt 0.0.1)"));
        // Even if a v3 file were there, a CPU that is not x86-64 skips it.
        let inputs = given(None, &[X86_64V3, Official], None);
        assert_eq!(ranked(&inputs), [Official]);
        assert!(first_reason(&inputs).contains("the CPU is not x86-64"));
    }

    #[test]
    fn no_embedded_plugin_is_no_choice() {
        assert!(ranked(&given(None, &[], None)).is_empty());
        assert_eq!(choose(&given(None, &[], None)), Ok(None));
    }

    #[test]
    fn rjax_cpu_plugin_names_one_build_and_nothing_else_is_tried() {
        let inputs = given(ALL_FEATURES, &CpuPluginKind::EMBEDDED, Some("Portable"));
        assert_eq!(ranked(&inputs), [Portable]);
        assert_eq!(
            first_reason(&inputs),
            "RJAX_CPU_PLUGIN=Portable asks for it: the portable build (lammps-jax-pjrt-cpu 0.11.2)"
        );
        // Asked for by name, the v3 build runs even where the CPU seems to lack a feature.
        let inputs = given(Some(vec!["fma"]), &[X86_64V3, Official], Some("v3"));
        assert_eq!(ranked(&inputs), [X86_64V3]);
        let reason = first_reason(&inputs);
        assert!(
            reason.contains("may stop with an illegal instruction"),
            "{reason}"
        );
    }

    #[test]
    fn rjax_cpu_plugin_naming_a_build_not_embedded_here_is_an_error() {
        let error = candidates(&given(None, &[Official], Some("v3"))).unwrap_err();
        assert!(error.contains("not embedded for this platform"), "{error}");
        assert!(error.contains("(embedded: official)"), "{error}");
    }

    #[test]
    fn rjax_cpu_plugin_may_name_a_file_and_anything_else_is_an_error() {
        let file = std::env::temp_dir().join(format!("rjax-cpu-plugin-{}.so", std::process::id()));
        std::fs::write(&file, b"").unwrap();
        let requested = file.to_str().unwrap();
        let candidates_of_file = candidates(&given(
            ALL_FEATURES,
            &CpuPluginKind::EMBEDDED,
            Some(requested),
        ))
        .unwrap();
        assert_eq!(candidates_of_file.len(), 1);
        assert_eq!(candidates_of_file[0].kind, File);
        assert_eq!(candidates_of_file[0].path, file);
        std::fs::remove_file(&file).unwrap();

        let error = candidates(&given(
            ALL_FEATURES,
            &CpuPluginKind::EMBEDDED,
            Some("porable"),
        ))
        .unwrap_err();
        assert_eq!(
            error,
            "`porable` is neither the name of an embedded CPU plugin (v3, portable, official) \
             nor a file"
        );
    }

    #[test]
    fn a_build_that_does_not_load_gives_way_to_the_next_and_says_so() {
        let mut inputs = given(Some(vec!["avx2"]), &[], None);
        let official = Official.embedded_path().map(Path::to_path_buf);
        let Some(official) = official.filter(|path| path.is_file()) else {
            eprintln!("skipped: the official build is not embedded for this platform");
            return;
        };
        inputs.available = vec![
            (X86_64V3, PathBuf::from("/nonexistent/v3.so")),
            (Portable, PathBuf::from("/nonexistent/portable.so")),
            (Official, official.clone()),
        ];
        let choice = choose(&inputs).unwrap().unwrap();
        assert_eq!((choice.kind, choice.path), (Official, official));
        assert!(
            choice.reason.starts_with(
                "the CPU lacks avx2 (of x86-64-v3); the portable build (lammps-jax-pjrt-cpu \
                 0.11.2) did not load (cannot load the PJRT plugin /nonexistent/portable.so"
            ),
            "{}",
            choice.reason
        );
    }

    #[test]
    fn names_round_trip() {
        for kind in CpuPluginKind::EMBEDDED {
            assert_eq!(CpuPluginKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(CpuPluginKind::from_name("file"), None);
        assert_eq!(File.embedded_path(), None);
    }
}
