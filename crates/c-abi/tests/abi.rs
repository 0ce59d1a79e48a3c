//! The C ABI against the shared vectors in benches/kernels/*.toml, plus the checks that keep
//! bad pointers from becoming undefined behaviour.

use c_abi::{
    BbHolder, BbMapFn, BbRecord, BbStatus, BbSummary, bb_add, bb_checked_div, bb_holder_append,
    bb_holder_free, bb_holder_new, bb_holder_text, bb_holder_utf8_len, bb_live_holders,
    bb_map_callback, bb_scale_inplace, bb_scale_into, bb_status_message, bb_summarize_columns,
    bb_summarize_records,
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

/// A holder owned through the C ABI, as a C caller would hold one: the handle, freed once on
/// drop.
struct CHolder(*mut BbHolder);

impl Drop for CHolder {
    fn drop(&mut self) {
        // SAFETY: a live handle from bb_holder_new, freed only here.
        unsafe { bb_holder_free(self.0) };
    }
}

fn status_result(status: BbStatus) -> Result<(), String> {
    match status {
        BbStatus::Ok => Ok(()),
        _ => Err(format!("{status:?}: {}", message(status as i32))),
    }
}

fn live_holders() -> i64 {
    let mut n = -1;
    // SAFETY: `n` is a valid, writable i64.
    assert_eq!(unsafe { bb_live_holders(&mut n) }, BbStatus::Ok);
    n
}

impl spec::TestHolder for CHolder {
    fn create(text: &str) -> Result<Self, String> {
        let mut handle = ptr::null_mut();
        // SAFETY: `text` is valid for its length; `handle` is writable.
        status_result(unsafe { bb_holder_new(text.as_ptr(), text.len(), &mut handle) })?;
        Ok(CHolder(handle))
    }

    fn text(&self) -> Result<String, String> {
        let (mut p, mut n) = (ptr::null(), usize::MAX);
        // SAFETY: a live handle; both out-pointers are writable.
        status_result(unsafe { bb_holder_text(self.0, &mut p, &mut n) })?;
        if n == 0 {
            return Ok(String::new());
        }
        // SAFETY: the ABI's promise: `n` bytes at `p`, valid until the next append or free.
        let bytes = unsafe { std::slice::from_raw_parts(p, n) };
        String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())
    }

    fn utf8_len(&self) -> usize {
        let mut n = usize::MAX;
        // SAFETY: a live handle; `n` is writable.
        assert_eq!(unsafe { bb_holder_utf8_len(self.0, &mut n) }, BbStatus::Ok);
        n
    }

    fn append(&mut self, more: &str) -> Result<(), String> {
        // SAFETY: a live handle used by nothing else; `more` is valid for its length.
        status_result(unsafe { bb_holder_append(self.0, more.as_ptr(), more.len()) })
    }

    fn live() -> i64 {
        live_holders()
    }
}

