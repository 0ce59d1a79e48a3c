"""What the figures were measured on: machine, compilers, every tool's version, the commit."""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
from functools import cache
from typing import Any

from bridgebench import spec


def _run(*argv: str) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=spec.ROOT)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "unknown"


@cache
def _cargo_lock() -> dict[str, str]:
    text = (spec.ROOT / "Cargo.lock").read_text()
    pairs = re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text)
    return dict(pairs)


def tool_version(probe: str) -> str:
    """Resolve a registry `version` probe: python, pypi:<dist>, crate:<name>, apt:<pkg>."""
    kind, _, name = probe.partition(":")
    if kind == "python":
        return platform.python_version()
    if kind == "pypi":
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"
    if kind == "crate":
        return _cargo_lock().get(name, "not in Cargo.lock")
    if kind == "apt":
        return _run("dpkg-query", "-W", "-f=${Version}", name)
    raise ValueError(f"{spec.REGISTRY}: unknown version probe {probe!r}")


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, Any]:
    dirty = _run("git", "status", "--porcelain", "--untracked-files=no") not in ("", "unknown")
    return {
        "cpu": _cpu_model(),
        "cores": _run("nproc"),
        "os": platform.platform(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "rustc": _run("rustc", "--version"),
        "cxx": _run("c++", "--version"),
        "git_commit": _run("git", "rev-parse", "HEAD"),
        "git_dirty": dirty,
        "build_flags": {
            "rust": "cargo --release (workspace profile: codegen-units=1, lto=thin)",
            "cpp": "CMake Release (-O3), -ffp-contract=off -fno-fast-math",
        },
        "tools": {b.name: f"{b.tool} {tool_version(b.version)}" for b in spec.bridges()},
    }
