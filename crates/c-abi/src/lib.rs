//! The Rust kernels behind a plain C ABI: `libc_abi.so` plus the cbindgen header
//! `include/bb_c_abi.h`, used by ctypes, cffi and any C caller.
//!
//! Conventions, so the ABI can grow without breaking callers:
//! - every function is `bb_<name>`, returns a `bb_status` and writes its result through an
//!   out-pointer, so the return value is always free to report errors;
//! - every body runs inside `catch_unwind` (one helper, `guard`): a Rust panic becomes
//!   `BB_STATUS_PANIC`, because unwinding into C is undefined behaviour (the test-only crate
//!   crates/test-c-abi-panic proves it with a real panic through this same `guard`);
//! - pointers are checked (NULL, alignment, overlap) before a Rust slice is made from them,
//!   since a bad slice is undefined behaviour even if it is never read;
//! - text crosses as (pointer, length) UTF-8, never as a NUL-terminated C string, so embedded
//!   NULs survive; text handed back is a borrowed view, and an empty one is `(NULL, 0)`.
//!
//! The exceptions to the status rule are `bb_holder_free` and `bb_counter_free`: like `free()`,
//! they cannot fail and return nothing, so they can serve as destructors as is (cffi's `ffi.gc`).

use std::ffi::{CStr, c_char, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard};

/// The outcome of every `bb_*` call: `BB_STATUS_OK` (0) or an error, described by
/// `bb_status_message`. New codes are only appended; existing values never change.
// repr(C): the C compiler's own enum type (an int), so the header is a plain C89 enum that
// cffi's parser reads as is; repr(i32) would make cbindgen emit a C23/C++ `: int32_t` variant.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BbStatus {
    /// Success: the out-parameters hold the result.
    Ok = 0,
    /// The exact integer result does not fit its type; the out-parameter is untouched.
    Overflow = 1,
    /// A required pointer was NULL (an array pointer may be NULL only when its length is 0).
    NullPointer = 2,
    /// A pointer was not aligned for its element type.
    Misaligned = 3,
    /// An output array overlaps an input array.
    Overlap = 4,
    /// A Rust panic was caught at the boundary (a bug in this library); outputs may be partly
    /// written.
    Panic = 5,
    /// The divisor was zero; the out-parameter is untouched.
    DivisionByZero = 6,
    /// A caller-supplied callback returned a status other than `BB_STATUS_OK`; the call stopped
    /// there (no further calls) and the output array is untouched. The callback's own status is
    /// not passed on: the caller keeps its own record of what failed (e.g. through `context`).
    CallbackFailed = 7,
    /// A text or a name was not valid UTF-8; nothing was created or changed.
    InvalidUtf8 = 8,
    /// `bb_summarize_columns`: the columns' lengths or the name offsets disagree.
    BadColumns = 9,
}

// Private, so cbindgen leaves it out of the header.
const ALL_STATUSES: [BbStatus; 10] = [
    BbStatus::Ok,
    BbStatus::Overflow,
    BbStatus::NullPointer,
    BbStatus::Misaligned,
    BbStatus::Overlap,
    BbStatus::Panic,
    BbStatus::DivisionByZero,
    BbStatus::CallbackFailed,
    BbStatus::InvalidUtf8,
    BbStatus::BadColumns,
];

impl BbStatus {
    fn message(self) -> &'static CStr {
        match self {
            BbStatus::Ok => c"ok",
            BbStatus::Overflow => c"integer overflow: result does not fit in int64",
            BbStatus::NullPointer => c"a required pointer is NULL",
            BbStatus::Misaligned => c"a pointer is not aligned for its element type",
            BbStatus::Overlap => c"the output array overlaps the input array",
            BbStatus::Panic => c"internal error: a Rust panic was caught at the C boundary",
            BbStatus::DivisionByZero => c"division by zero",
            BbStatus::CallbackFailed => c"the callback failed (returned a status other than ok)",
            // Each contains the message the spec's `[errors]` table gives ("not valid UTF-8",
            // "columns disagree"), as the kernel's `Display` does.
            BbStatus::InvalidUtf8 => c"a name or text is not valid UTF-8",
            BbStatus::BadColumns => {
                c"columns disagree: want n ids, n scores and n + 1 name offsets that start at 0, \
                  never decrease and end at len(name_bytes)"
            }
        }
    }
}

