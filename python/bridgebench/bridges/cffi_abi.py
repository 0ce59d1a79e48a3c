"""Bridge `cffi`: the Rust kernels' C ABI (crates/c-abi) through cffi's API mode.

The extension `_bb_cffi` is compiled from the real header by cffi_build.py, so
signatures and status codes come from bb_c_abi.h, not from a hand copy, and cffi checks
every conversion: an int beyond int64 is an OverflowError, a str for a double a TypeError.

Objects and text (`holder`, `counter`, `summarize`): a native holder or counter is an opaque
`BbHolder *` or `BbCounter *` owned through `ffi.gc`; text crosses as (pointer, length)
UTF-8; a Summary comes back as a `BbSummary` whose `longest_name` points into the caller's
input, copied out before the input can go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from bridgebench.bridges._buffers import byte_view, float64_view, int64_view
from bridgebench.bridges._callbacks import MapCall
from bridgebench.bridges._records import Summary, record_list, utf8

try:
    from _bb_cffi import ffi, lib
except ImportError as exc:
    raise ImportError(
        f"the cffi extension is not built ({exc}); run `cargo build --locked --release "
        "--package c-abi` then `.venv/bin/python python/bridgebench/bridges/cffi_build.py`"
    ) from exc

_EXCEPTIONS: dict[int, type[Exception]] = {
    lib.BB_STATUS_OVERFLOW: OverflowError,
    lib.BB_STATUS_PANIC: RuntimeError,
    lib.BB_STATUS_DIVISION_BY_ZERO: ZeroDivisionError,
}
# ANCHOR: types
# The C types of every ffi.new, parsed once: ffi.new("int64_t *") looks its string up on
# every call.
_INT64_P = ffi.typeof("int64_t *")
_DOUBLES = ffi.typeof("double[]")
_HOLDER_PP = ffi.typeof("BbHolder **")
_COUNTER_PP = ffi.typeof("BbCounter **")
_BYTES_PP = ffi.typeof("const uint8_t **")
_SIZE_P = ffi.typeof("size_t *")
_RECORDS = ffi.typeof("BbRecord[]")
_SUMMARY_P = ffi.typeof("BbSummary *")
# bb_scale_into writes every element of `out`, so zero-filling it first would be wasted work
# (it dominates for large arrays).
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)
# ANCHOR_END: types


# Bound once: each `lib.bb_...` or `ffi.new` in a call is an attribute lookup that cost
# about 400 instructions (callgrind; `add` whole: 4,568 with them, 3,775 without).
_new = ffi.new
_bb_add = lib.bb_add
_bb_checked_div = lib.bb_checked_div
_bb_counter_bump = lib.bb_counter_bump
_bb_counter_free = lib.bb_counter_free
_bb_counter_new = lib.bb_counter_new
_bb_counter_set_value = lib.bb_counter_set_value
_bb_counter_value = lib.bb_counter_value
_bb_holder_append = lib.bb_holder_append
_bb_holder_new = lib.bb_holder_new
_bb_holder_text = lib.bb_holder_text
_bb_holder_utf8_len = lib.bb_holder_utf8_len
_bb_live_holders = lib.bb_live_holders
_bb_map_callback = lib.bb_map_callback
_bb_scale_inplace = lib.bb_scale_inplace
_bb_scale_into = lib.bb_scale_into
_bb_status_message = lib.bb_status_message
_bb_summarize_columns = lib.bb_summarize_columns
_bb_summarize_records = lib.bb_summarize_records


def _error(status: int) -> Exception:
    message = ffi.string(_bb_status_message(status)).decode()
    return _EXCEPTIONS.get(status, ValueError)(message)


# ANCHOR: add
def add(a: int, b: int) -> int:
    out = _new(_INT64_P)
    status = _bb_add(a, b, out)
    if status:
        raise _error(status)
    return out[0]
    # ANCHOR_END: add


def checked_div(a: int, b: int) -> int:
    out = _new(_INT64_P)
    status = _bb_checked_div(a, b, out)
    if status:
        raise _error(status)
    return out[0]


# ANCHOR: map_callback
# `error=`: the status cffi returns to C if an exception escapes anyway (it would print it).
@ffi.def_extern(error=lib.BB_STATUS_CALLBACK_FAILED)
def bridgebench_map_fn(context: Any, x: float, out: Any) -> int:
    y = ffi.from_handle(context).call(x)
    if y is None:
        return lib.BB_STATUS_CALLBACK_FAILED  # the exception is stored in the MapCall
    out[0] = y
    return lib.BB_STATUS_OK


def map_callback(values: list[float], fn: Callable[[float], float]) -> list[float]:
    state = MapCall(fn)  # TypeError for a non-callable, before any call
    if isinstance(values, int):  # ffi.new would take an int as the array's length
        raise TypeError("values must be a list, not int")
    # The same conversion as scale_list: one double per element (TypeError for str, None).
    array = _new(_DOUBLES, values)
    n = len(array)
    out = _new_uncleared("double[]", n)  # written only on success, and then every element
    # The handle keeps `state` alive and turns it into a void* for the call; it is released
    # with the handle object when this function returns.
    status = _bb_map_callback(array, n, lib.bridgebench_map_fn, ffi.new_handle(state), out)
    if status == lib.BB_STATUS_CALLBACK_FAILED and state.error is not None:
        raise state.take_error()  # the very object fn raised
    if status:
        raise _error(status)
    return ffi.unpack(out, n)
    # ANCHOR_END: map_callback


def scale_list(values: list[float], factor: float) -> list[float]:
    if isinstance(values, int):  # ffi.new would take an int as the array's length
        raise TypeError("values must be a list, not int")
    # One conversion per element into a C array we own, so it can be scaled in place.
    array = _new(_DOUBLES, values)
    status = _bb_scale_inplace(array, len(array), factor)
    if status:
        raise _error(status)
    return ffi.unpack(array, len(array))


# ANCHOR: scale_buffer
def _from_buffer(ctype: str, values: Any, check: Callable[[Any], memoryview[Any]]) -> Any:
    """`ffi.from_buffer` into `values` once `check` has read its format, shape and
    contiguity (from_buffer ignores them). Into `values` itself, not the check's view: a
    memoryview exported to a cdata that ends up in a reference cycle (with the traceback
    of an error raised here, say) is cleared by the cycle collector while still exported,
    and freeing the cdata afterwards crashes the interpreter."""
    check(values).release()
    return ffi.from_buffer(ctype, values)


def scale_buffer(values: Any, factor: float) -> memoryview[float]:
    # from_buffer points into the caller's memory, read-only exporters included: no copy.
    src = _from_buffer("double[]", values, float64_view)
    n = len(src)
    out = _new_uncleared("double[]", n)
    status = _bb_scale_into(src, n, factor, out)
    if status:
        raise _error(status)
    # ffi.buffer exports bytes (format 'B'); the cast makes a float64 view of the same memory,
    # which keeps `out` alive.
    return memoryview(ffi.buffer(out)).cast("d")
    # ANCHOR_END: scale_buffer


def scale_inplace(values: Any, factor: float) -> None:
    # require_writable: a read-only exporter raises instead of being written behind its back.
    float64_view(values).release()  # as in _from_buffer
    array = ffi.from_buffer("double[]", values, require_writable=True)
    status = _bb_scale_inplace(array, len(array), factor)
    if status:
        raise _error(status)


# The kernel's Holder is not thread-safe (append needs exclusive access), and API mode releases
# the GIL around every call: two threads using one Holder would race inside Rust, and text()
# could copy from memory an append just freed. One lock for all holders serializes the calls.
_holder_lock = threading.Lock()


# ANCHOR: holder
class Holder:
    """`Holder(text)`: owns a native holder through its opaque handle, freed exactly once."""

    def __init__(self, text: str) -> None:
        data = utf8(text, "text")  # TypeError, UnicodeEncodeError: before any holder exists
        out = _new(_HOLDER_PP)
        # bytes go to a `const uint8_t *` parameter as a pointer to their own buffer.
        status = _bb_holder_new(data, len(data), out)
        if status:
            raise _error(status)
        # cffi's finalizer: the cdata ffi.gc returns owns the handle, and cffi calls
        # bb_holder_free on it exactly once, when that cdata dies with this Holder (refcount
        # zero, or the garbage collector breaking a cycle through the Holder).
        self._handle = ffi.gc(out[0], lib.bb_holder_free)

    def text(self) -> str:
        ptr, n = _new(_BYTES_PP), _new(_SIZE_P)
        with _holder_lock:
            status = _bb_holder_text(self._handle, ptr, n)
            if status:
                raise _error(status)
            # A borrowed view, valid until the next append: decode it inside the lock.
            # str() decodes straight from the buffer; (NULL, 0) gives an empty buffer.
            return str(ffi.buffer(ptr[0], n[0]), "utf-8")
            # ANCHOR_END: holder

    def utf8_len(self) -> int:
        n = _new(_SIZE_P)
        with _holder_lock:
            status = _bb_holder_utf8_len(self._handle, n)
        if status:
            raise _error(status)
        return n[0]

    def append(self, more: str) -> None:
        data = utf8(more, "more")  # a failed encode never reaches the holder
        with _holder_lock:
            status = _bb_holder_append(self._handle, data, len(data))
        if status:
            raise _error(status)


class Counter:
    """`Counter(start=0)`: owns a native counter through its opaque handle, freed exactly once.
    No lock: the handle locks itself. cffi converts every int it passes: not an int is a
    TypeError, an int outside int64 an OverflowError."""

    def __init__(self, start: int = 0) -> None:
        out = _new(_COUNTER_PP)
        status = _bb_counter_new(start, out)
        if status:
            raise _error(status)
        # As for Holder: the cdata from ffi.gc frees the handle when this Counter dies.
        self._handle = ffi.gc(out[0], _bb_counter_free)

    def bump(self, by: int = 1) -> int:
        out = _new(_INT64_P)
        status = _bb_counter_bump(self._handle, by, out)
        if status:
            raise _error(status)  # overflow: the value is unchanged
        return out[0]

    @property
    def value(self) -> int:
        out = _new(_INT64_P)
        status = _bb_counter_value(self._handle, out)
        if status:
            raise _error(status)
        return out[0]

    # No deleter: `del c.value` raises AttributeError.
    @value.setter
    def value(self, value: int) -> None:
        status = _bb_counter_set_value(self._handle, value)
        if status:
            raise _error(status)


def live_holders() -> int:
    n = _new(_INT64_P)
    status = _bb_live_holders(n)
    if status:
        raise _error(status)
    return n[0]


def _summary(out: Any) -> Summary:
    """The Python Summary of a `BbSummary *`; call it while the input it points into is alive."""
    name = str(ffi.buffer(out.longest_name, out.longest_name_len), "utf-8")
    return Summary(out.count, out.score_sum, out.max_id, name)


# ANCHOR: summarize_objects
def summarize_objects(records: list[tuple[int, str, float]]) -> Summary:
    rows = record_list(records)
    array = _new(_RECORDS, len(rows))
    # ffi.from_buffer points a uint8_t[] at each encoded name without a copy and keeps the
    # bytes alive while the cdata lives: `names` holds them until longest_name, which points
    # into one of them, is decoded.
    names = []
    for i, (id_, name, score) in enumerate(rows):  # missing/extra fields: ValueError
        data = ffi.from_buffer("uint8_t[]", utf8(name, "name"))
        names.append(data)
        # cffi converts each field: TypeError for a non-int id or a non-number score,
        # OverflowError for an id beyond int64 or a score beyond float range.
        array[i] = (id_, data, len(data), score)
    out = _new(_SUMMARY_P)
    status = _bb_summarize_records(array, len(array), out)
    if status:
        raise _error(status)
    return _summary(out)
    # ANCHOR_END: summarize_objects


def summarize_columns(ids: Any, scores: Any, name_offsets: Any, name_bytes: Any) -> Summary:
    # The views check format, ndim and contiguity (TypeError/ValueError), which from_buffer
    # ignores; from_buffer then points into each buffer, read-only ones included: no copy.
    ids_c = _from_buffer("int64_t[]", ids, int64_view)
    scores_c = _from_buffer("double[]", scores, float64_view)
    offsets_c = _from_buffer("int64_t[]", name_offsets, int64_view)
    names_c = _from_buffer("uint8_t[]", name_bytes, byte_view)
    out = _new(_SUMMARY_P)
    status = _bb_summarize_columns(
        ids_c,
        len(ids_c),
        scores_c,
        len(scores_c),
        offsets_c,
        len(offsets_c),
        names_c,
        len(names_c),
        out,
    )
    if status:
        raise _error(status)  # BAD_COLUMNS, INVALID_UTF8 (ValueError), MISALIGNED
    return _summary(out)  # longest_name points into name_bytes, still alive here
