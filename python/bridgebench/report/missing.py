"""Every cell that was not measured, with its reason: n/a (the tool cannot express the
cell, declared under [bridge.na] in benches/bridges.toml) or error (the run failed)."""

from __future__ import annotations

from bridgebench.report.fmt import esc, size, table, tag
from bridgebench.report.view import View


def section(view: View) -> str:
    recs = view.not_measured()
    rows = [
        [
            esc(view.name(view.series(r))),
            esc(r["side"]),
            tag("code", esc(r["cell"])),
            size(r["size"]),
            tag("span", esc(r["status"]), class_=f"status {r['status'].replace('/', '')}"),
            esc(r.get("reason") or r.get("error") or ""),
        ]
        for r in recs
    ]
    errors = sum(r["status"] == "error" for r in recs)
    intro = (
        f"{len(recs) - errors} cells are n/a (the tool cannot express them; the reason is the"
        " registry's) and "
        f"{errors} failed."
    )
    body = tag("h2", "Not measured") + tag("p", intro)
    if rows:
        body += table(
            ["bridge", "side", "cell", "n", "status", "why"], rows, class_="data na-table"
        )
    return tag("section", body, id="not-measured")
