//! Compiles cpp/kernels into one static library, so every Rust-side bridge links the same
//! copy (two copies of `bridgebench::add` in one program would break C++'s one-definition rule).

use std::path::Path;

fn main() {
    let kernels = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cpp/kernels");
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        // No a*b+c -> FMA contraction: results must stay bit-identical to the Rust kernel
        // and to every other bridge (cpp/CMakeLists.txt does the same).
        .flag("-ffp-contract=off")
        .include(kernels.join("include"))
        .file(kernels.join("src/kernels.cpp"))
        .compile("bb_kernels");
    // Read by dependents' build scripts as DEP_BB_KERNELS_INCLUDE.
    println!(
        "cargo::metadata=include={}",
        kernels.join("include").display()
    );
    for file in ["src/kernels.cpp", "include/bridgebench/kernels.hpp"] {
        println!("cargo::rerun-if-changed={}", kernels.join(file).display());
    }
}
