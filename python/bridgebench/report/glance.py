""" "At a glance": every bridge over every cell, in one table per side.

Per side, one row per bridge: ns per call of every cell (sequence cells at one size), each
coloured by its ratio to the side's floor bridge (the record's `ratio`: from pairs of
samples taken side by side), and the geometric mean of those ratios over the cells the
bridge covers, by which the rows are sorted. A bar chart of that mean leads the section.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

from bridgebench import spec
from bridgebench.report import matrix, svg
from bridgebench.report.fmt import FLAG_MARK, esc, ns, ratio, table, tag
from bridgebench.report.view import SIDES, Record, Series, View, color
from bridgebench.results import is_floor

WORST = 30.0  # times the floor, at which the heat colour is fully red


def heat(ratio: float) -> str:
    """Background colour for `ratio` times the floor: green at 1 or below, red from
    WORST."""
    t = min(math.log(max(ratio, 1.0)) / math.log(WORST), 1.0)
    stops = ((0.0, (209, 242, 219)), (0.5, (253, 238, 186)), (1.0, (248, 196, 190)))
    for (t0, c0), (t1, c1) in itertools.pairwise(stops):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            r, g, b = (round(a + (z - a) * f) for a, z in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#f8c4be"


def _short(n: int) -> str:
    """1000 -> '1k': column headings stay narrow."""
    for scale, suffix in ((10**6, "M"), (10**3, "k")):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{suffix}"
    return f"{n:,}"


def _columns(view: View, side: str) -> list[tuple[str, int | None]]:
    out = []
    for kernel in view.kernels:
        for cell in view.kernel_cells(kernel):
            n = view.representative_size(cell)
            if any(r["side"] == side for r in view.at(cell, n)):
                out.append((cell, n))
    return out


def ranking(view: View, side: str) -> list[tuple[Series, float, int, dict[str, Record]]]:
    """(series, geometric mean of its ratios to the floor, cells with a ratio, record per
    cell), lowest mean first; a series without any ratio last (its mean is NaN)."""
    rows: dict[Series, dict[str, Record]] = {}
    for cell, n in _columns(view, side):
        for rec in view.at(cell, n):
            if rec["side"] == side:
                rows.setdefault(view.series(rec), {})[cell] = rec
    out = []
    for series, by_cell in rows.items():
        logs = [math.log(r["ratio"]) for r in by_cell.values() if r.get("ratio", 0) > 0]
        mean = math.exp(sum(logs) / len(logs)) if logs else math.nan
        out.append((series, mean, len(logs), by_cell))
    return sorted(out, key=lambda row: (math.isnan(row[1]), row[1], row[0]))


def _figure(rec: Record) -> str:
    """A record's ns figure, coloured by its ratio to the floor (grey without one)."""
    flag = f" {FLAG_MARK}" if rec.get("flags") else ""
    if "ratio" not in rec:
        title = "no ratio to the floor"
    else:
        title = "the floor itself" if is_floor(rec) else f"{ratio(rec)} the floor"
    if flag:
        title += f"; {', '.join(rec['flags'])}"
    style = f"background:{heat(rec['ratio'])}" if "ratio" in rec else None
    return tag("span", esc(ns(rec["median_ns"]) + flag), class_="heat", style=style, title=title)


def _side_table(view: View, side: str) -> str:
    columns = _columns(view, side)
    ranked = ranking(view, side)
    if not ranked:
        return ""
    na = {(view.series(r), r["cell"]): r for r in view.not_measured()}
    tally = matrix.bridge_tally(view) if side == "python" else {}
    head = ["bridge", "× floor (cells)"]
    head += [cell + (f" n={_short(n)}" if n is not None else "") for cell, n in columns]
    if tally:
        head.append("bad input: wrong / crash / ≠")
    rows = []
    for series, mean, covered, by_cell in ranked:
        name = tag("span", "", class_="swatch", style=f"background:{color(series.bridge)}")
        row = [
            name + esc(view.name(series)),
            ("– " if math.isnan(mean) else f"{mean:.2f} ")
            + tag("span", f"({covered})", class_="hint"),
        ]
        for cell, _ in columns:
            rec = by_cell.get(cell)
            if rec is None:
                miss = na.get((series, cell))
                why = (miss.get("reason") or miss.get("error") or "") if miss else "not run"
                status = miss["status"] if miss else "–"
                row.append(tag("span", esc(status), class_="na-cell", title=why))
                continue
            row.append(_figure(rec))
        if tally:
            t: Counter[str] = tally.get(view.name(series), Counter())
            bad = f"{t['silently-wrong']} / {t['crashed']} / {t['mismatch']}"
            row.append(
                tag(
                    "span",
                    esc(bad),
                    class_="bad" if t["mismatch"] + t["crashed"] + t["silently-wrong"] else None,
                )
            )
        rows.append(row)
    numeric = [False, True] + [True] * len(columns) + [True] * bool(tally)
    return tag("div", table(head, rows, numeric=numeric, class_="data glance"), class_="scroll")


def _chart(view: View) -> str:
    floor = spec.floor("python").name
    bars = [
        svg.Bar(
            label=view.name(series),
            value=mean,
            color=color(series.bridge),
            note=f"{mean:.2f} × ({covered} cells)",
        )
        for series, mean, covered, _ in ranking(view, "python")
        if not math.isnan(mean)
    ]
    if not bars:
        return ""
    return svg.bar_chart(
        bars,
        title=f"Python side: × the floor ({floor}), geometric mean over the cells",
        axis_label=f"× {floor}, the hand-written C-API (1 = as fast as the floor everywhere)",
        tick_format=lambda t: f"{t:g}",
        log=False,
    )


def section(view: View) -> str:
    floors = ", ".join(f"{spec.floor(side).name} on the {side} side" for side, _ in SIDES)
    parts = [
        tag("h2", "At a glance"),
        tag(
            "p",
            "Median ns per call of every cell, as measured in this run; sequence cells at"
            " one size (in the column heading). Colour: the figure's ratio to the floor"
            f" bridge of its side ({esc(floors)}), for the same cell and size, from pairs of"
            f" samples taken side by side: green at 1 or below, red {WORST:g}× or worse;"
            f" grey: no ratio. {FLAG_MARK}: a noisy figure (wide spread or wide CI, see the"
            " kernel sections). Hover a figure for its ratio and interval, an n/a for its"
            " reason. Rows are sorted by the geometric mean of the ratios to the floor over"
            " the cells each bridge covers (their number in brackets), which is only a"
            " summary: read the cells you need.",
            class_="hint",
        ),
    ]
    chart = _chart(view)
    if chart:
        parts.append(tag("figure", chart))
    for side, heading in SIDES:
        body = _side_table(view, side)
        if body:
            parts += [tag("h3", f"{side.capitalize()} side: {heading}"), body]
    reference = spec.reference().name
    parts.append(
        tag(
            "p",
            f"`{esc(reference)}` is the pure-Python reference: the cost of not crossing at"
            " all. Rust-side figures come from criterion.",
            class_="hint",
        )
    )
    return tag("section", "".join(parts), id="glance")
