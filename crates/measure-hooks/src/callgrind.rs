//! Callgrind client requests (compiled from src/callgrind.c), exported under stable names
//! so ctypes can call them. Each is a no-op outside valgrind.

use core::ffi::{c_char, c_int};

unsafe extern "C" {
    fn bb_cg_toggle_collect();
    fn bb_cg_zero();
    fn bb_cg_dump(name: *const c_char);
    fn bb_cg_start_instrumentation();
    fn bb_cg_stop_instrumentation();
    fn bb_cg_running_on_valgrind() -> c_int;
}

/// Flip callgrind's collection state (with `--collect-atstart=no`: first call starts).
#[unsafe(no_mangle)]
pub extern "C" fn bb_callgrind_toggle_collect() {
    // SAFETY: a client request; no arguments.
    unsafe { bb_cg_toggle_collect() }
}

/// Zero the collected costs.
#[unsafe(no_mangle)]
pub extern "C" fn bb_callgrind_zero() {
    // SAFETY: a client request; no arguments.
    unsafe { bb_cg_zero() }
}

/// Write the costs collected since the last dump (or zero) to a new dump file whose
/// `desc: Trigger:` line carries `name`, then zero them.
///
/// # Safety
/// `name` is a NUL-terminated string (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bb_callgrind_dump(name: *const c_char) {
    // SAFETY: the caller's contract; valgrind copies the string.
    unsafe { bb_cg_dump(name) }
}

/// Start instrumenting (with `--instr-atstart=no`, everything before runs at full speed).
#[unsafe(no_mangle)]
pub extern "C" fn bb_callgrind_start_instrumentation() {
    // SAFETY: a client request; no arguments.
    unsafe { bb_cg_start_instrumentation() }
}

/// Stop instrumenting.
#[unsafe(no_mangle)]
pub extern "C" fn bb_callgrind_stop_instrumentation() {
    // SAFETY: a client request; no arguments.
    unsafe { bb_cg_stop_instrumentation() }
}

/// Nonzero when running under valgrind.
#[unsafe(no_mangle)]
pub extern "C" fn bb_running_on_valgrind() -> c_int {
    // SAFETY: a client request; no arguments.
    unsafe { bb_cg_running_on_valgrind() }
}
