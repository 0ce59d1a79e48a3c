//! The C++ kernel (cpp/kernels) as a native static library; no Rust API of its own.
//!
//! Depend on this crate and write `use cpp_kernels as _;` so the library is linked; use
//! `DEP_BB_KERNELS_INCLUDE` in your build script to find `bridgebench/kernels.hpp`.
