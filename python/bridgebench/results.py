"""The results file (one JSON schema for every figure) and its Markdown tables.

Tables are built from column lists (`Column`): a new figure per cell (memory,
instructions) is one more `Column` in `SCALAR_COLUMNS` or one more table function.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridgebench import builds, machines, schema, spec, stats

SCHEMA = schema.VERSION

Record = dict[str, Any]
StatusText = Callable[[Record], str]

FLAG_MARK = "†"  # after a figure whose cell has spread flags (see the legend)


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "results.json", folder / "results.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")  # first: figures are never lost
    errors = schema.validate(results)
    if errors:
        raise ValueError(
            f"{json_path} does not match {schema.VERSION} (python/bridgebench/schema.py): "
            + "; ".join(errors[:10])
        )
    md_path.write_text(markdown(results))
    return json_path, md_path


def _fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    if 0 < ns < 0.001:
        return f"{ns:.1e} ns"  # e.g. a borrowed string's cost per byte of 10^6 bytes
    if ns < 1:
        return f"{ns:.3f} ns"  # per byte or element of large inputs: keep 3 decimals
    return f"{ns:.1f} ns" if ns < 100 else f"{ns:.0f} ns"


def _scale(ns: float) -> float:
    """ns per unit of the unit _fmt_ns writes `ns` in (ms, µs or ns)."""
    return next((scale for scale in (1e6, 1e3) if ns >= scale), 1.0)


def _fmt_bound(ns: float, scale: float) -> str:
    """A bound of an interval, without its unit, in the unit of the median (`scale`): three
    significant digits or more, so the interval stays short beside its median."""
    if scale == 1:
        return _fmt_ns(ns).removesuffix(" ns")
    value = ns / scale
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def ns_ci_text(rec: Record) -> str:
    """The median and its 95 % CI, the bounds in the median's unit: 71.2 ns (67.7–76.4)."""  # noqa: RUF002
    text = _fmt_ns(rec["median_ns"])
    if not rec.get("ci95_ns"):
        return text
    scale = _scale(rec["median_ns"])
    lo, hi = (_fmt_bound(x, scale) for x in rec["ci95_ns"])
    return f"{text} ({lo}–{hi})"


def is_floor(rec: Record) -> bool:
    """A record of the floor itself: its ratio is to its own median, 1 by definition."""
    return rec.get("ratio_to") == {"bridge": rec["bridge"], "cell": rec["cell"]}


def _fmt_ratio(ratio: float) -> str:
    return f"{ratio:.2f}" if ratio < 10 else f"{ratio:.1f}" if ratio < 100 else f"{ratio:.0f}"


def ratio_text(rec: Record, ci: bool = True) -> str:
    """The ratio to the floor and its 95 % interval, 3.25× (2.45–3.27); '1 (floor)' for
    the floor's own records, '' for a record without a ratio."""  # noqa: RUF002
    if "ratio" not in rec:
        return ""
    if is_floor(rec):
        return "1 (floor)"
    text = _fmt_ratio(rec["ratio"]) + "×"
    if ci and rec.get("ratio_ci95"):
        lo, hi = rec["ratio_ci95"]
        text += f" ({_fmt_ratio(lo)}–{_fmt_ratio(hi)})"
    return text


def _fmt_n(n: int) -> str:
    return f"{n:,}" if n < 10**7 else f"{n:.1e}"


def _fmt_range(pair: list[float] | None) -> str:
    return f"{_fmt_ns(pair[0])} – {_fmt_ns(pair[1])}" if pair else ""


def _marked(rec: Record, text: str) -> str:
    return text + (f" {FLAG_MARK}" if rec.get("flags") else "")


def reference_cells() -> dict[str, str]:
    """Cell -> the reference bridge's cell its crossover is computed against: the same
    cell, or the cell's declared `stand_in` where the reference lacks it."""
    pairs = ((name, spec.cell_of(spec.reference(), name)) for name in spec.cells())
    return {name: ref for name, ref in pairs if ref is not None}


