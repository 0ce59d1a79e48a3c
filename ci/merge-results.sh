#!/usr/bin/env bash
# The merge job's one step (docs/CI.md), also run locally by python/tests/test_workflow.py:
#
#   ci/merge-results.sh ARTIFACTS_DIR OUT_DIR
#
# ARTIFACTS_DIR holds one folder per bench job, as actions/download-artifact lays them out:
# results-<group>-py<version>/<stamp>/results.json. Every results.json is merged into
# OUT_DIR/merged.json, labelled py<version>: the groups of one Python version are disjoint,
# so they make one label (their shared n/a rows are kept once), and each Python version is
# its own label. Then OUT_DIR/report/ gets report.html and summary.md.
#
# PYTHON names the interpreter (default python3); it needs python/requirements.txt.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ARTIFACTS_DIR OUT_DIR" >&2
  exit 2
fi
artifacts=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
export PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"

mapfile -t files < <(find "$artifacts" -name results.json -type f | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "$0: no results.json under $artifacts: did the bench jobs upload their results?" >&2
  exit 1
fi

labels=()
for file in "${files[@]}"; do
  job=${file#"$artifacts"/}
  job=${job%%/*}
  label=${job##*-}
  if [[ $job != results-*-py* || $label != py* ]]; then
    echo "$0: $file: its folder $job is not named results-<group>-py<version>" >&2
    exit 1
  fi
  echo "  $label <- $file"
  labels+=(--label "$label")
done

mkdir -p "$out"
echo "==> merging ${#files[@]} results files"
"$python" -m bridgebench merge "${files[@]}" "${labels[@]}" -o "$out/merged.json"
echo "==> rendering the report"
"$python" -m bridgebench report "$out/merged.json" -o "$out/report"
for made in report.html summary.md; do
  if [[ ! -s $out/report/$made ]]; then
    echo "$0: the report command wrote no $out/report/$made" >&2
    exit 1
  fi
done
