//! Compiles the cxx-generated glue and our shim; the C++ kernel itself comes from the
//! cpp-kernels crate (one static library for every Rust-side bridge).

use std::path::PathBuf;

fn main() {
    // Set by cpp-kernels (`links = "bb_kernels"`): where bridgebench/kernels.hpp lives.
    let kernels_include =
        PathBuf::from(std::env::var_os("DEP_BB_KERNELS_INCLUDE").unwrap_or_default());

    cxx_build::bridge("src/lib.rs")
        .file("src/shim.cc")
        .include(&kernels_include)
        .std("c++17")
        // No a*b+c -> FMA contraction: results must stay bit-identical to the
        // Rust kernel and to every other bridge (cpp/CMakeLists.txt does the same).
        .flag("-ffp-contract=off")
        .compile("rs-cxx");

    for path in ["src/lib.rs", "src/shim.cc", "include/shim.h"] {
        println!("cargo::rerun-if-changed={path}");
    }
}
