"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in a function-local loop (module-level loops cost
about twice as much: field notes). `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from time import perf_counter_ns
from typing import Any


def _time_calls(fn: Callable[[Any, Any], Any], a: Any, b: Any, loops: int) -> int:
    start = perf_counter_ns()
    for _ in repeat(None, loops):
        fn(a, b)
    return perf_counter_ns() - start


def _time_empty(loops: int) -> int:
    start = perf_counter_ns()
    for _ in repeat(None, loops):
        pass
    return perf_counter_ns() - start


@dataclass(frozen=True)
class Timing:
    loops: int  # calls per sample
    samples_ns: list[float]  # per call, loop overhead subtracted
    loop_overhead_ns: float  # per iteration of the empty loop (median)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ns)

    @property
    def quartiles(self) -> tuple[float, float]:
        q = statistics.quantiles(self.samples_ns, n=4, method="inclusive")
        return q[0], q[2]


def calibrate(fn: Callable[[Any, Any], Any], a: Any, b: Any, target_ns: int) -> int:
    loops = 1
    while True:
        if _time_calls(fn, a, b, loops) >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


def measure(
    fn: Callable[[Any, Any], Any],
    a: Any,
    b: Any,
    *,
    samples: int,
    target_ns: int,
    check: Callable[[], None],
) -> Timing:
    """Time fn(a, b); `check` verifies the answer after every sample (outside the timing)."""
    loops = calibrate(fn, a, b, target_ns)
    _time_calls(fn, a, b, loops)  # warm-up sample, discarded
    check()
    per_call: list[float] = []
    overheads: list[float] = []
    for _ in range(samples):
        empty = _time_empty(loops)
        elapsed = _time_calls(fn, a, b, loops)
        check()
        overheads.append(empty / loops)
        per_call.append(max(elapsed - empty, 0) / loops)
    return Timing(loops, per_call, statistics.median(overheads))
