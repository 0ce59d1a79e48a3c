"""A fixed reference workload timed around every sample: how fast was the machine just then?

Why: on the shared 2-core VMs this project runs on, the whole VM changes speed. A
pure-Python loop takes 1.5 ms in the fast state and up to 2.7 ms in the slow ones, CPU
time and wall time alike, in stretches of 50 ms to minutes; on some days the fast state
is rare (1-8 % of the time) and the mixture drifts within one run (the canary's median
over 100 s went from 118 us to 85 us in one run on 2026-12-03). A cell timed in a slow
stretch is not slower: the machine is. So the timing loop runs this canary just before
and just after every sample, and the parent brings each sample to one fixed machine
speed, the one at which this canary takes NOMINAL_NS: `state` reads the machine's speed
around each sample from the nearby canaries, `normalize` scales the sample by it.

The scale is a constant, not measured per run: the fastest state a run sees is itself
not a constant (the median of the worker processes' fastest canaries moved 6 % between
two full runs on 2026-12-03, the Rust side's 6-18 %) and it moved every figure of the
run with it. Rejecting slow samples instead (what this did until 2026-12-03) keeps
nothing on a day without a fast state (docs/METHODOLOGY.md). The canary is a pure-Python
loop, like the code being timed.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from time import perf_counter_ns

# Loop iterations: about 70 us in the fast state, short next to a 5 ms sample.
ITERATIONS = 1000
# Calibration at the start of a process, before any sample: the canary's code warmed up,
# and a first `Canary.best_ns` (reported to the parent and kept in the results as a
# record of how fast that run's machine got; no figure depends on it).
CALIBRATION_NS = 100_000_000


def canary_ns() -> int:
    """One run of the fixed workload, in ns."""
    start = perf_counter_ns()
    acc = 0
    for i in range(ITERATIONS):
        acc = (acc + i * i) & 0xFFFF
    return perf_counter_ns() - start


class Canary:
    """The canary of one process, and the fastest run of it this process has seen."""

    def __init__(self) -> None:
        self.best_ns = canary_ns()

    def calibrate(self) -> None:
        """Run the canary for CALIBRATION_NS."""
        start = perf_counter_ns()
        while perf_counter_ns() - start < CALIBRATION_NS:
            self.probe()

    def probe(self) -> int:
        """Run the canary twice and keep the second, warm, run (a first run right after
        other code is up to 1.5x slower for cache reasons, not the machine's state);
        returns its time and lowers `best_ns` if faster."""
        canary_ns()
        ns = canary_ns()
        self.best_ns = min(self.best_ns, ns)
        return ns


# `state` takes the median of the canaries of this many samples either side of a sample.
# One canary reading is short (2 x 70 us) and is thrown off by an interrupt or a stall
# the 5 ms sample hardly feels; the machine's states last 50 ms to minutes, longer than
# the ~11 samples (tens of ms) of the window. Judged on the samples of a full run
# (2026-12-03, docs/METHODOLOGY.md): within 5 % across the two halves of the run for 56 %
# of the cells scaled by each sample's own canary, 65 % by this median.
STATE_HALF_WINDOW = 5


def state(canaries_ns: Sequence[float], half_window: int = STATE_HALF_WINDOW) -> list[float]:
    """The machine's speed around each sample: the median of the canaries of the samples
    taken just before and after it. `canaries_ns` must be in the order they were taken."""
    return [
        statistics.median(canaries_ns[max(0, i - half_window) : i + half_window + 1])
        for i in range(len(canaries_ns))
    ]


# The machine speed every Python-side figure is brought to: the canary's time in the fast
# state of the VM this project is measured on (60-75 us on 2026-12-03). On any machine,
# a figure is then "ns per call when the machine runs the canary in 70 us"; the time the
# run really saw is `raw_median_ns` beside it.
NOMINAL_NS = 70_000.0
# How much a sample slows, in log terms, per unit the canary slows: judged on two full
# runs of 2026-12-03 (docs/METHODOLOGY.md), 1.2 agreed best between the runs; the Python
# calls slow a little more than the bare loop of the canary does. The Rust side's canary
# tracks its benches at 1.0.
ELASTICITY = 1.2


def normalize(
    samples_ns: Sequence[float],
    states_ns: Sequence[float],
    reference_ns: float = NOMINAL_NS,
    elasticity: float = ELASTICITY,
) -> list[float]:
    """Each sample brought to the machine speed at which the canary takes `reference_ns`:
    x (reference / the state around it) ** elasticity. `states_ns` are `state`'s reading
    of the canaries, one per sample."""
    return [
        s * (reference_ns / c) ** elasticity for s, c in zip(samples_ns, states_ns, strict=True)
    ]
