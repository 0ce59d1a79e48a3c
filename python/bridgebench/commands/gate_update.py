"""`python -m bridgebench gate-update`: measure the gate's counts and rewrite the baseline.

The one way the baseline changes, on purpose: after a change that is meant to cost more
(or less), or to gate a new kind of machine. Only this toolchain's entry of the file is
written (added if the file has none); the other toolchains' entries are kept as they
are. Prints every count that moved, so the commit that updates the baseline says what it
accepts. With --bridge, only those bridges' cells are replaced (the others are kept),
which needs an entry for this toolchain already. With --side, only that side's cells are
replaced; a new entry then holds that side alone (another interpreter's venv gates the
Python side only: docs/GATE.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridgebench import gate
from bridgebench.gate_counting import (
    CANNOT_MEASURE,
    DEFAULT_BASELINE,
    add_measure_arguments,
    measure,
    selected_bridges,
)
from bridgebench.harness import counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        type=Path,
        default=DEFAULT_BASELINE,
        help="the baseline to rewrite (default: ci/gate-baseline.json)",
    )
    add_measure_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        bridges = selected_bridges(args.bridge, args.side)
    except ValueError as exc:
        print(f"gate-update: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    others: list[gate.Baseline] = []
    if args.baseline.exists():
        try:
            others = gate.load(args.baseline)
        except gate.GateError as exc:
            if args.bridge:  # a partial update keeps cells of a file that cannot be read
                print(f"gate-update: {exc}", file=sys.stderr)
                return CANNOT_MEASURE
            print(f"gate-update: replacing an unreadable baseline: {exc}", file=sys.stderr)
    try:
        measured = measure(bridges, args.module_dir, args.jobs, count_binary=args.count_binary)
    except counts.CountsError as exc:
        print(f"gate-update: cannot measure: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    new = measured
    old = gate.for_toolchain(others, measured.fingerprint)
    if args.bridge or (args.side != "both" and old is not None):
        if old is None:
            print(
                f"gate-update: {args.baseline} has no entry for this toolchain, and a new "
                "entry needs every bridge's counts. Update every bridge (no --bridge).",
                file=sys.stderr,
            )
            return CANNOT_MEASURE
        chosen = {b.name for b in bridges}
        kept = {k: v for k, v in old.counts.items() if k[0] not in chosen}
        new = gate.Baseline(measured.fingerprint, {**kept, **measured.counts})
    gate.save(args.baseline, gate.replace(others, new))
    kept_entries = len(others) - (old is not None)
    print(
        f"gate-update: wrote {len(new.counts)} cells for this toolchain to {args.baseline}"
        + (f" (kept the entries of {kept_entries} other toolchain(s))" if kept_entries else "")
    )
    if old is not None:
        print(gate.baseline_changes(old, new))
    else:
        print("a new toolchain entry: " + ", ".join(f"{k}={v}" for k, v in new.fingerprint.items()))
    return 0
