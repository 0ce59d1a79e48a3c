"""Bridge `ctypes`: the Rust kernels' C ABI (crates/c-abi) called through ctypes.

ctypes needs no compiler and no build step of its own: it loads the cdylib at run time
and converts arguments as `argtypes` say. That is also its weakness: ctypes cannot read the
C header, so every signature and status code below is written out again by hand, and it
converts an out-of-range int to int64 by silently keeping the low 64 bits (declared in
benches/bridges.toml; deliberately not patched over here).

Objects and text (`holder`, `counter`, `summarize`): a native object is an opaque handle
(`c_void_p`) inside a Python class whose finalizer frees it; text crosses as (pointer, length)
UTF-8, never as a NUL-terminated string; a Summary comes back as a `BbSummary` struct whose
`longest_name` points into the caller's input, copied out before that input can go.
"""

from __future__ import annotations

import ctypes
import enum
import os
import threading
from collections.abc import Callable
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_void_p,
    py_object,
)
from pathlib import Path
from typing import Any

from bridgebench.bridges._buffers import byte_view, float64_view, int64_view
from bridgebench.bridges._callbacks import MapCall
from bridgebench.bridges._records import Summary, record_list, utf8

_ROOT = Path(__file__).resolve().parents[3]
_BUILD = "cargo build --locked --release --package c-abi"


def _load() -> ctypes.CDLL:
    # Where cargo puts it: CARGO_TARGET_DIR, and a folder per target when one is named.
    target = Path(os.environ.get("CARGO_TARGET_DIR") or _ROOT / "target")
    target /= os.environ.get("CARGO_BUILD_TARGET", "")
    path = Path(os.environ.get("BRIDGEBENCH_C_ABI_LIB", target / "release/libc_abi.so"))
    try:
        return ctypes.CDLL(str(path))
    except OSError as exc:
        raise ImportError(f"cannot load {path} ({exc}); build it with `{_BUILD}`") from exc


class Status(enum.IntEnum):
    """`bb_status` from crates/c-abi/include/bb_c_abi.h, copied by hand: ctypes reads no headers."""

    OK = 0
    OVERFLOW = 1
    NULL_POINTER = 2
    MISALIGNED = 3
    OVERLAP = 4
    PANIC = 5
    DIVISION_BY_ZERO = 6
    CALLBACK_FAILED = 7
    INVALID_UTF8 = 8  # -> ValueError, the default below
    BAD_COLUMNS = 9  # -> ValueError


_EXCEPTIONS: dict[int, type[Exception]] = {
    Status.OVERFLOW: OverflowError,
    Status.PANIC: RuntimeError,
    Status.DIVISION_BY_ZERO: ZeroDivisionError,
}

# ANCHOR: signatures
_lib = _load()
# Without argtypes ctypes would pass every Python int as a 32-bit C int and refuse floats,
# and without restype it assumes `int`: the signatures must be spelled out, and kept in
# step with the header by hand.
_lib.bb_status_message.argtypes = [c_int32]
_lib.bb_status_message.restype = c_char_p
_lib.bb_add.argtypes = [c_int64, c_int64, POINTER(c_int64)]
_lib.bb_add.restype = c_int  # a C enum is an int
_lib.bb_checked_div.argtypes = [c_int64, c_int64, POINTER(c_int64)]
_lib.bb_checked_div.restype = c_int
_lib.bb_scale_into.argtypes = [POINTER(c_double), c_size_t, c_double, POINTER(c_double)]
_lib.bb_scale_into.restype = c_int
_lib.bb_scale_inplace.argtypes = [POINTER(c_double), c_size_t, c_double]
_lib.bb_scale_inplace.restype = c_int
# `typedef int32_t (*bb_map_fn)(void *context, double x, double *out)`. The header's
# `void *context` is declared py_object on both sides, so ctypes passes the call's state
# object through C as a borrowed PyObject* and hands it back to the trampoline as the object.
_MapFn = CFUNCTYPE(c_int32, py_object, c_double, POINTER(c_double))
_lib.bb_map_callback.argtypes = [POINTER(c_double), c_size_t, _MapFn, py_object, POINTER(c_double)]
_lib.bb_map_callback.restype = c_int
# ANCHOR_END: signatures