/// The only test that creates holders (the live count is per library, shared by all tests).
#[test]
fn holder_matches_shared_vectors_and_refuses_bad_input() -> Result<(), String> {
    use spec::TestHolder;
    spec::check_holder_vectors::<CHolder>()?;
    let start = live_holders();
    let mut handle = ptr::null_mut();
    // SAFETY (all calls): every non-NULL pointer is valid for the length passed.
    unsafe {
        // Bytes that are not UTF-8, or no place for the handle: no holder is made.
        assert_eq!(
            bb_holder_new(b"a\xff".as_ptr(), 2, &mut handle),
            BbStatus::InvalidUtf8
        );
        assert_eq!(
            bb_holder_new(b"ok".as_ptr(), 2, ptr::null_mut()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_holder_new(ptr::null(), 2, &mut handle),
            BbStatus::NullPointer
        );
        assert!(handle.is_null(), "out untouched on error");
        assert_eq!(live_holders(), start);
        // An empty text may be NULL, and comes back as (NULL, 0).
        assert_eq!(bb_holder_new(ptr::null(), 0, &mut handle), BbStatus::Ok);
    }
    let mut h = CHolder(handle);
    assert_eq!(live_holders(), start + 1);
    let (mut p, mut n) = (ptr::dangling::<u8>(), usize::MAX);
    // SAFETY (all calls): a live handle; every other pointer is valid or NULL on purpose.
    unsafe {
        assert_eq!(bb_holder_text(h.0, &mut p, &mut n), BbStatus::Ok);
        assert_eq!((p, n), (ptr::null(), 0));
        // A failed append leaves the text unchanged.
        assert_eq!(
            bb_holder_append(h.0, b"\xed\xa0\x80".as_ptr(), 3),
            BbStatus::InvalidUtf8
        );
        assert_eq!(bb_holder_append(h.0, ptr::null(), 1), BbStatus::NullPointer);
        assert_eq!(
            bb_holder_text(h.0, ptr::null_mut(), &mut n),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_holder_utf8_len(h.0, ptr::null_mut()),
            BbStatus::NullPointer
        );
    }
    h.append("x\0y")?;
    assert_eq!(h.text()?, "x\0y");
    drop(h);
    assert_eq!(live_holders(), start);
    // SAFETY: freeing NULL is a no-op.
    unsafe { bb_holder_free(ptr::null_mut()) };
    Ok(())
}

#[test]
fn holder_functions_refuse_a_null_handle() {
    let (mut p, mut n) = (ptr::null(), 0);
    // SAFETY (all calls): the out-pointers are valid; the NULL handle is refused before use.
    unsafe {
        assert_eq!(
            bb_holder_text(ptr::null(), &mut p, &mut n),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_holder_utf8_len(ptr::null(), &mut n),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_holder_append(ptr::null_mut(), b"a".as_ptr(), 1),
            BbStatus::NullPointer
        );
        assert_eq!(bb_live_holders(ptr::null_mut()), BbStatus::NullPointer);
    }
}

/// A summary written through the ABI, its name copied out of the input it points into.
fn summary_out(s: &BbSummary) -> Result<spec::SummaryOut, String> {
    let name = if s.longest_name_len == 0 {
        assert!(s.longest_name.is_null(), "an empty name is (NULL, 0)");
        String::new()
    } else {
        // SAFETY: the ABI's promise: a view into the caller's input, which is still alive.
        let bytes = unsafe { std::slice::from_raw_parts(s.longest_name, s.longest_name_len) };
        String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())?
    };
    Ok(spec::SummaryOut {
        count: s.count,
        score_sum: s.score_sum,
        max_id: s.max_id,
        longest_name: name,
    })
}

/// A summary with every field set to something no call produces, to show what was written.
const UNTOUCHED: BbSummary = BbSummary {
    count: 42,
    score_sum: 42.0,
    max_id: 42,
    longest_name: ptr::null(),
    longest_name_len: 42,
};

fn summarize_records(records: &[BbRecord]) -> (BbStatus, BbSummary) {
    let mut out = UNTOUCHED;
    // SAFETY: `records` is valid for its length, each name for its own; `out` is writable.
    let status = unsafe { bb_summarize_records(records.as_ptr(), records.len(), &mut out) };
    (status, out)
}

fn records_of(records: &[spec::RecordIn]) -> Vec<BbRecord> {
    records
        .iter()
        .map(|r| BbRecord {
            id: r.id,
            name: r.name.as_ptr(),
            name_len: r.name.len(),
            score: r.score,
        })
        .collect()
}

#[test]
fn summarize_records_matches_shared_vectors() -> Result<(), String> {
    spec::check_summarize_records(|records| {
        let (status, out) = summarize_records(&records_of(records));
        status_result(status)?;
        // The name is a view into the input: it must point inside one of the records' names.
        if out.longest_name_len > 0 {
            assert!(records.iter().any(|r| r.name.as_ptr() == out.longest_name));
        }
        summary_out(&out)
    })
}

#[test]
fn summarize_records_refuses_invalid_utf8_and_bad_pointers() {
    let record = |name: &'static [u8]| BbRecord {
        id: 1,
        name: name.as_ptr(),
        name_len: name.len(),
        score: 1.0,
    };
    for bad in [
        &b"a\xff"[..],
        b"\xc0\x80",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
    ] {
        let (status, out) = summarize_records(&[record(b"ok"), record(bad)]);
        assert_eq!(status, BbStatus::InvalidUtf8, "{bad:?}");
        assert_eq!(out.count, 42, "out untouched on error");
    }
    let null_name = BbRecord {
        name: ptr::null(),
        ..record(b"x")
    };
    assert_eq!(summarize_records(&[null_name]).0, BbStatus::NullPointer);
    // An empty name may be NULL.
    let empty = BbRecord {
        name: ptr::null(),
        name_len: 0,
        ..record(b"")
    };
    assert_eq!(summarize_records(&[empty]).0, BbStatus::Ok);
    let records = [record(b"a"), record(b"b")];
    let mut out = UNTOUCHED;
    // SAFETY (all calls): every non-NULL pointer is valid for the length passed, or is refused
    // (misaligned) before it is read.
    unsafe {
        assert_eq!(
            bb_summarize_records(records.as_ptr(), 2, ptr::null_mut()),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_summarize_records(ptr::null(), 2, &mut out),
            BbStatus::NullPointer
        );
        assert_eq!(
            bb_summarize_records(records.as_ptr().byte_add(1), 1, &mut out),
            BbStatus::Misaligned
        );
        assert_eq!(out.count, 42);
        // No records may be NULL: the empty summary.
        assert_eq!(bb_summarize_records(ptr::null(), 0, &mut out), BbStatus::Ok);
    }
    assert_eq!((out.count, out.max_id), (0, i64::MIN));
}

