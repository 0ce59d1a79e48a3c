"""summary.md: the short Markdown version for a CI job summary ($GITHUB_STEP_SUMMARY).

The ranking, one headline table per kernel (ns per call, sequence cells at one size),
how many figures are noisy, bad-input outcomes that break the contract undeclared, and
in compare mode what got slower or changed its counts. The plots are in report.html.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bridgebench.report import compare, glance, matrix
from bridgebench.report.fmt import FLAG_MARK, count, md_table, ns, size
from bridgebench.report.view import View


def _header(view: View) -> list[str]:
    data = view.data
    lines = [f"# bridgebench: {data['mode']} run, {data['created']}", ""]
    for title, env in view.environments():
        dirty = " (dirty)" if env.get("git_dirty") else ""
        lines.append(
            f"- {title}: commit `{str(env.get('git_commit', '?'))[:12]}`{dirty}, "
            f"{env.get('cpu')} ({env.get('cores')} cores), "
            f"{env.get('os_release') or env.get('os')}, Python {env.get('python')}"
        )
    return lines


def _ranking(view: View) -> list[str]:
    tally = matrix.bridge_tally(view)
    lines = []
    for side in ("python", "rust"):
        ranked = glance.ranking(view, side)
        if not ranked:
            continue
        rows = []
        for series, mean, covered, _ in ranked:
            name = view.name(series)
            t: Counter[str] = tally.get(name, Counter())
            bad = f"{t['silently-wrong']} / {t['crashed']} / {t['mismatch']}" if t else ""
            rows.append([name, f"{mean:.2f}", str(covered), bad])
        lines += [
            "",
            f"## {side.capitalize()} side: × the fastest bridge (geometric mean over cells)",
            "",
            md_table(
                ["bridge", "× fastest", "cells", "bad input: wrong / crash / ≠"],
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


def _compare(view: View, base: dict[str, Any], threshold: float) -> list[str]:
    found = compare.changes(base, view.data, threshold)
    slower = [c for c in found if c.verdict == "slower"]
    faster = [c for c in found if c.verdict == "faster"]
    counted = [c for c in found if c.counts]
    lines = [
        "",
        "## Compared with the base",
        "",
        f"Base: {base.get('created', '?')} ({base.get('mode', '?')}). {len(slower)} cells slower"
        f" and {len(faster)} faster beyond {threshold:.0%} and the noise; {len(counted)} cells"
        " with different counts per call.",
    ]
    if slower:
        rows = [
            [
                view.name(view.series(c.new)),
                c.new["cell"],
                size(c.new["size"]),
                ns(c.base["median_ns"]),
                ns(c.new["median_ns"]),
                f"{c.ratio:.3f}",
            ]
            for c in slower
        ]
        lines += [
            "",
            "### Slower",
            "",
            md_table(
                ["bridge", "cell", "n", "base", "new", "new/base"],
                rows,
                [False, False, True, True, True, True],
            ),
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
    lines = _header(view) + _ranking(view)
    if base is not None:
        lines += _compare(view, base, threshold)
    lines += _bad_input(view) + _noise(view)
    lines += ["", "## Per kernel"]
    for kernel in view.kernels:
        lines += _kernel_table(view, kernel)
    lines += [
        "",
        "Plots, cost models, counts, the bad-input matrix and the environment: report.html.",
    ]
    return "\n".join(lines) + "\n"
