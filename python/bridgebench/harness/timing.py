"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in a function-local loop (module-level loops cost
about twice as much: field notes). `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone. A canary (harness/canary.py) runs just before and after every
sample; a sample taken while the machine was in its slow state is retried.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from time import perf_counter_ns
from typing import Any

from bridgebench.harness.canary import Canary


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


# A cell stops retrying after this many attempts per wanted sample (a long slow stretch
# must not stall the run); the parent flags a cell with too few steady samples.
MAX_ATTEMPTS_PER_SAMPLE = 8


@dataclass(frozen=True)
class Timing:
    loops: int  # calls per sample
    samples_ns: list[float]  # per call, loop overhead subtracted
    canary_ns: list[int]  # per sample: the slower of the canaries around it
    loop_overhead_ns: float  # per iteration of the empty loop (median)
    rejected: int  # samples retried because a canary was slow

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ns)

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.samples_ns) < 2:
            return self.samples_ns[0], self.samples_ns[0]
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
    canary: Canary,
) -> Timing:
    """Time fn(*args); `check` verifies the answer after every sample (outside the timing).

    Returns `samples` steady samples, or fewer after MAX_ATTEMPTS_PER_SAMPLE * samples
    attempts; every sample keeps its canary so the parent can judge it again against the
    process's final reference.
    """
    loops = calibrate(fn, args, target_ns)
    _time_calls(fn, args, loops)  # warm-up sample, discarded
    check()
    per_call: list[float] = []
    canaries: list[int] = []
    overheads: list[float] = []
    rejected = 0
    for _ in range(samples * MAX_ATTEMPTS_PER_SAMPLE):
        before = canary.probe()
        empty = _time_empty(loops)
        elapsed = _time_calls(fn, args, loops)
        after = canary.probe()
        slower = max(before, after)
        if not canary.steady(slower):
            rejected += 1
            continue
        check()  # only kept samples: a check of a 10^6-element answer takes ~50 ms
        overheads.append(empty / loops)
        per_call.append(max(elapsed - empty, 0) / loops)
        canaries.append(slower)
        if len(per_call) == samples:
            break
    if not per_call:  # never steady: keep the last attempt, the parent flags the cell
        overheads.append(empty / loops)
        per_call.append(max(elapsed - empty, 0) / loops)
        canaries.append(slower)
    return Timing(loops, per_call, canaries, statistics.median(overheads), rejected)
