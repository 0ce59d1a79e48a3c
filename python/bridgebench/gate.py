"""The regression gate's logic: the baseline file, and comparing counts against it.

Pure functions over plain data (no measuring here: gate_counting.py counts), so every
rule is unit-tested with synthetic counts. docs/GATE.md explains the rules and why.

A baseline holds, per (bridge, cell, size) of the gate's fixed selection, the three exact
counts of docs/COUNTS.md, plus the fingerprint of the environment they were taken on:
counts are only comparable on the same toolchain (glibc alone picks other memcpy variants
on an Intel CPU than on an AMD one). A baseline *file* holds one baseline per toolchain,
so one committed file gates every kind of machine CI lands on; the gate picks the entry
whose fingerprint is this machine's.

Instruction counts are exact for one memory layout, but some cells' counts depend on where
things landed in memory (address-keyed caches and tables: protobuf's summarize.protobuf
moved by 50 %, pyo3's scale.buffer by 4 %, when only one entry was added to sys.path), and
any edit to code the count child imports moves the layout. So instructions are counted
under LAYOUTS different layouts and kept as a range (lowest, highest); a rise is a
regression only when the lowest now is above the highest of the baseline by more than the
threshold. Allocations and bytes did not depend on the layout: counted once. A gate run
counts every cell under the first layout, and under the others only the bridges with a
cell whose verdict more layouts could change (unsettled()): the same verdict for a third
of the time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridgebench.harness.count_figures import AllocFigures, InstructionFigures

SCHEMA = "bridgebench.gate-baseline/2"
# Schema 1: one toolchain per file, {"schema", "fingerprint", "cells"}; still read.
SCHEMA_V1 = "bridgebench.gate-baseline/1"

# The thresholds, in one place (docs/GATE.md says why these values).
# Instructions: the same commit counts the same to within 0.02 %, but an edit anywhere in
# code the count child imports moves the heap and shifts most cells by up to ~1 % (measured
# over 95 cells and 6 layouts); a few move much more, which the layout range absorbs.
INSTRUCTIONS_MAX_RISE = 0.02
# Memory layouts instructions are counted under, at 3x the callgrind time (about 12 s per
# bridge and layout). Sampled over 6 layouts, the widest cell (summarize.protobuf: 638k,
# 795k, 956k, 955k, 936k, 935k) had layouts 3-5 inside the range of layouts 0-2.
LAYOUTS = 3
# Allocations: one more block per call is always a real change in what a call does.
ALLOCS_MAX_RISE = 1.0
# Bytes: an extra copy of the input; both a relative and an absolute floor, so a few
# bytes more in a tiny call (a longer error message) do not fail the gate.
BYTES_MAX_RISE = 0.02
BYTES_MIN_RISE = 64.0

METRICS = ("instructions_per_call", "allocs_per_call", "bytes_per_call")
# The highest instruction count over the layouts (instructions_per_call is the lowest).
INSTRUCTIONS_MAX = "instructions_per_call_max"
FIELDS = ("instructions_per_call", INSTRUCTIONS_MAX, "allocs_per_call", "bytes_per_call")
LABELS = {
    "instructions_per_call": "instructions/call",
    "allocs_per_call": "allocs/call",
    "bytes_per_call": "bytes/call",
}

Key = tuple[str, str, int | None]  # bridge, cell, size (None: a scalar cell)
Counts = dict[str, float]  # metric -> value

# What the counts depend on besides the code: the interpreter binary, the machine and CPU
# (glibc picks memcpy variants by CPU features, and valgrind reports the host's), the C
# library and system, the compilers that built the bridges, numpy's binary, and valgrind.
# Not the host name, paths or kernel: they differ between two CI containers on one image.
FINGERPRINT_FIELDS = (
    "python",
    "python_build",
    "python_compiler",
    "machine",
    "cpu",
    "os_release",
    "glibc",
    "rustc",
    "cxx",
    "numpy",
    "valgrind",
)


class GateError(ValueError):
    """A baseline file that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class Baseline:
    fingerprint: dict[str, str]
    counts: dict[Key, Counts]


