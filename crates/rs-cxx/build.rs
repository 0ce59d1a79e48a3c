//! Compiles the cxx-generated glue, our shim and the C++ kernel into one static library.

use std::path::Path;

fn main() {
    // The C++ kernel lives outside this crate, in the repository's cpp/ tree.
    let kernels = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cpp/kernels");

    cxx_build::bridge("src/lib.rs")
        .file("src/shim.cc")
        .file(kernels.join("src/kernels.cpp"))
        .include(kernels.join("include"))
        .std("c++17")
        // No a*b+c -> FMA contraction: results must stay bit-identical to the
        // Rust kernel and to every other bridge (cpp/CMakeLists.txt does the same).
        .flag("-ffp-contract=off")
        .compile("rs-cxx");

    for path in [
        Path::new("src/lib.rs"),
        Path::new("src/shim.cc"),
        Path::new("include/shim.h"),
        &kernels.join("src/kernels.cpp"),
        &kernels.join("include/bridgebench/kernels.hpp"),
    ] {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}
