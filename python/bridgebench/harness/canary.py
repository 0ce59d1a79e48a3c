"""A fixed pure-Python workload timed after every sample: how fast was the machine then?

No figure is scaled by it. The canaries of a run tell how steady the machine was while it
was measured (bridgebench.steadiness): on the shared 2-core VMs this project runs on, the
whole VM changes speed by up to 1.8x within milliseconds and for stretches of minutes,
and a reader must know whether the run they read met such moods.
"""

from __future__ import annotations

from time import perf_counter_ns

# Loop iterations: about 40-80 us, short next to a 5 ms sample.
ITERATIONS = 1000


def _once() -> int:
    start = perf_counter_ns()
    acc = 0
    for i in range(ITERATIONS):
        acc = (acc + i * i) & 0xFFFF
    return perf_counter_ns() - start


def probe() -> int:
    """The canary's time in ns: the second of two runs, since a first run right after
    other code is up to 1.5x slower for cache reasons, not the machine's."""
    _once()
    return _once()
