"""`python -m bridgebench record RESULTS_DIR`: keep a full run as a committed record.

Copies the run's results.json and results.md into benches/records/<date>-<machine>/
(rebar's `record/` habit): the teaching book renders every figure it shows from the
record docs/book/book.toml names, so a figure in the book is always one this machine
measured in that run. <machine> is the CPU model and core count of the run's
environment (`amd-epyc-2core`), so records of different machines sit side by side.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

from bridgebench import schema, spec

RECORDS = spec.ROOT / "benches" / "records"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=Path, help="a run's folder (results/<timestamp>)")
    parser.add_argument("--id", help="the record's folder name (default: <date>-<machine>)")


def record_id(data: dict[str, object]) -> str:
    env = data["environment"]
    assert isinstance(env, dict)
    cpu = re.sub(r"[^a-z0-9]+", "-", str(env.get("cpu", "cpu")).lower()).strip("-")
    return f"{str(data['created'])[:10]}-{cpu}-{env.get('cores')}core"


def run(args: argparse.Namespace) -> int:
    source = args.run / "results.json"
    try:
        data = json.loads(source.read_text())
    except (OSError, ValueError) as exc:
        print(f"record: cannot read {source}: {exc}")
        return 2
    problems = schema.validate(data)
    if problems or data.get("mode") != "full":
        why = "; ".join(problems[:3]) if problems else f"a {data.get('mode')} run"
        print(f"record: {source} is not a full run of the current schema ({why}): not kept")
        return 2
    folder = RECORDS / (args.id or record_id(data))
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("results.json", "results.md"):
        shutil.copyfile(args.run / name, folder / name)
    print(f"record: {folder.relative_to(spec.ROOT)} (name it in docs/book/book.toml to render it)")
    return 0
