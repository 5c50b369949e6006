//! Bakes in the paths of the CPU plugins rjax embeds, which `xla-sys` fetched and reports
//! through its `links` metadata: one environment variable per build (`v3`, `portable`,
//! `official`), read with `env!` by `src/runtime/cpu_plugin.rs`. A build that does not exist
//! for the target platform is baked in as an empty path. Which one runs is chosen at run time.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for build in ["V3", "PORTABLE", "OFFICIAL"] {
        let path = std::env::var(format!("DEP_PJRT_C_API_CPU_PLUGIN_{build}"))
            .expect("xla-sys reports each CPU plugin it fetched through its `links` metadata");
        println!("cargo:rustc-env=RJAX_EMBEDDED_CPU_PLUGIN_{build}={path}");
    }
}
