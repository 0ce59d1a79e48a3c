"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in a function-local loop (module-level loops cost
about twice as much: field notes). `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone. A canary (harness/canary.py) runs just before and just after
every sample, so the parent can bring each sample to the nominal machine speed.

The worker takes its samples round-robin: one sample of every case (cell and size), then
the next round. So a cell's samples are spread over the whole life of the process, not
bunched in one moment of it (docs/METHODOLOGY.md, "Why round-robin").
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from time import perf_counter_ns
from typing import Any

from bridgebench.harness.canary import STATE_HALF_WINDOW, Canary, state


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


def calibrate(fn: Callable[..., Any], args: tuple[Any, ...], target_ns: int) -> int:
    loops = 1
    while True:
        if _time_calls(fn, args, loops) >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


@dataclass
class Timing:
    """One case's samples in one process, in the order they were taken."""

    loops: int  # calls per sample
    samples_ns: list[float] = field(default_factory=list)  # per call, loop overhead subtracted
    canary_ns: list[float] = field(default_factory=list)  # per sample: mean of the two canaries
    overheads_ns: list[float] = field(default_factory=list)  # per iteration of the empty loop

    @property
    def loop_overhead_ns(self) -> float:
        return statistics.median(self.overheads_ns)


@dataclass
class Case:
    """A calibrated call: what `sample` times, and the check of its answer."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    check: Callable[[], None]
    timing: Timing


def prepare(
    fn: Callable[..., Any], args: tuple[Any, ...], check: Callable[[], None], target_ns: int
) -> Case:
    """Calibrate `loops` (its last, full-length try is the warm-up), check the answer once."""
    loops = calibrate(fn, args, target_ns)
    check()
    return Case(fn, args, check, Timing(loops))


def sample(case: Case, canary: Canary) -> None:
    """Take one sample of `case`, with a canary on each side, then check the answer
    (outside the timing: rebar's habit, a bridge that is fast because it is wrong fails).

    The other cases ran since this one's last sample and evicted its data from the
    caches, so a tenth of a sample's calls runs first, untimed, as a warm-up. Not for
    fewer than 10 calls: a call of 0.5 ms or more refills its caches within itself, and
    a whole extra call per sample was a fifth of the full run's time.
    """
    t = case.timing
    if t.loops >= 10:
        _time_calls(case.fn, case.args, t.loops // 10)
    before = canary.probe()
    empty = _time_empty(t.loops)
    elapsed = _time_calls(case.fn, case.args, t.loops)
    after = canary.probe()
    case.check()
    t.overheads_ns.append(empty / t.loops)
    t.samples_ns.append(max(elapsed - empty, 0) / t.loops)
    t.canary_ns.append((before + after) / 2)


def states(timings: list[Timing], half_window: int = STATE_HALF_WINDOW) -> list[list[float]]:
    """The machine's state around each sample of round-robin `timings` (canary.py,
    `state`): their canaries put back in the order they were taken, round by round and
    case by case, so a sample's neighbours are the samples just before and after it."""
    rounds = min((len(t.canary_ns) for t in timings), default=0)
    taken = [t.canary_ns[r] for r in range(rounds) for t in timings]
    read = state(taken, half_window)
    return [read[j :: len(timings)] for j in range(len(timings))]
