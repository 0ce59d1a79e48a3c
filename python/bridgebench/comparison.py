"""What changed between two results files, by one rule for `compare`, the report's compare
mode and the summary.

Time is compared on each record's ratio to its side's floor (`ratio`: the median of the
ratios of its samples to the floor's samples taken right beside them). What a machine's
mood does to a sample it does to the floor's sample beside it, so the ratio survives a
change of run or machine where the ns median does not. A cell changed when new ratio / base ratio is
beyond the threshold (5 %) AND the two 95 % intervals of the ratio (`ratio_ci95`) do not
overlap, so noise is not reported as a change. The floor's own records (ratio 1 by
definition) are not compared on ratio. Each file's median ns is kept beside it as
measured: comparable only between runs on the same machine in the same state.
Counts (instructions, allocations, bytes per call) are exact: any difference is one.

Records are matched on (side, bridge, cell, size); the label is part of the match only
when a file holds several (a merged file), so one machine's run can be compared with
another's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bridgebench import schema
from bridgebench.results import is_floor

THRESHOLD = 0.05
COUNT_FIELDS = ("instructions_per_call", "allocs_per_call", "bytes_per_call")

# Verdicts on the ratio. FLOOR: the floor's own record; "": nothing to compare (a record
# not timed in both files, or without a ratio to the same floor cell in both).
SLOWER, FASTER, SAME, UNJUDGED, FLOOR = "slower", "faster", "same", "changed?", "floor"
JUDGED = (SLOWER, FASTER, SAME, UNJUDGED)

Key = tuple[Any, ...]
Record = dict[str, Any]


def _index(data: dict[str, Any], with_label: bool) -> dict[Key, Record]:
    out = {}
    for cell in data["cells"]:
        key = schema.cell_key(cell)
        out[key if with_label else key[1:]] = cell
    return out


def _labels(data: dict[str, Any]) -> set[Any]:
    return {c.get("label") for c in data["cells"]}


def matched(
    base: dict[str, Any], new: dict[str, Any]
) -> tuple[bool, dict[Key, Record], dict[Key, Record], list[Key]]:
    """Both files' records by key, and the keys in both (in NEW's order). The label is
    part of the key only when a file holds several (the bool)."""
    with_label = len(_labels(base)) > 1 or len(_labels(new)) > 1
    old_cells, new_cells = _index(base, with_label), _index(new, with_label)
    return with_label, old_cells, new_cells, [k for k in new_cells if k in old_cells]


def timed(base: Record, new: Record) -> bool:
    """Whether a pair of matched records both carry a median."""
    return base["status"] == new["status"] == "ok" and "median_ns" in base and "median_ns" in new


def _overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def verdict(base: Record, new: Record, threshold: float = THRESHOLD) -> str:
    """SLOWER or FASTER (beyond the threshold and the noise), SAME, UNJUDGED (beyond the
    threshold, but a file gives no interval to judge the noise by), FLOOR, or ""."""
    if not timed(base, new):
        return ""
    if is_floor(base) or is_floor(new):
        return FLOOR
    if "ratio" not in base or "ratio" not in new or base.get("ratio_to") != new.get("ratio_to"):
        return ""
    change = new["ratio"] / base["ratio"] if base["ratio"] else float("inf")
    if abs(change - 1) <= threshold:
        return SAME
    if "ratio_ci95" not in base or "ratio_ci95" not in new:
        return UNJUDGED
    if _overlap(base["ratio_ci95"], new["ratio_ci95"]):
        return SAME
    return SLOWER if change > 1 else FASTER


@dataclass(frozen=True)
class Change:
    key: Key
    base: Record
    new: Record
    verdict: str
    ratio_change: float | None  # new ratio / base ratio, when compared on ratio
    ns_change: float | None  # new median / base median as measured, when both are timed
    counts: dict[str, tuple[float | None, float | None]]  # only the fields that differ


def _quotient(new: float, base: float) -> float:
    return new / base if base else float("inf")


def changes(
    base: dict[str, Any], new: dict[str, Any], threshold: float = THRESHOLD
) -> list[Change]:
    """Every record in both files, in NEW's order."""
    _, old_cells, new_cells, both = matched(base, new)
    out = []
    for key in both:
        b, n = old_cells[key], new_cells[key]
        mark = verdict(b, n, threshold)
        ratio = _quotient(n["ratio"], b["ratio"]) if mark in JUDGED else None
        ns = _quotient(n["median_ns"], b["median_ns"]) if timed(b, n) else None
        diffs = {
            f: (b.get(f), n.get(f))
            for f in COUNT_FIELDS
            if (f in b or f in n) and b.get(f) != n.get(f)
        }
        out.append(Change(key, b, n, mark, ratio, ns, diffs))
    return out


