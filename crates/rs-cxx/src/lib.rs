//! Rust calls the C++ kernel (`cpp/kernels`) through [cxx](https://cxx.rs).
//!
//! The `#[cxx::bridge]` module below is the whole boundary, declared once:
//! cxx generates the Rust and the C++ glue from it, and the C++ compiler
//! checks every declaration against the real C++ signature. Compare
//! `crates/rs-extern-c`, which crosses the same boundary by hand.

// Links the one static copy of the C++ kernel (see crates/cpp-kernels).
use cpp_kernels as _;

use std::fmt;

#[cxx::bridge]
mod ffi {
    // checked_div throws two exception types, and cxx's `Result` would merge
    // them into one `cxx::Exception` that differs only in its message. So the
    // shim catches each by type and returns which one as data: these two shared
    // types, which cxx defines in both languages from this declaration.

    /// How the C++ `checked_div` ended: returned, or which exception it threw.
    #[namespace = "bridgebench::rs_cxx"]
    enum DivStatus {
        Ok,
        DivisionByZero,
        Overflow,
    }

    /// `quotient` is meaningful only when `status` is `Ok`.
    #[namespace = "bridgebench::rs_cxx"]
    struct DivResult {
        quotient: i64,
        status: DivStatus,
    }

    // The kernel's `add` already speaks cxx types (int64_t in and out), so cxx
    // binds `bridgebench::add` itself: no shim needed.
    #[namespace = "bridgebench"]
    unsafe extern "C++" {
        include!("bridgebench/kernels.hpp");

        // `Result` makes cxx wrap the call in try/catch on the C++ side: the
        // kernel's std::overflow_error comes back as `Err(cxx::Exception)`
        // holding its what(). Without `Result`, a throw would abort the process.
        fn add(a: i64, b: i64) -> Result<i64>;
    }

    // The scale functions take (pointer, length) in C++; the shim adapts them
    // to slices (include/shim.h, src/shim.cc).
    #[namespace = "bridgebench::rs_cxx"]
    unsafe extern "C++" {
        include!("rs-cxx/include/shim.h");

        // `unsafe`: C++ writes values.len() elements into `out` without
        // checking out.len(); the caller must make them equal.
        unsafe fn scale_into(values: &[f64], factor: f64, out: &mut [f64]);

        fn scale_inplace(values: &mut [f64], factor: f64);

        // Still `Result`: an exception the shim does not catch becomes `Err`
        // instead of aborting the process.
        fn checked_div(a: i64, b: i64) -> Result<DivResult>;
    }
}

/// The error of [`add`]: the C++ exception's message (`what()`).
pub use cxx::Exception;

/// `a + b`, or `Err` carrying the C++ `std::overflow_error` message. Never wraps.
pub fn add(a: i64, b: i64) -> Result<i64, Exception> {
    ffi::add(a, b)
}

/// The error of [`checked_div`]: which C++ exception the kernel threw.
#[derive(Debug)]
pub enum Error {
    /// `bridgebench::division_by_zero`: the divisor was zero.
    DivisionByZero,
    /// `std::overflow_error`: the quotient does not fit in int64 (`i64::MIN / -1`).
    Overflow,
    /// Any other C++ exception, caught by cxx.
    Cpp(Exception),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The kernel's messages (benches/kernels/checked_div.toml, [errors]).
            Error::DivisionByZero => f.write_str("division by zero"),
            Error::Overflow => f.write_str("integer overflow: result does not fit in int64"),
            Error::Cpp(e) => f.write_str(e.what()),
        }
    }
}

impl std::error::Error for Error {}

/// `a / b` truncated toward zero, or which C++ exception said there is no answer.
pub fn checked_div(a: i64, b: i64) -> Result<i64, Error> {
    let result = ffi::checked_div(a, b).map_err(Error::Cpp)?;
    match result.status {
        ffi::DivStatus::Ok => Ok(result.quotient),
        ffi::DivStatus::DivisionByZero => Err(Error::DivisionByZero),
        ffi::DivStatus::Overflow => Err(Error::Overflow),
        // A shared enum is open on the Rust side (C++ could put any u8 in it),
        // but cxx generates the C++ enum from the declaration above, so the
        // shim can only name these three.
        _ => unreachable!("shim.cc returned DivStatus {}", result.status.repr),
    }
}

/// A new `Vec` with `values[i] * factor`, computed by C++ straight into
/// Rust-owned memory: the input is read in place and nothing is copied after.
///
/// Why not let C++ return a new `UniquePtr<CxxVector<f64>>`? Rust would then
/// copy the C++ vector into a `Vec`: measured here at 10^6 elements, ~0.6 ms
/// this way against 13-16 ms that way (two 8 MB buffers, one extra pass).
pub fn scale(values: &[f64], factor: f64) -> Vec<f64> {
    // A `&mut [f64]` must point at initialized floats, so the Vec is zero-filled
    // first: the price of a safe slice (~0.2-0.5 ms per 10^6 elements here).
    // crates/rs-extern-c hands C++ a raw pointer into uninitialized capacity
    // instead; a cxx `unsafe fn` taking `*mut f64` could do the same.
    let mut out = vec![0.0; values.len()];
    // SAFETY: `out` has exactly `values.len()` elements.
    unsafe { ffi::scale_into(values, factor, &mut out) };
    out
}

/// `values[i] *= factor` in the caller's memory; C++ gets the slice, no copy.
pub fn scale_inplace(values: &mut [f64], factor: f64) {
    ffi::scale_inplace(values, factor);
}
