//! Compiles the extern "C" shim and the C++ kernel into one static library.

use std::path::Path;

fn main() {
    // The C++ kernel lives outside this crate, in the repository's cpp/ tree.
    let kernels = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cpp/kernels");

    // cc links libstdc++ for a C++ build and passes -Wall -Wextra by default.
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        // No a*b+c -> FMA contraction: results must stay bit-identical to the
        // Rust kernel and to every other bridge (cpp/CMakeLists.txt does the same).
        .flag("-ffp-contract=off")
        .include(kernels.join("include"))
        .file("src/shim.cpp")
        .file(kernels.join("src/kernels.cpp"))
        .compile("rs-extern-c");

    for path in [
        Path::new("src/shim.cpp"),
        &kernels.join("src/kernels.cpp"),
        &kernels.join("include/bridgebench/kernels.hpp"),
    ] {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}
