#!/usr/bin/env bash
# The gate job (docs/CI.md):
#
#   ci/gate.sh pull_request|push BASE_SHA OUT_DIR
#
# Instruction and allocation counts are exact on one toolchain but differ between runner
# kinds, so the gate compares two builds measured by this one runner:
#   pull_request  the PR's base commit (BASE_SHA) against its head;
#   push          the committed ci/gate-baseline.json when its environment fingerprint
#                 matches this runner (ci/baseline_matches.py), else the previous commit
#                 (BASE_SHA, or HEAD^ when GitHub gives none) against this one.
# The gate's output goes to OUT_DIR/gate.txt too; the exit status is the gate's
# (0 passed, 1 regressed, 2 could not measure).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 3 ]]; then
  echo "usage: $0 pull_request|push BASE_SHA OUT_DIR" >&2
  exit 2
fi
event=$1
base=$2
mkdir -p "$3"
out=$(cd "$3" && pwd)
head_tree=$(pwd)

echo "==> build this commit ($(git rev-parse --short HEAD))"
cargo xtask build

gate() { # gate ARGS...: the head commit's gate, its output kept
  local status=0
  .venv/bin/python -m bridgebench gate "$@" | tee "$out/gate.txt" || status=${PIPESTATUS[0]}
  return "$status"
}

if [[ $event == push ]] && .venv/bin/python ci/baseline_matches.py; then
  echo "==> gate against the committed ci/gate-baseline.json"
  gate --baseline ci/gate-baseline.json
  exit
fi

if [[ $event != pull_request && $event != push ]]; then
  echo "$0: unknown event $event (pull_request or push)" >&2
  exit 2
fi
if [[ -z $base || $base =~ ^0+$ ]] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  base=$(git rev-parse HEAD^)
fi
echo "==> base commit $(git rev-parse --short "$base"), measured on this runner too"
base_tree=${RUNNER_TEMP:-/tmp}/bridgebench-base
rm -rf "$base_tree"
git worktree prune
git worktree add --detach "$base_tree" "$base"
if [[ ! -f $base_tree/python/bridgebench/commands/gate.py ]]; then
  echo "::notice::the base commit has no gate command: nothing to compare with yet"
  exit 0
fi
(
  cd "$base_tree"
  cargo xtask build
  .venv/bin/python -m bridgebench gate --save "$out/base.json"
)
echo "==> gate this commit against the base commit's counts"
cd "$head_tree"
gate --baseline "$out/base.json"
