"""The one CPU every timing process runs on.

On the 2-core VM this project is measured on, a process that starts running on a CPU that
was idle runs up to 1.7x slower for up to a second or so. The harness's timing runs one
process at a time, and Linux starts a forked child or a new process on the idle CPU, so
each of the harness's short-lived children met that slow start. Measured on 2026-12-06,
a worker's child timing `add` (10 samples of 2 ms) was slow in 22, 8 and 29 of 30
children when the scheduler placed them, and in 2, 6 and 0 of 30 when every process ran
on one CPU; pyperf-check's harness/pyperf ratios were up to 1.9 before the pin
(docs/METHODOLOGY.md). So the timing runs on one CPU, kept busy from round to round.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def one_cpu() -> Iterator[int | None]:
    """Run the block, and every process it starts, on one CPU: the highest-numbered this
    process may use (CPU 0 takes more of the interrupts). Yields it, or None where the
    OS has no affinity call (then nothing is pinned)."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    allowed = os.sched_getaffinity(0)
    cpu = max(allowed)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, allowed)
