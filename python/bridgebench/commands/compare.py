"""`python -m bridgebench compare BASE.json NEW.json`: what changed, as Markdown.

Time: the ratio NEW/BASE of each cell's median, marked as a change only when it is beyond
the threshold (5 %) AND the two 95 % confidence intervals do not overlap, so noise is not
reported as a regression. A cell without `ci95_ns` (version-1 files) falls back to its
inter-quartile range, which is wider, so fewer changes are marked (said in the table).
Counts (instructions, allocations, bytes per call) are exact: any difference is shown.

Cells are matched on (side, bridge, cell, size); the environment label is part of the
match only when a file holds several labels (a merged file), so one machine's run can be
compared with another's. Exit status 0: compare reports; gating is a separate job.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bridgebench import schema

THRESHOLD = 0.05
COUNT_FIELDS = ("instructions_per_call", "allocs_per_call", "bytes_per_call")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", type=Path, help="results.json of the baseline")
    parser.add_argument("new", type=Path, help="results.json to compare with it")
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="smallest relative change marked"
    )
    parser.add_argument("-o", "--out", type=Path, help="also write the Markdown here")


Key = tuple[Any, ...]


def _index(data: dict[str, Any], with_label: bool) -> dict[Key, dict[str, Any]]:
    out = {}
    for cell in data["cells"]:
        key = schema.cell_key(cell)
        out[key if with_label else key[1:]] = cell
    return out


def _labels(data: dict[str, Any]) -> set[Any]:
    return {c.get("label") for c in data["cells"]}


def matched(
    base: dict[str, Any], new: dict[str, Any]
) -> tuple[bool, dict[Key, dict[str, Any]], dict[Key, dict[str, Any]], list[Key]]:
    """Both files' cells by key, and the keys in both (in NEW's order). The label is part
    of the key only when a file holds several (the bool), as the module docstring says."""
    with_label = len(_labels(base)) > 1 or len(_labels(new)) > 1
    old_cells, new_cells = _index(base, with_label), _index(new, with_label)
    return with_label, old_cells, new_cells, [k for k in new_cells if k in old_cells]


def timed(base: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a pair of matched records both carry a median to compare."""
    return base["status"] == new["status"] == "ok" and "median_ns" in base and "median_ns" in new


def _interval(cell: dict[str, Any]) -> tuple[tuple[float, float] | None, str]:
    if "ci95_ns" in cell:
        lo, hi = cell["ci95_ns"]
        return (lo, hi), "CI"
    if "quartiles_ns" in cell:
        lo, hi = cell["quartiles_ns"]
        return (lo, hi), "IQR"
    return None, ""


def verdict(base: dict[str, Any], new: dict[str, Any], threshold: float) -> str:
    """'slower', 'faster', 'same' (within noise or threshold), or 'changed?' when no
    interval says how noisy the figures are."""
    ratio = new["median_ns"] / base["median_ns"] if base["median_ns"] else float("inf")
    if abs(ratio - 1) <= threshold:
        return "same"
    (b, _), (n, _) = _interval(base), _interval(new)
    if b is None or n is None:
        return "changed?"
    if n[0] <= b[1] and b[0] <= n[1]:  # the intervals overlap: within the noise
        return "same"
    return "slower" if ratio > 1 else "faster"


def _ns(ns: float) -> str:
    for scale, unit in ((1e6, "ms"), (1e3, "µs")):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.3f} ns" if ns < 1 else f"{ns:.1f} ns"


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


def compare(base: dict[str, Any], new: dict[str, Any], threshold: float = THRESHOLD) -> str:
    with_label, old_cells, new_cells, both = matched(base, new)
    head = ["label"] * with_label + ["bridge", "cell", "size"]
    rows, tally = [], {"slower": 0, "faster": 0, "same": 0, "changed?": 0}
    intervals = set()
    ratios: dict[str, list[float]] = {}
    for key in both:
        b, n = old_cells[key], new_cells[key]
        if not timed(b, n):
            continue
        mark = verdict(b, n, threshold)
        tally[mark] += 1
        intervals |= {_interval(b)[1], _interval(n)[1]}
        ratio = n["median_ns"] / b["median_ns"] if b["median_ns"] else float("inf")
        ratios.setdefault(str(n.get("side", "?")), []).append(ratio)
        shown = {"same": "", "changed?": "changed? (no interval)"}.get(mark, f"**{mark}**")
        times = [_ns(b["median_ns"]), _ns(n["median_ns"]), f"{ratio:.3f}", shown]
        rows.append([*_name(key, with_label), *times])
    lines = [
        f"# bridgebench compare: {new.get('created', '?')} vs {base.get('created', '?')}",
        "",
        f"{len(rows)} timed cells in both: {tally['slower']} slower, {tally['faster']} faster, "
        f"{tally['same']} the same within {threshold:.0%} or the noise"
        + (f", {tally['changed?']} changed with no interval to judge" if tally["changed?"] else "")
        + ".",
        f"A change is marked when |ratio − 1| > {threshold:.0%} and the two intervals"
        f" ({'/'.join(sorted(i for i in intervals if i)) or 'CI'}) do not overlap;"
        " CI: the 95 % bootstrap CI of the median, IQR: the quartiles, for a cell without a CI.",
        *agreement(ratios, threshold),
        *_machines_note(base, new),
        "",
        "## Time per call",
        "",
        "| " + " | ".join([*head, "base", "new", "new/base", "change"]) + " |",
        "|" + "---|" * len(head) + "---:|---:|---:|---|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += _counts_table(old_cells, new_cells, both, head, with_label)
    lines += _status_lines(old_cells, new_cells, with_label)
    return "\n".join(lines) + "\n"


def _cpus(data: dict[str, Any]) -> set[str]:
    envs = [data.get("environment")] + [s.get("environment") for s in data.get("sources", [])]
    return {str(e.get("cpu")) for e in envs if e}


def _machines_note(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A note when the files come from different CPUs: the medians are at a nominal
    machine speed (the canary's, docs/METHODOLOGY.md), so a machine that is faster at
    everything, the canary included, shows the same figures; `raw_median_ns` is not."""
    if _cpus(base) == _cpus(new):
        return []
    return [
        "",
        "These files come from different CPUs. Medians are at a nominal machine speed (each"
        " sample scaled by a canary, docs/METHODOLOGY.md): they compare the bridges' costs"
        " relative to that canary; `raw_median_ns` in each file is the time as measured.",
    ]


def agreement(ratios: dict[str, list[float]], threshold: float = THRESHOLD) -> list[str]:
    """How repeatable the timing is, when both files are runs of the same build: the
    share of cells whose medians agree within the threshold, per side and in all, and
    the deciles of new/base (docs/METHODOLOGY.md quotes these)."""
    if not ratios:
        return []

    def share(values: list[float]) -> str:
        within = sum(abs(r - 1) <= threshold for r in values)
        return f"{within}/{len(values)} ({within / len(values):.1%})"

    every = sorted(r for side in ratios.values() for r in side)
    deciles = [every[min(len(every) - 1, len(every) * k // 10)] for k in range(1, 10)]
    parts = [f"{side} side {share(ratios[side])}" for side in sorted(ratios)]
    return [
        "",
        f"Medians within ±{threshold:.0%} of each other (ratio alone): "
        + ", ".join(parts)
        + f", all {share(every)}; deciles of new/base: "
        + ", ".join(f"{d:.3f}" for d in deciles)
        + ".",
    ]


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