impl From<kernels::KernelError> for BbStatus {
    fn from(e: kernels::KernelError) -> Self {
        match e {
            kernels::KernelError::Overflow => BbStatus::Overflow,
            kernels::KernelError::DivisionByZero => BbStatus::DivisionByZero,
            kernels::KernelError::BadColumns => BbStatus::BadColumns,
            kernels::KernelError::InvalidUtf8 => BbStatus::InvalidUtf8,
        }
    }
}

/// Runs a function body so that `?` can return a status and a panic cannot cross into C.
/// Public for crates/test-c-abi-panic, which panics inside it on purpose.
pub fn guard(body: impl FnOnce() -> Result<(), BbStatus>) -> BbStatus {
    // AssertUnwindSafe: after a panic nothing of the body's state is used again; we only return
    // a status (the docs say outputs may be partly written).
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => BbStatus::Ok,
        Ok(Err(status)) => status,
        Err(_) => BbStatus::Panic,
    }
}

fn check_ptr<T>(ptr: *const T) -> Result<(), BbStatus> {
    if ptr.is_null() {
        Err(BbStatus::NullPointer)
    } else if !ptr.is_aligned() {
        Err(BbStatus::Misaligned)
    } else {
        Ok(())
    }
}

/// Whether the `n`-element arrays at `a` and `b` share memory (only addresses are compared).
fn overlaps(a: *const f64, b: *const f64, n: usize) -> bool {
    n > 0 && a < b.wrapping_add(n) && b < a.wrapping_add(n)
}

/// A C (pointer, length) array as a slice. NULL is fine for an empty array, as C callers expect.
///
/// # Safety
/// If `n > 0`, `ptr` points to `n` readable `T` that nothing writes while the slice lives.
unsafe fn slice_of<'a, T>(ptr: *const T, n: usize) -> Result<&'a [T], BbStatus> {
    if n == 0 {
        return Ok(&[]);
    }
    check_ptr(ptr)?;
    // SAFETY: non-NULL and aligned (checked); valid for `n` reads (the caller's promise).
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// Like [`slice_of`], writable.
///
/// # Safety
/// If `n > 0`, `ptr` points to `n` writable `f64` that nothing else uses while the slice lives.
unsafe fn slice_of_mut<'a>(ptr: *mut f64, n: usize) -> Result<&'a mut [f64], BbStatus> {
    if n == 0 {
        return Ok(&mut []);
    }
    check_ptr(ptr)?;
    // SAFETY: non-NULL and aligned (checked); valid and exclusive for `n` elements (the caller's
    // promise).
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, n) })
}

/// A static description of a status code, in English; never NULL. Takes a plain `int32_t`
/// so that any value, even one that is not a `bb_status`, is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn bb_status_message(status: i32) -> *const c_char {
    ALL_STATUSES
        .iter()
        .find(|s| **s as i32 == status)
        .map_or(c"unknown bb_status code", |s| s.message())
        .as_ptr()
}

/// Adds two int64: `*out = a + b`, or `BB_STATUS_OVERFLOW` when the exact sum does not fit
/// int64 (never wraps around).
///
/// # Safety
/// `out` is NULL (an error) or points to a writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_add(a: i64, b: i64, out: *mut i64) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        let sum = kernels::add(a, b)?;
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(sum) };
        Ok(())
    })
}

/// Divides two int64, truncating toward zero: `*out = a / b`, or `BB_STATUS_DIVISION_BY_ZERO`
/// when `b == 0`, or `BB_STATUS_OVERFLOW` for `INT64_MIN / -1` (whose quotient 2**63 does not
/// fit int64).
///
/// # Safety
/// `out` is NULL (an error) or points to a writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_checked_div(a: i64, b: i64, out: *mut i64) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        let quotient = kernels::checked_div(a, b)?;
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(quotient) };
        Ok(())
    })
}

