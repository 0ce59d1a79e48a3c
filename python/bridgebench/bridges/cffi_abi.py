"""Bridge `cffi`: the Rust kernels' C ABI (crates/c-abi) through cffi's API mode.

The extension `generated/_bb_cffi` is compiled from the real header by cffi_build.py, so
signatures and status codes come from bb_c_abi.h, not from a hand copy, and cffi checks
every conversion: an int beyond int64 is an OverflowError, a str for a double a TypeError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridgebench.bridges._buffers import float64_view
from bridgebench.bridges._callbacks import MapCall

try:
    from bridgebench.bridges.generated._bb_cffi import ffi, lib
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
# bb_scale_into writes every element of `out`, so zero-filling it first would be wasted work
# (it dominates for large arrays).
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)


def _error(status: int) -> Exception:
    message = ffi.string(lib.bb_status_message(status)).decode()
    return _EXCEPTIONS.get(status, ValueError)(message)


def add(a: int, b: int) -> int:
    out = ffi.new("int64_t *")
    status = lib.bb_add(a, b, out)
    if status:
        raise _error(status)
    return out[0]


def checked_div(a: int, b: int) -> int:
    out = ffi.new("int64_t *")
    status = lib.bb_checked_div(a, b, out)
    if status:
        raise _error(status)
    return out[0]


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
    array = ffi.new("double[]", values)
    n = len(array)
    out = _new_uncleared("double[]", n)  # written only on success, and then every element
    # The handle keeps `state` alive and turns it into a void* for the call; it is released
    # with the handle object when this function returns.
    status = lib.bb_map_callback(array, n, lib.bridgebench_map_fn, ffi.new_handle(state), out)
    if status == lib.BB_STATUS_CALLBACK_FAILED and state.error is not None:
        raise state.take_error()  # the very object fn raised
    if status:
        raise _error(status)
    return ffi.unpack(out, n)


def scale_list(values: list[float], factor: float) -> list[float]:
    if isinstance(values, int):  # ffi.new would take an int as the array's length
        raise TypeError("values must be a list, not int")
    # One conversion per element into a C array we own, so it can be scaled in place.
    array = ffi.new("double[]", values)
    status = lib.bb_scale_inplace(array, len(array), factor)
    if status:
        raise _error(status)
    return ffi.unpack(array, len(array))


def scale_buffer(values: Any, factor: float) -> memoryview[float]:
    # from_buffer points into the caller's memory, read-only exporters included: no copy.
    src = ffi.from_buffer("double[]", float64_view(values))
    n = len(src)
    out = _new_uncleared("double[]", n)
    status = lib.bb_scale_into(src, n, factor, out)
    if status:
        raise _error(status)
    # ffi.buffer exports bytes (format 'B'); the cast makes a float64 view of the same memory,
    # which keeps `out` alive.
    return memoryview(ffi.buffer(out)).cast("d")


def scale_inplace(values: Any, factor: float) -> None:
    # require_writable: a read-only exporter raises instead of being written behind its back.
    array = ffi.from_buffer("double[]", float64_view(values), require_writable=True)
    status = lib.bb_scale_inplace(array, len(array), factor)
    if status:
        raise _error(status)
