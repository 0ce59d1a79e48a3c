"""Text and HTML building blocks of the report: number formats, escaping, tables.

Number formats are the results table's (bridgebench.results), so a figure reads the same
in results.md, the report and the summary.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from bridgebench import results

FLAG_MARK = results.FLAG_MARK


def esc(text: object) -> str:
    """Text for HTML or SVG: every markup character escaped, quotes included."""
    return html.escape(str(text), quote=True)


def ns(value: float) -> str:
    return results._fmt_ns(value)


def ns_ci(rec: results.Record) -> str:
    """A record's median ns per call and its 95 % CI."""
    return results.ns_ci_text(rec)


def ratio(rec: results.Record, ci: bool = True) -> str:
    """A record's ratio to the floor, with its 95 % interval unless `ci` is False ('' for
    a record without a ratio)."""
    return results.ratio_text(rec, ci)


def ns_tick(value: float) -> str:
    """An axis tick in ns: short, since ticks are round (10 µs, 100 ns, 0.5 ns)."""
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if value >= scale:
            return f"{value / scale:g} {unit}"
    return f"{value:g} ns"


def count(value: float | None) -> str:
    return results._fmt_count(value)


def size(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def tag(name: str, body: str = "", **attrs: object) -> str:
    """<name attrs>body</name>; attribute values escaped, `class_` for class, None dropped."""
    text = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for key, value in attrs.items()
        if value is not None
    )
    return f"<{name}{text}>{body}</{name}>"


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool] = (),
    row_classes: Sequence[str] = (),
    class_: str = "data",
) -> str:
    """An HTML table; `head` is text (escaped here), `rows` are HTML already."""
    num = list(numeric) + [False] * (len(head) - len(numeric))
    th = "".join(
        tag("th", esc(h), class_="num" if n else None) for h, n in zip(head, num, strict=True)
    )
    body = []
    for i, row in enumerate(rows):
        tds = "".join(
            tag("td", cell, class_="num" if n else None) for cell, n in zip(row, num, strict=True)
        )
        body.append(tag("tr", tds, class_=row_classes[i] if i < len(row_classes) else None))
    return tag("table", tag("thead", tag("tr", th)) + tag("tbody", "".join(body)), class_=class_)


def md_table(
    head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()
) -> str:
    """A GitHub Markdown table (pipes in cells escaped)."""
    num = list(numeric) + [False] * (len(head) - len(numeric))
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "".join("---:|" if n else "---|" for n in num),
    ]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)