def tally(found: Sequence[Change]) -> Counter[str]:
    """How many records got each verdict."""
    return Counter(c.verdict for c in found)


def tally_text(found: Sequence[Change], threshold: float) -> str:
    """One sentence: how many ratios moved, and the floor rows left out."""
    t = tally(found)
    compared = sum(t[v] for v in JUDGED)
    text = (
        f"{compared} timed cells compared on their ratio to the floor: {t[SLOWER]} slower,"
        f" {t[FASTER]} faster, {t[SAME]} the same within {threshold:.0%} or the noise"
    )
    if t[UNJUDGED]:
        text += f", {t[UNJUDGED]} changed with no interval to judge"
    if t[FLOOR]:
        text += f"; {t[FLOOR]} records of the floor itself (ratio 1 by definition) not compared"
    unmatched = sum(c.verdict == "" and c.ns_change is not None for c in found)
    if unmatched:
        text += f"; {unmatched} timed without a ratio to the same floor in both files"
    return text + "."


RULE_TEXT = (
    "A change is marked when |new ratio / base ratio − 1| > {threshold:.0%} and the two"
    " ratios' 95 % intervals do not overlap. Ratios (× the floor bridge of the side, from"
    " pairs of samples taken side by side) and counts compare across runs and"
    " machines; the medians in ns beside them are measured times, comparable only between"
    " runs on the same machine in the same state."
)


def by_side(found: Sequence[Change]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per side: new ratio / base ratio of every record compared on ratio, and new / base
    median ns of every record timed in both."""
    ratios: dict[str, list[float]] = {}
    medians: dict[str, list[float]] = {}
    for c in found:
        side = str(c.new.get("side", "?"))
        if c.ratio_change is not None:
            ratios.setdefault(side, []).append(c.ratio_change)
        if c.ns_change is not None:
            medians.setdefault(side, []).append(c.ns_change)
    return ratios, medians


def share(values: Sequence[float], threshold: float = THRESHOLD) -> tuple[int, int]:
    """(how many of `values` are within 1 ± threshold, how many there are)."""
    return sum(abs(v - 1) <= threshold for v in values), len(values)


def _agreement_line(head: str, values: dict[str, list[float]], threshold: float) -> str:
    def said(v: Sequence[float]) -> str:
        within, n = share(v, threshold)
        return f"{within}/{n} ({within / n:.1%})"

    every = sorted(v for side in values.values() for v in side)
    deciles = [every[min(len(every) - 1, len(every) * k // 10)] for k in range(1, 10)]
    parts = [f"{side} side {said(values[side])}" for side in sorted(values)]
    return (
        f"{head}: "
        + ", ".join(parts)
        + f", all {said(every)}; deciles of new/base: "
        + ", ".join(f"{d:.3f}" for d in deciles)
        + "."
    )


def agreement(
    ratios: dict[str, list[float]],
    medians: dict[str, list[float]],
    threshold: float = THRESHOLD,
) -> list[str]:
    """How repeatable the figures are, when both files are runs of the same build: the
    share of cells whose ratios to the floor agree within ±threshold, per side and in
    all, with the deciles of new/base (docs/METHODOLOGY.md quotes these); then the same
    for the medians in ns, which only say something on the same machine in the same
    state. Each line is left out when it has no values."""
    lines = []
    if any(ratios.values()):
        lines += [
            "",
            _agreement_line(
                f"Ratios to the floor within ±{threshold:.0%} of each other (repeatability)",
                {k: v for k, v in ratios.items() if v},
                threshold,
            ),
        ]
    if any(medians.values()):
        lines += [
            "",
            _agreement_line(
                f"Medians in ns within ±{threshold:.0%} of each other (informational: measured"
                " times, comparable only on the same machine in the same state)",
                {k: v for k, v in medians.items() if v},
                threshold,
            ),
        ]
    return lines
