//! Rust calls the C++ kernel (`cpp/kernels`) through a hand-written `extern "C"` ABI.
//!
//! `src/shim.cpp` exports plain C functions; the `unsafe extern "C"` block below
//! declares them again, by hand. The compiler cannot check that the two agree,
//! so every call is `unsafe`, and the safe functions of this crate are where
//! the promises are kept. Compare `crates/rs-cxx`, where cxx checks both sides.

// Links the one static copy of the C++ kernel (see crates/cpp-kernels).
use cpp_kernels as _;

use std::ffi::{c_char, c_int, c_void};
use std::fmt;
use std::marker::{PhantomData, PhantomPinned};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;

// ANCHOR: declarations
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
    fn bbcpp_holder_new(text: *const c_char, len: usize, out: *mut *mut CppHolder) -> c_int;
    fn bbcpp_holder_free(holder: *mut CppHolder);
    fn bbcpp_holder_text(holder: *const CppHolder, text: *mut *const c_char, len: *mut usize);
    fn bbcpp_holder_utf8_len(holder: *const CppHolder) -> usize;
    fn bbcpp_holder_append(holder: *mut CppHolder, more: *const c_char, len: usize) -> c_int;
    fn bbcpp_live_holders() -> i64;
    fn bbcpp_counter_new(start: i64, out: *mut *mut CppCounter) -> c_int;
    fn bbcpp_counter_free(counter: *mut CppCounter);
    fn bbcpp_counter_bump(counter: *mut CppCounter, by: i64, out: *mut i64) -> c_int;
    fn bbcpp_counter_value(counter: *const CppCounter) -> i64;
    fn bbcpp_counter_set_value(counter: *mut CppCounter, value: i64);
    fn bbcpp_summarize(records: *const Record<'_>, n: usize, out: *mut RawSummary) -> c_int;
    fn bbcpp_summarize_columns(
        ids: *const i64,
        n_ids: usize,
        scores: *const f64,
        n_scores: usize,
        name_offsets: *const i64,
        n_offsets: usize,
        name_bytes: *const c_char,
        n_bytes: usize,
        out: *mut RawSummary,
        message: *mut Message,
    ) -> c_int;
}
// ANCHOR_END: declarations

/// `bbcpp_callback` in src/shim.cpp: `*out = f(x)` and 0, or non-zero if `f` failed.
type BbcppCallback = extern "C" fn(ctx: *mut c_void, x: f64, out: *mut f64) -> c_int;

// Status codes returned by the shim's functions (the enum in src/shim.cpp).
const BB_OK: c_int = 0;
const BB_OVERFLOW: c_int = 1;
const BB_ERROR: c_int = 2;
const BB_DIVISION_BY_ZERO: c_int = 3;
const BB_CALLBACK_FAILED: c_int = 4;
const BB_INVALID_UTF8: c_int = 5;
const BB_INVALID_ARGUMENT: c_int = 6;

/// Why the C++ side refused to produce a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The kernel threw `std::overflow_error`: the result does not fit in int64.
    Overflow,
    /// The kernel threw `bridgebench::division_by_zero`.
    DivisionByZero,
    /// A `Holder` threw `std::invalid_argument`: the text is not UTF-8.
    InvalidUtf8,
    /// `summarize_columns` threw `std::invalid_argument`; its what(), copied across.
    InvalidArgument(String),
    /// The shim caught some other C++ exception and returned this status code.
    Cpp(c_int),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Overflow => f.write_str("integer overflow: result does not fit in int64"),
            Error::DivisionByZero => f.write_str("division by zero"),
            Error::InvalidUtf8 => f.write_str("a name is not valid UTF-8"),
            Error::InvalidArgument(message) => f.write_str(message),
            Error::Cpp(status) => write!(f, "C++ exception (status {status})"),
        }
    }
}

impl std::error::Error for Error {}

// ANCHOR: add
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
// ANCHOR_END: add

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

// ANCHOR: scale
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
// ANCHOR_END: scale

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

// ANCHOR: trampoline
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
// ANCHOR_END: trampoline

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

// ANCHOR: opaque
/// `bridgebench::Holder` as Rust sees it through the C ABI: a type with no size and
/// no fields, only ever behind a pointer (the Rustonomicon's opaque-type pattern).
/// The markers make it neither `Send`, `Sync` nor `Unpin`: Rust promises nothing
/// about a C++ object it cannot see.
#[repr(C)]
struct CppHolder {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// A C++ `bridgebench::Holder`, owned from Rust through an opaque pointer: made by
/// `bbcpp_holder_new`, and freed by `bbcpp_holder_free` when this is dropped.
pub struct Holder {
    raw: NonNull<CppHolder>,
}
// ANCHOR_END: opaque

/// A holder status as an error (`Ok` for `BB_OK`).
fn holder_status(status: c_int) -> Result<(), Error> {
    match status {
        BB_OK => Ok(()),
        BB_INVALID_UTF8 => Err(Error::InvalidUtf8),
        status => Err(Error::Cpp(status)),
    }
}

impl Holder {
    /// A C++ holder owning a copy of `text`. It crosses as pointer and length, never
    /// as a NUL-terminated C string, so embedded NULs survive.
    pub fn new(text: &str) -> Result<Self, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `text` holds text.len() readable bytes; `raw` is a valid place for
        // the one pointer the shim writes.
        holder_status(unsafe { bbcpp_holder_new(text.as_ptr().cast(), text.len(), &mut raw) })?;
        // BB_OK promises a holder; a null pointer would be the shim's bug.
        let raw = NonNull::new(raw).ok_or(Error::Cpp(BB_ERROR))?;
        Ok(Holder { raw })
    }

