#!/usr/bin/env bash
# Prints the path of a CPython X.Y with headers, for `cargo xtask test --python X.Y` in the
# workflow's per-version job (docs/CI.md): Debian ships one python3 per release, so the
# other versions come from uv's python-build-standalone builds (uv pinned here).
set -euo pipefail
version="${1:?usage: $0 X.Y}"
tools="${RUNNER_TEMP:-/tmp}/uv-venv"
python3 -m venv "$tools" >&2
"$tools/bin/pip" install --quiet --disable-pip-version-check uv==0.13.8 >&2
"$tools/bin/uv" python install "$version" >&2
"$tools/bin/uv" python find "$version"