def cost_models(cells: list[Record]) -> list[Record]:
    """The cost model of every swept (bridge, cell), with crossovers against pure Python."""
    units = {
        name: spec.kernels()[c.kernel].get("bench", {}).get("unit", "element")
        for name, c in spec.cells().items()
    }
    return stats.model_records(
        cells,
        reference_bridge=spec.reference().name,
        reference_cells=reference_cells(),
        units=units,
    )


@dataclass(frozen=True)
class Column:
    """One column of a per-cell table: `value(rec, peers)`, peers being the records of
    the same cell on the same side (for ratios)."""

    header: str
    value: Callable[[Record, list[Record]], str]
    numeric: bool = True


SCALAR_COLUMNS = [
    Column("ns/call (median)", lambda r, _: _fmt_ns(r["median_ns"])),
    Column("95 % CI", lambda r, _: _fmt_range(r.get("ci95_ns"))),
    Column("IQR", lambda r, _: _fmt_range(r.get("quartiles_ns"))),
    Column("flags", lambda r, _: ", ".join(r.get("flags", [])), numeric=False),
    Column("× floor (95 % CI)", lambda r, _: ratio_text(r)),
    Column("instructions/call", lambda r, _: _fmt_count(r.get("instructions_per_call"))),
    Column("allocs/call", lambda r, _: _fmt_count(r.get("allocs_per_call"))),
    Column("bytes/call", lambda r, _: _fmt_count(r.get("bytes_per_call"))),
]

# The size at which the counts table of a sequence kernel is shown: counted in quick and
# full runs alike (results.json holds every counted size).
COUNTS_TABLE_SIZE = 1000

COUNT_COLUMNS = [
    Column("instructions/call", lambda r, _: _fmt_count(r.get("instructions_per_call"))),
    Column("allocs/call", lambda r, _: _fmt_count(r.get("allocs_per_call"))),
    Column("bytes/call", lambda r, _: _fmt_count(r.get("bytes_per_call"))),
    Column("copy factor", lambda r, _: _fmt_count(r.get("copy_factor"))),
    Column("Python heap peak", lambda r, _: _fmt_count(r.get("tracemalloc_peak_bytes"))),
    Column("leak", lambda r, _: str(r.get("leak", "")), numeric=False),
]


def _fmt_count(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:.2f}"


def _counts_table(kernel: str, cells: list[Record]) -> list[str]:
    """Counts per call of every cell of a kernel at COUNTS_TABLE_SIZE (both kinds)."""
    rows = []
    for bridge, cell, recs in _rows(kernel, cells):
        rec = next((r for r in recs if r.get("size") == COUNTS_TABLE_SIZE), None)
        if rec is not None and ("allocs_per_call" in rec or "instructions_per_call" in rec):
            values = [col.value(rec, []) for col in COUNT_COLUMNS]
            rows.append(
                f"| {bridge.name} | {spec.cells()[cell].strategy} | " + " | ".join(values) + " |"
            )
    if not rows:
        return []
    return [
        "",
        f"### {kernel}: counts per call at n = {COUNTS_TABLE_SIZE:,} (exact; docs/COUNTS.md)",
        "",
        "| bridge | strategy | " + " | ".join(c.header for c in COUNT_COLUMNS) + " |",
        "|---|---|" + "".join("---:|" if c.numeric else "---|" for c in COUNT_COLUMNS),
        *rows,
    ]


def _scalar_table(cell: str, cells: list[Record], status_text: StatusText) -> list[str]:
    """ns per call of one scalar cell (add, checked_div), both sides, fastest first."""
    columns = SCALAR_COLUMNS
    lines = [
        "",
        f"## {cell}: ns per call",
        "",
        "| side | bridge | " + " | ".join(c.header for c in columns) + " |",
        "|---|---|" + "".join("---:|" if c.numeric else "---|" for c in columns),
    ]
    recs = [c for c in cells if c["cell"] == cell]
    for side in ("python", "rust"):
        ok = [c for c in recs if c["side"] == side and c["status"] == "ok"]
        for rec in sorted(
            (c for c in recs if c["side"] == side),
            key=lambda c: c.get("median_ns", float("inf")),
        ):
            if rec["status"] != "ok":
                row = [status_text(rec)] + [""] * (len(columns) - 1)
            else:
                row = [col.value(rec, ok) for col in columns]
            lines.append(f"| {side} | {rec['bridge']} | " + " | ".join(row) + " |")
    return lines


