"""What else ran on the machine while a phase was measured: Linux's /proc/stat, less the
CPU time of this process and its children.

`Load.start()` before the phase, `.stop()` after it: the CPU that other processes used, in
cores on average, and the share of time the hypervisor gave this VM's CPUs to someone else
(steal). A busy neighbour shows here even where it hardly moves the figures, and the
report says so beside them (bridgebench.steadiness).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

STAT = Path("/proc/stat")


def _cpu_ticks() -> tuple[int, int, int] | None:
    """(busy, total, steal) ticks of every CPU together, or None where /proc/stat is not."""
    try:
        first = STAT.read_text().splitlines()[0].split()
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal, steal


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time of the phase
    others_cores: float | None  # CPU other processes used, in cores on average
    steal_share: float | None  # share of all CPU time the hypervisor stole


@dataclass
class Load:
    """The counters at the start of a phase (children must be waited for before stop)."""

    wall: float
    own: float
    ticks: tuple[int, int, int] | None

    @classmethod
    def start(cls) -> Load:
        return cls(time.monotonic(), _own_seconds(), _cpu_ticks())

    def stop(self) -> Measured:
        wall = time.monotonic() - self.wall
        own = _own_seconds() - self.own
        now = _cpu_ticks()
        if self.ticks is None or now is None or now[1] == self.ticks[1]:
            return Measured(wall, None, None)
        busy, total, steal = (b - a for a, b in zip(self.ticks, now, strict=True))
        hz = os.sysconf("SC_CLK_TCK")
        cpus = os.cpu_count() or 1
        others = max(busy / hz - own, 0.0) / (total / hz / cpus)
        return Measured(wall, others, steal / total)
