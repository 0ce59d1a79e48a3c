"""`python -m bridgebench bench`: measure every Python-side cell, fold in criterion, write results.

Timing: every (bridge, cell, size) in rounds, each size in a process of its own and its
samples paired with the floor's (bridgebench.harness.rounds); figures and ratios:
bridgebench.figures; how steady the machine was: bridgebench.steadiness. Then the exact
counts, the bad-input outcomes and each bridge's behaviour under Python threads
(bridgebench.harness.threads). The registry's examples beside a measured bridge are
timed and counted too, into the results' `examples`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bridgebench import (
    criterion,
    environment,
    figures,
    outcome_matrix,
    report,
    results,
    schema,
    spec,
    steadiness,
)
from bridgebench.harness import counts, rounds, threads
from bridgebench.harness.load import Load


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("results"), help="parent folder")
    parser.add_argument("--quick", action="store_true", help="fewer samples (CI smoke runs)")
    parser.add_argument(
        "--criterion",
        type=Path,
        action="append",
        help="fold in criterion's samples from this folder; repeat it for each pass of a "
        "full run (cargo xtask bench: target/criterion/pass-<k>), their samples are pooled",
    )
    parser.add_argument("--bridge", action="append", help="only these bridges (repeatable)")
    parser.add_argument(
        "--builds",
        type=Path,
        help="fold in this `build-figures` file as the results' `builds` (what each bridge "
        "costs to build and ship; cargo xtask bench passes it in full runs)",
    )


# Counts are exact whatever else the machine does (docs/COUNTS.md), so the count runs,
# which come after every timing, use both cores: two children at a time.
COUNT_JOBS = 2


def _counts(
    bridges: Sequence[spec.Subject], quick: bool
) -> tuple[dict[Any, dict[str, Any]], list[str]]:
    """Allocation and instruction counts of every cell, keyed by (bridge, cell, size)."""
    counted: dict[Any, dict[str, Any]] = {}
    errors: list[str] = []
    jobs = [(bridge.name, kind) for bridge in bridges for kind in counts.KINDS]
    clock = time.monotonic()

    def one(job: tuple[str, str]) -> list[counts.Figures]:
        name, kind = job
        return counts.run_counts(
            name, kind, quick, lambda _: None, sizes=counts.QUICK_SIZES if quick else None
        )

    with ThreadPoolExecutor(max_workers=COUNT_JOBS) as pool:
        futures = {pool.submit(one, job): job for job in jobs}
        for done, future in enumerate(as_completed(futures), 1):
            name, kind = futures[future]
            elapsed = time.monotonic() - clock
            left = elapsed / done * (len(jobs) - done)
            try:
                records = future.result()
            except counts.CountsError as exc:
                errors.append(f"{name} {kind}: {exc}")
                print(f"[counts {done}/{len(jobs)}] {name} {kind} ERROR: {exc}", flush=True)
                continue
            print(
                f"[counts {done}/{len(jobs)}] {name} {kind}: {len(records)} cells"
                f"  ({elapsed:.0f} s so far, about {left:.0f} s left)",
                flush=True,
            )
            for rec in records:
                counted.setdefault((name, rec.cell, rec.size), {}).update(rec.result_fields())
    return counted, errors


def _na_records() -> list[dict[str, Any]]:
    """A record for every cell a bridge declares n/a (benches/bridges.toml), with its reason."""
    return [
        {
            "side": bridge.side,
            "bridge": bridge.name,
            "cell": cell,
            "size": None,
            "status": "n/a",
            "reason": reason,
        }
        for bridge in spec.bridges()
        for cell, reason in _na_here(bridge).items()
    ]


def _na_here(bridge: spec.Bridge) -> dict[str, str]:
    """The bridge's n/a cells on this interpreter: every cell, when it is not built for it."""
    reason = bridge.not_built_reason() if bridge.side == "python" else None
    if reason is None:
        return bridge.na
    return {**bridge.na, **dict.fromkeys(bridge.cells, reason)}


def _merge_counts(
    cells: list[dict[str, Any]], bridges: Sequence[spec.Subject], quick: bool
) -> list[str]:
    """Count every cell and merge the counts into its timing record; the errors."""
    print("\n==> counts: allocations (interposed malloc) and instructions (callgrind)", flush=True)
    counted, errors = _counts(bridges, quick)
    timed = set()
    for rec in cells:
        key = (rec["bridge"], rec["cell"], rec["size"])
        rec.update(counted.get(key, {}))
        timed.add(key)
    return errors + [
        f"{b} {c} n={n}: counted but has no timing record" for b, c, n in counted.keys() - timed
    ]