class BbRecord(Structure):
    """`BbRecord` of the header, field for field (ctypes cannot check it against the header).
    `name` is declared c_char_p, ABI-identical to the header's `const uint8_t *`, because
    ctypes then takes a bytes object for it: a pointer to the bytes' own buffer."""

    _fields_ = [("id", c_int64), ("name", c_char_p), ("name_len", c_size_t), ("score", c_double)]


class BbSummary(Structure):
    """`BbSummary` of the header. `longest_name` is c_void_p, not c_char_p: a c_char_p field
    would be read as a NUL-terminated string, cutting names with NULs short."""

    _fields_ = [
        ("count", c_int64),
        ("score_sum", c_double),
        ("max_id", c_int64),
        ("longest_name", c_void_p),
        ("longest_name_len", c_size_t),
    ]


# `BbHolder *` is opaque: a c_void_p. The byte pointers of the header (`const uint8_t *`) are
# c_char_p, so a bytes object passes as a pointer to its own buffer, with no copy.
_lib.bb_holder_new.argtypes = [c_char_p, c_size_t, POINTER(c_void_p)]
_lib.bb_holder_new.restype = c_int
_lib.bb_holder_free.argtypes = [c_void_p]
_lib.bb_holder_free.restype = None  # void: it cannot fail
_lib.bb_holder_text.argtypes = [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]
_lib.bb_holder_text.restype = c_int
_lib.bb_holder_utf8_len.argtypes = [c_void_p, POINTER(c_size_t)]
_lib.bb_holder_utf8_len.restype = c_int
_lib.bb_holder_append.argtypes = [c_void_p, c_char_p, c_size_t]
_lib.bb_holder_append.restype = c_int
_lib.bb_live_holders.argtypes = [POINTER(c_int64)]
_lib.bb_live_holders.restype = c_int
# `BbCounter *` is opaque too: a c_void_p.
_lib.bb_counter_new.argtypes = [c_int64, POINTER(c_void_p)]
_lib.bb_counter_new.restype = c_int
_lib.bb_counter_free.argtypes = [c_void_p]
_lib.bb_counter_free.restype = None  # void: it cannot fail
_lib.bb_counter_bump.argtypes = [c_void_p, c_int64, POINTER(c_int64)]
_lib.bb_counter_bump.restype = c_int
_lib.bb_counter_value.argtypes = [c_void_p, POINTER(c_int64)]
_lib.bb_counter_value.restype = c_int
_lib.bb_counter_set_value.argtypes = [c_void_p, c_int64]
_lib.bb_counter_set_value.restype = c_int
_lib.bb_summarize_records.argtypes = [POINTER(BbRecord), c_size_t, POINTER(BbSummary)]
_lib.bb_summarize_records.restype = c_int
_lib.bb_summarize_columns.argtypes = [
    POINTER(c_int64),
    c_size_t,
    POINTER(c_double),
    c_size_t,
    POINTER(c_int64),
    c_size_t,
    c_char_p,
    c_size_t,
    POINTER(BbSummary),
]
_lib.bb_summarize_columns.restype = c_int


def _error(status: int) -> Exception:
    message = _lib.bb_status_message(status).decode()
    return _EXCEPTIONS.get(status, ValueError)(message)


# ANCHOR: add
# ctypes reports an argument that argtypes cannot convert ('5' for an int64, None for a
# double) as ctypes.ArgumentError, which is not a TypeError; the contract wants TypeError.
# The try costs nothing on the happy path. An out-parameter is passed as the c_int64 (or
# c_size_t, ...) itself: where argtypes says POINTER(T), ctypes passes a T by reference,
# with no byref() call of ours.
_bb_add = _lib.bb_add
_bb_checked_div = _lib.bb_checked_div


def add(a: int, b: int) -> int:
    out = c_int64()
    try:
        status = _bb_add(a, b, out)
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)
    return out.value
    # ANCHOR_END: add


def checked_div(a: int, b: int) -> int:
    out = c_int64()
    try:
        status = _bb_checked_div(a, b, out)
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)
    return out.value


# ANCHOR: map_callback
def _trampoline(state: MapCall, x: float, out: Any) -> int:
    y = state.call(x)
    if y is None:
        return Status.CALLBACK_FAILED  # the exception is stored in `state`
    out[0] = y
    return Status.OK


# One C function pointer for every call, made once: the per-call state travels in `context`.
# A module global, so the thunk lives as long as the library can call it.
_TRAMPOLINE = _MapFn(_trampoline)


