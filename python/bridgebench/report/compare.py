"""Compare mode: NEW against BASE, cell by cell, by the rule of bridgebench.comparison.

Time is compared on each record's ratio to its side's floor: a change is flagged only when
new ratio / base ratio is beyond the threshold AND the two ratios' 95 % intervals do not
overlap. Each file's median ns is shown beside it, as measured. Counts per call are
exact, so any difference is shown.
"""

from __future__ import annotations

import math
from typing import Any

from bridgebench import comparison, machines
from bridgebench.comparison import Change
from bridgebench.report import svg
from bridgebench.report.fmt import count, esc, ns, ratio, size, table, tag
from bridgebench.report.view import View, color

VERDICT_CLASS = {
    comparison.SLOWER: "bad",
    comparison.FASTER: "good",
    comparison.UNJUDGED: "warn",
}


def _who(view: View, c: Change) -> str:
    return view.name(view.series(c.new))


def _count_text(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return f"{count(old) or '–'} → {count(new) or '–'}"
    return f"{count(old)} → {count(new)} ({new - old:+g})"


def _ratio_chart(view: View, found: list[Change]) -> str:
    """Geometric mean of new ratio / base ratio per series: which bridge moved against
    its floor, at a glance."""
    logs: dict[Any, list[float]] = {}
    for c in found:
        if c.ratio_change and math.isfinite(c.ratio_change) and c.ratio_change > 0:
            logs.setdefault(view.series(c.new), []).append(math.log(c.ratio_change))
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
        title="New ratio / base ratio to the floor per bridge (geometric mean over the cells)",
        axis_label="new × floor / base × floor (1 = unchanged; above 1 = slower)",
        tick_format=lambda t: f"{t:g}",
        log=False,
    )


HEAD = ["bridge", "side", "cell", "n", "base × floor", "new × floor", "new/base", "change"]
HEAD += ["base ns (as measured)", "new ns (as measured)"]
NUMERIC = [False, False, False, True, True, True, True, False, True, True]


def _row(view: View, c: Change) -> list[str]:
    mark = ""
    if c.verdict in VERDICT_CLASS:
        mark = tag("b", esc(c.verdict))
    elif c.verdict == comparison.FLOOR:
        mark = tag("span", "floor", class_="hint")
    return [
        esc(_who(view, c)),
        esc(c.new["side"]),
        esc(c.new["cell"]),
        size(c.new["size"]),
        esc(ratio(c.base) or "–"),
        esc(ratio(c.new) or "–"),
        f"{c.ratio_change:.3f}" if c.ratio_change is not None else "",
        mark,
        ns(c.base["median_ns"]),
        ns(c.new["median_ns"]),
    ]


def _machines(base_data: dict[str, Any], new_data: dict[str, Any]) -> str:
    items = []
    for which, data in (("base", base_data), ("new", new_data)):
        for label, machine in machines.of(data):
            items.append(
                tag(
                    "li",
                    esc(f"{which}: {machines.line(label, machine)}"),
                    class_="disturbed" if machines.disturbed(machine) else None,
                )
            )
    return tag("ul", "".join(items), class_="machines")


def section(
    view: View, base_data: dict[str, Any], new_data: dict[str, Any], threshold: float
) -> str:
    found = comparison.changes(base_data, new_data, threshold)
    timed = [c for c in found if c.ns_change is not None]
    moved = [c for c in timed if c.verdict in VERDICT_CLASS]
    agreement = [p for p in comparison.agreement(*comparison.by_side(timed), threshold) if p]
    parts = [
        tag("h2", "Compared with the base"),
        tag(
            "p",
            f"base: {esc(base_data.get('created', '?'))} ({esc(base_data.get('mode', '?'))}); "
            f"new: {esc(new_data.get('created', '?'))} ({esc(new_data.get('mode', '?'))}).",
        ),
        _machines(base_data, new_data),
        tag(
            "p",
            esc(comparison.tally_text(timed, threshold))
            + " "
            + esc(comparison.RULE_TEXT.format(threshold=threshold))
            + " The rule is `bridgebench compare`'s.",
        ),
        *[tag("p", esc(line), class_="hint") for line in agreement],
    ]
    chart = _ratio_chart(view, found)
    if chart:
        parts.append(tag("figure", chart))
    if moved:
        parts += [
            tag("h3", f"Ratio changes beyond the noise ({len(moved)})"),
            table(
                HEAD,
                [_row(view, c) for c in moved],
                NUMERIC,
                [VERDICT_CLASS[c.verdict] for c in moved],
            ),
        ]
    else:
        parts.append(
            tag("p", "No ratio to the floor changed beyond the noise.", class_="good-note")
        )
    counted = [c for c in found if c.counts]
    if counted:
        fields = [f for f in comparison.COUNT_FIELDS if any(f in c.counts for c in counted)]
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
            + table(HEAD, rows, NUMERIC, [VERDICT_CLASS.get(c.verdict, "") for c in timed]),
        )
    )
    return tag("section", "".join(parts), id="compare")