def _fold_criterion(
    cells: list[dict[str, Any]], phases: dict[str, Any], folders: list[Path], quick: bool
) -> None:
    """Add the Rust side's records from criterion's folders (an error record for every
    Rust-side cell with no samples) and its steadiness phase."""
    folded = criterion.read(folders, quick=quick)
    rust_load = criterion.load(folders)
    if rust_load:
        phases["rust"] = rust_load
    cells += folded
    missing = "no criterion samples under " + ", ".join(map(str, folders))
    for bridge in (b for b in spec.bridges() if b.side == "rust"):
        have = {r["cell"] for r in folded if r["bridge"] == bridge.name}
        cells += [
            figures.error_record("rust", bridge.name, cell, None, missing)
            for cell in bridge.cells
            if cell not in have
        ]


def _chosen(bridge: spec.Bridge, args: argparse.Namespace) -> bool:
    return not args.bridge or bridge.name in args.bridge


def _examples(bridges: list[spec.Bridge]) -> list[spec.Example]:
    """The registry's examples measured in this run: those whose `beside` bridge is. Not
    bridges (outside the contract: no bad-input outcomes, not gated); their records are
    results.json's `examples`, each paired with and divided by its `beside` bridge's."""
    chosen = {b.name for b in bridges}
    return [e for e in spec.examples() if e.beside in chosen]


def run(args: argparse.Namespace) -> int:
    bridges = [b for b in spec.python_bridges() if _chosen(b, args)]
    examples = _examples(bridges)
    plan = rounds.QUICK if args.quick else rounds.FULL
    started = datetime.now(timezone.utc)
    load = Load.start()
    timings = rounds.measure([*bridges, *examples], plan, lambda line: print(line, flush=True))
    phases = {
        "python": {
            **steadiness.phase(load.stop()),
            **steadiness.canary_fields(timings.canary_ns),
        }
    }
    timed = figures.python_records(timings)
    example_names = {e.name for e in examples}
    example_records = [r for r in timed if r["bridge"] in example_names]
    cells = [r for r in timed if r["bridge"] not in example_names] + _na_records()
    counted: list[spec.Subject] = [*bridges, *examples]
    if args.criterion:
        _fold_criterion(cells, phases, args.criterion, args.quick)
        # The Rust side is in this run: its rows are counted too, by the count binary.
        counted += [b for b in spec.bridges() if b.side == "rust" and _chosen(b, args)]
    count_errors = _merge_counts(cells + example_records, counted, args.quick)
    figures.add_ratios(cells)
    figures.add_ratios(example_records)
    machine = steadiness.verdict(phases)
    data = {
        "schema": results.SCHEMA,
        "created": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "plan": {
            "rounds": plan.rounds,
            "pairs_per_round": plan.pairs,
            "min_sample_ms": plan.target_ms,
            "rust_passes": len(args.criterion or []),  # criterion processes per bench
            "timing_cpu": timings.cpu,  # the one CPU the Python side's timing ran on
        },
        "machine": machine,
        "environment": environment.describe(),
        "cells": cells,
        "models": results.cost_models(cells),
    }
    if example_records:
        data["examples"] = example_records
    if args.builds is not None:
        data["builds"] = json.loads(args.builds.read_text())
    print("\n" + steadiness.line(machine), flush=True)
    # Bad-input outcomes (seconds: one child process per bridge) for the report's matrix.
    print("\n==> bad input: what each bridge does with it (child processes)", flush=True)
    data["outcomes"], outcome_errors = outcome_matrix.collect_all(
        bridges, lambda line: print(line, flush=True)
    )
    # Thread behaviour (a child process per bridge), after every timing: its throughput
    # figure needs both cores.
    print("\n==> threads: each bridge's calls from several Python threads", flush=True)
    data["threads"], thread_errors = threads.measure_all(
        bridges, threads.QUICK if args.quick else threads.FULL, lambda line: print(line, flush=True)
    )
    folder = args.out / (started.strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else ""))
    json_path, md_path = results.write(data, folder)
    print(f"\nresults: {json_path.resolve()}\n  table: {md_path.resolve()}")
    # Rendered from the file just written, as `report` renders any results file.
    html_path, summary_path = report.render(schema.load(json_path), folder)
    print(f"  report: {html_path.resolve()}\n  summary: {summary_path.resolve()}")
    for error in count_errors:
        print(f"counts failed: {error}", file=sys.stderr)
    for error in outcome_errors:
        print(f"bad-input outcomes failed: {error}", file=sys.stderr)
    for error in thread_errors:
        print(f"thread behaviour failed: {error}", file=sys.stderr)
    if count_errors or outcome_errors or thread_errors:
        return 1
    failed = [c for c in cells + example_records if c["status"] == "error"]
    if failed:
        print(f"{len(failed)} cells failed; see the notes in {md_path}", file=sys.stderr)
        return 1
    return 0