def _kernel_cells(kernel: str) -> list[str]:
    return sorted(c.name for c in spec.cells().values() if c.kernel == kernel)


def _unit(kernel: str) -> str:
    return str(spec.kernels()[kernel].get("bench", {}).get("unit", "element"))


def _rows(kernel: str, cells: list[Record]) -> list[tuple[spec.Bridge, str, list[Record]]]:
    """(bridge, cell, its records) for every bridge and cell of a kernel that has records."""
    out = []
    for bridge in spec.bridges():
        for cell in _kernel_cells(kernel):
            recs = [c for c in cells if c["bridge"] == bridge.name and c["cell"] == cell]
            if recs:
                out.append((bridge, cell, recs))
    return out


def _sequence_table(kernel: str, cells: list[Record], status_text: StatusText) -> list[str]:
    """Median ns per unit of every cell of one sequence kernel, per size (per call at 0)."""
    names = _kernel_cells(kernel)
    sizes = sorted({c["size"] for c in cells if c["cell"] in names and c.get("size") is not None})
    lines = [
        "",
        f"## {kernel}: ns per {_unit(kernel)} (median; per call at n = 0)",
        "",
        "| side | bridge | strategy | " + " | ".join(f"n = {n:,}" for n in sizes) + " |",
        "|---|---|---|" + "---:|" * len(sizes),
    ]
    for bridge, cell, recs in _rows(kernel, cells):
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
                    row.append(_marked(rec, _fmt_ns(rec["median_ns"] / max(n, 1))))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _crossover_text(model: Record, reference: str) -> str:
    if model["bridge"] == reference:
        return "(reference)"
    if "crossover_n" not in model:
        return ""  # Rust side, or no reference model for this cell
    vs = ""
    if model.get("reference_cell") != model["cell"]:
        vs = f" (vs {spec.cells()[model['reference_cell']].strategy})"
    start, below = model["crossover_n"], model.get("faster_below_n")
    if start == 0:
        return "always" + vs
    if start is None:
        return (f"only n < {_fmt_n(below)}" if below else "never") + vs
    beyond = " (beyond the sweep)" if start > max(model["sizes"]) else ""
    return f"n ≥ {_fmt_n(start)}{beyond}{vs}"


