"""`python -m bridgebench bench`: measure every Python-side cell, fold in criterion, write results.

Each bridge runs in its own worker process (bridgebench.harness.worker), so one bridge's
imports and allocations never touch another's figures, and a crash loses one bridge's
remaining cells, not the run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridgebench import criterion, environment, results, spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("results"), help="parent folder")
    parser.add_argument("--quick", action="store_true", help="fewer samples (CI smoke runs)")
    parser.add_argument("--criterion", type=Path, help="fold in criterion's estimates from here")
    parser.add_argument("--bridge", action="append", help="only these bridges (repeatable)")


def _run_worker(bridge: spec.Bridge, quick: bool, index: int, total: int) -> list[dict[str, Any]]:
    argv = [sys.executable, "-m", "bridgebench.harness.worker", bridge.name]
    if quick:
        argv.append("--quick")
    started = time.monotonic()
    print(f"[{index}/{total}] {bridge.name}: {len(bridge.cells)} cells", flush=True)
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=spec.ROOT,
        env=spec.child_env(),
    )
    records: list[dict[str, Any]] = []
    assert proc.stdout is not None
    error = None
    for line in proc.stdout:
        msg = json.loads(line)
        if "error" in msg:
            error = msg["error"]
            continue
        size = f" n={msg['size']:,}" if msg["size"] is not None else ""
        print(f"      {msg['cell']}{size}: {msg['median_ns']:,.1f} ns/call", flush=True)
        records.append({"side": "python", "bridge": bridge.name, "status": "ok", **msg})
    stderr = proc.stderr.read() if proc.stderr else ""
    code = proc.wait()
    if code != 0:
        why = error or f"worker exited with {code}: {stderr.strip()[-500:]}"
        print(f"      ERROR: {why}", flush=True)
        done = {r["cell"] for r in records}
        for cell in bridge.cells:
            if cell not in done:
                records.append(
                    {
                        "side": "python",
                        "bridge": bridge.name,
                        "cell": cell,
                        "size": None,
                        "status": "error",
                        "error": why,
                    }
                )
    print(f"      {time.monotonic() - started:.1f} s", flush=True)
    return records


def run(args: argparse.Namespace) -> int:
    bridges = [b for b in spec.python_bridges() if not args.bridge or b.name in args.bridge]
    started = datetime.now(UTC)
    cells: list[dict[str, Any]] = []
    for i, bridge in enumerate(bridges, 1):
        cells += _run_worker(bridge, args.quick, i, len(bridges))
    for bridge in spec.bridges():
        cells += [
            {
                "side": bridge.side,
                "bridge": bridge.name,
                "cell": cell,
                "size": None,
                "status": "n/a",
                "reason": reason,
            }
            for cell, reason in bridge.na.items()
        ]
    if args.criterion:
        folded = criterion.read(args.criterion)
        cells += folded
        for bridge in (b for b in spec.bridges() if b.side == "rust"):
            have = {r["cell"] for r in folded if r["bridge"] == bridge.name}
            cells += [
                {
                    "side": "rust",
                    "bridge": bridge.name,
                    "cell": cell,
                    "size": None,
                    "status": "error",
                    "error": f"no criterion estimate under {args.criterion}",
                }
                for cell in bridge.cells
                if cell not in have
            ]
    data = {
        "schema": results.SCHEMA,
        "created": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "environment": environment.describe(),
        "cells": cells,
    }
    folder = args.out / (started.strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else ""))
    json_path, md_path = results.write(data, folder)
    print(f"\nresults: {json_path.resolve()}\n  table: {md_path.resolve()}")
    errors = [c for c in cells if c["status"] == "error"]
    if errors:
        print(f"{len(errors)} cells failed; see the notes in {md_path}", file=sys.stderr)
        return 1
    return 0
