"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in a function-local loop (module-level loops cost
about twice as much: field notes). `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone. A canary (harness/canary.py) runs between the chunks of every
sample, so the parent can bring each sample to the nominal machine speed.

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


# A calibration try of fewer calls than this that reaches the target is timed once more,
# and the faster of the two counts. One stall in a single call (the machine's, or the
# first call into cold code) otherwise fixes `loops` at 1 for a call of 2 us: in a full
# run of 2026-12-03 one cell had loops = 1 in all 16 processes and came out 10x slower
# (each sample a single cold call) than in the run before.
RETIME_BELOW = 16


def calibrate(fn: Callable[..., Any], args: tuple[Any, ...], target_ns: int) -> int:
    loops = 1
    while True:
        elapsed = _time_calls(fn, args, loops)
        if elapsed >= target_ns and loops < RETIME_BELOW:
            elapsed = min(elapsed, _time_calls(fn, args, loops))
        if elapsed >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


@dataclass
class Timing:
    """One case's samples in one process, in the order they were taken."""

    loops: int  # calls per sample
    samples_ns: list[float] = field(default_factory=list)  # per call, loop overhead subtracted
    canary_ns: list[float] = field(default_factory=list)  # per sample: its probes' mean
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


# Canary probes inside one sample: its calls run in CHUNKS equal chunks with a probe
# before each and after the last. The machine's state changes within milliseconds, so a
# canary on each side of a 5 ms sample misses much of what happened during it: on
# 2026-12-03, over 800 samples each of five cells, the spread of the scaled samples (sd
# of their logs) was 0.12-0.16 with one probe each side and 0.06 (0.12 for the noisiest
# cell) with the probes between 10 chunks (docs/METHODOLOGY.md). A power of two, like
# `loops`, so the chunks are equal.
CHUNKS = 8


def sample(case: Case, canary: Canary) -> None:
    """Take one sample of `case` with canary probes interleaved (CHUNKS), then check the
    answer (outside the timing: rebar's habit, a bridge that is fast because it is wrong
    fails). The sample's canary is the mean over its chunks of the probes on either side.

    The other cases ran since this one's last sample and evicted its data from the
    caches, so a tenth of a sample's calls runs first, untimed, as a warm-up. Not for
    fewer than 10 calls: a call of 0.5 ms or more refills its caches within itself, and
    a whole extra call per sample was a fifth of the full run's time.
    """
    t = case.timing
    if t.loops >= 10:
        _time_calls(case.fn, case.args, t.loops // 10)
    chunks = min(CHUNKS, t.loops)
    per_chunk = t.loops // chunks
    calls = per_chunk * chunks
    empty = sum(_time_empty(per_chunk) for _ in range(chunks))
    elapsed = 0
    probes = [canary.probe()]
    for _ in range(chunks):
        elapsed += _time_calls(case.fn, case.args, per_chunk)
        probes.append(canary.probe())
    case.check()
    t.overheads_ns.append(empty / calls)
    t.samples_ns.append(max(elapsed - empty, 0) / calls)
    # Each chunk's canary is the mean of the probes either side of it.
    t.canary_ns.append((sum(probes) - (probes[0] + probes[-1]) / 2) / chunks)