    /// The text, borrowed from the C++ `std::string` for as long as `&self` lives.
    /// Nothing tells Rust it is UTF-8, so it is checked on the way in: the price of
    /// a `&str` (crates/rs-cxx pays the same).
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        let (mut ptr, mut len) = (std::ptr::null(), 0);
        // SAFETY: `self.raw` is a live holder; both out-pointers are valid places.
        unsafe { bbcpp_holder_text(self.raw.as_ptr(), &mut ptr, &mut len) };
        // SAFETY: std::string::data() is never null and points at len bytes, which
        // stay unchanged while `&self` is borrowed (changing them needs `&mut self`).
        let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
        std::str::from_utf8(bytes)
    }

    /// The text's length in UTF-8 bytes.
    pub fn utf8_len(&self) -> usize {
        // SAFETY: `self.raw` is a live holder.
        unsafe { bbcpp_holder_utf8_len(self.raw.as_ptr()) }
    }

    /// Appends a copy of `more`; on `Err` the text is unchanged.
    pub fn append(&mut self, more: &str) -> Result<(), Error> {
        // SAFETY: `self.raw` is a live holder, ours alone (`&mut self`); `more` holds
        // more.len() readable bytes.
        holder_status(unsafe {
            bbcpp_holder_append(self.raw.as_ptr(), more.as_ptr().cast(), more.len())
        })
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // SAFETY: `self.raw` came from bbcpp_holder_new and is freed only here, once.
        unsafe { bbcpp_holder_free(self.raw.as_ptr()) };
    }
}

/// How many C++ holders are alive: one count for the whole program's C++ kernel
/// (crates/cpp-kernels links one copy), shared with crates/rs-cxx.
pub fn live_holders() -> i64 {
    // SAFETY: no arguments, no preconditions.
    unsafe { bbcpp_live_holders() }
}

/// `bridgebench::Counter` as Rust sees it: opaque, like [`CppHolder`].
#[repr(C)]
struct CppCounter {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// A C++ `bridgebench::Counter`, owned from Rust through an opaque pointer: made by
/// `bbcpp_counter_new`, and freed by `bbcpp_counter_free` when this is dropped.
pub struct Counter {
    raw: NonNull<CppCounter>,
}

impl Counter {
    /// A C++ counter holding `start`; `Err` only if C++ could not allocate it.
    pub fn new(start: i64) -> Result<Self, Error> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` is a valid place for the one pointer the shim writes.
        match unsafe { bbcpp_counter_new(start, &mut raw) } {
            // BB_OK promises a counter; a null pointer would be the shim's bug.
            BB_OK => NonNull::new(raw)
                .map(|raw| Counter { raw })
                .ok_or(Error::Cpp(BB_ERROR)),
            status => Err(Error::Cpp(status)),
        }
    }

    /// Adds `by` and returns the new value, or `Err(Error::Overflow)`; then the value
    /// is unchanged.
    pub fn bump(&mut self, by: i64) -> Result<i64, Error> {
        let mut value = 0;
        // SAFETY: `self.raw` is a live counter, ours alone (`&mut self`); `value` is a
        // valid place for the one i64 the shim writes.
        match unsafe { bbcpp_counter_bump(self.raw.as_ptr(), by, &mut value) } {
            BB_OK => Ok(value),
            BB_OVERFLOW => Err(Error::Overflow),
            status => Err(Error::Cpp(status)),
        }
    }

    pub fn value(&self) -> i64 {
        // SAFETY: `self.raw` is a live counter.
        unsafe { bbcpp_counter_value(self.raw.as_ptr()) }
    }

    pub fn set_value(&mut self, value: i64) {
        // SAFETY: `self.raw` is a live counter, ours alone (`&mut self`).
        unsafe { bbcpp_counter_set_value(self.raw.as_ptr(), value) };
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        // SAFETY: `self.raw` came from bbcpp_counter_new and is freed only here, once.
        unsafe { bbcpp_counter_free(self.raw.as_ptr()) };
    }
}

/// One record for [`summarize`]: `bbcpp_record` in src/shim.cpp, field for field.
/// The name is borrowed as pointer and length; the lifetime keeps the borrow alive
/// in Rust's eyes while C++ sees only a raw pointer.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    id: i64,
    name: *const c_char,
    name_len: usize,
    score: f64,
    _name: PhantomData<&'a str>,
}

impl<'a> Record<'a> {
    pub fn new(id: i64, name: &'a str, score: f64) -> Self {
        Record {
            id,
            name: name.as_ptr().cast(),
            name_len: name.len(),
            score,
            _name: PhantomData,
        }
    }

    pub fn name(&self) -> &'a str {
        // SAFETY: `new` is the only way to make a Record, and it took these two from
        // a `&'a str`, which outlives the Record.
        unsafe {
            let bytes = std::slice::from_raw_parts(self.name.cast::<u8>(), self.name_len);
            std::str::from_utf8_unchecked(bytes)
        }
    }
}

