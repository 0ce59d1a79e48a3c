"""One kernel's section of the report: per cell, time per call (bars with 95 % CIs, both
sides), cost against input size (log-log, with the fitted model and the crossover with
pure Python), counts per call, and the cells that were not measured, with the reason."""

from __future__ import annotations

from bridgebench import results, spec
from bridgebench.report import matrix, svg
from bridgebench.report.fmt import FLAG_MARK, count, esc, ns, ns_tick, ratio, size, table, tag
from bridgebench.report.view import SIDES, Record, View, color, unit


def _flagged(rec: Record) -> str:
    return f" {FLAG_MARK}" if rec.get("flags") else ""


def _bar_note(rec: Record) -> str:
    note = ns(rec["median_ns"]) + _flagged(rec)
    if rec.get("flags"):
        note += " " + ", ".join(rec["flags"])
    if results.is_floor(rec):
        note += " · the floor"
    elif rec.get("ratio") is not None:
        note += f" · {ratio(rec, ci=False)} floor"
    return note


def time_bars(view: View, cell: str, n: int | None) -> str:
    """ns per call of every series at size n, fastest first within each side."""
    bars = []
    for side, heading in SIDES:
        recs = sorted(
            (r for r in view.at(cell, n) if r["side"] == side), key=lambda r: r["median_ns"]
        )
        for rec in recs:
            lo, hi = rec.get("ci95_ns") or (None, None)
            bars.append(
                svg.Bar(
                    label=view.name(view.series(rec)),
                    value=rec["median_ns"],
                    color=color(rec["bridge"]),
                    lo=lo,
                    hi=hi,
                    note=_bar_note(rec),
                    group=f"{side.capitalize()} side: {heading}",
                )
            )
    if not bars:
        return ""
    at = f" at n = {size(n)} {unit(spec.cells()[cell].kernel)}s" if n is not None else ""
    return svg.bar_chart(
        bars,
        title=f"{cell}: ns per call{at} (median, whiskers: 95 % CI; × the side's floor)",
        axis_label="ns per call",
        tick_format=ns_tick,
        width=860,
    )


def _x_format(x: float) -> str:
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{x / scale:g}{suffix}"
    return f"{x:g}"


def sweep_chart(view: View, cell: str) -> str:
    """Median ns per call against n on log-log axes, one line per series; a diamond where
    a bridge's model starts beating pure Python's, when that is inside the sweep."""
    lines = []
    for series, recs in view.sweep(cell).items():
        if len(recs) < 2:
            continue
        marks = []
        model = view.model(series, cell)
        if model and model.get("crossover_n"):
            x = model["crossover_n"]
            y = model["fixed_ns"] + model["per_unit_ns"] * x
            marks.append((float(x), y, f"{view.name(series)} beats pure Python from n = {x:,}"))
        lines.append(
            svg.Line(
                name=view.name(series),
                points=[(float(r["size"]), r["median_ns"]) for r in recs],
                color=color(series.bridge),
                dashed=series.side == "rust",
                emphasis=series.bridge == spec.reference().name,
                marks=marks,
            )
        )
    if not lines:
        return ""
    kernel_unit = unit(spec.cells()[cell].kernel)
    return svg.loglog_chart(
        lines,
        title=f"{cell}: ns per call against n (log-log; dashed: Rust side)",
        x_label=f"n ({kernel_unit}s per call)",
        y_label="ns per call",
        x_format=_x_format,
        y_format=ns_tick,
        width=900,
        height=320,
    )


def model_table(view: View, cell: str) -> str:
    """Fitted t(n) = fixed + n * per_unit of every series, and the crossover."""
    rows = []
    reference = spec.reference().name
    for series in view.sweep(cell):
        m = view.model(series, cell)
        if m is None:
            continue
        rows.append(
            [
                esc(view.name(series)),
                esc(series.side),
                ns(m["fixed_ns"]),
                ns(m["per_unit_ns"]),
                f"{m['rms_rel_error']:.0%}, {m['max_rel_error']:.0%}",
                esc(results._crossover_text(m, reference)),
            ]
        )
    if not rows:
        return ""
    per = f"per {unit(spec.cells()[cell].kernel)}"
    return table(
        ["bridge", "side", "fixed", per, "fit error (RMS, max)", "faster than pure Python"],
        rows,
        numeric=[False, False, True, True, True, False],
    )


