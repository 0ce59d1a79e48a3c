"""`python -m bridgebench merge A.json B.json ... -o OUT.json`: one results file from several
jobs or machines.

Every cell of the output carries a `label` (which machine/environment measured it) and a
`source_index` into `sources`, which keeps each input's environment, plan, mode and
machine record (how steady it was during the timing; a merged file has no top-level one).
Cells are keyed by (label, side, bridge, cell, size). A file's label is `--label` (one per
input, in order), else the file's own `label`, else its environment's host name.
Identical records under one key (the n/a rows every run writes) are kept once; two
different records under one key are refused: they are two measurements of one thing, and
only a distinct --label may keep both. Bad-input outcomes are merged the same way, keyed
by label too, so each machine's outcome matrix survives the merge, and so are the thread
records (one per label and bridge). Cost models are fitted
again per label from the merged cells: a crossover with pure Python needs the reference's
cells, which may come from another job's file (CI runs the bridges in groups).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bridgebench import results, schema


class MergeError(ValueError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", type=Path, nargs="+", help="results.json files")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the merged file")
    parser.add_argument(
        "--label",
        action="append",
        help="the environment label of each input, in order (repeat once per input)",
    )


def default_label(environment: dict[str, Any]) -> str:
    return str(environment.get("host") or environment.get("cpu") or "unknown")


def _sources(data: dict[str, Any], name: str, label: str | None) -> list[dict[str, Any]]:
    """The input's sources (a merged file's own, or one for a single run), relabelled."""
    if "sources" in data:
        sources = [dict(s) for s in data["sources"]]
        if label is not None:
            if len({s["label"] for s in sources}) > 1:
                raise MergeError(f"{name}: --label cannot rename a file of several labels")
            for source in sources:
                source["label"] = label
        return sources
    source = {
        "label": label or data.get("label") or default_label(data["environment"]),
        "file": name,
        "schema": data["schema"],
        "created": data["created"],
        "mode": data["mode"],
        "plan": data.get("plan", {}),
        "environment": data["environment"],
    }
    if "machine" in data:  # how steady the machine was: the report shows it per source
        source["machine"] = data["machine"]
    return [source]


def _identity(record: dict[str, Any]) -> dict[str, Any]:
    """A record without where it came from: two sources' identical records compare equal."""
    return {k: v for k, v in record.items() if k not in ("label", "source_index")}


def _model_key(model: dict[str, Any]) -> tuple[Any, ...]:
    return (model.get("label"), model.get("side"), model["bridge"], model["cell"])


def _outcome_key(outcome: dict[str, Any]) -> tuple[Any, ...]:
    """A bad-input outcome (bridgebench.outcome_matrix) per label, bridge, case and cell."""
    return (outcome.get("label"), outcome["bridge"], outcome["case"], outcome["cell"])


def _build_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """A build figure per bridge and source (each interpreter of `bench --python` builds
    every bridge again)."""
    return (record["label"], record["bridge"])


def _threads_key(record: dict[str, Any]) -> tuple[Any, ...]:
    """A bridge's thread record (bridgebench.harness.threads) per label."""
    return (record["label"], record["bridge"])


def merge(
    inputs: list[tuple[str, dict[str, Any]]], labels: list[str] | None = None
) -> dict[str, Any]:
    """Merge validated results (name, data) pairs; MergeError on a key with two records."""
    if labels is not None and len(labels) != len(inputs):
        raise MergeError(f"{len(labels)} --label for {len(inputs)} inputs: give one per input")
    sources: list[dict[str, Any]] = []
    merged: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {
        "cells": {},
        "examples": {},
        "models": {},
        "outcomes": {},
        "builds": {},
        "threads": {},
    }
    conflicts: list[str] = []
    for i, (name, data) in enumerate(inputs):
        own = _sources(data, name, labels[i] if labels else None)
        offset = len(sources)
        sources += own
        for kind, key_of in (
            ("cells", schema.cell_key),
            ("examples", schema.cell_key),
            ("models", _model_key),
            ("outcomes", _outcome_key),
            ("builds", _build_key),
            ("threads", _threads_key),
        ):
            for record in data.get(kind, []):
                index = record.get("source_index", 0)
                record = dict(record, label=own[index]["label"], source_index=offset + index)
                key = key_of(record)
                before = merged[kind].get(key)
                if before is None:
                    merged[kind][key] = record
                elif _identity(before) != _identity(record):
                    first = sources[before["source_index"]]
                    same = first["environment"] == own[index]["environment"]
                    conflicts.append(
                        f"{key} is in {first.get('file', '?')} and {name}"
                        + (" (same environment)" if same else " (different environments)")
                    )
    if conflicts:
        shown = "\n  ".join(conflicts[:10]) + (
            f"\n  ... and {len(conflicts) - 10} more" if len(conflicts) > 10 else ""
        )
        raise MergeError(
            f"{len(conflicts)} records measured twice under one label:\n  {shown}\n"
            "give each input its own --label to keep both"
        )
    modes = {s["mode"] for s in sources}
    out: dict[str, Any] = {
        "schema": schema.VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": modes.pop() if len(modes) == 1 else "mixed",
        "sources": sources,
        "cells": list(merged["cells"].values()),
    }
    models = [
        dict(model, label=label)
        for label in sorted({c["label"] for c in out["cells"]})
        for model in results.cost_models([c for c in out["cells"] if c["label"] == label])
    ]
    if models or merged["models"]:  # optional: absent when nothing was swept
        out["models"] = models
    if merged["outcomes"]:
        out["outcomes"] = list(merged["outcomes"].values())
    if merged["examples"]:
        out["examples"] = list(merged["examples"].values())
    if merged["threads"]:
        out["threads"] = list(merged["threads"].values())
    if merged["builds"]:
        out["builds"] = [
            {k: v for k, v in b.items() if k != "source_index"} for b in merged["builds"].values()
        ]
    return out


def run(args: argparse.Namespace) -> int:
    try:
        inputs = [(str(path), schema.load(path)) for path in args.inputs]
        data = merge(inputs, args.label)
    except ValueError as exc:  # MergeError included
        print(f"merge: {exc}", file=sys.stderr)
        return 2
    errors = schema.validate(data)
    if errors:  # a bug here, not in the inputs: they were validated
        print("merge: the merged file does not validate:\n  " + "\n  ".join(errors[:20]))
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    labels = sorted({s["label"] for s in data["sources"]})
    print(
        f"merged {len(inputs)} files ({len(data['cells'])} cells, labels: {', '.join(labels)})"
        f" into {args.out}"
    )
    return 0
