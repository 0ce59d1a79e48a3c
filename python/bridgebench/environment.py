"""What the figures were measured on: machine, OS, compilers and build flags, every tool's
version, the interpreter, the commit.

`describe()` must be fast (it runs once per bench, < 2 s: the external probes run in
parallel) and must never fail: a missing program reports "missing", one that fails
"unknown", so a results file can always be written.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from bridgebench import spec
from bridgebench.compat import tomllib

MISSING = "missing"  # the program is not installed
UNKNOWN = "unknown"  # it is installed but did not answer

# Environment variables that change what is measured or how it was built.
RELEVANT_VARIABLES = (
    "PYTHONHASHSEED",
    "PYTHONMALLOC",
    "PYTHONOPTIMIZE",
    "LD_PRELOAD",
    "RUSTFLAGS",
    "CARGO_PROFILE_RELEASE_LTO",
    "CFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "BRIDGEBENCH_QUICK",
)


def _which(program: str) -> str | None:
    """A program on PATH or next to the interpreter (the venv's cmake, ninja, swig)."""
    return shutil.which(program) or shutil.which(program, path=str(Path(sys.executable).parent))


def _run(*argv: str) -> str:
    """The first line of a program's output; MISSING / UNKNOWN instead of an exception."""
    path = _which(argv[0])
    if path is None:
        return MISSING
    try:
        out = subprocess.run(
            [path, *argv[1:]], capture_output=True, text=True, check=True, cwd=spec.ROOT, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    text = out.stdout.strip()
    return text.splitlines()[0] if text else ""


@cache
def _cargo_lock() -> dict[str, str]:
    try:
        text = (spec.ROOT / "Cargo.lock").read_text()
    except OSError:
        return {}
    return dict(re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text))


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


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or UNKNOWN


def _memory_bytes() -> int | None:
    match = re.search(r"^MemTotal:\s+(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _os_release() -> str:
    match = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', _read("/etc/os-release"), re.MULTILINE)
    return match.group(1) if match else platform.system()


def _cores() -> int:
    """Cores this process may run on (what `nproc` says), not the machine's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 0


def _glibc() -> str:
    lib, version = platform.libc_ver()
    return f"{lib} {version}" if lib else UNKNOWN


def _python() -> dict[str, Any]:
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "build": " ".join(platform.python_build()),
        "compiler": platform.python_compiler(),
        "executable": os.path.abspath(sys.executable),
        "configure": sysconfig.get_config_var("CONFIG_ARGS") or "",
        "opt_flags": sysconfig.get_config_var("OPT") or "",
        "debug_build": hasattr(sys, "gettotalrefcount"),
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    }


def _pypi(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return MISSING


def _rust_flags() -> dict[str, Any]:
    """The release profile every Rust-built bridge and bench is compiled with."""
    try:
        with (spec.ROOT / "Cargo.toml").open("rb") as f:
            manifest = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        manifest = {}
    profiles = manifest.get("profile", {})
    return {
        "profile_release": profiles.get("release", {}),
        "profile_bench": profiles.get("bench", {}),
        "rustflags": os.environ.get("RUSTFLAGS", ""),
    }


def _cmake_cache(build_dir: Path) -> dict[str, str]:
    entries = {}
    for line in _read(build_dir / "CMakeCache.txt").splitlines():
        match = re.match(r"^([A-Za-z_][\w-]*):[A-Z]+=(.*)$", line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


def _ninja_flags(build_dir: Path, build_type: str) -> dict[str, str]:
    """The compile flags each CMake target was actually built with, from build.ninja
    (rules are named CXX_COMPILER__<target>_[unscanned_]<build type>)."""
    flags: dict[str, set[str]] = {}
    target = None
    rule_re = re.compile(rf"^build [^:]+: CXX_COMPILER__(.+?)_(?:unscanned_)?{build_type} ")
    for line in _read(build_dir / "build.ninja").splitlines():
        rule = rule_re.match(line)
        if rule:
            target = rule.group(1)
        elif target and line.startswith("  FLAGS = "):
            flags.setdefault(target, set()).add(line.removeprefix("  FLAGS = "))
        elif not line.startswith("  "):
            target = None
    return {t: " | ".join(sorted(f)) for t, f in sorted(flags.items())}


def _cpp_flags() -> dict[str, Any]:
    """What the C++ bindings were built with: the CMake cache and build.ninja of the build
    folder for this interpreter (scikit-build-core names it after the wheel tag)."""
    builds = sorted((spec.ROOT / "cpp" / "build").glob("*/CMakeCache.txt"))
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}-"
    builds = [b for b in builds if b.parent.name.startswith(tag)] or builds
    if not builds:
        return {"build_dir": MISSING}
    build_dir = builds[0].parent
    cache_ = _cmake_cache(build_dir)
    build_type = cache_.get("CMAKE_BUILD_TYPE", "")
    return {
        "build_dir": str(build_dir.relative_to(spec.ROOT)),
        "build_type": build_type,
        "compiler": cache_.get("CMAKE_CXX_COMPILER", UNKNOWN),
        "cxx_flags": cache_.get("CMAKE_CXX_FLAGS", ""),
        "cxx_flags_config": cache_.get(f"CMAKE_CXX_FLAGS_{build_type.upper()}", ""),
        "targets": _ninja_flags(build_dir, re.escape(build_type)),
    }


def _cpu_governor() -> str:
    text = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").strip()
    return text or "not exposed"


# External probes, run in parallel: name -> argv.
_PROGRAMS = {
    "rustc": ("rustc", "--version"),
    "cargo": ("cargo", "--version"),
    "c++": ("c++", "--version"),
    "cc": ("cc", "--version"),
    "cmake": ("cmake", "--version"),
    "ninja": ("ninja", "--version"),
    "valgrind": ("valgrind", "--version"),
    "git": ("git", "--version"),
}


def _git_dirty(status: str) -> bool | None:
    return None if status in (MISSING, UNKNOWN) else status != ""


def describe() -> dict[str, Any]:
    probes = {
        **{name: argv for name, argv in _PROGRAMS.items()},
        "git_commit": ("git", "rev-parse", "HEAD"),
        "git_status": ("git", "status", "--porcelain", "--untracked-files=no"),
    }
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {name: pool.submit(_run, *argv) for name, argv in probes.items()}
        tools = {b.name: pool.submit(tool_version, b.version) for b in spec.bridges()}
        found = {name: f.result() for name, f in futures.items()}
        versions = {name: f.result() for name, f in tools.items()}
    python = _python()
    return {
        "host": platform.node(),
        "cpu": _cpu_model(),
        "cores": _cores(),
        "cpu_count": os.cpu_count() or 0,
        "cpu_governor": _cpu_governor(),
        "memory_bytes": _memory_bytes(),
        "machine": platform.machine(),
        "os": platform.platform(),
        "os_release": _os_release(),
        "kernel": platform.release(),
        "kernel_version": platform.version(),
        "glibc": _glibc(),
        # `python` and `python_implementation` stay flat: the results table reads them.
        "python": python["version"],
        "python_implementation": python["implementation"],
        "python_details": python,
        "numpy": _pypi("numpy"),
        "pythonhashseed": os.environ.get("PYTHONHASHSEED", "random (unset)"),
        "variables": {name: os.environ[name] for name in RELEVANT_VARIABLES if name in os.environ},
        "rustc": found["rustc"],
        "cxx": found["c++"],
        "compilers": {name: found[name] for name in ("rustc", "cargo", "c++", "cc")},
        "programs": {name: found[name] for name in ("cmake", "ninja", "valgrind", "git")},
        "git_commit": found["git_commit"],
        "git_dirty": _git_dirty(found["git_status"]),
        "build_flags": {"rust": _rust_flags(), "cpp": _cpp_flags()},
        "tools": {b.name: f"{b.tool} {versions[b.name]}" for b in spec.bridges()},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(describe(), indent=1))
