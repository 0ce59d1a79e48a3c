"""Counting the gate's selection, shared by `gate` and `gate-update`: the options that
choose what is counted, the chosen bridges, the memory layouts instructions are counted
under, and the count children, run in parallel (counts do not depend on timing). `measure`
counts every cell under every layout asked for; `settle` counts the bridges of the gate's
unsettled cells (gate.unsettled) under the further layouts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from bridgebench import environment, gate, spec
from bridgebench.harness import counts
from bridgebench.harness.count_figures import InstructionFigures

# The committed baseline both commands read by default.
DEFAULT_BASELINE = spec.ROOT / "ci" / "gate-baseline.json"
# Both commands' exit status when they cannot count, or have nothing to count against.
CANNOT_MEASURE = 2
# What --side chooses.
SIDES = ("python", "rust", "both")


def add_measure_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of what is measured, shared with gate-update."""
    parser.add_argument(
        "--bridge",
        action="append",
        metavar="NAME",
        help="only this bridge (repeatable; default: every bridge of the chosen sides)",
    )
    parser.add_argument(
        "--side",
        choices=SIDES,
        default="both",
        help="the bridges of one side only (default: both). Another interpreter's venv "
        "(cargo xtask gate --python X.Y) gates the Python side alone: the Rust side is "
        "built and counted with the project venv's interpreter",
    )
    parser.add_argument(
        "--module-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="look for bridge modules here before the installed ones (a build made "
        "elsewhere; the gate's own test counts a deliberately regressed build this way)",
    )
    parser.add_argument(
        "--count-binary",
        type=Path,
        metavar="FILE",
        help="count the Rust-side rows with this build of the count binary (default: "
        "target/release/rust-counts; the gate's own test counts a regressed build this way)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help="count children run at a time (default: one per usable core, at most 4)",
    )


def selected_bridges(names: Sequence[str] | None, side: str = "both") -> list[spec.Bridge]:
    """The chosen bridges of the chosen side(s), in registry order; ValueError names a bad
    one. A Python-side bridge not built for the running interpreter ([bridge.python]) has
    no module to count here: left out of every bridge (no names), refused when named."""
    every = [b for b in spec.bridges() if side in ("both", b.side)]
    known = {b.name for b in every}
    unknown = sorted(set(names or ()) - known)
    if unknown:
        where = f"{side}-side bridges" if side != "both" else "bridges"
        raise ValueError(
            f"not {where} of {spec.REGISTRY}: {', '.join(unknown)} "
            f"(choose from {', '.join(sorted(known))})"
        )
    chosen = [b for b in every if not names or b.name in names]
    unbuilt = [b for b in chosen if b.side == "python" and not b.built_for()]
    if names and unbuilt:
        raise ValueError("; ".join(f"{b.name}: {b.not_built_reason()}" for b in unbuilt))
    return [b for b in chosen if b not in unbuilt]


def layout_dirs(layout: int) -> list[Path]:
    """Memory layout number `layout`: sys.path entries that do not exist, there only to
    shift the count child's heap (their strings, the path caches) by a fixed amount.
    Layout 0 adds nothing: it is the layout the bench's counts are taken in."""
    if layout == 0:
        return []
    return [Path("/nonexistent") / ("bridgebench-gate-layout-" + "x" * (16 * layout))]


@dataclass(frozen=True)
class Task:
    """One count child: a bridge, a kind, a memory layout, and the cells it counts (None:
    every cell of the bridge)."""

    bridge: str
    kind: str
    layout: int
    cells: tuple[str, ...] | None = None


def _tasks(
    bridges: Sequence[spec.Bridge], layouts: int, cells: tuple[str, ...] | None
) -> list[Task]:
    """Instructions per layout, then allocations once (they did not depend on the layout):
    the long children first, so the short ones fill the cores at the end."""
    out = [Task(b.name, "instructions", k, cells) for b in bridges for k in range(layouts)]
    return out + [Task(b.name, "allocs", 0, cells) for b in bridges]


def _count_all(
    tasks: Sequence[Task],
    module_dirs: Sequence[Path],
    count_binary: Path | None,
    jobs: int,
    label: str,
) -> dict[Task, list[counts.Figures]]:
    """Run the tasks' count children, `jobs` at a time, with progress on stderr."""

    def count(task: Task) -> list[counts.Figures]:
        bridge = spec.bridge(task.bridge)
        try:
            return counts.run_counts(
                task.bridge,
                task.kind,
                quick=True,
                cells=[c for c in bridge.cells if c in task.cells] if task.cells else None,
                sizes=counts.QUICK_SIZES,
                module_dirs=[*module_dirs, *layout_dirs(task.layout)],
                count_binary=count_binary,
            )
        except counts.CountsError as exc:
            raise counts.CountsError(
                f"bridge {task.bridge} ({task.kind}): {exc}\nBuild what is missing with "
                "`cargo xtask build`; docs/COUNTS.md lists what counting needs."
            ) from None

    done: dict[Task, list[counts.Figures]] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(count, task): task for task in tasks}
        try:
            for i, future in enumerate(as_completed(futures), 1):
                task = futures[future]
                done[task] = future.result()
                elapsed = time.monotonic() - started
                left = elapsed / i * (len(tasks) - i)
                print(
                    f"[{label} {i}/{len(tasks)}] {task.bridge} {task.kind}"
                    + (f" (layout {task.layout})" if task.kind == "instructions" else "")
                    + f": {len(done[task])} cells; {elapsed:.0f} s so far, about {left:.0f} s left",
                    file=sys.stderr,
                    flush=True,
                )
        except counts.CountsError:
            for f in futures:
                f.cancel()
            raise
    return done