fn summarize_columns(c: &spec::ColumnsIn) -> (BbStatus, BbSummary) {
    let mut out = UNTOUCHED;
    // SAFETY: each column is valid for its length; `out` is writable.
    let status = unsafe {
        bb_summarize_columns(
            c.ids.as_ptr(),
            c.ids.len(),
            c.scores.as_ptr(),
            c.scores.len(),
            c.name_offsets.as_ptr(),
            c.name_offsets.len(),
            c.name_bytes.as_ptr(),
            c.name_bytes.len(),
            &mut out,
        )
    };
    (status, out)
}

#[test]
fn summarize_columns_matches_shared_vectors() -> Result<(), String> {
    spec::check_summarize_columns(|columns| {
        let (status, out) = summarize_columns(columns);
        if status != BbStatus::Ok {
            assert_eq!(out.count, 42, "out untouched on error");
            // `[errors.<name>].rust` is the `BbStatus` variant's name too.
            return Err((Some(format!("{status:?}")), message(status as i32)));
        }
        if out.longest_name_len > 0 {
            let range = columns.name_bytes.as_ptr_range();
            assert!(range.contains(&out.longest_name), "a view into name_bytes");
        }
        summary_out(&out).map_err(|e| (None, e))
    })
}

#[test]
fn summarize_columns_refuses_null_and_misaligned_columns() {
    let ids = [1i64, 2];
    let scores = [1.0f64, 2.0];
    let offsets = [0i64, 1, 2];
    let names = b"ab";
    let mut out = UNTOUCHED;
    let call = |ids: *const i64, scores: *const f64, offsets: *const i64, out: *mut BbSummary| {
        // SAFETY: every non-NULL pointer is valid for the lengths passed, or refused as
        // misaligned before it is read.
        unsafe { bb_summarize_columns(ids, 2, scores, 2, offsets, 3, names.as_ptr(), 2, out) }
    };
    let (i, s, o) = (ids.as_ptr(), scores.as_ptr(), offsets.as_ptr());
    assert_eq!(call(ptr::null(), s, o, &mut out), BbStatus::NullPointer);
    assert_eq!(call(i, ptr::null(), o, &mut out), BbStatus::NullPointer);
    assert_eq!(call(i, s, ptr::null(), &mut out), BbStatus::NullPointer);
    assert_eq!(call(i, s, o, ptr::null_mut()), BbStatus::NullPointer);
    // SAFETY: the misaligned pointers stay inside their arrays; they are refused unread.
    let (i1, s1, o1) = unsafe { (i.byte_add(1), s.byte_add(4), o.byte_add(2)) };
    assert_eq!(call(i1, s, o, &mut out), BbStatus::Misaligned);
    assert_eq!(call(i, s1, o, &mut out), BbStatus::Misaligned);
    assert_eq!(call(i, s, o1, &mut out), BbStatus::Misaligned);
    assert_eq!(out.count, 42, "out untouched on error");
    assert_eq!(call(i, s, o, &mut out), BbStatus::Ok);
    assert_eq!((out.count, out.max_id, out.longest_name_len), (2, 2, 1));
    // Empty columns may be NULL, but the offsets still need their one 0.
    let empty = spec::ColumnsIn {
        name_offsets: vec![0],
        ..Default::default()
    };
    assert_eq!(summarize_columns(&empty).0, BbStatus::Ok);
    assert!(message(BbStatus::BadColumns as i32).contains("columns disagree"));
    assert!(message(BbStatus::InvalidUtf8 as i32).contains("not valid UTF-8"));
}