/// Scales into a caller-provided array: `out[i] = values[i] * factor` for `i < n`, one
/// IEEE-754 multiplication per element.
///
/// `values` and `out` must not overlap (use `bb_scale_inplace` to scale in place).
///
/// # Safety
/// If `n > 0`, `values` points to `n` readable doubles and `out` to `n` writable doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_scale_into(
    values: *const f64,
    n: usize,
    factor: f64,
    out: *mut f64,
) -> BbStatus {
    guard(|| {
        // Two overlapping slices, one of them mutable, would be undefined behaviour.
        if overlaps(values, out.cast_const(), n) {
            return Err(BbStatus::Overlap);
        }
        // SAFETY: the caller's promise, as documented above; overlap was excluded.
        let (values, out) = unsafe { (slice_of(values, n)?, slice_of_mut(out, n)?) };
        kernels::scale_into(values, factor, out);
        Ok(())
    })
}

/// The callback of `bb_map_callback`: computes `*out = f(x)` and returns 0 (`BB_STATUS_OK`),
/// or returns any other value to stop the map. `context` is the caller's pointer, passed
/// through untouched (it may be NULL). It returns a plain `int32_t`, not a `bb_status`: a C
/// caller may return any int, and reading an out-of-range value as a Rust enum would be
/// undefined behaviour. It must not unwind (a C++ exception or a Rust panic escaping it is
/// undefined behaviour / an abort).
pub type BbMapFn = Option<unsafe extern "C" fn(context: *mut c_void, x: f64, out: *mut f64) -> i32>;

/// Maps through a caller-supplied function: `out[i] = fn(context, values[i])` for `i < n`,
/// calling `fn` once per element, in order, on the caller's thread.
///
/// When `fn` returns anything but 0 (`BB_STATUS_OK`), the map stops at once (no further calls) and
/// returns `BB_STATUS_CALLBACK_FAILED`; `out` is then untouched (results are collected first and
/// copied into `out` only on success). An element for which `fn` returned `BB_STATUS_OK` without
/// writing its `out` is NaN. A NULL `fn` is `BB_STATUS_NULL_POINTER`, before any call. `values`
/// and `out` must not overlap.
///
/// # Safety
/// If `n > 0`, `values` points to `n` readable doubles and `out` to `n` writable doubles.
/// `fn` is NULL (an error) or a function as described by `bb_map_fn`, safe to call with
/// `context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_map_callback(
    values: *const f64,
    n: usize,
    r#fn: BbMapFn,
    context: *mut c_void,
    out: *mut f64,
) -> BbStatus {
    guard(|| {
        let f = r#fn.ok_or(BbStatus::NullPointer)?;
        if overlaps(values, out.cast_const(), n) {
            return Err(BbStatus::Overlap);
        }
        // SAFETY: the caller's promise, as documented above; overlap was excluded.
        let (values, out) = unsafe { (slice_of(values, n)?, slice_of_mut(out, n)?) };
        let results = kernels::map_callback(values, |x| {
            let mut y = f64::NAN;
            // SAFETY: `fn` and `context` are the caller's (its promise); `y` is a valid f64.
            match unsafe { f(context, x, &mut y) } {
                0 => Ok(y),
                _ => Err(BbStatus::CallbackFailed),
            }
        })?;
        out.copy_from_slice(&results);
        Ok(())
    })
}

/// Scales in place: `values[i] = values[i] * factor` for `i < n`.
///
/// # Safety
/// If `n > 0`, `values` points to `n` writable doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_scale_inplace(values: *mut f64, n: usize, factor: f64) -> BbStatus {
    guard(|| {
        // SAFETY: the caller's promise, as documented above.
        let values = unsafe { slice_of_mut(values, n)? };
        kernels::scale_inplace(values, factor);
        Ok(())
    })
}

/// A borrowed view of UTF-8 text as C sees it: (pointer, length), and `(NULL, 0)` when empty,
/// so a C caller never gets a dangling pointer (Rust's empty `&str` points nowhere in particular).
fn text_view(text: &str) -> (*const u8, usize) {
    if text.is_empty() {
        (std::ptr::null(), 0)
    } else {
        (text.as_ptr(), text.len())
    }
}

/// (pointer, length) UTF-8 from C as a `&str`: `BB_STATUS_INVALID_UTF8` if it is not UTF-8.
///
/// # Safety
/// As [`slice_of`]: if `n > 0`, `ptr` points to `n` readable bytes.
unsafe fn str_of<'a>(ptr: *const u8, n: usize) -> Result<&'a str, BbStatus> {
    // SAFETY: the caller's promise, passed on.
    let bytes = unsafe { slice_of(ptr, n)? };
    std::str::from_utf8(bytes).map_err(|_| BbStatus::InvalidUtf8)
}

