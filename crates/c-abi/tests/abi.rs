//! The C ABI against the shared vectors in benches/kernels/*.toml, plus the checks that keep
//! bad pointers from becoming undefined behaviour.

use c_abi::{
    BbMapFn, BbStatus, bb_add, bb_checked_div, bb_debug_panic, bb_map_callback, bb_scale_inplace,
    bb_scale_into, bb_status_message,
};
use std::ffi::{CStr, c_void};
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

/// What `recording_callback` reaches through `context`: a named callback of map_callback.toml,
/// the arguments it was called with, and the status it returns when the callback fails.
struct Recorder {
    f: fn(f64) -> Option<f64>,
    calls: Vec<f64>,
    failure: BbStatus,
}

/// A C callback over a `Recorder`. It must not panic (it is `extern "C"`), so a NULL context
/// is reported as a status, not unwrapped.
unsafe extern "C" fn recording_callback(context: *mut c_void, x: f64, out: *mut f64) -> i32 {
    // SAFETY: the tests pass a `*mut Recorder` that outlives the call, used by nothing else.
    let Some(recorder) = (unsafe { context.cast::<Recorder>().as_mut() }) else {
        return BbStatus::NullPointer as i32;
    };
    recorder.calls.push(x);
    match (recorder.f)(x) {
        Some(y) => {
            // SAFETY: bb_map_callback passes a valid, writable double.
            unsafe { out.write(y) };
            BbStatus::Ok as i32
        }
        None => recorder.failure as i32,
    }
}

/// Runs `bb_map_callback` over `values` with the named callback; returns the status, the
/// output array (pre-filled with 42.0) and the recorded calls.
fn map_with(
    name: &str,
    values: &[f64],
    failure: BbStatus,
) -> Result<(BbStatus, Vec<f64>, Vec<f64>), String> {
    let mut recorder = Recorder {
        f: spec::callback(name)?,
        calls: Vec::new(),
        failure,
    };
    let mut out = vec![42.0; values.len()];
    // SAFETY: `values` and `out` hold `values.len()` doubles each, in distinct allocations;
    // the context is a live `Recorder`, which is what `recording_callback` expects.
    let status = unsafe {
        bb_map_callback(
            values.as_ptr(),
            values.len(),
            Some(recording_callback),
            ptr::from_mut(&mut recorder).cast(),
            out.as_mut_ptr(),
        )
    };
    Ok((status, out, recorder.calls))
}

#[test]
fn map_callback_matches_shared_vectors_and_stops_at_the_first_failure() -> Result<(), String> {
    let spec = spec::map_callback_spec()?;
    assert!(!spec.vectors.is_empty());
    for v in &spec.vectors {
        let (status, out, calls) = map_with(&v.callback, &v.values, BbStatus::CallbackFailed)?;
        match &v.expect {
            Some(expect) => {
                assert_eq!(status, BbStatus::Ok, "{v:?}");
                assert!(
                    spec::same_floats_nan_aware(&out, expect),
                    "{v:?} -> {out:?}"
                );
            }
            None => {
                assert!(v.error.is_some(), "{v:?} has neither expect nor error");
                assert_eq!(status, BbStatus::CallbackFailed, "{v:?}");
                assert!(
                    out.iter().all(|&o| o == 42.0),
                    "{v:?}: out untouched on failure"
                );
            }
        }
        assert_eq!(calls.len(), v.calls, "{v:?}: called with {calls:?}");
        assert!(
            spec::same_floats_nan_aware(&calls, &v.values[..v.calls]),
            "{v:?}: called in order, once each"
        );
    }
    Ok(())
}

#[test]
fn any_failing_callback_status_becomes_callback_failed() -> Result<(), String> {
    // The callback's own status is not passed on, so it cannot pose as one of the ABI's.
    for failure in [BbStatus::Overflow, BbStatus::Panic, BbStatus::NullPointer] {
        let (status, _, calls) = map_with("fail_above_two", &[1.0, 5.0, 0.0], failure)?;
        assert_eq!(status, BbStatus::CallbackFailed, "{failure:?}");
        assert_eq!(calls, [1.0, 5.0]);
    }
    assert!(message(BbStatus::CallbackFailed as i32).contains("callback"));
    Ok(())
}

#[test]
fn map_callback_refuses_bad_pointers_before_any_call() {
    let values = [1.0, 2.0];
    let mut out = [0.0; 2];
    let mut recorder = Recorder {
        f: |x| Some(x),
        calls: Vec::new(),
        failure: BbStatus::CallbackFailed,
    };
    let context: *mut c_void = ptr::from_mut(&mut recorder).cast();
    let callback: BbMapFn = Some(recording_callback);
    // SAFETY (all calls): every non-NULL pointer is valid for the length passed; bad ones are
    // rejected before a slice is made or the callback runs.
    unsafe {
        assert_eq!(
            bb_map_callback(values.as_ptr(), 2, None, context, out.as_mut_ptr()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_map_callback(ptr::null(), 2, callback, context, out.as_mut_ptr()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_map_callback(values.as_ptr(), 2, callback, context, ptr::null_mut()),
            BbStatus::NullPointer
        );
        let base = out.as_mut_ptr();
        assert_eq!(
            bb_map_callback(base, 2, callback, context, base),
            BbStatus::Overlap
        );
        assert_eq!(
            bb_map_callback(values.as_ptr().byte_add(1), 1, callback, context, base),
            BbStatus::Misaligned
        );
        // An empty array may be NULL, and the callback is never called.
        assert_eq!(
            bb_map_callback(ptr::null(), 0, callback, context, ptr::null_mut()),
            BbStatus::Ok
        );
    }
    assert!(
        recorder.calls.is_empty(),
        "called with {:?}",
        recorder.calls
    );
    assert_eq!(out, [0.0; 2]);
}
