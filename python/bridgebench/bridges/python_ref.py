"""Bridge `python`: the pure-Python reference every other bridge must equal bit for bit.

It also spells out the boundary contract (benches/kernels/*.toml) in plain code:
which inputs are accepted and which exception each bad input gets.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from bridgebench.bridges._buffers import float64_view

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def add(a: int, b: int) -> int:
    # Written for speed as well as clarity: this is also the pure-Python row of the results.
    if not (isinstance(a, int) and isinstance(b, int)):
        raise TypeError(f"add() takes two ints, not {type(a).__name__} and {type(b).__name__}")
    total = a + b
    if (
        INT64_MIN <= total <= INT64_MAX
        and INT64_MIN <= a <= INT64_MAX
        and INT64_MIN <= b <= INT64_MAX
    ):
        return total
    if not (INT64_MIN <= a <= INT64_MAX and INT64_MIN <= b <= INT64_MAX):
        raise OverflowError(f"add({a}, {b}): an argument does not fit in int64")
    raise OverflowError("integer overflow: result does not fit in int64")


def checked_div(a: int, b: int) -> int:
    if not (isinstance(a, int) and isinstance(b, int)):
        raise TypeError(
            f"checked_div() takes two ints, not {type(a).__name__} and {type(b).__name__}"
        )
    if not (INT64_MIN <= a <= INT64_MAX and INT64_MIN <= b <= INT64_MAX):
        raise OverflowError(f"checked_div({a}, {b}): an argument does not fit in int64")
    if b == 0:
        raise ZeroDivisionError("division by zero")
    # C++ and Rust truncate toward zero; Python's // floors, so divide the magnitudes.
    quotient = abs(a) // abs(b)
    quotient = quotient if (a < 0) == (b < 0) else -quotient
    if quotient > INT64_MAX:
        raise OverflowError("integer overflow: result does not fit in int64")
    return quotient


def map_callback(values: list[float], fn: Callable[[float], float]) -> list[float]:
    if not callable(fn):
        raise TypeError(f"map_callback(): fn must be callable, not {type(fn).__name__}")
    if not isinstance(values, list):
        raise TypeError(f"values must be a list, not {type(values).__name__}")
    # Convert every element first, as a native bridge's list conversion does, then call.
    xs = [_as_float(v, "values[i]") for v in values]
    return [_as_float(fn(x), "fn's result") for x in xs]


def _as_float(value: Any, what: str) -> float:
    # float(x) would also parse strings; the contract accepts only real numbers.
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)  # OverflowError for ints beyond float range, as PyFloat_AsDouble
    raise TypeError(f"{what} must be float, not {type(value).__name__}")


def _float64_view(obj: Any, *, writable: bool) -> memoryview[Any]:
    view = float64_view(obj, writable=writable)
    if len(view) and _address(view) % 8:
        # Reading a misaligned double through double* or &[f64] is undefined behaviour.
        raise BufferError("expected an 8-byte aligned float64 buffer")
    # memoryview only indexes native single-char formats: ctypes exports '<d'.
    return view if view.format == "d" else view.cast("B").cast("d")


def _address(view: memoryview) -> int:
    # The stdlib cannot tell where a read-only buffer starts; numpy can, without copying.
    return int(np.frombuffer(view, dtype=np.uint8).ctypes.data)


def scale_list(values: list[float], factor: float) -> list[float]:
    f = _as_float(factor, "factor")
    if not isinstance(values, list):
        raise TypeError(f"values must be a list, not {type(values).__name__}")
    return [_as_float(v, "values[i]") * f for v in values]


def scale_buffer(values: Any, factor: float) -> array[float]:
    f = _as_float(factor, "factor")
    view = _float64_view(values, writable=False)
    return array("d", [v * f for v in view])


def scale_inplace(values: Any, factor: float) -> None:
    f = _as_float(factor, "factor")
    view = _float64_view(values, writable=True)
    for i in range(len(view)):
        view[i] = view[i] * f
