"""`python -m bridgebench gate`: fail when a cell's instruction or allocation counts regressed.

Counts the gate's fixed selection (every Python-side cell of the chosen bridges: scalar
cells, and sequence cells at n=1000, the quick bench's count sizes) and compares them with
the baseline committed in the repo (its entry for this machine's toolchain). Exit 0:
nothing regressed; 1: a table names each cell that did (or the selection no longer matches
the baseline); 2: it could not measure, or the baseline has no entry for this toolchain.
Rules and thresholds: bridgebench/gate.py and docs/GATE.md. Instructions are counted
under gate.LAYOUTS memory layouts (some cells' counts depend on the layout), allocations
once.

`--save FILE` also writes what it measured in the baseline's format; alone (without an
explicit --baseline) it only measures and saves: CI measures the base commit that way and
then gates the head commit with `--baseline FILE` on the same runner.
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

DEFAULT_BASELINE = spec.ROOT / "ci" / "gate-baseline.json"
# Exit statuses.
PASSED, REGRESSED, CANNOT_MEASURE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        help=f"the baseline to compare with (default: {DEFAULT_BASELINE.relative_to(spec.ROOT)})",
    )
    add_measure_arguments(parser)
    parser.add_argument(
        "--save",
        type=Path,
        metavar="FILE",
        help="write the measured counts in the baseline's format; without --baseline, "
        "only measure and save (no comparison)",
    )
    parser.add_argument(
        "--foreign-baseline",
        choices=("fail", "warn"),
        default="fail",
        help="a baseline from another toolchain cannot be compared: exit 2 (fail, the "
        "default) or say NOT GATED and exit 0 (warn: `cargo xtask test` on a machine unlike "
        "the one the baseline was measured on)",
    )


def add_measure_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of what is measured, shared with gate-update."""
    parser.add_argument(
        "--bridge",
        action="append",
        metavar="NAME",
        help="only this Python-side bridge (repeatable; default: all of them)",
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
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help="count children run at a time (default: one per usable core, at most 4)",
    )


def selected_bridges(names: Sequence[str] | None) -> list[spec.Bridge]:
    """The chosen Python-side bridges, in registry order; ValueError names a bad one."""
    python_side = spec.python_bridges()
    known = {b.name for b in python_side}
    unknown = sorted(set(names or ()) - known)
    if unknown:
        raise ValueError(
            f"not Python-side bridges of {spec.REGISTRY}: {', '.join(unknown)} "
            f"(choose from {', '.join(sorted(known))})"
        )
    return [b for b in python_side if not names or b.name in names]


def layout_dirs(layout: int) -> list[Path]:
    """Memory layout number `layout`: sys.path entries that do not exist, there only to
    shift the count child's heap (their strings, the path caches) by a fixed amount.
    Layout 0 adds nothing: it is the layout the bench's counts are taken in."""
    if layout == 0:
        return []
    return [Path("/nonexistent") / ("bridgebench-gate-layout-" + "x" * (16 * layout))]


@dataclass(frozen=True)
class Task:
    """One count child: a bridge, a kind, a memory layout."""

    bridge: str
    kind: str
    layout: int


def _tasks(bridges: Sequence[spec.Bridge]) -> list[Task]:
    """Allocations once (they did not depend on the layout), instructions per layout."""
    out = []
    for b in bridges:
        out.append(Task(b.name, "allocs", 0))
        out += [Task(b.name, "instructions", k) for k in range(gate.LAYOUTS)]
    return out


