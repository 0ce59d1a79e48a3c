"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in a function-local loop (module-level loops cost
about twice as much: field notes). `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone. Nothing else changes a sample: it is the time this machine took.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from time import perf_counter_ns
from typing import Any

from bridgebench.harness import canary


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


# A calibration try of fewer calls than this that reaches the target is timed once more,
# and the faster of the two counts: one stall in a single call (the machine's, or the
# first call into cold code) would otherwise fix `loops` at 1 for a call of 2 us.
RETIME_BELOW = 16


def calibrate(fn: Callable[..., Any], args: tuple[Any, ...], target_ns: int) -> int:
    """The smallest power of two of calls that lasts at least `target_ns`."""
    loops = 1
    while True:
        elapsed = _time_calls(fn, args, loops)
        if elapsed >= target_ns and loops < RETIME_BELOW:
            elapsed = min(elapsed, _time_calls(fn, args, loops))
        if elapsed >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


@dataclass
class Case:
    """A call to time, the check of its answer, and the samples taken so far."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    check: Callable[[], None]
    loops: int  # calls per sample
    samples_ns: list[float] = field(default_factory=list)  # per call, empty loop subtracted
    overheads_ns: list[float] = field(default_factory=list)  # per iteration of the empty loop
    canary_ns: list[int] = field(default_factory=list)  # the canary right after each sample

    @property
    def loop_overhead_ns(self) -> float:
        return statistics.median(self.overheads_ns)


def prepare(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    check: Callable[[], None],
    target_ns: int,
    loops: int | None = None,
) -> Case:
    """Check the answer (rebar's habit: a bridge that is fast because it is wrong fails;
    the call also warms the code up), then calibrate `loops` unless an earlier process
    did (pyperf's habit: every process then takes samples of the same length)."""
    check()
    return Case(fn, args, check, loops or calibrate(fn, args, target_ns))


def sample(case: Case) -> None:
    """Take one sample of `case`, then probe the canary.

    The process's other cases ran since this one's last sample and evicted its data from
    the caches, so a tenth of a sample's calls runs first, untimed. Not for fewer than 10
    calls: a call of 0.5 ms or more refills its caches within itself.
    """
    if case.loops >= 10:
        _time_calls(case.fn, case.args, case.loops // 10)
    empty = _time_empty(case.loops)
    elapsed = _time_calls(case.fn, case.args, case.loops)
    case.overheads_ns.append(empty / case.loops)
    case.samples_ns.append(max(elapsed - empty, 0) / case.loops)
    case.canary_ns.append(canary.probe())