def map_callback(values: list[float], fn: Callable[[float], float]) -> list[float]:
    state = MapCall(fn)  # TypeError for a non-callable, before any call
    # The same conversion as scale_list: one c_double per element (TypeError for str, None).
    array = (c_double * len(values))(*values)
    out = (c_double * len(array))()
    status = _lib.bb_map_callback(array, len(array), _TRAMPOLINE, state, out)
    if status == Status.CALLBACK_FAILED and state.error is not None:
        raise state.take_error()  # the very object fn raised
    if status:
        raise _error(status)
    return out[:]
    # ANCHOR_END: map_callback


def scale_list(values: list[float], factor: float) -> list[float]:
    # One conversion per element into a C array we own (TypeError for str, None, lists),
    # so it can be scaled in place: no second array.
    array = (c_double * len(values))(*values)
    try:
        status = _lib.bb_scale_inplace(array, len(array), factor)
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)
    return array[:]


# ANCHOR: scale_buffer
def scale_buffer(values: Any, factor: float) -> ctypes.Array[c_double]:
    view = float64_view(values)
    n = len(view)
    # from_buffer points into the caller's memory without a copy, but only into writable
    # memory; for a read-only exporter ctypes' one way in is a copy.
    src = (
        (c_double * n).from_buffer_copy(view) if view.readonly else (c_double * n).from_buffer(view)
    )
    out = (c_double * n)()
    try:
        status = _lib.bb_scale_into(src, n, factor, out)
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)
    return out
    # ANCHOR_END: scale_buffer


def scale_inplace(values: Any, factor: float) -> None:
    view = float64_view(values)
    # TypeError for a read-only buffer: ctypes will not hand out a writable pointer to it.
    array = (c_double * len(view)).from_buffer(view)
    try:
        status = _lib.bb_scale_inplace(array, len(array), factor)
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)


# The kernel's Holder is not thread-safe (append needs exclusive access), and CDLL releases the
# GIL around every call: two threads using one Holder would race inside Rust, and text() could
# copy from memory an append just freed. One lock for all holders serializes the calls (a lock
# per Holder would add about a fifth to the cost of creating one, measured here).
_holder_lock = threading.Lock()


# ANCHOR: holder
class Holder:
    """`Holder(text)`: owns a native holder through its opaque handle, freed exactly once."""

    # Why __del__ and not weakref.finalize: finalize is the stdlib's more robust hook, but its
    # registry entry and weakref made creating a Holder about 70% slower here, and this cell
    # times creation. __del__ is safe enough: CPython calls it at most once, also for a Holder
    # in a reference cycle (PEP 442); the class-level `_handle = None` covers a constructor that
    # failed (bb_holder_free(NULL) is a no-op); and `_free` is held by the class, so it is still
    # there at interpreter shutdown, when module globals may already be gone.
    _handle: c_void_p | None = None
    _free = _lib.bb_holder_free

    def __init__(self, text: str) -> None:
        data = utf8(text, "text")  # TypeError, UnicodeEncodeError: before any holder exists
        handle = c_void_p()
        status = _lib.bb_holder_new(data, len(data), handle)
        if status:
            raise _error(status)
        self._handle = handle

    def __del__(self) -> None:
        # Taking the handle first makes a second call (an explicit __del__()) a no-op.
        handle, self._handle = self._handle, None
        self._free(handle)

    def text(self) -> str:
        ptr, n = c_void_p(), c_size_t()
        with _holder_lock:
            status = _lib.bb_holder_text(self._handle, ptr, n)
            if status:
                raise _error(status)
            # A borrowed view, valid until the next append: copy it out inside the lock.
            # (An empty text is (NULL, 0), which string_at reads as b''.)
            data = ctypes.string_at(ptr, n.value)
        return data.decode()

    def utf8_len(self) -> int:
        n = c_size_t()
        with _holder_lock:
            status = _lib.bb_holder_utf8_len(self._handle, n)
        if status:
            raise _error(status)
        return n.value

    def append(self, more: str) -> None:
        data = utf8(more, "more")  # a failed encode never reaches the holder
        with _holder_lock:
            status = _lib.bb_holder_append(self._handle, data, len(data))
        if status:
            raise _error(status)
            # ANCHOR_END: holder


_bb_counter_bump = _lib.bb_counter_bump
_bb_counter_value = _lib.bb_counter_value
_bb_counter_set_value = _lib.bb_counter_set_value


