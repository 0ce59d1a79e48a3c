"""summary.md: the short Markdown version for a CI job summary ($GITHUB_STEP_SUMMARY).

How steady the machine was; then per cell the bridges ranked, with ns per call and the
ratio to the floor (each with its 95 % interval); the ranking by geometric mean of the
ratios; in compare mode what changed (on ratios to the floor, and counts); bad-input
outcomes that break the contract undeclared; the bridges under Python threads (which release
the GIL, what loses updates); how many figures are noisy; and one headline
table per kernel (ns per call, sequence cells at one size). The plots are in report.html.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from bridgebench import comparison, machines, spec
from bridgebench.report import glance, matrix, threads, versions
from bridgebench.report.cells import ranked
from bridgebench.report.fmt import FLAG_MARK, count, md_table, ns, ns_ci, ratio, size
from bridgebench.report.view import SIDES, View


def _header(view: View) -> list[str]:
    data = view.data
    lines = [f"# bridgebench: {data['mode']} run, {data['created']}", ""]
    lines += [*machines.markdown(data), ""]
    for title, env in view.environments():
        dirty = " (dirty)" if env.get("git_dirty") else ""
        lines.append(
            f"- {title}: commit `{str(env.get('git_commit', '?'))[:12]}`{dirty}, "
            f"{env.get('cpu')} ({env.get('cores')} cores), "
            f"{env.get('os_release') or env.get('os')}, Python {env.get('python')}"
        )
    return lines


def _per_cell(view: View) -> list[str]:
    floors = ", ".join(f"{spec.floor(side).name} on the {side} side" for side, _ in SIDES)
    lines = [
        "",
        "## Per cell: the bridges ranked",
        "",
        "Median ns per call as measured in this run, with its 95 % CI; × floor: how many"
        f" times the floor bridge ({floors}) for the same cell and size, the median of the"
        " ratios of each sample to the floor's sample taken right beside it, with its 95 %"
        " interval. Ratios and counts compare across"
        f" runs and machines, ns only within one. {FLAG_MARK}: a noisy figure.",
    ]
    for kernel in view.kernels:
        for cell in view.kernel_cells(kernel):
            rows = [
                [side, str(rank), view.name(view.series(rec)), _ns_figure(rec), ratio(rec) or "–"]
                for side, _ in SIDES
                for rank, rec in enumerate(ranked(view, cell, side), 1)
            ]
            if not rows:
                continue
            n = view.representative_size(cell)
            lines += [
                "",
                f"### {cell}" + (f" (n = {size(n)})" if n is not None else ""),
                "",
                md_table(
                    ["side", "#", "bridge", "ns/call (95 % CI)", "× floor (95 % CI)"],
                    rows,
                    [False, True, False, True, True],
                ),
            ]
    return lines


def _ns_figure(rec: dict[str, Any]) -> str:
    return ns_ci(rec) + (f" {FLAG_MARK}" if rec.get("flags") else "")


def _ranking(view: View) -> list[str]:
    tally = matrix.bridge_tally(view)
    lines = []
    for side, _ in SIDES:
        order = glance.ranking(view, side)
        if not order:
            continue
        rows = []
        for series, mean, covered, _ in order:
            name = view.name(series)
            t: Counter[str] = tally.get(name, Counter())
            bad = f"{t['silently-wrong']} / {t['crashed']} / {t['mismatch']}" if t else ""
            rows.append([name, "–" if math.isnan(mean) else f"{mean:.2f}", str(covered), bad])
        lines += [
            "",
            f"## {side.capitalize()} side: × the floor ({spec.floor(side).name}),"
            " geometric mean over cells",
            "",
            md_table(
                ["bridge", "× floor", "cells", "bad input: wrong / crash / ≠"],
                rows,
                [False, True, True, True],
            ),
        ]
    return lines


def _kernel_table(view: View, kernel: str) -> list[str]:
    cells = [c for c in view.kernel_cells(kernel) if view.records(c)]
    sizes = {c: view.representative_size(c) for c in cells}
    series = sorted({view.series(r) for c in cells for r in view.records(c)})
    rows = []
    for s in series:
        row = [view.name(s), s.side]
        for cell in cells:
            rec = next(
                (
                    r
                    for r in view.records(cell)
                    if view.series(r) == s and (r["status"] != "ok" or r["size"] == sizes[cell])
                ),
                None,
            )
            if rec is None:
                row.append("")
            elif rec["status"] != "ok":
                row.append(rec["status"])
            else:
                row.append(ns(rec["median_ns"]) + (f" {FLAG_MARK}" if rec.get("flags") else ""))
        if any(row[2:]):
            rows.append(row)
    head = ["bridge", "side"] + [
        c + (f" (n = {size(sizes[c])})" if sizes[c] is not None else "") for c in cells
    ]
    return [
        "",
        f"### {kernel}: ns per call",
        "",
        md_table(head, rows, [False, False] + [True] * len(cells)),
    ]


def _noise(view: View) -> list[str]:
    timed = [c for c in view.cells if c["status"] == "ok"]
    noisy = [c for c in timed if c.get("flags")]
    kinds = Counter(f for c in noisy for f in c["flags"])
    said = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return [
        "",
        f"{FLAG_MARK} {len(noisy)} of {len(timed)} timed figures are flagged noisy ({said})."
        if noisy
        else f"No timed figure of {len(timed)} is flagged noisy.",
    ]


def _bad_input(view: View) -> list[str]:
    if not view.outcomes:
        return ["", "No bad-input outcomes in this file."]
    odd = [
        r
        for r in view.outcomes
        if matrix.kind(r["outcome"]) == "mismatch" or r["outcome"] in ("silently-wrong", "crashed")
    ]
    lines = ["", "## Bad input", ""]
    if not odd:
        kinds = Counter(matrix.kind(r["outcome"]) for r in view.outcomes)
        return [
            *lines,
            f"{len(view.outcomes)} case runs: {kinds['as-contract']} as the contract says;"
            f" declared by the registry: {kinds['declared-raises']} other exceptions,"
            f" {kinds['declared-accepts']} inputs converted that the contract refuses,"
            f" {kinds['silently-wrong']} wrong answers, {kinds['crashed']} crashes."
            " Nothing undeclared.",
        ]
    rows = [[r["bridge"], r["case"], r["cell"], r["outcome"], r["detail"][:120]] for r in odd]
    return [
        *lines,
        f"{len(odd)} outcomes the contract and the registry do not account for:",
        "",
        md_table(["bridge", "case", "cell", "outcome", "detail"], rows),
    ]


def _change_rows(view: View, found: list[comparison.Change]) -> list[list[str]]:
    return [
        [
            view.name(view.series(c.new)),
            c.new["cell"],
            size(c.new["size"]),
            ratio(c.base, ci=False),
            ratio(c.new, ci=False),
            f"{c.ratio_change:.3f}" if c.ratio_change is not None else "",
            ns(c.base["median_ns"]),
            ns(c.new["median_ns"]),
        ]
        for c in found
    ]


CHANGE_HEAD = ["bridge", "cell", "n", "base × floor", "new × floor", "new/base"]
CHANGE_HEAD += ["base ns (as measured)", "new ns (as measured)"]


def _compare(view: View, base: dict[str, Any], threshold: float) -> list[str]:
    found = comparison.changes(base, view.data, threshold)
    timed = [c for c in found if c.ns_change is not None]
    counted = [c for c in found if c.counts]
    lines = [
        "",
        "## Compared with the base (on ratios to the floor)",
        "",
        f"Base: {base.get('created', '?')} ({base.get('mode', '?')}).",
        "",
        *[f"- base: {t}" for t in machines.lines(base)],
        "",
        comparison.tally_text(timed, threshold)
        + f" {len(counted)} cells with different counts per call.",
        comparison.RULE_TEXT.format(threshold=threshold),
        *comparison.agreement(*comparison.by_side(timed), threshold),
    ]
    for verdict, heading in ((comparison.SLOWER, "Slower"), (comparison.FASTER, "Faster")):
        moved = [c for c in timed if c.verdict == verdict]
        if moved:
            lines += [
                "",
                f"### {heading} against the floor",
                "",
                md_table(CHANGE_HEAD, _change_rows(view, moved), [False, False] + [True] * 6),
            ]
    if counted:
        rows = [
            [view.name(view.series(c.new)), c.new["cell"], size(c.new["size"])]
            + [f"{count(o) or '–'} → {count(n) or '–'}" for o, n in c.counts.values()]
            + [", ".join(c.counts)]
            for c in counted[:40]
        ]
        rows = [[*r[:3], "; ".join(r[3:-1]), r[-1]] for r in rows]
        lines += [
            "",
            "### Counts that differ",
            "",
            md_table(["bridge", "cell", "n", "base → new", "fields"], rows),
        ]
        if len(counted) > 40:
            lines.append(f"\n... and {len(counted) - 40} more: see report.html")
    return lines


def summary(view: View, base: dict[str, Any] | None = None, threshold: float = 0.05) -> str:
    lines = _header(view) + _per_cell(view) + _ranking(view)
    if base is not None:
        lines += _compare(view, base, threshold)
    across = versions.markdown(view)
    if across:
        lines += ["", across.rstrip("\n")]
    lines += _bad_input(view)
    threaded = threads.markdown(view)
    if threaded:
        lines += ["", threaded.rstrip("\n")]
    lines += _noise(view)
    lines += ["", "## Per kernel"]
    for kernel in view.kernels:
        lines += _kernel_table(view, kernel)
    lines += [
        "",
        "Plots, cost models, counts, the bad-input matrix and the environment: report.html.",
    ]
    return "\n".join(lines) + "\n"
