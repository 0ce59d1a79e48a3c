"""CI's matrix from ci/bridge-groups.toml, checked against benches/bridges.toml.

Standard library only: the workflow runs it with the runner's python3, before any set-up.

    python3 ci/matrix.py check             every bridge in exactly one group, sides agree
    python3 ci/matrix.py matrix            `matrix=<JSON>` for $GITHUB_OUTPUT
    python3 ci/matrix.py bench-args GROUP  the group's `cargo xtask bench` options, one a line
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # 3.10 imports this only under pytest, whose venv has the backport (requirements-run.txt)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ROOT / "ci" / "bridge-groups.toml"
REGISTRY = ROOT / "benches" / "bridges.toml"


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"{path}: {exc}") from exc


def groups(path: Path = GROUPS) -> list[dict[str, Any]]:
    return list(_load(path).get("group", []))


def pythons(path: Path = GROUPS) -> list[dict[str, Any]]:
    return list(_load(path).get("python", []))


def problems(groups_path: Path = GROUPS, registry_path: Path = REGISTRY) -> list[str]:
    """What is wrong with the groups: each message names the file and what to change."""
    where = groups_path.relative_to(ROOT) if groups_path.is_relative_to(ROOT) else groups_path
    sides = {b["name"]: b["side"] for b in _load(registry_path)["bridge"]}
    seen: dict[str, str] = {}
    out: list[str] = []
    names = [g.get("name", "?") for g in groups(groups_path)]
    for name in {n for n in names if names.count(n) > 1}:
        out.append(f"{where}: group {name!r} is declared twice; give each group its own name")
    for group in groups(groups_path):
        name, side = group.get("name", "?"), group.get("side")
        if side not in ("python", "rust"):
            out.append(f"{where}: group {name!r} has side {side!r}; use 'python' or 'rust'")
        for bridge in group.get("bridges", []):
            if bridge not in sides:
                out.append(
                    f"{where}: group {name!r} names {bridge!r}, which is not a bridge of"
                    f" {REGISTRY.relative_to(ROOT)}; remove it or register it there"
                )
            elif sides[bridge] != side:
                out.append(
                    f"{where}: group {name!r} (side {side}) holds {bridge!r}, a"
                    f" {sides[bridge]}-side bridge; move it to a {sides[bridge]}-side group"
                )
            if bridge in seen:
                out.append(
                    f"{where}: {bridge!r} is in groups {seen[bridge]!r} and {name!r};"
                    " keep it in one (it would be measured twice under one label)"
                )
            seen.setdefault(bridge, name)
    for bridge in sides:
        if bridge not in seen:
            out.append(
                f"{where}: bridge {bridge!r} of {REGISTRY.relative_to(ROOT)} is in no group;"
                " add it to one, or CI never measures it"
            )
    if not pythons(groups_path):
        out.append(f"{where}: no [[python]] version; the matrix would be empty")
    return out


def matrix(path: Path = GROUPS) -> dict[str, Any]:
    """GitHub's `include` list: one job per (group, Python version)."""
    return {
        "include": [
            {
                "group": g["name"],
                "side": g["side"],
                "python": p["version"],
                "image": p["image"],
            }
            for g in groups(path)
            for p in pythons(path)
        ]
    }


def bench_args(name: str, path: Path = GROUPS) -> list[str]:
    """`cargo xtask bench` options measuring exactly one group (crates/xtask/src/bench.rs)."""
    for group in groups(path):
        if group["name"] == name:
            args = ["--side", group["side"]]
            if group["side"] == "python":  # the Rust side always runs all its criterion benches
                for bridge in group["bridges"]:
                    args += ["--bridge", bridge]
            return args
    known = ", ".join(g["name"] for g in groups(path))
    raise SystemExit(f"{GROUPS}: no group named {name!r} (groups: {known})")


def main(argv: list[str]) -> int:
    found = problems()
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    match argv:
        case ["check"]:
            print(f"{GROUPS.relative_to(ROOT)}: every bridge is in exactly one group")
        case ["matrix"]:
            print("matrix=" + json.dumps(matrix(), separators=(",", ":")))
        case ["bench-args", name]:
            print("\n".join(bench_args(name)))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