def measure(
    bridges: Sequence[spec.Bridge],
    module_dirs: Sequence[Path],
    jobs: int = 1,
    cells: Sequence[str] | None = None,
    layouts: int = gate.LAYOUTS,
    count_binary: Path | None = None,
) -> gate.Baseline:
    """Count the gate's selection of each bridge (only `cells`, where given), instructions
    under `layouts` memory layouts, `jobs` count children at a time (counts do not depend
    on timing), with progress on stderr. Raises counts.CountsError naming the bridge and
    what to do."""
    chosen = tuple(cells) if cells else None
    tasks = _tasks(bridges, layouts, chosen)
    done = _count_all(tasks, module_dirs, count_binary, jobs, "gate")
    found: dict[gate.Key, gate.Counts] = {}
    for b in bridges:
        allocs = done[Task(b.name, "allocs", 0, chosen)]
        runs = [done[Task(b.name, "instructions", k, chosen)] for k in range(layouts)]
        found.update(gate.from_runs(b.name, allocs, runs))
    return gate.Baseline(gate.fingerprint(environment.describe()), found)


def settle(
    measured: gate.Baseline,
    keys: Sequence[gate.Key],
    module_dirs: Sequence[Path],
    jobs: int,
    layouts: int,
    count_binary: Path | None = None,
    cells: Sequence[str] | None = None,
) -> gate.Baseline:
    """`measured` (counted under the first memory layout) with the bridges of the `keys`
    cells counted again under layouts 1 to `layouts` - 1: the same selection (`cells`) as
    the first count, since a cell's count depends on what its child ran before it. Their
    ranges, and with them the verdict, are what counting every cell under every layout
    gives (gate.unsettled)."""
    chosen = tuple(cells) if cells else None
    bridges = sorted({bridge for bridge, _cell, _size in keys})
    tasks = [Task(b, "instructions", k, chosen) for b in bridges for k in range(1, layouts)]
    more: dict[gate.Key, list[float]] = {}
    done = _count_all(tasks, module_dirs, count_binary, jobs, "gate, more layouts")
    for task, records in done.items():
        for rec in records:
            key = (task.bridge, rec.cell, rec.size)
            if key in measured.counts and isinstance(rec, InstructionFigures):
                more.setdefault(key, []).append(rec.instructions_per_call)
    return gate.widened(measured, more)


def default_jobs() -> int:
    """Count children at a time: one per core this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))
