#!/usr/bin/env bash
# First step after checkout in every Debian container job (docs/CI.md): what `cargo xtask
# setup` needs before it can run (a C++ compiler, Python with headers and venv, curl for
# rustup), plus ci/system-packages.txt, all with one apt-get update. The jobs run as root,
# which is how `cargo xtask setup` installs missing Debian packages without sudo; this step
# only makes it find them present and shows the apt time as its own step.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "$0: run as root (the workflow's Debian containers are); elsewhere use cargo xtask setup" >&2
  exit 1
fi
mapfile -t listed < <(grep -v '^[[:space:]]*\(#\|$\)' ci/system-packages.txt)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential ca-certificates curl git pkg-config \
  python3 python3-dev python3-venv \
  "${listed[@]}"
python3 --version