/// An opaque handle to a kernel `Holder`: C sees only `BbHolder *`, made by `bb_holder_new` and
/// released by `bb_holder_free`. (Not `repr(C)`: the header declares the type, no fields.)
pub struct BbHolder(kernels::Holder);

/// A handle as a reference, after the NULL and alignment checks.
///
/// # Safety
/// `holder` is NULL (an error) or a live handle from `bb_holder_new`.
unsafe fn holder_ref<'a>(holder: *const BbHolder) -> Result<&'a BbHolder, BbStatus> {
    check_ptr(holder)?;
    // SAFETY: non-NULL and aligned (checked); a live handle (the caller's promise).
    Ok(unsafe { &*holder })
}

/// Creates a holder owning a copy of `len` bytes of UTF-8 at `text` (NUL bytes included: the
/// length, not a terminator, ends the text) and writes its handle to `*out`. The caller owns the
/// handle and must release it with `bb_holder_free`, exactly once. Text that is not UTF-8 is
/// `BB_STATUS_INVALID_UTF8`, and then no holder exists and `*out` is untouched.
///
/// # Safety
/// If `len > 0`, `text` points to `len` readable bytes. `out` is NULL (an error) or points to a
/// writable `BbHolder *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_holder_new(
    text: *const u8,
    len: usize,
    out: *mut *mut BbHolder,
) -> BbStatus {
    guard(|| {
        // Checked before the holder exists, so a bad `out` cannot leak one.
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let bytes = unsafe { slice_of(text, len)? };
        let holder = Box::new(BbHolder(kernels::Holder::from_utf8(bytes)?));
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(Box::into_raw(holder)) };
        Ok(())
    })
}

/// Releases a holder made by `bb_holder_new` (the kernel's destructor runs, and
/// `bb_live_holders` drops by one). NULL is a no-op, as for `free()`. The handle, and any view
/// from `bb_holder_text`, must not be used afterwards.
///
/// # Safety
/// `holder` is NULL or a live handle from `bb_holder_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_holder_free(holder: *mut BbHolder) {
    if !holder.is_null() {
        // SAFETY: a live handle made by Box::into_raw in bb_holder_new (the caller's promise);
        // this takes the ownership back, once. Dropping a Holder cannot panic.
        drop(unsafe { Box::from_raw(holder) });
    }
}

/// The holder's text as a borrowed view: `*ptr` points at `*len` bytes of UTF-8 (not
/// NUL-terminated; `(NULL, 0)` when empty), owned by the holder and valid until the next
/// `bb_holder_append` or `bb_holder_free` on it. Copy it out before either.
///
/// # Safety
/// `holder` is a live handle (NULL is an error); `ptr` and `len` are NULL (an error) or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_holder_text(
    holder: *const BbHolder,
    ptr: *mut *const u8,
    len: *mut usize,
) -> BbStatus {
    guard(|| {
        check_ptr(ptr)?;
        check_ptr(len)?;
        // SAFETY: the caller's promise, as documented above.
        let (p, n) = text_view(unsafe { holder_ref(holder)? }.0.text());
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe {
            ptr.write(p);
            len.write(n);
        }
        Ok(())
    })
}

/// The length of the holder's text in UTF-8 bytes: `*out`.
///
/// # Safety
/// `holder` is a live handle (NULL is an error); `out` is NULL (an error) or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_holder_utf8_len(holder: *const BbHolder, out: *mut usize) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let n = unsafe { holder_ref(holder)? }.0.utf8_len();
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(n) };
        Ok(())
    })
}

/// Appends a copy of `len` bytes of UTF-8 at `more` to the holder's text. Bytes that are not
/// UTF-8 are `BB_STATUS_INVALID_UTF8`, and the text is unchanged. Ends the validity of any view
/// from `bb_holder_text`.
///
/// # Safety
/// `holder` is a live handle (NULL is an error) that nothing else uses during the call; if
/// `len > 0`, `more` points to `len` readable bytes outside the holder's own text.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_holder_append(
    holder: *mut BbHolder,
    more: *const u8,
    len: usize,
) -> BbStatus {
    guard(|| {
        check_ptr(holder)?;
        // Validated before the holder is touched, so a failure changes nothing.
        // SAFETY: the caller's promise, as documented above.
        let more = unsafe { str_of(more, len)? };
        // SAFETY: non-NULL and aligned (checked); live and not otherwise in use (the caller's
        // promise).
        unsafe { &mut *holder }.0.append(more);
        Ok(())
    })
}

