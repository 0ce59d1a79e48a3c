"""From measured rounds to the time figures of a results record: both sides, one rule.

A record's time is the median of every sample the run took of it, in ns, as measured
(stats.summarize). Its ratio is that median over the median of the floor's record (the
registry's `floor = true` bridge of the same side) for the same cell and size, measured
side by side in the same rounds: on the Python side each round runs every bridge of a
cell within seconds (harness/rounds.py), on the Rust side each criterion pass runs every
bridge of a cell one after the other. Where the floor lacks the cell, the floor's cell of
the same kernel with the `objects` strategy stands in (summarize.protobuf against
summarize.objects: the same records, in the form a caller would otherwise pass).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridgebench import spec, stats
from bridgebench.harness.rounds import Timings

Record = dict[str, Any]


def timed_record(
    side: str, bridge: str, cell: str, size: int | None, rounds: Sequence[Sequence[float]]
) -> Record:
    """An ok record with its time fields from each round's samples."""
    return {
        "side": side,
        "bridge": bridge,
        "cell": cell,
        "size": size,
        "status": "ok",
        "rounds": len(rounds),
        **stats.summarize(rounds),
    }


def error_record(side: str, bridge: str, cell: str, size: int | None, error: str) -> Record:
    """The record of a cell that could not be measured, saying why."""
    return {
        "side": side,
        "bridge": bridge,
        "cell": cell,
        "size": size,
        "status": "error",
        "error": error,
    }


def python_records(timings: Timings) -> list[Record]:
    """A record per timed (bridge, cell, size), an error record per failed (bridge, cell)."""
    records = []
    for (bridge, cell, size), t in timings.timed.items():
        if (bridge, cell) in timings.errors:
            continue
        rec = timed_record("python", bridge, cell, size, t.rounds)
        rec["loops"] = t.loops
        rec["loop_overhead_ns"] = t.loop_overhead_ns
        records.append(rec)
    for (bridge, cell), error in timings.errors.items():
        records.append(error_record("python", bridge, cell, None, error))
    return records


def ratio_cell(side: str, cell: str) -> str | None:
    """The floor's cell a record of `cell` is divided by, or None if it has none."""
    floor = spec.floor(side)
    if cell in floor.cells:
        return cell
    kernel = spec.cells()[cell].kernel
    stand_ins = [
        c.name
        for c in spec.cells().values()
        if c.kernel == kernel and c.strategy == "objects" and c.name in floor.cells
    ]
    return stand_ins[0] if stand_ins else None


def add_ratios(records: list[Record]) -> None:
    """Set `ratio`, `ratio_ci95` and `ratio_to` on every timed record whose floor record
    (same side and size, `ratio_cell`) was timed in the same run."""
    timed = {
        (r["side"], r["bridge"], r["cell"], r["size"]): r
        for r in records
        if r["status"] == "ok" and "round_samples_ns" in r
    }
    for (side, _, cell, size), rec in timed.items():
        to_cell = ratio_cell(side, cell)
        floor = timed.get((side, spec.floor(side).name, to_cell, size)) if to_cell else None
        if (
            floor is None
            or floor["median_ns"] <= 0
            or len(floor["round_samples_ns"]) != len(rec["round_samples_ns"])
        ):
            continue
        lo, hi = stats.ratio_ci(rec["round_samples_ns"], floor["round_samples_ns"])
        rec["ratio"] = rec["median_ns"] / floor["median_ns"]
        rec["ratio_ci95"] = [lo, hi]
        rec["ratio_to"] = {"bridge": floor["bridge"], "cell": floor["cell"]}
