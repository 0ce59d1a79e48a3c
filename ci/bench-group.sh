#!/usr/bin/env bash
# One bench job of the matrix (docs/CI.md):
#
#   ci/bench-group.sh GROUP OUT_DIR
#
# measures the group of ci/bridge-groups.toml with `cargo xtask bench --quick`, writing
# OUT_DIR/<stamp>/results.json and results.md, the folder the job uploads.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 2 ]]; then
  echo "usage: $0 GROUP OUT_DIR" >&2
  exit 2
fi
mapfile -t options < <(python3 ci/matrix.py bench-args "$1")
if [[ ${#options[@]} -eq 0 ]]; then
  echo "$0: ci/matrix.py gave no options for group $1" >&2
  exit 1
fi
echo "==> cargo xtask bench --quick --out $2 ${options[*]}"
cargo xtask bench --quick --out "$2" "${options[@]}"
