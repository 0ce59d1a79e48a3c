//! Test-only, never built by a build step: the `pyo3` bridge made measurably worse on purpose,
//! so that the regression gate's own test (python/tests/test_gate.py, docs/GATE.md) can prove
//! the gate fails and names the bridge.
//!
//! The bridge's source, crates/py-pyo3/src/lib.rs, is compiled here unchanged, so this module
//! has every cell the bridge has, with the same code and the same counts. Only what its
//! `kernels::` paths reach differs: this crate, which re-exports the real kernels but for two
//! functions that each make one extra heap allocation. So `add` allocates once more per call,
//! `scale_buffer` copies its input once more, and every other cell is unchanged.

// The bridge's `kernels::...` paths resolve through the extern prelude, where this puts the
// crate itself under that name (the real kernels crate is `real_kernels`, see Cargo.toml).
extern crate self as kernels;

pub use real_kernels::*;

#[path = "../../py-pyo3/src/lib.rs"]
mod bridge;

/// [`real_kernels::add`] plus one heap allocation, which `black_box` keeps from being
/// optimized away.
pub fn add(a: i64, b: i64) -> Result<i64, KernelError> {
    std::hint::black_box(Box::new(a));
    real_kernels::add(a, b)
}

/// [`real_kernels::scale`] plus one copy of its input.
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    std::hint::black_box(values.to_vec());
    real_kernels::scale(values, factor)
}
