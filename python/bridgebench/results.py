"""The results file (one JSON schema for every figure) and its Markdown table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bridgebench import spec

SCHEMA = "bridgebench.results/1"


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "results.json", folder / "results.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path


def _fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    if ns < 1:
        return f"{ns:.3f} ns"  # per byte or element of large inputs: keep 3 decimals
    return f"{ns:.1f} ns" if ns < 100 else f"{ns:.0f} ns"


def _scalar_table(
    cell: str, cells: list[dict[str, Any]], status_text: Callable[[dict[str, Any]], str]
) -> list[str]:
    """ns per call of one scalar cell (add, checked_div), both sides, fastest first."""
    lines = [
        "",
        f"## {cell}: ns per call",
        "",
        "| side | bridge | ns/call | IQR | × fastest on its side |",
        "|---|---|---:|---|---:|",
    ]
    recs = [c for c in cells if c["cell"] == cell]
    for side in ("python", "rust"):
        ok = [c for c in recs if c["side"] == side and c["status"] == "ok"]
        fastest = min((c["median_ns"] for c in ok), default=1.0)
        for rec in sorted(
            (c for c in recs if c["side"] == side),
            key=lambda c: c.get("median_ns", float("inf")),
        ):
            if rec["status"] != "ok":
                lines.append(f"| {side} | {rec['bridge']} | {status_text(rec)} | | |")
                continue
            spread = rec.get("quartiles_ns") or rec.get("ci95_ns")
            iqr = f"{_fmt_ns(spread[0])} – {_fmt_ns(spread[1])}" if spread else ""
            ratio = rec["median_ns"] / fastest if fastest else float("nan")
            lines.append(
                f"| {side} | {rec['bridge']} | {_fmt_ns(rec['median_ns'])} | {iqr} | {ratio:.2f} |"
            )
    return lines


def _sequence_table(
    kernel: str, cells: list[dict[str, Any]], status_text: Callable[[dict[str, Any]], str]
) -> list[str]:
    """ns per element of every cell of one sequence kernel (scale, map_callback), per size."""
    names = sorted(c.name for c in spec.cells().values() if c.kernel == kernel)
    sizes = sorted({c["size"] for c in cells if c["cell"] in names and c.get("size") is not None})
    unit = spec.kernels()[kernel].get("bench", {}).get("unit", "element")
    lines = [
        "",
        f"## {kernel}: ns per {unit} (per call for n ≤ 1)",
        "",
        "| side | bridge | strategy | " + " | ".join(f"n = {n:,}" for n in sizes) + " |",
        "|---|---|---|" + "---:|" * len(sizes),
    ]
    for bridge in spec.bridges():
        for cell in names:
            recs = [c for c in cells if c["bridge"] == bridge.name and c["cell"] == cell]
            if not recs:
                continue
            row = [bridge.side, bridge.name, spec.cells()[cell].strategy]
            if recs[0]["status"] != "ok" and recs[0].get("size") is None:
                row += [status_text(recs[0])] + [""] * (len(sizes) - 1)
            else:
                by_size = {r.get("size"): r for r in recs}
                for n in sizes:
                    rec = by_size.get(n)
                    if rec is None:
                        row.append("")
                    elif rec["status"] != "ok":
                        row.append(status_text(rec))
                    else:
                        row.append(_fmt_ns(rec["median_ns"] / max(n, 1)))
            lines.append("| " + " | ".join(row) + " |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    cells = results["cells"]
    notes: list[str] = []

    def note(text: str) -> str:
        if text not in notes:
            notes.append(text)
        return f"[{notes.index(text) + 1}]"

    def status_text(rec: dict[str, Any]) -> str:
        if rec["status"] == "n/a":
            return "n/a " + note(f"{rec['bridge']} {rec['cell']}: {rec['reason']}")
        return "error " + note(f"{rec['bridge']} {rec['cell']}: {rec['error']}")

    env = results["environment"]
    lines = [
        "# bridgebench results",
        "",
        f"{results['mode']} run, {results['created']}, commit `{env['git_commit'][:12]}`"
        + (" (dirty)" if env["git_dirty"] else ""),
        f"on {env['cpu']} ({env['cores']} cores), {env['os']}, Python {env['python']}.",
        "Medians; Python side from the bridgebench harness (loop overhead subtracted),",
        "Rust side from criterion.",
    ]
    scalar_cells = [c for c in spec.cells().values() if c.strategy == "scalar"]
    for scalar in scalar_cells:
        lines += _scalar_table(scalar.name, cells, status_text)
    sequence_kernels = sorted({c.kernel for c in spec.cells().values() if c.strategy != "scalar"})
    for kernel in sequence_kernels:
        lines += _sequence_table(kernel, cells, status_text)
    if notes:
        lines += ["", "### Notes", ""] + [f"{i + 1}. {text}" for i, text in enumerate(notes)]
    lines += ["", "## Tools", ""] + [f"- {name}: {v}" for name, v in env["tools"].items()]
    return "\n".join(lines) + "\n"
