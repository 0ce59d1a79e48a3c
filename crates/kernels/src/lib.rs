//! The bridgebench kernels, implemented in plain Rust.
//!
//! Semantics are fixed by `benches/kernels/*.toml`; this crate has no FFI so
//! every Rust-built bridge (PyO3, the C ABI, the CPython C-API module, prost)
//! wraps exactly the same code.

use std::fmt;

/// Why a kernel refused to produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelError {
    /// The exact result does not fit the result type.
    Overflow,
    /// A division whose divisor is zero.
    DivisionByZero,
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::Overflow => f.write_str("integer overflow: result does not fit in int64"),
            KernelError::DivisionByZero => f.write_str("division by zero"),
        }
    }
}

impl std::error::Error for KernelError {}

/// `add(a, b)`: the exact sum, or `Overflow` — never wrap-around.
pub fn add(a: i64, b: i64) -> Result<i64, KernelError> {
    a.checked_add(b).ok_or(KernelError::Overflow)
}

/// `checked_div(a, b)`: `a / b` truncated toward zero, or the reason there is no answer.
pub fn checked_div(a: i64, b: i64) -> Result<i64, KernelError> {
    if b == 0 {
        return Err(KernelError::DivisionByZero);
    }
    // The only other failure: i64::MIN / -1 = 2**63.
    a.checked_div(b).ok_or(KernelError::Overflow)
}

/// `map_callback(values, f)`: `f(values[i])` for each element, in order, into a new vector.
///
/// Stops at the first `Err` (no further calls) and returns it unchanged: the error type is
/// the callback's own, so a bridge can carry anything (a Python exception, say) through.
pub fn map_callback<E>(
    values: &[f64],
    mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<f64>, E> {
    values.iter().map(|&x| f(x)).collect()
}

/// `scale` into a caller-provided output: `out[i] = values[i] * factor`.
///
/// # Panics
/// If `out.len() != values.len()`; callers size `out` from `values`.
pub fn scale_into(values: &[f64], factor: f64, out: &mut [f64]) {
    assert_eq!(
        values.len(),
        out.len(),
        "scale_into: output length mismatch"
    );
    for (o, v) in out.iter_mut().zip(values) {
        *o = v * factor;
    }
}

/// `scale` returning a new vector.
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    values.iter().map(|v| v * factor).collect()
}

/// `scale` in place.
pub fn scale_inplace(values: &mut [f64], factor: f64) {
    for v in values.iter_mut() {
        *v *= factor;
    }
}
