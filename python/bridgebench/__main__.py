"""`python -m bridgebench <command>` — the Python side's command line (one module per
command under bridgebench/commands, each with `add_arguments(parser)` and `run(args)`)."""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from bridgebench.commands import (
    bench,
    build_figures,
    compare,
    gate,
    gate_update,
    merge,
    pyperf_check,
    record,
    report,
)

COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "bench": (bench, "measure every cell, write results"),
    "merge": (merge, "merge results files from several jobs or machines"),
    "compare": (compare, "Markdown table of what changed between two results files"),
    "report": (report, "HTML report (SVG plots) and Markdown summary of a results file"),
    "pyperf-check": (pyperf_check, "the headline figures against pyperf, side by side"),
    "gate": (gate, "fail if a cell's instruction or allocation counts regressed"),
    "gate-update": (gate_update, "measure the gate's counts and rewrite its baseline"),
    "build-figures": (build_figures, "what each bridge costs to build and ship"),
    "record": (record, "keep a full run under benches/records/ for the teaching book"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridgebench")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, text) in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=text, description=module.__doc__))
    args = parser.parse_args(argv)
    module, _ = COMMANDS[args.command]
    result: int = module.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
