"""The figures of a count run, made from what its child measured (count_messages): per
call, as differences of two loop lengths; the copy factor; the leak verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridgebench import kernels, spec
from bridgebench.harness.count_messages import AllocLoops, InstructionLoops

# "leak": live bytes grew by at least this much per call in both loops, and by at least
# LEAK_MIN_BYTES over the long loop (see leak_verdict).
LEAK_MIN_BYTES_PER_CALL = 1.0
LEAK_MIN_BYTES = 4096


class CountsError(RuntimeError):
    """A count run that could not be made (tool missing, child failed)."""


def per_call(values: tuple[int, int], n: tuple[int, int]) -> float:
    """(X(N2) - X(N1)) / (N2 - N1)."""
    return (values[1] - values[0]) / (n[1] - n[0])


def payload_bytes(cell: spec.Cell, size: int | None) -> int:
    """The bytes of input a call carries, the denominator of the copy factor (the cell's
    kernel module says how many: bridgebench.kernels)."""
    n: int = kernels.of(cell).payload_bytes(cell, size)
    return n


def leak_verdict(grew: tuple[int, int], n: tuple[int, int], objects: tuple[int, int]) -> str:
    """ "leak" when what a loop leaves behind grows with the number of calls, else "ok".

    grew[i]: live bytes after loop i minus before it, both taken after gc.collect();
    n[i]: its calls; objects[i]: the change of the kernel's count of live native objects
    over it (0 if it has none). A leak: live bytes grew by >= LEAK_MIN_BYTES_PER_CALL per
    call in BOTH loops, the per-call growth of the two agrees within 25% (proportional to
    the calls, so a one-off cache fill is not a leak), and the long loop grew by >=
    LEAK_MIN_BYTES (settled live bytes wobble by a few dozen bytes between runs:
    address-keyed tables resize at other moments, which two calls of a big input would
    otherwise read as a leak); or live objects grew in both loops.
    """
    if objects[0] > 0 and objects[1] > 0:
        return "leak"
    g1, g2 = grew[0] / n[0], grew[1] / n[1]
    proportional = abs(g2 - g1) <= 0.25 * max(g1, g2)
    if min(g1, g2) >= LEAK_MIN_BYTES_PER_CALL and proportional and grew[1] >= LEAK_MIN_BYTES:
        return "leak"
    return "ok"


@dataclass(frozen=True)
class AllocFigures:
    """Allocations per call of one cell and size (docs/COUNTS.md: the fields)."""

    cell: str
    size: int | None
    loops: list[int]
    allocs_per_call: float
    reallocs_per_call: float
    frees_per_call: float
    bytes_per_call: float
    payload_bytes: int
    copy_factor: float | None
    live_bytes_per_call: float
    live_growth: list[int]
    live_objects_growth: list[int]
    leak: str
    peak_rss_bytes: int
    tracemalloc_peak_bytes: int | None = None  # from the child's second pass

    def result_fields(self) -> dict[str, Any]:
        """The fields a results record takes (its loops as `alloc_loops`)."""
        fields = {k: v for k, v in vars(self).items() if k not in ("cell", "size", "loops")}
        return {**fields, "alloc_loops": self.loops}


@dataclass(frozen=True)
class InstructionFigures:
    """Instructions per call of one cell and size, and the two loops' totals."""

    cell: str
    size: int | None
    loops: list[int]
    instructions: list[int]
    instructions_per_call: float

    def result_fields(self) -> dict[str, Any]:
        """The fields a results record takes (its loops as `instruction_loops`)."""
        return {
            "instructions": self.instructions,
            "instructions_per_call": self.instructions_per_call,
            "instruction_loops": self.loops,
        }


Figures = AllocFigures | InstructionFigures


def allocs(raw: AllocLoops) -> AllocFigures:
    n = (raw.loops[0], raw.loops[1])
    t1, t2 = raw.totals
    per = {key: per_call((t1[key], t2[key]), n) for key in ("allocs", "reallocs", "frees", "bytes")}
    grew = (raw.live_growth[0], raw.live_growth[1])
    objects = (raw.live_objects_growth[0], raw.live_objects_growth[1])
    payload = payload_bytes(spec.cells()[raw.cell], raw.size)
    return AllocFigures(
        cell=raw.cell,
        size=raw.size,
        loops=list(n),
        allocs_per_call=per["allocs"],
        reallocs_per_call=per["reallocs"],
        frees_per_call=per["frees"],
        bytes_per_call=per["bytes"],
        payload_bytes=payload,
        copy_factor=per["bytes"] / payload if payload > 0 else None,
        live_bytes_per_call=per_call(grew, n),
        live_growth=list(grew),
        live_objects_growth=list(objects),
        leak=leak_verdict(grew, n, objects),
        peak_rss_bytes=raw.peak_rss_bytes,
    )


def instructions(raw: InstructionLoops, totals: dict[str, int]) -> InstructionFigures:
    """`totals`: the instructions of each callgrind dump, by its name."""
    n = (raw.loops[0], raw.loops[1])
    missing = [d for d in raw.dumps if d not in totals]
    if missing:
        raise CountsError(f"callgrind wrote no dump named {missing} ({raw.cell})")
    counts = (totals[raw.dumps[0]], totals[raw.dumps[1]])
    return InstructionFigures(raw.cell, raw.size, list(n), list(counts), per_call(counts, n))