/// `bbcpp_summary` in src/shim.cpp: `longest` is an index into the input, or -1.
#[repr(C)]
struct RawSummary {
    count: i64,
    score_sum: f64,
    max_id: i64,
    longest: i64,
}

/// `bbcpp_message` in src/shim.cpp: a C++ exception's what(), copied out.
#[repr(C)]
struct Message {
    text: [u8; 256],
    len: usize,
}

/// What `summarize` returns. The longest name is borrowed from the caller's input
/// (the records' names, or the columns' `name_bytes`): nothing was copied for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary<'a> {
    pub count: i64,
    pub score_sum: f64,
    pub max_id: i64,
    pub longest_name: &'a str,
}

impl RawSummary {
    /// The summary, with the name at index `longest` found by `name_at`. Rust checks
    /// the index C++ returned: out of range would be the shim's bug (reported as
    /// `BB_ERROR`), not a crash.
    fn with_name<'a>(
        self,
        name_at: impl Fn(usize) -> Option<&'a str>,
    ) -> Result<Summary<'a>, Error> {
        let longest_name = match self.longest {
            -1 => "",
            i => usize::try_from(i)
                .ok()
                .and_then(name_at)
                .ok_or(Error::Cpp(BB_ERROR))?,
        };
        Ok(Summary {
            count: self.count,
            score_sum: self.score_sum,
            max_id: self.max_id,
            longest_name,
        })
    }
}

/// An all-zero `RawSummary` for the shim to overwrite.
const NO_SUMMARY: RawSummary = RawSummary {
    count: 0,
    score_sum: 0.0,
    max_id: 0,
    longest: -1,
};

/// `summarize` over records, folded by the C++ kernel's Summarizer, which reads each
/// name in place through its pointer.
pub fn summarize<'a>(records: &[Record<'a>]) -> Result<Summary<'a>, Error> {
    let mut out = NO_SUMMARY;
    // SAFETY: `records` holds records.len() `bbcpp_record`s (same layout, #[repr(C)]),
    // each naming a live `&str`; `out` is a valid place for the summary.
    match unsafe { bbcpp_summarize(records.as_ptr(), records.len(), &mut out) } {
        BB_OK => out.with_name(|i| records.get(i).map(Record::name)),
        status => Err(Error::Cpp(status)),
    }
}

/// `summarize` over columns in Apache Arrow's layout (name `i` is
/// `name_bytes[name_offsets[i]..name_offsets[i + 1]]`); each slice crosses as pointer
/// and length, and the kernel checks that they agree. `Err(Error::InvalidArgument)`
/// carries the kernel's message: "columns disagree: ..." or "a name is not valid UTF-8".
pub fn summarize_columns<'a>(
    ids: &[i64],
    scores: &[f64],
    name_offsets: &[i64],
    name_bytes: &'a [u8],
) -> Result<Summary<'a>, Error> {
    let mut out = NO_SUMMARY;
    // Written by the shim only on failure; 264 bytes zeroed per call.
    let mut message = Message {
        text: [0; 256],
        len: 0,
    };
    // SAFETY: each slice is passed with its own length; `out` and `message` are valid
    // places for what the shim writes.
    let status = unsafe {
        bbcpp_summarize_columns(
            ids.as_ptr(),
            ids.len(),
            scores.as_ptr(),
            scores.len(),
            name_offsets.as_ptr(),
            name_offsets.len(),
            name_bytes.as_ptr().cast(),
            name_bytes.len(),
            &mut out,
            &mut message,
        )
    };
    match status {
        // The kernel checked every name is UTF-8; Rust checks the one it borrows again,
        // rather than trust an index from across the boundary with `unsafe`.
        BB_OK => out.with_name(|i| {
            let start = usize::try_from(*name_offsets.get(i)?).ok()?;
            let end = usize::try_from(*name_offsets.get(i + 1)?).ok()?;
            std::str::from_utf8(name_bytes.get(start..end)?).ok()
        }),
        BB_INVALID_ARGUMENT => {
            let text = message.text.get(..message.len).unwrap_or(&message.text);
            Err(Error::InvalidArgument(
                String::from_utf8_lossy(text).into_owned(),
            ))
        }
        status => Err(Error::Cpp(status)),
    }
}
