"""The buffer checks that ctypes and cffi leave to us.

Both tools take any buffer as raw bytes (`from_buffer` ignores format, shape and strides),
so an int64, float32 or 2-D array would be scaled as garbage. memoryview reads the
exporter's description, and we refuse what the contract refuses, before any pointer is made.
"""

from __future__ import annotations

from typing import Any

from bridgebench.bridges.python_ref import FLOAT64_FORMATS


def float64_view(values: Any) -> memoryview:
    """A 1-D C-contiguous float64 view of `values`, or TypeError/ValueError."""
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
    return view
