//! Test-only: `rs_extern_c` with one extra copy of the input in `scale` (the scale.buffer
//! cell), so the regression gate's test can count a Rust-side build that got worse and
//! see the gate name it. Everything else is the real bridge, re-exported.

pub use rs_extern_c::*;

/// The real `scale`, after copying the input once more (one more allocation and 8 bytes
/// per element per call).
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    let copy = values.to_vec();
    rs_extern_c::scale(std::hint::black_box(&copy), factor)
}
