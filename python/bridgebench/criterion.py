"""Fold criterion's samples (Rust-side benches) into the results' cell records.

Criterion writes <pass>/<group>/<id>/new/{benchmark,estimates,sample}.json. The Rust benches
(benches/rust/) name the group after the cell and the function after the bridge, with the
input size as the parameter where there is one. A full run runs every bench binary more
than once, each pass into a folder of its own (`cargo xtask bench`: target/criterion/pass-<k>),
so a bench's samples come from several processes and moments of the run, as on the Python
side; a quick run has one pass.

A pass is a round (bridgebench.figures): each record's time fields are computed from its
passes' samples (per-iteration ns, as measured) with the Python side's code. Each sample
of a bridge other than the floor (`rust`) was taken beside a sample of the floor's call
(benches/rust/common.rs), which the bench wrote to <pass>/floor-pairs/<cell>/<bridge>[/<n>].json
for every call criterion made (warm-up first): the last ones, which must match criterion's
samples exactly, become the record's `round_floor_ns`. Criterion's own median (of its
samples, the median over passes) is kept beside ours as `criterion_median_ns`.

Beside each pass, `cargo xtask bench` leaves `machine-load.json`: how much CPU other
processes used while it ran (crates/xtask, like harness/load.py on the Python side).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bridgebench import figures, spec

RERUN = "rerun the Rust side: `cargo xtask bench --side rust`"
LOAD_FILE = "machine-load.json"
Key = tuple[str, str, int | None]  # group (cell), function (bridge module), size


def _wanted_sizes(cell: str, quick: bool | None) -> set[int | None] | None:
    """The sizes this run's mode measures, or None for any (no filtering)."""
    if quick is None:
        return None
    bench = spec.kernels()[spec.cells()[cell].kernel].get("bench", {})
    if "sizes" not in bench:
        return {None}  # a scalar kernel
    return set(bench["quick_sizes" if quick else "sizes"])


def _samples(folder: Path) -> list[float]:
    """One pass of one bench: every sample, in ns per iteration."""
    sample = json.loads((folder / "sample.json").read_text())
    return [t / i for t, i in zip(sample["times"], sample["iters"], strict=True)]


def _floor_samples(pass_folder: Path, key: Key, bench: Path) -> list[float] | None:
    """The floor's sample beside each of criterion's samples of one bench in one pass, in
    ns per iteration; None for the floor's own benches, which are not paired."""
    cell, bridge, size = key
    path = pass_folder / "floor-pairs" / cell / bridge
    path = (path / str(size) if size is not None else path).with_suffix(".json")
    if not path.exists():
        if bridge == spec.floor("rust").module:
            return None
        raise ValueError(f"no floor samples beside criterion's in {path}; {RERUN}")
    pairs = json.loads(path.read_text())
    sample = json.loads((bench / "sample.json").read_text())
    n = len(sample["iters"])
    iters, row, floor = (pairs[k][-n:] for k in ("iters", "row_ns", "floor_ns"))
    if iters != sample["iters"] or row != sample["times"]:
        raise ValueError(f"{path} does not match criterion's samples in {bench}; {RERUN}")
    return [t / i for t, i in zip(floor, iters, strict=True)]


def _benches(folder: Path, quick: bool | None) -> dict[Key, Path]:
    """The registered Rust-side benches criterion measured in one pass: key -> its
    `new/` folder. `quick` keeps only that mode's sizes (see `read`)."""
    rust_bridges = {b.module for b in spec.bridges() if b.side == "rust"}
    out = {}
    for bench_file in sorted(folder.glob("**/new/benchmark.json")):
        meta = json.loads(bench_file.read_text())
        cell, bridge = meta["group_id"], meta["function_id"]
        if cell not in spec.cells() or bridge not in rust_bridges:
            continue  # a bench that is not a registry cell (none today)
        size = int(meta["value_str"]) if meta.get("value_str") else None
        wanted = _wanted_sizes(cell, quick)
        if wanted is None or size in wanted:
            out[(cell, bridge, size)] = bench_file.parent
    return out


def _fold(
    key: Key, passes: Sequence[Path], found: list[Path | None]
) -> tuple[list[list[float]], list[list[float]] | None, float]:
    """Every pass's samples of one bench, the floor's beside them (None for the floor),
    and criterion's median over the passes."""
    rounds, floors, medians = [], [], []
    for index, (pass_folder, folder) in enumerate(zip(passes, found, strict=True)):
        if folder is None:
            have = next(f for f in found if f is not None)
            raise ValueError(f"measured in {have} but not in pass {index + 1}; {RERUN}")
        rounds.append(_samples(folder))
        floors.append(_floor_samples(pass_folder, key, folder))
        estimates = json.loads((folder / "estimates.json").read_text())
        medians.append(float(estimates["median"]["point_estimate"]))
    paired = [f for f in floors if f is not None]
    return rounds, (paired if len(paired) == len(floors) else None), statistics.median(medians)


def read(passes: Sequence[Path], *, quick: bool | None = None) -> list[dict[str, Any]]:
    """Every registered Rust-side (cell, bridge, size) criterion measured in the pass
    folders `passes` (one criterion home each), its passes pooled.

    `quick` (True/False) keeps only the sizes of that mode's sweep (`quick_sizes`/`sizes`):
    criterion never deletes the folders of sizes an earlier run of the other mode measured,
    and their stale estimates must not be folded in. None keeps everything.
    """
    rust_bridges = {b.module: b.name for b in spec.bridges() if b.side == "rust"}
    found = [_benches(folder, quick) for folder in passes]
    records = []
    for key in sorted({k for f in found for k in f}, key=lambda k: (k[0], k[1], k[2] or -1)):
        cell, bridge, size = key
        try:
            rounds, floor_rounds, criterion_median = _fold(key, passes, [f.get(key) for f in found])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            records.append(figures.error_record("rust", rust_bridges[bridge], cell, size, str(exc)))
            continue
        record = figures.timed_record("rust", rust_bridges[bridge], cell, size, rounds)
        record["source"] = "criterion"
        record["criterion_median_ns"] = criterion_median
        if floor_rounds is not None:
            record["round_floor_ns"] = floor_rounds
        meta = json.loads((next(f[key] for f in found if key in f) / "benchmark.json").read_text())
        if meta.get("throughput"):  # scalar cells have none
            record["throughput"] = meta["throughput"]
        records.append(record)
    return records


def load(passes: Sequence[Path]) -> dict[str, Any] | None:
    """The other processes' load over every pass that left a LOAD_FILE: cores on average
    and steal share, weighted by each pass's wall time; None if no pass left one."""
    loads = []
    for folder in passes:
        try:
            loads.append(json.loads((folder / LOAD_FILE).read_text()))
        except (OSError, ValueError):
            continue
    if not loads:
        return None
    seconds = sum(x["seconds"] for x in loads)

    def weighted(name: str) -> float | None:
        if seconds <= 0 or any(x.get(name) is None for x in loads):
            return None
        return sum(x[name] * x["seconds"] for x in loads) / seconds

    return {
        "seconds": seconds,
        "others_cores": weighted("others_cores"),
        "steal_share": weighted("steal_share"),
    }
