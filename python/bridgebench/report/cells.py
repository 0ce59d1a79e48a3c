""" "Per cell": what a reader choosing a bridge decides on, first.

For every cell, at its representative size (View.representative_size), per side, the
bridges ranked by median ns per call: each with its 95 % CI, its ratio to the side's
floor bridge (from pairs of samples taken side by side) with that ratio's 95 % interval,
and the flag mark of a noisy figure. One small table per cell, in a grid.
"""

from __future__ import annotations

from bridgebench import spec
from bridgebench.report.fmt import FLAG_MARK, esc, ns_ci, ratio, size, table, tag
from bridgebench.report.view import SIDES, Record, View, color, unit

HEAD = ["#", "bridge", "ns/call (95 % CI)", "× floor (95 % CI)"]


def ranked(view: View, cell: str, side: str) -> list[Record]:
    """The side's timed records of `cell` at its representative size, fastest first."""
    n = view.representative_size(cell)
    recs = [r for r in view.at(cell, n) if r["side"] == side]
    return sorted(recs, key=lambda r: (r["median_ns"], view.series(r)))


def _flag(rec: Record) -> str:
    if not rec.get("flags"):
        return ""
    return " " + tag("span", FLAG_MARK, class_="flag", title=", ".join(rec["flags"]))


def _floor_note(recs: list[Record], side: str) -> str:
    """Which floor the ratios are to: the floor bridge, and its cell where it differs."""
    floor = spec.floor(side).name
    others = sorted({r["ratio_to"]["cell"] for r in recs if r.get("ratio_to", {}).get("cell")})
    cells = [c for c in others if c != recs[0]["cell"]]
    if cells:
        return f"× floor: {floor}'s {', '.join(cells)} (it has no {recs[0]['cell']})"
    return f"× floor: {floor}"


def _side_table(view: View, cell: str, side: str, heading: str) -> str:
    recs = ranked(view, cell, side)
    if not recs:
        return ""
    rows = []
    for rank, rec in enumerate(recs, 1):
        swatch = tag("span", "", class_="swatch", style=f"background:{color(rec['bridge'])}")
        rows.append(
            [
                str(rank),
                swatch + esc(view.name(view.series(rec))),
                esc(ns_ci(rec)) + _flag(rec),
                esc(ratio(rec) or "–"),
            ]
        )
    caption = tag("p", esc(f"{heading} · {_floor_note(recs, side)}"), class_="side")
    return caption + table(HEAD, rows, numeric=[True, False, True, True], class_="data rank")


def _card(view: View, cell: str) -> str:
    n = view.representative_size(cell)
    at = f" n = {size(n)} {unit(spec.cells()[cell].kernel)}s" if n is not None else ""
    heading = tag("a", esc(cell), href=f"#cell-{cell}")
    parts = [tag("h3", heading + (tag("span", esc(at), class_="sub") if at else ""))]
    parts += [_side_table(view, cell, side, heading) for side, heading in SIDES]
    missing = [r for r in view.not_measured([cell])]
    if missing:
        said = ", ".join(f"{view.name(view.series(r))} ({r['status']})" for r in missing)
        parts.append(tag("p", esc(f"not measured: {said}"), class_="hint"))
    return tag("div", "".join(parts), class_="card")


def section(view: View) -> str:
    cells = [c for k in view.kernels for c in view.kernel_cells(k) if view.records(c, "ok")]
    intro = (
        "Every cell at one size (sequence cells at n = 1,000 when measured), each side's"
        " bridges ranked by median ns per call, as measured on this machine in this run,"
        " with its 95 % CI. × floor: how many times the side's floor bridge"
        f" ({spec.floor('python').name} on the Python side, the hand-written C-API;"
        f" {spec.floor('rust').name} on the Rust side) for the same cell and size: the"
        " median of the ratios of each sample to the floor's sample taken right beside it,"
        " with its 95 % interval (bootstrap over rounds). The ratios and the exact counts"
        " are what compare across runs and machines; the ns figures are this run's."
        f" {FLAG_MARK}: a noisy figure (hover for its flags). The kernel sections below"
        " have every size and plot."
    )
    return tag(
        "section",
        tag("h2", "Per cell")
        + tag("p", intro, class_="hint")
        + tag("div", "".join(_card(view, c) for c in cells), class_="cards"),
        id="per-cell",
    )
