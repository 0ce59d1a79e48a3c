"""`python -m bridgebench compare BASE.json NEW.json`: what changed, as Markdown.

The rule is bridgebench.comparison's (the report's compare mode uses it too): time on each
record's ratio to its side's floor, marked as a change only when new ratio / base ratio is
beyond the threshold (5 %) AND the two 95 % intervals of the ratio do not overlap; each
file's median ns beside it, as measured; counts (instructions, allocations, bytes per
call) exact, any difference shown. The output starts with each file's machine line
(bridgebench.steadiness) and the repeatability of the ratios (and, for information, of
the ns medians). Exit status 0: compare reports; gating is a separate job.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bridgebench import comparison, machines, results, schema
from bridgebench.comparison import COUNT_FIELDS, THRESHOLD, Change, Key


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", type=Path, help="results.json of the baseline")
    parser.add_argument("new", type=Path, help="results.json to compare with it")
    parser.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help="smallest relative change of a ratio marked, and the band of the"
        " repeatability shares (default %(default)s: ±5 %%)",
    )
    parser.add_argument("-o", "--out", type=Path, help="also write the Markdown here")


def _ns(ns: float) -> str:
    return results._fmt_ns(ns)


def _size(key: Key) -> str:
    return "" if key[-1] is None else f"{key[-1]:,}"


def _name(key: Key, with_label: bool) -> list[str]:
    """The row's identity columns: [label,] bridge, cell, size."""
    return [str(key[0])] * with_label + [key[-3], key[-2], _size(key)]


def _count_diff(base: Any, new: Any) -> str:
    if base is None or new is None:
        return f"{base if base is not None else '–'} → {new if new is not None else '–'}"
    if base == new:
        return f"= {new:g}"
    return f"{base:g} → {new:g} ({new - base:+g})"


CHANGE_TEXT = {
    comparison.SAME: "",
    comparison.UNJUDGED: "changed? (no interval)",
    comparison.FLOOR: "floor (not compared)",
    "": "no ratio in both",
}


TIME_HEAD = ["base × floor", "new × floor", "new/base", "change"]
TIME_HEAD += ["base ns (as measured)", "new ns (as measured)"]


def _time_row(c: Change, with_label: bool) -> list[str]:
    moved = f"{c.ratio_change:.3f}" if c.ratio_change is not None else ""
    mark = CHANGE_TEXT.get(c.verdict, f"**{c.verdict}**")
    return [
        *_name(c.key, with_label),
        results.ratio_text(c.base) or "–",
        results.ratio_text(c.new) or "–",
        moved,
        mark,
        _ns(c.base["median_ns"]),
        _ns(c.new["median_ns"]),
    ]


def _machine_lines(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"- base: {t}" for t in machines.lines(base)] + [
        f"- new: {t}" for t in machines.lines(new)
    ]


def compare(base: dict[str, Any], new: dict[str, Any], threshold: float = THRESHOLD) -> str:
    with_label, old_cells, new_cells, both = comparison.matched(base, new)
    found = [c for c in comparison.changes(base, new, threshold) if c.ns_change is not None]
    names = ["label"] * with_label + ["bridge", "cell", "size"]
    lines = [
        f"# bridgebench compare: {new.get('created', '?')} vs {base.get('created', '?')}",
        "",
        *_machine_lines(base, new),
        "",
        comparison.tally_text(found, threshold),
        comparison.RULE_TEXT.format(threshold=threshold),
        *comparison.agreement(*comparison.by_side(found), threshold),
        *_machines_note(base, new),
        "",
        "## Time per call: ratio to the floor",
        "",
        "| " + " | ".join(names + TIME_HEAD) + " |",
        "|" + "---|" * len(names) + "---:|---:|---:|---|---:|---:|",
    ]
    lines += ["| " + " | ".join(_time_row(c, with_label)) + " |" for c in found]
    lines += _counts_table(old_cells, new_cells, both, names, with_label)
    lines += _status_lines(old_cells, new_cells, with_label)
    return "\n".join(lines) + "\n"


def _cpus(data: dict[str, Any]) -> set[str]:
    envs = [data.get("environment")] + [s.get("environment") for s in data.get("sources", [])]
    return {str(e.get("cpu")) for e in envs if e}


def _machines_note(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why the ns columns may say nothing here: two CPUs, or a disturbed machine."""
    notes = []
    if _cpus(base) != _cpus(new):
        notes.append(
            "These files come from different CPUs: their medians in ns are two machines'"
            " times and do not compare; the ratios to the floor and the counts do."
        )
    if any(machines.disturbed(m) for data in (base, new) for _, m in machines.of(data)):
        notes.append(
            "A machine was disturbed during the timing (above): medians in ns from"
            " different machines or states do not compare; the ratios, measured side by side"
            " with the floor, and the counts do."
        )
    return [line for note in notes for line in ("", note)]


def _counts_table(
    old: dict[Key, dict[str, Any]],
    new: dict[Key, dict[str, Any]],
    both: list[Key],
    head: list[str],
    with_label: bool,
) -> list[str]:
    fields = [f for f in COUNT_FIELDS if any(f in old[k] or f in new[k] for k in both)]
    if not fields:
        return []
    lines = [
        "",
        "## Counts per call (exact)",
        "",
        "| " + " | ".join([*head, *fields]) + " |",
        "|" + "---|" * len(head) + "---:|" * len(fields),
    ]
    for key in both:
        if not any(f in old[key] or f in new[key] for f in fields):
            continue
        diffs = [_count_diff(old[key].get(f), new[key].get(f)) for f in fields]
        lines.append("| " + " | ".join(_name(key, with_label) + diffs) + " |")
    return lines


def _status_lines(
    old: dict[Key, dict[str, Any]], new: dict[Key, dict[str, Any]], with_label: bool
) -> list[str]:
    """Cells that appeared, disappeared or changed status (ok -> error, ...)."""
    notes = []
    for key in sorted(set(old) | set(new), key=repr):
        name = " ".join(x for x in _name(key, with_label) if x)
        if key not in old:
            notes.append(f"- {name}: only in new ({new[key]['status']})")
        elif key not in new:
            notes.append(f"- {name}: only in base ({old[key]['status']})")
        elif old[key]["status"] != new[key]["status"]:
            notes.append(f"- {name}: {old[key]['status']} → {new[key]['status']}")
    return ["", "## Cells added, removed or changed status", "", *notes] if notes else []


def run(args: argparse.Namespace) -> int:
    try:
        base, new = schema.load(args.base), schema.load(args.new)
    except ValueError as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    text = compare(base, new, args.threshold)
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text)
    return 0
