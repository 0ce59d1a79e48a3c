"""What it costs to build: each bridge's clean and incremental build, and what it ships
(the results' `builds`, from `build-figures`; "not measured" without them)."""

from __future__ import annotations

from bridgebench import builds
from bridgebench.report.fmt import esc, table, tag
from bridgebench.report.view import View


def section(view: View) -> str:
    body = tag("h2", "What it costs to build")
    found = builds.rows(view.data)
    if found is None:
        body += tag("p", esc(builds.NOT_MEASURED[0].upper() + builds.NOT_MEASURED[1:] + "."))
    else:
        body += tag("p", esc(builds.INTRO))
        body += table(
            builds.HEAD,
            [[esc(c) for c in row] for row in found],
            builds.NUMERIC,
            class_="data builds-table",
        )
    return tag("section", body, id="builds")
