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


def float64_view(values: Any, *, writable: bool = False) -> memoryview[Any]:
    """A 1-D C-contiguous float64 view of `values`, or TypeError/ValueError/BufferError."""
    try:
        view = memoryview(values)
    except TypeError:
        raise TypeError(f"expected a float64 buffer, not {type(values).__name__}") from None
    if view.format not in FLOAT64_FORMATS:
        raise TypeError(f"expected float64 data (format 'd'), got format {view.format!r}")
    if view.ndim != 1:
        raise ValueError(f"expected a 1-D buffer, got {view.ndim} dimensions")
    if not view.c_contiguous:
        raise ValueError("expected a C-contiguous buffer")
    if writable and view.readonly:
        raise BufferError("scale_inplace needs a writable buffer")
    return view
