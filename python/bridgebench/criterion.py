"""Fold criterion's estimates (Rust-side benches) into the results' cell records.

Criterion writes target/criterion/<group>/<id>/new/{benchmark,estimates}.json. The Rust
benches (benches/rust/) name the group after the cell and the function after the
bridge, with the input size as the parameter where there is one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bridgebench import spec


def read(criterion_dir: Path) -> list[dict[str, Any]]:
    records = []
    rust_bridges = {b.module: b.name for b in spec.bridges() if b.side == "rust"}
    for bench_file in sorted(criterion_dir.glob("**/new/benchmark.json")):
        meta = json.loads(bench_file.read_text())
        estimates = json.loads((bench_file.parent / "estimates.json").read_text())
        cell, bridge = meta["group_id"], meta["function_id"]
        if cell not in spec.cells() or bridge not in rust_bridges:
            continue  # a bench that is not a registry cell (none today)
        size = int(meta["value_str"]) if meta.get("value_str") else None
        median = estimates["median"]
        records.append(
            {
                "side": "rust",
                "bridge": rust_bridges[bridge],
                "cell": cell,
                "size": size,
                "status": "ok",
                "median_ns": median["point_estimate"],
                "ci95_ns": [
                    median["confidence_interval"]["lower_bound"],
                    median["confidence_interval"]["upper_bound"],
                ],
                "source": "criterion",
            }
        )
    return records
