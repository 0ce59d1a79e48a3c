"""The loop every figure of a call is taken in: a call's statement compiled into a loop.

Timing (bridgebench.harness.timing) and counting (bridgebench.harness.count_child) run the
same function, made here for each `Call` (bridgebench.kernels): its statement is the body
of a `for` loop over an iterator, in a function whose parameters are the call's names, so
each name is a local variable (a module-level loop costs about twice as much: field
notes). `start` runs right before the loop and `stop` right after it: a clock read for
timing, a counter read or a callgrind toggle for counting.

For `fn(a0, a1)` this is the bytecode a hand-written loop has: the names are loaded with
LOAD_FAST, no tuple is unpacked per call (as `fn(*args)` would), no bound method is
made unless the statement makes one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import cache
from itertools import repeat
from typing import Any, TypeVar

from bridgebench.kernels import Call

T = TypeVar("T")

_TEMPLATE = """\
def loop(_it, _start, _stop, {params}):
    _t0 = _start()
    for _ in _it:
{body}
    return _t0, _stop()
"""

# The loop with nothing in it: what timing subtracts from a sample.
EMPTY = Call("pass", {}, lambda: None)


@cache
def _compiled(stmt: str, names: tuple[str, ...]) -> Callable[..., tuple[Any, Any]]:
    source = _TEMPLATE.format(
        params=", ".join(names), body=textwrap.indent(textwrap.dedent(stmt), " " * 8)
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<loop of {stmt!r}>", "exec"), namespace)  # noqa: S102 - our own source
    loop: Callable[..., tuple[Any, Any]] = namespace["loop"]
    return loop


def run(call: Call, calls: int, start: Callable[[], T], stop: Callable[[], T]) -> tuple[T, T]:
    """`calls` executions of the call's statement between `start()` and `stop()`; what
    each returned."""
    loop = _compiled(call.stmt, tuple(call.names))
    return loop(repeat(None, calls), start, stop, *call.names.values())


def nothing() -> None:
    """A `start` or `stop` that does nothing (warm-up runs)."""