/// How many holders of this library are alive (made by `bb_holder_new`, not yet freed): `*out`.
///
/// # Safety
/// `out` is NULL (an error) or points to a writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_live_holders(out: *mut i64) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(kernels::live_holders()) };
        Ok(())
    })
}

/// An opaque handle to a kernel `Counter`: C sees only `BbCounter *`, made by `bb_counter_new`
/// and released by `bb_counter_free`. Unlike a holder it may be shared between threads as is:
/// every call locks its mutex (uncontended, an atomic operation on entry and one on exit),
/// because Python's ctypes and cffi release the GIL around each call, and two threads bumping
/// one counter would otherwise race.
pub struct BbCounter(Mutex<kernels::Counter>);

/// The counter behind a handle, locked, after the NULL and alignment checks. A poisoned lock
/// (a panic while it was held, a bug) is `BB_STATUS_PANIC` for every later call.
///
/// # Safety
/// `counter` is NULL (an error) or a live handle from `bb_counter_new`.
unsafe fn counter_lock<'a>(
    counter: *const BbCounter,
) -> Result<MutexGuard<'a, kernels::Counter>, BbStatus> {
    check_ptr(counter)?;
    // SAFETY: non-NULL and aligned (checked); a live handle (the caller's promise).
    let counter = unsafe { &*counter };
    counter.0.lock().map_err(|_| BbStatus::Panic)
}

/// Creates a counter whose value is `start` and writes its handle to `*out`. The caller owns the
/// handle and must release it with `bb_counter_free`, exactly once.
///
/// # Safety
/// `out` is NULL (an error) or points to a writable `BbCounter *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_counter_new(start: i64, out: *mut *mut BbCounter) -> BbStatus {
    guard(|| {
        // Checked before the counter exists, so a bad `out` cannot leak one.
        check_ptr(out)?;
        let counter = Box::new(BbCounter(Mutex::new(kernels::Counter::new(start))));
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(Box::into_raw(counter)) };
        Ok(())
    })
}

/// Releases a counter made by `bb_counter_new`. NULL is a no-op, as for `free()`. The handle
/// must not be used afterwards, nor be in use by another thread during the call.
///
/// # Safety
/// `counter` is NULL or a live handle from `bb_counter_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_counter_free(counter: *mut BbCounter) {
    if !counter.is_null() {
        // SAFETY: a live handle made by Box::into_raw in bb_counter_new (the caller's promise);
        // this takes the ownership back, once. Dropping a Counter cannot panic.
        drop(unsafe { Box::from_raw(counter) });
    }
}

/// Adds `by` to the counter's value and writes the new value to `*out`, or returns
/// `BB_STATUS_OVERFLOW` when the exact sum does not fit int64 (never wraps around); the value
/// and `*out` are then unchanged.
///
/// # Safety
/// `counter` is a live handle (NULL is an error); `out` is NULL (an error) or points to a
/// writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_counter_bump(
    counter: *mut BbCounter,
    by: i64,
    out: *mut i64,
) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let value = unsafe { counter_lock(counter.cast_const())? }.bump(by)?;
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(value) };
        Ok(())
    })
}

/// The counter's value: `*out`.
///
/// # Safety
/// `counter` is a live handle (NULL is an error); `out` is NULL (an error) or points to a
/// writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_counter_value(counter: *const BbCounter, out: *mut i64) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let value = unsafe { counter_lock(counter)? }.value();
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(value) };
        Ok(())
    })
}

/// Sets the counter's value to `value`.
///
/// # Safety
/// `counter` is a live handle (NULL is an error).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_counter_set_value(counter: *mut BbCounter, value: i64) -> BbStatus {
    guard(|| {
        // SAFETY: the caller's promise, as documented above.
        unsafe { counter_lock(counter.cast_const())? }.set_value(value);
        Ok(())
    })
}

/// One record of `bb_summarize_records`: the name is `name_len` bytes of UTF-8 at `name`
/// (NULL allowed when `name_len` is 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct BbRecord {
    pub id: i64,
    pub name: *const u8,
    pub name_len: usize,
    pub score: f64,
}

