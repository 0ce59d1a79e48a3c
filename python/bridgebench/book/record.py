"""The committed results file the book renders its figures from, and lookups in it.

The book names its record in docs/book/book.toml (`[preprocessor.bridgebench] record`);
records are whole results files of a full run, kept under benches/records/<id>/
(`python -m bridgebench record` adds one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from bridgebench import spec

RECORDS = spec.ROOT / "benches" / "records"
# How an n/a reason starts when the run's interpreter has no build of the bridge
# (spec.Bridge.not_built_reason).
NOT_BUILT = "not built for CPython "
Record = dict[str, Any]


class BookError(Exception):
    """A directive the book cannot render; the message names the page and what to do."""


@dataclass(frozen=True)
class Book:
    """One record, loaded: its cells by (bridge, cell, size), its models and outcomes."""

    folder: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.folder.name

    @cached_property
    def cells(self) -> dict[tuple[str, str, int | None], Record]:
        """Every measured record by (bridge, cell, size): the bridges' and the examples'
        (the registry's [[example]] entries, whose `bridge` is the example's name)."""
        every = [*self.data["cells"], *self.data.get("examples", [])]
        return {(c["bridge"], c["cell"], c.get("size")): c for c in every}

    def cell(self, bridge: str, cell: str, size: int | None) -> Record:
        """The measured record of a cell; BookError when the record has none."""
        rec = self.cells.get((bridge, cell, size))
        if rec is None:
            sizes = sorted(
                str(s) for (b, c, s) in self.cells if b == bridge and c == cell and s is not None
            )
            hint = f" (sizes in the record: {', '.join(sizes)})" if sizes else ""
            raise BookError(f"record {self.id} has no {bridge} {cell} at n={size}{hint}")
        if rec.get("status") != "ok":
            raise BookError(
                f"record {self.id}: {bridge} {cell} n={size} is {rec.get('status')}"
                f" ({rec.get('reason', 'no reason')}), not a measured figure"
            )
        return rec

    def predates(self, bridge: str) -> bool:
        """Whether the record was taken before `bridge` joined the registry: it holds no row
        of it at all (a run gives every bridge it measures a row per cell, n/a ones too)."""
        return all(b != bridge for (b, _, _) in self.cells)

    def not_built(self, bridge: str) -> str | None:
        """Why the record's run had no build of `bridge`, or None: the harness gives a bridge
        not built for its interpreter (the registry's [bridge.python]) only n/a rows, with
        the reason "not built for CPython X.Y...", and no bad-input outcomes or build figures
        (commands/bench.py, commands/build_figures.py)."""
        rows = [r for (b, _, _), r in self.cells.items() if b == bridge]
        if not rows or any(r.get("status") != "n/a" for r in rows):
            return None
        why = [r["reason"] for r in rows if str(r.get("reason")).startswith(NOT_BUILT)]
        return str(why[0]) if why else None

    def model(self, bridge: str, cell: str) -> Record:
        for m in self.data.get("models", []):
            if m["bridge"] == bridge and m["cell"] == cell:
                return dict(m)
        raise BookError(f"record {self.id} has no fitted model for {bridge} {cell}")

    def outcomes(self, bridge: str) -> list[Record]:
        return [o for o in self.data.get("outcomes", []) if o["bridge"] == bridge]


def load(folder: Path) -> Book:
    path = folder / "results.json"
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise BookError(
            f"cannot read the book's record {path} ({exc}): name an existing folder of "
            f"{RECORDS} in docs/book/book.toml ([preprocessor.bridgebench] record)"
        ) from exc
    if data.get("mode") != "full":
        raise BookError(f"{path} is a {data.get('mode')} run: the book renders a full run only")
    return Book(folder, data)
