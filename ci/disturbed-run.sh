#!/usr/bin/env bash
# A full bench while another process keeps one core busy, judged against an undisturbed run
# (docs/METHODOLOGY.md, "What to compare"):
#
#   ci/disturbed-run.sh BASE_RESULTS.json [OUT_DIR]
#
# starts a plain Python busy loop at this shell's priority, runs `cargo xtask bench` into
# OUT_DIR (default a new results/disturbed-<stamp>), stops the loop, then prints `compare BASE NEW` with
# a 10 % threshold: its agreement line gives the share of cells whose ratios to the floor
# agree within 10 %, and its head the new run's steadiness line, which must say DISTURBED.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BASE_RESULTS.json [OUT_DIR]" >&2
  exit 2
fi
base=$1
out=${2:-results/disturbed-$(date +%Y%m%d-%H%M%S)}
python3 -c 'while True: pass' &
busy=$!
trap 'kill "$busy" 2>/dev/null || true' EXIT
echo "==> busy loop on one core: pid $busy"
cargo xtask bench --out "$out"
kill "$busy"
new=$(find "$out" -name results.json | sort | tail -n 1)
if [[ -z $new ]]; then
  echo "$0: cargo xtask bench wrote no results.json under $out" >&2
  exit 1
fi
echo "==> compare $base $new (threshold 10 %)"
.venv/bin/python -m bridgebench compare "$base" "$new" --threshold 0.10
