"""`python -m bridgebench report RESULTS.json -o DIR [--base BASE.json]`: render a results
file as DIR/report.html (one self-contained page: inline CSS and SVG plots, no network)
and DIR/summary.md (short Markdown for a CI job summary). With --base, both also compare
RESULTS against BASE cell by cell, on ratios to the floor (bridgebench.comparison, the rule
of `bridgebench compare`). docs/REPORT.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridgebench import report, schema
from bridgebench.comparison import THRESHOLD


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="results.json (a run or a merge)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--base", type=Path, help="compare with this results.json")
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="smallest relative change flagged"
    )


def run(args: argparse.Namespace) -> int:
    try:
        data = schema.load(args.results)
        base = schema.load(args.base) if args.base else None
    except ValueError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    html_path, md_path = report.render(data, args.out, base, args.threshold)
    print(f"report: {html_path.resolve()}\nsummary: {md_path.resolve()}")
    return 0
