"""A fixed reference workload timed around every sample: how fast was the machine just then?

Why: on the shared 2-core VMs this project runs on, the whole VM changes speed. A
pure-Python loop takes 1.5 ms in the fast state and up to 2.7 ms in the slow ones, CPU
time and wall time alike, in stretches of 50 ms to minutes; on some days the fast state
is rare (1-8 % of the time) and the mixture drifts within one run (the canary's median
over 100 s went from 118 us to 85 us in one run on 2026-12-03). A cell timed in a slow
stretch is not slower: the machine is. So the timing loop runs this canary just before
and just after every sample, and the parent brings each sample to the machine's fast
state: sample x (the run's reference / this sample's canary), `normalize` below; the
reference is the median over the run's processes of each one's fastest canary
(commands/bench.py, `reference_ns`).
Rejecting slow samples instead (what this did until 2026-12-03) keeps nothing on a day
without a fast state, and its medians agreed between two runs for 18 % of the cells
where normalizing agreed for 64 % (docs/METHODOLOGY.md). The canary is a pure-Python
loop, like the code being timed.
"""

from __future__ import annotations

from time import perf_counter_ns

# Loop iterations: about 70 us in the fast state, short next to a 5 ms sample.
ITERATIONS = 1000
# Calibration at the start of a process, before any sample: this long, so the process's
# fastest canary (`Canary.best_ns`, reported to the parent) has had a chance to see the
# fast state.
CALIBRATION_NS = 300_000_000


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
        """Run the canary for CALIBRATION_NS to find a first reference."""
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


def normalize(
    samples_ns: list[float], canaries_ns: list[float], reference_ns: float
) -> list[float]:
    """Each sample scaled to the machine's fast state: x reference / its own canary.

    `reference_ns` is one figure for the whole run (every process of every bridge runs
    the same canary code), so one run's figures share one scale, and two runs' scales
    differ only by how far their references differ.
    """
    return [s * reference_ns / c for s, c in zip(samples_ns, canaries_ns, strict=True)]
