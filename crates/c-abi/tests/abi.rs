//! The C ABI against the shared vectors in benches/kernels/*.toml, plus the checks that keep
//! bad pointers from becoming undefined behaviour.

use c_abi::{
    BbStatus, bb_add, bb_checked_div, bb_debug_panic, bb_scale_inplace, bb_scale_into,
    bb_status_message,
};
use std::ffi::CStr;
use std::ptr;

/// Every vector of a two-int64 kernel through its `bb_*` function: the value, or the status
/// the spec's error names (`[errors.<name>].rust` is the `BbStatus` variant's name too) with the
/// spec's message, and the out-parameter untouched.
/// Calls an int-pair ABI function; on an error status, checks `out` was left untouched
/// and reports the status's name and message.
fn judged(
    function: unsafe extern "C" fn(i64, i64, *mut i64) -> BbStatus,
    a: i64,
    b: i64,
) -> spec::IntPairOutcome {
    let mut out = 42;
    // SAFETY: `out` is a valid, writable i64.
    let status = unsafe { function(a, b, &mut out) };
    if status == BbStatus::Ok {
        return Ok(out);
    }
    assert_eq!(out, 42, "({a}, {b}): out must be untouched on error");
    Err((Some(format!("{status:?}")), message(status as i32)))
}

fn message(code: i32) -> String {
    // SAFETY: bb_status_message always returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(bb_status_message(code)) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn add_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::add_spec()?, |a, b| judged(bb_add, a, b))
}

#[test]
fn checked_div_matches_shared_vectors() -> Result<(), String> {
    spec::check_int_pair_vectors(&spec::checked_div_spec()?, |a, b| {
        judged(bb_checked_div, a, b)
    })
}

#[test]
fn a_panic_inside_the_guard_becomes_the_panic_status() {
    // The hook panics inside the same guard as every kernel function; reaching the assert at
    // all shows the panic did not unwind out of the extern "C" function (that would abort).
    assert_eq!(bb_debug_panic(), BbStatus::Panic);
    assert!(message(BbStatus::Panic as i32).contains("panic"));
}

#[test]
fn scale_matches_shared_vectors_into_and_inplace() -> Result<(), String> {
    let spec = spec::scale_spec()?;
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let n = v.values.len();
        let mut out = vec![0.0; n];
        // SAFETY: both arrays hold `n` doubles and are distinct allocations.
        let status = unsafe { bb_scale_into(v.values.as_ptr(), n, v.factor, out.as_mut_ptr()) };
        assert_eq!(status, BbStatus::Ok);
        assert!(
            spec::same_floats_nan_aware(&out, &v.expect),
            "into {v:?} -> {out:?}"
        );

        let mut inplace = v.values.clone();
        // SAFETY: `inplace` holds `n` writable doubles.
        let status = unsafe { bb_scale_inplace(inplace.as_mut_ptr(), n, v.factor) };
        assert_eq!(status, BbStatus::Ok);
        assert!(
            spec::same_floats_nan_aware(&inplace, &v.expect),
            "inplace {v:?}"
        );
    }
    Ok(())
}

#[test]
fn null_pointers_are_reported_not_dereferenced() {
    let values = [1.0, 2.0];
    let mut out = [0.0; 2];
    // SAFETY (all calls): every non-NULL pointer is valid for the length passed.
    unsafe {
        assert_eq!(bb_add(1, 2, ptr::null_mut()), BbStatus::NullPointer);
        assert_eq!(bb_checked_div(7, 2, ptr::null_mut()), BbStatus::NullPointer);
        assert_eq!(
            bb_scale_into(ptr::null(), 2, 2.0, out.as_mut_ptr()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_scale_into(values.as_ptr(), 2, 2.0, ptr::null_mut()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_scale_inplace(ptr::null_mut(), 2, 2.0),
            BbStatus::NullPointer
        );
        // An empty array may be NULL, as is usual in C.
        assert_eq!(
            bb_scale_into(ptr::null(), 0, 2.0, ptr::null_mut()),
            BbStatus::Ok
        );
        assert_eq!(bb_scale_inplace(ptr::null_mut(), 0, 2.0), BbStatus::Ok);
    }
    assert_eq!(out, [0.0; 2]);
}

#[test]
fn misaligned_and_overlapping_arrays_are_refused() {
    let mut data = [1.0f64, 2.0, 3.0, 4.0];
    let base = data.as_mut_ptr();
    // SAFETY (all calls): the pointers stay inside `data`; the library rejects them before
    // making a slice, so nothing is read or written.
    unsafe {
        let odd = base.byte_add(1);
        assert_eq!(bb_scale_inplace(odd, 2, 2.0), BbStatus::Misaligned);
        assert_eq!(bb_scale_into(base, 2, 2.0, base), BbStatus::Overlap);
        assert_eq!(bb_scale_into(base, 2, 2.0, base.add(1)), BbStatus::Overlap);
        assert_eq!(bb_scale_into(base.add(1), 2, 2.0, base), BbStatus::Overlap);
        // Adjacent, not overlapping: fine.
        assert_eq!(bb_scale_into(base, 2, 2.0, base.add(2)), BbStatus::Ok);
    }
    assert_eq!(data, [1.0, 2.0, 2.0, 4.0]);
}

#[test]
fn every_code_has_a_message_and_unknown_codes_are_safe() {
    assert_eq!(message(BbStatus::Ok as i32), "ok");
    assert!(message(BbStatus::Overflow as i32).contains("overflow"));
    assert_eq!(message(-1), "unknown bb_status code");
    assert_eq!(message(i32::MAX), "unknown bb_status code");
}
