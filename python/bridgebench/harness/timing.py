"""Calibrated timing loops, the same shape for every bridge.

A sample is `loops` back-to-back calls in the loop bridgebench.harness.loops compiles
for the call's statement. `loops` is calibrated so a sample lasts at least
`target_ns`; the cost of the empty loop is measured the same way and subtracted, so the
figure is the call alone. Nothing else changes a sample: it is the time this machine took.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from time import perf_counter_ns

from bridgebench.harness import canary
from bridgebench.harness import loops as loops_
from bridgebench.kernels import Call


def _time_calls(call: Call, loops: int) -> int:
    """ns that `loops` executions of the call's statement took."""
    t0, t1 = loops_.run(call, loops, perf_counter_ns, perf_counter_ns)
    return t1 - t0


# A calibration try of fewer calls than this that reaches the target is timed once more,
# and the faster of the two counts: one stall in a single call (the machine's, or the
# first call into cold code) would otherwise fix `loops` at 1 for a call of 2 us.
RETIME_BELOW = 16


def calibrate(call: Call, target_ns: int) -> int:
    """The smallest power of two of calls that lasts at least `target_ns`."""
    loops = 1
    while True:
        elapsed = _time_calls(call, loops)
        if elapsed >= target_ns and loops < RETIME_BELOW:
            elapsed = min(elapsed, _time_calls(call, loops))
        if elapsed >= target_ns or loops >= 1 << 30:
            return loops
        loops *= 2


@dataclass
class Case:
    """A call to time, the check of its answer, and the samples taken so far."""

    call: Call
    loops: int  # calls per sample
    samples_ns: list[float] = field(default_factory=list)  # per call, empty loop subtracted
    overheads_ns: list[float] = field(default_factory=list)  # per iteration of the empty loop
    canary_ns: list[int] = field(default_factory=list)  # the canary right after each sample

    @property
    def loop_overhead_ns(self) -> float:
        return statistics.median(self.overheads_ns)


def prepare(call: Call, target_ns: int, loops: int | None = None) -> Case:
    """Check the answer (rebar's habit: a bridge that is fast because it is wrong fails;
    the call also warms the code up), then calibrate `loops` unless an earlier process
    did (pyperf's habit: every process then takes samples of the same length)."""
    call.check()
    return Case(call, loops or calibrate(call, target_ns))


def sample(case: Case) -> None:
    """Take one sample of `case`, then probe the canary.

    The process's other cases ran since this one's last sample and evicted its data from
    the caches, so a tenth of a sample's calls runs first, untimed. Not for fewer than 10
    calls: a call of 0.5 ms or more refills its caches within itself.
    """
    if case.loops >= 10:
        _time_calls(case.call, case.loops // 10)
    empty = _time_calls(loops_.EMPTY, case.loops)
    elapsed = _time_calls(case.call, case.loops)
    case.overheads_ns.append(empty / case.loops)
    case.samples_ns.append(max(elapsed - empty, 0) / case.loops)
    case.canary_ns.append(canary.probe())
