"""A fixed reference workload timed around every sample: is the machine in its fast state?

Why: on the shared 2-core VMs this project runs on, the host slows the whole VM down by
about 1.8x for stretches of 50 ms to several seconds (an idle machine, a pure-Python
loop: 1.5 ms in one state, 2.7 ms in the other, CPU time and wall time alike — see
docs/METHODOLOGY.md). A cell timed in a slow stretch is not slower, the machine is. So
the timing loop runs this canary just before and just after every sample, and a sample
whose canary ran more than TOLERANCE times slower than the fastest canary of its process
is not used (it is retried, and counted as rejected). The canary is a pure-Python loop,
like the code being timed; its time is compared only within one process, so memory
layout differences between processes do not matter.
"""

from __future__ import annotations

from time import perf_counter_ns

# Measured here (a probe after 10 ms of other Python code, 600 probes over 8 s): fast-state
# probes at 1.07-1.3x the fastest ever seen, slow-state probes at 1.7-2.2x, few between.
TOLERANCE = 1.3
# Loop iterations: about 70 us in the fast state, short next to a 10 ms sample.
ITERATIONS = 1000
# Calibration at the start of a process, before any sample: this long. The reference
# keeps falling whenever a faster canary is seen, and the parent judges every sample
# against its process's final reference, so a process that starts in a slow stretch
# has its early samples judged correctly too (`judge` below).
CALIBRATION_NS = 300_000_000


def canary_ns() -> int:
    """One run of the fixed workload, in ns."""
    start = perf_counter_ns()
    acc = 0
    for i in range(ITERATIONS):
        acc = (acc + i * i) & 0xFFFF
    return perf_counter_ns() - start


class Canary:
    """The fastest canary this process has seen, and the test of one sample against it."""

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
        returns its time and lowers the reference if faster."""
        canary_ns()
        ns = canary_ns()
        self.best_ns = min(self.best_ns, ns)
        return ns

    def steady(self, probe_ns: int) -> bool:
        """Whether a canary time is within TOLERANCE of the fastest one."""
        return probe_ns <= TOLERANCE * self.best_ns


def judge(
    samples_ns: list[float], canaries_ns: list[int], best_ns: int, tolerance: float = TOLERANCE
) -> list[float]:
    """The samples whose canary was within `tolerance` of `best_ns`, the fastest canary
    of their process (the bench, criterion's benches) or of the whole run (timeit-check's
    short processes). The Rust benches have a canary of their own and log its tolerance."""
    return [s for s, c in zip(samples_ns, canaries_ns, strict=True) if c <= tolerance * best_ns]
