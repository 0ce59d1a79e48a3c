"""Compare mode: NEW against BASE, cell by cell, by the rule of `bridgebench compare`.

Cells are matched and judged by bridgebench.commands.compare (`matched`, `verdict`): a
change is flagged only beyond the threshold AND outside the noise (the two 95 % CIs do
not overlap). Counts per call are exact, so any difference is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bridgebench.commands import compare as rule
from bridgebench.report import svg
from bridgebench.report.fmt import count, esc, ns, size, table, tag
from bridgebench.report.view import Record, View, color

VERDICT_CLASS = {"slower": "bad", "faster": "good", "same": "", "changed?": "warn"}


@dataclass(frozen=True)
class Change:
    key: tuple[Any, ...]
    base: Record
    new: Record
    ratio: float | None  # NEW/BASE of the medians; None when either is not timed
    verdict: str  # slower / faster / same / changed? / "" (not timed)
    counts: dict[str, tuple[float | None, float | None]]  # only the fields that differ


def changes(base: dict[str, Any], new: dict[str, Any], threshold: float) -> list[Change]:
    """Every cell in both files, in NEW's order."""
    _, old_cells, new_cells, both = rule.matched(base, new)
    out = []
    for key in both:
        b, n = old_cells[key], new_cells[key]
        ratio, verdict = None, ""
        if rule.timed(b, n):
            ratio = n["median_ns"] / b["median_ns"] if b["median_ns"] else math.inf
            verdict = rule.verdict(b, n, threshold)
        diffs = {
            f: (b.get(f), n.get(f))
            for f in rule.COUNT_FIELDS
            if (f in b or f in n) and b.get(f) != n.get(f)
        }
        out.append(Change(key, b, n, ratio, verdict, diffs))
    return out


def flagged(found: list[Change]) -> list[Change]:
    """Time changes beyond the noise, and every count that differs."""
    return [c for c in found if c.verdict in ("slower", "faster") or c.counts]


def _who(view: View, c: Change) -> str:
    return view.name(view.series(c.new))


def _count_text(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return f"{count(old) or '–'} → {count(new) or '–'}"
    return f"{count(old)} → {count(new)} ({new - old:+g})"


def _ratio_chart(view: View, found: list[Change]) -> str:
    """Geometric mean of NEW/BASE per series: which bridge moved, at a glance."""
    logs: dict[Any, list[float]] = {}
    for c in found:
        if c.ratio and math.isfinite(c.ratio) and c.ratio > 0:
            logs.setdefault(view.series(c.new), []).append(math.log(c.ratio))
    bars = [
        svg.Bar(
            label=view.name(series),
            value=math.exp(sum(v) / len(v)),
            color=color(series.bridge),
            note=f"{math.exp(sum(v) / len(v)):.3f} ({len(v)} cells)",
        )
        for series, v in sorted(logs.items())
    ]
    if not bars:
        return ""
    return svg.bar_chart(
        bars,
        title="NEW / BASE per bridge (geometric mean of the median ratios)",
        axis_label="NEW / BASE (1 = unchanged; above 1 = slower)",
        tick_format=lambda t: f"{t:g}",
        log=False,
    )


def _row(view: View, c: Change) -> list[str]:
    verdict = c.verdict if c.verdict not in ("same", "") else ""
    mark = tag("b", esc(verdict)) if verdict else ""
    return [
        esc(_who(view, c)),
        esc(c.new["side"]),
        esc(c.new["cell"]),
        size(c.new["size"]),
        ns(c.base["median_ns"]),
        ns(c.new["median_ns"]),
        f"{c.ratio:.3f}" if c.ratio is not None else "",
        mark,
    ]


def section(
    view: View, base_data: dict[str, Any], new_data: dict[str, Any], threshold: float
) -> str:
    found = changes(base_data, new_data, threshold)
    timed = [c for c in found if c.ratio is not None]
    tally = {
        v: sum(c.verdict == v for c in timed) for v in ("slower", "faster", "same", "changed?")
    }
    head = ["bridge", "side", "cell", "n", "base", "new", "new/base", "change"]
    numeric = [False, False, False, True, True, True, True, False]
    moved = [c for c in timed if c.verdict in ("slower", "faster", "changed?")]
    parts = [
        tag("h2", "Compared with the base"),
        tag(
            "p",
            f"base: {esc(base_data.get('created', '?'))} ({esc(base_data.get('mode', '?'))}); "
            f"new: {esc(new_data.get('created', '?'))} ({esc(new_data.get('mode', '?'))}). "
            f"{len(timed)} timed cells in both: {tally['slower']} slower, {tally['faster']} "
            f"faster, {tally['same']} the same within {threshold:.0%} or the noise"
            + (
                f", {tally['changed?']} changed with no interval to judge"
                if tally["changed?"]
                else ""
            )
            + f". A change is flagged when |new/base − 1| > {threshold:.0%} and the two 95 %"
            " CIs do not overlap (the rule of `bridgebench compare`).",
        ),
    ]
    chart = _ratio_chart(view, found)
    if chart:
        parts.append(tag("figure", chart))
    if moved:
        parts += [
            tag("h3", f"Changes beyond the noise ({len(moved)})"),
            table(
                head,
                [_row(view, c) for c in moved],
                numeric,
                [VERDICT_CLASS[c.verdict] for c in moved],
            ),
        ]
    else:
        parts.append(tag("p", "No time changed beyond the noise.", class_="good-note"))
    counted = [c for c in found if c.counts]
    if counted:
        fields = [f for f in rule.COUNT_FIELDS if any(f in c.counts for c in counted)]
        rows = [
            [esc(_who(view, c)), esc(c.new["cell"]), size(c.new["size"])]
            + [esc(_count_text(*c.counts[f])) if f in c.counts else "=" for f in fields]
            for c in counted
        ]
        parts += [
            tag("h3", f"Counts per call that differ ({len(counted)} cells; exact)"),
            table(
                ["bridge", "cell", "n", *fields], rows, [False, False, True] + [True] * len(fields)
            ),
        ]
    else:
        parts.append(
            tag("p", "Every count per call is identical in both files.", class_="good-note")
        )
    rows = [_row(view, c) for c in timed]
    parts.append(
        tag(
            "details",
            tag("summary", f"every timed cell side by side ({len(rows)})")
            + table(head, rows, numeric, [VERDICT_CLASS[c.verdict] for c in timed]),
        )
    )
    return tag("section", "".join(parts), id="compare")