def _model_table(kernel: str, models: list[Record]) -> list[str]:
    """Fixed cost and cost per unit of every swept cell of a kernel, and where each
    Python-side bridge starts beating pure Python."""
    names = set(_kernel_cells(kernel))
    reference = spec.reference().name
    by_key = {(m["bridge"], m["cell"]): m for m in models if m["cell"] in names}
    unit = _unit(kernel)
    lines = [
        "",
        f"### {kernel}: cost model t(n) = fixed + n × per {unit}",
        "",
        f"| side | bridge | strategy | fixed | per {unit} | fit error (RMS, max) "
        "| faster than pure Python |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for bridge in spec.bridges():
        for cell in sorted(names):
            m = by_key.get((bridge.name, cell))
            if m is None:
                continue
            fit = f"{m['rms_rel_error']:.0%}, {m['max_rel_error']:.0%}"
            lines.append(
                f"| {bridge.side} | {bridge.name} | {spec.cells()[cell].strategy} "
                f"| {_fmt_ns(m['fixed_ns'])} | {_fmt_ns(m['per_unit_ns'])} | {fit} "
                f"| {_crossover_text(m, reference)} |"
            )
    return lines


# The examples' table is short: of the counts, those that compare with the bridge's.
EXAMPLE_COUNT_COLUMNS = [c for c in COUNT_COLUMNS if c.header != "Python heap peak"]


def _examples_table(results: dict[str, Any], status_text: StatusText) -> list[str]:
    """The registry's examples (benches/bridges.toml [[example]]), each size in two rows:
    the example's figures, then those of the bridge's cell it sits beside: the median of
    that call's samples taken beside the example's, and the bridge's own counts."""
    examples = results.get("examples", [])
    if not examples:
        return []
    own = {(c.get("label"), c["bridge"], c["cell"], c["size"]): c for c in results["cells"]}
    columns = ["ns/call (median)", "× beside (95 % CI)"] + [c.header for c in EXAMPLE_COUNT_COLUMNS]
    lines = [
        "",
        "## Examples: the seed article's code, beside the bridges (outside the contract)",
        "",
        "Each example's samples were taken in pairs with those of the bridge's cell it sits",
        "beside (benches/bridges.toml [[example]]); the bridge's row shows the median of its",
        "samples from those pairs, and its own counts.",
        "",
        "| example | cell | n | row | " + " | ".join(columns) + " |",
        "|---|---|---:|---|"
        + "---:|" * 2
        + "".join("---:|" if c.numeric else "---|" for c in EXAMPLE_COUNT_COLUMNS),
    ]
    for rec in examples:
        size = "" if rec["size"] is None else f"{rec['size']:,}"
        head = f"| {rec['bridge']} | {rec['cell']} | {size} "
        if rec["status"] != "ok":
            lines.append(head + f"| example | {status_text(rec)} |" + " |" * (len(columns) - 1))
            continue
        counts = [col.value(rec, []) for col in EXAMPLE_COUNT_COLUMNS]
        lines.append(
            head
            + f"| example | {_marked(rec, _fmt_ns(rec['median_ns']))} | {ratio_text(rec)} | "
            + " | ".join(counts)
            + " |"
        )
        to = rec.get("ratio_to")
        if to is None:
            continue
        beside = own.get((rec.get("label"), to["bridge"], to["cell"], rec["size"]), {})
        paired = rec.get("beside_median_ns")
        counts = [col.value(beside, []) for col in EXAMPLE_COUNT_COLUMNS]
        lines.append(
            f"| | | | beside: {to['bridge']} {to['cell']} | "
            + (_fmt_ns(paired) if paired is not None else "")
            + " | 1 | "
            + " | ".join(counts)
            + " |"
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    cells = results["cells"]
    models = results.get("models")
    if models is None:
        models = cost_models(cells)
    notes: list[str] = []

    def note(text: str) -> str:
        if text not in notes:
            notes.append(text)
        return f"[{notes.index(text) + 1}]"

    def status_text(rec: Record) -> str:
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
        "",
        *machines.markdown(results),
        "",
        "Medians as measured on this machine in this run; Python side from the bridgebench",
        "harness (loop overhead subtracted), Rust side from criterion's samples. 95 % CI: of",
        "the median (bootstrap over rounds). Ratio: × the floor bridge of the side, the median",
        "of the ratios of each sample to the floor's sample taken right beside it (its 95 %",
        "interval: bootstrap over rounds);",
        "ratios and counts compare across runs and machines, ns only within one",
        "(docs/METHODOLOGY.md).",
        f"Flags, and {FLAG_MARK} after a figure: `wide-spread` = IQR above"
        f" {stats.WIDE_SPREAD_IQR:.1%} of the median, `wide-ci` = CI wider than"
        f" ±{stats.WIDE_CI / 2:.0%} (python/bridgebench/stats.py).",
    ]
    scalar_cells = [c for c in spec.cells().values() if not c.sized]
    for scalar in scalar_cells:
        lines += _scalar_table(scalar.name, cells, status_text)
    sequence_kernels = sorted({c.kernel for c in spec.cells().values() if c.sized})
    for kernel in sequence_kernels:
        lines += _sequence_table(kernel, cells, status_text)
        lines += _model_table(kernel, models)
        lines += _counts_table(kernel, cells)
    lines += _examples_table(results, status_text)
    lines += builds.markdown_lines(results)
    if notes:
        lines += ["", "### Notes", ""] + [f"{i + 1}. {text}" for i, text in enumerate(notes)]
    lines += ["", "## Tools", ""] + [f"- {name}: {v}" for name, v in env["tools"].items()]
    return "\n".join(lines) + "\n"
