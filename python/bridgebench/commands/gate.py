"""`python -m bridgebench gate`: fail when a cell's instruction or allocation counts regressed.

Counts the gate's fixed selection (every cell of the chosen bridges, of both sides, or the
chosen cells: scalar cells, and sequence cells at n=1000, the quick bench's count sizes)
and compares them with the baseline committed in the repo (its entry for this machine's
toolchain). Exit 0: nothing regressed; 1: a table names each cell that did (or the
selection no longer matches the baseline); 2: it could not measure, or the baseline has
no entry for this toolchain.
Rules and thresholds: bridgebench/gate.py and docs/GATE.md. Instructions are counted
under gate.LAYOUTS memory layouts (some cells' counts depend on the layout): every cell
under the first, and under the others only the bridges with a cell whose verdict they
could change (gate.unsettled: the same verdict as counting every cell under every layout);
allocations
once. With --save every cell is counted under every layout: the file may be a baseline.

`--save FILE` also writes what it measured in the baseline's format; alone (without an
explicit --baseline) it only measures and saves: CI measures the base commit that way and
then gates the head commit with `--baseline FILE` on the same runner.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridgebench import gate, spec
from bridgebench.gate_counting import (
    CANNOT_MEASURE,
    DEFAULT_BASELINE,
    add_measure_arguments,
    measure,
    selected_bridges,
    settle,
)
from bridgebench.harness import counts

# Exit statuses; the third, CANNOT_MEASURE (2), is shared with gate-update.
PASSED, REGRESSED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        help=f"the baseline to compare with (default: {DEFAULT_BASELINE.relative_to(spec.ROOT)})",
    )
    add_measure_arguments(parser)
    parser.add_argument(
        "--cell",
        action="append",
        metavar="NAME",
        help="only this cell of each chosen bridge (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--layouts",
        type=int,
        default=gate.LAYOUTS,
        metavar="N",
        help=f"memory layouts instructions are counted under (default {gate.LAYOUTS}, as "
        "the baseline's); fewer is quicker and never more lenient (a narrower range)",
    )
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
        bridges = selected_bridges(args.bridge, args.side)
        unknown = set(args.cell or ()) - {c for b in bridges for c in b.cells}
        if unknown:
            raise ValueError(f"no chosen bridge has the cells {sorted(unknown)}")
        if args.layouts < 1:
            raise ValueError(f"--layouts {args.layouts}: instructions need at least 1 layout")
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
    # A saved file may serve as a baseline: every cell's range, over every layout.
    first_layouts = args.layouts if args.save is not None else 1
    try:
        measured = measure(
            bridges, args.module_dir, args.jobs, args.cell, first_layouts, args.count_binary
        )
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
    if first_layouts < args.layouts and not gate.fingerprint_diff(
        baseline.fingerprint, measured.fingerprint
    ):
        unsettled = gate.unsettled(baseline, measured)
        if unsettled:
            print(
                f"gate: {len(unsettled)} cell(s) past an instruction threshold under the first "
                f"memory layout; counting their bridges under {args.layouts - first_layouts} more",
                file=sys.stderr,
            )
            try:
                measured = settle(
                    measured,
                    unsettled,
                    args.module_dir,
                    args.jobs,
                    args.layouts,
                    args.count_binary,
                    args.cell,
                )
            except counts.CountsError as exc:
                print(f"gate: cannot measure: {exc}", file=sys.stderr)
                return CANNOT_MEASURE
    verdict = gate.compare(baseline, measured, [b.name for b in bridges], args.cell)
    if verdict.fingerprint:
        print(fingerprint_message(verdict.fingerprint, compare_with, len(baselines)))
        if args.foreign_baseline == "warn":
            print("NOT GATED: the counts were measured but not compared (--foreign-baseline warn)")
            return PASSED
        return CANNOT_MEASURE
    print(gate.report(verdict, str(compare_with), update_command(compare_with), args.layouts))
    return REGRESSED if verdict.failed else PASSED
