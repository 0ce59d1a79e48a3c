//! Compiles the extern "C" shim; the C++ kernel itself comes from the cpp-kernels crate
//! (one static library for every Rust-side bridge).

use std::path::PathBuf;

fn main() {
    // Set by cpp-kernels (`links = "bb_kernels"`): where bridgebench/kernels.hpp lives.
    let kernels_include =
        PathBuf::from(std::env::var_os("DEP_BB_KERNELS_INCLUDE").unwrap_or_default());

    // cc links libstdc++ for a C++ build and passes -Wall -Wextra by default.
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        // No a*b+c -> FMA contraction: results must stay bit-identical to the
        // Rust kernel and to every other bridge (cpp/CMakeLists.txt does the same).
        .flag("-ffp-contract=off")
        .include(&kernels_include)
        .file("src/shim.cpp")
        .compile("rs-extern-c");

    println!("cargo::rerun-if-changed=src/shim.cpp");
}
