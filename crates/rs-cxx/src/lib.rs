//! Rust calls the C++ kernel (`cpp/kernels`) through [cxx](https://cxx.rs).
//!
//! The `#[cxx::bridge]` module below is the whole boundary, declared once:
//! cxx generates the Rust and the C++ glue from it, and the C++ compiler
//! checks every declaration against the real C++ signature. Compare
//! `crates/rs-extern-c`, which crosses the same boundary by hand.

// Links the one static copy of the C++ kernel (see crates/cpp-kernels).
use cpp_kernels as _;

use cxx::UniquePtr;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

// ANCHOR: bridge
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

    /// One record for [`summarize`](super::summarize). It borrows its name: C++ sees a
    /// struct holding a `rust::Str` (pointer and length into the Rust string), so
    /// no name is copied on the way in.
    #[namespace = "bridgebench::rs_cxx"]
    #[derive(Debug, Clone, Copy)]
    struct Record<'a> {
        id: i64,
        name: &'a str,
        score: f64,
    }

    /// What `summarize` returns. `longest_name` is a Rust `String` that C++ fills
    /// (a `rust::String`): cxx checks the bytes are UTF-8 and copies them.
    #[namespace = "bridgebench::rs_cxx"]
    #[derive(Debug, Clone, PartialEq)]
    struct Summary {
        count: i64,
        score_sum: f64,
        max_id: i64,
        longest_name: String,
    }

    // What already speaks cxx types is bound to the kernel itself, no shim.
    #[namespace = "bridgebench"]
    unsafe extern "C++" {
        include!("bridgebench/kernels.hpp");

        // `Result` makes cxx wrap the call in try/catch on the C++ side: the
        // kernel's std::overflow_error comes back as `Err(cxx::Exception)`
        // holding its what(). Without `Result`, a throw would abort the process.
        fn add(a: i64, b: i64) -> Result<i64>;

        /// The kernel's `bridgebench::Holder`, opaque: Rust never sees its layout
        /// and only ever holds it behind a pointer (`UniquePtr`, `&`, `Pin<&mut>`).
        type Holder;

        // Member functions, bound directly; both are noexcept in C++, so no `Result`.
        // `&CxxString` is the C++ `const std::string&`, borrowed from the holder.
        fn text(self: &Holder) -> &CxxString;
        fn utf8_len(self: &Holder) -> usize;

        fn live_holders() -> i64;

        /// The kernel's `bridgebench::Counter`, opaque like `Holder`.
        type Counter;

        // bump throws std::overflow_error, so `Result`; the other two are noexcept.
        // A member that changes the object takes `Pin<&mut Counter>`.
        fn bump(self: Pin<&mut Counter>, by: i64) -> Result<i64>;
        fn value(self: &Counter) -> i64;
        fn set_value(self: Pin<&mut Counter>, value: i64);
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

        // The kernel calls `callback.call(x)` per element, through a
        // std::function. A throw from `call` (a `rust::Error`) unwinds the
        // C++ kernel and arrives here as `Err(cxx::Exception)`, thanks to `Result`.
        fn map_callback(values: &[f64], callback: &mut Callback<'_>, out: &mut [f64])
        -> Result<()>;

        // cxx cannot call a C++ constructor, nor pass a std::string_view: the shim
        // does both. A throwing constructor (std::bad_alloc; invalid UTF-8, which a
        // &str never is) comes back as Err, and no holder is made.
        fn new_holder(text: &str) -> Result<UniquePtr<Holder>>;
        // A mutable C++ object is `Pin<&mut T>` in Rust: C++ may rely on its address.
        fn append(holder: Pin<&mut Holder>, more: &str) -> Result<()>;

        // The constructor, again through the shim (std::bad_alloc comes back as Err).
        fn new_counter(start: i64) -> Result<UniquePtr<Counter>>;

        // Both feed the kernel's Summarizer, one over the records' borrowed names,
        // one through bridgebench::summarize_columns, whose std::invalid_argument
        // (columns disagree, a name is not UTF-8) comes back as Err with its what().
        fn summarize(records: &[Record<'_>]) -> Result<Summary>;
        fn summarize_columns(
            ids: &[i64],
            scores: &[f64],
            name_offsets: &[i64],
            name_bytes: &[u8],
        ) -> Result<Summary>;
    }

    // Control crosses back: C++ calls this Rust method. Its `Err` becomes a
    // C++ `rust::Error` exception thrown inside the C++ kernel's loop.
    #[namespace = "bridgebench::rs_cxx"]
    extern "Rust" {
        type Callback<'a>;

        // `unsafe`: cxx requires it of an extern "Rust" fn with explicit
        // lifetimes; C++ only ever calls it during map_callback.
        unsafe fn call<'a>(self: &mut Callback<'a>, x: f64) -> Result<f64>;
    }
}
// ANCHOR_END: bridge

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

// ANCHOR: scale
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
// ANCHOR_END: scale

/// `values[i] *= factor` in the caller's memory; C++ gets the slice, no copy.
pub fn scale_inplace(values: &mut [f64], factor: f64) {
    ffi::scale_inplace(values, factor);
}

// ANCHOR: callback
/// What C++ calls back: the caller's closure, which stores its own error (or a
/// panic) on the Rust side and tells C++ only that it failed.
pub struct Callback<'a> {
    f: &'a mut dyn FnMut(f64) -> Result<f64, Stop>,
    /// A panic caught in [`Callback::call`], resumed once C++ has returned.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// The error `Callback::call` hands cxx: cxx throws it into C++ as a
/// `rust::Error` whose `what()` is this message. The caller's own error stays
/// in Rust; only this marker travels through the C++ kernel.
#[derive(Debug)]
pub struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Rust callback failed")
    }
}

