//! Bakes in the path of rjax's embedded default backend: the CPU plugin that `xla-sys` unpacked
//! from the official `xla-cpu-pjrt` wheel (or the file `RJAX_CPU_PLUGIN` named at build time).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let plugin = std::env::var("DEP_PJRT_C_API_CPU_PLUGIN")
        .expect("xla-sys reports the CPU plugin it fetched through its `links` metadata");
    println!("cargo:rustc-env=RJAX_EMBEDDED_CPU_PLUGIN={plugin}");
}
