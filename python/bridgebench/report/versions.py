"""Across CPython versions: a merged file whose labels are interpreters (`cargo xtask bench
--python all` labels each py<X.Y>) compared cell by cell, each figure beside the same
bridge's on the base version (3.11 when present, else the oldest).

Instruction counts are exact, so their ratio is the change; times come from separate runs
(one per interpreter, minutes apart) and are shown as measured, with the ratio of medians.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bridgebench.report import svg
from bridgebench.report.fmt import count, esc, md_table, ns, size, table, tag
from bridgebench.report.view import PREFERRED_SIZE, View, color

BASE = "3.11"


@dataclass(frozen=True)
class Versions:
    """The interpreter of each label, in version order, and the base label."""

    labels: tuple[str, ...]
    python: dict[str, str]  # label -> "3.12.1"
    base: str


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


def versions(data: dict[str, Any]) -> Versions | None:
    """The interpreters of a merged file, or None unless it holds two CPython versions or
    more (and one label per version)."""
    python = {
        str(s["label"]): str(s["environment"].get("python", "?")) for s in data.get("sources", [])
    }
    minors = {_minor(v) for v in python.values()}
    if len(minors) < 2 or len(minors) != len(python):
        return None
    labels = tuple(sorted(python, key=lambda label: _minor(python[label])))
    base = next((lb for lb in labels if _minor(python[lb]) == _minor(BASE)), labels[0])
    return Versions(labels, python, base)


def _shown(rec: dict[str, Any]) -> bool:
    return rec.get("status") == "ok" and rec.get("size") in (None, PREFERRED_SIZE)


Key = tuple[str, str, str, Any]  # side, bridge, cell, size


def _table(view: View, vs: Versions) -> tuple[list[Key], dict[tuple[Key, str], dict[str, Any]]]:
    """The keys shown, in registry order, and each version's record by (key, label)."""
    by: dict[tuple[Key, str], dict[str, Any]] = {}
    order: dict[Key, int] = {}
    for rec in view.cells:
        if _shown(rec) and rec.get("label") in vs.labels:
            key = (rec["side"], rec["bridge"], rec["cell"], rec.get("size"))
            by[key, rec["label"]] = rec
            order[key] = view.series(rec).order
    keys = sorted(order, key=lambda k: (order[k], k[2], k[3] or 0))
    return keys, by


def _ratio(new: float | None, base: float | None) -> float | None:
    if new is None or base is None or base <= 0:
        return None
    return new / base


def _times(r: float | None) -> str:
    return "–" if r is None else f"{r:.2f}×"


def rows(view: View, vs: Versions) -> tuple[list[str], list[list[str]]]:
    """Head and text rows: bridge, cell, n, then per version ns and instructions, and for
    each other version the ratios to the base version's."""
    keys, by = _table(view, vs)
    head = ["bridge", "cell", "n"]
    for label in vs.labels:
        head += [f"ns {label}", f"instructions {label}"]
    others = [lb for lb in vs.labels if lb != vs.base]
    for label in others:
        head += [f"ns {label} / {vs.base}", f"instructions {label} / {vs.base}"]
    out: list[list[str]] = []
    for key in keys:
        _, bridge, cell, n = key
        row = [bridge, cell, size(n)]
        for label in vs.labels:
            rec = by.get((key, label))
            row += [
                ns(rec["median_ns"]) if rec else "–",
                count(rec.get("instructions_per_call")) or "–" if rec else "–",
            ]
        base = by.get((key, vs.base)) or {}
        for label in others:
            rec = by.get((key, label)) or {}
            row += [
                _times(_ratio(rec.get("median_ns"), base.get("median_ns"))),
                _times(_ratio(rec.get("instructions_per_call"), base.get("instructions_per_call"))),
            ]
        out.append(row)
    return head, out


def _geomean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def bars(view: View, vs: Versions) -> list[svg.Bar]:
    """Per bridge and version other than the base: the geometric mean over its cells of
    instructions per call / the base version's."""
    keys, by = _table(view, vs)
    found: dict[tuple[int, str, str], list[float]] = {}
    for key in keys:
        base = by.get((key, vs.base))
        for label in vs.labels:
            rec = by.get((key, label))
            if label == vs.base or rec is None or base is None:
                continue
            r = _ratio(rec.get("instructions_per_call"), base.get("instructions_per_call"))
            if r is not None and r > 0:
                order = view.series(rec).order
                found.setdefault((order, key[1], label), []).append(r)
    return [
        svg.Bar(
            label=f"{bridge} · {label}",
            value=_geomean(ratios),
            color=color(bridge),
            note=f"{_geomean(ratios):.3f} ({len(ratios)} cells)",
        )
        for (_, bridge, label), ratios in sorted(found.items())
    ]


def section(view: View) -> str:
    vs = versions(view.data)
    if vs is None:
        return ""
    body = tag("h2", "Across CPython versions")
    body += tag(
        "p",
        esc(
            "Each interpreter measured in its own venv, from its own build: "
            + ", ".join(f"{lb} = CPython {vs.python[lb]}" for lb in vs.labels)
            + f". Ratios are to the same bridge and cell on {vs.base}. Instruction counts are "
            "exact; times come from separate runs, minutes apart, and are shown as measured. "
            f"Cells without sizes, and sequences at n = {PREFERRED_SIZE}."
        ),
    )
    found = bars(view, vs)
    if found:
        body += svg.bar_chart(
            found,
            title=f"Instructions per call / the same cell on {vs.base} (geometric mean per bridge)",
            axis_label=f"× {vs.base} (1 = unchanged; above 1 = more instructions)",
            tick_format=lambda t: f"{t:g}",
            log=False,
        )
    head, text_rows = rows(view, vs)
    numeric = [False, False, True] + [True] * (len(head) - 3)
    body += table(head, [[esc(c) for c in r] for r in text_rows], numeric, class_="data versions")
    return tag("section", body, id="versions")


def markdown(view: View) -> str:
    """The summary's table: per bridge and version, the geometric mean of the instruction
    ratio to the base version."""
    vs = versions(view.data)
    if vs is None:
        return ""
    found = bars(view, vs)
    if not found:
        return ""
    lines = [
        "## Across CPython versions",
        "",
        f"Instructions per call / the same cell on {vs.base} (geometric mean over the cells):",
        "",
        md_table(
            ["bridge · version", "× " + vs.base], [[b.label, b.note] for b in found], [False, True]
        ),
    ]
    return "\n".join(lines) + "\n"
