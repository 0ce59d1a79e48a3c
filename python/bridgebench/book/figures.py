"""One figure of the record, as prose reads it: `{{#bb figure BRIDGE CELL [n=N] FIELD}}`
and `{{#bb vs BRIDGE CELL [n=N] / OTHER FIELD}}`.

Every figure comes out in a `<span class="bb-figure">` that names where it came from, so
a reader (and the browser test) can tell a rendered figure from text. Number formats are
the results table's (bridgebench.results), so a figure reads the same in the book, the
report and results.md.
"""

from __future__ import annotations

from collections.abc import Callable

from bridgebench import results, spec
from bridgebench.book.record import Book, BookError, Record
from bridgebench.report.fmt import esc
from bridgebench.report.view import PREFERRED_SIZE


def _count(value: float, one: str, many: str) -> str:
    text = f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"
    return f"{text} {one if value == 1 else many}"


def _allocs(rec: Record) -> str:
    return _count(rec["allocs_per_call"], "allocation", "allocations")


def _bytes(rec: Record) -> str:
    return f"{rec['bytes_per_call']:,.0f} B"


def _instructions(rec: Record) -> str:
    return _count(rec["instructions_per_call"], "instruction", "instructions")


def _copy_factor(rec: Record) -> str:
    return f"{rec['copy_factor']:.2f}×"


def _ratio(rec: Record) -> str:
    """The ratio to the side's floor; an example's is to the bridge it is measured beside,
    and says so (`1.07× ctypes`)."""  # noqa: RUF002
    if "ratio" not in rec:
        raise BookError(f"{rec['bridge']} {rec['cell']} has no ratio to a floor in the record")
    text = results.ratio_text(rec, ci=False)
    to = rec.get("ratio_to", {}).get("bridge")
    floor = spec.floor(rec["side"]).name if rec.get("side") else None
    return f"{text} {to}" if to and to != floor and not results.is_floor(rec) else text


# field -> (what the record must hold, how it reads)
CELL_FIELDS: dict[str, tuple[str, Callable[[Record], str]]] = {
    "ns": ("median_ns", lambda r: results._fmt_ns(r["median_ns"])),
    "ns_ci": ("median_ns", results.ns_ci_text),
    "ratio": ("ratio", _ratio),
    "instructions": ("instructions_per_call", _instructions),
    "allocs": ("allocs_per_call", _allocs),
    "bytes": ("bytes_per_call", _bytes),
    "copy_factor": ("copy_factor", _copy_factor),
    "leak": ("leak", lambda r: str(r["leak"])),  # the leak check's verdict: ok or leaks
}
MODEL_FIELDS = {"per_unit_ns": "per_unit_ns", "fixed_ns": "fixed_ns"}
# What `vs` divides: the same quantity of two bridges in the record.
VS_FIELDS = {"ns": "median_ns", "instructions": "instructions_per_call", "bytes": "bytes_per_call"}


def span(book: Book, where: str, text: str) -> str:
    return f'<span class="bb-figure" title="{esc(f"record {book.id}: {where}")}">{esc(text)}</span>'


def parse_cell(args: list[str], usage: str) -> tuple[str, str, int | None, list[str]]:
    """BRIDGE CELL [n=N] REST... -> (bridge, cell, size, rest)."""
    if len(args) < 2:
        raise BookError(f"expected {usage}")
    bridge, cell, rest = args[0], args[1], args[2:]
    size = None
    if rest and rest[0].startswith("n="):
        try:
            size = int(rest[0][2:].replace("_", ""))
        except ValueError as exc:
            raise BookError(f"{rest[0]!r} is not a size: expected n=1000") from exc
        rest = rest[1:]
    return bridge, cell, size, rest


def _value(rec: Record, key: str, field: str) -> None:
    if rec.get(key) is None:
        raise BookError(
            f"{rec['bridge']} {rec['cell']} n={rec.get('size')} has no {key} in the record"
            f" (field {field!r})"
        )


def figure(book: Book, args: list[str]) -> str:
    usage = "{{#bb figure BRIDGE CELL [n=N] FIELD}}, FIELD one of " + ", ".join(
        [*CELL_FIELDS, *MODEL_FIELDS]
    )
    bridge, cell, size, rest = parse_cell(args, usage)
    if len(rest) != 1 or rest[0] not in {**CELL_FIELDS, **MODEL_FIELDS}:
        raise BookError(f"expected {usage}")
    field = rest[0]
    if field in MODEL_FIELDS:
        model = book.model(bridge, cell)
        text = results._fmt_ns(model[MODEL_FIELDS[field]])
        return span(book, f"{bridge} {cell} model {field}", text)
    rec = book.cell(bridge, cell, size)
    key, render = CELL_FIELDS[field]
    _value(rec, key, field)
    where = f"{bridge} {cell}" + (f" n={size}" if size is not None else "") + f" {field}"
    return span(book, where, render(rec))


def vs(book: Book, args: list[str]) -> str:
    """How many times BRIDGE's FIELD is OTHER's, both in the record: `2.31×`; in time
    against the bridge it was paired with, the record's paired ratio."""  # noqa: RUF002
    usage = "{{#bb vs BRIDGE CELL [n=N] / OTHER FIELD}}, FIELD one of " + ", ".join(VS_FIELDS)
    bridge, cell, size, rest = parse_cell(args, usage)
    if len(rest) != 3 or rest[0] != "/" or rest[2] not in VS_FIELDS:
        raise BookError(f"expected {usage}")
    other, field = rest[1], rest[2]
    key = VS_FIELDS[field]
    mine, theirs = book.cell(bridge, cell, size), book.cell(other, cell, size)
    if field == "ns" and mine.get("ratio_to", {}).get("bridge") == other and "ratio" in mine:
        # Against the bridge its samples were paired with (its side's floor, or an
        # example's beside bridge) the figure is the record's ratio of those pairs, the
        # one every table shows, not a quotient of two medians.
        return span(book, f"{bridge} {cell} n={size} ratio", _ratio(mine).split(" ")[0])
    _value(mine, key, field)
    _value(theirs, key, field)
    if not theirs[key]:
        raise BookError(f"{other} {cell} n={size} {field} is 0: no ratio to it")
    value = mine[key] / theirs[key]
    text = f"{value:.2f}×" if value < 10 else f"{value:.1f}×" if value < 100 else f"{value:,.0f}×"
    at = f" n={size}" if size is not None else ""
    return span(book, f"{bridge} / {other} {cell}{at} {field}", text)


def worst(book: Book, args: list[str]) -> str:
    """`{{#bb worst BRIDGE}}`: the bridge's largest ratio to its floor over every cell it
    measures (sized cells at n = 1000, as its cost table), and which cell: `1.97× (add)`."""  # noqa: RUF002
    if len(args) != 1:
        raise BookError("expected {{#bb worst BRIDGE}}")
    recs = [
        r
        for (bridge, _, size), r in book.cells.items()
        if bridge == args[0]
        and r.get("status") == "ok"
        and "ratio" in r
        and size in (None, PREFERRED_SIZE)
    ]
    if not recs:
        raise BookError(f"record {book.id} has no ratios of {args[0]}")
    top = max(recs, key=lambda r: r["ratio"])
    return span(book, f"{args[0]} largest ratio", f"{_ratio(top)} ({top['cell']})")
