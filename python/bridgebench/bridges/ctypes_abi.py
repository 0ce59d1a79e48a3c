"""Bridge `ctypes`: the Rust kernels' C ABI (crates/c-abi) called through ctypes.

ctypes needs no compiler and no build step of its own: it loads the cdylib at run time
and converts arguments as `argtypes` say. That is also its weakness: ctypes cannot read the
C header, so every signature and status code below is written out again by hand, and it
converts an out-of-range int to int64 by silently keeping the low 64 bits (declared in
benches/bridges.toml; deliberately not patched over here).
"""

from __future__ import annotations

import ctypes
import enum
import os
from collections.abc import Callable
from ctypes import (
    CFUNCTYPE,
    POINTER,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    py_object,
)
from pathlib import Path
from typing import Any

from bridgebench.bridges._buffers import float64_view
from bridgebench.bridges._callbacks import MapCall

_ROOT = Path(__file__).resolve().parents[3]
_BUILD = "cargo build --locked --release --package c-abi"


def _load() -> ctypes.CDLL:
    path = Path(os.environ.get("BRIDGEBENCH_C_ABI_LIB", _ROOT / "target/release/libc_abi.so"))
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


_EXCEPTIONS: dict[int, type[Exception]] = {
    Status.OVERFLOW: OverflowError,
    Status.PANIC: RuntimeError,
    Status.DIVISION_BY_ZERO: ZeroDivisionError,
}

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
# Not a kernel: the test hook that panics inside the ABI's guard (python/tests/test_c_abi_panic.py).
_lib.bb_debug_panic.argtypes = []
_lib.bb_debug_panic.restype = c_int


def _error(status: int) -> Exception:
    message = _lib.bb_status_message(status).decode()
    return _EXCEPTIONS.get(status, ValueError)(message)


# ctypes reports an argument that argtypes cannot convert ('5' for an int64, None for a
# double) as ctypes.ArgumentError, which is not a TypeError; the contract wants TypeError.
# The try costs nothing on the happy path.


def _int_pair(function: Any, a: int, b: int) -> int:
    """Calls a `bb_status f(int64_t, int64_t, int64_t *out)` function of the ABI."""
    out = c_int64()
    try:
        status = function(a, b, byref(out))
    except ctypes.ArgumentError as exc:
        raise TypeError(str(exc)) from exc
    if status:
        raise _error(status)
    return out.value


def add(a: int, b: int) -> int:
    return _int_pair(_lib.bb_add, a, b)


def checked_div(a: int, b: int) -> int:
    return _int_pair(_lib.bb_checked_div, a, b)


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