def fingerprint(env: Mapping[str, Any]) -> dict[str, str]:
    """The fields of an `environment.describe()` the counts depend on."""
    details = env.get("python_details", {})
    return {
        "python": f"{env.get('python_implementation', '?')} {env.get('python', '?')}",
        "python_build": str(details.get("build", "?")),
        "python_compiler": str(details.get("compiler", "?")),
        "machine": str(env.get("machine", "?")),
        "cpu": str(env.get("cpu", "?")),
        "os_release": str(env.get("os_release", "?")),
        "glibc": str(env.get("glibc", "?")),
        "rustc": str(env.get("rustc", "?")),
        "cxx": str(env.get("cxx", "?")),
        "numpy": str(env.get("numpy", "?")),
        "valgrind": str(env.get("programs", {}).get("valgrind", "?")),
    }


def fingerprint_diff(base: Mapping[str, str], now: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """field -> (baseline, now), for every field that differs."""
    keys = sorted(set(base) | set(now))
    return {
        k: (base.get(k, "(absent)"), now.get(k, "(absent)"))
        for k in keys
        if base.get(k) != now.get(k)
    }


# ---------------------------------------------------------------- the file


def _sort_key(key: Key) -> tuple[str, str, int]:
    bridge, cell, size = key
    return bridge, cell, -1 if size is None else size


def _dumps_cells(baseline: Baseline, indent: str) -> list[str]:
    rows = []
    for key in sorted(baseline.counts, key=_sort_key):
        bridge, cell, size = key
        row: dict[str, Any] = {"bridge": bridge, "cell": cell, "size": size}
        row.update({m: baseline.counts[key][m] for m in FIELDS})
        rows.append(indent + json.dumps(row))
    return [",\n".join(rows)] if rows else []


def dumps(baselines: Sequence[Baseline]) -> str:
    """Diff-friendly JSON: sorted, one cell per line, so a review sees each changed cell;
    one block per toolchain, in a fixed order (by fingerprint)."""
    lines = ["{", f'  "schema": {json.dumps(SCHEMA)},', '  "toolchains": [']
    blocks = []
    for baseline in sorted(baselines, key=lambda b: json.dumps(b.fingerprint, sort_keys=True)):
        block = [
            "    {",
            f'      "fingerprint": {json.dumps(baseline.fingerprint, sort_keys=True)},',
            '      "cells": [',
            *_dumps_cells(baseline, "        "),
            "      ]",
            "    }",
        ]
        blocks.append("\n".join(block))
    lines.append(",\n".join(blocks))
    lines += ["  ]", "}"]
    return "\n".join(line for line in lines if line) + "\n"


def _loads_one(data: Any, source: str, fix: str) -> Baseline:
    """One toolchain's block: {"fingerprint": {...}, "cells": [...]}."""
    if not isinstance(data, dict):
        raise GateError(f"{source}: a toolchain entry is not an object; {fix}")
    counts: dict[Key, Counts] = {}
    for i, row in enumerate(data.get("cells", [])):
        try:
            key: Key = (str(row["bridge"]), str(row["cell"]), row["size"])
            values = {m: float(row[m]) for m in FIELDS}
        except (KeyError, TypeError, ValueError) as exc:
            raise GateError(f"{source}: cell #{i} is malformed ({exc!r}); {fix}") from None
        if key in counts:
            raise GateError(f"{source}: cell {key} appears twice; {fix}")
        counts[key] = values
    fp = data.get("fingerprint")
    if not isinstance(fp, dict):
        raise GateError(f"{source}: no fingerprint; {fix}")
    return Baseline({str(k): str(v) for k, v in fp.items()}, counts)


def loads(text: str, source: str) -> list[Baseline]:
    """Parse and check a baseline file (one baseline per toolchain); GateError names
    `source` and what to do."""
    fix = "regenerate it with `python -m bridgebench gate-update` (docs/GATE.md)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GateError(f"{source}: not JSON ({exc}); {fix}") from None
    schema = data.get("schema") if isinstance(data, dict) else type(data).__name__
    if schema == SCHEMA_V1:
        return [_loads_one(data, source, fix)]
    if schema != SCHEMA:
        raise GateError(f"{source}: schema is {schema!r}, not {SCHEMA!r}; {fix}")
    entries = data.get("toolchains")
    if not isinstance(entries, list):
        raise GateError(f"{source}: no list of toolchains; {fix}")
    baselines = [_loads_one(entry, source, fix) for entry in entries]
    seen: list[dict[str, str]] = []
    for b in baselines:
        if b.fingerprint in seen:
            raise GateError(f"{source}: two entries for one toolchain; {fix}")
        seen.append(b.fingerprint)
    return baselines


def load(path: Path) -> list[Baseline]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise GateError(
            f"{path}: cannot read the baseline ({exc.strerror}); create it with "
            f"`python -m bridgebench gate-update --baseline {path}` (docs/GATE.md)"
        ) from None
    return loads(text, str(path))


def save(path: Path, baselines: Sequence[Baseline]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(baselines))


def for_toolchain(baselines: Sequence[Baseline], fp: Mapping[str, str]) -> Baseline | None:
    """The baseline measured on exactly this toolchain, if the file has one."""
    return next((b for b in baselines if not fingerprint_diff(b.fingerprint, fp)), None)


def closest(baselines: Sequence[Baseline], fp: Mapping[str, str]) -> Baseline | None:
    """The baseline whose toolchain differs from `fp` in the fewest fields (to name what
    differs when none matches)."""
    return min(baselines, key=lambda b: len(fingerprint_diff(b.fingerprint, fp)), default=None)


def replace(baselines: Sequence[Baseline], new: Baseline) -> list[Baseline]:
    """The file's baselines with this toolchain's entry replaced by `new` (or added)."""
    return [b for b in baselines if fingerprint_diff(b.fingerprint, new.fingerprint)] + [new]


def from_runs(
    bridge: str,
    allocs: Iterable[AllocFigures | InstructionFigures],
    instructions: Iterable[Iterable[AllocFigures | InstructionFigures]],
) -> dict[Key, Counts]:
    """The gate's counts of one bridge from run_counts() records: one allocs run, and one
    instructions run per memory layout (kept as the lowest and the highest)."""
    out: dict[Key, Counts] = {}
    for rec in allocs:
        if isinstance(rec, AllocFigures):
            out.setdefault((bridge, rec.cell, rec.size), {}).update(
                allocs_per_call=rec.allocs_per_call, bytes_per_call=rec.bytes_per_call
            )
    per_layout: dict[Key, list[float]] = {}
    for run in instructions:
        for ins in run:
            if isinstance(ins, InstructionFigures):
                key = (bridge, ins.cell, ins.size)
                per_layout.setdefault(key, []).append(ins.instructions_per_call)
    for key, values in per_layout.items():
        out.setdefault(key, {}).update(
            {"instructions_per_call": min(values), INSTRUCTIONS_MAX: max(values)}
        )
    return out


def spread(counts: Counts) -> float:
    """How much the instruction count moved between memory layouts (0.04: 4 %)."""
    low, high = counts["instructions_per_call"], counts[INSTRUCTIONS_MAX]
    return high / low - 1 if low > 0 else 0.0


# ---------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Change:
    """One metric of one cell that moved beyond its threshold."""

    key: Key
    metric: str
    before: float
    now: float

    @property
    def delta(self) -> float:
        return self.now - self.before


@dataclass
class Verdict:
    regressions: list[Change] = field(default_factory=list)
    improvements: list[Change] = field(default_factory=list)
    unmeasured: list[Key] = field(default_factory=list)  # in the baseline, not measured now
    unknown: list[Key] = field(default_factory=list)  # measured now, not in the baseline
    fingerprint: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Cells whose instruction count moves between layouts by more than the threshold.
    layout_sensitive: list[Key] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.regressions or self.unmeasured or self.unknown)


