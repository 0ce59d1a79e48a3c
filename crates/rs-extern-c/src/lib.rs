//! Rust calls the C++ kernel (`cpp/kernels`) through a hand-written `extern "C"` ABI.
//!
//! `src/shim.cpp` exports plain C functions; the `unsafe extern "C"` block below
//! declares them again, by hand. The compiler cannot check that the two agree,
//! so every call is `unsafe`, and the safe functions of this crate are where
//! the promises are kept. Compare `crates/rs-cxx`, where cxx checks both sides.

// Links the one static copy of the C++ kernel (see crates/cpp-kernels).
use cpp_kernels as _;

use std::ffi::c_int;
use std::fmt;

// Declarations of src/shim.cpp. Types are the C ones: int64_t = i64,
// double = f64, size_t = usize (on every platform Rust and C++ target here).
unsafe extern "C" {
    fn bbcpp_add(a: i64, b: i64, out: *mut i64) -> c_int;
    fn bbcpp_checked_div(a: i64, b: i64, out: *mut i64) -> c_int;
    fn bbcpp_scale_into(values: *const f64, n: usize, factor: f64, out: *mut f64);
    fn bbcpp_scale_inplace(values: *mut f64, n: usize, factor: f64);
}

// Status codes returned by bbcpp_add and bbcpp_checked_div (the enum in src/shim.cpp).
const BB_OK: c_int = 0;
const BB_OVERFLOW: c_int = 1;
const BB_DIVISION_BY_ZERO: c_int = 3;

/// Why the C++ side refused to produce a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The kernel threw `std::overflow_error`: the result does not fit in int64.
    Overflow,
    /// The kernel threw `bridgebench::division_by_zero`.
    DivisionByZero,
    /// The shim caught some other C++ exception and returned this status code.
    Cpp(c_int),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Overflow => f.write_str("integer overflow: result does not fit in int64"),
            Error::DivisionByZero => f.write_str("division by zero"),
            Error::Cpp(status) => write!(f, "C++ exception (status {status})"),
        }
    }
}

impl std::error::Error for Error {}

/// `a + b`, or `Err(Error::Overflow)`. Never wraps.
pub fn add(a: i64, b: i64) -> Result<i64, Error> {
    let mut sum = 0;
    // SAFETY: `sum` is a valid place for the one i64 that bbcpp_add writes.
    match unsafe { bbcpp_add(a, b, &mut sum) } {
        BB_OK => Ok(sum),
        BB_OVERFLOW => Err(Error::Overflow),
        status => Err(Error::Cpp(status)),
    }
}

/// `a / b` truncated toward zero, or `Err(Error::DivisionByZero)` / `Err(Error::Overflow)`.
pub fn checked_div(a: i64, b: i64) -> Result<i64, Error> {
    let mut quotient = 0;
    // SAFETY: `quotient` is a valid place for the one i64 that bbcpp_checked_div writes.
    match unsafe { bbcpp_checked_div(a, b, &mut quotient) } {
        BB_OK => Ok(quotient),
        BB_DIVISION_BY_ZERO => Err(Error::DivisionByZero),
        BB_OVERFLOW => Err(Error::Overflow),
        status => Err(Error::Cpp(status)),
    }
}

/// A new `Vec` with `values[i] * factor`, written by C++ straight into the
/// `Vec`'s buffer: the input is read in place and nothing is copied after.
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    let n = values.len();
    let mut out = Vec::with_capacity(n);
    // Raw pointers may point at uninitialized memory (a `&mut [f64]` may not),
    // so unlike crates/rs-cxx the buffer need not be zeroed first.
    // SAFETY: `values` holds n readable f64; `out` has room for n f64, which
    // bbcpp_scale_into initializes all before `set_len` exposes them.
    unsafe {
        bbcpp_scale_into(values.as_ptr(), n, factor, out.as_mut_ptr());
        out.set_len(n);
    }
    out
}

/// `values[i] *= factor` in the caller's memory.
pub fn scale_inplace(values: &mut [f64], factor: f64) {
    // SAFETY: `values` holds values.len() f64 that we may write, for the whole call.
    unsafe { bbcpp_scale_inplace(values.as_mut_ptr(), values.len(), factor) };
}
