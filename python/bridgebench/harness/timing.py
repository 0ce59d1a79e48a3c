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


def _time_calls(fn: Callable[..., Any], args: tuple[Any, ...], loops: int) -> int:
    # One loop per arity: a `fn(*args)` call would add the cost of unpacking to every call.
    it = repeat(None, loops)
    if len(args) == 1:
        (a,) = args
        start = perf_counter_ns()
        for _ in it:
            fn(a)
        return perf_counter_ns() - start
    if len(args) == 2:
        a, b = args
        start = perf_counter_ns()
        for _ in it:
            fn(a, b)
        return perf_counter_ns() - start
    if len(args) == 4:
        a, b, c, d = args
        start = perf_counter_ns()
        for _ in it:
            fn(a, b, c, d)
        return perf_counter_ns() - start
    raise ValueError(f"no timing loop for {len(args)} arguments: add one in {__file__}")


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


def calibrate(fn: Callable[..., Any], args: tuple[Any, ...], target_ns: int) -> int:
    loops = 1
    while True:
        if _time_calls(fn, args, loops) >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


def measure(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    samples: int,
    target_ns: int,
    check: Callable[[], None],
) -> Timing:
    """Time fn(*args); `check` verifies the answer after every sample (outside the timing)."""
    loops = calibrate(fn, args, target_ns)
    _time_calls(fn, args, loops)  # warm-up sample, discarded
    check()
    per_call: list[float] = []
    overheads: list[float] = []
    for _ in range(samples):
        empty = _time_empty(loops)
        elapsed = _time_calls(fn, args, loops)
        check()
        overheads.append(empty / loops)
        per_call.append(max(elapsed - empty, 0) / loops)
    return Timing(loops, per_call, statistics.median(overheads))