def rose(metric: str, before: float, now: float) -> bool:
    """Whether going from `before` to `now` crosses the metric's threshold upwards."""
    delta = now - before
    if metric == "instructions_per_call":
        return delta > INSTRUCTIONS_MAX_RISE * before
    if metric == "allocs_per_call":
        return delta >= ALLOCS_MAX_RISE
    if metric == "bytes_per_call":
        return delta > BYTES_MAX_RISE * before and delta >= BYTES_MIN_RISE
    raise ValueError(f"no threshold for metric {metric!r}")


def compare(
    baseline: Baseline,
    measured: Baseline,
    bridges: Iterable[str] | None = None,
    cells: Iterable[str] | None = None,
) -> Verdict:
    """Every regression and improvement of `measured` against `baseline`, only over the
    given bridges and cells (default: every one either side has). Cells on one side only
    are listed: the selection changed, so the baseline must be updated on purpose."""
    wanted = set(bridges) if bridges is not None else None
    wanted_cells = set(cells) if cells else None

    def keep(key: Key) -> bool:
        return (wanted is None or key[0] in wanted) and (
            wanted_cells is None or key[1] in wanted_cells
        )

    verdict = Verdict(fingerprint=fingerprint_diff(baseline.fingerprint, measured.fingerprint))
    base = {k: v for k, v in baseline.counts.items() if keep(k)}
    now = {k: v for k, v in measured.counts.items() if keep(k)}
    verdict.unmeasured = sorted(set(base) - set(now), key=_sort_key)
    verdict.unknown = sorted(set(now) - set(base), key=_sort_key)
    for key in sorted(set(base) & set(now), key=_sort_key):
        if any(m not in base[key] or m not in now[key] for m in FIELDS):
            verdict.unmeasured.append(key)  # a kind not measured (a malformed saved file)
            continue
        for metric in METRICS:
            # Instructions: ranges over the layouts. Worse means even the lowest now is
            # above the highest before; better, the highest now below the lowest before.
            high = INSTRUCTIONS_MAX if metric == "instructions_per_call" else metric
            if rose(metric, base[key][high], now[key][metric]):
                verdict.regressions.append(Change(key, metric, base[key][high], now[key][metric]))
            elif rose(metric, now[key][high], base[key][metric]):
                verdict.improvements.append(Change(key, metric, base[key][metric], now[key][high]))
        # Either side's range: the gate counts more than one layout only where the verdict
        # depends on it (unsettled()), so the baseline's range is often the only one.
        if max(spread(base[key]), spread(now[key])) > INSTRUCTIONS_MAX_RISE:
            verdict.layout_sensitive.append(key)
    return verdict


