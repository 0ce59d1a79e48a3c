"""`map_callback` (benches/kernels/map_callback.toml): a Python callable applied to every
float64 of a list, called back from native code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bridgebench import spec
from bridgebench.kernels import Call, bench, plain
from bridgebench.kernels._floats import bits, normal_values

Inputs = tuple[np.ndarray, bytes]


def callback(cell: spec.Cell) -> Callable[[float], float]:
    """The spec's [bench] callback (a Python lambda)."""
    source = spec.kernels()[cell.kernel]["callbacks"][bench(cell)["callback"]]["python"]
    return eval(source)  # noqa: S307 - spec files are part of the repo


def inputs(cell: spec.Cell, n: int) -> Inputs:
    """n normal numbers (read-only) and the bytes of the callback's answers for them."""
    values = normal_values(n)
    values.setflags(write=False)
    fn = callback(cell)
    return values, bits([fn(x) for x in values.tolist()], as_list=True)


def case(fn: Callable[..., Any], cell: spec.Cell, n: int, given: Inputs) -> Call:
    array, want = given
    values, callback_fn = array.tolist(), callback(cell)

    def check() -> None:
        if bits(fn(values, callback_fn), as_list=True) != want:
            raise AssertionError(f"wrong answer from {cell.function} (n={n})")

    return plain(fn, (values, callback_fn), check)


def payload_bytes(cell: spec.Cell, n: int) -> int:
    """8 per float64."""
    return 8 * n


def _raises_keyerror(x: float) -> float:
    raise KeyError("boom")


def _returns_str(x: float) -> str:
    return "x"


BAD_INPUT_NAMES: dict[str, Callable[[spec.Cell], Any]] = {
    "RAISES_KEYERROR": lambda cell: _raises_keyerror,
    "RETURNS_STR": lambda cell: _returns_str,
}
