"""From measured rounds to the time figures of a results record: both sides, one rule.

A record's time is the median of every sample the run took of it, in ns, as measured
(stats.summarize). Its ratio is to the floor (the registry's `floor = true` bridge of the
same side) for the same cell and size (spec.floor_cell): each of the record's samples has
a sample of the floor's call taken right beside it (`round_floor_ns`: harness/worker.py on
the Python side, benches/rust/common.rs on the Rust side), and the ratio is the median of
the pairs' ratios. A pair met one state of the machine, which its ratio cancels. The
interval resamples whole rounds (processes), whose pairs share a memory layout.
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
        if any(t.floor_rounds):
            rec["round_floor_ns"] = t.floor_rounds
            rec["floor_loops"] = t.floor_loops
        records.append(rec)
    for (bridge, cell), error in timings.errors.items():
        records.append(error_record("python", bridge, cell, None, error))
    return records


def pair_ratios(
    rounds: Sequence[Sequence[float]], floor: Sequence[Sequence[float]]
) -> list[list[float]]:
    """Each round's ratios of a sample to the floor's sample beside it (pairs whose floor
    sample came out at 0 ns or less, all loop overhead, are left out)."""
    return [
        [a / b for a, b in zip(r, f, strict=True) if b > 0]
        for r, f in zip(rounds, floor, strict=True)
    ]


def add_ratios(records: list[Record]) -> None:
    """Set `ratio`, `ratio_ci95` and `ratio_to` on every timed record that has the floor's
    samples beside its own (and on the floor's own records: 1). An example's record
    (benches/bridges.toml [[example]]) has its `beside` bridge's samples beside its own:
    its ratio is to that bridge's cell, and `beside_median_ns` is their median."""
    for rec in records:
        if rec["status"] != "ok" or "round_samples_ns" not in rec:
            continue
        floor = spec.floor(rec["side"]).name
        if rec["bridge"] == floor:
            rec["ratio"], rec["ratio_ci95"] = 1.0, [1.0, 1.0]
            rec["ratio_to"] = {"bridge": floor, "cell": rec["cell"]}
            continue
        subject = spec.measured(rec["bridge"])
        pair = spec.paired_with(subject, rec["cell"])
        if pair is None or "round_floor_ns" not in rec:
            continue
        if isinstance(subject, spec.Example):
            rec["beside_median_ns"] = stats.median([x for r in rec["round_floor_ns"] for x in r])
        ratios = pair_ratios(rec["round_samples_ns"], rec["round_floor_ns"])
        every = [x for r in ratios for x in r]
        if not every:
            continue
        rec["ratio"] = stats.median(every)
        rec["ratio_to"] = {"bridge": pair[0].name, "cell": pair[1]}
        if len(every) >= 2:  # one pair alone (a quick run) has no interval
            rec["ratio_ci95"] = list(stats.bootstrap_ci(ratios))
