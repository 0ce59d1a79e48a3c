"""What a count child (bridgebench.harness.count_child) tells its parent
(bridgebench.harness.counts): typed records, one per line (bridgebench.harness.messages)."""

from __future__ import annotations

from dataclasses import dataclass

from bridgebench.harness.messages import Failed


@dataclass(frozen=True)
class AllocLoops:
    """One cell and size: the allocator's counters over loops of N1 and N2 calls."""

    cell: str
    size: int | None
    loops: list[int]  # N1, N2
    totals: list[dict[str, int]]  # hooks.AllocCounters' fields, per loop
    live_growth: list[int]  # live bytes after the loop less before it, both settled
    live_objects_growth: list[int]  # the kernel's count of live native objects, likewise
    peak_rss_bytes: int


@dataclass(frozen=True)
class TracemallocPeak:
    """One cell and size: the Python heap's peak during one call (a second pass)."""

    cell: str
    size: int | None
    bytes: int


@dataclass(frozen=True)
class InstructionLoops:
    """One cell and size: the names of the callgrind dumps of loops of N1 and N2 calls."""

    cell: str
    size: int | None
    loops: list[int]
    dumps: list[str]


Message = AllocLoops | TracemallocPeak | InstructionLoops | Failed
TYPES = (AllocLoops, TracemallocPeak, InstructionLoops, Failed)
