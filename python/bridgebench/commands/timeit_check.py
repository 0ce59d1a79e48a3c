"""`python -m bridgebench timeit-check [--bridge B ...]`: the harness's `add` figure of each
Python-side bridge against an independent `python -m timeit` of the same call, side by side.

Per bridge and round (rounds interleave the bridges, as the bench does, and every
measurement is a fresh process, so each side draws several memory layouts):
  1. the harness worker, restricted to the `add` cell, with HARNESS_SAMPLES samples of the
     full plan's length: ns per call with the empty loop's cost subtracted, and each
     sample's canary;
  2. `python -m timeit -v -v -n <the harness's loop count> -r 30 -s "from <module> import
     add" "add(5, 3)"` (the spec's [bench] args): 30 repeats as long as the harness's
     samples;
  3. `python -m timeit -v -v -n <the same> -r 30 "pass"`: the empty loop under the same
     settings, because the harness subtracts its empty loop and timeit does not.
The check compares like with like: the harness's fastest sample before scaling (its
empty loop subtracted) with timeit's fastest per-loop time of `add` minus its fastest
per-loop time of `pass`, process after process. What it tests is the harness's loop,
calibration and overhead subtraction. The fastest, not the medians: this VM switches
between a fast and a slow state within milliseconds, and on a day when it is about half
in each, the median of a few seconds of samples lands in either state, so two tools'
medians differ by the mixture they met, not by how they time (on 2026-12-03 two checks of
medians put nanobind at 0.81 and 1.04). The fastest of each is taken in the fast state.
The medians are shown beside them, and the harness's reported figure, each sample brought
to the nominal machine speed by its canaries (harness/canary.py). timeit's statement runs
in a function with `add` a local, the same shape as the harness's loop.

Exit status 1 if any bridge's ratio harness/timeit is outside 1 ± tolerance (15 %).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from bridgebench import spec
from bridgebench.commands.bench import FULL, pool

CELL = "add"
TOLERANCE = 0.15
REPEAT = 30
_UNITS = {"nsec": 1.0, "usec": 1e3, "msec": 1e6, "sec": 1e9}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bridge", action="append", help="only these bridges (repeatable)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=FULL.processes,
        help="processes per bridge and side (default: the full bench's, %(default)s): one"
        " process's memory layout can move add() by 30 %%, so one of each is not enough",
    )
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="allowed |ratio − 1|")


@dataclass
class Figures:
    harness_ns: list[float] = field(default_factory=list)  # per call, overhead subtracted
    scaled_ns: list[float] = field(default_factory=list)  # the same, brought to the nominal speed
    timeit_ns: list[float] = field(default_factory=list)  # per loop of `add(5, 3)`
    empty_ns: list[float] = field(default_factory=list)  # per loop of `pass`
    loops: list[int] = field(default_factory=list)  # timeit's -n: the harness's loop counts


def parse_timeit(output: str) -> tuple[int, list[float]]:
    """Loop count and per-loop ns of each repeat from `python -m timeit -v -v` output."""
    raw = re.search(r"^raw times: (.+)$", output, re.MULTILINE)
    loops = re.search(r"^(\d+) loops?, best of", output, re.MULTILINE)
    if raw is None or loops is None:
        raise ValueError(f"unexpected timeit output:\n{output}")
    number = int(loops.group(1))
    times = []
    for item in raw.group(1).split(","):
        value, unit = item.split()
        times.append(float(value) * _UNITS[unit] / number)
    return number, times


def _timeit(setup: str, stmt: str, number: int) -> tuple[int, list[float]]:
    argv = [sys.executable, "-m", "timeit", "-v", "-v", "-r", str(REPEAT), "-n", str(number)]
    argv += ["-s", setup, stmt] if setup else [stmt]
    out = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{out.stderr.strip()[-1000:]}")
    return parse_timeit(out.stdout)


# Samples per harness process: more than the bench's, because a process that measures
# one cell lives about a second.
HARNESS_SAMPLES = 10


def _harness(bridge: spec.Bridge) -> dict[str, Any]:
    """One worker process measuring the add cell only: its record (samples and canaries)."""
    argv = [sys.executable, "-m", "bridgebench.harness.worker", bridge.name, "--cell", CELL]
    argv += ["--samples", str(HARNESS_SAMPLES), "--target-ms", str(FULL.target_ms)]
    out = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    records: list[dict[str, Any]] = [json.loads(line) for line in out.stdout.splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    cells = [r for r in records if "cell" in r]  # not the progress lines ({"round": k})
    if out.returncode != 0 or errors or len(cells) != 1 or "canary_best_ns" not in records[-1]:
        raise RuntimeError(f"worker for {bridge.name}: {errors or out.stderr.strip()[-1000:]}")
    return {**cells[0], "canary_best_ns": records[-1]["canary_best_ns"]}


def normalized(bridge: spec.Bridge, records: list[dict[str, Any]]) -> list[float]:
    """The samples brought to the nominal machine speed as the bench does it (pooled,
    along the cell's own elasticity)."""
    (cell,) = pool(bridge, records)
    samples: list[float] = cell["samples_ns"]
    return samples


def statement() -> str:
    """The call both sides time: the spec's [bench] args, e.g. `add(5, 3)`."""
    cell = spec.cells()[CELL]
    a, b = spec.kernels()[cell.kernel]["bench"]["args"]
    return f"{cell.function}({a!r}, {b!r})"


def measure(bridges: list[spec.Bridge], rounds: int) -> dict[str, Figures]:
    stmt = statement()
    setup = {b.name: f"from {b.module} import {spec.cells()[CELL].function}" for b in bridges}
    figures = {b.name: Figures() for b in bridges}
    harness: dict[str, list[dict[str, Any]]] = {b.name: [] for b in bridges}
    for round_ in range(1, rounds + 1):
        for i, bridge in enumerate(bridges, 1):
            print(
                f"[round {round_}/{rounds}, bridge {i}/{len(bridges)}] {bridge.name}",
                file=sys.stderr,
            )
            fig = figures[bridge.name]
            record = _harness(bridge)
            harness[bridge.name].append(record)
            number, times = _timeit(setup[bridge.name], stmt, record["loops"])
            fig.loops.append(number)
            fig.timeit_ns += times
            fig.empty_ns += _timeit("", "pass", number)[1]
    for bridge in bridges:
        records = harness[bridge.name]
        figures[bridge.name].harness_ns = [x for r in records for x in r["samples_ns"]]
        figures[bridge.name].scaled_ns = normalized(bridge, records)
    return figures


def table(figures: dict[str, Figures], tolerance: float) -> tuple[str, bool]:
    """The Markdown table and whether every bridge is within tolerance."""
    lines = [
        f"`{statement()}`: the harness's fastest sample (its empty loop subtracted, before"
        f" scaling) against the fastest repeat of `python -m timeit -r {REPEAT}` at the"
        " harness's loop count, net of timeit's fastest `pass` loop, the same bridge's"
        " processes pooled, process after process. The fastest, because both are then"
        " taken in the machine's fast state; the medians of the two (beside them) depend"
        " on how much of each tool's few seconds fell in a slow stretch. The harness's"
        " reported figure (brought to the nominal machine speed by its canaries) is last.",
        "",
        "| bridge | harness best ns | timeit best ns (net) | harness/timeit "
        f"| within {tolerance:.0%}? | harness median ns | timeit median ns (net) "
        "| harness, nominal speed ns |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    all_ok = True
    for name, fig in figures.items():
        harness = min(fig.harness_ns)
        net = min(fig.timeit_ns) - min(fig.empty_ns)
        ratio = harness / net if net > 0 else float("inf")
        ok = abs(ratio - 1) <= tolerance
        all_ok &= ok
        harness_median = statistics.median(fig.harness_ns)
        median = statistics.median(fig.timeit_ns) - statistics.median(fig.empty_ns)
        scaled = f"{statistics.median(fig.scaled_ns):.1f}" if fig.scaled_ns else "–"
        lines.append(
            f"| {name} | {harness:.1f} | {net:.1f} | {ratio:.3f} | {'yes' if ok else '**no**'} "
            f"| {harness_median:.1f} | {median:.1f} | {scaled} |"
        )
    return "\n".join(lines) + "\n", all_ok


def run(args: argparse.Namespace) -> int:
    bridges = [
        b
        for b in spec.python_bridges()
        if CELL in b.cells and (not args.bridge or b.name in args.bridge)
    ]
    if not bridges:
        print(f"timeit-check: no Python-side bridge with the {CELL} cell selected", file=sys.stderr)
        return 2
    text, ok = table(measure(bridges, args.rounds), args.tolerance)
    sys.stdout.write(text)
    return 0 if ok else 1
