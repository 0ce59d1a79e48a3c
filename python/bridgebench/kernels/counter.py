"""`counter` (benches/kernels/counter.toml): call shapes on one native Counter.

Each cell is a statement on a Counter `c` built from the spec's `start`, timed as written:
a method call, the same by keyword, a property read, a property write, and a call refused
with TypeError (the loop's `except` is part of what a caller pays for a refusal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridgebench import spec
from bridgebench.kernels import Call, Shared, bench, reference_answer

STATEMENTS = {
    "method": "c.bump(by)",
    "kwargs": "c.bump(by=by)",
    "get": "c.value",
    "set": "c.value = set_to",
    "fail": "try:\n    c.bump(refused)\nexcept TypeError:\n    pass",
}


def inputs(cell: spec.Cell, n: None) -> None:
    """Nothing worth sharing: one small object, built in the measuring child."""


def case(cls: Callable[..., Any], cell: spec.Cell, n: None, given: None) -> Call:
    """The cell's statement on `cls(start)`, with the spec's values as locals."""
    values = bench(cell)
    c = cls(values["start"])
    names = {"c": c, **{k: values[k] for k in ("by", "set_to", "refused")}}

    def check() -> None:
        before = c.value
        want = reference_answer(cell, before)  # the reference's Counter(before)
        if cell.strategy in ("method", "kwargs"):
            got = c.bump(values["by"]) if cell.strategy == "method" else c.bump(by=values["by"])
            ok = got == want.bump(values["by"]) == c.value
        elif cell.strategy == "get":
            ok = before == want.value == values["start"]
        elif cell.strategy == "set":
            c.value = values["set_to"]
            ok = c.value == values["set_to"]
        else:
            try:
                c.bump(values["refused"])
            except TypeError:
                ok = c.value == before
            else:
                ok = False
        if not ok:
            raise AssertionError(f"{cell.name}: `{STATEMENTS[cell.strategy]}` is wrong")

    return Call(STATEMENTS[cell.strategy], names, check)


def payload_bytes(cell: spec.Cell, n: None) -> int:
    """8 for the int64 a call passes in; none for a read; the refused str's bytes."""
    if cell.strategy == "get":
        return 0
    if cell.strategy == "fail":
        return len(str(bench(cell)["refused"]).encode())
    return 8


# Thread probes (bridgebench.harness.threads): one Counter bumped by every thread.
SHARED = {"method": "object"}


def shared(cls: Callable[..., Any], cell: spec.Cell, n: int) -> Shared:
    """Counter(0), bump(1) per call: its value counts the bumps it kept."""
    counter = cls(0)
    return Shared("object", "bumps", lambda: counter.bump(1), lambda k: (k - counter.value, k))
