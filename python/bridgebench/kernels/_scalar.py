"""A kernel of two int64 arguments and an int64 answer (add, checked_div)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridgebench import spec
from bridgebench.kernels import Call, bench, plain, reference_answer


def inputs(cell: spec.Cell, n: None) -> None:
    """Nothing worth sharing: two ints."""


def case(fn: Callable[..., Any], cell: spec.Cell, n: None, given: None) -> Call:
    """The spec's [bench] args, checked against the reference's answer for them."""
    a, b = bench(cell)["args"]
    want = reference_answer(cell, a, b)

    def check() -> None:
        if fn(a, b) != want:
            raise AssertionError(f"wrong answer from {cell.function}({a}, {b})")

    return plain(fn, (a, b), check)


def payload_bytes(cell: spec.Cell, n: None) -> int:
    """8 per int64 argument."""
    return 8 * len(bench(cell)["args"])
