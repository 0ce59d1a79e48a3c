//! Rust calls the C++ kernel (`cpp/kernels`) through a hand-written `extern "C"` ABI.
//!
//! `src/shim.cpp` exports plain C functions; the `unsafe extern "C"` block below
//! declares them again, by hand. The compiler cannot check that the two agree,
//! so every call is `unsafe`, and the safe functions of this crate are where
//! the promises are kept. Compare `crates/rs-cxx`, where cxx checks both sides.

// Links the one static copy of the C++ kernel (see crates/cpp-kernels).
use cpp_kernels as _;

use std::ffi::{c_int, c_void};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

// Declarations of src/shim.cpp. Types are the C ones: int64_t = i64,
// double = f64, size_t = usize (on every platform Rust and C++ target here).
unsafe extern "C" {
    fn bbcpp_add(a: i64, b: i64, out: *mut i64) -> c_int;
    fn bbcpp_checked_div(a: i64, b: i64, out: *mut i64) -> c_int;
    fn bbcpp_map_callback(
        values: *const f64,
        n: usize,
        callback: BbcppCallback,
        ctx: *mut c_void,
        out: *mut f64,
    ) -> c_int;
    fn bbcpp_scale_into(values: *const f64, n: usize, factor: f64, out: *mut f64);
    fn bbcpp_scale_inplace(values: *mut f64, n: usize, factor: f64);
}

/// `bbcpp_callback` in src/shim.cpp: `*out = f(x)` and 0, or non-zero if `f` failed.
type BbcppCallback = extern "C" fn(ctx: *mut c_void, x: f64, out: *mut f64) -> c_int;

// Status codes returned by the shim's functions (the enum in src/shim.cpp).
const BB_OK: c_int = 0;
const BB_OVERFLOW: c_int = 1;
const BB_DIVISION_BY_ZERO: c_int = 3;
const BB_CALLBACK_FAILED: c_int = 4;

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

/// The error of [`map_callback`].
#[derive(Debug)]
pub enum MapError<E> {
    /// The callback's own `Err`, unchanged; it was the last call.
    Callback(E),
    /// The shim caught a C++ exception that did not come from the callback
    /// (`std::bad_alloc`, say) and returned this status code.
    Cpp(c_int),
}

impl<E: fmt::Display> fmt::Display for MapError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Callback(e) => e.fmt(f),
            MapError::Cpp(status) => Error::Cpp(*status).fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for MapError<E> {}

/// What the context pointer of [`trampoline`] points at.
struct Context<'a> {
    /// The caller's closure, with its error reduced to "failed" (it keeps the error itself).
    f: &'a mut dyn FnMut(f64) -> Result<f64, ()>,
    /// A panic caught in [`trampoline`], resumed once C++ has returned.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// The C function C++ calls per element; `ctx` is a `*mut Context`.
///
/// A panic must not unwind into C++ (undefined behaviour; Rust aborts at an
/// `extern "C"` edge anyway), so it is caught, kept, and reported as a failure.
extern "C" fn trampoline(ctx: *mut c_void, x: f64, out: *mut f64) -> c_int {
    // SAFETY: map_callback passes a `&mut Context` as ctx, and C++ calls back
    // only during bbcpp_map_callback, while that borrow is live; one call at a time.
    let ctx = unsafe { &mut *ctx.cast::<Context<'_>>() };
    match panic::catch_unwind(AssertUnwindSafe(|| (ctx.f)(x))) {
        Ok(Ok(y)) => {
            // SAFETY: `out` is the shim's local double, valid for this write.
            unsafe { out.write(y) };
            0
        }
        Ok(Err(())) => 1,
        Err(payload) => {
            ctx.panic = Some(payload);
            1
        }
    }
}

/// `f(values[i])` for each element, in order, called back from the C++ kernel
/// through a C function pointer and a `void*` context.
///
/// The first `Err` stops the kernel at once (no further calls) and comes back
/// unchanged as `MapError::Callback`. A panic in `f` stops the kernel the same
/// way, then resumes unwinding here, on the Rust side of the boundary.
pub fn map_callback<E>(
    values: &[f64],
    mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Vec<f64>, MapError<E>> {
    let mut failure = None;
    let mut stop_on_err = |x| {
        f(x).map_err(|e| {
            failure = Some(e);
        })
    };
    let mut ctx = Context {
        f: &mut stop_on_err,
        panic: None,
    };
    let n = values.len();
    let mut out = Vec::with_capacity(n);
    // SAFETY: `values` holds n readable f64; `out` has room for n f64; `ctx` is
    // what `trampoline` expects and outlives the call. On BB_OK the shim has
    // written all n elements, and only then does `set_len` expose them.
    let status = unsafe {
        bbcpp_map_callback(
            values.as_ptr(),
            n,
            trampoline,
            (&raw mut ctx).cast::<c_void>(),
            out.as_mut_ptr(),
        )
    };
    if let Some(payload) = ctx.panic.take() {
        panic::resume_unwind(payload);
    }
    match (status, failure) {
        (BB_OK, _) => {
            // SAFETY: see above: BB_OK means n elements were written.
            unsafe { out.set_len(n) };
            Ok(out)
        }
        (BB_CALLBACK_FAILED, Some(e)) => Err(MapError::Callback(e)),
        (status, _) => Err(MapError::Cpp(status)),
    }
}
