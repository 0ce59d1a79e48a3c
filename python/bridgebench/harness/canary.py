"""A fixed reference workload timed within every sample: how fast was the machine just then?

Why: on the shared 2-core VMs this project runs on, the whole VM changes speed. A
pure-Python loop takes 1.5 ms in the fast state and up to 2.7 ms in the slow ones, CPU
time and wall time alike, switching within milliseconds and in stretches up to minutes;
on some days the fast state is rare (1-8 % of the time) and the mixture drifts within
one run (the canary's median over 100 s went from 118 us to 85 us in one run on
2026-12-03). A cell timed in a slow
stretch is not slower: the machine is. So the timing loop runs this canary between the
chunks of every sample (timing.py, CHUNKS: the state changes within milliseconds), and
the parent brings each sample to one fixed machine speed, the one at which this canary
takes NOMINAL_NS, along the cell's own elasticity within the range of canaries the cell
was measured in, and beyond it along one elasticity for every cell (`scale_within`).

The scale is a constant, not measured per run: the fastest state a run sees is itself
not a constant (the median of the worker processes' fastest canaries moved 6 % between
two full runs on 2026-12-03, the Rust side's 6-18 %) and it moved every figure of the
run with it. Rejecting slow samples instead (what this did until 2026-12-03) keeps
nothing on a day without a fast state (docs/METHODOLOGY.md). The canary is a pure-Python
loop, like the code being timed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from time import perf_counter_ns
from typing import Any

# Loop iterations: about 50-70 us in the fast state, short next to a 5 ms sample.
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


# The machine speed every Python-side figure is brought to: a canary time in the middle of
# the range this project's VM spans on a day with slow states (47-85 us on 2026-12-03), so
# that on such a day each cell is brought to it along its own slope, within the range it
# was measured in. A steady day can sit outside it (37-44 us all night after that), hence
# `scale_within`. On any machine, a figure is then "ns per call when the machine runs the
# canary in 60 us"; the time the run really saw is `raw_median_ns` beside it.
NOMINAL_NS = 60_000.0

# How a cell's time follows the machine's state is the cell's own: when the canary runs
# 1.6x slower, a pure-Python call runs about 1.6x slower, a PyO3 call that spends its
# time in Rust allocating about 1.2x (slopes of log time on log canary, 2026-12-03: 0.35
# to 1.5 across cells, within 0.06 between two runs for half of them). So each cell's
# elasticity is fitted on its own pooled samples: the Theil-Sen slope (the median of the
# slopes between every two samples), robust against the odd sample an interrupt spoils.
# Two samples whose canaries differ by less than MIN_LOG_SPREAD (in log terms: 10 %)
# say nothing about the slope and are not paired; a cell with fewer than MIN_PAIRS
# informative pairs (all its samples taken in one state) gets FALLBACK_ELASTICITY.
MIN_LOG_SPREAD = 0.1
MIN_PAIRS = 10
FALLBACK_ELASTICITY = 1.0


def elasticity(samples_ns: Sequence[float], canaries_ns: Sequence[float]) -> tuple[float, int]:
    """How much a cell's samples slow, in log terms, per unit their canaries slow: the
    Theil-Sen slope, and the number of sample pairs it is the median of (0: the fallback).
    Samples of 0 ns (a call no slower than the empty loop) are left out."""
    points = [
        (math.log(c), math.log(s)) for s, c in zip(samples_ns, canaries_ns, strict=True) if s > 0
    ]
    slopes = [
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
        if abs(x2 - x1) >= MIN_LOG_SPREAD
    ]
    if len(slopes) < MIN_PAIRS:
        return FALLBACK_ELASTICITY, 0
    return statistics.median(slopes), len(slopes)


def normalize(
    samples_ns: Sequence[float],
    canaries_ns: Sequence[float],
    reference_ns: float,
    elasticity: float,
) -> list[float]:
    """Each sample brought to the machine speed at which the canary takes `reference_ns`:
    x (reference / its canary) ** elasticity, one canary per sample."""
    return [
        s * (reference_ns / c) ** elasticity for s, c in zip(samples_ns, canaries_ns, strict=True)
    ]


def scale_within(
    samples_ns: Sequence[float], canaries_ns: Sequence[float], reference_ns: float
) -> dict[str, Any]:
    """A cell's samples brought to the speed at which the canary takes `reference_ns`, as
    the fields of its record: `samples_ns`, `elasticity`, `elasticity_pairs`. Both sides
    scale through here (commands/bench.py, criterion.py). The cell's fitted slope is used
    only within the interquartile range of its canaries: the samples are brought along it
    to the point of that range nearest `reference_ns`, and from there to `reference_ns`
    along FALLBACK_ELASTICITY.

    Why: on a steady day every canary sits on one side of the nominal speed, and the
    slopes, fitted on the few samples an interrupt slowed, differ between runs. The Rust
    side (2026-12-03, canaries near 14.9 us, nominal 18 us): four runs extrapolated along
    them agreed pairwise within 5 % for 68 % of the benches, where their unscaled medians
    agreed for 99 %; rescored this way, 99 %. The Python side (that night, canaries near
    38 us, nominal 60 us): two full runs 36.4 % along the slopes, 99.3 % unscaled, 98.0 %
    this way. Outside the samples' own range a slope is a guess; one guess for every cell
    keeps two runs comparable. When the nominal speed is inside that range (a day with
    both states), the slope takes every sample the whole way."""
    within = reference_ns  # no samples: nothing to scale
    if len(canaries_ns) >= 2:
        low, _, high = statistics.quantiles(canaries_ns, n=4)
        within = min(max(reference_ns, low), high)
    elif canaries_ns:
        within = canaries_ns[0]
    slope, pairs = elasticity(samples_ns, canaries_ns)
    beyond = (reference_ns / within) ** FALLBACK_ELASTICITY
    return {
        "samples_ns": [s * beyond for s in normalize(samples_ns, canaries_ns, within, slope)],
        "elasticity": slope,
        "elasticity_pairs": pairs,
    }
