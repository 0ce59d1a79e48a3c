"""`python -m bridgebench <command>` — the Python side's command line."""

from __future__ import annotations

import argparse
import sys

from bridgebench.commands import bench


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bridgebench")
    sub = parser.add_subparsers(dest="command", required=True)
    bench.add_arguments(sub.add_parser("bench", help="measure every cell, write results"))
    args = parser.parse_args()
    if args.command == "bench":
        return bench.run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