def unsettled(baseline: Baseline, measured: Baseline) -> list[Key]:
    """The cells whose instruction verdict more memory layouts could still change.

    Each layout counted more can only lower the lowest count now and raise the highest, so
    it can only take a regression (lowest now above the highest before) or an improvement
    (highest now below the lowest before) away, never add one. A cell that is neither
    under the layouts counted so far is neither under any more of them: only the others
    need counting again, and with them counted under every layout the verdict is the one
    counting every cell under every layout gives."""
    out = []
    for key in sorted(set(baseline.counts) & set(measured.counts), key=_sort_key):
        base, now = baseline.counts[key], measured.counts[key]
        if any(m not in base or m not in now for m in FIELDS):
            continue  # unmeasured whatever is counted: compare() says so
        if rose("instructions_per_call", base[INSTRUCTIONS_MAX], now["instructions_per_call"]):
            out.append(key)
        elif rose("instructions_per_call", now[INSTRUCTIONS_MAX], base["instructions_per_call"]):
            out.append(key)
    return out


def widened(measured: Baseline, more: Mapping[Key, Iterable[float]]) -> Baseline:
    """`measured` with each cell's instruction range stretched over the counts in `more`
    (the same cells counted under other memory layouts)."""
    counts = {key: dict(values) for key, values in measured.counts.items()}
    for key, values in more.items():
        seen = [counts[key]["instructions_per_call"], counts[key][INSTRUCTIONS_MAX], *values]
        counts[key].update({"instructions_per_call": min(seen), INSTRUCTIONS_MAX: max(seen)})
    return Baseline(measured.fingerprint, counts)


# ---------------------------------------------------------------- the report


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == math.floor(value) else f"{value:,.2f}"


