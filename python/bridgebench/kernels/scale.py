"""`scale` (benches/kernels/scale.toml): every float64 of a sequence times a factor, as a
list, a buffer returned, or a buffer scaled in place."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np

from bridgebench import spec
from bridgebench.kernels import Call, Shared, plain
from bridgebench.kernels._floats import bits, normal_values

FACTOR = -1.0  # keeps repeated in-place scaling bounded: no drift into inf or subnormals


def inputs(cell: spec.Cell, n: int) -> np.ndarray:
    """n normal float64, read-only."""
    values = normal_values(n)
    values.setflags(write=False)
    return values


def case(fn: Callable[..., Any], cell: spec.Cell, n: int, values: np.ndarray) -> Call:
    want = (values * FACTOR).tobytes()
    data: Any = values.tolist() if cell.strategy == "list" else values.copy()

    def check() -> None:
        if cell.strategy == "inplace":
            probe = values.copy()
            fn(probe, FACTOR)
            got = probe.tobytes()
        else:
            got = bits(fn(data, FACTOR), as_list=cell.strategy == "list")
        if got != want:
            raise AssertionError(f"wrong answer from scale ({cell.strategy}, n={n})")

    return plain(fn, (data, FACTOR), check)


def payload_bytes(cell: spec.Cell, n: int) -> int:
    """8 per float64."""
    return 8 * n


def _valid_values(cell: spec.Cell) -> Any:
    if cell.strategy == "list":
        return [1.0, 2.0, 3.0]
    return np.array([1.0, 2.0, 3.0])


def _readonly_values(cell: spec.Cell) -> np.ndarray:
    values = np.array([1.0, 2.0, 3.0])
    values.flags.writeable = False
    return values


BAD_INPUT_NAMES: dict[str, Callable[[spec.Cell], Any]] = {
    "VALID_VALUES": _valid_values,
    "READONLY_VALUES": _readonly_values,
    "CTYPES_VALUES": lambda cell: (ctypes.c_double * 3)(1.0, 2.0, 3.0),
}


# Thread probes (bridgebench.harness.threads): a buffer call may release the GIL; a list's
# conversion of every element cannot.
LONG_CALLS = ("buffer", "inplace")
THROUGHPUT = ("buffer",)
SHARED = {"inplace": "buffer"}


def long_call(fn: Callable[..., Any], cell: spec.Cell, n: int) -> Callable[[], Any]:
    """fn on n ones by -1.0, again and again (they stay ±1), on an array of its own."""
    values = np.ones(n)
    return lambda: fn(values, FACTOR)


def shared(fn: Callable[..., Any], cell: spec.Cell, n: int) -> Shared:
    """One array of n ones scaled in place by 2.0: after k calls every element is 2**k."""
    values = np.ones(n)

    def wrong(calls: int) -> tuple[int, int]:
        return int(np.count_nonzero(values != 2.0**calls)), n

    return Shared("buffer", "elements", lambda: fn(values, 2.0), wrong)
