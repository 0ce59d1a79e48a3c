"""The buffer contract's checks, for the bridges written in Python (python, ctypes, cffi).

ctypes and cffi take any buffer as raw bytes (`from_buffer` ignores format, shape and
strides), so an int64, float32 or 2-D array would be scaled as garbage. memoryview reads
the exporter's description, and we refuse what the contract refuses, before any pointer
is made. (Alignment is checked by the C ABI itself, and by the reference.)
"""

from __future__ import annotations

from typing import Any

# numpy, array.array and memoryview say "d"; ctypes says "<d" (native on little-endian).
FLOAT64_FORMATS = frozenset({"d", "<d", "=d", "@d"})
# int64 on LP64 Linux: numpy says "l", array('q') "q", ctypes "<q" or "<l".
INT64_FORMATS = frozenset({"q", "<q", "=q", "@q", "l", "<l", "=l", "@l"})
# Anything of itemsize 1 can hold UTF-8: bytes and bytearray say "B", numpy uint8 "B".
BYTE_FORMATS = frozenset({"B", "b", "c", "<B", "=B", "@B"})


def float64_view(values: Any, *, writable: bool = False) -> memoryview[Any]:
    """A 1-D C-contiguous float64 view of `values`, or TypeError/ValueError/BufferError."""
    return _view(values, FLOAT64_FORMATS, "float64", writable=writable)


def int64_view(values: Any) -> memoryview[Any]:
    """A 1-D C-contiguous int64 view of `values`, or TypeError/ValueError."""
    return _view(values, INT64_FORMATS, "int64")


def byte_view(values: Any) -> memoryview[Any]:
    """A 1-D C-contiguous view of `values` with itemsize 1 (bytes-like), or TypeError/ValueError."""
    return _view(values, BYTE_FORMATS, "bytes-like")


def _view(
    values: Any, formats: frozenset[str], what: str, *, writable: bool = False
) -> memoryview[Any]:
    try:
        view = memoryview(values)
    except TypeError:
        raise TypeError(f"expected a buffer of {what} data, not {type(values).__name__}") from None
    if view.format not in formats:
        raise TypeError(f"expected {what} data, got buffer format {view.format!r}")
    if view.ndim != 1:
        raise ValueError(f"expected a 1-D buffer, got {view.ndim} dimensions")
    if not view.c_contiguous:
        raise ValueError("expected a C-contiguous buffer")
    if writable and view.readonly:
        raise BufferError("scale_inplace needs a writable buffer")
    return view