impl Callback<'_> {
    fn call(&mut self, x: f64) -> Result<f64, Stop> {
        // cxx aborts the process if a panic reaches an extern "Rust" function's
        // edge, so catch it here and stop the C++ loop with an error instead.
        match panic::catch_unwind(AssertUnwindSafe(|| (self.f)(x))) {
            Ok(result) => result,
            Err(payload) => {
                self.panic = Some(payload);
                Err(Stop)
            }
        }
    }
}
// ANCHOR_END: callback

/// The error of [`map_callback`].
#[derive(Debug)]
pub enum MapError<E> {
    /// The callback's own `Err`, unchanged; it was the last call.
    Callback(E),
    /// A C++ exception that did not come from the callback (`std::bad_alloc`, say).
    Cpp(Exception),
}

impl<E: fmt::Display> fmt::Display for MapError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Callback(e) => e.fmt(f),
            MapError::Cpp(e) => f.write_str(e.what()),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for MapError<E> {}

// ANCHOR: map_callback
/// `f(values[i])` for each element, in order, called back from the C++ kernel.
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
            Stop
        })
    };
    let mut callback = Callback {
        f: &mut stop_on_err,
        panic: None,
    };
    // The kernel returns a std::vector; the shim copies it into this Vec.
    let mut out = vec![0.0; values.len()];
    let result = ffi::map_callback(values, &mut callback, &mut out);
    if let Some(payload) = callback.panic.take() {
        panic::resume_unwind(payload);
    }
    match (result, failure) {
        (Ok(()), _) => Ok(out),
        (Err(_), Some(e)) => Err(MapError::Callback(e)),
        (Err(e), None) => Err(MapError::Cpp(e)),
    }
}
// ANCHOR_END: map_callback

/// The kernel's `bridgebench::Holder`, owned from Rust: dropping it runs the C++
/// destructor (`UniquePtr` is `std::unique_ptr`, so `delete` happens in C++).
pub struct Holder(UniquePtr<ffi::Holder>);

impl Holder {
    /// A C++ holder owning a copy of `text`; `Err` holds the C++ exception's what().
    pub fn new(text: &str) -> Result<Self, Exception> {
        // Never null: std::make_unique returns an object or throws (then this is Err).
        ffi::new_holder(text).map(Holder)
    }

    /// The text, borrowed from the C++ `std::string`. cxx cannot know it is UTF-8,
    /// so `to_str` checks every byte on the way into Rust: the price of a `&str`.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        self.0.text().to_str()
    }

    /// The text's length in UTF-8 bytes.
    pub fn utf8_len(&self) -> usize {
        self.0.utf8_len()
    }

    /// Appends a copy of `more`.
    pub fn append(&mut self, more: &str) -> Result<(), Exception> {
        ffi::append(self.0.pin_mut(), more)
    }
}

/// How many C++ holders are alive: one count for the whole program's C++ kernel
/// (crates/cpp-kernels links one copy), shared with crates/rs-extern-c.
pub fn live_holders() -> i64 {
    ffi::live_holders()
}

/// The kernel's `bridgebench::Counter`, owned from Rust as [`Holder`] is.
pub struct Counter(UniquePtr<ffi::Counter>);

impl Counter {
    /// A C++ counter holding `start`; `Err` only if C++ could not allocate it.
    pub fn new(start: i64) -> Result<Self, Exception> {
        ffi::new_counter(start).map(Counter)
    }

    /// Adds `by` and returns the new value, or `Err` carrying the C++
    /// `std::overflow_error` message; then the value is unchanged.
    pub fn bump(&mut self, by: i64) -> Result<i64, Exception> {
        self.0.pin_mut().bump(by)
    }

    pub fn value(&self) -> i64 {
        self.0.value()
    }

    pub fn set_value(&mut self, value: i64) {
        self.0.pin_mut().set_value(value);
    }
}

pub use ffi::{Record, Summary};

/// `summarize` over records, folded by the C++ kernel's Summarizer. C++ reads each
/// name in place; only the longest one is copied, into the returned `String`.
pub fn summarize(records: &[Record<'_>]) -> Result<Summary, Exception> {
    ffi::summarize(records)
}

/// `summarize` over columns in Apache Arrow's layout (name `i` is
/// `name_bytes[name_offsets[i]..name_offsets[i + 1]]`): the slices cross as they
/// are. `Err` carries the kernel's message: "columns disagree: ..." or "a name is
/// not valid UTF-8" (both are `std::invalid_argument` in C++, told apart by what()).
pub fn summarize_columns(
    ids: &[i64],
    scores: &[f64],
    name_offsets: &[i64],
    name_bytes: &[u8],
) -> Result<Summary, Exception> {
    ffi::summarize_columns(ids, scores, name_offsets, name_bytes)
}
