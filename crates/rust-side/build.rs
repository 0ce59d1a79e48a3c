//! The `pyo3-embed` row embeds Python, so the test and bench binaries link libpython: an
//! rpath to its directory (found by crates/rs-pyo3-embed's build script) lets them run
//! without LD_LIBRARY_PATH.

fn main() {
    println!("cargo::rerun-if-env-changed=DEP_BB_PYO3_EMBED_LIB_DIR");
    if let Ok(lib_dir) = std::env::var("DEP_BB_PYO3_EMBED_LIB_DIR") {
        println!("cargo::rustc-link-arg-tests=-Wl,-rpath,{lib_dir}");
        println!("cargo::rustc-link-arg-benches=-Wl,-rpath,{lib_dir}");
    }
}