class Counter:
    """`Counter(start=0)`: owns a native counter through its opaque handle, freed exactly once
    (the same finalizer as Holder's, for the same reasons). No lock: the handle locks itself.
    An int outside int64 keeps its low 64 bits, as everywhere in this module (declared)."""

    _handle: c_void_p | None = None
    _free = _lib.bb_counter_free

    def __init__(self, start: int = 0) -> None:
        handle = c_void_p()
        try:
            status = _lib.bb_counter_new(start, handle)
        except ctypes.ArgumentError as exc:
            raise TypeError(str(exc)) from exc
        if status:
            raise _error(status)
        self._handle = handle

    def __del__(self) -> None:
        handle, self._handle = self._handle, None
        self._free(handle)

    def bump(self, by: int = 1) -> int:
        out = c_int64()
        try:
            status = _bb_counter_bump(self._handle, by, out)
        except ctypes.ArgumentError as exc:
            raise TypeError(str(exc)) from exc
        if status:
            raise _error(status)  # overflow: the value is unchanged
        return out.value

    @property
    def value(self) -> int:
        out = c_int64()
        status = _bb_counter_value(self._handle, out)
        if status:
            raise _error(status)
        return out.value

    # No deleter: `del c.value` raises AttributeError.
    @value.setter
    def value(self, value: int) -> None:
        try:
            status = _bb_counter_set_value(self._handle, value)
        except ctypes.ArgumentError as exc:
            raise TypeError(str(exc)) from exc
        if status:
            raise _error(status)


def live_holders() -> int:
    n = c_int64()
    status = _lib.bb_live_holders(n)
    if status:
        raise _error(status)
    return n.value


def _summary(out: BbSummary) -> Summary:
    """The Python Summary of a `BbSummary`; call it while the input it points into is alive."""
    name = ctypes.string_at(out.longest_name, out.longest_name_len).decode()
    return Summary(out.count, out.score_sum, out.max_id, name)


# ANCHOR: summarize_objects
def summarize_objects(records: list[tuple[int, str, float]]) -> Summary:
    rows = record_list(records)
    array = (BbRecord * len(rows))()
    # The encoded names must outlive the call (and the decoding of longest_name, which points
    # into one of them): `names` holds them until this function returns.
    names = []
    for i, (id_, name, score) in enumerate(rows):  # missing/extra fields: ValueError
        data = utf8(name, "name")
        names.append(data)
        # The field setters convert: TypeError for a non-int id or a non-number score,
        # OverflowError for a score beyond float range; an id beyond int64 silently keeps
        # its low 64 bits (declared in benches/bridges.toml).
        array[i] = BbRecord(id_, data, len(data), score)
    out = BbSummary()
    status = _lib.bb_summarize_records(array, len(array), out)
    if status:
        raise _error(status)
    return _summary(out)
    # ANCHOR_END: summarize_objects


def _c_array(view: memoryview[Any], ctype: Any) -> ctypes.Array[Any]:
    """A ctypes array over the buffer's memory, or over a copy of a read-only buffer:
    from_buffer refuses read-only memory, and ctypes has no other way into it."""
    array_type = ctype * (view.nbytes // ctypes.sizeof(ctype))
    return array_type.from_buffer_copy(view) if view.readonly else array_type.from_buffer(view)


def summarize_columns(ids: Any, scores: Any, name_offsets: Any, name_bytes: Any) -> Summary:
    # The views check format, ndim and contiguity (TypeError/ValueError): from_buffer does not.
    id_view, score_view = int64_view(ids), float64_view(scores)
    offset_view, byte_buffer = int64_view(name_offsets), byte_view(name_bytes)
    # bytes, the usual name_bytes, is passed to the c_char_p parameter as a pointer to its own
    # buffer; any other bytes-like goes through _c_array like the numeric columns.
    names = name_bytes if type(name_bytes) is bytes else _c_array(byte_buffer, c_char)
    out = BbSummary()
    status = _lib.bb_summarize_columns(
        _c_array(id_view, c_int64),
        len(id_view),
        _c_array(score_view, c_double),
        len(score_view),
        _c_array(offset_view, c_int64),
        len(offset_view),
        names,
        len(byte_buffer),
        out,
    )
    if status:
        raise _error(status)  # BAD_COLUMNS, INVALID_UTF8 (ValueError), MISALIGNED
    return _summary(out)  # longest_name points into `names`, still alive here
