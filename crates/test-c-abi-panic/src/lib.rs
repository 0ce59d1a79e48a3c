//! Test-only, never built by a build step: `bb_debug_panic`, a C function that panics on
//! purpose inside crates/c-abi's `guard`, the `catch_unwind` helper every `bb_*` function runs
//! in. It lives here, outside the C ABI, so the ABI and its header hold kernels only.
//!
//! python/tests/test_c_abi_panic.py calls it through ctypes and cffi in a child process and
//! expects `BB_STATUS_PANIC`: were the guard broken, the panic would reach the `extern "C"`
//! frame and Rust would abort the process.

use c_abi::{BbStatus, guard};

/// Always returns `BbStatus::Panic`. Rust's panic hook still prints the message to stderr,
/// which shows a real panic ran.
#[unsafe(no_mangle)]
pub extern "C" fn bb_debug_panic() -> BbStatus {
    guard(|| panic!("bb_debug_panic: a deliberate panic, to test the C boundary"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use c_abi::bb_status_message;
    use std::ffi::CStr;

    #[test]
    fn a_panic_inside_the_guard_becomes_the_panic_status() {
        // Reaching the assert at all shows the panic did not unwind out of the extern "C"
        // function (that would abort).
        assert_eq!(bb_debug_panic(), BbStatus::Panic);
        // SAFETY: bb_status_message always returns a static NUL-terminated string.
        let message = unsafe { CStr::from_ptr(bb_status_message(BbStatus::Panic as i32)) };
        assert!(message.to_string_lossy().contains("panic"));
    }
}
