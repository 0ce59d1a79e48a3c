"""Fold criterion's estimates (Rust-side benches) into the results' cell records.

Criterion writes target/criterion/<group>/<id>/new/{benchmark,estimates,sample}.json. The
Rust benches (benches/rust/) name the group after the cell and the function after the
bridge, with the input size as the parameter where there is one.

Each record gets the same fields as a Python-side cell: the median and its 95 %
confidence interval as criterion estimated them (its own bootstrap), the per-iteration
time of every criterion sample (`samples_ns`, from sample.json) with their quartiles and
IQR, and the spread flags of bridgebench.stats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bridgebench import spec, stats


def _wanted_sizes(cell: str, quick: bool | None) -> set[int | None] | None:
    """The sizes this run's mode measures, or None for any (no filtering)."""
    if quick is None:
        return None
    bench = spec.kernels()[spec.cells()[cell].kernel].get("bench", {})
    if "sizes" not in bench:
        return {None}  # a scalar kernel
    return set(bench["quick_sizes" if quick else "sizes"])


def _samples_ns(sample_file: Path) -> list[float]:
    """Per-iteration time of each criterion sample (a sample times `iters` iterations)."""
    if not sample_file.is_file():
        return []
    sample = json.loads(sample_file.read_text())
    return [t / i for t, i in zip(sample["times"], sample["iters"], strict=True) if i > 0]


def read(criterion_dir: Path, *, quick: bool | None = None) -> list[dict[str, Any]]:
    """Every registered Rust-side (cell, bridge, size) criterion measured under criterion_dir.

    `quick` (True/False) keeps only the sizes of that mode's sweep (`quick_sizes`/`sizes`):
    criterion never deletes the folders of sizes an earlier run of the other mode measured,
    and their stale estimates must not be folded in. None keeps everything.
    """
    records = []
    rust_bridges = {b.module: b.name for b in spec.bridges() if b.side == "rust"}
    for bench_file in sorted(criterion_dir.glob("**/new/benchmark.json")):
        meta = json.loads(bench_file.read_text())
        estimates = json.loads((bench_file.parent / "estimates.json").read_text())
        cell, bridge = meta["group_id"], meta["function_id"]
        if cell not in spec.cells() or bridge not in rust_bridges:
            continue  # a bench that is not a registry cell (none today)
        size = int(meta["value_str"]) if meta.get("value_str") else None
        wanted = _wanted_sizes(cell, quick)
        if wanted is not None and size not in wanted:
            continue
        median = estimates["median"]
        med = float(median["point_estimate"])
        ci = (
            float(median["confidence_interval"]["lower_bound"]),
            float(median["confidence_interval"]["upper_bound"]),
        )
        samples = _samples_ns(bench_file.parent / "sample.json")
        q1, q3 = stats.quartiles(samples) if samples else (med, med)
        records.append(
            {
                "side": "rust",
                "bridge": rust_bridges[bridge],
                "cell": cell,
                "size": size,
                "status": "ok",
                "median_ns": med,
                "ci95_ns": list(ci),
                "quartiles_ns": [q1, q3],
                "iqr_ns": q3 - q1,
                "samples_ns": samples,
                "flags": stats.spread_flags(med, q1, q3, ci),
                "source": "criterion",
            }
        )
        if meta.get("throughput"):  # scalar cells have none
            records[-1]["throughput"] = meta["throughput"]
    return records