COUNT_HEAD = ["bridge", "side", "× floor (time)", "instructions/call", "allocs/call"]
COUNT_HEAD += ["bytes/call", "copy factor", "leak"]


def counts_table(view: View, cell: str, n: int | None) -> str:
    """Exact counts per call at size n (callgrind instructions, interposed malloc), beside
    the time's ratio to the floor at that size: what the counts cost."""
    rows = []
    for rec in view.at(cell, n):
        if "instructions_per_call" not in rec and "allocs_per_call" not in rec:
            continue
        leak = rec.get("leak", "")
        rows.append(
            [
                esc(view.name(view.series(rec))),
                esc(rec["side"]),
                esc(ratio(rec, ci=False)),
                count(rec.get("instructions_per_call")),
                count(rec.get("allocs_per_call")),
                count(rec.get("bytes_per_call")),
                count(rec.get("copy_factor")),
                tag("span", esc(leak), class_="bad") if leak == "leak" else esc(leak),
            ]
        )
    if not rows:
        return ""
    return table(COUNT_HEAD, rows, numeric=[False, False, True, True, True, True, True, False])


def not_measured_list(view: View, cell: str) -> str:
    items = []
    for rec in view.not_measured([cell]):
        why = rec.get("reason") if rec["status"] == "n/a" else rec.get("error")
        items.append(
            tag(
                "li",
                tag("b", esc(view.name(view.series(rec))))
                + f" ({esc(rec['side'])} side) — "
                + tag("span", esc(rec["status"]), class_=f"status {rec['status'].replace('/', '')}")
                + ": "
                + esc(why or ""),
            )
        )
    return tag("ul", "".join(items), class_="na") if items else ""


def _cell_block(view: View, cell: str) -> str:
    c = spec.cells()[cell]
    n = view.representative_size(cell)
    parts = [tag("h3", esc(cell) + tag("span", f" strategy: {esc(c.strategy)}", class_="sub"))]
    bars = time_bars(view, cell, n)
    if n is not None and len(view.sizes(cell)) > 1:
        parts.append(
            tag(
                "p",
                f"Bars at n = {size(n)} (measured: {', '.join(size(s) for s in view.sizes(cell))})"
                "; the chart below shows every size. n = 0 has no place on a log axis: see"
                " results.md.",
                class_="hint",
            )
        )
    parts += [tag("figure", bars)] if bars else [tag("p", "No timed records.", class_="hint")]
    if view.is_sequence(cell):
        chart = sweep_chart(view, cell)
        if chart:
            parts.append(tag("figure", chart))
        models = model_table(view, cell)
        if models:
            parts += [tag("h4", "Cost model t(n) = fixed + n × per unit"), models]
    counts = counts_table(view, cell, n)
    if counts:
        at = f" at n = {size(n)}" if n is not None else ""
        parts += [tag("h4", f"Counts per call{at} (exact; docs/COUNTS.md)"), counts]
    missing = not_measured_list(view, cell)
    if missing:
        parts += [tag("h4", "Not measured"), missing]
    return tag("div", "".join(parts), class_="cell", id=f"cell-{cell}")


def section(view: View, kernel: str) -> str:
    data = spec.kernels()[kernel]
    parts = [
        tag("h2", "Kernel " + tag("code", esc(kernel))),
        tag("p", tag("code", esc(data.get("summary", ""))), class_="signature"),
    ]
    parts += [_cell_block(view, cell) for cell in view.kernel_cells(kernel) if view.records(cell)]
    parts.append(matrix.kernel_matrix(view, kernel))
    return tag("section", "".join(parts), id=f"kernel-{kernel}")