def _change(change: Change) -> str:
    if change.metric == "allocs_per_call":
        return f"{change.delta:+.2f}".rstrip("0").rstrip(".")
    if change.before == 0:
        return f"{change.delta:+,.0f} (from 0)"
    return f"{100 * change.delta / change.before:+.1f} %"


def table(changes: Iterable[Change]) -> str:
    """A Markdown table, readable as plain text in a terminal and in a CI log."""
    rows = [
        "| bridge | cell | size | count | baseline | now | change |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for c in changes:
        bridge, cell, size = c.key
        rows.append(
            f"| {bridge} | {cell} | {'-' if size is None else size} | {LABELS[c.metric]} "
            f"| {_number(c.before)} | {_number(c.now)} | {_change(c)} |"
        )
    return "\n".join(rows)


def _keys(keys: Iterable[Key]) -> str:
    return ", ".join(f"{b} {c}" + ("" if n is None else f" n={n}") for b, c, n in keys)


def report(
    verdict: Verdict, baseline_path: str, update_command: str, layouts: int = LAYOUTS
) -> str:
    """What the gate prints: the verdict, the failing table, notes, and what to do;
    `layouts`: how many memory layouts the counts now were taken under."""
    out: list[str] = []
    if verdict.regressions:
        cells = {c.key for c in verdict.regressions}
        bridges = sorted({k[0] for k in cells})
        out += [
            f"REGRESSED: {len(cells)} cell(s) of {', '.join(bridges)} against {baseline_path}",
            "",
            table(verdict.regressions),
            "",
            f"Thresholds: instructions/call +{INSTRUCTIONS_MAX_RISE:.0%} (the lowest of "
            f"{layouts} memory layout(s) now against the highest in the baseline), allocs/call "
            f"+{ALLOCS_MAX_RISE:g}, bytes/call +{BYTES_MAX_RISE:.0%} and +{BYTES_MIN_RISE:g} "
            "bytes (docs/GATE.md). Fix the cost, or, if it is intended, update the baseline "
            f"on purpose: {update_command}",
        ]
    if verdict.unmeasured:
        out += [
            "",
            f"In the baseline but not measured now: {_keys(verdict.unmeasured)}. If the cells "
            f"were removed on purpose, update the baseline: {update_command}",
        ]
    if verdict.unknown:
        out += [
            "",
            f"Measured but not in the baseline: {_keys(verdict.unknown)}. New cells need a "
            f"baseline: {update_command}",
        ]
    if verdict.improvements:
        out += [
            "",
            f"Note: {len(verdict.improvements)} count(s) improved beyond the threshold "
            f"(not a failure); update the baseline to keep the gain: {update_command}",
            "",
            table(verdict.improvements),
        ]
    if verdict.layout_sensitive:
        out += [
            "",
            f"Note: instruction counts of {_keys(verdict.layout_sensitive)} move by more than "
            f"{INSTRUCTIONS_MAX_RISE:.0%} with the memory layout alone; the gate flags them "
            "only beyond their measured range (docs/GATE.md).",
        ]
    if not verdict.failed:
        out.insert(0, f"gate passed: no count regressed against {baseline_path}")
    return "\n".join(out).strip("\n")


def baseline_changes(old: Baseline, new: Baseline) -> str:
    """What an update changes, for gate-update to print: every count that moved at all."""
    lines: list[str] = []
    for name, (was, now) in fingerprint_diff(old.fingerprint, new.fingerprint).items():
        lines.append(f"fingerprint {name}: {was} -> {now}")
    for key in sorted(set(old.counts) | set(new.counts), key=_sort_key):
        label = _keys([key])
        if key not in new.counts:
            lines.append(f"removed {label}")
        elif key not in old.counts:
            lines.append(f"added {label}")
        else:
            moved = [
                f"{m} {_number(old.counts[key][m])} -> {_number(new.counts[key][m])}"
                for m in FIELDS
                if old.counts[key][m] != new.counts[key][m]
            ]
            if moved:
                lines.append(f"{label}: " + ", ".join(moved))
    return "\n".join(lines) if lines else "no count changed"