/// What `bb_summarize_records` and `bb_summarize_columns` write. `longest_name` is not a copy:
/// it points at `longest_name_len` bytes INSIDE the caller's input (a record's name, or
/// `name_bytes`), not NUL-terminated, and is valid only as long as that input is; it is
/// `(NULL, 0)` when the longest name is empty.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct BbSummary {
    pub count: i64,
    pub score_sum: f64,
    pub max_id: i64,
    pub longest_name: *const u8,
    pub longest_name_len: usize,
}

impl From<kernels::Summarizer<'_>> for BbSummary {
    fn from(s: kernels::Summarizer<'_>) -> Self {
        // longest_name(), not finish(): the name stays a view into the input, no allocation.
        let (longest_name, longest_name_len) = text_view(s.longest_name());
        BbSummary {
            count: s.count(),
            score_sum: s.score_sum(),
            max_id: s.max_id(),
            longest_name,
            longest_name_len,
        }
    }
}

/// Summarizes `n` records (the `objects` strategy) into `*out`: their count, the scores
/// added left to right from +0.0, the largest id (`INT64_MIN` when `n == 0`) and the name with
/// the most UTF-8 bytes (the first on ties). A name that is not UTF-8 is
/// `BB_STATUS_INVALID_UTF8`; `*out` is written only on success.
///
/// # Safety
/// If `n > 0`, `records` points to `n` readable `BbRecord`s, each naming `name_len` readable
/// bytes. `out` is NULL (an error) or points to a writable `BbSummary`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_summarize_records(
    records: *const BbRecord,
    n: usize,
    out: *mut BbSummary,
) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let records = unsafe { slice_of(records, n)? };
        let mut summarizer = kernels::Summarizer::default();
        for r in records {
            // SAFETY: the caller's promise, as documented above.
            let name = unsafe { str_of(r.name, r.name_len)? };
            summarizer.add(r.id, name, r.score);
        }
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(summarizer.into()) };
        Ok(())
    })
}

/// Summarizes columns in Apache Arrow's layout (the `columns` strategy) into `*out`, as
/// `bb_summarize_records` does: record `i` is `(ids[i], name, scores[i])` where name is
/// `name_bytes[name_offsets[i] .. name_offsets[i + 1]]`. Columns that disagree (`n_ids`,
/// `n_scores` and `n_offsets - 1` differ; offsets not starting at 0, decreasing, or not ending
/// at `n_bytes`) are `BB_STATUS_BAD_COLUMNS`; a name that is not UTF-8 on its own is
/// `BB_STATUS_INVALID_UTF8`. `*out` is written only on success.
///
/// # Safety
/// Each array pointer is NULL only if its length is 0, else it points to that many readable
/// elements (misaligned ones are refused). `out` is NULL (an error) or points to a writable
/// `BbSummary`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // four (pointer, length) columns, the C way
pub unsafe extern "C" fn bb_summarize_columns(
    ids: *const i64,
    n_ids: usize,
    scores: *const f64,
    n_scores: usize,
    name_offsets: *const i64,
    n_offsets: usize,
    name_bytes: *const u8,
    n_bytes: usize,
    out: *mut BbSummary,
) -> BbStatus {
    guard(|| {
        check_ptr(out)?;
        // SAFETY: the caller's promise, as documented above.
        let columns = unsafe {
            kernels::Columns {
                ids: slice_of(ids, n_ids)?,
                scores: slice_of(scores, n_scores)?,
                name_offsets: slice_of(name_offsets, n_offsets)?,
                name_bytes: slice_of(name_bytes, n_bytes)?,
            }
        };
        let summary = columns.summarizer()?.into();
        // SAFETY: non-NULL and aligned (checked); writable (the caller's promise).
        unsafe { out.write(summary) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_listed_once_with_its_own_message() {
        for (i, s) in ALL_STATUSES.iter().enumerate() {
            assert_eq!(*s as i32, i as i32, "codes are dense, in declaration order");
        }
        let mut messages: Vec<_> = ALL_STATUSES.iter().map(|s| s.message()).collect();
        messages.sort();
        messages.dedup();
        assert_eq!(messages.len(), ALL_STATUSES.len());
    }
}