def measure(
    bridges: Sequence[spec.Bridge], module_dirs: Sequence[Path], jobs: int = 1
) -> gate.Baseline:
    """Count the gate's selection of each bridge, `jobs` count children at a time (counts
    do not depend on timing), with progress on stderr. Raises counts.CountsError naming
    the bridge and what to do."""

    def count(task: Task) -> list[counts.Record]:
        try:
            return counts.run_counts(
                task.bridge,
                task.kind,
                quick=True,
                sizes=counts.QUICK_SIZES,
                module_dirs=[*module_dirs, *layout_dirs(task.layout)],
            )
        except counts.CountsError as exc:
            raise counts.CountsError(
                f"bridge {task.bridge} ({task.kind}): {exc}\nBuild what is missing with "
                "`cargo xtask build`; docs/COUNTS.md lists what counting needs."
            ) from None

    tasks = _tasks(bridges)
    done: dict[Task, list[counts.Record]] = {}
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
                    f"[gate {i}/{len(tasks)}] {task.bridge} {task.kind}"
                    + (f" (layout {task.layout})" if task.kind == "instructions" else "")
                    + f": {len(done[task])} cells; {elapsed:.0f} s so far, about {left:.0f} s left",
                    file=sys.stderr,
                    flush=True,
                )
        except counts.CountsError:
            for f in futures:
                f.cancel()
            raise
    found: dict[gate.Key, gate.Counts] = {}
    for b in bridges:
        allocs = done[Task(b.name, "allocs", 0)]
        layouts = [done[Task(b.name, "instructions", k)] for k in range(gate.LAYOUTS)]
        found.update(gate.from_runs(b.name, allocs, layouts))
    return gate.Baseline(gate.fingerprint(environment.describe()), found)


def default_jobs() -> int:
    """Count children at a time: one per core this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def fingerprint_message(
    diff: dict[str, tuple[str, str]], baseline: Path, toolchains: int = 1
) -> str:
    """Why a baseline file cannot gate this machine: what differs from its closest entry."""
    held = (
        "was measured on another toolchain"
        if toolchains == 1
        else (f"has no entry for this toolchain (it holds {toolchains}; the closest differs)")
    )
    lines = [f"CANNOT GATE: {baseline} {held}, and counts are only comparable on the same one:"]
    lines += [f"  {name}: baseline {was!r}, here {now!r}" for name, (was, now) in diff.items()]
    lines.append(
        "Compare two commits on this machine instead (`gate --save base.json` on the base "
        "commit, then `gate --baseline base.json` on yours), or, if this toolchain is to be "
        f"gated from now on, add its entry on purpose: {update_command(baseline)}"
    )
    return "\n".join(lines)


def update_command(baseline: Path) -> str:
    default = baseline.resolve() == DEFAULT_BASELINE.resolve()
    return "python -m bridgebench gate-update" + ("" if default else f" --baseline {baseline}")


def run(args: argparse.Namespace) -> int:
    try:
        bridges = selected_bridges(args.bridge)
    except ValueError as exc:
        print(f"gate: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    compare_with: Path | None = args.baseline
    if compare_with is None and args.save is None:
        compare_with = DEFAULT_BASELINE
    baselines = None
    if compare_with is not None:  # read first: a missing baseline fails before measuring
        try:
            baselines = gate.load(compare_with)
        except gate.GateError as exc:
            print(f"gate: {exc}", file=sys.stderr)
            return CANNOT_MEASURE
    try:
        measured = measure(bridges, args.module_dir, args.jobs)
    except counts.CountsError as exc:
        print(f"gate: cannot measure: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    if args.save is not None:
        gate.save(args.save, [measured])
        print(f"gate: counts of {len(measured.counts)} cells saved to {args.save}")
    if baselines is None or compare_with is None:
        return PASSED
    baseline = gate.for_toolchain(baselines, measured.fingerprint) or gate.closest(
        baselines, measured.fingerprint
    )
    if baseline is None:
        print(f"gate: {compare_with} holds no baseline; {update_command(compare_with)}")
        return CANNOT_MEASURE
    verdict = gate.compare(baseline, measured, [b.name for b in bridges])
    if verdict.fingerprint:
        print(fingerprint_message(verdict.fingerprint, compare_with, len(baselines)))
        if args.foreign_baseline == "warn":
            print("NOT GATED: the counts were measured but not compared (--foreign-baseline warn)")
            return PASSED
        return CANNOT_MEASURE
    print(gate.report(verdict, str(compare_with), update_command(compare_with)))
    return REGRESSED if verdict.failed else PASSED
