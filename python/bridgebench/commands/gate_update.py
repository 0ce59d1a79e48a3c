"""`python -m bridgebench gate-update`: measure the gate's counts and rewrite the baseline.

The one way the baseline changes, on purpose: after a change that is meant to cost more
(or less), or on a new reference toolchain. Prints every count that moved, so the commit
that updates the baseline says what it accepts. With --bridge, only those bridges' cells
are replaced (the others are kept), which needs the same toolchain as the baseline's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridgebench import gate
from bridgebench.commands.gate import (
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
        bridges = selected_bridges(args.bridge)
    except ValueError as exc:
        print(f"gate-update: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    old = None
    if args.baseline.exists():
        try:
            old = gate.load(args.baseline)
        except gate.GateError as exc:
            if args.bridge:  # a partial update keeps cells of a file that cannot be read
                print(f"gate-update: {exc}", file=sys.stderr)
                return CANNOT_MEASURE
            print(f"gate-update: replacing an unreadable baseline: {exc}", file=sys.stderr)
    try:
        measured = measure(bridges, args.module_dir, args.jobs)
    except counts.CountsError as exc:
        print(f"gate-update: cannot measure: {exc}", file=sys.stderr)
        return CANNOT_MEASURE
    new = measured
    if args.bridge and old is not None:
        if gate.fingerprint_diff(old.fingerprint, measured.fingerprint):
            print(
                f"gate-update: {args.baseline} was measured on another toolchain; counts "
                "from two toolchains cannot share a baseline. Update every bridge (no --bridge).",
                file=sys.stderr,
            )
            return CANNOT_MEASURE
        chosen = {b.name for b in bridges}
        kept = {k: v for k, v in old.counts.items() if k[0] not in chosen}
        new = gate.Baseline(measured.fingerprint, {**kept, **measured.counts})
    gate.save(args.baseline, new)
    print(f"gate-update: wrote {len(new.counts)} cells to {args.baseline}")
    if old is not None:
        print(gate.baseline_changes(old, new))
    return 0
