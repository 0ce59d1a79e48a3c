"""A results file as the report reads it: records by cell, series, sizes and colours.

A *series* is what one bar or line stands for: (side, bridge, label). The label is only
shown when the file holds several (a merged file from several machines or jobs), so a
single run reads "pybind11" and a merge "pybind11 · machine-a".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bridgebench import spec

Record = dict[str, Any]

# One colour per registered bridge, in registry order (deterministic across reports);
# the pure-Python reference is drawn in near-black.
PALETTE = (
    "#1f2937", "#e45756", "#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2",
    "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac", "#17becf", "#8c6d31", "#637939",
    "#d6616b", "#7b4173",
)  # fmt: skip
# The two sides, in the order every section shows them.
SIDES = (("python", "Python calls native"), ("rust", "Rust calls across"))
# The size whose figures stand for a sequence cell in bars and count tables (counted in
# quick and full runs alike: harness.counts.QUICK_SIZES).
PREFERRED_SIZE = 1000


@dataclass(frozen=True, order=True)
class Series:
    order: int  # registry position, so series sort as the registry lists bridges
    side: str
    bridge: str
    label: str | None


def unit(kernel: str) -> str:
    return str(spec.kernels()[kernel].get("bench", {}).get("unit", "element"))


def color(bridge: str) -> str:
    names = [b.name for b in spec.bridges()]
    index = names.index(bridge) if bridge in names else len(names)
    return PALETTE[index % len(PALETTE)]


class View:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.cells: list[Record] = data["cells"]
        self.models: list[Record] = data.get("models", [])
        self.outcomes: list[Record] = data.get("outcomes", [])
        self.labels = sorted({c["label"] for c in self.cells if c.get("label")})

    @property
    def merged(self) -> bool:
        return len(self.labels) > 1

    def series(self, rec: Record) -> Series:
        names = [b.name for b in spec.bridges()]
        order = names.index(rec["bridge"]) if rec["bridge"] in names else len(names)
        side = rec.get("side") or spec.bridge(rec["bridge"]).side
        return Series(order, side, rec["bridge"], rec.get("label") if self.merged else None)

    def name(self, series: Series) -> str:
        return series.bridge + (f" · {series.label}" if series.label else "")

    @cached_property
    def kernels(self) -> list[str]:
        """Kernels with at least one record, in spec order."""
        present = {c["cell"] for c in self.cells}
        return [k for k in spec.kernels() if any(c in present for c in self.kernel_cells(k))]

    def kernel_cells(self, kernel: str) -> list[str]:
        """The kernel's cells in the order its TOML declares them."""
        return [name for name, c in spec.cells().items() if c.kernel == kernel]

    def records(self, cell: str, status: str | None = None) -> list[Record]:
        return [
            c for c in self.cells if c["cell"] == cell and (status is None or c["status"] == status)
        ]

    def sizes(self, cell: str) -> list[int]:
        return sorted({c["size"] for c in self.records(cell, "ok") if c["size"] is not None})

    def is_sequence(self, cell: str) -> bool:
        return bool(self.sizes(cell))

    def representative_size(self, cell: str) -> int | None:
        """n = 1000 when measured, else the largest size every timed series has, else the
        largest size: quick runs and merges of partial runs still get one bar per series."""
        sizes = self.sizes(cell)
        if not sizes:
            return None
        if PREFERRED_SIZE in sizes:
            return PREFERRED_SIZE
        per_series: dict[Series, set[int]] = {}
        for rec in self.records(cell, "ok"):
            per_series.setdefault(self.series(rec), set()).add(rec["size"])
        common = set.intersection(*per_series.values())
        return max(common) if common else sizes[-1]

    def at(self, cell: str, size: int | None) -> list[Record]:
        """The ok records of a cell at one size, in series order."""
        recs = [r for r in self.records(cell, "ok") if r["size"] == size]
        return sorted(recs, key=self.series)

    def sweep(self, cell: str) -> dict[Series, list[Record]]:
        """Every series' ok records of a cell, by size."""
        out: dict[Series, list[Record]] = {}
        for rec in sorted(self.records(cell, "ok"), key=lambda r: r["size"] or 0):
            if rec["size"] is not None:
                out.setdefault(self.series(rec), []).append(rec)
        return dict(sorted(out.items()))

    def not_measured(self, cells: Iterable[str] | None = None) -> list[Record]:
        """n/a and error records (of `cells`, or all), in series order."""
        wanted = set(cells) if cells is not None else None
        recs = [
            c for c in self.cells if c["status"] != "ok" and (wanted is None or c["cell"] in wanted)
        ]
        return sorted(recs, key=lambda r: (self.series(r), r["cell"], r["size"] or 0))

    def model(self, series: Series, cell: str) -> Record | None:
        for m in self.models:
            if m["bridge"] == series.bridge and m["cell"] == cell:
                if not self.merged or m.get("label") == series.label:
                    return m
        return None

    def environments(self) -> list[tuple[str, Record]]:
        """(title, environment) of the single run, or of every source of a merged file."""
        if "sources" in self.data:
            return [
                (f"{s['label']} ({s['mode']}, {s['created']})", s["environment"])
                for s in self.data["sources"]
            ]
        return [(f"{self.data['mode']} run, {self.data['created']}", self.data["environment"])]
