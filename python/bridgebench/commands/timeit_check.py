"""`python -m bridgebench timeit-check [--bridge B ...]`: the harness's `add` figure of each
Python-side bridge against an independent `python -m timeit` of the same call, side by side.

Per bridge and round (rounds interleave the bridges, as the bench does, and every
measurement is a fresh process, so each side draws several memory layouts):
  1. the harness worker, restricted to the `add` cell, with HARNESS_SAMPLES samples of the
     full plan's length: ns per call with the empty loop's cost already subtracted;
  2. `python -m timeit -v -v -r 7 -s "from <module> import add" "add(5, 3)"` (the spec's
     [bench] args), letting timeit calibrate its loop count: the 7 per-loop times;
  3. `python -m timeit -v -v -r 7 -n <that loop count> "pass"`: the empty loop under the
     same settings, because the harness subtracts its empty loop and timeit does not.
timeit's own figure is the best of its repeats: on this kind of VM, whose host slows it
down by about 1.8x for stretches of time, the best repeat is the machine's fast state,
which is also what the harness reports (it keeps only samples whose canary says the
machine was in its fast state: harness/canary.py). So this check compares the harness's
median of steady samples with timeit's best per-loop time of `add` minus its best
per-loop time of `pass` (the harness subtracts its empty loop; timeit does not). The
medians of timeit's repeats are shown beside it. timeit's statement runs in a function
with `add` a local, the same shape as the harness's loop.

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
from bridgebench.commands.bench import FULL
from bridgebench.harness import canary

CELL = "add"
TOLERANCE = 0.15
REPEAT = 7
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
    timeit_ns: list[float] = field(default_factory=list)  # per loop of `add(5, 3)`
    empty_ns: list[float] = field(default_factory=list)  # per loop of `pass`
    loops: list[int] = field(default_factory=list)  # timeit's calibrated loop counts


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


def _timeit(setup: str, stmt: str, number: int | None = None) -> tuple[int, list[float]]:
    argv = [sys.executable, "-m", "timeit", "-v", "-v", "-r", str(REPEAT)]
    argv += ["-n", str(number)] if number else []
    argv += ["-s", setup, stmt] if setup else [stmt]
    out = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{out.stderr.strip()[-1000:]}")
    return parse_timeit(out.stdout)


# Samples per harness process: more than the bench's 5, because a process that measures
# one cell lives about a second, too short to meet the machine's fast state by itself.
HARNESS_SAMPLES = 10
# A bridge with fewer steady samples than MIN_STEADY after the rounds gets up to
# EXTRA_PROCESSES more harness processes.
MIN_STEADY = 10
EXTRA_PROCESSES = 10


def _harness(bridge: spec.Bridge) -> dict[str, Any]:
    """One worker process measuring the add cell only: its record (samples and canaries)."""
    argv = [sys.executable, "-m", "bridgebench.harness.worker", bridge.name, "--cell", CELL]
    argv += ["--samples", str(HARNESS_SAMPLES), "--target-ms", str(FULL.target_ms)]
    out = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    records: list[dict[str, Any]] = [json.loads(line) for line in out.stdout.splitlines()]
    errors = [r["error"] for r in records if "error" in r]
    if out.returncode != 0 or errors or len(records) < 2:
        raise RuntimeError(f"worker for {bridge.name}: {errors or out.stderr.strip()[-1000:]}")
    return {**records[0], "canary_best_ns": records[-1]["canary_best_ns"]}


def steady(records: list[dict[str, Any]], best: int) -> list[float]:
    """The samples judged as the bench judges them, against the reference `best`."""
    return [s for r in records for s in canary.judge(r["samples_ns"], r["canary_ns"], best)]


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
            harness[bridge.name].append(_harness(bridge))
            number, times = _timeit(setup[bridge.name], stmt)
            fig.loops.append(number)
            fig.timeit_ns += times
            fig.empty_ns += _timeit("", "pass", number)[1]
    # Every process's samples are judged against the fastest canary of the whole check
    # (the same code in every process: its fast state measured 59-64 us in every process
    # here, its slow state 84-104). A bench process lives long enough to meet the fast
    # state itself; one of these short ones may not, and would judge its slow samples
    # steady against its own, slow, reference.
    best = min(r["canary_best_ns"] for records in harness.values() for r in records)
    for name, records in harness.items():
        # A bridge whose processes all lived in a slow stretch gets more of them, so its
        # figure is the fast state's too, not a fallback to slow samples.
        for extra in range(1, EXTRA_PROCESSES + 1):
            if len(steady(records, best)) >= MIN_STEADY:
                break
            print(
                f"[extra {extra}/{EXTRA_PROCESSES}] {name}: too few steady samples", file=sys.stderr
            )
            records.append(_harness(spec.bridge(name)))
            best = min(best, records[-1]["canary_best_ns"])
    # The empty loop is the same statement for every bridge: pool all of them.
    empty = [e for fig in figures.values() for e in fig.empty_ns]
    for name, records in harness.items():
        kept = steady(records, best)
        figures[name].harness_ns = kept or [s for r in records for s in r["samples_ns"]]
        figures[name].empty_ns = empty
    return figures


def table(figures: dict[str, Figures], tolerance: float) -> tuple[str, bool]:
    """The Markdown table and whether every bridge is within tolerance."""
    lines = [
        f"`{statement()}`: the harness's median of steady samples (its empty loop"
        f" subtracted) against `python -m timeit -r {REPEAT}`: the best per-loop time minus"
        " the best per-loop time of `pass` (timed at each bridge's loop count, pooled;"
        " timeit's medians beside it).",
        "",
        "| bridge | harness ns | timeit best ns (net) | timeit best raw ns | empty loop best ns "
        f"| timeit median ns (net) | harness/timeit | within {tolerance:.0%}? |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    all_ok = True
    for name, fig in figures.items():
        harness = statistics.median(fig.harness_ns)
        raw, empty = min(fig.timeit_ns), min(fig.empty_ns)
        net = raw - empty
        ratio = harness / net if net > 0 else float("inf")
        ok = abs(ratio - 1) <= tolerance
        all_ok &= ok
        med = statistics.median(fig.timeit_ns) - statistics.median(fig.empty_ns)
        lines.append(
            f"| {name} | {harness:.1f} | {net:.1f} | {raw:.1f} | {empty:.1f} | {med:.1f} "
            f"| {ratio:.3f} | {'yes' if ok else '**no**'} |"
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
